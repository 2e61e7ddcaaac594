package dev.millrace.kernels.internal.simd;

import dev.millrace.kernels.VectorWidth;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The species every fast kernel computes with, fixed when this class is initialised. Being a {@code
 * static final} field, C2 treats it as a constant and intrinsifies the vector operations (a species
 * passed as a parameter ran about four times slower).
 */
public final class SimdWidth {
  /** The width chosen for this JVM: the host's, or the one a setting forces. */
  public static final VectorWidth CHOSEN =
      VectorWidth.choose(
          VectorShape.preferredShape().vectorBitSize(),
          System.getProperty(VectorWidth.PROPERTY),
          System.getenv(VectorWidth.ENV));

  /** Float vectors of {@link #CHOSEN}'s width. */
  static final VectorSpecies<Float> FLOAT =
      VectorSpecies.of(float.class, VectorShape.forBitSize(CHOSEN.bits()));

  /** Int vectors of {@link #CHOSEN}'s width (as many lanes as {@link #FLOAT}). */
  static final VectorSpecies<Integer> INT =
      VectorSpecies.of(int.class, VectorShape.forBitSize(CHOSEN.bits()));

  private SimdWidth() {}
}
