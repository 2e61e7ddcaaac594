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
 * A pickle reader that cannot run code: it knows the opcodes of protocols 0–5 that Python 2's
 * cPickle and Python 3's pickle emit for plain data and numpy arrays, and builds plain Java values
 * from them. The only globals it resolves are numpy's array, scalar and dtype reconstructors and
 * the two spellings of bytes that Python 3 uses at protocol 2 ({@link NumpyGlobals}); any other
 * global — {@code os system}, say, by GLOBAL or STACK_GLOBAL — is an error, never an import.
 * Objects built without REDUCE (NEWOBJ, NEWOBJ_EX, INST, OBJ), the extension registry (EXT1/2/4),
 * sets and persistent ids are refused, and so are protocol 5's out-of-band buffers (NEXT_BUFFER,
 * READONLY_BUFFER), whose bytes are not in the file.
 *
 * <p>Values: {@code None} → null, bool → {@link Boolean}, int/long → {@link Long} (or {@link
 * BigInteger} beyond 64 bits), float → {@link Double}, Python 2 {@code str} and Python 3 {@code
 * bytes} → {@link PyBytes}, {@code bytearray} → {@link PyByteArray}, {@code unicode} and Python 3
 * {@code str} → {@link String}, list → {@link ArrayList}, tuple → {@link PyTuple}, dict → {@link
 * LinkedHashMap}, numpy arrays → {@link NdArray}, numpy integer scalars → {@link Long} (or {@link
 * BigInteger}).
 *
 * <p>Memory is bounded by the pickle's own size: every length is checked against the bytes left (in
 * the current FRAME, inside one) before anything is allocated, each opcode pushes at most one
 * value, and byte strings are views into the buffer. Not thread-safe; one instance reads one
 * pickle.
 */
public final class SafeUnpickler {
  /**
   * Makes the error for a problem at an offset of the pickle (counted from its first byte, not from
   * the buffer's); the caller knows the file.
   */
  @FunctionalInterface
  public interface Errors {
    BadInputException at(long offset, String problem);
  }

  /** Python's own limit is the C stack; ours keeps hashing a nested tuple key off the edge. */
  private static final int MAX_TUPLE_DEPTH = 64;

  /** Longest text line holding a number (INT, LONG, FLOAT, GET, PUT). */
  private static final int MAX_NUMBER_TEXT = 4096;

  /** Longest piece of the pickle's text quoted in a message. */
  private static final int SHOWN_CHARS = 80;

  /** The newest protocol, Python 3.8's. */
  private static final int HIGHEST_PROTOCOL = 5;

  private final byte[] buf;
  private final int start;
  private final int end;
  private final Errors errors;
  private final ArrayList<Object> stack = new ArrayList<>();
  private int[] marks = new int[16];
  private int markCount;
  private final Map<Long, Object> memo = new HashMap<>();
  private int pos;
  private int op;

  /** Where the current FRAME (protocol 4 and later) ends, or -1 outside a frame. */
  private int frameEnd = -1;

