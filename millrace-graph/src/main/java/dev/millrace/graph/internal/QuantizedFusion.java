package dev.millrace.graph.internal;

import dev.millrace.graph.Operation;
import dev.millrace.graph.Output;
import dev.millrace.graph.internal.ops.QuantizedEpilogue;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.tensor.DType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fusion pass's eight-bit chains: {@code QuantizedConv2D → Requantize} with a constant
 * requested range, then optionally {@code QuantizedBiasAdd → Requantize} (constant range again) and
 * {@code QuantizedRelu|QuantizedRelu6}, become one operation running {@link QuantizedEpilogue}; so
 * do a residual {@code QuantizedAdd → Requantize} and the activation after it. This is what a
 * calibrated graph ({@code millrace quantize}) holds after each convolution; with ranges measured
 * at run time (RequantizationRange reads the sums) there is nothing to fuse.
 *
 * <p>Each intermediate hands its consumer its codes and their range (three outputs), so the
 * patterns absorb an op only when its consumer is the only reader of all of them.
 */
final class QuantizedFusion {
  private QuantizedFusion() {}

  private static final Pattern CONV =
      Pattern.op("QuantizedConv2D")
          .where(op -> op.attrType("out_type") == DType.QINT32)
          .as("conv")
          .readWhole();

  private static final Pattern REQUANTIZED_CONV = requantize(CONV).as("requantizeConv");

  private static final Pattern BIASED =
      requantize(
              Pattern.op("QuantizedBiasAdd", REQUANTIZED_CONV.readWhole()).as("bias").readWhole())
          .as("requantizeBias");

  private static final Pattern STEP = Pattern.oneOf(BIASED, REQUANTIZED_CONV).as("step");

  /** The residual connection: QuantizedAdd → Requantize, optionally → QuantizedRelu(6). */
  private static final Pattern REQUANTIZED_ADD =
      requantize(Pattern.op("QuantizedAdd").as("add").readWhole()).as("requantizeAdd");

  private static final List<Pattern> CHAINS =
      List.of(activated(STEP), STEP, activated(REQUANTIZED_ADD), REQUANTIZED_ADD);

  /** {@code input} then a QuantizedRelu or QuantizedRelu6 of QUINT8 codes. */
  private static Pattern activated(Pattern input) {
    return Pattern.oneOf(
            Pattern.op("QuantizedRelu", input.readWhole()).as("relu"),
            Pattern.op("QuantizedRelu6", input.readWhole()).as("relu6"))
        .where(
            op -> op.attrType("Tinput") == DType.QUINT8 && op.attrType("out_type") == DType.QUINT8);
  }

  /** A QINT32 → QUINT8 Requantize of {@code input} to a constant range. */
  private static Pattern requantize(Pattern input) {
    return Pattern.op(
            "Requantize",
            input,
            Pattern.any(),
            Pattern.any(),
            Pattern.constant(),
            Pattern.constant())
        .where(
            op -> op.attrType("Tinput") == DType.QINT32 && op.attrType("out_type") == DType.QUINT8);
  }

  static Map<Operation, Fusion.Chain> find(List<Operation> ops, Uses uses) {
    Map<Operation, Fusion.Chain> chains = new HashMap<>();
    for (Pattern.Match m : Pattern.findAll(CHAINS, ops, uses)) {
      chains.put(m.root(), chain(m));
    }
    return chains;
  }

  private static Fusion.Chain chain(Pattern.Match m) {
    boolean relu = m.has("relu") || m.has("relu6");
    if (m.has("add")) {
      Operation requantize = m.op("requantizeAdd");
      List<Output<?>> inputs = new ArrayList<>(m.op("add").inputs().subList(0, 6));
      inputs.add(requantize.input(3));
      inputs.add(requantize.input(4));
      return new Fusion.Chain(
          m.absorbed(),
          m.root(),
          List.copyOf(inputs),
          QuantizedEpilogue.add(m.root().toString(), relu, m.has("relu6")));
    }
    Operation conv = m.op("conv");
    Operation first = m.op("requantizeConv");
    boolean bias = m.has("requantizeBias");
    List<Output<?>> inputs = new ArrayList<>(conv.inputs().subList(0, 6));
    inputs.add(first.input(3));
    inputs.add(first.input(4));
    if (bias) {
      Operation biasAdd = m.op("bias");
      Operation second = m.op("requantizeBias");
      inputs.add(biasAdd.input(1));
      inputs.add(biasAdd.input(4));
      inputs.add(biasAdd.input(5));
      inputs.add(second.input(3));
      inputs.add(second.input(4));
    }
    Conv2dSpec spec = Specs.conv(conv.toString(), Specs.attrs(conv));
    QuantizedEpilogue.Steps steps = new QuantizedEpilogue.Steps(bias, relu, m.has("relu6"));
    return new Fusion.Chain(
        m.absorbed(),
        m.root(),
        List.copyOf(inputs),
        QuantizedEpilogue.conv2d(m.root().toString(), spec, steps));
  }
}
