package dev.millrace.graph.internal;

import static dev.millrace.graph.internal.Defs.one;

import dev.millrace.graph.AttrValue;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Shape functions of the array ops in {@link ArrayDefs}. */
final class ArrayShapes {
  private ArrayShapes() {}

  static List<Shape> constant(ShapeContext c) {
    Tensor v = ((AttrValue.TensorValue) c.attr("value")).value();
    if (v.dtype() != c.attrType("dtype")) {
      throw c.error("value has type " + v.dtype() + " but dtype is " + c.attrType("dtype"));
    }
    return one(v.shape());
  }

  static List<Shape> reshape(ShapeContext c) {
    Optional<long[]> target = Shapes.constInts(c, 1);
    Shape in = c.inputShape(0);
    if (target.isEmpty()) {
      Shape s = c.inputShape(1);
      return one(s.rank() == 1 && s.dim(0) >= 0 ? Shapes.unknown((int) s.dim(0)) : null);
    }
    long[] t = target.get();
    int inferred = -1;
    long known = 1;
    for (int i = 0; i < t.length; i++) {
      if (t[i] == -1) {
        if (inferred >= 0) {
          throw c.error("shape " + Arrays.toString(t) + " has more than one -1");
        }
        inferred = i;
      } else if (t[i] < 0) {
        throw c.error("shape " + Arrays.toString(t) + " has a negative dimension");
      } else {
        known *= t[i];
      }
    }
    long[] out = t.clone();
    if (in.isFullyDefined()) {
      long n = in.size();
      if (inferred >= 0) {
        if (known == 0 || n % known != 0) {
          throw c.error("cannot reshape " + in + " (" + n + " elements) to " + Arrays.toString(t));
        }
        out[inferred] = n / known;
      } else if (known != n) {
        throw c.error(
            "cannot reshape "
                + in
                + " ("
                + n
                + " elements) to "
                + Shape.of(t)
                + " ("
                + known
                + " elements)");
      }
    }
    return one(Shape.of(out));
  }

  static List<Shape> transpose(ShapeContext c) {
    Shape in = c.inputShape(0);
    Optional<long[]> perm = Shapes.constInts(c, 1);
    if (perm.isEmpty()) {
      return one(Shapes.unknown(in.rank()));
    }
    long[] p = perm.get();
    if (p.length != in.rank()) {
      throw c.error("perm " + Arrays.toString(p) + " has " + p.length + " entries for shape " + in);
    }
    boolean[] seen = new boolean[p.length];
    long[] out = new long[p.length];
    for (int i = 0; i < p.length; i++) {
      if (p[i] < 0 || p[i] >= p.length || seen[(int) p[i]]) {
        throw c.error(
            "perm " + Arrays.toString(p) + " is not a permutation of 0.." + (p.length - 1));
      }
      seen[(int) p[i]] = true;
      out[i] = in.dim((int) p[i]);
    }
    return one(Shape.of(out));
  }

  static List<Shape> concat(ShapeContext c) {
    int n = c.numInputs() - 1;
    Shape first = c.inputShape(0);
    Optional<long[]> axisValue = Shapes.constInts(c, n);
    if (axisValue.isEmpty()) {
      return one(Shapes.unknown(first.rank()));
    }
    int axis = Shapes.axis(c, axisValue.get()[0], first.rank(), first);
    long[] out = first.dims();
    for (int i = 1; i < n; i++) {
      Shape s = c.inputShape(i);
      if (s.rank() != first.rank()) {
        throw c.error("values[0] has shape " + first + " but values[" + i + "] has shape " + s);
      }
      for (int d = 0; d < out.length; d++) {
        long v = s.dim(d);
        if (d == axis) {
          out[d] = out[d] == Shapes.U || v == Shapes.U ? Shapes.U : out[d] + v;
        } else if (out[d] != Shapes.U && v != Shapes.U && out[d] != v) {
          throw c.error(
              "values[0] has shape "
                  + first
                  + " but values["
                  + i
                  + "] has shape "
                  + s
                  + ": dimension "
                  + d
                  + " differs (concatenating along axis "
                  + axis
                  + ")");
        } else if (out[d] == Shapes.U) {
          out[d] = v;
        }
      }
    }
    return one(Shape.of(out));
  }

  static List<Shape> pad(ShapeContext c) {
    Shape in = c.inputShape(0);
    Shape ps = c.inputShape(1);
    if (ps.rank() != 2 || (ps.dim(0) != Shapes.U && ps.dim(0) != in.rank()) || ps.dim(1) == 1) {
      throw c.error("paddings " + ps + " must have shape [" + in.rank() + ", 2] for input " + in);
    }
    Optional<long[]> p = Shapes.constInts(c, 1);
    if (p.isEmpty()) {
      return one(Shapes.unknown(in.rank()));
    }
    long[] v = p.get();
    long[] out = in.dims();
    for (int i = 0; i < out.length; i++) {
      if (v[2 * i] < 0 || v[2 * i + 1] < 0) {
        throw c.error("paddings " + Arrays.toString(v) + " has a negative entry");
      }
      out[i] = out[i] == Shapes.U ? Shapes.U : out[i] + v[2 * i] + v[2 * i + 1];
    }
    return one(Shape.of(out));
  }

  static List<Shape> squeeze(ShapeContext c) {
    Shape in = c.inputShape(0);
    long[] dims = c.attrInts("squeeze_dims");
    boolean[] drop = new boolean[in.rank()];
    if (dims.length == 0) {
      for (int i = 0; i < in.rank(); i++) {
        if (in.dim(i) == Shapes.U) {
          return one(null);
        }
        drop[i] = in.dim(i) == 1;
      }
    }
    for (long d : dims) {
      int a = Shapes.axis(c, d, in.rank(), in);
      if (in.dim(a) != 1 && in.dim(a) != Shapes.U) {
        throw c.error(
            "cannot squeeze dimension " + d + " of shape " + in + ": its size is " + in.dim(a));
      }
      drop[a] = true;
    }
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < in.rank(); i++) {
      if (!drop[i]) {
        out.add(in.dim(i));
      }
    }
    return one(Shape.of(out.stream().mapToLong(Long::longValue).toArray()));
  }

  static List<Shape> slice(ShapeContext c) {
    Shape in = c.inputShape(0);
    Optional<long[]> begin = Shapes.constInts(c, 1);
    Optional<long[]> size = Shapes.constInts(c, 2);
    if (begin.isEmpty() || size.isEmpty()) {
      return one(Shapes.unknown(in.rank()));
    }
    long[] b = begin.get();
    long[] s = size.get();
    if (b.length != in.rank() || s.length != in.rank()) {
      throw c.error(
          "begin "
              + Arrays.toString(b)
              + " and size "
              + Arrays.toString(s)
              + " must have one entry per dimension of "
              + in);
    }
    long[] out = new long[b.length];
    for (int i = 0; i < b.length; i++) {
      long d = in.dim(i);
      long end = s[i] == -1 ? d : b[i] + s[i];
      if (b[i] < 0 || s[i] < -1 || (d != Shapes.U && end > d)) {
        throw c.error(
            "slice begin "
                + Arrays.toString(b)
                + " size "
                + Arrays.toString(s)
                + " is out of bounds for shape "
                + in);
      }
      out[i] = s[i] == -1 ? (d == Shapes.U ? Shapes.U : d - b[i]) : s[i];
    }
    return one(Shape.of(out));
  }
}
