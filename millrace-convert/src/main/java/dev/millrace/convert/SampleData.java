package dev.millrace.convert;

import dev.millrace.convert.internal.CifarSample;
import java.io.IOException;
import java.nio.file.Path;

/** Small data sets made on the spot, for {@code millrace quickstart} and for tests. */
public final class SampleData {
  private SampleData() {}

  /**
   * Writes a small {@code cifar-10-python.tar.gz}, format-exact: a {@code cifar-10-batches-py/}
   * folder with {@code data_batch_1..5}, {@code test_batch} and {@code batches.meta}, each a
   * protocol-2 pickle as Python 2's cPickle writes it (Python 2 {@code str} keys, numpy uint8
   * arrays, label lists). The images are synthetic but learnable: each class has its own colour and
   * stripe direction, plus noise. The same seed gives the same bytes.
   *
   * @param archive the file to write (atomically; replaced if it exists)
   * @param imagesPerBatch images in each of the six batches, 1 to 10,000
   * @return {@code archive}
   */
  public static Path writeCifar10PythonSample(Path archive, int imagesPerBatch, long seed)
      throws IOException {
    if (imagesPerBatch < 1 || imagesPerBatch > 10_000) {
      throw new IllegalArgumentException(
          "imagesPerBatch: " + imagesPerBatch + " (expected 1 to 10000)");
    }
    CifarSample.write(archive, imagesPerBatch, seed);
    return archive;
  }
}
