package dev.millrace.convert.internal;

import dev.millrace.convert.BadInputException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * {@code cifar-10-python.tar.gz}, exactly as distributed, to the {@code train}, {@code validation}
 * and {@code eval} splits of {@link CifarLayout}. The archive is streamed, never extracted; each
 * batch is a pickle of {@code {'data': uint8 array (n, 3072), 'labels': [n ints], ...}}, read by
 * {@link SafeUnpickler}: as Python 2 wrote the original (protocol 2, {@code str} keys that are
 * bytes), or as Python 3 writes it again (protocols 2 to 5, {@code str} or {@code bytes} keys,
 * labels a list of ints or of numpy integers, or a numpy integer array). {@code batches.meta} is
 * unpickled too (so a hostile one is still refused) but not used.
 *
 * <p>Memory: the archive's entries come in no fixed order while {@code train} needs four batches,
 * so all six batches' pixels (184 MB for the real data set) are held until written; each pickle (30
 * MB) is dropped once its array is copied out.
 */
public final class CifarPythonConverter {
  private static final String META = "batches.meta";

  private CifarPythonConverter() {}

  public static void convert(Path archive, Conversion conversion) throws IOException {
    Map<String, PixelBatch> batches = new HashMap<>();
    boolean sawMeta = false;
    try (TarReader tar = TarReader.open(archive)) {
      for (TarArchiveEntry e = tar.next(); e != null; e = tar.next()) {
        String base = TarReader.baseName(e.getName());
        boolean isBatch = CifarLayout.isBatch(base, "");
        if (!(isBatch || base.equals(META)) || !(e.isFile() || TarReader.isLink(e))) {
          continue;
        }
        if (TarReader.isLink(e)) {
          throw TarReader.linkNotFile(archive, e);
        }
        if (batches.containsKey(base) || (base.equals(META) && sawMeta)) {
          throw BadInputException.inEntry(archive, e.getName(), "second entry named " + base);
        }
        byte[] pickle = tar.read(e, CifarLayout.MAX_ENTRY_BYTES);
        String name = e.getName();
        Object root =
            new SafeUnpickler(
                    pickle,
                    0,
                    pickle.length,
                    (offset, problem) -> BadInputException.inEntry(archive, name, offset, problem))
                .load();
        if (isBatch) {
          batches.put(base, toBatch(archive, name, root));
        } else {
          sawMeta = true;
        }
      }
    }
    CifarLayout.writeSplits(archive, "", batches, conversion);
  }

  /** Checks a batch dict and copies out its pixels and labels. */
  static PixelBatch toBatch(Path archive, String entry, Object root) throws BadInputException {
    if (!(root instanceof Map<?, ?> dict)) {
      throw BadInputException.inEntry(
          archive, entry, "pickle holds a " + NumpyGlobals.typeName(root) + ", expected a dict");
    }
    Object data = get(dict, "data");
    if (!(data instanceof NdArray array) || !array.isBuilt()) {
      throw BadInputException.inEntry(
          archive,
          entry,
          "'data' is a " + NumpyGlobals.typeName(data) + ", expected a uint8 numpy array");
    }
    long[] shape = array.shape();
    if (!array.dtype().isUint8()) {
      throw BadInputException.inEntry(
          archive, entry, "'data' has dtype " + array.dtype() + ", expected uint8 (u1)");
    }
    if (shape.length != 2 || shape[1] != CifarLayout.IMAGE_BYTES) {
      throw BadInputException.inEntry(
          archive, entry, "'data' has shape " + Arrays.toString(shape) + ", expected (n, 3072)");
    }
    if (array.fortranOrder() && shape[0] > 1) {
      throw BadInputException.inEntry(archive, entry, "'data' is in Fortran order, expected C");
    }
    int rows = (int) shape[0];
    List<?> labels = labels(archive, entry, get(dict, "labels"));
    if (labels.size() != rows) {
      throw BadInputException.inEntry(
          archive, entry, labels.size() + " labels for " + rows + " images");
    }
    byte[] labelBytes = new byte[rows];
    for (int i = 0; i < rows; i++) {
      if (!(labels.get(i) instanceof Long l) || l < 0 || l >= CifarLayout.CLASSES) {
        // A number is shown as it is; anything else by its type, which fits on one line.
        Object label = labels.get(i);
        String shown =
            label instanceof Long || label instanceof BigInteger
                ? label.toString()
                : "of type " + NumpyGlobals.typeName(label);
        throw BadInputException.inEntryRecord(
            archive, entry, -1, i, "label " + shown + " is not a class 0..9");
      }
      labelBytes[i] = (byte) (long) l;
    }
    byte[] pixels = array.data().toByteArray();
    return new PixelBatch(
        pixels, 0, CifarLayout.IMAGE_BYTES, CifarLayout.IMAGE_BYTES, labelBytes, 0, 1, rows);
  }

  /**
   * The labels as a list: CIFAR-10's own list of ints, or the elements of a one-dimensional numpy
   * integer array, which Python 3 users often store instead.
   */
  private static List<?> labels(Path archive, String entry, Object labels)
      throws BadInputException {
    if (labels instanceof List<?> list) {
      return list;
    }
    if (labels instanceof NdArray a && a.isBuilt()) {
      if (!a.dtype().isInteger()) {
        throw BadInputException.inEntry(
            archive, entry, "'labels' has dtype " + a.dtype() + ", expected integers");
      }
      if (a.shape().length != 1) {
        throw BadInputException.inEntry(
            archive, entry, "'labels' has shape " + Arrays.toString(a.shape()) + ", expected (n,)");
      }
      List<Object> values = new ArrayList<>(a.size());
      for (int i = 0; i < a.size(); i++) {
        values.add(a.integerAt(i));
      }
      return values;
    }
    throw BadInputException.inEntry(
        archive,
        entry,
        "'labels' is a "
            + NumpyGlobals.typeName(labels)
            + ", expected a list or a numpy integer array");
  }

  /** Keys are Python 2 {@code str} (bytes) in the real files, text or bytes from Python 3. */
  private static Object get(Map<?, ?> dict, String key) {
    Object v = dict.get(PyBytes.latin1(key));
    return v != null ? v : dict.get(key);
  }
}
