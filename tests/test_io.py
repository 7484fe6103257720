"""neurodam.io: round trips of every format, the read/write dispatch, its errors, atomic writes."""

import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from neurodam import SpikeTrains, io


def _canonical(s):
    """(time, sender) pairs in lexicographic order: per-neuron formats (NWB, Neo) regroup
    simultaneous spikes by neuron, so ties may come back in another order."""
    order = np.lexsort((s.senders, s.times))
    return s.times[order], s.senders[order]


def _assert_same(a, b, meta=True):
    ta, ia = _canonical(a)
    tb, ib = _canonical(b)
    np.testing.assert_array_equal(ta, tb)  # bit-identical times: no tolerance needed
    np.testing.assert_array_equal(ia, ib)
    assert (a.n_neurons, a.t_start, a.t_stop) == (b.n_neurons, b.t_start, b.t_stop)
    if meta:
        for key, value in a.meta.items():
            assert b.meta[key] == value


def _example():
    # neuron 4 is silent; simultaneous spikes at 0.3; window wider than the spikes
    return SpikeTrains(
        [0.5, 0.1, 0.3, 0.9, 0.3],
        [2, 0, 3, 0, 1],
        n_neurons=5,
        t_start=-0.25,
        t_stop=1.5,
        meta={"source": "test", "seed": 3, "params": {"tau": 0.02, "ids": [1, 2]}},
    )


# -------------------------------------------------------------- round trips
@pytest.mark.parametrize("suffix", [".npz", ".csv", ".nwb"])
def test_round_trip_keeps_spikes_silent_neurons_window_and_meta(tmp_path, suffix):
    s = _example()
    path = io.write(s, tmp_path / f"x{suffix}")
    assert path == tmp_path / f"x{suffix}"
    back = io.read(path)
    _assert_same(s, back)
    if suffix != ".nwb":  # npz and csv keep the exact order, ties included
        np.testing.assert_array_equal(back.senders, s.senders)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"x{suffix}"]  # no temp files left


@pytest.mark.parametrize("suffix", [".npz", ".csv", ".nwb"])
def test_round_trip_of_an_empty_train(tmp_path, suffix):
    s = SpikeTrains([], [], n_neurons=3, t_start=0.0, t_stop=2.0)
    _assert_same(s, io.read(io.write(s, tmp_path / f"e{suffix}")))


def test_npz_meta_arrays_become_lists(tmp_path):
    s = SpikeTrains([0.1], [0], meta={"epos": np.arange(6.0).reshape(2, 3), "p": Path("/a")})
    back = io.read(io.write(s, tmp_path / "m.npz"))
    assert back.meta["epos"] == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert back.meta["p"] == "/a"


