package dev.millrace.bench;

import dev.millrace.records.Compression;
import dev.millrace.records.CorruptRecordPolicy;
import dev.millrace.records.RecordReader;
import dev.millrace.records.RecordWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * TFRecord reading with both CRC checks against a plain sequential read of the same file, in the
 * same run: the plain read is the ceiling (the page cache's copy speed), so the ratio shows what
 * framing and CRC cost. One operation is one pass over a file of about 64 MiB.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xmx1g"})
public class RecordReadBenchmark {
  /** Payload size: 784 is one Fashion-MNIST image, 3072 one CIFAR-10 image. */
  @Param({"784", "3072"})
  public int recordBytes;

  /** Total payload per file. */
  @Param({"67108864"})
  public long fileBytes;

  private Path file;
  private long records;
  private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();

  @Setup(Level.Trial)
  public void writeFile() throws IOException {
    file = Files.createTempFile("millrace-bench-", ".tfrecord");
    records = fileBytes / recordBytes;
    byte[] payload = new byte[recordBytes];
    SplittableRandom random = new SplittableRandom(1);
    try (RecordWriter w = RecordWriter.create(file, Compression.NONE)) {
      for (long i = 0; i < records; i++) {
        payload[random.nextInt(recordBytes)] = (byte) random.nextInt();
        w.write(payload);
      }
    }
  }

  @TearDown(Level.Trial)
  public void deleteFile() throws IOException {
    Files.deleteIfExists(file);
  }

  /** Size of the file on disk, framing included, for MB/s. */
  public long fileSizeOnDisk() throws IOException {
    return Files.size(file);
  }

  @Benchmark
  public long plainSequentialRead() throws IOException {
    long sum = 0;
    // The same buffer as RecordReader: a fresh 64 KiB heap buffer per file.
    ByteBuffer plainBuffer = ByteBuffer.allocate(64 * 1024);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      int n;
      while ((n = ch.read(plainBuffer)) >= 0) {
        sum += n + plainBuffer.get(0);
        plainBuffer.clear();
      }
    }
    return sum;
  }

  /**
   * The CRC-32C work alone (both CRCs of every record) over the file's bytes already in memory:
   * with {@link #plainSequentialRead} it gives the floor that a checking reader cannot go below.
   */
  @Benchmark
  public long crc32cOnlyInMemory(InMemoryCopy copy) {
    byte[] inMemory = copy.bytes;
    long sum = 0;
    int stride = 16 + recordBytes;
    for (int off = 0; off + stride <= inMemory.length; off += stride) {
      crc.reset();
      crc.update(inMemory, off, 8);
      sum += crc.getValue();
      crc.reset();
      crc.update(inMemory, off + 12, recordBytes);
      sum += crc.getValue();
    }
    return sum;
  }

  /**
   * The file's bytes on the heap, in a state of their own: only the CRC benchmark holds them, as a
   * large live array measurably slowed the file-reading benchmarks sharing its fork.
   */
  @State(Scope.Benchmark)
  public static class InMemoryCopy {
    byte[] bytes;

    @Setup(Level.Trial)
    public void load(RecordReadBenchmark benchmark) throws IOException {
      bytes = Files.readAllBytes(benchmark.file);
    }
  }

  @Benchmark
  public long tfrecordReadWithCrc(Blackhole bh) throws IOException {
    long n = 0;
    try (RecordReader r = RecordReader.open(file, Compression.NONE, CorruptRecordPolicy.FAIL)) {
      while (r.next()) {
        bh.consume(r.array()[r.offset()]);
        n++;
      }
    }
    if (n != records) {
      throw new IllegalStateException("read " + n + " records, wrote " + records);
    }
    return n;
  }
}
