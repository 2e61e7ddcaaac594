package dev.millrace.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.graph.spi.KernelSource;
import dev.millrace.graph.spi.OpDef;
import dev.millrace.graph.types.Float32;
import dev.millrace.kernels.ReferenceKernels;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An op bound to twin kernels: a session with the reference kernels runs the reference twin, one
 * with the fast kernels the fast version, on the session's intra-op threads.
 */
class TwinKernelsTest {
  /** The reference twin answers -1; the fast version, its thread count. */
  private static OpDef probe() {
    return OpDef.builder("TwinProbe")
        .input("x", "T")
        .output("y", "T")
        .typeAttr("T", DType.FLOAT32)
        .shape(c -> List.of(c.inputShape(0)))
        .kernel(
            Set.of(DType.FLOAT32),
            op -> ctx -> List.of(Tensor.scalar(-1f)),
            op -> (ctx, threads) -> List.of(Tensor.scalar((float) threads.parallelism())))
        .build();
  }

  private static float run(Output<?> y, Session s) {
    try (Session.Result r = s.runner().fetch(y).run()) {
      return r.get(0).getFloat(0);
    }
  }

  @Test
  void theSessionsKernelsChooseWhichTwinRuns() {
    OpRegistry registry = OpRegistry.withBuiltins();
    registry.register(probe());
    assertThat(registry.get("TwinProbe").kernels().get(0).source().kind())
        .isEqualTo(KernelSource.Kind.TWINS);
    try (Graph g = new Graph(registry)) {
      Ops tf = Ops.on(g);
      Output<Float32> x = tf.constant(1f);
      Output<?> y = tf.op("TwinProbe", List.of(x), Map.of()).output(0);
      try (Session reference = new Session(g, ThreadConfig.of(1, 2), new ReferenceKernels());
          Session fastOne = new Session(g, ThreadConfig.of(1, 1));
          Session fastTwo = new Session(g, ThreadConfig.of(1, 2))) {
        assertThat(run(y, reference)).isEqualTo(-1f);
        assertThat(run(y, fastOne)).isEqualTo(1f);
        assertThat(run(y, fastTwo)).isEqualTo(2f);
      }
    }
  }
}
