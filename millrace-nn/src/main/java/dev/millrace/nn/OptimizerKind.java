package dev.millrace.nn;

import java.util.Locale;

/** The optimizers {@code millrace train --optimizer} offers. */
public enum OptimizerKind {
  /** Plain gradient descent. */
  SGD,
  /** Gradient descent with momentum 0.9 (TensorFlow's MomentumOptimizer). */
  MOMENTUM,
  /** Adam with TensorFlow's defaults (β1 0.9, β2 0.999, ε 1e-7). */
  ADAM;

  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code sgd}, {@code momentum} or {@code adam} (any case). */
  public static OptimizerKind parse(String text) {
    for (OptimizerKind k : values()) {
      if (k.cliName().equalsIgnoreCase(text.trim())) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown optimizer '" + text + "' (expected sgd, momentum or adam)");
  }
}
