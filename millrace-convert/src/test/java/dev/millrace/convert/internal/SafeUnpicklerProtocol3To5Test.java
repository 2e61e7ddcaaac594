package dev.millrace.convert.internal;

import static dev.millrace.convert.internal.SafeUnpicklerTest.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.millrace.convert.BadInputException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The opcodes and globals of Python 3's pickles, built opcode by opcode: what they decode to, and
 * every way a hostile or broken one is refused. The pickles real Python wrote are checked by {@link
 * Python3PicklesTest}.
 */
class SafeUnpicklerProtocol3To5Test {

  /** {@code dtype(descr, False, True)} with its BUILD state, as Python 3 pickles it. */
  private static PickleWriter dtype(PickleWriter p, String descr, String byteOrder) {
    p.text("numpy").text("dtype").stackGlobal().text(descr).bool(false).bool(true).tuple(3);
    p.reduce().mark().integer(3).text(byteOrder).none().none().none().integer(-1).integer(-1);
    return p.integer(0).tuple(8).build();
  }

  // ---- values ----

  @Test
  void readsProtocol4FramesMemoizeAndShortOpcodes() throws BadInputException {
    PickleWriter body = new PickleWriter().emptyDict().memoizeTop().mark();
    body.text("name").memoizeTop().text("café").memoizeTop();
    body.text("again").memoGet(2);
    body.bytes(new byte[] {'b'}).bytes(new byte[300]).setitems().stop();
    byte[] rest = body.toByteArray();
    PickleWriter p = new PickleWriter().proto(4).frame(rest.length);
    for (byte b : rest) {
      p.raw(b & 0xff);
    }

    Map<?, ?> d = (Map<?, ?>) load(p.toByteArray());

    assertThat(d.get("name")).isEqualTo("café");
    assertThat(d.get("again")).isEqualTo("café");
    assertThat(d.get(PyBytes.latin1("b"))).isEqualTo(new PyBytes(new byte[300], 0, 300));
  }

  @Test
  void readsTheEightByteLengthOpcodes() throws BadInputException {
    byte[] pickle =
        new PickleWriter()
            .proto(5)
            .mark()
            .unicode8("ünï")
            .bytes8(new byte[] {1, 2})
            .bytearray8(new byte[] {3})
            .tuple(3)
            .stop()
            .toByteArray();

    PyTuple t = (PyTuple) load(pickle);

    assertThat(t.get(0)).isEqualTo("ünï");
    assertThat(t.get(1)).isEqualTo(new PyBytes(new byte[] {1, 2}, 0, 2));
    assertThat(t.get(2)).isEqualTo(new PyByteArray(new PyBytes(new byte[] {3}, 0, 1)));
  }

  @Test
  void rebuildsAFortranOrderedArrayFromFrombuffer() throws BadInputException {
    PickleWriter p = new PickleWriter().proto(5);
    p.text("numpy._core.numeric").text("_frombuffer").stackGlobal().mark();
    p.bytearray8(new byte[] {0, 3, 1, 4, 2, 5});
    dtype(p, "u1", "|").integer(2).integer(3).tuple(2).text("F").tuple(4).reduce().stop();

    NdArray a = (NdArray) load(p.toByteArray());

    assertThat(a.shape()).containsExactly(2, 3);
    assertThat(a.fortranOrder()).isTrue();
    assertThat(a.data().toByteArray()).containsExactly(0, 3, 1, 4, 2, 5);
  }

  @Test
  void decodesNumpyIntegerScalarsOfEveryWidthAndByteOrder() throws BadInputException {
    PickleWriter p = new PickleWriter().proto(4).mark();
    Object[][] cases = {
      {"i1", "|", new byte[] {(byte) 0xff}, -1L},
      {"u2", ">", new byte[] {1, 2}, 258L},
      {"i2", ">", new byte[] {(byte) 0xff, (byte) 0xfe}, -2L},
      {"i4", "<", new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff}, -2L},
      {"i8", "<", new byte[] {7, 0, 0, 0, 0, 0, 0, 0}, 7L},
      {
        "u8",
        "<",
        new byte[] {-1, -1, -1, -1, -1, -1, -1, -1},
        BigInteger.TWO.pow(64).subtract(BigInteger.ONE)
      },
    };
    for (Object[] c : cases) {
      p.text("numpy.core.multiarray").text("scalar").stackGlobal();
      dtype(p, (String) c[0], (String) c[1]).bytes((byte[]) c[2]).tuple(2).reduce();
    }
    p.tuple(cases.length).stop();

