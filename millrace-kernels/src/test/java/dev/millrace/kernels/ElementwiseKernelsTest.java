package dev.millrace.kernels;

import static dev.millrace.kernels.TestTensors.assertValues;
import static dev.millrace.kernels.TestTensors.dims;
import static dev.millrace.kernels.TestTensors.floats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ElementwiseKernelsTest {
  private final Kernels k = new ReferenceKernels();

  @Test
  void unaryOpsComputeTheirFunctionsInFloat32() {
    Tensor x = floats(dims(4), -2, 0.5f, 4, 9);
    assertValues(k.unary(UnaryOp.NEG, x), 0, 2, -0.5, -4, -9);
    assertValues(k.unary(UnaryOp.ABS, x), 0, 2, 0.5, 4, 9);
    assertValues(k.unary(UnaryOp.SQUARE, x), 0, 4, 0.25, 16, 81);
    assertValues(k.unary(UnaryOp.RELU, x), 0, 0, 0.5, 4, 9);
    assertValues(k.unary(UnaryOp.RELU6, x), 0, 0, 0.5, 4, 6);
    assertValues(k.unary(UnaryOp.RECIPROCAL, x), 1e-7, -0.5, 2, 0.25, 1 / 9.0);
    Tensor p = floats(dims(3), 0.25f, 1, 4);
    assertValues(k.unary(UnaryOp.SQRT, p), 1e-7, 0.5, 1, 2);
    assertValues(k.unary(UnaryOp.RSQRT, p), 1e-7, 2, 1, 0.5);
    assertValues(k.unary(UnaryOp.LOG, p), 1e-6, Math.log(0.25), 0, Math.log(4));
    assertValues(k.unary(UnaryOp.EXP, p), 1e-5, Math.exp(0.25), Math.E, Math.exp(4));
    assertValues(k.unary(UnaryOp.TANH, p), 1e-7, Math.tanh(0.25), Math.tanh(1), Math.tanh(4));
    assertValues(k.unary(UnaryOp.IDENTITY, p), 0, 0.25, 1, 4);
    assertThat(k.unary(UnaryOp.EXP, p).dtype()).isEqualTo(DType.FLOAT32);
  }

  @Test
  void sigmoidSaturatesWithoutNaN() {
    Tensor x = Tensor.ofDoubles(Shape.of(3), -1000, 0, 1000);
    assertValues(k.unary(UnaryOp.SIGMOID, x), 0, 0, 0.5, 1);
  }

  @Test
  void integerUnaryOpsStayIntegerAndRejectTranscendentals() {
    Tensor x = Tensor.ofInts(Shape.of(3), -3, 2, 8);
    assertThat(k.unary(UnaryOp.RELU6, x).toIntArray()).containsExactly(0, 2, 6);
    assertThat(k.unary(UnaryOp.SQUARE, x).toIntArray()).containsExactly(9, 4, 64);
    assertThatThrownBy(() -> k.unary(UnaryOp.EXP, x))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("INT32 [3]");
  }

  @Test
  void binaryBroadcastsWithNumpyRules() {
    Tensor a = floats(dims(2, 1, 3), 1, 2, 3, 4, 5, 6);
    Tensor b = floats(dims(2, 1), 10, 20);
    Tensor sum = k.binary(BinaryOp.ADD, a, b);
    assertThat(sum.shape()).isEqualTo(Shape.of(2, 2, 3));
    assertValues(sum, 0, 11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26);
    Tensor scalar = Tensor.scalar(2f);
    assertValues(k.binary(BinaryOp.POW, b, scalar), 0, 100, 400);
    assertValues(k.binary(BinaryOp.SUB, scalar, b), 0, -8, -18);
  }

  @Test
  void binaryOpsComputeTheirFunctions() {
    Tensor a = Tensor.ofDoubles(Shape.of(3), 1, -4, 6);
    Tensor b = Tensor.ofDoubles(Shape.of(3), 2, 2, -3);
    assertValues(k.binary(BinaryOp.MUL, a, b), 0, 2, -8, -18);
    assertValues(k.binary(BinaryOp.DIV, a, b), 0, 0.5, -2, -2);
    assertValues(k.binary(BinaryOp.MAXIMUM, a, b), 0, 2, 2, 6);
    assertValues(k.binary(BinaryOp.MINIMUM, a, b), 0, 1, -4, -3);
    assertValues(k.binary(BinaryOp.SQUARED_DIFFERENCE, a, b), 0, 1, 36, 81);
  }

  @Test
  void integerArithmeticTruncatesDivisionAndWrapsOverflow() {
    Tensor a = Tensor.ofInts(Shape.of(4), 7, -7, Integer.MAX_VALUE, 3);
    Tensor b = Tensor.ofInts(Shape.of(4), 2, 2, 1, 4);
    assertThat(k.binary(BinaryOp.DIV, a, b).toIntArray())
        .containsExactly(3, -3, Integer.MAX_VALUE, 0);
    assertThat(k.binary(BinaryOp.ADD, a, b).toIntArray())
        .containsExactly(9, -5, Integer.MIN_VALUE, 7);
    assertThat(k.binary(BinaryOp.POW, a, b).toIntArray())
        .containsExactly(49, 49, Integer.MAX_VALUE, 81);
    Tensor big = Tensor.ofLongs(Shape.of(1), (1L << 53) + 1);
    assertThat(k.binary(BinaryOp.ADD, big, Tensor.ofLongs(Shape.of(1), 1)).toLongArray())
        .containsExactly((1L << 53) + 2);
  }

  @Test
  void integerDivisionByZeroAndNegativePowersAreRejected() {
    Tensor a = Tensor.ofInts(Shape.of(2), 1, 2);
    assertThatThrownBy(() -> k.binary(BinaryOp.DIV, a, Tensor.ofInts(Shape.of(2), 1, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("division by zero");
    assertThatThrownBy(() -> k.binary(BinaryOp.POW, a, Tensor.ofInts(Shape.of(2), 1, -1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
  }

  @Test
  void binaryRejectsMismatchedTypesAndShapesNamingBoth() {
    Tensor a = floats(dims(2, 3), 1, 2, 3, 4, 5, 6);
    assertThatThrownBy(() -> k.binary(BinaryOp.ADD, a, Tensor.ofDoubles(Shape.of(3), 1, 2, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FLOAT32 [2, 3]")
        .hasMessageContaining("FLOAT64 [3]");
    assertThatThrownBy(() -> k.binary(BinaryOp.ADD, a, floats(dims(2), 1, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[2, 3]")
        .hasMessageContaining("[2]")
        .hasMessageContaining("broadcast");
  }

  @Test
  void sumToShapeReversesBroadcasting() {
    Tensor g = floats(dims(2, 2, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    assertValues(k.sumToShape(g, Shape.of(3)), 0, 22, 26, 30);
    assertValues(
        k.sumToShape(g, Shape.of(2, 1)), 0, 1 + 2 + 3 + 7 + 8 + 9, 4 + 5 + 6 + 10 + 11 + 12);
    assertValues(k.sumToShape(g, Shape.scalar()), 0, 78);
    assertThat(k.sumToShape(g, Shape.of(2, 1, 1)).shape()).isEqualTo(Shape.of(2, 1, 1));
    assertThat(k.sumToShape(g, Shape.of(2, 2, 3)).toFloatArray()).containsExactly(g.toFloatArray());
    assertThatThrownBy(() -> k.sumToShape(g, Shape.of(4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[4]")
        .hasMessageContaining("[2, 2, 3]");
  }

  @Test
  void activationGradientsGateAndScaleTheIncomingGradient() {
    Tensor x = Tensor.ofDoubles(Shape.of(4), -1, 0.5, 3, 7);
    Tensor g = Tensor.ofDoubles(Shape.of(4), 10, 20, 30, 40);
    assertValues(k.reluGrad(g, x), 0, 0, 20, 30, 40);
    assertValues(k.relu6Grad(g, x), 0, 0, 20, 30, 0);
    Tensor y = Tensor.ofDoubles(Shape.of(4), 0.5, 0.25, 0, 1);
    assertValues(k.sigmoidGrad(y, g), 1e-12, 2.5, 20 * 0.1875, 0, 0);
    assertValues(k.tanhGrad(y, g), 1e-12, 7.5, 20 * 0.9375, 30, 0);
    assertThatThrownBy(() -> k.reluGrad(g, Tensor.ofDoubles(Shape.of(2), 1, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[4]")
        .hasMessageContaining("[2]");
  }

  @Test
  void equalBroadcastsAndReturnsBool() {
    Tensor a = Tensor.ofInts(Shape.of(2, 2), 1, 2, 3, 1);
    Tensor e = k.equal(a, Tensor.ofInts(Shape.of(1), 1));
    assertThat(e.dtype()).isEqualTo(DType.BOOL);
    assertThat(e.toByteArray()).containsExactly(1, 0, 0, 1);
    Tensor f = Tensor.ofFloats(Shape.of(3), Float.NaN, -0f, 1);
    assertThat(k.equal(f, Tensor.ofFloats(Shape.of(3), Float.NaN, 0f, 2)).toByteArray())
        .containsExactly(0, 1, 0);
  }

  @Test
  void castTruncatesTowardZeroAndMapsBoolsToZeroOrOne() {
    Tensor x = Tensor.ofFloats(Shape.of(4), -2.7f, 2.7f, 0, 255);
    assertThat(k.cast(x, DType.INT32).toIntArray()).containsExactly(-2, 2, 0, 255);
    assertThat(k.cast(x, DType.BOOL).toByteArray()).containsExactly(1, 1, 0, 1);
    assertThat(k.cast(x, DType.UINT8).getAsDouble(3)).isEqualTo(255);
    Tensor bytes = Tensor.ofBytes(DType.UINT8, Shape.of(2), (byte) 200, (byte) 7);
    assertThat(k.cast(bytes, DType.FLOAT64).toDoubleArray()).containsExactly(200, 7);
    Tensor bools = Tensor.ofBytes(DType.BOOL, Shape.of(2), (byte) 1, (byte) 0);
    assertThat(k.cast(bools, DType.INT64).toLongArray()).containsExactly(1, 0);
    assertThat(k.cast(Tensor.ofLongs(Shape.of(1), (1L << 32) + 5), DType.INT32).toIntArray())
        .containsExactly(5);
    assertThat(k.cast(Tensor.ofInts(Shape.of(1), -1), DType.INT8).getAsDouble(0)).isEqualTo(-1);
    assertThatThrownBy(() -> k.cast(Tensor.ofStrings(Shape.of(1), new byte[0]), DType.INT32))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("STRING [1]");
  }

  @Test
  void kernelsDoNotModifyTheirInputs() {
    Tensor a = floats(dims(3), 1, 2, 3);
    k.unary(UnaryOp.NEG, a);
    k.binary(BinaryOp.MUL, a, a);
    k.sumToShape(a, Shape.scalar());
    assertThat(a.toFloatArray()).containsExactly(1, 2, 3);
  }
}
