package dev.millrace.records.internal;

import java.util.Arrays;

/**
 * Feature names as UTF-8 bytes mapped to dense ids, looked up straight from a range of a buffer so
 * that the hot path never builds a {@code String}. Up to 8 names are compared one by one (length
 * first); beyond that, open addressing with linear probing, kept at most half full.
 *
 * <p>Lookups do not modify the table: once filled and safely published (a final field), it may be
 * read from many threads. {@link #add} is not thread-safe.
 */
public final class ByteNameTable {
  private static final int LINEAR_SCAN_MAX = 8;

  private byte[][] names = new byte[8][];
  private int[] hashes = new int[8];

  /** Slot → id + 1; 0 marks an empty slot. */
  private int[] slots = new int[16];

  private int size;

  /** Number of names. */
  public int size() {
    return size;
  }

  /** The UTF-8 bytes of name {@code id} (the table's own array: do not modify). */
  public byte[] name(int id) {
    return names[id];
  }

  /** The id of the name held in {@code buf[off, off + len)}, or -1. */
  public int find(byte[] buf, int off, int len) {
    if (size <= LINEAR_SCAN_MAX) {
      // A handful of names (the usual spec): comparing lengths and bytes beats hashing the key.
      for (int id = 0; id < size; id++) {
        byte[] n = names[id];
        if (n.length == len && equal(n, buf, off, len)) {
          return id;
        }
      }
      return -1;
    }
    int h = hash(buf, off, len);
    int mask = slots.length - 1;
    for (int s = h & mask; ; s = (s + 1) & mask) {
      int e = slots[s];
      if (e == 0) {
        return -1;
      }
      int id = e - 1;
      byte[] n = names[id];
      if (hashes[id] == h && n.length == len && equal(n, buf, off, len)) {
        return id;
      }
    }
  }

  private static boolean equal(byte[] name, byte[] buf, int off, int len) {
    if (len > 16) {
      return Arrays.equals(name, 0, len, buf, off, off + len);
    }
    for (int k = 0; k < len; k++) {
      if (name[k] != buf[off + k]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Adds a name that is not yet present and returns its id (ids count up from 0).
   *
   * @throws IllegalArgumentException if the name is present
   */
  public int add(byte[] name) {
    if (find(name, 0, name.length) >= 0) {
      throw new IllegalArgumentException(
          "duplicate name: " + new String(name, java.nio.charset.StandardCharsets.UTF_8));
    }
    if (size == names.length) {
      names = Arrays.copyOf(names, size * 2);
      hashes = Arrays.copyOf(hashes, size * 2);
    }
    if (2 * (size + 1) > slots.length) {
      rehash(slots.length * 2);
    }
    int id = size++;
    names[id] = name.clone();
    hashes[id] = hash(name, 0, name.length);
    insert(id);
    return id;
  }

  private void rehash(int capacity) {
    slots = new int[capacity];
    for (int id = 0; id < size; id++) {
      insert(id);
    }
  }

  private void insert(int id) {
    int mask = slots.length - 1;
    int s = hashes[id] & mask;
    while (slots[s] != 0) {
      s = (s + 1) & mask;
    }
    slots[s] = id + 1;
  }

  /** FNV-1a over the bytes, then a final mix so that the low bits used for slots vary. */
  static int hash(byte[] b, int off, int len) {
    int h = 0x811c9dc5;
    for (int i = off, end = off + len; i < end; i++) {
      h = (h ^ b[i]) * 0x01000193;
    }
    return h ^ (h >>> 16);
  }
}
