"""Plain array formats: NumPy ``.npz`` and ``.csv`` (columns ``time,neuron``).

``.npz`` (compressed) holds the arrays ``times`` (float64 s), ``senders`` (int64),
the scalars ``n_neurons``, ``t_start``, ``t_stop``, ``meta`` (a JSON string) and
``format`` (``"neurodam.SpikeTrains/1"``). No pickles: files load with
``allow_pickle=False``.

``.csv`` is one spike per line under the header ``time,neuron`` (seconds, id).
An optional leading comment line ``# n_neurons=N t_start=T0 t_stop=T1`` keeps
the silent neurons and the observation window, and an optional ``# meta={json}``
line the metadata; files without them are read too (then ``n_neurons`` is
``max(id) + 1`` and the window spans the spikes, unless given as arguments).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from neurodam._validate import check_int, check_number
from neurodam.io._atomic import atomic_path
from neurodam.io._errors import invalid, reading
from neurodam.io._meta import meta_from_json, meta_to_json
from neurodam.io._npz import load_arrays, save_arrays, scalar, text
from neurodam.spikes import EventTimes, SpikeTrains

__all__ = ["read_csv", "read_npz", "write_csv", "write_npz"]

NPZ_FORMAT = "neurodam.SpikeTrains/1"
EVENTS_FORMAT = "neurodam.EventTimes/1"
_NPZ_KEYS = ("times", "senders", "n_neurons", "t_start", "t_stop")
_NPZ_KIND = ".npz spike"
_CSV_KIND = ".csv spike"
# float64 holds every integer up to 2**53 exactly: larger ids in a csv file cannot be exact
_CSV_MAX_ID = 2**53


def _check_spikes(spikes: object) -> SpikeTrains:
    if isinstance(spikes, EventTimes):
        raise TypeError("spikes: expected a SpikeTrains, got EventTimes (use io.write_events)")
    if not isinstance(spikes, SpikeTrains):
        raise TypeError(f"spikes: expected a SpikeTrains, got {type(spikes).__name__}")
    return spikes


def numeric_vector(a: np.ndarray, key: str, path: Path, kind: str, kinds: str) -> np.ndarray:
    """``a`` if it is 1-D with a dtype kind in ``kinds``; else ``invalid``."""
    if a.dtype.kind not in kinds:
        raise invalid(path, kind, f"{key!r}: expected numbers, got dtype {a.dtype}")
    if a.ndim != 1:
        raise invalid(path, kind, f"{key!r}: expected a 1-D array, got shape {a.shape}")
    return a


# --------------------------------------------------------------------- npz
def write_npz(spikes: SpikeTrains, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write ``spikes`` to a compressed ``.npz`` file (atomically). Returns the path."""
    spikes = _check_spikes(spikes)
    return save_arrays(
        Path(path),
        {
            "times": spikes.times,
            "senders": spikes.senders,
            "n_neurons": np.int64(spikes.n_neurons),
            "t_start": np.float64(spikes.t_start),
            "t_stop": np.float64(spikes.t_stop),
            "meta": np.str_(meta_to_json(spikes.meta)),
            "format": np.str_(NPZ_FORMAT),
        },
        overwrite=overwrite,
    )


def read_npz(path: str | os.PathLike) -> SpikeTrains:
    """Read a ``.npz`` spike file written by :func:`write_npz`.

    Files written by other tools are read too when they hold the arrays ``times``
    (1-D, seconds) and ``senders`` (1-D, integer ids) and the single values
    ``n_neurons``, ``t_start`` and ``t_stop``; ``meta`` (a JSON string) is optional.

    Raises
    ------
    ValueError
        ``"path: <path> is not a valid .npz spike file (...)"`` for any other
        content: a damaged archive, missing or malformed arrays, or spikes that
        do not make a valid :class:`SpikeTrains`. An event file (written by
        :func:`~neurodam.io.write_events`) is refused with a pointer to
        :func:`~neurodam.io.read_events`.
    FileNotFoundError
        ``path`` does not exist.
    """
    path = Path(path)
    data = load_arrays(path, _NPZ_KIND)
    with reading(path, _NPZ_KIND):
        if "format" in data and text(data, "format", path, _NPZ_KIND) == EVENTS_FORMAT:
            raise invalid(
                path,
                _NPZ_KIND,
                "it is an event file (EventTimes): read it with neurodam.io.read_events",
            )
        missing = [k for k in _NPZ_KEYS if k not in data]
        if missing:
            raise invalid(path, _NPZ_KIND, f"missing arrays {missing}; found {sorted(data)}")
        meta = meta_from_json(text(data, "meta", path, _NPZ_KIND)) if "meta" in data else {}
        return SpikeTrains(
            numeric_vector(data["times"], "times", path, _NPZ_KIND, "fiu"),
            numeric_vector(data["senders"], "senders", path, _NPZ_KIND, "fiu"),
            n_neurons=check_int(scalar(data, "n_neurons", path, _NPZ_KIND), "n_neurons", min=0),
            t_start=check_number(scalar(data, "t_start", path, _NPZ_KIND), "t_start"),
            t_stop=check_number(scalar(data, "t_stop", path, _NPZ_KIND), "t_stop"),
            meta=meta,
        )


