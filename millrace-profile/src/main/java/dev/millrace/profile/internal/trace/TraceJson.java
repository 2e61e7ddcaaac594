package dev.millrace.profile.internal.trace;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a Chrome trace-event JSON file ({@code {"traceEvents": [...], "displayTimeUnit": "ms"}})
 * atomically: to a temporary file in the same directory, then renamed over the target, so a reader
 * never sees half a trace. Times are microseconds with three decimals, the nanoseconds exactly, and
 * relative to the earliest event; slices are nested per track ({@link TraceNesting}) before they
 * are written.
 */
public final class TraceJson {
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

  private TraceJson() {}

  /** What went into a written trace. */
  public record Written(int slices, int counters, int clipped) {}

  /**
   * Writes {@code trace} to {@code file} for process {@code pid} named {@code processName}; {@code
   * otherData} (strings, numbers, booleans) goes under the format's {@code otherData} key.
   */
  public static Written write(
      Path file,
      TraceBuffer.Snapshot trace,
      long pid,
      String processName,
      Map<String, Object> otherData)
      throws IOException {
    Map<Integer, List<TraceEvent>> byTid = new TreeMap<>();
    for (TraceEvent e : trace.slices()) {
      byTid.computeIfAbsent(e.tid(), t -> new ArrayList<>()).add(e);
    }
    List<TraceEvent> nested = new ArrayList<>(trace.slices().size());
    int clipped = 0;
    for (List<TraceEvent> track : byTid.values()) {
      TraceNesting.Result r = TraceNesting.nest(track);
      nested.addAll(r.events());
      clipped += r.clipped();
    }
    long origin = Long.MAX_VALUE;
    for (TraceEvent e : nested) {
      origin = Math.min(origin, e.startNanos());
    }
    for (TraceEvent e : trace.counters()) {
      origin = Math.min(origin, e.startNanos());
    }
    Map<String, Object> other = new TreeMap<>(otherData);
    other.put("clippedSlices", clipped);
    other.put("droppedAtCaps", trace.rejected());
    other.put("truncated", trace.truncated());

    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp);
          JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
        g.writeStartObject();
        g.writeArrayFieldStart("traceEvents");
        writeMetadata(g, pid, processName, trace.threadNames());
        for (TraceEvent e : nested) {
          writeEvent(g, e, origin, pid);
        }
        for (TraceEvent e : trace.counters()) {
          writeEvent(g, e, origin, pid);
        }
        g.writeEndArray();
        g.writeStringField("displayTimeUnit", "ms");
        g.writeFieldName("otherData");
        writeArgs(g, other);
        g.writeEndObject();
      }
      move(tmp, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return new Written(nested.size(), trace.counters().size(), clipped);
  }

  private static void writeMetadata(
      JsonGenerator g, long pid, String processName, List<String> threads) throws IOException {
    metadata(g, "process_name", pid, 0, "name", processName);
    metadata(
        g, "thread_name", pid, TraceBuffer.TRAIN_LOOP_TID, "name", TraceBuffer.TRAIN_LOOP_NAME);
    // The loop's track first, the threads in order of first appearance after it.
    metadata(g, "thread_sort_index", pid, TraceBuffer.TRAIN_LOOP_TID, "sort_index", 0);
    for (int i = 0; i < threads.size(); i++) {
      metadata(g, "thread_name", pid, i + 2, "name", threads.get(i));
      metadata(g, "thread_sort_index", pid, i + 2, "sort_index", i + 1);
    }
  }

  private static void metadata(
      JsonGenerator g, String name, long pid, int tid, String key, Object value)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("name", name);
    g.writeStringField("ph", "M");
    g.writeNumberField("pid", pid);
    g.writeNumberField("tid", tid);
    g.writeFieldName("args");
    writeArgs(g, Map.of(key, value));
    g.writeEndObject();
  }

  private static void writeEvent(JsonGenerator g, TraceEvent e, long origin, long pid)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("name", e.name());
    g.writeStringField("cat", e.category());
    g.writeStringField("ph", e.phase().code);
    g.writeFieldName("ts");
    g.writeNumber(micros(e.startNanos() - origin));
    if (e.phase() == TraceEvent.Phase.COMPLETE) {
      g.writeFieldName("dur");
      g.writeNumber(micros(e.durNanos()));
    }
    g.writeNumberField("pid", pid);
    g.writeNumberField("tid", e.tid());
    g.writeFieldName("args");
    writeArgs(g, new TreeMap<>(e.args()));
    g.writeEndObject();
  }

  private static void writeArgs(JsonGenerator g, Map<String, Object> args) throws IOException {
    g.writeStartObject();
    for (Map.Entry<String, Object> a : args.entrySet()) {
      g.writeFieldName(a.getKey());
      switch (a.getValue()) {
        case Double d when !Double.isFinite(d) -> g.writeNull();
        case Double d -> g.writeNumber(d);
        case Integer i -> g.writeNumber(i);
        case Long l -> g.writeNumber(l);
        case Boolean b -> g.writeBoolean(b);
        case Object o -> g.writeString(o.toString());
      }
    }
    g.writeEndObject();
  }

  /** Exact microseconds: the nanoseconds with the decimal point moved, never rounded. */
  static BigDecimal micros(long nanos) {
    return BigDecimal.valueOf(nanos, 3);
  }

  private static void move(Path tmp, Path file) throws IOException {
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
