package dev.millrace.data.internal;

import dev.millrace.data.StageStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The counters of every stage of one iterator, by stage name in data-flow order. A stage that is
 * opened many times (each epoch under {@code repeat}, each file under {@code interleave}) keeps one
 * name; the counters of its closed instances are folded into one aggregate so the registry stays
 * small however long the iterator runs.
 */
final class StatsRegistry {
  private static final class Entry {
    final StageCounters retired;
    final List<StageCounters> live = new ArrayList<>();

    Entry(StageCounters retired) {
      this.retired = retired;
    }
  }

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  synchronized StageCounters register(
      String name, String kind, List<String> inputs, boolean async) {
    Entry e =
        entries.computeIfAbsent(
            name, n -> new Entry(new StageCounters(null, n, kind, inputs, async)));
    StageCounters c = new StageCounters(this, name, kind, inputs, async);
    e.live.add(c);
    return c;
  }

  synchronized void retire(StageCounters c) {
    Entry e = entries.get(c.name);
    if (e != null && e.live.remove(c)) {
      e.retired.absorb(c);
      for (String in : c.inputs) {
        e.retired.inputs.addIfAbsent(in);
      }
    }
  }

  synchronized List<StageStats> snapshot() {
    Map<String, StageCounters> sums = new HashMap<>();
    for (Map.Entry<String, Entry> me : entries.entrySet()) {
      Entry e = me.getValue();
      StageCounters sum =
          new StageCounters(null, me.getKey(), e.retired.kind, List.of(), e.retired.async);
      sum.parallelism = 0;
      sum.absorb(e.retired);
      sum.inputs.addAllAbsent(e.retired.inputs);
      long buffered = 0;
      int par = 0;
      for (StageCounters c : e.live) {
        sum.absorb(c);
        sum.inputs.addAllAbsent(c.inputs);
        buffered += c.bufferedBytes.get();
        par = Math.max(par, c.parallelism);
      }
      sum.bufferedBytes.set(buffered);
      if (!e.live.isEmpty()) {
        sum.parallelism = par;
      }
      sums.put(me.getKey(), sum);
    }
    List<StageStats> out = new ArrayList<>();
    List<String> order = new ArrayList<>(entries.keySet());
    order.sort(StatsRegistry::dataFlowOrder);
    for (String name : order) {
      StageCounters c = sums.get(name);
      long busy;
      long inputWait;
      long outputWait;
      if (c.async) {
        busy = c.workerBusyNanos.get();
        inputWait = c.workerInputWaitNanos.get();
        outputWait = c.workerOutputWaitNanos.get();
      } else {
        long inputs = 0;
        for (String in : c.inputs) {
          StageCounters ic = sums.get(in);
          if (ic != null) {
            inputs += ic.inclusiveNanos();
          }
        }
        inputWait = inputs;
        busy = Math.max(0, c.inclusiveNanos() - inputs);
        outputWait = 0;
      }
      out.add(
          new StageStats(
              name,
              c.kind,
              c.elements,
              c.bytes(),
              busy,
              inputWait,
              outputWait,
              c.async ? Math.max(1, c.parallelism) : 1,
              c.bufferLimitElements,
              c.shareBytes,
              c.bufferedBytes.get(),
              c.peakBufferedBytes.get(),
              c.dropped.get()));
    }
    return out;
  }

  /**
   * Orders names by their stage numbers, scope by scope ({@code a#3/b#1} is {@code [3, 1]}); a
   * nested scope's stages feed its owner, so they come before it.
   */
  static int dataFlowOrder(String a, String b) {
    long[] x = numbers(a);
    long[] y = numbers(b);
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] != y[i]) {
        return Long.compare(x[i], y[i]);
      }
    }
    return Integer.compare(y.length, x.length);
  }

  private static long[] numbers(String name) {
    String[] parts = name.split("/");
    long[] out = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      int hash = parts[i].lastIndexOf('#');
      out[i] = hash < 0 ? 0 : Long.parseLong(parts[i].substring(hash + 1));
    }
    return out;
  }

  /** Estimated time the consumer spent in the pull of stage {@code name}. */
  synchronized long inclusiveNanos(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      return 0;
    }
    long sum = e.retired.inclusiveNanos();
    for (StageCounters c : e.live) {
      sum += c.inclusiveNanos();
    }
    return sum;
  }
}
