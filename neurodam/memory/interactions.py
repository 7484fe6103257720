"""Interaction functions F of Hebbian associative memories: energies, fields, updates.

One model family, parameterised by the interaction function F of the overlaps
``a_mu = xi^mu . sigma`` (raw, integer overlaps; ``m_mu = a_mu / N``):

``"hopfield"``     F(x) = x^2 (Hopfield 1982; Amit, Gutfreund & Sompolinsky 1985)
``"dense:n"``      F(x) = x^n, integer n >= 2 (Krotov & Hopfield 2016)
``"exp"``          F(x) = exp(x); ``"exp:lam"`` F(x) = exp(lam x)
                   (Demircigil, Heusel, Löwe, Upgang & Vermet 2017; Cafiso & Paradisi 2026)

Update rule (science.md section 1), for neuron i::

    T_i(sigma) = sgn h_i,   h_i = sum_mu [F(xi_i^mu + a_{mu,i}) - F(-xi_i^mu + a_{mu,i})],
    a_{mu,i} = sum_{j != i} xi_j^mu sigma_j = a_mu - xi_i^mu sigma_i ,

with ties (h_i == 0) keeping the old state. Everything is computed from the K
cached overlaps, never from an N^n tensor: writing ``U_mu = F(a_mu) - F(a_mu - 2)`` and
``V_mu = F(a_mu + 2) - F(a_mu)``, each term is
``xi_i (U_mu + V_mu)/2 + xi_i^2 sigma_i (U_mu - V_mu)/2``, so that::

    h = Xi^T (U + V) / 2 + sigma * (|Xi|^T (U - V)) / 2        (two mat-vecs per step)

(for +-1 patterns ``|Xi|^T (U - V)`` is the scalar ``sum(U - V)``).

Normalisations (they never change the sign of a field, so never the T=0 dynamics)
--------------------------------------------------------------------------------
* **Polynomial** (``kind="poly"``): :meth:`Interaction.local_fields` returns the
  unnormalised h above (exact integers in float64 while below 2^53, so ties are exact).
  The energy is ``E = -sum_mu a_mu^n / (n N^(n-1)) = -(N/n) sum_mu m_mu^n``; for n=2 this is
  the standard Hopfield Hamiltonian ``-(1/2) sum_ij J_ij sigma_i sigma_j`` with
  ``J_ij = (1/N) sum_mu xi_i^mu xi_j^mu`` (plus the constant ``-K/2`` from the diagonal),
  so the Glauber temperature has the usual scale (T_c = 1 at vanishing load).
* **Exponential** (``kind="exp"``): the energy ``-sum_mu exp(lam a_mu)`` overflows
  above ``lam a ~ 709``, so it is reported as the **log-energy**
  ``E = -(1/lam) log sum_mu exp(lam a_mu)`` (log-sum-exp; a monotone function of the
  exponential energy, same minima, same T=0 dynamics, never NaN/inf; the energy of
  modern Hopfield networks, Ramsauer et al. 2020). :meth:`Interaction.delta_energy` and the
  Glauber fields use this log-energy. :meth:`Interaction.local_fields` returns
  ``h_i = g_i - sigma_i tanh(lam) S_i`` with ``w_mu = exp(lam (a_mu - max_nu a_nu))``,
  ``g = Xi^T w`` and ``S_i = sum_mu |xi_i^mu| w_mu``: the exact h of the rule above
  divided by the positive factor ``exp(lam max a) sinh(2 lam)`` (derivation:
  ``sum_mu xi_i^mu exp(lam a_{mu,i}) = exp(-lam sigma_i) P_i - exp(lam sigma_i) M_i`` with
  ``P_i, M_i`` the sums of ``w`` over ``xi_i^mu = +1 / -1``, ``P + M = S``, ``P - M = g``).
  Floating-point sums cannot show an exact tie, so for ``exp`` a field with
  ``|h_i| < 6 (K + 2) eps S_i`` (the rounding bound of the K-term sum) counts as a tie:
  the new state is ``sgn(h_i + 6 (K + 2) eps S_i sigma_i)``. Polynomial fields are exact
  integers and the new state is ``sgn(h_i + sigma_i / 2)`` (exactly ``h_i == 0`` keeps).

Patterns ``Xi`` are K x N arrays with entries in {-1, +1} (diluted patterns may also hold
0; a zero entry contributes nothing to that neuron's field). States are +-1 vectors.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from neurodam.patterns import validate_patterns

__all__ = [
    "Interaction",
    "parse_interaction",
    "hopfield",
    "dense",
    "exponential",
    "glauber_probability",
    "tie_tolerance",
]

_EPS = np.finfo(np.float64).eps


@dataclass(frozen=True)
class Interaction:
    """An interaction function F of the overlaps, with its energy, fields and update.

    Parameters
    ----------
    name : str
        Canonical name (``"hopfield"``, ``"dense:3"``, ``"exp:1"``).
    kind : {"poly", "exp"}
        F(x) = x^n or F(x) = exp(lam x).
    n : int
        Degree of the polynomial (``kind="poly"``; 0 for ``exp``).
    lam : float
        Inverse width of the exponential (``kind="exp"``; 0 for ``poly``).

    See the module docstring for the equations and the normalisation choices.
    """

    name: str
    kind: str
    n: int = 0
    lam: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in ("poly", "exp"):
            raise ValueError(f"kind: expected 'poly' or 'exp', got {self.kind!r}")
        if self.kind == "poly" and (not isinstance(self.n, int | np.integer) or self.n < 2):
            raise ValueError(f"n: expected an integer degree >= 2, got {self.n!r}")
        if self.kind == "exp" and not (math.isfinite(self.lam) and self.lam > 0):
            raise ValueError(f"lam: expected a finite lam > 0, got {self.lam!r}")

    # ------------------------------------------------------------------ F itself
    def F(self, x: np.ndarray | float) -> np.ndarray:
        """The interaction function itself, F(x) (unnormalised; may overflow for exp)."""
        x = np.asarray(x, dtype=np.float64)
        if self.kind == "poly":
            return x**self.n
        return np.exp(self.lam * x)

    # ---------------------------------------------------------------- energies
    def energy_from_overlaps(self, a: np.ndarray, n_neurons: int) -> float | np.ndarray:
        """Energy from the raw overlaps ``a_mu = xi^mu . sigma`` (see :meth:`energy`).

        ``a`` of shape (K,) gives a float; a stack of shape (T, K) gives the T energies.
        """
        a = np.asarray(a, dtype=np.float64)
        if self.kind == "poly":
            e = -np.sum(a**self.n, axis=-1) / (self.n * float(n_neurons) ** (self.n - 1))
        else:
            z = self.lam * a
            c = z.max(axis=-1, keepdims=True)
            e = -(c[..., 0] + np.log(np.exp(z - c).sum(axis=-1))) / self.lam
        return float(e) if a.ndim == 1 else e

    def energy(self, sigma: np.ndarray, patterns: np.ndarray) -> float:
        """Energy of a state.

        ``E = -(N/n) sum_mu m_mu^n`` for F=x^n (n=2: the Hopfield Hamiltonian) and the
        log-energy ``E = -(1/lam) log sum_mu exp(lam xi^mu . sigma)`` for F=exp(lam x)
        (computed with log-sum-exp: finite for any N, K).
        """
        xi, s = _check_pair(sigma, patterns)
        return self.energy_from_overlaps(xi @ s, xi.shape[1])

    def delta_energy(self, sigma: np.ndarray, patterns: np.ndarray, i: int) -> float:
        """Exact energy change ``E(sigma with sigma_i flipped) - E(sigma)``.

        Computed by re-evaluating the energy after the flip from the K overlaps
        (``a_mu -> a_mu - 2 xi_i^mu sigma_i``), O(K); the brute-force check of
        :meth:`local_fields` and :meth:`glauber_fields`.
        """
        xi, s = _check_pair(sigma, patterns)
        n = xi.shape[1]
        if not isinstance(i, int | np.integer) or not 0 <= i < n:
            raise ValueError(f"i: expected a neuron index in [0, {n}), got {i!r}")
        a = xi @ s
        a_flip = a - 2.0 * xi[:, i] * s[i]
        return self.energy_from_overlaps(a_flip, n) - self.energy_from_overlaps(a, n)

    # ------------------------------------------------------------------ fields
    def local_fields(
        self, sigma: np.ndarray, patterns: np.ndarray, overlaps: np.ndarray | None = None
    ) -> np.ndarray:
        """The fields h with ``T_i(sigma) = sgn h_i`` (science.md section 1), length N.

        Parameters
        ----------
        sigma : array of +-1, shape (N,)
        patterns : array, shape (K, N)
        overlaps : array, shape (K,), optional
            The raw overlaps ``a_mu = xi^mu . sigma`` (NOT divided by N), when already known.

        Returns
        -------
        h : ndarray of float64, shape (N,)
            Poly: ``sum_mu [(a_{mu,i} + xi_i^mu)^n - (a_{mu,i} - xi_i^mu)^n]`` exactly.
            Exp: the exact field divided by ``exp(lam max a) sinh(2 lam) > 0``
            (module docstring).
        """
        xi, s = _check_pair(sigma, patterns)
        a = _overlaps(xi, s, overlaps)
        h, _ = _fields(self, xi, s, a, _has_zeros(xi))
        return h

    def glauber_fields(
        self, sigma: np.ndarray, patterns: np.ndarray, overlaps: np.ndarray | None = None
    ) -> np.ndarray:
        """Fields in energy units, ``h_i = [E(sigma_i=-1) - E(sigma_i=+1)] / 2``.

        The heat-bath rule ``P(sigma_i = +1) = 1 / (1 + exp(-2 beta h_i))`` then satisfies
        detailed balance with ``P(sigma) ~ exp(-beta E(sigma))``. For n=2 this is the
        Hopfield field ``sum_{j != i} J_ij sigma_j``. For exp it uses the log-energy.
        """
        xi, s = _check_pair(sigma, patterns)
        a = _overlaps(xi, s, overlaps)
        return _glauber_fields(self, xi, s, a, _has_zeros(xi))

    # ------------------------------------------------------------------ update
    def update(self, sigma: np.ndarray, patterns: np.ndarray) -> np.ndarray:
        """One synchronous deterministic step: ``sigma_i <- sgn h_i`` (ties keep sigma_i).

        Returns a new int8 state vector.
        """
        xi, s = _check_pair(sigma, patterns)
        h, tol = _fields(self, xi, s, xi @ s, _has_zeros(xi))
        return _sign_keep_ties(h, tol, s).astype(np.int8)


# ---------------------------------------------------------------- constructors
def hopfield() -> Interaction:
    """F(x) = x^2: the Hopfield model (Hopfield 1982)."""
    return Interaction("hopfield", "poly", n=2)


def dense(n: int) -> Interaction:
    """F(x) = x^n: the dense associative memory of Krotov & Hopfield (2016)."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"F: expected dense degree n an integer >= 2, got {n!r}")
    return Interaction(f"dense:{int(n)}", "poly", n=int(n))


