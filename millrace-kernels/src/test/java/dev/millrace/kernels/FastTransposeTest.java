package dev.millrace.kernels;

import static dev.millrace.kernels.FastMatchesReference.REFERENCE;
import static dev.millrace.kernels.FastMatchesReference.fast;
import static dev.millrace.kernels.FastMatchesReference.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast transpose (batched matrix transposes for the permutations that rotate trailing axes, the
 * reference for the others) gives the reference's elements exactly, for every permutation of ranks
 * 1 to 4.
 */
class FastTransposeTest {
  static Stream<int[]> permutations() {
    List<int[]> out = new ArrayList<>();
    for (int rank = 1; rank <= 4; rank++) {
      permute(new int[rank], new boolean[rank], 0, out);
    }
    return out.stream();
  }

  private static void permute(int[] perm, boolean[] used, int at, List<int[]> out) {
    if (at == perm.length) {
      out.add(perm.clone());
      return;
    }
    for (int a = 0; a < perm.length; a++) {
      if (!used[a]) {
        used[a] = true;
        perm[at] = a;
        permute(perm, used, at + 1, out);
        used[a] = false;
      }
    }
  }

  @ParameterizedTest
  @MethodSource("permutations")
  void everyPermutationGivesTheReferenceElements(int[] perm) {
    Random rnd = new Random(perm.length * 31L + perm[0]);
    for (int trial = 0; trial < 4; trial++) {
      long[] dims = new long[perm.length];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = trial == 0 && i == 0 ? 0 : rnd.nextInt(1, 40);
      }
      Tensor x = random(rnd, Shape.of(dims));
      boolean threaded = trial % 2 == 1;
      assertExactly(fast(threaded).transpose(x, perm), REFERENCE.transpose(x, perm));
    }
  }

  @Test
  void largeImageBatchesSplitOverThreadsGiveTheReferenceElements() {
    Random rnd = new Random(7);
    Tensor nchw = random(rnd, Shape.of(9, 33, 29, 31));
    int[] toNhwc = {0, 2, 3, 1};
    int[] toNchw = {0, 3, 1, 2};
    Tensor nhwc = fast(true).transpose(nchw, toNhwc);
    assertExactly(nhwc, REFERENCE.transpose(nchw, toNhwc));
    assertExactly(fast(true).transpose(nhwc, toNchw), nchw);
  }

  @Test
  void anInvalidPermutationIsRefusedAsTheReferenceRefusesIt() {
    Tensor x = random(new Random(1), Shape.of(2, 3, 4));
    for (int[] bad : new int[][] {{0, 1}, {0, 0, 1}, {0, 3, 1}, {2, 1, -1}}) {
      assertThatThrownBy(() -> fast(false).transpose(x, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(catchMessage(() -> REFERENCE.transpose(x, bad)));
    }
  }

  private static String catchMessage(Runnable r) {
    try {
      r.run();
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    throw new AssertionError("the reference accepted it");
  }

  private static void assertExactly(Tensor actual, Tensor expected) {
    assertThat(actual.shape()).isEqualTo(expected.shape());
    float[] a = actual.toFloatArray();
    float[] e = expected.toFloatArray();
    // The first difference only: a whole-array diff of large arrays takes minutes.
    assertThat(java.util.Arrays.mismatch(a, e))
        .as(() -> "first differing element of " + actual.shape())
        .isEqualTo(-1);
  }
}
