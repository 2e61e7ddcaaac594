package dev.millrace.graph;

import static dev.millrace.graph.types.Types.FLOAT32;
import static dev.millrace.graph.types.Types.FLOAT64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.millrace.graph.types.Float32;
import dev.millrace.graph.types.Float64;
import dev.millrace.tensor.Shape;
import org.junit.jupiter.api.Test;

class InitializersTest {
  private static double[] values(Initializer init, Shape shape) {
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Variable<Float64> v = Ops.on(g).variable(FLOAT64, shape, init);
      s.initialize();
      return s.readVariable(v).toDoubleArray();
    }
  }

  @Test
  void fansFollowKeras() {
    assertThat(Initializers.fans(Shape.of(3, 3, 16, 32))).containsExactly(144, 288);
    assertThat(Initializers.fans(Shape.of(100, 10))).containsExactly(100, 10);
    assertThat(Initializers.fans(Shape.of(7))).containsExactly(7, 7);
  }

  @Test
  void glorotAndHeUniformStayInsideTheirLimitsAndFillThem() {
    Shape shape = Shape.of(3, 3, 16, 32);
    double glorot = Math.sqrt(6.0 / (144 + 288));
    double he = Math.sqrt(6.0 / 144);
    double[] g = values(Initializers.glorotUniform(1), shape);
    double[] h = values(Initializers.heUniform(1), shape);
    double gMax = 0;
    double hMax = 0;
    for (int i = 0; i < g.length; i++) {
      assertThat(Math.abs(g[i])).isLessThanOrEqualTo(glorot);
      assertThat(Math.abs(h[i])).isLessThanOrEqualTo(he);
      gMax = Math.max(gMax, Math.abs(g[i]));
      hMax = Math.max(hMax, Math.abs(h[i]));
    }
    assertThat(gMax).isGreaterThan(0.95 * glorot);
    assertThat(hMax).isGreaterThan(0.95 * he);
  }

  @Test
  void normalInitializersHaveTheirStandardDeviationAndAreTruncated() {
    Shape shape = Shape.of(200, 100);
    double[] he = values(Initializers.heNormal(3), shape);
    double[] gl = values(Initializers.glorotNormal(3), shape);
    assertThat(std(he)).isCloseTo(Math.sqrt(2.0 / 200), within(0.1 * Math.sqrt(2.0 / 200)));
    assertThat(std(gl)).isCloseTo(Math.sqrt(2.0 / 300), within(0.1 * Math.sqrt(2.0 / 300)));
    double limit = 2 * Math.sqrt(2.0 / 200) / 0.87962566103423978;
    for (double v : he) {
      assertThat(Math.abs(v)).isLessThanOrEqualTo(limit + 1e-12);
    }
  }

  private static double std(double[] v) {
    double sum = 0;
    double sq = 0;
    for (double x : v) {
      sum += x;
      sq += x * x;
    }
    double mean = sum / v.length;
    return Math.sqrt(sq / v.length - mean * mean);
  }

  @Test
  void seededInitializersAreReproducibleAndSeedsDiffer() {
    Shape shape = Shape.of(4, 5);
    assertThat(values(Initializers.glorotUniform(9), shape))
        .containsExactly(values(Initializers.glorotUniform(9), shape));
    assertThat(values(Initializers.glorotUniform(9), shape))
        .isNotEqualTo(values(Initializers.glorotUniform(10), shape));
  }

  @Test
  void constantInitializers() {
    assertThat(values(Initializers.zeros(), Shape.of(2))).containsExactly(0, 0);
    assertThat(values(Initializers.ones(), Shape.of(2))).containsExactly(1, 1);
    assertThat(values(Initializers.constant(0.5), Shape.of(2, 1))).containsExactly(0.5, 0.5);
    try (Graph g = new Graph();
        Session s = new Session(g, ThreadConfig.of(1, 1))) {
      Variable<Float32> v = Ops.on(g).variable(FLOAT32, Shape.of(3), Initializers.constant(2));
      s.initialize();
      assertThat(s.readVariable(v).toFloatArray()).containsExactly(2, 2, 2);
      assertThat(v.initializer()).isPresent();
      assertThat(v.initializer().get().name()).isEqualTo(v.name() + "/Assign");
    }
  }
}
