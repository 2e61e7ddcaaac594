package dev.millrace.graph.internal.ops;

import static dev.millrace.graph.internal.ops.Quantization.scalar;
import static dev.millrace.graph.internal.ops.Quantization.scalarOf;
import static dev.millrace.graph.internal.ops.Quantization.withRange;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.OpRegistry;
import dev.millrace.graph.internal.Specs;
import dev.millrace.graph.spi.IntraOp;
import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.spi.ShapeContext;
import dev.millrace.kernels.Conv2dSpec;
import dev.millrace.kernels.QuantizedRange;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * TensorFlow's eight-bit arithmetic with 32-bit results: QuantizedConv2D and QuantizedMatMul (the
 * integer cores are {@link dev.millrace.kernels.Kernels#quantizedConv2d} and {@link
 * dev.millrace.kernels.Kernels#quantizedMatMul}), QuantizedBiasAdd, QuantizedAdd and QuantizedMul.
 * Every op takes QUINT8 codes, each input followed by its float min and max, and returns QINT32
 * codes with the range TensorFlow gives them, so that a Requantize (or Dequantize) after it reads
 * them as TensorFlow would.
 */
final class QuantizedLinear {
  private QuantizedLinear() {}

  static void register(OpRegistry r) {
    r.register(
        twoInputs("QuantizedConv2D", "input", "Tinput", "filter", "Tfilter")
            .output("output", "out_type")
            .output("min_output", DType.FLOAT32)
            .output("max_output", DType.FLOAT32)
            .typeAttrWithDefault("out_type", DType.QINT32, DType.QINT32)
            .attr("strides", AttrType.LIST_INT, null)
            .stringAttr("padding", null, "SAME", "VALID")
            .attr("dilations", AttrType.LIST_INT, AttrValue.of(new long[] {1, 1, 1, 1}))
            .shape(
                c -> withRange(Convolutions.convOutput(c, c.inputShape(0), c.inputShape(1), false)))
            .kernel(
                KernelSource.kernels("quantizedConv2d"),
                op -> {
                  Conv2dSpec spec = Specs.conv(op.toString(), Specs.attrs(op));
                  return ctx -> {
                    Ranges in =
                        Ranges.of(
                            op.toString(), ctx.input(2), ctx.input(3), ctx.input(4), ctx.input(5));
                    Tensor out =
                        ctx.kernels()
                            .quantizedConv2d(
                                ctx.input(0), in.zeroA(), ctx.input(1), in.zeroB(), spec);
                    return in.product(out);
                  };
                })
            .builtBy("TensorFlow's graphs (quantize_nodes, millrace quantize)")
            .build());
    r.register(
        twoInputs("QuantizedMatMul", "a", "T1", "b", "T2")
            .output("out", "Toutput")
            .output("min_out", DType.FLOAT32)
            .output("max_out", DType.FLOAT32)
            .typeAttrWithDefault("Toutput", DType.QINT32, DType.QINT32)
            .attr("transpose_a", AttrType.BOOL, AttrValue.of(false))
            .attr("transpose_b", AttrType.BOOL, AttrValue.of(false))
            .typeAttrWithDefault("Tactivation", DType.QUINT8, Quantization.QUANTIZED)
            .shape(c -> withRange(MatMul.matmulShape(c).get(0)))
            .kernel(
                KernelSource.kernels("quantizedMatMul"),
                op -> {
                  boolean ta = op.attrBool("transpose_a");
                  boolean tb = op.attrBool("transpose_b");
                  return ctx -> {
                    Ranges in =
                        Ranges.of(
                            op.toString(), ctx.input(2), ctx.input(3), ctx.input(4), ctx.input(5));
                    Tensor out =
                        ctx.kernels()
                            .quantizedMatMul(
                                ctx.input(0), in.zeroA(), ta, ctx.input(1), in.zeroB(), tb);
                    return in.product(out);
                  };
                })
            .builtBy("TensorFlow's graphs (quantize_nodes, millrace quantize)")
            .build());
    r.register(
        twoInputs("QuantizedBiasAdd", "input", "T1", "bias", "T2")
            .output("output", "out_type")
            .output("min_out", DType.FLOAT32)
            .output("max_out", DType.FLOAT32)
            .typeAttr("out_type", DType.QINT32)
            .shape(QuantizedLinear::biasAddShape)
            .kernel(
                KernelSource.referenceOnly(),
                op ->
                    ctx -> {
                      Ranges in =
                          Ranges.of(
                              op.toString(),
                              ctx.input(2),
                              ctx.input(3),
                              ctx.input(4),
                              ctx.input(5));
                      Tensor x = ctx.input(0);
                      Tensor bias = ctx.input(1);
                      checkBias(op, x.shape(), bias);
                      return in.biasAdd(ctx.intraOp(), x, bias);
                    })
            .builtBy("TensorFlow's graphs (quantize_nodes, millrace quantize)")
            .build());
    r.register(
        elementwise("QuantizedAdd")
            .kernel(
                KernelSource.referenceOnly(),
                op ->
                    ctx -> {
                      Ranges in =
                          Ranges.of(
                              op.toString(),
                              ctx.input(2),
                              ctx.input(3),
                              ctx.input(4),
                              ctx.input(5));
                      return in.add(op.toString(), ctx.input(0), ctx.input(1));
                    })
            .build());
    r.register(
        elementwise("QuantizedMul")
            .kernel(
                KernelSource.referenceOnly(),
                op ->
                    ctx -> {
                      Ranges in =
                          Ranges.of(
                              op.toString(),
                              ctx.input(2),
                              ctx.input(3),
                              ctx.input(4),
                              ctx.input(5));
                      return in.mul(op.toString(), ctx.input(0), ctx.input(1));
                    })
            .build());
  }

  /**
   * The inputs every op here has, in TensorFlow's order: two QUINT8 tensors {@code a} and {@code
   * b}, then {@code min_a}, {@code max_a}, {@code min_b}, {@code max_b}.
   */
  private static OpDef.Builder twoInputs(
      String type, String a, String aType, String b, String bType) {
    return OpDef.builder(type)
        .input(a, aType)
        .input(b, bType)
        .input("min_" + a, DType.FLOAT32)
        .input("max_" + a, DType.FLOAT32)
        .input("min_" + b, DType.FLOAT32)
        .input("max_" + b, DType.FLOAT32)
        .typeAttr(aType, DType.QUINT8)
        .typeAttr(bType, DType.QUINT8);
  }

  /** QuantizedAdd and QuantizedMul: two QUINT8 tensors, broadcast as NumPy does. */
  private static OpDef.Builder elementwise(String type) {
    return twoInputs(type, "x", "T1", "y", "T2")
        .output("z", "Toutput")
        .output("min_z", DType.FLOAT32)
        .output("max_z", DType.FLOAT32)
        .typeAttrWithDefault("Toutput", DType.QINT32, DType.QINT32)
        .shape(QuantizedLinear::broadcastShape)
        .builtBy("TensorFlow's graphs (quantize_nodes)");
  }

  /** NHWC (channels last) only: TensorFlow's QuantizedBiasAdd has no data_format. */
  private static List<Shape> biasAddShape(ShapeContext c) {
    Shape x = c.inputShape(0);
    Shape b = c.inputShape(1);
    if (x.rank() < 2 || b.rank() != 1) {
      throw c.error("needs a value of rank >= 2 and a vector bias, got " + x + " and " + b);
    }
    long ch = x.dim(x.rank() - 1);
    if (ch != Shapes.U && b.dim(0) != Shapes.U && ch != b.dim(0)) {
      throw c.error("value " + x + " has " + ch + " channels but bias " + b + " has " + b.dim(0));
    }
    return withRange(x);
  }

  private static List<Shape> broadcastShape(ShapeContext c) {
    return withRange(Shapes.broadcast(c, c.inputShape(0), c.inputShape(1)));
  }

  /** The ranges of an op's two QUINT8 inputs, and what follows from them. */
  record Ranges(float minA, float maxA, float minB, float maxB) {
    static Ranges of(String op, Tensor minA, Tensor maxA, Tensor minB, Tensor maxB) {
      return new Ranges(
          scalar(op + " min of input 0", minA),
          scalar(op + " max of input 0", maxA),
          scalar(op + " min of input 1", minB),
          scalar(op + " max of input 1", maxB));
    }

    /** The code of 0.0 in the first input's range: what the products subtract. */
    int zeroA() {
      return (int) QuantizedRange.toCodeUnclamped(0f, minA, maxA, DType.QUINT8);
    }

    int zeroB() {
      return (int) QuantizedRange.toCodeUnclamped(0f, minB, maxB, DType.QUINT8);
    }

    /** A QINT32 product of the two inputs, with its range. */
    List<Tensor> product(Tensor codes) {
      float[] range = QuantizedRange.ofProduct(minA, maxA, minB, maxB);
      return List.of(codes, scalarOf(range[0]), scalarOf(range[1]));
    }

    /**
     * QuantizedBiasAdd: both sides requantized into the sum's QINT32 range (in float arithmetic, as
     * TensorFlow's Eigen path does) and added, with the code of 0.0 in that range.
     */
    List<Tensor> biasAdd(IntraOp pool, Tensor x, Tensor bias) {
      BiasSum sum = biasSum(bias);
      int[] table = sum.table();
      int[] bs = sum.perChannel();
      byte[] codes = QuantizedRange.bytesToRead(x);
      int[] xs = new int[codes.length];
      int channels = bs.length;
      QuantizedLoops.split(
          pool,
          xs.length / channels,
          (from, to) -> {
            for (int row = from; row < to; row++) {
              int i = row * channels;
              for (int c = 0; c < channels; c++) {
                xs[i + c] = table[codes[i + c] & 0xff] + bs[c];
              }
            }
          });
      return List.of(
          Tensor.wrapping(DType.QINT32, x.shape(), xs),
          scalarOf(sum.range()[0]),
          scalarOf(sum.range()[1]));
    }

    /**
     * What QuantizedBiasAdd adds, worked out once per call: the sum's QINT32 range, each input
     * code's value in it ({@code table}, the float round trip for each of the 256 codes) and each
     * channel's bias in it, the code of 0.0 included ({@code perChannel}); element {@code (i, c)}
     * is {@code table[code] + perChannel[c]}.
     */
    BiasSum biasSum(Tensor bias) {
      float[] range = QuantizedRange.ofBiasSum(minA, maxA, minB, maxB);
      int[] table = inSumRange(ALL_CODES, minA, maxA, range);
      int[] bs = inSumRange(QuantizedRange.codes(bias), minB, maxB, range);
      int zero = (int) QuantizedRange.toCode(0f, range[0], range[1], DType.QINT32);
      for (int c = 0; c < bs.length; c++) {
        bs[c] += zero;
      }
      return new BiasSum(range, table, bs);
    }

    /**
     * QuantizedAdd: each side mapped into the sum's QINT32 range by the linear map TensorFlow's CPU
     * kernel derives from codes 0 and 1, then added, broadcasting.
     */
    List<Tensor> add(String op, Tensor x, Tensor y) {
      SumMaps maps = sumMaps();
      float[] range = maps.range();
      int[] mx = maps.x();
      int[] my = maps.y();
      Tensor out;
      if (x.shape().equals(y.shape())) {
        byte[] a = QuantizedRange.bytesToRead(x);
        byte[] b = QuantizedRange.bytesToRead(y);
        int[] z = new int[a.length];
        for (int i = 0; i < z.length; i++) {
          z[i] = mx[a[i] & 0xff] + my[b[i] & 0xff];
        }
        out = Tensor.wrapping(DType.QINT32, x.shape(), z);
      } else {
        out = QuantizedBroadcast.combine(op, x, y, (a, b) -> mx[a] + my[b]);
      }
      return List.of(out, scalarOf(range[0]), scalarOf(range[1]));
    }

    /** QuantizedAdd's range and each input code's value in it: the sum is {@code x[a] + y[b]}. */
    SumMaps sumMaps() {
      float[] range = QuantizedRange.ofSum(minA, maxA, minB, maxB);
      return new SumMaps(
          range, LinearMap.of(minA, maxA, range).table(), LinearMap.of(minB, maxB, range).table());
    }

    /** QuantizedMul: the product of the zero-shifted codes, broadcasting. */
    List<Tensor> mul(String op, Tensor x, Tensor y) {
      int za = zeroA();
      int zb = zeroB();
      Tensor out = QuantizedBroadcast.combine(op, x, y, (a, b) -> (a - za) * (b - zb));
      return product(out);
    }

    private static final int[] ALL_CODES = java.util.stream.IntStream.range(0, 256).toArray();

    private static int[] inSumRange(int[] codes, float min, float max, float[] range) {
      float[] f = QuantizedRange.dequantize(codes, min, max, DType.QUINT8);
      return QuantizedRange.quantize(f, range[0], range[1], DType.QINT32);
    }
  }

  /** QuantizedAdd's arithmetic for two input ranges: see {@link Ranges#sumMaps}. */
  record SumMaps(float[] range, int[] x, int[] y) {}

  /** QuantizedBiasAdd's arithmetic for one bias: see {@link Ranges#biasSum}. */
  record BiasSum(float[] range, int[] table, int[] perChannel) {}

  /** Throws unless {@code bias} holds one value per channel (the last dimension) of {@code x}. */
  static void checkBias(Object op, Shape x, Tensor bias) {
    if (x.rank() < 2 || bias.shape().rank() != 1 || bias.size() != x.dim(x.rank() - 1)) {
      throw new IllegalArgumentException(
          op + ": bias " + bias.shape() + " must be one value per channel of " + x);
    }
  }

  /** TensorFlow's QUINT8 to QINT32 map: {@code q0 + code · (q1 - q0)}, clamped to 32 bits. */
  record LinearMap(long zero, int step) {
    static LinearMap of(float min, float max, float[] range) {
      long q0 =
          QuantizedRange.toCodeUnclamped(
              QuantizedRange.toFloat(0, min, max, DType.QUINT8), range[0], range[1], DType.QINT32);
      long q1 =
          QuantizedRange.toCodeUnclamped(
              QuantizedRange.toFloat(1, min, max, DType.QUINT8), range[0], range[1], DType.QINT32);
      return new LinearMap(q0, (int) (q1 - q0));
    }

    int apply(int code) {
      return (int) Math.clamp(zero + (long) code * step, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** {@link #apply} of each of the 256 codes. */
    int[] table() {
      int[] t = new int[256];
      for (int c = 0; c < 256; c++) {
        t[c] = apply(c);
      }
      return t;
    }
  }
}
