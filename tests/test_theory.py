"""Theory of Hebbian memories (neurodam.memory.theory) against limits, published values and
independent computations (adaptive quadrature, Newton continuation, brute force, Monte Carlo)."""

import math

import numpy as np
import pytest
from scipy import integrate, optimize
from scipy.special import erf, erfinv
from scipy.stats import binom

from neurodam.memory import theory as th
from neurodam.memory._gauss import gauss_tanh_moments


# ------------------------------------------------------------------ helpers
def _quad_avg(f, m, s, beta):
    """<f(beta (m + s z))>_z by adaptive quadrature, split around the kink of tanh."""

    def g(z):
        return f(beta * (m + s * z)) * math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)

    z0, w = -m / s, 1.0 / (beta * s)
    cuts = [-12.0, 12.0] + [z0 + k * w for k in (-20, -1, 0, 1, 20) if -12 < z0 + k * w < 12]
    cuts = sorted(cuts)
    return sum(
        integrate.quad(g, a, b, limit=200, epsabs=1e-14, epsrel=1e-12)[0]
        for a, b in zip(cuts[:-1], cuts[1:], strict=False)
    )


def _ags_residuals(alpha, T, m, q, r):
    """The three AGS equations evaluated by adaptive quadrature at (m, q, r)."""
    beta, s = 1.0 / T, math.sqrt(alpha * r)
    tm = _quad_avg(math.tanh, m, s, beta)
    tq = _quad_avg(lambda x: math.tanh(x) ** 2, m, s, beta)
    return m - tm, q - tq, r - q / (1.0 - beta * (1.0 - q)) ** 2


def _sign_update(h, sigma):
    return np.where(h > 0, 1, np.where(h < 0, -1, sigma))


# ------------------------------------------------------------------ quadrature
def test_gauss_moments_match_adaptive_quadrature():
    """Both quadrature branches (beta s below and above 0.7) against scipy.quad; 1e-11 is
    100 times the largest difference measured over 400 random points (8e-14)."""
    rng = np.random.default_rng(0)
    for _ in range(25):
        beta, s, m = 10 ** rng.uniform(-1, 3), 10 ** rng.uniform(-2, 0.3), rng.uniform(-1.2, 1.2)
        t, q, c = gauss_tanh_moments(m, s, beta)
        assert t == pytest.approx(_quad_avg(math.tanh, m, s, beta), abs=1e-11)
        assert c == pytest.approx(
            _quad_avg(lambda x: 1 / math.cosh(min(abs(x), 350)) ** 2, m, s, beta), abs=1e-11
        )
        assert q + c == pytest.approx(1.0, abs=1e-14)


# ------------------------------------------------------------------ Hopfield, T = 0
def test_rs_overlap_reference_values():
    """science.md: alpha_c = 0.1379 with m = 0.967 there; m -> 1 at low load; 0 above."""
    assert th.hopfield_rs_overlap(th.HOPFIELD_ALPHA_C) == pytest.approx(0.967, abs=0.003)
    assert th.hopfield_rs_overlap(0.05) > 0.9999
    assert th.hopfield_rs_overlap(0.14) == 0.0
    m = th.hopfield_rs_overlap(np.linspace(0.01, 0.137, 20))
    assert np.all(np.diff(m) < 0)
    with pytest.raises(ValueError, match="alpha"):
        th.hopfield_rs_overlap(-0.1)


def test_rs_overlap_small_load_is_the_retrieval_root():
    """Regression: for alpha < 0.005 the retrieval root y ~ 1/sqrt(2 alpha) lies beyond
    y = 10, where a grid scan starting at 10 stopped at the small, unstable root instead
    (m = 0.27 at alpha = 1e-3). m -> 1 as alpha -> 0 and falls monotonically."""
    for alpha in (1e-6, 1e-4, 1e-3, 3e-3, 4.9e-3):
        assert th.hopfield_rs_overlap(alpha) > 0.9999
    m = th.hopfield_rs_overlap(np.geomspace(1e-4, 0.1379, 40))
    assert np.all(np.diff(m) <= 0)


