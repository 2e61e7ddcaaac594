package dev.millrace.cli;

import dev.millrace.nn.EpochReport;
import dev.millrace.nn.RunPlan;
import dev.millrace.nn.StepReport;
import dev.millrace.nn.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Training progress on standard error: per epoch a bar with images/s, the epoch's running loss and
 * accuracy and the ETA, redrawn in place on a terminal; plain lines at most every few seconds when
 * piped; one summary line per finished epoch either way.
 */
final class TrainProgress implements TrainingListener {
  private static final long REDRAW_NANOS = 200_000_000L;
  private static final long PLAIN_LINE_NANOS = 5_000_000_000L;
  private static final int BAR_WIDTH = 24;

  private final PrintWriter err;
  private final boolean terminal;
  private RunPlan plan;
  private long epochStartNanos;
  private long lastDraw;
  private long stepsDone;
  private long stepsSinceReset;
  private long examples;
  private double lossSum;
  private long correct;
  private long activeNanos;

  TrainProgress(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  static TrainProgress forStandardError(PrintWriter err) {
    var console = System.console();
    return new TrainProgress(err, console != null && console.isTerminal());
  }

  boolean terminal() {
    return terminal;
  }

  @Override
  public void started(RunPlan p) {
    plan = p;
    err.println(
        (p.resumed()
                ? String.format(
                    Locale.ROOT,
                    "resuming at epoch %d, step %,d: ",
                    p.firstEpoch() + 1,
                    p.firstStep())
                : "training ")
            + p.description());
    err.println(
        String.format(
            Locale.ROOT,
            "%d epochs of %,d steps of %d examples",
            p.epochs(),
            p.stepsPerEpoch(),
            p.batch()));
    err.flush();
  }

  @Override
  public void step(StepReport s) {
    if (epochStartNanos == 0) {
      resetEpoch(s.startNanos());
    }
    stepsDone = s.stepInEpoch() + 1;
    stepsSinceReset++;
    examples += s.examples();
    lossSum += (double) s.loss() * s.examples();
    correct += s.correct();
    activeNanos += s.waitNanos() + s.computeNanos();
    long now = System.nanoTime();
    if (now - lastDraw >= (terminal ? REDRAW_NANOS : PLAIN_LINE_NANOS)) {
      lastDraw = now;
      draw(s.epoch(), now);
    }
  }

  private void resetEpoch(long start) {
    epochStartNanos = start;
    lastDraw = start;
    stepsSinceReset = 0;
    examples = 0;
    lossSum = 0;
    correct = 0;
    activeNanos = 0;
  }

  private void draw(int epoch, long now) {
    double seconds = Math.max(1e-9, activeNanos / 1e9);
    double rate = examples / seconds;
    double stepsPerSecond = stepsSinceReset / Math.max(1e-9, (now - epochStartNanos) / 1e9);
    long left = plan.stepsPerEpoch() - stepsDone;
    String eta = stepsPerSecond > 0 ? "ETA " + Durations.of(left / stepsPerSecond) : "";
    String metrics =
        String.format(
            Locale.ROOT,
            "%,.0f img/s loss %.4f acc %.1f%% %s",
            rate,
            lossSum / Math.max(1, examples),
            100.0 * correct / Math.max(1, examples),
            eta);
    String head = String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, plan.epochs());
    if (terminal) {
      double fraction = (double) stepsDone / plan.stepsPerEpoch();
      int filled = (int) Math.round(fraction * BAR_WIDTH);
      err.print(
          String.format(
              Locale.ROOT,
              "\r%s [%s%s] %3.0f%% %,d/%,d %s\u001b[K",
              head,
              "#".repeat(filled),
              " ".repeat(BAR_WIDTH - filled),
              fraction * 100,
              stepsDone,
              plan.stepsPerEpoch(),
              metrics));
    } else {
      err.println(
          String.format(
              Locale.ROOT, "%s: step %,d/%,d, %s", head, stepsDone, plan.stepsPerEpoch(), metrics));
    }
    err.flush();
  }

  @Override
  public void evaluating(int epoch, long batches) {
    if (terminal) {
      err.print(
          String.format(
              Locale.ROOT,
              "\repoch %d/%d: evaluating (%,d batches)\u001b[K",
              epoch + 1,
              plan.epochs(),
              batches));
    }
    err.flush();
  }

  @Override
  public void epoch(EpochReport e) {
    if (terminal) {
      err.print("\r\u001b[K");
    }
    String test =
        Double.isNaN(e.evalAccuracy())
            ? "no held-out split"
            : String.format(
                Locale.ROOT, "test loss %.4f acc %.2f%%", e.evalLoss(), 100 * e.evalAccuracy());
    err.println(
        String.format(
            Locale.ROOT,
            "epoch %d/%d: train loss %.4f acc %.2f%%, %s, %,.0f images/s, input wait %.1f%%, %s"
                + " (+%s eval)",
            e.epoch() + 1,
            plan.epochs(),
            e.trainLoss(),
            100 * e.trainAccuracy(),
            test,
            e.imagesPerSecond(),
            100 * e.inputWaitShare(),
            Durations.of(e.trainSeconds()),
            Durations.of(e.evalSeconds())));
    err.flush();
    epochStartNanos = 0;
    stepsDone = 0;
  }
}
