package dev.millrace.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.graph.ThreadConfig;
import dev.millrace.kernels.KernelsProvider;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code millrace bench kernels}: GEMM, convolution and batch-norm speed of the fast kernels. */
@Command(
    name = "kernels",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmarks the fast CPU kernels in about a minute: GEMM 1024x1024x1024 against the"
          + " machine's FMA peak (derived from its clock and vector width), the five 3x3"
          + " reference convolution layers (batch 32) in NHWC and NCHW, and fused against"
          + " unfused batch normalization (training and inference) through a session.",
      "TensorFlow 2.18's figures measured on the project's 2-core machine are printed alongside.",
      "The kernels use the host's widest vectors (512-bit on AVX-512, 256 on AVX2); to compare"
          + " widths, force one with MILLRACE_VECTOR_BITS=128|256|512 (or -Dmillrace.vector.bits in"
          + " MILLRACE_JAVA_OPTS).",
      ""
    },
    sortOptions = false)
final class BenchKernelsCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Intra-op threads (default: the physical cores, here ${DEFAULT-VALUE}).")
  int threads = ThreadConfig.detectPhysicalCores();

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Option(
      names = "--quick",
      description = "Shorten every warm-up and measurement tenfold (a smoke test, noisy numbers).")
  boolean quick;

  @Override
  public Integer call() {
    if (threads < 1) {
      throw new IllegalArgumentException("--threads: " + threads + " (expected >= 1)");
    }
    if (!KernelsProvider.vectorApiAvailable()) {
      throw new IllegalStateException(
          "the fast kernels need the Vector API: run java with " + KernelsProvider.VECTOR_FLAG);
    }
    PrintWriter err = spec.commandLine().getErr();
    KernelBench.Result r =
        new KernelBench(threads, quick ? 0.1 : 1.0, ConsoleProgress.forStandardError(err)).run();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(toJson(r).toPrettyString());
    } else {
      printText(out, r);
    }
    return 0;
  }

  static ObjectNode toJson(KernelBench.Result r) {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode();
    root.put("cpu", r.cpu());
    root.put("cpu_flags", r.cpuFlags());
    root.put("vector_bits", r.width().bits());
    root.put("vector_width_source", r.width().source());
    root.put("jdk", r.jdk());
    root.put("load_average", r.loadAverage());
    root.put("threads", r.threads());
    root.put("peak_gflops", round(r.peak().gflops()));
    root.put("peak_derivation", r.peak().derivation());
    root.put("measured_fma_gflops", round(r.measuredFmaGflops()));
    ObjectNode gemm = root.putObject("gemm");
    gemm.put("m", KernelBench.GEMM_SIZE);
    gemm.put("n", KernelBench.GEMM_SIZE);
    gemm.put("k", KernelBench.GEMM_SIZE);
    gemm.put("ms", round(r.gemm().medianMs()));
    gemm.put("best_ms", round(r.gemm().bestMs()));
    gemm.put("gflops", round(r.gemmGflops()));
    gemm.put("percent_of_peak", round(100 * r.gemmGflops() / r.peak().gflops()));
    // The FMA loop measured in the same run: on a loaded machine, the fairer denominator.
    gemm.put("percent_of_measured_fma", round(100 * r.gemmGflops() / r.measuredFmaGflops()));
    gemm.put("tensorflow_gflops", r.tensorflowGemm());
    ArrayNode conv = root.putArray("conv");
    for (KernelBench.ConvResult c : r.conv()) {
      ObjectNode o = conv.addObject();
      o.put("layer", c.layer().name());
      o.put("format", c.format().name());
      o.put("ms", round(c.timing().medianMs()));
      o.put("best_ms", round(c.timing().bestMs()));
      o.put("gflops", round(c.gflops()));
      o.put("tensorflow_nhwc_2_threads_ms", c.layer().tensorflowMs());
    }
    ObjectNode bn = root.putObject("batchnorm");
    ArrayNode inference = bn.putArray("inference");
    ArrayNode training = bn.putArray("training");
    for (KernelBench.BatchNormResult b : r.batchNorm()) {
      ObjectNode o = (b.training() ? training : inference).addObject();
      o.put("format", b.format().name());
      o.put("shape", b.shape().toString());
      o.put("fused_ms", round(b.fused().medianMs()));
      o.put("unfused_ms", round(b.unfused().medianMs()));
      o.put("speedup", round(b.speedup()));
    }
    return root;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static void printText(PrintWriter out, KernelBench.Result r) {
    out.printf(
        Locale.ROOT,
        "%s, %s, %d thread(s), load average %s%n",
        r.cpu(),
        r.jdk(),
        r.threads(),
        r.loadAverage());
    out.printf(Locale.ROOT, "CPU flags: %s; kernels' vector width: %s%n", r.cpuFlags(), r.width());
    out.printf(
        Locale.ROOT,
        "peak %.1f GFLOP/s = %s; a register-only FMA loop measured %.1f GFLOP/s%n%n",
        r.peak().gflops(),
        r.peak().derivation(),
        r.measuredFmaGflops());
    out.printf(
        Locale.ROOT,
        "GEMM 1024x1024x1024: %.2f ms (best %.2f), %.1f GFLOP/s = %.0f%% of peak, %.0f%% of the"
            + " FMA loop (TensorFlow: %s GFLOP/s)%n%n",
        r.gemm().medianMs(),
        r.gemm().bestMs(),
        r.gemmGflops(),
        100 * r.gemmGflops() / r.peak().gflops(),
        100 * r.gemmGflops() / r.measuredFmaGflops(),
        r.tensorflowGemm());
    out.printf(
        Locale.ROOT,
        "%-26s %9s %8s %9s %8s %12s%n",
        "conv 3x3 SAME, batch 32",
        "NHWC ms",
        "GFLOP/s",
        "NCHW ms",
        "GFLOP/s",
        "TF NHWC ms*");
    for (KernelBench.Layer layer : KernelBench.LAYERS) {
      KernelBench.ConvResult nhwc = find(r, layer, dev.millrace.tensor.DataFormat.NHWC);
      KernelBench.ConvResult nchw = find(r, layer, dev.millrace.tensor.DataFormat.NCHW);
      out.printf(
          Locale.ROOT,
          "%-26s %9.3f %8.1f %9.3f %8.1f %12.2f%n",
          layer.name(),
          nhwc.timing().medianMs(),
          nhwc.gflops(),
          nchw.timing().medianMs(),
          nchw.gflops(),
          layer.tensorflowMs());
    }
    out.println("* TensorFlow 2.18 (oneDNN), 2 threads, on the project's 2-core EPYC.");
    out.println();
    out.printf(
        Locale.ROOT,
        "%-26s %9s %11s %8s%n",
        "batch norm, 32x32x32x16",
        "fused ms",
        "unfused ms",
        "speedup");
    for (KernelBench.BatchNormResult b : r.batchNorm()) {
      out.printf(
          Locale.ROOT,
          "%-26s %9.3f %11.3f %7.2fx%n",
          (b.training() ? "training " : "inference ") + b.format(),
          b.fused().medianMs(),
          b.unfused().medianMs(),
          b.speedup());
    }
    out.println("(times are medians of repeated runs after a warm-up)");
  }

  private static KernelBench.ConvResult find(
      KernelBench.Result r, KernelBench.Layer layer, dev.millrace.tensor.DataFormat format) {
    return r.conv().stream()
        .filter(c -> c.layer().equals(layer) && c.format() == format)
        .findFirst()
        .orElseThrow();
  }
}
