package dev.millrace.cli;

import static dev.millrace.data.FeatureSpec.int64;

import dev.millrace.convert.ProgressListener;
import dev.millrace.data.Augment;
import dev.millrace.data.Batch;
import dev.millrace.data.Batcher;
import dev.millrace.data.Dataset;
import dev.millrace.data.DatasetIterator;
import dev.millrace.data.ElementRandom;
import dev.millrace.data.ExampleSpec;
import dev.millrace.data.FeatureSpec;
import dev.millrace.data.ImageAugmentation;
import dev.millrace.data.ImageRecordLayout;
import dev.millrace.data.Options;
import dev.millrace.data.Parallelism;
import dev.millrace.data.PipelineStats;
import dev.millrace.data.TfRecord;
import dev.millrace.records.FeatureSchema;
import dev.millrace.records.Manifest;
import dev.millrace.records.RecordReader;
import dev.millrace.records.ShardInfo;
import dev.millrace.records.SplitManifest;
import dev.millrace.tensor.DataFormat;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The work of {@code millrace bench input}: which files, what their Examples hold, the pipeline to
 * time, and one timed run of it. The pipelines are the arrangements the benchmarks in {@code
 * millrace-bench} time, so the command reproduces their figures on a user's own data.
 */
final class InputBench {
  /** Progress lines start only after this long, so that short runs print nothing extra. */
  private static final long QUIET_NANOS = 2_000_000_000L;

  /** What the pipeline does to each record. */
  enum Mode {
    /** Read and CRC-check records, group them into lists of {@code batch}. */
    READ,
    /** Also decode image and label into float batches: batch first, then parse the batch. */
    PARSE,
    /** Decode each record, then random crop, flip and normalise, then stack into batches. */
    AUGMENT
  }

  /**
   * How to decode the Examples.
   *
   * @param spec the features to decode
   * @param image the image feature's name
   * @param description for the output, such as {@code image raw uint8 [28, 28, 1], label int64}
   */
  record Layout(ExampleSpec spec, String image, String description) {}

  /**
   * One timed run.
   *
   * <p>The rates count records delivered to the consumer (inside batches) over the time from the
   * pipeline's start (before its iterator is created) to its last batch: the same count and the
   * same clock as the progress line.
   *
   * @param records records delivered inside batches
   * @param batches batches delivered
   * @param nanos from the pipeline's start to its last batch
   * @param stats the pipeline's statistics at the end of the run
   */
  record Result(long records, long batches, long nanos, PipelineStats stats) {
    double seconds() {
      return nanos / 1e9;
    }

    /** Payload bytes read (the TFRecord sources' exact count). */
    long bytes() {
      return stats.bytes("tfRecords");
    }

    double recordsPerSecond() {
      return records / Math.max(1e-9, seconds());
    }

    double megabytesPerSecond() {
      return bytes() / 1e6 / Math.max(1e-9, seconds());
    }

    double batchesPerSecond() {
      return batches / Math.max(1e-9, seconds());
    }
  }

  private InputBench() {}

  // ---------------------------------------------------------------- inputs

