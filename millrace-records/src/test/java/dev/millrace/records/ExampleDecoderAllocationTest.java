package dev.millrace.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hot path's promise: after warm-up, decoding allocates nothing. */
class ExampleDecoderAllocationTest {
  private static final int DECODES_PER_RUN = 10_000;

  /** What the measuring call itself may cost, with room for a stray JVM-internal allocation. */
  private static final long SLACK_BYTES = 512;

  @Test
  void decodingInALoopAllocatesNothingAfterWarmUp() throws Exception {
    // Every golden Example, packed into one buffer as a reader would present them.
    List<byte[]> payloads = new ArrayList<>(Golden.payloads("fashion-train-500.tfrecord"));
    payloads.addAll(Golden.payloads("feature-kinds.tfrecord"));
    int total = payloads.stream().mapToInt(p -> p.length).sum();
    byte[] buf = new byte[total];
    int[] offsets = new int[payloads.size()];
    int[] lengths = new int[payloads.size()];
    int at = 0;
    for (int k = 0; k < payloads.size(); k++) {
      offsets[k] = at;
      lengths[k] = payloads.get(k).length;
      System.arraycopy(payloads.get(k), 0, buf, at, lengths[k]);
      at += lengths[k];
    }
    ExampleDecoder decoder =
        ExampleDecoder.of("image", "label", "floats", "ints", "strings", "unset_kind", "größe_日本語");
    DecodedExample result = decoder.newResult();
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().threadId();

    long checksum = 0;
    for (int warm = 0; warm < 5; warm++) {
      checksum += run(decoder, result, buf, offsets, lengths);
    }
    long[] allocated = new long[3];
    for (int k = 0; k < allocated.length; k++) {
      long before = threads.getThreadAllocatedBytes(thread);
      checksum += run(decoder, result, buf, offsets, lengths);
      allocated[k] = threads.getThreadAllocatedBytes(thread) - before;
    }
    assertThat(checksum).isNotZero();
    assertThat(java.util.Arrays.stream(allocated).max().orElseThrow())
        .as(
            "bytes allocated per run of %d decodes: %s",
            DECODES_PER_RUN, java.util.Arrays.toString(allocated))
        .isLessThanOrEqualTo(SLACK_BYTES);
  }

  /** Decodes {@link #DECODES_PER_RUN} Examples and reads every value, as a pipeline would. */
  private static long run(
      ExampleDecoder decoder, DecodedExample r, byte[] buf, int[] offsets, int[] lengths)
      throws MalformedExampleException {
    long sum = 0;
    for (int n = 0; n < DECODES_PER_RUN; n++) {
      int k = n % offsets.length;
      decoder.decode(buf, offsets[k], lengths[k], r);
      for (int i = 0; i < r.size(); i++) {
        int count = r.count(i);
        switch (r.type(i)) {
          case INT64 -> {
            for (int j = 0; j < count; j++) {
              sum += r.int64(i, j);
            }
          }
          case FLOAT -> {
            for (int j = 0; j < count; j++) {
              sum += Float.floatToRawIntBits(r.float32(i, j));
            }
          }
          case BYTES -> {
            for (int j = 0; j < count; j++) {
              sum +=
                  r.bytesLength(i, j)
                      + r.source()[r.bytesOffset(i, j) + (r.bytesLength(i, j) >> 1)];
            }
          }
          case NONE -> sum += r.present(i) ? 1 : 0;
        }
      }
    }
    return sum;
  }
}
