#!/usr/bin/env python3
"""Writes CIFAR-10-format pickles the way Python 3 and numpy write them, for SafeUnpicklerTest and
CifarPython3ConvertTest. See README.md beside this file.

    python3 make_pickles.py [OUT]

writes OUT/numpy<major>/ (OUT defaults to this script's folder) for the numpy it runs under:
batch pickles at protocols 2 to 5, pickles the converter must refuse, a whole
cifar-10-python.tar.gz, and expected.json, which records what every file holds (labels,
SHA-256 of the pixel bytes, the opcodes used) and which Python and numpy wrote it. It also writes
OUT/cifar-10-binary.tar.gz: the same archive's images in CIFAR-10's binary format, which does not
depend on numpy.

Everything is deterministic: the pixels come from SHAKE-128 of a fixed name, tar entries carry
fixed metadata and gzip a zero time stamp, so running it again with the same Python and numpy
rewrites the same bytes.
"""

import gzip
import hashlib
import io
import json
import os
import pickle
import pickletools
import platform
import sys
import tarfile

import numpy as np

IMAGE_BYTES = 3072
LABEL_NAMES = ["airplane", "automobile", "bird", "cat", "deer",
               "dog", "frog", "horse", "ship", "truck"]


def pixels(name, n):
    """n planar 32x32x3 images, pseudo-random bytes that cover every value 0..255."""
    return hashlib.shake_128(("millrace-cifar-" + name).encode()).digest(n * IMAGE_BYTES)


def class_labels(name, n):
    return [b % 10 for b in hashlib.shake_128(("millrace-labels-" + name).encode()).digest(n)]


def batch(name, n, keys, labels_kind, readonly=False):
    """A batch dict as CIFAR-10's own, with str keys (Python 3) or bytes keys (what
    pickle.load(f, encoding='bytes') gives back, re-saved)."""
    raw = pixels(name, n)
    if readonly:
        # An array over an immutable buffer: protocol 5 writes its data as bytes, not bytearray.
        data = np.frombuffer(raw, dtype=np.uint8).reshape(n, IMAGE_BYTES)
    else:
        data = np.array(bytearray(raw), dtype=np.uint8).reshape(n, IMAGE_BYTES)
    labels = class_labels(name, n)
    if labels_kind == "list":
        label_value = list(labels)
    elif labels_kind == "int64":
        label_value = np.array(labels, dtype=np.int64)
    elif labels_kind == "uint8":
        label_value = np.array(labels, dtype=np.uint8)
    elif labels_kind == "int32be":
        label_value = np.array(labels, dtype=">i4")
    elif labels_kind == "scalars":
        # list(np_array): a list of numpy.int64 scalars.
        label_value = list(np.array(labels, dtype=np.int64))
    else:
        raise ValueError(labels_kind)
    text = (lambda s: s.encode("latin-1")) if keys == "bytes" else (lambda s: s)
    d = {
        text("batch_label"): text("batch " + name),
        text("labels"): label_value,
        text("data"): data,
        text("filenames"): [text("%s_%d.png" % (name, i)) for i in range(n)],
    }
    return d, raw, labels


def opcodes(blob):
    return sorted({op.name for op, _, _ in pickletools.genops(blob)})


