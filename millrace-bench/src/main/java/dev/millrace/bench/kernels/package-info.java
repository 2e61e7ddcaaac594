/**
 * JMH benchmarks of Millrace's fast kernels, the twins of the TensorFlow ones in {@code
 * dev.millrace.bench.tensorflow}: MatMul, the five reference convolution layers in both formats,
 * fused against unfused batch norm. Every fork adds {@code --add-modules jdk.incubator.vector},
 * which the fast kernels need; this module must depend on {@code millrace-kernels} and {@code
 * millrace-graph}.
 */
package dev.millrace.bench.kernels;
