package dev.millrace.data;

import dev.millrace.data.internal.Stacking;
import dev.millrace.data.internal.Tensors;
import dev.millrace.records.DecodedExample;
import dev.millrace.records.ExampleDecoder;
import dev.millrace.records.MalformedExampleException;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Which features to take from each {@code tf.train.Example} and how (TensorFlow's {@code
 * parse_example} features dict), decoded straight from the record bytes by {@link ExampleDecoder}:
 *
 * <pre>{@code
 * ExampleSpec spec = ExampleSpec.of(rawImage("image", 28, 28, 1).toFloat(1f / 255), int64("label"));
 * Dataset<Features> one = Dataset.tfRecords(files).map(spec::decode, Parallelism.AUTOTUNE);
 * // TensorFlow's fastest arrangement, batch first and then parse the batch:
 * Dataset<Batch> fast = Dataset.tfRecords(files)
 *     .batch(128, true, Batcher.toList())
 *     .map(spec::decodeBatch, Parallelism.AUTOTUNE);
 * }</pre>
 *
 * <p>Bad data (a malformed Example, a missing required feature, a wrong kind or count) throws an
 * {@link IOException} naming the record's file, index and offset. Immutable and thread-safe (each
 * thread decodes into its own reused buffers).
 *
 * <p>{@link #decodeBatch} takes its batch tensors from the spec's {@link BatchBuffers}: a consumer
 * that {@linkplain Batch#release() releases} each batch when done with it has the next batches
 * decoded into the same arrays, instead of new zero-filled ones.
 */
public final class ExampleSpec {
  private final FeatureSpec[] specs;
  private final String[] names;
  private final ExampleDecoder decoder;
  private final ThreadLocal<DecodedExample> results;
  private final BatchBuffers buffers;

  private ExampleSpec(FeatureSpec[] specs, BatchBuffers buffers) {
    this.specs = specs;
    this.names = FeatureSpec.names(specs);
    this.decoder = ExampleDecoder.of(names);
    this.results = ThreadLocal.withInitial(decoder::newResult);
    this.buffers = buffers;
  }

  /**
   * The features to decode, in this order (the order of the decoded {@link Features}), with buffers
   * of {@link BatchBuffers#defaultCapacity()}.
   */
  public static ExampleSpec of(FeatureSpec... features) {
    if (features.length == 0) {
      throw new IllegalArgumentException("an ExampleSpec needs at least one feature");
    }
    return new ExampleSpec(features.clone(), BatchBuffers.withDefaultCapacity());
  }

  public static ExampleSpec of(List<FeatureSpec> features) {
    return of(features.toArray(new FeatureSpec[0]));
  }

  public List<FeatureSpec> features() {
    return List.of(specs);
  }

  /**
   * This spec decoding its batches into {@code buffers} (shared with whoever else holds them;
   * {@code BatchBuffers.of(0)} for no reuse).
   */
  public ExampleSpec withBuffers(BatchBuffers buffers) {
    return new ExampleSpec(specs, Objects.requireNonNull(buffers, "buffers"));
  }

  /** Where {@link #decodeBatch} takes its tensors from. */
  public BatchBuffers buffers() {
    return buffers;
  }

  /** One record's features, one tensor each. */
  public Features decode(TfRecord record) throws IOException {
    DecodedExample ex = parse(record);
    Tensor[] out = new Tensor[specs.length];
    for (int i = 0; i < specs.length; i++) {
      out[i] = specs[i].decode(ex, i, record);
    }
    return new Features(names.clone(), out);
  }

  /**
   * A batch of records decoded straight into one contiguous tensor per feature (no per-record
   * tensors): fixed-length and raw features are stacked, variable-length lists become ragged
   * features, images are stacked if they all have the same shape. The stacked tensors come from
   * {@link #buffers()}, and every element of them is written.
   */
  public Batch decodeBatch(List<TfRecord> records) throws IOException {
    int n = records.size();
    if (n == 0) {
      throw new IllegalArgumentException("decodeBatch needs at least one record");
    }
    Batch.Builder b = Batch.builder(n).releasingTo(buffers);
    Tensor[] dense = new Tensor[specs.length];
    boolean perRecord = false;
    for (int i = 0; i < specs.length; i++) {
      Shape s = specs[i].outputShape();
      if (s != null) {
        dense[i] = buffers.take(specs[i].dtype(), Tensors.prepend(n, s));
      } else {
        perRecord = true;
      }
    }
    Features[] rest = perRecord ? new Features[n] : null;
    for (int r = 0; r < n; r++) {
      TfRecord record = records.get(r);
      DecodedExample ex = parse(record);
      Tensor[] varying = perRecord ? new Tensor[specs.length] : null;
      for (int i = 0; i < specs.length; i++) {
        if (dense[i] != null) {
          specs[i].decodeInto(ex, i, record, dense[i], r);
        } else {
          varying[i] = specs[i].decode(ex, i, record);
        }
      }
      if (perRecord) {
        rest[r] = varyingOnly(varying);
      }
    }
    Batch varyingBatch = perRecord ? Stacking.ragged(List.of(rest)) : null;
    for (int i = 0; i < specs.length; i++) {
      if (dense[i] != null) {
        b.add(names[i], dense[i]);
      } else if (varyingBatch.isRagged(names[i])) {
        b.addRagged(names[i], varyingBatch.get(names[i]), varyingBatch.rowSplits(names[i]));
      } else {
        b.add(names[i], varyingBatch.get(names[i]));
      }
    }
    return b.build();
  }

  private Features varyingOnly(Tensor[] varying) {
    int k = 0;
    for (Tensor t : varying) {
      k += t == null ? 0 : 1;
    }
    String[] n = new String[k];
    Tensor[] t = new Tensor[k];
    for (int i = 0, j = 0; i < varying.length; i++) {
      if (varying[i] != null) {
        n[j] = names[i];
        t[j++] = varying[i];
      }
    }
    return new Features(n, t);
  }

  /** {@link #decodeBatch} as a batcher: {@code tfRecords(...).batch(128, true, spec.batcher())}. */
  public Batcher<TfRecord, Batch> batcher() {
    return this::decodeBatch;
  }

  private DecodedExample parse(TfRecord record) throws IOException {
    DecodedExample ex = results.get();
    try {
      record.decode(decoder, ex);
    } catch (MalformedExampleException e) {
      throw record.problem(e.getMessage(), e);
    }
    return ex;
  }

  /** The dtype each feature decodes to, by name. */
  public DType dtype(String name) {
    for (FeatureSpec s : specs) {
      if (s.name().equals(name)) {
        return s.dtype();
      }
    }
    throw new IllegalArgumentException("no feature '" + name + "' in " + this);
  }

  @Override
  public String toString() {
    return "ExampleSpec" + List.of(specs);
  }
}
