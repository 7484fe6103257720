"""One entry point for associative-memory simulations: :func:`simulate`.

The same call runs the numpy reference engine (:mod:`neurodam.memory.reference`) or the
Brian2 model (:mod:`neurodam.memory.brian`) on any Brian2 device chosen through
:mod:`neurodam.engine`, and returns a :class:`~neurodam.memory.results.MemoryRun`.

Random numbers: the initial state is drawn exactly as the reference engine draws it from
``numpy.random.default_rng(seed)`` (so every backend starts from the same state for the
same seed); Brian2's own ``rand()`` (noise, Glauber) is then seeded with
``brian2.seed(...)`` from a number drawn from the same generator. Noisy trajectories of
the reference engine and of Brian2 therefore agree statistically, not step by step;
deterministic ones (``noise=0``, no temperature, ``schedule="sync"``) are identical.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from neurodam import engine
from neurodam.memory._checks import check_int
from neurodam.memory.brian import (
    MemoryNetwork,
    build_memory_network,
    check_record,
)
from neurodam.memory.interactions import Interaction, parse_interaction
from neurodam.memory.results import MemoryRun
from neurodam.spikes import SpikeTrains

__all__ = ["BACKENDS", "simulate", "collect"]

log = logging.getLogger(__name__)

BACKENDS = ("reference", "runtime", "cython", "numpy", "cpp_standalone", "cuda_standalone")
DEFAULT_RECORD = ("spikes", "overlaps", "activity")


def simulate(
    patterns: np.ndarray,
    F: str | Interaction = "hopfield",
    noise: float = 0.0,
    temperature: float | None = None,
    schedule: str = "sync",
    steps: int = 100,
    init: Any = None,
    seed: int | np.random.Generator | None = None,
    backend: str = "reference",
    record: Iterable[str] | str | None = DEFAULT_RECORD,
    progress: bool = False,
    *,
    noise_mode: str = "flip",
    fire_on: str = "plus",
    dt: float = 1e-3,
    form: str | None = None,
    threads: int = 0,
    build_dir: str | None = None,
) -> MemoryRun:
    """Simulate a Hebbian associative memory (Hopfield, dense or exponential/SEDAM).

    Deterministic update ``sigma_i <- sgn h_i`` with
    ``h_i = sum_mu [F(xi_i^mu + a_{mu,i}) - F(-xi_i^mu + a_{mu,i})]`` (ties keep the state),
    or Glauber at temperature T, followed by the SEDAM noise: each neuron flipped with
    probability p (Cafiso & Paradisi 2026; Demircigil et al. 2017; Krotov & Hopfield 2016).

    Parameters
    ----------
    patterns : array, shape (K, N)
        Stored patterns with entries in {-1, +1} (0 allowed: diluted patterns).
    F : str or Interaction
        ``"hopfield"`` (x^2), ``"dense:n"`` (x^n), ``"exp"`` / ``"exp:lam"`` (exp(lam x)).
    noise : float
        SEDAM noise p in [0, 0.5].
    temperature : float, optional
        Glauber temperature T (None or 0: deterministic update).
    schedule : {"sync", "async"}
        Synchronous steps, or sweeps of single-neuron updates in random order.
    steps : int
        Number of steps (synchronous updates or sweeps).
    init : None, int, (int, float) or array
        Random state, pattern mu, pattern mu with a fraction f flipped, or a +-1 vector
        (:func:`neurodam.memory.reference.initial_state`).
    seed : int or Generator, optional
        Same seed, same result on a given backend.
    backend : str
        ``"reference"`` (numpy engine), ``"runtime"`` (= ``"cython"``), ``"numpy"``,
        ``"cpp_standalone"`` or ``"cuda_standalone"`` (Brian2 devices, :mod:`neurodam.engine`).
    record : iterable of str
        Subset of ``("spikes", "overlaps", "activity", "states")``; overlaps are always
        recorded (they make the ``MemoryRun``).
    progress : bool
        tqdm progress bar (reference and Brian2 runtime backends).
    noise_mode : {"flip", "reset"}
    fire_on : {"plus", "flip"}
    dt : float
        Seconds per step.
    form : {"matrix", "bipartite"}, optional
        Brian2 model form (:func:`neurodam.memory.brian.build_memory_network`); default
        ``"matrix"`` (fastest), ``"bipartite"`` on ``cuda_standalone`` (the matrix form's
        user functions have no CUDA implementation).
    threads : int
        OpenMP threads of a ``cpp_standalone`` program (0: none).
    build_dir : str, optional
        Standalone build directory (default: a fresh temporary directory, removed after).

    Returns
    -------
    MemoryRun
        ``params`` holds the arguments, the backend, ``init_state`` and, for Brian2
        backends, ``timing`` (seconds: ``build`` = network construction + code generation /
        compilation, ``run`` = the simulation itself).

    Examples
    --------
    >>> from neurodam import patterns
    >>> xi = patterns.rademacher(5, 100, seed=0)
    >>> r = simulate(xi, "hopfield", init=(0, 0.1), steps=5, seed=1)
    >>> round(float(r.overlaps[-1, 0]), 2)
    1.0
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    rec = check_record(record)
    if form is None:
        form = "bipartite" if backend == "cuda_standalone" else "matrix"
    if threads and form == "matrix":
        raise ValueError(
            f"threads: the matrix form runs single-threaded (threads=0), got {threads!r}; "
            "use form='bipartite' for OpenMP threads"
        )
    if backend == "reference":
        from neurodam.memory import reference

        return reference.run(
            patterns,
            F=F,
            noise=noise,
            temperature=temperature,
            schedule=schedule,
            steps=steps,
            init=init,
            seed=seed,
            noise_mode=noise_mode,
            fire_on=fire_on,
            record_states="states" in rec,
            dt=dt,
            progress=progress,
            record_spikes="spikes" in rec,
        )
    return _simulate_brian(
        patterns, F, noise, temperature, schedule, steps, init, seed, backend, rec,
        progress, noise_mode, fire_on, dt, form, threads, build_dir,
    )  # fmt: skip


