"""Population activity, avalanches, transition and coincidence events (issue 3).

Known answers: a hand-made raster whose avalanches, births, deaths and
coincidences are written out below, and random rasters checked against a plain
Python loop over bins (an independent, obviously-correct implementation).
"""

import json
import warnings

import numpy as np
import pytest

from neurodam import SpikeTrains
from neurodam.analysis import (
    avalanches,
    avalanches_from_activity,
    coincidence_events,
    default_bin_width,
    events_from_activity,
    poisson_spikes,
    population_activity,
    resolve_threshold,
    transition_events,
)
from neurodam.spikes import EventTimes

# bin width 1 s on [0, 10]; activity per bin = [0, 2, 1, 0, 1, 0, 4, 3, 1, 0]
# distinct neurons per bin               = [0, 2, 1, 0, 1, 0, 3, 3, 1, 0]
HAND_TIMES = [1.2, 1.5, 2.1, 4.5, 6.1, 6.2, 6.3, 6.4, 7.5, 7.6, 7.7, 8.5]
HAND_SENDERS = [0, 1, 2, 0, 0, 1, 2, 0, 1, 2, 3, 3]


@pytest.fixture
def hand():
    return SpikeTrains(HAND_TIMES, HAND_SENDERS, n_neurons=5, t_start=0.0, t_stop=10.0)


def test_population_activity_hand(hand):
    edges, counts = population_activity(hand, 1.0)
    np.testing.assert_array_equal(counts, [0, 2, 1, 0, 1, 0, 4, 3, 1, 0])
    np.testing.assert_allclose(edges, np.arange(11.0))


def test_default_bin_width_is_mean_pooled_isi(hand):
    # Beggs & Plenz 2003: mean inter-spike interval of the pooled population
    expected = (8.5 - 1.2) / (len(HAND_TIMES) - 1)
    assert default_bin_width(hand) == pytest.approx(expected)
    edges, counts = population_activity(hand)
    assert edges[1] - edges[0] == pytest.approx(expected)
    assert counts.sum() == len(HAND_TIMES)


def test_spike_at_t_stop_is_counted():
    st = SpikeTrains([0.5, 2.0], [0, 0], t_start=0.0, t_stop=2.0)
    _, counts = population_activity(st, 0.5)
    np.testing.assert_array_equal(counts, [0, 1, 0, 1])


def test_avalanches_hand(hand):
    av = avalanches(hand, bin_width=1.0)
    np.testing.assert_array_equal(av.sizes, [3, 1, 8])
    np.testing.assert_array_equal(av.durations, [2, 1, 3])
    np.testing.assert_allclose(av.start_times, [1, 4, 6])
    np.testing.assert_allclose(av.end_times, [3, 5, 9])
    shapes = av.shapes()
    assert sorted(shapes) == [1, 2, 3]
    np.testing.assert_array_equal(shapes[1], [[1]])
    np.testing.assert_array_equal(shapes[2], [[2, 1]])
    np.testing.assert_array_equal(shapes[3], [[4, 3, 1]])
    assert not av.censored.any()
    T, mean_s, n = av.mean_size_by_duration()
    np.testing.assert_array_equal(T, [1, 2, 3])
    np.testing.assert_allclose(mean_s, [1, 3, 8])


def test_avalanches_thresholds_hand(hand):
    # size="spikes": every spike of the run (the sizes before the size above threshold)
    av = avalanches(hand, 1.0, threshold=1, size="spikes")  # bins with > 1 spike: 1, 6, 7
    np.testing.assert_array_equal(av.sizes, [2, 7])
    np.testing.assert_array_equal(av.durations, [1, 2])
    # 90th percentile of [0,2,1,0,1,0,4,3,1,0] is 3.1 -> only bin 6
    av = avalanches(hand, 1.0, threshold="percentile:90", size="spikes")
    assert av.threshold == pytest.approx(3.1)
    np.testing.assert_array_equal(av.sizes, [4])
    # mean + 1 sd = 1.2 + sqrt(1.76) = 2.527 -> bins 6 and 7
    av = avalanches(hand, 1.0, threshold="sd:1", size="spikes")
    assert av.threshold == pytest.approx(1.2 + np.sqrt(1.76))
    np.testing.assert_array_equal(av.sizes, [7])
    np.testing.assert_allclose(av.start_times, [6.0])


