"""Low-load mean-field theory: the dense P-body transition and learning from examples.

Public through :mod:`neurodam.memory.theory` (see there for the conventions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.special import erf
from scipy.stats import binom

from neurodam._validate import check_choice, check_int, check_number, check_probability
from neurodam.memory._gauss import gauss_tanh_moments

__all__ = [
    "DenseTransition",
    "dataset_entropy",
    "dense_overlap",
    "dense_transition",
    "out_value",
    "real_array",
    "supervised_overlap",
    "unsupervised_overlap",
]


def real_array(x, name: str, lo: float = 0.0, hi: float | None = None) -> np.ndarray:
    """``x`` (a number or array) as a float array in [lo, hi]; TypeError/ValueError naming it."""
    if np.ndim(x) == 0:
        if isinstance(x, np.ndarray):
            x = x.item()
        return np.asarray(check_number(x, name, min=lo, max=hi))
    a = np.asarray(x)
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{name}: expected real numbers, got an array of dtype {a.dtype}")
    a = a.astype(np.float64)
    bad = ~np.isfinite(a) | (a < lo) | (hi is not None and a > hi)
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        rng = f"in [{lo:g}, {hi:g}]" if hi is not None else f">= {lo:g}"
        raise ValueError(f"{name}: expected finite values {rng}, got {a.ravel()[i]!r} at index {i}")
    return a


def out_value(a: np.ndarray, scalar: bool):
    """A Python scalar for scalar arguments, else the array."""
    return a.item() if scalar else a


@dataclass(frozen=True)
class DenseTransition:
    """Retrieval transition of the dense P-body model at low load (see dense_transition).

    Attributes
    ----------
    P : int
    T_c : float
        Thermodynamic transition: the retrieval free energy equals that of the paramagnet.
    T_spinodal : float
        Highest T with a retrieval solution m > 0 (the state is metastable in between).
    m_c, m_spinodal : float
        Overlap of the retrieval solution at T_c (the jump of m) and at the spinodal.
    first_order : bool
        True for P >= 3; P = 2 is the continuous Curie-Weiss transition at T = 1.
    """

    P: int
    T_c: float
    T_spinodal: float
    m_c: float
    m_spinodal: float
    first_order: bool


def _atanh_eps(e: float) -> float:  # atanh(1 - e), accurate for tiny e
    return 0.5 * (math.log(2.0 - e) - math.log(e))


def dense_transition(P: int) -> DenseTransition:
    """First-order retrieval transition of the dense P-body Hebbian model at low load.

    Energy ``H = -(N/P) sum_mu m_mu^P``: the energy of neurodam's ``F = "dense:P"``, so T
    is its Glauber temperature. The energy ``-sum_mu (xi^mu . sigma)^P / N^(P-1) =
    -N sum_mu m_mu^P`` (F(x) = x^P / N^(P-1), Krotov & Hopfield 2016) is P H, and has its
    transitions at P T_c and P T_spinodal (in general, ``lambda H`` at ``lambda T``).
    One retrieved pattern, mean field::

        m = tanh(beta m^(P-1)),   f(m) = -m^P / P - T s(m),   f(0) = -T ln 2,
        s(m) = -((1+m)/2) ln((1+m)/2) - ((1-m)/2) ln((1-m)/2) = ln 2 - I(m).

    Stationary points satisfy ``T = m^(P-1) / atanh(m)``; its maximum over m is the
    spinodal (``(P-1)(1 - m^2) atanh(m) = m``). ``f(m) = f(0)`` on the stationary curve
    gives ``m atanh(m) = P I(m)``, with ``I(m) = ((1+m) ln(1+m) + (1-m) ln(1-m)) / 2``,
    whose root in (0, 1) is m_c; ``T_c = m_c^(P-1) / atanh(m_c)``. For P >= 3 both roots
    are found by Brent's method in ``ln(1 - m)`` (m_c -> 1 like 1 - 2 * 4^-P, and
    ``T_c -> 1 / (P ln 2)``). P = 2 is the Curie-Weiss model: continuous transition,
    ``T_c = T_spinodal = 1`` with m = 0 there. For P >= 3 this is the mean-field P-spin
    ferromagnet, whose transition is first order; the dense memory is that of Krotov &
    Hopfield (2016) and of the dense Hebbian networks of Agliari, Barra et al.

    Parameters
    ----------
    P : int
        Interaction order, 2 <= P <= 400 (beyond, 1 - m_c underflows double precision).
    """
    P = check_int(P, "P", min=2, max=400)
    if P == 2:
        return DenseTransition(2, 1.0, 1.0, 0.0, 0.0, False)

    def spin(le):  # (P-1)(1-m^2) atanh(m) / m - 1, m = 1 - e^le
        e = math.exp(le)
        m = 1.0 - e
        return (P - 1) * e * (2.0 - e) * _atanh_eps(e) / m - 1.0

    def cross(le):  # m atanh(m) - P I(m)
        e = math.exp(le)
        i_m = 0.5 * ((2.0 - e) * math.log(2.0 - e) + e * le)
        return (1.0 - e) * _atanh_eps(e) - P * i_m

    lo, hi = math.log(1e-300), math.log(1.0 - 1e-4)
    le_sp = brentq(spin, lo, hi, xtol=1e-14)
    le_c = brentq(cross, lo, hi, xtol=1e-14)

    def temp(le):
        e = math.exp(le)
        return math.exp((P - 1) * math.log1p(-e)) / _atanh_eps(e)

    return DenseTransition(
        P, temp(le_c), temp(le_sp), 1.0 - math.exp(le_c), 1.0 - math.exp(le_sp), True
    )


def _dense_point(P: int, T: float, tr: DenseTransition) -> float:
    if T == 0:
        return 1.0
    if P == 2:  # Curie-Weiss; tanh(m/T)/m - 1 falls from 1/T - 1 > 0 to tanh(1/T) - 1
        return 0.0 if T >= 1 else brentq(lambda m: math.tanh(m / T) / m - 1, 1e-300, 1.0)
    if T > tr.T_spinodal:
        return 0.0
    # stable branch: m^(P-1)/atanh(m) decreases from T_spinodal for m > m_spinodal
    return brentq(lambda m: math.tanh(m ** (P - 1) / T) - m, tr.m_spinodal, 1.0, xtol=1e-15)


def dense_overlap(P: int, T):
    """Overlap of the retrieval branch of the dense P-body model at low load.

    The largest root of ``m = tanh(m^(P-1) / T)`` (energy ``-(N/P) sum m^P``, see
    :func:`dense_transition`); 0 above the spinodal (P >= 3) or at T >= 1 (P = 2). For
    P >= 3 this branch is the equilibrium state only below T_c, metastable up to the
    spinodal. T = 0 gives m = 1.
    """
    P = check_int(P, "P", min=2, max=400)
    t = real_array(T, "T")
    tr = dense_transition(P)
    out = np.empty(t.shape)
    for k in np.ndindex(t.shape):
        out[k] = _dense_point(P, float(t[k]), tr)
    return out_value(out, t.ndim == 0)


# ------------------------------------------------------- learning from examples
def dataset_entropy(r, M):
    """Dataset entropy ``rho = (1 - r^2) / (M r^2)`` (Agliari et al. 2023); inf at r = 0.

    M noisy examples of quality r (each entry equal to the archetype's with probability
    (1 + r)/2); rho -> 0 is the large-dataset limit, where the class average is the
    archetype.
    """
    r = check_probability(r, "r")
    M = check_int(M, "M", min=1)
    return math.inf if r == 0 else (1.0 - r * r) / (M * r * r)


def _learning_point(r: float, M: int, T: float, approx: str) -> float:
    if r == 0:  # examples carry no information on the archetype
        return 0.0
    if approx == "gaussian":
        rho = (1.0 - r * r) / (M * r * r)
        if T == 0:
            return float(erf(1.0 / math.sqrt(2.0 * rho))) if rho > 0 else 1.0
        beta = 1.0 / T
        if beta <= 1.0:
            return 0.0
        sr = math.sqrt(rho)

        def ratio(n):  # (1/(1+rho)) <(1 + sqrt(rho) z) tanh(beta n (1 + sqrt(rho) z))> / n - 1
            if n == 0:
                return beta - 1.0
            t, _, c = gauss_tanh_moments(n, n * sr, beta)
            return float(t + beta * n * rho * c) / ((1.0 + rho) * n) - 1.0

        n = brentq(ratio, 0.0, 1.0, xtol=1e-15)
        return float(gauss_tanh_moments(n, n * sr, beta)[0])
    p = 0.5 * (1.0 + r)
    if T == 0:  # sign of the class average; a tie (even M) takes a random sign
        return float(binom.sf(M // 2, M, p) - binom.cdf((M - 1) // 2, M, p))
    beta = 1.0 / T
    if beta <= 1.0:
        return 0.0
    # B within 40 sd of its mean: the rest of the binomial weighs < 1e-300
    sd = math.sqrt(M * p * (1.0 - p))
    k = np.arange(max(0, math.floor(M * p - 40 * sd)), min(M, math.ceil(M * p + 40 * sd)) + 1)
    v = (2.0 * k - M) / M  # xi_i times the class average of the examples
    w = binom.pmf(k, M, p)
    R = r * r + (1.0 - r * r) / M  # E[v^2]

    def ratio(n):  # <v tanh(beta v n / R)> / n - 1
        return beta - 1.0 if n == 0 else float(w @ (v * np.tanh(beta * v * n / R))) / n - 1.0

    n = brentq(ratio, 0.0, 1.0, xtol=1e-15)
    return float(w @ np.tanh(beta * v * n / R))


def _learning(r, M, T, approx):
    ra = real_array(r, "r", 0.0, 1.0)
    M = check_int(M, "M", min=1)
    ta = real_array(T, "T")
    check_choice(approx, "approx", ("exact", "gaussian"))
    ra, ta = np.broadcast_arrays(ra, ta)
    out = np.empty(ra.shape)
    for k in np.ndindex(ra.shape):
        out[k] = _learning_point(float(ra[k]), M, float(ta[k]), approx)
    return out_value(out, ra.ndim == 0)


def supervised_overlap(r, M: int, T=0.0, *, approx: str = "exact"):
    """Overlap with the archetype retrieved by the supervised pairwise network, low load.

    Examples ``eta^{mu,a} = xi^mu chi^{mu,a}``, a = 1..M, with ``P(chi = +1) = (1 + r)/2``;
    couplings from the class averages ``eta_bar^mu = (1/M) sum_a eta^{mu,a}``, energy
    ``H = -(1 / (2 N R)) sum_mu (eta_bar^mu . sigma)^2`` with ``R = r^2 (1 + rho) =
    E[eta_bar_i^2]`` (normalised so that the transition is at T = 1 for every r and M; a
    network without the 1/R, at temperature T', is this one at T = T'/R). At vanishing
    load (K fixed,
    N -> infinity) the mean field of the retrieval state of archetype xi is, with
    ``v = xi_i eta_bar_i = (2B - M)/M``, ``B ~ Binomial(M, (1 + r)/2)``::

        n = E_v[ v tanh(beta v n / R) ],     m = E_v[ tanh(beta v n / R) ]

    (n the overlap with the class average, m the overlap with the archetype; derived from
    the local field ``h_i = eta_bar_i n / R``). The right side of the first equation is
    concave in n with slope beta at 0, so a retrieval root exists iff T < 1 and is unique.

    ``approx="exact"`` averages over the binomial law of v. At T = 0 the retrieved state is
    ``sign(eta_bar)``, so ``m = P(B > M/2) - P(B < M/2)``, i.e. ``2 P(B > M/2) - 1`` for odd
    M; for even M a tie ``eta_bar_i = 0`` takes a random sign (the crosstalk of the other
    classes decides it) and contributes 0 (half of the tie mass counts as aligned).
    ``approx="gaussian"`` is the large-M (central limit) form, ``v ~ r (1 + sqrt(rho) z)``,
    with ``n_bar = n / (r (1 + rho))``; it is the pairwise low-load self-consistency of
    Agliari, Albanese, Alemanno, Alessandrelli, Barra et al. ("Dense Hebbian neural
    networks: a replica symmetric picture of supervised learning", Physica A 2023)::

        n_bar = E_z[(1 + sqrt(rho) z) tanh(beta n_bar (1 + sqrt(rho) z))] / (1 + rho)
        m     = E_z[tanh(beta n_bar (1 + sqrt(rho) z))]          -> erf(1/sqrt(2 rho)) at T=0

    with ``rho = (1 - r^2)/(M r^2)`` (:func:`dataset_entropy`).

    Parameters
    ----------
    r : float or array_like
        Example quality in [0, 1].
    M : int
        Examples per class, >= 1.
    T : float or array_like
        Temperature >= 0 (broadcast against r).
    approx : {"exact", "gaussian"}
    """
    return _learning(r, M, T, approx)


def unsupervised_overlap(r, M: int, T=0.0, *, approx: str = "exact"):
    """Archetype overlap of the symmetric retrieval state of the unsupervised network.

    Unsupervised couplings store every example, ``H = -(1 / (2 N R M)) sum_mu sum_a
    (eta^{mu,a} . sigma)^2`` (R as in :func:`supervised_overlap`). In the state that
    retrieves archetype xi, all M examples of its class have the same overlap n (they
    are exchangeable), so the local field is ``h_i = (1/(R M)) sum_a eta_i^a n = eta_bar_i
    n / R``, the supervised field, and ``n = E[eta^a tanh(beta eta_bar n / R)] =
    E[eta_bar tanh(beta eta_bar n / R)]``: at vanishing load the equations, hence m(r, M, T),
    are those of :func:`supervised_overlap`, in line with Agliari, Alessandrelli, Barra &
    Ricci-Tersenghi (2023, "Parallel learning by multitasking neural networks"): at low
    storage a teacher changes neither the performance nor the learning thresholds. What
    differs is the competition: with few or poor examples the single examples are
    attractors of the unsupervised network too (their overlap with the archetype is r), so
    this value is reached from archetype-like starts.
    """
    return _learning(r, M, T, approx)
