"""Interaction functions F of Hebbian associative memories: one field kernel, an open registry.

One model family, parameterised by the interaction function F of the raw overlaps
``a_mu = xi^mu . sigma`` (``m_mu = a_mu / N``), with energy ``E = -sum_mu F(a_mu)`` up to a
normalisation. Built-in functions (``parse_interaction`` names):

``"hopfield"``     F(x) = x^2 (Hopfield 1982; Amit, Gutfreund & Sompolinsky 1985)
``"dense:n"``      F(x) = x^n, integer n >= 2 (Krotov & Hopfield 2016)
``"exp"``          F(x) = exp(x); ``"exp:lam"`` F(x) = exp(lam x)
                   (Demircigil, Heusel, Löwe, Upgang & Vermet 2017; Cafiso & Paradisi 2026)

More can be registered with :func:`register_interaction` (e.g. rectified polynomials
or other energies): a subclass of :class:`Interaction` that defines ``F`` (numpy) and
``brian_F`` (its Brian2 expression) gets exact fields for +-1 and diluted patterns from
:class:`TernaryKernel`, in every engine.

Update rule (science.md section 1), for neuron i::

    T_i(sigma) = sgn h_i,   h_i = sum_mu [F(a_{mu,i} + xi_i^mu) - F(a_{mu,i} - xi_i^mu)],
    a_{mu,i} = sum_{j != i} xi_j^mu sigma_j = a_mu - xi_i^mu sigma_i ,

the energy difference of the two values of sigma_i; a tie (h_i = 0) keeps the old state,
and so does a neuron that no pattern touches (all its entries 0: no field at all).

The field kernel
----------------
Everything is computed from the K cached overlaps, never from an N^n tensor. An
interaction prepared for one pattern matrix is a :class:`~neurodam.memory.kernel.FieldKernel`
(:mod:`neurodam.memory.kernel`: the decomposition of the field and the tie rules); every
engine (the numpy reference engine, the Brian2 model, the Nengo export) evaluates it.

Pattern values
--------------
Each F documents the pattern values it accepts (``Interaction.patterns``): the built-in
ones accept any finite real values (e.g. averages or sums of examples); a
:class:`TernaryKernel` needs {-1, 0, +1}. States are always +-1 vectors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from neurodam.memory.kernel import (
    BrianCode,
    FieldKernel,
    TernaryKernel,
    decide,
    glauber_probability,
    tie_tolerance,
)
from neurodam.patterns import real_patterns

__all__ = [
    "BrianCode",
    "FieldKernel",
    "Interaction",
    "TernaryKernel",
    "decide",
    "glauber_probability",
    "parse_interaction",
    "register_interaction",
    "registered_interactions",
    "tie_tolerance",
]


# ---------------------------------------------------------------------- registry
_REGISTRY: dict[str, Callable[[str | None], Interaction]] = {}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def register_interaction(
    name: str, factory: Callable[[str | None], Interaction], *, replace: bool = False
) -> None:
    """Make ``F="name"`` and ``F="name:arg"`` available to every engine.

    Parameters
    ----------
    name : str
        Lower-case identifier (letters, digits, ``_``).
    factory : callable
        ``factory(arg)`` returns the :class:`Interaction`; ``arg`` is the text after the
        colon (None without one). It raises ``ValueError`` naming ``F`` for a bad argument.
    replace : bool
        Allow replacing an existing name.

    Examples
    --------
    >>> class Relu3(Interaction):                          # doctest: +SKIP
    ...     name = "relu3"
    ...     def F(self, x): return np.maximum(np.asarray(x, float), 0.0) ** 3
    ...     def brian_F(self, x): return f"clip({x}, 0, inf)**3"
    >>> register_interaction("relu3", lambda arg: Relu3())  # doctest: +SKIP
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"name: expected a lower-case identifier, got {name!r}")
    if not callable(factory):
        raise TypeError(f"factory: expected a callable, got {type(factory).__name__}")
    if name in _REGISTRY and not replace:
        raise ValueError(f"name: {name!r} is already registered (use replace=True)")
    _REGISTRY[name] = factory


def registered_interactions() -> tuple[str, ...]:
    """The registered interaction names."""
    return tuple(_REGISTRY)


def parse_interaction(F: str | Interaction) -> Interaction:
    """The :class:`Interaction` named by ``F``.

    Parameters
    ----------
    F : str or Interaction
        ``"name"`` or ``"name:arg"`` of a registered interaction (``"hopfield"``,
        ``"dense:n"``, ``"exp"``, ``"exp:lam"``, ...), or an Interaction (returned as is).

    Raises
    ------
    TypeError
        ``F`` is neither a string nor an Interaction.
    ValueError
        Unknown name or bad argument; the message names ``F``.
    """
    if isinstance(F, Interaction):
        return F
    if not isinstance(F, str):
        raise TypeError(f"F: expected an interaction name such as 'exp' or 'dense:3', got {F!r}")
    name, sep, arg = F.strip().lower().partition(":")
    factory = _REGISTRY.get(name)
    if factory is None or (sep and not arg):
        raise ValueError(
            f"F: expected one of {', '.join(_REGISTRY)} (with ':arg' where it takes one), got {F!r}"
        )
    return factory(arg if sep else None)


