package dev.millrace.graphdef.transforms;

import com.google.protobuf.ByteString;
import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.TensorValues;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.graphdef.proto.TensorProto;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Collapses the layers of a calibrated eight-bit graph into TensorFlow's fused eight-bit layer ops,
 * so that each layer rounds to eight bits once instead of twice or three times.
 *
 * <p>{@code quantize_nodes} writes a convolution or a dense layer with its bias and ReLU as {@code
 * QuantizedConv2D → Requantize → QuantizedBiasAdd → Requantize → QuantizedRelu}: the sums are
 * narrowed to eight bits before the bias is added (itself eight bits), and the biased result again,
 * over a range that still holds the negatives the ReLU then drops. Once the ranges are calibrated
 * ({@link StaticRanges}) the chain becomes one op that adds the float bias to the 32-bit sums and
 * rounds once, into the calibrated range of the layer's output:
 *
 * <ul>
 *   <li>Conv2D + BiasAdd + Relu (or Relu6) → {@code QuantizedConv2DWithBiasAndReluAndRequantize};
 *   <li>MatMul + BiasAdd + Relu (or Relu6) → {@code QuantizedMatMulWithBiasAndReluAndRequantize};
 *   <li>MatMul + BiasAdd read as float (a classifier's logits) → {@code
 *       QuantizedMatMulWithBiasAndDequantize}, whose float result is never rounded to eight bits.
 * </ul>
 *
 * <p>The weights become signed eight-bit codes, symmetric around 0 (TensorFlow's kernels take a
 * qint8 filter), from the float weights of the graph before quantization, with one range per output
 * channel for convolutions when asked ({@code perChannel}; TensorFlow's matrix ops take one range
 * per matrix). The fused op takes the last op's name, so its readers read it unchanged, and the
 * chain it replaces is removed. A chain whose inner results have other readers, or whose ranges are
 * still measured at run time, stays as it is.
 */
public final class FusedQuantizedLayers {
  private static final String CONV = "QuantizedConv2DWithBiasAndReluAndRequantize";
  private static final String MATMUL_RELU = "QuantizedMatMulWithBiasAndReluAndRequantize";
  private static final String MATMUL_FLOAT = "QuantizedMatMulWithBiasAndDequantize";

  private final NodeIndex index;
  private final NodeIndex floats;
  private final boolean perChannel;

  /** The QuantizedRelus replaced so far: their fused ops' output ranges start at 0.0. */
  private final Set<String> fusedRelus = new HashSet<>();

  private FusedQuantizedLayers(GraphDef calibrated, GraphDef floatGraph, boolean perChannel) {
    this.index = new NodeIndex(calibrated);
    this.floats = new NodeIndex(floatGraph);
    this.perChannel = perChannel;
  }

  /**
   * {@code calibrated} (the output of {@link StaticRanges#apply}) with its layers fused.
   *
   * @param floatGraph the float graph {@code calibrated} was quantized from (after folding): the
   *     weights and biases are taken from it at full precision
   * @param perChannel one weight range per output channel for convolutions
   * @param outputs nodes never removed
   */
  public static GraphDef apply(
      GraphDef calibrated, GraphDef floatGraph, boolean perChannel, Set<String> outputs) {
    FusedQuantizedLayers f = new FusedQuantizedLayers(calibrated, floatGraph, perChannel);
    GraphEdit edit = new GraphEdit(calibrated);
    Set<String> replaced = new HashSet<>();
    for (NodeDef n : calibrated.getNodeList()) {
      Optional<Layer> layer = f.layerEndingAt(n);
      if (layer.isEmpty() || edit.touched(n.getName())) {
        continue;
      }
      edit.replace(n.getName(), f.fused(layer.get()).toArray(NodeDef[]::new));
      replaced.addAll(layer.get().chain());
      if (layer.get().relu()) {
        f.fusedRelus.add(n.getName());
      }
    }
    return UnreadNodes.remove(edit.result(), replaced, outputs);
  }

