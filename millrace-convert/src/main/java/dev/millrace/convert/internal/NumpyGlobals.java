package dev.millrace.convert.internal;

import dev.millrace.convert.BadInputException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The only globals a CIFAR-10 pickle may name, and what REDUCE and BUILD may do with them. numpy
 * pickles an array as {@code _reconstruct(ndarray, (0,), b'b')} followed by BUILD with {@code
 * (version, shape, dtype, is_fortran, raw bytes)} — or, at protocol 5, as {@code _frombuffer(buf,
 * dtype, shape, order)} — its dtype as {@code dtype('u1', 0, 1)} followed by BUILD with {@code
 * (version, byteorder, ...)}, and a scalar such as {@code numpy.int64(3)} as {@code scalar(dtype,
 * raw bytes)}. numpy 1 names the modules {@code numpy.core.*}, numpy 2 {@code numpy._core.*}.
 * Python 3 writes {@code bytes} at protocol 2 as {@code _codecs.encode(text, 'latin1')}, or {@code
 * bytes()} when empty; those two calls are allowed with exactly those arguments. Everything else is
 * refused: that is what makes unpickling safe.
 */
final class NumpyGlobals {
  private NumpyGlobals() {}

  /** Makes the error for a problem at the current opcode. */
  @FunctionalInterface
  interface Fail {
    BadInputException with(String problem);
  }

  /** numpy 1's modules and numpy 2's, which moved {@code numpy.core} to {@code numpy._core}. */
  private static final List<String> MULTIARRAY =
      List.of("numpy.core.multiarray", "numpy._core.multiarray");

  private static final List<String> NUMERIC = List.of("numpy.core.numeric", "numpy._core.numeric");

  /** Little-endian, big-endian, native, not applicable: all that numpy writes. */
  private static final List<String> BYTE_ORDERS = List.of("<", ">", "=", "|");

  /** An allowed global, as pushed by GLOBAL or STACK_GLOBAL, under any of its modules' names. */
  enum Global {
    RECONSTRUCT(MULTIARRAY, "_reconstruct"),
    FROMBUFFER(NUMERIC, "_frombuffer"),
    SCALAR(MULTIARRAY, "scalar"),
    NDARRAY(List.of("numpy"), "ndarray"),
    DTYPE(List.of("numpy"), "dtype"),
    ENCODE(List.of("_codecs"), "encode"),
    // Python 3 writes builtins as __builtin__ at protocols 0-2 (fix_imports), else as builtins.
    BYTES(List.of("__builtin__", "builtins"), "bytes");

    final List<String> modules;
    final String name;

    Global(List<String> modules, String name) {
      this.modules = modules;
      this.name = name;
    }

    @Override
    public String toString() {
      return modules.getFirst() + "." + name;
    }
  }

  static Global resolve(String module, String name) {
    for (Global g : Global.values()) {
      if (g.modules.contains(module) && g.name.equals(name)) {
        return g;
      }
    }
    return null;
  }

  static String allowedNames() {
    return Arrays.stream(Global.values())
        .flatMap(g -> g.modules.stream().map(m -> m + " " + g.name))
        .collect(Collectors.joining(", "));
  }

  /** REDUCE: calls an allowed global with its argument tuple. */
  static Object reduce(Object callable, Object args, Fail fail) throws BadInputException {
    if (!(callable instanceof Global g)) {
      throw fail.with("REDUCE calls a " + typeName(callable) + ", expected an allowed global");
    }
    if (!(args instanceof PyTuple t)) {
      throw fail.with("REDUCE arguments are a " + typeName(args) + ", expected a tuple");
    }
    switch (g) {
      case RECONSTRUCT -> {
        // _reconstruct(subtype, shape, dtype-char): the real shape and data come with BUILD.
        if (t.size() != 3 || t.get(0) != Global.NDARRAY) {
          throw fail.with("_reconstruct of anything but numpy.ndarray is not allowed");
        }
        return new NdArray();
      }
      case FROMBUFFER -> {
        // _frombuffer(buffer, dtype, shape, order): frombuffer(...).reshape(shape, order=order).
        if (t.size() != 4) {
          throw fail.with("_frombuffer expects (buffer, dtype, shape, order)");
        }
        String order = text(t.get(3));
        if (!"C".equals(order) && !"F".equals(order)) {
          String shown =
              order == null ? typeName(t.get(3)) : "'" + SafeUnpickler.shown(order) + "'";
          throw fail.with("_frombuffer order is " + shown + ", expected 'C' or 'F'");
        }
        Object buffer = t.get(0) instanceof PyByteArray b ? b.bytes() : t.get(0);
        NdArray a = new NdArray();
        buildArray(a, t.get(2), t.get(1), order.equals("F"), buffer, "_frombuffer", fail);
        return a;
      }
      case SCALAR -> {
        // scalar(dtype, raw bytes): a numpy scalar such as numpy.int64(3), in a list of labels.
        if (t.size() != 2 || !(t.get(0) instanceof NdDType dtype)) {
          throw fail.with("numpy scalar expects (dtype, raw bytes)");
        }
        if (!dtype.isInteger()) {
          throw fail.with(
              "numpy scalar of dtype " + dtype + " is not supported (expected an integer type)");
        }
        NdArray a = new NdArray();
        buildArray(a, PyTuple.of(List.of()), dtype, false, t.get(1), "numpy scalar", fail);
        return a.integerAt(0);
      }
      case ENCODE -> {
        // Python 3's bytes at protocol 2: _codecs.encode(the bytes as Latin-1 text, 'latin1').
        if (t.size() != 2 || !(t.get(0) instanceof String s) || !"latin1".equals(t.get(1))) {
          throw fail.with("_codecs.encode is allowed only as (text, 'latin1'), Python 3's bytes");
        }
        PyBytes b = PyBytes.fromLatin1Text(s);
        if (b == null) {
          throw fail.with("_codecs.encode of text beyond Latin-1");
        }
        return b;
      }
      case BYTES -> {
        // Python 3's empty bytes at protocol 2.
        if (t.size() != 0) {
          throw fail.with("bytes is allowed only as bytes(), Python 3's empty bytes");
        }
        return PyBytes.latin1("");
      }
      case DTYPE -> {
        if (t.size() < 1 || t.size() > 3 || text(t.get(0)) == null) {
          throw fail.with("numpy.dtype expects (type string, align, copy)");
        }
        return new NdDType(text(t.get(0)));
      }
      default -> throw fail.with("calling " + g + " is not allowed");
    }
  }

