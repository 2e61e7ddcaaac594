package dev.millrace.records;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code manifest.json}: what a conversion wrote to one output folder, so that a reader can check
 * the shards (counts, sizes, SHA-256) and learn the schema without opening them.
 *
 * @param format always {@code "tfrecord"}
 * @param source what was converted (format and input path)
 * @param splits one entry per split, in the order written
 */
public record Manifest(String format, String source, List<SplitManifest> splits) {
  public static final String FILE_NAME = "manifest.json";

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .serializationInclusion(JsonInclude.Include.ALWAYS)
          .build();

  public Manifest {
    splits = List.copyOf(splits);
  }

  public static Manifest of(String source, List<SplitManifest> splits) {
    return new Manifest("tfrecord", source, splits);
  }

  public long totalRecords() {
    return splits.stream().mapToLong(SplitManifest::records).sum();
  }

  public Optional<SplitManifest> split(String name) {
    return splits.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** Writes {@code manifest.json} into {@code directory}, atomically. */
  public void writeTo(Path directory) throws IOException {
    AtomicFiles.write(directory.resolve(FILE_NAME), out -> JSON.writeValue(out, this));
  }

  /**
   * Reads {@code file}. A manifest comes with the data, from wherever the data came from: besides
   * malformed JSON, a shard whose file name is not a plain name in the manifest's own folder
   * ({@code ../other/train.tfrecord}, {@code /etc/passwd}) is refused, so that no reader is led to
   * files elsewhere.
   *
   * @throws IOException with a one-line message naming {@code file} (and the line and column of a
   *     JSON error)
   */
  public static Manifest read(Path file) throws IOException {
    Manifest manifest;
    try (var in = java.nio.file.Files.newInputStream(file)) {
      manifest = JSON.readValue(in, Manifest.class);
    } catch (JacksonException e) {
      throw new IOException(file + ": not a valid manifest: " + describe(e), e);
    }
    if (manifest == null) {
      throw new IOException(file + ": not a valid manifest: no JSON object");
    }
    for (SplitManifest split : manifest.splits()) {
      for (ShardInfo shard : split.shards()) {
        if (!isPlainFileName(shard.file())) {
          throw new IOException(
              file
                  + ": split '"
                  + split.name()
                  + "' lists shard file '"
                  + shard.file()
                  + "', which is not a plain file name in the manifest's folder");
        }
      }
    }
    return manifest;
  }

  /** A name without separators that stays in its folder: not empty, {@code .} or {@code ..}. */
  private static boolean isPlainFileName(String name) {
    return name != null
        && !name.isEmpty()
        && !name.equals(".")
        && !name.equals("..")
        && name.chars().noneMatch(c -> c == '/' || c == '\\' || c == ':' || c == 0);
  }

  /** Jackson's message without its multi-line source excerpt, with the line and column. */
  private static String describe(JacksonException e) {
    String message = String.valueOf(e.getOriginalMessage()).replaceAll("\\s*\\R\\s*", " ");
    JsonLocation at = e.getLocation();
    if (at != null && at.getLineNr() > 0) {
      message += " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }
    return message;
  }

  /** The JSON mapper the manifest uses (snake_case names, indented). */
  public static ObjectMapper json() {
    return JSON.copy();
  }
}
