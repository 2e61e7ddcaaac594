package dev.millrace.spark.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.millrace.records.Compression;
import dev.millrace.records.CorruptRecordPolicy;
import dev.millrace.spark.RecordType;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The data source's options, parsed once on the driver and shipped with the tasks.
 *
 * @param paths the files, folders or globs given to {@code load} or {@code save}
 * @param compression the compression of every file; null to tell it from each file's name when
 *     reading (and none when writing)
 * @param recordType what the records are
 * @param corruptRecords what a reader does with a record that fails its checks
 */
public record SourceOptions(
    List<String> paths,
    Compression compression,
    RecordType recordType,
    CorruptRecordPolicy corruptRecords)
    implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  public static final String COMPRESSION = "compression";
  public static final String RECORD_TYPE = "recordType";
  public static final String CORRUPT_RECORDS = "corruptRecords";

  public SourceOptions {
    paths = List.copyOf(paths);
  }

  /**
   * Parses Spark's options: {@code path} or {@code paths} (a JSON array, as {@code load(a, b)}
   * passes them), {@value #COMPRESSION}, {@value #RECORD_TYPE}, {@value #CORRUPT_RECORDS}. Keys are
   * matched without regard to case, as Spark matches them.
   *
   * @throws IllegalArgumentException for a bad value, naming the option
   */
  public static SourceOptions parse(Map<String, String> options) {
    Map<String, String> lower = new java.util.HashMap<>();
    options.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    List<String> paths = new ArrayList<>();
    if (lower.containsKey("paths")) {
      try {
        for (String p : new ObjectMapper().readValue(lower.get("paths"), String[].class)) {
          paths.add(p);
        }
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("paths: not a JSON array of strings", e);
      }
    }
    if (lower.containsKey("path")) {
      paths.add(lower.get("path"));
    }
    String compression = lower.get(COMPRESSION.toLowerCase(Locale.ROOT));
    String recordType = lower.get(RECORD_TYPE.toLowerCase(Locale.ROOT));
    String corrupt = lower.get(CORRUPT_RECORDS.toLowerCase(Locale.ROOT));
    return new SourceOptions(
        paths,
        compression == null ? null : Compression.parse(compression),
        recordType == null ? RecordType.EXAMPLE : RecordType.parse(recordType),
        corrupt == null ? CorruptRecordPolicy.FAIL : policy(corrupt));
  }

  private static CorruptRecordPolicy policy(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "fail" -> CorruptRecordPolicy.FAIL;
      case "skip" -> CorruptRecordPolicy.SKIP;
      default ->
          throw new IllegalArgumentException(
              CORRUPT_RECORDS + " '" + text + "' (expected fail or skip)");
    };
  }

  /** The compression of one file: the option's, else the one its name says. */
  public Compression compressionOf(java.nio.file.Path file) {
    return compression != null ? compression : Compression.fromFileName(file);
  }

  /** The compression to write with. */
  public Compression writeCompression() {
    return compression != null ? compression : Compression.NONE;
  }
}
