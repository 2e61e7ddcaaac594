package dev.millrace.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class OutputBuffersTest {
  private static final Shape BIG = Shape.of(4, OutputBuffers.MIN_FLOATS);
  private static final long BIG_BYTES = BIG.size() * Float.BYTES;

  private static Tensor lend(OutputBuffers buffers, Shape shape, LongAdder tally) {
    return buffers.supplying(tally, () -> OutputBuffers.floatZeros(shape));
  }

  private static Object array(Tensor t) {
    return t.data().heapBase().orElseThrow();
  }

  private static void scribble(Tensor t) {
    for (long i = 0; i < t.size(); i += 1000) {
      t.setFloat(i, 7f);
    }
  }

  @Test
  void aRecycledArrayServesTheNextOutputOfItsLengthCleared() {
    OutputBuffers buffers = new OutputBuffers(1L << 30);
    LongAdder tally = new LongAdder();
    Tensor first = lend(buffers, BIG, tally);
    scribble(first);
    assertThat(tally.sum()).isZero();
    assertThat(buffers.recycle(first)).isTrue();

    Tensor second = lend(buffers, Shape.of(BIG.size()), tally);

    assertThat(array(second)).isSameAs(array(first));
    assertThat(second.toFloatArray()).containsOnly(0f);
    assertThat(second.shape()).isEqualTo(Shape.of(BIG.size()));
    assertThat(tally.sum()).isEqualTo(BIG_BYTES);
    assertThat(buffers.freeBytes()).isZero();
  }

  @Test
  void onlyArraysItLentAreTakenBackAndEachOnlyOnce() {
    OutputBuffers buffers = new OutputBuffers(1L << 30);
    Tensor outside = OutputBuffers.floatZeros(BIG); // not inside supplying: a plain new tensor
    assertThat(buffers.recycle(outside)).isFalse();
    assertThat(buffers.recycle(Tensor.ofFloats(Shape.of(BIG.size()), new float[(int) BIG.size()])))
        .isFalse();

    Tensor lent = lend(buffers, BIG, new LongAdder());
    assertThat(buffers.recycle(lent)).isTrue();
    assertThat(buffers.recycle(lent)).isFalse();
    assertThat(buffers.recycledCount()).isEqualTo(1);
    assertThat(buffers.freeBytes()).isEqualTo(BIG_BYTES);
  }

  @Test
  void anOutputOfAnotherLengthGetsANewArray() {
    OutputBuffers buffers = new OutputBuffers(1L << 30);
    Tensor first = lend(buffers, BIG, new LongAdder());
    buffers.recycle(first);
    LongAdder tally = new LongAdder();

    Tensor other = lend(buffers, Shape.of(BIG.size() + 1), tally);

    assertThat(array(other)).isNotSameAs(array(first));
    assertThat(tally.sum()).isZero();
    assertThat(buffers.freeBytes()).isEqualTo(BIG_BYTES);
  }

  @Test
  void smallOutputsAreNotRecycled() {
    OutputBuffers buffers = new OutputBuffers(1L << 30);
    Tensor small = lend(buffers, Shape.of(OutputBuffers.MIN_FLOATS - 1), new LongAdder());
    assertThat(buffers.recycle(small)).isFalse();
    assertThat(buffers.freeBytes()).isZero();
  }

  @Test
  void aDisownedArrayIsNeverTakenBack() {
    OutputBuffers buffers = new OutputBuffers(1L << 30);
    Tensor kept = lend(buffers, BIG, new LongAdder());
    buffers.disown(kept.reshape(Shape.of(BIG.size())));
    assertThat(buffers.recycle(kept)).isFalse();
  }

  @Test
  void freeArraysStayWithinTheCapacity() {
    OutputBuffers buffers = new OutputBuffers(BIG_BYTES * 3 / 2);
    Tensor a = lend(buffers, BIG, new LongAdder());
    Tensor b = lend(buffers, BIG, new LongAdder());
    assertThat(buffers.recycle(a)).isTrue();
    assertThat(buffers.recycle(b)).isTrue(); // a is dropped to make room
    assertThat(buffers.freeBytes()).isEqualTo(BIG_BYTES);

    Tensor next = lend(buffers, BIG, new LongAdder());
    assertThat(array(next)).isSameAs(array(b));

    OutputBuffers off = new OutputBuffers(0);
    assertThat(off.recycle(lend(off, BIG, new LongAdder()))).isFalse();
    assertThat(off.freeBytes()).isZero();
  }
}
