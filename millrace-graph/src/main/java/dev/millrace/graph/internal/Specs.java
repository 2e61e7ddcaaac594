package dev.millrace.graph.internal;

import dev.millrace.graph.AttrValue;
import dev.millrace.graph.Operation;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.Padding;
import dev.millrace.kernels.PoolSpec;
import dev.millrace.tensor.DataFormat;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Turns TensorFlow's convolution and pooling attributes ({@code strides}, {@code padding}, {@code
 * explicit_paddings}, {@code dilations}, {@code ksize}, {@code data_format}) into the kernels' spec
 * records, checking them with TensorFlow's rules: four entries in the data format's order, batch
 * and channel entries 1.
 */
public final class Specs {
  private Specs() {}

  /** The attributes of {@code op}, by name (null for one it lacks). */
  public static Function<String, AttrValue> attrs(Operation op) {
    return name -> op.findAttr(name).orElse(null);
  }

  /** The attributes a shape function sees. */
  public static Function<String, AttrValue> attrs(ShapeContext c) {
    return name -> c.findAttr(name).orElse(null);
  }

  /** The {@code data_format} of {@code op} (NHWC when it has none). */
  public static DataFormat format(Operation op) {
    return format(attrs(op));
  }

  public static DataFormat format(Function<String, AttrValue> attr) {
    AttrValue v = attr.apply("data_format");
    return v == null ? DataFormat.NHWC : DataFormat.parse(((AttrValue.StringValue) v).value());
  }

  public static Conv2dSpec conv(String where, Function<String, AttrValue> attr) {
    DataFormat f = format(attr);
    long[] strides = ints(attr, "strides");
    long[] dilations = ints(attr, "dilations");
    int[] s = spatial(where, "strides", strides, f);
    int[] d = spatial(where, "dilations", dilations, f);
    Padding padding = padding(where, attr);
    if (padding != Padding.EXPLICIT) {
      return new Conv2dSpec(s[0], s[1], d[0], d[1], padding, 0, 0, 0, 0, f);
    }
    long[] p = ints(attr, "explicit_paddings");
    if (p.length != 8) {
      throw new IllegalArgumentException(
          where
              + ": explicit_paddings "
              + Arrays.toString(p)
              + " must have 8 entries (before and after for each of the 4 dimensions)");
    }
    int h = f.heightAxis();
    int w = f.widthAxis();
    for (int axis : new int[] {f.batchAxis(), f.channelAxis()}) {
      if (p[2 * axis] != 0 || p[2 * axis + 1] != 0) {
        throw new IllegalArgumentException(
            where
                + ": explicit_paddings "
                + Arrays.toString(p)
                + " pads the batch or channel dimension (data_format "
                + f
                + ")");
      }
    }
    for (long v : p) {
      if (v < 0) {
        throw new IllegalArgumentException(
            where + ": explicit_paddings " + Arrays.toString(p) + " has a negative entry");
      }
    }
    return new Conv2dSpec(
        s[0],
        s[1],
        d[0],
        d[1],
        Padding.EXPLICIT,
        (int) p[2 * h],
        (int) p[2 * h + 1],
        (int) p[2 * w],
        (int) p[2 * w + 1],
        f);
  }

  public static PoolSpec pool(String where, Function<String, AttrValue> attr) {
    DataFormat f = format(attr);
    int[] k = spatial(where, "ksize", ints(attr, "ksize"), f);
    int[] s = spatial(where, "strides", ints(attr, "strides"), f);
    Padding padding = padding(where, attr);
    if (padding == Padding.EXPLICIT) {
      throw new IllegalArgumentException(where + ": pooling supports SAME and VALID padding only");
    }
    return new PoolSpec(k[0], k[1], s[0], s[1], padding, f);
  }

  /** The attribute lists TensorFlow expects for {@code spec}: strides, dilations, paddings. */
  public static long[] strides(Conv2dSpec spec) {
    return inFormat(spec.format(), spec.strideH(), spec.strideW());
  }

  public static long[] dilations(Conv2dSpec spec) {
    return inFormat(spec.format(), spec.dilationH(), spec.dilationW());
  }

  public static long[] explicitPaddings(Conv2dSpec spec) {
    if (spec.padding() != Padding.EXPLICIT) {
      return new long[0];
    }
    long[] p = new long[8];
    DataFormat f = spec.format();
    p[2 * f.heightAxis()] = spec.padTop();
    p[2 * f.heightAxis() + 1] = spec.padBottom();
    p[2 * f.widthAxis()] = spec.padLeft();
    p[2 * f.widthAxis() + 1] = spec.padRight();
    return p;
  }

  /** {@code [1, h, w, 1]} in NHWC, {@code [1, 1, h, w]} in NCHW. */
  public static long[] inFormat(DataFormat f, long h, long w) {
    long[] v = {1, 1, 1, 1};
    v[f.heightAxis()] = h;
    v[f.widthAxis()] = w;
    return v;
  }

  private static Padding padding(String where, Function<String, AttrValue> attr) {
    String p = ((AttrValue.StringValue) attr.apply("padding")).value();
    try {
      return Padding.valueOf(p);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          where + ": padding \"" + p + "\" (expected SAME, VALID or EXPLICIT)", e);
    }
  }

  private static long[] ints(Function<String, AttrValue> attr, String name) {
    AttrValue v = attr.apply(name);
    return v == null ? new long[] {1, 1, 1, 1} : ((AttrValue.IntListValue) v).values();
  }

  private static int[] spatial(String where, String name, long[] v, DataFormat f) {
    if (v.length != 4) {
      throw new IllegalArgumentException(
          where
              + ": "
              + name
              + " "
              + Arrays.toString(v)
              + " must have 4 entries (data_format "
              + f
              + ")");
    }
    if (v[f.batchAxis()] != 1 || v[f.channelAxis()] != 1) {
      throw new IllegalArgumentException(
          where
              + ": "
              + name
              + " "
              + Arrays.toString(v)
              + " must be 1 on the batch and channel dimensions (data_format "
              + f
              + ")");
    }
    long h = v[f.heightAxis()];
    long w = v[f.widthAxis()];
    if (h < 1 || w < 1) {
      throw new IllegalArgumentException(
          where + ": " + name + " " + Arrays.toString(v) + " must be >= 1");
    }
    return new int[] {(int) h, (int) w};
  }
}