  /**
   * One layer's chain: the eight-bit product ({@code QuantizedConv2D} or {@code QuantizedMatMul}),
   * the bias add, the Requantize whose calibrated range is the biased result's, and {@code last},
   * the node the fused op replaces (the QuantizedRelu, or the Dequantize of the biased result).
   */
  private record Layer(
      NodeDef product, NodeDef biasAdd, NodeDef biasRequantize, NodeDef last, boolean relu) {
    List<String> chain() {
      return List.of(product.getName(), biasAdd.getName(), biasRequantize.getName());
    }
  }

  private Optional<Layer> layerEndingAt(NodeDef n) {
    boolean relu = n.getOp().equals("QuantizedRelu") || n.getOp().equals("QuantizedRelu6");
    if (!relu && !n.getOp().equals("Dequantize")) {
      return Optional.empty();
    }
    Optional<NodeDef> requantize = producer(n, 0, "Requantize");
    Optional<NodeDef> biasAdd = requantize.flatMap(r -> producer(r, 0, "QuantizedBiasAdd"));
    Optional<NodeDef> productRequantize = biasAdd.flatMap(b -> producer(b, 0, "Requantize"));
    Optional<NodeDef> product =
        productRequantize.flatMap(
            r -> producer(r, 0, "QuantizedConv2D").or(() -> producer(r, 0, "QuantizedMatMul")));
    if (product.isEmpty() || !calibrated(requantize.get())) {
      return Optional.empty();
    }
    boolean conv = product.get().getOp().equals("QuantizedConv2D");
    if (!relu && conv) {
      return Optional.empty(); // TensorFlow has no float-output fused convolution
    }
    if (!readOnlyBy(product.get(), productRequantize.get())
        || !readOnlyBy(productRequantize.get(), biasAdd.get())
        || !readOnlyBy(biasAdd.get(), requantize.get())
        || !readOnlyBy(requantize.get(), n)
        || floatWeights(product.get()).isEmpty()
        || floatBias(biasAdd.get()).isEmpty()
        || !knownMin(product.get().getInput(2), 0).map(m -> m == 0f).orElse(false)) {
      return Optional.empty();
    }
    return Optional.of(new Layer(product.get(), biasAdd.get(), requantize.get(), n, relu));
  }

  /**
   * The value of a range's low end, where the graph fixes it: a Const, or an op that hands on the
   * range of its input or the range it was given. TensorFlow's fused kernels read the input codes
   * as if 0.0 were code 0, so a layer is fused only when its input's range is known to start at 0.0
   * (after a ReLU, say); with a lower start TensorFlow would compute something else.
   */
  private Optional<Float> knownMin(String input, int depth) {
    Optional<NodeDef> p = index.producer(input);
    if (p.isEmpty() || depth > 16) {
      return Optional.empty();
    }
    NodeDef n = p.get();
    int k = GraphNames.outputOf(input);
    if (n.getOp().equals("Const")) {
      return constFloat(input);
    }
    if (k != 1) {
      return Optional.empty();
    }
    return switch (n.getOp()) {
      case "QuantizeV2" -> knownMin(n.getInput(1), depth + 1).map(m -> Math.min(0f, m));
      case "QuantizedRelu", "QuantizedRelu6" ->
          fusedRelus.contains(n.getName()) ? Optional.of(0f) : knownMin(n.getInput(1), depth + 1);
      case "QuantizedMaxPool", "QuantizedAvgPool" -> knownMin(n.getInput(1), depth + 1);
      case "QuantizedReshape" -> knownMin(n.getInput(2), depth + 1);
      case "Requantize" -> knownMin(n.getInput(3), depth + 1);
      case CONV, MATMUL_RELU -> knownMin(n.getInput(7), depth + 1);
      default -> Optional.empty();
    };
  }

  /** The node that {@code n}'s input {@code k} reads, if it is a {@code op}. */
  private Optional<NodeDef> producer(NodeDef n, int k, String op) {
    List<String> inputs = NodeIndex.dataInputs(n);
    if (inputs.size() <= k || GraphNames.outputOf(inputs.get(k)) != 0) {
      return Optional.empty();
    }
    return index.producer(inputs.get(k)).filter(p -> p.getOp().equals(op));
  }

