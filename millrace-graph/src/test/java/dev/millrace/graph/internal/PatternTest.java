package dev.millrace.graph.internal;

import static dev.millrace.graph.internal.Pattern.any;
import static dev.millrace.graph.internal.Pattern.constant;
import static dev.millrace.graph.internal.Pattern.op;
import static dev.millrace.graph.types.Types.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.graph.Graph;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.types.Float32;
import dev.millrace.kernels.Padding;
import dev.millrace.kernels.UnaryOp;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rewrite passes' pattern matcher, on {@code Mul(Conv2D(*, Const), Const)} and friends. */
class PatternTest {
  private static final Pattern MUL_OF_CONV =
      op(
              "Mul",
              op("Conv2D", any().as("input"), constant().as("filter")).as("conv"),
              constant().as("scale"))
          .as("mul");

  /** A graph {@code x → Conv2D(x, filter) → Mul(·, scale)}; the filter fed or constant. */
  private record Net(
      Graph graph, Ops tf, Output<Float32> x, Output<Float32> filter, Output<Float32> conv) {
    Output<Float32> scaled() {
      return tf.mul(conv, tf.constant(FLOAT32, Tensor.ofFloats(Shape.of(4), 1, 2, 3, 4)));
    }
  }

  private static Net net(boolean constantFilter) {
    Graph g = new Graph();
    Ops tf = Ops.on(g);
    Output<Float32> x = tf.placeholder(FLOAT32, Shape.of(1, 5, 5, 2));
    Output<Float32> filter =
        constantFilter
            ? tf.constant(FLOAT32, Tensor.zeros(DType.FLOAT32, Shape.of(3, 3, 2, 4)))
            : tf.placeholder(FLOAT32, Shape.of(3, 3, 2, 4));
    Output<Float32> conv = tf.nn.conv2d(x, filter, 1, Padding.SAME, DataFormat.NHWC);
    return new Net(g, tf, x, filter, conv);
  }

  private static Uses keeping(Graph g, Output<?>... kept) {
    return Uses.of(g, List.of(kept));
  }

  @Test
  void mulOfConvolutionWithConstantsMatchesAndBindsEachPart() {
    Net n = net(true);
    Output<Float32> y = n.scaled();
    Optional<Pattern.Match> m = MUL_OF_CONV.match(y.op(), keeping(n.graph(), y));
    assertThat(m).isPresent();
    assertThat(m.get().root()).isEqualTo(y.op());
    assertThat(m.get().op("mul")).isEqualTo(y.op());
    assertThat(m.get().op("conv")).isEqualTo(n.conv().op());
    assertThat(m.get().output("input")).isEqualTo(n.x());
    assertThat(m.get().output("filter")).isEqualTo(n.filter());
    assertThat(m.get().output("scale")).isEqualTo(y.op().input(1));
    // The convolution disappears in a rewrite; the constants and the input stay.
    assertThat(m.get().absorbed()).containsExactly(n.conv().op());
  }

  @Test
  void aFedFilterIsNotAConstantSoNothingMatches() {
    Net n = net(false);
    Output<Float32> y = n.scaled();
    assertThat(MUL_OF_CONV.match(y.op(), keeping(n.graph(), y))).isEmpty();
  }

  @Test
  void anotherOpTypeAtTheRootDoesNotMatch() {
    Net n = net(true);
    Output<Float32> y = n.tf().add(n.conv(), n.conv());
    assertThat(MUL_OF_CONV.match(y.op(), keeping(n.graph(), y))).isEmpty();
  }

  @Test
  void anIntermediateWithAnotherConsumerIsNotAbsorbed() {
    Net n = net(true);
    Output<Float32> y = n.scaled();
    Output<Float32> other = n.tf().nn.relu(n.conv());
    assertThat(MUL_OF_CONV.match(y.op(), keeping(n.graph(), y, other))).isEmpty();
  }

  @Test
  void anIntermediateThatIsKeptOrReadTwiceIsNotAbsorbed() {
    Net n = net(true);
    Output<Float32> y = n.scaled();
    assertThat(MUL_OF_CONV.match(y.op(), keeping(n.graph(), y, n.conv()))).isEmpty();

    Net twice = net(true);
    Output<Float32> square = twice.tf().mul(twice.conv(), twice.conv());
    Pattern squareOfConv = op("Mul", op("Conv2D", any(), any()), any());
    assertThat(squareOfConv.match(square.op(), keeping(twice.graph(), square))).isEmpty();
  }

