package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.BatchNormGradients;
import dev.millrace.kernels.FusedBatchNormResult;
import dev.millrace.kernels.KernelThreads;
import dev.millrace.kernels.OutputBuffers;
import dev.millrace.kernels.PoolSpec;
import dev.millrace.kernels.internal.ChannelLayout;
import dev.millrace.kernels.internal.ConvKernels;
import dev.millrace.kernels.internal.PoolKernels;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;

/**
 * NCHW convolutions and poolings run as their NHWC twins between two layout copies.
 *
 * <p>Why: the NHWC kernels (direct convolution tiles, the direct filter gradient, channel-vector
 * pooling) put channels in the vector lanes, which suits this engine's register tiles; their NCHW
 * counterparts (a GEMM per image over gathered patches, column-vector pooling) measured 1.7–2.4×
 * slower per training step. A layout copy streams each element once (see {@link ImageTranspose}),
 * which costs less than the difference. The filter is HWIO in both formats, so only images move.
 *
 * <p>The copies come from the session's {@link OutputBuffers}. An input's copy goes back to them
 * before the call returns; a result's NHWC original stays with the run as its twin, which the next
 * NCHW kernel reading that result uses instead of copying it again. A tensor with one channel, or
 * with one pixel per image, has the same bytes in both layouts and is not copied. {@code
 * -Dmillrace.nchw.viaNhwc=false} keeps NCHW ops on their own kernels, for comparisons.
 */
public final class NchwViaNhwc {
  private static final boolean ENABLED =
      !"false".equals(System.getProperty("millrace.nchw.viaNhwc"));

  private NchwViaNhwc() {}

  /**
   * Whether the gradients of a convolution of this geometry run through NHWC: every NCHW one but
   * depthwise and pointwise convolutions (a pointwise NCHW convolution is one plain GEMM per image
   * already, so no copies pay).
   */
  static boolean convolution(ConvKernels.Geometry g) {
    return ENABLED
        && g.in().format() == DataFormat.NCHW
        && !g.depthwise()
        && !SimdConv.isPointwise(g);
  }

  /**
   * Whether a forward convolution of {@code input} runs through NHWC. Its gradients and poolings
   * always do; the forward pass only where that measured faster on its own: the input needs no copy
   * (one channel, or a twin kept by the run), or the NCHW GEMM is poor, with planes of fewer than
   * {@link #SMALL_PLANE} output pixels (a short GEMM row per image). Elsewhere, copying a large
   * input and output cost more than it saved: batch 32, 1 / 2 threads, 16→16 at 32×32 took 3.30 /
   * 1.94 ms through NHWC against 2.25 / 1.26 ms in NCHW, 16→32 at stride 2 1.69 / 1.15 against 1.63
   * / 0.96 ms; 64→64 at 8×8 1.67 / 1.08 against 3.27 / 2.15 ms.
   */
  static boolean forwardPays(Tensor input, ConvKernels.Geometry g) {
    if (!convolution(g)) {
      return false;
    }
    return g.in().c() == 1
        || g.out().h() * g.out().w() < SMALL_PLANE
        || OutputBuffers.twinOf(input) != null;
  }

  /** Output pixels per image below which the NCHW forward GEMM loses to the layout copies. */
  static final int SMALL_PLANE = 256;

  /** Whether a pooling of this geometry runs through NHWC. */
  static boolean pooling(PoolKernels.Geometry g) {
    return ENABLED && g.in().format() == DataFormat.NCHW;
  }

  /** The NHWC twin of an NCHW convolution. */
  static ConvKernels.Geometry nhwc(String op, ConvKernels.Geometry g) {
    return ConvKernels.Geometry.of(
        op,
        nhwcShape(g.in().shape()),
        g.filterShape(),
        g.spec().withFormat(DataFormat.NHWC),
        g.depthwise());
  }

  /** The NHWC twin of an NCHW pooling. */
  static PoolKernels.Geometry nhwc(String op, PoolKernels.Geometry g) {
    PoolSpec s = g.spec();
    PoolSpec twin =
        new PoolSpec(
            s.windowH(), s.windowW(), s.strideH(), s.strideW(), s.padding(), DataFormat.NHWC);
    return PoolKernels.Geometry.of(op, nhwcShape(g.in().shape()), twin);
  }

