package dev.millrace.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.kernels.internal.ShapeKernels;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * StridedSlice's data movement against the definition, element by element: {@code out[i] = x[begin
 * + i * strides]}, and its gradient the scatter back into zeros, for every element width (1, 4 and
 * 8 bytes, and strings), negative strides, a stride of 1 inside (the block copy) and empty boxes.
 */
class StridedCopyTest {
  private static final DType[] TYPES = {DType.FLOAT32, DType.INT64, DType.UINT8, DType.FLOAT64};

  static LongStream seeds() {
    return LongStream.range(0, 64);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void gatherAndScatterMatchTheDefinition(long seed) {
    Random r = new Random(seed);
    DType type = TYPES[(int) (seed % TYPES.length)];
    int rank = 1 + r.nextInt(4);
    long[] dims = new long[rank];
    long[] begin = new long[rank];
    long[] strides = new long[rank];
    long[] size = new long[rank];
    for (int a = 0; a < rank; a++) {
      dims[a] = 1 + r.nextInt(6);
      begin[a] = r.nextInt((int) dims[a]);
      strides[a] = (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(2));
      long room = strides[a] > 0 ? (dims[a] - 1 - begin[a]) / strides[a] : begin[a] / -strides[a];
      size[a] = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt((int) room + 1);
    }
    Shape shape = Shape.of(dims);
    Tensor x = Tensor.zeros(type, shape);
    for (long i = 0; i < x.size(); i++) {
      int v = (int) ((i * 7 + 3) % 101);
      switch (type) {
        case FLOAT32 -> x.setFloat(i, v);
        case FLOAT64 -> x.setDouble(i, v);
        case INT64 -> x.setLong(i, v);
        default -> x.setByte(i, (byte) v);
      }
    }
    Tensor out = ShapeKernels.stridedSlice(x, begin, strides, size);
    assertThat(out.shape()).isEqualTo(Shape.of(size));
    Tensor back = ShapeKernels.stridedSliceGrad(shape, out, begin, strides);
    long[] expectedBack = new long[(int) x.size()];
    long[] index = new long[rank];
    for (long i = 0; i < out.size(); i++) {
      long rest = i;
      for (int a = rank - 1; a >= 0; a--) {
        index[a] = rest % size[a];
        rest /= size[a];
      }
      long at = 0;
      for (int a = 0; a < rank; a++) {
        at = at * dims[a] + begin[a] + index[a] * strides[a];
      }
      assertThat(out.getAsDouble(i)).as("element %d", i).isEqualTo(x.getAsDouble(at));
      expectedBack[(int) at] = (long) x.getAsDouble(at);
    }
    for (long i = 0; i < back.size(); i++) {
      assertThat(back.getAsDouble(i))
          .as("scattered element %d", i)
          .isEqualTo(expectedBack[(int) i]);
    }
  }

  @Test
  void stringsAreCopiedAndReadsOutsideTheInputAreRefused() {
    Tensor s = Tensor.ofStrings(Shape.of(3), "a".getBytes(), "b".getBytes(), "c".getBytes());
    Tensor r = ShapeKernels.stridedSlice(s, new long[] {2}, new long[] {-2}, new long[] {2});
    assertThat(new String(r.getString(0))).isEqualTo("c");
    assertThat(new String(r.getString(1))).isEqualTo("a");
    Tensor x = Tensor.zeros(DType.FLOAT32, Shape.of(4, 3));
    assertThatThrownBy(
            () ->
                ShapeKernels.stridedSlice(
                    x, new long[] {1, 0}, new long[] {2, 1}, new long[] {3, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "stridedSlice: begin [1, 0], strides [2, 1] and size [3, 3] leave [4, 3] on axis 0");
  }
}
