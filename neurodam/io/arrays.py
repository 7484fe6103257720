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
import zipfile
from pathlib import Path

import numpy as np

from neurodam.io._atomic import atomic_path
from neurodam.io._meta import meta_from_json, meta_to_json
from neurodam.spikes import SpikeTrains

__all__ = ["read_csv", "read_npz", "write_csv", "write_npz"]

NPZ_FORMAT = "neurodam.SpikeTrains/1"
_NPZ_KEYS = ("times", "senders", "n_neurons", "t_start", "t_stop")


def _invalid(path: Path, kind: str, why: object) -> ValueError:
    return ValueError(f"path: {path} is not a valid {kind} spike file ({why})")


# --------------------------------------------------------------------- npz
def write_npz(spikes: SpikeTrains, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write ``spikes`` to a compressed ``.npz`` file (atomically). Returns the path."""
    path = Path(path)
    with atomic_path(path, overwrite=overwrite) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(
            fh,
            times=spikes.times,
            senders=spikes.senders,
            n_neurons=np.int64(spikes.n_neurons),
            t_start=np.float64(spikes.t_start),
            t_stop=np.float64(spikes.t_stop),
            meta=np.str_(meta_to_json(spikes.meta)),
            format=np.str_(NPZ_FORMAT),
        )
    return path


def read_npz(path: str | os.PathLike) -> SpikeTrains:
    """Read a ``.npz`` spike file written by :func:`write_npz`."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in _NPZ_KEYS if k not in z.files]
            if missing:
                raise _invalid(path, ".npz", f"missing arrays {missing}; found {z.files}")
            data = {k: z[k] for k in z.files}
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise _invalid(path, ".npz", exc) from None
    except ValueError as exc:
        if str(exc).startswith("path:"):
            raise
        raise _invalid(path, ".npz", exc) from None
    meta = meta_from_json(str(data["meta"]), str(path)) if "meta" in data else {}
    try:
        return SpikeTrains(
            data["times"],
            data["senders"],
            n_neurons=int(data["n_neurons"]),
            t_start=float(data["t_start"]),
            t_stop=float(data["t_stop"]),
            meta=meta,
        )
    except (ValueError, TypeError) as exc:
        raise _invalid(path, ".npz", exc) from None


# --------------------------------------------------------------------- csv
def write_csv(spikes: SpikeTrains, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write ``spikes`` as ``time,neuron`` lines with a ``# n_neurons=...`` header (atomically).

    Times are written with Python's shortest round-trip ``repr``, so reading
    the file back gives bit-identical float64 values.
    """
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
    for token in line.lstrip("#").split():
        if "=" not in token:
            continue
        key, _, value = token.partition("=")
        if key not in ("n_neurons", "t_start", "t_stop"):
            continue
        try:
            out[key] = int(value) if key == "n_neurons" else float(value)
        except ValueError:
            raise _invalid(path, ".csv", f"bad header value {token!r}") from None
    return out


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
    """
    path = Path(path)
    header: dict[str, float | int] = {}
    meta: dict = {}
    try:
        with open(path, encoding="utf-8") as fh:
            line = fh.readline()
            while line and (line.startswith("#") or not line.strip()):
                body = line.lstrip("#").strip()
                if body.startswith("meta="):
                    meta = meta_from_json(body[len("meta=") :], str(path))
                else:
                    header.update(_parse_header(body, path))
                line = fh.readline()
            if not line:
                raise _invalid(path, ".csv", "no 'time,neuron' header line")
            columns = [c.strip().lower() for c in line.split(",")]
            if sorted(columns) != ["neuron", "time"]:
                raise _invalid(path, ".csv", f"expected the header 'time,neuron', got {line!r}")
            with warnings.catch_warnings():
                # only the "no data" warning of an empty body (a file with no spikes)
                warnings.filterwarnings(
                    "ignore", message="loadtxt: input contained no data", category=UserWarning
                )
                data = np.loadtxt(fh, delimiter=",", ndmin=2, dtype=np.float64)
    except UnicodeDecodeError as exc:
        raise _invalid(path, ".csv", exc) from None
    except ValueError as exc:
        if str(exc).startswith("path:"):
            raise
        raise _invalid(path, ".csv", exc) from None
    if data.size == 0:
        data = np.empty((0, 2))
    if data.shape[1] != 2:
        raise _invalid(path, ".csv", f"expected 2 columns, got {data.shape[1]}")
    times = data[:, columns.index("time")]
    ids = data[:, columns.index("neuron")]
    try:
        return SpikeTrains(
            times,
            ids,
            n_neurons=n_neurons if n_neurons is not None else header.get("n_neurons"),
            t_start=t_start if t_start is not None else header.get("t_start"),
            t_stop=t_stop if t_stop is not None else header.get("t_stop"),
            meta=meta,
        )
    except (ValueError, TypeError) as exc:
        raise _invalid(path, ".csv", exc) from None
