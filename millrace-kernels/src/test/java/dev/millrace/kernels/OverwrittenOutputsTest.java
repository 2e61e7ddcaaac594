package dev.millrace.kernels;

import static dev.millrace.kernels.FastMatchesReference.REFERENCE;
import static dev.millrace.kernels.FastMatchesReference.assertMatches;
import static dev.millrace.kernels.FastMatchesReference.fast;
import static dev.millrace.kernels.FastMatchesReference.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Kernels whose outputs are lent uncleared ({@link OutputBuffers#floatsToOverwrite}) must store
 * every element: each case runs inside a session-like loan whose free arrays of the output's length
 * are full of NaN, so an element a kernel leaves unwritten shows up as NaN against the reference.
 * Cases that must clear (overlapping or gapped pooling windows, channels beyond whole vectors, the
 * strided input gradient's scatter) run the same way and must match too. Every output is at least
 * {@link OutputBuffers#MIN_FLOATS} long, the size from which arrays are recycled.
 */
class OverwrittenOutputsTest {

  /** {@code op} with the fast kernels inside a loan whose free output arrays are poisoned. */
  private static Tensor inPoisonedLoan(Shape out, boolean threaded, Function<Kernels, Tensor> op) {
    OutputBuffers buffers = new OutputBuffers(1L << 30);
    for (int i = 0; i < 4; i++) {
      float[] poison = new float[Math.toIntExact(out.size())];
      Arrays.fill(poison, Float.NaN);
      assertThat(buffers.recycle(Tensor.wrapping(out, poison))).isTrue();
    }
    OutputBuffers.Loan loan = new OutputBuffers.Loan(buffers);
    Tensor result = OutputBuffers.supplying(loan, () -> op.apply(fast(threaded)));
    assertThat(loan.recycledBytes()).as("the kernel took a recycled array").isPositive();
    return result;
  }

  private static void check(
      Tensor expected, double tolerance, boolean threaded, Function<Kernels, Tensor> op) {
    assertMatches(inPoisonedLoan(expected.shape(), threaded, op), expected, tolerance, 0);
  }

  @Test
  void matMulWithEachTransposeWritesEveryElement() {
    Random rnd = new Random(1);
    Tensor a = random(rnd, 150, 70);
    Tensor b = random(rnd, 70, 131);
    Tensor at = REFERENCE.transpose(a, new int[] {1, 0});
    Tensor bt = REFERENCE.transpose(b, new int[] {1, 0});
    Tensor expected = REFERENCE.matmul(a, b, false, false);
    for (boolean threaded : new boolean[] {false, true}) {
      check(expected, 1e-3, threaded, k -> k.matmul(a, b, false, false));
      check(expected, 1e-3, threaded, k -> k.matmul(at, b, true, false));
      check(expected, 1e-3, threaded, k -> k.matmul(a, bt, false, true));
    }
  }

  @Test
  void convolutionsAndTheirInputGradientsWriteEveryElement() {
    Random rnd = new Random(2);
    // The direct NHWC kernel (32 → 40 channels), the GEMM over patches (128 output channels),
    // NCHW, a fused epilogue, and input gradients at stride 1 (a forward convolution) and 2.
    for (DataFormat format : DataFormat.values()) {
      for (int oc : new int[] {40, 128}) {
        Tensor x = random(rnd, format.shape(4, 27, 31, 32));
        Tensor f = random(rnd, Shape.of(3, 3, 32, oc));
        for (int stride : new int[] {1, 2}) {
          Conv2dSpec spec = Conv2dSpec.of(stride, Padding.SAME, format);
          double tolerance = 1e-5 * (9 * 32 + 1);
          check(REFERENCE.conv2d(x, f, spec), tolerance, stride == 1, k -> k.conv2d(x, f, spec));
          ConvEpilogue epilogue = ConvEpilogue.bias(random(rnd, oc), UnaryOp.RELU);
          check(
              REFERENCE.fusedConv2d(x, f, spec, epilogue),
              tolerance,
              stride == 2,
              k -> k.fusedConv2d(x, f, spec, epilogue));
          Tensor dy = REFERENCE.conv2d(x, f, spec);
          check(
              REFERENCE.conv2dBackpropInput(x.shape(), f, dy, spec),
              1e-5 * (9 * oc + 1),
              true,
              k -> k.conv2dBackpropInput(x.shape(), f, dy, spec));
        }
      }
    }
  }

  @Test
  void elementwiseOpsWriteEveryElement() {
    Random rnd = new Random(3);
    Tensor x = random(rnd, 3, 77, 101);
    Tensor y = random(rnd, 3, 77, 101);
    Tensor row = random(rnd, 101);
    check(REFERENCE.unary(UnaryOp.RELU, x), 0, true, k -> k.unary(UnaryOp.RELU, x));
    check(REFERENCE.binary(BinaryOp.MUL, x, y), 0, false, k -> k.binary(BinaryOp.MUL, x, y));
    check(REFERENCE.binary(BinaryOp.ADD, x, row), 0, true, k -> k.binary(BinaryOp.ADD, x, row));
    check(REFERENCE.reluGrad(y, x), 0, true, k -> k.reluGrad(y, x));
  }

  @Test
  void layoutTransposesWriteEveryElement() {
    // NCHW ↔ NHWC as batches of matrix transposes: blocks in registers and gathered leftovers.
    Random rnd = new Random(6);
    Tensor x = random(rnd, 3, 37, 21, 19);
    for (int[] perm : new int[][] {{0, 2, 3, 1}, {0, 3, 1, 2}}) {
      check(REFERENCE.transpose(x, perm), 0, true, k -> k.transpose(x, perm));
      check(REFERENCE.transpose(x, perm), 0, false, k -> k.transpose(x, perm));
    }
  }

  @Test
  void fusedBatchNormAndItsGradientWriteEveryElement() {
    Random rnd = new Random(5);
    for (DataFormat format : DataFormat.values()) {
      // 19 channels: whole vectors and a scalar tail in NHWC, planes of 99 floats in NCHW.
      Tensor x = random(rnd, format.shape(10, 9, 11, 19));
      Tensor scale = random(rnd, 19);
      Tensor offset = random(rnd, 19);
      FusedBatchNormResult r =
          REFERENCE.fusedBatchNorm(x, scale, offset, null, null, 1e-3, format, true);
      check(
          r.y(),
          1e-4,
          true,
          k -> k.fusedBatchNorm(x, scale, offset, null, null, 1e-3, format, true).y());
      Tensor dy = random(rnd, x.shape());
      check(
          REFERENCE.fusedBatchNormGrad(dy, x, scale, r.savedMean(), r.savedInvStd(), format).x(),
          1e-3,
          false,
          k -> k.fusedBatchNormGrad(dy, x, scale, r.savedMean(), r.savedInvStd(), format).x());
    }
  }

  @Test
  void maxPoolingAndItsGradientsWriteEveryElement() {
    Random rnd = new Random(4);
    // 2×2 windows at stride 2 tile 28 columns exactly, and 27 with SAME padding (a last window of
    // one column); VALID on 27 leaves a column out and 3×3 windows at stride 2 overlap, so those
    // clear first; 17 channels end in a scalar tail that adds.
    int[][] cases = {{28, 2, 2, 32}, {27, 2, 2, 32}, {27, 3, 2, 32}, {28, 2, 2, 17}};
    for (int[] c : cases) {
      for (Padding padding : new Padding[] {Padding.SAME, Padding.VALID}) {
        Tensor x = random(rnd, DataFormat.NHWC.shape(6, c[0], c[0], c[3]));
        PoolSpec spec = PoolSpec.of(c[1], c[2], padding, DataFormat.NHWC);
        Tensor pooled = REFERENCE.maxPool(x, spec);
        check(pooled, 0, true, k -> k.maxPool(x, spec));
        Tensor dy = random(rnd, pooled.shape());
        // Overlapping windows add two gradients into one pixel, in another order than the
        // reference.
        check(REFERENCE.maxPoolGrad(x, dy, spec), 1e-5, true, k -> k.maxPoolGrad(x, dy, spec));
        Tensor relu = REFERENCE.unary(UnaryOp.RELU, x);
        check(
            REFERENCE.maxPoolGradOfRelu(relu, dy, spec),
            1e-5,
            false,
            k -> k.maxPoolGradOfRelu(relu, dy, spec));
      }
    }
  }
}
