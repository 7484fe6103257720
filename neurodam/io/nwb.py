"""Neurodata Without Borders (NWB 2) files: spikes as the ``units`` table (pynwb).

Each neuron is one row of the units table (row ``k`` = neuron ``k``, also
silent ones), its ``spike_times`` in seconds. The observation window is stored
per unit in the standard ``obs_intervals`` column (``[[t_start, t_stop]]``).
``meta["session_description"]`` and ``meta["identifier"]`` fill the NWB fields
of the same name; the whole ``meta`` dict (and the window, for files with no
units) is kept as JSON in ``NWBFile.notes``.

Reference: Rübel O, et al. (2022) "The Neurodata Without Borders ecosystem for
neurophysiological data science", eLife 11:e78362.
"""

from __future__ import annotations

import datetime as _dt
import os
import uuid
from pathlib import Path

import numpy as np

from neurodam.io._atomic import atomic_path
from neurodam.io._meta import meta_from_json, meta_to_json
from neurodam.spikes import SpikeTrains

__all__ = ["is_nwb", "read_nwb", "write_nwb"]

_NOTES_PREFIX = "neurodam.meta="
_WINDOW_KEY = "_neurodam_window"  # [t_start, t_stop] in the notes JSON (needed for 0 units)


def _pynwb():
    try:
        import pynwb
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("NWB files need pynwb: pip install 'neurodam[nwb]'") from exc
    return pynwb


def is_nwb(path: str | os.PathLike) -> bool:
    """True when ``path`` is an HDF5 file with the NWB root attributes."""
    import h5py

    try:
        with h5py.File(path, "r") as h:
            return "nwb_version" in h.attrs or ("general" in h and "acquisition" in h)
    except OSError:
        return False


def _units_table(spikes: SpikeTrains, pynwb):
    """The units table built column-wise (one ``add_unit`` per neuron is ~10x slower)."""
    from hdmf.common import ElementIdentifiers, VectorData, VectorIndex

    n = spikes.n_neurons
    order = np.argsort(spikes.senders, kind="stable")
    spike_times = VectorData(
        name="spike_times",
        description="the spike times for each unit in seconds",
        data=np.asarray(spikes.times[order], dtype=np.float64),
    )
    spike_index = VectorIndex(
        name="spike_times_index",
        data=np.cumsum(np.bincount(spikes.senders, minlength=n)).astype(np.int64),
        target=spike_times,
    )
    intervals = VectorData(
        name="obs_intervals",
        description="the observation intervals for each unit",
        data=np.tile(np.array([spikes.t_start, spikes.t_stop], dtype=np.float64), (n, 1)),
    )
    interval_index = VectorIndex(
        name="obs_intervals_index", data=np.arange(1, n + 1, dtype=np.int64), target=intervals
    )
    return pynwb.misc.Units(
        name="units",
        id=ElementIdentifiers(name="id", data=np.arange(n, dtype=np.int64)),
        columns=[spike_times, spike_index, intervals, interval_index],
        description="spike trains written by neurodam (row k = neuron k)",
    )


def write_nwb(spikes: SpikeTrains, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write ``spikes`` as the units table of a new NWB file (atomically).

    Parameters
    ----------
    spikes : SpikeTrains
    path : path-like
        Target ``.nwb`` file.
    overwrite : bool
        Replace an existing file.

    Notes
    -----
    ``session_start_time`` comes from ``meta["session_start_time"]`` (ISO 8601)
    when present, else the time of writing (NWB requires one).
    """
    pynwb = _pynwb()
    path = Path(path)
    meta = dict(spikes.meta)
    start = meta.get("session_start_time")
    if isinstance(start, str):
        try:
            start = _dt.datetime.fromisoformat(start)
        except ValueError:
            start = None
    if not isinstance(start, _dt.datetime):
        start = _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    if start.tzinfo is None:
        start = start.replace(tzinfo=_dt.UTC)
    nwbfile = pynwb.NWBFile(
        session_description=str(meta.get("session_description", "neurodam spike trains")),
        identifier=str(meta.get("identifier", uuid.uuid4())),
        session_start_time=start,
        notes=_NOTES_PREFIX + meta_to_json({**meta, _WINDOW_KEY: [spikes.t_start, spikes.t_stop]}),
    )
    nwbfile.units = _units_table(spikes, pynwb)
    with atomic_path(path, overwrite=overwrite) as tmp:
        with pynwb.NWBHDF5IO(str(tmp), "w") as io:
            io.write(nwbfile)
    return path


def read_nwb(path: str | os.PathLike) -> SpikeTrains:
    """Read the units table of an NWB file as :class:`SpikeTrains`.

    Row ``k`` of the table becomes neuron ``k``; when the table's ids are not
    ``0..n-1`` they are kept in ``meta["nwb_unit_ids"]``. The window is the
    union of the units' ``obs_intervals`` (or spans the spikes without them).
    """
    pynwb = _pynwb()
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path: no such file: {path}")
    try:
        io = pynwb.NWBHDF5IO(str(path), "r")
    except Exception as exc:  # h5py/hdmf raise many kinds for a bad file
        raise ValueError(f"path: {path} is not a valid .nwb spike file ({exc})") from None
    with io:
        try:
            nwbfile = io.read()
        except Exception as exc:
            raise ValueError(f"path: {path} is not a valid .nwb spike file ({exc})") from None
        units = nwbfile.units
        if units is None:
            raise ValueError(f"path: {path} is not a valid .nwb spike file (it has no units table)")
        n = len(units.id.data[:]) if len(units) else 0
        ids = np.asarray(units.id.data[:], dtype=np.int64)
        if n and "spike_times" in units.colnames:
            flat = np.asarray(units.spike_times.data[:], dtype=np.float64)
            ends = np.asarray(units.spike_times_index.data[:], dtype=np.int64)
        else:
            flat, ends = np.empty(0), np.zeros(n, dtype=np.int64)
        counts = np.diff(np.concatenate(([0], ends)))
        senders = np.repeat(np.arange(n, dtype=np.int64), counts)
        t_start = t_stop = None
        if n and "obs_intervals" in units.colnames:
            iv = np.asarray(units.obs_intervals.data[:], dtype=np.float64).reshape(-1, 2)
            if iv.size:
                t_start, t_stop = float(iv[:, 0].min()), float(iv[:, 1].max())
        notes = nwbfile.notes or ""
        meta = (
            meta_from_json(notes[len(_NOTES_PREFIX) :], str(path))
            if notes.startswith(_NOTES_PREFIX)
            else ({"notes": notes} if notes else {})
        )
        window = meta.pop(_WINDOW_KEY, None)
        if t_start is None and isinstance(window, list) and len(window) == 2:
            t_start, t_stop = float(window[0]), float(window[1])
        meta["session_description"] = nwbfile.session_description
        meta["identifier"] = nwbfile.identifier
        meta["session_start_time"] = nwbfile.session_start_time.isoformat()
        if n and not np.array_equal(ids, np.arange(n)):
            meta["nwb_unit_ids"] = ids.tolist()
    try:
        return SpikeTrains(flat, senders, n_neurons=n, t_start=t_start, t_stop=t_stop, meta=meta)
    except ValueError as exc:
        raise ValueError(f"path: {path} is not a valid .nwb spike file ({exc})") from None