# --------------------------------------------------------------------- csv
def write_csv(spikes: SpikeTrains, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write ``spikes`` as ``time,neuron`` lines with a ``# n_neurons=...`` header (atomically).

    Times are written with Python's shortest round-trip ``repr``, so reading
    the file back gives bit-identical float64 values.
    """
    spikes = _check_spikes(spikes)
    path = Path(path)
    lines = [
        f"# n_neurons={spikes.n_neurons} t_start={spikes.t_start!r} t_stop={spikes.t_stop!r}",
    ]
    if spikes.meta:
        lines.append(f"# meta={meta_to_json(spikes.meta)}")
    lines.append("time,neuron")
    lines.extend(
        f"{t!r},{i}" for t, i in zip(spikes.times.tolist(), spikes.senders.tolist(), strict=True)
    )
    with atomic_path(path, overwrite=overwrite) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def _parse_header(line: str, path: Path) -> dict[str, float | int]:
    out: dict[str, float | int] = {}
    for token in line.split():
        key, eq, value = token.partition("=")
        if not eq or key not in ("n_neurons", "t_start", "t_stop"):
            continue
        try:
            out[key] = int(value) if key == "n_neurons" else float(value)
        except ValueError:
            raise invalid(path, _CSV_KIND, f"bad header value {token!r}") from None
    return out


def _read_csv_body(path: Path) -> tuple[np.ndarray, np.ndarray, dict, dict]:
    """(times, ids as float64, header fields, meta) of a csv spike file."""
    header: dict[str, float | int] = {}
    meta: dict = {}
    with open(path, encoding="utf-8") as fh:
        line = fh.readline()
        while line and (line.startswith("#") or not line.strip()):
            body = line.lstrip("#").strip()
            if body.startswith("meta="):
                meta = meta_from_json(body[len("meta=") :])
            else:
                header.update(_parse_header(body, path))
            line = fh.readline()
        if not line:
            raise invalid(path, _CSV_KIND, "no 'time,neuron' header line")
        columns = [c.strip().lower() for c in line.split(",")]
        if sorted(columns) != ["neuron", "time"]:
            raise invalid(path, _CSV_KIND, f"expected the header 'time,neuron', got {line!r}")
        with warnings.catch_warnings():
            # only the "no data" warning of an empty body (a file with no spikes)
            warnings.filterwarnings(
                "ignore", message="loadtxt: input contained no data", category=UserWarning
            )
            data = np.loadtxt(fh, delimiter=",", ndmin=2, dtype=np.float64)
    if data.size == 0:
        data = np.empty((0, 2))
    if data.shape[1] != 2:
        raise invalid(path, _CSV_KIND, f"expected 2 columns, got {data.shape[1]}")
    ids = data[:, columns.index("neuron")]
    outside = np.flatnonzero(~(np.abs(ids) <= _CSV_MAX_ID))
    if outside.size:
        k = int(outside[0])
        raise invalid(
            path,
            _CSV_KIND,
            f"neuron ids must be integers in [0, 2**53]; got {ids[k]!r} on data line {k + 1}",
        )
    return data[:, columns.index("time")], ids, header, meta


def read_csv(
    path: str | os.PathLike,
    *,
    n_neurons: int | None = None,
    t_start: float | None = None,
    t_stop: float | None = None,
) -> SpikeTrains:
    """Read a ``time,neuron`` CSV spike file.

    Parameters
    ----------
    path : path-like
        The file. Leading ``#`` lines may hold ``n_neurons=``, ``t_start=``,
        ``t_stop=`` and ``meta={json}``; the first other line is the header
        (``time`` and ``neuron`` columns, in either order).
    n_neurons, t_start, t_stop : optional
        Override (or supply, for files without the comment line) these fields.

    Raises
    ------
    ValueError
        ``"path: <path> is not a valid .csv spike file (...)"`` for any content
        that does not make a valid :class:`SpikeTrains`.
    """
    path = Path(path)
    if n_neurons is not None:
        n_neurons = check_int(n_neurons, "n_neurons", min=0)
    if t_start is not None:
        t_start = check_number(t_start, "t_start", what="a time in seconds")
    if t_stop is not None:
        t_stop = check_number(t_stop, "t_stop", what="a time in seconds")
    with reading(path, _CSV_KIND):
        times, ids, header, meta = _read_csv_body(path)
        return SpikeTrains(
            times,
            ids,
            n_neurons=n_neurons if n_neurons is not None else header.get("n_neurons"),
            t_start=t_start if t_start is not None else header.get("t_start"),
            t_stop=t_stop if t_stop is not None else header.get("t_stop"),
            meta=meta,
        )