# --------------------------------------------------------------------- interaction
class Interaction:
    """An interaction function F: its energy, its field kernel and its Brian2 code.

    Subclasses set ``name`` and define :meth:`F` and :meth:`brian_F`; the default
    :meth:`kernel` is the exact :class:`TernaryKernel` ({-1, 0, +1} patterns). The built-in
    families (:mod:`neurodam.memory.polynomial`, :mod:`neurodam.memory.exponential`)
    override :meth:`kernel` for real-valued patterns and numerical stability.

    Attributes
    ----------
    name : str
        Canonical name, parsed back by :func:`parse_interaction`.
    exact_integer : bool
        F maps integers to integers exactly (polynomials): integer fields, exact ties.
    patterns : str
        The pattern values accepted (documentation).
    """

    name: str = "interaction"
    exact_integer: bool = False
    patterns: str = "entries in {-1, 0, +1}"

    # ------------------------------------------------------------------ F itself
    def F(self, x: np.ndarray | float) -> np.ndarray:
        """The interaction function F(x) (numpy, elementwise)."""
        raise NotImplementedError

    def brian_F(self, x: str) -> str:
        """F as a Brian2 expression of the expression ``x``."""
        raise NotImplementedError(f"{type(self).__name__} has no Brian2 expression")

    def energy_norm(self, n_neurons: int) -> float:
        """The factor c of the energy ``E = -c sum_mu F(a_mu)`` (1 by default)."""
        return 1.0

    def energy_from_overlaps(self, a: np.ndarray, n_neurons: int) -> float | np.ndarray:
        """Energy from the raw overlaps: ``a`` (K,) gives a float, (T, K) the T energies."""
        a = np.asarray(a, dtype=np.float64)
        e = -self.energy_norm(n_neurons) * np.sum(self.F(a), axis=-1)
        return float(e) if a.ndim == 1 else e

    def kernel(self, patterns: np.ndarray, dtype: Any = "float64") -> FieldKernel:
        """This interaction prepared for ``patterns`` (:class:`FieldKernel`)."""
        return TernaryKernel(self, patterns, dtype)

    # ------------------------------------------------------- numpy conveniences
    def energy(self, sigma: np.ndarray, patterns: np.ndarray) -> float:
        """Energy of a +-1 state (see the family's normalisation)."""
        xi, s = _check_pair(sigma, patterns)
        return self.energy_from_overlaps(xi @ s, xi.shape[1])

    def delta_energy(self, sigma: np.ndarray, patterns: np.ndarray, i: int) -> float:
        """Exact ``E(sigma with sigma_i flipped) - E(sigma)``, from the K overlaps, O(K)."""
        xi, s = _check_pair(sigma, patterns)
        n = xi.shape[1]
        if isinstance(i, bool) or not isinstance(i, int | np.integer) or not 0 <= i < n:
            raise ValueError(f"i: expected a neuron index in [0, {n}), got {i!r}")
        a = xi @ s
        a_flip = a - 2.0 * xi[:, i] * s[i]
        return self.energy_from_overlaps(a_flip, n) - self.energy_from_overlaps(a, n)

    def local_fields(
        self, sigma: np.ndarray, patterns: np.ndarray, overlaps: np.ndarray | None = None
    ) -> np.ndarray:
        """The fields h with ``T_i(sigma) = sgn h_i`` (science.md section 1), length N.

        ``overlaps``: the raw ``a_mu = xi^mu . sigma`` (NOT divided by N) when known.
        Polynomial F: the exact field; F = exp: the exact field divided by a positive
        factor (:mod:`neurodam.memory.exponential`).
        """
        xi, s = _check_pair(sigma, patterns)
        h, _ = self.kernel(xi).fields(_overlaps(xi, s, overlaps), s)
        return h

    def glauber_fields(
        self, sigma: np.ndarray, patterns: np.ndarray, overlaps: np.ndarray | None = None
    ) -> np.ndarray:
        """Fields in energy units, ``h_i = [E(sigma_i=-1) - E(sigma_i=+1)] / 2``.

        The heat-bath rule ``P(sigma_i = +1) = 1 / (1 + exp(-2 beta h_i))`` satisfies
        detailed balance with ``P(sigma) ~ exp(-beta E(sigma))`` for single-neuron
        (asynchronous) updates. For n=2 this is the Hopfield field ``sum_{j != i} J_ij s_j``.
        """
        xi, s = _check_pair(sigma, patterns)
        return self.kernel(xi).glauber(_overlaps(xi, s, overlaps), s)

    def update(self, sigma: np.ndarray, patterns: np.ndarray) -> np.ndarray:
        """One synchronous deterministic step ``sigma_i <- sgn h_i`` (ties keep); int8."""
        xi, s = _check_pair(sigma, patterns)
        return self.kernel(xi).decide(xi @ s, s).astype(np.int8)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Interaction):
            return NotImplemented
        return type(self) is type(other) and self.name == other.name

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.name))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


def _check_pair(sigma: np.ndarray, patterns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xi = real_patterns(patterns)
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


# ------------------------------------------------------------- built-in families
def _hopfield(arg: str | None) -> Interaction:
    from neurodam.memory.polynomial import hopfield

    if arg is not None:
        raise ValueError(f"F: 'hopfield' takes no argument, got 'hopfield:{arg}'")
    return hopfield()


def _dense(arg: str | None) -> Interaction:
    from neurodam.memory.polynomial import dense

    if arg is None or not arg.strip().isdigit():
        raise ValueError(f"F: expected 'dense:n' with an integer degree n >= 2, got {arg!r}")
    return dense(int(arg))


def _exp(arg: str | None) -> Interaction:
    from neurodam.memory.exponential import exponential

    if arg is None:
        return exponential(1.0)
    try:
        lam = float(arg)
    except ValueError:
        raise ValueError(f"F: expected 'exp:lam' with a number lam > 0, got 'exp:{arg}'") from None
    return exponential(lam)


register_interaction("hopfield", _hopfield)
register_interaction("dense", _dense)
register_interaction("exp", _exp)
register_interaction("exponential", _exp)
