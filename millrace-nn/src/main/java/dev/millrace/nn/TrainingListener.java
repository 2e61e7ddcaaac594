package dev.millrace.nn;

/**
 * What a training run tells its observers (progress bar, profiler, event files). Called on the
 * training thread, so a listener must be quick; every method has an empty default.
 */
public interface TrainingListener {
  /** The run is about to take its first step (after a restore, if it resumed). */
  default void started(RunPlan plan) {}

  /** One training step finished. */
  default void step(StepReport report) {}

  /** Evaluation of an epoch begins (it has {@code batches} batches). */
  default void evaluating(int epoch, long batches) {}

  /** An epoch finished and was evaluated. */
  default void epoch(EpochReport report) {}

  /** A checkpoint was written. */
  default void checkpointed(java.nio.file.Path file, long step) {}

  /**
   * A tracer for the training pipeline's stage work, or null for none (the default: a pipeline
   * without a tracer pays one null check per chunk).
   */
  default dev.millrace.data.PipelineTracer pipelineTracer() {
    return null;
  }

  /** All listeners, called in order. */
  static TrainingListener all(java.util.List<? extends TrainingListener> listeners) {
    java.util.List<TrainingListener> list = java.util.List.copyOf(listeners);
    return new TrainingListener() {
      @Override
      public void started(RunPlan plan) {
        list.forEach(l -> l.started(plan));
      }

      @Override
      public void step(StepReport report) {
        list.forEach(l -> l.step(report));
      }

      @Override
      public void evaluating(int epoch, long batches) {
        list.forEach(l -> l.evaluating(epoch, batches));
      }

      @Override
      public void epoch(EpochReport report) {
        list.forEach(l -> l.epoch(report));
      }

      @Override
      public dev.millrace.data.PipelineTracer pipelineTracer() {
        return list.stream()
            .map(TrainingListener::pipelineTracer)
            .filter(java.util.Objects::nonNull)
            .findFirst()
            .orElse(null);
      }

      @Override
      public void checkpointed(java.nio.file.Path file, long step) {
        list.forEach(l -> l.checkpointed(file, step));
      }
    };
  }
}
