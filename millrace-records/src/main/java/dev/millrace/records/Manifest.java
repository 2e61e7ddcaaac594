package dev.millrace.records;

import com.fasterxml.jackson.annotation.JsonInclude;
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

  public static Manifest read(Path file) throws IOException {
    try (var in = java.nio.file.Files.newInputStream(file)) {
      return JSON.readValue(in, Manifest.class);
    }
  }

  /** The JSON mapper the manifest uses (snake_case names, indented). */
  public static ObjectMapper json() {
    return JSON.copy();
  }
}
