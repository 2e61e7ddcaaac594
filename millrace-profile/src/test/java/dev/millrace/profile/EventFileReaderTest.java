package dev.millrace.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.millrace.profile.proto.DataClass;
import dev.millrace.profile.proto.DataType;
import dev.millrace.profile.proto.Event;
import dev.millrace.profile.proto.Summary;
import dev.millrace.profile.proto.SummaryMetadata;
import dev.millrace.profile.proto.TensorProto;
import dev.millrace.profile.proto.TensorShapeProto;
import dev.millrace.records.Compression;
import dev.millrace.records.CorruptRecordException;
import dev.millrace.records.RecordWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventFileReaderTest {
  private static final Path GOLDEN = GoldenEvents.file(GoldenEvents.TENSOR);

  @Test
  void fileCutInsideItsLastRecordReadsAsStillBeingWritten(@TempDir Path dir) throws IOException {
    byte[] bytes = Files.readAllBytes(GOLDEN);
    int lastRecord = (int) GoldenEvents.recordOffset(GOLDEN, 20);
    Path cut = dir.resolve("events.out.tfevents.cut");
    for (int length = lastRecord + 1; length < bytes.length; length++) {
      Files.write(cut, Arrays.copyOf(bytes, length));

      EventFile read = EventFileReader.read(cut);

      assertThat(read.truncatedTail()).as("cut at %d", length).isTrue();
      assertThat(read.events()).as("cut at %d", length).isEqualTo(20);
      assertThat(read.scalars()).as("cut at %d", length).hasSize(19);
    }
    Files.write(cut, Arrays.copyOf(bytes, lastRecord));
    assertThat(EventFileReader.read(cut).truncatedTail()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"length", "data"})
  void badCrcIsReportedWithFileOffsetAndRecord(String region, @TempDir Path dir)
      throws IOException {
    byte[] bytes = Files.readAllBytes(GOLDEN);
    long offset = GoldenEvents.recordOffset(GOLDEN, 5);
    int flipped = (int) offset + (region.equals("length") ? 3 : 20);
    bytes[flipped] ^= 0x10;
    Path bad = Files.write(dir.resolve("events.out.tfevents.bad"), bytes);

    assertThatThrownBy(() -> EventFileReader.read(bad))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessage(bad + "@" + offset + " (record 5): " + region + " CRC mismatch");
  }

  @Test
  void recordThatIsNotAnEventIsReportedWithItsLocation(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("events.out.tfevents.junk");
    try (RecordWriter w = RecordWriter.create(file, Compression.NONE)) {
      w.write(Event.newBuilder().setFileVersion("brain.Event:2").build().toByteArray());
      w.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
    }

    assertThatThrownBy(() -> EventFileReader.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(file + "@31 (record 1): not a tensorflow.Event (");
  }

  @Test
  void doubleTensorUnderTheScalarsPluginIsRejectedAsTensorBoardWould(@TempDir Path dir)
      throws IOException {
    TensorProto doubleScalar =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_DOUBLE)
            .setTensorShape(TensorShapeProto.getDefaultInstance())
            .addDoubleVal(0.5)
            .build();
    Path file = write(dir, value("lr", doubleScalar, "scalars"));

    assertThatThrownBy(() -> EventFileReader.read(file))
        .isInstanceOf(IOException.class)
        .hasMessage(
            file
                + "@0 (record 0): scalar 'lr' is DT_DOUBLE with shape []: expected a rank-0"
                + " DT_FLOAT tensor");
  }

  @Test
  void floatValScalarsAreReadAndOtherPluginsAreSkipped(@TempDir Path dir) throws IOException {
    TensorProto floatVal =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_FLOAT)
            .setTensorShape(TensorShapeProto.getDefaultInstance())
            .addFloatVal(-0.75f)
            .build();
    TensorProto histogram =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_DOUBLE)
            .setTensorShape(
                TensorShapeProto.newBuilder()
                    .addDim(TensorShapeProto.Dim.newBuilder().setSize(3))
                    .addDim(TensorShapeProto.Dim.newBuilder().setSize(3)))
            .setTensorContent(ByteString.copyFrom(new byte[72]))
            .build();
    Path file =
        write(dir, value("loss", floatVal, "scalars"), value("weights", histogram, "histograms"));

    assertThat(EventFileReader.readScalars(file))
        .containsExactly(new ScalarEvent("loss", 4, 10.0, -0.75f));
  }

  @Test
  void severalSimpleValuesInOneSummaryAreSeveralRows(@TempDir Path dir) throws IOException {
    Path file =
        write(
            dir,
            Summary.Value.newBuilder().setTag("a").setSimpleValue(1f).build(),
            Summary.Value.newBuilder().setTag("b").setSimpleValue(2f).build());

    assertThat(EventFileReader.readScalars(file))
        .containsExactly(new ScalarEvent("a", 4, 10.0, 1f), new ScalarEvent("b", 4, 10.0, 2f));
  }

  private static Summary.Value value(String tag, TensorProto tensor, String plugin) {
    return Summary.Value.newBuilder()
        .setTag(tag)
        .setTensor(tensor)
        .setMetadata(
            SummaryMetadata.newBuilder()
                .setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName(plugin))
                .setDataClass(DataClass.DATA_CLASS_TENSOR))
        .build();
  }

  /** One event at step 4, wall time 10 s, holding {@code values}. */
  private static Path write(Path dir, Summary.Value... values) throws IOException {
    Path file = dir.resolve("events.out.tfevents.test");
    Event event =
        Event.newBuilder()
            .setWallTime(10)
            .setStep(4)
            .setSummary(Summary.newBuilder().addAllValue(Arrays.asList(values)))
            .build();
    try (RecordWriter w = RecordWriter.create(file, Compression.NONE)) {
      w.write(event.toByteArray());
    }
    return file;
  }
}