  /** Whether the Requantize's requested range is constants (calibrated), not measured per step. */
  private boolean calibrated(NodeDef requantize) {
    return constFloat(requantize.getInput(3)).isPresent()
        && constFloat(requantize.getInput(4)).isPresent();
  }

  /**
   * Whether {@code reader} is the only node that reads {@code n}, Dequantizes that nothing reads
   * aside ({@code quantize_nodes} leaves one under each float op's name).
   */
  private boolean readOnlyBy(NodeDef n, NodeDef reader) {
    for (NodeDef c : index.consumers(n.getName())) {
      boolean unreadDequantize =
          c.getOp().equals("Dequantize") && index.consumers(c.getName()).isEmpty();
      if (!c.getName().equals(reader.getName()) && !unreadDequantize) {
        return false;
      }
    }
    return true;
  }

  private Optional<Float> constFloat(String input) {
    return Weights.floatConst(index.producer(input))
        .filter(t -> t.size() == 1)
        .map(t -> t.getFloat(0));
  }

  /** The float weights of a product (its second input). */
  private Optional<Tensor> floatWeights(NodeDef product) {
    return floatValue(product.getInput(1));
  }

  /** The float bias of a QuantizedBiasAdd (its second input). */
  private Optional<Tensor> floatBias(NodeDef biasAdd) {
    return floatValue(biasAdd.getInput(1));
  }

  /**
   * The float Const behind eight-bit codes: the one a QuantizeV2 quantizes (small weights, which
   * {@code quantize_weights} leaves alone), or the one {@code quantize_weights} replaced ({@code
   * NAME_quantized_const} holds the codes of {@code NAME}), read from the float graph.
   */
  private Optional<Tensor> floatValue(String codes) {
    Optional<NodeDef> quantize = index.producer(codes).filter(p -> p.getOp().equals("QuantizeV2"));
    if (quantize.isPresent()) {
      String source = quantize.get().getInput(0);
      return Weights.floatConst(index.producer(source))
          .or(() -> Weights.floatConst(floats.producer(source)));
    }
    return floatBefore(codes, "_quantized_const");
  }

  private Optional<Tensor> floatBefore(String input, String suffix) {
    String node = GraphNames.nodeOf(input);
    if (!node.endsWith(suffix)) {
      return Optional.empty();
    }
    return Weights.floatConst(floats.node(node.substring(0, node.length() - suffix.length())));
  }