def test_rs_zero_temperature_is_the_erf_equation():
    """At T = 0, y = erfinv(m) solves y sqrt(2 alpha) = erf(y) - (2/sqrt pi) y e^{-y^2}, and
    r = 1/(1-C)^2 with sqrt(2 alpha r) = m / y (the definition of y). 1e-12: root precision."""
    for alpha in (0.05, 0.1, 0.13):  # at 0.01, 1 - m ~ 1e-22 rounds m to 1
        sol = th.hopfield_rs(alpha, 0.0)
        assert sol.retrieval and sol.q == 1.0
        y = erfinv(sol.m)
        lhs = y * math.sqrt(2 * alpha)
        assert lhs == pytest.approx(
            erf(y) - 2 / math.sqrt(math.pi) * y * math.exp(-y * y), abs=1e-12
        )
        assert math.sqrt(2 * alpha * sol.r) == pytest.approx(sol.m / y, rel=1e-9)
        assert sol.m == th.hopfield_rs_overlap(alpha)


def test_rs_capacity_and_overlap_at_capacity():
    """alpha_c = max_y [erf(y) - (2/sqrt pi) y e^{-y^2}]^2 / (2 y^2) = 0.1379 (AGS 1985: 0.138)
    with m = 0.967 at the fold (science.md); 5e-5 / 1e-3: the digits quoted."""
    a_c = th.hopfield_alpha_m(0.0)
    assert a_c == pytest.approx(th.HOPFIELD_ALPHA_C, abs=5e-5)
    assert th.hopfield_rs(a_c * (1 - 1e-12), 0.0).m == pytest.approx(0.967, abs=1e-3)
    assert not th.hopfield_rs(a_c * 1.001, 0.0).retrieval


# ------------------------------------------------------------------ Hopfield, T > 0
@pytest.mark.parametrize(
    ("alpha", "T"),
    [(0.01, 0.5), (0.05, 0.3), (0.05, 0.53), (0.1, 0.2), (0.13, 0.002), (0.1381, 0.02)],
)
def test_rs_solution_satisfies_ags_equations(alpha, T):
    """(m, q, r) plugged into the AGS equations evaluated by adaptive quadrature: residuals
    below 1e-9 (quad tolerance 1e-12; the solver's own quadrature is accurate to ~1e-11).
    (0.05, 0.53) is 0.01 below the fold; (0.1381, 0.02) lies in the reentrant region."""
    sol = th.hopfield_rs(alpha, T)
    assert sol.retrieval and sol.m > 0.5
    for res in _ags_residuals(alpha, T, sol.m, sol.q, sol.r):
        assert abs(res) < 1e-9


def test_rs_low_temperature_limit():
    """T -> 0 joins the erf solution: |m(T) - m(0)| shrinks at least linearly as T falls
    (corrections are O(T^2) at low load and O(T) near alpha_c, where the fold itself moves
    linearly in T) to below 1e-5 at T = 2.5e-4; and beta (1 - q) -> C(0) = 1 - 1/sqrt(r(0))
    within 1e-3 at T = 1e-3 (an O(T) correction, measured <= 1e-4)."""
    for alpha in (0.01, 0.05, 0.1, 0.13):
        s0 = th.hopfield_rs(alpha, 0.0)
        d = [abs(th.hopfield_rs(alpha, T).m - s0.m) for T in (4e-3, 1e-3, 2.5e-4)]
        assert d[1] <= 0.6 * d[0] + 1e-12 and d[2] <= 0.6 * d[1] + 1e-12 and d[2] < 1e-5
        s1 = th.hopfield_rs(alpha, 1e-3)
        assert (1 - s1.q) / 1e-3 == pytest.approx(1 - 1 / math.sqrt(s0.r), abs=1e-3)


