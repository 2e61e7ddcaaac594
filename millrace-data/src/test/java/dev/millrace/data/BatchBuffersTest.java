package dev.millrace.data;

import static dev.millrace.data.FeatureSpec.int64;
import static dev.millrace.data.FeatureSpec.rawImage;
import static dev.millrace.data.TestSupport.bytes;
import static dev.millrace.data.TestSupport.example;
import static dev.millrace.data.TestSupport.int64s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reusing the arrays of released batches: only released ones, with the right values, bounded. */
class BatchBuffersTest {
  private static final int SIDE = 12;
  private static final int CHANNELS = 3;
  private static final int PIXELS = SIDE * SIDE * CHANNELS;
  private static final int BATCH = 40; // 40 × 432 floats: 69 KB, above BatchBuffers.MIN_BYTES
  private static final long BATCH_BYTES = (long) BATCH * PIXELS * Float.BYTES;

  @TempDir Path tmp;

  private static ExampleSpec spec(BatchBuffers buffers) {
    return ExampleSpec.of(rawImage("image", SIDE, SIDE, CHANNELS).toFloat(1f / 255), int64("label"))
        .withBuffers(buffers);
  }

  /** {@code n} records of random pixels and labels, from {@code seed}. */
  private static List<TfRecord> records(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<TfRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] pixels = new byte[PIXELS];
      for (int k = 0; k < PIXELS; k++) {
        pixels[k] = (byte) random.nextInt(256);
      }
      out.add(TfRecord.of(example("image", bytes(pixels), "label", int64s(random.nextInt(10)))));
    }
    return out;
  }

  /** The batch decoded record by record, each into a new tensor: the values to expect. */
  private static void assertDecodes(Batch b, List<TfRecord> records) throws Exception {
    ExampleSpec plain = spec(BatchBuffers.of(0));
    assertThat(b.size()).isEqualTo(records.size());
    assertThat(b.get("image").shape()).isEqualTo(Shape.of(records.size(), SIDE, SIDE, CHANNELS));
    for (int r = 0; r < records.size(); r++) {
      Features f = plain.decode(records.get(r));
      float[] want = f.get("image").toFloatArray();
      for (int k = 0; k < PIXELS; k++) {
        if (b.get("image").getFloat((long) r * PIXELS + k) != want[k]) {
          throw new AssertionError("record " + r + ", pixel " + k + " differs");
        }
      }
      assertThat(b.get("label").getLong(r)).isEqualTo(f.get("label").getLong(0));
    }
  }

  private static Object array(Tensor t) {
    return t.data().heapBase().orElseThrow();
  }

  @Test
  void aReleasedBatchsArrayHoldsTheNextBatchOfItsSizeWithThatBatchsValuesSeed11() throws Exception {
    BatchBuffers buffers = BatchBuffers.of(4 * BATCH_BYTES);
    ExampleSpec spec = spec(buffers);
    List<TfRecord> first = records(BATCH, 11);
    List<TfRecord> second = records(BATCH, 12);

    Batch a = spec.decodeBatch(first);
    Object arrayA = array(a.get("image"));
    a.release();
    Batch b = spec.decodeBatch(second);

    assertThat(array(b.get("image"))).isSameAs(arrayA);
    assertThat(buffers.reusedCount()).isEqualTo(1);
    assertDecodes(b, second);
  }

  @Test
  void aLastPartialBatchGetsAnArrayOfItsOwnSizeAndItsOwnValuesSeed21() throws Exception {
    BatchBuffers buffers = BatchBuffers.of(4 * BATCH_BYTES);
    ExampleSpec spec = spec(buffers);
    Batch full = spec.decodeBatch(records(BATCH, 21));
    Object fullArray = array(full.get("image"));
    full.release();

    List<TfRecord> partial = records(BATCH - 9, 22);
    Batch p = spec.decodeBatch(partial);
    assertThat(array(p.get("image"))).isNotSameAs(fullArray);
    assertDecodes(p, partial);
    Object partialArray = array(p.get("image"));
    p.release();

    // Another partial batch of the same size overwrites every value the first one left.
    List<TfRecord> partialAgain = records(BATCH - 9, 23);
    Batch q = spec.decodeBatch(partialAgain);
    assertThat(array(q.get("image"))).isSameAs(partialArray);
    assertDecodes(q, partialAgain);

    List<TfRecord> fullAgain = records(BATCH, 24);
    Batch r = spec.decodeBatch(fullAgain);
    assertThat(array(r.get("image"))).isSameAs(fullArray);
    assertDecodes(r, fullAgain);
  }

  @Test
  void anUnreleasedBatchsArrayIsNeverReused() throws Exception {
    BatchBuffers buffers = BatchBuffers.of(4 * BATCH_BYTES);
    ExampleSpec spec = spec(buffers);
    List<TfRecord> first = records(BATCH, 31);

    Batch a = spec.decodeBatch(first);
    Batch b = spec.decodeBatch(records(BATCH, 32));
    Batch c = spec.decodeBatch(records(BATCH, 33));

    assertThat(array(b.get("image"))).isNotSameAs(array(a.get("image")));
    assertThat(array(c.get("image"))).isNotSameAs(array(a.get("image")));
    assertThat(buffers.reusedCount()).isZero();
    assertDecodes(a, first);
  }

  @Test
  void freeArraysNeverExceedTheCapacityAndOtherSizesMakeWayForTheNewOne() throws Exception {
    long capacity = 2 * BATCH_BYTES + BATCH_BYTES / 2;
    BatchBuffers buffers = BatchBuffers.of(capacity);
    ExampleSpec spec = spec(buffers);
    List<Batch> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(spec.decodeBatch(records(BATCH, 40 + i)));
    }
    for (Batch b : held) {
      b.release();
      assertThat(buffers.freeBytes()).isLessThanOrEqualTo(capacity);
    }
    assertThat(buffers.freeBytes()).isEqualTo(2 * BATCH_BYTES);
    assertThat(buffers.returnedCount()).isEqualTo(5);

    // A batch of another size makes way for the one given back last.
    BatchBuffers one = BatchBuffers.of(BATCH_BYTES);
    ExampleSpec small = spec(one);
    Batch partial = small.decodeBatch(records(BATCH / 2, 50));
    Batch full = small.decodeBatch(records(BATCH, 51));
    Object fullArray = array(full.get("image"));
    partial.release();
    assertThat(one.freeBytes()).isEqualTo(BATCH_BYTES / 2);
    full.release();
    assertThat(one.freeBytes()).isEqualTo(BATCH_BYTES);
    assertThat(array(small.decodeBatch(records(BATCH, 52)).get("image"))).isSameAs(fullArray);
    small.decodeBatch(records(BATCH / 2, 53));
    assertThat(one.reusedCount()).isEqualTo(1);
  }

  @Test
  void releasingTwiceReturnsTheArraysOnceAndAReleasedBatchCannotBeRead() throws Exception {
    BatchBuffers buffers = BatchBuffers.of(4 * BATCH_BYTES);
    ExampleSpec spec = spec(buffers);
    Batch a = spec.decodeBatch(records(BATCH, 61));
    a.release();
    a.release();

    assertThat(a.isReleased()).isTrue();
    assertThat(buffers.returnedCount()).isEqualTo(1);
    assertThat(buffers.freeBytes()).isEqualTo(BATCH_BYTES);
    assertThatThrownBy(() -> a.get("image"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "this batch of 40 (image, label) was released: its arrays may already hold a later"
                + " batch");
    Batch b = spec.decodeBatch(records(BATCH, 62));
    Batch c = spec.decodeBatch(records(BATCH, 63));
    assertThat(array(c.get("image"))).isNotSameAs(array(b.get("image")));
    assertThat(buffers.reusedCount()).isEqualTo(1);
  }

  @Test
  void aRetainedBatchStaysReadableAndItsArraysAreNeverReused() throws Exception {
    BatchBuffers buffers = BatchBuffers.of(4 * BATCH_BYTES);
    ExampleSpec spec = spec(buffers);
    List<TfRecord> records = records(BATCH, 71);
    Batch a = spec.decodeBatch(records).retain();
    a.release();

    assertThat(a.isReleased()).isFalse();
    assertThat(buffers.returnedCount()).isZero();
    spec.decodeBatch(records(BATCH, 72));
    assertDecodes(a, records);

    Batch b = spec.decodeBatch(records(BATCH, 73));
    b.release();
    assertThatThrownBy(b::retain).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void onlyTheBuffersOwnBatchesGiveArraysBackAndNeverSmallOnesSeed101() throws Exception {
    BatchBuffers buffers = BatchBuffers.of(1 << 20);
    ExampleSpec spec = spec(buffers);
    // A batch that other code builds has no buffers: releasing it only makes it unreadable.
    Tensor ownImage = Tensor.zeros(DType.FLOAT32, Shape.of(BATCH, SIDE, SIDE, CHANNELS));
    Batch own = Batch.builder(BATCH).add("image", ownImage).build();
    own.release();
    // A batch of images under BatchBuffers.MIN_BYTES: the JVM's allocation buffer does better.
    ExampleSpec tiny =
        ExampleSpec.of(rawImage("image", 2, 2, 1).toFloat(1f), int64("label")).withBuffers(buffers);
    List<TfRecord> small = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(101);
    for (int i = 0; i < 8; i++) {
      byte[] pixels = new byte[4];
      random.nextBytes(pixels);
      small.add(TfRecord.of(example("image", bytes(pixels), "label", int64s(i))));
    }
    tiny.decodeBatch(small).release();

    assertThat(own.isReleased()).isTrue();
    assertThat(buffers.returnedCount()).isZero();
    assertThat(buffers.freeBytes()).isZero();
    assertThat(array(spec.decodeBatch(records(BATCH, 102)).get("image")))
        .isNotSameAs(array(ownImage));
  }

  @Test
  void cacheReplaysBatchesTheConsumerReleasedIntactSeed81() throws Exception {
    List<TfRecord> records = records(3 * BATCH + 7, 81);
    Path file = tmp.resolve("images.tfrecord");
    TestSupport.writeRecords(file, records.stream().map(TfRecord::toByteArray).toList());
    ExampleSpec spec = spec(BatchBuffers.of(8 * BATCH_BYTES));
    Dataset<Batch> cached =
        Dataset.tfRecords(file)
            .batch(BATCH, false, Batcher.toList())
            .map(spec::decodeBatch, Parallelism.of(2))
            .cache()
            .repeat(3);

    int seen = 0;
    try (DatasetIterator<Batch> it = cached.iterator()) {
      while (it.hasNext()) {
        Batch b = it.next();
        int k = seen % 4;
        int from = k * BATCH;
        assertDecodes(b, records.subList(from, Math.min(records.size(), from + BATCH)));
        b.release();
        seen++;
      }
    }
    assertThat(seen).isEqualTo(12);
    assertThat(spec.buffers().reusedCount()).isZero();
  }

  @Test
  void theBatchStageReusesReleasedArraysButNeverOnesTheConsumerStillHoldsSeed91() {
    // 300 elements in batches of 16 (the last one 12), stacked by the fused parallel map, while
    // the consumer holds the three latest batches and releases the one before.
    int n = 300;
    int batch = 16;
    int width = 1031; // 16 × 1031 floats: 66 KB per batch
    SplittableRandom random = new SplittableRandom(91);
    List<Features> elements = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[width];
      for (int k = 0; k < width; k++) {
        v[k] = random.nextFloat();
      }
      elements.add(Features.of("x", Tensor.ofFloats(Shape.of(width), v)));
    }
    Dataset<Batch> d =
        Dataset.fromList(elements)
            .withOptions(Options.defaults().ramBudget(1 << 20))
            .map(f -> f, Parallelism.of(2))
            .batch(batch, false)
            .prefetch(2);

    Set<Object> arrays = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Batch> held = new ArrayDeque<>();
    int index = 0;
    try (DatasetIterator<Batch> it = d.iterator()) {
      while (it.hasNext()) {
        held.addLast(it.next());
        arrays.add(array(held.getLast().get("x")));
        int first = index - held.size() + 1;
        int k = 0;
        for (Batch b : held) {
          assertStacked(b, elements, (first + k++) * batch);
        }
        if (held.size() == 3) {
          held.removeFirst().release();
        }
        index++;
      }
    }
    assertThat(index).isEqualTo(19);
    assertThat(arrays.size()).isLessThan(19);
  }

  private static void assertStacked(Batch b, List<Features> elements, int from) {
    Tensor x = b.get("x");
    int width = (int) (x.size() / b.size());
    for (int r = 0; r < b.size(); r++) {
      Tensor want = elements.get(from + r).get("x");
      for (int k = 0; k < width; k++) {
        if (x.getFloat((long) r * width + k) != want.getFloat(k)) {
          throw new AssertionError("batch at " + from + ", row " + r + ", value " + k + " differs");
        }
      }
    }
  }
}
