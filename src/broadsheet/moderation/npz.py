"""The shipped models' files (`data/<kind>.npz`, written by bench/models/build.py with
numpy's `savez_compressed`), read without numpy: importing numpy costs a web worker about
18 MB of its 150, and nothing else the site does needs it.

An .npz is a zip of .npy files, each a short header (a Python literal naming the type and
the shape) and the raw values. Only what the build writes is read: little-endian floats
(a one-dimensional array or a scalar) and a Unicode scalar. Anything else, pickled objects
above all, is refused, as numpy's `allow_pickle=False` would.
"""

from __future__ import annotations

import array
import ast
import re
import struct
import zipfile
from typing import IO

_MAGIC = b"\x93NUMPY"
_FLOATS = {"<f2": "e", "<f4": "f", "<f8": "d"}  # .npy type -> struct format
_TEXT = re.compile(r"<U(\d+)")
_CHUNK = 8192


def read(file: IO[bytes]) -> dict[str, array.array[float] | float | str]:
    """Every array of an .npz file by name: a float array as float32 (array "f"), a float
    scalar as a float, a Unicode scalar as a str. Raises ValueError for anything else."""
    with zipfile.ZipFile(file) as archive:
        return {
            name.removesuffix(".npy"): _value(archive.read(name), name)
            for name in archive.namelist()
        }


def _value(data: bytes, name: str) -> array.array[float] | float | str:
    if not data.startswith(_MAGIC) or len(data) < 10:
        raise ValueError(f"{name} is not an .npy array.")
    major = data[6]
    size_format, encoding = ("<H", "latin-1") if major == 1 else ("<I", "utf-8")
    start = 8 + struct.calcsize(size_format)
    (header_length,) = struct.unpack_from(size_format, data, 8)
    header = ast.literal_eval(data[start : start + header_length].decode(encoding))
    body = data[start + header_length :]
    descr, shape = header.get("descr"), tuple(header.get("shape", ()))
    if header.get("fortran_order") or len(shape) > 1:
        raise ValueError(f"{name}: only flat arrays are read, not {shape}.")
    if descr in _FLOATS:
        code = _FLOATS[descr]
        count, size = (shape[0] if shape else 1), struct.calcsize(code)
        if len(body) < count * size:
            raise ValueError(f"{name} is cut short.")
        if not shape:
            return float(struct.unpack_from(f"<{code}", body)[0])
        values = array.array("f")
        # In pieces: all 262,144 weights at once would pass through 8 MB of Python floats.
        for start in range(0, count, _CHUNK):
            piece = min(_CHUNK, count - start)
            values.extend(struct.unpack_from(f"<{piece}{code}", body, start * size))
        return values
    if (text := _TEXT.fullmatch(str(descr))) and not shape:
        return body[: 4 * int(text.group(1))].decode("utf-32-le").rstrip("\0")
    raise ValueError(f"{name} holds {descr!r} values, which the models never do.")
