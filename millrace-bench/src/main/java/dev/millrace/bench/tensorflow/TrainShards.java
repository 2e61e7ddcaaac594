package dev.millrace.bench.tensorflow;

import java.nio.file.Path;
import java.util.List;

/** A training split's TFRecord shards that both sides of an input-pipeline comparison read. */
public interface TrainShards extends AutoCloseable {
  /** The shards, in order. */
  List<Path> trainShards();

  /** Removes what was written for this run only (cached files stay). */
  @Override
  void close();
}
