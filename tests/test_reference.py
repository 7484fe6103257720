"""The numpy reference engine: exactness, theory, statistics, bad input."""

import math
from itertools import product

import numpy as np
import pytest

from neurodam import patterns as P
from neurodam.memory import MemoryRun, parse_interaction, reference
from neurodam.memory.theory import exp_one_step_radius

SPECS = ["hopfield", "dense:3", "dense:4", "exp", "exp:0.2"]
ALL = ("spikes", "overlaps", "activity", "states")
QUIET = ("overlaps", "activity")  # no spikes: long runs


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("dil", [False, True])
def test_sync_equals_repeated_update(spec, dil):
    """The vectorised engine and Interaction.update (independent code path) agree exactly."""
    xi = P.diluted(30, 60, 0.3, seed=2) if dil else P.rademacher(30, 60, seed=2)
    r = reference.run(xi, F=spec, steps=12, seed=3, record=ALL)
    inter = parse_interaction(spec)
    s = r.params["init_state"]
    for t in range(12):
        s = inter.update(s, xi)
        np.testing.assert_array_equal(r.states[t], s)
        assert r.energy[t] == pytest.approx(inter.energy(s, xi), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(r.overlaps, r.states @ xi.T.astype(float) / 60, atol=1e-6)
    np.testing.assert_array_equal(r.final_state, r.states[-1])


@pytest.mark.parametrize("spec", SPECS)
def test_batched_iterate_equals_run(spec):
    xi = P.rademacher(40, 80, seed=5)
    starts = np.array([P.flip(xi[k], 0.3, seed=k) for k in range(6)])
    final, n_steps, conv = reference.iterate(xi, starts, spec, "sync", max_steps=30)
    for b in range(6):
        r = reference.run(xi, F=spec, init=starts[b], steps=30)
        np.testing.assert_array_equal(final[b], r.final_state)


@pytest.mark.parametrize("spec", ["hopfield", "dense:3", "exp"])
def test_async_energy_never_increases(spec):
    """T=0 asynchronous dynamics descend the energy (Hopfield 1982) and end at a fixed point."""
    xi = P.rademacher(25, 100, seed=7)
    r = reference.run(xi, F=spec, schedule="async", steps=15, init=(0, 0.45), seed=1)
    inter = parse_interaction(spec)
    E0 = inter.energy(r.params["init_state"], xi)
    E = np.concatenate([[E0], r.energy])
    # tolerance: float64 rounding of the energy sum
    assert np.all(np.diff(E) <= 1e-9 * (1 + np.abs(E[:-1])))
    np.testing.assert_array_equal(inter.update(r.final_state, xi), r.final_state)


def test_async_iterate_reaches_fixed_points():
    xi = P.rademacher(30, 100, seed=8)
    starts = P.rademacher(5, 100, seed=9)
    final, _, conv = reference.iterate(xi, starts, "hopfield", "async", max_steps=50, seed=0)
    assert conv.all()
    inter = parse_interaction("hopfield")
    for f in final:
        np.testing.assert_array_equal(inter.update(f, xi), f)


def test_hopfield_retrieval_low_load():
    """K/N = 0.05: replica theory m = 0.99999 (AGS 1987); a 10%-corrupted cue is restored."""
    for trial in range(3):
        xi = P.rademacher(20, 400, seed=trial)
        r = reference.run(xi, F="hopfield", init=(trial, 0.1), steps=10, seed=trial)
        # per-bit error probability ~ Phi(-1/sqrt(0.05)) = 4e-6: m >= 0.99 with margin
        assert r.overlaps[-1, trial] >= 0.99


@pytest.mark.parametrize(("n", "K"), [(3, 181), (4, 3619)])
def test_dense_capacity_far_above_hopfield(n, K):
    """N=100: error-free storage K ~ N^(n-1) / (2 (2n-3)!! ln N) (Krotov & Hopfield 2016):
    362 patterns for n=3, 7238 for n=4 (vs N/(2 ln N) = 11 for Hopfield). At half the
    estimate patterns are fixed points and 5%-corrupted cues are restored; at 3x the
    estimate most patterns are not fixed points."""
    N = 100
    dfact = math.prod(range(2 * n - 3, 0, -2))
    est = N ** (n - 1) / (2 * dfact * math.log(N))
    assert K == pytest.approx(est / 2, rel=0.01)
    assert K > 15 * N / (2 * math.log(N))
    xi = P.rademacher(K, N, seed=n)
    starts = xi[:30]
    fixed, _, _ = reference.iterate(xi, starts, f"dense:{n}", "sync", max_steps=1)
    # expected bit errors per pattern at est/2: N Phi(-sqrt(4 ln N)) ~ 1e-3
    assert np.mean(np.all(fixed == starts, axis=1)) >= 0.9
    cues = np.array([P.flip(s, 0.05, seed=k) for k, s in enumerate(starts)])
    final, _, _ = reference.iterate(xi, cues, f"dense:{n}", "sync", max_steps=10)
    assert np.mean(np.all(final == starts, axis=1)) >= 0.9
    # the Hopfield model with the same K fails completely
    fin_h, _, _ = reference.iterate(xi[: 3 * 100], cues[:5], "hopfield", "sync", max_steps=10)
    assert np.mean(np.einsum("bn,bn->b", fin_h.astype(float), starts[:5]) / N) < 0.5
    # 3x the estimate: expected errors per pattern N Phi(-sqrt(2 ln N / 3)) ~ 4 for n=3
    K3 = int(round(3 * est))
    xi3 = P.rademacher(K3, N, seed=10 + n)
    fixed3, _, _ = reference.iterate(xi3, xi3[:30], f"dense:{n}", "sync", max_steps=1)
    assert np.mean(np.all(fixed3 == xi3[:30], axis=1)) <= 0.3


def test_exponential_many_patterns_one_step():
    """N=40, K=2^10 (alpha = ln K / N = 0.173 < ln2/2): patterns are fixed points and a cue
    with rho N flipped bits, rho below the one-step radius (0.110, Demircigil et al. 2017),
    is corrected in ONE synchronous step."""
    N, K = 40, 2**10
    xi = P.rademacher(K, N, seed=0)
    radius = exp_one_step_radius(math.log(K) / N)
    assert radius == pytest.approx(0.110, abs=0.001)
    n_flip = int(math.floor(radius * N))  # 4 bits
    rng = np.random.default_rng(1)
    mus = rng.integers(K, size=100)
    cues = np.array([P.flip(xi[m], n_flip / N, seed=rng) for m in mus])
    one, _, _ = reference.iterate(xi, cues, "exp", "sync", max_steps=1)
    # the bound is asymptotic; at N=40 we allow 3 failures in 100 trials
    assert np.mean(np.all(one == xi[mus], axis=1)) >= 0.97
    # fixed points
    fix, _, _ = reference.iterate(xi, xi[mus], "exp", "sync", max_steps=1)
    assert np.all(fix == xi[mus])
    # and far beyond the radius (rho = 0.3) one step no longer corrects
    cues = np.array([P.flip(xi[m], 0.3, seed=rng) for m in mus[:50]])
    one, _, _ = reference.iterate(xi, cues, "exp", "sync", max_steps=1)
    assert np.mean(np.all(one == xi[mus[:50]], axis=1)) < 0.2


@pytest.mark.parametrize("p", [0.05, 0.1, 0.2])
def test_sedam_qbar_is_one_minus_2p(p):
    """Rademacher patterns, exp: each step restores the pattern, then flips a fraction p:
    m = 1 - 2p on average (Cafiso & Paradisi 2026). Per-step std of m is
    2 sqrt(p(1-p)/N); Q_bar over T steps has std 2 sqrt(p(1-p)/(N T)); 5 sigma."""
    N, K, T = 500, 10, 400
    xi = P.rademacher(K, N, seed=1)
    r = reference.run(xi, F="exp", noise=p, steps=T, init=0, seed=2, record=QUIET)
    sig = 2 * math.sqrt(p * (1 - p) / (N * T))
    assert abs(r.Q_bar - (1 - 2 * p)) < 5 * sig


def test_sedam_reset_mode_is_half_flip():
    """Reset to a random +-1 with probability p == flip with probability p/2: Q_bar = 1 - p."""
    N, K, T, p = 500, 10, 400, 0.2
    xi = P.rademacher(K, N, seed=1)
    r = reference.run(xi, "exp", noise=p, noise_mode="reset", steps=T, init=0, seed=3)
    sig = 2 * math.sqrt(p / 2 * (1 - p / 2) / (N * T))
    assert abs(r.Q_bar - (1 - p)) < 5 * sig


def test_sedam_p_half_is_disordered():
    """p = 0.5: each step is a fresh random state. m_mu has mean 0 and std 1/sqrt(N);
    Q = max_mu m_mu has mean E[max of K standard normals] / sqrt(N)."""
    from scipy import integrate, stats

    N, K, T = 400, 8, 2000
    xi = P.rademacher(K, N, seed=4)
    r = reference.run(xi, "exp", noise=0.5, steps=T, init=0, seed=5, record=QUIET)
    assert abs(r.overlaps[:, 0].mean()) < 5 / math.sqrt(N * T)
    emax = integrate.quad(
        lambda x: x * K * stats.norm.pdf(x) * stats.norm.cdf(x) ** (K - 1), -10, 10
    )[0]
    # std of the max of 8 normals is ~0.6; over T independent steps: 0.6/sqrt(N T); 5 sigma
    assert abs(r.Q_bar - emax / math.sqrt(N)) < 5 * 0.6 / math.sqrt(N * T)


@pytest.mark.parametrize(("T", "m_expected"), [(0.5, 0.957504), (0.8, 0.710412)])
def test_glauber_curie_weiss(T, m_expected):
    """K=1 Hopfield = Curie-Weiss: the overlap satisfies m = tanh(m / T) (mean field,
    exact as N -> oo). N=2000; finite-N and sampling error of the time average ~0.01."""
    xi = P.rademacher(1, 2000, seed=0)
    assert m_expected == pytest.approx(math.tanh(m_expected / T), abs=1e-5)
    r = reference.run(xi, "hopfield", temperature=T, steps=300, init=0, seed=1, record=QUIET)
    assert r.overlaps[50:, 0].mean() == pytest.approx(m_expected, abs=0.015)


@pytest.mark.parametrize("spec", ["hopfield", "exp:1"])
def test_async_glauber_samples_boltzmann(spec):
    """Single-neuron heat-bath updates satisfy detailed balance with exp(-E/T): compare the
    empirical distribution of the 2^N states (N=4) with the Boltzmann distribution."""
    N, T, steps = 4, 1.0, 6000
    xi = np.array([[1, 1, -1, 1], [1, -1, -1, -1]])
    r = reference.run(
        xi,
        spec,
        temperature=T,
        schedule="async",
        steps=steps,
        seed=3,
        record=("overlaps", "states"),
    )
    inter = parse_interaction(spec)
    states = [np.array(s) for s in product([-1, 1], repeat=N)]
    E = np.array([inter.energy(s, xi) for s in states])
    pb = np.exp(-(E - E.min()) / T)
    pb /= pb.sum()
    code = ((r.states > 0).astype(int) * (2 ** np.arange(N)[::-1])).sum(axis=1)
    pe = np.bincount(code, minlength=2**N) / steps
    # binomial error sqrt(p(1-p)/steps) <= 0.0065 per state (sweeps nearly independent at
    # N=4): 0.03 is ~4.5 sigma; a factor 2 in T gives deviations of 0.05-0.15
    assert np.abs(pe - pb).max() < 0.03


def test_fire_on_and_spikes():
    xi = P.rademacher(5, 50, seed=0)
    r = reference.run(xi, "exp", noise=0.2, steps=30, seed=1, record=ALL, dt=2e-3)
    st = r.states
    assert len(r.spikes) == int((st > 0).sum())
    np.testing.assert_array_equal(r.activity, (st > 0).sum(axis=1))
    k = 7
    sel = r.spikes.times[np.isclose(r.spikes.times, (k + 1) * 2e-3)]
    assert sel.size == (st[k] > 0).sum()
    assert r.spikes.t_stop == pytest.approx(30 * 2e-3)
    f = reference.run(xi, "exp", noise=0.2, steps=30, seed=1, record=ALL, fire_on="flip", dt=2e-3)
    np.testing.assert_array_equal(f.states, st)  # same seed, same dynamics
    prev = np.vstack([r.params["init_state"][None, :], st[:-1]])
    ups = (st > 0) & (prev < 0)
    assert len(f.spikes) == int(ups.sum())
    np.testing.assert_array_equal(f.activity, ups.sum(axis=1))
    # activity derived from spikes when no counts are stored
    g = MemoryRun(r.spikes, r.overlaps, r.energy, r.params, dt=r.dt)
    np.testing.assert_array_equal(g.activity, r.activity)


def test_reproducible_and_init_forms():
    xi = P.rademacher(5, 60, seed=0)
    a = reference.run(xi, "exp", noise=0.1, steps=20, seed=4, record=ALL)
    b = reference.run(xi, "exp", noise=0.1, steps=20, seed=4, record=ALL)
    c = reference.run(xi, "exp", noise=0.1, steps=20, seed=5, record=ALL)
    np.testing.assert_array_equal(a.states, b.states)
    assert not np.array_equal(a.states, c.states)
    r = reference.run(xi, "hopfield", init=2, steps=1)
    np.testing.assert_array_equal(r.params["init_state"], xi[2])
    r = reference.run(xi, "hopfield", init=(2, 0.25), steps=1, seed=0)
    assert (r.params["init_state"] != xi[2]).sum() == 15
    r = reference.run(xi, "hopfield", init=xi[3] * -1, steps=1)
    np.testing.assert_array_equal(r.params["init_state"], -xi[3])


def test_logsumexp_large_network_no_nan():
    """N=2000, lam=1: exp(xi . sigma) = exp(2000) overflows; the engine must not."""
    xi = P.rademacher(30, 2000, seed=0)
    with np.errstate(over="raise", invalid="raise"):
        r = reference.run(xi, "exp:1", noise=0.05, steps=5, init=(0, 0.2), seed=0)
        ra = reference.run(xi, "exp:1", steps=2, schedule="async", init=(0, 0.2), seed=0)
        rg = reference.run(xi, "exp:1", temperature=0.5, steps=2, init=(0, 0.2), seed=0)
    for run in (r, ra, rg):
        assert np.all(np.isfinite(run.energy)) and np.all(np.isfinite(run.overlaps))
    assert r.energy[-1] < -1000


def test_plot_and_repr():
    xi = P.rademacher(3, 40, seed=0)
    r = reference.run(xi, "exp", noise=0.1, steps=20, seed=0)
    axes = r.plot()
    assert len(axes) == 2 and len(axes[0].lines) >= 2
    assert "MemoryRun" in repr(r)


def test_bad_inputs():
    xi = P.rademacher(4, 20, seed=0)
    with pytest.raises(ValueError, match="init"):
        reference.run(xi, init=np.ones(19))
    with pytest.raises(ValueError, match="init"):
        reference.run(xi, init=7)
    with pytest.raises(ValueError, match="patterns"):
        reference.run(np.ones((0, 20)))
    with pytest.raises(ValueError, match="patterns"):
        reference.run(np.where(xi > 0, np.nan, 1.0))
    with pytest.raises(TypeError, match="patterns"):
        reference.run(xi.astype(str))
    with pytest.raises(ValueError, match="noise"):
        reference.run(xi, noise=0.6)
    with pytest.raises(ValueError, match="noise"):
        reference.run(xi, noise=-0.1)
    with pytest.raises(ValueError, match="temperature"):
        reference.run(xi, temperature=-1.0)
    with pytest.raises(ValueError, match="F"):
        reference.run(xi, F="quartic")
    with pytest.raises(ValueError, match="schedule"):
        reference.run(xi, schedule="random")
    with pytest.raises(ValueError, match="noise_mode"):
        reference.run(xi, noise_mode="zap")
    with pytest.raises(ValueError, match="fire_on"):
        reference.run(xi, fire_on="minus")
    with pytest.raises(ValueError, match="steps"):
        reference.run(xi, steps=0)
    with pytest.raises(TypeError, match="steps"):
        reference.run(xi, steps=2.0)
    with pytest.raises(TypeError, match="noise"):
        reference.run(xi, noise="0.1")
    with pytest.raises(TypeError, match="colour"):
        reference.run(xi, colour="red")
    with pytest.raises(ValueError, match="states"):
        reference.iterate(xi, np.ones((2, 19)))


def test_float32_matches_float64_for_exp():
    """float32 keeps overlaps exact; exp fields differ only in the last ~1e-7 of their
    scale, far from the decision threshold in a SEDAM run: identical trajectories."""
    xi = P.rademacher(50, 300, seed=0)
    kw = dict(F="exp", noise=0.15, steps=60, init=(0, 0.3), seed=2, record=ALL)
    r64 = reference.run(xi, **kw)
    r32 = reference.run(xi, dtype="float32", **kw)
    np.testing.assert_array_equal(r32.states, r64.states)
    np.testing.assert_allclose(r32.energy, r64.energy, rtol=1e-6)
    with pytest.raises(ValueError, match="dtype"):
        reference.run(xi, dtype="float16")


def test_spike_meta_is_the_same_with_and_without_recorded_spikes():
    # the empty SpikeTrains of a run without spikes used to carry the init_state array in
    # its meta (not JSON-writable); both now carry the same scalar parameters and the lattice
    xi = P.rademacher(3, 40, seed=0)
    a = reference.run(xi, "exp", steps=3, seed=1)
    b = reference.run(xi, "exp", steps=3, seed=1, record=QUIET)
    assert len(b.spikes) == 0 and len(a.spikes) > 0
    meta_a, meta_b = dict(a.spikes.meta), dict(b.spikes.meta)
    assert (meta_a.pop("record"), meta_b.pop("record")) == (
        "spikes,overlaps,activity",
        "overlaps,activity",
    )
    assert meta_a == meta_b
    assert "init_state" not in b.spikes.meta
    assert (a.spikes.meta["dt"], a.spikes.meta["stamp"]) == (1e-3, "end")


# ------------------------------------------------ diluted patterns, real-valued patterns
def _untouched_neuron_case():
    """Diluted patterns in which neuron 3 has no entry in any pattern."""
    xi = P.diluted(5, 40, 0.3, seed=3).astype(np.int8)
    xi[:, 3] = 0
    return xi


@pytest.mark.parametrize("F", ["exp", "exp:0.3", "hopfield", "dense:3"])
@pytest.mark.parametrize("schedule", ["sync", "async"])
def test_neuron_outside_every_pattern_keeps_its_state(F, schedule):
    """A neuron whose entries are 0 in every pattern has no field: the deterministic
    dynamics keep its state, whatever F (F=exp used to set it to +1 on every engine)."""
    xi = _untouched_neuron_case()
    for s3 in (-1, 1):
        init = np.where(P.rademacher(1, 40, seed=s3 + 2)[0] > 0, 1, -1)
        init[3] = s3
        r = reference.run(xi, F, init=init, steps=4, schedule=schedule, seed=1, record=ALL)
        np.testing.assert_array_equal(r.states[:, 3], s3)
        final, _, _ = reference.iterate(xi, init, F, schedule, max_steps=4, seed=1)
        assert final[0, 3] == s3


def test_real_valued_patterns_follow_the_exact_rule():
    """Patterns that are averages of noisy examples (supervised learning from examples,
    Agliari et al. 2022) are real-valued; every step of the engine is the sign of the
    literal energy difference sum_mu [F(a' + x) - F(a' - x)], for hopfield, dense and exp."""
    arch = P.rademacher(4, 60, seed=1)
    xi = P.noisy_examples(arch, 3, 0.4, seed=2).mean(axis=1)  # values in {+-1, +-1/3}
    assert not np.all(np.isin(xi, (-1, 0, 1)))
    for F in ("hopfield", "dense:3", "exp:0.5"):
        inter = parse_interaction(F)
        r = reference.run(xi, F, init=(0, 0.3), steps=6, seed=0, record=ALL)
        s = r.params["init_state"].astype(float)
        for t in range(6):
            a = xi @ s
            ap = a[:, None] - xi * s  # a'_{mu,i}: overlaps without neuron i
            raw = np.sum(inter.F(ap + xi) - inter.F(ap - xi), axis=0)
            s = np.where(raw > 0, 1.0, np.where(raw < 0, -1.0, s))
            np.testing.assert_array_equal(r.states[t], s)
        # low load: the archetype's sign is retrieved
        assert r.overlaps[-1, 0] > 0.5
