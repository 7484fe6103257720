"""Interaction functions: the registry, energies, exact single-flip fields, updates."""

import math
import zlib

import numpy as np
import pytest

from neurodam.memory.exponential import Exponential
from neurodam.memory.interactions import (
    Interaction,
    TernaryKernel,
    parse_interaction,
    register_interaction,
    registered_interactions,
)
from neurodam.memory.polynomial import Polynomial, hopfield

SPECS = ["hopfield", "dense:3", "dense:4", "exp", "exp:0.3", "exp:4"]


def _brute_field(inter, s, xi, i, with_magnitude=False):
    """science.md sec. 1 literally: sum_mu F(xi_i + a_mu,i) - F(-xi_i + a_mu,i).

    With ``with_magnitude`` also returns sum_mu |term|, the scale of its rounding error
    (the terms cancel; e.g. exp(4 a) with a ~ 13 is ~1e22)."""
    a = xi.astype(float) @ s - xi[:, i] * s[i]
    terms = inter.F(a + xi[:, i]) - inter.F(a - xi[:, i])
    if with_magnitude:
        return float(np.sum(terms)), float(np.sum(np.abs(terms)))
    return float(np.sum(terms))


def _random_case(rng, zeros=False, real=False):
    K, N = int(rng.integers(1, 9)), int(rng.integers(2, 14))
    if real:  # e.g. averages of noisy examples: any real values, zeros included
        xi = np.round(rng.normal(size=(K, N)), 3) * rng.choice([0, 1], size=(K, N), p=[0.2, 0.8])
        return xi, rng.choice([-1, 1], size=N)
    vals = [-1, 0, 1] if zeros else [-1, 1]
    return rng.choice(vals, size=(K, N)), rng.choice([-1, 1], size=N)


def _field_scale(inter, a):
    """exp fields are reported divided by exp(lam max a) sinh(2 lam); polynomial fields are
    exact."""
    if isinstance(inter, Exponential):
        return math.exp(inter.lam * a.max()) * math.sinh(2 * inter.lam)
    return 1.0


def test_parse():
    assert parse_interaction("hopfield") == hopfield()
    d = parse_interaction("dense:3")
    assert isinstance(d, Polynomial) and d.n == 3 and d.name == "dense:3"
    e = parse_interaction("exp")
    assert isinstance(e, Exponential) and e.lam == 1.0 and e.name == "exp:1"
    assert parse_interaction("exp:0.5").lam == 0.5
    assert parse_interaction(" Exponential:2 ").name == "exp:2"
    assert parse_interaction(e) is e
    assert {"hopfield", "dense", "exp"} <= set(registered_interactions())


@pytest.mark.parametrize(
    "bad", ["dense:1", "dense:x", "dense", "gauss", "exp:-1", "exp:nan", "exp:", "", "hopfield:2"]
)
def test_parse_bad(bad):
    with pytest.raises(ValueError, match="F"):
        parse_interaction(bad)


