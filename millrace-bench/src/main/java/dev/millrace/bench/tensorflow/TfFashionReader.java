package dev.millrace.bench.tensorflow;

import dev.millrace.bench.tensorflow.RawImageParse.Pixels;
import dev.millrace.records.Compression;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;

/**
 * Reads Fashion-MNIST TFRecord files with TensorFlow alone (its reader, its Example parser, its
 * DecodeRaw) and sums what it saw, so that files written by Millrace can be checked against the
 * {@code verify_records_output} of a TensorFlow-written file's manifest.
 */
final class TfFashionReader {
  private static final int FIRST_LABELS = 10;

  private TfFashionReader() {}

  /**
   * What a full pass over the files sums to.
   *
   * @param records how many Examples TensorFlow parsed
   * @param labelSum the sum of their {@code label}s
   * @param pixelSum the sum of every image byte, as unsigned
   * @param firstLabels the first ten labels, in file order
   */
  record Totals(long records, long labelSum, long pixelSum, List<Long> firstLabels) {
    Totals {
      firstLabels = List.copyOf(firstLabels);
    }
  }

  /** One pass: {@code TFRecordDataset → batch(128) → ParseExampleV2 → DecodeRaw(uint8)}. */
  static Totals read(List<Path> files, Compression compression) {
    RawImageParse fashion = new RawImageParse(RecordSet.FASHION);
    try (Graph graph = new Graph();
        ConcreteFunction parse = fashion.parseBatch(Pixels.UINT8);
        Session session = TfSessions.open(graph, 1)) {
      TfData data = new TfData(graph);
      TfData.Dataset records = data.tfRecords(files, compression, TfData.DEFAULT_READ_BUFFER_BYTES);
      TfData.Dataset parsed =
          data.parallelMap(
              data.batch(records, 128),
              parse,
              RawImageParse.types(Pixels.UINT8),
              fashion.batchShapes(),
              1);
      TfData.Iterator it = data.iterator(parsed, "fashion_check");
      session.runner().addTarget(it.initializer()).run();
      return sum(session, it);
    }
  }

  private static Totals sum(Session session, TfData.Iterator it) {
    long records = 0;
    long labelSum = 0;
    long pixelSum = 0;
    List<Long> firstLabels = new ArrayList<>();
    byte[] pixels = new byte[0];
    while (true) {
      try (Result r = session.runner().fetch(it.component(0)).fetch(it.component(1)).run()) {
        TUint8 images = (TUint8) r.get(0);
        TInt64 labels = (TInt64) r.get(1);
        long n = labels.shape().size(0);
        if (images.shape().size(0) != n
            || images.shape().size() != n * RecordSet.FASHION.pixels()) {
          throw new IllegalStateException(
              "images: "
                  + images.shape()
                  + ", labels: "
                  + labels.shape()
                  + " (expected [n, 28, 28, 1])");
        }
        for (long i = 0; i < n; i++) {
          long label = labels.getLong(i);
          labelSum += label;
          if (firstLabels.size() < FIRST_LABELS) {
            firstLabels.add(label);
          }
        }
        ByteDataBuffer raw = images.asRawTensor().data();
        if (pixels.length != raw.size()) {
          pixels = new byte[Math.toIntExact(raw.size())];
        }
        raw.read(pixels);
        for (byte p : pixels) {
          pixelSum += p & 0xff;
        }
        records += n;
      } catch (TFOutOfRangeException endOfData) {
        return new Totals(records, labelSum, pixelSum, firstLabels);
      }
    }
  }
}
