"""Reading and writing spike data; every format becomes a :class:`~neurodam.SpikeTrains`.

Entry points
------------
read(path, **kw)                   read any supported file, chosen by its suffix
write(spikes, path, overwrite)     write atomically, format chosen by the suffix
read_events(path)                  an EventTimes from a ``.npz`` event file
write_events(events, path, ...)    write an EventTimes atomically (``.npz``)
save_figure(fig, path, ...)        save a Matplotlib figure atomically, format from the suffix

Every reader gives, for any content of an existing file, either a valid object or a
``ValueError`` that starts with ``"path: <file> is not a valid ..."``; every writer
writes to a temporary file in the target's folder and renames it into place, so an
interrupted write leaves neither a partial file nor the temporary one.

Formats
-------
``.npz``            NumPy archive: times, senders, n_neurons, t_start, t_stop, meta (JSON)
``.csv``            ``time,neuron`` lines, ``# n_neurons=.. t_start=.. t_stop=..`` comment line
``.nwb``            NWB 2 units table (pynwb; extra ``neurodam[nwb]``)
``.h5``/``.hdf5``   retinal-wave recordings (Eglen et al. 2014) or NWB files (read only)
event ``.npz``      times, t_start, t_stop, kind, params (JSON) of an EventTimes

Conversions
-----------
from_brian(spike_monitor)          Brian2 SpikeMonitor (runtime or standalone) -> SpikeTrains
to_neo(spikes) / from_neo(trains)  list of neo.SpikeTrain (extra ``neurodam[neo]``)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from neurodam.io._errors import invalid, reading
from neurodam.io._isolate import guarded_hdf5
from neurodam.io.arrays import read_csv, read_npz, write_csv, write_npz
from neurodam.io.brian import from_brian
from neurodam.io.events import read_events, write_events
from neurodam.io.figures import save_figure
from neurodam.io.neo import from_neo, to_neo
from neurodam.io.nwb import read_nwb, write_nwb
from neurodam.io.retinal import read_retinal
from neurodam.spikes import EventTimes, SpikeTrains

__all__ = [
    "READ_SUFFIXES",
    "WRITE_SUFFIXES",
    "from_brian",
    "from_neo",
    "read",
    "read_csv",
    "read_npz",
    "read_nwb",
    "read_events",
    "read_retinal",
    "save_figure",
    "to_neo",
    "write",
    "write_csv",
    "write_events",
    "write_npz",
    "write_nwb",
]

READ_SUFFIXES = (".npz", ".csv", ".nwb", ".h5", ".hdf5")
WRITE_SUFFIXES = (".npz", ".csv", ".nwb")


def _hdf5_roots(path: Path, kind: str) -> tuple[list, bool]:
    """The root entries of an HDF5 file and whether its root says NWB."""
    import h5py

    with reading(path, kind), h5py.File(path, "r") as h:
        names = sorted(h.keys(), key=str)  # a damaged name may come back as bytes
        return names, "nwb_version" in h.attrs


def _read_hdf5(path: Path, **kw) -> SpikeTrains:
    """A retinal-wave recording or an NWB file, told apart by their root entries."""
    import h5py

    kind = "HDF5 spike"
    with reading(path, kind):
        if not h5py.is_hdf5(path):
            raise invalid(path, kind, "no HDF5 signature")
    names, nwb = guarded_hdf5(_hdf5_roots, path, kind, path=path, kind=kind)
    if "spikes" in names and "sCount" in names:
        return read_retinal(path, **kw)
    if nwb or ("general" in names and "acquisition" in names):
        return read_nwb(path, **kw)
    raise invalid(
        path,
        kind,
        "neither a retinal-wave recording (datasets 'spikes' and 'sCount') nor NWB; "
        f"top-level entries: {names}",
    )


_READERS: dict[str, Callable[..., SpikeTrains]] = {
    ".npz": read_npz,
    ".csv": read_csv,
    ".nwb": read_nwb,
    ".h5": _read_hdf5,
    ".hdf5": _read_hdf5,
}
_WRITERS: dict[str, Callable[..., Path]] = {
    ".npz": write_npz,
    ".csv": write_csv,
    ".nwb": write_nwb,
}


def _suffix(path: Path, table: dict, verb: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in table:
        raise ValueError(
            f"path: cannot {verb} {str(path)!r}: unknown suffix {suffix or '(none)'!r}; "
            f"supported suffixes: {', '.join(table)}"
        )
    return suffix


def read(path: str | os.PathLike, **kw) -> SpikeTrains:
    """Read a spike file into :class:`~neurodam.SpikeTrains`, by its suffix.

    Parameters
    ----------
    path : path-like
        ``.npz``, ``.csv``, ``.nwb``, ``.h5``/``.hdf5`` (retinal-wave layout or NWB).
    **kw
        Passed to the format's reader (e.g. ``n_neurons=``, ``t_stop=`` for csv).

    Raises
    ------
    ValueError
        Unknown suffix (the message lists the supported ones), or a file that
        is not a valid file of its format.
    FileNotFoundError
        ``path`` does not exist.

    Examples
    --------
    >>> from neurodam import io
    >>> spikes = io.read("data/demo_spikes.npz")  # doctest: +SKIP
    """
    path = Path(path)
    suffix = _suffix(path, _READERS, "read")
    if not path.exists():
        raise FileNotFoundError(f"path: no such file: {path}")
    if path.is_dir():
        raise ValueError(f"path: {path} is a directory, expected a spike file")
    return _READERS[suffix](path, **kw)


def write(spikes: SpikeTrains, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write ``spikes`` to ``path`` in the format of its suffix, atomically.

    The data go to a temporary file in the same directory, which is renamed
    onto ``path`` only when complete: an interrupted write never leaves a
    partial file under ``path``.

    Parameters
    ----------
    spikes : SpikeTrains
    path : path-like
        ``.npz``, ``.csv`` or ``.nwb``.
    overwrite : bool
        Replace an existing file (else ``FileExistsError``).

    Returns
    -------
    pathlib.Path
        The written path.
    """
    if not isinstance(spikes, SpikeTrains):
        hint = " (use io.write_events)" if isinstance(spikes, EventTimes) else ""
        raise TypeError(f"spikes: expected a SpikeTrains, got {type(spikes).__name__}{hint}")
    path = Path(path)
    suffix = _suffix(path, _WRITERS, "write")
    return _WRITERS[suffix](spikes, path, overwrite=overwrite)
