package dev.millrace.convert.spi;

import java.io.IOException;
import java.io.Serializable;

/**
 * Encodes the records of one split of a data set: the serialized {@code tf.train.Example} of each
 * source record, by its index in source order. Serializable, with what it needs to encode (the
 * pixels of an IDX or CIFAR-10 split, the file list of an image folder), so that an engine can run
 * it on other machines.
 *
 * <p>Thread-safe: records are encoded on many threads at once, in any order; the same index always
 * gives the same bytes.
 */
@FunctionalInterface
public interface RecordEncoder extends Serializable {
  /**
   * The serialized record of source record {@code index}.
   *
   * @throws IOException if the source is bad ({@link dev.millrace.convert.BadInputException},
   *     naming the file) or cannot be read
   */
  byte[] encode(int index) throws IOException;
}
