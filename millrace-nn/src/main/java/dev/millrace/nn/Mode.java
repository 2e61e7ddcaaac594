package dev.millrace.nn;

/** Whether a model is built for a training step or for evaluation and inference. */
public enum Mode {
  /** Batch statistics in batch norm (and moving averages updated), dropout active. */
  TRAIN,
  /** Moving statistics in batch norm, dropout off. */
  EVAL
}
