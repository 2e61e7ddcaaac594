package dev.millrace.kernels;

import static dev.millrace.kernels.TestTensors.assertGradient;
import static dev.millrace.kernels.TestTensors.awayFrom;
import static dev.millrace.kernels.TestTensors.distinct;
import static dev.millrace.kernels.TestTensors.random;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backward kernel against central finite differences of its forward kernel, in FLOAT64: the
 * analytic gradient of {@code sum(f(x) * w)} must match the numeric one.
 */
class GradientCheckTest {
  private final Kernels k = new ReferenceKernels();

  static LongStream seeds25() {
    return LongStream.range(0, 25);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds25")
  void convolutionGradientsMatchFiniteDifferences(long seed) {
    Random rnd = new Random(seed);
    int n = rnd.nextInt(1, 3);
    int h = rnd.nextInt(2, 7);
    int w = rnd.nextInt(2, 7);
    int c = rnd.nextInt(1, 4);
    int kernel = rnd.nextInt(1, 4);
    int stride = rnd.nextInt(1, 3);
    int dilation = rnd.nextInt(1, 3);
    boolean same = rnd.nextBoolean();
    boolean nchw = rnd.nextBoolean();
    DataFormat format = nchw ? DataFormat.NCHW : DataFormat.NHWC;
    Conv2dSpec spec =
        Conv2dSpec.of(stride, same ? Padding.SAME : Padding.VALID, format)
            .withDilations(dilation, dilation);
    Tensor x = random(rnd, format.shape(n, h, w, c).dims());
    Tensor f = random(rnd, kernel, kernel, c, 2);
    Tensor y = k.conv2d(x, f, spec);
    Tensor dy = random(rnd, y.shape().dims());
    assertGradient(
        k.conv2dBackpropInput(x.shape(), f, dy, spec), xi -> k.conv2d(xi, f, spec), x, dy);
    assertGradient(
        k.conv2dBackpropFilter(x, f.shape(), dy, spec), fi -> k.conv2d(x, fi, spec), f, dy);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds25")
  void depthwiseGradientsMatchFiniteDifferences(long seed) {
    Random rnd = new Random(seed);
    int h = rnd.nextInt(2, 7);
    int w = rnd.nextInt(2, 7);
    int c = rnd.nextInt(1, 4);
    int multiplier = rnd.nextInt(1, 3);
    int kernel = rnd.nextInt(1, 4);
    int stride = rnd.nextInt(1, 3);
    boolean same = rnd.nextBoolean();
    boolean nchw = rnd.nextBoolean();
    DataFormat format = nchw ? DataFormat.NCHW : DataFormat.NHWC;
    Conv2dSpec spec = Conv2dSpec.of(stride, same ? Padding.SAME : Padding.VALID, format);
    Tensor x = random(rnd, format.shape(2, h, w, c).dims());
    Tensor f = random(rnd, kernel, kernel, c, multiplier);
    Tensor y = k.depthwiseConv2d(x, f, spec);
    Tensor dy = random(rnd, y.shape().dims());
    assertGradient(
        k.depthwiseConv2dBackpropInput(x.shape(), f, dy, spec),
        xi -> k.depthwiseConv2d(xi, f, spec),
        x,
        dy);
    assertGradient(
        k.depthwiseConv2dBackpropFilter(x, f.shape(), dy, spec),
        fi -> k.depthwiseConv2d(x, fi, spec),
        f,
        dy);
  }

  @Test
  void explicitlyPaddedDilatedConvolutionGradientsMatchFiniteDifferences() {
    Random rnd = new Random(11);
    Conv2dSpec spec = Conv2dSpec.explicit(2, 1, 1, 2, 0, 1, DataFormat.NHWC).withDilations(2, 1);
    Tensor x = random(rnd, 2, 5, 4, 2);
    Tensor f = random(rnd, 2, 3, 2, 3);
    Tensor dy = random(rnd, k.conv2d(x, f, spec).shape().dims());
    assertGradient(
        k.conv2dBackpropInput(x.shape(), f, dy, spec), xi -> k.conv2d(xi, f, spec), x, dy);
    assertGradient(
        k.conv2dBackpropFilter(x, f.shape(), dy, spec), fi -> k.conv2d(x, fi, spec), f, dy);
  }

  static LongStream seeds30() {
    return LongStream.range(0, 30);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds30")
  void poolingGradientsMatchFiniteDifferences(long seed) {
    Random rnd = new Random(seed);
    int h = rnd.nextInt(1, 7);
    int w = rnd.nextInt(1, 7);
    int window = rnd.nextInt(1, 4);
    int stride = rnd.nextInt(1, 4);
    boolean same = rnd.nextBoolean();
    boolean nchw = rnd.nextBoolean();
    DataFormat format = nchw ? DataFormat.NCHW : DataFormat.NHWC;
    PoolSpec spec = PoolSpec.of(window, stride, same ? Padding.SAME : Padding.VALID, format);
    Tensor x = distinct(rnd, format.shape(2, h, w, 2).dims());
    Tensor y = k.maxPool(x, spec);
    Tensor dy = random(rnd, y.shape().dims());
    assertGradient(k.maxPoolGrad(x, dy, spec), xi -> k.maxPool(xi, spec), x, dy);
    assertGradient(k.avgPoolGrad(x.shape(), dy, spec), xi -> k.avgPool(xi, spec), x, dy);
  }

  static LongStream seeds20() {
    return LongStream.range(0, 20);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds20")
  void batchNormGradientsMatchFiniteDifferences(long seed) {
    Random rnd = new Random(seed);
    int n = rnd.nextInt(1, 4);
    int h = rnd.nextInt(1, 4);
    int w = rnd.nextInt(1, 4);
    int c = rnd.nextInt(1, 4);
    boolean nchw = rnd.nextBoolean();
    if (n * h * w < 2) {
      return; // one pixel per channel normalises to exactly the offset
    }
    DataFormat format = nchw ? DataFormat.NCHW : DataFormat.NHWC;
    Tensor x = random(rnd, format.shape(n, h, w, c).dims());
    Tensor scale = random(rnd, c);
    Tensor offset = random(rnd, c);
    double eps = 1e-3;
    FusedBatchNormResult r = k.fusedBatchNorm(x, scale, offset, null, null, eps, format, true);
    Tensor dy = random(rnd, x.shape().dims());
    BatchNormGradients g =
        k.fusedBatchNormGrad(dy, x, scale, r.savedMean(), r.savedInvStd(), format);
    assertGradient(
        g.x(), xi -> k.fusedBatchNorm(xi, scale, offset, null, null, eps, format, true).y(), x, dy);
    assertGradient(
        g.scale(),
        si -> k.fusedBatchNorm(x, si, offset, null, null, eps, format, true).y(),
        scale,
        dy);
    assertGradient(
        g.offset(),
        oi -> k.fusedBatchNorm(x, scale, oi, null, null, eps, format, true).y(),
        offset,
        dy);
  }

  @Test
  void crossEntropyBackpropIsTheGradientOfTheLoss() {
    Random rnd = new Random(5);
    Tensor logits = k.binary(BinaryOp.MUL, random(rnd, 4, 5), Tensor.ofDoubles(Shape.scalar(), 3));
    Tensor labels = Tensor.ofLongs(Shape.of(4), 0, 4, 2, 2);
    Tensor weights = random(rnd, 4);
    CrossEntropyResult r = k.sparseSoftmaxCrossEntropy(logits, labels);
    // d(sum_b w_b loss_b)/d logits[b, j] = w_b * backprop[b, j]
    Tensor expected = k.binary(BinaryOp.MUL, r.backprop(), weights.reshape(Shape.of(4, 1)));
    assertGradient(expected, li -> k.sparseSoftmaxCrossEntropy(li, labels).loss(), logits, weights);
  }

  @Test
  void biasAddGradIsTheGradientOfBiasAdd() {
    Random rnd = new Random(6);
    for (DataFormat format : DataFormat.values()) {
      Tensor x = random(rnd, 2, 3, 4, 5);
      Tensor bias = random(rnd, format == DataFormat.NHWC ? 5 : 3);
      Tensor dy = random(rnd, 2, 3, 4, 5);
      assertGradient(k.biasAddGrad(dy, format), b -> k.biasAdd(x, b, format), bias, dy);
    }
  }

  @Test
  void activationGradientsMatchFiniteDifferences() {
    Random rnd = new Random(7);
    Tensor x = awayFrom(rnd, 0.05, new double[] {0, 6}, 3, 7);
    Tensor dy = random(rnd, 3, 7);
    assertGradient(k.reluGrad(dy, x), xi -> k.unary(UnaryOp.RELU, xi), x, dy);
    assertGradient(k.relu6Grad(dy, x), xi -> k.unary(UnaryOp.RELU6, xi), x, dy);
    Tensor s = random(rnd, 3, 7);
    assertGradient(
        k.sigmoidGrad(k.unary(UnaryOp.SIGMOID, s), dy), xi -> k.unary(UnaryOp.SIGMOID, xi), s, dy);
    assertGradient(
        k.tanhGrad(k.unary(UnaryOp.TANH, s), dy), xi -> k.unary(UnaryOp.TANH, xi), s, dy);
  }

  @Test
  void sumToShapeIsTheGradientOfBroadcasting() {
    Random rnd = new Random(8);
    Tensor zeros = Tensor.zeros(DType.FLOAT64, Shape.of(2, 3, 4));
    for (Shape small :
        new Shape[] {Shape.of(4), Shape.of(3, 1), Shape.of(2, 1, 4), Shape.scalar()}) {
      Tensor a = random(rnd, small.dims());
      Tensor dy = random(rnd, 2, 3, 4);
      assertGradient(k.sumToShape(dy, small), ai -> k.binary(BinaryOp.ADD, ai, zeros), a, dy);
    }
  }

  @Test
  void padGradIsTheGradientOfPad() {
    Random rnd = new Random(9);
    long[][] paddings = {{1, 2}, {0, 1}, {3, 0}};
    Tensor x = random(rnd, 2, 3, 2);
    Tensor dy = random(rnd, 5, 4, 5);
    assertGradient(k.padGrad(dy, paddings), xi -> k.pad(xi, paddings, 0.5), x, dy);
  }

  @Test
  void matmulGradientsAreMatmulsWithTheOutputGradient() {
    Random rnd = new Random(10);
    Tensor a = random(rnd, 3, 4);
    Tensor b = random(rnd, 4, 2);
    Tensor dy = random(rnd, 3, 2);
    assertGradient(k.matmul(dy, b, false, true), ai -> k.matmul(ai, b, false, false), a, dy);
    assertGradient(k.matmul(a, dy, true, false), bi -> k.matmul(a, bi, false, false), b, dy);
  }
}