  public SafeUnpickler(byte[] buf, int offset, int length, Errors errors) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new IndexOutOfBoundsException(
          "offset " + offset + ", length " + length + " (buffer " + buf.length + ")");
    }
    this.buf = buf;
    this.start = offset;
    this.pos = offset;
    this.end = offset + length;
    this.errors = errors;
  }

  /** Reads one pickle up to its STOP opcode and returns the value. */
  public Object load() throws BadInputException {
    while (true) {
      op = pos;
      if (pos == frameEnd) {
        frameEnd = -1;
      }
      int code = u8();
      switch (code) {
        case 0x80 -> { // PROTO
          int v = u8();
          if (v > HIGHEST_PROTOCOL) {
            throw fail(
                "pickle protocol "
                    + v
                    + " is not supported (expected 0 to "
                    + HIGHEST_PROTOCOL
                    + ")");
          }
        }
        case 0x95 -> frame(u64()); // FRAME
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
        case 'X' -> push(utf8(view(length(u32())))); // BINUNICODE
        case 0x8c -> push(utf8(view(u8()))); // SHORT_BINUNICODE
        case 0x8d -> push(utf8(view(length8(u64())))); // BINUNICODE8
        case 'C' -> push(view(u8())); // SHORT_BINBYTES
        case 'B' -> push(view(length(u32()))); // BINBYTES
        case 0x8e -> push(view(length8(u64()))); // BINBYTES8
        case 0x96 -> push(new PyByteArray(view(length8(u64())))); // BYTEARRAY8
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
        case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
        case 'c' -> push(global(line().text(), line().text())); // GLOBAL
        case 0x93 -> { // STACK_GLOBAL
          String name = globalPart(pop(), "name");
          String module = globalPart(pop(), "module");
          push(global(module, name));
        }
        case 'i' -> throw fail(disallowed(line().text(), line().text())); // INST imports a class
        case 'o', 0x81, 0x92 -> // OBJ, NEWOBJ, NEWOBJ_EX
            throw fail(
                opName(code)
                    + " creates an object without REDUCE: not allowed (only numpy's array"
                    + " reconstruction)");
        case 0x97, 0x98 -> // NEXT_BUFFER, READONLY_BUFFER
            throw fail(
                opName(code)
                    + ": the pickle's data is in out-of-band buffers, not in the file (written"
                    + " with a buffer_callback); pickle it again without one");
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

  private static String opName(int code) {
    return switch (code) {
      case 'o' -> "OBJ";
      case 0x81 -> "NEWOBJ";
      case 0x92 -> "NEWOBJ_EX";
      case 0x97 -> "NEXT_BUFFER";
      case 0x98 -> "READONLY_BUFFER";
      default -> unsupported(code);
    };
  }

  private static String unsupported(int code) {
    String shown = code >= 0x20 && code < 0x7f ? " ('" + (char) code + "')" : "";
    return String.format("unsupported pickle opcode 0x%02x%s", code, shown);
  }

  private BadInputException fail(String problem) {
    return errors.at(op - start, problem);
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
        throw fail(
            "dict key of type "
                + NumpyGlobals.typeName(key)
                + " is not supported (only names and numbers)");
      }
      dict.put(key, items.get(i + 1));
    }
  }

  /**
   * Keys a CIFAR batch can have: names and numbers. Tuples are refused although Python hashes them:
   * with DUP a short pickle builds a tuple whose items share sub-tuples, and hashing or comparing
   * it walks every path, exponentially many for its size.
   */
  private static boolean hashable(Object key) {
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
      throw fail("bad memo index '" + l.shown() + "'");
    }
    return index;
  }

  private Object memoGet(long index) throws BadInputException {
    if (!memo.containsKey(index)) {
      throw fail("memo entry " + index + " is not defined");
    }
    return memo.get(index);
  }

  private Object global(String module, String name) throws BadInputException {
    NumpyGlobals.Global g = NumpyGlobals.resolve(module, name);
    if (g == null) {
      throw fail(disallowed(module, name));
    }
    return g;
  }

  /** STACK_GLOBAL's module or name: text, as Python 3 requires. */
  private String globalPart(Object o, String what) throws BadInputException {
    if (!(o instanceof String s)) {
      throw fail("STACK_GLOBAL " + what + " is a " + NumpyGlobals.typeName(o) + ", expected text");
    }
    return s;
  }

  private static String disallowed(String module, String name) {
    return "global '"
        + shown(module)
        + " "
        + shown(name)
        + "' is not allowed (only numpy's array reconstruction: "
        + NumpyGlobals.allowedNames()
        + ")";
  }

  /** Text from the pickle as shown in a message: short, printable, on one line. */
  static String shown(String s) {
    int n = Math.min(s.length(), SHOWN_CHARS);
    return s.substring(0, n).replaceAll("[^\\x20-\\x7e]", "?") + (n < s.length() ? "…" : "");
  }

  // ---- reading bytes ----

  /** A line of text, without its newline: offset and length in the buffer. */
  private record Line(byte[] buf, int from, int to) {
    String text() {
      return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** The start of the line, as {@link #shown(String)} puts it in a message. */
    String shown() {
      int n = Math.min(to - from, SHOWN_CHARS + 1);
      return SafeUnpickler.shown(new String(buf, from, n, StandardCharsets.ISO_8859_1));
    }
  }

  /**
   * FRAME: the next {@code n} bytes hold whole opcodes. Python's writer never lets an opcode cross
   * a frame's end, and neither may a pickle read here, so a frame whose length lies is caught where
   * the lie shows instead of being read past.
   */
  private void frame(long n) throws BadInputException {
    if (frameEnd >= 0) {
      throw fail("FRAME inside a frame that has " + (frameEnd - op) + " bytes left");
    }
    if (n < 0 || n > end - pos) {
      throw fail(
          "FRAME of "
              + Long.toUnsignedString(n)
              + " bytes exceeds the "
              + (end - pos)
              + " bytes left in the pickle");
    }
    frameEnd = pos + (int) n;
  }

  /** Where the current opcode's bytes must end: its frame's end, or the pickle's. */
  private int limit() {
    return frameEnd >= 0 ? frameEnd : end;
  }

  private String within() {
    return frameEnd >= 0 ? "frame" : "pickle";
  }

  private int u8() throws BadInputException {
    if (pos >= limit()) {
      throw frameEnd >= 0
          ? errors.at(pos - start, "opcode crosses the end of its FRAME")
          : errors.at(pos - start, "pickle truncated (no STOP opcode)");
    }
    return buf[pos++] & 0xff;
  }

  private int s32() throws BadInputException {
    return u8() | u8() << 8 | u8() << 16 | u8() << 24;
  }

  private long u32() throws BadInputException {
    return Integer.toUnsignedLong(s32());
  }

  /** 8 bytes little-endian; beyond {@link Long#MAX_VALUE} it is negative, and no length fits. */
  private long u64() throws BadInputException {
    return u32() | u32() << 32;
  }

  private int length(long n) throws BadInputException {
    return length(n, Long.toString(n));
  }

  /** An 8-byte length: unsigned, so one that reads as negative is beyond 2^63. */
  private int length8(long n) throws BadInputException {
    return length(n, Long.toUnsignedString(n));
  }

  private int length(long n, String shown) throws BadInputException {
    if (n < 0 || n > limit() - pos) {
      throw fail(
          "length " + shown + " exceeds the " + (limit() - pos) + " bytes left in the " + within());
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
    for (int i = pos; i < limit(); i++) {
      if (buf[i] == '\n') {
        pos = i + 1;
        return new Line(buf, from, i);
      }
    }
    throw fail(within() + " truncated (text line without its newline)");
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
      throw fail("not an integer: '" + l.shown() + "'");
    }
  }

  private Double parseFloat(Line l) throws BadInputException {
    Double d = PickleText.parseFloat(numberText(l));
    if (d == null) {
      throw fail("not a float: '" + l.shown() + "'");
    }
    return d;
  }

  private String numberText(Line l) throws BadInputException {
    if (l.to() - l.from() > MAX_NUMBER_TEXT) {
      throw fail("number text of " + (l.to() - l.from()) + " characters");
    }
    return l.text().strip();
  }

  private PyBytes quotedString(Line l) throws BadInputException {
    byte[] b = PickleText.unquote(buf, l.from(), l.to());
    if (b == null) {
      throw fail("malformed STRING " + l.shown());
    }
    return new PyBytes(b, 0, b.length);
  }

  private String unicode(Line l) throws BadInputException {
    String s = PickleText.rawUnicodeEscape(buf, l.from(), l.to());
    if (s == null) {
      throw fail("malformed UNICODE " + l.shown());
    }
    return s;
  }

  private static String utf8(PyBytes b) {
    return b.utf8();
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
