package dev.millrace.convert.internal;

import static dev.millrace.convert.internal.SafeUnpicklerTest.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.millrace.convert.BadInputException;
import dev.millrace.convert.PythonPickles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every CIFAR-10-format pickle that Python 3 wrote with numpy 1 and with numpy 2 ({@link
 * PythonPickles}): each batch reads back to exactly the labels and pixels Python recorded, and each
 * pickle that must be refused is refused with its one-line reason.
 */
class Python3PicklesTest {
  private static final Path ARCHIVE = Path.of("cifar-10-python.tar.gz");

  /** Why each pickle under {@code refused} in expected.json must fail. */
  private static final Map<String, String> REFUSALS =
      Map.of(
          "refuse-p4-nhwc.pkl", "'data' has shape [2, 32, 32, 3], expected (n, 3072)",
          "refuse-p4-nchw.pkl", "'data' has shape [2, 3, 32, 32], expected (n, 3072)",
          "refuse-p4-fortran.pkl", "'data' is in Fortran order, expected C",
          "refuse-p5-fortran.pkl", "'data' is in Fortran order, expected C",
          "refuse-p4-float-labels.pkl", "'labels' has dtype <f4, expected integers",
          "refuse-p5-out-of-band.pkl", ": NEXT_BUFFER: the pickle's data is in out-of-band buffers",
          "hostile-p2-system.pkl", ": global 'posix system' is not allowed",
          "hostile-p3-eval.pkl", ": global 'builtins eval' is not allowed",
          "hostile-p4-system.pkl", ": global 'posix system' is not allowed",
          "hostile-p5-eval.pkl", ": global 'builtins eval' is not allowed");

  static Stream<Arguments> fixtures(String kind) {
    List<Arguments> out = new ArrayList<>();
    for (String numpy : PythonPickles.NUMPY_VERSIONS) {
      PythonPickles.expected(numpy)
          .get(kind)
          .properties()
          .forEach(e -> out.add(Arguments.of(numpy, e.getKey(), e.getValue())));
    }
    return out.stream();
  }

  static Stream<Arguments> batches() {
    return fixtures("pickles");
  }

  static Stream<Arguments> refused() {
    return fixtures("refused");
  }

  /** Unpickles a fixture, first checking that its bytes are the ones Python wrote. */
  private static Object loadFixture(String numpy, String file, JsonNode entry)
      throws BadInputException {
    byte[] pickle = PythonPickles.bytes(numpy, file);
    assertThat(PythonPickles.sha256(pickle)).as(file).isEqualTo(entry.get("sha256").asText());
    return load(pickle);
  }

  @ParameterizedTest(name = "{0}/{1}")
  @MethodSource("batches")
  void readsEachBatchExactlyAsPythonWroteIt(String numpy, String file, JsonNode entry)
      throws BadInputException {
    Object root = loadFixture(numpy, file, entry);

    Map<?, ?> dict = (Map<?, ?>) root;
    boolean bytesKeys = entry.get("keys").asText().equals("bytes");
    NdArray data = (NdArray) dict.get(bytesKeys ? PyBytes.latin1("data") : "data");
    assertThat(data.shape()).containsExactly(entry.get("images").asLong(), 3072);
    assertThat(data.dtype().isUint8()).isTrue();
    PixelBatch batch = CifarPythonConverter.toBatch(ARCHIVE, file, root);
    assertThat(batch.rows()).isEqualTo(entry.get("images").asInt());
    byte[] pixels = Arrays.copyOfRange(batch.pixels(), 0, batch.rows() * 3072);
    assertThat(PythonPickles.sha256(pixels)).isEqualTo(entry.get("data_sha256").asText());
    byte[] labels = new byte[batch.rows()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = (byte) batch.label(i);
    }
    assertThat(labels).isEqualTo(PythonPickles.labels(entry));
  }

  @ParameterizedTest(name = "{0}/{1}")
  @MethodSource("refused")
  void refusesEachPickleThatIsNotACifarBatch(String numpy, String file, JsonNode entry) {
    assertThat(REFUSALS).as("the reason %s must be refused", file).containsKey(file);

    assertThatThrownBy(
            () -> CifarPythonConverter.toBatch(ARCHIVE, file, loadFixture(numpy, file, entry)))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(REFUSALS.get(file))
        .hasMessageNotContaining("\n");
  }

