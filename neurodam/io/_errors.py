"""How the readers report a file that is not a valid file of its format.

A reader promises one outcome for any content of an existing, readable file: a valid
object, or a ``ValueError`` whose message starts with ``"path: <file> is not a valid
..."``. The parsers underneath (zipfile, zlib, the ``.npy`` format, h5py, hdmf/pynwb)
raise many kinds of exceptions for a damaged file; :func:`reading` turns them into that
one ``ValueError`` and keeps the original as its ``__cause__``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

__all__ = ["invalid", "reading"]

# Not about the content of the file: the file is missing, unreadable or a folder, or the
# machine ran out of memory. These propagate unchanged.
_PASS_THROUGH = (FileNotFoundError, PermissionError, IsADirectoryError, MemoryError)


def invalid(path: Path, kind: str, why: object) -> ValueError:
    """``ValueError("path: <path> is not a valid <kind> file (<why>)")``."""
    return ValueError(f"path: {path} is not a valid {kind} file ({why})")


def _names_path(exc: BaseException, path: Path) -> bool:
    return str(exc).startswith(f"path: {path} ")


@contextlib.contextmanager
def reading(path: Path, kind: str, where: str = "") -> Iterator[None]:
    """Turn any exception raised while parsing ``path`` into :func:`invalid`.

    A ``ValueError`` that already names ``path`` passes unchanged; so do the
    exceptions that say nothing about the content (``FileNotFoundError``,
    ``PermissionError``, ``IsADirectoryError``, ``MemoryError``). Any other
    ``Exception`` becomes ``ValueError("path: <path> is not a valid <kind> file
    (<where><Type>: <message>)")`` chained to the original; ``where`` (e.g.
    ``"array 'times': "``) says which part of the file was being read.
    """
    try:
        yield
    except _PASS_THROUGH:
        raise
    except ValueError as exc:
        if _names_path(exc, path):
            raise
        raise invalid(path, kind, f"{where}{exc}") from exc
    except RecursionError as exc:  # e.g. JSON nested deeper than the interpreter's limit
        raise invalid(path, kind, f"{where}nested too deeply to parse ({exc})") from exc
    except Exception as exc:  # the parsers' exception zoo, see the docstring
        raise invalid(path, kind, f"{where}{type(exc).__name__}: {exc}") from exc
