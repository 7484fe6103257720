"""Phase diagrams by Monte Carlo against the replica-symmetric and mean-field theory."""

import math

import numpy as np
import pytest
from scipy.special import gammaln

from neurodam import patterns
from neurodam.memory import reference
from neurodam.memory import theory as th
from neurodam.memory._glauber import heat_bath
from neurodam.memory.phase import PhaseDiagram, dense_hysteresis, phase_diagram


# ------------------------------------------------------------------ the sampler
@pytest.mark.parametrize(("F", "P"), [("hopfield", 2), ("dense:3", 3)])
@pytest.mark.parametrize("T", [0.0, 0.4])
def test_heat_bath_is_the_reference_engine_for_one_replica(F, P, T):
    """B = 1 draws what reference.run(schedule="async") draws: the same trajectory."""
    xi = patterns.rademacher(8, 120, seed=1)
    s0 = patterns.flip(xi[0], 0.3, seed=2)
    ref = reference.run(xi, F, temperature=T, schedule="async", init=s0, steps=6, seed=5,
                        record=("overlaps", "states"))  # fmt: skip
    final, ov, _ = heat_bath(xi, P, np.array([T]), s0[:, None], 6, np.random.default_rng(5),
                             measure=6)  # fmt: skip
    np.testing.assert_array_equal(final[:, 0], ref.final_state)
    np.testing.assert_allclose(ov[:, :, 0], ref.overlaps, atol=1e-6)  # float32 in reference


def _exact_m_distribution(N, P, T):
    """P(m) of the dense model with one pattern: binom(N, k) exp(N m^P / (P T)), m = 2k/N - 1
    (the energy -(N/P) m^P of F = "dense:P" is a function of m alone)."""
    k = np.arange(N + 1)
    m = (2 * k - N) / N
    logw = gammaln(N + 1) - gammaln(k + 1) - gammaln(N - k + 1) + N * m**P / (P * T)
    w = np.exp(logw - logw.max())
    return m, w / w.sum()


def _ordered_weight(N, P, T, cut=0.5):
    m, w = _exact_m_distribution(N, P, T)
    return float(w[m > cut].sum())


@pytest.mark.slow
def test_dense_equal_weight_temperature_at_finite_n():
    """Asynchronous heat bath samples exp(-E/T) with E = -(N/P) m^P, the energy of the
    theory: at N = 30, P = 3, K = 1 the fraction of sweeps in the ordered state (m > 0.5)
    matches the exact finite-N weight at every T (4 batch-means standard errors, 20
    batches), and the T where it crosses 1/2 matches the exact finite-N transition
    T_c(30) = 0.512 within 0.01. The exact T_c(N) tends to the mean-field T_c = 0.4960 of
    dense_transition(3): 0.512, 0.501, 0.497 at N = 30, 60, 200."""
    N, P = 30, 3
    Ts = np.array([0.47, 0.49, 0.51, 0.53, 0.55])
    xi = patterns.rademacher(1, N, seed=0).astype(float)
    S = np.repeat(xi[0][:, None], Ts.size, axis=1)
    _, ov, _ = heat_bath(xi, P, Ts, S, 6000, np.random.default_rng(1), measure=6000)
    ordered = ov[1000:, 0, :] > 0.5  # (sweeps, B) after burn-in
    batches = ordered.reshape(20, -1, Ts.size).mean(axis=1)
    frac, err = batches.mean(axis=0), batches.std(axis=0, ddof=1) / math.sqrt(20)
    exact = np.array([_ordered_weight(N, P, T) for T in Ts])
    assert np.all(np.abs(frac - exact) < 4 * err + 0.01)

    from scipy.optimize import brentq

    def tc(n):
        return brentq(lambda T: _ordered_weight(n, P, T) - 0.5, 0.3, 0.8)

    k = np.flatnonzero(frac < 0.5)[0]
    t_mc = Ts[k - 1] + (frac[k - 1] - 0.5) * (Ts[k] - Ts[k - 1]) / (frac[k - 1] - frac[k])
    assert abs(t_mc - tc(N)) < 0.01
    tcs = [tc(n) for n in (30, 60, 200)]
    T_c = th.dense_transition(3).T_c
    assert tcs[0] > tcs[1] > tcs[2] > T_c and tcs[2] - T_c < 0.002


# ------------------------------------------------------------------ phase diagrams
def test_phase_diagram_small_grid_and_store(tmp_path):
    """A small (alpha, T) grid through the sweep engine: shape, low-T retrieval, high-T
    paramagnet, the theory attached, the stored folder reused on a second call."""
    kw = {"x": [0.02, 0.05], "T": [0.0, 0.3, 1.2], "N": 300, "seeds": 2, "sweeps": 15,
          "measure": 5, "workers": 0}  # fmt: skip
    pd = phase_diagram("hopfield", out=tmp_path / "ph", **kw)
    assert isinstance(pd, PhaseDiagram) and pd.overlaps.shape == (3, 2, 2)
    assert np.all(pd.m[:2] > 0.95) and np.all(np.abs(pd.m[2]) < 0.3)
    np.testing.assert_allclose(pd.theory()[0], [1.0, 1.0], atol=1e-4)
    np.testing.assert_allclose(pd.theory_line()["T_M"], th.hopfield_tm([0.02, 0.05]))
    again = phase_diagram("hopfield", out=tmp_path / "ph", **kw)  # all points found done
    np.testing.assert_array_equal(again.overlaps, pd.overlaps)
    ax = pd.plot()
    assert ax.get_xlabel() == "alpha" and ax.get_ylabel() == "T"


