package dev.millrace.graph.internal;

import dev.millrace.graph.Operation;
import dev.millrace.graph.Output;
import dev.millrace.graph.spi.Kernel;
import dev.millrace.graph.spi.KernelContext;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.ConvEpilogue;
import dev.millrace.kernels.PoolSpec;
import dev.millrace.kernels.UnaryOp;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
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
 * unused) and reads the convolution's inputs and the bias or batch-norm parameters. The eight-bit
 * convolution chains are {@link QuantizedFusion}'s.
 *
 * <p>In training graphs, {@code ReluGrad(MaxPoolGrad(r, pooled, g), r)} (the backward pass of
 * {@code Relu → MaxPool}) becomes one pass, {@link dev.millrace.kernels.Kernels#maxPoolGradOfRelu}:
 * the pooling gradient is written only where the window's maximum is above 0, instead of written
 * whole and then read again, with {@code r}, by ReluGrad.
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

  private static final Pattern CONV = Pattern.op("Conv2D", Pattern.any(), Pattern.any()).as("conv");

  /** What the epilogue computes after the convolution: a bias, or a batch norm in inference. */
  private static final Pattern STEP =
      Pattern.oneOf(
              Pattern.op("BiasAdd", CONV, Pattern.any()).where(Fusion::inInputFormat).as("biasAdd"),
              Pattern.op("FusedBatchNormV3", CONV)
                  .where(Fusion::isInferenceBatchNorm)
                  .where((op, uses) -> uses.onlyFirstOutputUsed(op))
                  .as("batchNorm"))
          .as("step");

  /** ReluGrad of a MaxPoolGrad whose pooled input is the ReLU output it gates by. */
  private static final Pattern RELU_OF_POOL_GRAD =
      Pattern.op("ReluGrad", Pattern.op("MaxPoolGrad").as("poolGrad"), Pattern.any())
          .where((op, uses) -> op.input(1).equals(op.input(0).op().input(0)));

  /** The chains, longest first: conv → step → activation, conv → step, conv → activation. */
  private static final List<Pattern> CHAINS = List.of(activationOf(STEP), STEP, activationOf(CONV));

  /** An op computing an activation the convolution epilogue applies (Relu, Relu6). */
  private static Pattern activationOf(Pattern input) {
    Set<UnaryOp> fused = EnumSet.copyOf(ConvEpilogue.activations());
    fused.remove(UnaryOp.IDENTITY);
    return Pattern.elementwise(fused, input).as("activation");
  }

  /** The chains of {@code ops} (the planned operations, in topological order), by tail. */
  static Map<Operation, Chain> find(
      List<Operation> ops,
      Set<Output<?>> fed,
      Collection<Output<?>> fetched,
      Collection<Operation> targets) {
    Map<Operation, Chain> chains = new HashMap<>();
    Uses uses = Uses.of(ops, fed, fetched, targets);
    for (Pattern.Match m : Pattern.findAll(CHAINS, ops, uses)) {
      chains.put(m.root(), chain(m));
    }
    for (Pattern.Match m : Pattern.findAll(List.of(RELU_OF_POOL_GRAD), ops, uses)) {
      chains.put(m.root(), reluOfPoolGrad(m));
    }
    // The eight-bit chains share no op type with the float ones.
    chains.putAll(QuantizedFusion.find(ops, uses));
    return chains;
  }

  private static Chain chain(Pattern.Match m) {
    Operation conv = m.op("conv");
    Operation tail = m.root();
    boolean hasStep = m.has("step");
    boolean batchNorm = m.has("batchNorm");
    List<Output<?>> inputs = new ArrayList<>(conv.inputs());
    if (hasStep) {
      // BiasAdd's bias, or the batch norm's scale, offset, mean and variance.
      Operation step = m.op("step");
      inputs.addAll(step.inputs().subList(1, step.numInputs()));
    }
    UnaryOp activation =
        m.has("activation") ? m.op("activation").def().function().orElseThrow() : UnaryOp.IDENTITY;
    Conv2dSpec spec = Specs.conv(conv.toString(), Specs.attrs(conv));
    double epsilon = batchNorm ? m.op("batchNorm").attrFloat("epsilon") : 0;
    boolean tailIsBatchNorm = batchNorm && tail == m.op("batchNorm");
    return new Chain(
        m.absorbed(),
        tail,
        List.copyOf(inputs),
        kernel(spec, hasStep, batchNorm, epsilon, activation, tailIsBatchNorm));
  }

  private static Chain reluOfPoolGrad(Pattern.Match m) {
    Operation poolGrad = m.op("poolGrad");
    PoolSpec spec = Specs.pool(poolGrad.toString(), Specs.attrs(poolGrad));
    // The pooled output (MaxPoolGrad's input 1) is not needed: the maxima are found again.
    List<Output<?>> inputs = List.of(poolGrad.input(0), poolGrad.input(2));
    Kernel kernel =
        ctx -> List.of(ctx.kernels().maxPoolGradOfRelu(ctx.input(0), ctx.input(1), spec));
    return new Chain(m.absorbed(), m.root(), inputs, kernel);
  }

  /** Whether {@code op} has the data format of the op that produces its input 0. */
  private static boolean inInputFormat(Operation op) {
    return Specs.format(op) == Specs.format(op.input(0).op());
  }

  private static boolean isInferenceBatchNorm(Operation op) {
    return !op.attrBool("is_training") && inInputFormat(op) && op.attrType("T") == op.attrType("U");
  }

  private static Kernel kernel(
      Conv2dSpec spec,
      boolean hasStep,
      boolean batchNorm,
      double epsilon,
      UnaryOp activation,
      boolean tailIsBatchNorm) {
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
