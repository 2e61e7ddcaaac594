package dev.millrace.kernels.internal.simd;

/**
 * How {@link DirectConvNhwc} cuts an output row of {@code width} pixels into the {@link
 * ConvMicroKernels} tiles of 12 and 8 pixels: the cheapest cover, an 8-pixel tile costing 8 × 1.07
 * (its kernel does 9 loads per 8 FMAs, not 13 per 12), a short tile as much as a full one. 16 → 8 +
 * 8, 8 → 8, 17 → 12 + 8 (5 used), 32 → 12 + 12 + 8 (which measured the same as 4 × 8).
 */
final class RowTiles {
  private final int[] starts;
  private final int[] heights;
  private final int[] used;

  private RowTiles(int[] starts, int[] heights, int[] used) {
    this.starts = starts;
    this.heights = heights;
    this.used = used;
  }

  static RowTiles of(int width) {
    int best12 = 0;
    double bestCost = Double.MAX_VALUE;
    for (int n12 = 0; n12 <= (width + 11) / 12; n12++) {
      int n8 = (Math.max(0, width - 12 * n12) + 7) / 8;
      double cost = 12 * n12 + 8 * 1.07 * n8;
      if (cost < bestCost) {
        bestCost = cost;
        best12 = n12;
      }
    }
    int n8 = (Math.max(0, width - 12 * best12) + 7) / 8;
    int count = best12 + n8;
    int[] starts = new int[count];
    int[] heights = new int[count];
    int[] used = new int[count];
    int ox = 0;
    for (int t = 0; t < count; t++) {
      heights[t] = t < best12 ? 12 : 8;
      starts[t] = ox;
      used[t] = Math.min(heights[t], width - ox);
      ox += used[t];
    }
    return new RowTiles(starts, heights, used);
  }

  int count() {
    return starts.length;
  }

  int start(int t) {
    return starts[t];
  }

  int height(int t) {
    return heights[t];
  }

  int rows(int t) {
    return used[t];
  }
}