  /**
   * The TFRecord files named by {@code inputs}: files as given, every {@code *.tfrecord*} file of a
   * folder, the files a glob in the last path element matches (sorted by name).
   */
  static List<Path> expand(List<Path> inputs) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path p : inputs) {
      Path name = p.getFileName();
      if (name != null && name.toString().matches(".*[*?\\[{].*") && !Files.exists(p)) {
        out.addAll(glob(p));
      } else {
        out.addAll(Inspection.expand(List.of(p)));
      }
    }
    return out;
  }

  private static List<Path> glob(Path pattern) throws IOException {
    Path dir = pattern.toAbsolutePath().getParent();
    PathMatcher matcher =
        FileSystems.getDefault().getPathMatcher("glob:" + pattern.getFileName().toString());
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + ": no such file or directory");
    }
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> found =
          s.filter(f -> matcher.matches(f.getFileName()) && Files.isRegularFile(f))
              .sorted()
              .toList();
      if (found.isEmpty()) {
        throw new IOException(pattern + ": no file matches");
      }
      return found;
    }
  }

  /**
   * Records in {@code files} according to the {@code manifest.json} next to them, or -1 when a file
   * is not listed in one (then progress shows counts without a total).
   */
  static long recordsFromManifests(List<Path> files) {
    Map<Path, Optional<Manifest>> manifests = new HashMap<>();
    long total = 0;
    for (Path f : files) {
      Path dir = f.toAbsolutePath().getParent();
      Optional<Manifest> m = manifests.computeIfAbsent(dir, InputBench::readManifest);
      Optional<ShardInfo> shard =
          m.stream()
              .flatMap(x -> x.splits().stream())
              .flatMap(s -> s.shards().stream())
              .filter(s -> s.file().equals(f.getFileName().toString()))
              .findFirst();
      if (shard.isEmpty()) {
        return -1;
      }
      total += shard.get().records();
    }
    return total;
  }

  private static Optional<Manifest> readManifest(Path dir) {
    Path file = dir.resolve(Manifest.FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      Manifest m = Manifest.read(file);
      return m.splits() == null ? Optional.empty() : Optional.of(m);
    } catch (IOException | RuntimeException e) {
      // A manifest in another format (testdata/tensorflow/records has one) is no manifest of ours.
      return Optional.empty();
    }
  }

  // ---------------------------------------------------------------- layout

  /**
   * The features to decode: the first record's {@link ImageRecordLayout} (the label only when
   * present). Raw pixels become float ×1/255 unless they are augmented (augmentation converts them
   * itself, in the same pass).
   */
  static Layout detectLayout(List<Path> files, boolean augment) throws IOException {
    Path file = null;
    byte[] first = null;
    for (Path f : files) {
      try (RecordReader r = RecordReader.open(f)) {
        if (r.next()) {
          file = f;
          first = r.copyRecord();
          break;
        }
      }
    }
    if (first == null) {
      throw new IOException("the input files hold no records, nothing to parse");
    }
    ImageRecordLayout layout = ImageRecordLayout.of(file, first);
    String label = layout.label();
    String imageName = layout.image();
    FeatureSpec image;
    String description;
    if (!layout.encoded()) {
      checkFixedSize(file, layout.rawBytes());
      image = FeatureSpec.rawImage(imageName, layout.height(), layout.width(), layout.channels());
      description =
          "image raw uint8 ["
              + layout.height()
              + ", "
              + layout.width()
              + ", "
              + layout.channels()
              + "]"
              + floatNote(augment);
    } else {
      image = FeatureSpec.image(imageName, 0);
      description = "image/encoded decoded to uint8" + floatNote(augment);
    }
    if (!augment) {
      image = image.toFloat(1f / 255);
    }
    List<FeatureSpec> specs = new ArrayList<>(List.of(image));
    if (label != null) {
      specs.add(int64(label));
      description += ", " + label + " int64";
    }
    return new Layout(ExampleSpec.of(specs), imageName, description);
  }

  private static String floatNote(boolean augment) {
    return augment ? " -> crop/flip/normalise to float32" : " -> float32 x1/255";
  }

  /** Fails early if the manifest says the raw images do not all have the first one's size. */
  private static void checkFixedSize(Path file, int bytes) throws IOException {
    Optional<Manifest> m = readManifest(file.toAbsolutePath().getParent());
    if (m.isEmpty()) {
      return;
    }
    for (SplitManifest split : m.get().splits()) {
      boolean listed =
          split.shards().stream().anyMatch(s -> s.file().equals(file.getFileName().toString()));
      for (FeatureSchema s : listed ? split.schema() : List.<FeatureSchema>of()) {
        if (s.name().equals("image")
            && (s.minValueBytes() != bytes || s.maxValueBytes() != bytes)) {
          throw new IOException(
              file
                  + ": raw 'image' values of "
                  + s.minValueBytes()
                  + ".."
                  + s.maxValueBytes()
                  + " bytes (manifest), --parse needs one size");
        }
      }
    }
  }

  // ---------------------------------------------------------------- pipeline and run

  /**
   * The pipeline to time. Every arrangement repeats the records {@code epochs} times before
   * batching (as tf.data's {@code repeat} before {@code batch}) and ends in an autotuned prefetch,
   * so that the consumer only counts; several files are read {@code threads} at a time.
   *
   * <ul>
   *   <li>{@link Mode#READ}: {@code tfRecords → batch(n, toList) → prefetch}.
   *   <li>{@link Mode#PARSE}: {@code tfRecords → batch(n, toList) → map(decodeBatch, threads) →
   *       prefetch}, tf.data's fastest arrangement (batch, then parse the whole batch).
   *   <li>{@link Mode#AUGMENT}: {@code tfRecords → map(decode + crop/flip/normalise, threads) →
   *       batch(n) → prefetch}, decoding and augmenting in one pass per record (seeded).
   * </ul>
   */
  static Dataset<?> pipeline(
      List<Path> files, Mode mode, Layout layout, int batch, int threads, long epochs) {
    Options options = Options.defaults().maxParallelism(threads).seed(1);
    Dataset<TfRecord> records = Dataset.tfRecords(files).withOptions(options);
    if (files.size() > 1 && threads > 1) {
      records = records.interleave(Math.min(files.size(), threads), Parallelism.of(threads));
    }
    records = records.repeat(epochs);
    Parallelism p = Parallelism.of(threads);
    return switch (mode) {
      case READ -> records.batch(batch, false, Batcher.toList()).prefetch(Parallelism.AUTOTUNE);
      case PARSE ->
          records
              .batch(batch, false, Batcher.toList())
              .map(layout.spec()::decodeBatch, p)
              .prefetch(Parallelism.AUTOTUNE);
      case AUGMENT -> {
        ImageAugmentation augment =
            Augment.cropFlipNormalize(4, new float[] {0.5f}, new float[] {0.5f}, DataFormat.NHWC)
                .feature(layout.image());
        ExampleSpec spec = layout.spec();
        yield records
            .map((TfRecord r, ElementRandom random) -> augment.apply(spec.decode(r), random), p)
            .batch(batch, false)
            .prefetch(Parallelism.AUTOTUNE);
      }
    };
  }

  /**
   * Runs {@code pipeline} to its end, counting records and batches; after a quiet start, reports
   * progress (in records) to {@code progress} every batch. Each decoded batch is released once
   * counted, as a training loop releases it after its step, so that the decoding stage fills the
   * same arrays again instead of allocating new ones.
   */
  static Result run(Dataset<?> pipeline, long expectedRecords, ProgressListener progress) {
    long records = 0;
    long batches = 0;
    boolean reporting = false;
    long start = System.nanoTime();
    try (DatasetIterator<?> it = pipeline.iterator()) {
      while (it.hasNext()) {
        int rows = countAndRelease(it.next());
        records += rows;
        batches++;
        if (reporting) {
          progress.advance(rows);
        } else if (System.nanoTime() - start > QUIET_NANOS) {
          reporting = true;
          progress.begin("bench input", expectedRecords, System.nanoTime() - start);
          progress.advance(records);
        }
      }
      long nanos = System.nanoTime() - start;
      PipelineStats stats = it.stats();
      if (reporting) {
        progress.end();
      }
      return new Result(records, batches, nanos, stats);
    }
  }

  private static int countAndRelease(Object batch) {
    return switch (batch) {
      case Batch b -> {
        int n = b.size();
        b.release();
        yield n;
      }
      case List<?> l -> l.size();
      default -> throw new IllegalStateException("not a batch: " + batch.getClass().getName());
    };
  }
}
