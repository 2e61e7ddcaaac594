package dev.millrace.records;

/**
 * One finished shard: its file name (relative to the output folder), record count, size on disk and
 * the SHA-256 of its bytes as stored.
 */
public record ShardInfo(String file, long records, long bytes, String sha256) {}
