/**
 * Training: optimizers ({@link dev.millrace.graph.train.Sgd} with momentum and Nesterov, {@link
 * dev.millrace.graph.train.Adam}, weight decay) and learning-rate schedules. Invariants: {@code
 * minimize} returns one operation that applies exactly one update; every update runs after all
 * gradients and the loss of its step, so reads in the same run see pre-update values; an
 * optimizer's state (step counter, slots) is variables under its own name scope, so checkpoints
 * save it.
 */
package dev.millrace.graph.train;
