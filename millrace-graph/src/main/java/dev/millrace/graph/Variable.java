package dev.millrace.graph;

import dev.millrace.graph.types.TType;
import java.util.Optional;

/**
 * A variable: a {@code VariableV2} operation whose value persists in a session between runs, with
 * the {@code Assign} operation that initialises it and whether optimizers train it. Use it as an
 * operand to read its value.
 *
 * @param <T> the element type marker
 */
public final class Variable<T extends TType> implements Operand<T> {
  private final Output<T> output;
  private final boolean trainable;
  private volatile Operation initializer;

  Variable(Output<T> output, boolean trainable) {
    this.output = output;
    this.trainable = trainable;
  }

  @Override
  public Output<T> asOutput() {
    return output;
  }

  /** The {@code VariableV2} operation. */
  @Override
  public Operation op() {
    return output.op();
  }

  public String name() {
    return output.op().name();
  }

  /** The operation that gives the variable its initial value (absent for an imported graph). */
  public Optional<Operation> initializer() {
    return Optional.ofNullable(initializer);
  }

  public boolean isTrainable() {
    return trainable;
  }

  void setInitializer(Operation op) {
    if (initializer != null) {
      throw new IllegalStateException("variable '" + name() + "' already has an initializer");
    }
    this.initializer = op;
  }

  @Override
  public String toString() {
    return "Variable '" + name() + "' " + dtype() + " " + shape();
  }
}