  /** BUILD: gives an array or a dtype its pickled state. */
  static void build(Object target, Object state, Fail fail) throws BadInputException {
    switch (target) {
      case NdDType d -> {
        // (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
        if (!(state instanceof PyTuple t) || t.size() < 2 || text(t.get(1)) == null) {
          throw fail.with("numpy.dtype state is a " + typeName(state) + ", expected a tuple");
        }
        String byteOrder = text(t.get(1));
        if (!BYTE_ORDERS.contains(byteOrder)) {
          throw fail.with(
              "numpy.dtype byte order '"
                  + SafeUnpickler.shown(byteOrder)
                  + "' is not one of "
                  + String.join(" ", BYTE_ORDERS));
        }
        d.build(byteOrder);
      }
      case NdArray a -> buildArray(a, state, fail);
      case null, default -> throw fail.with("BUILD on a " + typeName(target) + " is not allowed");
    }
  }

  private static void buildArray(NdArray a, Object state, Fail fail) throws BadInputException {
    if (a.isBuilt()) {
      throw fail.with("BUILD on an array that is already built");
    }
    if (!(state instanceof PyTuple t) || t.size() != 5) {
      throw fail.with(
          "numpy.ndarray state is a "
              + typeName(state)
              + ", expected (version, shape, dtype, is_fortran, data)");
    }
    buildArray(a, t.get(1), t.get(2), truth(t.get(3)), t.get(4), "numpy.ndarray", fail);
  }

  /** Checks an array's shape, dtype and raw bytes against each other and gives them to it. */
  private static void buildArray(
      NdArray a,
      Object shapeValue,
      Object dtypeValue,
      boolean fortran,
      Object dataValue,
      String what,
      Fail fail)
      throws BadInputException {
    if (!(shapeValue instanceof PyTuple shapeTuple)) {
      throw fail.with(what + " shape is a " + typeName(shapeValue) + ", expected a tuple");
    }
    if (!(dtypeValue instanceof NdDType dtype)) {
      throw fail.with(what + " dtype is a " + typeName(dtypeValue) + ", expected a dtype");
    }
    if (!(dataValue instanceof PyBytes data)) {
      throw fail.with(
          what
              + " data is a "
              + typeName(dataValue)
              + " (dtype "
              + dtype
              + "), expected raw bytes: only numeric arrays are supported");
    }
    int itemSize = dtype.itemSize();
    if (itemSize < 0) {
      throw fail.with("numpy dtype '" + dtype + "' is not supported (expected a numeric type)");
    }
    long[] shape = new long[shapeTuple.size()];
    long elements = 1;
    for (int i = 0; i < shape.length; i++) {
      if (!(shapeTuple.get(i) instanceof Long n) || n < 0) {
        throw fail.with(what + " shape " + shapeTuple.items() + " is not a tuple of sizes");
      }
      shape[i] = n;
      try {
        elements = Math.multiplyExact(elements, n);
      } catch (ArithmeticException e) {
        elements = Long.MAX_VALUE;
      }
      if (elements > Integer.MAX_VALUE) {
        throw fail.with(what + " shape " + shapeTuple.items() + " is too large");
      }
    }
    if (elements * itemSize != data.length()) {
      throw fail.with(
          what
              + " of shape "
              + Arrays.toString(shape)
              + " and dtype "
              + dtype
              + " needs "
              + elements * itemSize
              + " bytes, the pickle holds "
              + data.length());
    }
    a.build(shape, dtype, fortran, data);
  }

  /** Python 2 str or unicode (Python 3 bytes or str) as text; null for anything else. */
  static String text(Object o) {
    return switch (o) {
      case PyBytes b -> b.latin1();
      case String s -> s;
      case null, default -> null;
    };
  }

  private static boolean truth(Object o) {
    return switch (o) {
      case Boolean b -> b;
      case Long n -> n != 0;
      case null, default -> false;
    };
  }

  /**
   * Python 3's name for the type of an unpickled value, for messages: Python 2's {@code str} is
   * {@code bytes} here and its {@code unicode} is {@code str}, as the user's Python names them.
   */
  static String typeName(Object o) {
    return switch (o) {
      case null -> "None";
      case Boolean b -> "bool";
      case Long n -> "int";
      case BigInteger n -> "int";
      case Double d -> "float";
      case PyBytes b -> "bytes";
      case PyByteArray b -> "bytearray";
      case String s -> "str";
      case PyTuple t -> "tuple";
      case List<?> l -> "list";
      case Map<?, ?> m -> "dict";
      case NdArray a -> "numpy.ndarray";
      case NdDType d -> "numpy.dtype";
      case Global g -> "global " + g.modules.getFirst() + " " + g.name;
      default -> o.getClass().getSimpleName();
    };
  }
}