  /** {@code act(conv · scale + bias)} of an NCHW input, in NCHW. */
  static Tensor forward(
      Tensor input,
      Tensor filter,
      ConvKernels.Geometry g,
      float[] scale,
      float[] bias,
      Gemm.Activation act,
      KernelThreads threads) {
    Tensor x = toNhwc(input, threads);
    Tensor y = SimdConv.forward(x, filter, nhwc("conv2d", g), scale, bias, act, threads);
    giveBack(x, input);
    return toNchwReleasing(y, threads);
  }

  /** The input gradient of an NCHW convolution, in NCHW. */
  static Tensor backpropInput(
      Tensor filter, Tensor outputGrad, ConvKernels.Geometry g, KernelThreads threads) {
    ConvKernels.Geometry twin = nhwc("conv2dBackpropInput", g);
    Tensor dy = toNhwc(outputGrad, threads);
    Tensor dx = SimdConvGrad.backpropInput(twin.in().shape(), filter, dy, twin, threads);
    giveBack(dy, outputGrad);
    return toNchwReleasing(dx, threads);
  }

  /** The filter gradient of an NCHW convolution (HWIO, as in NHWC). */
  static Tensor backpropFilter(
      Tensor input,
      Shape filterShape,
      Tensor outputGrad,
      ConvKernels.Geometry g,
      KernelThreads threads) {
    Tensor x = toNhwc(input, threads);
    Tensor dy = toNhwc(outputGrad, threads);
    Tensor df =
        SimdConvGrad.backpropFilter(x, filterShape, dy, nhwc("conv2dBackpropFilter", g), threads);
    giveBack(x, input);
    giveBack(dy, outputGrad);
    return df;
  }

  /** Max or average pooling of an NCHW input, in NCHW. */
  static Tensor pool(Tensor input, PoolKernels.Geometry g, boolean max, KernelThreads threads) {
    Tensor x = toNhwc(input, threads);
    Tensor y = SimdPool.pool(x, nhwc("pool", g), max, threads);
    giveBack(x, input);
    return toNchwReleasing(y, threads);
  }

  /** MaxPoolGrad ({@code input} given) or AvgPoolGrad ({@code input} null), in NCHW. */
  static Tensor poolGrad(
      Tensor input, Tensor outputGrad, PoolKernels.Geometry g, boolean max, KernelThreads threads) {
    PoolKernels.Geometry twin = nhwc("poolGrad", g);
    Tensor x = max ? toNhwc(input, threads) : null;
    Tensor dy = toNhwc(outputGrad, threads);
    Tensor dx = SimdPool.grad(x, twin.in().shape(), dy, twin, max, threads);
    if (max) {
      giveBack(x, input);
    }
    giveBack(dy, outputGrad);
    return toNchwReleasing(dx, threads);
  }

  /** ReluGrad(MaxPoolGrad(x, outputGrad), x) of an NCHW {@code x}, in NCHW. */
  static Tensor maxGradOfPositive(
      Tensor input, Tensor outputGrad, PoolKernels.Geometry g, KernelThreads threads) {
    Tensor x = toNhwc(input, threads);
    Tensor dy = toNhwc(outputGrad, threads);
    Tensor dx = SimdPool.maxGradOfPositive(x, dy, nhwc("maxPoolGradOfRelu", g), threads);
    giveBack(x, input);
    giveBack(dy, outputGrad);
    return toNchwReleasing(dx, threads);
  }

  /**
   * Batch norm of an NCHW {@code x} that has an NHWC twin, computed on the twin (channels in the
   * lanes) and returned in NCHW with its own twin; null without a twin (the NCHW kernel is as fast
   * as the NHWC one, so copying an input for it does not pay).
   */
  public static FusedBatchNormResult batchNorm(
      Tensor x,
      float[] scale,
      float[] offset,
      float[] mean,
      float[] variance,
      double epsilon,
      boolean training,
      KernelThreads threads) {
    float[] twin = ENABLED && x.shape().rank() == 4 ? OutputBuffers.twinOf(x) : null;
    if (twin == null) {
      return null;
    }
    Shape nhwc = nhwcShape(x.shape());
    FusedBatchNormResult r =
        SimdNorm.fusedBatchNorm(
            Tensor.wrapping(nhwc, twin),
            scale,
            offset,
            mean,
            variance,
            epsilon,
            ChannelLayout.of("fusedBatchNorm", nhwc, DataFormat.NHWC),
            training,
            threads);
    return new FusedBatchNormResult(
        toNchwReleasing(r.y(), threads),
        r.batchMean(),
        r.batchVariance(),
        r.savedMean(),
        r.savedInvStd());
  }

