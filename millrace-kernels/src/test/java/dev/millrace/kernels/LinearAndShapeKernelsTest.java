package dev.millrace.kernels;

import static dev.millrace.kernels.TestTensors.assertValues;
import static dev.millrace.kernels.TestTensors.dims;
import static dev.millrace.kernels.TestTensors.floats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinearAndShapeKernelsTest {
  private final Kernels k = new ReferenceKernels();
  private final Tensor a23 = floats(dims(2, 3), 1, 2, 3, 4, 5, 6);

  @Test
  void matmulHonoursBothTransposes() {
    Tensor b32 = floats(dims(3, 2), 7, 8, 9, 10, 11, 12);
    assertValues(k.matmul(a23, b32, false, false), 0, 58, 64, 139, 154);
    Tensor b23 = floats(dims(2, 3), 7, 9, 11, 8, 10, 12); // b32 transposed
    assertValues(k.matmul(a23, b23, false, true), 0, 58, 64, 139, 154);
    Tensor a32 = floats(dims(3, 2), 1, 4, 2, 5, 3, 6); // a23 transposed
    assertValues(k.matmul(a32, b32, true, false), 0, 58, 64, 139, 154);
    assertValues(k.matmul(a32, b23, true, true), 0, 58, 64, 139, 154);
    Tensor ints = Tensor.ofLongs(Shape.of(1, 2), 3, 4);
    assertThat(k.matmul(ints, Tensor.ofLongs(Shape.of(2, 1), 5, 6), false, false).toLongArray())
        .containsExactly(39);
  }

  @Test
  void matmulRejectsMismatchedInnerDimensionsNamingShapes() {
    assertThatThrownBy(() -> k.matmul(a23, a23, false, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[2, 3]")
        .hasMessageContaining("3 columns")
        .hasMessageContaining("2 rows");
    assertThatThrownBy(() -> k.matmul(a23, floats(dims(3), 1, 2, 3), false, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rank 2");
  }

  @Test
  void biasAddUsesTheLastAxisInNhwcAndAxisOneInNchw() {
    Tensor x = floats(dims(1, 2, 1, 2), 1, 2, 3, 4);
    Tensor bias = floats(dims(2), 10, 20);
    assertValues(k.biasAdd(x, bias, DataFormat.NHWC), 0, 11, 22, 13, 24);
    assertValues(k.biasAdd(x, bias, DataFormat.NCHW), 0, 11, 12, 23, 24);
    assertValues(k.biasAdd(a23, floats(dims(3), 1, 1, 1), DataFormat.NHWC), 0, 2, 3, 4, 5, 6, 7);
    assertValues(k.biasAddGrad(x, DataFormat.NHWC), 0, 4, 6);
    assertValues(k.biasAddGrad(x, DataFormat.NCHW), 0, 3, 7);
    assertThatThrownBy(() -> k.biasAdd(x, floats(dims(3), 1, 2, 3), DataFormat.NHWC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[3]")
        .hasMessageContaining("[1, 2, 1, 2]");
  }

  @Test
  void reduceHandlesNegativeAxesKeepDimsAndEmptyAxesMeaningAll() {
    Tensor x = floats(dims(2, 3), 1, 2, 3, 4, 5, 6);
    Tensor rows = k.reduce(ReduceOp.SUM, x, new int[] {-1}, false);
    assertThat(rows.shape()).isEqualTo(Shape.of(2));
    assertValues(rows, 0, 6, 15);
    Tensor cols = k.reduce(ReduceOp.MEAN, x, new int[] {0}, true);
    assertThat(cols.shape()).isEqualTo(Shape.of(1, 3));
    assertValues(cols, 0, 2.5, 3.5, 4.5);
    Tensor all = k.reduce(ReduceOp.PROD, x, new int[0], false);
    assertThat(all.shape()).isEqualTo(Shape.scalar());
    assertValues(all, 0, 720);
    assertThat(k.reduce(ReduceOp.MAX, x, new int[0], true).shape()).isEqualTo(Shape.of(1, 1));
    assertValues(k.reduce(ReduceOp.MAX, x, new int[] {1}, false), 0, 3, 6);
    assertValues(k.reduce(ReduceOp.MIN, x, new int[] {0, 1}, false), 0, 1);
    assertThatThrownBy(() -> k.reduce(ReduceOp.SUM, x, new int[] {2}, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("axis 2")
        .hasMessageContaining("[2, 3]");
  }

  @Test
  void reduceOnIntegersTruncatesTheMeanAndKeepsFullPrecision() {
    Tensor x = Tensor.ofInts(Shape.of(2, 2), 1, 2, 4, 4);
    assertThat(k.reduce(ReduceOp.MEAN, x, new int[] {1}, false).toIntArray()).containsExactly(1, 4);
    Tensor big = Tensor.ofLongs(Shape.of(2), 1L << 60, 1);
    assertThat(k.reduce(ReduceOp.SUM, big, new int[0], false).toLongArray())
        .containsExactly((1L << 60) + 1);
  }

  @Test
  void argmaxPicksTheFirstOfEqualMaximaAsInt64() {
    Tensor x = floats(dims(2, 3), 5, 1, 5, 0, 7, 7);
    Tensor am = k.argmax(x, -1);
    assertThat(am.dtype()).isEqualTo(DType.INT64);
    assertThat(am.toLongArray()).containsExactly(0, 1);
    assertThat(k.argmax(x, 0).toLongArray()).containsExactly(0, 1, 1);
    Tensor big = Tensor.ofLongs(Shape.of(2), (1L << 60) + 1, 1L << 60);
    assertThat(k.argmax(big, 0).toLongArray()).containsExactly(0);
  }

  @Test
  void transposePermutesAxes() {
    Tensor t = k.transpose(a23, new int[] {1, 0});
    assertThat(t.shape()).isEqualTo(Shape.of(3, 2));
    assertValues(t, 0, 1, 4, 2, 5, 3, 6);
    assertThatThrownBy(() -> k.transpose(a23, new int[] {0, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[0, 0]");
  }

  @Test
  void concatJoinsAlongAnAxisAndChecksTheOthers() {
    Tensor b = floats(dims(2, 1), 7, 8);
    Tensor c = k.concat(List.of(a23, b), 1);
    assertThat(c.shape()).isEqualTo(Shape.of(2, 4));
    assertValues(c, 0, 1, 2, 3, 7, 4, 5, 6, 8);
    Tensor r = k.concat(List.of(a23, floats(dims(1, 3), 7, 8, 9)), -2);
    assertValues(r, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    Tensor ints =
        k.concat(List.of(Tensor.ofInts(Shape.of(1), 1), Tensor.ofInts(Shape.of(2), 2, 3)), 0);
    assertThat(ints.toIntArray()).containsExactly(1, 2, 3);
    assertThatThrownBy(() -> k.concat(List.of(a23, b), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[2, 3]")
        .hasMessageContaining("[2, 1]");
  }

  @Test
  void padFillsWithTheValueAndPadGradCutsItAway() {
    long[][] paddings = {{1, 0}, {0, 2}};
    Tensor p = k.pad(a23, paddings, -1);
    assertThat(p.shape()).isEqualTo(Shape.of(3, 5));
    assertValues(p, 0, -1, -1, -1, -1, -1, 1, 2, 3, -1, -1, 4, 5, 6, -1, -1);
    assertValues(k.padGrad(p, paddings), 0, 1, 2, 3, 4, 5, 6);
    Tensor ints = k.pad(Tensor.ofInts(Shape.of(1), 5), new long[][] {{2, 1}}, 0);
    assertThat(ints.toIntArray()).containsExactly(0, 0, 5, 0);
    assertThatThrownBy(() -> k.pad(a23, new long[][] {{1, 1}}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[2, 3]");
  }

  @Test
  void sliceTakesABoxWithMinusOneMeaningToTheEnd() {
    Tensor s = k.slice(a23, new long[] {0, 1}, new long[] {-1, 2});
    assertThat(s.shape()).isEqualTo(Shape.of(2, 2));
    assertValues(s, 0, 2, 3, 5, 6);
    assertThat(k.slice(a23, new long[] {1, 3}, new long[] {1, 0}).size()).isZero();
    assertThatThrownBy(() -> k.slice(a23, new long[] {1, 2}, new long[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[2, 3]")
        .hasMessageContaining("axis 1");
  }

  @Test
  void fillMakesAConstantTensorOfAnyNumericType() {
    assertValues(k.fill(DType.FLOAT32, Shape.of(2), 1.5), 0, 1.5, 1.5);
    assertThat(k.fill(DType.INT64, Shape.of(2, 1), 7).toLongArray()).containsExactly(7, 7);
    assertThat(k.fill(DType.BOOL, Shape.scalar(), 1).toByteArray()).containsExactly(1);
    assertThatThrownBy(() -> k.fill(DType.FLOAT32, Shape.of(-1, 2), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[?, 2]");
  }

  @Test
  void dataMovementKernelsHandleStringTensors() {
    Tensor s = Tensor.ofStrings(Shape.of(2), "a".getBytes(), "bc".getBytes());
    Tensor c = k.concat(List.of(s, s), 0);
    assertThat(new String(c.getString(3))).isEqualTo("bc");
    assertThat(new String(k.slice(c, new long[] {1}, new long[] {2}).getString(1))).isEqualTo("a");
    assertThatThrownBy(() -> k.pad(s, new long[][] {{1, 0}}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("STRING [2]");
  }

  @Test
  void kernelsReadOffHeapTensorsAndReturnHeapOnes() {
    try (Tensor x = Tensor.allocateNative(DType.FLOAT32, Shape.of(2, 3))) {
      for (int i = 0; i < 6; i++) {
        x.setFloat(i, i + 1);
      }
      Tensor t = k.transpose(x, new int[] {1, 0});
      assertValues(t, 0, 1, 4, 2, 5, 3, 6);
      assertThat(t.isNative()).isFalse();
      assertValues(k.reduce(ReduceOp.SUM, x, new int[] {0}, false), 0, 5, 7, 9);
      assertValues(k.pad(x, new long[][] {{0, 0}, {1, 0}}, 0), 0, 0, 1, 2, 3, 0, 4, 5, 6);
    }
  }
}
