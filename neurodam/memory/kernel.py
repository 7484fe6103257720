"""The field kernel: the one place where the field of an associative memory is computed.

An interaction F (:mod:`neurodam.memory.interactions`) prepared for one pattern matrix is a
:class:`FieldKernel`. Every engine evaluates its decomposition of the field of neuron i::

    x_i = sum_k (T_k^T c_k(a))_i + sigma_i [ f sum_j (E_j^T d_j(a))_i + t ]

with constant matrices ``T_k``, ``E_j`` (functions of the patterns), coefficient vectors
``c_k``, ``d_j`` of the K raw overlaps ``a``, a factor f and a tie offset t; the new state
is ``sgn x_i``, and ``x_i = 0`` keeps sigma_i (a tie, or a neuron no pattern touches). The
numpy reference engine calls :meth:`FieldKernel.decide`, :meth:`~FieldKernel.glauber` and
:meth:`~FieldKernel.single`; the Brian2 model takes the matrices and the code of
:meth:`FieldKernel.brian` (:class:`BrianCode`); the Nengo export takes the matrices and
:meth:`~FieldKernel.coefficients`.

For {-1, 0, +1} patterns and any F, :class:`TernaryKernel` is exact: with
``U_mu = F(a_mu) - F(a_mu - 2)`` and ``V_mu = F(a_mu + 2) - F(a_mu)`` each term of the
field is ``xi_i (U_mu + V_mu)/2 + xi_i^2 sigma_i (U_mu - V_mu)/2``, so ``T = Xi``,
``E = |Xi|``, ``c = U + V``, ``d = U - V`` and x is twice the exact field (for +-1
patterns ``|Xi|^T d`` is the scalar ``sum(d)``).

Ties
----
* Integer fields (polynomial F, integer-valued patterns): exact in float64 while below
  2^53; ``t = 1/2`` makes exactly h = 0 keep the state.
* F = exp: sums of floating-point terms cannot show an exact tie, so a field with
  ``|h_i| <= 6 (K + 2) eps S_i`` (the rounding bound of the K-term sum, :func:`tie_tolerance`)
  counts as a tie; the band is folded into f.
* Otherwise only an exact zero keeps the state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from neurodam.patterns import real_patterns

if TYPE_CHECKING:
    from neurodam.memory.interactions import Interaction

__all__ = [
    "BrianCode",
    "FieldKernel",
    "TernaryKernel",
    "decide",
    "glauber_probability",
    "tie_tolerance",
]

_EPS = float(np.finfo(np.float64).eps)


def tie_tolerance(K: int, eps: float = _EPS) -> float:
    """Relative tie band of the F=exp fields: ``6 (K + 2) eps``.

    The exp field ``h_i = g_i - tanh(lam) S_i sigma_i`` is a difference of sums of K
    positive terms of scale ``S_i``; its rounding error is bounded by a few (K + 2) eps S_i.
    A field with ``|h_i| <= tie_tolerance(K) * S_i`` is a tie and keeps the state. Every
    engine uses this one band, so their T=0 trajectories agree.

    Parameters
    ----------
    K : int
        Number of stored patterns (terms of the sum).
    eps : float
        Machine epsilon of the arithmetic (float64 by default).
    """
    return 6.0 * (K + 2) * eps


def glauber_probability(h: np.ndarray, beta: float) -> np.ndarray:
    """Heat-bath probability ``P(sigma_i=+1) = 1 / (1 + exp(-2 beta h_i))`` (overflow-safe)."""
    x = 2.0 * beta * np.asarray(h, dtype=np.float64)
    # 0.5 * (1 + tanh(x/2)) == 1/(1+exp(-x)), no overflow for large |x|
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def decide(x: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``sgn x`` elementwise; an exact 0 keeps the state ``s`` (ties, untouched neurons)."""
    new = np.copysign(1.0, x)
    if not x.all():  # some exact zero (rare): keep those states
        zero = x == 0
        new[zero] = np.broadcast_to(s, x.shape)[zero]
    return new


@dataclass(frozen=True)
class BrianCode:
    """The Brian2 code of an interaction prepared for a pattern matrix.

    Attributes
    ----------
    coefficients : str
        Memory-unit code: the coefficient variables (``FieldKernel.odd_names`` and
        ``even_names``) from the raw overlap ``a``.
    decision : str
        Feature-neuron code: ``x`` from ``g`` (the odd sums), ``sd`` (the even sums) and
        ``sigma``; the deterministic new state is ``sgn x`` (0 keeps sigma).
    glauber : str or None
        Feature-neuron code: ``hE``, the field in energy units (None: not available for
        these patterns).
    zterm : str or None
        Summand over memory units of a normaliser ``Z`` (F=exp; ``_pre`` names).
    memory_params, feature_params : mapping
        ``(shared, constant)`` parameters of the memory units / feature neurons and their
        values (a compiled program reruns with new values through ``run_args``).
    fixed : tuple
        What a compiled program cannot change; a rerun with another F must match it.
    """

    coefficients: str
    decision: str
    glauber: str | None
    zterm: str | None = None
    memory_params: Mapping[str, float] = field(default_factory=dict)
    feature_params: Mapping[str, float] = field(default_factory=dict)
    fixed: tuple = ()


