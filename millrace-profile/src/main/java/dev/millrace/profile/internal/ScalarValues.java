package dev.millrace.profile.internal;

import dev.millrace.profile.proto.DataClass;
import dev.millrace.profile.proto.DataType;
import dev.millrace.profile.proto.Summary;
import dev.millrace.profile.proto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Which {@code Summary.Value}s are scalars and what they hold, by TensorBoard's rules: a {@code
 * simple_value}, or a tensor claimed by the {@code scalars} plugin that is a rank-0 {@code
 * DT_FLOAT}. TensorBoard treats any other tensor under that plugin (a {@code DT_DOUBLE}, a shape
 * with dimensions, several elements) as data loss, so reading one is an error, not a skip.
 */
public final class ScalarValues {
  private ScalarValues() {}

  /** A value that claims to be a scalar but is not one TensorBoard can show. */
  public static final class MalformedScalarException extends Exception {
    MalformedScalarException(String message) {
      super(message);
    }
  }

  /**
   * True for a {@code simple_value}, or a tensor whose plugin is {@code scalars} (or that has no
   * plugin but {@code DATA_CLASS_SCALAR}). Images, histograms and other plugins' tensors are not.
   */
  public static boolean isScalar(Summary.Value v) {
    return switch (v.getValueCase()) {
      case SIMPLE_VALUE -> true;
      case TENSOR -> {
        String plugin = v.getMetadata().getPluginData().getPluginName();
        yield plugin.equals(Events.SCALARS_PLUGIN)
            || (plugin.isEmpty() && v.getMetadata().getDataClass() == DataClass.DATA_CLASS_SCALAR);
      }
      default -> false;
    };
  }

  /** The value of a scalar ({@link #isScalar} is true). */
  public static float value(Summary.Value v) throws MalformedScalarException {
    if (v.getValueCase() == Summary.Value.ValueCase.SIMPLE_VALUE) {
      return v.getSimpleValue();
    }
    TensorProto t = v.getTensor();
    if (t.getDtype() != DataType.DT_FLOAT
        || t.getTensorShape().getDimCount() != 0
        || t.getTensorShape().getUnknownRank()) {
      throw malformed(v, t, "expected a rank-0 DT_FLOAT tensor");
    }
    int contentBytes = t.getTensorContent().size();
    if (contentBytes == Float.BYTES && t.getFloatValCount() == 0) {
      return ByteBuffer.wrap(t.getTensorContent().toByteArray())
          .order(ByteOrder.LITTLE_ENDIAN)
          .getFloat();
    }
    if (contentBytes == 0 && t.getFloatValCount() == 1) {
      return t.getFloatVal(0);
    }
    throw malformed(
        v,
        t,
        "holds "
            + contentBytes
            + " bytes of tensor_content and "
            + t.getFloatValCount()
            + " float_val (expected exactly one float)");
  }

  private static MalformedScalarException malformed(Summary.Value v, TensorProto t, String why) {
    StringBuilder shape = new StringBuilder("[");
    for (int i = 0; i < t.getTensorShape().getDimCount(); i++) {
      shape.append(i == 0 ? "" : ", ").append(t.getTensorShape().getDim(i).getSize());
    }
    shape.append(t.getTensorShape().getUnknownRank() ? "unknown rank]" : "]");
    return new MalformedScalarException(
        "scalar '" + v.getTag() + "' is " + t.getDtype() + " with shape " + shape + ": " + why);
  }
}
