package dev.millrace.data;

import dev.millrace.tensor.Shape;
import java.util.Map;
import java.util.TreeMap;

/**
 * How {@link Dataset#paddedBatch} pads variable-length features (TensorFlow's {@code padded_shapes}
 * and {@code padding_values}): each feature is padded at the end of every dimension to the largest
 * size in the batch, or to a fixed shape where one is given, with 0 or the value given. Immutable.
 */
public final class Padding {
  private static final Padding ZEROS = new Padding(Map.of(), Map.of());

  private final Map<String, Double> values;
  private final Map<String, Shape> shapes;

  private Padding(Map<String, Double> values, Map<String, Shape> shapes) {
    this.values = values;
    this.shapes = shapes;
  }

  /** Pads with zeros to the largest size in each batch. */
  public static Padding zeros() {
    return ZEROS;
  }

  /** This padding with {@code feature} padded with {@code value} (cast to its dtype). */
  public Padding value(String feature, double value) {
    Map<String, Double> v = new TreeMap<>(values);
    v.put(feature, value);
    return new Padding(Map.copyOf(v), shapes);
  }

  /**
   * This padding with {@code feature} padded to {@code shape} in every batch; a dimension of -1
   * pads to the batch's largest. Elements larger than the shape fail.
   */
  public Padding shape(String feature, long... shape) {
    Map<String, Shape> s = new TreeMap<>(shapes);
    s.put(feature, Shape.of(shape));
    return new Padding(values, Map.copyOf(s));
  }

  public double valueOf(String feature) {
    return values.getOrDefault(feature, 0.0);
  }

  /** The fixed padded shape of {@code feature}, or null to pad to each batch's largest. */
  public Shape shapeOf(String feature) {
    return shapes.get(feature);
  }

  @Override
  public String toString() {
    return "Padding{values=" + values + ", shapes=" + shapes + "}";
  }
}