def _simulate_brian(
    patterns, F, noise, temperature, schedule, steps, init, seed, backend, rec, progress,
    noise_mode, fire_on, dt, form, threads, build_dir,
) -> MemoryRun:  # fmt: skip
    import brian2 as b2

    from neurodam.memory.reference import _init_pattern, initial_state
    from neurodam.patterns import validate_patterns

    inter = parse_interaction(F)
    xi8 = validate_patterns(patterns, allow_zero=True)
    check_int("steps", steps, 1)
    rng = np.random.default_rng(seed)
    s0 = initial_state(xi8, init, rng)
    brian_seed = int(rng.integers(2**31 - 1))
    record = tuple(dict.fromkeys(("overlaps",) + tuple(rec)))
    kwargs: dict[str, Any] = {"threads": threads} if engine.is_standalone(backend) else {}
    if build_dir is not None:
        kwargs["build_dir"] = build_dir
    t0 = time.perf_counter()
    with engine.backend(backend, **kwargs) as be:
        net = build_memory_network(
            xi8, inter, noise, schedule,
            temperature=temperature, steps=int(steps), init=s0, seed=rng,
            noise_mode=noise_mode, fire_on=fire_on, record=record, dt=dt, form=form,
        )  # fmt: skip
        if be.standalone:
            b2.seed(brian_seed)
            net.run()
            t1 = time.perf_counter()
            be.build(run=False)
            t2 = time.perf_counter()
            be.rerun()
            timing = {"build": t2 - t0, "run": time.perf_counter() - t2, "codegen": t1 - t0}
        else:
            # runtime: brian2.seed() reseeds numpy's global generator, which Brian2's rand()
            # draws from; restore it so that a simulation leaves the caller's
            # numpy.random stream untouched
            global_state = np.random.get_state()  # noqa: NPY002 (restoring it)
            b2.seed(brian_seed)
            try:
                timing = _run_runtime(net, steps, progress, t0)
            finally:
                np.random.set_state(global_state)  # noqa: NPY002
        result = collect(net)
    params = dict(result.params)
    params.update(
        {
            "backend": be.name if backend != "cython" else "runtime",
            "seed": seed if (seed is None or isinstance(seed, int | np.integer)) else repr(seed),
            "brian_seed": brian_seed,
            "init_state": s0.copy(),
            "init_pattern": _init_pattern(init),
            "timing": timing,
        }
    )
    return dataclasses.replace(result, params=params)