@pytest.mark.parametrize("bad", [3, None, 2.5])
def test_parse_wrong_type(bad):
    with pytest.raises(TypeError, match="F"):
        parse_interaction(bad)


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("case", ["pm1", "zeros", "real"])
def test_fields_match_brute_force_energy_differences(spec, case):
    """local_fields has the sign (and, rescaled, the value) of the literal rule, and
    glauber_fields equals [E(sigma_i=-1) - E(sigma_i=+1)]/2 from delta_energy; for +-1,
    diluted and real-valued patterns (the kernels of real-valued patterns hold the powers
    of Xi for x^n and sinh/cosh transforms for exp)."""
    inter = parse_interaction(spec)
    rng = np.random.default_rng(zlib.crc32((spec + case).encode()))
    for _ in range(25):
        xi, s = _random_case(rng, zeros=case == "zeros", real=case == "real")
        h = inter.local_fields(s, xi)
        hg = inter.glauber_fields(s, xi)
        a = xi.astype(float) @ s
        for i in range(s.size):
            raw, mag = _brute_field(inter, s, xi, i, with_magnitude=True)
            scale = _field_scale(inter, a)
            if isinstance(inter, Exponential):
                # the kernel's two sums cancel: its rounding scale is the sum of the
                # |terms| e^(lam a) (|sinh(2 lam x)| + 2 sinh^2(lam x)) (module docstring)
                x = xi[:, i]
                mag += np.sum(
                    np.exp(inter.lam * a) * (np.abs(np.sinh(2 * inter.lam * x))
                                             + 2 * np.sinh(inter.lam * x) ** 2)
                )  # fmt: skip
            # tolerance: 1e-12 of the summed |terms| (rounding of both computations)
            assert h[i] * scale == pytest.approx(raw, rel=1e-9, abs=1e-12 * (1 + mag))
            # brute-force energy difference: flip i, recompute E
            dE = inter.delta_energy(s, xi, i)  # E(flipped) - E(s)
            e_minus_e_plus = dE if s[i] == 1 else -dE
            assert hg[i] == pytest.approx(e_minus_e_plus / 2, rel=1e-9, abs=1e-12)
            if abs(raw) > 1e-12 * (1 + mag):
                # energy decreases iff the rule says to flip
                flips = np.sign(raw) != s[i]
                assert (dE < 0) == flips


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("case", ["pm1", "zeros", "real"])
def test_update_is_sign_of_brute_field_all_pattern_kinds(spec, case):
    """The synchronous update of the kernel (the code path of every engine) is the sign of
    the literal field wherever that is clearly nonzero."""
    inter = parse_interaction(spec)
    rng = np.random.default_rng(zlib.crc32((spec + case + "u").encode()))
    for _ in range(20):
        xi, s = _random_case(rng, zeros=case == "zeros", real=case == "real")
        new = inter.update(s, xi)
        for i in range(s.size):
            raw, mag = _brute_field(inter, s, xi, i, with_magnitude=True)
            if abs(raw) > 1e-9 * (1 + mag):
                assert new[i] == np.sign(raw)


@pytest.mark.parametrize("spec", SPECS)
def test_energy_values(spec):
    inter = parse_interaction(spec)
    rng = np.random.default_rng(1)
    xi, s = _random_case(rng)
    N = s.size
    a = xi @ s
    if isinstance(inter, Polynomial):
        expected = -np.sum(a.astype(float) ** inter.n) / (inter.n * N ** (inter.n - 1))
    else:
        expected = -math.log(np.sum(np.exp(inter.lam * a))) / inter.lam
    assert inter.energy(s, xi) == pytest.approx(expected, rel=1e-12)


def test_hopfield_energy_is_standard_hamiltonian():
    """E = -(1/2) sum_ij J_ij s_i s_j - K/2 with J = Xi^T Xi / N, J_ii = 0."""
    rng = np.random.default_rng(2)
    xi = rng.choice([-1, 1], size=(5, 30))
    s = rng.choice([-1, 1], size=30)
    J = xi.T @ xi / 30.0
    np.fill_diagonal(J, 0)
    H = -0.5 * s @ J @ s - 5 / 2
    assert parse_interaction("hopfield").energy(s, xi) == pytest.approx(H)
    # the Glauber field is sum_j J_ij s_j
    np.testing.assert_allclose(parse_interaction("hopfield").glauber_fields(s, xi), J @ s)


def test_update_ties_keep_state():
    """Neuron 2 sees two patterns with opposite xi_2 and equal a_{mu,2}: its field is
    F(a+1) - F(a-1) - [F(a+1) - F(a-1)] = 0 exactly, for every F; it keeps its state."""
    xi = np.array([[1, 1, 1], [1, 1, -1]])
    for spec in SPECS:
        inter = parse_interaction(spec)
        for s in ([1, -1, 1], [1, -1, -1], [1, 1, 1], [-1, -1, -1]):
            s = np.array(s)
            assert inter.update(s, xi)[2] == s[2]


def test_update_is_sign_of_brute_field():
    rng = np.random.default_rng(3)
    for spec in SPECS:
        inter = parse_interaction(spec)
        for _ in range(20):
            xi, s = _random_case(rng)
            new = inter.update(s, xi)
            for i in range(s.size):
                raw = _brute_field(inter, s, xi, i)
                if abs(raw) > 1e-9 * (1 + np.abs(inter.F(xi @ s + 1.0)).sum()):
                    assert new[i] == np.sign(raw)