def test_size_above_threshold_hand(hand):
    # the default for theta > 0: sum over the run of A - floor(theta)
    av = avalanches(hand, 1.0, threshold=1)  # bins 1 (2), 6 (4), 7 (3) above baseline 1
    assert av.size_definition == "above_threshold" and av.baseline == 1
    np.testing.assert_array_equal(av.sizes, [1, 3 + 2])
    np.testing.assert_array_equal(av.durations, [1, 2])
    # theta = 3.1 (non-integer): the same avalanche as baseline 3, size 4 - 3
    av = avalanches(hand, 1.0, threshold="percentile:90")
    assert av.baseline == 3
    np.testing.assert_array_equal(av.sizes, [1])
    # theta = 2.527: baseline 2, bins of 4 and 3 spikes -> 2 + 1
    av = avalanches(hand, 1.0, threshold="sd:1")
    np.testing.assert_array_equal(av.sizes, [3])
    assert av.sizes.dtype == np.int64 and np.all(av.sizes >= av.durations)
    # shapes are the profiles above the baseline: each row sums to the size
    np.testing.assert_array_equal(av.shapes()[2], [[2, 1]])
    # theta = 0: the Beggs-Plenz spike count
    av0 = avalanches(hand, 1.0)
    assert av0.size_definition == "spikes" and av0.baseline == 0
    np.testing.assert_array_equal(av0.sizes, [3, 1, 8])
    with pytest.raises(ValueError, match="size"):
        avalanches(hand, 1.0, threshold=1, size="area")


def test_size_above_threshold_removes_a_constant_background():
    # avalanches of a critical branching process on top of 10 always-active units: above
    # threshold 10 the runs and their sizes are exactly those of the process alone, while
    # the raw spike count adds 10 per bin (S ~ 10 T, the trivial crackling slope)
    from neurodam.analysis import branching_process, crackling_relation

    st = branching_process(1.0, 50, n_avalanches=3000, seed=11, max_size=10**4)
    bare = avalanches(st, 1e-3)
    act = population_activity(st, 1e-3)[1] + 10
    above = avalanches_from_activity(act, 1e-3, threshold=10)
    np.testing.assert_array_equal(above.sizes, bare.sizes)
    np.testing.assert_array_equal(above.durations, bare.durations)
    raw = avalanches_from_activity(act, 1e-3, threshold=10, size="spikes")
    np.testing.assert_array_equal(raw.sizes, bare.sizes + 10 * bare.durations)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = crackling_relation(above)
    assert c.size_definition == "above_threshold"


def test_transition_events_hand(hand):
    np.testing.assert_allclose(transition_events(hand, 1.0, kind="birth"), [1, 4, 6])
    np.testing.assert_allclose(transition_events(hand, 1.0, kind="death"), [3, 5, 9])
    np.testing.assert_allclose(transition_events(hand, 1.0), [1, 3, 4, 5, 6, 9])
    np.testing.assert_allclose(transition_events(hand, 1.0, threshold=1), [1, 2, 6, 8])


def test_transitions_only_inside_window():
    # activity already above threshold at bin 0 and still at the last bin: no birth, no death
    st = SpikeTrains([0.5, 1.5, 2.5], [0, 1, 0], t_start=0.0, t_stop=3.0)
    with pytest.warns(UserWarning, match="no both transitions"):
        assert transition_events(st, 1.0).size == 0
    av = avalanches(st, 1.0)
    np.testing.assert_array_equal(av.sizes, [3])
    assert av.censored.all()


def test_coincidence_events_hand(hand):
    np.testing.assert_allclose(coincidence_events(hand, 1.0, 3), [6.0])
    np.testing.assert_allclose(coincidence_events(hand, 1.0, 2), [1.0, 6.0])
    # 4 spikes of 3 distinct neurons in bin 6: distinct neurons count, not spikes
    with pytest.warns(UserWarning, match="min_neurons"):
        assert coincidence_events(hand, 1.0, 4).size == 0
    # percentile of N_k = [0,2,1,0,1,0,3,3,1,0]: 80th = 2.2 -> bins 6, 7 -> one onset
    np.testing.assert_allclose(coincidence_events(hand, 1.0, "percentile:80"), [6.0])


def _loop_avalanches(counts, theta):
    """Reference: a plain loop over bins."""
    out, cur, dur, start = [], 0, 0, None
    for i, c in enumerate(counts):
        if c > theta:
            if start is None:
                start, cur, dur = i, 0, 0
            cur += c
            dur += 1
        elif start is not None:
            out.append((start, dur, cur))
            start = None
    if start is not None:
        out.append((start, dur, cur))
    return out


