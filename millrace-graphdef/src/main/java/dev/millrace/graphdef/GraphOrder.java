package dev.millrace.graphdef;

import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The nodes of a GraphDef in an order where every node comes after all its inputs, data and control
 * (Kahn's algorithm; among ready nodes the file's order is kept, so an ordered graph stays as it
 * is). A graph with a cycle has no such order, and the error names nodes on the cycle.
 */
public final class GraphOrder {
  private GraphOrder() {}

  /**
   * The nodes of {@code graph} in execution order; every input must name one of its nodes.
   *
   * @throws IOException naming {@code source} and nodes on a cycle
   */
  public static List<NodeDef> topological(GraphDef graph, String source) throws IOException {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < graph.getNodeCount(); i++) {
      index.put(graph.getNode(i).getName(), i);
    }
    int n = graph.getNodeCount();
    int[] pending = new int[n];
    List<List<Integer>> consumers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      consumers.add(new ArrayList<>());
    }
    for (int i = 0; i < n; i++) {
      for (String in : graph.getNode(i).getInputList()) {
        int from = index.get(GraphNames.nodeOf(in));
        consumers.get(from).add(i);
        pending[i]++;
      }
    }
    // A min-ordered queue of ready nodes keeps the file's order wherever the edges allow it.
    java.util.PriorityQueue<Integer> ready = new java.util.PriorityQueue<>();
    for (int i = 0; i < n; i++) {
      if (pending[i] == 0) {
        ready.add(i);
      }
    }
    List<NodeDef> order = new ArrayList<>(n);
    while (!ready.isEmpty()) {
      int i = ready.poll();
      order.add(graph.getNode(i));
      for (int c : consumers.get(i)) {
        if (--pending[c] == 0) {
          ready.add(c);
        }
      }
    }
    if (order.size() < n) {
      throw new IOException(
          source + ": the graph has a cycle through " + cycle(graph, pending, index));
    }
    return order;
  }

  /** Names along one cycle among the nodes left unordered, for the error. */
  private static String cycle(GraphDef graph, int[] pending, Map<String, Integer> index) {
    int start = -1;
    for (int i = 0; i < pending.length && start < 0; i++) {
      if (pending[i] > 0) {
        start = i;
      }
    }
    // Walk back along inputs that are themselves unordered until a node repeats.
    List<Integer> path = new ArrayList<>();
    Map<Integer, Integer> seen = new HashMap<>();
    int at = start;
    while (!seen.containsKey(at)) {
      seen.put(at, path.size());
      path.add(at);
      int next = -1;
      for (String in : graph.getNode(at).getInputList()) {
        int from = index.get(GraphNames.nodeOf(in));
        if (pending[from] > 0) {
          next = from;
          break;
        }
      }
      at = next;
    }
    List<String> names = new ArrayList<>();
    for (int k = path.size() - 1; k >= seen.get(at); k--) {
      names.add("'" + graph.getNode(path.get(k)).getName() + "'");
    }
    names.add(names.getFirst());
    return String.join(" -> ", new ArrayDeque<>(names));
  }
}
