"""One entry point for associative-memory simulations: :func:`simulate`.

The same call runs the numpy reference engine (:mod:`neurodam.memory.reference`) or the
Brian2 model (:mod:`neurodam.memory.brian`) on any Brian2 device, through the one run
protocol of :func:`neurodam.engine.run_network` (here via
:class:`~neurodam.memory.session.MemorySession`, which also reruns a compiled network),
and returns a :class:`~neurodam.memory.results.MemoryRun`.

Random numbers: every backend draws the initial state from
``numpy.random.default_rng(seed)`` in the same way (:mod:`neurodam.memory.state`), so all
start from the same state for the same seed; Brian2's own ``rand()`` (noise, Glauber) is
then seeded with a number drawn from the same generator. Noisy trajectories of the
reference engine and of Brian2 therefore agree statistically, not step by step;
deterministic ones (``noise=0``, no temperature, ``schedule="sync"``) are identical.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurodam.memory.interactions import Interaction
from neurodam.memory.params import MemoryParams, as_params
from neurodam.memory.results import MemoryRun
from neurodam.memory.session import MemorySession

__all__ = ["simulate"]


def simulate(
    patterns: np.ndarray,
    params: MemoryParams | Interaction | str | None = None,
    /,
    *,
    progress: bool = False,
    threads: int = 0,
    build_dir: Any = None,
    **changes: Any,
) -> MemoryRun:
    """Simulate a Hebbian associative memory (Hopfield, dense or exponential/SEDAM).

    Deterministic update ``sigma_i <- sgn h_i`` with
    ``h_i = sum_mu [F(xi_i^mu + a_{mu,i}) - F(-xi_i^mu + a_{mu,i})]`` (ties keep the state),
    or Glauber at temperature T, followed by the SEDAM noise: each neuron flipped with
    probability p (Cafiso & Paradisi 2026; Demircigil et al. 2017; Krotov & Hopfield 2016).
    Synchronous Glauber updates do not sample ``exp(-E/T)`` (only asynchronous ones do;
    :mod:`neurodam.memory.reference`).

    Parameters
    ----------
    patterns : array, shape (K, N)
        Stored patterns (the values each F accepts: :mod:`neurodam.memory.interactions`).
    params : MemoryParams, str or Interaction, optional
        The parameters (:class:`~neurodam.memory.params.MemoryParams`), or just F
        (default ``"exp"``).
    progress : bool
        tqdm progress bar (every backend).
    threads : int
        OpenMP threads of a ``cpp_standalone`` program (bipartite form only; 0: none).
    build_dir : str, optional
        Standalone build directory (default: a fresh temporary directory, removed after).
    **changes
        :class:`MemoryParams` fields: ``F``, ``noise``, ``noise_mode``, ``temperature``,
        ``schedule``, ``steps``, ``dt``, ``fire_on``, ``init``, ``seed``, ``record``,
        ``backend`` (``"reference"``, ``"runtime"``, ``"numpy"``, ``"cpp_standalone"``,
        ``"cuda_standalone"``), ``form``.

    Returns
    -------
    MemoryRun
        ``params`` holds the parameters, N, K, the backend, ``init_state``, and ``timing``
        (seconds: ``codegen``, ``compile``, ``run``, ``collect``).

    Examples
    --------
    >>> from neurodam import patterns
    >>> xi = patterns.rademacher(5, 100, seed=0)
    >>> r = simulate(xi, "hopfield", init=(0, 0.1), steps=5, seed=1)
    >>> round(float(r.overlaps[-1, 0]), 2)
    1.0
    """
    P = as_params(params, changes)
    if P.backend == "reference":
        from neurodam.memory import reference

        return reference.run(patterns, P, progress=progress)
    with MemorySession(patterns, P, threads=threads, build_dir=build_dir) as session:
        return session.run(progress=progress)