# -------------------------------------------------------------------------- kernel
class FieldKernel:
    """An interaction prepared for one pattern matrix (module docstring: the decomposition).

    Attributes
    ----------
    interaction : Interaction
    patterns : ndarray, float64, shape (K, N)
    xi : ndarray, shape (K, N)
        The patterns in the arithmetic ``dtype``.
    ternary, zeros, integer : bool
        Entries in {-1, 0, +1}; some entry 0; every entry an integer.
    odd, even : tuple of (K, N) float64 arrays
        The matrices ``T_k`` and ``E_j``.
    odd_names, even_names : tuple of str
        Names of the coefficient variables of the Brian2 model.
    even_ones : bool
        ``E`` is a single all-ones matrix (+-1 patterns): the even sum is ``sum(d)``.
    even_factor, tie_offset : float
        f and t of the decomposition.
    a_bound : float
        ``max_mu sum_i |xi_i^mu|``, a bound on ``|a_mu|`` (N for +-1 patterns).
    """

    odd_names: tuple[str, ...] = ("c",)
    even_names: tuple[str, ...] = ("d",)
    even_factor: float = 1.0
    tie_offset: float = 0.0

    def __init__(self, interaction: Interaction, patterns: np.ndarray, dtype: Any = "float64"):
        self.interaction = interaction
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
            raise ValueError(f"dtype: expected 'float64' or 'float32', got {dtype!r}")
        raw = np.asarray(patterns)
        xi = real_patterns(raw)
        self.patterns = xi
        self.K, self.N = xi.shape
        self.xi = np.ascontiguousarray(xi, dtype=self.dtype)
        if raw.dtype.kind in "biu":  # integer input (e.g. int8 patterns): cheap checks
            self.integer = True
            self.ternary = bool(raw.min() >= -1 and raw.max() <= 1)
        else:
            self.integer = bool(np.all(xi == np.rint(xi)))
            self.ternary = self.integer and bool(np.abs(xi).max() <= 1)
        self.zeros = bool((raw == 0).any())
        self.eps = float(np.finfo(self.dtype).eps)
        self.odd: tuple[np.ndarray, ...] = (xi,)
        self.even_ones = not self.zeros and self.ternary

    @cached_property
    def even(self) -> tuple[np.ndarray, ...]:
        """The matrices ``E_j`` (default: ``|Xi|``)."""
        return (np.abs(self.patterns),)

    @cached_property
    def a_bound(self) -> float:
        """``max_mu sum_i |xi_i^mu|``: a bound on ``|a_mu|``."""
        return float(np.abs(self.patterns).sum(axis=1).max())

    @cached_property
    def cols(self) -> np.ndarray:
        """Raw columns (N, K): neuron i's entries over mu, for single-neuron updates."""
        return np.ascontiguousarray(self.patterns.T)

    def _mats(self) -> None:
        """The odd matrices in the arithmetic dtype (after a subclass set ``odd``)."""
        cast = [np.ascontiguousarray(m, dtype=self.dtype) for m in self.odd]
        if len(self.odd) == 1 and self.odd[0] is self.patterns:
            cast[0] = self.xi
        self._odd = tuple(cast)

    @cached_property
    def _even(self) -> tuple[np.ndarray, ...]:
        return tuple(np.ascontiguousarray(m, dtype=self.dtype) for m in self.even)

    # ------------------------------------------------------------ decomposition
    def coefficients(self, a: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The coefficient vectors ``c_k(a)``, ``d_j(a)``; ``a`` of shape (K,) or (K, B)."""
        raise NotImplementedError

    def _sums(self, a: np.ndarray, coefficients=None) -> tuple[np.ndarray, np.ndarray]:
        co, ce = self.coefficients(a) if coefficients is None else coefficients
        batch = a.ndim == 2
        g = _apply(self._odd, co, batch)
        if self.even_ones:
            e = ce[0].sum(axis=0)
        else:
            e = _apply(self._even, ce, batch)
        return g, e

    def decide(self, a: np.ndarray, s: np.ndarray, coefficients=None) -> np.ndarray:
        """The deterministic update of every neuron (all from the same state ``s``).

        ``a`` (K,) with ``s`` (N,), or a batch: ``a`` (K, B) with ``s`` (N, B).
        ``coefficients``: ``self.coefficients(a)`` when already computed.
        """
        co, ce = self.coefficients(a) if coefficients is None else coefficients
        if a.ndim == 1 and len(co) == 1:  # the common case, without the general loop
            x = co[0] @ self._odd[0]
            e = ce[0].sum() if self.even_ones else ce[0] @ self._even[0]
        else:
            x, e = self._sums(a, (co, ce))
        if self.even_factor != 1.0:
            e = self.even_factor * e
        x += s * e
        if self.tie_offset:
            x += self.tie_offset * s
        return decide(x, s)

    def fields(self, a: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray | float]:
        """``(h, tol)``: the field of the rule (``Interaction.local_fields``) and the tie
        band; the new state is ``sgn(h + tol sigma)``, 0 keeping sigma."""
        g, e = self._sums(a)
        return 0.5 * (g + s * e), 0.5 * self.tie_offset

    def glauber(self, a: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Fields in energy units ``[E(sigma_i=-1) - E(sigma_i=+1)] / 2`` of every neuron."""
        g, e = self._sums(a)
        return 0.5 * (g + s * e) * (0.5 * self.interaction.energy_norm(self.N))

    def prepare(self, a: np.ndarray) -> tuple[Any, float]:
        """``(coefficients(a), energy(a))`` for one state: what a synchronous step needs
        of the overlaps ``a`` (the next field and the energy of the state)."""
        co = self.coefficients(a)
        return co, self.energy(a, co)

    def energy(self, a: np.ndarray, coefficients=None) -> float:
        """The energy of one state from its K raw overlaps (``coefficients``: those of
        ``a``, when already computed)."""
        return float(self.interaction.energy_from_overlaps(a, self.N))

    def single(self, ae: np.ndarray, i: int, s: Any) -> Any:
        """The decision variable of neuron i from the overlaps without it, ``ae`` (K,) or
        (K, B); the new state is its sign, 0 keeping ``s``."""
        F = self.interaction.F
        x = self.cols[i] if ae.ndim == 1 else self.cols[i][:, None]
        h = np.sum(F(ae + x) - F(ae - x), axis=0)
        t = 0.5 if (self.interaction.exact_integer and self.integer) else 0.0
        return h + t * s if t else h

    def single_glauber(self, ae: np.ndarray, i: int) -> float:
        """Energy field of neuron i from the overlaps without it, ``ae`` (K,)."""
        F = self.interaction.F
        x = self.cols[i]
        h = float(np.sum(F(ae + x) - F(ae - x)))
        return h * (0.5 * self.interaction.energy_norm(self.N))

    def brian(self) -> BrianCode:
        """The Brian2 code of this kernel (:class:`BrianCode`)."""
        raise NotImplementedError


def _apply(mats: tuple[np.ndarray, ...], coefs: list[np.ndarray], batch: bool) -> np.ndarray:
    """``sum_k M_k^T c_k`` (1-D coefficients) or ``sum_k M_k^T C_k`` (batch)."""
    if len(mats) == 1:
        return (mats[0].T @ coefs[0]) if batch else (coefs[0] @ mats[0])
    out = None
    for m, c in zip(mats, coefs, strict=True):
        term = (m.T @ c) if batch else (c @ m)
        out = term if out is None else out + term
    return out


class TernaryKernel(FieldKernel):
    """The exact field of any F for patterns with entries in {-1, 0, +1}.

    ``c = U + V``, ``d = U - V`` with ``U = F(a) - F(a - 2)``, ``V = F(a + 2) - F(a)``
    (module docstring); x is twice the exact field. The tie offset is 1/2 when F maps
    integers to integers exactly (``Interaction.exact_integer``), else 0.
    """

    def __init__(self, interaction: Interaction, patterns: np.ndarray, dtype: Any = "float64"):
        super().__init__(interaction, patterns, dtype)
        if not self.ternary:
            raise ValueError(
                f"patterns: F={interaction.name!r} needs entries in {{-1, 0, +1}}, got "
                f"{self.patterns[~np.isin(self.patterns, (-1.0, 0.0, 1.0))][0].item()!r}"
            )
        self.tie_offset = 0.5 if interaction.exact_integer else 0.0
        self._mats()

    def coefficients(self, a):
        F = self.interaction.F
        fa = F(a)
        u = fa - F(a - 2.0)
        v = F(a + 2.0) - fa
        return [u + v], [u - v]

    def brian(self) -> BrianCode:
        inter = self.interaction
        code = (
            f"fa = {inter.brian_F('a')}\nu = fa - ({inter.brian_F('(a - 2)')})\n"
            f"v = ({inter.brian_F('(a + 2)')}) - fa\nc = u + v\nd = u - v"
        )
        h = "h = g + sigma*sd"
        decision = h + ("\nx = h + 0.5*sigma" if self.tie_offset else "\nx = h")
        scale = 0.5 * inter.energy_norm(self.N)
        return BrianCode(code, decision, f"{h}\nhE = 0.5*h*{scale!r}", fixed=(inter.name,))
