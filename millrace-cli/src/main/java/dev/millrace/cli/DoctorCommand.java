package dev.millrace.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.nn.TrainConfig;
import dev.millrace.profile.Diagnosis;
import dev.millrace.profile.Doctor;
import dev.millrace.profile.HtmlReport;
import dev.millrace.profile.ProbeRun;
import dev.millrace.records.Manifest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code millrace doctor}: is the training job input-bound or compute-bound, and what to change.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = {
      "Diagnoses a training job as 'millrace train' would run it, with the performance guide's"
          + " method: (a) the input pipeline alone, (b) the model alone on an in-memory batch"
          + " (input cost removed), (c) the full job, (d) the linear model on the real pipeline."
          + " Then states a verdict (input-bound, compute-bound or balanced) with the evidence and"
          + " recommendations that name the setting to change.",
      ""
    },
    sortOptions = false)
final class DoctorCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin TrainingOptions job;

  @Option(
      names = "--steps",
      paramLabel = "N",
      defaultValue = "60",
      description = "Timed steps per run (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      defaultValue = "10",
      description = "Untimed steps before each run (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--no-format-check",
      negatable = true,
      description = "Also time the model alone in the other data format (default: on).")
  boolean formatCheck = true;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      description = "Write an HTML report to DIR/index.html.")
  Path report;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (steps < 1 || warmup < 0) {
      throw new IllegalArgumentException("--steps must be >= 1 and --warmup >= 0");
    }
    TrainConfig config = job.config();
    err.println(
        String.format(
            Locale.ROOT,
            "doctor: %s %s, batch %d, %s; %d timed steps per run",
            config.model().cliName(),
            config.format(),
            config.recipe().batch(),
            config.input(),
            steps));
    err.flush();
    Diagnosis d;
    Path page = null;
    try (Monitors monitors = new Monitors()) {
      d =
          Doctor.diagnose(
              config,
              steps,
              warmup,
              formatCheck,
              run -> {
                err.println("doctor: " + run + "...");
                err.flush();
              });
      d = Reports.withUtilisation(d, monitors.utilisation().summary());
      if (report != null) {
        page =
            HtmlReport.write(
                Reports.diagnosis(d, commandLine(), monitors.samples(d.fullJob().stepRecords())),
                report);
      }
    }
    if (json) {
      ObjectNode o = toJson(d);
      o.put("report", page == null ? null : page.toString());
      out.println(Manifest.json().writerWithDefaultPrettyPrinter().writeValueAsString(o));
    } else {
      out.println(text(d));
      if (page != null) {
        out.println("report: " + page);
      }
    }
    return 0;
  }

  private String commandLine() {
    // The parse result's original arguments are the whole command line, subcommand included.
    return "millrace " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
  }

  static String text(Diagnosis d) {
    StringBuilder b = new StringBuilder();
    b.append("verdict: ").append(d.verdict().text()).append(" — ").append(d.verdict().meaning());
    b.append("\nevidence:");
    for (String e : d.evidence()) {
      b.append("\n  - ").append(e);
    }
    b.append("\nrecommendations:");
    for (String r : d.recommendations()) {
      b.append("\n  - ").append(r);
    }
    return b.toString();
  }

  static ObjectNode toJson(Diagnosis d) {
    ObjectNode o = Manifest.json().createObjectNode();
    o.put("verdict", d.verdict().text());
    ObjectNode rates = o.putObject("steps_per_sec");
    for (ProbeRun r : d.runs()) {
      rates.put(r.key(), r.stepsPerSecond());
    }
    o.put("input_wait_share", d.fullJob().inputWaitShare());
    ArrayNode recs = o.putArray("recommendations");
    d.recommendations().forEach(recs::add);
    ArrayNode ev = o.putArray("evidence");
    d.evidence().forEach(ev::add);
    ArrayNode runs = o.putArray("runs");
    for (ProbeRun r : d.runs()) {
      ObjectNode n = runs.addObject();
      n.put("key", r.key());
      n.put("name", r.name());
      n.put("steps", r.steps());
      n.put("seconds", r.seconds());
      n.put("steps_per_sec", r.stepsPerSecond());
      n.put("images_per_sec", r.imagesPerSecond());
      n.put("input_wait_share", r.inputWaitShare());
      n.put("step_ms_median", r.medianStepMillis());
      n.put("process_cpu_cores", Double.isNaN(r.processCpuCores()) ? null : r.processCpuCores());
    }
    return o;
  }
}
