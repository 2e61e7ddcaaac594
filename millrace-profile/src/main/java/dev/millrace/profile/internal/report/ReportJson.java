package dev.millrace.profile.internal.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.millrace.profile.ReportData;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * The report's data as the JSON the page's script reads: the tables as arrays of objects, the
 * series as columns (one array per measurement, which is smaller than an object per point) cut down
 * to {@link #MAX_POINTS} points.
 *
 * <p>The JSON sits inside a {@code <script>} element, where the HTML parser ends the element at the
 * first {@code </script}, whatever JSON thinks of it; so {@code <}, {@code >} and {@code &} are
 * written as {@code \u005Cu003c}-style escapes and no string can close the element.
 */
public final class ReportJson {
  /** The most points a series is written with: enough for a chart as wide as a screen. */
  public static final int MAX_POINTS = 2_000;

  private static final JsonFactory FACTORY =
      new JsonFactoryBuilder().characterEscapes(new HtmlSafeEscapes()).build();

  private ReportJson() {}

  /** {@code data} as JSON that is safe to place inside a {@code <script>} element. */
  public static String of(ReportData data) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("title", data.title());
      g.writeStringField("commandLine", data.commandLine());
      g.writeStringField("generatedAt", data.generatedAt().toString());
      writeHost(g, data.host());
      if (data.verdict().isPresent()) {
        g.writeStringField("verdict", data.verdict().get().text());
      } else {
        g.writeNullField("verdict");
      }
      writeStrings(g, "evidence", data.evidence());
      writeStrings(g, "recommendations", data.recommendations());
      writeRuns(g, data.runs());
      writeStages(g, data.stages());
      writeOps(g, data.ops());
      writeEpochs(g, data.epochs());
      writeSteps(g, data.steps());
      writeSamples(g, data.samples(), data.hasGpu());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to memory", e);
    }
    return out.toString();
  }

  private static void writeHost(JsonGenerator g, ReportData.Host host) throws IOException {
    g.writeObjectFieldStart("host");
    g.writeStringField("cpuModel", host.cpuModel());
    g.writeNumberField("cores", host.cores());
    g.writeStringField("details", host.details());
    g.writeEndObject();
  }

  private static void writeStrings(JsonGenerator g, String name, List<String> values)
      throws IOException {
    g.writeArrayFieldStart(name);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  private static void writeRuns(JsonGenerator g, List<ReportData.Run> runs) throws IOException {
    g.writeArrayFieldStart("runs");
    for (ReportData.Run r : runs) {
      g.writeStartObject();
      g.writeStringField("name", r.name());
      g.writeStringField("description", r.description());
      number(g, "stepsPerSecond", r.stepsPerSecond());
      number(g, "imagesPerSecond", r.imagesPerSecond());
      number(g, "inputWaitShare", r.inputWaitShare());
      number(g, "medianStepMs", r.medianStepMs());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeStages(JsonGenerator g, List<ReportData.Stage> stages)
      throws IOException {
    g.writeArrayFieldStart("stages");
    for (ReportData.Stage s : stages) {
      g.writeStartObject();
      g.writeStringField("name", s.name());
      g.writeStringField("kind", s.kind());
      g.writeNumberField("elements", s.elements());
      number(g, "busyNanosPerElement", s.busyNanosPerElement());
      number(g, "utilisation", s.utilisation());
      g.writeNumberField("parallelism", s.parallelism());
      number(g, "inputWaitMs", s.inputWaitMs());
      number(g, "outputWaitMs", s.outputWaitMs());
      g.writeNumberField("bufferedBytes", s.bufferedBytes());
      g.writeNumberField("peakBufferedBytes", s.peakBufferedBytes());
      g.writeBooleanField("bottleneck", s.bottleneck());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeOps(JsonGenerator g, List<ReportData.Op> ops) throws IOException {
    g.writeArrayFieldStart("ops");
    for (ReportData.Op o : ops) {
      g.writeStartObject();
      g.writeStringField("type", o.type());
      number(g, "totalMs", o.totalMs());
      number(g, "computeShare", o.computeShare());
      g.writeNumberField("calls", o.calls());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeEpochs(JsonGenerator g, List<ReportData.Epoch> epochs)
      throws IOException {
    g.writeArrayFieldStart("epochs");
    for (ReportData.Epoch e : epochs) {
      g.writeStartObject();
      g.writeNumberField("epoch", e.epoch());
      number(g, "trainLoss", e.trainLoss());
      number(g, "trainAccuracy", e.trainAccuracy());
      number(g, "testAccuracy", e.testAccuracy().orElse(Double.NaN));
      number(g, "imagesPerSecond", e.imagesPerSecond());
      number(g, "seconds", e.seconds());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeSteps(JsonGenerator g, List<ReportData.Step> steps) throws IOException {
    int[] bounds = Downsample.buckets(steps.size(), MAX_POINTS);
    g.writeObjectFieldStart("steps");
    g.writeNumberField("count", steps.size());
    g.writeNumberField("perPoint", Downsample.perPoint(steps.size(), MAX_POINTS));
    column(g, "step", steps, s -> s.step(), bounds);
    column(g, "waitMs", steps, ReportData.Step::waitMs, bounds);
    column(g, "computeMs", steps, ReportData.Step::computeMs, bounds);
    g.writeEndObject();
  }

  private static void writeSamples(JsonGenerator g, List<ReportData.Sample> samples, boolean gpu)
      throws IOException {
    int[] bounds = Downsample.buckets(samples.size(), MAX_POINTS);
    g.writeObjectFieldStart("samples");
    g.writeNumberField("count", samples.size());
    g.writeNumberField("perPoint", Downsample.perPoint(samples.size(), MAX_POINTS));
    column(g, "seconds", samples, ReportData.Sample::seconds, bounds);
    column(g, "imagesPerSecond", samples, ReportData.Sample::imagesPerSecond, bounds);
    column(g, "processCpuPercent", samples, ReportData.Sample::processCpuPercent, bounds);
    column(g, "machineCpuPercent", samples, ReportData.Sample::machineCpuPercent, bounds);
    column(g, "diskReadMbPerSecond", samples, ReportData.Sample::diskReadMbPerSecond, bounds);
    g.writeBooleanField("gpu", gpu);
    if (gpu) {
      column(g, "gpuUtilisationPercent", samples, s -> nan(s.gpuUtilisationPercent()), bounds);
      column(g, "gpuMemoryMb", samples, s -> nan(s.gpuMemoryMb()), bounds);
    }
    g.writeEndObject();
  }

  private static double nan(OptionalDouble value) {
    return value.orElse(Double.NaN);
  }

  private static <T> void column(
      JsonGenerator g, String name, List<T> rows, ToDoubleFunction<T> field, int[] bounds)
      throws IOException {
    double[] values = new double[rows.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = field.applyAsDouble(rows.get(i));
    }
    g.writeArrayFieldStart(name);
    for (double v : Downsample.means(values, bounds)) {
      value(g, v);
    }
    g.writeEndArray();
  }

  private static void number(JsonGenerator g, String name, double value) throws IOException {
    g.writeFieldName(name);
    value(g, value);
  }

  /**
   * A number rounded to a thousandth, which keeps the page small and is finer than any chart or
   * table shows; an absent or non-finite value is {@code null}, which charts draw as a gap.
   */
  private static void value(JsonGenerator g, double v) throws IOException {
    if (!Double.isFinite(v)) {
      g.writeNull();
    } else if (Math.abs(v) < 1e15 && v == Math.rint(v)) {
      g.writeNumber((long) v);
    } else if (Math.abs(v) < 1e12) {
      g.writeNumber(Math.round(v * 1000) / 1000.0);
    } else {
      g.writeNumber(v);
    }
  }

  /** Jackson's JSON escapes, plus the characters that mean something to an HTML parser. */
  private static final class HtmlSafeEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private static final SerializedString LINE_SEPARATOR = new SerializedString("\\u2028");
    private static final SerializedString PARAGRAPH_SEPARATOR = new SerializedString("\\u2029");

    private final int[] ascii;

    HtmlSafeEscapes() {
      ascii = standardAsciiEscapesForJSON();
      ascii['<'] = ESCAPE_STANDARD;
      ascii['>'] = ESCAPE_STANDARD;
      ascii['&'] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    /** Old JavaScript engines end a string at these; escaping them costs nothing. */
    @Override
    public SerializableString getEscapeSequence(int ch) {
      return switch (ch) {
        case 0x2028 -> LINE_SEPARATOR;
        case 0x2029 -> PARAGRAPH_SEPARATOR;
        default -> null;
      };
    }
  }
}
