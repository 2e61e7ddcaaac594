package dev.millrace.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.records.Compression;
import dev.millrace.records.FeatureSchema;
import dev.millrace.records.Manifest;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code millrace inspect}: what is in TFRecord files, and are they intact. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Reads TFRecord files (or every *.tfrecord* file in a folder) and reports record counts,"
          + " sizes and the feature schema of their tf.train.Example records.",
      "Both CRCs of every record are always checked; a corrupt record makes the command fail with"
          + " a one-line error naming the file, byte offset and record.",
      ""
    },
    sortOptions = false)
final class InspectCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "FILE|DIR", arity = "1..*", description = "TFRecord files or folders.")
  List<Path> inputs;

  @Option(
      names = "--verify",
      description =
          "Also check each folder's manifest.json: every shard present, with its size, SHA-256"
              + " and record count.")
  boolean verify;

  @Option(
      names = "--show",
      paramLabel = "N",
      defaultValue = "0",
      description = "Print the first N records (default: ${DEFAULT-VALUE}).")
  int show;

  @Option(
      names = "--compression",
      paramLabel = "TYPE",
      defaultValue = "auto",
      description =
          "auto (from the suffix: .gz, .zlib), none, gzip or zlib (default: ${DEFAULT-VALUE}).")
  String compression;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (show < 0) {
      throw new IllegalArgumentException("--show: " + show + " (expected >= 0)");
    }
    Compression forced =
        compression.equalsIgnoreCase("auto") ? null : Compression.parse(compression);
    List<Path> files = Inspection.expand(inputs);
    Inspection inspection = new Inspection(forced, show);
    PrintWriter err = spec.commandLine().getErr();
    ConsoleProgress progress = ConsoleProgress.forStandardError(err);
    boolean showProgress =
        !json && files.stream().mapToLong(InspectCommand::size).sum() > (256L << 20);
    for (Path f : files) {
      if (showProgress) {
        progress.begin(f.getFileName().toString(), -1);
      }
      inspection.inspectFile(
          f,
          n -> {
            if (showProgress) progress.advance(n);
          });
      if (showProgress) {
        progress.end();
      }
    }
    if (verify) {
      inspection.verifyManifests(inputs);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(toJson(inspection).toPrettyString());
    } else {
      printText(out, inspection);
    }
    String problem = inspection.firstProblem();
    if (problem != null) {
      err.println("millrace inspect: error: " + problem);
      return Main.EXIT_FAILURE;
    }
    return 0;
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  private void printText(PrintWriter out, Inspection in) {
    int width = in.files().stream().mapToInt(f -> f.path().toString().length()).max().orElse(4);
    for (Inspection.FileReport f : in.files()) {
      out.printf(
          Locale.ROOT,
          "%-" + width + "s  %,10d records  %10s  %s%n",
          f.path(),
          f.records(),
          Formats.bytes(f.bytes()),
          f.corruptRecords() == 0 ? "ok" : f.corruptRecords() + " corrupt");
    }
    out.printf(
        Locale.ROOT,
        "total: %,d records in %d file%s (%s)%s%n",
        in.totalRecords(),
        in.files().size(),
        in.files().size() == 1 ? "" : "s",
        Formats.bytes(in.totalBytes()),
        in.totalCorrupt() == 0 ? ", all CRCs ok" : ", " + in.totalCorrupt() + " corrupt records");
    if (verify) {
      if (in.manifestsChecked().isEmpty()) {
        out.println("manifest: none found next to the files");
      } else {
        out.println(
            "manifest: "
                + (in.manifestProblems().isEmpty()
                    ? "verified"
                    : in.manifestProblems().size() + " problems")
                + " ("
                + in.manifestsChecked().stream()
                    .map(Path::toString)
                    .reduce((a, b) -> a + ", " + b)
                    .orElse("")
                + ")");
        in.manifestProblems().forEach(p -> out.println("  " + p));
      }
    }
    if (!in.schema().isEmpty()) {
      out.printf(Locale.ROOT, "schema (%,d Examples):%n", in.examples());
      int w = in.schema().stream().mapToInt(s -> s.name().length()).max().orElse(4);
      for (FeatureSchema s : in.schema()) {
        String lengths =
            s.minLength() == s.maxLength()
                ? "length " + s.minLength()
                : "length " + s.minLength() + ".." + s.maxLength();
        String valueBytes =
            s.minValueBytes() < 0
                ? ""
                : s.minValueBytes() == s.maxValueBytes()
                    ? ", " + s.minValueBytes() + " B per value"
                    : ", " + s.minValueBytes() + ".." + s.maxValueBytes() + " B per value";
        String presence =
            s.examples() == in.examples()
                ? ""
                : String.format(Locale.ROOT, ", in %,d Examples", s.examples());
        out.printf(
            Locale.ROOT,
            "  %-" + w + "s  %-5s  %s%s%s%s%n",
            s.name(),
            s.type().jsonName(),
            lengths,
            valueBytes,
            presence,
            s.mixedTypes() ? ", MIXED TYPES" : "");
      }
    }
    if (in.notExamples() > 0) {
      out.printf(Locale.ROOT, "%,d records are not tf.train.Example%n", in.notExamples());
    }
    for (Inspection.ShownRecord r : in.shown()) {
      out.printf(
          Locale.ROOT,
          "%nrecord %d (%s@%d, %,d bytes):%n",
          r.index(),
          r.file().getFileName(),
          r.offset(),
          r.data().length);
      List<String> lines = ExamplePrinter.lines(r.data());
      if (lines == null) {
        out.println("  (not a tf.train.Example)");
      } else if (lines.isEmpty()) {
        out.println("  (no features)");
      } else {
        lines.forEach(l -> out.println("  " + l));
      }
    }
  }

  private ObjectNode toJson(Inspection in) {
    ObjectMapper json = Manifest.json();
    ObjectNode root = json.createObjectNode();
    root.put("total_records", in.totalRecords());
    root.put("total_bytes", in.totalBytes());
    root.put("corrupt_records", in.totalCorrupt());
    ArrayNode files = root.putArray("files");
    for (Inspection.FileReport f : in.files()) {
      ObjectNode n = files.addObject();
      n.put("path", f.path().toString());
      n.put("compression", f.compression().name().toLowerCase(Locale.ROOT));
      n.put("records", f.records());
      n.put("bytes", f.bytes());
      n.put("corrupt_records", f.corruptRecords());
      if (f.error() != null) {
        n.put("error", f.error());
      }
    }
    root.put("examples", in.examples());
    root.set("schema", json.valueToTree(in.schema()));
    if (verify) {
      ObjectNode m = root.putObject("manifest");
      m.put("checked", !in.manifestsChecked().isEmpty());
      m.put("verified", !in.manifestsChecked().isEmpty() && in.manifestProblems().isEmpty());
      ArrayNode problems = m.putArray("problems");
      in.manifestProblems().forEach(problems::add);
    }
    if (!in.shown().isEmpty()) {
      ArrayNode records = root.putArray("records");
      for (Inspection.ShownRecord r : in.shown()) {
        ObjectNode n = records.addObject();
        n.put("file", r.file().toString());
        n.put("index", r.index());
        n.put("offset", r.offset());
        n.put("bytes", r.data().length);
        var features = ExamplePrinter.describe(r.data());
        if (features != null) {
          n.set("features", json.valueToTree(features));
        }
      }
    }
    String problem = in.firstProblem();
    if (problem != null) {
      root.put("error", problem);
    }
    return root;
  }
}
