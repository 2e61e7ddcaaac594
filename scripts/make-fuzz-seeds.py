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
    for name, control, data in entries:
        seed = bytes([control]) + data
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


if __name__ == "__main__":
    make_records_seeds()
