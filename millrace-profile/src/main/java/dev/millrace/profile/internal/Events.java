package dev.millrace.profile.internal;

import com.google.protobuf.ByteString;
import dev.millrace.profile.ScalarForm;
import dev.millrace.profile.proto.DataClass;
import dev.millrace.profile.proto.DataType;
import dev.millrace.profile.proto.Event;
import dev.millrace.profile.proto.SessionLog;
import dev.millrace.profile.proto.SourceMetadata;
import dev.millrace.profile.proto.Summary;
import dev.millrace.profile.proto.SummaryMetadata;
import dev.millrace.profile.proto.TensorProto;
import dev.millrace.profile.proto.TensorShapeProto;

/**
 * The events a writer emits, built so that they serialize to TensorFlow's bytes: protobuf writes
 * fields in number order and leaves proto3 defaults out (a step of 0 is absent), as TensorFlow's
 * C++ serializer does.
 */
public final class Events {
  /** The version string TensorBoard checks in the first event of every file. */
  public static final String FILE_VERSION = "brain.Event:2";

  /** The plugin TensorBoard's scalar dashboard claims values for. */
  public static final String SCALARS_PLUGIN = "scalars";

  /**
   * Our name in {@code source_metadata.writer}. TensorFlow writes {@code
   * "tensorflow.core.util.events_writer"} there; the field says which program wrote the file, so we
   * do not borrow TensorFlow's.
   */
  public static final String WRITER = "millrace";

  private static final SummaryMetadata SCALAR_METADATA =
      SummaryMetadata.newBuilder()
          .setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName(SCALARS_PLUGIN))
          .setDataClass(DataClass.DATA_CLASS_SCALAR)
          .build();

  private Events() {}

  /**
   * The first event of a file. Its wall time is whole seconds, the same seconds as in the file
   * name, as TensorFlow's {@code EventsWriter} writes it.
   */
  public static Event fileVersion(long epochSeconds) {
    return Event.newBuilder()
        .setWallTime(epochSeconds)
        .setFileVersion(FILE_VERSION)
        .setSourceMetadata(SourceMetadata.newBuilder().setWriter(WRITER))
        .build();
  }

  /** One scalar, in the given form. */
  public static Event scalar(ScalarForm form, String tag, long step, float value, double wallTime) {
    Summary.Value.Builder v = Summary.Value.newBuilder().setTag(tag);
    switch (form) {
      case SIMPLE_VALUE -> v.setSimpleValue(value);
      case TENSOR -> v.setTensor(floatScalar(value)).setMetadata(SCALAR_METADATA);
    }
    return Event.newBuilder()
        .setWallTime(wallTime)
        .setStep(step)
        .setSummary(Summary.newBuilder().addValue(v))
        .build();
  }

  /**
   * A {@code SessionLog} START: TensorBoard drops earlier events of a higher step on reading it.
   */
  public static Event sessionStart(long step, double wallTime) {
    return Event.newBuilder()
        .setWallTime(wallTime)
        .setStep(step)
        .setSessionLog(SessionLog.newBuilder().setStatus(SessionLog.SessionStatus.START))
        .build();
  }

  /**
   * A rank-0 {@code DT_FLOAT} tensor as TensorFlow's summary ops serialize it: an explicitly empty
   * shape and the value as four little-endian bytes of {@code tensor_content}, not {@code
   * float_val}.
   */
  static TensorProto floatScalar(float value) {
    int bits = Float.floatToRawIntBits(value);
    byte[] le = {(byte) bits, (byte) (bits >>> 8), (byte) (bits >>> 16), (byte) (bits >>> 24)};
    return TensorProto.newBuilder()
        .setDtype(DataType.DT_FLOAT)
        .setTensorShape(TensorShapeProto.getDefaultInstance())
        .setTensorContent(ByteString.copyFrom(le))
        .build();
  }
}
