package dev.millrace.data;

import static dev.millrace.data.FeatureSpec.bytes;
import static dev.millrace.data.FeatureSpec.bytesList;
import static dev.millrace.data.FeatureSpec.float32;
import static dev.millrace.data.FeatureSpec.float32List;
import static dev.millrace.data.FeatureSpec.image;
import static dev.millrace.data.FeatureSpec.int64;
import static dev.millrace.data.FeatureSpec.int64List;
import static dev.millrace.data.FeatureSpec.raw;
import static dev.millrace.data.FeatureSpec.rawImage;
import static dev.millrace.data.TestSupport.example;
import static dev.millrace.data.TestSupport.golden;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.records.CorruptRecordException;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Example decoding against the TensorFlow-written golden files and parse_example's rules. */
class ExampleSpecTest {
  private static final int[] FIRST_LABELS = {9, 0, 0, 3, 0, 2, 7, 2, 5, 5};

  @TempDir Path tmp;

  private static final ExampleSpec FASHION =
      ExampleSpec.of(rawImage("image", 28, 28, 1), int64("label"));

  @Test
  void goldenFashionRecordsDecodeToPixelsAndLabelsAsTensorFlowWroteThem() {
    for (String name :
        List.of(
            "fashion-train-500.tfrecord",
            "fashion-train-500.tfrecord.gz",
            "fashion-train-500.tfrecord.zlib")) {
      List<Features> all =
          Dataset.tfRecords(golden(name)).map(FASHION::decode, Parallelism.of(2)).toList();
      assertThat(all).as(name).hasSize(500);
      long labelSum = 0;
      long pixelSum = 0;
      for (Features f : all) {
        assertThat(f.get("image").dtype()).isEqualTo(DType.UINT8);
        assertThat(f.get("image").shape()).isEqualTo(Shape.of(28, 28, 1));
        assertThat(f.get("label").shape()).isEqualTo(Shape.scalar());
        labelSum += f.get("label").getLong(0);
        for (byte b : f.get("image").toByteArray()) {
          pixelSum += b & 0xff;
        }
      }
      assertThat(labelSum).as(name).isEqualTo(2201);
      assertThat(pixelSum).as(name).isEqualTo(28_368_245);
      for (int i = 0; i < FIRST_LABELS.length; i++) {
        assertThat(all.get(i).get("label").getLong(0)).isEqualTo(FIRST_LABELS[i]);
      }
    }
  }

  @Test
  void decodeBatchEqualsDecodingEachRecordThenStacking() {
    ExampleSpec spec =
        ExampleSpec.of(rawImage("image", 28, 28, 1).toFloat(1f / 255), int64("label"));
    Path file = golden("fashion-train-500.tfrecord");
    List<Batch> fused =
        Dataset.tfRecords(file)
            .batch(128, false, Batcher.toList())
            .map(spec::decodeBatch, Parallelism.of(2))
            .toList();
    List<Batch> stacked = Dataset.tfRecords(file).map(spec::decode).batch(128, false).toList();
    List<Batch> batcher = Dataset.tfRecords(file).batch(128, false, spec.batcher()).toList();
    assertThat(fused).isEqualTo(stacked).isEqualTo(batcher).hasSize(4);
    Batch b = fused.get(0);
    assertThat(b.get("image").shape()).isEqualTo(Shape.of(128, 28, 28, 1));
    assertThat(b.get("image").dtype()).isEqualTo(DType.FLOAT32);
    assertThat(b.get("label").toLongArray()).startsWith(9, 0, 0, 3);
    Features first = Dataset.tfRecords(file).map(FASHION::decode).take(1).toList().get(0);
    byte[] px = first.get("image").toByteArray();
    for (int i = 0; i < 784; i++) {
      assertThat(b.get("image").getFloat(i)).isEqualTo((px[i] & 0xff) * (1f / 255));
    }
    assertThat(fused.get(3).size()).isEqualTo(500 - 3 * 128);
  }

