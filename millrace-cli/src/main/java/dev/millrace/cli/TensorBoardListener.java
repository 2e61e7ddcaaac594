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
  private RunPlan plan;
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

  /**
   * The file is opened at the first scalar to write, not here: a run that fails before it has
   * logged anything (bad data in the first batches, a damaged checkpoint) leaves no event file.
   */
  @Override
  public void started(RunPlan plan) {
    this.plan = plan;
  }

  private TensorBoardWriter writer() throws IOException {
    if (writer == null) {
      writer = TensorBoardWriter.open(logdir);
      if (plan.resumed()) {
        writer.sessionStart(plan.firstStep());
      }
    }
    return writer;
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
      TensorBoardWriter events = writer();
      events.scalar("loss", step, (float) (lossSum / examples));
      events.scalar("accuracy", step, (float) ((double) correct / examples));
      events.scalar("images_per_sec", step, (float) (examples / (totalNanos / 1e9)));
      events.scalar("input_wait_share", step, (float) ((double) waitNanos / totalNanos));
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
    try {
      // Opened here at the latest, so that every run that finished an epoch has its event file.
      TensorBoardWriter events = writer();
      if (!Double.isNaN(e.evalAccuracy())) {
        events.scalar("test/loss", lastStep, (float) e.evalLoss());
        events.scalar("test/accuracy", lastStep, (float) e.evalAccuracy());
      }
      events.flush();
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
