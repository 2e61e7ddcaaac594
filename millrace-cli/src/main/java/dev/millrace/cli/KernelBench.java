package dev.millrace.cli;

import static dev.millrace.graph.types.Types.FLOAT32;

import dev.millrace.convert.ProgressListener;
import dev.millrace.graph.Graph;
import dev.millrace.graph.Ops;
import dev.millrace.graph.Output;
import dev.millrace.graph.Session;
import dev.millrace.graph.ThreadConfig;
import dev.millrace.graph.types.Float32;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.CpuPeak;
import dev.millrace.kernels.FastKernels;
import dev.millrace.kernels.HostCpu;
import dev.millrace.kernels.KernelThreadPool;
import dev.millrace.kernels.Kernels;
import dev.millrace.kernels.Padding;
import dev.millrace.kernels.VectorWidth;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The kernel benchmarks of {@code millrace bench kernels}: GEMM 1024³, the five convolution layers
 * in both data formats, and fused against unfused batch normalization through a session. Each
 * benchmark warms up (C2 compiles the hot loops, first as on-stack replacement) and then times
 * repeated calls; the median is reported, with the best.
 */
final class KernelBench {
  /** TensorFlow 2.18 (oneDNN) on this machine, 2 threads, NHWC: milliseconds per layer. */
  static final List<Layer> LAYERS =
      List.of(
          new Layer("conv3x3_3to16_32x32", 3, 16, 32, 1, 2.24),
          new Layer("conv3x3_16to16_32x32", 16, 16, 32, 1, 2.48),
          new Layer("conv3x3_16to32_s2_32x32", 16, 32, 32, 2, 0.90),
          new Layer("conv3x3_32to32_16x16", 32, 32, 16, 1, 1.36),
          new Layer("conv3x3_64to64_8x8", 64, 64, 8, 1, 1.24));

  static final int BATCH = 32;
  static final int GEMM_SIZE = 1024;

  /** A 3×3 SAME convolution layer of the benchmark, batch 32. */
  record Layer(String name, int in, int out, int size, int stride, double tensorflowMs) {
    int outSize() {
      return (size + stride - 1) / stride;
    }

    double flops() {
      return 2.0 * BATCH * outSize() * outSize() * out * 9 * in;
    }
  }

  /** Median and best of the timed repetitions. */
  record Timing(double medianMs, double bestMs, int samples) {}

  record ConvResult(Layer layer, DataFormat format, Timing timing) {
    double gflops() {
      return layer.flops() / timing.medianMs() / 1e6;
    }
  }

  record BatchNormResult(
      boolean training, DataFormat format, Shape shape, Timing fused, Timing unfused) {
    double speedup() {
      return unfused.medianMs() / fused.medianMs();
    }
  }

  record Result(
      String cpu,
      String cpuFlags,
      VectorWidth width,
      String jdk,
      String loadAverage,
      int threads,
      CpuPeak peak,
      double measuredFmaGflops,
      Timing gemm,
      List<ConvResult> conv,
      List<BatchNormResult> batchNorm) {
    double gemmGflops() {
      return 2.0 * GEMM_SIZE * GEMM_SIZE * GEMM_SIZE / gemm.medianMs() / 1e6;
    }

    /** TensorFlow's MatMul 1024³ at this thread count, measured on the reference machine. */
    String tensorflowGemm() {
      return threads == 1 ? "70-79" : threads == 2 ? "110-119" : "not measured";
    }
  }

  private final int threads;
  private final double scale;
  private final ProgressListener progress;

  /**
   * @param threads intra-op threads
   * @param scale multiplies every warm-up and measuring time (1 = about a minute in all)
   */
  KernelBench(int threads, double scale, ProgressListener progress) {
    this.threads = threads;
    this.scale = scale;
    this.progress = progress;
  }

