"""The initial state of an associative memory, drawn the same way by every engine.

Both the numpy reference engine and the Brian2 model start from
:func:`initial_state`, so that a run with the same seed starts from the same state on
every backend. Draws from ``rng`` (a ``numpy.random.Generator``), in this order:

* ``init=None``: ``rng.random(N) < 0.5 -> +1`` (else -1);
* ``init=mu``: pattern mu, its sign for real-valued patterns; entries that are 0 are
  replaced by ``rng.random(N) < 0.5 -> +1`` at those positions (no draw without zeros);
* ``init=(mu, f)``: as ``init=mu``, then ``round(f N)`` positions
  ``rng.choice(N, round(f N), replace=False)`` flipped (:func:`neurodam.patterns.flip`);
* ``init`` a +-1 vector: that state, no draw.

A Brian2 run (:func:`run_draws`) then draws Brian2's seed ``rng.integers(2**31 - 1)`` and,
for the asynchronous schedule, the update order (one ``rng.permutation(N)`` per sweep,
``steps + 1`` sweeps), from the same generator.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurodam.patterns import flip as _flip

__all__ = ["check_state", "initial_state", "run_draws"]


def initial_state(patterns: np.ndarray, init: Any, rng: np.random.Generator) -> np.ndarray:
    """The initial state sigma(0) as a +-1 int8 vector (draw order in the module docstring).

    Parameters
    ----------
    patterns : (K, N) array
        The stored patterns (any real values; pattern mu starts as its sign).
    init : None, int, (int, float) or array of +-1
        Random state, pattern mu, pattern mu with ``round(f N)`` entries flipped, or a state.
    rng : numpy.random.Generator

    Raises
    ------
    ValueError
        A pattern index outside [0, K), or a state of the wrong length or not +-1; the
        message names ``init``.
    """
    xi = np.asarray(patterns)
    K, N = xi.shape
    if init is None:
        return np.where(rng.random(N) < 0.5, 1, -1).astype(np.int8)
    if isinstance(init, tuple | list) and len(init) == 2 and np.ndim(init[0]) == 0:
        mu, frac = init
        return _flip(_pattern(xi, mu, rng), frac, seed=rng)
    if isinstance(init, int | np.integer) and not isinstance(init, bool):
        return _pattern(xi, init, rng)
    return check_state(init, N).astype(np.int8)


def _pattern(xi: np.ndarray, mu: Any, rng: np.random.Generator) -> np.ndarray:
    K, N = xi.shape
    if isinstance(mu, bool) or not isinstance(mu, int | np.integer) or not 0 <= mu < K:
        raise ValueError(f"init: expected a pattern index in [0, {K}), got {mu!r}")
    p = np.sign(xi[int(mu)]).astype(np.int8)
    zero = p == 0
    if zero.any():
        fill = np.where(rng.random(N) < 0.5, 1, -1).astype(np.int8)
        p[zero] = fill[zero]
    return p


def check_state(state: Any, n_neurons: int, name: str = "init") -> np.ndarray:
    """A +-1 state vector of length ``n_neurons`` as float64; ValueError naming ``name``."""
    s = np.asarray(state)
    if s.ndim != 1 or s.size != n_neurons:
        raise ValueError(
            f"{name}: expected a state of N={n_neurons} entries (the patterns' N), "
            f"got shape {s.shape}"
        )
    s = s.astype(np.float64)
    if not np.all(np.abs(s) == 1):
        raise ValueError(f"{name}: expected a state with entries in {{-1, +1}}")
    return s


def run_draws(patterns: np.ndarray, params: Any) -> tuple[np.ndarray, int, np.ndarray | None]:
    """The numpy draws of a Brian2 run with :class:`~neurodam.memory.params.MemoryParams`
    ``params``: ``(initial state, Brian2 seed, asynchronous order or None)``.

    ``rng = numpy.random.default_rng(params.seed)`` draws, in this order, the initial
    state (:func:`initial_state`), Brian2's seed ``rng.integers(2**31 - 1)`` and, for
    ``schedule="async"``, ``steps + 1`` permutations of the N neurons. The same seed gives
    the same draws, so a compiled network rerun with a seed equals a fresh run with it.
    """
    xi = np.asarray(patterns)
    N = xi.shape[1]
    rng = np.random.default_rng(params.seed)
    s0 = initial_state(xi, params.init, rng)
    brian_seed = int(rng.integers(2**31 - 1))
    order = None
    if params.schedule == "async":
        order = np.concatenate([rng.permutation(N) for _ in range(params.steps + 1)])
        order = order.astype(np.int64)
    return s0, brian_seed, order
