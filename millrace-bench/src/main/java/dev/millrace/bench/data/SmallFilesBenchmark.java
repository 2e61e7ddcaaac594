package dev.millrace.bench.data;

import static dev.millrace.data.FeatureSpec.int64;

import dev.millrace.data.Batch;
import dev.millrace.data.Batcher;
import dev.millrace.data.Dataset;
import dev.millrace.data.DatasetIterator;
import dev.millrace.data.ExampleSpec;
import dev.millrace.data.FeatureSpec;
import dev.millrace.data.Features;
import dev.millrace.data.Images;
import dev.millrace.data.Options;
import dev.millrace.data.Parallelism;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Small files against shards: the same 70,000 Fashion-MNIST images read as 70,000 individual PNG
 * files and as 10 TFRecord shards whose Examples hold the same PNG bytes ({@code image}) and the
 * label, each through the same decode pipeline, in the same run. Score: images/s.
 *
 * <ul>
 *   <li>{@link #pngFiles}: {@code files("*.png") → map(read bytes → Images.decode → float ×1/255,
 *       threads) → batch(128) → prefetch}; the label comes from the file name.
 *   <li>{@link #tfRecordShards}: {@code tfRecords("*.tfrecord") → map(decode Example: image via
 *       Images.decode → float ×1/255, label, threads) → batch(128) → prefetch}.
 *   <li>{@link #pngFilesReadOnly} and {@link #tfRecordShardsReadOnly}: the reading alone (bytes of
 *       each file; records with both CRCs checked), in lists of 128, to show what the storage
 *       layout itself costs when the decode does not hide it.
 * </ul>
 *
 * <p>Both sides decode PNG with the same {@link Images#decode} (ImageIO), so their difference is
 * the cost of opening, reading and closing one file per image against streaming records. One
 * operation is one pass over all 70,000 images, listing the folder included (a training job lists
 * it at each start). The files are in the page cache after the first pass (they are written by the
 * setup, or were by an earlier run; see {@link FashionImages}): this measures the per-file system
 * calls, not disk seeks, which would widen the gap.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class SmallFilesBenchmark {
  static final int BATCH = 128;
  private static final float SCALE = 1f / 255;

  /** The decoding map's threads (the file reads run in it too). */
  @Param({"2"})
  public int threads;

  private Path files;
  private Path shards;
  private Options options;
  private ExampleSpec spec;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Path cache = FashionImages.pngCache();
    files = cache.resolve("files");
    shards = cache.resolve("shards");
    options = Options.defaults().maxParallelism(threads);
    spec = ExampleSpec.of(FeatureSpec.image("image", 1).toFloat(SCALE), int64("label"));
    for (Dataset<?> d : List.of(filesPipeline(), shardsPipeline())) {
      long n = run(d, null);
      if (n != FashionImages.IMAGES) {
        throw new IllegalStateException(
            d.describe() + " gave " + n + " images (expected " + FashionImages.IMAGES + ")");
      }
    }
  }

  private Dataset<Batch> filesPipeline() {
    return Dataset.files(files.resolve("*.png"))
        .withOptions(options)
        .map(SmallFilesBenchmark::decodeFile, Parallelism.of(threads))
        .batch(BATCH, false)
        .prefetch(Parallelism.AUTOTUNE);
  }

  private Dataset<Batch> shardsPipeline() {
    return Dataset.tfRecords(shards.resolve("*.tfrecord"))
        .withOptions(options)
        .map(spec::decode, Parallelism.of(threads))
        .batch(BATCH, false)
        .prefetch(Parallelism.AUTOTUNE);
  }

  /** What {@code FeatureSpec.image("image", 1).toFloat(1/255)} does, from a file instead. */
  private static Features decodeFile(Path file) throws IOException {
    byte[] png = Files.readAllBytes(file);
    Tensor img = Images.decode(png, 1);
    byte[] px = img.toByteArray();
    float[] f = new float[px.length];
    for (int i = 0; i < px.length; i++) {
      f[i] = (px[i] & 0xff) * SCALE;
    }
    return Features.of(
        "image",
        Tensor.ofFloats(img.shape(), f),
        "label",
        Tensor.scalar(FashionImages.labelOf(file)));
  }

  @Benchmark
  @OperationsPerInvocation(FashionImages.IMAGES)
  public long pngFiles(Blackhole bh) {
    return run(filesPipeline(), bh);
  }

  @Benchmark
  @OperationsPerInvocation(FashionImages.IMAGES)
  public long tfRecordShards(Blackhole bh) {
    return run(shardsPipeline(), bh);
  }

  @Benchmark
  @OperationsPerInvocation(FashionImages.IMAGES)
  public long pngFilesReadOnly(Blackhole bh) {
    return run(
        Dataset.files(files.resolve("*.png"))
            .withOptions(options)
            .map(Files::readAllBytes, Parallelism.of(threads))
            .batch(BATCH, false, Batcher.toList())
            .prefetch(Parallelism.AUTOTUNE),
        bh);
  }

  @Benchmark
  @OperationsPerInvocation(FashionImages.IMAGES)
  public long tfRecordShardsReadOnly(Blackhole bh) {
    return run(
        Dataset.tfRecords(shards.resolve("*.tfrecord"))
            .withOptions(options)
            .batch(BATCH, false, Batcher.toList())
            .prefetch(Parallelism.AUTOTUNE),
        bh);
  }

  private static long run(Dataset<?> d, Blackhole bh) {
    long n = 0;
    try (DatasetIterator<?> it = d.iterator()) {
      while (it.hasNext()) {
        Object b = it.next();
        int rows =
            switch (b) {
              case Batch batch -> {
                if (batch.get("image").dtype() != DType.FLOAT32) {
                  throw new IllegalStateException("not float images: " + batch);
                }
                yield batch.size();
              }
              case List<?> list -> list.size();
              default -> throw new IllegalStateException("not a batch: " + b);
            };
        if (bh != null) {
          bh.consume(b);
        }
        n += rows;
      }
    }
    return n;
  }
}
