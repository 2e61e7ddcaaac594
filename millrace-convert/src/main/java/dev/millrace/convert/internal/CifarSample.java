package dev.millrace.convert.internal;

import dev.millrace.records.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.function.IntConsumer;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Makes a small {@code cifar-10-python.tar.gz} laid out and pickled like the real one: entries in
 * the real archive's (unsorted) order, each batch a cPickle protocol-2 dict with keys in Python 2's
 * order ({@code data, labels, batch_label, filenames}), lists appended in cPickle's batches of
 * 1000, the numpy array as numpy 1.x pickles it.
 */
public final class CifarSample {
  static final String DIR = "cifar-10-batches-py/";

  static final List<String> LABEL_NAMES =
      List.of(
          "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

  /** Class colours (R, G, B): distinct enough that a small network learns them quickly. */
  private static final int[][] PALETTE = {
    {200, 60, 60}, {60, 200, 60}, {60, 60, 200}, {200, 200, 60}, {200, 60, 200},
    {60, 200, 200}, {140, 140, 140}, {230, 140, 40}, {40, 140, 230}, {120, 60, 20}
  };

  /** The real archive's date; a fixed one keeps the output byte-identical for a seed. */
  private static final FileTime MTIME = FileTime.from(Instant.parse("2009-06-04T22:20:47Z"));

  /** Entry order of the real archive. */
  private static final List<String> ENTRY_ORDER =
      List.of(
          "data_batch_4",
          "readme.html",
          "test_batch",
          "data_batch_3",
          "batches.meta",
          "data_batch_2",
          "data_batch_5",
          "data_batch_1");

  private CifarSample() {}

  public static void write(Path archive, int imagesPerBatch, long seed) throws IOException {
    Path parent = archive.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    // Batches are generated in their numbered order so that a seed fixes each batch's content
    // whatever the entry order.
    Random random = new Random(seed);
    byte[][] batches = new byte[6][];
    for (int b = 0; b < 6; b++) {
      batches[b] = batch(b, imagesPerBatch, random);
    }
    AtomicFiles.write(
        archive,
        out -> {
          GZIPOutputStream gzip = new GZIPOutputStream(out, 1 << 16);
          TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip);
          directory(tar);
          for (String name : ENTRY_ORDER) {
            byte[] body =
                switch (name) {
                  case "readme.html" ->
                      "<html><body>Synthetic CIFAR-10 sample made by Millrace.</body></html>\n"
                          .getBytes(StandardCharsets.US_ASCII);
                  case "batches.meta" -> meta(imagesPerBatch);
                  case "test_batch" -> batches[5];
                  default -> batches[name.charAt(name.length() - 1) - '1'];
                };
            file(tar, DIR + name, body);
          }
          tar.finish();
          gzip.finish();
        });
  }

  /** Batch {@code b} (0–4 training, 5 test) as a pickle. */
  static byte[] batch(int b, int n, Random random) {
    int[] labels = new int[n];
    byte[] data = new byte[n * CifarLayout.IMAGE_BYTES];
    for (int i = 0; i < n; i++) {
      labels[i] = random.nextInt(CifarLayout.CLASSES);
      paint(labels[i], data, i * CifarLayout.IMAGE_BYTES, random);
    }
    PickleWriter p = new PickleWriter().proto2().emptyDict().memoize().mark();
    p.str("data").memoize().uint8Array(new int[] {n, CifarLayout.IMAGE_BYTES}, data).memoize();
    p.str("labels").memoize();
    list(p, n, i -> p.integer(labels[i]));
    p.str("batch_label").memoize();
    p.str(b < 5 ? "training batch " + (b + 1) + " of 5" : "testing batch 1 of 1").memoize();
    p.str("filenames").memoize();
    list(
        p,
        n,
        i ->
            p.str(String.format("%s_s_%06d.png", LABEL_NAMES.get(labels[i]), b * n + i + 1))
                .memoize());
    return p.setitems().stop().toByteArray();
  }

  /** {@code batches.meta}: the label names and the batch geometry. */
  static byte[] meta(int imagesPerBatch) {
    PickleWriter p = new PickleWriter().proto2().emptyDict().memoize().mark();
    p.str("num_cases_per_batch").memoize().integer(imagesPerBatch);
    p.str("label_names").memoize();
    list(p, LABEL_NAMES.size(), i -> p.str(LABEL_NAMES.get(i)).memoize());
    p.str("num_vis").memoize().integer(CifarLayout.IMAGE_BYTES);
    return p.setitems().stop().toByteArray();
  }

  /** A list as cPickle writes one: EMPTY_LIST, then APPENDS in batches of 1000 (APPEND for 1). */
  private static void list(PickleWriter p, int n, IntConsumer item) {
    p.emptyList().memoize();
    for (int from = 0; from < n; from += 1000) {
      int to = Math.min(n, from + 1000);
      if (to - from == 1) {
        item.accept(from);
        p.append();
        continue;
      }
      p.mark();
      for (int i = from; i < to; i++) {
        item.accept(i);
      }
      p.appends();
    }
  }

  /** One planar image: the class colour, stripes across (classes 0–4) or down (5–9), noise. */
  private static void paint(int label, byte[] data, int at, Random random) {
    // One nextBytes call per image: a nextInt per pixel made a full-size sample take seconds.
    byte[] noise = new byte[CifarLayout.IMAGE_BYTES];
    random.nextBytes(noise);
    int period = 2 + label % 3;
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < CifarLayout.SIDE; y++) {
        for (int x = 0; x < CifarLayout.SIDE; x++) {
          int i = (c * CifarLayout.SIDE + y) * CifarLayout.SIDE + x;
          int along = label < 5 ? y : x;
          int stripe = (along / period) % 2 == 0 ? 40 : -40;
          int v = PALETTE[label][c] + stripe + (noise[i] >> 2); // noise in -32..31
          data[at + i] = (byte) Math.clamp(v, 0, 255);
        }
      }
    }
  }

  private static void directory(TarArchiveOutputStream tar) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(DIR);
    e.setModTime(MTIME);
    e.setMode(040755);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  private static void file(TarArchiveOutputStream tar, String name, byte[] body)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setModTime(MTIME);
    e.setMode(0100644);
    e.setSize(body.length);
    tar.putArchiveEntry(e);
    tar.write(body);
    tar.closeArchiveEntry();
  }
}
