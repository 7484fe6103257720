"""SpikeTrains: validation, immutability, derived quantities and select() invariants."""

import copy
import dataclasses
import pickle

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from neurodam import SpikeTrains


def _example():
    return SpikeTrains(
        [0.5, 0.1, 0.3, 0.9, 0.3],
        [2, 0, 1, 0, 3],
        n_neurons=5,
        t_start=0.0,
        t_stop=1.0,
        meta={"source": "test"},
    )


# ------------------------------------------------------------ construction
def test_unsorted_times_are_sorted_stably_with_senders():
    # ties at t=0.2 keep their input order (3 before 1); senders follow their times
    s = SpikeTrains([0.3, 0.2, 0.1, 0.2], [0, 3, 2, 1], n_neurons=4)
    np.testing.assert_array_equal(s.times, [0.1, 0.2, 0.2, 0.3])
    np.testing.assert_array_equal(s.senders, [2, 3, 1, 0])


def test_dtypes_and_defaults():
    s = SpikeTrains([0.2, 0.4], [1, 1])
    assert s.times.dtype == np.float64 and s.senders.dtype == np.int64
    assert s.n_neurons == 2  # max id + 1
    assert s.t_start == 0.0 and s.t_stop == 0.4
    empty = SpikeTrains([], [])
    assert len(empty) == 0 and empty.n_neurons == 0 and empty.duration == 0.0


def test_integral_float_senders_are_accepted():
    s = SpikeTrains([0.1], [2.0], n_neurons=3)
    assert s.senders.dtype == np.int64 and s.senders[0] == 2


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_times_are_rejected(bad):
    with pytest.raises(ValueError, match="times"):
        SpikeTrains([0.1, bad], [0, 1])


def test_negative_ids_are_rejected():
    with pytest.raises(ValueError, match="senders.*-1"):
        SpikeTrains([0.1, 0.2], [0, -1], n_neurons=3)


def test_ids_not_below_n_neurons_are_rejected():
    with pytest.raises(ValueError, match="senders.*n_neurons=3.*got 3"):
        SpikeTrains([0.1, 0.2], [0, 3], n_neurons=3)


def test_non_integer_ids_are_rejected():
    with pytest.raises(ValueError, match="senders"):
        SpikeTrains([0.1, 0.2], [0, 1.5])


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_non_finite_ids_are_rejected_without_numpy_warning(bad):
    # "error" turns a leaked RuntimeWarning (np.mod(inf, 1)) into a failure
    with pytest.raises(ValueError, match="senders"):
        SpikeTrains([0.1, 0.2], [0, bad])


def test_length_mismatch_is_rejected():
    with pytest.raises(ValueError, match="times and senders.*3 times.*2 senders"):
        SpikeTrains([0.1, 0.2, 0.3], [0, 1])


def test_t_stop_before_last_spike_is_rejected():
    with pytest.raises(ValueError, match="t_stop.*0.5"):
        SpikeTrains([0.1, 0.5], [0, 1], t_stop=0.4)


def test_t_start_after_first_spike_is_rejected():
    with pytest.raises(ValueError, match="t_start.*0.1"):
        SpikeTrains([0.1, 0.5], [0, 1], t_start=0.2, t_stop=1.0)


def test_t_stop_before_t_start_is_rejected():
    with pytest.raises(ValueError, match="t_stop"):
        SpikeTrains([], [], n_neurons=1, t_start=2.0, t_stop=1.0)


@pytest.mark.parametrize("bad", [-1, 2.5, True, "3"])
def test_bad_n_neurons_is_rejected(bad):
    with pytest.raises(ValueError, match="n_neurons"):
        SpikeTrains([0.1], [0], n_neurons=bad)


def test_non_finite_window_is_rejected():
    with pytest.raises(ValueError, match="t_stop"):
        SpikeTrains([0.1], [0], t_stop=np.inf)


def test_meta_must_be_a_mapping():
    with pytest.raises(TypeError, match="meta"):
        SpikeTrains([0.1], [0], meta=[("a", 1)])


# ------------------------------------------------------------ immutability
def test_arrays_are_read_only():
    s = _example()
    with pytest.raises(ValueError, match="read-only"):
        s.times[0] = 5.0
    with pytest.raises(ValueError, match="read-only"):
        s.senders[0] = 1


def test_attributes_cannot_be_assigned():
    s = _example()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.n_neurons = 10
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.times = np.zeros(5)
    with pytest.raises(TypeError):
        s.meta["source"] = "other"


def test_input_arrays_are_copied_not_frozen():
    t = np.array([0.1, 0.2])
    i = np.array([0, 1])
    s = SpikeTrains(t, i)
    assert t.flags.writeable and i.flags.writeable  # the caller's arrays are untouched
    t[0] = 0.15
    assert s.times[0] == 0.1  # and later changes do not leak in


def test_pickle_and_copy_round_trip():
    s = _example()
    for other in (pickle.loads(pickle.dumps(s)), copy.deepcopy(s), copy.copy(s)):
        assert other == s
        assert dict(other.meta) == dict(s.meta)
        assert not other.times.flags.writeable


