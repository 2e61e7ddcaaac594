/**
 * Layers, built-in models and the training loop. A layer adds operations and variables to a graph
 * under its own name scope; a model is a function from an input placeholder to logits, built once
 * for training (batch statistics, dropout on) and once for evaluation (moving statistics, dropout
 * off) over the same variables.
 */
package dev.millrace.nn;
