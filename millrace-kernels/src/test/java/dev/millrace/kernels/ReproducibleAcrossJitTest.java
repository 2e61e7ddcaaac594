package dev.millrace.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * The fast kernels give bit-identical results whether their code is interpreted or compiled by C2.
 * A training run resumed in a fresh JVM depends on it: its first steps run interpreted code where
 * the uninterrupted run ran compiled code (the Vector API's own lane reductions and exp/log/tanh do
 * not guarantee this, so the kernels do not use them).
 */
class ReproducibleAcrossJitTest {

  /** A digest of the outputs of the kernels whose results could depend on the JIT. */
  static String digest() {
    Kernels k = new FastKernels();
    Random rnd = new Random(42);
    CRC32 crc = new CRC32();
    Tensor logits = FastMatchesReference.random(rnd, 5, 37);
    Tensor wide = Tensor.ofFloats(Shape.of(3, 40), scaled(rnd, 120, 30));
    for (UnaryOp op : List.of(UnaryOp.EXP, UnaryOp.LOG, UnaryOp.TANH, UnaryOp.SIGMOID)) {
      add(crc, k.unary(op, op == UnaryOp.LOG ? k.unary(UnaryOp.ABS, wide) : wide));
    }
    add(crc, k.softmax(logits));
    add(crc, k.logSoftmax(wide));
    CrossEntropyResult xent =
        k.sparseSoftmaxCrossEntropy(logits, Tensor.ofInts(Shape.of(5), 0, 3, 9, 36, 1));
    add(crc, xent.loss());
    add(crc, xent.backprop());
    add(crc, k.reduce(ReduceOp.SUM, wide, new int[] {1}, false));
    add(crc, k.reduce(ReduceOp.MEAN, wide, new int[] {}, false));
    Tensor x = FastMatchesReference.random(rnd, 2, 3, 6, 20);
    Tensor scale = FastMatchesReference.random(rnd, 3);
    Tensor offset = FastMatchesReference.random(rnd, 3);
    for (DataFormat format : DataFormat.values()) {
      Tensor xf = format == DataFormat.NCHW ? x : x.reshape(Shape.of(2, 6, 20, 3));
      FusedBatchNormResult bn = k.fusedBatchNorm(xf, scale, offset, null, null, 1e-3, format, true);
      add(crc, bn.y());
      add(crc, bn.batchVariance());
      BatchNormGradients g =
          k.fusedBatchNormGrad(bn.y(), xf, scale, bn.savedMean(), bn.savedInvStd(), format);
      add(crc, g.x());
      add(crc, g.scale());
    }
    Tensor a = FastMatchesReference.random(rnd, 13, 17);
    Tensor b = FastMatchesReference.random(rnd, 17, 9);
    add(crc, k.matmul(a, b, false, false));
    add(crc, k.matmul(b, a, true, true));
    // A deep product with B transposed, as a dense layer's input gradient has it (a kernel that
    // summed across lanes here would have to do so in a fixed order).
    Tensor rows = FastMatchesReference.random(rnd, 6, 256);
    add(crc, k.matmul(rows, FastMatchesReference.random(rnd, 9, 256), false, true));
    Tensor image = FastMatchesReference.random(rnd, 2, 7, 7, 3);
    Tensor filter = FastMatchesReference.random(rnd, 3, 3, 3, 4);
    for (int stride : new int[] {1, 2}) {
      Conv2dSpec spec = Conv2dSpec.of(stride, Padding.SAME, DataFormat.NHWC);
      Tensor y = k.conv2d(image, filter, spec);
      add(crc, y);
      add(crc, k.conv2dBackpropInput(image.shape(), filter, y, spec));
      add(crc, k.conv2dBackpropFilter(image, filter.shape(), y, spec));
    }
    Tensor grad = FastMatchesReference.random(rnd, 1031);
    Tensor var = FastMatchesReference.random(rnd, 1031);
    Tensor m = FastMatchesReference.random(rnd, 1031);
    Tensor v = k.unary(UnaryOp.ABS, FastMatchesReference.random(rnd, 1031));
    k.applyGradientDescent(var, 0.05, grad);
    k.applyMomentum(var, m, 0.05, grad, 0.9, true);
    k.applyAdam(var, m, v, 0.81, 0.998, 1e-3, 0.9, 0.999, 1e-7, grad);
    add(crc, var);
    add(crc, m);
    add(crc, v);
    return Long.toHexString(crc.getValue());
  }

  private static float[] scaled(Random rnd, int n, float range) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (rnd.nextFloat() * 2 - 1) * range;
    }
    return v;
  }

  private static void add(CRC32 crc, Tensor t) {
    assertThat(t.dtype()).isEqualTo(DType.FLOAT32);
    for (long i = 0; i < t.size(); i++) {
      int bits = Float.floatToRawIntBits((float) t.getAsDouble(i));
      crc.update(
          new byte[] {(byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24)});
    }
  }

  /** Prints the digest computed by this JVM: the interpreted side of the test. */
  public static void main(String[] args) {
    System.out.println(digest());
  }

  @Test
  void interpretedAndCompiledKernelsAgreeBitForBit() throws IOException, InterruptedException {
    for (int i = 0; i < 3000; i++) {
      digest(); // enough calls for C2 to compile the kernels' loops
    }
    String compiled = digest();

    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xint",
                // the same width as this JVM's, forced or not
                "-D" + VectorWidth.PROPERTY + "=" + VectorWidth.inUse().bits(),
                "--add-modules",
                "jdk.incubator.vector",
                "-cp",
                System.getProperty("java.class.path"),
                ReproducibleAcrossJitTest.class.getName())
            .redirectErrorStream(true)
            .start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(out).isZero();
    String interpreted = out.strip().lines().reduce((a, b) -> b).orElse("");
    assertThat(interpreted).as(out).isEqualTo(compiled);
  }
}