  Result run() {
    int steps = 2 + LAYERS.size() * 2 + 4;
    progress.begin("benchmarking kernels on " + threads + " thread(s)", steps);
    try (KernelThreadPool pool = KernelThreadPool.create(threads)) {
      Kernels k = new FastKernels(pool);
      double fma = CpuPeak.measureFmaGflops(pool, ms(1000));
      progress.advance(1);
      Random rnd = new Random(1);
      Tensor a = random(rnd, Shape.of(GEMM_SIZE, GEMM_SIZE));
      Tensor b = random(rnd, Shape.of(GEMM_SIZE, GEMM_SIZE));
      // GEMM's first compilation is on-stack replacement that boxes vectors: warm up >= 2 s.
      Timing gemm = time(() -> k.matmul(a, b, false, false), ms(2500), ms(3000));
      progress.advance(1);
      List<ConvResult> conv = new ArrayList<>();
      for (Layer layer : LAYERS) {
        for (DataFormat format : DataFormat.values()) {
          Tensor x = random(rnd, format.shape(BATCH, layer.size(), layer.size(), layer.in()));
          Tensor f = random(rnd, Shape.of(3, 3, layer.in(), layer.out()));
          Conv2dSpec spec = Conv2dSpec.of(layer.stride(), Padding.SAME, format);
          conv.add(
              new ConvResult(layer, format, time(() -> k.conv2d(x, f, spec), ms(700), ms(1300))));
          progress.advance(1);
        }
      }
      List<BatchNormResult> bn = new ArrayList<>();
      for (boolean training : new boolean[] {false, true}) {
        for (DataFormat format : DataFormat.values()) {
          bn.add(batchNorm(training, format, rnd));
          progress.advance(1);
        }
      }
      return new Result(
          cpuName(),
          HostCpu.detect().flagsLine(),
          VectorWidth.inUse(),
          System.getProperty("java.vm.name") + " " + Runtime.version(),
          loadAverage(),
          threads,
          CpuPeak.derive(threads),
          fma,
          gemm,
          conv,
          bn);
    } finally {
      progress.end();
    }
  }

  /** The fused op against {@code batchNormUnfused}'s elementary ops, each through a session. */
  private BatchNormResult batchNorm(boolean training, DataFormat format, Random rnd) {
    int channels = 16;
    Shape shape = format.shape(BATCH, 32, 32, channels);
    Tensor x = random(rnd, shape);
    Timing[] timings = new Timing[2];
    for (int fused = 0; fused < 2; fused++) {
      try (Graph g = new Graph();
          Session s = new Session(g, ThreadConfig.of(1, threads))) {
        Ops tf = Ops.on(g);
        Output<Float32> in = tf.placeholder(FLOAT32, shape);
        Output<Float32> scale = tf.constant(FLOAT32, random(rnd, Shape.of(channels)));
        Output<Float32> offset = tf.constant(FLOAT32, random(rnd, Shape.of(channels)));
        Output<Float32> mean = tf.constant(FLOAT32, random(rnd, Shape.of(channels)));
        float[] var = new float[channels];
        Arrays.fill(var, 0.8f);
        Output<Float32> variance = tf.constant(var);
        Output<Float32> y =
            fused == 1
                ? tf.nn
                    .fusedBatchNorm(in, scale, offset, mean, variance, 1e-3, format, training)
                    .y()
                : tf.nn
                    .batchNormUnfused(in, scale, offset, mean, variance, 1e-3, format, training)
                    .y();
        timings[fused] =
            time(
                () -> {
                  try (Session.Result r = s.runner().feed(in, x).fetch(y).run()) {
                    r.get(0);
                  }
                },
                // Long enough for C2 to compile every elementwise pattern the chain uses.
                ms(1500),
                ms(1000));
      }
    }
    return new BatchNormResult(training, format, shape, timings[1], timings[0]);
  }

  private long ms(long base) {
    return Math.max(1, Math.round(base * scale));
  }

  /**
   * Runs {@code body} for {@code warmupMs}, then times it for {@code measureMs} (5 runs at least).
   */
  static Timing time(Runnable body, long warmupMs, long measureMs) {
    long end = System.nanoTime() + warmupMs * 1_000_000L;
    do {
      body.run();
    } while (System.nanoTime() < end);
    List<Double> samples = new ArrayList<>();
    long stop = System.nanoTime() + measureMs * 1_000_000L;
    while (samples.size() < 5 || System.nanoTime() < stop) {
      long t0 = System.nanoTime();
      body.run();
      samples.add((System.nanoTime() - t0) / 1e6);
    }
    double[] sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new Timing(sorted[sorted.length / 2], sorted[0], sorted.length);
  }

  static Tensor random(Random rnd, Shape shape) {
    float[] v = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextFloat() * 2 - 1;
    }
    return Tensor.ofFloats(shape, v);
  }

  static String cpuName() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim()
              + ", "
              + Runtime.getRuntime().availableProcessors()
              + " processors";
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return System.getProperty("os.arch")
        + ", "
        + Runtime.getRuntime().availableProcessors()
        + " processors";
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