  @Test
  void goldenFeatureKindsDecodeAsVarLenFeatures() {
    ExampleSpec spec =
        ExampleSpec.of(
            float32List("floats"),
            int64List("ints"),
            bytesList("strings"),
            float32List("unset_kind"),
            int64List("größe_日本語"));
    List<Features> all =
        Dataset.tfRecords(golden("feature-kinds.tfrecord")).map(spec::decode).toList();
    assertThat(all).hasSize(6);
    assertThat(all.get(0).get("ints").toLongArray())
        .containsExactly(
            0, 1, -1, 4294967296L, -4294967297L, 9007199254740993L, Long.MAX_VALUE, Long.MIN_VALUE);
    float[] floats = all.get(0).get("floats").toFloatArray();
    assertThat(Float.floatToRawIntBits(floats[3])).isEqualTo(0x80000000);
    assertThat(floats[4]).isNaN();
    assertThat(Float.floatToRawIntBits(floats[7])).isEqualTo(1);
    assertThat(all.get(0).get("strings").size()).isEqualTo(4);
    assertThat(all.get(0).get("strings").getString(3))
        .isEqualTo("Grüße, 日本".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(all.get(0).get("strings").getString(1)).isEmpty();
    for (String f : List.of("floats", "ints", "strings", "unset_kind")) {
      assertThat(all.get(2).get(f).shape()).isEqualTo(Shape.of(0));
    }
    assertThat(all.get(3).get("größe_日本語").toLongArray()).containsExactly(7, -7);
    assertThat(all.get(5).get("ints").shape()).isEqualTo(Shape.of(0));
  }

  @Test
  void fixedLengthFeaturesTakeTheirDefaultWhenMissingAndFailWithoutOne() throws Exception {
    Path file =
        TestSupport.writeRecords(
            tmp.resolve("f.tfrecord"),
            List.of(
                example("x", TestSupport.floats(1, 2, 3), "s", TestSupport.bytes("hi".getBytes())),
                example("y", TestSupport.int64s(5))));
    ExampleSpec withDefault =
        ExampleSpec.of(
            float32("x").shape(3).withDefault(-1f),
            int64("y").withDefault(0),
            bytes("s").withDefault("none".getBytes()));
    List<Features> out = Dataset.tfRecords(file).map(withDefault::decode).toList();
    assertThat(out.get(0).get("x").toFloatArray()).containsExactly(1, 2, 3);
    assertThat(out.get(0).get("y").toLongArray()).containsExactly(0);
    assertThat(out.get(1).get("x").toFloatArray()).containsExactly(-1, -1, -1);
    assertThat(new String(out.get(1).get("s").getString(0))).isEqualTo("none");

    ExampleSpec required = ExampleSpec.of(int64("y"));
    assertThatThrownBy(() -> Dataset.tfRecords(file).map(required::decode).toList())
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("map#1 failed on element 0")
        .hasMessageContaining("f.tfrecord@0 (record 0)")
        .hasMessageContaining("feature 'y' (int64 []) is missing and has no default")
        .satisfies(
            e -> {
              PipelineException p = (PipelineException) e;
              assertThat(p.file()).contains(file);
              assertThat(p.offset()).hasValue(0);
              assertThat(p.getCause()).isInstanceOf(CorruptRecordException.class);
            });
  }

  @Test
  void wrongKindsAndCountsFailNamingTheFeature() throws Exception {
    Path file =
        TestSupport.writeRecords(
            tmp.resolve("k.tfrecord"), List.of(example("x", TestSupport.int64s(1, 2))));
    assertThatThrownBy(
            () ->
                ExampleSpec.of(float32("x").shape(2))
                    .decode(Dataset.tfRecords(file).toList().get(0)))
        .hasMessageContaining("feature 'x' is a int64_list, expected a float_list");
    assertThatThrownBy(
            () -> ExampleSpec.of(int64("x")).decode(Dataset.tfRecords(file).toList().get(0)))
        .hasMessageContaining("feature 'x' has 2 values, shape [] needs 1");
    assertThatThrownBy(
            () ->
                ExampleSpec.of(raw("x", DType.UINT8, 4))
                    .decode(Dataset.tfRecords(file).toList().get(0)))
        .hasMessageContaining("'x'");
  }

  @Test
  void malformedExampleBytesFailWithTheRecordsLocation() throws Exception {
    Path file =
        TestSupport.writeRecords(
            tmp.resolve("bad.tfrecord"),
            List.of(example("y", TestSupport.int64s(1)), new byte[] {0x0a, 0x7f, 0x01}));
    assertThatThrownBy(
            () -> Dataset.tfRecords(file).map(ExampleSpec.of(int64("y"))::decode).toList())
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("element 1")
        .hasMessageContaining("(record 1)")
        .hasMessageContaining("malformed Example");
  }

  @Test
  void rawFeaturesOfWiderTypesAreLittleEndian() throws Exception {
    byte[] le = {1, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    TfRecord r = TfRecord.of(example("v", TestSupport.bytes(le)));
    Features f = ExampleSpec.of(raw("v", DType.INT32, 2)).decode(r);
    assertThat(f.get("v").toIntArray()).containsExactly(1, -1);
    Features g = ExampleSpec.of(raw("v", DType.INT32, 2).toFloat(0.5f)).decode(r);
    assertThat(g.get("v").toFloatArray()).containsExactly(0.5f, -0.5f);
  }

  @Test
  void encodedImagesDecodeThroughTheSpec() throws Exception {
    Tensor px =
        Tensor.ofBytes(
            DType.UINT8,
            Shape.of(2, 3, 3),
            new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, (byte) 255});
    TfRecord r =
        TfRecord.of(
            example(
                "img", TestSupport.bytes(Images.encodePng(px)), "label", TestSupport.int64s(3)));
    Features f = ExampleSpec.of(image("img", 3), int64("label")).decode(r);
    assertThat(f.get("img").toByteArray()).isEqualTo(px.toByteArray());
    Features g = ExampleSpec.of(image("img", 3).toFloat(1f / 255)).decode(r);
    assertThat(g.get("img").getFloat(17)).isEqualTo(1f);
    Batch b =
        Dataset.of(r, r)
            .batch(2, true, ExampleSpec.of(image("img", 3))::decodeBatch)
            .toList()
            .get(0);
    assertThat(b.get("img").shape()).isEqualTo(Shape.of(2, 2, 3, 3));
  }

  @Test
  void decodeBatchMakesVarLenFeaturesRagged() throws Exception {
    List<TfRecord> records =
        List.of(
            TfRecord.of(example("t", TestSupport.int64s(1, 2), "y", TestSupport.int64s(0))),
            TfRecord.of(example("y", TestSupport.int64s(1))),
            TfRecord.of(example("t", TestSupport.int64s(3), "y", TestSupport.int64s(2))));
    Batch b = ExampleSpec.of(int64List("t"), int64("y")).decodeBatch(records);
    assertThat(b.isRagged("t")).isTrue();
    assertThat(b.get("t").toLongArray()).containsExactly(1, 2, 3);
    assertThat(b.rowSplits("t").toLongArray()).containsExactly(0, 2, 2, 3);
    assertThat(b.get("y").toLongArray()).containsExactly(0, 1, 2);
    assertThat(b.names()).containsExactly("t", "y");
  }
}
