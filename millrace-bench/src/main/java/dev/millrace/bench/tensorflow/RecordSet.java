package dev.millrace.bench.tensorflow;

import java.io.IOException;
import java.util.Locale;

/**
 * The record sets of the input-pipeline comparison, by the name its {@code records} parameter
 * takes: each an Example with a raw uint8 {@code image} of a fixed shape and an int64 {@code
 * label}.
 */
public enum RecordSet {
  /** Fashion-MNIST's training split, 784-byte images ({@link FashionRecords}). */
  FASHION(28, 28, 1, FashionRecords.TRAIN_RECORDS),
  /** A synthetic CIFAR-10 training split, 3,072-byte images ({@link CifarRecords}). */
  CIFAR(32, 32, 3, CifarRecords.TRAIN_RECORDS);

  private final int height;
  private final int width;
  private final int channels;
  private final int trainRecords;

  RecordSet(int height, int width, int channels, int trainRecords) {
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.trainRecords = trainRecords;
  }

  /** {@code fashion} or {@code cifar}. */
  public static RecordSet named(String name) {
    for (RecordSet s : values()) {
      if (s.name().toLowerCase(Locale.ROOT).equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("records: " + name + " (expected fashion or cifar)");
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  public int channels() {
    return channels;
  }

  /** Bytes per image. */
  public int pixels() {
    return height * width * channels;
  }

  /** Records in the training split. */
  public int trainRecords() {
    return trainRecords;
  }

  /** The training split's shards, converted (or found in the cache) now. */
  public TrainShards open() throws IOException {
    return this == FASHION ? FashionRecords.convert() : CifarRecords.convert();
  }
}