def test_rs_curie_weiss_limit():
    """alpha -> 0: m = tanh(beta m) (Curie-Weiss), solved here by fixed-point iteration;
    at alpha = 1e-10 the crosstalk shifts m by O(sqrt alpha) = 1e-5 (tolerance 1e-4)."""
    for T in (0.3, 0.6, 0.9):
        m = 1.0
        for _ in range(5000):
            m = math.tanh(m / T)
        assert th.hopfield_rs(0.0, T).m == pytest.approx(m, abs=1e-12)
        assert th.hopfield_rs(1e-10, T).m == pytest.approx(m, abs=1e-4)
    assert th.hopfield_rs(0.0, 1.2).m == 0.0
    assert th.hopfield_tm(0.0) == 1.0


def test_tm_small_load_asymptote():
    """T_M = 1 - 1.95 sqrt(alpha) for alpha -> 0 (Amit, Gutfreund & Sompolinsky 1985):
    at alpha = 1e-6 the next order is O(alpha) = 1e-6, below the 0.005 of the quoted digits."""
    alpha = 1e-6
    assert (1 - th.hopfield_tm(alpha)) / math.sqrt(alpha) == pytest.approx(1.95, abs=0.005)


def _tm_newton_continuation(alpha, T0=0.25, dT=0.01):
    """Independent T_M: Newton (scipy.optimize.root) on the three AGS equations with
    120-node Gauss-Hermite averages, continued in T from the low-T retrieval state; T_M is
    where continuation fails (bisection between the last success and failure)."""
    x, w = np.polynomial.hermite.hermgauss(120)
    z, wz = x * math.sqrt(2), w / math.sqrt(math.pi)

    def eqs(v, T):
        m, q, r = v
        t = np.tanh((m + math.sqrt(alpha * abs(r)) * z) / T)
        return [m - t @ wz, q - (t * t) @ wz, r * (1 - (1 - q) / T) ** 2 - q]

    def solve(T, guess):
        sol = optimize.root(eqs, guess, args=(T,), method="hybr", options={"xtol": 1e-13})
        m, q, _ = sol.x  # judged by the residual itself (hybr may flag slow progress)
        ok = m > 0.05 and (1 - q) / T < 1 and max(map(abs, eqs(sol.x, T))) < 1e-12
        return ok, sol.x

    T, good = T0, solve(T0, [1.0, 1.0, 1.0])[1]
    while True:
        ok, x1 = solve(T + dT, good)
        if not ok:
            break
        T, good = T + dT, x1
    lo, hi = T, T + dT
    for _ in range(25):
        mid = 0.5 * (lo + hi)
        ok, x1 = solve(mid, good)
        lo, hi, good = (mid, hi, x1) if ok else (lo, mid, good)
    return lo


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.1])
def test_tm_against_newton_continuation(alpha):
    """T_M(alpha) against an independent continuation (different form of the equations,
    quadrature and root finder), whose bisection ends within 1e-9 of its last converged T.
    Tolerance 1e-6: measured agreement ~1e-9, and the solution 1e-6 below T_M has quad
    residuals ~1e-15. Values: T_M(0.01) = 0.801, T_M(0.05) = 0.542, T_M(0.1) = 0.315, the
    retrieval line of the AGS (1987) phase diagram."""
    assert th.hopfield_tm(alpha) == pytest.approx(_tm_newton_continuation(alpha), abs=1e-6)


