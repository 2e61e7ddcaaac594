/**
 * The data source's DataSource V2 classes (table, scan, splits, readers, the batch write and its
 * commit), the mapping between DataFrame columns and Example features, and schema inference.
 *
 * <p>Invariants: everything shipped to executors is serializable, exceptions included (a task whose
 * failure cannot be serialized hangs Spark 4.1 on JDK 25); a split of a file starts at the first
 * record whose two CRCs match at or after its first byte ({@link
 * dev.millrace.records.RecordReader#openSplit}); a task writes under a hidden temporary name and
 * only the job's commit renames. Not API.
 */
package dev.millrace.spark.internal;
