package dev.millrace.graph;

import dev.millrace.graph.internal.ops.BuiltinOps;
import dev.millrace.graph.spi.OpDef;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The table of op types: for each TensorFlow op name, its inputs, outputs, attributes, shape
 * function, kernels, gradient and traits. Graphs build operations through it ({@link
 * Graph#addOperation}); passes query its traits. Thread-safe; an op type is registered once.
 */
public final class OpRegistry {
  private static final class Holder {
    static final OpRegistry GLOBAL = withBuiltins();
  }

  private final ConcurrentHashMap<String, OpDef> defs = new ConcurrentHashMap<>();

  private OpRegistry() {}

  /** The registry with every built-in op; graphs use it unless given another. */
  public static OpRegistry global() {
    return Holder.GLOBAL;
  }

  /** A new registry holding the built-in ops only (for isolated extension). */
  public static OpRegistry withBuiltins() {
    OpRegistry r = new OpRegistry();
    BuiltinOps.registerAll(r);
    return r;
  }

  /** Adds an op type; fails if one with that name exists. */
  public void register(OpDef def) {
    OpDef previous = defs.putIfAbsent(def.type(), def);
    if (previous != null) {
      throw new IllegalArgumentException("op type '" + def.type() + "' is already registered");
    }
  }

  public Optional<OpDef> lookup(String type) {
    return Optional.ofNullable(defs.get(type));
  }

  /** The definition of {@code type}; fails naming it when unknown. */
  public OpDef get(String type) {
    OpDef d = defs.get(type);
    if (d == null) {
      throw new IllegalArgumentException(
          "unknown op type '" + type + "' (" + defs.size() + " types registered)");
    }
    return d;
  }

  /** Every registered op type name, sorted. */
  public SortedSet<String> opTypes() {
    return new TreeSet<>(defs.keySet());
  }

  /** The traits of {@code type} (empty for an unknown type). */
  public Set<OpTrait> traits(String type) {
    OpDef d = defs.get(type);
    return d == null ? Set.of() : d.traits();
  }

  public boolean hasTrait(String type, OpTrait trait) {
    return traits(type).contains(trait);
  }
}