  /**
   * The batch-norm gradient where both NCHW inputs have twins (see {@link #batchNorm}); else null.
   */
  public static BatchNormGradients batchNormGrad(
      Tensor outputGrad,
      Tensor x,
      float[] scale,
      float[] savedMean,
      float[] savedInvStd,
      KernelThreads threads) {
    if (!ENABLED || x.shape().rank() != 4) {
      return null;
    }
    float[] dyTwin = OutputBuffers.twinOf(outputGrad);
    float[] xTwin = dyTwin == null ? null : OutputBuffers.twinOf(x);
    if (xTwin == null) {
      return null;
    }
    Shape nhwc = nhwcShape(x.shape());
    BatchNormGradients g =
        SimdNorm.fusedBatchNormGrad(
            Tensor.wrapping(nhwc, dyTwin),
            Tensor.wrapping(nhwc, xTwin),
            scale,
            savedMean,
            savedInvStd,
            ChannelLayout.of("fusedBatchNormGrad", nhwc, DataFormat.NHWC),
            threads);
    return new BatchNormGradients(toNchwReleasing(g.x(), threads), g.scale(), g.offset());
  }

  /** The NHWC shape of an NCHW shape. */
  static Shape nhwcShape(Shape nchw) {
    return DataFormat.NHWC.shape(nchw.dim(0), nchw.dim(2), nchw.dim(3), nchw.dim(1));
  }

  /** An NCHW tensor's elements in NHWC order: the same array where the orders coincide. */
  static Tensor toNhwc(Tensor nchw, KernelThreads threads) {
    Shape s = nchw.shape();
    Shape target = nhwcShape(s);
    int n = Math.toIntExact(s.dim(0));
    int c = Math.toIntExact(s.dim(1));
    int hw = Math.toIntExact(s.dim(2) * s.dim(3));
    float[] twin = OutputBuffers.twinOf(nchw);
    if (twin != null) {
      return Tensor.wrapping(target, twin);
    }
    float[] src = Floats.of(nchw);
    if (c == 1 || hw == 1) {
      return Tensor.wrapping(target, src);
    }
    Tensor out = Floats.zeros(target);
    ImageTranspose.transpose(src, Floats.array(out), n, c, hw, threads);
    return out;
  }

  /**
   * An NHWC result in NCHW order. The NHWC array stays as the result's twin ({@link
   * dev.millrace.kernels.LayoutTwins}) for the next NCHW kernel that reads it, or goes back to the
   * session's buffers.
   */
  private static Tensor toNchwReleasing(Tensor nhwc, KernelThreads threads) {
    Shape s = nhwc.shape();
    Shape target = DataFormat.NCHW.shape(s.dim(0), s.dim(1), s.dim(2), s.dim(3));
    int n = Math.toIntExact(s.dim(0));
    int hw = Math.toIntExact(s.dim(1) * s.dim(2));
    int c = Math.toIntExact(s.dim(3));
    if (c == 1 || hw == 1) {
      return nhwc.reshape(target);
    }
    Tensor out = Floats.zeros(target);
    ImageTranspose.transpose(Floats.array(nhwc), Floats.array(out), n, hw, c, threads);
    if (!OutputBuffers.keepTwin(out, nhwc)) {
      OutputBuffers.giveBack(nhwc);
    }
    return out;
  }

  /** Gives a layout copy back, unless it is the caller's own tensor viewed in the other order. */
  private static void giveBack(Tensor copy, Tensor original) {
    if (Floats.of(copy) != Floats.of(original)) {
      OutputBuffers.giveBack(copy);
    }
  }
}
