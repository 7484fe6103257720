"""Polynomial interactions F(x) = x^n: the Hopfield model (n = 2) and dense memories.

``"hopfield"`` is F(x) = x^2 (Hopfield 1982; Amit, Gutfreund & Sompolinsky 1985),
``"dense:n"`` F(x) = x^n with integer n >= 2 (Krotov & Hopfield 2016).

Energy ``E = -sum_mu a_mu^n / (n N^(n-1)) = -(N/n) sum_mu m_mu^n``; for n = 2 this is the
standard Hopfield Hamiltonian ``-(1/2) sum_ij J_ij sigma_i sigma_j`` with
``J_ij = (1/N) sum_mu xi_i^mu xi_j^mu`` (plus the constant ``-K/2`` of the diagonal), so
the Glauber temperature has the usual scale (T_c = 1 at vanishing load).

Pattern values
--------------
Any finite real values.

* {-1, 0, +1}: two matrices ``Xi`` and ``|Xi|``, ``c = U + V``, ``d = U - V`` (twice the
  exact field; :mod:`neurodam.memory.interactions`).
* Real-valued (e.g. averages or sums of examples): with ``a' = a_mu - x sigma_i`` and
  ``x = xi_i^mu``, ``(a' + x)^n - (a' - x)^n`` expands into powers of x::

      h_i = sum_{k odd} C(n,k) 2^k sum_mu x^k a_mu^(n-k)
            - sigma_i sum_{k even >= 2} C(n,k) 2^k sum_mu x^k a_mu^(n-k),

  so the kernel holds the n elementwise powers ``Xi^k`` and the coefficients
  ``+-2 C(n,k) 2^k a^(n-k)`` (again twice the field).

Integer-valued patterns give integer fields, exact in float64 while below 2^53, and exact
ties (tie offset 1/2); other real values tie only at an exact zero.
"""

from __future__ import annotations

from math import comb

import numpy as np

from neurodam._validate import check_int
from neurodam.memory.interactions import Interaction
from neurodam.memory.kernel import BrianCode, FieldKernel

__all__ = ["Polynomial", "PolynomialKernel", "dense", "hopfield"]


class Polynomial(Interaction):
    """F(x) = x^n (module docstring).

    Parameters
    ----------
    n : int
        Degree, >= 2.
    name : str, optional
        Canonical name (default ``"dense:n"``; ``"hopfield"`` for :func:`hopfield`).
    """

    exact_integer = True
    patterns = "any finite real values (integer values: exact integer fields and ties)"

    def __init__(self, n: int, name: str | None = None) -> None:
        try:
            self.n = check_int(n, "F", min=2)
        except (TypeError, ValueError):
            raise ValueError(f"F: expected a dense degree n, an integer >= 2, got {n!r}") from None
        self.name = name or f"dense:{self.n}"

    def F(self, x):
        x = np.asarray(x)
        if x.dtype.kind != "f":
            x = x.astype(np.float64)
        return x**self.n

    def brian_F(self, x: str) -> str:
        return f"{x}**{self.n}"

    def energy_norm(self, n_neurons: int) -> float:
        return 1.0 / (self.n * float(n_neurons) ** (self.n - 1))

    def energy_from_overlaps(self, a, n_neurons):
        a = np.asarray(a, dtype=np.float64)
        e = -np.sum(a**self.n, axis=-1) / (self.n * float(n_neurons) ** (self.n - 1))
        return float(e) if a.ndim == 1 else e

    def kernel(self, patterns, dtype="float64") -> PolynomialKernel:
        return PolynomialKernel(self, patterns, dtype)


class PolynomialKernel(FieldKernel):
    """The field kernel of F(x) = x^n (module docstring for the matrices)."""

    def __init__(self, interaction: Polynomial, patterns, dtype="float64") -> None:
        super().__init__(interaction, patterns, dtype)
        n = self.n = interaction.n
        self.tie_offset = 0.5 if self.integer else 0.0
        if not self.ternary:
            xi = self.patterns
            odd = [k for k in range(1, n + 1) if k % 2]
            even = [k for k in range(2, n + 1) if not k % 2]
            self.odd = tuple(xi**k for k in odd)
            self.even = tuple(xi**k for k in even)
            self.odd_names = tuple(f"c{k}" for k in odd)
            self.even_names = tuple(f"d{k}" for k in even)
            self._odd_k, self._even_k = odd, even
            self.even_ones = False
        self._mats()

    def _coef(self, k: int) -> float:
        return 2.0 * comb(self.n, k) * 2.0**k

    def coefficients(self, a):
        n = self.n
        if self.ternary:
            fa = a**n
            u = fa - (a - 2.0) ** n
            v = (a + 2.0) ** n - fa
            return [u + v], [u - v]
        odd = [self._coef(k) * a ** (n - k) for k in self._odd_k]
        even = [-self._coef(k) * a ** (n - k) for k in self._even_k]
        return odd, even

    def glauber(self, a, s):
        g, e = self._sums(a)
        h = g + s * e
        return 0.5 * h * (1.0 / (2.0 * self.n * float(self.N) ** (self.n - 1)))

    def brian(self) -> BrianCode:
        n = self.n
        if self.ternary:
            code = (
                f"fa = a**{n}\nu = fa - (a - 2)**{n}\nv = (a + 2)**{n} - fa\nc = u + v\nd = u - v"
            )
        else:
            lines = [f"{c} = {self._coef(k)!r}*a**{n - k}" for c, k in zip(
                self.odd_names, self._odd_k, strict=True)]  # fmt: skip
            lines += [f"{d} = {-self._coef(k)!r}*a**{n - k}" for d, k in zip(
                self.even_names, self._even_k, strict=True)]  # fmt: skip
            code = "\n".join(line.replace("*a**0", "") for line in lines)
        h = "h = g + sigma*sd"
        decision = h + ("\nx = h + 0.5*sigma" if self.tie_offset else "\nx = h")
        scale = 1.0 / (2.0 * n * float(self.N) ** (n - 1))
        return BrianCode(
            coefficients=code,
            decision=decision,
            glauber=f"{h}\nhE = 0.5*h*{scale!r}",
            fixed=(self.interaction.name, self.ternary),
        )


def hopfield() -> Polynomial:
    """F(x) = x^2: the Hopfield model (Hopfield 1982)."""
    return Polynomial(2, name="hopfield")


def dense(n: int) -> Polynomial:
    """F(x) = x^n: the dense associative memory of Krotov & Hopfield (2016)."""
    return Polynomial(n)
