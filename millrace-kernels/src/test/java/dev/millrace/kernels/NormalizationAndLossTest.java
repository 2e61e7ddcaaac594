package dev.millrace.kernels;

import static dev.millrace.kernels.TestTensors.assertClose;
import static dev.millrace.kernels.TestTensors.assertValues;
import static dev.millrace.kernels.TestTensors.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NormalizationAndLossTest {
  private static final DataFormat NHWC = DataFormat.NHWC;
  private static final DataFormat NCHW = DataFormat.NCHW;
  private final Kernels k = new ReferenceKernels();

  private static Tensor vec(double... v) {
    return Tensor.ofDoubles(Shape.of(v.length), v);
  }

  @Test
  void inferenceBatchNormAppliesTheGivenStatisticsPerChannel() {
    // NHWC 1×1×2×2: channel 0 holds 1, 3; channel 1 holds 2, 4.
    Tensor x = Tensor.ofDoubles(Shape.of(1, 1, 2, 2), 1, 2, 3, 4);
    double eps = 1e-3;
    FusedBatchNormResult r =
        k.fusedBatchNorm(x, vec(2, 0.5), vec(1, -1), vec(1, 2), vec(4, 0.25), eps, NHWC, false);
    double inv0 = 1 / Math.sqrt(4 + eps);
    double inv1 = 1 / Math.sqrt(0.25 + eps);
    assertValues(r.y(), 1e-12, 1, -1, 2 * 2 * inv0 + 1, 0.5 * 2 * inv1 - 1);
    assertValues(r.batchMean(), 0, 1, 2);
    assertValues(r.batchVariance(), 0, 4, 0.25);
    assertValues(r.savedInvStd(), 1e-12, inv0, inv1);
  }

  @Test
  void inferenceBatchNormUsesChannelAxisOneInNchw() {
    // NCHW 1×2×1×2: channel 0 holds 1, 3; channel 1 holds 2, 4.
    Tensor x = Tensor.ofDoubles(Shape.of(1, 2, 1, 2), 1, 3, 2, 4);
    FusedBatchNormResult r =
        k.fusedBatchNorm(x, vec(1, 1), vec(0, 10), vec(1, 2), vec(1, 1), 0, NCHW, false);
    assertValues(r.y(), 1e-12, 0, 2, 10, 12);
  }

  @Test
  void trainingBatchNormNormalisesWithTheBiasedVarianceAndReportsTheUnbiased() {
    // One channel, four pixels: mean 2.5, biased variance 1.25, unbiased 5/3.
    Tensor x = Tensor.ofDoubles(Shape.of(2, 1, 2, 1), 1, 2, 3, 4);
    double eps = 0.01;
    FusedBatchNormResult r = k.fusedBatchNorm(x, vec(1), vec(0), null, null, eps, NHWC, true);
    double inv = 1 / Math.sqrt(1.25 + eps);
    assertValues(r.y(), 1e-12, -1.5 * inv, -0.5 * inv, 0.5 * inv, 1.5 * inv);
    assertValues(r.batchMean(), 1e-12, 2.5);
    assertValues(r.batchVariance(), 1e-12, 5 / 3.0);
    assertValues(r.savedMean(), 1e-12, 2.5);
    assertValues(r.savedInvStd(), 1e-12, inv);
  }

  @Test
  void epsilonKeepsAConstantChannelFinite() {
    Tensor x = Tensor.ofFloats(Shape.of(1, 2, 2, 1), 3, 3, 3, 3);
    Tensor one = Tensor.ofFloats(Shape.of(1), 1);
    Tensor off = Tensor.ofFloats(Shape.of(1), 0.5f);
    FusedBatchNormResult r = k.fusedBatchNorm(x, one, off, null, null, 1e-4, NHWC, true);
    assertThat(r.y().dtype()).isEqualTo(DType.FLOAT32);
    assertValues(r.y(), 0, 0.5, 0.5, 0.5, 0.5);
    assertValues(r.savedInvStd(), 1e-3, 100);
    assertValues(r.batchVariance(), 0, 0);
  }

  @Test
  void aSinglePixelPerChannelReportsItsVarianceWithoutDividingByZero() {
    Tensor x = Tensor.ofDoubles(Shape.of(1, 1, 1, 2), 5, 7);
    FusedBatchNormResult r =
        k.fusedBatchNorm(x, vec(1, 1), vec(0, 0), null, null, 1e-3, NHWC, true);
    assertValues(r.batchVariance(), 0, 0, 0);
    assertValues(r.batchMean(), 0, 5, 7);
  }

  static LongStream seeds40() {
    return LongStream.range(0, 40);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds40")
  void nchwBatchNormEqualsNhwcAfterTransposing(long seed) {
    Random rnd = new Random(seed);
    int n = rnd.nextInt(1, 4);
    int h = rnd.nextInt(1, 5);
    int w = rnd.nextInt(1, 5);
    int c = rnd.nextInt(1, 5);
    boolean training = rnd.nextBoolean();
    Tensor x = random(rnd, n, h, w, c);
    Tensor scale = random(rnd, c);
    Tensor offset = random(rnd, c);
    Tensor mean = random(rnd, c);
    Tensor var = k.unary(UnaryOp.ABS, random(rnd, c));
    FusedBatchNormResult a = k.fusedBatchNorm(x, scale, offset, mean, var, 1e-3, NHWC, training);
    FusedBatchNormResult b =
        k.fusedBatchNorm(x.toFormat(NHWC, NCHW), scale, offset, mean, var, 1e-3, NCHW, training);
    assertClose(b.y().toFormat(NCHW, NHWC), a.y(), 1e-12);
    assertClose(b.batchVariance(), a.batchVariance(), 1e-12);
    Tensor dy = random(rnd, n, h, w, c);
    BatchNormGradients ga =
        k.fusedBatchNormGrad(dy, x, scale, a.savedMean(), a.savedInvStd(), NHWC);
    BatchNormGradients gb =
        k.fusedBatchNormGrad(
            dy.toFormat(NHWC, NCHW),
            x.toFormat(NHWC, NCHW),
            scale,
            b.savedMean(),
            b.savedInvStd(),
            NCHW);
    assertClose(gb.x().toFormat(NCHW, NHWC), ga.x(), 1e-12);
    assertClose(gb.scale(), ga.scale(), 1e-12);
    assertClose(gb.offset(), ga.offset(), 1e-12);
  }

  @Test
  void batchNormRejectsMisshapenParametersAndMissingInferenceStatistics() {
    Tensor x = Tensor.zeros(DType.FLOAT32, Shape.of(2, 4, 4, 3));
    Tensor c3 = Tensor.zeros(DType.FLOAT32, Shape.of(3));
    Tensor c4 = Tensor.zeros(DType.FLOAT32, Shape.of(4));
    assertThatThrownBy(() -> k.fusedBatchNorm(x, c4, c3, null, null, 1e-3, NHWC, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scale [4]")
        .hasMessageContaining("[2, 4, 4, 3]");
    assertThatThrownBy(() -> k.fusedBatchNorm(x, c3, c3, null, null, 1e-3, NHWC, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mean");
    assertThat(k.fusedBatchNorm(x, c4, c4, null, null, 1e-3, NCHW, true).batchMean().shape())
        .isEqualTo(Shape.of(4));
    assertThatThrownBy(() -> k.fusedBatchNorm(x, c4, c3, null, null, 1e-3, NCHW, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offset [3]")
        .hasMessageContaining("NCHW");
  }

  @Test
  void softmaxIsStableAndNormalisesTheLastAxis() {
    Tensor logits = Tensor.ofDoubles(Shape.of(2, 3), 1, 2, 3, 1000, 1000, -1000);
    Tensor s = k.softmax(logits);
    assertValues(
        s, 1e-12, 0.09003057317038046, 0.24472847105479767, 0.6652409557748219, 0.5, 0.5, 0);
    Tensor ls = k.logSoftmax(logits);
    assertValues(
        ls,
        1e-12,
        Math.log(0.09003057317038046),
        Math.log(0.24472847105479767),
        Math.log(0.6652409557748219),
        -Math.log(2),
        -Math.log(2),
        -2000 - Math.log(2));
    Tensor rank3 = k.softmax(Tensor.ofFloats(Shape.of(2, 1, 2), 0, 0, 5, 5));
    assertThat(rank3.dtype()).isEqualTo(DType.FLOAT32);
    assertValues(rank3, 0, 0.5, 0.5, 0.5, 0.5);
  }

  @Test
  void sparseCrossEntropyIsLogSumExpMinusTheLabelLogit() {
    Tensor logits = Tensor.ofDoubles(Shape.of(2, 3), 1, 2, 3, 1000, 0, -1000);
    CrossEntropyResult r = k.sparseSoftmaxCrossEntropy(logits, Tensor.ofInts(Shape.of(2), 2, 1));
    assertValues(r.loss(), 1e-12, 0.40760596444438013, 1000);
    assertValues(
        r.backprop(),
        1e-12,
        0.09003057317038046,
        0.24472847105479767,
        0.6652409557748219 - 1,
        1,
        -1,
        0);
    CrossEntropyResult r64 = k.sparseSoftmaxCrossEntropy(logits, Tensor.ofLongs(Shape.of(2), 2, 1));
    assertClose(r64.loss(), r.loss(), 0);
  }

  @Test
  void sparseCrossEntropyRejectsAnOutOfRangeLabelNamingIt() {
    Tensor logits = Tensor.zeros(DType.FLOAT32, Shape.of(2, 3));
    assertThatThrownBy(() -> k.sparseSoftmaxCrossEntropy(logits, Tensor.ofInts(Shape.of(2), 0, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label 3")
        .hasMessageContaining("[0, 3)");
    assertThatThrownBy(
            () -> k.sparseSoftmaxCrossEntropy(logits, Tensor.ofInts(Shape.of(3), 0, 1, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("labels [3]")
        .hasMessageContaining("[2, 3]");
    assertThatThrownBy(
            () -> k.sparseSoftmaxCrossEntropy(logits, Tensor.ofFloats(Shape.of(2), 0, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FLOAT32 [2]");
  }
}
