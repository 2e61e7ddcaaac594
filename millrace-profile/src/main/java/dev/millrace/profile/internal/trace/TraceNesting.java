package dev.millrace.profile.internal.trace;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Makes the slices of one track nest, as the trace viewers require (two slices of a thread are
 * either disjoint or one holds the other): slices are ordered by start, longer first at equal
 * starts, and a slice that begins inside another but ends after it is clipped to that end (what is
 * left is never empty: it begins strictly before that end). Such overlaps come from clocks read a
 * few nanoseconds apart on either side of a hand-over, or from two threads that share a name.
 */
public final class TraceNesting {
  private TraceNesting() {}

  /** The slices in order, and how many were clipped. */
  public record Result(List<TraceEvent> events, int clipped) {}

  /** Nests the slices of one track. */
  public static Result nest(List<TraceEvent> track) {
    List<TraceEvent> sorted = new ArrayList<>(track);
    sorted.sort(
        Comparator.comparingLong(TraceEvent::startNanos)
            .thenComparing(Comparator.comparingLong(TraceEvent::durNanos).reversed()));
    List<TraceEvent> out = new ArrayList<>(sorted.size());
    ArrayDeque<Long> openEnds = new ArrayDeque<>();
    int clipped = 0;
    for (TraceEvent e : sorted) {
      while (!openEnds.isEmpty() && openEnds.peek() <= e.startNanos()) {
        openEnds.pop();
      }
      TraceEvent kept = e;
      if (!openEnds.isEmpty() && e.endNanos() > openEnds.peek()) {
        kept = e.withDuration(openEnds.peek() - e.startNanos());
        clipped++;
      }
      out.add(kept);
      openEnds.push(kept.endNanos());
    }
    return new Result(out, clipped);
  }
}
