package dev.millrace.convert.internal;

import dev.millrace.convert.BadInputException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle reader that cannot run code: it knows the opcodes of protocols 0–2 that Python 2's
 * cPickle emits and builds plain Java values from them. The only globals it resolves are numpy's
 * array and dtype reconstructors ({@link NumpyGlobals}); any other global — {@code os system}, say
 * — is an error, never an import.
 *
 * <p>Values: {@code None} → null, bool → {@link Boolean}, int/long → {@link Long} (or {@link
 * BigInteger} beyond 64 bits), float → {@link Double}, Python 2 {@code str} → {@link PyBytes},
 * {@code unicode} → {@link String}, list → {@link ArrayList}, tuple → {@link PyTuple}, dict →
 * {@link LinkedHashMap}, numpy arrays → {@link NdArray}.
 *
 * <p>Memory is bounded by the pickle's own size: every length is checked against the bytes left
 * before anything is allocated, each opcode pushes at most one value, and strings are views into
 * the buffer. Not thread-safe; one instance reads one pickle.
 */
public final class SafeUnpickler {
  /** Makes the error for a problem at an offset of the pickle; the caller knows the file. */
  @FunctionalInterface
  public interface Errors {
    BadInputException at(long offset, String problem);
  }

  /** Python's own limit is the C stack; ours keeps hashing a nested tuple key off the edge. */
  private static final int MAX_TUPLE_DEPTH = 64;

  /** Longest text line holding a number (INT, LONG, FLOAT, GET, PUT). */
  private static final int MAX_NUMBER_TEXT = 4096;

  private final byte[] buf;
  private final int end;
  private final Errors errors;
  private final ArrayList<Object> stack = new ArrayList<>();
  private int[] marks = new int[16];
  private int markCount;
  private final Map<Long, Object> memo = new HashMap<>();
  private int pos;
  private int op;

