package dev.millrace.bench.data;

import static dev.millrace.data.FeatureSpec.int64;
import static dev.millrace.data.FeatureSpec.rawImage;

import com.google.protobuf.ByteString;
import dev.millrace.data.Augment;
import dev.millrace.data.Batch;
import dev.millrace.data.ElementRandom;
import dev.millrace.data.ExampleSpec;
import dev.millrace.data.ImageAugmentation;
import dev.millrace.data.TfRecord;
import dev.millrace.data.internal.Pixels;
import dev.millrace.records.proto.BytesList;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.Feature;
import dev.millrace.records.proto.Features;
import dev.millrace.records.proto.Int64List;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.DataFormat;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Where the time of decoding a batch of raw-image Examples goes, on one thread, with no pipeline
 * around it: {@link #decodeBatch} is {@code ExampleSpec.decodeBatch} of 128 records (a raw uint8
 * image of {@code side × side × channels} and an int64 label, as the IDX and CIFAR converters write
 * them), each batch left to the garbage collector; {@link #decodeBatchReleased} is the same with
 * each batch released once decoded, so the next one is decoded into its arrays (what a training
 * loop that releases its batches gets); {@link #pixelsOnly} converts the same pixels to float into
 * a reused array; {@link #allocateOnly} allocates the batch's float tensor. {@link #augment128} is
 * the training pipeline's per-record work on the same images, for 128 of them: {@code
 * Augment.cropFlipNormalize} (random crop with 4 pixels of padding, random flip, normalise, float
 * NHWC) of each decoded uint8 image, as {@code millrace bench input --augment} does. Time per
 * batch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class PixelDecodeBenchmark {
  static final int BATCH = 128;

  /** {@code 28x28x1} (Fashion-MNIST, 784 bytes) or {@code 32x32x3} (CIFAR-10, 3072 bytes). */
  @Param({"28x28x1", "32x32x3"})
  public String image;

  private List<TfRecord> records;
  private ExampleSpec spec;
  private byte[][] pixels;
  private float[] out;
  private int[] dims;
  private List<dev.millrace.data.Features> decoded;
  private ImageAugmentation augment;
  private ElementRandom augmentRandom;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    String[] d = image.split("x");
    dims = new int[] {Integer.parseInt(d[0]), Integer.parseInt(d[1]), Integer.parseInt(d[2])};
    int size = dims[0] * dims[1] * dims[2];
    SplittableRandom random = new SplittableRandom(7);
    records = new ArrayList<>();
    pixels = new byte[BATCH][size];
    for (int r = 0; r < BATCH; r++) {
      for (int k = 0; k < size; k++) {
        pixels[r][k] = (byte) random.nextInt(256);
      }
      records.add(TfRecord.of(example(pixels[r], r % 10)));
    }
    spec =
        ExampleSpec.of(
            rawImage("image", dims[0], dims[1], dims[2]).toFloat(1f / 255), int64("label"));
    out = new float[BATCH * size];
    ExampleSpec uint8 =
        ExampleSpec.of(rawImage("image", dims[0], dims[1], dims[2]), int64("label"));
    decoded = new ArrayList<>();
    for (TfRecord r : records) {
      decoded.add(uint8.decode(r));
    }
    augment =
        Augment.cropFlipNormalize(4, new float[] {0.5f}, new float[] {0.5f}, DataFormat.NHWC)
            .feature("image");
    augmentRandom = new ElementRandom(3);
  }

  private static byte[] example(byte[] image, long label) {
    Features.Builder f = Features.newBuilder();
    f.putFeature(
        "image",
        Feature.newBuilder()
            .setBytesList(BytesList.newBuilder().addValue(ByteString.copyFrom(image)))
            .build());
    f.putFeature(
        "label", Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(label)).build());
    return Example.newBuilder().setFeatures(f).build().toByteArray();
  }

  @Benchmark
  public Batch decodeBatch() throws IOException {
    return spec.decodeBatch(records);
  }

  @Benchmark
  public int decodeBatchReleased() throws IOException {
    Batch b = spec.decodeBatch(records);
    int n = b.size();
    b.release();
    return n;
  }

  @Benchmark
  public float[] pixelsOnly() {
    int size = pixels[0].length;
    for (int r = 0; r < BATCH; r++) {
      Pixels.u8ToFloat(pixels[r], 0, out, r * size, size, 1f / 255);
    }
    return out;
  }

  @Benchmark
  public void augment128(Blackhole bh) {
    for (dev.millrace.data.Features f : decoded) {
      bh.consume(augment.apply(f, augmentRandom));
    }
  }

  @Benchmark
  public Tensor allocateOnly() {
    return Tensor.zeros(DType.FLOAT32, Shape.of(BATCH, dims[0], dims[1], dims[2]));
  }
}
