package dev.millrace.graphdef.transforms;

import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.proto.AttrValue;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code fold_old_batch_norms}: an inference batch norm ({@code FusedBatchNorm} V1–V3 with {@code
 * is_training=false}, or the older {@code BatchNormWithGlobalNormalization}) right after a {@code
 * Conv2D}, {@code DepthwiseConv2dNative} or {@code MatMul} with constant weights becomes part of
 * them: {@code y = (conv(x, w) - mean) · γ / sqrt(var + ε) + β} is {@code conv(x, w · s) + (β -
 * mean · s)} with {@code s = γ / sqrt(var + ε)}, so the norm turns into a {@code BiasAdd} of the
 * same name and the weights are scaled once. A norm whose input has other readers, or whose
 * statistics are not constants, is left as it is.
 */
final class FoldOldBatchNorms implements GraphTransform {
  static final Set<String> NORMS =
      Set.of(
          "FusedBatchNorm",
          "FusedBatchNormV2",
          "FusedBatchNormV3",
          "BatchNormWithGlobalNormalization");
  static final Set<String> WEIGHTED = Set.of("Conv2D", "DepthwiseConv2dNative", "MatMul");

  @Override
  public GraphDef apply(GraphDef graph, TransformContext context) {
    NodeIndex index = new NodeIndex(graph);
    GraphEdit edit = new GraphEdit(graph);
    Set<String> protectedNodes = context.protectedNodes();
    for (NodeDef bn : graph.getNodeList()) {
      if (!NORMS.contains(bn.getOp()) || index.readsOtherOutputs(bn.getName())) {
        continue;
      }
      boolean global = bn.getOp().equals("BatchNormWithGlobalNormalization");
      if (!global && (!bn.containsAttr("is_training") || bn.getAttrOrThrow("is_training").getB())) {
        continue; // TensorFlow's default is training mode, whose statistics come from the batch.
      }
      List<String> in = NodeIndex.dataInputs(bn);
      if (in.size() != 5) {
        continue;
      }
      Optional<NodeDef> conv = index.producer(in.get(0));
      if (conv.isEmpty()
          || !WEIGHTED.contains(conv.get().getOp())
          || GraphNames.outputOf(in.get(0)) != 0
          || !index.hasSingleConsumer(conv.get().getName())
          || protectedNodes.contains(conv.get().getName())
          || edit.touched(conv.get().getName())
          || transposesWeights(conv.get())) {
        continue;
      }
      List<String> convIn = NodeIndex.dataInputs(conv.get());
      Optional<NodeDef> weightsNode = index.producer(convIn.get(1));
      Optional<Tensor> weights = Weights.floatConst(weightsNode);
      // Fused: x, scale, offset, mean, variance. Global: t, mean, variance, beta, gamma.
      Optional<Tensor> gamma = Weights.floatConst(index.producer(in.get(global ? 4 : 1)));
      Optional<Tensor> beta = Weights.floatConst(index.producer(in.get(global ? 3 : 2)));
      Optional<Tensor> mean = Weights.floatConst(index.producer(in.get(global ? 1 : 3)));
      Optional<Tensor> var = Weights.floatConst(index.producer(in.get(global ? 2 : 4)));
      if (weights.isEmpty()
          || gamma.isEmpty()
          || beta.isEmpty()
          || mean.isEmpty()
          || var.isEmpty()) {
        continue;
      }
      String op = conv.get().getOp();
      long channels = Weights.outputChannels(op, weights.get());
      float eps = epsilon(bn, global);
      boolean useGamma =
          !global
              || !bn.containsAttr("scale_after_normalization")
              || bn.getAttrOrThrow("scale_after_normalization").getB();
      float[] g = Weights.perChannel(gamma.get(), channels, bn.getName() + " scale");
      float[] b = Weights.perChannel(beta.get(), channels, bn.getName() + " offset");
      float[] m = Weights.perChannel(mean.get(), channels, bn.getName() + " mean");
      float[] v = Weights.perChannel(var.get(), channels, bn.getName() + " variance");
      float[] scale = new float[(int) channels];
      float[] offset = new float[(int) channels];
      for (int c = 0; c < channels; c++) {
        scale[c] = (float) ((useGamma ? g[c] : 1.0) / Math.sqrt((double) v[c] + eps));
        offset[c] = b[c] - m[c] * scale[c];
      }
      String weightsName = weightsNode.get().getName();
      boolean sharedWeights = !index.hasSingleConsumer(weightsName) || edit.touched(weightsName);
      String newWeightsName =
          sharedWeights ? conv.get().getName() + "/folded_weights" : weightsName;
      NodeDef scaled =
          Weights.constNode(
              newWeightsName,
              Weights.scaleOutputChannels(weights.get(), scale),
              weightsNode.get().getDevice());
      NodeDef newConv =
          conv.get().toBuilder()
              .setInput(conv.get().getInputList().indexOf(convIn.get(1)), newWeightsName)
              .build();
      String biasName = bn.getName() + "/bias_offset";
      NodeDef bias =
          Weights.constNode(biasName, Tensor.ofFloats(Shape.of(channels), offset), bn.getDevice());
      NodeDef.Builder biasAdd =
          NodeDef.newBuilder()
              .setName(bn.getName())
              .setOp("BiasAdd")
              .setDevice(bn.getDevice())
              .addInput(conv.get().getName())
              .addInput(biasName)
              .putAttr("T", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build());
      if (conv.get().containsAttr("data_format")) {
        biasAdd.putAttr("data_format", conv.get().getAttrOrThrow("data_format"));
      }
      bn.getInputList().stream().filter(GraphNames::isControl).forEach(biasAdd::addInput);
      if (sharedWeights) {
        edit.replace(conv.get().getName(), scaled, newConv);
      } else {
        edit.replace(weightsName, scaled);
        edit.replace(conv.get().getName(), newConv);
      }
      edit.replace(bn.getName(), bias, biasAdd.build());
      for (int k = 1; k < 5; k++) {
        removeIfOnlyReader(index, edit, protectedNodes, in.get(k));
      }
    }
    return edit.result();
  }

  /** Removes the constant {@code input} names when the folded node was its only reader. */
  static void removeIfOnlyReader(
      NodeIndex index, GraphEdit edit, Set<String> protectedNodes, String input) {
    String name = GraphNames.nodeOf(input);
    if (index.hasSingleConsumer(name) && !protectedNodes.contains(name) && !edit.touched(name)) {
      edit.remove(name);
    }
  }

  /** A MatMul with {@code transpose_b} keeps its output channels first: not folded. */
  static boolean transposesWeights(NodeDef conv) {
    return conv.getOp().equals("MatMul")
        && conv.containsAttr("transpose_b")
        && conv.getAttrOrThrow("transpose_b").getB();
  }

  private static float epsilon(NodeDef bn, boolean global) {
    String attr = global ? "variance_epsilon" : "epsilon";
    // TensorFlow's defaults: 1e-4 for the fused ops; the global-normalization op requires it.
    return bn.containsAttr(attr) ? bn.getAttrOrThrow(attr).getF() : 1e-4f;
  }
}
