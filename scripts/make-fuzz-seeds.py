#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz tests (the *FuzzTestInputs folders under each module's
src/test/resources), from the files TensorFlow wrote (testdata/tensorflow), the bad-input corpus
(testdata/bad-input) and a few messages built by hand. Deterministic: the same bytes on every run.

Each seed is one control byte (how the fuzz test uses the rest: see the test's Javadoc) followed by
a file or message. Findings that the fuzzer saved into the same folders are kept.

    python3 scripts/make-fuzz-seeds.py
"""
import gzip
import io
import os
import struct
import sys
import tarfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TF = os.path.join(ROOT, "testdata", "tensorflow")
BAD = os.path.join(ROOT, "testdata", "bad-input")
LIMIT = 10 * 1024  # the most bytes a seed may have


def read(*parts):
    with open(os.path.join(*parts), "rb") as f:
        return f.read()


def seeds(module, package, test_class, method, entries):
    folder = os.path.join(ROOT, module, "src", "test", "resources", *package.split("."),
                          test_class + "Inputs", method)
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.startswith("seed-"):
            os.remove(os.path.join(folder, name))
    written = set()
    for name, control, data in entries:
        seed = bytes([control]) + data
        if seed in written:
            continue  # the same file under another name
        written.add(seed)
        if len(seed) > LIMIT:
            sys.exit(f"seed {name} of {test_class} is {len(seed)} bytes, more than {LIMIT}")
        with open(os.path.join(folder, "seed-" + name), "wb") as f:
            f.write(seed)


# --- TFRecord framing and tf.train.Example, by hand ---------------------------------------------

def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = _crc32c_table()


def masked_crc(data):
    c = 0xFFFFFFFF
    for b in data:
        c = CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    c ^= 0xFFFFFFFF
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame(data):
    n = struct.pack("<Q", len(data))
    return n + struct.pack("<I", masked_crc(n)) + data + struct.pack("<I", masked_crc(data))


def records_of(data):
    out, p = [], 0
    while p + 12 <= len(data):
        (n,) = struct.unpack_from("<Q", data, p)
        out.append(data[p + 12:p + 12 + n])
        p += 16 + n
    return out


def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def tag(field, wire):
    return varint(field << 3 | wire)


def ld(field, payload):
    return tag(field, 2) + varint(len(payload)) + payload


def entry(key, feature):
    return ld(1, ld(1, key) + ld(2, feature))


def example(*entries):
    return ld(1, b"".join(entries))


def bytes_list(*values):
    return ld(1, b"".join(ld(1, v) for v in values))


def floats_packed(*values):
    return ld(2, ld(1, b"".join(struct.pack("<f", v) for v in values)))


def int64s_packed(*values):
    return ld(3, ld(1, b"".join(varint(v) for v in values)))


def groups(depth):
    """An unknown field 15 holding `depth` nested groups."""
    return tag(15, 3) * depth + tag(15, 4) * depth


def hand_made_examples():
    b = bytes_list(b"cat", b"")
    return [
        ("empty", b""),
        ("empty-features", ld(1, b"")),
        ("three-kinds", example(entry(b"b", b), entry(b"f", floats_packed(1.5, -0.0)),
                                entry(b"i", int64s_packed(0, -1, 1 << 40)))),
        ("key-after-value", ld(1, ld(1, ld(2, b) + ld(1, b"b")))),
        ("repeated-key", example(entry(b"k", b), entry(b"k", int64s_packed(7)))),
        ("kind-replaced", example(entry(b"x", b + floats_packed(2.0)))),
        ("kind-comes-back", example(entry(b"x", b + floats_packed(2.0) + bytes_list(b"dog")))),
        ("kind-merged", example(entry(b"x", int64s_packed(1) + int64s_packed(2)))),
        ("unpacked-values", example(
            entry(b"f", ld(2, tag(1, 5) + struct.pack("<f", 3.0) + ld(1, struct.pack("<f", 4.0)))),
            entry(b"i", ld(3, tag(1, 0) + varint(-5) + ld(1, varint(6)))))),
        ("no-kind", example(entry(b"n", b""))),
        ("no-key", example(ld(1, ld(2, b)))),
        ("unknown-fields", tag(9, 0) + varint(3) + example(
            entry(b"u", tag(7, 1) + b"\0" * 8 + b + tag(8, 5) + b"\0" * 4)) + groups(2)),
        ("groups-99", example(entry(b"g", groups(99) + b))),
        ("groups-101", example(entry(b"g", groups(101) + b))),
        ("bad-utf8-key", example(entry(b"\xff\xfe", b), entry(b"ok", b))),
        ("truncated", example(entry(b"t", b))[:-2]),
        ("length-past-end", ld(1, b"")[:-1] + b"\x7f"),
        ("float-list-of-3-bytes", example(entry(b"f", ld(2, ld(1, b"\0\0\0"))))),
        ("varint-11-bytes", example(entry(b"i", ld(3, ld(1, b"\xff" * 10 + b"\x01"))))),
        ("field-zero", b"\x00\x01"),
        ("end-group-alone", tag(3, 4)),
        ("wire-type-6", tag(3, 6)),
    ]


def hand_made_sequences():
    step = bytes_list(b"a")
    return [
        ("sequence-empty-lists", ld(2, b"")),
        ("sequence-steps", ld(1, entry(b"c", int64s_packed(1))) + ld(2, ld(1, ld(1, b"s") + ld(
            2, ld(1, step) + ld(1, floats_packed(1.0)) + ld(1, b""))))),
        ("sequence-merged-lists", ld(2, ld(1, ld(1, b"s") + ld(2, ld(1, step)) + ld(2, ld(1, step))))),
        ("sequence-bad-step", ld(2, ld(1, ld(1, b"s") + ld(2, ld(1, step[:-1]))))),
    ]


def make_records_seeds():
    fashion = read(TF, "records", "fashion-train-500.tfrecord")
    three = b"".join(frame(r) for r in records_of(fashion)[:3])
    kinds = read(TF, "records", "feature-kinds.tfrecord")
    sequence = read(TF, "records", "sequence.tfrecord")
    gz = gzip.compress(three, mtime=0)
    bad = lambda name: read(BAD, "tfrecord", name)
    seeds("millrace-records", "dev.millrace.records", "RecordReaderFuzzTest", "readsOrRejects", [
        ("fashion-3", 0x00, three),
        ("fashion-3-gzip", 0x01, three),
        ("fashion-3-zlib", 0x02, three),
        ("fashion-3-gzip-file", 0x11, gz),
        ("fashion-3-zlib-file", 0x12, zlib.compress(three)),
        ("fashion-3-gzip-cut", 0x21, three),
        ("fashion-3-zlib-cut", 0xE2, three),
        ("fashion-3-limit-64", 0xC0, three),
        ("feature-kinds", 0x00, kinds),
        ("sequence-skip", 0x04, sequence),
        ("lying-length-repaired", 0x08, bad("lying-length.tfrecord")),
        ("huge-length-skip", 0x04, bad("huge-length.tfrecord")),
        ("flipped-data-skip", 0x04, bad("flipped-data.tfrecord")),
        ("flipped-length-crc-skip", 0x04, bad("flipped-length-crc.tfrecord")),
        ("truncated-in-data", 0x00, bad("truncated-in-data.tfrecord")),
        ("truncated-in-crc-zlib", 0x06, bad("truncated-in-crc.tfrecord")),
        ("truncated-in-length", 0x00, bad("truncated-in-length.tfrecord")),
        ("corrupt-gzip-file", 0x15, bad("corrupt.tfrecord.gz")),
        ("corrupt-zlib-file", 0x12, bad("corrupt.tfrecord.zlib")),
        ("gzip-header-only", 0x11, gz[:10]),
    ])
    examples = [("kinds-%d" % i, 0, r) for i, r in enumerate(records_of(kinds))]
    examples.append(("fashion-0", 3, records_of(fashion)[0]))
    examples += [(n, i % 8, b) for i, (n, b) in enumerate(hand_made_examples())]
    seeds("millrace-records", "dev.millrace.records", "ExampleDecoderFuzzTest",
          "agreesWithProtobuf", examples)
    scans = [(n, c & 0xFE, b) for n, c, b in examples]
    scans += [("sequence-%d" % i, 1, r) for i, r in enumerate(records_of(sequence))]
    scans += [(n, 1 | (i % 8) << 1, b) for i, (n, b) in enumerate(hand_made_sequences())]
    seeds("millrace-records", "dev.millrace.records", "ExampleScannerFuzzTest",
          "agreesWithProtobuf", scans)


# --- IDX, CIFAR pickles, tar archives ------------------------------------------------------------

def idx(magic, dims, payload):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + payload


def tar_stream(archive):
    """The tar stream inside a .tar.gz, without the zero blocks that pad it to 10 KiB."""
    data = gzip.decompress(archive).rstrip(b"\0")
    return data + b"\0" * (-len(data) % 512) + b"\0" * 1024


def make_convert_seeds():
    images = idx(0x803, [2, 4, 3], bytes(range(24)))
    labels = idx(0x801, [5], bytes([0, 1, 9, 3, 7]))
    bad = lambda *p: read(BAD, "idx", *p)
    gz = lambda d: gzip.compress(d, mtime=0)
    seeds("millrace-convert", "dev.millrace.convert.internal", "IdxFileFuzzTest", "readsOrRejects", [
        ("images", 0x01, images),
        ("labels", 0x00, labels),
        ("images-gzip", 0x03, images),
        ("labels-gzip-file", 0x04, gz(labels)),
        ("images-empty", 0x01, idx(0x803, [0, 28, 28], b"")),
        ("images-zero-dimension", 0x01, idx(0x803, [1, 0, 28], b"")),
        ("images-lying-dims", 0x01, bad("lying-dims", "train-images-idx3-ubyte")[:1000]),
        ("images-lying-count", 0x01, bad("lying-count", "train-images-idx3-ubyte")),
        ("images-truncated", 0x01, bad("truncated", "train-images-idx3-ubyte")),
        ("images-wrong-magic", 0x01, bad("wrong-magic", "train-images-idx3-ubyte")[:1000]),
        ("labels-lying-count", 0x00, bad("labels-lying-count", "train-labels-idx1-ubyte")),
        ("labels-corrupt-gzip-file", 0x04, bad("corrupt-gzip", "train-labels-idx1-ubyte.gz")),
        ("labels-bomb-dims-file", 0x04, bad("bomb-dims", "train-labels-idx1-ubyte.gz")),
        ("labels-bomb-trailing-file", 0x04, bad("bomb-trailing", "train-labels-idx1-ubyte.gz")),
        ("labels-trailing-byte", 0x00, labels + b"\0"),
    ])
    pickles = os.path.join(ROOT, "millrace-convert", "src", "test", "resources", "dev", "millrace",
                           "convert", "pickles")
    chosen = [
        ("numpy1", "batch-p2-str-empty.pkl"), ("numpy1", "batch-p3-bytes-empty.pkl"),
        ("numpy1", "batch-p2-bytes-scalars.pkl"), ("numpy1", "batch-p3-bytes-int64.pkl"),
        ("numpy1", "batch-p4-str-int32be.pkl"), ("numpy1", "batch-p4-str-list.pkl"),
        ("numpy1", "batch-p5-bytes-uint8.pkl"), ("numpy1", "batch-p5-str-readonly.pkl"),
        ("numpy1", "refuse-p4-nchw.pkl"), ("numpy1", "refuse-p4-fortran.pkl"),
        ("numpy1", "refuse-p4-float-labels.pkl"), ("numpy1", "hostile-p2-system.pkl"),
        ("numpy1", "hostile-p3-eval.pkl"), ("numpy1", "hostile-p5-eval.pkl"),
        ("numpy2", "batch-p2-str-empty.pkl"), ("numpy2", "batch-p5-bytes-scalars.pkl"),
        ("numpy2", "refuse-p5-out-of-band.pkl"),
    ]
    entries = [("%s-%s" % (d, f[:-4]), i % 8, read(pickles, d, f)) for i, (d, f) in enumerate(chosen)]
    entries += [
        ("protocol-0-text", 0, b"(dp0\nS'labels'\np1\n(lp2\nI3\naI7\nas."),
        ("self-appending-list", 0, b"\x80\x02]q\x00h\x00a."),
        ("deep-tuples", 0, b"\x80\x02" + b"(" * 70 + b"t" * 70 + b"."),
        ("empty", 0, b""),
    ]
    seeds("millrace-convert", "dev.millrace.convert.internal", "SafeUnpicklerFuzzTest",
          "loadsOrRejects", entries)
    tars = []
    for name in sorted(os.listdir(os.path.join(BAD, "cifar"))):
        archive = read(BAD, "cifar", name)
        stem = name[:-len(".tar.gz")]
        if len(archive) < LIMIT:
            tars.append((stem + "-file", 0x01, archive))
        try:
            stream = tar_stream(archive)
        except (EOFError, OSError):
            continue
        if len(stream) < LIMIT:
            tars.append((stem, 0x00, stream))
    seeds("millrace-convert", "dev.millrace.convert.internal", "TarReaderFuzzTest",
          "readsOrRejects", tars)


# --- images, checkpoints ----------------------------------------------------------------------------

# Images in every format and pixel type ImageIO writes, made by the JDK itself (there is no image
# library for Python here); run with JDK 25's `java File.java`.
IMAGE_WRITER = r"""
import java.awt.image.BufferedImage;
import java.io.File;
import javax.imageio.ImageIO;

public class ImageSeeds {
  public static void main(String[] args) throws Exception {
    Object[][] images = {
      {"jpeg-rgb", BufferedImage.TYPE_3BYTE_BGR, "jpg"},
      {"jpeg-gray", BufferedImage.TYPE_BYTE_GRAY, "jpg"},
      {"png-rgb", BufferedImage.TYPE_3BYTE_BGR, "png"},
      {"png-gray", BufferedImage.TYPE_BYTE_GRAY, "png"},
      {"png-gray16", BufferedImage.TYPE_USHORT_GRAY, "png"},
      {"png-rgba", BufferedImage.TYPE_INT_ARGB, "png"},
      {"png-indexed", BufferedImage.TYPE_BYTE_INDEXED, "png"},
      {"gif", BufferedImage.TYPE_BYTE_INDEXED, "gif"},
      {"bmp", BufferedImage.TYPE_3BYTE_BGR, "bmp"},
      {"wbmp", BufferedImage.TYPE_BYTE_BINARY, "wbmp"},
      {"tiff", BufferedImage.TYPE_3BYTE_BGR, "tiff"},
    };
    for (Object[] spec : images) {
      BufferedImage img = new BufferedImage(7, 5, (Integer) spec[1]);
      for (int y = 0; y < 5; y++) {
        for (int x = 0; x < 7; x++) {
          img.setRGB(x, y, 0x80000000 | (x * 36) << 16 | (y * 60) << 8 | (x + y) * 20);
        }
      }
      if (!ImageIO.write(img, (String) spec[2], new File(args[0], (String) spec[0]))) {
        throw new IllegalStateException("no writer for " + spec[2]);
      }
    }
  }
}
"""


def jdk_images():
    import subprocess
    import tempfile
    # The JDK the build uses (JDK 25: `java File.java` runs a source file), found as run-tests finds it.
    jdk = subprocess.run(["bash", "-c", ". scripts/find-jdk.sh && millrace_find_jdk"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout.strip()
    java = os.path.join(jdk, "bin", "java")
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "ImageSeeds.java")
        with open(source, "w") as f:
            f.write(IMAGE_WRITER)
        subprocess.run([java, source, tmp], check=True)
        return {name: read(tmp, name) for name in sorted(os.listdir(tmp)) if name != "ImageSeeds.java"}


def checkpoint(variables, crc=True):
    """A Millrace checkpoint (see Checkpoint's Javadoc) of (name, dtype number, dims, data)."""
    body = b"MRCKPT\0\x01" + struct.pack("<I", len(variables))
    for name, dtype, dims, data in variables:
        n = name.encode()
        body += struct.pack("<H", len(n)) + n + bytes([dtype, len(dims)])
        body += b"".join(struct.pack("<q", d) for d in dims) + struct.pack("<Q", len(data)) + data
    return body + (struct.pack("<I", crc32c_plain(body)) if crc else b"")


def crc32c_plain(data):
    c = 0xFFFFFFFF
    for b in data:
        c = CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def iterator_checkpoint(position, stages, magic=0x4D524350, version=1):
    out = struct.pack(">IBqqq", magic, version, 0x1234, 42, position) + struct.pack(">i", len(stages))
    for name, runs in stages:
        n = name.encode()
        out += struct.pack(">H", len(n)) + n + struct.pack(">i", len(runs))
        out += b"".join(struct.pack(">qi", v, c) for v, c in runs)
    return out


def make_data_and_graph_seeds():
    images = [(name, i % 3, data) for i, (name, data) in enumerate(jdk_images().items())]
    for case in sorted(os.listdir(os.path.join(BAD, "images"))):
        for folder in ("cats", "dogs"):
            for name in sorted(os.listdir(os.path.join(BAD, "images", case, folder))):
                images.append(("%s-%s-%s" % (case, folder, name), 0, read(BAD, "images", case, folder, name)))
    seeds("millrace-data", "dev.millrace.data", "ImagesFuzzTest", "decodesOrRejects", images)

    good = [("repeat", [(60000, 3), (59999, 1)]), ("inner", [(7, 1)])]
    seeds("millrace-data", "dev.millrace.data", "IteratorCheckpointFuzzTest", "readsOrRejects", [
        ("no-stages", 0, iterator_checkpoint(0, [])),
        ("two-stages", 0, iterator_checkpoint(123456, good)),
        ("repeated-stage-name", 0, iterator_checkpoint(5, [good[1], good[1]])),
        ("unicode-stage-name", 0, iterator_checkpoint(5, [("r\u00e9p\u00e9t\u00e9", [(1, 2)])])),
        ("negative-count", 0, iterator_checkpoint(5, [("r", [(1, -1)])])),
        ("counts-past-limit", 0, iterator_checkpoint(5, [("r", [(1, 4000), (2, 4000)])])),
        ("negative-position", 0, iterator_checkpoint(-1, good)),
        ("wrong-magic", 0, iterator_checkpoint(0, good, magic=0x4D524351)),
        ("wrong-version", 0, iterator_checkpoint(0, good, version=2)),
        ("truncated", 0, iterator_checkpoint(7, good)[:-5]),
        ("lying-stage-count", 0, iterator_checkpoint(7, good)[:29] + struct.pack(">i", 1 << 30)),
    ])

    f32 = struct.pack("<6f", 1, 2, 3, 4, 5, -0.5)
    variables = [("dense/kernel", 1, [2, 3], f32), ("global_step", 9, [], struct.pack("<q", 412)),
                 ("b\u00e9ta", 2, [1], struct.pack("<d", 0.25)), ("empty", 1, [0, 5], b"")]
    good_file = checkpoint(variables)
    bad = lambda case: read(BAD, "checkpoint", case, "variables-0000000004.mrckpt")
    seeds("millrace-graph", "dev.millrace.graph", "CheckpointFuzzTest", "readsOrRejects", [
        ("four-variables", 0x00, good_file),
        ("four-variables-crc-added", 0x01, good_file[:-4]),
        ("no-variables", 0x01, checkpoint([], crc=False)),
        ("lying-size", 0x01, checkpoint([("v", 1, [2, 3], f32[:-4])], crc=False)),
        ("lying-shape", 0x01, checkpoint([("v", 1, [1 << 40, 1 << 40], f32)], crc=False)),
        ("negative-dimension", 0x01, checkpoint([("v", 1, [-2, -3], f32)], crc=False)),
        ("string-dtype", 0x01, checkpoint([("v", 7, [1], b"x")], crc=False)),
        ("unknown-dtype", 0x01, checkpoint([("v", 200, [1], b"x")], crc=False)),
        ("lying-count", 0x01, b"MRCKPT\0\x01" + struct.pack("<I", 1 << 31)),
        ("bad-magic", 0x01, b"MRCKPT\0\x02" + good_file[8:-4]),
        ("flipped-bit", 0x00, bad("flipped-bit")),
        ("lying-shape-file", 0x00, bad("lying-shape")),
        ("lying-shape-file-crc-added", 0x01, bad("lying-shape")[:-4]),
        ("truncated", 0x00, bad("truncated")),
        ("truncated-crc-added", 0x01, bad("truncated")),
    ])


if __name__ == "__main__":
    make_records_seeds()
    make_convert_seeds()
    make_data_and_graph_seeds()