def exponential(lam: float = 1.0) -> Interaction:
    """F(x) = exp(lam x): the exponential memory (Demircigil et al. 2017)."""
    try:
        lam_f = float(lam)
    except (TypeError, ValueError):
        raise ValueError(f"F: expected a float lam for 'exp:lam', got {lam!r}") from None
    if not (math.isfinite(lam_f) and lam_f > 0):
        raise ValueError(f"F: expected lam > 0 in 'exp:lam', got {lam!r}")
    return Interaction(f"exp:{lam_f:g}", "exp", lam=lam_f)


_DENSE_RE = re.compile(r"^dense:(\d+)$")
_EXP_RE = re.compile(r"^exp(?:onential)?(?::(.+))?$")


def parse_interaction(F: str | Interaction) -> Interaction:
    """Parse an interaction specification.

    Parameters
    ----------
    F : str or Interaction
        ``"hopfield"`` (x^2), ``"dense:n"`` (x^n, integer n >= 2), ``"exp"`` (exp(x)),
        ``"exp:lam"`` (exp(lam x)), or an :class:`Interaction` (returned unchanged).

    Raises
    ------
    ValueError
        For anything else; the message names ``F``.
    """
    if isinstance(F, Interaction):
        return F
    if not isinstance(F, str):
        raise ValueError(
            f"F: expected 'hopfield', 'dense:n', 'exp', 'exp:lam' or an Interaction, got {F!r}"
        )
    spec = F.strip().lower()
    if spec == "hopfield":
        return hopfield()
    m = _DENSE_RE.match(spec)
    if m:
        return dense(int(m.group(1)))
    m = _EXP_RE.match(spec)
    if m:
        return exponential(1.0 if m.group(1) is None else m.group(1))
    raise ValueError(f"F: expected 'hopfield', 'dense:n' (n >= 2), 'exp' or 'exp:lam', got {F!r}")