  @Test
  void showsALabelThatIsNotANumberByItsTypeOnOneLine() throws BadInputException {
    PickleWriter p = new PickleWriter().proto(4).emptyDict().mark().text("data");
    p.text("numpy.core.numeric").text("_frombuffer").stackGlobal().mark().bytes(new byte[3072]);
    p.text("numpy").text("dtype").stackGlobal().text("u1").bool(false).bool(true).tuple(3);
    p.reduce().mark().integer(3).text("|").none().none().none().integer(-1).integer(-1);
    p.integer(0).tuple(8).build().integer(1).integer(3072).tuple(2).text("C").tuple(4).reduce();
    p.text("labels").emptyList().text("3\nrm -rf /").append().setitems().stop();
    Object root = load(p.toByteArray());

    assertThatThrownBy(() -> CifarPythonConverter.toBatch(ARCHIVE, "data_batch_1", root))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "cifar-10-python.tar.gz!data_batch_1 (record 0): label of type str is not a class"
                + " 0..9");
  }

  @Test
  void theFixturesUseEveryOpcodeOfProtocols3To5ThatPythonWritesForThem() {
    for (String numpy : PythonPickles.NUMPY_VERSIONS) {
      Set<String> opcodes = new HashSet<>();
      for (String kind : List.of("pickles", "refused")) {
        PythonPickles.expected(numpy)
            .get(kind)
            .forEach(e -> e.get("opcodes").forEach(o -> opcodes.add(o.asText())));
      }
      assertThat(opcodes)
          .as(numpy)
          .contains(
              "FRAME",
              "MEMOIZE",
              "STACK_GLOBAL",
              "SHORT_BINUNICODE",
              "BINUNICODE",
              "SHORT_BINBYTES",
              "BINBYTES",
              "BYTEARRAY8",
              "NEXT_BUFFER",
              "GLOBAL");
    }
  }

  @Test
  void theFixturesComeFromNumpy1AndNumpy2() {
    assertThat(PythonPickles.expected("numpy1").get("numpy").asText()).startsWith("1.");
    assertThat(PythonPickles.expected("numpy2").get("numpy").asText()).startsWith("2.");
  }

  static Stream<Arguments> smallBatches() {
    List<Arguments> out = new ArrayList<>();
    for (String numpy : PythonPickles.NUMPY_VERSIONS) {
      for (int protocol = 2; protocol <= 5; protocol++) {
        out.add(Arguments.of(numpy, "batch-p" + protocol + "-str-list.pkl"));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}/{1}")
  @MethodSource("smallBatches")
  void everyTruncationOfAPythonPickleFailsAsBadInput(String numpy, String file) {
    byte[] pickle = PythonPickles.bytes(numpy, file);
    for (int n = 0; n < pickle.length; n++) {
      try {
        Object v =
            new SafeUnpickler(pickle, 0, n, (at, p) -> BadInputException.atOffset(ARCHIVE, at, p))
                .load();
        fail("%d of %d bytes loaded as %s", n, pickle.length, v);
      } catch (BadInputException e) {
        assertThat(e.getMessage()).startsWith("cifar-10-python.tar.gz@").doesNotContain("\n");
      }
    }
  }

  static LongStream seeds() {
    return LongStream.range(0, 120);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void mutatedPythonPicklesEitherLoadOrFailAsBadInput(long seed) {
    Random rnd = new Random(seed);
    String numpy = PythonPickles.NUMPY_VERSIONS.get(rnd.nextInt(2));
    byte[] pickle = PythonPickles.bytes(numpy, "batch-p" + rnd.nextInt(2, 6) + "-bytes-int64.pkl");
    // Mostly the opcodes and lengths before the pixels, where a change alters the structure.
    for (int i = rnd.nextInt(1, 9); i > 0; i--) {
      int at = rnd.nextBoolean() ? rnd.nextInt(400) : rnd.nextInt(pickle.length);
      pickle[at] = (byte) rnd.nextInt(256);
    }
    try {
      Object root = load(pickle);
      CifarPythonConverter.toBatch(ARCHIVE, "batch", root);
    } catch (BadInputException e) {
      assertThat(e.getMessage()).doesNotContain("\n");
    }
  }
}