def test_tm_line_shape_and_reentrance():
    """T_M decreases with alpha; the replica-symmetric line is slightly reentrant:
    alpha_M(0.02) > alpha_M(0), so alpha = 0.1381 retrieves at T = 0.02 but not at T = 0
    (the T = 0.02 solution satisfies the AGS equations: see the residual test)."""
    tm = th.hopfield_tm(np.array([0.001, 0.01, 0.05, 0.1, 0.13]))
    assert np.all(np.diff(tm) < 0) and tm[0] < 1
    assert th.hopfield_alpha_m(0.02) > th.hopfield_alpha_m(0.0) + 2e-4
    assert not th.hopfield_rs(0.1381, 0.0).retrieval
    assert th.hopfield_rs(0.1381, 0.02).retrieval
    assert th.hopfield_tm(0.139) == 0.0  # beyond the largest alpha_M: no retrieval at any T
    # alpha_M(T_M(alpha)) = alpha (the two functions invert each other); root tolerance 1e-9
    assert th.hopfield_alpha_m(th.hopfield_tm(0.05)) == pytest.approx(0.05, abs=1e-9)


def test_rs_spin_glass_and_paramagnet_branches():
    """Above T_M: m = 0 with the spin-glass q > 0 below T_g = 1 + sqrt(alpha) (its q, r solve
    the AGS equations, quad residual < 1e-9), and the paramagnet q = r = 0 above."""
    sol = th.hopfield_rs(0.05, 0.9)
    assert not sol.retrieval and sol.m == 0.0 and sol.q > 0.1
    assert abs(_ags_residuals(0.05, 0.9, 0.0, sol.q, sol.r)[1]) < 1e-9
    assert abs(_ags_residuals(0.05, 0.9, 0.0, sol.q, sol.r)[2]) < 1e-9
    assert th.hopfield_rs(0.05, 1 + math.sqrt(0.05) + 1e-3).q == 0.0
    assert 0 < th.hopfield_rs(0.05, 1 + math.sqrt(0.05) - 0.02).q < 0.05


def test_rs_vectorised():
    sol = th.hopfield_rs(np.array([0.01, 0.05]), np.array([[0.0], [0.3]]))
    assert sol.m.shape == (2, 2) and sol.retrieval.dtype == bool
    assert sol.m[1, 0] == th.hopfield_rs(0.01, 0.3).m
    assert isinstance(th.hopfield_rs(0.05, 0.3).m, float)
    assert th.hopfield_rs(np.array(0.05), np.float64(0.3)).m == th.hopfield_rs(0.05, 0.3).m
    # a vanishing load joins alpha = 0 (the root is found in log s, no underflow)
    assert th.hopfield_rs(1e-40, 0.5).m == pytest.approx(th.hopfield_rs(0.0, 0.5).m, abs=1e-12)


@pytest.mark.parametrize(
    ("call", "exc", "name"),
    [
        (lambda: th.hopfield_rs(-0.1, 0.5), ValueError, "alpha"),
        (lambda: th.hopfield_rs(0.1, -0.5), ValueError, "T"),
        (lambda: th.hopfield_rs(float("nan"), 0.5), ValueError, "alpha"),
        (lambda: th.hopfield_rs(np.array([0.1, np.inf]), 0.5), ValueError, "alpha"),
        (lambda: th.hopfield_rs("0.1", 0.5), TypeError, "alpha"),
        (lambda: th.hopfield_tm(-1e-3), ValueError, "alpha"),
        (lambda: th.hopfield_alpha_m(np.array(["a"])), TypeError, "T"),
        (lambda: th.hopfield_rs_overlap(float("nan")), ValueError, "alpha"),
    ],
)
def test_hopfield_bad_input(call, exc, name):
    with pytest.raises(exc, match=name):
        call()


# ------------------------------------------------------------------ dense P-body
def test_dense_p2_is_curie_weiss():
    tr = th.dense_transition(2)
    assert (tr.T_c, tr.T_spinodal, tr.m_c, tr.first_order) == (1.0, 1.0, 0.0, False)
    assert th.dense_overlap(2, 0.5) == pytest.approx(th.hopfield_rs(0.0, 0.5).m, abs=1e-12)


