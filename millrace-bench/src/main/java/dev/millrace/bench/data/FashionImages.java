package dev.millrace.bench.data;

import static dev.millrace.data.FeatureSpec.int64;
import static dev.millrace.data.FeatureSpec.rawImage;

import com.google.protobuf.ByteString;
import dev.millrace.bench.BenchCache;
import dev.millrace.bench.tensorflow.FashionRecords;
import dev.millrace.data.Dataset;
import dev.millrace.data.ExampleSpec;
import dev.millrace.data.Features;
import dev.millrace.data.Images;
import dev.millrace.records.Compression;
import dev.millrace.records.RecordWriter;
import dev.millrace.records.proto.BytesList;
import dev.millrace.records.proto.Example;
import dev.millrace.records.proto.Feature;
import dev.millrace.records.proto.Int64List;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The 70,000 Fashion-MNIST images (train then test) for the input-pipeline benchmarks: in memory as
 * {@code uint8 [28, 28, 1]} features, and on disk as individual PNG files and as TFRecord shards of
 * the same PNG bytes.
 *
 * <p>The files are written once into {@code fashion-png} of the {@link BenchCache} and reused by
 * later runs: writing 70,000 files takes longer than the benchmark itself.
 */
final class FashionImages {
  static final int IMAGES = FashionRecords.TRAIN_RECORDS + FashionRecords.TEST_RECORDS;
  static final int SHARDS = 10;
  static final int SIDE = 28;
  static final int PIXELS = SIDE * SIDE;

  private FashionImages() {}

  /** The images and labels, train split first: {@code image} uint8 [28, 28, 1], {@code label}. */
  static List<Features> load(boolean withTest) throws IOException {
    ExampleSpec spec = ExampleSpec.of(rawImage("image", SIDE, SIDE, 1), int64("label"));
    try (FashionRecords records = FashionRecords.convert()) {
      List<Path> files = new ArrayList<>(records.trainShards());
      if (withTest) {
        files.addAll(records.testShards());
      }
      return Dataset.tfRecords(files).map(spec::decode).toList();
    }
  }

  /** The cache folder of the PNG files and PNG shards, written on first use. */
  static Path pngCache() throws IOException {
    Path root = BenchCache.root().resolve("fashion-png");
    if (BenchCache.isComplete(root)) {
      return root;
    }
    BenchCache.deleteTree(root);
    Files.createDirectories(root.resolve("files"));
    Files.createDirectories(root.resolve("shards"));
    List<Features> images = load(true);
    int perShard = (IMAGES + SHARDS - 1) / SHARDS;
    RecordWriter shard = null;
    try {
      for (int i = 0; i < IMAGES; i++) {
        if (i % perShard == 0) {
          if (shard != null) {
            shard.close();
          }
          shard =
              RecordWriter.create(
                  root.resolve("shards").resolve(shardName(i / perShard)), Compression.NONE);
        }
        Features f = images.get(i);
        byte[] png = Images.encodePng(f.get("image"));
        long label = f.get("label").getLong(0);
        Files.write(root.resolve("files").resolve(fileName(i, label)), png);
        shard.write(example(png, label));
      }
    } finally {
      if (shard != null) {
        shard.close();
      }
    }
    BenchCache.markComplete(root, IMAGES + " PNG files, " + SHARDS + " shards");
    return root;
  }

  /** {@code 00042_9.png}: the image's index and its label, which the file pipeline reads back. */
  static String fileName(int index, long label) {
    return String.format(Locale.ROOT, "%05d_%d.png", index, label);
  }

  /** The label in a {@link #fileName}. */
  static long labelOf(Path file) {
    String n = file.getFileName().toString();
    return Long.parseLong(n.substring(n.indexOf('_') + 1, n.length() - ".png".length()));
  }

  private static String shardName(int k) {
    return String.format(Locale.ROOT, "fashion-png-%05d-of-%05d.tfrecord", k, SHARDS);
  }

  /** {@code image}: the PNG bytes, {@code label}: int64, as the image-folder converter's kind. */
  private static byte[] example(byte[] png, long label) {
    var features = dev.millrace.records.proto.Features.newBuilder();
    features.putFeature(
        "image",
        Feature.newBuilder()
            .setBytesList(BytesList.newBuilder().addValue(ByteString.copyFrom(png)))
            .build());
    features.putFeature(
        "label", Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(label)).build());
    return Example.newBuilder().setFeatures(features).build().toByteArray();
  }
}
