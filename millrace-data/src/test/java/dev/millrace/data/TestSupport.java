package dev.millrace.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.millrace.records.Compression;
import dev.millrace.records.RecordWriter;
import dev.millrace.records.proto.BytesList;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.Feature;
import dev.millrace.records.proto.FloatList;
import dev.millrace.records.proto.Int64List;
import dev.millrace.testkit.TestData;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Helpers shared by the tests: TensorFlow's files, Example writing, thread accounting. */
final class TestSupport {
  private TestSupport() {}

  /**
   * The TFRecord file {@code name} that TensorFlow wrote, in {@code testdata/tensorflow/records}.
   */
  static Path golden(String name) {
    return TestData.tensorflow("records/" + name);
  }

  static Feature int64s(long... values) {
    Int64List.Builder b = Int64List.newBuilder();
    for (long v : values) {
      b.addValue(v);
    }
    return Feature.newBuilder().setInt64List(b).build();
  }

  static Feature floats(float... values) {
    FloatList.Builder b = FloatList.newBuilder();
    for (float v : values) {
      b.addValue(v);
    }
    return Feature.newBuilder().setFloatList(b).build();
  }

  static Feature bytes(byte[]... values) {
    BytesList.Builder b = BytesList.newBuilder();
    for (byte[] v : values) {
      b.addValue(ByteString.copyFrom(v));
    }
    return Feature.newBuilder().setBytesList(b).build();
  }

  /** A serialized Example of alternating names and features. */
  static byte[] example(Object... nameFeature) {
    dev.millrace.records.proto.Features.Builder f =
        dev.millrace.records.proto.Features.newBuilder();
    for (int i = 0; i < nameFeature.length; i += 2) {
      f.putFeature((String) nameFeature[i], (Feature) nameFeature[i + 1]);
    }
    return Example.newBuilder().setFeatures(f).build().toByteArray();
  }

  /** Writes records {@code payloads} to {@code file}. */
  static Path writeRecords(Path file, List<byte[]> payloads) throws IOException {
    try (RecordWriter w = RecordWriter.create(file, Compression.fromFileName(file))) {
      for (byte[] p : payloads) {
        w.write(p);
      }
    }
    return file;
  }

  /** Records whose payloads are the decimal numbers {@code from, from + 1, ...}. */
  static Path numberRecords(Path file, int from, int count) throws IOException {
    try (RecordWriter w = RecordWriter.create(file, Compression.NONE)) {
      for (int i = from; i < from + count; i++) {
        w.write(Integer.toString(i).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      }
    }
    return file;
  }

  static int number(TfRecord r) {
    return Integer.parseInt(
        new String(r.toByteArray(), java.nio.charset.StandardCharsets.US_ASCII));
  }

  static Set<String> pipelineThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("millrace-data-"))
        .collect(Collectors.toSet());
  }

  /** Asserts that no pipeline thread is alive (close joins them, so none should be). */
  static void assertNoPipelineThreads() {
    assertThat(pipelineThreads()).as("pipeline threads alive after close").isEmpty();
  }

  /**
   * Waits until {@code t} is parked (waiting, with or without a timeout): a condition, so that a
   * test that must act on a blocked thread holds however loaded the machine is.
   */
  static void awaitWaiting(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
      if (!t.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError(t.getName() + " never blocked (state " + t.getState() + ")");
      }
      Thread.sleep(1);
    }
  }

  /** Waits for {@code latch} at most {@code d}; an interrupt cancels, as in a map function. */
  static void await(java.util.concurrent.CountDownLatch latch, Duration d) {
    try {
      latch.await(d.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.util.concurrent.CancellationException("interrupted");
    }
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.util.concurrent.CancellationException("interrupted");
    }
  }
}
