package dev.millrace.nn;

import dev.millrace.data.Batch;
import dev.millrace.graph.RunStats;
import dev.millrace.graph.Session;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * Runs a model's training step and evaluation pass on one batch: feeds images, labels and dropout
 * masks, fetches loss and correct count. The training loop and the doctor's measurements share it,
 * so both time the same work.
 */
public final class StepRunner {
  private final Model model;
  private final Session session;
  private final String imageFeature;
  private final String labelFeature;
  private final long seed;

  /**
   * @param imageFeature the batch's image tensor name
   * @param labelFeature the batch's label tensor name
   * @param seed the run's seed (dropout masks are drawn from it and the step)
   */
  public StepRunner(
      Model model, Session session, String imageFeature, String labelFeature, long seed) {
    this.model = model;
    this.session = session;
    this.imageFeature = imageFeature;
    this.labelFeature = labelFeature;
    this.seed = seed;
  }

  /**
   * One training step's results.
   *
   * @param loss the batch's mean loss
   * @param correct examples classified right
   * @param stats the session run's statistics
   */
  public record Outcome(float loss, int correct, RunStats stats) {}

  /** One training update on {@code batch}, as global step {@code step}. */
  public Outcome train(Batch batch, long step) {
    Tensor labels = checkedLabels(batch, step);
    Session.Runner r =
        session
            .runner()
            .feed(model.images(), batch.get(imageFeature))
            .feed(model.labels(), labels)
            .fetch(model.loss())
            .fetch(model.correct())
            .target(model.trainStep());
    List<RandomMask> masks = model.masks();
    for (int i = 0; i < masks.size(); i++) {
      r.feed(masks.get(i).placeholder(), masks.get(i).draw(batch.size(), seed, step, i));
    }
    try (Session.Result out = r.run()) {
      float loss = out.get(0).getFloat(0);
      if (!Float.isFinite(loss)) {
        throw new IllegalStateException(
            "the training loss became " + loss + " at step " + step + ": lower the learning rate");
      }
      return new Outcome(loss, Math.round(out.get(1).getFloat(0)), out.stats());
    }
  }

  /** The sum of losses and the correct count of {@code batch} in evaluation mode. */
  public double[] evaluate(Batch batch) {
    Tensor labels = checkedLabels(batch, -1);
    try (Session.Result out =
        session
            .runner()
            .feed(model.images(), batch.get(imageFeature))
            .feed(model.labels(), labels)
            .fetch(model.evalLossSum())
            .fetch(model.evalCorrect())
            .run()) {
      return new double[] {out.get(0).getFloat(0), out.get(1).getFloat(0)};
    }
  }

  private Tensor checkedLabels(Batch batch, long step) {
    Tensor labels = batch.get(labelFeature);
    long n = labels.size();
    for (long i = 0; i < n; i++) {
      long label = labels.getLong(i);
      if (label < 0 || label >= model.classes()) {
        throw new IllegalArgumentException(
            "label "
                + label
                + (step >= 0 ? " in the batch of step " + step : " in an evaluation batch")
                + " is outside [0, "
                + model.classes()
                + "): train with --classes "
                + Math.max(label + 1, model.classes()));
      }
    }
    return labels;
  }
}
