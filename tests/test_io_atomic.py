"""Atomic writes of every writer: a failure at any stage leaves no partial and no temp file.

Failures are injected while the data are written (after part of the file is on disk),
at the fsync, and at the final rename, for a new target and for an existing one (which
must keep its old content).
"""

from __future__ import annotations

import builtins
import os

import h5py
import matplotlib.pyplot as plt
import numpy as np
import pytest

from neurodam import SpikeTrains, io
from neurodam.io import _atomic, arrays
from neurodam.spikes import EventTimes

OLD = b"old content"


def _spikes():
    return SpikeTrains([0.1, 0.2, 0.4], [0, 2, 1], n_neurons=3, t_stop=1.0, meta={"a": 1})


def _write(kind, path, overwrite):
    if kind == "events":
        return io.write_events(EventTimes([0.1, 0.5], kind="x"), path, overwrite=overwrite)
    if kind == "figure":
        fig, ax = plt.subplots(figsize=(1, 1))
        ax.plot([0, 1])
        return io.save_figure(fig, path, overwrite=overwrite)
    return io.write(_spikes(), path, overwrite=overwrite)


KINDS = {"npz": "x.npz", "csv": "x.csv", "nwb": "x.nwb", "events": "e.npz", "figure": "f.png"}


class Interrupted(Exception):
    pass


def _fail_mid_write(kind, monkeypatch):
    """Make the writer of ``kind`` fail after part of its output is on disk."""
    if kind in ("npz", "events"):

        def savez(fh, **arrays_):
            fh.write(b"PK\x03\x04 half an archive")
            raise Interrupted

        monkeypatch.setattr(np, "savez_compressed", savez)
    elif kind == "csv":

        class HalfFile:
            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def write(self, text):
                self.fh.write(text[: len(text) // 2])
                self.fh.flush()
                raise Interrupted

        real_open = builtins.open
        monkeypatch.setattr(
            arrays, "open", lambda *a, **k: HalfFile(real_open(*a, **k)), raising=False
        )
    elif kind == "nwb":
        real = h5py.Group.create_dataset
        calls = []

        def create_dataset(self, *a, **k):
            calls.append(1)
            if len(calls) > 3:  # the file already holds groups and three datasets
                raise Interrupted
            return real(self, *a, **k)

        monkeypatch.setattr(h5py.Group, "create_dataset", create_dataset)
    else:

        def print_figure(self, fname, **kwargs):
            with open(fname, "wb") as fh:
                fh.write(b"\x89PNG half an image")
            raise Interrupted

        from matplotlib.backend_bases import FigureCanvasBase

        monkeypatch.setattr(FigureCanvasBase, "print_figure", print_figure)


def _fail_at(stage, monkeypatch):
    def boom(*a, **k):
        raise Interrupted

    if stage == "fsync":
        monkeypatch.setattr(_atomic.os, "fsync", boom)
    else:  # the rename: hard link (new target) or replace (overwrite)
        monkeypatch.setattr(_atomic.os, "link", boom)
        monkeypatch.setattr(_atomic.os, "replace", boom)


@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
@pytest.mark.parametrize("stage", ["mid-write", "fsync", "rename"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_failure_leaves_the_folder_as_it_was(tmp_path, monkeypatch, kind, stage, existing):
    path = tmp_path / KINDS[kind]
    if existing:
        path.write_bytes(OLD)
    if stage == "mid-write":
        _fail_mid_write(kind, monkeypatch)
    else:
        _fail_at(stage, monkeypatch)
    with pytest.raises(Exception) as err:  # hdmf wraps it, see below
        _write(kind, path, overwrite=existing)
    chain = [err.value]  # hdmf re-raises a failed dataset as Exception(...) from the cause
    while chain[-1].__cause__ is not None:
        chain.append(chain[-1].__cause__)
    assert any(isinstance(e, Interrupted) for e in chain)
    assert [p.name for p in tmp_path.iterdir()] == ([path.name] if existing else [])
    if existing:
        assert path.read_bytes() == OLD


@pytest.mark.parametrize("kind", list(KINDS))
def test_keyboard_interrupt_mid_write(tmp_path, monkeypatch, kind):
    monkeypatch.setattr(_atomic.os, "fsync", lambda fd: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        _write(kind, tmp_path / KINDS[kind], overwrite=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", list(KINDS))
def test_successful_write_leaves_only_the_target(tmp_path, kind):
    path = _write(kind, tmp_path / KINDS[kind], overwrite=False)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    assert path.stat().st_size > 0


def test_a_target_created_during_the_write_is_not_clobbered(tmp_path, monkeypatch):
    path = tmp_path / "x.npz"
    real = np.savez_compressed

    def racing(fh, **arrays_):
        path.write_bytes(OLD)  # another process creates the target meanwhile
        real(fh, **arrays_)

    monkeypatch.setattr(np, "savez_compressed", racing)
    with pytest.raises(FileExistsError, match="exists"):
        io.write(_spikes(), path)
    assert path.read_bytes() == OLD
    assert [p.name for p in tmp_path.iterdir()] == ["x.npz"]


@pytest.mark.parametrize("overwrite", ["no", 1, None])
def test_overwrite_must_be_a_bool(tmp_path, overwrite):
    # a truthy string would silently replace the file
    path = io.write(_spikes(), tmp_path / "x.npz")
    with pytest.raises(TypeError, match="overwrite: expected True or False"):
        io.write(_spikes(), path, overwrite=overwrite)
    assert os.path.getsize(path) > 0 and io.read(path) == _spikes()
