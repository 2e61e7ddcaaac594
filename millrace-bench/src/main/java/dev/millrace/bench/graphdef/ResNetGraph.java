package dev.millrace.bench.graphdef;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** The TensorFlow-written frozen ResNet both graph benchmarks run, and their input images. */
public final class ResNetGraph {
  private ResNetGraph() {}

  /**
   * {@code testdata/tensorflow/graphs/resnet-cifar.pb}, found from the property {@code
   * millrace.testdata} or by walking up from the working directory.
   */
  public static Path file() {
    String p = System.getProperty("millrace.testdata");
    Path base = p != null ? Path.of(p) : findUp();
    Path f = base.resolve("tensorflow/graphs/resnet-cifar.pb");
    if (!Files.isRegularFile(f)) {
      throw new IllegalStateException(
          f + ": missing (run from the repository, or set -Dmillrace.testdata)");
    }
    return f;
  }

  private static Path findUp() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("testdata/tensorflow"))) {
        return d.resolve("testdata");
      }
    }
    return Path.of("testdata");
  }

  /** {@code batch} random 32×32×3 images in [0, 1), NHWC, the same for a given batch size. */
  public static float[] randomImages(int batch) {
    float[] v = new float[batch * 32 * 32 * 3];
    SplittableRandom r = new SplittableRandom(99);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextDouble();
    }
    return v;
  }
}
