package dev.millrace.kernels;

import static dev.millrace.kernels.FastMatchesReference.REFERENCE;
import static dev.millrace.kernels.FastMatchesReference.assertMatches;
import static dev.millrace.kernels.FastMatchesReference.fast;
import static dev.millrace.kernels.FastMatchesReference.pick;
import static dev.millrace.kernels.FastMatchesReference.random;

import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The direct NHWC convolution (no patch packing; it serves input channels × stride of 16, 32 or 64
 * and fewer than 128 output channels) against the reference: output widths that cut into tiles of 4
 * pixels (16-channel panels) or of 12 and 8 pixels (the 8-channel panels left over) with short last
 * tiles (1, 4, 5, 6, 7, 8, 9, 12, 13, 16, 17, 24, 25, 31), output channels around the 16- and
 * 8-wide panels (16 and 8 alone, 16 + 8, 16 + 1, several 16s), dilation, every padding, images cut
 * into row bands (for the threads or to keep a band in L2), and both epilogues. Channel counts that
 * have no direct kernel (8 at stride 1, 17) take the GEMM and check that the choice falls back
 * cleanly. Tolerance as in {@link FastGemmAndConvTest}.
 *
 * <p>The compared cases are numbered by their seed, which picks the case's choices (the first of
 * them in turn through their lists, so that every listed combination is met) and seeds the rest and
 * the data, so a failing case replays from the seed in its name.
 */
class DirectNhwcConvolutionTest {

  /**
   * Widths that cut into tiles of 4, 8 and 12 pixels with short last tiles (with stride 1 and SAME
   * padding the output width is the input width).
   */
  private static final int[] WIDTHS = {1, 4, 5, 6, 7, 8, 9, 12, 13, 16, 17, 24, 25, 31};

  private static final int[] CHANNELS = {8, 16, 17, 32, 64};
  private static final int[] OUTPUT_CHANNELS = {1, 7, 8, 9, 16, 17, 24, 33, 48, 64};

