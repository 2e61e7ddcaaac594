package dev.millrace.graphdef.transforms;

import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code fold_batch_norms}: {@code Mul(Conv2D(x, Const w), Const s)} — how a batch norm looks once
 * {@code fold_constants} has reduced it to a per-channel multiply — becomes {@code Conv2D(x, w ·
 * s)} under the Mul's name (also for {@code DepthwiseConv2dNative} and {@code MatMul}). {@code s}
 * is one value per output channel, or a single value.
 */
final class FoldBatchNorms implements GraphTransform {
  @Override
  public GraphDef apply(GraphDef graph, TransformContext context) {
    NodeIndex index = new NodeIndex(graph);
    GraphEdit edit = new GraphEdit(graph);
    Set<String> protectedNodes = context.protectedNodes();
    for (NodeDef mul : graph.getNodeList()) {
      if (!mul.getOp().equals("Mul")) {
        continue;
      }
      List<String> in = NodeIndex.dataInputs(mul);
      if (in.size() != 2) {
        continue;
      }
      for (int side = 0; side < 2; side++) {
        Optional<NodeDef> conv = index.producer(in.get(side));
        Optional<Tensor> scale = Weights.floatConst(index.producer(in.get(1 - side)));
        if (conv.isEmpty()
            || scale.isEmpty()
            || !FoldOldBatchNorms.WEIGHTED.contains(conv.get().getOp())
            || GraphNames.outputOf(in.get(side)) != 0
            || !index.hasSingleConsumer(conv.get().getName())
            || protectedNodes.contains(conv.get().getName())
            || edit.touched(conv.get().getName())
            || FoldOldBatchNorms.transposesWeights(conv.get())) {
          continue;
        }
        List<String> convIn = NodeIndex.dataInputs(conv.get());
        Optional<NodeDef> weightsNode = index.producer(convIn.get(1));
        Optional<Tensor> weights = Weights.floatConst(weightsNode);
        if (weights.isEmpty()) {
          continue;
        }
        long channels = Weights.outputChannels(conv.get().getOp(), weights.get());
        if (scale.get().size() != 1 && scale.get().size() != channels) {
          continue; // not per output channel: some other multiply
        }
        float[] s = Weights.perChannel(scale.get(), channels, mul.getName() + " multiplier");
        String weightsName = weightsNode.get().getName();
        boolean shared = !index.hasSingleConsumer(weightsName) || edit.touched(weightsName);
        String newWeightsName = shared ? mul.getName() + "/scaled_weights" : weightsName;
        NodeDef scaled =
            Weights.constNode(
                newWeightsName,
                Weights.scaleOutputChannels(weights.get(), s),
                weightsNode.get().getDevice());
        NodeDef.Builder newConv =
            conv.get().toBuilder()
                .setName(mul.getName())
                .setInput(conv.get().getInputList().indexOf(convIn.get(1)), newWeightsName);
        mul.getInputList().stream().filter(GraphNames::isControl).forEach(newConv::addInput);
        edit.remove(conv.get().getName());
        if (shared) {
          edit.replace(mul.getName(), scaled, newConv.build());
        } else {
          edit.replace(weightsName, scaled);
          edit.replace(mul.getName(), newConv.build());
        }
        FoldOldBatchNorms.removeIfOnlyReader(index, edit, protectedNodes, in.get(1 - side));
        break;
      }
    }
    return edit.result();
  }
}
