package dev.millrace.data;

import dev.millrace.data.internal.BatchOp;
import dev.millrace.data.internal.CacheOp;
import dev.millrace.data.internal.InterleaveOp;
import dev.millrace.data.internal.MapOp;
import dev.millrace.data.internal.Op;
import dev.millrace.data.internal.ParallelMapOp;
import dev.millrace.data.internal.PipelineIterator;
import dev.millrace.data.internal.PrefetchOp;
import dev.millrace.data.internal.RepeatOp;
import dev.millrace.data.internal.ShuffleOp;
import dev.millrace.data.internal.Sources;
import dev.millrace.data.internal.Stacking;
import dev.millrace.data.internal.TfRecordOp;
import dev.millrace.data.internal.Transforms;
import dev.millrace.data.internal.ZipOp;
import dev.millrace.records.Compression;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * An input pipeline: an immutable description of where elements come from and how they are
 * transformed, in the manner of {@code tf.data.Dataset}. Each transformation returns a new dataset;
 * nothing runs until {@link #iterator()}, and closing the iterator stops everything it started.
 *
 * <pre>{@code
 * Dataset<Batch> train = Dataset.tfRecords(dir.resolve("train-*.tfrecord"))
 *     .interleave(4, Parallelism.AUTOTUNE)
 *     .map(ExampleSpec.of(rawImage("image", 28, 28, 1), int64("label"))::decode,
 *         Parallelism.AUTOTUNE)
 *     .shuffle(10_000, seed)
 *     .map(Augment.cropFlipNormalize(4, DataFormat.NCHW), Parallelism.AUTOTUNE)
 *     .batch(128, true)
 *     .prefetch(Parallelism.AUTOTUNE);
 * try (DatasetIterator<Batch> it = train.iterator()) {
 *   for (Batch b : it) step(b);
 * }
 * }</pre>
 *
 * <p>Elements are never null. Stages run in the consumer's thread except where a transformation
 * says it uses threads ({@code map} with a parallelism, {@code interleave} with a parallelism,
 * {@code prefetch}); those hand elements over in chunks through bounded buffers charged to {@link
 * Options#ramBudget()}. With a seed ({@link Options#seed(long)}) the elements and their order are
 * the same in every run, whatever the thread count, unless {@link Options#deterministic(boolean)}
 * is turned off.
 *
 * @param <T> element type
 */
public final class Dataset<T> {
  final Op<T> op;
  private final Options options;

  /** For {@link #interleave(int, Parallelism)}: set only on a plain {@code tfRecords} source. */
  private final List<Path> recordFiles;

  private final Compression recordCompression;

  private Dataset(Op<T> op, Options options, List<Path> recordFiles, Compression compression) {
    this.op = op;
    this.options = options;
    this.recordFiles = recordFiles;
    this.recordCompression = compression;
  }

  private static <T> Dataset<T> source(Op<T> op) {
    return new Dataset<>(op, Options.defaults(), null, null);
  }

  private <R> Dataset<R> derive(Op<R> next) {
    return new Dataset<>(next, options, null, null);
  }

  // ---------------------------------------------------------------- sources

  /**
   * The records of one TFRecord file, or of the files a glob in the last path element matches
   * ({@code dir.resolve("train-*.tfrecord")}; sorted by name, listed now), read one file after the
   * other. Compression comes from each file's suffix ({@code .gz}, {@code .zlib}).
   *
   * @throws IllegalArgumentException if a glob matches no file
   */
  public static Dataset<TfRecord> tfRecords(Path fileOrGlob) {
    return tfRecords(expand(fileOrGlob), null);
  }

  /** The records of {@code files}, in this order, compression from each file's suffix. */
  public static Dataset<TfRecord> tfRecords(List<Path> files) {
    return tfRecords(files, null);
  }

  /**
   * The records of {@code files}, in this order, with the given compression (null: from each file's
   * suffix). Both CRCs of every record are checked; a corrupt record fails the iteration with its
   * file and offset, unless {@link #ignoreErrors()} follows.
   */
  public static Dataset<TfRecord> tfRecords(List<Path> files, Compression compression) {
    List<Path> list = List.copyOf(files);
    if (list.isEmpty()) {
      throw new IllegalArgumentException("no TFRecord files given");
    }
    return new Dataset<>(new TfRecordOp(list, compression), Options.defaults(), list, compression);
  }

  /** The files a path or a glob in its last element matches, sorted by name (tf's list_files). */
  public static Dataset<Path> files(Path fileOrGlob) {
    return fromList(expand(fileOrGlob));
  }

  /** The elements of {@code items}, in order (the list is copied). */
  public static <T> Dataset<T> fromList(List<? extends T> items) {
    return source(new Sources.ListOp<>(List.copyOf(items)));
  }

  /** The given elements, in order. */
  @SafeVarargs
  public static <T> Dataset<T> of(T... items) {
    List<T> list = new ArrayList<>(items.length);
    for (T t : items) {
      list.add(t);
    }
    return fromList(list);
  }

  /**
   * The elements of an iterator that {@code supplier} makes afresh for every iteration (and every
   * epoch under {@link #repeat()}). For reproducible runs and checkpoints it must make the same
   * sequence each time.
   */
  public static <T> Dataset<T> generate(Supplier<? extends Iterator<? extends T>> supplier) {
    return source(new Sources.GeneratorOp<T>(Objects.requireNonNull(supplier)));
  }

  /** {@code 0, 1, ..., end - 1}. */
  public static Dataset<Long> range(long end) {
    return range(0, end, 1);
  }

  /** {@code start, start + 1, ..., end - 1}. */
  public static Dataset<Long> range(long start, long end) {
    return range(start, end, 1);
  }

  /** {@code start, start + step, ...} while before {@code end} (step may be negative, not 0). */
  public static Dataset<Long> range(long start, long end, long step) {
    return source(new Sources.RangeOp(start, end, step));
  }

  /** Pairs of elements at the same positions; as long as the shorter input. */
  public static <A, B> Dataset<Pair<A, B>> zip(Dataset<A> first, Dataset<B> second) {
    return new Dataset<>(new ZipOp<>(first.op, second.op), first.options, null, null);
  }

  /** {@code combiner(a, b)} of the elements at the same positions. */
  public static <A, B, R> Dataset<R> zip(
      Dataset<A> first,
      Dataset<B> second,
      ElementFunction<? super Pair<A, B>, ? extends R> combiner) {
    return zip(first, second).map(combiner);
  }

  private static List<Path> expand(Path fileOrGlob) {
    String name = fileOrGlob.getFileName().toString();
    if (!name.matches(".*[*?\\[{].*")) {
      return List.of(fileOrGlob);
    }
    Path dir = fileOrGlob.toAbsolutePath().getParent();
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + name);
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> matcher.matches(p.getFileName()) && Files.isRegularFile(p))
          .sorted()
          .forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no file matches " + fileOrGlob);
    }
    return out;
  }

  // ---------------------------------------------------------------- element-wise

  /** {@code fn} applied to each element, in the consumer's thread (or the stage that pulls it). */
  public <R> Dataset<R> map(ElementFunction<? super T, ? extends R> fn) {
    return derive(new MapOp<T, R>(op, Objects.requireNonNull(fn), null));
  }

  /**
   * {@code fn} applied to each element on {@code parallelism} threads ({@link
   * Parallelism#AUTOTUNE}: as many as keep the consumer from waiting, up to {@link
   * Options#maxParallelism()}). Output order is input order, unless {@link
   * Options#deterministic(boolean) deterministic(false)} lets fast elements overtake slow ones.
   */
  public <R> Dataset<R> map(ElementFunction<? super T, ? extends R> fn, Parallelism parallelism) {
    return derive(
        new ParallelMapOp<T, R>(op, Objects.requireNonNull(fn), null, threads(parallelism)));
  }

  /**
   * A random {@code fn} (an augmentation) applied to each element, with a generator seeded from the
   * pipeline's seed and the element's position: reproducible whatever thread runs it.
   */
  public <R> Dataset<R> map(SeededFunction<? super T, ? extends R> fn) {
    return derive(new MapOp<T, R>(op, null, Objects.requireNonNull(fn)));
  }

  /** A random {@code fn} on {@code parallelism} threads; see {@link #map(SeededFunction)}. */
  public <R> Dataset<R> map(SeededFunction<? super T, ? extends R> fn, Parallelism parallelism) {
    return derive(
        new ParallelMapOp<T, R>(op, null, Objects.requireNonNull(fn), threads(parallelism)));
  }

  /** The elements {@code predicate} accepts (the others are counted as dropped). */
  public Dataset<T> filter(ElementPredicate<? super T> predicate) {
    return derive(new Transforms.FilterOp<>(op, Objects.requireNonNull(predicate)));
  }

  // ---------------------------------------------------------------- interleave

  /**
   * tf.data's {@code interleave}: opens the datasets {@code fn} makes from {@code cycleLength}
   * consecutive input elements and takes {@code blockLength} elements from each in turn; when one
   * ends, the next input element's dataset takes its place. With a parallelism each open dataset is
   * read ahead by its own thread into its own buffer, at most {@code parallelism} filling at once
   * ({@code AUTOTUNE}: {@code min(cycleLength, maxParallelism)}, with buffers that deepen while the
   * consumer waits); the order stays TensorFlow's unless the pipeline is not deterministic.
   */
  public <R> Dataset<R> interleave(
      ElementFunction<? super T, Dataset<R>> fn,
      int cycleLength,
      int blockLength,
      Parallelism parallelism) {
    Objects.requireNonNull(fn);
    return derive(
        new InterleaveOp<T, R>(
            op, x -> fn.apply(x).op, cycleLength, blockLength, threads(parallelism)));
  }

  /** {@link #interleave(ElementFunction, int, int, Parallelism)} in the consumer's thread. */
  public <R> Dataset<R> interleave(
      ElementFunction<? super T, Dataset<R>> fn, int cycleLength, int blockLength) {
    Objects.requireNonNull(fn);
    return derive(new InterleaveOp<T, R>(op, x -> fn.apply(x).op, cycleLength, blockLength, 0));
  }

  /** The elements of the datasets {@code fn} makes, one dataset after the other. */
  public <R> Dataset<R> flatMap(ElementFunction<? super T, Dataset<R>> fn) {
    return interleave(fn, 1, 1);
  }

  /**
   * For a {@link #tfRecords} dataset of several files: reads {@code cycleLength} files at once, one
   * record from each in turn (TensorFlow's {@code list_files(...).interleave(TFRecordDataset,
   * cycle_length, num_parallel_calls)}).
   *
   * @throws IllegalStateException on any other dataset
   */
  public Dataset<T> interleave(int cycleLength, Parallelism parallelism) {
    if (recordFiles == null) {
      throw new IllegalStateException(
          "interleave(cycleLength, parallelism) reads the files of Dataset.tfRecords(...) in"
              + " parallel; on other datasets use interleave(fn, cycleLength, blockLength,"
              + " parallelism)");
    }
    Compression c = recordCompression;
    @SuppressWarnings("unchecked")
    Dataset<T> files =
        (Dataset<T>)
            fromList(recordFiles)
                .withOptions(options)
                .interleave(f -> tfRecords(List.of(f), c), cycleLength, 1, parallelism);
    return files;
  }

  // ---------------------------------------------------------------- order and count

  /**
   * tf.data's {@code shuffle}: a buffer of {@code bufferSize} elements from which each output is
   * drawn uniformly, refilled from the input; seeded from the pipeline's seed, and reshuffled each
   * epoch. A buffer as large as the dataset gives a uniform permutation.
   */
  public Dataset<T> shuffle(int bufferSize) {
    return derive(new ShuffleOp<>(op, bufferSize, null, true));
  }

  /** {@link #shuffle(int)} with its own seed, reshuffled each epoch. */
  public Dataset<T> shuffle(int bufferSize, long seed) {
    return shuffle(bufferSize, seed, true);
  }

  /**
   * {@link #shuffle(int)} with its own seed; {@code reshuffleEachIteration} false gives the same
   * order in every epoch.
   */
  public Dataset<T> shuffle(int bufferSize, long seed, boolean reshuffleEachIteration) {
    return derive(new ShuffleOp<>(op, bufferSize, seed, reshuffleEachIteration));
  }

  /** The input again and again, forever (ends only if an epoch is empty). */
  public Dataset<T> repeat() {
    return derive(new RepeatOp<>(op, -1));
  }

  /** The input {@code count} times; each epoch reopens it (so a shuffle reshuffles). */
  public Dataset<T> repeat(long count) {
    if (count < 0) {
      throw new IllegalArgumentException("repeat count must be >= 0, got " + count);
    }
    return derive(new RepeatOp<>(op, count));
  }

  /** The first {@code count} elements. */
  public Dataset<T> take(long count) {
    requireCount(count);
    return derive(new Transforms.TakeOp<>(op, count));
  }

  /** All but the first {@code count} elements (computed and dropped, as in tf.data). */
  public Dataset<T> skip(long count) {
    requireCount(count);
    return derive(new Transforms.SkipOp<>(op, count));
  }

  /**
   * Every {@code numShards}-th element starting at {@code index} (one worker's part of a
   * distributed job). Shard early, on the file list, so the other shards' records are not read.
   */
  public Dataset<T> shard(int numShards, int index) {
    if (numShards < 1 || index < 0 || index >= numShards) {
      throw new IllegalArgumentException(
          "shard index " + index + " (expected: range(0, " + numShards + "))");
    }
    return derive(new Transforms.ShardOp<>(op, numShards, index));
  }

  /**
   * Drops the elements whose computation failed upstream (a function threw, a record could not be
   * decoded) and makes TFRecord sources upstream skip corrupt records; both are counted in this
   * stage's {@link StageStats#dropped()}. Failures that end a source (a missing file, a damaged
   * compressed stream) still fail the iteration.
   */
  public Dataset<T> ignoreErrors() {
    return derive(new Transforms.IgnoreErrorsOp<>(op));
  }

  // ---------------------------------------------------------------- batching

  /**
   * Stacks {@code size} consecutive {@link Features} into a {@link Batch}: one contiguous tensor
   * {@code [n, ...]} per feature; the last, smaller batch is dropped if {@code dropRemainder}.
   * Elements must have the same features, dtypes and shapes (see {@link #paddedBatch} and {@link
   * #raggedBatch} otherwise). Right after a parallel {@code map}, the map's threads stack the
   * batches too (as tf.data's map-and-batch fusion), so batching is not a serial step.
   *
   * <p>The batch tensors come from buffers of this stage ({@link BatchBuffers#defaultCapacity()}):
   * a consumer that {@linkplain Batch#release() releases} its batches has later ones stacked into
   * the same arrays.
   *
   * @throws IllegalArgumentException when iterated, if the elements are not {@code Features}
   */
  public Dataset<Batch> batch(int size, boolean dropRemainder) {
    BatchBuffers buffers = BatchBuffers.withDefaultCapacity();
    Batcher<Features, Batch> stack =
        elements ->
            Stacking.stack(
                elements, Batch.builder(elements.size()).releasingTo(buffers), buffers::take);
    return derive(new BatchOp<T, Batch>(op, size, dropRemainder, features(stack), "stack", true));
  }

  /**
   * {@code size} consecutive elements made into one by {@code batcher}, called by one thread at a
   * time (so it may keep state; the built-in batches are the ones a parallel map can stack).
   */
  public <B> Dataset<B> batch(
      int size, boolean dropRemainder, Batcher<? super T, ? extends B> batcher) {
    return derive(
        new BatchOp<T, B>(
            op, size, dropRemainder, Objects.requireNonNull(batcher), "custom", false));
  }

  /**
   * Like {@link #batch(int, boolean)}, padding features of different shapes to the largest in the
   * batch (or to {@code padding}'s fixed shapes) with zeros or {@code padding}'s values.
   */
  public Dataset<Batch> paddedBatch(int size, boolean dropRemainder, Padding padding) {
    return derive(
        new BatchOp<T, Batch>(
            op, size, dropRemainder, features(Batcher.padded(padding)), "padded " + padding, true));
  }

  /**
   * Like {@link #batch(int, boolean)}, keeping features whose first dimension varies as ragged
   * (flat values plus row splits, see {@link Batch}).
   */
  public Dataset<Batch> raggedBatch(int size, boolean dropRemainder) {
    return derive(
        new BatchOp<T, Batch>(op, size, dropRemainder, features(Batcher.ragged()), "ragged", true));
  }

  /** The elements of each {@link Batch} (rows copied out), ragged features included. */
  public Dataset<Features> unbatch() {
    return derive(new Transforms.UnbatchOp<Features>(op));
  }

  private static <T> Batcher<T, Batch> features(Batcher<Features, Batch> b) {
    return elements -> {
      for (Object e : elements) {
        if (!(e instanceof Features)) {
          throw new IllegalArgumentException(
              "batch(size, dropRemainder) stacks Features elements, got "
                  + e.getClass().getName()
                  + "; use batch(size, dropRemainder, batcher) for others");
        }
      }
      @SuppressWarnings("unchecked")
      List<Features> f = (List<Features>) (List<?>) elements;
      return b.batch(f);
    };
  }

  // ---------------------------------------------------------------- buffering

  /** Runs the pipeline up to here ahead of the consumer, on one thread, {@code size} elements. */
  public Dataset<T> prefetch(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("prefetch size must be >= 1, got " + size);
    }
    return derive(new PrefetchOp<>(op, size));
  }

  /**
   * {@link #prefetch(int)}, or with {@link Parallelism#AUTOTUNE} a buffer that deepens while the
   * consumer finds it empty, within the RAM budget.
   */
  public Dataset<T> prefetch(Parallelism size) {
    return size.isAutotune() ? derive(new PrefetchOp<>(op, -1)) : prefetch(size.value());
  }

  /**
   * Keeps the elements in memory the first time the input runs to its end; later epochs and
   * iterators of this dataset read them from there. An iteration that stops early keeps nothing.
   */
  public Dataset<T> cache() {
    return derive(new CacheOp<>(op, null));
  }

  /**
   * Like {@link #cache()}, in {@code file} (which later processes reuse): written under a temporary
   * name and renamed when complete; read back if it exists. Elements must be of this package's
   * types ({@code Features}, {@code Batch}, {@code TfRecord}, tensors, pairs, lists) or boxed
   * numbers, strings, byte arrays.
   */
  public Dataset<T> cache(Path file) {
    return derive(new CacheOp<>(op, Objects.requireNonNull(file)));
  }

  // ---------------------------------------------------------------- running

  /** This pipeline with {@code options} (inherited by the datasets derived from it). */
  public Dataset<T> withOptions(Options options) {
    return new Dataset<>(op, Objects.requireNonNull(options), recordFiles, recordCompression);
  }

  public Options options() {
    return options;
  }

  /** Starts the pipeline. */
  public DatasetIterator<T> iterator() {
    return PipelineIterator.open(op, options, null);
  }

  /**
   * Starts the pipeline at a checkpoint's position, with its seed: the first element is the one the
   * checkpointed iterator's {@code next()} would have returned.
   *
   * @throws IllegalArgumentException if the checkpoint comes from a different pipeline
   */
  public DatasetIterator<T> iterator(IteratorCheckpoint from) {
    return PipelineIterator.open(op, options, Objects.requireNonNull(from));
  }

  /** All elements, in a list (for small datasets and tests). */
  public List<T> toList() {
    List<T> out = new ArrayList<>();
    try (DatasetIterator<T> it = iterator()) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  /** The number of elements (runs the whole pipeline). */
  public long count() {
    long n = 0;
    try (DatasetIterator<T> it = iterator()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  /** The pipeline, source last: {@code batch(128, ...) <- map(...) <- tfRecords(2 files: ...)}. */
  public String describe() {
    return op.describe();
  }

  @Override
  public String toString() {
    return "Dataset{" + describe() + "}";
  }

  private static int threads(Parallelism p) {
    return p.isAutotune() ? -1 : p.value();
  }

  private static void requireCount(long count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
  }
}
