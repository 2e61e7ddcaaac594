package dev.millrace.graph;

import static dev.millrace.graph.types.Types.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.graph.types.Float32;
import dev.millrace.kernels.FastKernels;
import dev.millrace.kernels.OutputBuffers;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A session recycles released outputs' arrays, and never one that someone can still see. */
class OutputRecyclingTest {
  private static final Shape SHAPE = Shape.of(8, OutputBuffers.MIN_FLOATS / 4);
  private static final long BYTES = SHAPE.size() * Float.BYTES;

  private static Tensor filled(float v) {
    float[] a = new float[Math.toIntExact(SHAPE.size())];
    Arrays.fill(a, v);
    return Tensor.ofFloats(SHAPE, a);
  }

  @Test
  void intermediatesAreRecycledAndFetchedValuesSurviveLaterRuns() {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(1, 1), new FastKernels())) {
      Ops tf = Ops.on(g);
      Output<Float32> x = tf.placeholder(FLOAT32, SHAPE);
      // Two intermediates of the fetched size: each is released once the next op has run.
      Output<Float32> doubled = tf.mul(x, tf.constant(2f));
      Output<Float32> shifted = tf.add(doubled, tf.constant(1f));
      Output<Float32> y = tf.nn.relu(shifted);

      Session.Result first = s.runner().feed(x, filled(1)).fetch(y).run();
      assertThat(first.stats().recycledBytes()).isLessThan(2 * BYTES);
      Tensor kept = first.get(0);
      long recycled = 0;
      for (int run = 2; run <= 4; run++) {
        try (Session.Result r = s.runner().feed(x, filled(run)).fetch(y).run()) {
          assertThat(r.get(0).toFloatArray()).containsOnly(2f * run + 1);
          assertThat(r.get(0).data().heapBase().orElseThrow())
              .isNotSameAs(kept.data().heapBase().orElseThrow());
          recycled = r.stats().recycledBytes();
        }
      }

      assertThat(recycled).isGreaterThanOrEqualTo(2 * BYTES);
      assertThat(kept.toFloatArray()).containsOnly(3f);
    }
  }

  @Test
  void aVariableKeepsTheValueAKernelAssignedIt() {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(1, 1), new FastKernels())) {
      Ops tf = Ops.on(g);
      Output<Float32> x = tf.placeholder(FLOAT32, SHAPE);
      Variable<Float32> total = tf.variable(tf.constant(FLOAT32, filled(0)));
      // The new value is a fast kernel's output, of the same size as the intermediates below.
      Output<Float32> accumulate = tf.assignAdd(total, tf.mul(x, tf.constant(1f)));
      Output<Float32> busy = tf.nn.relu(tf.add(tf.mul(x, tf.constant(5f)), tf.constant(3f)));
      s.initialize();

      for (int run = 1; run <= 3; run++) {
        s.runner().feed(x, filled(1)).target(accumulate.op()).run().close();
        for (int other = 0; other < 3; other++) {
          s.runner().feed(x, filled(9)).fetch(busy).run().close();
        }
        assertThat(s.readVariable(total).toFloatArray()).containsOnly((float) run);
      }
    }
  }
}
