package dev.millrace.graphdef;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TextFormat;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.records.AtomicFiles;
import dev.millrace.records.SizeLimits;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads and writes TensorFlow GraphDef files: binary {@code .pb} (what {@code
 * tf.io.write_graph(..., as_text=False)} and freezing write) and text {@code .pbtxt}, told apart by
 * the file name as TensorFlow's tools do. Reading is bounded: a file larger than protobuf's 2 GiB
 * message limit, or than {@value #MAX_BYTES_PROPERTY} when set, is refused before it is read, and
 * nesting deeper than protobuf's default recursion limit is an error, not a stack overflow. Every
 * error is one line naming the file. Writing is atomic: a failed write leaves no partial file.
 */
public final class GraphDefFile {
  /** System property capping the size of a graph file, in bytes. */
  public static final String MAX_BYTES_PROPERTY = "millrace.graphdef.max.bytes";

  /** Protobuf's limit on one message. */
  static final long PROTOBUF_LIMIT = Integer.MAX_VALUE;

  private GraphDefFile() {}

  /** Reads {@code file} as a binary GraphDef, or as text when its name ends in .pbtxt or .txt. */
  public static GraphDef read(Path file) throws IOException {
    long size = Files.size(file);
    long cap = maxBytes();
    if (size > cap) {
      throw new IOException(
          file + ": " + size + " bytes is more than the limit of " + cap + " for a graph file");
    }
    if (isText(file)) {
      return readText(file);
    }
    return parse(Files.readAllBytes(file), file.toString());
  }

  /**
   * Parses the bytes of a binary GraphDef; {@code source} names them in errors.
   *
   * @throws IOException one line naming {@code source}, for bytes that are not a GraphDef
   */
  public static GraphDef parse(byte[] bytes, String source) throws IOException {
    try {
      CodedInputStream coded = CodedInputStream.newInstance(bytes);
      GraphDef g = GraphDef.parseFrom(coded);
      coded.checkLastTagWas(0);
      if (g.getNodeCount() == 0 && !g.getUnknownFields().asMap().isEmpty()) {
        // Protobuf skips fields it does not know, so arbitrary bytes can parse as an empty graph.
        throw new IOException(source + ": not a binary GraphDef (no nodes, only unknown fields)");
      }
      return g;
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(
          source + ": not a binary GraphDef (" + oneLine(e.getMessage()) + ")", e);
    } catch (StackOverflowError e) {
      throw new IOException(source + ": not a binary GraphDef (nested too deeply)");
    }
  }

  private static GraphDef readText(Path file) throws IOException {
    GraphDef.Builder b = GraphDef.newBuilder();
    try {
      TextFormat.getParser().merge(Files.readString(file, StandardCharsets.UTF_8), b);
    } catch (TextFormat.ParseException e) {
      throw new IOException(file + ": not a text GraphDef (" + oneLine(e.getMessage()) + ")", e);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new IOException(file + ": not a text GraphDef (not UTF-8 text)", e);
    }
    return b.build();
  }

  /** Writes {@code graph} to {@code file} atomically, as text when the name says so. */
  public static void write(Path file, GraphDef graph) throws IOException {
    boolean text = isText(file);
    AtomicFiles.write(
        file,
        out -> {
          if (text) {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            TextFormat.printer().print(graph, w);
            w.flush();
          } else {
            graph.writeTo(out);
          }
        });
  }

  static boolean isText(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".pbtxt") || name.endsWith(".txt");
  }

  static long maxBytes() {
    return Math.min(
        PROTOBUF_LIMIT,
        SizeLimits.fromProperty(MAX_BYTES_PROPERTY, PROTOBUF_LIMIT, "a number of bytes"));
  }

  private static String oneLine(String s) {
    return s == null ? "malformed" : s.replaceAll("\\s+", " ").strip();
  }
}
