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
 * (version, shape, dtype, is_fortran, raw bytes)}, and its dtype as {@code dtype('u1', 0, 1)}
 * followed by BUILD with {@code (version, byteorder, ...)}. Everything else is refused: that is
 * what makes unpickling safe.
 */
final class NumpyGlobals {
  private NumpyGlobals() {}

  /** Makes the error for a problem at the current opcode. */
  @FunctionalInterface
  interface Fail {
    BadInputException with(String problem);
  }

  /** An allowed global, as pushed by GLOBAL. */
  enum Global {
    RECONSTRUCT("numpy.core.multiarray", "_reconstruct"),
    // numpy 2 moved the module; pickles written by it name the new one.
    RECONSTRUCT_NUMPY2("numpy._core.multiarray", "_reconstruct"),
    NDARRAY("numpy", "ndarray"),
    DTYPE("numpy", "dtype");

    final String module;
    final String name;

    Global(String module, String name) {
      this.module = module;
      this.name = name;
    }

    @Override
    public String toString() {
      return module + "." + name;
    }
  }

  static Global resolve(String module, String name) {
    for (Global g : Global.values()) {
      if (g.module.equals(module) && g.name.equals(name)) {
        return g;
      }
    }
    return null;
  }

  static String allowedNames() {
    return Arrays.stream(Global.values())
        .map(g -> g.module + " " + g.name)
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
      case RECONSTRUCT, RECONSTRUCT_NUMPY2 -> {
        // _reconstruct(subtype, shape, dtype-char): the real shape and data come with BUILD.
        if (t.size() != 3 || t.get(0) != Global.NDARRAY) {
          throw fail.with("_reconstruct of anything but numpy.ndarray is not allowed");
        }
        return new NdArray();
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
        d.build(text(t.get(1)));
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
    if (!(t.get(1) instanceof PyTuple shapeTuple)) {
      throw fail.with("numpy.ndarray shape is a " + typeName(t.get(1)) + ", expected a tuple");
    }
    if (!(t.get(2) instanceof NdDType dtype)) {
      throw fail.with("numpy.ndarray dtype is a " + typeName(t.get(2)) + ", expected a dtype");
    }
    if (!(t.get(4) instanceof PyBytes data)) {
      throw fail.with(
          "numpy.ndarray data is a "
              + typeName(t.get(4))
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
        throw fail.with("numpy.ndarray shape " + shapeTuple.items() + " is not a tuple of sizes");
      }
      shape[i] = n;
      try {
        elements = Math.multiplyExact(elements, n);
      } catch (ArithmeticException e) {
        elements = Long.MAX_VALUE;
      }
      if (elements > Integer.MAX_VALUE) {
        throw fail.with("numpy.ndarray shape " + shapeTuple.items() + " is too large");
      }
    }
    if (elements * itemSize != data.length()) {
      throw fail.with(
          "numpy.ndarray of shape "
              + Arrays.toString(shape)
              + " and dtype "
              + dtype
              + " needs "
              + elements * itemSize
              + " bytes, the pickle holds "
              + data.length());
    }
    a.build(shape, dtype, truth(t.get(3)), data);
  }

  /** Python 2 str or unicode as text; null for anything else. */
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

  /** Python's name for the type of an unpickled value, for messages. */
  static String typeName(Object o) {
    return switch (o) {
      case null -> "None";
      case Boolean b -> "bool";
      case Long n -> "int";
      case BigInteger n -> "long";
      case Double d -> "float";
      case PyBytes b -> "str";
      case String s -> "unicode";
      case PyTuple t -> "tuple";
      case List<?> l -> "list";
      case Map<?, ?> m -> "dict";
      case NdArray a -> "numpy.ndarray";
      case NdDType d -> "numpy.dtype";
      case Global g -> "global " + g.module + " " + g.name;
      default -> o.getClass().getSimpleName();
    };
  }
}
