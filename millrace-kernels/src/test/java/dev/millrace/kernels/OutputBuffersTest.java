package dev.millrace.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import org.junit.jupiter.api.Test;

class OutputBuffersTest {
  private static final Shape BIG = Shape.of(4, OutputBuffers.MIN_FLOATS);
  private static final long BIG_BYTES = BIG.size() * Float.BYTES;

  private static Tensor lend(OutputBuffers.Loan loan, Shape shape) {
    return OutputBuffers.supplying(loan, () -> OutputBuffers.floatZeros(shape));
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
    OutputBuffers.Loan first = new OutputBuffers.Loan(buffers);
    Tensor a = lend(first, BIG);
    scribble(a);
    assertThat(first.lent(a)).isTrue();
    assertThat(first.recycledBytes()).isZero();
    assertThat(buffers.recycle(a)).isTrue();

    OutputBuffers.Loan second = new OutputBuffers.Loan(buffers);
    Tensor b = lend(second, Shape.of(BIG.size()));

    assertThat(array(b)).isSameAs(array(a));
    assertThat(b.toFloatArray()).containsOnly(0f);
    assertThat(b.shape()).isEqualTo(Shape.of(BIG.size()));
    assertThat(second.recycledBytes()).isEqualTo(BIG_BYTES);
    assertThat(second.lent(b)).isTrue();
    assertThat(first.lent(b)).isTrue(); // the same array: the first holder gave it back
    assertThat(buffers.freeBytes()).isZero();
  }

  @Test
  void aLoanKnowsOnlyTheArraysItHandedOut() {
    OutputBuffers buffers = new OutputBuffers(1L << 30);
    OutputBuffers.Loan loan = new OutputBuffers.Loan(buffers);
    Tensor lent = lend(loan, BIG);
    Tensor outside = OutputBuffers.floatZeros(BIG); // outside supplying: a plain new tensor
    Tensor small = lend(loan, Shape.of(OutputBuffers.MIN_FLOATS - 1));

    assertThat(loan.lent(lent)).isTrue();
    assertThat(loan.lent(outside)).isFalse();
    assertThat(loan.lent(small)).isFalse();
    assertThat(loan.lent(Tensor.ofFloats(Shape.of(BIG.size()), new float[(int) BIG.size()])))
        .isFalse();
    assertThat(new OutputBuffers.Loan(buffers).lent(lent)).isFalse();
  }

  @Test
  void anArrayIsTakenBackOnceAndOnlyWhole() {
    OutputBuffers buffers = new OutputBuffers(1L << 30);
    Tensor lent = lend(new OutputBuffers.Loan(buffers), BIG);
    assertThat(buffers.recycle(lent)).isTrue();
    assertThat(buffers.recycle(lent)).isFalse(); // would hand it to two outputs
    assertThat(buffers.recycle(Tensor.zeros(dev.millrace.tensor.DType.FLOAT32, Shape.of(8))))
        .isFalse();
    assertThat(buffers.recycledCount()).isEqualTo(1);
    assertThat(buffers.freeBytes()).isEqualTo(BIG_BYTES);
  }

  @Test
  void aTemporaryGivenBackWithinItsCallServesTheNextOutput() {
    OutputBuffers buffers = new OutputBuffers(1L << 30);
    OutputBuffers.Loan loan = new OutputBuffers.Loan(buffers);
    Tensor stranger = Tensor.zeros(dev.millrace.tensor.DType.FLOAT32, BIG);
    Object[] arrays =
        OutputBuffers.supplying(
            loan,
            () -> {
              Tensor temporary = OutputBuffers.floatZeros(BIG);
              scribble(temporary);
              OutputBuffers.giveBack(temporary);
              OutputBuffers.giveBack(stranger); // not lent: ignored
              Tensor result = OutputBuffers.floatZeros(BIG);
              return new Object[] {array(temporary), result};
            });
    Tensor result = (Tensor) arrays[1];

    assertThat(array(result)).isSameAs(arrays[0]);
    assertThat(result.toFloatArray()).containsOnly(0f);
    assertThat(loan.lent(result)).isTrue();
    assertThat(buffers.recycledCount()).isEqualTo(1);
    assertThat(buffers.freeBytes()).isZero();
  }

  @Test
  void givingBackOutsideACallDoesNothing() {
    OutputBuffers.giveBack(Tensor.zeros(dev.millrace.tensor.DType.FLOAT32, BIG));
  }

  @Test
  void anOutputOfAnotherLengthGetsANewArray() {
    OutputBuffers buffers = new OutputBuffers(1L << 30);
    Tensor first = lend(new OutputBuffers.Loan(buffers), BIG);
    buffers.recycle(first);
    OutputBuffers.Loan loan = new OutputBuffers.Loan(buffers);

    Tensor other = lend(loan, Shape.of(BIG.size() + 1));

    assertThat(array(other)).isNotSameAs(array(first));
    assertThat(loan.recycledBytes()).isZero();
    assertThat(buffers.freeBytes()).isEqualTo(BIG_BYTES);
  }

  @Test
  void freeArraysStayWithinTheCapacity() {
    OutputBuffers buffers = new OutputBuffers(BIG_BYTES * 3 / 2);
    Tensor a = lend(new OutputBuffers.Loan(buffers), BIG);
    Tensor b = lend(new OutputBuffers.Loan(buffers), BIG);
    assertThat(buffers.recycle(a)).isTrue();
    assertThat(buffers.recycle(b)).isTrue(); // a is dropped to make room
    assertThat(buffers.freeBytes()).isEqualTo(BIG_BYTES);

    Tensor next = lend(new OutputBuffers.Loan(buffers), BIG);
    assertThat(array(next)).isSameAs(array(b));

    OutputBuffers off = new OutputBuffers(0);
    assertThat(off.recycle(lend(new OutputBuffers.Loan(off), BIG))).isFalse();
    assertThat(off.freeBytes()).isZero();
  }
}
