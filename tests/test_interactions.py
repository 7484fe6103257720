"""Interaction functions: parsing, energies, exact single-flip fields, updates."""

import math
import zlib

import numpy as np
import pytest

from neurodam.memory.interactions import Interaction, parse_interaction

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


def _random_case(rng, zeros=False):
    K, N = int(rng.integers(1, 9)), int(rng.integers(2, 14))
    vals = [-1, 0, 1] if zeros else [-1, 1]
    return rng.choice(vals, size=(K, N)), rng.choice([-1, 1], size=N)


def test_parse():
    assert parse_interaction("hopfield") == Interaction("hopfield", "poly", n=2)
    d = parse_interaction("dense:3")
    assert (d.kind, d.n) == ("poly", 3)
    e = parse_interaction("exp")
    assert (e.kind, e.lam) == ("exp", 1.0)
    assert parse_interaction("exp:0.5").lam == 0.5
    assert parse_interaction(e) is e


@pytest.mark.parametrize("bad", ["dense:1", "dense:x", "gauss", "exp:-1", "exp:nan", "", 3])
def test_parse_bad(bad):
    with pytest.raises(ValueError, match="F"):
        parse_interaction(bad)


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("zeros", [False, True])
def test_fields_match_brute_force_energy_differences(spec, zeros):
    """local_fields has the sign (and, rescaled, the value) of the literal rule, and
    glauber_fields equals [E(sigma_i=-1) - E(sigma_i=+1)]/2 from delta_energy."""
    inter = parse_interaction(spec)
    rng = np.random.default_rng(zlib.crc32(spec.encode()) + zeros)
    for _ in range(25):
        xi, s = _random_case(rng, zeros)
        h = inter.local_fields(s, xi)
        hg = inter.glauber_fields(s, xi)
        a = xi.astype(float) @ s
        for i in range(s.size):
            raw, mag = _brute_field(inter, s, xi, i, with_magnitude=True)
            # exp fields are reported divided by exp(lam max a) sinh(2 lam) > 0;
            # tolerance: 1e-12 of the summed |terms| (rounding of the brute force)
            scale = math.exp(inter.lam * a.max()) * math.sinh(2 * inter.lam) if inter.lam else 1
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
def test_energy_values(spec):
    inter = parse_interaction(spec)
    rng = np.random.default_rng(1)
    xi, s = _random_case(rng)
    N = s.size
    a = xi @ s
    if inter.kind == "poly":
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
    with pytest.raises(ValueError, match="patterns.*got 2"):  # entries outside {-1, 0, +1}
        inter.energy(np.ones(5), 2 * xi)
    with pytest.raises(ValueError, match="i"):
        inter.delta_energy(np.ones(5), xi, 7)
    with pytest.raises(ValueError, match="overlaps"):
        inter.local_fields(np.ones(5), xi, overlaps=np.ones(3))
    with pytest.raises(ValueError, match="n"):
        Interaction("x", "poly", n=1)
    with pytest.raises(ValueError, match="kind"):
        Interaction("x", "gauss")