def test_logsumexp_no_overflow():
    """exp(N) overflows float64 for N > 709; the log-energy and fields stay finite."""
    rng = np.random.default_rng(4)
    xi = rng.choice([-1, 1], size=(20, 2000))
    s = xi[0].copy()
    inter = parse_interaction("exp:1")
    with np.errstate(over="raise", invalid="raise"):
        E = inter.energy(s, xi)
        h = inter.local_fields(s, xi)
        hg = inter.glauber_fields(s, xi)
        new = inter.update(s, xi)
    assert E == pytest.approx(-2000.0, abs=1e-6)  # dominated by the stored pattern
    assert np.all(np.isfinite(h)) and np.all(np.isfinite(hg))
    np.testing.assert_array_equal(new, s)
    # the naive energy is not finite: this is the case log-sum-exp exists for
    with np.errstate(over="ignore"):
        assert not np.isfinite(-np.sum(np.exp(xi.astype(float) @ s)))


def test_bad_inputs():
    inter = parse_interaction("hopfield")
    xi = np.ones((2, 5))
    with pytest.raises(ValueError, match="sigma"):
        inter.energy(np.ones(4), xi)
    with pytest.raises(ValueError, match="sigma"):
        inter.energy(np.zeros(5), xi)
    with pytest.raises(ValueError, match="patterns"):
        inter.energy(np.ones(5), np.ones((0, 5)))
    with pytest.raises(ValueError, match="patterns.*finite"):
        inter.energy(np.ones(5), np.full((2, 5), np.nan))
    with pytest.raises(TypeError, match="patterns"):
        inter.energy(np.ones(5), np.array([["a"] * 5]))
    with pytest.raises(ValueError, match="i"):
        inter.delta_energy(np.ones(5), xi, 7)
    with pytest.raises(ValueError, match="overlaps"):
        inter.local_fields(np.ones(5), xi, overlaps=np.ones(3))
    with pytest.raises(ValueError, match="F"):
        Polynomial(1)
    with pytest.raises(ValueError, match="F"):
        Exponential(0.0)
    # a generic interaction needs {-1, 0, +1} patterns; the built-in ones take real values
    with pytest.raises(ValueError, match="patterns"):
        _Relu3().kernel(np.array([[0.5, 1.0, -1.0]]))
    with pytest.raises(ValueError, match="patterns"):  # sinh(2 lam xi) would overflow
        parse_interaction("exp").kernel(np.array([[400.0, 1.0]]))


class _Relu3(Interaction):
    """F(x) = max(x, 0)^3, a rectified polynomial (Krotov & Hopfield 2016), defined only by
    F and its Brian2 expression: the generic TernaryKernel gives its exact fields."""

    name = "relu3"
    exact_integer = True

    def F(self, x):
        return np.maximum(np.asarray(x, dtype=float), 0.0) ** 3

    def brian_F(self, x):
        return f"clip({x}, 0, inf)**3"


def test_registry_accepts_a_new_interaction():
    if "relu3" not in registered_interactions():
        register_interaction("relu3", lambda arg: _Relu3())
    inter = parse_interaction("relu3")
    assert isinstance(inter, _Relu3)
    assert isinstance(inter.kernel(np.ones((2, 3))), TernaryKernel)
    rng = np.random.default_rng(5)
    for _ in range(20):
        xi, s = _random_case(rng, zeros=True)
        new = inter.update(s, xi)
        for i in range(s.size):
            raw = _brute_field(inter, s, xi, i)
            # integer fields: exact; a tie keeps the state
            assert new[i] == (np.sign(raw) if raw != 0 else s[i])
    with pytest.raises(ValueError, match="name"):
        register_interaction("relu3", lambda arg: _Relu3())
    with pytest.raises(ValueError, match="name"):
        register_interaction("Bad Name", lambda arg: _Relu3())


@pytest.mark.parametrize("spec", SPECS)
def test_neuron_outside_every_pattern_keeps_its_state(spec):
    """Diluted patterns: a neuron whose entries are 0 in every pattern has no field; the
    deterministic update keeps its state for every F (F=exp used to set it to +1)."""
    inter = parse_interaction(spec)
    xi = np.array([[1, 0, -1, 1], [-1, 0, 1, 1], [1, 0, 1, -1]])
    for s1 in (-1, 1):
        s = np.array([1, s1, -1, 1])
        assert inter.local_fields(s, xi)[1] == 0
        assert inter.update(s, xi)[1] == s1