def glauber_probability(h: np.ndarray, beta: float) -> np.ndarray:
    """Heat-bath probability ``P(sigma_i=+1) = 1 / (1 + exp(-2 beta h_i))`` (overflow-safe)."""
    x = 2.0 * beta * np.asarray(h, dtype=np.float64)
    # 0.5 * (1 + tanh(x/2)) == 1/(1+exp(-x)), no overflow for large |x|
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# ------------------------------------------------------------------ internals
def _check_pair(sigma: np.ndarray, patterns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # entries in {-1, 0, +1} (diluted patterns allowed), as every engine requires
    xi = validate_patterns(patterns, allow_zero=True).astype(np.float64)
    s = np.asarray(sigma, dtype=np.float64).ravel()
    if s.size != xi.shape[1]:
        raise ValueError(f"sigma: expected N={xi.shape[1]} entries (the patterns' N), got {s.size}")
    if not np.all(np.abs(s) == 1):
        raise ValueError("sigma: expected entries in {-1, +1}")
    return xi, s


def _overlaps(xi: np.ndarray, s: np.ndarray, overlaps: np.ndarray | None) -> np.ndarray:
    if overlaps is None:
        return xi @ s
    a = np.asarray(overlaps, dtype=np.float64).ravel()
    if a.size != xi.shape[0]:
        raise ValueError(f"overlaps: expected K={xi.shape[0]} raw overlaps, got {a.size}")
    return a


def _has_zeros(xi: np.ndarray) -> bool:
    return bool(np.any(xi == 0))


def _fields(
    inter: Interaction,
    xi: np.ndarray,
    s: np.ndarray,
    a: np.ndarray,
    zeros: bool,
    xi_abs: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | float]:
    """Fields h (module docstring) and the tie tolerance (0 for poly)."""
    if inter.kind == "poly":
        n = inter.n
        fa = a**n
        u = fa - (a - 2.0) ** n
        v = (a + 2.0) ** n - fa
        h = 0.5 * ((u + v) @ xi)
        if zeros:
            ab = np.abs(xi) if xi_abs is None else xi_abs
            h += 0.5 * s * ((u - v) @ ab)
        else:
            h += 0.5 * float(np.sum(u - v)) * s
        return h, 0.5
    w = np.exp(inter.lam * (a - a.max()))
    g = w @ xi
    if zeros:
        ab = np.abs(xi) if xi_abs is None else xi_abs
        S = w @ ab
    else:
        S = float(w.sum())
    h = g - math.tanh(inter.lam) * S * s
    tol = tie_tolerance(xi.shape[0]) * S
    return h, tol


def tie_tolerance(K: int, eps: float = _EPS) -> float:
    """Relative tie band of the F=exp fields: ``6 (K + 2) eps``.

    The exp field ``h_i = g_i - tanh(lam) S_i sigma_i`` is a difference of two sums of K
    positive terms of scale ``S_i = sum_mu |xi_i^mu| w_mu``; its rounding error is bounded
    by a few (K + 2) eps S_i. A field with ``|h_i| <= tie_tolerance(K) * S_i`` is treated
    as an exact tie and keeps the state (science.md section 1: "ties keep the old state").
    Every engine (numpy reference, Brian2 model, Nengo export) uses this one band, so
    their T=0 trajectories agree.

    Parameters
    ----------
    K : int
        Number of stored patterns (terms of the sum).
    eps : float
        Machine epsilon of the arithmetic (float64 by default; float32 for the
        reference engine's ``dtype="float32"``).

    Returns
    -------
    float
        The relative tolerance; multiply by ``S_i``.
    """
    return 6.0 * (K + 2) * eps


def _sign_keep_ties(h: np.ndarray, tol: np.ndarray | float, s: np.ndarray) -> np.ndarray:
    """sgn(h + tol sigma): ties (|h| < tol) keep sigma.

    For poly fields (integer-valued) ``tol = 0.5`` makes exactly h == 0 a tie; for exp
    ``tol = 6 (K + 2) eps S``. ``copysign`` maps an exact +0.0 to +1.
    """
    return np.copysign(1.0, h + tol * s)


def _glauber_fields(
    inter: Interaction, xi: np.ndarray, s: np.ndarray, a: np.ndarray, zeros: bool
) -> np.ndarray:
    """[E(sigma_i=-1) - E(sigma_i=+1)] / 2 for every i (module docstring)."""
    n_neurons = xi.shape[1]
    if inter.kind == "poly":
        h, _ = _fields(inter, xi, s, a, zeros)
        return h / (2.0 * inter.n * float(n_neurons) ** (inter.n - 1))
    lam = inter.lam
    w = np.exp(lam * (a - a.max()))
    # P_i, M_i: sums of w over xi_i = +1 / -1, computed directly (no cancellation)
    P = w @ (xi > 0)
    M = w @ (xi < 0)
    Z = w @ (xi == 0) if zeros else 0.0
    S = P + M + Z
    # flipped state: a_mu -> a_mu - 2 xi_i sigma_i, so w_mu -> w_mu exp(-2 lam xi_i sigma_i)
    with np.errstate(divide="ignore"):
        logP, logM = np.log(P), np.log(M)
        logB = np.logaddexp(-2.0 * lam * s + logP, 2.0 * lam * s + logM)
        if zeros:
            logB = np.logaddexp(logB, np.log(Z))
    # E(flip) - E(cur) = (log S - log B) / lam ; h = sigma (E(flip) - E(cur)) / 2
    return s * (np.log(S) - logB) / (2.0 * lam)
