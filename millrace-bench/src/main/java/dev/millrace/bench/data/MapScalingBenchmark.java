package dev.millrace.bench.data;

import dev.millrace.data.Augment;
import dev.millrace.data.Batch;
import dev.millrace.data.Dataset;
import dev.millrace.data.DatasetIterator;
import dev.millrace.data.ElementRandom;
import dev.millrace.data.Features;
import dev.millrace.data.ImageAugmentation;
import dev.millrace.data.Options;
import dev.millrace.data.Parallelism;
import dev.millrace.data.SeededFunction;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The input pipeline's scaling target: a CPU-heavy {@code map} on 1 and 2 threads, over the 60,000
 * Fashion-MNIST training images held in memory as {@code uint8 [28, 28, 1]} (so that reading is not
 * what is measured). Score: images/s; the target is {@code threads=2 ÷ threads=1 ≥ 1.8}.
 *
 * <ul>
 *   <li>{@link #augment}: {@code fromList → map(random crop with 4 pixels of padding, random flip,
 *       normalise to NCHW float, threads) → batch(128) → prefetch}, seeded.
 *   <li>{@link #heavyMap}: the same augmentation followed by sixteen 3×3 box blurs of the float
 *       image, a deliberately heavy, compute-bound function (about ten times the augmentation's
 *       work; it allocates only its output) that shows the scaling when the per-element work dwarfs
 *       the pipeline's hand-offs and the batching.
 *   <li>{@link #augmentPlainThreads} and {@link #heavyPlainThreads}: the baseline, the same
 *       functions on the same images split between {@code threads} plain threads, with no pipeline
 *       and no batching: their 2 ÷ 1 ratio is what this machine's two vCPUs give for this work, and
 *       pipeline ÷ plain at the same thread count is what the pipeline keeps of it.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class MapScalingBenchmark {
  static final int IMAGES = 60_000;
  static final int BATCH = 128;
  static final int BLURS = 16;

  @Param({"1", "2"})
  public int threads;

  private List<Features> images;
  private Options options;
  private ImageAugmentation augmentation;
  private SeededFunction<Features, Features> heavy;
  private ExecutorService plainThreads;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    images = FashionImages.load(false);
    if (images.size() != IMAGES) {
      throw new IllegalStateException("loaded " + images.size() + " images, expected " + IMAGES);
    }
    options = Options.defaults().maxParallelism(threads).seed(42);
    // Fashion-MNIST's pixel mean and standard deviation (of x/255).
    augmentation =
        Augment.cropFlipNormalize(4, new float[] {0.2860f}, new float[] {0.3530f}, DataFormat.NCHW);
    heavy =
        (Features f, ElementRandom random) -> {
          Features out = augmentation.apply(f, random);
          return out.with("image", blur(out.get("image"), BLURS));
        };
    plainThreads = Executors.newFixedThreadPool(threads);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    plainThreads.shutdownNow();
  }

  @Benchmark
  @OperationsPerInvocation(IMAGES)
  public long augment(Blackhole bh) {
    return run(augmentation, bh);
  }

  @Benchmark
  @OperationsPerInvocation(IMAGES)
  public long heavyMap(Blackhole bh) {
    return run(heavy, bh);
  }

  @Benchmark
  @OperationsPerInvocation(IMAGES)
  public double augmentPlainThreads() throws Exception {
    return runPlain(augmentation);
  }

  @Benchmark
  @OperationsPerInvocation(IMAGES)
  public double heavyPlainThreads() throws Exception {
    return runPlain(heavy);
  }

  /**
   * {@code fn} on every image, thread {@code k} taking the k-th contiguous part, each element with
   * a generator reseeded per element as the pipeline does; returns a checksum of the outputs.
   */
  private double runPlain(SeededFunction<Features, Features> fn) throws Exception {
    List<Future<Double>> parts = new ArrayList<>();
    for (int k = 0; k < threads; k++) {
      int from = (int) ((long) IMAGES * k / threads);
      int to = (int) ((long) IMAGES * (k + 1) / threads);
      parts.add(
          plainThreads.submit(
              () -> {
                ElementRandom random = new ElementRandom(0);
                double sum = 0;
                for (int i = from; i < to; i++) {
                  random.reset(42L * 0x9E3779B97F4A7C15L + i);
                  sum += fn.apply(images.get(i), random).get("image").getFloat(0);
                }
                return sum;
              }));
    }
    double sum = 0;
    for (Future<Double> f : parts) {
      sum += f.get();
    }
    return sum;
  }

  private long run(SeededFunction<Features, Features> fn, Blackhole bh) {
    Dataset<Batch> d =
        Dataset.fromList(images)
            .withOptions(options)
            .map(fn, Parallelism.of(threads))
            .batch(BATCH, false)
            .prefetch(Parallelism.AUTOTUNE);
    long n = 0;
    try (DatasetIterator<Batch> it = d.iterator()) {
      while (it.hasNext()) {
        Batch b = it.next();
        bh.consume(b.get("image"));
        n += b.size();
      }
    }
    if (n != IMAGES) {
      throw new IllegalStateException("an epoch gave " + n + " images, expected " + IMAGES);
    }
    return n;
  }

  /** Two scratch planes per thread, so that the heavy function allocates only its output. */
  private static final ThreadLocal<float[][]> SCRATCH = new ThreadLocal<>();

  /**
   * {@code times} 3×3 box blurs of a float {@code [c, h, w]} image (edges clamped), into a new
   * tensor: compute-bound (about {@code 9 × times} adds per pixel), allocating only the result.
   */
  static Tensor blur(Tensor image, int times) {
    long[] dims = image.shape().dims();
    int h = (int) dims[dims.length - 2];
    int w = (int) dims[dims.length - 1];
    int n = (int) image.size();
    int planes = n / (h * w);
    float[][] scratch = SCRATCH.get();
    if (scratch == null || scratch[0].length < n) {
      scratch = new float[][] {new float[n], new float[n]};
      SCRATCH.set(scratch);
    }
    float[] a = scratch[0];
    float[] b = scratch[1];
    MemorySegment.copy(image.data(), ValueLayout.JAVA_FLOAT, 0, a, 0, n);
    for (int t = 0; t < times; t++) {
      for (int p = 0; p < planes; p++) {
        int base = p * h * w;
        for (int y = 0; y < h; y++) {
          int up = base + Math.max(0, y - 1) * w;
          int mid = base + y * w;
          int down = base + Math.min(h - 1, y + 1) * w;
          for (int x = 0; x < w; x++) {
            int l = Math.max(0, x - 1);
            int r = Math.min(w - 1, x + 1);
            float s =
                a[up + l]
                    + a[up + x]
                    + a[up + r]
                    + a[mid + l]
                    + a[mid + x]
                    + a[mid + r]
                    + a[down + l]
                    + a[down + x]
                    + a[down + r];
            b[mid + x] = s * (1f / 9);
          }
        }
      }
      float[] swap = a;
      a = b;
      b = swap;
    }
    Tensor out = Tensor.zeros(DType.FLOAT32, image.shape());
    MemorySegment.copy(a, 0, out.data(), ValueLayout.JAVA_FLOAT, 0, n);
    return out;
  }
}