def test_nwb_fields_and_foreign_unit_ids(tmp_path):
    import pynwb

    s = SpikeTrains(
        [0.1, 0.2], [0, 2], n_neurons=4, t_stop=1.0, meta={"session_description": "demo run"}
    )
    path = io.write(s, tmp_path / "x.nwb")
    with pynwb.NWBHDF5IO(str(path), "r") as f:
        nwb = f.read()
        assert nwb.session_description == "demo run"
        assert len(nwb.units) == 4  # silent units 1 and 3 are rows too
        np.testing.assert_array_equal(nwb.units["spike_times"][2], [0.2])
        np.testing.assert_array_equal(nwb.units["obs_intervals"][3], [[0.0, 1.0]])
    back = io.read(path)
    assert back.meta["session_description"] == "demo run" and "identifier" in back.meta

    # a file written by another tool: unit ids 10, 20; no obs_intervals; seconds
    import datetime

    nwb = pynwb.NWBFile("other", "id-1", datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    nwb.add_unit(spike_times=[0.5, 0.7], id=10)
    nwb.add_unit(spike_times=[0.6], id=20)
    with pynwb.NWBHDF5IO(str(tmp_path / "other.nwb"), "w") as f:
        f.write(nwb)
    other = io.read(tmp_path / "other.nwb")
    np.testing.assert_array_equal(other.times, [0.5, 0.6, 0.7])
    np.testing.assert_array_equal(other.senders, [0, 1, 0])
    assert other.meta["nwb_unit_ids"] == [10, 20]
    assert other.t_stop == 0.7  # no window stored: it spans the spikes


def test_nwb_file_with_h5_suffix_is_recognised(tmp_path):
    s = _example()
    io.write(s, tmp_path / "x.nwb")
    (tmp_path / "x.nwb").rename(tmp_path / "x.h5")
    _assert_same(s, io.read(tmp_path / "x.h5"))


def test_csv_without_comment_line_and_with_overrides(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("neuron,time\n2,0.5\n0,0.25\n")  # columns in the other order, unsorted
    s = io.read(path)
    np.testing.assert_array_equal(s.times, [0.25, 0.5])
    np.testing.assert_array_equal(s.senders, [0, 2])
    assert (s.n_neurons, s.t_start, s.t_stop) == (3, 0.0, 0.5)
    s = io.read(path, n_neurons=10, t_stop=2.0)
    assert (s.n_neurons, s.t_stop) == (10, 2.0)


def test_csv_layout(tmp_path):
    path = io.write(SpikeTrains([0.1, 0.2], [1, 0], n_neurons=3, t_stop=1.0), tmp_path / "x.csv")
    lines = path.read_text().splitlines()
    assert lines == ["# n_neurons=3 t_start=0.0 t_stop=1.0", "time,neuron", "0.1,1", "0.2,0"]


def test_neo_round_trip_and_units():
    import quantities as pq

    s = _example()
    trains = io.to_neo(s)
    assert len(trains) == 5 and trains[4].size == 0
    assert trains[0].units == pq.s and float(trains[0].t_stop) == 1.5
    assert trains[3].annotations["neuron"] == 3
    _assert_same(s, io.from_neo(trains), meta=False)

    import neo

    ms = [
        neo.SpikeTrain([100.0, 250.0], units="ms", t_start=0 * pq.ms, t_stop=2000 * pq.ms),
        neo.SpikeTrain([0.5], units="s", t_start=0 * pq.s, t_stop=3 * pq.s),
    ]
    back = io.from_neo(ms)
    np.testing.assert_allclose(back.times, [0.1, 0.25, 0.5], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(back.senders, [0, 0, 1])
    assert (back.t_start, back.t_stop, back.n_neurons) == (0.0, 3.0, 2)


def test_from_neo_bad_input():
    with pytest.raises(TypeError, match="spiketrains"):
        io.from_neo([np.array([0.1])])
    with pytest.raises(TypeError, match="spikes"):
        io.to_neo([0.1])
    assert io.from_neo([]).n_neurons == 0


def test_missing_optional_package_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pynwb", None)
    with pytest.raises(ImportError, match=r"neurodam\[nwb\]"):
        io.write(_example(), tmp_path / "x.nwb")
    monkeypatch.setitem(sys.modules, "neo", None)
    with pytest.raises(ImportError, match=r"neurodam\[neo\]"):
        io.to_neo(_example())


# ------------------------------------------------------- property-based trips
@st.composite
def spike_trains(draw):
    n = draw(st.integers(0, 6))
    k = draw(st.integers(0, 30)) if n else 0
    t = st.floats(-5.0, 50.0, allow_nan=False, allow_subnormal=False)
    times = draw(st.lists(t, min_size=k, max_size=k))
    senders = draw(st.lists(st.integers(0, max(n - 1, 0)), min_size=k, max_size=k))
    t_start = draw(st.floats(-10.0, min(times, default=0.0)))
    t_stop = draw(st.floats(max(max(times, default=0.0), t_start), 60.0))
    meta = draw(
        st.dictionaries(
            st.text("abcxyz_", min_size=1, max_size=5),
            st.one_of(
                st.integers(-1000, 1000),
                st.floats(allow_nan=False, allow_infinity=False),
                st.text(max_size=8),
                st.lists(st.integers(0, 9), max_size=3),
            ),
            max_size=3,
        )
    )
    return SpikeTrains(times, senders, n_neurons=n, t_start=t_start, t_stop=t_stop, meta=meta)


_FILE_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.mark.parametrize("suffix", [".npz", ".csv", ".nwb"])
def test_file_round_trip_property(suffix):
    @_FILE_SETTINGS
    @given(s=spike_trains())
    def check(s):
        with tempfile.TemporaryDirectory() as d:
            back = io.read(io.write(s, Path(d) / f"p{suffix}"))
        _assert_same(s, back)

    check()


@settings(max_examples=50, deadline=None)
@given(s=spike_trains())
def test_neo_round_trip_property(s):
    # an empty list of neo trains carries no window, so 0 neurons cannot round-trip
    assume(s.n_neurons > 0)
    _assert_same(s, io.from_neo(io.to_neo(s)), meta=False)


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("name", ["spikes.txt", "spikes", "spikes.json"])
def test_unknown_suffix(tmp_path, name):
    path = tmp_path / name
    path.write_text("x")
    with pytest.raises(ValueError, match=r"path.*unknown suffix.*\.npz, \.csv, \.nwb") as err:
        io.read(path)
    assert name in str(err.value)
    with pytest.raises(ValueError, match=r"path.*unknown suffix") as err:
        io.write(_example(), tmp_path / "out.txt")
    assert "out.txt" in str(err.value)


def test_h5_cannot_be_written(tmp_path):
    with pytest.raises(ValueError, match=r"path.*\.h5.*\.npz, \.csv, \.nwb"):
        io.write(_example(), tmp_path / "out.h5")


@pytest.mark.parametrize("suffix", [".npz", ".csv", ".nwb", ".h5"])
def test_missing_file(tmp_path, suffix):
    with pytest.raises(FileNotFoundError, match="path.*nope"):
        io.read(tmp_path / f"nope{suffix}")


@pytest.mark.parametrize(
    ("suffix", "content"),
    [
        (".npz", b"PK\x03\x04 this is not a zip archive"),
        (".npz", b"\x00\x01\x02"),
        (".csv", b"# n_neurons=2\ntime,neuron\n0.1,0\nabc,1\n"),
        (".csv", b"when,who\n0.1,0\n"),
        (".csv", b"# n_neurons=2\ntime,neuron\n0.1,5\n"),  # id >= n_neurons
        (".csv", b"\xff\xfe\x00garbage"),
        (".nwb", b"not hdf5 at all"),
        (".h5", b"not hdf5 at all"),
    ],
)
def test_corrupt_file(tmp_path, suffix, content):
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"path: .*bad.* is not a valid"):
        io.read(path)


def test_npz_without_spike_arrays(tmp_path):
    np.savez(tmp_path / "other.npz", x=np.arange(3))
    with pytest.raises(ValueError, match=r"not a valid \.npz.*missing arrays"):
        io.read(tmp_path / "other.npz")


def test_truncated_npz(tmp_path):
    path = io.write(_example(), tmp_path / "t.npz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="is not a valid"):
        io.read(path)


def test_hdf5_of_another_layout(tmp_path):
    import h5py

    with h5py.File(tmp_path / "other.h5", "w") as h:
        h["x"] = np.arange(3)
    with pytest.raises(ValueError, match=r"path: .*neither a retinal-wave.*\['x'\]"):
        io.read(tmp_path / "other.h5")


def test_nwb_without_units(tmp_path):
    import datetime

    import pynwb

    nwb = pynwb.NWBFile("no units", "id-2", datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    with pynwb.NWBHDF5IO(str(tmp_path / "u.nwb"), "w") as f:
        f.write(nwb)
    with pytest.raises(ValueError, match="no units table"):
        io.read(tmp_path / "u.nwb")


def test_directory_is_rejected(tmp_path):
    (tmp_path / "d.npz").mkdir()
    with pytest.raises(ValueError, match="directory"):
        io.read(tmp_path / "d.npz")
    with pytest.raises(ValueError, match="directory"):
        io.write(_example(), tmp_path / "d.npz", overwrite=True)


@pytest.mark.parametrize("suffix", [".npz", ".csv", ".nwb"])
def test_existing_target_needs_overwrite(tmp_path, suffix):
    path = tmp_path / f"x{suffix}"
    io.write(_example(), path)
    other = SpikeTrains([0.2], [0], n_neurons=1, t_stop=1.0)
    with pytest.raises(FileExistsError, match="path.*overwrite"):
        io.write(other, path)
    _assert_same(_example(), io.read(path))  # untouched
    io.write(other, path, overwrite=True)
    _assert_same(other, io.read(path))


def test_write_rejects_non_spiketrains_and_missing_directory(tmp_path):
    with pytest.raises(TypeError, match="spikes"):
        io.write({"times": [0.1]}, tmp_path / "x.npz")
    with pytest.raises(FileNotFoundError, match="directory"):
        io.write(_example(), tmp_path / "no" / "such" / "x.npz")


# ------------------------------------------------------------ atomic writes
def _boom_after_partial_write(exc):
    def boom(fh, *args, **kwargs):
        fh.write(b"PK\x03\x04partial")  # something is already on disk when it fails
        fh.flush()
        raise exc

    return boom


@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()])
def test_failed_write_leaves_no_file(tmp_path, monkeypatch, exc):
    monkeypatch.setattr(np, "savez_compressed", _boom_after_partial_write(exc))
    with pytest.raises(type(exc)):
        io.write(_example(), tmp_path / "x.npz")
    assert list(tmp_path.iterdir()) == []  # neither the target nor a temp file


def test_failed_overwrite_keeps_the_old_file(tmp_path, monkeypatch):
    path = io.write(_example(), tmp_path / "x.npz")
    before = path.read_bytes()
    monkeypatch.setattr(np, "savez_compressed", _boom_after_partial_write(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        io.write(SpikeTrains([0.3], [0]), path, overwrite=True)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["x.npz"]


def test_failed_nwb_write_leaves_no_file(tmp_path, monkeypatch):
    import pynwb

    def boom(self, *a, **k):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(pynwb.NWBHDF5IO, "write", boom)
    with pytest.raises(RuntimeError, match="interrupted"):
        io.write(_example(), tmp_path / "x.nwb")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("n_neurons", [0, 4])
def test_written_nwb_passes_the_schema_validator(tmp_path, n_neurons):
    import pynwb

    spikes = SpikeTrains(
        [0.1, 0.3][: n_neurons // 2], [0, 2][: n_neurons // 2], n_neurons=n_neurons
    )
    path = io.write(spikes, tmp_path / "v.nwb")
    assert pynwb.validate(path=str(path)) == []