@pytest.mark.parametrize("P", [3, 4])
def test_dense_transition_against_brute_force(P):
    """Brute force: on a T grid (step 2e-4) minimise f(m) - f(0) = -m^P/P + T I(m) over an
    m grid (step 2.5e-4) and find where the minimum crosses 0 (T_c, with the minimiser m_c);
    the spinodal is the highest T where tanh(m^(P-1)/T) - m changes sign on the m grid.
    Tolerances: one T step plus the m-grid error (T: 5e-4; m_c: 2e-3)."""
    tr = th.dense_transition(P)
    Ts = np.arange(0.3, 0.62, 2e-4)
    ms = np.linspace(1e-4, 1 - 1e-6, 4000)
    i_m = 0.5 * ((1 + ms) * np.log1p(ms) + (1 - ms) * np.log1p(-ms))
    df = -(ms**P) / P + Ts[:, None] * i_m  # f(m) - f(0)
    below = df.min(axis=1) < 0
    k = np.flatnonzero(below)[-1]  # highest T where retrieval beats the paramagnet
    assert tr.T_c == pytest.approx(Ts[k], abs=5e-4)
    assert tr.m_c == pytest.approx(ms[df[k].argmin()], abs=2e-3)
    g = np.tanh(ms ** (P - 1) / Ts[:, None]) - ms
    has_root = np.any(np.diff(np.sign(g), axis=1) != 0, axis=1)
    assert tr.T_spinodal == pytest.approx(Ts[np.flatnonzero(has_root)[-1]], abs=5e-4)


def test_dense_transition_is_first_order():
    """P >= 3: T_c < T_spinodal, m jumps from m_c > 0 to 0; the overlap curve meets m_c at
    T_c and m_spinodal at the spinodal; T_c -> 1/(P ln 2) for large P (f(1) = -1/P =
    -T ln 2), 2 % at P = 20."""
    for P in (3, 4, 5, 10):
        tr = th.dense_transition(P)
        assert tr.first_order and tr.T_c < tr.T_spinodal
        assert 0.5 < tr.m_spinodal < tr.m_c < 1
        assert th.dense_overlap(P, tr.T_c) == pytest.approx(tr.m_c, abs=1e-9)
        assert th.dense_overlap(P, tr.T_spinodal) == pytest.approx(tr.m_spinodal, abs=1e-6)
        assert th.dense_overlap(P, tr.T_spinodal * 1.001) == 0.0
    assert th.dense_transition(20).T_c * 20 * math.log(2) == pytest.approx(1.0, rel=0.02)


@pytest.mark.parametrize(
    ("P", "exc"), [(1, ValueError), (2.5, TypeError), ("3", TypeError), (401, ValueError)]
)
def test_dense_bad_input(P, exc):
    with pytest.raises(exc, match="P"):
        th.dense_transition(P)
    with pytest.raises(exc, match="P"):
        th.dense_overlap(P, 0.3)


