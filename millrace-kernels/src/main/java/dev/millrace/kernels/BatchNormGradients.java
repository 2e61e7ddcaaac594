package dev.millrace.kernels;

import dev.millrace.tensor.Tensor;

/** Gradients of fused batch normalization with respect to x, scale and offset. */
public record BatchNormGradients(Tensor x, Tensor scale, Tensor offset) {}
