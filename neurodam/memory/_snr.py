"""Signal-to-noise theory of one-step stability: Hopfield, dense and exponential memories.

Public through :mod:`neurodam.memory.theory`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neurodam._validate import check_choice, check_int, check_number

__all__ = [
    "DenseStability",
    "dense_capacity",
    "dense_stability",
    "exp_one_step_radius",
    "stability_probability",
]

_MAX_FFT = 1 << 21  # largest FFT of the exact crosstalk distribution (16 MiB of float64)


def stability_probability(N: int, K: int) -> float:
    """Probability that a stored Hopfield pattern is an exact fixed point (T=0).

    The field on bit i of pattern 1, times ``xi_i^1``, is the signal ``N - 1`` plus the
    crosstalk ``C = sum_{mu>1} sum_{j != i} xi_i^1 xi_i^mu xi_j^mu xi_j^1``, a sum of
    M = (K-1)(N-1) independent +-1 terms, so ``C = 2B - M`` with ``B ~ Binomial(M, 1/2)``.
    Bit i flips when ``N - 1 + C < 0`` (ties keep the bit). Treating the N bits as
    independent gives ``(1 - P_err)^N`` (McEliece, Posner, Rodemich & Venkatesh 1987; the
    pattern is stable with probability -> 1 for K < N / (2 ln N)).
    """
    from scipy.stats import binom

    N = check_int(N, "N", min=2)
    K = check_int(K, "K", min=1)
    M = (K - 1) * (N - 1)
    if M == 0:
        return 1.0
    # N - 1 + 2B - M < 0  <=>  B < (M - N + 1) / 2
    b_max = math.ceil((M - N + 1) / 2) - 1
    p_err = float(binom.cdf(b_max, M, 0.5)) if b_max >= 0 else 0.0
    return float((1.0 - p_err) ** N)


@dataclass(frozen=True)
class DenseStability:
    """One-step stability of a stored pattern of a dense P-body memory (dense_stability).

    Attributes
    ----------
    N, K, P : int
    bit_error : float
        Probability that one given bit of a stored pattern flips in one deterministic step.
    pattern_stable : float
        ``(1 - bit_error)^N``: probability that the pattern is a fixed point, treating its
        N bits as independent (McEliece et al. 1987).
    snr : float
        Signal to noise ratio ``S^2 / Var(crosstalk)`` (inf for K = 1).
    method : str
        ``"exact"`` (exact crosstalk distribution) or ``"gaussian"``.
    """

    N: int
    K: int
    P: int
    bit_error: float
    pattern_stable: float
    snr: float
    method: str


def dense_stability(N: int, K: int, P: int, *, method: str = "auto") -> DenseStability:
    """Probability that a stored pattern of the dense P-body memory is a one-step fixed point.

    Update rule (Krotov & Hopfield 2016; neurodam's ``F = "dense:P"``, F(x) = x^P):
    ``sigma_i <- sgn sum_mu [F(xi_i^mu + a_{mu,i}) - F(-xi_i^mu + a_{mu,i})]`` with
    ``a_{mu,i} = sum_{j != i} xi_j^mu sigma_j``, ties keeping sigma_i. At sigma = xi^1,
    K Rademacher patterns, the field on bit i times ``xi_i^1`` is::

        S + sum_{mu=2..K} X_mu,   S = N^P - (N-2)^P ~ 2 P N^(P-1),
        X_mu = s_mu g(c_mu),       g(c) = (c+1)^P - (c-1)^P,

    with ``s_mu = xi_i^1 xi_i^mu = +-1`` and ``c_mu = sum_{j != i} xi_j^mu xi_j^1`` (a sum
    of N-1 independent +-1 terms), all independent. The bit flips when
    ``S + sum X_mu < 0``. The crosstalk has mean 0 and variance ``(K-1) E[g(c)^2]``,
    ``E[g^2] ~ 4 P^2 (2P-3)!! N^(P-1)`` (Gaussian moments of c), so
    ``SNR ~ N^(P-1) / ((K-1) (2P-3)!!)``; for P = 2 this is the Hopfield SNR N/K.

    ``method="exact"`` computes the distribution of ``sum X_mu`` exactly (the X_mu live on
    an integer lattice; the (K-1)-fold convolution by FFT), so ``bit_error`` is exact;
    ``"gaussian"`` uses ``bit_error = Phi(-sqrt(SNR))`` with the exact variance; ``"auto"``
    is exact while the FFT has at most 2^21 points. Bits of one pattern share the
    overlaps c_mu, so they are not independent; ``pattern_stable = (1 - bit_error)^N``
    treats them as independent, as McEliece et al. (1987) do (good when the crosstalk
    variance self-averages, K large). For P = 2 the exact bit error is the binomial one of
    :func:`stability_probability`.
    """
    N = check_int(N, "N", min=2)
    K = check_int(K, "K", min=1)
    P = check_int(P, "P", min=2)
    check_choice(method, "method", ("auto", "exact", "gaussian"))
    S = N**P - (N - 2) ** P
    if K == 1:
        return DenseStability(N, K, P, 0.0, 1.0, math.inf, "exact")
    from scipy.stats import binom

    c = np.arange(-(N - 1), N, 2, dtype=np.int64)
    w = binom.pmf(np.arange(N), N - 1, 0.5)
    # signal and crosstalk in units of N^(P-1) (no overflow for large P)
    gs = ((c + 1.0) / N) ** P * N - ((c - 1.0) / N) ** P * N
    ss = -N * math.expm1(P * math.log1p(-2.0 / N))  # S / N^(P-1)
    var = (K - 1) * float(w @ (gs * gs))
    snr = ss * ss / var
    p = None if method == "gaussian" else _exact_bit_error(S, K, P, c, w)
    used = "exact" if p is not None else "gaussian"
    if p is None:
        if method == "exact":
            raise ValueError(
                f"method: the exact crosstalk distribution for N={N}, K={K}, P={P} needs an "
                f"FFT longer than {_MAX_FFT}; use method='gaussian'"
            )
        p = 0.5 * math.erfc(ss / math.sqrt(2.0 * var))
    stable = math.exp(N * math.log1p(-p)) if p < 1 else 0.0
    return DenseStability(N, K, P, p, stable, snr, used)


def _exact_bit_error(S: int, K: int, P: int, c: np.ndarray, w: np.ndarray) -> float | None:
    """P(S + sum of K-1 iid X < 0), X = +-g(c); None when the FFT would be too long."""
    from scipy.fft import irfft, next_fast_len, rfft

    if (K - 1) * (c.size - 1) > _MAX_FFT:  # X takes about N distinct lattice values
        return None
    g = [(int(x) + 1) ** P - (int(x) - 1) ** P for x in c]  # exact integers
    vals = np.array(g + [-x for x in g], dtype=object)
    probs = np.concatenate([w, w]) / 2.0
    vmin = int(min(vals))
    shift = [int(v) - vmin for v in vals]
    d = math.gcd(*shift)
    idx = np.array([v // d for v in shift], dtype=np.int64)
    L = int(idx.max()) + 1
    n_sum = (K - 1) * (L - 1) + 1
    if n_sum > _MAX_FFT:
        return None
    nfft = next_fast_len(n_sum, real=True)
    pmf = np.bincount(idx, weights=probs, minlength=L)
    pmf_y = irfft(rfft(pmf, nfft) ** (K - 1), nfft)[:n_sum]
    # sum X = (K-1) vmin + d j; the bit flips when S + (K-1) vmin + d j < 0
    x = -S - (K - 1) * vmin
    count = max(0, min(n_sum, -((-x) // d)))  # number of j with d j < x
    # FFT round-off leaves |errors| ~ 1e-16 per entry: clip the sum into [0, 1]
    return float(min(1.0, max(0.0, pmf_y[:count].sum())))


def dense_capacity(N: int, P: int) -> float:
    """Error-free storage estimate ``K = N^(P-1) / (2 (2P-3)!! ln N)`` of the dense memory.

    From :func:`dense_stability`: the per-bit error ``Phi(-sqrt(SNR))`` with
    ``SNR = N^(P-1) / (K (2P-3)!!)`` stays below 1/N (all N bits stable) while
    ``SNR > 2 ln N`` (Krotov & Hopfield 2016; P = 2: ``N / (2 ln N)``, McEliece et al. 1987).
    """
    N = check_int(N, "N", min=2)
    P = check_int(P, "P", min=2)
    dfact = math.prod(range(1, 2 * P - 2, 2))  # (2P-3)!!
    return float(N ** (P - 1) / (2.0 * dfact * math.log(N)))


def exp_one_step_radius(alpha: float) -> float:
    """Largest rho with ``alpha < I(1 - 2 rho) / 2`` (Demircigil et al. 2017).

    ``I(x) = ((1+x) ln(1+x) + (1-x) ln(1-x)) / 2``; for K = exp(alpha N) random patterns a
    cue with rho N flipped bits is corrected in one synchronous step (asymptotically in N)
    when rho is below this radius. Returns 0 when alpha >= ln(2)/2.
    """
    from scipy.optimize import brentq

    alpha = check_number(alpha, "alpha", min=0.0, what="a load ln(K)/N")
    if alpha >= math.log(2) / 2:
        return 0.0
    if alpha == 0:
        return 0.5

    def ient(x):
        t1 = (1 + x) * math.log1p(x)
        t2 = (1 - x) * math.log1p(-x) if x < 1 else 0.0
        return 0.5 * (t1 + t2)

    return float(brentq(lambda r: ient(1 - 2 * r) / 2 - alpha, 0.0, 0.5 - 1e-15))
