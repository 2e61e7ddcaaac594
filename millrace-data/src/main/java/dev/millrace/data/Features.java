package dev.millrace.data;

import dev.millrace.data.internal.Tensors;
import dev.millrace.tensor.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One element of decoded data: an immutable, ordered map from feature name to {@link Tensor}, as
 * {@link ExampleSpec#decode} makes from a record (TensorFlow's dict of tensors).
 *
 * <p>The map is immutable; the tensors are shared, not copied (copying would cost the pipeline's
 * hot path an extra pass over every pixel), so treat them as read-only once in a dataset.
 */
public final class Features {
  private final String[] names;
  private final Tensor[] tensors;

  /** Takes ownership of the arrays (callers in this package pass fresh ones). */
  Features(String[] names, Tensor[] tensors) {
    this.names = names;
    this.tensors = tensors;
  }

  public static Features of(String name, Tensor tensor) {
    return ofArrays(new String[] {name}, new Tensor[] {tensor});
  }

  public static Features of(String name1, Tensor tensor1, String name2, Tensor tensor2) {
    return ofArrays(new String[] {name1, name2}, new Tensor[] {tensor1, tensor2});
  }

  public static Features of(
      String name1, Tensor tensor1, String name2, Tensor tensor2, String name3, Tensor tensor3) {
    return ofArrays(new String[] {name1, name2, name3}, new Tensor[] {tensor1, tensor2, tensor3});
  }

  /** The features of {@code map}, in its iteration order. */
  public static Features of(Map<String, Tensor> map) {
    return ofArrays(map.keySet().toArray(new String[0]), map.values().toArray(new Tensor[0]));
  }

  /** The features named {@code names[i]} → {@code tensors[i]}. */
  public static Features of(List<String> names, List<Tensor> tensors) {
    if (names.size() != tensors.size()) {
      throw new IllegalArgumentException(
          names.size() + " names for " + tensors.size() + " tensors: " + names);
    }
    return ofArrays(names.toArray(new String[0]), tensors.toArray(new Tensor[0]));
  }

  private static Features ofArrays(String[] names, Tensor[] tensors) {
    for (int i = 0; i < names.length; i++) {
      String name = Objects.requireNonNull(names[i], "name");
      Objects.requireNonNull(tensors[i], () -> "tensor of '" + name + "'");
      for (int j = 0; j < i; j++) {
        if (names[j].equals(names[i])) {
          throw new IllegalArgumentException(
              "feature '" + names[i] + "' appears twice in " + Arrays.toString(names));
        }
      }
    }
    return new Features(names, tensors);
  }

  public int size() {
    return names.length;
  }

  public List<String> names() {
    return List.of(names);
  }

  public String name(int index) {
    return names[Objects.checkIndex(index, names.length)];
  }

  /** The index of {@code name}, or -1. */
  public int indexOf(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  public boolean has(String name) {
    return indexOf(name) >= 0;
  }

  /** The tensor named {@code name}; fails naming the features there are. */
  public Tensor get(String name) {
    int i = indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException(
          "no feature '" + name + "' (features: " + Arrays.toString(names) + ")");
    }
    return tensors[i];
  }

  public Tensor get(int index) {
    return tensors[Objects.checkIndex(index, tensors.length)];
  }

  /** These features with {@code name} set to {@code tensor} (replaced in place, or added last). */
  public Features with(String name, Tensor tensor) {
    Objects.requireNonNull(tensor, "tensor");
    int i = indexOf(name);
    if (i >= 0) {
      Tensor[] t = tensors.clone();
      t[i] = tensor;
      return new Features(names, t);
    }
    String[] n = Arrays.copyOf(names, names.length + 1);
    Tensor[] t = Arrays.copyOf(tensors, tensors.length + 1);
    n[names.length] = Objects.requireNonNull(name, "name");
    t[tensors.length] = tensor;
    return new Features(n, t);
  }

  /** These features without {@code name} (unchanged if absent). */
  public Features without(String name) {
    int i = indexOf(name);
    if (i < 0) {
      return this;
    }
    String[] n = new String[names.length - 1];
    Tensor[] t = new Tensor[names.length - 1];
    for (int k = 0, j = 0; k < names.length; k++) {
      if (k != i) {
        n[j] = names[k];
        t[j++] = tensors[k];
      }
    }
    return new Features(n, t);
  }

  /** An unmodifiable ordered map view. */
  public Map<String, Tensor> asMap() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      m.put(names[i], tensors[i]);
    }
    return Collections.unmodifiableMap(m);
  }

  /** Equal names in the same order, and tensors of equal dtype, shape and contents. */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Features f) || !Arrays.equals(names, f.names)) {
      return false;
    }
    for (int i = 0; i < tensors.length; i++) {
      if (!Tensors.contentEquals(tensors[i], f.tensors[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = Arrays.hashCode(names);
    for (Tensor t : tensors) {
      h = h * 31 + Tensors.contentHash(t);
    }
    return h;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Features{");
    for (int i = 0; i < names.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(names[i]).append('=').append(tensors[i]);
    }
    return sb.append('}').toString();
  }
}
