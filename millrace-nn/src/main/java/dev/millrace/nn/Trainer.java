package dev.millrace.nn;

import dev.millrace.data.Batch;
import dev.millrace.data.Dataset;
import dev.millrace.data.DatasetIterator;
import dev.millrace.data.IteratorCheckpoint;
import dev.millrace.data.PipelineStats;
import dev.millrace.graph.Session;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training loop: for each epoch, pull batches from the input pipeline and run a training step
 * on each; evaluate on the held-out split; checkpoint. Time spent in the pipeline's {@code next()}
 * is the step's input wait, time in the session run its compute — the two numbers the diagnosis of
 * a job starts from.
 *
 * <p>A resumed run restores the variables (optimizer state included), re-opens the epoch's pipeline
 * at the recorded position and draws the same dropout masks, so it ends with the weights an
 * uninterrupted run with the same seed ends with.
 */
public final class Trainer {
  private static final int STEP_RING = 65_536;

  private final TrainConfig config;
  private final TrainingState restored;
  private final TrainingListener listener;
  private final List<TrainingState.EpochSummary> history = new ArrayList<>();
  private final StepTimes stepTimes = new StepTimes(STEP_RING);
  private long waitNanos;
  private long computeNanos;
  private long examples;
  private long steps;

  private Trainer(TrainConfig config, TrainingState restored, TrainingListener listener) {
    this.config = config;
    this.restored = restored;
    this.listener = listener;
    if (restored != null) {
      history.addAll(restored.history());
    }
  }

  /** Trains as {@code config} says, telling {@code listener} as it goes. */
  public static TrainResult train(TrainConfig config, TrainingListener listener)
      throws IOException {
    TrainingState state = null;
    TrainConfig c = config;
    if (config.resume()) {
      state = TrainingCheckpoint.read(config.checkpointDir()).orElse(null);
      if (state != null) {
        c = resumed(config, state);
      }
    }
    if (c.stepsPerEpoch() == 0) {
      throw new IllegalArgumentException(
          c.data().dir()
              + ": the train split has "
              + c.data().train().records()
              + " records, fewer than one batch of "
              + c.recipe().batch());
    }
    return new Trainer(c, state, listener).run();
  }

  /** {@code config} with the checkpoint's recipe, seed and input randomness, after checks. */
  private static TrainConfig resumed(TrainConfig config, TrainingState s) throws IOException {
    Path json = config.checkpointDir().resolve(TrainingCheckpoint.STATE_FILE);
    if (!s.model().equals(config.model().cliName())) {
      throw new IOException(
          json
              + ": the checkpoint is of model "
              + s.model()
              + ", not "
              + config.model().cliName()
              + " (use another --checkpoint-dir, or --model "
              + s.model()
              + ")");
    }
    if (!s.shape().equals(config.data().shape()) || s.classes() != config.classes()) {
      throw new IOException(
          String.format(
              "%s: the checkpoint was trained on %s images and %d classes, the data has %s and"
                  + " %d",
              json, s.shape(), s.classes(), config.data().shape(), config.classes()));
    }
    InputSettings in = config.input().withAugment(s.augment()).withShuffleBuffer(s.shuffleBuffer());
    return config
        .withRecipe(s.recipe())
        .withSeed(s.seed())
        .withInput(in)
        .withEpochs(Math.max(config.epochs(), s.nextEpoch()));
  }

  private TrainResult run() throws IOException {
    long start = System.nanoTime();
    TrainConfig c = config;
    long perEpoch = c.stepsPerEpoch();
    try (Model model =
            Model.builder(c.model(), c.data().shape())
                .classes(c.classes())
                .format(c.format())
                .recipe(c.recipe())
                .totalSteps(c.epochs() * perEpoch)
                .seed(c.seed())
                .build();
        Session session = new Session(model.graph(), c.threads())) {
      session.initialize();
      if (restored != null) {
        TrainingCheckpoint.restore(c.checkpointDir(), session);
      }
      StepRunner runner =
          new StepRunner(model, session, c.data().image(), c.data().label(), c.seed());
      int firstEpoch = restored == null ? 0 : restored.nextEpoch();
      long globalStep = restored == null ? 0 : restored.globalStep();
      listener.started(
          new RunPlan(
              c.model().cliName(),
              c.epochs(),
              perEpoch,
              c.recipe().batch(),
              firstEpoch,
              globalStep,
              restored != null,
              describe(c)));
      for (int epoch = firstEpoch; epoch < c.epochs(); epoch++) {
        boolean midEpoch = restored != null && epoch == firstEpoch && restored.stepInEpoch() > 0;
        globalStep = epoch(model, session, runner, epoch, globalStep, midEpoch);
      }
      Path checkpoint =
          c.checkpointDir() == null
              ? null
              : c.checkpointDir().resolve(TrainingCheckpoint.STATE_FILE);
      long total = waitNanos + computeNanos;
      return new TrainResult(
          c.model().cliName(),
          c.format().name(),
          c.epochs(),
          steps,
          history,
          total == 0 ? 0 : examples / (total / 1e9),
          total == 0 ? 0 : (double) waitNanos / total,
          stepTimes.quantileNanos(0.5) / 1e6,
          (System.nanoTime() - start) / 1e9,
          checkpoint);
    }
  }

  private static String describe(TrainConfig c) {
    return c.model().cliName()
        + " "
        + c.format()
        + ", "
        + c.recipe()
        + ", "
        + c.input()
        + ", seed "
        + c.seed();
  }

