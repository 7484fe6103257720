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

from neurodam.spikes import SpikeTrains

__all__ = ["is_retinal", "read_retinal"]

_REQUIRED = ("spikes", "sCount")


def _text(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "S":
            out = [v.decode("utf-8", errors="replace") for v in value.ravel()]
            return out[0] if value.size == 1 else out
        if value.size == 1:
            return value.ravel()[0].item()
        return value
    if isinstance(value, np.generic):
        return value.item()
    return value


def is_retinal(path: str | os.PathLike) -> bool:
    """True when ``path`` is an HDF5 file with the ``spikes``/``sCount`` layout."""
    import h5py

    try:
        with h5py.File(path, "r") as h:
            return all(k in h and isinstance(h[k], h5py.Dataset) for k in _REQUIRED)
    except OSError:
        return False


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
        When the file is not HDF5, lacks ``spikes``/``sCount``, or the counts
        do not add up to the number of spikes.
    """
    import h5py

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path: no such file: {path}")
    try:
        h = h5py.File(path, "r")
    except OSError as exc:
        raise ValueError(f"path: {path} is not a valid retinal-wave HDF5 file ({exc})") from None
    with h:
        missing = [k for k in _REQUIRED if k not in h]
        if missing:
            raise ValueError(
                f"path: {path} is not a valid retinal-wave HDF5 file (missing datasets "
                f"{missing}; found {sorted(h.keys())})"
            )
        times = np.asarray(h["spikes"][()], dtype=np.float64).ravel()
        counts = np.asarray(h["sCount"][()]).ravel()
        if counts.size and (counts.min() < 0 or not np.issubdtype(counts.dtype, np.integer)):
            raise ValueError(
                f"path: {path} is not a valid retinal-wave HDF5 file (sCount must hold "
                f"non-negative integers, got dtype {counts.dtype}, min {counts.min()})"
            )
        if int(counts.sum()) != times.size:
            raise ValueError(
                f"path: {path} is not a valid retinal-wave HDF5 file (sum(sCount)="
                f"{int(counts.sum())} differs from the {times.size} spikes)"
            )
        meta: dict[str, Any] = {"file": path.name, "source": "retinal-waves (Eglen et al. 2014)"}
        if "epos" in h:
            epos = np.asarray(h["epos"][()], dtype=np.float64)
            if epos.ndim == 2 and epos.shape[1] != counts.size and epos.shape[0] == counts.size:
                epos = epos.T
            epos.setflags(write=False)
            meta["epos"] = epos
        for key in ("names", "array"):
            if key in h:
                meta[key] = _text(h[key][()])
        if isinstance(meta.get("names"), str):
            meta["names"] = [meta["names"]]
        if "meta" in h and isinstance(h["meta"], h5py.Group):
            for key, ds in h["meta"].items():
                if isinstance(ds, h5py.Dataset):
                    meta[key] = _text(ds[()])
        duration = None
        if "summary" in h and "duration" in h["summary"]:
            duration = float(np.asarray(h["summary/duration"][()]).ravel()[0])
    senders = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    t_stop = duration
    if duration is not None:
        meta["summary_duration"] = duration
        last = float(times.max()) if times.size else 0.0
        if last > duration:
            warnings.warn(
                f"{path.name}: spikes run to {last:.6g} s, past the stated duration "
                f"{duration:g} s; using t_stop={last:.6g} s (no spike dropped)",
                stacklevel=2,
            )
            t_stop = last
    try:
        return SpikeTrains(
            times, senders, n_neurons=int(counts.size), t_start=0.0, t_stop=t_stop, meta=meta
        )
    except ValueError as exc:
        raise ValueError(f"path: {path} is not a valid retinal-wave HDF5 file ({exc})") from None
