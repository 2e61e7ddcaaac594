package dev.millrace.graph.internal;

import dev.millrace.graph.Operation;
import dev.millrace.graph.spi.VariableSlot;
import dev.millrace.tensor.Tensor;
import java.util.concurrent.ConcurrentHashMap;

/** A session's variable values, one slot per {@code VariableV2} operation. */
public final class VariableStore {
  private final ConcurrentHashMap<Operation, Slot> slots = new ConcurrentHashMap<>();

  public VariableSlot slot(Operation variableOp) {
    return slots.computeIfAbsent(variableOp, Slot::new);
  }

  public boolean isInitialized(Operation variableOp) {
    Slot s = slots.get(variableOp);
    return s != null && s.value != null;
  }

  /** Drops every value (closing native ones). */
  public void clear() {
    for (Slot s : slots.values()) {
      Tensor t = s.value;
      s.value = null;
      if (t != null) {
        t.close();
      }
    }
    slots.clear();
  }

  private static final class Slot implements VariableSlot {
    private final Operation op;
    private volatile Tensor value;

    Slot(Operation op) {
      this.op = op;
    }

    @Override
    public String name() {
      return op.name();
    }

    @Override
    public Tensor value() {
      return value;
    }

    @Override
    public void assign(Tensor next) {
      if (next.dtype() != op.outputType(0)) {
        throw new IllegalArgumentException(
            "variable '"
                + op.name()
                + "' has type "
                + op.outputType(0)
                + ", cannot hold a "
                + next.dtype()
                + " tensor");
      }
      if (op.outputRankKnown(0) && !next.shape().isCompatibleWith(op.outputShape(0))) {
        throw new IllegalArgumentException(
            "variable '"
                + op.name()
                + "' has shape "
                + op.outputShape(0)
                + ", cannot hold a tensor of shape "
                + next.shape());
      }
      this.value = next;
    }
  }
}