  /** One epoch: its steps, then evaluation and the checkpoint. Returns the next global step. */
  private long epoch(
      Model model, Session session, StepRunner runner, int epoch, long globalStep, boolean mid)
      throws IOException {
    TrainConfig c = config;
    long perEpoch = c.stepsPerEpoch();
    TrainingState.EpochSums sums = mid ? restored.partial() : TrainingState.EpochSums.ZERO;
    long stepInEpoch = mid ? restored.stepInEpoch() : 0;
    Dataset<Batch> data =
        InputPipelines.train(
            c.data(),
            c.format(),
            c.recipe().batch(),
            c.input(),
            c.seed(),
            epoch,
            listener.pipelineTracer());
    PipelineStats pipeline;
    try (DatasetIterator<Batch> it =
        mid ? data.iterator(IteratorCheckpoint.fromBytes(restored.iterator())) : data.iterator()) {
      while (stepInEpoch < perEpoch) {
        long t0 = System.nanoTime();
        if (!it.hasNext()) {
          throw c.data()
              .recordCountMismatch(
                  "its shards ran out at step "
                      + (stepInEpoch + 1)
                      + " of "
                      + perEpoch
                      + " (batch "
                      + c.recipe().batch()
                      + ")");
        }
        Batch batch = it.next();
        long t1 = System.nanoTime();
        StepRunner.Outcome o = runner.train(batch, globalStep);
        long t2 = System.nanoTime();
        // The session keeps no fed tensor once its run has returned: the pipeline may refill
        // this batch's arrays.
        batch.release();
        StepReport r =
            new StepReport(
                globalStep,
                epoch,
                stepInEpoch,
                t0,
                t1 - t0,
                t2 - t1,
                batch.size(),
                o.loss(),
                o.correct(),
                o.stats());
        sums = sums.add(r);
        count(r);
        listener.step(r);
        globalStep++;
        stepInEpoch++;
        if (c.checkpointDir() != null
            && c.checkpointEvery() > 0
            && globalStep % c.checkpointEvery() == 0
            && stepInEpoch < perEpoch) {
          save(session, epoch, stepInEpoch, globalStep, it.checkpoint().toBytes(), sums);
        }
      }
      // The manifest decides how many steps an epoch has; a split whose shards hold a further
      // full batch was miscounted, and training on would silently leave those records out.
      if (it.hasNext()) {
        throw c.data()
            .recordCountMismatch(
                "its shards hold more than that (a full batch is left after step "
                    + perEpoch
                    + ")");
      }
      pipeline = it.stats();
    }
    long evalStart = System.nanoTime();
    double[] eval = evaluate(runner, epoch);
    double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
    long trained = sums.waitNanos() + sums.computeNanos();
    EpochReport report =
        new EpochReport(
            epoch,
            stepInEpoch,
            sums.examples() == 0 ? 0 : sums.lossSum() / sums.examples(),
            sums.examples() == 0 ? 0 : (double) sums.correct() / sums.examples(),
            eval[0],
            eval[1],
            trained == 0 ? 0 : sums.examples() / (trained / 1e9),
            trained / 1e9,
            evalSeconds,
            trained == 0 ? 0 : (double) sums.waitNanos() / trained,
            pipeline);
    history.add(TrainingState.EpochSummary.of(report));
    if (c.checkpointDir() != null) {
      save(session, epoch + 1, 0, globalStep, null, TrainingState.EpochSums.ZERO);
    }
    listener.epoch(report);
    return globalStep;
  }

  private void count(StepReport r) {
    steps++;
    examples += r.examples();
    waitNanos += r.waitNanos();
    computeNanos += r.computeNanos();
    stepTimes.add(r.waitNanos() + r.computeNanos());
  }

  /** Mean loss and accuracy on the held-out split. */
  private double[] evaluate(StepRunner runner, int epoch) {
    TrainConfig c = config;
    if (!c.data().hasEval()) {
      return new double[] {Double.NaN, Double.NaN};
    }
    long records = c.data().eval().records();
    listener.evaluating(epoch, (records + c.evalBatch() - 1) / c.evalBatch());
    double lossSum = 0;
    double correct = 0;
    long n = 0;
    try (DatasetIterator<Batch> it =
        InputPipelines.eval(c.data(), c.format(), c.evalBatch(), c.input()).iterator()) {
      while (it.hasNext()) {
        Batch b = it.next();
        double[] r = runner.evaluate(b);
        lossSum += r[0];
        correct += r[1];
        n += b.size();
        b.release();
      }
    }
    return n == 0 ? new double[] {Double.NaN, Double.NaN} : new double[] {lossSum / n, correct / n};
  }

  private void save(
      Session session,
      int nextEpoch,
      long stepInEpoch,
      long globalStep,
      byte[] iterator,
      TrainingState.EpochSums partial)
      throws IOException {
    TrainConfig c = config;
    TrainingState state =
        new TrainingState(
            c.model().cliName(),
            c.data().shape(),
            c.classes(),
            c.recipe(),
            c.seed(),
            c.input().augment(),
            c.input().shuffleBuffer(),
            c.epochs(),
            nextEpoch,
            stepInEpoch,
            globalStep,
            iterator,
            partial,
            history);
    Path file = TrainingCheckpoint.save(c.checkpointDir(), session, state);
    listener.checkpointed(file, globalStep);
  }
}
