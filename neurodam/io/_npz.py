"""The ``.npz`` container shared by the spike and event files: checked loading, atomic saving.

:func:`load_arrays` reads the ``.npy`` members of a zip archive itself instead of
``numpy.load``, so that a damaged archive is refused before anything is allocated: a
member whose header claims more bytes than the member holds (a flipped shape digit would
otherwise make NumPy allocate hundreds of GiB), an object array (a pickle), or an
unknown ``.npy`` version is a ``ValueError`` naming the file, like every other defect
(see :mod:`neurodam.io._errors`). Each member is read to its end, so that zipfile
verifies its CRC-32: damaged data are refused, not returned.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from neurodam.io._atomic import atomic_path
from neurodam.io._errors import invalid, reading

__all__ = ["load_arrays", "save_arrays", "scalar", "text"]

_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, kind: str) -> np.ndarray:
    key = info.filename[: -len(".npy")]
    with reading(path, kind, f"array {key!r}: "), zf.open(info) as fh:
        version = np.lib.format.read_magic(fh)
        if version not in _HEADER_READERS:
            raise invalid(path, kind, f"array {key!r}: unsupported .npy version {version}")
        shape, fortran, dtype = _HEADER_READERS[version](fh)
        if dtype.hasobject:
            raise invalid(path, kind, f"array {key!r} holds Python objects (pickles are refused)")
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > info.file_size:
            raise invalid(
                path,
                kind,
                f"array {key!r}: its header claims shape {shape} ({nbytes} bytes) but the "
                f"archive member holds {info.file_size} bytes",
            )
        data = fh.read(nbytes)
        if len(data) != nbytes:
            raise invalid(path, kind, f"array {key!r} is truncated ({len(data)} of {nbytes} bytes)")
        if fh.read(1):  # also makes zipfile check the member's CRC at its end
            raise invalid(path, kind, f"array {key!r} holds more data than its shape {shape}")
    if nbytes == 0:
        return np.empty(shape, dtype=dtype)
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def load_arrays(path: Path, kind: str) -> dict[str, np.ndarray]:
    """Every ``.npy`` member of the archive ``path``, by name without ``.npy``.

    Raises ``ValueError("path: <path> is not a valid <kind> file (...)")`` for any
    damaged archive or member, ``FileNotFoundError`` for a missing file.
    """
    with reading(path, kind), zipfile.ZipFile(path) as zf:
        return {
            info.filename[: -len(".npy")]: _member(zf, info, path, kind)
            for info in zf.infolist()
            if info.filename.endswith(".npy")
        }


def save_arrays(path: Path, arrays: Mapping[str, np.ndarray], overwrite: bool) -> Path:
    """Write ``arrays`` as a compressed ``.npz`` at ``path``, atomically. Returns ``path``."""
    with atomic_path(path, overwrite=overwrite) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    return path


def scalar(arrays: Mapping[str, np.ndarray], key: str, path: Path, kind: str):
    """The single value stored under ``key`` (a 0-d or one-element array) as a Python scalar."""
    a = arrays[key]
    if a.size != 1 or a.ndim > 1:
        raise invalid(path, kind, f"{key!r}: expected a single value, got shape {a.shape}")
    return a.reshape(()).item()


def text(arrays: Mapping[str, np.ndarray], key: str, path: Path, kind: str) -> str:
    """The single string stored under ``key``."""
    a = arrays[key]
    if a.dtype.kind != "U":
        raise invalid(path, kind, f"{key!r}: expected a string, got dtype {a.dtype}")
    return str(scalar(arrays, key, path, kind))
