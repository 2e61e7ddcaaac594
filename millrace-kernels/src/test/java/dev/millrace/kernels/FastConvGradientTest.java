package dev.millrace.kernels;

import static dev.millrace.kernels.FastMatchesReference.REFERENCE;
import static dev.millrace.kernels.FastMatchesReference.assertMatches;
import static dev.millrace.kernels.FastMatchesReference.fast;
import static dev.millrace.kernels.FastMatchesReference.random;

import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast Conv2D gradients against their reference twins: the layers of the built-in models (at a
 * small batch) and awkward ones (prime sizes and channel counts, the vector width ± 1, an empty
 * batch), in both formats, strides 1 and 2, SAME and VALID, on one thread and on three. Tolerance:
 * a float sum of {@code n} products of values in [-1, 1) may differ from the reference's double sum
 * by {@code 1e-5 * (n + 1)}, n being the products per element (kh·kw·oc for the input gradient, the
 * batch's output pixels for the filter gradient).
 */
class FastConvGradientTest {

  /** {batch, size, in, out, kernel, stride, same}. */
  private static final int[][] LAYERS = {
    // fashion-cnn
    {3, 28, 1, 32, 3, 1, 1},
    {3, 14, 32, 64, 3, 1, 1},
    {3, 7, 64, 128, 3, 1, 1},
    // tf-tutorial-cnn
    {2, 28, 1, 32, 5, 1, 1},
    {2, 14, 32, 64, 5, 1, 1},
    // resnet20: 3x3 stride 1 and 2, 1x1 projections of stride 2
    {2, 32, 3, 16, 3, 1, 1},
    {2, 16, 32, 32, 3, 1, 1},
    {2, 16, 16, 32, 3, 2, 1},
    {2, 16, 16, 32, 1, 2, 1},
    {2, 8, 32, 64, 1, 2, 0},
    // awkward: primes, lane width +- 1, VALID at both strides, an empty batch
    {3, 11, 7, 9, 3, 1, 0},
    {2, 13, 9, 7, 3, 2, 0},
    {5, 5, 17, 15, 5, 1, 1},
    {1, 9, 3, 13, 3, 2, 1},
    {2, 6, 8, 8, 1, 1, 0},
    {0, 7, 5, 3, 3, 1, 1},
  };

  static Stream<Arguments> layers() {
    List<Arguments> cases = new ArrayList<>();
    long seed = 11;
    for (int[] l : LAYERS) {
      for (DataFormat format : DataFormat.values()) {
        for (boolean threaded : new boolean[] {false, true}) {
          cases.add(Arguments.of(l, format, threaded, seed++));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{index}: {0} {1} threaded={2} seed={3}")
  @MethodSource("layers")
  void gradientsMatchReferenceOnModelAndAwkwardLayers(
      int[] layer, DataFormat format, boolean threaded, long seed) {
    int n = layer[0];
    int size = layer[1];
    int c = layer[2];
    int oc = layer[3];
    int kernel = layer[4];
    Conv2dSpec spec = Conv2dSpec.of(layer[5], layer[6] == 1 ? Padding.SAME : Padding.VALID, format);
    Random rnd = new Random(seed);
    Tensor x = random(rnd, format.shape(n, size, size, c));
    Tensor f = random(rnd, Shape.of(kernel, kernel, c, oc));
    Tensor y = REFERENCE.conv2d(x, f, spec);
    Tensor dy = random(rnd, y.shape());
    long pixels = y.size() / oc;
    Kernels k = fast(threaded);
    assertMatches(
        k.conv2dBackpropInput(x.shape(), f, dy, spec),
        REFERENCE.conv2dBackpropInput(x.shape(), f, dy, spec),
        1e-5 * (kernel * kernel * oc + 1),
        0);
    assertMatches(
        k.conv2dBackpropFilter(x, f.shape(), dy, spec),
        REFERENCE.conv2dBackpropFilter(x, f.shape(), dy, spec),
        1e-5 * (pixels + 1),
        0);
  }

  /** Dilated filters: along H only (the NHWC direct filter gradient), along W, and both. */
  @ParameterizedTest(name = "{index}: dilations {0}x{1} {2} stride {3}")
  @MethodSource("dilations")
  void dilatedGradientsMatchReference(int dh, int dw, DataFormat format, int stride) {
    Conv2dSpec spec = Conv2dSpec.of(stride, Padding.SAME, format).withDilations(dh, dw);
    Random rnd = new Random(31L * dh + dw + stride);
    Tensor x = random(rnd, format.shape(2, 13, 11, 5));
    Tensor f = random(rnd, Shape.of(3, 5, 5, 19));
    Tensor y = REFERENCE.conv2d(x, f, spec);
    Tensor dy = random(rnd, y.shape());
    assertMatches(
        fast(true).conv2dBackpropFilter(x, f.shape(), dy, spec),
        REFERENCE.conv2dBackpropFilter(x, f.shape(), dy, spec),
        1e-5 * (y.size() / 19 + 1),
        0);
  }

  static Stream<Arguments> dilations() {
    List<Arguments> cases = new ArrayList<>();
    for (DataFormat format : DataFormat.values()) {
      cases.add(Arguments.of(2, 1, format, 1));
      cases.add(Arguments.of(1, 2, format, 1));
      cases.add(Arguments.of(3, 2, format, 1));
    }
    return cases.stream();
  }
}
