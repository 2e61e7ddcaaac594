package dev.millrace.graphdef.transforms;

import dev.millrace.graph.OpRegistry;
import dev.millrace.graphdef.GraphNames;
import dev.millrace.graphdef.TransformSpec;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a transform is given besides the graph: the graph's input and output node names ({@code
 * --inputs}, {@code --outputs}), the step's parameters, and the op registry that knows op traits.
 */
public record TransformContext(
    List<String> inputs, List<String> outputs, TransformSpec spec, OpRegistry registry) {
  public TransformContext {
    inputs = inputs.stream().map(GraphNames::nodeOf).toList();
    outputs = outputs.stream().map(GraphNames::nodeOf).toList();
  }

  /** Input and output node names: nodes no transform may remove or rename. */
  public Set<String> protectedNodes() {
    return java.util.stream.Stream.concat(inputs.stream(), outputs.stream())
        .collect(Collectors.toUnmodifiableSet());
  }

  /** The step's parameter {@code key}, or {@code fallback} when not given. */
  public String param(String key, String fallback) {
    return spec.value(key).orElse(fallback);
  }

  /** An integer parameter. */
  public long longParam(String key, long fallback) {
    String v = param(key, null);
    if (v == null) {
      return fallback;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(spec.name() + ": " + key + "=" + v + " is not an integer");
    }
  }
}
