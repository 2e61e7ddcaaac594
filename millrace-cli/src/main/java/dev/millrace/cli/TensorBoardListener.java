package dev.millrace.cli;

import dev.millrace.nn.EpochReport;
import dev.millrace.nn.RunPlan;
import dev.millrace.nn.StepReport;
import dev.millrace.nn.TrainingListener;
import dev.millrace.profile.TensorBoardWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Writes a training run's scalars to a TensorBoard event file: every {@code interval} steps the
 * interval's mean {@code loss}, {@code accuracy}, {@code images_per_sec} and {@code
 * input_wait_share}; after each epoch {@code test/loss} and {@code test/accuracy}. A resumed run
 * first writes a session-start event, so TensorBoard drops what the killed run logged after the
 * checkpoint.
 */
final class TensorBoardListener implements TrainingListener, AutoCloseable {
  private final Path logdir;
  private final int interval;
  private TensorBoardWriter writer;
  private int steps;
  private long lastStep;
  private long examples;
  private double lossSum;
  private long correct;
  private long waitNanos;
  private long totalNanos;

  TensorBoardListener(Path logdir, int interval) {
    this.logdir = logdir;
    this.interval = interval;
  }

  @Override
  public void started(RunPlan plan) {
    try {
      writer = TensorBoardWriter.open(logdir);
      if (plan.resumed()) {
        writer.sessionStart(plan.firstStep());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void step(StepReport s) {
    steps++;
    lastStep = s.step();
    examples += s.examples();
    lossSum += (double) s.loss() * s.examples();
    correct += s.correct();
    waitNanos += s.waitNanos();
    totalNanos += s.waitNanos() + s.computeNanos();
    if (steps == interval) {
      write(s.step());
    }
  }

  private void write(long step) {
    try {
      writer.scalar("loss", step, (float) (lossSum / examples));
      writer.scalar("accuracy", step, (float) ((double) correct / examples));
      writer.scalar("images_per_sec", step, (float) (examples / (totalNanos / 1e9)));
      writer.scalar("input_wait_share", step, (float) ((double) waitNanos / totalNanos));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    steps = 0;
    examples = 0;
    lossSum = 0;
    correct = 0;
    waitNanos = 0;
    totalNanos = 0;
  }

  @Override
  public void epoch(EpochReport e) {
    if (Double.isNaN(e.evalAccuracy())) {
      return;
    }
    try {
      writer.scalar("test/loss", lastStep, (float) e.evalLoss());
      writer.scalar("test/accuracy", lastStep, (float) e.evalAccuracy());
      writer.flush();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  Path file() {
    return writer == null ? null : writer.file();
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      writer.close();
    }
  }
}
