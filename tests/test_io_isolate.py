"""The HDF5 readers run in a forked child: a crash of libhdf5 is a ValueError, not a dead process.

Fuzzing the NWB reader (tests/test_io_fuzz.py, long profile) produced a damaged file on
which libhdf5 dies with SIGSEGV inside h5py's attribute reader, killing the test run. A
signal cannot be caught in the process, so the readers run in a child; these tests stand
in for libhdf5 with a function that kills itself the same way.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from neurodam import io as nio
from neurodam.io import _isolate
from neurodam.io.nwb import is_nwb
from neurodam.io.retinal import is_retinal
from neurodam.spikes import SpikeTrains

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork only")


def _segfault():
    os.kill(os.getpid(), signal.SIGSEGV)


def _hang():
    time.sleep(60)


def _warn_and_return(x):
    warnings.warn("a note from the child", UserWarning, stacklevel=2)
    return np.arange(x)


def _raise():
    raise KeyError("inner")


def test_a_crash_in_the_child_is_a_value_error_naming_the_file(tmp_path):
    path = tmp_path / "x.nwb"
    with pytest.raises(ValueError, match=r"path: .*x\.nwb is not a valid NWB file .*SIGSEGV"):
        _isolate.isolated(_segfault, path=path, kind="NWB")
    assert os.getpid() > 0  # still alive


def test_a_hang_in_the_child_ends_at_the_deadline(tmp_path, monkeypatch):
    monkeypatch.setattr(_isolate, "_BASE_TIMEOUT", 1.0)
    start = time.monotonic()
    with pytest.raises(ValueError, match="did not finish within 1 s"):
        _isolate.isolated(_hang, path=tmp_path / "h.h5", kind="HDF5")
    assert time.monotonic() - start < 30  # killed at the deadline, not after the sleep


def test_results_warnings_and_exceptions_come_back(tmp_path):
    with pytest.warns(UserWarning, match="a note from the child"):
        out = _isolate.isolated(_warn_and_return, 5, path=tmp_path / "a", kind="k")
    np.testing.assert_array_equal(out, np.arange(5))
    with pytest.raises(KeyError, match="inner"):
        _isolate.isolated(_raise, path=tmp_path / "a", kind="k")


def test_nwb_round_trip_through_the_child_keeps_every_spike(tmp_path):
    pytest.importorskip("pynwb")
    rng = np.random.default_rng(3)
    times = np.sort(rng.uniform(0, 2, 500))
    st = SpikeTrains(times, rng.integers(0, 7, 500), n_neurons=7, t_start=0.0, t_stop=2.0)
    path = Path(nio.write_nwb(st, tmp_path / "r.nwb"))
    back = nio.read(path)
    assert back == st
    assert is_nwb(path) and not is_retinal(path)
