package dev.millrace.kernels;

/**
 * The geometry of a sliding window along one spatial axis, by TensorFlow's rules: {@code out}
 * positions, the first starting at {@code -padBefore}.
 */
public record Window1d(long out, long padBefore, long padAfter) {
  /**
   * @param in input size
   * @param k window (filter) size
   * @param stride step between windows
   * @param dilation spacing of the window's taps
   */
  public static Window1d of(
      long in,
      long k,
      int stride,
      int dilation,
      Padding padding,
      int explicitBefore,
      int explicitAfter) {
    long effective = (k - 1) * dilation + 1;
    return switch (padding) {
      case VALID -> {
        long out = in < effective ? 0 : (in - effective) / stride + 1;
        yield new Window1d(out, 0, 0);
      }
      case SAME -> {
        long out = (in + stride - 1) / stride;
        long total = Math.max((out - 1) * stride + effective - in, 0);
        yield new Window1d(out, total / 2, total - total / 2);
      }
      case EXPLICIT -> {
        long padded = in + explicitBefore + explicitAfter;
        long out = padded < effective ? 0 : (padded - effective) / stride + 1;
        yield new Window1d(out, explicitBefore, explicitAfter);
      }
    };
  }
}
