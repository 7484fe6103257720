"""Atomic file writes: write to a temporary file in the target's directory, then rename.

An interrupted or failed write therefore never leaves a half-written file under
the target name, and an existing target is either replaced whole or left intact.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

__all__ = ["atomic_path"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it onto ``path`` when the block succeeds.

    Parameters
    ----------
    path : path-like
        Final file name.
    overwrite : bool
        Replace an existing ``path``. Without it an existing target raises
        ``FileExistsError`` (checked before writing, and again at the rename,
        which uses a hard link where the file system allows it so that a file
        created meanwhile is never clobbered). A non-bool (e.g. the string
        ``"no"``, which is truthy) is a ``TypeError``.

    Notes
    -----
    The temporary file keeps the target's suffix (some writers, e.g.
    ``numpy.savez``, append their own suffix otherwise). On any exception,
    including ``KeyboardInterrupt``, the temporary file is removed and the
    exception propagates.
    """
    if not isinstance(overwrite, bool | np.bool_):
        raise TypeError(f"overwrite: expected True or False, got {overwrite!r}")
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"path: {path} is a directory, expected a file name")
    if not overwrite and path.exists():
        raise FileExistsError(f"path: {path} exists (pass overwrite=True / --force to replace it)")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(f"path: directory {parent} does not exist")
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=f".tmp{path.suffix}", dir=parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()  # let the writer create the file itself (some refuse an existing one)
        yield tmp
        if not tmp.exists():
            raise RuntimeError(f"path: the writer did not create {tmp}")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails atomically if path appeared meanwhile
            except FileExistsError:
                raise FileExistsError(
                    f"path: {path} exists (pass overwrite=True / --force to replace it)"
                ) from None
            except OSError:  # file system without hard links
                if path.exists():
                    raise FileExistsError(
                        f"path: {path} exists (pass overwrite=True / --force to replace it)"
                    ) from None
                os.replace(tmp, path)
            else:
                tmp.unlink()
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
