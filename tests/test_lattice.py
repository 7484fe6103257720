"""Spikes on a time lattice (model output): counted per step exactly, never re-binned.

Known answers: spikes placed at the lattice points of known steps (times computed the way
the models compute them) must give back those steps' counts exactly, for any dt; and the
events of a memory run's spikes at its own step must equal the threshold crossings of the
activity the engine counted itself (``run.activity``, from the states, not the spikes).
"""

import warnings

import numpy as np
import pytest

from neurodam import SpikeTrains
from neurodam.analysis import (
    avalanches,
    avalanches_from_activity,
    branching_ratio,
    coincidence_events,
    default_bin_width,
    events_from_activity,
    population_activity,
    transition_events,
)

DTS = [1e-3, 0.01, 0.1, 1 / 3, 0.007]


def _lattice_spikes(dt, stamp, n_steps=3000, seed=0, t_start=0.0):
    """Spikes of random steps on the lattice of ``dt``: times as a model computes them."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(1.5, n_steps)
    step = np.repeat(np.arange(n_steps), counts)
    offset = {"start": 0, "end": 1, "centre": 0.5}[stamp]
    times = t_start + (step + offset) * dt
    senders = rng.integers(0, 40, step.size)
    meta = {"dt": dt, "stamp": stamp}
    st = SpikeTrains(times, senders, 40, t_start=t_start, t_stop=t_start + n_steps * dt, meta=meta)
    return st, counts


@pytest.mark.parametrize("dt", DTS)
@pytest.mark.parametrize("stamp", ["start", "end", "centre"])
def test_lattice_counts_are_exact(dt, stamp):
    st, counts = _lattice_spikes(dt, stamp)
    assert default_bin_width(st) == dt
    edges, got = population_activity(st)  # the default bin is the step
    np.testing.assert_array_equal(got, counts)
    assert edges.size == counts.size + 1
    # a bin of 3 steps holds exactly those steps (the last bin is partial)
    _, got3 = population_activity(st, 3 * dt)
    padded = np.concatenate([counts, np.zeros(-counts.size % 3, np.int64)])
    np.testing.assert_array_equal(got3, padded.reshape(-1, 3).sum(axis=1))


@pytest.mark.parametrize("dt", [0.1, 0.007, 1 / 3])
def test_end_stamped_steps_are_not_shifted(dt):
    # the float floor of (k + 1) dt / dt lands in bin k + 1, or in bin k where rounding
    # falls short: an empty first bin, a doubled last bin and scattered moves
    st, counts = _lattice_spikes(dt, "end", n_steps=2000, seed=3)
    _, got = population_activity(st, dt)
    assert got[0] == counts[0] and got[-1] == counts[-1]
    np.testing.assert_array_equal(got, counts)


def test_stamp_is_read_from_the_times_when_missing():
    dt = 0.01
    for stamp in ("end", "centre"):
        st, counts = _lattice_spikes(dt, stamp, n_steps=500, seed=1)
        bare = SpikeTrains(st.times, st.senders, 40, 0.0, st.t_stop, meta={"dt": dt})
        if stamp == "end":
            assert bare.times[-1] == pytest.approx(bare.t_stop)  # a spike in the last step
        np.testing.assert_array_equal(population_activity(bare)[1], counts)
    # spikes at both t_start and t_stop: n + 1 lattice points in n steps
    both = SpikeTrains([0.0, 1.0], [0, 0], t_stop=1.0, meta={"dt": 0.5})
    with pytest.raises(ValueError, match="spikes: the spike at t=0.0 s is step -1"):
        population_activity(both)


def test_off_lattice_times_and_bad_stamps_are_errors():
    st = SpikeTrains([0.01, 0.0234], [0, 1], t_stop=0.05, meta={"dt": 0.01, "stamp": "start"})
    with pytest.raises(ValueError, match=r"spikes: meta\['dt'\]=0.01 s declares a step lattice"):
        population_activity(st)
    with pytest.raises(ValueError, match="spike 1 at t=0.0234"):
        transition_events(st)
    late = SpikeTrains([0.01, 0.05], [0, 1], t_stop=0.05, meta={"dt": 0.01, "stamp": "start"})
    with pytest.raises(ValueError, match="'start' of each step"):
        population_activity(late)
    bad = SpikeTrains([0.01], [0], t_stop=0.05, meta={"dt": 0.01, "stamp": "middle"})
    with pytest.raises(ValueError, match=r"spikes.meta\['stamp'\]"):
        population_activity(bad)
    for dt, exc in ((0.0, ValueError), ("0.01", TypeError)):
        with pytest.raises(exc, match=r"spikes.meta\['dt'\]"):
            default_bin_width(SpikeTrains([0.01], [0], t_stop=0.05, meta={"dt": dt}))


def test_width_not_a_whole_number_of_steps_uses_the_step_midpoint():
    # steps 0..5 of dt = 1 with 1, 2, ..., 6 spikes; bins of 1.5: midpoints 0.5, 1.5, 2.5,
    # 3.5, 4.5, 5.5 fall in bins 0, 1, 1, 2, 3, 3
    step = np.repeat(np.arange(6), np.arange(1, 7))
    st = SpikeTrains(step + 1.0, np.zeros_like(step), 1, 0.0, 6.0, {"dt": 1.0, "stamp": "end"})
    with pytest.warns(UserWarning, match="not a whole number of lattice steps"):
        _, counts = population_activity(st, 1.5)
    np.testing.assert_array_equal(counts, [1, 2 + 3, 4, 5 + 6])


def test_recordings_keep_the_mean_isi_and_the_float_grid():
    st = SpikeTrains([0.3, 1.1, 1.2, 3.0], [0, 1, 0, 1], t_stop=3.0)
    assert default_bin_width(st) == pytest.approx(2.7 / 3)
    np.testing.assert_array_equal(population_activity(st, 1.0)[1], [1, 2, 1])


# ------------------------------------------------ memory runs: the issue's reproduction
@pytest.fixture(scope="module")
def digit_patterns():
    from neurodam import patterns

    xi, labels = patterns.digits()
    return np.stack([xi[np.flatnonzero(labels == c)[0]] for c in range(5)])


def _direct(activity, theta):
    """Births + deaths and coincidence onsets from the activity, by plain numpy."""
    up = (activity > theta).astype(np.int8)
    on = (activity >= theta + 1).astype(np.int8)
    return int(np.abs(np.diff(up)).sum()), int((np.diff(on, prepend=np.int8(0)) == 1).sum())


@pytest.mark.parametrize("dt", [0.01, 1e-3])
def test_memory_run_events_match_the_issue_numbers(digit_patterns, dt):
    # 5 digit patterns, F=exp, noise 0.2, 20000 steps, seed 1; threshold = 90th percentile
    # of the activity. Before the lattice rule: 4497 transitions at dt = 0.01 (2817 at 1e-3)
    # and 2160 coincidence onsets, against 2536 and 1268 read from the activity.
    from neurodam.memory import simulate

    run = simulate(
        digit_patterns, F="exp", noise=0.2, steps=20000, seed=1, backend="reference",
        dt=dt, init=0,
    )  # fmt: skip
    th = float(np.percentile(run.activity, 90))
    assert _direct(run.activity, th) == (2536, 1268)
    assert transition_events(run.spikes, bin_width=dt, threshold=th).size == 2536
    assert coincidence_events(run.spikes, dt, th + 1).size == 1268


@pytest.mark.parametrize("dt", DTS)
def test_memory_run_events_equal_activity_crossings(digit_patterns, dt):
    from neurodam.memory import simulate

    run = simulate(
        digit_patterns, F="exp", noise=0.22, steps=4000, seed=2, backend="reference",
        dt=dt, init=0,
    )  # fmt: skip
    spikes, act = run.spikes, run.activity
    np.testing.assert_array_equal(population_activity(spikes)[1], act)
    th = "percentile:80"
    ev = transition_events(spikes, threshold=th)
    direct = events_from_activity(act, dt, th)
    assert ev == direct and ev.size > 50
    assert ev.params["dt"] == dt and (ev.t_start, ev.t_stop) == (0.0, spikes.t_stop)
    # distinct neurons = spikes per step for model output (one spike per neuron per step)
    co = coincidence_events(spikes, min_neurons=th)
    assert np.array_equal(co, events_from_activity(act, dt, th, kind="coincidences"))
    av = avalanches(spikes, threshold=th)
    ref = avalanches_from_activity(act, dt, th)
    np.testing.assert_array_equal(av.sizes, ref.sizes)
    np.testing.assert_array_equal(av.start_bins, ref.start_bins)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the MR fit of a memory run may be flagged
        assert branching_ratio(spikes, "mr").m == branching_ratio(act, "mr").m
