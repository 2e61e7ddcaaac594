package dev.millrace.graphdef;

import static dev.millrace.graphdef.GraphSummaryTest.shape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.millrace.graphdef.proto.DataType;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.graphdef.proto.TensorProto;
import dev.millrace.tensor.DType;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class TensorValuesTest {
  @Test
  void tensorContentIsLittleEndianElementBytes() throws IOException {
    // The golden graph's first convolution kernel, checked against its raw bytes.
    GraphDef g = GraphDefFile.read(GraphDefFileTest.RESNET);
    NodeDef w =
        g.getNodeList().stream()
            .filter(n -> n.getName().equals("conv0_w"))
            .findFirst()
            .orElseThrow();
    TensorProto p = w.getAttrOrThrow("value").getTensor();
    Tensor t = TensorValues.toTensor(p);
    assertThat(t.dtype()).isEqualTo(DType.FLOAT32);
    assertThat(t.shape()).isEqualTo(Shape.of(3, 3, 3, 16));
    ByteBuffer raw = p.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < t.size(); i++) {
      assertThat(t.getFloat(i)).isEqualTo(raw.getFloat(i * 4));
    }
    // The manifest says conv weights are U(+-sqrt(6/fan_in)), fan_in 27.
    for (float v : t.toFloatArray()) {
      assertThat(Math.abs(v)).isLessThanOrEqualTo((float) Math.sqrt(6.0 / 27));
    }
    assertThat(TensorValues.toTensor(TensorValues.toProto(t)).toFloatArray())
        .isEqualTo(t.toFloatArray());
  }

  @Test
  void aShortValueListRepeatsItsLastValueAndAnEmptyOneIsZeros() {
    TensorProto p =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_INT32)
            .setTensorShape(shape(2, 3))
            .addIntVal(4)
            .addIntVal(7)
            .build();
    assertThat(TensorValues.toTensor(p).toIntArray()).containsExactly(4, 7, 7, 7, 7, 7);
    TensorProto zeros =
        TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(3)).build();
    assertThat(TensorValues.toTensor(zeros).toFloatArray()).containsExactly(0f, 0f, 0f);
    TensorProto scalar =
        TensorProto.newBuilder().setDtype(DataType.DT_INT64).addInt64Val(-5).build();
    Tensor s = TensorValues.toTensor(scalar);
    assertThat(s.shape()).isEqualTo(Shape.scalar());
    assertThat(s.getLong(0)).isEqualTo(-5);
    TensorProto strings =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_STRING)
            .setTensorShape(shape(2))
            .addStringVal(ByteString.copyFromUtf8("a"))
            .build();
    Tensor st = TensorValues.toTensor(strings);
    assertThat(new String(st.getString(1))).isEqualTo("a");
    TensorProto bools =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_BOOL)
            .setTensorShape(shape(2))
            .addBoolVal(true)
            .build();
    assertThat(TensorValues.toTensor(bools).toByteArray()).containsExactly(1, 1);
  }

  @Test
  void refTypesReadAsTheirValueType() {
    assertThat(TensorValues.dtype(DataType.DT_FLOAT_REF)).isEqualTo(DType.FLOAT32);
    assertThat(TensorValues.dtype(DataType.DT_QUINT8)).isEqualTo(DType.QUINT8);
    assertThatThrownBy(() -> TensorValues.dtype(DataType.DT_HALF))
        .hasMessage("unsupported dtype DT_HALF");
  }

  @Test
  void lyingShapesAndContentsAreRefusedBeforeAllocating() {
    TensorProto huge =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_FLOAT)
            .setTensorShape(shape(1L << 20, 1L << 20))
            .addFloatVal(1)
            .build();
    assertThatThrownBy(() -> TensorValues.toTensor(huge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "shape [1048576, 1048576] has 1099511627776 elements, more than the limit of 2147483647");
    TensorProto overflow =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_FLOAT)
            .setTensorShape(shape(1L << 40, 1L << 40, 1L << 40))
            .build();
    assertThatThrownBy(() -> TensorValues.elementCount(overflow))
        .hasMessageContaining("more than the limit");
    TensorProto negative =
        TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(-1, 2)).build();
    assertThatThrownBy(() -> TensorValues.toTensor(negative))
        .hasMessage("dimension 0 is -1 in [?,2]");
    TensorProto tooMany =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_FLOAT)
            .setTensorShape(shape(2))
            .addFloatVal(1)
            .addFloatVal(2)
            .addFloatVal(3)
            .build();
    assertThatThrownBy(() -> TensorValues.toTensor(tooMany))
        .hasMessage("3 values for float [2], which holds 2");
    TensorProto shortContent =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_FLOAT)
            .setTensorShape(shape(2))
            .setTensorContent(ByteString.copyFrom(new byte[4]))
            .build();
    assertThatThrownBy(() -> TensorValues.toTensor(shortContent))
        .hasMessage("tensor_content has 4 bytes, float [2] needs 8");
  }

  @Test
  void theElementCapIsConfigurable() {
    TensorProto p =
        TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(10, 10)).build();
    System.setProperty(TensorValues.MAX_ELEMENTS_PROPERTY, "99");
    try {
      assertThatThrownBy(() -> TensorValues.toTensor(p))
          .hasMessage("shape [10, 10] has 100 elements, more than the limit of 99");
    } finally {
      System.clearProperty(TensorValues.MAX_ELEMENTS_PROPERTY);
    }
    assertThat(TensorValues.toTensor(p).size()).isEqualTo(100);
  }

  @Test
  void partialShapesPrintAsTensorFlowDoes() {
    assertThat(TensorValues.show(shape(-1, 32, 32, 3))).isEqualTo("[?,32,32,3]");
    assertThat(
            TensorValues.show(
                dev.millrace.graphdef.proto.TensorShapeProto.newBuilder()
                    .setUnknownRank(true)
                    .build()))
        .isEqualTo("<unknown>");
    assertThat(TensorValues.partialShape(shape(-1, 3))).isEqualTo(Shape.of(Shape.UNKNOWN, 3));
    assertThat(Files.exists(GraphDefFileTest.RESNET)).isTrue();
  }
}
