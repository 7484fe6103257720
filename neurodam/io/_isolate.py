"""Run an HDF5 reader in a forked child, so that a crash of libhdf5 becomes a ``ValueError``.

libhdf5 trusts the bytes of a file more than a reader of untrusted files can: fuzzing the
NWB and retinal readers found damaged files on which it loops forever (see
:mod:`neurodam.io._hdf5`) and others on which it dereferences a wild pointer while h5py
reads an attribute, which kills the Python process with SIGSEGV. Neither can be caught
inside the process. :func:`isolated` therefore runs the whole read in a child made by
``fork`` (cheap: the child shares the parent's memory, copy on write, and has every module
already imported), sends the result or the exception back through a pipe, and turns a
child killed by a signal, or one that does not finish in time, into the reader's usual
``ValueError("path: <file> is not a valid <kind> file (...)")``. Warnings the child emits
are re-emitted in the parent.

Where ``fork`` is not available (Windows) or not safe (macOS), the reader runs in the
calling process, as before.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import select
import signal
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from neurodam.io._errors import invalid, reading
from neurodam.io._hdf5 import check_global_heaps

__all__ = ["guarded_hdf5", "isolated"]

T = TypeVar("T")

_BASE_TIMEOUT = 120.0  # seconds for any file, plus the time to read it at a slow disk's speed
_BYTES_PER_SECOND = 20e6


def _can_fork() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def _timeout(path: Path) -> float:
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return _BASE_TIMEOUT + size / _BYTES_PER_SECOND


def _child(write_fd: int, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    """Body of the forked child: never returns."""
    faulthandler.disable()  # a crash is reported by the parent, not as a stack dump here
    code = 0
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                payload: tuple = ("ok", fn(*args, **kwargs))
            except BaseException as exc:  # sent to the parent, which raises it
                payload = ("error", exc)
        notes = [(str(w.message), w.category) for w in caught]
        try:
            data = pickle.dumps((payload, notes), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an exception that does not pickle: send its text
            data = pickle.dumps((("error", RuntimeError(f"{type(exc).__name__}: {exc}")), []))
        with os.fdopen(write_fd, "wb") as out:
            out.write(data)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _receive(read_fd: int, deadline: float) -> bytes | None:
    """Everything the child writes, or None when ``deadline`` passes first."""
    chunks = []
    with os.fdopen(read_fd, "rb", buffering=0) as inp:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([inp], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = inp.read(1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def isolated(fn: Callable[..., T], *args: Any, path: Path, kind: str, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` run in a forked child; its result or its exception.

    Parameters
    ----------
    fn : callable
        The reader; its result must pickle.
    path : Path
        The file being read (named in the error).
    kind : str
        The file format, as in the reader's other errors (``"NWB spike"``...).

    Raises
    ------
    ValueError
        ``"path: <path> is not a valid <kind> file (libhdf5 crashed ...)"`` when the child
        is killed by a signal, ``"(... did not finish within N s ...)"`` when it hangs.
        Any exception ``fn`` raises is raised again here.
    """
    if not _can_fork():
        return fn(*args, **kwargs)
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(read_fd)
        _child(write_fd, fn, args, kwargs)
    os.close(write_fd)
    limit = _timeout(path)
    data = _receive(read_fd, time.monotonic() + limit)
    if data is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise invalid(path, kind, f"reading it did not finish within {limit:.0f} s (libhdf5 hung)")
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        raise invalid(path, kind, f"libhdf5 crashed ({name}) while reading it")
    if not data:
        raise invalid(path, kind, f"the reading process ended with status {status} and no result")
    try:
        (outcome, value), notes = pickle.loads(data)
    except Exception as exc:  # a result or exception that does not unpickle in the parent
        why = f"its reading process sent back {type(exc).__name__}: {exc}"
        raise invalid(path, kind, why) from exc
    for message, category in notes:
        warnings.warn(message, category, stacklevel=3)
    if outcome == "error":
        raise value
    return value


def guarded_hdf5(fn: Callable[..., T], *args: Any, path: Path, kind: str, **kwargs: Any) -> T:
    """An HDF5 read with both guards: the global-heap check, then :func:`isolated`.

    The check refuses, with a clear message and without a child, the damaged heaps on which
    libhdf5 is known to loop forever; anything else libhdf5 does wrong ends in the child.
    """
    with reading(path, kind):
        check_global_heaps(path, kind)  # before libhdf5 touches a string
    return isolated(fn, *args, path=path, kind=kind, **kwargs)
