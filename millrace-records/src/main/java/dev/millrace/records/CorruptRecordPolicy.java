package dev.millrace.records;

/** What a {@link RecordReader} does when a record fails its checks. */
public enum CorruptRecordPolicy {
  /** Throw a {@link CorruptRecordException} naming the file, record index and byte offset. */
  FAIL,
  /** Skip the record, count it ({@link RecordReader#corruptRecords()}) and carry on. */
  SKIP
}