@pytest.mark.slow
def test_hopfield_t0_overlap_against_ags():
    """T = 0 asynchronous dynamics from the pattern, N = 3000, 4 pattern sets: the final
    overlap is the replica-symmetric m(alpha) (0.9996, 0.9980, 0.9932 at alpha = 0.08,
    0.10, 0.12). Tolerance 0.004: per run sd sqrt((1 - m^2)/N) <= 0.003, over 4 sets."""
    pd = phase_diagram("hopfield", x=[0.08, 0.1, 0.12], T=[0.0], N=3000, seeds=4, sweeps=15,
                       measure=1, workers=0)  # fmt: skip
    np.testing.assert_allclose(pd.m[0], pd.theory()[0], atol=0.004)


@pytest.mark.slow
def test_hopfield_retrieval_line_against_monte_carlo():
    """The Monte Carlo retrieval boundary (the mean overlap from the pattern falls below
    0.4, below the jump of m at T_M for every alpha here) against T_M(alpha): N = 1000,
    100 sweeps, 2 pattern sets. Two finite-size effects of opposite sign: the metastable
    retrieval state escapes before its spinodal T_M (barrier ~ N (T_M - T)^(3/2)), and
    just above T_M it decays slowly (the ghost of the saddle-node, time ~ (T - T_M)^(-1/2))
    while the load of one pattern set fluctuates by O(N^(-1/2)); measured at N = 1000 and
    2000 they shift the boundary by up to 0.055, hence the tolerance 0.06. Well below T_M
    (T < T_M - 0.1) the overlap is the replica-symmetric m(alpha, T) within 0.015 (measured
    0.008: per-state fluctuations ~ 1/sqrt(N) averaged over 20 sweeps and 2 sets)."""
    alphas = [0.02, 0.05, 0.08]
    T = np.round(np.arange(0.30, 0.80, 0.025), 3)
    pd = phase_diagram("hopfield", x=alphas, T=T, N=1000, seeds=2, sweeps=100, measure=20,
                       workers=0)  # fmt: skip
    tm = pd.theory_line()["T_M"]
    b = pd.boundary(0.4)
    assert np.all(np.abs(b - tm) < 0.06), (b, tm)
    theory = pd.theory()
    low = pd.T[:, None] < tm[None, :] - 0.1
    assert np.all(np.abs(pd.m - theory)[low] < 0.015)


@pytest.mark.slow
def test_supervised_rho_t_diagram_against_theory():
    """(rho, T) of the supervised pairwise network (K = 3 archetypes, M = 11 examples,
    N = 2000): the archetype overlap is supervised_overlap(r, M, T) with r = 1/sqrt(1 +
    M rho) at rho <= 0.5, T <= 0.6 (tolerance 0.03: finite-N fluctuations of m of order
    1/sqrt(N) = 0.022 per state, averaged over 20 sweeps and 2 sets), and it is lost above
    the transition T = 1 of the R normalisation."""
    pd = phase_diagram("supervised", x=[0.1, 0.5], T=[0.0, 0.2, 0.4, 0.6, 1.2], N=2000, K=3,
                       M=11, seeds=2, sweeps=40, measure=20, workers=0)  # fmt: skip
    np.testing.assert_allclose(pd.m[:4], pd.theory()[:4], atol=0.03)
    assert np.all(np.abs(pd.m[4]) < 0.1)


@pytest.mark.slow
def test_dense_hysteresis_around_the_first_order_transition():
    """Dense P = 3, K = 1, N = 800: from the pattern the overlap follows the mean-field
    branch m = tanh(m^2 / T) (0.02: sd 1/sqrt(N)) up to near the spinodal 0.583 and is lost
    beyond it; from random states the paramagnet survives below T_c = 0.496 (its barrier
    grows with N): T_c lies inside the loop."""
    tr = th.dense_transition(3)
    T = np.round(np.arange(0.40, 0.63, 0.02), 2)
    h = dense_hysteresis(3, 800, T, sweeps=80, measure=40, seeds=2)
    o, d = h.ordered.mean(axis=1), h.disordered.mean(axis=1)
    ok = T < tr.T_spinodal - 0.03
    np.testing.assert_allclose(o[ok], th.dense_overlap(3, T[ok]), atol=0.02)
    assert np.all(o[T > tr.T_spinodal + 0.01] < 0.1)
    assert np.all(d < 0.1)
    t_down, t_up = h.loop()
    assert (math.isnan(t_down) or t_down < tr.T_c) and tr.T_c < t_up
    h.plot()


@pytest.mark.parametrize(
    ("kwargs", "exc", "name"),
    [
        ({"kind": "ising"}, ValueError, "kind"),
        ({"start": "middle"}, ValueError, "start"),
        ({"P": 3}, ValueError, "P"),
        ({"x": [-0.1, 0.1]}, ValueError, "x"),
        ({"x": [0.2, 0.1]}, ValueError, "x"),
        ({"T": [-1.0]}, ValueError, "T"),
        ({"sweeps": 5, "measure": 6}, ValueError, "measure"),
        ({"N": 2.5}, TypeError, "N"),
    ],
)
def test_bad_input(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        phase_diagram(**{"x": [0.1], "T": [0.5], "N": 50, **kwargs})
    with pytest.raises(ValueError, match="P"):
        dense_hysteresis(2)