@pytest.mark.parametrize("theta", [0, 2, "percentile:70"])
def test_avalanches_match_loop_reference(theta):
    st = poisson_spikes(rate=3.0, n_neurons=20, duration=30.0, seed=4)
    av = avalanches(st, bin_width=0.01, threshold=theta, size="spikes")
    _, counts = population_activity(st, 0.01)
    th = resolve_threshold(theta, counts)
    ref = _loop_avalanches(counts.tolist(), th)
    assert len(av) == len(ref) > 10
    np.testing.assert_array_equal(av.start_bins, [r[0] for r in ref])
    np.testing.assert_array_equal(av.durations, [r[1] for r in ref])
    np.testing.assert_array_equal(av.sizes, [r[2] for r in ref])
    above = avalanches(st, bin_width=0.01, threshold=theta, size="above_threshold")
    base = int(np.floor(th))
    np.testing.assert_array_equal(above.sizes, [r[2] - base * r[1] for r in ref])
    births = transition_events(st, 0.01, threshold=theta, kind="birth")
    ref_births = [0.01 * r[0] for r in ref if r[0] > 0]
    np.testing.assert_allclose(births, ref_births, atol=1e-9)


def test_coincidences_match_loop_reference():
    st = poisson_spikes(rate=5.0, n_neurons=15, duration=20.0, seed=5)
    w, k = 0.02, 2
    onsets = coincidence_events(st, w, k)
    n_bins = int(np.ceil(st.duration / w - 1e-9))
    sets = [set() for _ in range(n_bins)]
    for t, s in zip(st.times, st.senders, strict=True):
        sets[min(int(t / w), n_bins - 1)].add(int(s))
    active = [len(x) >= k for x in sets]
    ref = [i * w for i in range(n_bins) if active[i] and (i == 0 or not active[i - 1])]
    assert len(ref) > 10
    np.testing.assert_allclose(onsets, ref, atol=1e-9)


def test_avalanche_sizes_sum_to_spike_count():
    st = poisson_spikes(rate=2.0, n_neurons=50, duration=10.0, seed=6)
    av = avalanches(st)  # default bin width, threshold 0: every spike is in an avalanche
    assert av.sizes.sum() == len(st)
    assert np.all(av.end_times > av.start_times)
    np.testing.assert_allclose(av.end_times - av.start_times, av.durations * av.bin_width)


def test_avalanches_from_activity_matches_spikes(hand):
    av = avalanches_from_activity(np.array([0, 2, 1, 0, 1, 0, 4, 3, 1, 0]), bin_width=1.0)
    np.testing.assert_array_equal(av.sizes, avalanches(hand, 1.0).sizes)


# ------------------------------------------------------------------ bad input
def test_empty_spike_trains():
    empty = SpikeTrains([], [], n_neurons=3, t_start=0.0, t_stop=5.0)
    with pytest.raises(ValueError, match="bin_width"):
        avalanches(empty)
    with pytest.warns(UserWarning, match="no avalanches"):
        av = avalanches(empty, bin_width=0.1)
    assert len(av) == 0 and av.sizes.size == 0
    with pytest.raises(ValueError, match="spikes"):
        population_activity(SpikeTrains([], [], t_stop=0.0), 1.0)


@pytest.mark.parametrize("bad", [0, -1.0, np.inf, np.nan])
def test_bad_bin_width(hand, bad):
    with pytest.raises(ValueError, match="bin_width"):
        avalanches(hand, bin_width=bad)


def test_bad_types(hand):
    with pytest.raises(TypeError, match="bin_width"):
        avalanches(hand, bin_width="1")
    with pytest.raises(TypeError, match="spikes"):
        avalanches(np.array([1.0, 2.0]), 1.0)


@pytest.mark.parametrize("bad", ["percent:9", "sd:x", "percentile:101", -1, "sd"])
def test_bad_threshold(hand, bad):
    with pytest.raises(ValueError, match="threshold"):
        avalanches(hand, 1.0, threshold=bad)


def test_threshold_leaving_no_events(hand):
    with pytest.warns(UserWarning, match="no avalanches"):
        av = avalanches(hand, 1.0, threshold=10)
    assert len(av) == 0
    with pytest.warns(UserWarning, match="threshold"):
        assert transition_events(hand, 1.0, threshold=10).size == 0


def test_bad_kind_window_min_neurons(hand):
    with pytest.raises(ValueError, match="kind"):
        transition_events(hand, 1.0, kind="births")
    with pytest.raises(ValueError, match="window"):
        coincidence_events(hand, 0.0, 2)
    with pytest.raises(ValueError, match="min_neurons"):
        coincidence_events(hand, 1.0, 0)
    with pytest.raises(ValueError, match="min_neurons"):
        coincidence_events(hand, 1.0, "quantile:3")
    # mean - 5 sd of the hand activity is negative: empty bins would count as active
    with pytest.raises(ValueError, match="threshold: 'sd:-5' resolves to -"):
        avalanches(hand, 1.0, threshold="sd:-5")
    # the hand raster has windows with no spike, so its 10th percentile of N_k is 0: a rule
    # every window meets is an error, not one onset at t_start
    with pytest.raises(ValueError, match="min_neurons: 'percentile:10' resolves to 0"):
        coincidence_events(hand, 1.0, "percentile:10")


