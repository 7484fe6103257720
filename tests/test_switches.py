"""Memory switches: changes of the retrieved memory argmax_mu m_mu(t), blips removed.

Known answers: hand-built overlap sequences whose switches are written out below; random
label sequences checked against a plain Python loop (an independent implementation of
the rule "a state must last min_steps steps"); and a Markov switching sequence whose
inter-switch intervals are geometric with mean 1/p and coefficient of variation
sqrt(1 - p), close to 1 (Poisson-like switching).
"""

import json
import math

import numpy as np
import pytest

from neurodam.analysis import switch_events
from neurodam.analysis.switches import NO_MEMORY, retrieved_memory
from neurodam.spikes import EventTimes


def _overlaps(labels, K, q=None, seed=0):
    """(T, K) overlaps whose argmax is ``labels``; label -1 -> every overlap below q."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    ov = rng.uniform(-0.2, 0.2, (labels.size, K))
    on = labels >= 0
    ov[np.flatnonzero(on), labels[on]] = 0.8
    if q is not None:
        ov[~on] = rng.uniform(-0.2, q - 0.05, (int((~on).sum()), K))
    return ov


def _loop_switches(labels, min_steps):
    """Reference: walk the runs; a run of >= min_steps steps with a new label is a switch."""
    out, state, i = [], None, 0
    while i < len(labels):
        j = i
        while j < len(labels) and labels[j] == labels[i]:
            j += 1
        if j - i >= min_steps:
            if state is not None and labels[i] != state:
                out.append(i)
            state = labels[i]
        i = j
    return out


def test_hand_sequence_with_blips():
    # memory 0 for 5 steps, a 1-step blip of 1, back to 0, then 1 for 4 steps, a 2-step
    # blip of 2, then 0: with min_steps = 3 the switches are 0 -> 1 at row 8, 1 -> 0 at 14
    labels = [0] * 5 + [1] + [0] * 2 + [1] * 4 + [2] * 2 + [0] * 6
    ov = _overlaps(labels, 3)
    ev = switch_events(ov, 0.5)
    assert isinstance(ev, EventTimes) and ev.kind == "switches"
    # stamp "end": row t is the state after step t + 1, seen at (t + 1) dt
    np.testing.assert_allclose(ev, [(8 + 1) * 0.5, (14 + 1) * 0.5])
    assert (ev.t_start, ev.t_stop) == (0.0, len(labels) * 0.5)
    assert ev.params == {
        "dt": 0.5,
        "min_steps": 3,
        "q_threshold": None,
        "stamp": "end",
        "n_memories": 3,
    }
    json.dumps(dict(ev.params))
    # every change counts with min_steps = 1: rows 5, 6, 8, 12, 14
    np.testing.assert_allclose(
        switch_events(ov, 1.0, min_steps=1, stamp="start"), [5, 6, 8, 12, 14]
    )
    # a blip between two different memories: the switch is at the first step of the new run
    np.testing.assert_allclose(
        switch_events(_overlaps([0] * 4 + [1] + [2] * 4, 3), 1.0, stamp="start"), [5]
    )
    np.testing.assert_array_equal(retrieved_memory(ov), [0] * 8 + [1] * 6 + [0] * 6)


def test_no_memory_state():
    # Q falls below 0.5 for 4 steps (rows 6..9), and for 1 step at row 13 (a blip)
    labels = [1] * 6 + [-1] * 4 + [1] * 3 + [-1] + [1] * 5
    ov = _overlaps(labels, 2, q=0.5)
    ev = switch_events(ov, 1.0, q_threshold=0.5, stamp="start", t_start=10.0)
    np.testing.assert_allclose(ev, [16.0, 20.0])  # exit from 1 at row 6, back at row 10
    assert ev.params["q_threshold"] == 0.5
    assert retrieved_memory(ov, q_threshold=0.5)[7] == NO_MEMORY
    # without a threshold the argmax of noise is some memory: different switches
    assert not np.array_equal(switch_events(ov, 1.0, stamp="start"), ev.times - 10.0)


def test_ties_leading_blips_and_no_switch():
    ov = np.zeros((6, 3))  # all tied: argmax -> memory 0 throughout
    assert switch_events(ov, 1.0).size == 0
    # two leading steps of memory 2 (shorter than min_steps) establish nothing
    labels = [2, 2] + [0] * 5 + [1] * 3
    ev = switch_events(_overlaps(labels, 3), 1.0, stamp="start")
    np.testing.assert_allclose(ev, [7.0])
    assert retrieved_memory(_overlaps(labels, 3))[:2].tolist() == [-2, -2]


@pytest.mark.parametrize("min_steps", [1, 2, 3, 5])
def test_matches_loop_reference(min_steps):
    rng = np.random.default_rng(min_steps)
    # runs of random lengths 1..8 (many blips) over 4 memories and the no-memory state
    lengths = rng.integers(1, 9, 600)
    values = rng.integers(-1, 4, 600)
    labels = np.repeat(values, lengths)
    ov = _overlaps(labels, 4, q=0.4, seed=min_steps)
    ev = switch_events(ov, 1.0, min_steps=min_steps, q_threshold=0.4, stamp="start")
    # the loop walks the label sequence itself (equal neighbouring runs merge into one)
    ref = _loop_switches(labels.tolist(), min_steps)
    assert len(ref) > 100
    np.testing.assert_array_equal(ev.times, np.asarray(ref, dtype=float))


def test_markov_switching_is_geometric():
    # a Markov chain over K = 5 memories leaving its memory with probability p per step:
    # run lengths are geometric, mean 1/p and CV sqrt(1 - p) (Poisson-like switching)
    p, K, T = 0.02, 5, 400_000
    rng = np.random.default_rng(7)
    leave = rng.random(T) < p
    jumps = rng.integers(1, K, T)  # to one of the K - 1 other memories
    labels = np.cumsum(np.where(leave, jumps, 0)) % K
    w = switch_events(_overlaps(labels, K, seed=8), 1.0, min_steps=1).waiting_times()
    n = w.size  # ~ p T = 8000 intervals
    assert n > 7000
    # the sample mean has sd sqrt(1 - p)/p/sqrt(n) ~ 0.56 steps: 4 sd
    assert abs(w.mean() - 1 / p) < 4 * math.sqrt(1 - p) / p / math.sqrt(n)
    # the sample CV of a geometric law has sd ~ 1/sqrt(n) (about 0.011 here): 4 sd
    assert abs(w.std() / w.mean() - math.sqrt(1 - p)) < 4 / math.sqrt(n)


def test_markov_switching_with_blips():
    # runs of 2 + Geometric(p) steps (>= 3: mean 2 + 1/p, CV sqrt(1 - p)/(1 + 2 p)), then
    # 1- and 2-step blips of other memories written inside the runs, at least 3 steps after
    # a run's start: with min_steps = 3 they must all be ignored, so the switches are
    # exactly the run starts
    p, K, n_runs = 0.02, 4, 8000
    rng = np.random.default_rng(9)
    lengths = 2 + rng.geometric(p, n_runs)
    values = np.cumsum(rng.integers(1, K, n_runs)) % K
    labels = np.repeat(values, lengths)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    blipped = labels.copy()
    room = np.flatnonzero(lengths >= 8)
    n_blips = room.size // 2  # a few thousand, one per run
    for r in rng.choice(room, n_blips, replace=False).tolist():
        at = starts[r] + rng.integers(3, lengths[r] - 3)
        blipped[at : at + rng.integers(1, 3)] = (values[r] + rng.integers(1, K)) % K
    assert np.count_nonzero(blipped != labels) > 2000
    ev = switch_events(_overlaps(blipped, K, seed=10), 1.0, stamp="start")
    np.testing.assert_array_equal(ev.times, starts[1:].astype(float))
    w = ev.waiting_times()
    mean, cv = 2 + 1 / p, math.sqrt(1 - p) / (1 + 2 * p)
    # sampling sd of the mean sqrt(1 - p)/p/sqrt(n) and of the CV ~ 1/sqrt(n): 4 sd
    assert abs(w.mean() - mean) < 4 * math.sqrt(1 - p) / p / math.sqrt(w.size)
    assert abs(w.std() / w.mean() - cv) < 4 / math.sqrt(w.size)
    # with min_steps = 1 every blip is two more switches (into it and out of it)
    every = switch_events(_overlaps(blipped, K, seed=10), 1.0, min_steps=1)
    assert every.size == ev.size + 2 * n_blips


def test_memory_run_switches():
    from neurodam import patterns
    from neurodam.memory import simulate

    xi, labels = patterns.digits()
    xi = np.stack([xi[np.flatnonzero(labels == c)[0]] for c in range(5)])
    run = simulate(xi, F="exp", noise=0.2, steps=5000, seed=1, backend="reference", dt=0.01)
    ev = switch_events(run.overlaps, run.dt)
    assert (ev.t_start, ev.t_stop) == (run.spikes.t_start, run.spikes.t_stop)
    steps = np.asarray(ev) / run.dt
    np.testing.assert_allclose(steps, np.rint(steps), atol=1e-9)  # on the step lattice
    held = retrieved_memory(run.overlaps)
    rows = np.rint(steps).astype(int) - 1
    assert ev.size > 0 and np.all(held[rows] != held[rows - 1])


def test_bad_input():
    ov = _overlaps([0, 1, 1], 2)
    with pytest.raises(ValueError, match="overlaps"):
        switch_events(ov[:, 0], 1.0)
    with pytest.raises(ValueError, match="overlaps"):
        switch_events(np.zeros((0, 3)), 1.0)
    bad = ov.copy()
    bad[1, 1] = np.nan
    with pytest.raises(
        ValueError, match="overlaps: expected finite values, got a NaN/inf in row 1"
    ):
        switch_events(bad, 1.0)
    with pytest.raises(TypeError, match="overlaps"):
        switch_events(np.array([["a"]]), 1.0)
    with pytest.raises(ValueError, match="dt"):
        switch_events(ov, 0.0)
    with pytest.raises(ValueError, match="min_steps"):
        switch_events(ov, 1.0, min_steps=0)
    with pytest.raises(TypeError, match="min_steps"):
        switch_events(ov, 1.0, min_steps=2.0)
    with pytest.raises(ValueError, match="q_threshold"):
        switch_events(ov, 1.0, q_threshold=1.5)
    with pytest.raises(ValueError, match="stamp"):
        switch_events(ov, 1.0, stamp="centre")
    with pytest.raises(TypeError, match="t_start"):
        switch_events(ov, 1.0, t_start=None)