  /** Every width with every channel count, twice. */
  static LongStream seeds() {
    return LongStream.range(0, 2 * WIDTHS.length * CHANNELS.length);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void directNhwcConvolutionMatchesReference(long seed) {
    int w = WIDTHS[(int) (seed % WIDTHS.length)];
    int c = CHANNELS[(int) (seed / WIDTHS.length % CHANNELS.length)];
    Random rnd = new Random(seed);
    int n = rnd.nextInt(1, 4);
    int h = rnd.nextInt(1, 10);
    int oc = pick(rnd, OUTPUT_CHANNELS);
    int kh = rnd.nextInt(1, 4);
    int kw = rnd.nextInt(1, 4);
    int stride = rnd.nextInt(1, 3);
    int dilation = rnd.nextInt(1, 3);
    Padding padding = Padding.values()[rnd.nextInt(Padding.values().length)];
    boolean threaded = rnd.nextBoolean();
    boolean biasOnly = rnd.nextInt(3) == 0;
    UnaryOp activation = rnd.nextBoolean() ? UnaryOp.RELU : UnaryOp.RELU6;
    DataFormat format = DataFormat.NHWC;
    Conv2dSpec spec =
        padding == Padding.EXPLICIT
            ? Conv2dSpec.explicit(stride, stride, 1, 2, 0, 1, format)
            : new Conv2dSpec(stride, stride, dilation, dilation, padding, 0, 0, 0, 0, format);
    Tensor x = random(rnd, format.shape(n, h, w, c));
    Tensor f = random(rnd, Shape.of(kh, kw, c, oc));
    Tensor expected;
    try {
      expected = REFERENCE.conv2d(x, f, spec);
    } catch (IllegalArgumentException tooSmall) {
      return;
    }
    double tolerance = 1e-5 * (kh * kw * c + 1);
    assertMatches(fast(threaded).conv2d(x, f, spec), expected, tolerance, 0);
    ConvEpilogue epilogue =
        biasOnly
            ? ConvEpilogue.bias(random(rnd, oc), UnaryOp.IDENTITY)
            : new ConvEpilogue(random(rnd, oc), random(rnd, oc), activation);
    assertMatches(
        fast(threaded).fusedConv2d(x, f, spec, epilogue),
        REFERENCE.fusedConv2d(x, f, spec, epilogue),
        tolerance,
        0);
  }

  @Test
  void outputRowsWhoseFilterRowsReachIntoThePaddingMatchReference() {
    // Each output row takes only the filter rows that read real input rows. Padding of 4 rows on
    // top and 3 below a 3- or 5-high filter (dilated or not) leaves rows that take some of the
    // filter and rows that take none of it (zero, then the epilogue's bias): step tiles (32
    // channels), tap tiles (3 channels), 8- and 16-wide panels, whole images and row bands.
    Random rnd = new Random(14);
    for (int c : new int[] {3, 32}) {
      for (int kh : new int[] {3, 5}) {
        for (int dilation : new int[] {1, 2}) {
          for (int stride : new int[] {1, 2}) {
            Tensor x = random(rnd, DataFormat.NHWC.shape(2, 6, 9, c));
            Tensor f = random(rnd, Shape.of(kh, 3, c, 40));
            Conv2dSpec spec =
                Conv2dSpec.explicit(stride, stride, 4, 3, 1, 1, DataFormat.NHWC)
                    .withDilations(dilation, 1);
            double tolerance = 1e-5 * (3 * kh * c + 1);
            boolean threaded = stride == 2;
            assertMatches(
                fast(threaded).conv2d(x, f, spec), REFERENCE.conv2d(x, f, spec), tolerance, 0);
            ConvEpilogue epilogue =
                new ConvEpilogue(random(rnd, 40), random(rnd, 40), UnaryOp.RELU);
            assertMatches(
                fast(!threaded).fusedConv2d(x, f, spec, epilogue),
                REFERENCE.fusedConv2d(x, f, spec, epilogue),
                tolerance,
                0);
          }
        }
      }
    }
  }

  @Test
  void directNhwcConvolutionSplitIntoRowBandsMatchesReference() {
    // Few images and enough work to use the threads: each image is cut into bands of output rows,
    // each band padding its own input rows (the rows shared by neighbouring bands twice).
    Random rnd = new Random(11);
    for (int images : new int[] {1, 2}) {
      for (int stride : new int[] {1, 2}) {
        int c = 32 / stride;
        Tensor x = random(rnd, DataFormat.NHWC.shape(images, 23, 25, c));
        Tensor f = random(rnd, Shape.of(3, 3, c, 17));
        for (Padding padding : new Padding[] {Padding.SAME, Padding.VALID}) {
          Conv2dSpec spec = Conv2dSpec.of(stride, padding, DataFormat.NHWC);
          assertMatches(
              fast(true).conv2d(x, f, spec), REFERENCE.conv2d(x, f, spec), 1e-5 * (9 * c + 1), 0);
        }
      }
    }
  }

  @Test
  void directNhwcConvolutionOfAnImageLargerThanL2MatchesReference() {
    // 42 padded columns of 64 channels: a band holds at most 24 rows (MAX_BAND_FLOATS), so even a
    // single thread cuts the 45 output rows into bands.
    Random rnd = new Random(12);
    Tensor x = random(rnd, DataFormat.NHWC.shape(1, 45, 40, 64));
    Tensor f = random(rnd, Shape.of(3, 3, 64, 9));
    Conv2dSpec spec = Conv2dSpec.of(1, Padding.SAME, DataFormat.NHWC);
    Tensor expected = REFERENCE.conv2d(x, f, spec);
    for (boolean threaded : new boolean[] {false, true}) {
      assertMatches(fast(threaded).conv2d(x, f, spec), expected, 1e-5 * (9 * 64 + 1), 0);
    }
  }

  @Test
  void directNhwcConvolutionOfWholeSixteenChannelPanelsMatchesReference() {
    // Only 16-wide tiles (4 pixels × 16 channels), every pixel step, rows that end in a short tile
    // or not, with and without the fused epilogue on the two halves of each tile.
    Random rnd = new Random(13);
    for (int step : new int[] {16, 32, 64}) {
      for (int stride : new int[] {1, 2}) {
        int c = step / stride;
        for (int oc : new int[] {16, 32, 48, 64}) {
          for (int ow : new int[] {6, 7, 12, 13, 16}) {
            Tensor x = random(rnd, DataFormat.NHWC.shape(2, 3, ow * stride, c));
            Tensor f = random(rnd, Shape.of(3, 3, c, oc));
            Conv2dSpec spec = Conv2dSpec.of(stride, Padding.SAME, DataFormat.NHWC);
            double tolerance = 1e-5 * (9 * c + 1);
            assertMatches(
                fast(ow % 2 == 0).conv2d(x, f, spec), REFERENCE.conv2d(x, f, spec), tolerance, 0);
            ConvEpilogue epilogue =
                new ConvEpilogue(random(rnd, oc), random(rnd, oc), UnaryOp.RELU);
            assertMatches(
                fast(ow % 2 == 1).fusedConv2d(x, f, spec, epilogue),
                REFERENCE.fusedConv2d(x, f, spec, epilogue),
                tolerance,
                0);
          }
        }
      }
    }
  }

  /**
   * 3- and 5-wide filters at stride 1: the input-stationary tiles (16 or 8 pixels × one vector, 8
   * or 4 pixels × two, read from a row-planar copy of the band) with any input channel count (1, 3,
   * 5 and 17 have no step tiles, so every panel runs them; 16 and 32 run them on the panels left
   * over after the wide ones), 1 to kw filter rows, row dilation, each padding, batch 1 and 3, rows
   * that end in a short tile, output channels below one vector, a partial last panel or whole wide
   * panels, both epilogues. Padding, batch and output channels go round their lists case by case,
   * so that every width meets several of each.
   */
  @ParameterizedTest(name = "kw={0} seed={1}")
  @CsvSource({"3, 14", "5, 15"})
  void directNhwcConvolutionOfTapFiltersMatchesReferenceForAnyChannelCount(int kw, long seed) {
    Random rnd = new Random(seed);
    int[] widths = {1, 7, 8, 9, 14, 16, 17, 24, 28, 32, 33};
    int[] outputChannels = {1, 3, 8, 15, 16, 17, 32, 40, 64};
    int n = 0;
    for (int c : new int[] {1, 3, 5, 16, 17, 32}) {
      for (int ow : widths) {
        n++;
        int oc = outputChannels[n % outputChannels.length];
        Padding padding = Padding.values()[n % Padding.values().length];
        int images = n % 2 == 0 ? 1 : 3;
        int kh = rnd.nextInt(1, kw + 1);
        int dilationH = rnd.nextInt(1, 3);
        // EXPLICIT pads kw / 2 on the left and 1 on the right.
        Conv2dSpec spec =
            padding == Padding.EXPLICIT
                ? Conv2dSpec.explicit(1, 1, 1, 1, kw / 2, 1, DataFormat.NHWC)
                : new Conv2dSpec(1, 1, dilationH, 1, padding, 0, 0, 0, 0, DataFormat.NHWC);
        int w =
            switch (padding) {
              case SAME -> ow;
              case VALID -> ow + kw - 1;
              case EXPLICIT -> ow + kw - 1 - kw / 2 - 1;
            };
        Tensor x = random(rnd, DataFormat.NHWC.shape(images, rnd.nextInt(kh, kh + 5), w, c));
        Tensor f = random(rnd, Shape.of(kh, kw, c, oc));
        Tensor expected;
        try {
          expected = REFERENCE.conv2d(x, f, spec);
        } catch (IllegalArgumentException tooSmall) {
          continue;
        }
        double tolerance = 1e-5 * (kh * kw * c + 1);
        boolean threaded = rnd.nextBoolean();
        assertMatches(fast(threaded).conv2d(x, f, spec), expected, tolerance, 0);
        ConvEpilogue epilogue = new ConvEpilogue(random(rnd, oc), random(rnd, oc), UnaryOp.RELU6);
        assertMatches(
            fast(threaded).fusedConv2d(x, f, spec, epilogue),
            REFERENCE.fusedConv2d(x, f, spec, epilogue),
            tolerance,
            0);
      }
    }
  }
}
