package dev.millrace.convert.internal;

/**
 * A numpy dtype rebuilt from a pickle: {@code numpy.dtype('u1', 0, 1)} (the align and copy flags
 * arrive as ints from Python 2, as bools from Python 3), then BUILD with its state {@code (version,
 * byteorder, ...)}.
 */
public final class NdDType {
  private final String descr;
  private String byteOrder = "|";

  NdDType(String descr) {
    this.descr = descr;
  }

  void build(String byteOrder) {
    this.byteOrder = byteOrder;
  }

  /**
   * The type string without byte order, as numpy pickles it: {@code u1}, {@code i8}, {@code f4}.
   */
  public String descr() {
    return descr;
  }

  /** {@code <}, {@code >}, {@code =} or {@code |} (not applicable). */
  public String byteOrder() {
    return byteOrder;
  }

  /** The kind letter: {@code b} bool, {@code i} int, {@code u} uint, {@code f} float, … */
  public char kind() {
    return descr.charAt(0);
  }

  /** Bytes per element, or -1 if this is not a fixed-size numeric type. */
  public int itemSize() {
    if (descr.length() < 2 || "biufc".indexOf(descr.charAt(0)) < 0) {
      return -1;
    }
    try {
      int size = Integer.parseInt(descr.substring(1));
      return size >= 1 && size <= 32 ? size : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public boolean isUint8() {
    return descr.equals("u1");
  }

  /** A signed or unsigned integer of 1, 2, 4 or 8 bytes. */
  public boolean isInteger() {
    int size = itemSize();
    return (kind() == 'i' || kind() == 'u') && (size == 1 || size == 2 || size == 4 || size == 8);
  }

  /** Whether multi-byte elements are stored most significant byte first. */
  public boolean isBigEndian() {
    return byteOrder.equals(">");
  }

  /** As numpy writes it, {@code <i8}; shortened and made printable, since it goes in messages. */
  @Override
  public String toString() {
    return SafeUnpickler.shown(byteOrder + descr);
  }
}
