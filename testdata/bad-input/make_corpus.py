#!/usr/bin/env python3
"""Writes Millrace's bad-input corpus: files that are broken, or lie, on purpose.

Run it from anywhere (python3 with numpy):  python3 testdata/bad-input/make_corpus.py

It deletes and rewrites the generated folders next to it (tfrecord/, dataset/, idx/, cifar/,
cifar-bin/, images/, checkpoint/) and leaves this script, cases.tsv and README.md alone. The output
is byte-for-byte the same on every run: fixed seeds, gzip and tar headers without times or owners,
every file written by hand from the format's specification, never by the library under test.
cases.tsv says which command reads which file and what its one-line error must say.
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import struct
import tarfile
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATED = ["tfrecord", "dataset", "idx", "cifar", "cifar-bin", "images", "checkpoint", "graph"]
MIB = 1 << 20


def rng(seed):
    return np.random.default_rng(seed)


def write(relative, data):
    path = os.path.join(HERE, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def flip_bit(data, offset, bit=0):
    b = bytearray(data)
    b[offset] ^= 1 << bit
    return bytes(b)


def gzip_bytes(data):
    """A gzip stream without a file name or time, so that the bytes never change."""
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    return out.getvalue()


def gzip_zeros(header, zero_bytes):
    """header followed by zero_bytes zeros, gzipped chunk by chunk (never all in memory)."""
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
        gz.write(header)
        chunk = bytes(MIB)
        for _ in range(zero_bytes // MIB):
            gz.write(chunk)
        gz.write(bytes(zero_bytes % MIB))
    return out.getvalue()


# --- TFRecord framing: u64 length, u32 masked CRC-32C of the length, data, u32 masked CRC of data.


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC32C_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = CRC32C_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record_header(length):
    n = struct.pack("<Q", length)
    return n + struct.pack("<I", masked_crc(n))


def frame(data):
    return record_header(len(data)) + data + struct.pack("<I", masked_crc(data))


# --- tf.train.Example, protobuf encoded by hand.


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def bytes_feature(value):
    return field(1, field(1, value))  # Feature.bytes_list { value }


def int64_feature(value):
    return field(3, field(1, varint(value & 0xFFFFFFFFFFFFFFFF)))  # Feature.int64_list, packed


def example(features):
    entries = b"".join(
        field(1, field(1, name.encode()) + field(2, feature))
        for name, feature in sorted(features.items())
    )
    return field(1, entries)  # Example.features { feature: map }


def raw_image_example(pixels, label, height, width, depth):
    return example(
        {
            "image": bytes_feature(pixels),
            "label": int64_feature(label),
            "height": int64_feature(height),
            "width": int64_feature(width),
            "depth": int64_feature(depth),
        }
    )


def mnist_like_records(count, seed):
    """count 28x28x1 Examples as millrace convert --from idx writes them."""
    r = rng(seed)
    pixels = r.integers(0, 256, size=(count, 28 * 28), dtype=np.uint8)
    labels = r.integers(0, 10, size=count)
    return [raw_image_example(pixels[i].tobytes(), int(labels[i]), 28, 28, 1) for i in range(count)]


def tfrecord_file(records):
    return b"".join(frame(r) for r in records)


# --- TFRecord files on their own (millrace inspect).


def make_tfrecords():
    records = mnist_like_records(3, seed=1)
    good = tfrecord_file(records)
    first = len(frame(records[0]))  # where record 1 starts
    second_len = len(records[1])
    write("tfrecord/empty.tfrecord.gz", b"")
    # Record 1 cut off: inside its length, inside its data, inside its data CRC.
    write("tfrecord/truncated-in-length.tfrecord", good[: first + 5])
    write("tfrecord/truncated-in-data.tfrecord", good[: first + 12 + second_len // 2])
    write("tfrecord/truncated-in-crc.tfrecord", good[: first + 12 + second_len + 2])
    # One bit of record 1 flipped: in its length CRC, in its data.
    write("tfrecord/flipped-length-crc.tfrecord", flip_bit(good, first + 9, 3))
    write("tfrecord/flipped-data.tfrecord", flip_bit(good, first + 12 + 40, 5))
    # Record 0's length claims 2^62 bytes (its length CRC is right): more than any record may be.
    write("tfrecord/huge-length.tfrecord", record_header(1 << 62) + good)
    # Record 0's length claims 1 GiB, under the limit, in a file of a few kilobytes.
    write("tfrecord/lying-length.tfrecord", record_header(1 << 30) + good)
    # Compressed shards whose deflate data is damaged in the middle.
    gz = bytearray(gzip_bytes(good))
    gz[len(gz) // 2] ^= 0xFF
    write("tfrecord/corrupt.tfrecord.gz", bytes(gz))
    zl = bytearray(zlib.compress(good, 9))
    zl[len(zl) // 2] ^= 0xFF
    write("tfrecord/corrupt.tfrecord.zlib", bytes(zl))
    # A gzip bomb: 32 KiB that inflate to 32 MiB of zeros behind a length that claims 1 GiB.
    write("tfrecord/bomb.tfrecord.gz", gzip_zeros(record_header(1 << 30), 32 * MIB))


# --- Converted data sets: manifest.json plus shards (millrace inspect --verify, train).

SCHEMA = [
    {"name": n, "type": t, "min_length": 1, "max_length": 1, "min_value_bytes": v,
     "max_value_bytes": v, "examples": None, "mixed_types": False}
    for n, t, v in [("depth", "int64", -1), ("height", "int64", -1), ("image", "bytes", 784),
                    ("label", "int64", -1), ("width", "int64", -1)]
]


def manifest(splits):
    """splits: (name, [(file, records, bytes)]) as millrace convert writes them."""
    out = {"format": "tfrecord", "source": "idx:corpus", "splits": []}
    for name, shards in splits:
        schema = [dict(s, examples=sum(r for _, r, _ in shards)) for s in SCHEMA]
        out["splits"].append(
            {
                "name": name,
                "records": sum(r for _, r, _ in shards),
                "compression": "NONE",
                "shards": [
                    {"file": f, "records": r, "bytes": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                    for f, r, b in shards
                ],
                "schema": schema,
            }
        )
    return json.dumps(out, indent=2).encode() + b"\n"


def dataset(folder, train, test, manifest_bytes=None, shard_overrides=None):
    """A data set folder with a train and a test shard; overrides replace the files' bytes."""
    shards = {"train-00000-of-00001.tfrecord": train, "test-00000-of-00001.tfrecord": test}
    splits = [
        ("train", [("train-00000-of-00001.tfrecord", len(train[1]), train[0])]),
        ("test", [("test-00000-of-00001.tfrecord", len(test[1]), test[0])]),
    ]
    for name, (data, _) in shards.items():
        data = (shard_overrides or {}).get(name, data)
        if data is not None:
            write(f"dataset/{folder}/{name}", data)
    write(f"dataset/{folder}/manifest.json", manifest(splits) if manifest_bytes is None else manifest_bytes)


