package dev.millrace.spark.internal;

import dev.millrace.records.Compression;
import java.io.Serial;
import org.apache.spark.sql.connector.read.InputPartition;

/**
 * One reading task's share of the input: a whole file, or the split {@code [start, end)} of an
 * uncompressed one (a compressed stream cannot be entered in the middle).
 *
 * @param file the file's path
 * @param compression its compression
 * @param start the split's first byte; 0 for a whole file
 * @param end the split's end; -1 for a whole file
 */
public record TfRecordSplit(String file, Compression compression, long start, long end)
    implements InputPartition {
  @Serial private static final long serialVersionUID = 1L;

  public boolean whole() {
    return end < 0;
  }

  @Override
  public String toString() {
    return whole() ? file : file + "[" + start + ", " + end + ")";
  }
}
