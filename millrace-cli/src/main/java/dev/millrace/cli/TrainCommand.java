package dev.millrace.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.graphdef.GraphDefFile;
import dev.millrace.nn.TrainConfig;
import dev.millrace.nn.TrainResult;
import dev.millrace.nn.Trainer;
import dev.millrace.nn.TrainingListener;
import dev.millrace.nn.TrainingState;
import dev.millrace.profile.HtmlReport;
import dev.millrace.profile.OpTime;
import dev.millrace.profile.StepProfiler;
import dev.millrace.profile.TraceRecorder;
import dev.millrace.records.Manifest;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code millrace train}: trains a built-in model from converted shards. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Trains a built-in model on a data set converted by 'millrace convert': reads the train"
          + " split through the input pipeline (shuffle, decode and augment on parallel threads,"
          + " prefetch), evaluates on the held-out split after each epoch and checkpoints"
          + " (variables, optimizer state, pipeline position) atomically.",
      "--resume continues a stopped or killed run from its last checkpoint and ends with the"
          + " weights the uninterrupted run would have; the recipe, seed and augmentation then"
          + " come from the checkpoint.",
      ""
    },
    sortOptions = false)
final class TrainCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin TrainingOptions job;

  @Option(
      names = "--epochs",
      paramLabel = "N",
      defaultValue = "1",
      description = "Epochs in all, counting those a resumed run already did (default: 1).")
  int epochs;

  @Option(
      names = "--checkpoint-dir",
      paramLabel = "DIR",
      description = "Where to checkpoint after each epoch (default: runs/<model>/checkpoint).")
  Path checkpointDir;

  @Option(
      names = "--checkpoint-every",
      paramLabel = "STEPS",
      defaultValue = "0",
      description = "Also checkpoint every this many steps (default: 0, at epoch ends only).")
  long checkpointEvery;

  @Option(
      names = "--resume",
      description = "Continue from the checkpoint in --checkpoint-dir, if there is one.")
  boolean resume;

  @Option(
      names = "--logdir",
      paramLabel = "DIR",
      description =
          "Write TensorBoard event files to DIR: loss, accuracy, images/s and input-wait share"
              + " every 20 steps, test loss and accuracy per epoch.")
  Path logdir;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      description = "Write an HTML report of the run to DIR/index.html.")
  Path report;

  @Option(
      names = "--trace",
      paramLabel = "FILE",
      description =
          "Write a Chrome trace-event timeline (Perfetto, chrome://tracing) of steps 11-30:"
              + " pipeline stages and session ops per thread, input waits, CPU counters.")
  Path trace;

  @Option(
      names = "--export",
      paramLabel = "FILE",
      description =
          "After training, write the model as a frozen TensorFlow GraphDef (as 'millrace"
              + " export' does): input 'input', outputs 'logits' and 'probabilities'.")
  Path export;

  @Option(names = "--json", description = "Print one JSON object at the end instead of text.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TrainConfig base = job.config();
    Path ckpt =
        checkpointDir != null
            ? checkpointDir
            : Path.of("runs", base.model().cliName(), "checkpoint");
    TrainConfig config = base.withEpochs(epochs).withCheckpoints(ckpt, checkpointEvery, resume);
    if (resume && !Files.isRegularFile(ckpt.resolve("checkpoint.json"))) {
      err.println("no checkpoint in " + ckpt + " yet: starting from the beginning");
    }
    List<TrainingListener> listeners = new ArrayList<>();
    TrainProgress progress = TrainProgress.forStandardError(err);
    listeners.add(progress);
    StepProfiler profiler = StepProfiler.defaults();
    listeners.add(new ProfilingListener(profiler, err, progress.terminal()));
    TrainReportListener reportData = new TrainReportListener();
    if (report != null) {
      listeners.add(reportData);
    }
    TraceRecorder recorder = trace == null ? null : new TraceRecorder();
    if (recorder != null) {
      listeners.add(new TraceListener(recorder));
    }
    TrainResult result;
    Path events = null;
    Path page = null;
    try (Monitors monitors = new Monitors();
        TensorBoardListener tensorBoard =
            logdir == null ? null : new TensorBoardListener(logdir, 20)) {
      if (tensorBoard != null) {
        listeners.add(tensorBoard);
      }
      result = Trainer.train(config, TrainingListener.all(listeners));
      events = tensorBoard == null ? null : tensorBoard.file();
      if (recorder != null) {
        recorder.addCounters(monitors.utilisation());
        if (monitors.gpu() != null) {
          recorder.addCounters(monitors.gpu());
        }
        recorder.write(trace);
      }
      if (report != null) {
        var samples = monitors.samples(reportData.steps());
        page = HtmlReport.write(reportData.data(result, profiler, commandLine(), samples), report);
      }
    }
    if (export != null) {
      GraphDefFile.write(export, ExportCommand.export(ckpt, base.model(), base.format()));
    }
    if (json) {
      ObjectNode o = toJson(result);
      o.put("export", export == null ? null : export.toString());
      o.put("events", events == null ? null : events.toString());
      o.put("report", page == null ? null : page.toString());
      o.put("trace", trace == null ? null : trace.toString());
      ArrayNode ops = o.putArray("top_ops");
      for (OpTime t : profiler.topOps(10)) {
        ops.addObject()
            .put("type", t.type())
            .put("share", t.share())
            .put("ms_per_step", t.nanosPerStep() / 1e6);
      }
      out.println(Manifest.json().writerWithDefaultPrettyPrinter().writeValueAsString(o));
    } else {
      out.println(summary(result));
      out.println(topOps(profiler));
      if (events != null) {
        out.println("TensorBoard events: " + events + " (tensorboard --logdir " + logdir + ")");
      }
      if (page != null) {
        out.println("report: " + page);
      }
      if (trace != null) {
        out.println(
            "trace: " + trace + " (open it in https://ui.perfetto.dev or chrome://tracing)");
      }
      if (export != null) {
        out.println("frozen graph: " + export + " (input 'input', output 'probabilities')");
      }
    }
    return 0;
  }

  private String commandLine() {
    return "millrace " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
  }

  /** One line: the op types that take most of a step's compute time. */
  static String topOps(StepProfiler p) {
    StringBuilder b = new StringBuilder("compute per step:");
    for (OpTime t : p.topOps(6)) {
      b.append(
          String.format(
              Locale.ROOT,
              " %s %.1f ms (%.0f%%),",
              t.type(),
              t.nanosPerStep() / 1e6,
              100 * t.share()));
    }
    b.setLength(b.length() - 1);
    return b.toString();
  }

  static String summary(TrainResult r) {
    return String.format(
        Locale.ROOT,
        "%s (%s): %s after %d epochs; %,.0f images/s, input wait %.1f%%,"
            + " median step %.1f ms, %s in all; checkpoint %s",
        r.model(),
        r.format(),
        Double.isNaN(r.testAccuracy())
            ? "no held-out split to test on"
            : String.format(Locale.ROOT, "test accuracy %.2f%%", 100 * r.testAccuracy()),
        r.epochs(),
        r.imagesPerSecond(),
        100 * r.inputWaitShare(),
        r.stepMillisMedian(),
        Durations.of(r.wallSeconds()),
        r.checkpoint());
  }

  static ObjectNode toJson(TrainResult r) {
    ObjectNode o = Manifest.json().createObjectNode();
    o.put("model", r.model());
    o.put("format", r.format());
    o.put("epochs", r.epochs());
    o.put("steps", r.steps());
    if (Double.isNaN(r.testAccuracy())) {
      o.putNull("test_accuracy");
    } else {
      o.put("test_accuracy", r.testAccuracy());
    }
    o.put("images_per_sec", r.imagesPerSecond());
    o.put("input_wait_share", r.inputWaitShare());
    o.put("step_ms_median", r.stepMillisMedian());
    o.put("wall_seconds", r.wallSeconds());
    o.put("checkpoint", r.checkpoint() == null ? null : r.checkpoint().toString());
    ArrayNode h = o.putArray("history");
    for (TrainingState.EpochSummary e : r.history()) {
      ObjectNode n = h.addObject();
      n.put("epoch", e.epoch() + 1);
      n.put("train_loss", e.trainLoss());
      n.put("train_accuracy", e.trainAccuracy());
      n.put("test_loss", e.evalLoss());
      n.put("test_accuracy", e.evalAccuracy());
      n.put("images_per_sec", e.imagesPerSecond());
      n.put("train_seconds", e.trainSeconds());
    }
    return o;
  }
}
