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
from neurodam.io._errors import invalid, reading
from neurodam.io._isolate import guarded_hdf5
from neurodam.io._meta import meta_from_json, meta_to_json
from neurodam.spikes import SpikeTrains

__all__ = ["is_nwb", "read_nwb", "write_nwb"]

_NOTES_PREFIX = "neurodam.meta="
_WINDOW_KEY = "_neurodam_window"  # [t_start, t_stop] in the notes JSON (needed for 0 units)
_KIND = ".nwb spike"


def _pynwb():
    try:
        import pynwb
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("NWB files need pynwb: pip install 'neurodam[nwb]'") from exc
    return pynwb


def is_nwb(path: str | os.PathLike) -> bool:
    """True when ``path`` is an HDF5 file with the NWB root attributes (False if unreadable)."""
    path = Path(path)
    try:
        return guarded_hdf5(_nwb_root, path, path=path, kind=_KIND)
    except Exception:  # h5py raises OSError, KeyError, RuntimeError... for a damaged file
        return False


def _nwb_root(path: Path) -> bool:
    import h5py

    with h5py.File(path, "r") as h:
        return "nwb_version" in h.attrs or ("general" in h and "acquisition" in h)


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
    if not isinstance(spikes, SpikeTrains):
        raise TypeError(f"spikes: expected a SpikeTrains, got {type(spikes).__name__}")
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


def _column(units, name: str, kinds: str, path: Path) -> np.ndarray:
    data = np.asarray(getattr(units, name).data[:])
    if data.dtype.kind not in kinds:
        raise invalid(path, _KIND, f"units column {name!r}: expected numbers, got {data.dtype}")
    return data


def _spikes_of_units(units, path: Path) -> tuple[np.ndarray, np.ndarray, tuple | None]:
    """(spike times, row of each spike, (t_start, t_stop) or None) of an NWB units table."""
    n = len(units.id.data[:])
    if not n or "spike_times" not in units.colnames:
        flat, counts = np.empty(0), np.zeros(n, dtype=np.int64)
    else:
        flat = _column(units, "spike_times", "fiu", path).astype(np.float64).ravel()
        ends = _column(units, "spike_times_index", "iu", path).astype(np.int64).ravel()
        if ends.size != n or np.any(np.diff(ends) < 0) or ends[0] < 0 or ends[-1] != flat.size:
            raise invalid(
                path,
                _KIND,
                f"spike_times_index: expected {n} non-decreasing ends up to the "
                f"{flat.size} spike times, got {ends[:8].tolist()}{'...' if n > 8 else ''}",
            )
        counts = np.diff(ends, prepend=0)
    window = None
    if n and "obs_intervals" in units.colnames:
        iv = _column(units, "obs_intervals", "fiu", path).astype(np.float64)
        if iv.ndim != 2 or iv.shape[1] != 2:
            raise invalid(path, _KIND, f"obs_intervals: expected shape (k, 2), got {iv.shape}")
        if iv.size:
            window = (float(iv[:, 0].min()), float(iv[:, 1].max()))
    return flat, np.repeat(np.arange(n, dtype=np.int64), counts), window


def read_nwb(path: str | os.PathLike) -> SpikeTrains:
    """Read the units table of an NWB file as :class:`SpikeTrains`.

    Row ``k`` of the table becomes neuron ``k``; when the table's ids are not
    ``0..n-1`` they are kept in ``meta["nwb_unit_ids"]``. The window is the
    union of the units' ``obs_intervals`` (or spans the spikes without them).

    Raises
    ------
    ValueError
        ``"path: <path> is not a valid .nwb spike file (...)"`` for a file that
        is not NWB, has no units table, or whose units do not make a valid
        :class:`SpikeTrains` (h5py and hdmf raise many kinds of exceptions for a
        damaged file; each becomes this ``ValueError``).
    FileNotFoundError
        ``path`` does not exist.
    """
    pynwb = _pynwb()
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path: no such file: {path}")
    return guarded_hdf5(_read_units_guarded, pynwb, path, path=path, kind=_KIND)


def _read_units_guarded(pynwb, path: Path) -> SpikeTrains:
    with reading(path, _KIND):
        return _read_units(pynwb, path)


def _read_units(pynwb, path: Path) -> SpikeTrains:
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        nwbfile = io.read()
        units = nwbfile.units
        if units is None:
            raise invalid(path, _KIND, "it has no units table")
        ids = np.asarray(units.id.data[:])
        if ids.dtype.kind not in "iu" or ids.ndim != 1:
            raise invalid(path, _KIND, f"unit ids: expected integers, got {ids.dtype} {ids.shape}")
        flat, senders, window = _spikes_of_units(units, path)
        n = ids.size
        notes = nwbfile.notes or ""
        if not isinstance(notes, str):
            raise invalid(path, _KIND, f"notes: expected text, got {type(notes).__name__}")
        meta = (
            meta_from_json(notes[len(_NOTES_PREFIX) :], "notes")
            if notes.startswith(_NOTES_PREFIX)
            else ({"notes": notes} if notes else {})
        )
        stored = meta.pop(_WINDOW_KEY, None)
        if window is None and isinstance(stored, list) and len(stored) == 2:
            window = (float(stored[0]), float(stored[1]))
        meta["session_description"] = str(nwbfile.session_description)
        meta["identifier"] = str(nwbfile.identifier)
        meta["session_start_time"] = nwbfile.session_start_time.isoformat()
        if n and not np.array_equal(ids, np.arange(n)):
            meta["nwb_unit_ids"] = ids.tolist()
        t_start, t_stop = window if window is not None else (None, None)
        return SpikeTrains(flat, senders, n_neurons=n, t_start=t_start, t_stop=t_stop, meta=meta)
