package dev.millrace.data;

import java.util.Objects;

/**
 * The elements of {@link Dataset#zip(Dataset, Dataset)}: one from each input, at the same position.
 */
public record Pair<A, B>(A first, B second) {
  public Pair {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
  }
}
