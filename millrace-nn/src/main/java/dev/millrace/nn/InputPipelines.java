package dev.millrace.nn;

import dev.millrace.data.Augment;
import dev.millrace.data.Batch;
import dev.millrace.data.Dataset;
import dev.millrace.data.ElementRandom;
import dev.millrace.data.ExampleSpec;
import dev.millrace.data.FeatureSpec;
import dev.millrace.data.ImageAugmentation;
import dev.millrace.data.Options;
import dev.millrace.data.Parallelism;
import dev.millrace.data.PipelineTracer;
import dev.millrace.data.TfRecord;
import dev.millrace.tensor.DataFormat;
import java.nio.file.Path;
import java.util.List;

/**
 * The pipelines that feed training and evaluation, as the performance guide arranges them: read the
 * shards (several at once when there are several), shuffle the serialized records, decode and
 * augment each record on parallel threads straight into float batches in the model's data format
 * (the map's threads also stack the batch), and prefetch so that the step never waits.
 *
 * <p>Each epoch is its own pipeline, seeded from the run's seed and the epoch number: epoch {@code
 * e} shuffles and augments the same way in every run with that seed, which is what lets a resumed
 * run continue exactly.
 */
public final class InputPipelines {
  private InputPipelines() {}

  /** The training batches of {@code epoch} (the last partial batch is dropped). */
  public static Dataset<Batch> train(
      DataFolder data, DataFormat format, int batch, InputSettings in, long seed, int epoch) {
    return train(data, format, batch, in, seed, epoch, null);
  }

  /** {@link #train} reporting its stages' work to {@code tracer} (null for none). */
  public static Dataset<Batch> train(
      DataFolder data,
      DataFormat format,
      int batch,
      InputSettings in,
      long seed,
      int epoch,
      PipelineTracer tracer) {
    long epochSeed = epochSeed(seed, epoch);
    Dataset<TfRecord> records = records(data.trainFiles(), data, in, epochSeed, tracer);
    if (in.shuffleBuffer() > 0) {
      records = records.shuffle(in.shuffleBuffer(), epochSeed, false);
    }
    return prefetch(decode(records, data, format, in, in.augment()).batch(batch, true), in);
  }

  /** The held-out batches (all of them, the last one possibly smaller). */
  public static Dataset<Batch> eval(
      DataFolder data, DataFormat format, int batch, InputSettings in) {
    if (!data.hasEval()) {
      throw new IllegalArgumentException(data.dir() + ": the data set has no held-out split");
    }
    Dataset<TfRecord> records = records(data.evalFiles(), data, in, 0, null);
    return prefetch(decode(records, data, format, in, false).batch(batch, false), in);
  }

  /** A seed for epoch {@code epoch} of a run seeded {@code seed} (a SplitMix64 step). */
  static long epochSeed(long seed, int epoch) {
    long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static Dataset<TfRecord> records(
      List<Path> files, DataFolder data, InputSettings in, long seed, PipelineTracer tracer) {
    Options options = Options.defaults().seed(seed).tracer(tracer);
    if (in.threads() > 0) {
      options = options.maxParallelism(in.threads());
    }
    Dataset<TfRecord> records =
        Dataset.tfRecords(files, data.train().compression()).withOptions(options);
    if (files.size() > 1) {
      records = records.interleave(Math.min(files.size(), 4), in.parallelism());
    }
    return records;
  }

  private static Dataset<dev.millrace.data.Features> decode(
      Dataset<TfRecord> records,
      DataFolder data,
      DataFormat format,
      InputSettings in,
      boolean augment) {
    ImageShape shape = data.shape();
    FeatureSpec image =
        data.encoded()
            ? FeatureSpec.image(data.image(), shape.channels() == 1 ? 1 : 3)
            : FeatureSpec.rawImage(data.image(), shape.height(), shape.width(), shape.channels());
    ExampleSpec spec = ExampleSpec.of(image, FeatureSpec.int64(data.label()));
    ImageAugmentation toFloat =
        augment
            ? Augment.cropFlipNormalize(Math.max(1, shape.height() / 8), format)
            : Augment.toFloat(format);
    ImageAugmentation steps = toFloat.feature(data.image());
    return records.map(
        (TfRecord r, ElementRandom random) -> steps.apply(spec.decode(r), random),
        in.parallelism());
  }

  private static Dataset<Batch> prefetch(Dataset<Batch> batches, InputSettings in) {
    return switch (in.prefetch()) {
      case 0 -> batches;
      case -1 -> batches.prefetch(Parallelism.AUTOTUNE);
      default -> batches.prefetch(in.prefetch());
    };
  }
}
