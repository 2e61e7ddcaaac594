package dev.millrace.profile.internal.report;

import static dev.millrace.profile.internal.report.Html.bytes;
import static dev.millrace.profile.internal.report.Html.count;
import static dev.millrace.profile.internal.report.Html.escape;
import static dev.millrace.profile.internal.report.Html.nanos;
import static dev.millrace.profile.internal.report.Html.number;
import static dev.millrace.profile.internal.report.Html.percent;

import dev.millrace.profile.ReportData;
import dev.millrace.profile.internal.report.HtmlTable.Column;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;

/**
 * The page's sections as HTML, in reading order: what ran where, the verdict and what to do, then
 * the measurements behind them. Every text from the data passes through {@link Html#escape}.
 */
final class ReportSections {
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private ReportSections() {}

  /** The whole body, between {@code <main>} and the footer. */
  static String body(ReportData d) {
    return heading(d) + summary(d) + runs(d) + charts(d) + stages(d) + ops(d) + epochs(d);
  }

  static String generatedAt(ReportData d) {
    return escape(WHEN.format(d.generatedAt()));
  }

  private static String heading(ReportData d) {
    ReportData.Host h = d.host();
    String host =
        escape(h.cpuModel())
            + ", "
            + h.cores()
            + (h.cores() == 1 ? " core" : " cores")
            + (h.details().isEmpty() ? "" : "<br>" + escape(h.details()));
    return "<header><h1>"
        + escape(d.title())
        + "</h1><dl class=\"meta\">"
        + "<dt>Command</dt><dd><code class=\"command\">"
        + escape(d.commandLine())
        + "</code></dd><dt>Host</dt><dd>"
        + host
        + "</dd><dt>Generated</dt><dd>"
        + generatedAt(d)
        + "</dd></dl></header>\n";
  }

  private static String summary(ReportData d) {
    StringBuilder sb = new StringBuilder("<div class=\"summary\">");
    if (d.verdict().isPresent()) {
      ReportData.Verdict v = d.verdict().get();
      sb.append("<section class=\"panel verdict verdict-")
          .append(v.text())
          .append("\" id=\"verdict\"><div class=\"label\">Verdict</div><div class=\"word\">")
          .append(escape(v.text()))
          .append("</div><p class=\"meaning\">")
          .append(escape(v.meaning()))
          .append("</p>");
    } else {
      sb.append("<section class=\"panel verdict verdict-none\" id=\"verdict\">")
          .append("<div class=\"label\">Training run</div><div class=\"word\">No diagnosis</div>")
          .append("<p class=\"meaning\">This run was measured, not diagnosed: ")
          .append("<code>millrace doctor</code> compares runs to find the bottleneck.</p>");
    }
    if (!d.evidence().isEmpty()) {
      sb.append("<h3>Evidence</h3>").append(list("ul", "evidence", d.evidence()));
    }
    sb.append("</section><section class=\"panel\" id=\"recommendations\"><h2>What to do</h2>");
    if (d.recommendations().isEmpty()) {
      sb.append("<p class=\"empty\">No recommendations: nothing stood out.</p>");
    } else {
      sb.append(list("ol", "advice", d.recommendations()));
    }
    return sb.append("</section></div>\n").toString();
  }

  private static String list(String tag, String cssClass, List<String> items) {
    StringBuilder sb = new StringBuilder("<" + tag + " class=\"" + cssClass + "\">");
    for (String item : items) {
      sb.append("<li>").append(escape(item)).append("</li>");
    }
    return sb.append("</").append(tag).append(">").toString();
  }

  private static String panel(String id, String title, String note, String content) {
    return "<section class=\"panel\" id=\""
        + id
        + "\"><h2>"
        + escape(title)
        + "</h2>"
        + (note.isEmpty() ? "" : "<p class=\"note\">" + escape(note) + "</p>")
        + content
        + "</section>\n";
  }

  private static String empty(String text) {
    return "<p class=\"empty\">" + escape(text) + "</p>";
  }

  private static String name(String text) {
    return "<span class=\"name\">" + escape(text) + "</span>";
  }

  /** A share in [0, 1] as a number and a small bar, so that a column can be read at a glance. */
  private static String bar(double share, String kind) {
    double width = Double.isFinite(share) ? Math.clamp(share, 0, 1) * 100 : 0;
    return "<span class=\"bar "
        + kind
        + "\"><span>"
        + percent(share)
        + "</span><span class=\"track\"><span class=\"fill\" style=\"width:"
        + number(width, 1)
        + "%\"></span></span></span>";
  }

  private static String runs(ReportData d) {
    if (d.runs().isEmpty()) {
      return "";
    }
    HtmlTable t =
        new HtmlTable(
            Column.text("Run"),
            Column.text("What it measures"),
            Column.number("Steps/s"),
            Column.number("Images/s"),
            Column.number("Input wait"),
            Column.number("Median step"));
    for (ReportData.Run r : d.runs()) {
      t.row(
          "",
          "<strong>" + escape(r.name()) + "</strong>",
          escape(r.description()),
          number(r.stepsPerSecond(), 1),
          number(r.imagesPerSecond(), 0),
          bar(r.inputWaitShare(), "wait"),
          number(r.medianStepMs(), 2) + " ms");
    }
    String title = d.runs().size() == 1 ? "Run" : "Runs compared";
    return panel("runs", title, "", t.html());
  }

