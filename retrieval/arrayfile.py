"""One file of named numpy arrays and a JSON header, read back by memory map.

Layout: MAGIC, each array's raw bytes at an offset aligned to ALIGNMENT, then the JSON
header, its length (8 bytes, little-endian) and its CRC-32 (4 bytes) at the very end. The
header gives each array's dtype, shape, offset and CRC-32, and the caller's own metadata.
Written last, it lets a writer make the arrays one at a time and drop each once written.

Reading maps the file and returns arrays that are views of the mapping: nothing is copied
or read until it is used, and processes reading one file share its pages. So a load checks
the header, the file's size and the CRCs of the arrays named `checked` (those the caller
reads whole anyway); the others are checked only with `verify=True`, since checking means
reading every byte. Files are written to a temporary name and renamed, so a reader sees a
whole file or none, never half of one.
"""

from __future__ import annotations

import json
import mmap
import os
import tempfile
import zlib
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

MAGIC = b"CITEBOT-ARRAYS-2"
# Arrays start at multiples of this, so that every dtype is aligned in the mapping.
ALIGNMENT = 64
_START = -(-len(MAGIC) // ALIGNMENT) * ALIGNMENT  # where the first array starts
_LENGTH_BYTES = 8
_CRC_BYTES = 4
_TRAILER = _LENGTH_BYTES + _CRC_BYTES


class ArrayFileError(Exception):
    """A file that is not a whole, intact array file of this format."""


def _crc(data: Any) -> int:
    return zlib.crc32(memoryview(data).cast("B")) if len(memoryview(data)) else 0


def write(
    path: Path,
    arrays: Mapping[str, npt.NDArray[Any] | Callable[[], npt.NDArray[Any]]],
    meta: Mapping[str, Any],
    checked: Collection[str],
) -> None:
    """Write `arrays` and `meta` (JSON-serialisable) to `path` atomically; OSError on failure.

    An array may be given as a function that makes it, called when its turn comes, so that
    big arrays need not all be in memory at once. `checked` names the arrays whose CRC
    every read verifies.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(MAGIC)
            entries: dict[str, dict[str, Any]] = {}
            offset = end = 0
            for name, given in arrays.items():
                array = np.ascontiguousarray(given() if callable(given) else given)
                entries[name] = {
                    "dtype": array.dtype.str,
                    "shape": list(array.shape),
                    "offset": offset,
                    "crc": _crc(array.data),
                    "checked": name in checked,
                }
                handle.seek(_START + offset)
                handle.write(array.data)
                end = offset + array.nbytes
                offset += -(-array.nbytes // ALIGNMENT) * ALIGNMENT
                del array
            # The data's exact length: a file cut or grown anywhere is refused.
            layout = {"meta": dict(meta), "arrays": entries, "data_bytes": end}
            header = json.dumps(layout).encode("utf-8")
            handle.seek(_START + end)
            handle.write(header + len(header).to_bytes(_LENGTH_BYTES, "little"))
            handle.write(zlib.crc32(header).to_bytes(_CRC_BYTES, "little"))
            handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _header(handle: BinaryIO, size: int) -> tuple[dict[str, Any], int]:
    """The parsed header and the offset where the data starts; ArrayFileError if damaged."""
    if size < _START + _TRAILER or handle.read(len(MAGIC)) != MAGIC:
        raise ArrayFileError("not an array file of this format")
    handle.seek(size - _TRAILER)
    trailer = handle.read(_TRAILER)
    length = int.from_bytes(trailer[:_LENGTH_BYTES], "little")
    if length > size - _START - _TRAILER:
        raise ArrayFileError("truncated or damaged header")
    handle.seek(size - _TRAILER - length)
    header = handle.read(length)
    if zlib.crc32(header) != int.from_bytes(trailer[_LENGTH_BYTES:], "little"):
        raise ArrayFileError("header checksum mismatch")
    try:
        parsed = json.loads(header)
        if not isinstance(parsed, dict) or not isinstance(parsed.get("meta"), dict):
            raise TypeError("not a mapping")
        data_bytes = int(parsed["data_bytes"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ArrayFileError(f"unreadable header: {exc}") from None
    if size != _START + data_bytes + length + _TRAILER:
        raise ArrayFileError(f"{size} bytes, not what was written")
    return parsed, _START


def read_meta(path: Path) -> dict[str, Any]:
    """Only the caller's metadata of an array file, its arrays left unread."""
    with open(path, "rb") as handle:
        parsed, _ = _header(handle, os.fstat(handle.fileno()).st_size)
    meta: dict[str, Any] = parsed["meta"]
    return meta


def read(path: Path, *, verify: bool = False) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
    """The arrays (read-only views of a mapping of the file) and metadata written by `write`.

    Raises FileNotFoundError if there is no file, ArrayFileError if it is not whole or a
    checked CRC differs (all CRCs with `verify`).
    """
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        parsed, start = _header(handle, size)
        data_end = start + int(parsed["data_bytes"])
        mapping = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    meta: dict[str, Any] = parsed["meta"]
    arrays: dict[str, npt.NDArray[Any]] = {}
    try:
        for name, entry in parsed["arrays"].items():
            dtype = np.dtype(entry["dtype"])
            if dtype.hasobject:
                raise ArrayFileError(f"array {name!r} holds objects")
            shape = tuple(int(n) for n in entry["shape"])
            count = int(np.prod(shape, dtype=np.int64))
            at = start + int(entry["offset"])
            if count < 0 or at < start or at + count * dtype.itemsize > data_end:
                raise ArrayFileError(f"array {name!r} lies beyond the end of the file")
            array = np.frombuffer(mapping, dtype=dtype, count=count, offset=at).reshape(shape)
            if (verify or entry["checked"]) and _crc(array.data) != int(entry["crc"]):
                raise ArrayFileError(f"array {name!r}: checksum mismatch")
            arrays[name] = array
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ArrayFileError(f"inconsistent header: {exc}") from None
    return arrays, meta
