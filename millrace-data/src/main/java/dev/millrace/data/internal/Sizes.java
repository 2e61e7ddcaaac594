package dev.millrace.data.internal;

import dev.millrace.data.Batch;
import dev.millrace.data.Features;
import dev.millrace.data.Pair;
import dev.millrace.data.TfRecord;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Tensor;
import java.util.List;

/**
 * Bytes an element holds, for the RAM budget and statistics: exact for tensor data and record
 * payloads, plus a small fixed allowance per object for headers. String tensors count 64 bytes per
 * string: the tensor module gives no way to read a string's length without copying it.
 */
public final class Sizes {
  private static final long OBJECT = 32;

  private Sizes() {}

  public static long of(Object e) {
    return switch (e) {
      case Tensor t -> tensor(t);
      case Features f -> {
        long s = OBJECT;
        for (int i = 0, n = f.size(); i < n; i++) {
          s += tensor(f.get(i));
        }
        yield s;
      }
      case Batch b -> {
        long s = OBJECT;
        for (int i = 0, n = b.names().size(); i < n; i++) {
          s += tensor(b.get(i));
        }
        yield s;
      }
      case TfRecord r -> OBJECT + 16 + r.length();
      case byte[] a -> 16 + a.length;
      case float[] a -> 16 + 4L * a.length;
      case CharSequence c -> OBJECT + 2L * c.length();
      case Pair<?, ?> p -> OBJECT + of(p.first()) + of(p.second());
      case List<?> l -> {
        long s = OBJECT + 4L * l.size();
        for (Object o : l) {
          s += of(o);
        }
        yield s;
      }
      default -> 16;
    };
  }

  private static long tensor(Tensor t) {
    return t.dtype() == DType.STRING ? OBJECT + 64 * t.size() : OBJECT + t.data().byteSize();
  }
}
