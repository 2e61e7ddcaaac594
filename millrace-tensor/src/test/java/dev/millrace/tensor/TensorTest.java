package dev.millrace.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TensorTest {
  @Test
  void shapeReportsRankSizeAndRowMajorStrides() {
    Shape s = Shape.of(2, 3, 4);
    assertThat(s.rank()).isEqualTo(3);
    assertThat(s.size()).isEqualTo(24);
    assertThat(s.strides()).containsExactly(12, 4, 1);
    assertThat(s.dim(-1)).isEqualTo(4);
    assertThat(s).hasToString("[2, 3, 4]");
  }

  @Test
  void unknownDimensionsAreCompatibleButHaveNoSize() {
    Shape batch = Shape.of(-1, 28, 28, 1);
    assertThat(batch.isFullyDefined()).isFalse();
    assertThat(batch.isCompatibleWith(Shape.of(32, 28, 28, 1))).isTrue();
    assertThat(batch.isCompatibleWith(Shape.of(32, 28, 27, 1))).isFalse();
    assertThatThrownBy(batch::size).hasMessageContaining("[?, 28, 28, 1]");
  }

  @Test
  void reshapeSharesStorageAndRejectsAnotherElementCountNamingBothShapes() {
    Tensor t = Tensor.ofFloats(Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
    Tensor r = t.reshape(Shape.of(3, 2));
    r.setFloat(0, 42);
    assertThat(t.getFloat(0)).isEqualTo(42);
    assertThatThrownBy(() -> t.reshape(Shape.of(4, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[2, 3]")
        .hasMessageContaining("[4, 2]");
  }

  @Test
  void dtypeMismatchNamesBothTypes() {
    Tensor t = Tensor.ofInts(Shape.of(2), 1, 2);
    assertThatThrownBy(() -> t.requireType(DType.FLOAT32))
        .hasMessageContaining("FLOAT32")
        .hasMessageContaining("INT32");
    assertThatThrownBy(t::toFloatArray).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void valueCountMustMatchTheShape() {
    assertThatThrownBy(() -> Tensor.ofFloats(Shape.of(2, 2), 1, 2, 3))
        .hasMessageContaining("[2, 2]")
        .hasMessageContaining("4 elements")
        .hasMessageContaining("3 values");
  }

  @Test
  void nhwcToNchwMovesChannelsToAxisOne() {
    // one image 1x2x2 pixels, 3 channels: value = 100*h + 10*w + c
    float[] v = new float[12];
    for (int h = 0; h < 2; h++) {
      for (int w = 0; w < 2; w++) {
        for (int c = 0; c < 3; c++) {
          v[(h * 2 + w) * 3 + c] = 100 * h + 10 * w + c;
        }
      }
    }
    Tensor nhwc = Tensor.ofFloats(Shape.of(1, 2, 2, 3), v);
    Tensor nchw = nhwc.toFormat(DataFormat.NHWC, DataFormat.NCHW);
    assertThat(nchw.shape()).isEqualTo(Shape.of(1, 3, 2, 2));
    assertThat(nchw.toFloatArray())
        .containsExactly(0, 10, 100, 110, 1, 11, 101, 111, 2, 12, 102, 112);
  }

  static LongStream seeds50() {
    return LongStream.range(0, 50);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds50")
  void formatConversionRoundTrips(long seed) {
    Random rnd = new Random(seed);
    int n = rnd.nextInt(1, 4);
    int h = rnd.nextInt(1, 6);
    int w = rnd.nextInt(1, 6);
    int c = rnd.nextInt(1, 8);
    Shape s = DataFormat.NHWC.shape(n, h, w, c);
    Tensor t = Tensor.zeros(DType.FLOAT32, s);
    for (int i = 0; i < t.size(); i++) {
      t.setFloat(i, i * 0.5f);
    }
    Tensor back =
        t.toFormat(DataFormat.NHWC, DataFormat.NCHW).toFormat(DataFormat.NCHW, DataFormat.NHWC);
    assertThat(back.shape()).isEqualTo(s);
    assertThat(back.toFloatArray()).containsExactly(t.toFloatArray());
    assertThat(DataFormat.NHWC.convert(s, DataFormat.NCHW)).isEqualTo(Shape.of(n, c, h, w));
  }

  @Test
  void nativeTensorsAreAlignedAndFreedByClose() {
    Tensor t = Tensor.allocateNative(DType.FLOAT32, Shape.of(3, 5));
    assertThat(t.isNative()).isTrue();
    assertThat(t.data().address() % 64).isZero();
    t.setFloat(14, 2.5f);
    assertThat(t.getFloat(14)).isEqualTo(2.5f);
    t.close();
    assertThatThrownBy(() -> t.getFloat(0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void dtypesMapToTensorFlowNumbers() {
    assertThat(DType.fromTensorflowNumber(1)).isEqualTo(DType.FLOAT32);
    assertThat(DType.fromTensorflowNumber(101)).isEqualTo(DType.FLOAT32);
    assertThat(DType.fromTensorflowNumber(12)).isEqualTo(DType.QUINT8);
    assertThat(DType.parse("float")).isEqualTo(DType.FLOAT32);
    assertThat(DType.parse("int64")).isEqualTo(DType.INT64);
    assertThatThrownBy(() -> DType.parse("complex64")).hasMessageContaining("complex64");
  }

  @Test
  void stringTensorsHoldByteStrings() {
    Tensor t = Tensor.ofStrings(Shape.of(2), "a".getBytes(), new byte[] {0, -1});
    assertThat(t.getString(1)).containsExactly(0, -1);
    Tensor swapped = t.reshape(Shape.of(2, 1)).transpose(1, 0);
    assertThat(swapped.shape()).isEqualTo(Shape.of(1, 2));
    assertThat(swapped.getString(0)).containsExactly('a');
  }
}
