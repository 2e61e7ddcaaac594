package dev.millrace.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LayoutTwinsTest {
  private static final Shape NCHW = Shape.of(2, 8, 32, 32);
  private static final Shape NHWC = Shape.of(2, 32, 32, 8);

  private static float[] array(Tensor t) {
    return (float[]) t.data().heapBase().orElseThrow();
  }

  /** One kernel call that makes an NCHW result and an NHWC copy, and keeps the copy as a twin. */
  private static Tensor[] callKeepingTwin(OutputBuffers buffers, LayoutTwins twins) {
    return OutputBuffers.supplying(
        new OutputBuffers.Loan(buffers, twins),
        () -> {
          Tensor nchw = OutputBuffers.floatZeros(NCHW);
          Tensor nhwc = OutputBuffers.floatZeros(NHWC);
          assertThat(OutputBuffers.keepTwin(nchw, nhwc)).isTrue();
          return new Tensor[] {nchw, nhwc};
        });
  }

  private static float[] twinSeenByALaterCall(
      OutputBuffers buffers, LayoutTwins twins, Tensor value) {
    return OutputBuffers.supplying(
        new OutputBuffers.Loan(buffers, twins), () -> OutputBuffers.twinOf(value));
  }

  @Test
  void aLaterCallOfTheRunFindsTheTwinOfTheSameArrayAndShapeOnly() {
    OutputBuffers buffers = new OutputBuffers(1L << 30);
    LayoutTwins twins = new LayoutTwins(buffers);
    Tensor[] made = callKeepingTwin(buffers, twins);

    assertThat(twinSeenByALaterCall(buffers, twins, made[0])).isSameAs(array(made[1]));
    assertThat(twinSeenByALaterCall(buffers, twins, made[0].reshape(Shape.of(2, 8, 1024))))
        .isNull();
    assertThat(twinSeenByALaterCall(buffers, twins, Tensor.wrapping(NCHW, array(made[0]).clone())))
        .isNull();
    assertThat(OutputBuffers.twinOf(made[0])).as("outside a call").isNull();
    assertThat(twinSeenByALaterCall(buffers, null, made[0])).as("a run without twins").isNull();
  }

  @Test
  void aReleasedValueGivesItsTwinBackToTheBuffers() {
    OutputBuffers buffers = new OutputBuffers(1L << 30);
    LayoutTwins twins = new LayoutTwins(buffers);
    Tensor[] made = callKeepingTwin(buffers, twins);
    long twinBytes = NHWC.size() * Float.BYTES;
    assertThat(twins.bytes()).isEqualTo(twinBytes);

    twins.released(made[0]);

    assertThat(twinSeenByALaterCall(buffers, twins, made[0])).isNull();
    assertThat(twins.bytes()).isZero();
    assertThat(buffers.freeBytes()).isEqualTo(twinBytes);
  }

  @Test
  void closingTheRunGivesEveryTwinBack() {
    OutputBuffers buffers = new OutputBuffers(1L << 30);
    LayoutTwins twins = new LayoutTwins(buffers);
    callKeepingTwin(buffers, twins);
    callKeepingTwin(buffers, twins);

    twins.close();

    assertThat(twins.bytes()).isZero();
    assertThat(buffers.freeBytes()).isEqualTo(2 * NHWC.size() * Float.BYTES);
  }

  @Test
  void twinsStayWithinTheBuffersCapacityAndNeedBothArraysLentByTheCall() {
    long oneTwin = NHWC.size() * Float.BYTES;
    OutputBuffers buffers = new OutputBuffers(oneTwin);
    LayoutTwins twins = new LayoutTwins(buffers);
    callKeepingTwin(buffers, twins);
    boolean[] kept =
        OutputBuffers.supplying(
            new OutputBuffers.Loan(buffers, twins),
            () -> {
              Tensor nchw = OutputBuffers.floatZeros(NCHW);
              Tensor nhwc = OutputBuffers.floatZeros(NHWC);
              Tensor stranger = Tensor.wrapping(NHWC, new float[(int) NHWC.size()]);
              return new boolean[] {
                OutputBuffers.keepTwin(nchw, nhwc), OutputBuffers.keepTwin(nchw, stranger)
              };
            });

    assertThat(kept).containsExactly(false, false);
    assertThat(twins.bytes()).isEqualTo(oneTwin);
  }
}