def describe(blob, protocol, raw=None, labels=None, shape=None, **extra):
    e = {"protocol": protocol, "bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest(),
         "opcodes": opcodes(blob)}
    if raw is not None:
        e["images"] = len(raw) // IMAGE_BYTES
        e["shape"] = shape if shape is not None else [len(raw) // IMAGE_BYTES, IMAGE_BYTES]
        e["data_sha256"] = hashlib.sha256(raw).hexdigest()
        e["labels"] = labels
    e.update(extra)
    return e


class Hostile:
    """Pickles as a call of an arbitrary function: what the converter must never run."""

    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def tar_gz(path, entries):
    """A deterministic .tar.gz of (name, bytes or None for a folder) entries."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, body in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if body is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.mode = 0o644
                info.size = len(body)
                tar.addfile(info, io.BytesIO(body))
    with open(path, "wb") as f:
        with gzip.GzipFile(filename="", fileobj=f, mode="wb", mtime=0) as gz:
            gz.write(buf.getvalue())


# The end-to-end archive: each batch at another protocol, key type and label type.
ARCHIVE_BATCHES = [
    ("data_batch_1", 2, "str", "list"),
    ("data_batch_2", 3, "bytes", "int64"),
    ("data_batch_3", 4, "str", "uint8"),
    ("data_batch_4", 5, "bytes", "scalars"),
    ("data_batch_5", 5, "str", "list"),
    ("test_batch", 4, "bytes", "list"),
]
ARCHIVE_IMAGES = 3


def write_archive(folder, expected, name):
    entries = [("cifar-10-batches-py", None)]
    batches = {}
    for batch_name, protocol, keys, labels_kind in ARCHIVE_BATCHES:
        d, raw, labels = batch("archive-" + batch_name, ARCHIVE_IMAGES, keys, labels_kind)
        blob = pickle.dumps(d, protocol=protocol)
        entries.append(("cifar-10-batches-py/" + batch_name, blob))
        batches[batch_name] = describe(blob, protocol, raw, labels, keys=keys,
                                       labels_kind=labels_kind)
    meta = {"num_cases_per_batch": ARCHIVE_IMAGES, "label_names": LABEL_NAMES, "num_vis": 3072}
    entries.append(("cifar-10-batches-py/batches.meta", pickle.dumps(meta, protocol=4)))
    tar_gz(os.path.join(folder, name), entries)
    expected["archives"][name] = batches


def write_binary_archive(out):
    """The end-to-end archive's images as cifar-10-binary.tar.gz: label byte + 3072 pixels."""
    entries = [("cifar-10-batches-bin", None)]
    for batch_name, _, _, _ in ARCHIVE_BATCHES:
        name = "archive-" + batch_name
        raw = pixels(name, ARCHIVE_IMAGES)
        labels = class_labels(name, ARCHIVE_IMAGES)
        records = b"".join(bytes([labels[i]]) + raw[i * IMAGE_BYTES:(i + 1) * IMAGE_BYTES]
                           for i in range(ARCHIVE_IMAGES))
        entries.append(("cifar-10-batches-bin/" + batch_name + ".bin", records))
    entries.append(("cifar-10-batches-bin/batches.meta.txt",
                    ("\n".join(LABEL_NAMES) + "\n").encode()))
    tar_gz(os.path.join(out, "cifar-10-binary.tar.gz"), entries)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    folder = os.path.join(out, "numpy" + np.__version__.split(".")[0])
    os.makedirs(folder, exist_ok=True)
    expected = {"python": platform.python_version(), "numpy": np.__version__,
                "pickles": {}, "refused": {}, "archives": {}}

    def save(kind, file, blob, entry):
        with open(os.path.join(folder, file), "wb") as f:
            f.write(blob)
        expected[kind][file] = entry

    # Every protocol Python 3 writes, with each key type and each label type.
    for protocol in (2, 3, 4, 5):
        for keys in ("str", "bytes"):
            for labels_kind in ("list", "int64", "uint8", "scalars"):
                name = "p%d-%s-%s" % (protocol, keys, labels_kind)
                d, raw, labels = batch(name, 2, keys, labels_kind)
                blob = pickle.dumps(d, protocol=protocol)
                save("pickles", "batch-%s.pkl" % name, blob,
                     describe(blob, protocol, raw, labels, keys=keys, labels_kind=labels_kind))

    # Big-endian labels; a read-only array (protocol 5 writes bytes); no images at all (protocol 2
    # writes empty bytes as a call of bytes()); and batches over 64 KiB, so that protocols 4 and 5
    # write several frames and the pixels outside them.
    extras = [
        ("batch-p4-str-int32be.pkl", 4, "p4-int32be", 2, "int32be", False),
        ("batch-p5-str-readonly.pkl", 5, "p5-readonly", 2, "list", True),
        ("batch-p2-str-empty.pkl", 2, "p2-empty", 0, "list", False),
        ("batch-p3-bytes-empty.pkl", 3, "p3-empty", 0, "int64", False),
        ("batch-p4-str-large.pkl", 4, "p4-large", 22, "list", False),
        ("batch-p5-bytes-large.pkl", 5, "p5-large", 22, "uint8", False),
    ]
    for file, protocol, name, n, labels_kind, readonly in extras:
        keys = file.split("-")[2]
        d, raw, labels = batch(name, n, keys, labels_kind, readonly)
        blob = pickle.dumps(d, protocol=protocol)
        save("pickles", file, blob,
             describe(blob, protocol, raw, labels, keys=keys, labels_kind=labels_kind))

    # Well-formed pickles that the converter must refuse.
    def reshaped(name, shape, protocol, order="C"):
        d, raw, labels = batch(name, 2, "str", "list")
        d["data"] = np.array(d["data"].reshape(shape), order=order)
        blob = pickle.dumps(d, protocol=protocol)
        return blob, describe(blob, protocol, raw, labels, shape=list(shape), order=order)

    for file, args in [
        ("refuse-p4-nhwc.pkl", ("nhwc", (2, 32, 32, 3), 4)),
        ("refuse-p4-nchw.pkl", ("nchw", (2, 3, 32, 32), 4)),
        ("refuse-p5-fortran.pkl", ("fortran", (2, 3072), 5, "F")),
        ("refuse-p4-fortran.pkl", ("fortran", (2, 3072), 4, "F")),
    ]:
        blob, entry = reshaped(*args)
        save("refused", file, blob, entry)

    d, raw, labels = batch("float-labels", 2, "str", "list")
    d["labels"] = np.array(labels, dtype=np.float32)
    blob = pickle.dumps(d, protocol=4)
    save("refused", "refuse-p4-float-labels.pkl", blob, describe(blob, 4))

    # Protocol 5 with a buffer_callback: the array's bytes are not in the file.
    d, raw, labels = batch("out-of-band", 2, "str", "list")
    buffers = []
    blob = pickle.dumps(d, protocol=5, buffer_callback=buffers.append)
    save("refused", "refuse-p5-out-of-band.pkl", blob, describe(blob, 5))

    # Calls of functions other than numpy's, as Python pickles them: GLOBAL up to protocol 3,
    # STACK_GLOBAL from protocol 4.
    for file, fn, args, protocol in [
        ("hostile-p2-system.pkl", os.system, ("echo pwned",), 2),
        ("hostile-p3-eval.pkl", eval, ("1+1",), 3),
        ("hostile-p4-system.pkl", os.system, ("echo pwned",), 4),
        ("hostile-p5-eval.pkl", eval, ("1+1",), 5),
    ]:
        blob = pickle.dumps({"data": Hostile(fn, args)}, protocol=protocol)
        save("refused", file, blob,
             describe(blob, protocol, call=fn.__module__ + " " + fn.__name__))

    write_archive(folder, expected, "cifar-10-python.tar.gz")
    write_binary_archive(out)

    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
