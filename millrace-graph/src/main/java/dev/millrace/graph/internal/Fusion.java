package dev.millrace.graph.internal;

import dev.millrace.graph.Operation;
import dev.millrace.graph.Output;
import dev.millrace.graph.spi.Kernel;
import dev.millrace.graph.spi.KernelContext;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.ConvEpilogue;
import dev.millrace.kernels.UnaryOp;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The session's fusion pass: in a plan, {@code Conv2D → BiasAdd → Relu|Relu6} (each step after the
 * convolution optional but one) and {@code Conv2D → FusedBatchNormV3 (inference) → Relu|Relu6}
 * become one operation that runs {@link dev.millrace.kernels.Kernels#fusedConv2d}: the bias, the
 * folded batch norm ({@code scale / sqrt(var + eps)} and {@code offset - mean * that}) and the
 * activation are applied in the convolution's output loop instead of three passes over memory.
 *
 * <p>A step is fused only if the graph allows it: the intermediate tensor has exactly one consumer
 * in the plan, is neither fetched nor fed, its producer is not a target and nothing waits on it
 * through a control edge; the consumer has no control inputs of its own; the data formats agree.
 * The fused operation keeps the last op's name and outputs (a batch norm's other outputs must be
 * unused) and reads the convolution's inputs and the bias or batch-norm parameters.
 */
final class Fusion {
  private Fusion() {}

  /** One fused chain: the ops it absorbs, the op whose outputs it produces, its inputs. */
  record Chain(List<Operation> absorbed, Operation tail, List<Output<?>> inputs, Kernel kernel) {
    String label() {
      StringBuilder b = new StringBuilder("Fused");
      for (Operation op : absorbed) {
        b.append(op.type()).append('+');
      }
      return b.append(tail.type()).toString();
    }
  }

  /** The chains of {@code ops} (the planned operations), by tail. */
  static Map<Operation, Chain> find(
      Collection<Operation> ops,
      Set<Output<?>> fed,
      Collection<Output<?>> fetched,
      Collection<Operation> targets) {
    Map<Output<?>, List<Operation>> consumers = new HashMap<>();
    Set<Operation> controlling = new HashSet<>();
    for (Operation op : ops) {
      for (Output<?> in : op.inputs()) {
        if (!fed.contains(in)) {
          consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(op);
        }
      }
      controlling.addAll(op.controlInputs());
    }
    Set<Output<?>> pinned = new HashSet<>(fetched);
    pinned.addAll(fed);
    Map<Operation, Chain> chains = new HashMap<>();
    for (Operation conv : ops) {
      if (!conv.type().equals("Conv2D")) {
        continue;
      }
      DataFormat format = Specs.format(ConvDefs.attrs(conv));
      Operation first = soleConsumer(conv, consumers, pinned, controlling, targets);
      Operation step = null;
      Operation act = null;
      if (first == null) {
        continue;
      } else if (isBiasAdd(first, format)
          || (isInferenceBatchNorm(first, format)
              && onlyFirstOutputUsed(first, consumers, pinned))) {
        step = first;
        Operation second = soleConsumer(first, consumers, pinned, controlling, targets);
        act = second != null && isActivation(second) ? second : null;
      } else if (isActivation(first)) {
        act = first;
      } else {
        continue;
      }
      Operation tail = act != null ? act : step;
      List<Operation> absorbed = new ArrayList<>(List.of(conv));
      if (step != null && act != null) {
        absorbed.add(step);
      }
      List<Output<?>> inputs = new ArrayList<>(conv.inputs());
      if (step != null) {
        // BiasAdd's bias, or the batch norm's scale, offset, mean and variance.
        inputs.addAll(step.inputs().subList(1, step.numInputs()));
      }
      boolean batchNorm = step != null && step.type().equals("FusedBatchNormV3");
      UnaryOp activation =
          act == null ? UnaryOp.IDENTITY : act.type().equals("Relu") ? UnaryOp.RELU : UnaryOp.RELU6;
      Conv2dSpec spec = Specs.conv(conv.toString(), ConvDefs.attrs(conv));
      double epsilon = batchNorm ? step.attrFloat("epsilon") : 0;
      chains.put(
          tail,
          new Chain(
              List.copyOf(absorbed),
              tail,
              List.copyOf(inputs),
              kernel(spec, step != null, batchNorm, epsilon, activation, tail)));
    }
    return chains;
  }