# ------------------------------------------------------------------ learning from examples
@pytest.mark.parametrize(("r", "M"), [(0.3, 5), (0.2, 21), (0.3, 4), (0.5, 10)])
def test_supervised_t0_against_sign_of_averaged_examples(r, M):
    """Monte Carlo of sign(class average of M noisy examples), ties to a random sign, against
    2 P(B > M/2) - 1 (odd M) / P(B > M/2) - P(B < M/2) (even M). Tolerance: 4 standard
    errors of the mean of n = 2e5 iid values in {-1, 0, 1}."""
    rng = np.random.default_rng(M)
    n = 200_000
    chi = np.where(rng.random((n, M)) < (1 + r) / 2, 1, -1)
    s = np.sign(chi.sum(axis=1))
    s = np.where(s == 0, rng.choice([-1, 1], size=n), s)
    m = th.supervised_overlap(r, M)
    assert abs(s.mean() - m) < 4 * s.std() / math.sqrt(n)
    if M % 2:
        assert m == pytest.approx(2 * binom.sf(M // 2, M, (1 + r) / 2) - 1, abs=1e-14)


def test_supervised_t0_network_dynamics():
    """The T = 0 supervised network (Hebbian couplings of the class averages of K = 3
    classes, N = 20000, M = 5, r = 0.3; synchronous sign updates from the archetype) stops
    at sign(eta_bar): its overlap matches the binomial formula within 4 standard errors of
    the 3 N per-site values (sd <= sqrt((1 - m^2)/(3N))); crosstalk O(N^-1/2) is far below
    the smallest field |eta_bar| n = 0.2 * 0.3."""
    rng = np.random.default_rng(7)
    K, N, M, r = 3, 20_000, 5, 0.3
    xi = rng.choice([-1, 1], size=(K, N))
    chi = np.where(rng.random((K, M, N)) < (1 + r) / 2, 1, -1)
    bar = (xi[:, None, :] * chi).mean(axis=1)
    overl = []
    for mu in range(K):
        sig = xi[mu].copy()
        for _ in range(20):
            new = _sign_update(bar.T @ (bar @ sig) / N, sig)
            if np.array_equal(new, sig):
                break
            sig = new
        overl.append(xi[mu] @ sig / N)
    m = th.supervised_overlap(r, M)
    assert abs(np.mean(overl) - m) < 4 * math.sqrt((1 - m * m) / (K * N))


@pytest.mark.parametrize("r", [0.1, 0.3])
def test_supervised_large_m_erf_limit(r):
    """Exact (binomial) -> erf(1/sqrt(2 rho)) as M grows. At T = 0 and odd M the two differ
    by 2 sup|F_B - Phi|, bounded by Berry-Esseen: 2 * 0.4748 E|chi - r|^3 / (sd^3 sqrt M)
    = 0.9496 (1 + r^2) / sqrt((1 - r^2) M). At T = 0.5 the smooth tanh average converges
    like 1/M (Edgeworth): each tenfold M shrinks the difference by more than 5."""
    diffs = []
    for M in (11, 101, 1001, 10001):
        rho = th.dataset_entropy(r, M)
        g = th.supervised_overlap(r, M, approx="gaussian")
        assert g == pytest.approx(erf(1 / math.sqrt(2 * rho)), abs=1e-14)
        bound = 0.9496 * (1 + r * r) / math.sqrt((1 - r * r) * M)
        assert abs(th.supervised_overlap(r, M) - g) < bound
        gt = th.supervised_overlap(r, M, 0.5, approx="gaussian")
        diffs.append(abs(th.supervised_overlap(r, M, 0.5) - gt))
    assert all(d1 < d0 / 5 for d0, d1 in zip(diffs[:-1], diffs[1:], strict=True))


def test_supervised_finite_temperature_stochastic_network():
    """Parallel heat-bath dynamics of one class (vanishing load), N = 1e5, couplings
    eta_bar eta_bar / (N R): P(sigma_i = 1) = (1 + tanh(beta eta_bar_i n / R)) / 2. Its
    fixed point is the mean-field equation (reached geometrically in ~10 steps); the mean of
    m over 20 steps after 20 of burn-in matches within 4 / sqrt(N) (per-step sd <= 1/sqrt N).
    The T = 0 value (0.67) is 0.12 away, so the test resolves the temperature dependence."""
    rng = np.random.default_rng(3)
    N, M, r, T = 100_000, 5, 0.4, 0.5
    R = r * r + (1 - r * r) / M
    bar = np.where(rng.random((M, N)) < (1 + r) / 2, 1.0, -1.0).mean(axis=0)  # archetype +1
    sig = np.ones(N)
    ms = []
    for t in range(40):
        n = bar @ sig / N
        sig = np.where(rng.random(N) < 0.5 * (1 + np.tanh(bar * n / (R * T))), 1.0, -1.0)
        if t >= 20:
            ms.append(sig.mean())
    assert np.mean(ms) == pytest.approx(th.supervised_overlap(r, M, T), abs=4 / math.sqrt(N))


def test_supervised_limits():
    """r = 1: Curie-Weiss; r = 0: no information (m = 0); T -> 0 joins the T = 0 formula;
    T >= 1 (the transition of the normalised couplings): m = 0; unsupervised = supervised
    at low load (same mean-field equations); M = 1 or 2 gives m = r at T = 0."""
    assert th.supervised_overlap(1.0, 7, 0.5) == pytest.approx(th.hopfield_rs(0.0, 0.5).m, 1e-12)
    assert th.supervised_overlap(0.0, 7, 0.5) == pytest.approx(0.0, abs=1e-15)
    assert th.supervised_overlap(0.0, 7, approx="gaussian") == 0.0
    assert th.supervised_overlap(0.3, 20, 1e-4) == pytest.approx(th.supervised_overlap(0.3, 20))
    assert th.supervised_overlap(0.3, 20, 1.0) == 0.0
    assert th.supervised_overlap(0.3, 1) == pytest.approx(0.3)
    assert th.supervised_overlap(0.3, 2) == pytest.approx(0.3)
    T = np.array([0.0, 0.3, 0.7])
    np.testing.assert_array_equal(
        th.unsupervised_overlap(0.4, 9, T), th.supervised_overlap(0.4, 9, T)
    )
    assert th.dataset_entropy(0.5, 3) == pytest.approx(0.75 / 0.75)
    assert th.dataset_entropy(0.0, 3) == math.inf


@pytest.mark.parametrize(
    ("call", "exc", "name"),
    [
        (lambda: th.supervised_overlap(1.5, 3), ValueError, "r"),
        (lambda: th.supervised_overlap(-0.1, 3), ValueError, "r"),
        (lambda: th.supervised_overlap(0.5, 0), ValueError, "M"),
        (lambda: th.supervised_overlap(0.5, 2.0), TypeError, "M"),
        (lambda: th.supervised_overlap(0.5, 3, -1.0), ValueError, "T"),
        (lambda: th.supervised_overlap(0.5, 3, approx="normal"), ValueError, "approx"),
        (lambda: th.unsupervised_overlap(np.array([0.5, 2.0]), 3), ValueError, "r"),
        (lambda: th.dataset_entropy(0.5, 0), ValueError, "M"),
        (lambda: th.dataset_entropy(1.01, 3), ValueError, "r"),
    ],
)
def test_learning_bad_input(call, exc, name):
    with pytest.raises(exc, match=name):
        call()


# ------------------------------------------------------------------ one-step stability
def _one_step_stable_bits(N, K, P, trials, rng):
    """Monte Carlo: for `trials` sets of K Rademacher patterns, which bits of pattern 0 keep
    their sign under one deterministic update sgn sum_mu [F(xi_i + a_mu,i) - F(-xi_i + a_mu,i)]
    with F(x) = x^P and a_mu,i = sum_{j != i} xi_j^mu sigma_j (ties keep the bit)."""
    xi = rng.choice([-1.0, 1.0], size=(trials, K, N))
    sig = xi[:, 0, :]
    a = np.einsum("tkn,tn->tk", xi, sig)[:, :, None] - xi * sig[:, None, :]
    h = ((xi + a) ** P - (-xi + a) ** P).sum(axis=1)
    return h * sig >= 0


@pytest.mark.parametrize(("N", "K"), [(100, 8), (100, 11), (100, 15), (200, 15), (200, 20)])
def test_hopfield_pattern_stability_matches_binomial_theory(N, K):
    """Fraction of stored patterns that are exact fixed points vs (1 - P_err)^N with the
    exact binomial crosstalk (McEliece et al. 1987). Tolerance: 4 binomial sigma plus 0.03
    for the independent-bits approximation of the theory."""
    rng = np.random.default_rng(N * 100 + K)
    frac = _one_step_stable_bits(N, K, 2, 20 * K, rng).all(axis=1).mean()
    theo = th.stability_probability(N, K)
    sig = math.sqrt(max(theo * (1 - theo), 1e-4) / (20 * K))
    assert abs(frac - theo) < 4 * sig + 0.03


@pytest.mark.parametrize(("N", "K", "P"), [(30, 40, 3), (24, 80, 3), (20, 60, 4), (40, 8, 2)])
def test_dense_bit_error_against_monte_carlo(N, K, P):
    """The exact per-bit error of dense_stability against one-step Monte Carlo; tolerance
    4 standard errors of the mean over 3000 independent pattern sets (bits of one set are
    correlated, so the error is taken across sets)."""
    trials = 3000
    ok = _one_step_stable_bits(N, K, P, trials, np.random.default_rng(N + K + P))
    per_set = 1 - ok.mean(axis=1)
    res = th.dense_stability(N, K, P)
    assert res.method == "exact"
    assert abs(per_set.mean() - res.bit_error) < 4 * per_set.std() / math.sqrt(trials) + 1e-12


def test_dense_stability_consistency():
    """P = 2: the exact dense bit error gives stability_probability (same binomial law,
    1e-12 FFT round-off); SNR ~ N^(P-1)/(K (2P-3)!!) to O(1/N); K = 1 is always stable;
    the capacity estimate separates stable (K = cap/2) from unstable (K = 2 cap) storage
    as N grows (Krotov & Hopfield 2016)."""
    for N, K in ((100, 8), (200, 20)):
        assert th.dense_stability(N, K, 2).pattern_stable == pytest.approx(
            th.stability_probability(N, K), abs=1e-12
        )
    s = th.dense_stability(1000, 5001, 3, method="gaussian")
    assert s.snr == pytest.approx(1000**2 / (5000 * 3), rel=0.01)
    assert th.dense_stability(50, 1, 3).pattern_stable == 1.0
    for P in (2, 3, 4):
        half = [th.dense_stability(N, int(th.dense_capacity(N, P) / 2), P) for N in (1000, 10**4)]
        dbl = [th.dense_stability(N, int(2 * th.dense_capacity(N, P)), P) for N in (1000, 10**4)]
        assert all(h.pattern_stable > 0.999 for h in half)
        assert dbl[1].pattern_stable < dbl[0].pattern_stable < 0.05
    assert th.dense_capacity(100, 2) == pytest.approx(100 / (2 * math.log(100)))
    assert th.dense_capacity(100, 3) == pytest.approx(100**2 / (6 * math.log(100)))


def test_exp_radius():
    def ient(x):
        return 0.5 * ((1 + x) * math.log1p(x) + (1 - x) * math.log1p(-x))

    for alpha in (0.05, 0.1, 0.2, 0.3):
        r = th.exp_one_step_radius(alpha)
        assert ient(1 - 2 * r) / 2 == pytest.approx(alpha, abs=1e-9)
    assert th.exp_one_step_radius(0.0) == pytest.approx(0.5)
    assert th.exp_one_step_radius(math.log(2) / 2) == 0.0


@pytest.mark.parametrize(
    ("call", "exc", "name"),
    [
        (lambda: th.stability_probability(1, 3), ValueError, "N"),
        (lambda: th.stability_probability(100, 0), ValueError, "K"),
        (lambda: th.stability_probability(100.0, 3), TypeError, "N"),
        (lambda: th.dense_stability(100, 3, 1), ValueError, "P"),
        (lambda: th.dense_stability(100, 3, 3, method="fast"), ValueError, "method"),
        (lambda: th.dense_stability(10**4, 10**6, 3, method="exact"), ValueError, "method"),
        (lambda: th.dense_capacity(1, 3), ValueError, "N"),
        (lambda: th.exp_one_step_radius(-0.1), ValueError, "alpha"),
        (lambda: th.exp_one_step_radius(float("nan")), ValueError, "alpha"),
    ],
)
def test_stability_bad_input(call, exc, name):
    with pytest.raises(exc, match=name):
        call()
