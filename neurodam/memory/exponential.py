"""The exponential interaction F(x) = exp(lam x) (exponential dense associative memory).

Demircigil, Heusel, Löwe, Upgang & Vermet, J. Stat. Phys. 168 (2017); the stochastic
version (SEDAM) of Cafiso & Paradisi (2026). ``"exp"`` is lam = 1, ``"exp:lam"`` any
lam > 0.

Energy
------
``-sum_mu exp(lam a_mu)`` overflows above ``lam a ~ 709``, so it is reported as the
**log-energy** ``E = -(1/lam) log sum_mu exp(lam a_mu)`` (log-sum-exp; a monotone
function of the exponential energy: same minima, same T=0 dynamics, never NaN/inf; the
energy of modern Hopfield networks, Ramsauer et al. 2020). The Glauber fields use it.

Field
-----
With ``w_mu = exp(lam (a_mu - max_nu a_nu))`` and ``x = xi_i^mu``, the exact field is
``F(a' + x) - F(a' - x) = e^(lam a_mu) [sinh(2 lam x) - 2 sigma_i sinh^2(lam x)]`` summed
over mu (``a' = a_mu - x sigma_i``), so the kernel holds two matrices::

    T = sinh(2 lam Xi) / sinh(2 lam),   E = (cosh(2 lam Xi) - 1) / (cosh(2 lam) - 1),
    h_i = (T^T w)_i - sigma_i tanh(lam) S_i,   S_i = (E^T w)_i ,

the exact field divided by ``exp(lam max a) sinh(2 lam) > 0``. For {-1, 0, +1}
patterns ``T = Xi`` and ``E = |Xi|`` (for +-1 patterns ``S_i = sum_mu w_mu``). A field
with ``|h_i| <= 6 (K + 2) eps S_i`` is a tie and keeps the state
(:func:`~neurodam.memory.interactions.tie_tolerance`); a neuron that no pattern touches
(S_i = 0) keeps its state too.

The two sums cancel where ``2 lam |xi|`` is large (``sinh(2y) - 2 sinh^2(y) = 1 - e^(-2y)``),
so a field is accurate to a few eps of ``S_i`` (the scale of its terms), not of ``h_i``
itself; the tie band is of that size, so every engine takes the same decisions.

Pattern values
--------------
Any finite real values with ``2 lam |xi| <= 700`` (sinh stays finite). Glauber dynamics
on the Brian2 model need +-1 patterns (the numpy engine takes any).
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from neurodam._validate import check_number
from neurodam.memory.interactions import Interaction
from neurodam.memory.kernel import BrianCode, FieldKernel, tie_tolerance

__all__ = ["Exponential", "ExponentialKernel", "exponential"]


class Exponential(Interaction):
    """F(x) = exp(lam x) (module docstring)."""

    patterns = "any finite real values with 2 lam |xi| <= 700"

    def __init__(self, lam: float = 1.0) -> None:
        try:
            self.lam = check_number(lam, "F", min=0.0, min_open=True, what="lam")
        except (TypeError, ValueError):
            raise ValueError(f"F: expected lam > 0 in 'exp:lam', got {lam!r}") from None
        self.name = f"exp:{self.lam:g}"

    def F(self, x):
        return np.exp(self.lam * np.asarray(x, dtype=np.float64))

    def brian_F(self, x: str) -> str:
        return f"exp({self.lam!r}*{x})"

    def energy_from_overlaps(self, a, n_neurons):
        a = np.asarray(a, dtype=np.float64)
        c = a.max(axis=-1, keepdims=True)
        w = np.exp(self.lam * (a - c))
        e = -(self.lam * c[..., 0] + np.log(w.sum(axis=-1))) / self.lam
        return float(e) if a.ndim == 1 else e

    def kernel(self, patterns, dtype="float64") -> ExponentialKernel:
        return ExponentialKernel(self, patterns, dtype)


class ExponentialKernel(FieldKernel):
    """The field kernel of F(x) = exp(lam x) (module docstring)."""

    def __init__(self, interaction: Exponential, patterns, dtype="float64") -> None:
        super().__init__(interaction, patterns, dtype)
        lam = self.lam = interaction.lam
        self.th = math.tanh(lam)
        self.tol = tie_tolerance(self.K, self.eps)
        self.even_factor = self.tol - self.th
        xi = self.patterns
        if not self.ternary:
            big = float(np.abs(xi).max())
            if 2.0 * lam * big > 700.0:
                raise ValueError(
                    f"patterns: F={interaction.name!r} needs 2 lam |xi| <= 700 (sinh overflows), "
                    f"got |xi| up to {big:g}"
                )
            self.odd = (np.sinh(2.0 * lam * xi) / math.sinh(2.0 * lam),)
            self.even = ((np.cosh(2.0 * lam * xi) - 1.0) / (math.cosh(2.0 * lam) - 1.0),)
            self.even_ones = False
        self._mats()

    @cached_property
    def scols(self) -> np.ndarray:
        """(N, K) columns of ``sinh(lam Xi) / sinh(lam)`` (``Xi`` for {-1, 0, +1} patterns):
        the single-neuron field ``sum_mu w_mu sinh(lam x)`` (asynchronous updates)."""
        if self.ternary:
            return self.cols
        return np.ascontiguousarray(np.sinh(self.lam * self.patterns).T / math.sinh(self.lam))

    @cached_property
    def scols_abs(self) -> np.ndarray:
        return np.abs(self.scols)

    @cached_property
    def _pm(self) -> tuple[np.ndarray, np.ndarray]:
        xi = self.patterns
        return tuple(np.ascontiguousarray(m, dtype=self.dtype) for m in (xi > 0, xi < 0))

    @cached_property
    def _z(self) -> np.ndarray | None:
        if not self.zeros:
            return None
        return np.ascontiguousarray(self.patterns == 0, dtype=self.dtype)

    def coefficients(self, a):
        if a.ndim == 1:
            w = a - a.max()
            w *= self.lam
            np.exp(w, out=w)
        else:
            w = np.exp(self.lam * (a - a.max(axis=0)))
        return [w], [w]

    def fields(self, a, s):
        g, e = self._sums(a)
        return g - self.th * e * s, self.tol * e

    def prepare(self, a):
        c = a.max()
        w = a - c
        w *= self.lam
        np.exp(w, out=w)
        return ([w], [w]), -(self.lam * float(c) + math.log(float(w.sum()))) / self.lam

    def energy(self, a, coefficients=None) -> float:
        c = a.max()
        if coefficients is None:
            w = a - c
            w *= self.lam
            np.exp(w, out=w)
        else:  # w = exp(lam (a - max a)), the coefficient of both sums
            w = coefficients[0][0]
        return -(self.lam * float(c) + math.log(float(w.sum()))) / self.lam

    def glauber(self, a, s):
        lam = self.lam
        w = np.exp(lam * (a - a.max()))
        if not self.ternary:  # log-sum-exp over mu for every neuron: O(N K)
            z = lam * (a[:, None] - 2.0 * self.patterns * s[None, :])
            cz = z.max(axis=0)
            log_b = cz + np.log(np.exp(z - cz).sum(axis=0))
            log_s = lam * float(a.max()) + math.log(float(w.sum()))
            return s * (log_s - log_b) / (2.0 * lam)
        # P_i, M_i (Z_i): sums of w over xi_i = +1 / -1 (0), computed directly (no cancellation)
        P = w @ self._pm[0]
        M = w @ self._pm[1]
        Z = w @ self._z if self.zeros else 0.0
        S = P + M + Z
        # flipped state: a_mu -> a_mu - 2 xi_i sigma_i, so w_mu -> w_mu exp(-2 lam xi_i sigma_i)
        with np.errstate(divide="ignore"):
            logP, logM = np.log(P), np.log(M)
            logB = np.logaddexp(-2.0 * lam * s + logP, 2.0 * lam * s + logM)
            if self.zeros:
                logB = np.logaddexp(logB, np.log(Z))
        # E(flip) - E(cur) = (log S - log B) / lam ; h = sigma (E(flip) - E(cur)) / 2
        return s * (np.log(S) - logB) / (2.0 * lam)

    def single(self, ae, i, s):
        lam = self.lam
        if ae.ndim == 1:
            w = np.exp(lam * (ae - ae.max()))
            h = float(self.scols[i] @ w)
            tol = self.tol * float(self.scols_abs[i] @ w)
            return h + tol * s
        x = self.scols[i][:, None]
        W = np.exp(lam * (ae - ae.max(axis=0)))
        h = (x * W).sum(axis=0)
        tol = self.tol * (np.abs(x) * W).sum(axis=0)
        return h + tol * s

    def single_glauber(self, ae, i):
        lam = self.lam
        x = self.cols[i]
        zp, zm = lam * (ae + x), lam * (ae - x)
        cp, cm = zp.max(), zm.max()
        lp = cp + math.log(np.exp(zp - cp).sum())
        lm = cm + math.log(np.exp(zm - cm).sum())
        return (lp - lm) / (2.0 * lam)

    def brian(self) -> BrianCode:
        # c must be a common shift >= max a (exp overflows above 709). Brian2 has no
        # max-reduction, so a one-neuron group sums Z = sum_mu exp(b (a_mu - A)) with
        # b = min(lam, 300/A) (never over- nor underflows, A >= |a_mu|) and
        # c = A + log(Z)/b lies in [max a, max a + log(K)/b]; the sign of h does not
        # depend on c
        A = float(self.N) if self.ternary else self.a_bound
        b = min(self.lam, 300.0 / A)
        glauber = None
        if self.ternary and not self.zeros:
            # P_i, M_i: sums of w over xi_i = +1 / -1 (+-1 patterns: P + M = S, P - M = g);
            # floor 1e-300 instead of 0: log stays finite, exp(-690) is negligible in lB
            glauber = (
                "lP = log(clip(0.5*(sd + g), 1e-300, inf))\n"
                "lM = log(clip(0.5*(sd - g), 1e-300, inf))\n"
                "x1 = -2*lam*sigma + lP\n"
                "x2 = 2*lam*sigma + lM\n"
                "lB = clip(x1, x2, inf) + log(1 + exp(-abs(x1 - x2)))\n"
                "hE = sigma*(log(sd) - lB) / (2*lam)"
            )
        return BrianCode(
            coefficients=f"c = exp(lam*(a - {A!r}) - lz*log(Zl))\nd = c",
            decision=f"x = g + ({self.tol!r} - th)*sd*sigma",
            glauber=glauber,
            zterm=f"exp(bz_pre*(a_pre - {A!r}))",
            memory_params={"lam": self.lam, "lz": self.lam / b, "bz": b},
            feature_params={"lam": self.lam, "th": self.th},
            fixed=("exp", self.ternary) + (() if self.ternary else (self.lam,)),
        )


def exponential(lam: float = 1.0) -> Exponential:
    """F(x) = exp(lam x): the exponential memory (Demircigil et al. 2017)."""
    return Exponential(lam)
