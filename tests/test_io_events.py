"""Event files (io.write_events / io.read_events): round trips, errors, atomic writes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurodam import SpikeTrains, io
from neurodam.spikes import EventTimes


def _events() -> EventTimes:
    return EventTimes(
        [0.1, 0.25, 0.25, 0.9],  # a tie: sorted, not strictly increasing
        t_start=-0.5,
        t_stop=2.0,
        kind="transitions",
        params={"bin_s": 0.004, "threshold": 3, "neurons": [1, 2], "note": "é"},
    )


def test_round_trip_keeps_times_window_kind_and_params(tmp_path):
    ev = _events()
    path = io.write_events(ev, tmp_path / "ev.npz")
    assert path == tmp_path / "ev.npz"
    back = io.read_events(path)
    assert back == ev  # times bit-identical, window, kind and params equal
    assert isinstance(back, EventTimes) and back.times.dtype == np.float64
    assert [p.name for p in tmp_path.iterdir()] == ["ev.npz"]  # no temp file left


def test_round_trip_of_no_events(tmp_path):
    ev = EventTimes([], t_start=0.0, t_stop=5.0, kind="switches")
    back = io.read_events(io.write_events(ev, tmp_path / "e.npz"))
    assert back == ev and len(back) == 0 and back.duration == 5.0


def test_params_go_through_json(tmp_path):
    ev = EventTimes([0.5], kind="x", params={"pair": (1, 2), "arr": np.arange(3), "p": Path("/a")})
    back = io.read_events(io.write_events(ev, tmp_path / "j.npz"))
    assert dict(back.params) == {"pair": [1, 2], "arr": [0, 1, 2], "p": "/a"}


def test_file_layout(tmp_path):
    path = io.write_events(_events(), tmp_path / "ev.npz")
    with np.load(path, allow_pickle=False) as z:
        assert sorted(z.files) == ["format", "kind", "params", "t_start", "t_stop", "times"]
        assert str(z["format"]) == "neurodam.EventTimes/1"
        assert str(z["kind"]) == "transitions" and float(z["t_stop"]) == 2.0


def test_spike_file_given_to_read_events_and_vice_versa(tmp_path):
    spikes = io.write(SpikeTrains([0.1], [0], n_neurons=1, t_stop=1.0), tmp_path / "s.npz")
    with pytest.raises(ValueError, match=r"path: .*s\.npz is not a valid .*spike file.*io\.read\b"):
        io.read_events(spikes)
    events = io.write_events(_events(), tmp_path / "e.npz")
    with pytest.raises(ValueError, match=r"path: .*e\.npz .*event file.*io\.read_events"):
        io.read(events)
    with pytest.raises(TypeError, match="events: expected an EventTimes, got SpikeTrains"):
        io.write_events(io.read(spikes), tmp_path / "x.npz")
    with pytest.raises(TypeError, match="spikes: expected a SpikeTrains, got EventTimes"):
        io.write(_events(), tmp_path / "y.npz")


def test_errors_name_the_argument_or_file(tmp_path):
    with pytest.raises(ValueError, match=r"path: event files are \.npz.*'\.csv'"):
        io.write_events(_events(), tmp_path / "e.csv")
    with pytest.raises(ValueError, match=r"path: event files are \.npz"):
        io.read_events(tmp_path / "e.txt")
    with pytest.raises(FileNotFoundError, match="path: no such file"):
        io.read_events(tmp_path / "missing.npz")
    with pytest.raises(TypeError, match="events: expected an EventTimes, got list"):
        io.write_events([0.1], tmp_path / "e.npz")
    # hypothesis found kind="\x00" coming back as "": NumPy strings drop trailing NULs
    with pytest.raises(ValueError, match="events: kind .* holds a NUL character"):
        io.write_events(EventTimes([0.1], kind="a\x00"), tmp_path / "e.npz")
    assert not (tmp_path / "e.npz").exists()
    (tmp_path / "bad.npz").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(ValueError, match=r"path: .*bad\.npz is not a valid \.npz event file"):
        io.read_events(tmp_path / "bad.npz")
    np.savez(tmp_path / "other.npz", x=np.arange(3))
    with pytest.raises(ValueError, match=r"missing arrays \['times', 't_start', 't_stop'\]"):
        io.read_events(tmp_path / "other.npz")


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("times", np.array([0.5, 0.1]), "sorted"),
        ("times", np.array([0.1, np.nan]), "finite"),
        ("times", np.array(["a"]), "expected numbers"),
        ("times", np.array([[0.1]]), "1-D"),
        ("t_stop", np.array(0.2), "window"),
        ("t_start", np.array(np.inf), "t_start"),
        ("kind", np.array(3), "'kind': expected a string"),
        ("params", np.str_("[1, 2]"), "params: expected a JSON object"),
        ("format", np.str_("other/1"), "unknown format"),
    ],
)
def test_malformed_event_files(tmp_path, key, value, needle):
    path = io.write_events(_events(), tmp_path / "ev.npz")
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    arrays[key] = value
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=needle) as err:
        io.read_events(path)
    assert str(path) in str(err.value)


def test_existing_file_needs_overwrite(tmp_path):
    path = io.write_events(_events(), tmp_path / "ev.npz")
    other = EventTimes([1.0], kind="other")
    with pytest.raises(FileExistsError, match="overwrite"):
        io.write_events(other, path)
    assert io.read_events(path) == _events()
    io.write_events(other, path, overwrite=True)
    assert io.read_events(path) == other


@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()])
def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch, exc):
    def boom(fh, **arrays):
        fh.write(b"PK\x03\x04partial")
        raise exc

    monkeypatch.setattr(np, "savez_compressed", boom)
    with pytest.raises(type(exc)):
        io.write_events(_events(), tmp_path / "ev.npz")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------- property-based trips
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.text(max_size=6)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def event_times(draw):
    times = sorted(draw(st.lists(st.floats(-1e6, 1e6, allow_subnormal=False), max_size=40)))
    first, last = (times[0], times[-1]) if times else (0.0, 0.0)
    t_start = draw(st.floats(-2e6, first))
    t_stop = draw(st.floats(max(last, t_start), 2e6))
    kind = draw(st.text(st.characters(exclude_characters="\x00"), max_size=12))
    params = draw(st.dictionaries(st.text(max_size=6), _JSON, max_size=4))
    return EventTimes(times, t_start=t_start, t_stop=t_stop, kind=kind, params=params)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ev=event_times())
def test_round_trip_property(ev):
    with tempfile.TemporaryDirectory() as d:
        back = io.read_events(io.write_events(ev, Path(d) / "p.npz"))
    assert back == ev
    np.testing.assert_array_equal(back.times, ev.times)  # bit-identical, no tolerance


def _damage(data: bytes, how) -> bytes:
    if how[0] == "truncate":
        return data[: how[1]]
    b = bytearray(data)
    for offset, byte in how[1]:
        b[offset % len(b)] = byte
    return bytes(b)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    how=st.one_of(
        st.tuples(st.just("truncate"), st.integers(0, 2000)),
        st.tuples(
            st.just("flip"),
            st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6),
        ),
    )
)
def test_damaged_event_files_give_events_or_a_value_error(how):
    with tempfile.TemporaryDirectory() as d:
        path = io.write_events(_events(), Path(d) / "ev.npz")
        path.write_bytes(_damage(path.read_bytes(), how))
        try:
            back = io.read_events(path)
        except ValueError as exc:
            assert str(path) in str(exc)
        else:
            assert isinstance(back, EventTimes)
            assert np.all(np.diff(back.times) >= 0) and np.all(np.isfinite(back.times))
        assert [p.name for p in Path(d).iterdir()] == ["ev.npz"]
