package dev.millrace.profile.internal.trace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The events of one trace while it is recorded, bounded: slices may take nine tenths of the event
 * and byte caps, counter values the rest, so a trace cut short by its slices still shows the
 * counters. Every thread name gets its own track id on first use; track {@value #TRAIN_LOOP_TID} is
 * the training loop's, apart from any real thread (the loop's own thread may also run session ops,
 * which get that thread's track). Thread-safe.
 */
public final class TraceBuffer {
  public static final int TRAIN_LOOP_TID = 1;
  public static final String TRAIN_LOOP_NAME = "train loop";

  private final int maxSlices;
  private final int maxCounters;
  private final long maxSliceBytes;
  private final long maxCounterBytes;
  private final Map<String, Integer> tids = new HashMap<>();
  private final List<String> threadNames = new ArrayList<>();
  private final List<TraceEvent> slices = new ArrayList<>();
  private final List<TraceEvent> counters = new ArrayList<>();
  private long sliceBytes;
  private long counterBytes;
  private boolean slicesFull;
  private long rejected;

  public TraceBuffer(int maxEvents, long maxBytes) {
    this.maxCounters = Math.max(1, maxEvents / 10);
    this.maxSlices = maxEvents - maxCounters;
    this.maxCounterBytes = maxBytes / 10;
    this.maxSliceBytes = maxBytes - maxCounterBytes;
    this.sliceBytes = metadataBytes(TRAIN_LOOP_NAME);
  }

  /** Everything recorded, for the writer. {@code threadNames.get(i)} is track {@code i + 2}'s. */
  public record Snapshot(
      List<String> threadNames,
      List<TraceEvent> slices,
      List<TraceEvent> counters,
      boolean truncated,
      long rejected) {}

  // rejected: events refused because a cap was reached.

  /** The track of the thread named {@code thread}, made on first use; -1 if full. */
  public synchronized int tidOf(String thread) {
    Integer tid = tids.get(thread);
    if (tid != null) {
      return tid;
    }
    long bytes = metadataBytes(thread);
    if (slicesFull || sliceBytes + bytes > maxSliceBytes) {
      slicesFull = true;
      return -1;
    }
    sliceBytes += bytes;
    threadNames.add(thread);
    int id = threadNames.size() + 1;
    tids.put(thread, id);
    return id;
  }

  /**
   * Adds a slice on {@code tid}; false, counted as rejected, once the slices are full (and from
   * then on).
   */
  public synchronized boolean addSlice(TraceEvent e) {
    long bytes = e.estimatedBytes();
    if (slicesFull || slices.size() >= maxSlices || sliceBytes + bytes > maxSliceBytes) {
      slicesFull = true;
      rejected++;
      return false;
    }
    slices.add(e);
    sliceBytes += bytes;
    return true;
  }

  /** Adds a counter value; false, counted as rejected, when the counters' share is used up. */
  public synchronized boolean addCounter(TraceEvent e) {
    long bytes = e.estimatedBytes();
    if (counters.size() >= maxCounters || counterBytes + bytes > maxCounterBytes) {
      rejected++;
      return false;
    }
    counters.add(e);
    counterBytes += bytes;
    return true;
  }

  public synchronized boolean slicesFull() {
    return slicesFull;
  }

  public synchronized int size() {
    return slices.size() + counters.size();
  }

  public synchronized Snapshot snapshot() {
    return new Snapshot(
        List.copyOf(threadNames), List.copyOf(slices), List.copyOf(counters), slicesFull, rejected);
  }

  private static long metadataBytes(String thread) {
    return 90 + thread.length();
  }
}
