"""Event files: :class:`~neurodam.EventTimes` as a compressed ``.npz``.

An event file holds the arrays ``times`` (float64 s, sorted), the single values
``t_start`` and ``t_stop`` (the observation window, s), ``kind`` (a string),
``params`` (the event definition as a JSON object, like ``SpikeTrains.meta``) and
``format`` (``"neurodam.EventTimes/1"``), which tells an event file from a spike file.
No pickles: the arrays are read without ``allow_pickle``.

``params`` goes through JSON: tuples come back as lists, NumPy arrays and scalars as
lists and Python numbers, paths as strings.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from neurodam._validate import check_number
from neurodam.io._errors import invalid, reading
from neurodam.io._meta import meta_from_json, meta_to_json
from neurodam.io._npz import load_arrays, save_arrays, scalar, text
from neurodam.io.arrays import EVENTS_FORMAT, NPZ_FORMAT, numeric_vector
from neurodam.spikes import EventTimes, SpikeTrains

__all__ = ["read_events", "write_events"]

_KIND = ".npz event"
_KEYS = ("times", "t_start", "t_stop")


def _check_suffix(path: Path) -> Path:
    if path.suffix.lower() != ".npz":
        raise ValueError(
            f"path: event files are .npz archives, got the suffix {path.suffix or '(none)'!r} "
            f"in {str(path)!r}"
        )
    return path


def write_events(events: EventTimes, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write ``events`` to a compressed ``.npz`` event file, atomically.

    The data go to a temporary file in the same folder, renamed onto ``path`` when
    complete: an interrupted write leaves neither a partial file nor the temporary one.

    Parameters
    ----------
    events : EventTimes
        The events, their window, kind and parameters.
    path : path-like
        Target file; its suffix must be ``.npz``.
    overwrite : bool
        Replace an existing file (else ``FileExistsError``).

    Returns
    -------
    pathlib.Path
        The written path.

    Raises
    ------
    TypeError
        ``events`` is not an :class:`EventTimes`; ``overwrite`` is not a bool.
    ValueError
        The suffix is not ``.npz``; ``events.kind`` holds a NUL character.
    FileExistsError
        ``path`` exists and ``overwrite`` is False.

    Examples
    --------
    >>> from neurodam import io
    >>> from neurodam.spikes import EventTimes
    >>> ev = EventTimes([0.1, 0.4], t_start=0.0, t_stop=1.0, kind="switches", params={"q": 0.8})
    >>> io.read_events(io.write_events(ev, "switches.npz")) == ev  # doctest: +SKIP
    True
    """
    if isinstance(events, SpikeTrains):
        raise TypeError("events: expected an EventTimes, got SpikeTrains (use io.write)")
    if not isinstance(events, EventTimes):
        raise TypeError(f"events: expected an EventTimes, got {type(events).__name__}")
    if "\x00" in events.kind:
        # NumPy strings drop trailing NULs: such a kind would not come back the same
        raise ValueError(f"events: kind {events.kind!r} holds a NUL character; .npz cannot keep it")
    path = _check_suffix(Path(path))
    return save_arrays(
        path,
        {
            "times": events.times,
            "t_start": np.float64(events.t_start),
            "t_stop": np.float64(events.t_stop),
            "kind": np.str_(events.kind),
            "params": np.str_(meta_to_json(events.params)),
            "format": np.str_(EVENTS_FORMAT),
        },
        overwrite=overwrite,
    )


def read_events(path: str | os.PathLike) -> EventTimes:
    """Read an event file written by :func:`write_events`.

    Parameters
    ----------
    path : path-like
        A ``.npz`` event file.

    Returns
    -------
    EventTimes
        Equal (``==``) to the events written, with JSON-decoded ``params``.

    Raises
    ------
    ValueError
        ``"path: <path> is not a valid .npz event file (...)"`` for a spike file
        (with a pointer to :func:`neurodam.io.read`), a damaged archive, or arrays
        that do not make a valid :class:`EventTimes`; also for a suffix other
        than ``.npz``.
    FileNotFoundError
        ``path`` does not exist.
    """
    path = _check_suffix(Path(path))
    if not path.exists():
        raise FileNotFoundError(f"path: no such file: {path}")
    data = load_arrays(path, _KIND)
    with reading(path, _KIND):
        fmt = text(data, "format", path, _KIND) if "format" in data else None
        if fmt == NPZ_FORMAT or "senders" in data:
            raise invalid(
                path, _KIND, "it is a spike file (SpikeTrains): read it with neurodam.io.read"
            )
        if fmt is not None and fmt != EVENTS_FORMAT:
            raise invalid(path, _KIND, f"unknown format {fmt!r}, expected {EVENTS_FORMAT!r}")
        missing = [k for k in _KEYS if k not in data]
        if missing:
            raise invalid(path, _KIND, f"missing arrays {missing}; found {sorted(data)}")
        params = (
            meta_from_json(text(data, "params", path, _KIND), "params")
            if ("params" in data)
            else {}
        )
        return EventTimes(
            numeric_vector(data["times"], "times", path, _KIND, "fiu"),
            t_start=check_number(scalar(data, "t_start", path, _KIND), "t_start"),
            t_stop=check_number(scalar(data, "t_stop", path, _KIND), "t_stop"),
            kind=text(data, "kind", path, _KIND) if "kind" in data else "events",
            params=params,
        )