  private List<NodeDef> fused(Layer layer) {
    NodeDef p = layer.product();
    boolean conv = p.getOp().equals("QuantizedConv2D");
    String name = layer.last().getName();
    Tensor weights = floatWeights(p).orElseThrow();
    Tensor bias = floatBias(layer.biasAdd()).orElseThrow();
    boolean channels = conv && perChannel;
    SymmetricCodes w = SymmetricCodes.of(weights, channels);
    String prefix = name + "/fused";
    NodeDef filter = qint8Const(prefix + "/weights", weights.shape(), w.codes(), p.getDevice());
    NodeDef filterMin = Weights.constNode(prefix + "/weights_min", w.min(), p.getDevice());
    NodeDef filterMax = Weights.constNode(prefix + "/weights_max", w.max(), p.getDevice());
    NodeDef biasNode = Weights.constNode(prefix + "/bias", bias, p.getDevice());
    float outMin = layer.relu() ? 0f : constFloat(layer.biasRequantize().getInput(3)).orElseThrow();
    float outMax = constFloat(layer.biasRequantize().getInput(4)).orElseThrow();
    if (layer.last().getOp().equals("QuantizedRelu6")) {
      outMax = Math.min(outMax, 6f);
    }
    outMax = Math.max(outMax, outMin + 1e-6f);
    NodeDef rangeMin =
        Weights.constNode(prefix + "/output_min", Tensor.scalar(outMin), p.getDevice());
    NodeDef rangeMax =
        Weights.constNode(prefix + "/output_max", Tensor.scalar(outMax), p.getDevice());
    String op = conv ? CONV : layer.relu() ? MATMUL_RELU : MATMUL_FLOAT;
    NodeDef.Builder main =
        NodeDef.newBuilder()
            .setName(name)
            .setOp(op)
            .setDevice(p.getDevice())
            .addInput(p.getInput(0))
            .addInput(filter.getName())
            .addInput(biasNode.getName())
            .addInput(p.getInput(2))
            .addInput(p.getInput(3))
            .addInput(filterMin.getName())
            .addInput(filterMax.getName())
            .addInput(rangeMin.getName())
            .addInput(rangeMax.getName());
    DataType out = op.equals(MATMUL_FLOAT) ? DataType.DT_FLOAT : DataType.DT_QUINT8;
    if (conv) {
      for (String a : List.of("strides", "padding", "dilations")) {
        if (p.containsAttr(a)) {
          main.putAttr(a, p.getAttrOrThrow(a));
        }
      }
      main.putAttr("Tinput", type(DataType.DT_QUINT8))
          .putAttr("Tfilter", type(DataType.DT_QINT8))
          .putAttr("Tbias", type(DataType.DT_FLOAT))
          .putAttr("out_type", type(out));
    } else {
      for (String a : List.of("transpose_a", "transpose_b")) {
        if (p.containsAttr(a)) {
          main.putAttr(a, p.getAttrOrThrow(a));
        }
      }
      main.putAttr("T1", type(DataType.DT_QUINT8))
          .putAttr("T2", type(DataType.DT_QINT8))
          .putAttr("Tbias", type(DataType.DT_FLOAT))
          .putAttr("Toutput", type(out))
          .putAttr("input_quant_mode", AttrValue.newBuilder().setS(utf8("MIN_FIRST")).build());
    }
    return List.of(filter, filterMin, filterMax, biasNode, rangeMin, rangeMax, main.build());
  }

  /**
   * Weights as signed codes symmetric around 0 ({@code q = round(w / s)}, {@code s = max|w| /
   * 127}), as TensorFlow's SCALED qint8: per output channel (the last dimension) or one scale for
   * all. {@code min} and {@code max} are {@code ∓ max|w|}: scalars, or vectors of the channels.
   */
  record SymmetricCodes(byte[] codes, Tensor min, Tensor max) {
    static SymmetricCodes of(Tensor weights, boolean perChannel) {
      float[] w = weights.toFloatArray();
      int channels =
          perChannel ? Math.toIntExact(weights.shape().dim(weights.shape().rank() - 1)) : 1;
      float[] largest = new float[channels];
      for (int i = 0; i < w.length; i++) {
        int c = i % channels;
        largest[c] = Math.max(largest[c], Math.abs(w[i]));
      }
      for (int c = 0; c < channels; c++) {
        if (largest[c] == 0f) {
          largest[c] = 1f; // an all-zero channel: any scale gives code 0
        }
      }
      byte[] codes = new byte[w.length];
      for (int i = 0; i < w.length; i++) {
        float scale = 127f / largest[i % channels];
        codes[i] = (byte) Math.clamp(Math.round(w[i] * scale), -127, 127);
      }
      float[] lo = new float[channels];
      for (int c = 0; c < channels; c++) {
        lo[c] = -largest[c];
      }
      Shape shape = perChannel ? Shape.of(channels) : Shape.scalar();
      return new SymmetricCodes(
          codes, Tensor.ofFloats(shape, lo), Tensor.ofFloats(shape, largest.clone()));
    }
  }

  private static NodeDef qint8Const(String name, Shape shape, byte[] codes, String device) {
    return NodeDef.newBuilder()
        .setName(name)
        .setOp("Const")
        .setDevice(device)
        .putAttr("dtype", type(DataType.DT_QINT8))
        .putAttr(
            "value",
            AttrValue.newBuilder()
                .setTensor(
                    TensorProto.newBuilder()
                        .setDtype(DataType.DT_QINT8)
                        .setTensorShape(TensorValues.shapeProto(shape))
                        .setTensorContent(ByteString.copyFrom(codes)))
                .build())
        .build();
  }

  private static AttrValue type(DataType t) {
    return AttrValue.newBuilder().setType(t).build();
  }

  private static ByteString utf8(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