def _run_runtime(net: MemoryNetwork, steps: int, progress: bool, t0: float) -> dict:
    """Run in runtime mode; the first ``report`` call marks the end of code generation."""
    from tqdm.auto import tqdm

    marks: dict[str, float] = {}
    bar = tqdm(total=int(steps), disable=not progress, desc="brian2", unit="step")

    def report(elapsed, completed, start, duration):
        marks.setdefault("first", time.perf_counter())
        bar.n = min(int(steps), int(round(float(completed) * steps)))
        bar.refresh()

    try:
        net.run(report=report)
    finally:
        bar.n = int(steps)
        bar.close()
    t_end = time.perf_counter()
    first = marks.get("first", t0)
    return {"build": first - t0, "run": t_end - first}


def collect(net: MemoryNetwork) -> MemoryRun:
    """Turn the monitors of a run :class:`MemoryNetwork` into a :class:`MemoryRun`.

    Works after ``network.run`` (runtime) and after each standalone (re)run. The sample at
    t=0 (the initial state) is dropped: row t-1 is the state after step t, spikes of
    step t lie at ``t * dt`` (:mod:`neurodam.memory.results`).
    """
    p = net.params
    N, steps, dt = p["N"], p["steps"], p["dt"]
    mons = net.monitors
    a = np.asarray(mons["overlaps"].am[:], dtype=np.float32).T[1 : steps + 1]
    if a.shape[0] != steps:
        raise RuntimeError(f"collect: expected {steps} recorded steps, got {a.shape[0]}")
    # energies in blocks of rows: no (T, K) float64 temporaries
    energy = np.concatenate(
        [net.interaction.energy_from_overlaps(a[k : k + 4096], N) for k in range(0, steps, 4096)]
    )
    overlaps = np.ascontiguousarray(a)
    overlaps /= np.float32(N)
    params = {k: v for k, v in p.items() if k != "duration"}
    if "spikes" in mons:
        t = np.asarray(mons["spikes"].t_, dtype=np.float64)
        i = np.asarray(mons["spikes"].i[:], dtype=np.int64)
        keep = t > 0.5 * dt
        # times are k*dt up to Brian2's clock rounding; snap to the step grid
        times, senders = np.rint(t[keep] / dt) * dt, i[keep]
    else:
        times, senders = [], []
    spikes = SpikeTrains(
        times, senders, n_neurons=N, t_start=0.0, t_stop=steps * dt, meta={**params, "stamp": "end"}
    )
    counts = None
    if "activity" in mons:
        rate = np.asarray(mons["activity"].rate_, dtype=np.float64)[1 : steps + 1]
        counts = np.rint(rate * N * dt).astype(np.int64)
    states = None
    if "states" in mons:
        states = np.asarray(mons["states"].s[:]).T[1 : steps + 1].astype(np.int8)
    # readout.prev = sigma at the start of the closing recording step = after step `steps`;
    # no StateMonitor with dt = steps*dt: Brian2 ends such a clock within its epsilon of
    # the run's end and could stop the whole run one step early
    final = np.asarray(net.readout.prev[:]).astype(np.int8)
    return MemoryRun(
        spikes=spikes,
        overlaps=overlaps,
        energy=energy,
        params=params,
        states=states,
        final_state=final,
        dt=float(dt),
        counts=counts,
    )
