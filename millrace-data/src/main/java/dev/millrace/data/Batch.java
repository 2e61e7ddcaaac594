package dev.millrace.data;

import dev.millrace.data.internal.Tensors;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A batch of {@link #size()} elements: per feature, ONE contiguous tensor whose first dimension is
 * the batch ({@code [128, 28, 28, 1]}), what {@link Dataset#batch(int, boolean)} stacks.
 *
 * <p>A ragged feature (from {@link Dataset#raggedBatch}) is stored as TensorFlow stores a {@code
 * RaggedTensor}: {@link #get} gives its flat values (all elements' rows concatenated along the
 * first axis) and {@link #rowSplits} an INT64 tensor of {@code size() + 1} offsets, element {@code
 * i} owning rows {@code [splits[i], splits[i+1])}.
 *
 * <p>The feature map is immutable; the tensors are the batch's own, treat them as read-only.
 *
 * <p>A consumer that is done with a batch (its training step has run) may {@link #release()} it:
 * the arrays it drew from {@link BatchBuffers} then go back there for a later batch. A batch that
 * is never released costs nothing more than before: it is garbage-collected.
 */
public final class Batch {
  private static final int LIVE = 0;
  private static final int RELEASED = 1;
  private static final int RETAINED = 2;

  private final int size;
  private final String[] names;
  private final Tensor[] tensors;
  private final Tensor[] rowSplits;
  private final BatchBuffers buffers;
  private final AtomicInteger state = new AtomicInteger(LIVE);

  Batch(int size, String[] names, Tensor[] tensors, Tensor[] rowSplits, BatchBuffers buffers) {
    this.size = size;
    this.names = names;
    this.tensors = tensors;
    this.rowSplits = rowSplits;
    this.buffers = buffers;
  }

  /** A batch of dense features, each with first dimension {@code size}. */
  public static Batch of(int size, List<String> names, List<Tensor> tensors) {
    Builder b = builder(size);
    for (int i = 0; i < names.size(); i++) {
      b.add(names.get(i), tensors.get(i));
    }
    return b.build();
  }

  public static Builder builder(int size) {
    return new Builder(size);
  }

  /** Builds a batch feature by feature, checking each against the batch size. */
  public static final class Builder {
    private final int size;
    private final List<String> names = new ArrayList<>();
    private final List<Tensor> tensors = new ArrayList<>();
    private final List<Tensor> splits = new ArrayList<>();
    private BatchBuffers buffers;

    private Builder(int size) {
      if (size < 0) {
        throw new IllegalArgumentException("batch size must be >= 0, got " + size);
      }
      this.size = size;
    }

    /** A dense feature: {@code tensor}'s first dimension must be the batch size. */
    public Builder add(String name, Tensor tensor) {
      if (tensor.shape().rank() == 0 || tensor.shape().dim(0) != size) {
        throw new IllegalArgumentException(
            "feature '"
                + name
                + "' has shape "
                + tensor.shape()
                + " (expected first dimension "
                + size
                + ")");
      }
      return put(name, tensor, null);
    }

    /**
     * A ragged feature: {@code values} holds all rows, {@code rowSplits} (INT64, {@code size + 1}
     * non-decreasing offsets from 0 to the row count) says which belong to each element.
     */
    public Builder addRagged(String name, Tensor values, Tensor rowSplits) {
      rowSplits.requireType(DType.INT64).requireShape(Shape.of(size + 1));
      long rows = values.shape().rank() == 0 ? -1 : values.shape().dim(0);
      long prev = 0;
      for (int i = 0; i <= size; i++) {
        long s = rowSplits.getLong(i);
        if ((i == 0 && s != 0) || s < prev) {
          throw new IllegalArgumentException(
              "row splits of '" + name + "' must rise from 0, got " + s + " at index " + i);
        }
        prev = s;
      }
      if (prev != rows) {
        throw new IllegalArgumentException(
            "row splits of '"
                + name
                + "' end at "
                + prev
                + " but values have shape "
                + values.shape());
      }
      return put(name, values, rowSplits);
    }

    private Builder put(String name, Tensor tensor, Tensor split) {
      Objects.requireNonNull(name, "name");
      if (names.contains(name)) {
        throw new IllegalArgumentException("feature '" + name + "' added twice");
      }
      names.add(name);
      tensors.add(tensor);
      splits.add(split);
      return this;
    }

    /**
     * Where {@link Batch#release()} returns the batch's arrays: only for a batch that owns every
     * one of its tensors alone (fresh, or taken from {@code buffers} for it), fully written.
     */
    Builder releasingTo(BatchBuffers buffers) {
      this.buffers = Objects.requireNonNull(buffers, "buffers");
      return this;
    }

    public Batch build() {
      return new Batch(
          size,
          names.toArray(new String[0]),
          tensors.toArray(new Tensor[0]),
          splits.toArray(new Tensor[0]),
          buffers);
    }
  }

  /** Number of elements in the batch. */
  public int size() {
    return size;
  }

  public List<String> names() {
    return List.of(names);
  }

  public int indexOf(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** The batched tensor of {@code name} (the flat values, for a ragged feature). */
  public Tensor get(String name) {
    requireLive();
    return tensors[require(name)];
  }

  public Tensor get(int index) {
    requireLive();
    return tensors[Objects.checkIndex(index, tensors.length)];
  }

  /**
   * Says that nothing reads this batch or its tensors any more, so that its arrays can hold a later
   * batch (when it came from {@link ExampleSpec#decodeBatch} or {@link Dataset#batch(int,
   * boolean)}); the batch cannot be read afterwards. Call it only once the last reader is done (for
   * a training step: after the session's run has returned; a session keeps no fed tensor).
   * Releasing again, or a batch without buffers, does nothing else; a {@linkplain #retain()
   * retained} batch is not released at all.
   */
  public void release() {
    if (!state.compareAndSet(LIVE, RELEASED) || buffers == null) {
      return;
    }
    for (int i = 0; i < tensors.length; i++) {
      buffers.giveBack(tensors[i]);
      if (rowSplits[i] != null) {
        buffers.giveBack(rowSplits[i]);
      }
    }
  }

  /**
   * Keeps this batch readable for good: {@link #release()} does nothing from now on, so its arrays
   * are never reused. For holders that keep a batch beyond its consumer ({@code cache()} replays
   * the batches of its first epoch). Fails if the batch was released already.
   */
  public Batch retain() {
    if (!state.compareAndSet(LIVE, RETAINED) && state.get() == RELEASED) {
      throw released();
    }
    return this;
  }

  /** Whether {@link #release()} has taken effect. */
  public boolean isReleased() {
    return state.get() == RELEASED;
  }

  private void requireLive() {
    if (state.get() == RELEASED) {
      throw released();
    }
  }

  private IllegalStateException released() {
    return new IllegalStateException(
        "this batch of "
            + size
            + " ("
            + String.join(", ", names)
            + ") was released: its arrays may already hold a later batch");
  }

  public boolean isRagged(String name) {
    return rowSplits[require(name)] != null;
  }

  /** The row splits of ragged feature {@code name}. */
  public Tensor rowSplits(String name) {
    requireLive();
    Tensor s = rowSplits[require(name)];
    if (s == null) {
      throw new IllegalArgumentException("feature '" + name + "' is dense, not ragged");
    }
    return s;
  }

  /** Element {@code i} of the batch, its tensors copied out. */
  public Features element(int i) {
    requireLive();
    Objects.checkIndex(i, size);
    Tensor[] out = new Tensor[names.length];
    for (int f = 0; f < names.length; f++) {
      Tensor s = rowSplits[f];
      out[f] =
          s == null
              ? Tensors.row(tensors[f], i)
              : Tensors.rows(tensors[f], s.getLong(i), s.getLong(i + 1));
    }
    return new Features(names.clone(), out);
  }

  private int require(String name) {
    int i = indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException(
          "no feature '" + name + "' (features: " + Arrays.toString(names) + ")");
    }
    return i;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Batch b) || b.size != size || !Arrays.equals(names, b.names)) {
      return false;
    }
    for (int i = 0; i < names.length; i++) {
      if (!Tensors.contentEquals(tensors[i], b.tensors[i])
          || (rowSplits[i] == null) != (b.rowSplits[i] == null)
          || (rowSplits[i] != null && !Tensors.contentEquals(rowSplits[i], b.rowSplits[i]))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = size * 31 + Arrays.hashCode(names);
    for (Tensor t : tensors) {
      h = h * 31 + Tensors.contentHash(t);
    }
    return h;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Batch{size=").append(size);
    if (isReleased()) {
      sb.append(", released");
    }
    for (int i = 0; i < names.length; i++) {
      sb.append(", ").append(names[i]).append('=').append(tensors[i].dtype());
      sb.append(' ').append(tensors[i].shape()).append(rowSplits[i] == null ? "" : " ragged");
    }
    return sb.append('}').toString();
  }
}
