package dev.millrace.nn;

import dev.millrace.graph.Graph;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Ops;
import dev.millrace.tensor.DataFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * What layers need while they add themselves to a graph: the ops builder, the data format of the
 * activations, a seed for each variable's initialiser, and two lists the training step must see —
 * the updates to run with every training step (batch norm's moving averages) and the random masks
 * to feed (dropout).
 *
 * <p>Variable seeds are {@code seed + n} for the n-th variable created, so a model built twice with
 * the same seed starts from the same weights in either data format.
 */
public final class BuildContext {
  private final Ops tf;
  private final DataFormat format;
  private final long seed;
  private long variables;
  private final List<Operation> trainUpdates = new ArrayList<>();
  private final List<RandomMask> masks = new ArrayList<>();

  public BuildContext(Graph graph, DataFormat format, long seed) {
    this.tf = Ops.on(graph);
    this.format = format;
    this.seed = seed;
  }

  public Ops ops() {
    return tf;
  }

  public DataFormat format() {
    return format;
  }

  /** A fresh seed for the next variable's initialiser. */
  public long nextSeed() {
    return seed + variables++;
  }

  /** Registers an operation that every training step must also run. */
  public void addTrainUpdate(Operation update) {
    trainUpdates.add(update);
  }

  /** Registers a random mask that every training step must feed. */
  public void addMask(RandomMask mask) {
    masks.add(mask);
  }

  public List<Operation> trainUpdates() {
    return List.copyOf(trainUpdates);
  }

  public List<RandomMask> masks() {
    return List.copyOf(masks);
  }
}
