package dev.millrace.bench.tensorflow;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A JMH counter of floating-point work: a benchmark adds the GFLOP of each call, and JMH reports
 * the counter as a rate, so the {@code gflop} line reads directly in GFLOP/s.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Flops {
  /** GFLOP done in this iteration; JMH divides by the iteration's time. */
  public double gflop;

  @Setup(Level.Iteration)
  public void reset() {
    gflop = 0;
  }
}
