"""Export to Nengo: the Nengo reference simulator retrieves stored patterns, step for step
identical to the numpy reference engine."""

import numpy as np
import pytest

from neurodam import patterns as P
from neurodam.memory import reference
from neurodam.memory.nengo_export import to_nengo

nengo = pytest.importorskip("nengo")


def _run(net, steps):
    with net:
        p = nengo.Probe(net.state_output)
        po = nengo.Probe(net.overlaps)
    with nengo.Simulator(net, progress_bar=False) as sim:
        sim.run_steps(steps)
    return sim.data[p], sim.data[po]


@pytest.mark.parametrize(
    ("F", "form"),
    [("hopfield", "weights"), ("hopfield", "bipartite"), ("dense:3", "auto"), ("exp", "auto")],
)
def test_nengo_retrieves_and_matches_reference(F, form):
    """K/N = 0.1 (below 0.138 for Hopfield), cue with 20% flipped bits: the Nengo network
    retrieves the pattern, and its trajectory equals the reference engine's (Nengo step k
    holds the state after k-1 synchronous updates)."""
    xi = P.rademacher(10, 100, seed=0)
    cue = P.flip(xi[0], 0.2, seed=1)
    states, m = _run(to_nengo(xi, F=F, cue=cue, form=form, seed=0), 10)
    np.testing.assert_array_equal(states[0], cue)
    assert m[0, 0] == pytest.approx(0.6)
    assert m[-1, 0] == pytest.approx(1.0)
    r = reference.run(xi, F, init=cue, steps=9, record=("overlaps", "states"))
    np.testing.assert_array_equal(states[1:], r.states)


def test_nengo_exp_beyond_hopfield_capacity():
    """K = 200 patterns in N = 64 neurons (K/N = 3): only the exponential memory retrieves."""
    xi = P.rademacher(200, 64, seed=2)
    cue = P.flip(xi[5], 0.1, seed=3)
    _, m = _run(to_nengo(xi, F="exp", cue=cue), 6)
    assert m[-1, 5] == pytest.approx(1.0)
    _, mh = _run(to_nengo(xi, F="hopfield", cue=cue), 6)
    assert mh[-1, 5] < 0.9


def test_nengo_from_memory_network_like_object():
    class Net:  # duck-typed like neurodam.memory.brian.MemoryNetwork
        patterns = P.rademacher(4, 50, seed=0)
        interaction = "exp"
        init = P.flip(patterns[2], 0.2, seed=0).astype(float)

    net = to_nengo(Net())
    assert net.interaction.name == "exp:1" and net.form == "bipartite"
    _, m = _run(net, 4)
    assert m[-1, 2] == pytest.approx(1.0)


@pytest.mark.parametrize("F", ["hopfield", "dense:3", "exp"])
def test_nengo_diluted_and_real_valued_patterns_match_reference(F):
    """The export uses the field kernel of every engine: diluted patterns (a per-neuron self
    term |Xi|^T d, which a scalar d got wrong), a neuron outside every pattern (keeps its
    state), and real-valued patterns (averages of examples) follow the reference engine."""
    dil = P.diluted(6, 60, 0.4, seed=1)
    dil[:, 5] = 0
    arch = P.rademacher(5, 60, seed=2)
    real = P.noisy_examples(arch, 4, 0.3, seed=3).mean(axis=1)
    for xi in (dil, real):
        cue = P.flip(np.where(xi[0] >= 0, 1, -1).astype(np.int8), 0.3, seed=4)
        cue[5] = -1
        states, _ = _run(to_nengo(xi, F=F, cue=cue, form="bipartite", seed=0), 8)
        r = reference.run(xi, F, init=cue, steps=7, record=("overlaps", "states"))
        assert np.any(r.states[0] != cue)
        np.testing.assert_array_equal(states[1:], r.states)


def test_default_interaction_is_exp():
    xi = P.rademacher(3, 20, seed=0)
    net = to_nengo(xi)
    assert net.interaction.name == "exp:1" and net.form == "bipartite"


def test_bad_inputs():
    xi = P.rademacher(3, 20, seed=0)
    with pytest.raises(ValueError, match="cue"):
        to_nengo(xi, cue=np.ones(19))
    with pytest.raises(ValueError, match="form"):
        to_nengo(xi, F="exp", form="weights")
    with pytest.raises(ValueError, match="form"):
        to_nengo(xi, form="matrix")
    with pytest.raises(ValueError, match="patterns_or_network"):
        to_nengo(xi * np.nan)
