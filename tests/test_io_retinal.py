"""Retinal-wave HDF5 reader: the real recordings (skipped when absent) and synthetic files."""

import warnings

import h5py
import numpy as np
import pytest

from neurodam import io

# From /work/shared/data/retinal-waves/README.md (file, channels, spikes, stated duration s)
TABLE = [
    ("Wong1993_P0.h5", 39, 13_336, 1053.0),
    ("Maccione2014_P02_AllPhases.h5", 243, 34_378, 1918.0),
    ("Maccione2014_P9_7March11_control.h5", 1240, 448_089, 1800.0),
]


@pytest.mark.parametrize(("name", "channels", "n_spikes", "duration"), TABLE)
def test_real_recordings_match_the_readme(retinal_waves_dir, name, channels, n_spikes, duration):
    path = retinal_waves_dir / name
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        s = io.read(path)
    assert s.n_neurons == channels
    assert len(s) == n_spikes
    assert s.t_start == 0.0
    assert s.meta["summary_duration"] == duration
    # the window is the stated duration unless spikes run past it (then the last spike)
    assert s.t_stop == max(duration, float(s.times.max()))
    assert s.meta["epos"].shape == (2, channels)
    assert len(s.meta["names"]) == channels and all(isinstance(n, str) for n in s.meta["names"])
    assert isinstance(s.meta["species"], str) and isinstance(s.meta["age"], int)
    # independent check against the raw layout: channel k's spikes are the k-th block
    with h5py.File(path, "r") as h:
        raw = h["spikes"][()]
        blocks = np.split(raw, np.cumsum(h["sCount"][()])[:-1])
    for k in (0, channels // 2, channels - 1):
        np.testing.assert_array_equal(s.per_neuron()[k], np.sort(blocks[k]))


def test_wong_spikes_past_the_stated_duration_warn(retinal_waves_dir):
    # Wong1993_P0 states 1053 s but its last spike is at 1055.6 s: kept, with a warning
    with pytest.warns(UserWarning, match="past the stated duration 1053"):
        s = io.read(retinal_waves_dir / "Wong1993_P0.h5")
    assert s.t_stop == pytest.approx(1055.6153, abs=1e-4)
    assert s.meta["species"] == "ferret" and s.meta["age"] == 0


def test_real_recording_converts_to_npz(retinal_waves_dir, tmp_path):
    s = io.read(retinal_waves_dir / "Maccione2014_P02_AllPhases.h5")
    back = io.read(io.write(s, tmp_path / "m.npz"))
    assert back == s
    assert back.meta["names"] == list(s.meta["names"])
    np.testing.assert_array_equal(back.meta["epos"], s.meta["epos"])


def _write_layout(path, spikes_per_channel, duration=10.0, **extra):
    with h5py.File(path, "w") as h:
        h["spikes"] = np.concatenate([np.asarray(c, float) for c in spikes_per_channel])
        h["sCount"] = np.array([len(c) for c in spikes_per_channel], dtype=np.int32)
        h["epos"] = np.array([[0.0, 60.0, 120.0][: len(spikes_per_channel)]] * 2)
        h["names"] = np.array([f"ch{k}".encode() for k in range(len(spikes_per_channel))])
        h["meta/species"] = np.array([b"mouse"])
        h["meta/age"] = np.array([5], dtype=np.int32)
        h["summary/duration"] = np.array([duration])
        for key, value in extra.items():
            del h[key]
            h[key] = value


def test_synthetic_layout(tmp_path):
    path = tmp_path / "syn.hdf5"
    _write_layout(path, [[3.0, 1.0], [], [2.0]])
    s = io.read(path)
    np.testing.assert_array_equal(s.times, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(s.senders, [0, 2, 0])
    assert (s.n_neurons, s.t_stop) == (3, 10.0)  # channel 1 is silent but counted
    assert s.meta["names"] == ["ch0", "ch1", "ch2"]
    assert (s.meta["species"], s.meta["age"]) == ("mouse", 5)
    assert not s.meta["epos"].flags.writeable


def test_counts_that_do_not_add_up(tmp_path):
    path = tmp_path / "bad.h5"
    _write_layout(path, [[1.0], [2.0]], sCount=np.array([1, 5], dtype=np.int32))
    with pytest.raises(ValueError, match=r"bad\.h5 is not a valid retinal-wave.*sum\(sCount\)=6"):
        io.read(path)


def test_negative_counts(tmp_path):
    path = tmp_path / "neg.h5"
    _write_layout(path, [[1.0], [2.0]], sCount=np.array([3, -1], dtype=np.int32))
    with pytest.raises(ValueError, match="sCount"):
        io.read(path)


def test_missing_datasets(tmp_path):
    with h5py.File(tmp_path / "half.h5", "w") as h:
        h["spikes"] = np.arange(3.0)
    with pytest.raises(ValueError, match="neither a retinal-wave"):
        io.read(tmp_path / "half.h5")
    with pytest.raises(ValueError, match=r"missing datasets \['sCount'\]"):
        io.read_retinal(tmp_path / "half.h5")