# ------------------------------------------------------------ derived data
def test_len_duration_and_repr():
    s = _example()
    assert len(s) == 5
    assert s.duration == 1.0
    text = repr(s)
    assert "5 spikes" in text and "5 neurons" in text and "1 Hz" in text  # 5/(1 s * 5)


def test_rates_and_mean_rate():
    s = _example()
    np.testing.assert_allclose(s.rates(), [2.0, 1.0, 1.0, 1.0, 0.0])  # counts / 1 s
    assert s.mean_rate() == pytest.approx(1.0)
    zero = SpikeTrains([], [], n_neurons=2, t_stop=0.0)
    with pytest.raises(ValueError, match="t_stop"):
        zero.rates()
    assert np.isnan(zero.mean_rate())


def test_per_neuron():
    s = _example()
    trains = s.per_neuron()
    assert len(trains) == 5
    np.testing.assert_array_equal(trains[0], [0.1, 0.9])
    np.testing.assert_array_equal(trains[3], [0.3])
    assert trains[4].size == 0
    assert SpikeTrains([], [], n_neurons=0).per_neuron() == []


def test_select_window_and_neurons():
    s = _example()
    w = s.select(t_start=0.2, t_stop=0.6)
    np.testing.assert_array_equal(w.times, [0.3, 0.3, 0.5])
    assert (w.t_start, w.t_stop, w.n_neurons) == (0.2, 0.6, 5)
    n = s.select(neurons=[3, 0], relabel=True)
    assert n.n_neurons == 2
    np.testing.assert_array_equal(n.times, [0.1, 0.3, 0.9])
    np.testing.assert_array_equal(n.senders, [1, 0, 1])  # 3 -> 0, 0 -> 1
    assert dict(n.meta) == {"source": "test"}


def test_select_bad_inputs():
    s = _example()
    with pytest.raises(ValueError, match="neurons"):
        s.select(neurons=[7])
    with pytest.raises(ValueError, match="neurons"):
        s.select(neurons=[0.5])
    with pytest.raises(ValueError, match="neurons"):
        s.select(neurons=[1, 1], relabel=True)
    with pytest.raises(ValueError, match="t_stop"):
        s.select(t_start=0.5, t_stop=0.2)


def test_raster_plot():
    import matplotlib.pyplot as plt

    s = _example()
    ax = s.raster_plot()
    offsets = ax.collections[0].get_offsets()
    np.testing.assert_array_equal(np.asarray(offsets)[:, 0], s.times)
    np.testing.assert_array_equal(np.asarray(offsets)[:, 1], s.senders)
    assert ax.get_xlim() == (0.0, 1.0)
    fig, ax2 = plt.subplots()
    assert s.raster_plot(ax=ax2) is ax2


# ------------------------------------------------------------ properties
@st.composite
def spike_trains(draw, max_neurons=6, max_spikes=40):
    n = draw(st.integers(1, max_neurons))
    k = draw(st.integers(0, max_spikes))
    times = draw(
        st.lists(
            st.floats(0.0, 10.0, allow_nan=False, allow_subnormal=False), min_size=k, max_size=k
        )
    )
    senders = draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k))
    t_stop = draw(st.floats(max(times, default=0.0), 12.0))
    return SpikeTrains(times, senders, n_neurons=n, t_start=0.0, t_stop=t_stop)


@settings(max_examples=60, deadline=None)
@given(s=spike_trains(), data=st.data())
def test_select_partitions_time_and_neurons(s, data):
    # splitting the window at any t_mid partitions the spikes (left-closed bins);
    # a zero-length train cannot be split (both halves are the whole train)
    assume(s.duration > 0)
    t_mid = data.draw(st.floats(s.t_start, s.t_stop))
    left, right = s.select(t_stop=t_mid), s.select(t_start=t_mid)
    assert len(left) + len(right) == len(s)
    np.testing.assert_array_equal(np.concatenate([left.times, right.times]), s.times)
    np.testing.assert_array_equal(np.concatenate([left.senders, right.senders]), s.senders)
    assert left.t_stop == right.t_start == t_mid
    # selecting a set of neurons keeps exactly their spikes, in time order
    ids = data.draw(st.sets(st.integers(0, s.n_neurons - 1)))
    sub = s.select(neurons=sorted(ids))
    keep = np.isin(s.senders, sorted(ids))
    np.testing.assert_array_equal(sub.times, s.times[keep])
    np.testing.assert_array_equal(sub.senders, s.senders[keep])
    assert sub.n_neurons == s.n_neurons
    # relabelling gives compact ids and per-neuron trains in the chosen order
    order = data.draw(st.permutations(sorted(ids)))
    rel = s.select(neurons=order, relabel=True)
    assert rel.n_neurons == len(order)
    full = s.per_neuron()
    for new, old in enumerate(order):
        np.testing.assert_array_equal(rel.per_neuron()[new], full[old])
    # select() with no arguments is the identity
    assert s.select() == s


@settings(max_examples=60, deadline=None)
@given(s=spike_trains())
def test_per_neuron_and_rates_are_consistent(s):
    trains = s.per_neuron()
    assert len(trains) == s.n_neurons
    assert sum(t.size for t in trains) == len(s)
    for t in trains:
        assert np.all(np.diff(t) >= 0)
    if s.duration > 0:
        np.testing.assert_allclose(s.rates() * s.duration, [t.size for t in trains])