  /** The single planned consumer of {@code op}'s only used output 0, or null. */
  private static Operation soleConsumer(
      Operation op,
      Map<Output<?>, List<Operation>> consumers,
      Set<Output<?>> pinned,
      Set<Operation> controlling,
      Collection<Operation> targets) {
    Output<?> out = op.output(0);
    List<Operation> users = consumers.get(out);
    if (users == null
        || users.size() != 1
        || pinned.contains(out)
        || controlling.contains(op)
        || targets.contains(op)) {
      return null;
    }
    Operation next = users.get(0);
    if (!next.controlInputs().isEmpty() || !next.input(0).equals(out)) {
      return null;
    }
    for (int i = 1; i < next.numInputs(); i++) {
      if (next.input(i).equals(out)) {
        return null; // read twice
      }
    }
    return next;
  }

  private static boolean onlyFirstOutputUsed(
      Operation bn, Map<Output<?>, List<Operation>> consumers, Set<Output<?>> pinned) {
    for (int i = 1; i < bn.numOutputs(); i++) {
      Output<?> o = bn.output(i);
      if (consumers.containsKey(o) || pinned.contains(o)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isBiasAdd(Operation op, DataFormat convFormat) {
    return op.type().equals("BiasAdd") && Specs.format(ConvDefs.attrs(op)) == convFormat;
  }

  private static boolean isInferenceBatchNorm(Operation op, DataFormat convFormat) {
    return op.type().equals("FusedBatchNormV3")
        && !op.attrBool("is_training")
        && Specs.format(ConvDefs.attrs(op)) == convFormat
        && op.attrType("T") == op.attrType("U");
  }

  private static boolean isActivation(Operation op) {
    return op.type().equals("Relu") || op.type().equals("Relu6");
  }

  private static Kernel kernel(
      Conv2dSpec spec,
      boolean hasStep,
      boolean batchNorm,
      double epsilon,
      UnaryOp activation,
      Operation tail) {
    boolean tailIsBatchNorm = tail.type().equals("FusedBatchNormV3");
    return ctx -> {
      Tensor x = ctx.input(0);
      Tensor filter = ctx.input(1);
      ConvEpilogue epilogue;
      Tensor invStd = null;
      if (!hasStep) {
        epilogue = new ConvEpilogue(null, null, activation);
      } else if (!batchNorm) {
        epilogue = new ConvEpilogue(null, ctx.input(2), activation);
      } else {
        Tensor[] folded = foldBatchNorm(ctx, epsilon, x.dtype());
        epilogue = new ConvEpilogue(folded[0], folded[1], activation);
        invStd = folded[2];
      }
      Tensor y = Parallel.fusedConv2d(ctx, x, filter, spec, epilogue);
      if (!tailIsBatchNorm) {
        return List.of(y);
      }
      // The batch norm's other outputs are unused (a condition of the fusion) but must exist.
      Tensor mean = ctx.input(4);
      Tensor variance = ctx.input(5);
      Tensor empty = Tensor.zeros(mean.dtype(), Shape.of(0));
      return List.of(y, mean, variance, mean, invStd, empty);
    };
  }

  /**
   * {@code scale / sqrt(var + eps)}, {@code offset - mean * that} and {@code 1 / sqrt(var + eps)}.
   */
  private static Tensor[] foldBatchNorm(KernelContext ctx, double epsilon, DType type) {
    Tensor scale = ctx.input(2);
    Tensor offset = ctx.input(3);
    Tensor mean = ctx.input(4);
    Tensor variance = ctx.input(5);
    int channels = Math.toIntExact(scale.size());
    for (Tensor t : new Tensor[] {offset, mean, variance}) {
      if (t.size() != channels) {
        throw new IllegalArgumentException(
            "batch norm parameters must all have the "
                + channels
                + " channels of scale "
                + scale.shape()
                + ", got "
                + t.shape());
      }
    }
    Tensor a = Tensor.zeros(type, Shape.of(channels));
    Tensor b = Tensor.zeros(type, Shape.of(channels));
    Tensor inv = Tensor.zeros(scale.dtype(), Shape.of(channels));
    for (int c = 0; c < channels; c++) {
      double invStd = 1 / Math.sqrt(variance.getAsDouble(c) + epsilon);
      double ac = scale.getAsDouble(c) * invStd;
      double bc = offset.getAsDouble(c) - mean.getAsDouble(c) * ac;
      set(a, c, ac);
      set(b, c, bc);
      set(inv, c, invStd);
    }
    return new Tensor[] {a, b, inv};
  }

  private static void set(Tensor t, int i, double v) {
    if (t.dtype() == DType.FLOAT64) {
      t.setDouble(i, v);
    } else {
      t.setFloat(i, (float) v);
    }
  }
}