  private static String charts(ReportData d) {
    StringBuilder sb = new StringBuilder("<div class=\"charts\">").append(steps(d));
    if (d.samples().isEmpty()) {
      sb.append(panel("throughput", "Throughput", "", empty("No utilisation was sampled.")));
    } else {
      sb.append(
          panel(
              "throughput",
              "Throughput over time",
              "Images per second, sampled about once a second.",
              "<div class=\"chart\" id=\"chart-throughput\"></div>"));
      sb.append(
          panel(
              "utilisation",
              "Utilisation over time",
              "CPU use of this process and of the whole machine (100% = every core busy); disk"
                  + " reads on the right axis.",
              "<div class=\"chart\" id=\"chart-utilisation\"></div>"));
      sb.append(
          panel(
              "gpu",
              "GPU",
              "",
              d.hasGpu()
                  ? "<div class=\"chart\" id=\"chart-gpu\"></div>"
                  : empty("No GPU measurements: this host has no GPU the sampler could read.")));
    }
    return sb.append("</div>\n").toString();
  }

  private static String steps(ReportData d) {
    if (d.steps().isEmpty()) {
      return panel("steps", "Step-time breakdown", "", empty("No step timings were recorded."));
    }
    double wait = d.steps().stream().mapToDouble(ReportData.Step::waitMs).average().orElse(0);
    double compute = d.steps().stream().mapToDouble(ReportData.Step::computeMs).average().orElse(0);
    int perPoint = Downsample.perPoint(d.steps().size(), ReportJson.MAX_POINTS);
    String note =
        "Input wait (below) and compute (above) per step"
            + (perPoint > 1
                ? "; each point is the mean of " + perPoint + " consecutive steps."
                : ".")
            + " Over all "
            + count(d.steps().size())
            + " steps: "
            + number(wait, 2)
            + " ms wait + "
            + number(compute, 2)
            + " ms compute = "
            + number(wait + compute, 2)
            + " ms per step; waiting is "
            + percent(wait + compute > 0 ? wait / (wait + compute) : 0)
            + " of it.";
    return panel(
        "steps", "Step-time breakdown", note, "<div class=\"chart\" id=\"chart-steps\"></div>");
  }

  private static String stages(ReportData d) {
    if (d.stages().isEmpty()) {
      return "";
    }
    HtmlTable t =
        new HtmlTable(
            Column.text("Stage"),
            Column.text("Kind"),
            Column.number("Elements"),
            Column.number("Busy/element"),
            Column.number("Utilisation"),
            Column.number("Threads"),
            Column.number("Input wait"),
            Column.number("Output wait"),
            Column.number("Buffered"),
            Column.number("Peak buffered"));
    for (ReportData.Stage s : d.stages()) {
      t.row(
          s.bottleneck() ? "bottleneck" : "",
          name(s.name()) + (s.bottleneck() ? "<span class=\"tag\">bottleneck</span>" : ""),
          escape(s.kind()),
          count(s.elements()),
          nanos(s.busyNanosPerElement()),
          bar(s.utilisation(), ""),
          Integer.toString(s.parallelism()),
          nanos(s.inputWaitMs() * 1e6),
          nanos(s.outputWaitMs() * 1e6),
          bytes(s.bufferedBytes()),
          bytes(s.peakBufferedBytes()));
    }
    return panel(
        "pipeline",
        "Input pipeline stages",
        "In data-flow order from the source. Utilisation is busy time over wall time × threads."
            + " When the step waited for input 10 % of the time or more, the busiest stage is"
            + " tagged as the bottleneck: the stage to speed up or give more threads; otherwise"
            + " the pipeline kept up and no stage is tagged.",
        t.html());
  }

  private static String ops(ReportData d) {
    if (d.ops().isEmpty()) {
      return "";
    }
    List<ReportData.Op> ops =
        d.ops().stream()
            .sorted(Comparator.comparingDouble(ReportData.Op::totalMs).reversed())
            .toList();
    HtmlTable t =
        new HtmlTable(
            Column.text("Op type"),
            Column.number("Total"),
            Column.number("Share of compute"),
            Column.number("Calls"),
            Column.number("Per call"));
    for (ReportData.Op o : ops) {
      t.row(
          "",
          name(o.type()),
          nanos(o.totalMs() * 1e6),
          bar(o.computeShare(), ""),
          count(o.calls()),
          o.calls() == 0 ? "–" : nanos(o.totalMs() * 1e6 / o.calls()));
    }
    return panel("ops", "Top session ops", "Kernel time per op type, most first.", t.html());
  }

  private static String epochs(ReportData d) {
    if (d.epochs().isEmpty()) {
      return "";
    }
    HtmlTable t =
        new HtmlTable(
            Column.number("Epoch"),
            Column.number("Train loss"),
            Column.number("Train accuracy"),
            Column.number("Test accuracy"),
            Column.number("Images/s"),
            Column.number("Time"));
    for (ReportData.Epoch e : d.epochs()) {
      t.row(
          "",
          Integer.toString(e.epoch()),
          number(e.trainLoss(), 4),
          percent(e.trainAccuracy()),
          e.testAccuracy().isPresent() ? percent(e.testAccuracy().getAsDouble()) : "–",
          number(e.imagesPerSecond(), 0),
          number(e.seconds(), 1) + " s");
    }
    return panel("epochs", "Epochs", "", t.html());
  }
}
