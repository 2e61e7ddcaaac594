package dev.millrace.nn;

/**
 * What a run will do, known once its data and checkpoint are read.
 *
 * @param model the model's command-line name
 * @param epochs epochs of the whole run
 * @param stepsPerEpoch training steps per epoch
 * @param batch examples per step
 * @param firstEpoch the epoch the run starts in (0, or later after a resume)
 * @param firstStep the global step the run starts at
 * @param resumed whether the run continues from a checkpoint
 * @param description model, format, recipe and input settings in words
 */
public record RunPlan(
    String model,
    int epochs,
    long stepsPerEpoch,
    int batch,
    int firstEpoch,
    long firstStep,
    boolean resumed,
    String description) {
  public long totalSteps() {
    return epochs * stepsPerEpoch;
  }
}