    PyTuple t = (PyTuple) load(p.toByteArray());

    assertThat(t.items()).containsExactly(Stream.of(cases).map(c -> c[3]).toArray());
  }

  @Test
  void readsBytesAsPython3WritesThemAtProtocol2() throws BadInputException {
    // _codecs.encode('\xff\x00é', 'latin1') and bytes(): Python 3's bytes at protocols 0 to 2.
    PickleWriter p = new PickleWriter().proto2().mark();
    p.global("_codecs", "encode").unicode("\u00ff\u0000\u00e9").unicode("latin1").tuple(2);
    p.reduce().global("__builtin__", "bytes").tuple(0).reduce().tuple(2).stop();

    PyTuple t = (PyTuple) load(p.toByteArray());

    assertThat(t.get(0)).isEqualTo(new PyBytes(new byte[] {-1, 0, (byte) 0xe9}, 0, 3));
    assertThat(t.get(1)).isEqualTo(PyBytes.latin1(""));
  }

  // ---- globals ----

  static Stream<Arguments> forbiddenGlobals() {
    return Stream.of(
        Arguments.of("os", "system"),
        Arguments.of("posix", "system"),
        Arguments.of("builtins", "eval"),
        Arguments.of("builtins", "exec"),
        Arguments.of("builtins", "getattr"),
        Arguments.of("__builtin__", "eval"),
        Arguments.of("subprocess", "Popen"),
        Arguments.of("numpy", "load"),
        Arguments.of("numpy.lib.npyio", "load"),
        Arguments.of("numpy.core.multiarray", "frombuffer"),
        Arguments.of("numpy.core.numeric", "_reconstruct"),
        Arguments.of("_codecs", "decode"),
        Arguments.of("builtins", "bytearray"),
        Arguments.of("numpy", "dtype.__new__"),
        Arguments.of("numpy ", "dtype"));
  }

  @ParameterizedTest(name = "GLOBAL {0} {1}")
  @MethodSource("forbiddenGlobals")
  void refusesAnyOtherGlobalByGlobal(String module, String name) {
    byte[] pickle =
        new PickleWriter()
            .proto2()
            .global(module, name)
            .text("echo pwned")
            .tuple(1)
            .reduce()
            .stop()
            .toByteArray();

    assertThatThrownBy(() -> load(pickle))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("batch.pkl@2: global '" + module + " " + name + "' is not allowed")
        .hasMessageNotContaining("\n");
  }

  @ParameterizedTest(name = "STACK_GLOBAL {0} {1}")
  @MethodSource("forbiddenGlobals")
  void refusesAnyOtherGlobalByStackGlobal(String module, String name) {
    PickleWriter p = new PickleWriter().proto(4).text(module).memoizeTop().text(name);
    int at = p.toByteArray().length;
    byte[] pickle = p.stackGlobal().text("echo pwned").tuple(1).reduce().stop().toByteArray();

    assertThatThrownBy(() -> load(pickle))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(
            "batch.pkl@" + at + ": global '" + module + " " + name + "' is not allowed")
        .hasMessageNotContaining("\n");
  }

  @Test
  void refusesAStackGlobalWhoseNamesAreNotText() {
    byte[] pickle =
        new PickleWriter()
            .proto(4)
            .bytes(new byte[] {'o', 's'})
            .text("system")
            .stackGlobal()
            .stop()
            .toByteArray();

    assertThatThrownBy(() -> load(pickle))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("STACK_GLOBAL module is a bytes, expected text");
  }

  @Test
  void showsAHostileGlobalNameShortAndOnOneLine() {
    String name = "system\nrm -rf /" + "x".repeat(200);
    byte[] pickle =
        new PickleWriter().proto(4).text("os").text(name).stackGlobal().stop().toByteArray();

    assertThatThrownBy(() -> load(pickle))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("global 'os system?rm -rf /xxx")
        .hasMessageContaining("…' is not allowed")
        .hasMessageNotContaining("\n");
  }

  static Stream<Arguments> hostileCallsOfAllowedGlobals() {
    return Stream.of(
        Arguments.of(
            "_codecs encode, utf-8",
            new PickleWriter()
                .global("_codecs", "encode")
                .unicode("x")
                .unicode("utf-8")
                .tuple(2)
                .reduce(),
            "_codecs.encode is allowed only as (text, 'latin1')"),
        Arguments.of(
            "_codecs encode, three arguments",
            new PickleWriter()
                .global("_codecs", "encode")
                .unicode("x")
                .unicode("latin1")
                .unicode("strict")
                .tuple(3)
                .reduce(),
            "_codecs.encode is allowed only as (text, 'latin1')"),
        Arguments.of(
            "_codecs encode, beyond Latin-1",
            new PickleWriter()
                .global("_codecs", "encode")
                .unicode("€")
                .unicode("latin1")
                .tuple(2)
                .reduce(),
            "_codecs.encode of text beyond Latin-1"),
        Arguments.of(
            "bytes with an argument",
            new PickleWriter().global("builtins", "bytes").integer(1 << 20).tuple(1).reduce(),
            "bytes is allowed only as bytes()"),
        Arguments.of(
            "_frombuffer order K",
            dtype(
                    new PickleWriter()
                        .text("numpy.core.numeric")
                        .text("_frombuffer")
                        .stackGlobal()
                        .mark()
                        .bytes(new byte[2]),
                    "u1",
                    "|")
                .integer(2)
                .tuple(1)
                .text("K")
                .tuple(4)
                .reduce(),
            "_frombuffer order is 'K', expected 'C' or 'F'"),
        Arguments.of(
            "_frombuffer short of bytes",
            dtype(
                    new PickleWriter()
                        .text("numpy.core.numeric")
                        .text("_frombuffer")
                        .stackGlobal()
                        .mark()
                        .bytearray8(new byte[5]),
                    "i4",
                    "<")
                .integer(2)
                .tuple(1)
                .text("C")
                .tuple(4)
                .reduce(),
            "_frombuffer of shape [2] and dtype <i4 needs 8 bytes, the pickle holds 5"),
        Arguments.of(
            "_frombuffer of a list",
            dtype(
                    new PickleWriter()
                        .text("numpy.core.numeric")
                        .text("_frombuffer")
                        .stackGlobal()
                        .mark()
                        .emptyList(),
                    "u1",
                    "|")
                .integer(0)
                .tuple(1)
                .text("C")
                .tuple(4)
                .reduce(),
            "_frombuffer data is a list"),
        Arguments.of(
            "_frombuffer of an object dtype",
            dtype(
                    new PickleWriter()
                        .text("numpy.core.numeric")
                        .text("_frombuffer")
                        .stackGlobal()
                        .mark()
                        .bytes(new byte[8]),
                    "O8",
                    "|")
                .integer(1)
                .tuple(1)
                .text("C")
                .tuple(4)
                .reduce(),
            "numpy dtype '|O8' is not supported"),
        Arguments.of(
            "scalar of a float",
            dtype(
                    new PickleWriter().text("numpy.core.multiarray").text("scalar").stackGlobal(),
                    "f8",
                    "<")
                .bytes(new byte[8])
                .tuple(2)
                .reduce(),
            "numpy scalar of dtype <f8 is not supported"),
        Arguments.of(
            "scalar of the wrong size",
            dtype(
                    new PickleWriter().text("numpy.core.multiarray").text("scalar").stackGlobal(),
                    "i8",
                    "<")
                .bytes(new byte[3])
                .tuple(2)
                .reduce(),
            "numpy scalar of shape [] and dtype <i8 needs 8 bytes, the pickle holds 3"),
        Arguments.of(
            "scalar of an object",
            new PickleWriter()
                .text("numpy.core.multiarray")
                .text("scalar")
                .stackGlobal()
                .text("O")
                .emptyList()
                .tuple(2)
                .reduce(),
            "numpy scalar expects (dtype, raw bytes)"),
        Arguments.of(
            "_frombuffer order a tuple",
            dtype(
                    new PickleWriter()
                        .text("numpy.core.numeric")
                        .text("_frombuffer")
                        .stackGlobal()
                        .mark()
                        .bytes(new byte[1]),
                    "u1",
                    "|")
                .integer(1)
                .tuple(1)
                .text("C")
                .tuple(1)
                .tuple(4)
                .reduce(),
            "_frombuffer order is tuple, expected 'C' or 'F'"),
        Arguments.of(
            "dtype byte order not numpy's",
            dtype(new PickleWriter(), "i8", "<\nrm -rf /"),
            "numpy.dtype byte order '<?rm -rf /' is not one of < > = |"),
        Arguments.of(
            "REDUCE of text",
            new PickleWriter().text("os.system").text("ls").tuple(1).reduce(),
            "REDUCE calls a str, expected an allowed global"),
        Arguments.of(
            "_reconstruct of a dtype",
            new PickleWriter()
                .text("numpy._core.multiarray")
                .text("_reconstruct")
                .stackGlobal()
                .text("numpy")
                .text("dtype")
                .stackGlobal()
                .integer(0)
                .tuple(1)
                .bytes(new byte[] {'b'})
                .tuple(3)
                .reduce(),
            "_reconstruct of anything but numpy.ndarray is not allowed"),
        Arguments.of(
            "BUILD on a frombuffer array",
            dtype(
                    new PickleWriter()
                        .text("numpy.core.numeric")
                        .text("_frombuffer")
                        .stackGlobal()
                        .mark()
                        .bytes(new byte[1]),
                    "u1",
                    "|")
                .integer(1)
                .tuple(1)
                .text("C")
                .tuple(4)
                .reduce()
                .emptyDict()
                .build(),
            "BUILD on an array that is already built"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileCallsOfAllowedGlobals")
  void refusesAllowedGlobalsCalledWithAnythingButNumpysArguments(
      String what, PickleWriter body, String problem) {
    PickleWriter p = new PickleWriter().proto(4);
    for (byte b : body.stop().toByteArray()) {
      p.raw(b & 0xff);
    }

    assertThatThrownBy(() -> load(p.toByteArray()))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("batch.pkl@")
        .hasMessageContaining(problem)
        .hasMessageNotContaining("\n");
  }

  @Test
  void refusesObjectsBuiltWithoutReduce() {
    for (int code : new int[] {0x81, 0x92}) {
      byte[] pickle =
          new PickleWriter()
              .proto(4)
              .text("numpy")
              .text("ndarray")
              .stackGlobal()
              .tuple(0)
              .raw(code)
              .stop()
              .toByteArray();

      assertThatThrownBy(() -> load(pickle))
          .isInstanceOf(BadInputException.class)
          .hasMessageMatching("batch\\.pkl@\\d+: NEWOBJ(_EX)? creates an object without REDUCE.*");
    }
  }

  @Test
  void refusesOutOfBandBuffersWhoseBytesAreNotInTheFile() {
    assertThatThrownBy(() -> load(new byte[] {(byte) 0x80, 5, (byte) 0x97, '.'}))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("batch.pkl@2: NEXT_BUFFER: the pickle's data is in out-of-band");
    byte[] readonly = new PickleWriter().proto(5).bytes(new byte[1]).raw(0x98).stop().toByteArray();
    assertThatThrownBy(() -> load(readonly))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("batch.pkl@5: READONLY_BUFFER: ");
  }

  @Test
  void refusesSets() {
    assertThatThrownBy(() -> load(new byte[] {(byte) 0x80, 4, (byte) 0x8f, '.'}))
        .isInstanceOf(BadInputException.class)
        .hasMessage("batch.pkl@2: unsupported pickle opcode 0x8f");
  }

  // ---- frames and lengths ----

  @Test
  void refusesAFrameLongerThanThePickle() {
    byte[] pickle = new PickleWriter().proto(4).frame(100).none().stop().toByteArray();

    assertThatThrownBy(() -> load(pickle))
        .isInstanceOf(BadInputException.class)
        .hasMessage("batch.pkl@2: FRAME of 100 bytes exceeds the 2 bytes left in the pickle");
  }

  @Test
  void refusesAFrameLengthBeyondTwoToThe63() {
    byte[] pickle = new PickleWriter().proto(4).frame(-1).none().stop().toByteArray();

    assertThatThrownBy(() -> load(pickle))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("@2: FRAME of 18446744073709551615 bytes exceeds the 2 bytes left");
  }

  @Test
  void refusesAnOpcodeThatCrossesTheEndOfItsFrame() {
    // The frame claims 3 bytes; the SHORT_BINUNICODE at its start needs 1 + 1 + 4.
    byte[] pickle = new PickleWriter().proto(4).frame(3).text("abcd").stop().toByteArray();

    assertThatThrownBy(() -> load(pickle))
        .isInstanceOf(BadInputException.class)
        .hasMessage("batch.pkl@11: length 4 exceeds the 1 bytes left in the frame");
  }

  @Test
  void refusesAFrameThatEndsInsideAnOpcodesArgument() {
    // BININT2 needs two argument bytes; the frame holds the opcode and one.
    byte[] pickle = new PickleWriter().proto(4).frame(2).integer(300).stop().toByteArray();

    assertThatThrownBy(() -> load(pickle))
        .isInstanceOf(BadInputException.class)
        .hasMessage("batch.pkl@13: opcode crosses the end of its FRAME");
  }

  @Test
  void refusesAFrameInsideAFrame() {
    byte[] pickle = new PickleWriter().proto(4).frame(11).frame(1).none().stop().toByteArray();

    assertThatThrownBy(() -> load(pickle))
        .isInstanceOf(BadInputException.class)
        .hasMessage("batch.pkl@11: FRAME inside a frame that has 11 bytes left");
  }

  @Test
  void readsOpcodesAfterAFrameEnds() throws BadInputException {
    // numpy's pixels follow a frame, unframed, as Python writes anything over 64 KiB.
    byte[] pickle =
        new PickleWriter()
            .proto(4)
            .frame(1)
            .mark()
            .bytes(new byte[70_000])
            .frame(2)
            .tuple(1)
            .stop()
            .toByteArray();

    assertThat(((PyTuple) load(pickle)).get(0)).isEqualTo(new PyBytes(new byte[70_000], 0, 70_000));
  }

  static Stream<Arguments> lyingLengths() {
    return Stream.of(
        Arguments.of(
            "BINBYTES",
            new PickleWriter().raw('B').raw(0xff).raw(0xff).raw(0xff).raw(0xff),
            "length 4294967295 exceeds the 1 bytes left in the pickle"),
        Arguments.of(
            "BINUNICODE",
            new PickleWriter().raw('X').raw(0xfe).raw(0xff).raw(0xff).raw(0xff),
            "length 4294967294 exceeds the 1 bytes left in the pickle"),
        Arguments.of(
            "SHORT_BINBYTES",
            new PickleWriter().raw('C').raw(200),
            "length 200 exceeds the 1 bytes left in the pickle"),
        Arguments.of(
            "SHORT_BINUNICODE",
            new PickleWriter().raw(0x8c).raw(255).raw('a'),
            "length 255 exceeds the 2 bytes left in the pickle"),
        Arguments.of(
            "BINBYTES8",
            new PickleWriter().raw(0x8e).int64(1L << 40),
            "length 1099511627776 exceeds the 1 bytes left in the pickle"),
        Arguments.of(
            "BINUNICODE8",
            new PickleWriter().raw(0x8d).int64(-2),
            "length 18446744073709551614 exceeds the 1 bytes left in the pickle"),
        Arguments.of(
            "BYTEARRAY8",
            new PickleWriter().raw(0x96).int64(Long.MAX_VALUE),
            "length 9223372036854775807 exceeds the 1 bytes left in the pickle"),
        Arguments.of(
            "BYTEARRAY8 in a frame",
            new PickleWriter().frame(9).raw(0x96).int64(1).raw(0).raw('.'),
            "length 1 exceeds the 0 bytes left in the frame"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lyingLengths")
  void refusesALengthBeyondTheBytesLeftBeforeAllocating(
      String opcode, PickleWriter body, String problem) {
    byte[] pickle = body.stop().toByteArray();

    assertThatThrownBy(() -> load(pickle))
        .isInstanceOf(BadInputException.class)
        .hasMessageEndingWith(problem);
  }

  @Test
  void memoizeNumbersEntriesByTheMemosSize() throws BadInputException {
    // BINPUT 5 first: MEMOIZE then stores under 1, the memo's size, as Python does.
    byte[] pickle =
        new PickleWriter()
            .proto(4)
            .text("a")
            .raw('q')
            .raw(5)
            .text("b")
            .memoizeTop()
            .mark()
            .memoGet(5)
            .memoGet(1)
            .tuple(2)
            .stop()
            .toByteArray();

    assertThat(((PyTuple) load(pickle)).items()).isEqualTo(List.of("a", "b"));
  }
}
