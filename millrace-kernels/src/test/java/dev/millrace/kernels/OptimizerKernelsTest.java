package dev.millrace.kernels;

import static dev.millrace.kernels.TestTensors.assertValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import org.junit.jupiter.api.Test;

class OptimizerKernelsTest {
  private final Kernels k = new ReferenceKernels();

  private static Tensor vec(double... v) {
    return Tensor.ofDoubles(Shape.of(v.length), v);
  }

  @Test
  void gradientDescentStepsAgainstTheGradientInPlace() {
    Tensor var = vec(1, 2);
    Tensor grad = vec(0.5, -1);
    k.applyGradientDescent(var, 0.1, grad);
    assertValues(var, 1e-15, 0.95, 2.1);
    assertValues(grad, 0, 0.5, -1);
  }

  @Test
  void momentumAccumulatesThenSteps() {
    Tensor var = vec(1);
    Tensor accum = vec(0.5);
    k.applyMomentum(var, accum, 0.1, vec(0.2), 0.9, false);
    // accum = 0.9 * 0.5 + 0.2 = 0.65; var = 1 - 0.1 * 0.65
    assertValues(accum, 1e-15, 0.65);
    assertValues(var, 1e-15, 0.935);
  }

  @Test
  void nesterovMomentumLooksAhead() {
    Tensor var = vec(1);
    Tensor accum = vec(0.5);
    k.applyMomentum(var, accum, 0.1, vec(0.2), 0.9, true);
    // var = 1 - 0.1 * (0.2 + 0.9 * 0.65)
    assertValues(accum, 1e-15, 0.65);
    assertValues(var, 1e-15, 0.9215);
  }

  @Test
  void adamMatchesHandComputedFirstAndSecondSteps() {
    Tensor var = vec(1);
    Tensor m = vec(0);
    Tensor v = vec(0);
    double b1 = 0.9;
    double b2 = 0.999;
    // Step 1, g = 0.5: m = 0.05, v = 0.00025, lr_t = 0.001 sqrt(0.001) / 0.1,
    // var = 1 - lr_t * 0.05 / (sqrt(0.00025) + 1e-8).
    k.applyAdam(var, m, v, b1, b2, 0.001, b1, b2, 1e-8, vec(0.5));
    assertValues(m, 1e-15, 0.05);
    assertValues(v, 1e-15, 0.00025);
    assertValues(var, 1e-12, 0.9990000006324551);
    // Step 2, g = -0.25: m = 0.02, v = 0.00031225, lr_t = 0.001 sqrt(1 - 0.999^2) / (1 - 0.81).
    k.applyAdam(var, m, v, b1 * b1, b2 * b2, 0.001, b1, b2, 1e-8, vec(-0.25));
    assertValues(m, 1e-15, 0.02);
    assertValues(v, 1e-15, 0.00031225);
    assertValues(var, 1e-12, 0.9987336637435179);
  }

  @Test
  void float32VariablesAreUpdatedInPlaceAndStayFloat32() {
    Tensor var = Tensor.ofFloats(Shape.of(2), 1, 2);
    k.applyGradientDescent(var, 0.5, Tensor.ofFloats(Shape.of(2), 2, 2));
    assertThat(var.dtype()).isEqualTo(DType.FLOAT32);
    assertThat(var.toFloatArray()).containsExactly(0, 1);
  }

  @Test
  void updatesRejectSlotsOfAnotherShapeOrType() {
    Tensor var = vec(1, 2);
    assertThatThrownBy(() -> k.applyMomentum(var, vec(0), 0.1, vec(1, 1), 0.9, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("accum has shape [1]")
        .hasMessageContaining("[2]");
    assertThatThrownBy(() -> k.applyGradientDescent(var, 0.1, Tensor.ofFloats(Shape.of(2), 1, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FLOAT64 [2]")
        .hasMessageContaining("FLOAT32 [2]");
    assertValues(var, 0, 1, 2);
  }
}
