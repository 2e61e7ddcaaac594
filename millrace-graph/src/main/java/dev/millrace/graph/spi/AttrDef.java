package dev.millrace.graph.spi;

import dev.millrace.graph.AttrType;
import dev.millrace.graph.AttrValue;
import dev.millrace.tensor.DType;
import java.util.List;
import java.util.Set;

/**
 * One attribute of an op: its name, kind, default (null when the attribute is required) and, for
 * type, list(type) and string attributes, the allowed values (empty: any).
 */
public record AttrDef(
    String name,
    AttrType type,
    AttrValue defaultValue,
    Set<DType> allowedTypes,
    List<String> allowedStrings) {
  public AttrDef {
    allowedTypes = Set.copyOf(allowedTypes);
    allowedStrings = List.copyOf(allowedStrings);
    if (defaultValue != null && defaultValue.type() != type) {
      throw new IllegalArgumentException(
          "default of attribute '" + name + "' is a " + defaultValue.type() + ", not a " + type);
    }
  }

  public boolean isRequired() {
    return defaultValue == null;
  }
}
