"""A guard against a damaged HDF5 global heap that makes libhdf5 loop forever.

Variable-length strings (every NWB attribute, many NWB datasets) live in the file's
global heap collections. When libhdf5 (up to at least 2.0.0) loads a collection, it
walks the objects by their stored sizes; a free-space record (object index 0) whose
size is 0 makes that walk stand still, so the first read of any string of the
collection never returns (it cannot be interrupted from Python either). Fuzzing the NWB
reader found such files: a zeroed run of 16 bytes is enough.

:func:`check_global_heaps` finds the collections by their ``GCOL`` signature (one pass
over the file at memory speed through ``mmap``) and refuses, with a ``ValueError``
naming the file, any collection that libhdf5 would walk forever. It replicates the
walk of ``H5HG__cache_heap_deserialize``; files whose sizes are not 8-byte "lengths"
(never written by h5py) are left to libhdf5.

Reference: The HDF Group, "HDF5 File Format Specification Version 3.0", section III.E
(Global Heap).
"""

from __future__ import annotations

import mmap
from pathlib import Path

from neurodam.io._errors import invalid

__all__ = ["check_global_heaps"]

_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_GCOL = b"GCOL"
_LENGTH = 8  # size of "lengths" in bytes (h5py's and pynwb's files: always 8)
_OBJECT_HEADER = 2 + 2 + 4 + _LENGTH  # index, reference count, reserved, size
_MIN_COLLECTION = 4096  # the smallest collection libhdf5 writes


def _superblock(m: mmap.mmap) -> int | None:
    """Offset of the superblock: 0, 512, 1024, ... (after a user block), or None."""
    at = 0
    while at + len(_SIGNATURE) <= len(m):
        if m[at : at + len(_SIGNATURE)] == _SIGNATURE:
            return at
        at = 512 if at == 0 else 2 * at
    return None


def _length_size(m: mmap.mmap, at: int) -> int | None:
    version = m[at + 8] if at + 9 <= len(m) else None
    field = {0: 14, 1: 14, 2: 10, 3: 10}.get(version)
    return m[at + field] if field is not None and at + field < len(m) else None


def _stalls(m: mmap.mmap, at: int) -> tuple[int | None, bool]:
    """(offset of the record at which libhdf5's walk of the collection at ``at`` stalls,
    or None; whether ``at`` holds a collection at all)."""
    if m[at + 4] != 1:  # collection version 1 only; anything else is not a collection
        return None, False
    size = int.from_bytes(m[at + 8 : at + 8 + _LENGTH], "little")
    end = at + size
    if size < _MIN_COLLECTION or end > len(m):
        return None, False  # not a collection libhdf5 would load
    p = at + 8 + _LENGTH
    while p < end:
        if p + _OBJECT_HEADER > end:  # a tail too short for a header: free space
            break
        index = int.from_bytes(m[p : p + 2], "little")
        length = int.from_bytes(m[p + 8 : p + 8 + _LENGTH], "little")
        need = _OBJECT_HEADER + (length + 7) // 8 * 8 if index > 0 else length
        if need == 0 or need >= 2**63:  # no progress, or a pointer overflow in C
            return p, True
        p += need
    return None, True


def check_global_heaps(path: Path, kind: str) -> int:
    """Refuse an HDF5 file with a global heap collection that libhdf5 would walk forever.

    Returns
    -------
    int
        The number of collections checked (0 for a file without variable-length data,
        or one this check leaves to libhdf5).

    Raises
    ------
    ValueError
        ``"path: <path> is not a valid <kind> file (damaged HDF5 global heap ...)"``.
    """
    checked = 0
    with open(path, "rb") as fh:
        if fh.seek(0, 2) < len(_SIGNATURE):
            return checked
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
            start = _superblock(m)
            if start is None or _length_size(m, start) != _LENGTH:
                return checked
            at = m.find(_GCOL, start)
            while at >= 0:
                if at + 8 + _LENGTH <= len(m):
                    stall, walked = _stalls(m, at)
                    checked += walked
                    if stall is not None:
                        raise invalid(
                            path,
                            kind,
                            f"damaged HDF5 global heap: libhdf5 would never get past the "
                            f"record at byte {stall} of the collection at byte {at}",
                        )
                at = m.find(_GCOL, at + len(_GCOL))
    return checked