def make_datasets():
    train_records = mnist_like_records(16, seed=2)
    test_records = mnist_like_records(4, seed=3)
    train = (tfrecord_file(train_records), train_records)
    test = (tfrecord_file(test_records), test_records)
    dataset("good", train, test)
    good_manifest = manifest(
        [("train", [("train-00000-of-00001.tfrecord", 16, train[0])]),
         ("test", [("test-00000-of-00001.tfrecord", 4, test[0])])]
    )
    dataset("manifest-missing", train, test, manifest_bytes=b"")
    os.remove(os.path.join(HERE, "dataset/manifest-missing/manifest.json"))
    dataset("manifest-empty", train, test, manifest_bytes=b"")
    dataset("manifest-malformed", train, test, manifest_bytes=good_manifest[: len(good_manifest) // 2])
    m = json.loads(good_manifest)
    m["splits"][0]["shards"][0]["records"] = 17
    m["splits"][0]["records"] = 17
    dataset("manifest-lying-count", train, test, manifest_bytes=json.dumps(m, indent=2).encode())
    m = json.loads(good_manifest)
    m["splits"][0]["shards"][0]["sha256"] = "0" * 64
    dataset("manifest-lying-sha256", train, test, manifest_bytes=json.dumps(m, indent=2).encode())
    m = json.loads(good_manifest)
    m["splits"][0]["shards"][0]["file"] = "../good/train-00000-of-00001.tfrecord"
    dataset("manifest-path-escape", train, test, manifest_bytes=json.dumps(m, indent=2).encode(),
            shard_overrides={"train-00000-of-00001.tfrecord": None})
    m = json.loads(good_manifest)
    m["splits"][1]["shards"][0]["file"] = "test-00000-of-00009.tfrecord"
    dataset("manifest-shard-missing", train, test, manifest_bytes=json.dumps(m, indent=2).encode())
    # The manifest is right about the shards as they were written; since then the train shard lost
    # its last 100 bytes, or had a bit flipped.
    dataset("shard-truncated", train, test, manifest_bytes=good_manifest,
            shard_overrides={"train-00000-of-00001.tfrecord": train[0][:-100]})
    # The manifest is right about the shards as they were written; a bit flipped since then.
    first = len(frame(train_records[0]))
    dataset("shard-flipped-data", train, test, manifest_bytes=good_manifest,
            shard_overrides={"train-00000-of-00001.tfrecord": flip_bit(train[0], 5 * first + 60, 2)})


# --- IDX (MNIST) files (millrace convert --from idx).


def idx(magic, dims, payload):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + payload


def idx_pair(folder, images, labels, gz=False):
    suffix = ".gz" if gz else ""
    write(f"idx/{folder}/train-images-idx3-ubyte{suffix}", gzip_bytes(images) if gz else images)
    write(f"idx/{folder}/train-labels-idx1-ubyte{suffix}", gzip_bytes(labels) if gz else labels)


def make_idx():
    r = rng(4)
    n = 10
    pixels = r.integers(0, 256, size=n * 28 * 28, dtype=np.uint8).tobytes()
    label_bytes = r.integers(0, 10, size=n, dtype=np.uint8).tobytes()
    images = idx(0x803, [n, 28, 28], pixels)
    labels = idx(0x801, [n], label_bytes)
    idx_pair("wrong-magic", idx(0x801, [n, 28, 28], pixels), labels)
    idx_pair("empty", b"", labels)
    idx_pair("lying-count", idx(0x803, [1000, 28, 28], pixels), labels)
    # 60000 images of 65536x65536 pixels: far more than the 1 GiB an IDX file may hold.
    idx_pair("lying-dims", idx(0x803, [60000, 65536, 65536], pixels), labels)
    idx_pair("truncated", images[: 16 + 3 * 784 + 100], labels)
    idx_pair("labels-lying-count", images, idx(0x801, [n + 2], label_bytes))
    gz = bytearray(gzip_bytes(images))
    gz[len(gz) // 2] ^= 0xFF
    write("idx/corrupt-gzip/train-images-idx3-ubyte.gz", bytes(gz))
    write("idx/corrupt-gzip/train-labels-idx1-ubyte.gz", gzip_bytes(labels))
    # Gzip bombs. Ten honest images, then 64 MiB of zeros that the header does not declare:
    # 70 KB on disk.
    write("idx/bomb-trailing/train-images-idx3-ubyte.gz", gzip_zeros(images, 64 * MIB))
    write("idx/bomb-trailing/train-labels-idx1-ubyte.gz", gzip_bytes(labels))
    # A header that declares 2,000,000 images (1.5 GB) over 16 MiB of zeros.
    write("idx/bomb-dims/train-images-idx3-ubyte.gz",
          gzip_zeros(idx(0x803, [2_000_000, 28, 28], b""), 16 * MIB))
    write("idx/bomb-dims/train-labels-idx1-ubyte.gz", gzip_bytes(idx(0x801, [2_000_000], b"")))


# --- CIFAR-10 python archives: pickles in a tar.gz (millrace convert --from cifar10).


class Pickle:
    """Protocol-2 pickles opcode by opcode, as Python 2's cPickle writes them."""

    def __init__(self):
        self.out = bytearray(b"\x80\x02")
        self.memo = 1

    def op(self, code, payload=b""):
        self.out += bytes([code]) + payload
        return self

    def memoize(self):
        self.op(ord("q"), bytes([self.memo]))
        self.memo += 1
        return self

    def integer(self, v):
        if 0 <= v < 256:
            return self.op(ord("K"), bytes([v]))
        if 0 <= v < 65536:
            return self.op(ord("M"), struct.pack("<H", v))
        return self.op(ord("J"), struct.pack("<i", v))

    def string(self, b):
        b = b.encode("latin-1") if isinstance(b, str) else b
        if len(b) < 256:
            return self.op(ord("U"), bytes([len(b)]) + b)
        return self.op(ord("T"), struct.pack("<i", len(b)) + b)

    def global_(self, module, name):
        return self.op(ord("c"), f"{module}\n{name}\n".encode())

    def tuple_(self, n):
        return self.op({0: ord(")"), 1: 0x85, 2: 0x86, 3: 0x87}.get(n, ord("t")))

    def mark(self):
        return self.op(ord("("))

    def uint8_array(self, shape, data):
        """numpy 1.x under Python 2: _reconstruct(ndarray, (0,), 'b'), BUILD (1, shape, dtype, False, data)."""
        self.global_("numpy.core.multiarray", "_reconstruct").memoize()
        self.global_("numpy", "ndarray").memoize()
        self.integer(0).tuple_(1).string("b").tuple_(3).op(ord("R")).memoize()
        self.mark().integer(1)
        for d in shape:
            self.integer(d)
        self.tuple_(len(shape))
        self.global_("numpy", "dtype").memoize()
        self.string("u1").integer(0).integer(1).tuple_(3).op(ord("R")).memoize()
        self.mark().integer(3).string("|").op(ord("N")).op(ord("N")).op(ord("N"))
        self.integer(-1).integer(-1).integer(0).tuple_(8).op(ord("b"))
        self.op(0x89).string(data)
        return self.tuple_(5).op(ord("b"))

    def batch(self, shape, data, labels):
        self.op(ord("}")).memoize().mark()
        self.string("data").memoize().uint8_array(shape, data).memoize()
        self.string("labels").memoize().op(ord("]")).memoize().mark()
        for label in labels:
            self.integer(label)
        self.op(ord("e")).op(ord("u"))
        return self.op(ord("."))

    def bytes(self):
        return bytes(self.out)


def tar_gz(entries):
    """entries: (name, bytes) for files, (name, 'symlink'|'hardlink', target) for links."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for entry in entries:
            info = tarfile.TarInfo(entry[0])
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            if len(entry) == 3:
                info.type = tarfile.SYMTYPE if entry[1] == "symlink" else tarfile.LNKTYPE
                info.linkname = entry[2]
                tar.addfile(info)
            else:
                info.size, info.mode = len(entry[1]), 0o644
                tar.addfile(info, io.BytesIO(entry[1]))
    return raw.getvalue()


def good_cifar_batch(seed, n=2):
    r = rng(seed)
    data = r.integers(0, 256, size=n * 3072, dtype=np.uint8).tobytes()
    labels = [int(x) for x in r.integers(0, 10, size=n)]
    return Pickle().batch((n, 3072), data, labels).bytes()


def hostile(module, name, argument):
    """{'data': module.name(argument)}: GLOBAL, then REDUCE calls it, as a pickle exploit does."""
    p = Pickle().op(ord("}")).memoize().mark().string("data").memoize()
    p.global_(module, name).memoize().string(argument).tuple_(1).op(ord("R")).memoize()
    return p.op(ord("u")).op(ord(".")).bytes()


def make_cifar():
    prefix = "cifar-10-batches-py/"
    write("cifar/empty.tar.gz", b"")
    write("cifar/os-system.tar.gz", gzip_bytes(tar_gz(
        [(prefix + "data_batch_1", hostile("os", "system", "touch /tmp/millrace-pwned"))])))
    write("cifar/builtins-eval.tar.gz", gzip_bytes(tar_gz(
        [(prefix + "data_batch_1", hostile("__builtin__", "eval", "__import__('os').getcwd()"))])))
    # The shape says 10,000 images; the data holds 2.
    lying = Pickle().batch((10000, 3072), bytes(2 * 3072), [0] * 10000).bytes()
    write("cifar/lying-shape.tar.gz", gzip_bytes(tar_gz([(prefix + "data_batch_1", lying)])))
    good = good_cifar_batch(5)
    write("cifar/path-dotdot.tar.gz", gzip_bytes(tar_gz([("../../data_batch_1", good)])))
    write("cifar/path-absolute.tar.gz", gzip_bytes(tar_gz([("/tmp/data_batch_1", good)])))
    write("cifar/symlink.tar.gz", gzip_bytes(tar_gz(
        [(prefix + "data_batch_1", "symlink", "/etc/passwd")])))
    write("cifar/hardlink.tar.gz", gzip_bytes(tar_gz(
        [(prefix + "data_batch_1", "hardlink", "../../etc/shadow")])))
    # A link to another entry, inside the archive: still not a batch file.
    write("cifar/symlink-inside.tar.gz", gzip_bytes(tar_gz(
        [(prefix + "data_batch_2", good), (prefix + "data_batch_1", "symlink", "data_batch_2")])))
    # A complete gzip stream around a tar cut off in the middle of its second entry's data.
    tar = tar_gz([(prefix + "data_batch_1", good), (prefix + "data_batch_2", good_cifar_batch(6))])
    write("cifar/truncated-tar.tar.gz", gzip_bytes(tar[: 512 + 512 * ((len(good) + 511) // 512) + 512 + 1000]))
    # The gzip stream itself cut off.
    whole = gzip_bytes(tar)
    write("cifar/truncated-gzip.tar.gz", whole[: len(whole) // 2])


def make_cifar_bin():
    r = rng(7)
    rows = r.integers(0, 256, size=(3, 3073), dtype=np.uint8)
    rows[:, 0] %= 10
    data = rows.tobytes()
    # data_batch_1.bin ends 2000 bytes into its third record.
    write("cifar-bin/truncated-record.tar.gz", gzip_bytes(tar_gz(
        [("cifar-10-batches-bin/data_batch_1.bin", data[: 2 * 3073 + 2000])])))


# --- Image folders (millrace convert --from images).


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width, height, pixel_rows):
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
            + png_chunk(b"IDAT", zlib.compress(pixel_rows, 9)) + png_chunk(b"IEND", b""))


def small_png(seed):
    r = rng(seed)
    rows = b"".join(b"\x00" + r.integers(0, 256, size=8, dtype=np.uint8).tobytes() for _ in range(8))
    return png(8, 8, rows)


def jpeg_header(width, height):
    """SOI, a JFIF APP0, a baseline frame header (SOF0) for 3 components, then an SOS: enough of
    a JPEG for any header reader; the decoder would be asked for width x height x 3 bytes."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3)
    sof += b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    sos = b"\xff\xda" + struct.pack(">HB", 12, 3) + b"\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
    return b"\xff\xd8" + app0 + sof + sos + bytes(64) + b"\xff\xd9"


def image_folder(folder, bad_name, bad_bytes):
    write(f"images/{folder}/cats/a.png", small_png(8))
    write(f"images/{folder}/dogs/{bad_name}", bad_bytes)


def make_images():
    good = small_png(9)
    image_folder("truncated-png", "b.png", good[: len(good) - 20])
    image_folder("empty-png", "b.png", b"")
    image_folder("not-an-image", "b.png", b"These are notes about the dogs, not a picture.\n")
    # Headers that claim 60000x60000 pixels (3.6 billion) in a few hundred bytes.
    huge_rows = zlib.compress(b"\x00" * 60001 * 4, 9)  # four rows of the image, well-formed
    huge = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0))
            + png_chunk(b"IDAT", huge_rows) + png_chunk(b"IEND", b""))
    image_folder("huge-png", "b.png", huge)
    image_folder("huge-jpeg", "b.jpg", jpeg_header(60000, 60000))
    image_folder("truncated-jpeg", "b.jpg", jpeg_header(32, 32)[:30])