  @Test
  void anIntermediateWithAControlDependentIsNotAbsorbed() {
    Net n = net(true);
    Output<Float32> y = n.scaled();
    assertThat(MUL_OF_CONV.match(y.op(), keeping(n.graph(), y))).isPresent();
    n.tf().withControlDependencies(List.of(n.conv().op())).noOp();
    assertThat(MUL_OF_CONV.match(y.op(), keeping(n.graph(), y))).isEmpty();
  }

  @Test
  void traitsAndElementwiseFunctionsSelectOperationsWithoutNamingTheirTypes() {
    Net n = net(true);
    Output<Float32> y = n.tf().nn.relu6(n.conv());
    Uses uses = keeping(n.graph(), y);
    Pattern activation = Pattern.elementwise(Set.of(UnaryOp.RELU, UnaryOp.RELU6), any());
    Pattern elementwise = Pattern.withTrait(OpTrait.ELEMENTWISE, op("Conv2D", any(), any()));
    assertThat(activation.match(y.op(), uses)).isPresent();
    assertThat(elementwise.match(y.op(), uses)).isPresent();
    assertThat(Pattern.elementwise(Set.of(UnaryOp.RELU), any()).match(y.op(), uses)).isEmpty();
    assertThat(Pattern.withTrait(OpTrait.STATEFUL, any()).match(y.op(), uses)).isEmpty();
  }

  @Test
  void oneOfTakesTheFirstAlternativeThatMatchesAndForgetsWhatAFailedOneBound() {
    Net n = net(true);
    Output<Float32> y = n.scaled();
    Pattern convWithFedFilter = op("Conv2D", any().as("x"), op("Placeholder").as("fed"));
    Pattern convWithConstantFilter = op("Conv2D", any().as("x"), constant().as("const"));
    Pattern p =
        op("Mul", Pattern.oneOf(convWithFedFilter, convWithConstantFilter).as("conv"), any());
    Pattern.Match m = p.match(y.op(), keeping(n.graph(), y)).orElseThrow();
    assertThat(m.bound()).containsOnlyKeys("x", "const", "conv");
    assertThat(m.op("conv")).isEqualTo(n.conv().op());
    assertThat(m.absorbed()).containsExactly(n.conv().op());
  }

  @Test
  void aConditionOnOneOfAppliesToEachAlternative() {
    Net n = net(true);
    Output<Float32> y = n.scaled();
    Pattern conv = op("Conv2D", any(), any());
    Pattern mulOrAdd = Pattern.oneOf(op("Mul", conv, any()), op("AddV2", conv, any()));
    Uses uses = keeping(n.graph(), y);
    assertThat(mulOrAdd.match(y.op(), uses)).isPresent();
    assertThat(mulOrAdd.where(op -> op.type().equals("AddV2")).match(y.op(), uses)).isEmpty();
  }

  @Test
  void findAllPrefersTheLongestChainAndNeverSharesAnOperation() {
    Net n = net(true);
    Output<Float32> biased =
        n.tf()
            .nn
            .biasAdd(n.conv(), n.tf().constant(FLOAT32, Tensor.zeros(DType.FLOAT32, Shape.of(4))));
    Output<Float32> y = n.tf().nn.relu(biased);
    Pattern bias = op("BiasAdd", op("Conv2D", any(), any()), any());
    Pattern relu = op("Relu", bias);
    List<Pattern.Match> found =
        Pattern.findAll(List.of(relu, bias), n.graph().operations(), keeping(n.graph(), y));
    assertThat(found).hasSize(1);
    assertThat(found.get(0).root()).isEqualTo(y.op());
    assertThat(found.get(0).absorbed()).containsExactly(n.conv().op(), biased.op());
  }

  @Test
  void fusionLeavesAConvolutionWithASecondConsumerAlone() {
    Net n = net(true);
    Output<Float32> y = n.tf().nn.relu(n.conv());
    Output<Float32> other = n.tf().neg(n.conv());
    List<Operation> all = n.graph().operations();
    List<Operation> withoutNeg = all.stream().filter(op -> op != other.op()).toList();
    Map<Operation, Fusion.Chain> alone = Fusion.find(withoutNeg, Set.of(), List.of(y), List.of());
    assertThat(alone).containsOnlyKeys(y.op());
    assertThat(alone.get(y.op()).label()).isEqualTo("FusedConv2D+Relu");
    // Planned together with Neg, the convolution's output is read twice and must stay.
    assertThat(Fusion.find(all, Set.of(), List.of(y, other), List.of())).isEmpty();
  }

  @Test
  void aPatternNamingAnUnknownOpTypeFailsWhenItIsWritten() {
    assertThatThrownBy(() -> op("Conv2d", any()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown op type 'Conv2d'");
  }
}
