package dev.millrace.cli;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Where the kill tests strike: waits, polling every millisecond, until a condition on the child's
 * files (or the clock) holds, so that a kill lands inside a chosen phase of the job rather than
 * wherever a fixed sleep happens to end on a loaded machine.
 */
final class KillPoints {
  private KillPoints() {}

  /** The seed of a kill test: {@code -Dmillrace.kill.seed=N} replays another run. */
  static List<Long> seeds(long defaultSeed) {
    return List.of(Long.getLong("millrace.kill.seed", defaultSeed));
  }

  /**
   * Waits until {@code reached} holds or the child ends; false when it ended first (or after two
   * minutes, which only a hung child takes).
   */
  static boolean awaitWhileAlive(ChildCli child, BooleanSupplier reached)
      throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (child.isAlive() && System.nanoTime() < deadline) {
      if (reached.getAsBoolean()) {
        return true;
      }
      Thread.sleep(1);
    }
    return false;
  }
}