# --- Training checkpoints (millrace train --resume), beside the good data set.


def checkpoint_state(variables):
    return json.dumps(
        {
            "version": 1, "model": "linear", "image_shape": [28, 28, 1], "classes": 10,
            "recipe": {"optimizer": "sgd", "learning_rate": 0.1, "batch": 4, "weight_decay": 0.0,
                       "cosine_decay": False},
            "seed": 0, "augment": False, "shuffle_buffer": 16, "epochs": 2, "next_epoch": 1,
            "step_in_epoch": 0, "global_step": 4, "iterator": None,
            "partial": {"loss_sum": 0.0, "correct": 0, "examples": 0, "wait_nanos": 0,
                        "compute_nanos": 0},
            "history": [{"epoch": 0, "train_loss": 2.3, "train_accuracy": 0.1, "eval_loss": 2.3,
                         "eval_accuracy": 0.1, "images_per_sec": 1000.0, "train_seconds": 0.01}],
            "variables": variables,
        },
        indent=2,
    ).encode() + b"\n"


def mrckpt(tensors):
    """MRCKPT format 1: magic, u32 count, per variable (u16 name length, name, u8 dtype, u8 rank,
    i64 dims, u64 bytes, data), then the CRC-32C of everything before it."""
    body = bytearray(b"MRCKPT\x00\x01") + struct.pack("<I", len(tensors))
    for name, dims, data in tensors:
        n = name.encode()
        body += struct.pack("<H", len(n)) + n + struct.pack("<BB", 1, len(dims))  # 1 = float32
        body += b"".join(struct.pack("<q", d) for d in dims) + struct.pack("<Q", len(data)) + data
    return bytes(body) + struct.pack("<I", crc32c(bytes(body)))