def test_bad_activity():
    with pytest.raises(ValueError, match="activity"):
        avalanches_from_activity(np.array([1, -1, 2]))
    with pytest.raises(ValueError, match="activity"):
        avalanches_from_activity(np.ones((2, 2)))


# ------------------------------------------------------ EventTimes and activity events
HAND_ACTIVITY = np.array([0, 2, 1, 0, 1, 0, 4, 3, 1, 0])


def test_transition_events_are_event_times(hand):
    ev = transition_events(hand, 1.0, threshold="percentile:50")
    assert isinstance(ev, EventTimes) and ev.kind == "transitions"
    assert (ev.t_start, ev.t_stop) == (hand.t_start, hand.t_stop)
    # median of the hand activity is 1: bins 1, 6, 7 above it
    np.testing.assert_allclose(ev, [1, 2, 6, 8])
    assert ev.params == {
        "bin_width": 1.0,
        "threshold": "percentile:50",
        "threshold_value": 1.0,
        "crossings": "both",
        "dt": 1.0,
    }
    assert json.loads(json.dumps(dict(ev.params))) == dict(ev.params)
    births = transition_events(hand, 1.0, threshold=np.int64(0), kind="birth")
    assert births.params["crossings"] == "births" and type(births.params["threshold"]) is int
    co = coincidence_events(hand, 1.0, 2)
    assert isinstance(co, EventTimes) and co.kind == "coincidences"
    assert co.params["threshold_value"] == 2 and co.params["dt"] == 1.0
    assert co.params["count"] == "distinct_neurons"
    json.dumps(dict(co.params))
    np.testing.assert_allclose(np.asarray(co), [1.0, 6.0])


def test_events_from_activity_hand(hand):
    kw = {"bin_width": 1.0}
    np.testing.assert_allclose(events_from_activity(HAND_ACTIVITY, **kw), [1, 3, 4, 5, 6, 9])
    np.testing.assert_allclose(events_from_activity(HAND_ACTIVITY, kind="births"), [1, 4, 6])
    np.testing.assert_allclose(events_from_activity(HAND_ACTIVITY, kind="deaths"), [3, 5, 9])
    ev = events_from_activity(HAND_ACTIVITY, 0.5, threshold=1, t_start=2.0)
    np.testing.assert_allclose(ev, 2.0 + 0.5 * np.array([1, 2, 6, 8]))
    assert (ev.t_start, ev.t_stop, ev.kind) == (2.0, 7.0, "transitions")
    assert ev.params["dt"] == 0.5
    # coincidences: onsets of runs of A >= 2 -> bins 1 and 6 (same as distinct neurons here)
    co = events_from_activity(HAND_ACTIVITY, threshold=2, kind="coincidences")
    np.testing.assert_allclose(co, [1.0, 6.0])
    assert co.kind == "coincidences"
    # the same events as from the spikes, window and definition included
    assert events_from_activity(HAND_ACTIVITY, 1.0, 1) == transition_events(hand, 1.0, 1)
    # a real-valued activity (a rate) is fine for events
    np.testing.assert_allclose(events_from_activity([0.1, 0.7, 0.2], threshold=0.5), [1, 2])


def test_events_from_activity_bad_input():
    with pytest.raises(ValueError, match="kind"):
        events_from_activity(HAND_ACTIVITY, kind="both")
    with pytest.raises(ValueError, match="threshold: 0 resolves to 0"):
        events_from_activity(HAND_ACTIVITY, kind="coincidences")
    with pytest.raises(ValueError, match="activity"):
        events_from_activity(np.zeros(0))
    with pytest.raises(ValueError, match="activity"):
        events_from_activity(np.ones((2, 3)))
    with pytest.raises(ValueError, match="activity"):
        events_from_activity([1.0, -2.0])
    with pytest.raises(TypeError, match="activity"):
        events_from_activity(np.array(["a", "b"]))
    with pytest.raises(ValueError, match="bin_width"):
        events_from_activity(HAND_ACTIVITY, bin_width=0)
    with pytest.raises(TypeError, match="t_start"):
        events_from_activity(HAND_ACTIVITY, t_start="0")
    with pytest.warns(UserWarning, match="no births"):
        assert events_from_activity(HAND_ACTIVITY, threshold=9, kind="births").size == 0


def test_coincidence_window_defaults_and_is_required(hand):
    with pytest.raises(TypeError, match="min_neurons"):
        coincidence_events(hand, 1.0)
    lattice = SpikeTrains([0.5, 0.5, 1.5], [0, 1, 0], t_stop=2.0, meta={"dt": 1.0})
    np.testing.assert_allclose(coincidence_events(lattice, min_neurons=2), [0.0])
