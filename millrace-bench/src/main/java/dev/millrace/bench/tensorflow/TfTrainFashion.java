package dev.millrace.bench.tensorflow;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TFloat32;

/**
 * Trains {@link TfTutorialCnn} on Fashion-MNIST with TensorFlow and writes the frozen inference
 * graph: a TensorFlow-trained graph for {@code millrace quantize --report} and {@code millrace
 * graph run}, made without TensorFlow's Python stack.
 *
 * <pre>
 * java -cp millrace-bench/target/benchmarks.jar dev.millrace.bench.tensorflow.TfTrainFashion \
 *   /usr/share/datasets/fashion-mnist EPOCHS OUT.pb
 * </pre>
 *
 * The tutorial's recipe: batch 100, momentum 0.9, rate 0.01, no augmentation; images scaled to [0,
 * 1]. Prints the test accuracy TensorFlow itself computes after each epoch.
 */
public final class TfTrainFashion {
  private static final int BATCH = 100;

  private TfTrainFashion() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      System.err.println("usage: TfTrainFashion FASHION_MNIST_DIR EPOCHS OUT.pb");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int epochs = Integer.parseInt(args[1]);
    Path out = Path.of(args[2]);
    float[] trainX = images(dir.resolve("train-images-idx3-ubyte.gz"));
    int[] trainY = labels(dir.resolve("train-labels-idx1-ubyte.gz"));
    float[] testX = images(dir.resolve("t10k-images-idx3-ubyte.gz"));
    int[] testY = labels(dir.resolve("t10k-labels-idx1-ubyte.gz"));
    try (TfTutorialCnn net = new TfTutorialCnn(2, 0)) {
      for (int e = 1; e <= epochs; e++) {
        long start = System.nanoTime();
        double loss = 0;
        for (int i = 0; i + BATCH <= trainY.length; i += BATCH) {
          TFloat32[] b = TfTutorialCnn.batch(trainX, trainY, i, BATCH);
          loss += net.step(b[0], b[1], 0.01f);
          b[0].close();
          b[1].close();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            Locale.ROOT,
            "epoch %d: loss %.4f, %.0f images/s%n",
            e,
            loss / (trainY.length / BATCH),
            trainY.length / seconds);
      }
      GraphDef frozen = net.freeze();
      System.out.printf(
          Locale.ROOT, "test accuracy %.2f %%%n", 100 * accuracy(frozen, testX, testY));
      Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
      Files.write(tmp, frozen.toByteArray());
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      System.out.println("wrote " + out);
    }
  }

  /** Top-1 accuracy of the frozen graph, run by TensorFlow. */
  private static double accuracy(GraphDef frozen, float[] x, int[] y) {
    int right = 0;
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      g.importGraphDef(frozen);
      try (Session s = TfSessions.open(g, 2)) {
        for (int i = 0; i < y.length; i += BATCH) {
          TFloat32[] b = TfTutorialCnn.batch(x, y, i, BATCH);
          try (Result r = s.runner().feed("input", b[0]).fetch("logits").run()) {
            TFloat32 logits = (TFloat32) r.get(0);
            for (int k = 0; k < BATCH; k++) {
              int best = 0;
              for (int c = 1; c < TfTutorialCnn.CLASSES; c++) {
                if (logits.getFloat(k, c) > logits.getFloat(k, best)) {
                  best = c;
                }
              }
              right += best == y[i + k] ? 1 : 0;
            }
          }
          b[0].close();
          b[1].close();
        }
      }
    }
    return (double) right / y.length;
  }

  private static float[] images(Path file) throws IOException {
    try (DataInputStream in = open(file, 2051)) {
      int n = in.readInt();
      int size = in.readInt() * in.readInt();
      byte[] raw = in.readNBytes(n * size);
      float[] v = new float[raw.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = (raw[i] & 0xff) / 255f;
      }
      return v;
    }
  }

  private static int[] labels(Path file) throws IOException {
    try (DataInputStream in = open(file, 2049)) {
      byte[] raw = in.readNBytes(in.readInt());
      int[] v = new int[raw.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = raw[i];
      }
      return v;
    }
  }

  private static DataInputStream open(Path file, int magic) throws IOException {
    InputStream raw = new GZIPInputStream(Files.newInputStream(file));
    DataInputStream in = new DataInputStream(raw);
    if (in.readInt() != magic) {
      in.close();
      throw new IOException(file + ": not an IDX file of magic " + magic);
    }
    return in;
  }
}