def make_checkpoints():
    r = rng(10)
    weights = r.standard_normal((64, 10)).astype("<f4").tobytes()
    bias = np.zeros(10, dtype="<f4").tobytes()
    good = mrckpt([("dense/kernel", [64, 10], weights), ("dense/bias", [10], bias)])
    name = "variables-0000000004.mrckpt"
    write(f"checkpoint/truncated/{name}", good[: len(good) // 2])
    write(f"checkpoint/truncated/checkpoint.json", checkpoint_state(name))
    write(f"checkpoint/flipped-bit/{name}", flip_bit(good, 1000, 6))
    write(f"checkpoint/flipped-bit/checkpoint.json", checkpoint_state(name))
    # An intact file (its CRC is right) whose first tensor claims 2^20 x 2^20 floats.
    lying = mrckpt([("dense/kernel", [1 << 20, 1 << 20], weights)])
    write(f"checkpoint/lying-shape/{name}", lying)
    write(f"checkpoint/lying-shape/checkpoint.json", checkpoint_state(name))
    write(f"checkpoint/state-malformed/{name}", good)
    write(f"checkpoint/state-malformed/checkpoint.json", checkpoint_state(name)[:200])


# --- TensorFlow GraphDef, protobuf encoded by hand (graph.proto, node_def.proto, attr_value.proto).


def tag_varint(number, value):
    return varint(number << 3) + varint(value & 0xFFFFFFFFFFFFFFFF)


def node(name, op, inputs=(), attrs=()):
    body = field(1, name.encode()) + field(2, op.encode())
    body += b"".join(field(3, i.encode()) for i in inputs)
    body += b"".join(field(5, field(1, k.encode()) + field(2, v)) for k, v in attrs)
    return field(1, body)  # GraphDef.node


def type_attr(dtype):
    return tag_varint(6, dtype)  # AttrValue.type


def shape_proto(dims):
    return b"".join(field(2, tag_varint(1, d)) for d in dims)  # TensorShapeProto.dim { size }


def tensor_attr(dtype, dims, content):
    tensor = tag_varint(1, dtype) + field(2, shape_proto(dims)) + field(4, content)
    return field(8, tensor)  # AttrValue.tensor


def placeholder(name):
    return node(name, "Placeholder", attrs=[("dtype", type_attr(1))])


def make_graphs():
    float_t = [("T", type_attr(1))]
    write("graph/garbage.pb", bytes(range(256)) * 4)
    good = placeholder("x") + node("r", "Relu", ["x"], float_t)
    write("graph/truncated.pb", good[: len(good) - 7])
    write("graph/cycle.pb", placeholder("x") + node("a", "Add", ["x", "c"], float_t)
          + node("b", "Relu", ["a"], float_t) + node("c", "Relu", ["b"], float_t))
    write("graph/dangling.pb", placeholder("x") + node("r", "Relu", ["ghost:0"], float_t))
    write("graph/unsupported.pb", placeholder("x") + node("f", "Frobnicate", ["x"])
          + node("g", "Frobnicate", ["f"]))
    # A Const claiming [2^20, 2^20] floats (4 TiB) with 4 bytes of content.
    write("graph/terabyte-const.pb", node("big", "Const", attrs=[
        ("dtype", type_attr(1)), ("value", tensor_attr(1, [1 << 20, 1 << 20], b"\0" * 4))]))
    # A Const whose 7 content bytes do not fill float [2].
    write("graph/short-const.pb", node("c", "Const", attrs=[
        ("dtype", type_attr(1)), ("value", tensor_attr(1, [2], b"\0" * 7))]))
    write("graph/input.f32", b"\0" * 8)


def main():
    for folder in GENERATED:
        shutil.rmtree(os.path.join(HERE, folder), ignore_errors=True)
    make_tfrecords()
    make_datasets()
    make_idx()
    make_cifar()
    make_cifar_bin()
    make_images()
    make_checkpoints()
    make_graphs()
    total = 0
    for root, _, files in os.walk(HERE):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    print(f"bad-input corpus: {total:,} bytes in {HERE}")


if __name__ == "__main__":
    main()
