package dev.millrace.data.internal;

import java.util.List;

/**
 * The immutable description of one stage. Opening it (once per iterator, again for each epoch under
 * {@code repeat} or each element under {@code interleave}) makes a running {@link Node}.
 *
 * @param <T> element type
 */
public abstract class Op<T> {
  private final String kind;
  private final List<Op<?>> inputs;
  private final int size;
  private final int bufferingStages;

  protected Op(String kind, boolean buffers, Op<?>... inputs) {
    this.kind = kind;
    this.inputs = List.of(inputs);
    int s = 1;
    int b = buffers ? 1 : 0;
    for (Op<?> in : inputs) {
      s += in.size;
      b += in.bufferingStages;
    }
    this.size = s;
    this.bufferingStages = b;
  }

  public abstract Node<T> open(Ctx ctx);

  public String kind() {
    return kind;
  }

  /** Stages in this op's tree, itself included. */
  public int size() {
    return size;
  }

  /** Stages in this op's tree that buffer elements and so take a share of the RAM budget. */
  public int bufferingStages() {
    return bufferingStages;
  }

  protected List<Op<?>> inputs() {
    return inputs;
  }

  /** The op's parameters for its description ({@code 128, dropRemainder=true}). */
  protected String params() {
    return "";
  }

  /**
   * A description of the whole tree that does not depend on function identities, for checkpoint
   * fingerprints: {@code batch(128, true) <- map(auto) <- tfRecords(2 files: a, b)}.
   */
  public String describe() {
    StringBuilder sb = new StringBuilder(kind).append('(').append(params()).append(')');
    for (int i = 0; i < inputs.size(); i++) {
      sb.append(i == 0 ? " <- " : " & ").append(inputs.get(i).describe());
    }
    return inputs.size() > 1 ? "(" + sb + ")" : sb.toString();
  }
}
