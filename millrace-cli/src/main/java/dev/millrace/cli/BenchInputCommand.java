package dev.millrace.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.data.Dataset;
import dev.millrace.data.StageStats;
import dev.millrace.records.Manifest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code millrace bench input}: the throughput of the input pipeline alone, on the user's files.
 */
@Command(
    name = "input",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the input pipeline alone over TFRecord files, as fast as it goes, with nothing"
          + " consuming the batches, and reports records/s, MB/s, batches/s and what each stage"
          + " of the pipeline did (the bottleneck first).",
      "Without --parse it reads the records, checks both CRCs and groups them into batches. With"
          + " --parse it also decodes the Examples into float batches, tf.data's fastest way"
          + " (batch, then parse each batch): a raw uint8 'image' (shape from height/width/depth"
          + " features, else from its size) or an encoded 'image/encoded', scaled by 1/255, and an"
          + " int64 'label'. --augment decodes record by record and adds a random crop (4 pixels"
          + " of padding), a random flip and normalisation.",
      ""
    },
    sortOptions = false)
final class BenchInputCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--data",
      paramLabel = "DIR|FILES",
      arity = "1..*",
      required = true,
      description =
          "TFRecord files, folders (every *.tfrecord* file in them) or globs such as"
              + " 'out/train-*.tfrecord'.")
  List<Path> data;

  @Option(
      names = "--batch",
      paramLabel = "N",
      defaultValue = "128",
      description = "Records per batch (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description =
          "Threads for decoding, and files read at once (default: the processors, here "
              + "${DEFAULT-VALUE}).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--parse", description = "Decode the Examples into float image batches.")
  boolean parse;

  @Option(
      names = "--augment",
      description = "Decode, randomly crop and flip, and normalise each image (implies --parse).")
  boolean augment;

  @Option(
      names = "--epochs",
      paramLabel = "N",
      defaultValue = "1",
      description = "Passes over the files (default: ${DEFAULT-VALUE}).")
  long epochs;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (batch < 1) {
      throw new IllegalArgumentException("--batch: " + batch + " (expected >= 1)");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--threads: " + threads + " (expected >= 1)");
    }
    if (epochs < 1) {
      throw new IllegalArgumentException("--epochs: " + epochs + " (expected >= 1)");
    }
    List<Path> files = InputBench.expand(data);
    InputBench.Mode mode =
        augment ? InputBench.Mode.AUGMENT : parse ? InputBench.Mode.PARSE : InputBench.Mode.READ;
    InputBench.Layout layout =
        mode == InputBench.Mode.READ ? null : InputBench.detectLayout(files, augment);
    Dataset<?> pipeline = InputBench.pipeline(files, mode, layout, batch, threads, epochs);
    long perEpoch = InputBench.recordsFromManifests(files);
    PrintWriter err = spec.commandLine().getErr();
    InputBench.Result r =
        InputBench.run(
            pipeline, perEpoch < 0 ? -1 : perEpoch * epochs, ConsoleProgress.forStandardError(err));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(toJson(r, mode, layout, files, pipeline).toPrettyString());
    } else {
      printText(out, r, mode, layout, files, pipeline);
    }
    return 0;
  }

  private ObjectNode toJson(
      InputBench.Result r,
      InputBench.Mode mode,
      InputBench.Layout layout,
      List<Path> files,
      Dataset<?> pipeline) {
    ObjectNode root = Manifest.json().createObjectNode();
    root.put("records_per_sec", round(r.recordsPerSecond()));
    root.put("mb_per_sec", round(r.megabytesPerSecond()));
    root.put("batches_per_sec", round(r.batchesPerSecond()));
    root.put("records", r.records());
    root.put("batches", r.batches());
    root.put("bytes", r.bytes());
    root.put("seconds", round(r.seconds()));
    root.put("epochs", epochs);
    root.put("threads", threads);
    root.put("batch", batch);
    root.put("mode", mode.name().toLowerCase(Locale.ROOT));
    if (layout != null) {
      root.put("features", layout.description());
    }
    root.put("files", files.size());
    root.put("pipeline", pipeline.describe());
    root.put("consumer_wait_fraction", round(r.stats().consumerWaitFraction()));
    root.put("bottleneck", r.stats().bottleneck().name());
    root.put("summary", r.stats().summary());
    ArrayNode stages = root.putArray("stages");
    for (StageStats s : r.stats().stages()) {
      ObjectNode n = stages.addObject();
      n.put("name", s.name());
      n.put("kind", s.kind());
      n.put("elements", s.elements());
      n.put("bytes", s.bytes());
      n.put("busy_seconds", round(s.busyNanos() / 1e9));
      n.put("input_wait_seconds", round(s.inputWaitNanos() / 1e9));
      n.put("output_wait_seconds", round(s.outputWaitNanos() / 1e9));
      n.put("parallelism", s.parallelism());
      n.put("ns_per_element", round(s.nanosPerElement()));
      n.put("peak_buffered_bytes", s.peakBufferedBytes());
      n.put("dropped", s.dropped());
    }
    return root;
  }

  private void printText(
      PrintWriter out,
      InputBench.Result r,
      InputBench.Mode mode,
      InputBench.Layout layout,
      List<Path> files,
      Dataset<?> pipeline) {
    out.printf(
        Locale.ROOT,
        "%s, %d file%s, %d epoch%s, batch %d, %d thread%s%n",
        switch (mode) {
          case READ -> "read + CRC";
          case PARSE -> "read + CRC + parse";
          case AUGMENT -> "read + CRC + parse + augment";
        },
        files.size(),
        files.size() == 1 ? "" : "s",
        epochs,
        epochs == 1 ? "" : "s",
        batch,
        threads,
        threads == 1 ? "" : "s");
    if (layout != null) {
      out.println("features: " + layout.description());
    }
    out.println("pipeline: " + pipeline.describe());
    out.printf(
        Locale.ROOT,
        "%,d records in %,d batches (%s) in %.2f s%n",
        r.records(),
        r.batches(),
        Formats.bytes(r.bytes()),
        r.seconds());
    out.printf(
        Locale.ROOT,
        "%,.0f records/s  %,.1f MB/s  %,.1f batches/s%n%n",
        r.recordsPerSecond(),
        r.megabytesPerSecond(),
        r.batchesPerSecond());
    out.println(r.stats().table());
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
