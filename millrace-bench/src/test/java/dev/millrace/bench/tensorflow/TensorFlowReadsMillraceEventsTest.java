package dev.millrace.bench.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.millrace.profile.ScalarForm;
import dev.millrace.profile.TensorBoardOptions;
import dev.millrace.profile.TensorBoardWriter;
import dev.millrace.records.Compression;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.io.ParseTensor;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.Summary;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * TensorFlow reads our event files: TensorFlow 2.18's {@code TFRecordDataset} reads the framing
 * (checking both CRCs), TensorFlow's generated {@code tensorflow.Event} class parses each record,
 * and for TensorFlow 2's scalar form TensorFlow's {@code ParseTensor} op decodes the value tensor.
 */
@Tag("tensorflow")
class TensorFlowReadsMillraceEventsTest {
  private static final long OPENED = 1_795_744_050L;
  private static final int STEPS = 10;

  @ParameterizedTest
  @EnumSource(ScalarForm.class)
  void tensorFlowParsesEveryEventWeWrite(ScalarForm form, @TempDir Path logdir) throws IOException {
    Path file = writeRun(form, logdir);

    List<Event> events = new ArrayList<>();
    for (byte[] record : readRecordsWithTensorFlow(file)) {
      events.add(Event.parseFrom(record));
    }

    assertThat(events).hasSize(2 + 2 * STEPS);
    Event first = events.get(0);
    assertThat(first.getFileVersion()).isEqualTo("brain.Event:2");
    assertThat(first.getWallTime()).isEqualTo((double) OPENED);
    assertThat(first.getSourceMetadata().getWriter()).isEqualTo("millrace");
    Event resumed = events.get(1);
    assertThat(resumed.getSessionLog().getStatus()).isEqualTo(SessionLog.SessionStatus.START);
    assertThat(resumed.getStep()).isZero();

    List<byte[]> tensors = new ArrayList<>();
    for (int step = 0; step < STEPS; step++) {
      for (int k = 0; k < 2; k++) {
        Event e = events.get(2 + 2 * step + k);
        assertThat(e.getStep()).isEqualTo(step);
        assertThat(e.getWallTime()).isEqualTo(OPENED + step + k / 4.0);
        assertThat(e.getSummary().getValueCount()).isEqualTo(1);
        Summary.Value v = e.getSummary().getValue(0);
        assertThat(v.getTag()).isEqualTo(k == 0 ? "loss" : "accuracy");
        if (form == ScalarForm.SIMPLE_VALUE) {
          assertThat(v.getValueCase()).isEqualTo(Summary.Value.ValueCase.SIMPLE_VALUE);
          assertThat(v.getSimpleValue()).isEqualTo(value(step, k));
        } else {
          assertThat(v.getMetadata().getPluginData().getPluginName()).isEqualTo("scalars");
          assertThat(v.getMetadata().getDataClass().name()).isEqualTo("DATA_CLASS_SCALAR");
          assertThat(v.getTensor().getDtype()).isEqualTo(DataType.DT_FLOAT);
          assertThat(v.getTensor().getTensorShape().getDimCount()).isZero();
          tensors.add(v.getTensor().toByteArray());
        }
      }
    }
    if (form == ScalarForm.TENSOR) {
      List<Float> values = parseTensorsWithTensorFlow(tensors);
      for (int i = 0; i < values.size(); i++) {
        assertThat(values.get(i)).as("value %d", i).isEqualTo(value(i / 2, i % 2));
      }
    }
  }

  /** A resumed run: a session start, then loss and accuracy for ten steps. */
  private static Path writeRun(ScalarForm form, Path logdir) throws IOException {
    TensorBoardOptions options =
        TensorBoardOptions.defaults()
            .withScalarForm(form)
            .withClock(InstantSource.fixed(Instant.ofEpochSecond(OPENED)))
            .withHostname("bench");
    try (TensorBoardWriter w = TensorBoardWriter.open(logdir, options)) {
      w.sessionStart(0);
      for (int step = 0; step < STEPS; step++) {
        w.scalar("loss", step, value(step, 0), OPENED + step);
        w.scalar("accuracy", step, value(step, 1), OPENED + step + 0.25);
      }
      return w.file();
    }
  }

  private static float value(int step, int k) {
    return k == 0 ? 2.5f - 0.25f * step : 0.25f + step / 16f;
  }

  /** Every record of {@code file} as TensorFlow's {@code TFRecordDataset} hands it out. */
  private static List<byte[]> readRecordsWithTensorFlow(Path file) {
    List<byte[]> records = new ArrayList<>();
    try (Graph graph = new Graph();
        Session session = TfSessions.open(graph, 1)) {
      TfData data = new TfData(graph);
      TfData.Iterator it =
          data.iterator(
              data.tfRecords(List.of(file), Compression.NONE, TfData.DEFAULT_READ_BUFFER_BYTES),
              "events");
      session.runner().addTarget(it.initializer()).run();
      while (true) {
        try (Result r = session.runner().fetch(it.component(0)).run()) {
          records.add(((TString) r.get(0)).asBytes().getObject());
        } catch (TFOutOfRangeException endOfData) {
          return records;
        }
      }
    }
  }

  /** TensorFlow's {@code ParseTensor} on each serialized {@code TensorProto}. */
  private static List<Float> parseTensorsWithTensorFlow(List<byte[]> tensors) {
    List<Float> values = new ArrayList<>();
    try (Graph graph = new Graph();
        Session session = TfSessions.open(graph, 1)) {
      Ops tf = Ops.create(graph);
      Placeholder<TString> in = tf.placeholder(TString.class);
      ParseTensor<TFloat32> parsed = tf.io.parseTensor(in, TFloat32.class);
      for (byte[] tensor : tensors) {
        try (TString serialized = TString.tensorOfBytes(NdArrays.scalarOfObject(tensor));
            Result r = session.runner().feed(in, serialized).fetch(parsed).run()) {
          TFloat32 value = (TFloat32) r.get(0);
          assertThat(value.shape().numDimensions()).isZero();
          values.add(value.getFloat());
        }
      }
    }
    return values;
  }
}
