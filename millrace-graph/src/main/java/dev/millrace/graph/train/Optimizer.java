package dev.millrace.graph.train;

import dev.millrace.graph.Gradients;
import dev.millrace.graph.Operand;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Output;
import dev.millrace.graph.Variable;
import java.util.List;

/**
 * Adds the operations that update variables from gradients. {@code optimizer.minimize(loss)}
 * differentiates the loss with respect to every trainable variable and returns the training
 * operation: running it applies one update and advances the optimizer's step counter ({@code
 * <scope>/iterations}, which drives the learning-rate schedule).
 */
public sealed interface Optimizer permits Sgd, Adam {

  /** The name scope of the optimizer's operations and slot variables. */
  String name();

  /** One update of every trainable variable of the loss's graph. */
  default Operation minimize(Operand<?> loss) {
    return minimize(loss, loss.op().graph().trainableVariables());
  }

  /** One update of {@code variables}. */
  default Operation minimize(Operand<?> loss, List<Variable<?>> variables) {
    if (variables.isEmpty()) {
      throw new IllegalArgumentException(name() + ": no variables to minimize " + loss.op());
    }
    List<Output<?>> grads = Gradients.of(loss, variables);
    return applyGradients(grads, variables, List.of(loss.op()));
  }

  /** One update of {@code variables} with the given gradients (same order). */
  default Operation applyGradients(List<Output<?>> gradients, List<Variable<?>> variables) {
    return applyGradients(gradients, variables, List.of());
  }

  /**
   * One update of {@code variables} with the given gradients. The updates modify the variables in
   * place, so they wait for every gradient and for {@code runAfter} (the loss): everything that
   * reads the variables in the same run sees the values before the update.
   */
  Operation applyGradients(
      List<Output<?>> gradients, List<Variable<?>> variables, List<Operation> runAfter);
}
