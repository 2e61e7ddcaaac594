package dev.millrace.graph;

import static dev.millrace.graph.types.Types.FLOAT32;
import static dev.millrace.graph.types.Types.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.graph.types.Float32;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * IdentityN, TensorFlow's identity of a list of tensors of any types: its list(type) attribute is
 * bound from the inputs or checked against them, and each output is its input.
 */
class IdentityNTest {
  @Test
  void eachOutputIsItsInputWithItsTypeAndShape() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.on(g);
      Output<Float32> x = tf.placeholder(FLOAT32, Shape.of(-1, 3));
      Output<?> n = tf.constant(new int[] {4, 5});
      Operation id = tf.op("IdentityN", List.of(x, n, x), Map.of());
      assertThat(id.numOutputs()).isEqualTo(3);
      assertThat(id.attrTypes("T")).containsExactly(DType.FLOAT32, DType.INT32, DType.FLOAT32);
      assertThat(id.output(0).shape()).isEqualTo(Shape.of(-1, 3));
      assertThat(id.outputType(1)).isEqualTo(DType.INT32);
      assertThat(id.output(1).shape()).isEqualTo(Shape.of(2));
      Tensor fed = Tensor.ofFloats(Shape.of(1, 3), 1, -2, 3);
      try (Session.Result r =
          s.runner()
              .feed(x, fed)
              .fetch(id.output(0))
              .fetch(id.output(1))
              .fetch(id.output(2))
              .run()) {
        assertThat(r.get(0).toFloatArray()).containsExactly(1, -2, 3);
        assertThat(r.get(1).toIntArray()).containsExactly(4, 5);
        assertThat(r.get(2).toFloatArray()).containsExactly(1, -2, 3);
      }
    }
  }

  @Test
  void aGivenTypeListMustMatchTheInputs() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.on(g);
      Output<Float32> x = tf.placeholder(FLOAT32, Shape.of(2));
      Output<?> n = tf.placeholder(INT32, Shape.of(2));
      assertThatThrownBy(
              () ->
                  g.addOperation(
                      "IdentityN",
                      "id",
                      List.of(x, n),
                      Map.of("T", AttrValue.ofTypes(List.of(DType.FLOAT32, DType.FLOAT32)))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "IdentityN 'id': input input[1] (Placeholder_1:0) has type INT32 but T is"
                  + " [FLOAT32, FLOAT32]");
      assertThatThrownBy(
              () ->
                  g.addOperation(
                      "IdentityN",
                      "id",
                      List.of(x, n),
                      Map.of("T", AttrValue.ofTypes(List.of(DType.FLOAT32)))))
          .hasMessage("IdentityN 'id': expected 1 inputs (input[T]), got 2");
      assertThatThrownBy(
              () -> g.addOperation("IdentityN", "id", List.of(x), Map.of("T", AttrValue.of(2L))))
          .hasMessage("IdentityN 'id': attribute 'T' must be list(type), got int 2");
    }
  }

  @Test
  void gradientsFlowThroughEachOutputToItsInput() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.on(g);
      Output<Float32> a = tf.constant(new float[] {1, 2});
      Output<Float32> b = tf.constant(new float[] {3, 4, 5});
      Operation id = tf.op("IdentityN", List.of(a, b), Map.of());
      Output<Float32> y0 = id.output(0, FLOAT32);
      // Only output 0 reaches the loss: b gets zeros.
      Output<Float32> loss = tf.sum(tf.mul(y0, y0), new int[] {0}, false);
      List<Output<?>> grads = Gradients.of(loss, List.of(a, b));
      try (Session.Result r = s.runner().fetch(grads.get(0)).fetch(grads.get(1)).run()) {
        assertThat(r.get(0).toFloatArray()).containsExactly(2, 4);
        assertThat(r.get(1).toFloatArray()).containsExactly(0, 0, 0);
      }
    }
  }
}
