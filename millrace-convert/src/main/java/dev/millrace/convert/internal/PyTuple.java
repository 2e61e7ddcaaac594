package dev.millrace.convert.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A Python tuple from a pickle. Its items may include {@code null} (Python's {@code None}), so the
 * list is an unmodifiable copy rather than {@link List#copyOf}.
 *
 * @param items the items, unmodifiable
 * @param depth tuples nested inside, plus one; bounded by the unpickler so that hashing (which
 *     recurses) cannot overflow the stack
 */
public record PyTuple(List<Object> items, int depth) {
  public PyTuple {
    items = Collections.unmodifiableList(new ArrayList<>(items));
  }

  static PyTuple of(List<Object> items) {
    int depth = 1;
    for (Object o : items) {
      if (o instanceof PyTuple t) {
        depth = Math.max(depth, t.depth + 1);
      }
    }
    return new PyTuple(items, depth);
  }

  public int size() {
    return items.size();
  }

  public Object get(int i) {
    return items.get(i);
  }
}
