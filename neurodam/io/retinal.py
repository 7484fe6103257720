"""Reader for the retinal-wave multi-electrode recordings (HDF5).

Layout (Eglen et al. 2014): ``spikes`` holds every spike time in seconds,
channel after channel; ``sCount`` the number of spikes of each channel (split
with ``numpy.cumsum(sCount)``); ``epos`` the electrode positions (2 x channels,
micrometres); ``names`` the channel names; ``array`` the array type; ``meta/``
age, species, genotype, condition; ``summary/`` recording duration and rates.

Reference: Eglen SJ, Weeks M, Jessop M, Simonotto J, Jackson T, Sernagor E
(2014) "A data repository and analysis framework for spontaneous neural
activity recordings in developing retina", GigaScience 3:3.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from neurodam.io._errors import invalid, reading
from neurodam.io._isolate import guarded_hdf5
from neurodam.spikes import SpikeTrains

__all__ = ["is_retinal", "read_retinal"]

_REQUIRED = ("spikes", "sCount")
_KIND = "retinal-wave HDF5"


def _text(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "S" or (
            value.dtype.kind == "O" and all(isinstance(v, bytes | str) for v in value.ravel())
        ):  # fixed-length (S) or variable-length (O) strings
            out = [_text(v) for v in value.ravel()]
            return out[0] if value.size == 1 else out
        if value.size == 1:
            return value.ravel()[0].item()
        return value
    if isinstance(value, np.generic):
        return value.item()
    return value


def is_retinal(path: str | os.PathLike) -> bool:
    """True when ``path`` is HDF5 with ``spikes`` and ``sCount`` datasets (False if unreadable)."""
    path = Path(path)
    try:
        return guarded_hdf5(_has_datasets, path, path=path, kind=_KIND)
    except Exception:  # h5py raises OSError, KeyError, RuntimeError... for a damaged file
        return False


def _has_datasets(path: Path) -> bool:
    import h5py

    with h5py.File(path, "r") as h:
        return all(isinstance(h.get(k), h5py.Dataset) for k in _REQUIRED)


def _vector(h, key: str, kinds: str, path: Path) -> np.ndarray:
    """Dataset ``key`` as a 1-D array with a dtype kind in ``kinds``."""
    import h5py

    ds = h.get(key)
    if not isinstance(ds, h5py.Dataset):
        found = "missing" if ds is None else f"a {type(ds).__name__}"
        raise invalid(path, _KIND, f"{key!r}: expected a dataset, got {found}")
    a = np.asarray(ds[()])
    if a.dtype.kind not in kinds:
        raise invalid(path, _KIND, f"{key!r}: expected numbers, got dtype {a.dtype}")
    if a.ndim != 1:
        raise invalid(path, _KIND, f"{key!r}: expected a 1-D dataset, got shape {a.shape}")
    return a


def _counts(h, n_spikes: int, path: Path) -> np.ndarray:
    counts = _vector(h, "sCount", "iu", path)
    if counts.size and counts.min() < 0:
        raise invalid(
            path,
            _KIND,
            f"sCount: expected spike counts >= 0, got {counts.min()} (dtype {counts.dtype})",
        )
    # the exact sum (Python integers: an int64/uint64 sum could wrap around)
    total = sum(counts.tolist()) if counts.size and counts.max() > n_spikes else counts.sum()
    if int(total) != n_spikes:
        raise invalid(path, _KIND, f"sum(sCount)={int(total)} differs from the {n_spikes} spikes")
    return counts.astype(np.int64)  # exact: every count is in [0, n_spikes]


def _meta(h, n_channels: int, path: Path) -> dict[str, Any]:
    import h5py

    meta: dict[str, Any] = {"file": path.name, "source": "retinal-waves (Eglen et al. 2014)"}
    ds = h.get("epos")
    if isinstance(ds, h5py.Dataset):
        epos = np.asarray(ds[()])
        if epos.dtype.kind not in "fiu":
            raise invalid(path, _KIND, f"'epos': expected numbers, got dtype {epos.dtype}")
        epos = epos.astype(np.float64)
        if epos.ndim == 2 and epos.shape[1] != n_channels and epos.shape[0] == n_channels:
            epos = epos.T
        epos.setflags(write=False)
        meta["epos"] = epos
    for key in ("names", "array"):
        if isinstance(h.get(key), h5py.Dataset):
            meta[key] = _text(h[key][()])
    if isinstance(meta.get("names"), str):
        meta["names"] = [meta["names"]]
    group = h.get("meta")
    if isinstance(group, h5py.Group):
        for key, ds in group.items():
            if isinstance(ds, h5py.Dataset):
                meta[key] = _text(ds[()])
    return meta


def _duration(h, path: Path) -> float | None:
    import h5py

    summary = h.get("summary")
    if not isinstance(summary, h5py.Group) or "duration" not in summary:
        return None
    ds = summary["duration"]
    value = np.asarray(ds[()]) if isinstance(ds, h5py.Dataset) else np.empty(0)
    if value.size != 1 or value.dtype.kind not in "fiu":
        raise invalid(
            path, _KIND, f"summary/duration: expected one number, got {value.dtype} {value.shape}"
        )
    duration = float(value.ravel()[0])
    if not np.isfinite(duration) or duration < 0:
        raise invalid(path, _KIND, f"summary/duration: expected seconds >= 0, got {duration}")
    return duration


def read_retinal(path: str | os.PathLike) -> SpikeTrains:
    """Read a retinal-wave recording as :class:`SpikeTrains` (one neuron per channel).

    Parameters
    ----------
    path : path-like
        HDF5 file in the layout above.

    Returns
    -------
    SpikeTrains
        ``senders`` are channel indices (the order of ``sCount``); ``t_start=0``;
        ``t_stop`` is ``summary/duration`` (or the last spike, if later: some
        files hold spikes past their stated duration, which is then warned
        about and kept in ``meta["summary_duration"]``). ``meta`` holds
        ``epos`` (array 2 x channels, micrometres), ``names`` (list of str),
        ``array``, the ``meta/`` fields (``age``, ``species``, ...) and ``file``.

    Raises
    ------
    ValueError
        ``"path: <path> is not a valid retinal-wave HDF5 file (...)"`` when the
        file is not HDF5 or is damaged, lacks the ``spikes``/``sCount`` datasets,
        holds non-numeric or multi-dimensional ones, counts that do not add up to
        the number of spikes, or spikes that do not make a valid :class:`SpikeTrains`.
    FileNotFoundError
        ``path`` does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path: no such file: {path}")
    return guarded_hdf5(_read_retinal, path, path=path, kind=_KIND)  # a libhdf5 crash: ValueError


def _read_retinal(path: Path) -> SpikeTrains:
    import h5py

    with reading(path, _KIND):
        with h5py.File(path, "r") as h:
            missing = [k for k in _REQUIRED if k not in h]
            if missing:
                found = sorted(h.keys(), key=str)  # a damaged name may come back as bytes
                raise invalid(path, _KIND, f"missing datasets {missing}; found {found}")
            times = _vector(h, "spikes", "fiu", path).astype(np.float64)
            counts = _counts(h, times.size, path)
            meta = _meta(h, counts.size, path)
            duration = _duration(h, path)
        senders = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
        t_stop = duration
        if duration is not None:
            meta["summary_duration"] = duration
            finite = times[np.isfinite(times)]
            last = float(finite.max()) if finite.size else 0.0
            if last > duration:
                warnings.warn(
                    f"{path.name}: spikes run to {last:.6g} s, past the stated duration "
                    f"{duration:g} s; using t_stop={last:.6g} s (no spike dropped)",
                    stacklevel=2,
                )
                t_stop = last
        return SpikeTrains(
            times, senders, n_neurons=int(counts.size), t_start=0.0, t_stop=t_stop, meta=meta
        )
