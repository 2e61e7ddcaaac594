package dev.millrace.data.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.data.Dataset;
import dev.millrace.data.PipelineException;
import dev.millrace.records.Compression;
import dev.millrace.records.RecordWriter;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cache records whose counts lie: refused with an IOException before anything is allocated. */
class ElementCodecBoundsTest {
  private static final int TENSOR = 3;
  private static final int STRING = 9;
  private static final int BYTES = 10;
  private static final int LIST = 12;
  private static final int FLOAT = 1;
  private static final int STRING_DTYPE = 7;

  @TempDir Path dir;

  @Test
  void tensorLargerThanTheRecordIsRefused() throws IOException {
    byte[] lie = bytes(out -> tensorHeader(out, FLOAT, 60_000, 60_000));
    assertThatThrownBy(() -> ElementCodec.decode(lie))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage(
            "cache element@1: FLOAT32 [60000, 60000] cannot fit in the 0 bytes that follow");
  }

  @Test
  void tensorWhoseElementCountOverflowsIsRefused() throws IOException {
    byte[] lie = bytes(out -> tensorHeader(out, FLOAT, 1L << 40, 1L << 40, 1L << 40));
    assertThatThrownBy(() -> ElementCodec.decode(lie))
        .isExactlyInstanceOf(IOException.class)
        .hasMessageStartingWith("cache element@1: FLOAT32 [1099511627776, ")
        .hasMessageEndingWith("cannot fit in the 0 bytes that follow");
  }

  @Test
  void stringTensorCountsAtLeastFourBytesAString() throws IOException {
    byte[] lie =
        bytes(
            out -> {
              tensorHeader(out, STRING_DTYPE, 3);
              out.writeInt(0);
              out.writeInt(0);
            });
    assertThatThrownBy(() -> ElementCodec.decode(lie))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("cache element@1: STRING [3] cannot fit in the 8 bytes that follow");
  }

  @Test
  void negativeDimensionIsRefused() throws IOException {
    byte[] lie = bytes(out -> tensorHeader(out, FLOAT, 2, -7));
    assertThatThrownBy(() -> ElementCodec.decode(lie))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("cache element@11: dimension 1 is -7");
  }

  @Test
  void negativeOrHugeLengthsAreRefusedInsteadOfReadShort() throws IOException {
    byte[] negative =
        bytes(
            out -> {
              out.writeByte(LIST);
              out.writeInt(-1);
            });
    assertThatThrownBy(() -> ElementCodec.decode(negative))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("cache element@1: -1 list elements cannot fit in the 0 bytes that follow");
    for (int tag : new int[] {STRING, BYTES}) {
      byte[] huge =
          bytes(
              out -> {
                out.writeByte(tag);
                out.writeInt(Integer.MAX_VALUE);
                out.write(new byte[3]);
              });
      assertThatThrownBy(() -> ElementCodec.decode(huge))
          .isExactlyInstanceOf(IOException.class)
          .hasMessage("cache element@1: 2147483647 bytes cannot fit in the 3 bytes that follow");
    }
  }

  @Test
  void truncatedElementIsAnIOException() {
    assertThatThrownBy(() -> ElementCodec.decode(new byte[] {TENSOR, FLOAT}))
        .isExactlyInstanceOf(IOException.class)
        .hasMessage("cache element@2: truncated");
  }

  @Test
  void honestElementsStillRoundTrip() throws IOException {
    Tensor t = Tensor.ofFloats(Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
    Object back = ElementCodec.decode(ElementCodec.encode(List.of(t, "text", 7L)));
    assertThat(back).isInstanceOf(List.class);
    List<Object> l = List.copyOf((List<?>) back);
    assertThat(((Tensor) l.get(0)).toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(l.subList(1, 3)).containsExactly("text", (Object) 7L);
  }

  @Test
  void lyingRecordInACacheFileNamesTheFileAndRecord() throws IOException {
    Path file = dir.resolve("elements.cache");
    try (RecordWriter w = RecordWriter.create(file, Compression.NONE)) {
      w.write(bytes(out -> tensorHeader(out, FLOAT, 60_000, 60_000)));
    }
    assertThatThrownBy(() -> Dataset.range(1).cache(file).toList())
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining(
            file
                + "@0 (record 0): cache element@1: FLOAT32 [60000, 60000] cannot fit in the 0"
                + " bytes that follow");
  }

  private interface Writes {
    void to(DataOutputStream out) throws IOException;
  }

  private static byte[] bytes(Writes w) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      w.to(out);
    }
    return bytes.toByteArray();
  }

  /** A TENSOR element's tag, dtype and dimensions, without its data. */
  private static void tensorHeader(DataOutputStream out, int dtype, long... dims)
      throws IOException {
    out.writeByte(TENSOR);
    out.writeByte(dtype);
    out.writeByte(dims.length);
    for (long d : dims) {
      out.writeLong(d);
    }
  }
}