  public SafeUnpickler(byte[] buf, int offset, int length, Errors errors) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new IndexOutOfBoundsException(
          "offset " + offset + ", length " + length + " (buffer " + buf.length + ")");
    }
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
    this.errors = errors;
  }

  /** Reads one pickle up to its STOP opcode and returns the value. */
  public Object load() throws BadInputException {
    while (true) {
      op = pos;
      int code = u8();
      switch (code) {
        case 0x80 -> { // PROTO
          int v = u8();
          if (v > 2) {
            throw fail("pickle protocol " + v + " is not supported (expected 0 to 2, Python 2)");
          }
        }
        case '.' -> { // STOP; like Python, ignore whatever else is left on the stack
          if (stack.isEmpty()) {
            throw fail("STOP with an empty stack");
          }
          return stack.removeLast();
        }
        case '(' -> mark();
        case '0' -> pop(); // POP
        case '1' -> popMark(); // POP_MARK
        case '2' -> push(peek()); // DUP
        case 'N' -> push(null);
        case 0x88 -> push(Boolean.TRUE);
        case 0x89 -> push(Boolean.FALSE);
        case 'I' -> push(parseInt(line()));
        case 'J' -> push((long) s32());
        case 'K' -> push((long) u8());
        case 'M' -> push((long) (u8() | u8() << 8));
        case 'L' -> push(parseLong(line()));
        case 0x8a -> push(littleEndianSigned(bytes(u8()))); // LONG1
        case 'F' -> push(parseFloat(line()));
        case 'G' -> push(Double.longBitsToDouble(bigEndianLong(bytes(8))));
        case 'S' -> push(quotedString(line()));
        case 'T' -> push(view(length(s32()))); // BINSTRING
        case 'U' -> push(view(u8())); // SHORT_BINSTRING
        case 'V' -> push(unicode(line()));
        case 'X' -> push(utf8(view(length(s32())))); // BINUNICODE
        case ')' -> push(PyTuple.of(List.of()));
        case 't' -> push(tuple(popMark()));
        case 0x85 -> push(tuple(popN(1)));
        case 0x86 -> push(tuple(popN(2)));
        case 0x87 -> push(tuple(popN(3)));
        case ']' -> push(new ArrayList<>());
        case 'l' -> push(new ArrayList<>(popMark()));
        case 'a' -> append(Arrays.asList(pop()));
        case 'e' -> append(popMark());
        case '}' -> push(new LinkedHashMap<>());
        case 'd' -> {
          Map<Object, Object> d = new LinkedHashMap<>();
          setItems(d, popMark());
          push(d);
        }
        case 's' -> {
          Object value = pop();
          Object key = pop();
          setItems(dictOnTop(), Arrays.asList(key, value));
        }
        case 'u' -> {
          List<Object> items = popMark();
          setItems(dictOnTop(), items);
        }
        case 'p' -> memo.put(memoIndex(line()), peek()); // PUT
        case 'q' -> memo.put((long) u8(), peek()); // BINPUT
        case 'r' -> memo.put(u32(), peek()); // LONG_BINPUT
        case 'g' -> push(memoGet(memoIndex(line()))); // GET
        case 'h' -> push(memoGet(u8())); // BINGET
        case 'j' -> push(memoGet(u32())); // LONG_BINGET
        case 'c' -> push(global(line(), line())); // GLOBAL
        case 'i' -> throw fail(disallowed(line(), line())); // INST imports a class too
        case 'R' -> { // REDUCE
          Object args = pop();
          Object callable = pop();
          push(NumpyGlobals.reduce(callable, args, this::fail));
        }
        case 'b' -> { // BUILD
          Object state = pop();
          NumpyGlobals.build(peek(), state, this::fail);
        }
        default -> throw fail(unsupported(code));
      }
    }
  }

  private static String unsupported(int code) {
    String shown = code >= 0x20 && code < 0x7f ? " ('" + (char) code + "')" : "";
    return String.format("unsupported pickle opcode 0x%02x%s", code, shown);
  }

  private BadInputException fail(String problem) {
    return errors.at(op, problem);
  }

  // ---- stack and marks ----

  private void push(Object o) {
    stack.add(o);
  }

  private Object pop() throws BadInputException {
    if (stack.size() <= (markCount == 0 ? 0 : marks[markCount - 1])) {
      throw fail("stack underflow");
    }
    return stack.removeLast();
  }

  private Object peek() throws BadInputException {
    if (stack.size() <= (markCount == 0 ? 0 : marks[markCount - 1])) {
      throw fail("stack underflow");
    }
    return stack.getLast();
  }

  private void mark() {
    if (markCount == marks.length) {
      marks = Arrays.copyOf(marks, markCount * 2);
    }
    marks[markCount++] = stack.size();
  }

  /** The values pushed since the last MARK, removed from the stack with the mark. */
  private List<Object> popMark() throws BadInputException {
    if (markCount == 0) {
      throw fail("no MARK on the stack");
    }
    int from = marks[--markCount];
    List<Object> top = stack.subList(from, stack.size());
    List<Object> items = new ArrayList<>(top);
    top.clear();
    return items;
  }

  private List<Object> popN(int n) throws BadInputException {
    Object[] items = new Object[n];
    for (int i = n - 1; i >= 0; i--) {
      items[i] = pop();
    }
    return Arrays.asList(items);
  }

  // ---- containers ----

  private PyTuple tuple(List<Object> items) throws BadInputException {
    PyTuple t = PyTuple.of(items);
    if (t.depth() > MAX_TUPLE_DEPTH) {
      throw fail("tuples nested deeper than " + MAX_TUPLE_DEPTH);
    }
    return t;
  }

  private void append(List<Object> items) throws BadInputException {
    if (!(peek() instanceof ArrayList<?> target)) {
      throw fail("APPEND to " + NumpyGlobals.typeName(peek()) + ", expected a list");
    }
    @SuppressWarnings("unchecked")
    List<Object> list = (List<Object>) target;
    list.addAll(items);
  }

  private Map<Object, Object> dictOnTop() throws BadInputException {
    if (!(peek() instanceof LinkedHashMap<?, ?> d)) {
      throw fail("SETITEM on " + NumpyGlobals.typeName(peek()) + ", expected a dict");
    }
    @SuppressWarnings("unchecked")
    Map<Object, Object> dict = (Map<Object, Object>) d;
    return dict;
  }

  private void setItems(Map<Object, Object> dict, List<Object> items) throws BadInputException {
    if (items.size() % 2 != 0) {
      throw fail("odd number of values (" + items.size() + ") for dict items");
    }
    for (int i = 0; i < items.size(); i += 2) {
      Object key = items.get(i);
      if (!hashable(key)) {
        throw fail("unhashable dict key of type " + NumpyGlobals.typeName(key));
      }
      dict.put(key, items.get(i + 1));
    }
  }

  private static boolean hashable(Object key) {
    if (key instanceof PyTuple t) {
      for (Object o : t.items()) {
        if (!hashable(o)) {
          return false;
        }
      }
      return true;
    }
    return key == null
        || key instanceof Boolean
        || key instanceof Long
        || key instanceof BigInteger
        || key instanceof Double
        || key instanceof PyBytes
        || key instanceof String;
  }

  // ---- memo and globals ----

  private long memoIndex(Line l) throws BadInputException {
    Object n = parseInt(l);
    if (!(n instanceof Long index) || index < 0) {
      throw fail("bad memo index '" + l.text() + "'");
    }
    return index;
  }

  private Object memoGet(long index) throws BadInputException {
    if (!memo.containsKey(index)) {
      throw fail("memo entry " + index + " is not defined");
    }
    return memo.get(index);
  }

  private Object global(Line module, Line name) throws BadInputException {
    NumpyGlobals.Global g = NumpyGlobals.resolve(module.text(), name.text());
    if (g == null) {
      throw fail(disallowed(module, name));
    }
    return g;
  }

  private static String disallowed(Line module, Line name) {
    return "global '"
        + module.text()
        + " "
        + name.text()
        + "' is not allowed (only numpy's array reconstruction: "
        + NumpyGlobals.allowedNames()
        + ")";
  }

  // ---- reading bytes ----

  /** A line of text, without its newline: offset and length in the buffer. */
  private record Line(byte[] buf, int from, int to) {
    String text() {
      // Shown in messages: keep it short and printable.
      int n = Math.min(to - from, 80);
      String s = new String(buf, from, n, StandardCharsets.ISO_8859_1);
      return s.replaceAll("[^\\x20-\\x7e]", "?") + (n < to - from ? "…" : "");
    }
  }

  private int u8() throws BadInputException {
    if (pos >= end) {
      throw errors.at(pos, "pickle truncated (no STOP opcode)");
    }
    return buf[pos++] & 0xff;
  }

  private int s32() throws BadInputException {
    return u8() | u8() << 8 | u8() << 16 | u8() << 24;
  }

  private long u32() throws BadInputException {
    return Integer.toUnsignedLong(s32());
  }

  private int length(long n) throws BadInputException {
    if (n < 0 || n > end - pos) {
      throw fail("length " + n + " exceeds the " + (end - pos) + " bytes left in the pickle");
    }
    return (int) n;
  }

  private PyBytes view(int n) throws BadInputException {
    length(n);
    PyBytes b = new PyBytes(buf, pos, n);
    pos += n;
    return b;
  }

  private byte[] bytes(int n) throws BadInputException {
    length(n);
    byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return b;
  }

  private Line line() throws BadInputException {
    int from = pos;
    for (int i = pos; i < end; i++) {
      if (buf[i] == '\n') {
        pos = i + 1;
        return new Line(buf, from, i);
      }
    }
    throw fail("pickle truncated (text line without its newline)");
  }

  // ---- decoding values ----

  private Object parseInt(Line l) throws BadInputException {
    String t = numberText(l);
    // Protocol 0 spells the booleans as INT 00 and INT 01.
    if (t.equals("00")) {
      return Boolean.FALSE;
    }
    if (t.equals("01")) {
      return Boolean.TRUE;
    }
    return integer(t, l);
  }

  private Object parseLong(Line l) throws BadInputException {
    String t = numberText(l);
    return integer(t.endsWith("L") ? t.substring(0, t.length() - 1) : t, l);
  }

  private Object integer(String t, Line l) throws BadInputException {
    try {
      return normalize(new BigInteger(t));
    } catch (NumberFormatException e) {
      throw fail("not an integer: '" + l.text() + "'");
    }
  }

  private Double parseFloat(Line l) throws BadInputException {
    Double d = PickleText.parseFloat(numberText(l));
    if (d == null) {
      throw fail("not a float: '" + l.text() + "'");
    }
    return d;
  }

  private String numberText(Line l) throws BadInputException {
    if (l.to() - l.from() > MAX_NUMBER_TEXT) {
      throw fail("number text of " + (l.to() - l.from()) + " characters");
    }
    return new String(buf, l.from(), l.to() - l.from(), StandardCharsets.ISO_8859_1).strip();
  }

  private PyBytes quotedString(Line l) throws BadInputException {
    byte[] b = PickleText.unquote(buf, l.from(), l.to());
    if (b == null) {
      throw fail("malformed STRING " + l.text());
    }
    return new PyBytes(b, 0, b.length);
  }

  private String unicode(Line l) throws BadInputException {
    String s = PickleText.rawUnicodeEscape(buf, l.from(), l.to());
    if (s == null) {
      throw fail("malformed UNICODE " + l.text());
    }
    return s;
  }

  private static String utf8(PyBytes b) {
    return new String(b.toByteArray(), StandardCharsets.UTF_8);
  }

  private static Object littleEndianSigned(byte[] le) {
    if (le.length == 0) {
      return 0L;
    }
    byte[] be = new byte[le.length];
    for (int i = 0; i < le.length; i++) {
      be[i] = le[le.length - 1 - i];
    }
    return normalize(new BigInteger(be));
  }

  private static long bigEndianLong(byte[] b) {
    long v = 0;
    for (byte x : b) {
      v = v << 8 | (x & 0xff);
    }
    return v;
  }

  private static Object normalize(BigInteger v) {
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }
}
