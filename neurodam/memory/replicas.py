"""Replica batching: many runs of one memory advance together, one matrix product per step.

A sweep over the noise p and the seed of one pattern set runs the same network many times.
Run as a batch of R **replicas**, the R states form an N x R matrix and each synchronous
step computes the overlaps ``A = Xi S`` and the fields ``G = Xi^T W`` of all of them as two
matrix-matrix products (GEMM, compute-bound) instead of 2 R matrix-vector products (GEMV,
memory-bound): the pattern matrix is read once per step instead of R times.

Replicas share everything but :data:`REPLICA_FIELDS` (noise, seed, initial state): the
patterns, F, steps, dt, schedule (``"sync"`` only), noise mode, temperature, fire rule,
record and backend. Each replica's result is the :class:`~neurodam.memory.results.MemoryRun`
its single run would give (``params["batch"]`` notes the batch), and:

* **reference engine** (:func:`neurodam.memory.reference.run_replicas`): each replica draws
  its random numbers from its own ``numpy.random.default_rng(seed)`` in the order of a
  single run, so a replica equals the single run with its seed bit for bit, noise included,
  whenever the two floating-point summations of a field agree on its sign: the overlaps
  of integer patterns are exact integers either way, and F = exp fields differ only in the
  last bits between the GEMM and the GEMV, inside the tie band of
  :func:`~neurodam.memory.kernel.tie_tolerance` (the tests measure the rate of
  differences; none was seen).
* **Brian2** (the matrix form; :func:`neurodam.memory.brian_replicas.build_replica_network`): one
  group of N R feature neurons and K R memory units, the C++/Cython functions working on
  the N x R block. Brian2's ``rand()`` is one stream for the whole program, so a noisy
  replica cannot repeat its single run draw for draw: it is statistically identical
  (same Q_bar, activity and event statistics within sampling error), and bit-identical
  to the single run (and to the reference engine) without noise. The batch's Brian2 seed
  is drawn from the replicas' seeds (:func:`replica_draws`).

The sweep groups its points by pattern set and by :func:`batch_key`, and runs each group
with :func:`iter_replicas` in chunks of at most ``max_replicas`` (a compiled standalone
program is reused by every chunk of the group; the last chunk is padded to the compiled
size).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from neurodam._validate import check_int
from neurodam.memory.interactions import Interaction
from neurodam.memory.params import MemoryParams, as_params
from neurodam.memory.results import MemoryRun
from neurodam.memory.state import run_draws

__all__ = [
    "REPLICA_FIELDS",
    "batch_key",
    "check_replicas",
    "group_replicas",
    "iter_replicas",
    "replica_draws",
    "replica_params",
    "simulate_replicas",
]

#: The fields in which the replicas of one batch may differ (everything else is shared).
REPLICA_FIELDS = ("noise", "seed", "init")


def batch_key(params: MemoryParams) -> str:
    """The shared part of ``params`` as a canonical string: runs with equal keys (and the
    same patterns) can run as replicas of one batch."""
    if not isinstance(params, MemoryParams):
        raise TypeError(f"params: expected a MemoryParams, got {type(params).__name__}")
    d = params.to_dict()
    for name in REPLICA_FIELDS:
        d.pop(name)
    d["form"] = params.brian_form if params.backend != "reference" else None
    return json.dumps(d, sort_keys=True)


def check_replicas(params: Any) -> list[MemoryParams]:
    """``params`` as a validated list of replicas (one batch).

    Raises
    ------
    TypeError
        ``params`` is not a sequence of :class:`MemoryParams`.
    ValueError
        An empty sequence; replicas that differ in more than :data:`REPLICA_FIELDS`; the
        asynchronous schedule; two replicas sharing one numpy Generator as seed.
    """
    if isinstance(params, MemoryParams | str | bytes) or not isinstance(params, Sequence):
        raise TypeError(
            f"params: expected a sequence of MemoryParams (one per replica), got "
            f"{type(params).__name__}"
        )
    items = list(params)
    if not items:
        raise ValueError("params: expected at least one replica, got an empty sequence")
    for k, P in enumerate(items):
        if not isinstance(P, MemoryParams):
            raise TypeError(
                f"params: expected a sequence of MemoryParams, item {k} is {type(P).__name__}"
            )
    first = items[0]
    if first.schedule != "sync":
        raise ValueError(
            "schedule: the asynchronous schedule is not batched (every replica draws its own "
            "update order, one neuron at a time); run the replicas one by one with simulate()"
        )
    shared = first.to_dict()
    for k, P in enumerate(items[1:], start=1):
        d = P.to_dict()
        for name, value in shared.items():
            if name not in REPLICA_FIELDS and d[name] != value:
                raise ValueError(
                    f"params: replica {k} differs from replica 0 in {name} ({d[name]!r} != "
                    f"{value!r}); replicas share everything but {', '.join(REPLICA_FIELDS)}"
                )
    gens = [id(P.seed) for P in items if isinstance(P.seed, np.random.Generator)]
    if len(gens) != len(set(gens)):
        raise ValueError(
            "seed: two replicas share one numpy Generator; give each its own seed or Generator"
        )
    return items


def replica_params(
    params: Sequence[MemoryParams] | MemoryParams | Interaction | str | None = None,
    /,
    *,
    noises: Sequence[float] | None = None,
    seeds: Sequence[Any] | None = None,
    inits: Sequence[Any] | None = None,
    **changes: Any,
) -> list[MemoryParams]:
    """The validated replicas of a batch (:func:`check_replicas`).

    Parameters
    ----------
    params : sequence of MemoryParams, or MemoryParams, str, Interaction or None
        One MemoryParams per replica; or the shared parameters (or just F), with the
        replicas given by ``noises``, ``seeds`` and ``inits``.
    noises, seeds, inits : sequences, optional
        Per-replica values (equal lengths; a missing one keeps the shared value). Not
        allowed with a sequence of MemoryParams.
    **changes
        :class:`MemoryParams` fields applied to the shared parameters.

    Examples
    --------
    >>> ps = replica_params("exp", noises=[0.1, 0.2], seeds=[1, 2], steps=50)
    >>> [(p.noise, p.seed, p.steps) for p in ps]
    [(0.1, 1, 50), (0.2, 2, 50)]
    """
    pairs = (("noise", noises), ("seed", seeds), ("init", inits))
    given = {name: values for name, values in pairs if values is not None}
    if isinstance(params, Sequence) and not isinstance(params, str | bytes):
        if given:
            raise TypeError(
                f"{next(iter(given))}s: not allowed with a sequence of MemoryParams "
                "(set the field in each)"
            )
        if changes:
            raise TypeError(
                f"{next(iter(changes))}: not allowed with a sequence of MemoryParams "
                "(set the field in each)"
            )
        return check_replicas(params)
    base = as_params(params, changes)
    lengths = {}
    for name, values in given.items():
        if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
            raise TypeError(f"{name}s: expected a sequence (one value per replica), got {values!r}")
        lengths[name] = len(values)
    if len(set(lengths.values())) > 1:
        raise ValueError(
            "noises: noises, seeds and inits must have one value per replica each, got "
            + ", ".join(f"{n}s={k}" for n, k in lengths.items())
        )
    R = next(iter(lengths.values()), 1)
    items = []
    for r in range(R):
        ch = {name: values[r] for name, values in given.items()}
        if "noise" in ch and isinstance(ch["noise"], np.generic):
            ch["noise"] = ch["noise"].item()
        items.append(base.replace(**ch) if ch else base)
    return check_replicas(items)


def group_replicas(params: Sequence[MemoryParams]) -> list[list[int]]:
    """Indices of ``params`` grouped into batches (equal :func:`batch_key`), in order of
    first appearance; asynchronous runs, which are not batched, each form their own group
    (run those with :func:`~neurodam.memory.simulate`). All must share one pattern set.

    Examples
    --------
    >>> ps = [MemoryParams(noise=0.1), MemoryParams(steps=5), MemoryParams(noise=0.2)]
    >>> group_replicas(ps)
    [[0, 2], [1]]
    """
    if isinstance(params, MemoryParams) or not isinstance(params, Sequence):
        raise TypeError(f"params: expected a sequence of MemoryParams, got {params!r}")
    groups: dict[Any, list[int]] = {}
    for k, P in enumerate(params):
        if not isinstance(P, MemoryParams):
            raise TypeError(
                f"params: expected a sequence of MemoryParams, item {k} is {type(P).__name__}"
            )
        key = ("async", k) if P.schedule != "sync" else batch_key(P)
        groups.setdefault(key, []).append(k)
    return list(groups.values())


def replica_draws(
    patterns: np.ndarray, params: Sequence[MemoryParams]
) -> tuple[np.ndarray, int, list[int]]:
    """The numpy draws of a batched Brian2 run: ``(initial states (R, N) int8, the batch's
    Brian2 seed, the replicas' own Brian2 seeds)``.

    Each replica draws its initial state and its Brian2 seed as a single run does
    (:func:`neurodam.memory.state.run_draws`); the batch's seed is then
    ``default_rng(replica seeds).integers(2**31 - 1)``, so the same replicas in the same
    order give the same batched run.
    """
    states, seeds = [], []
    for P in params:
        s0, seed, _ = run_draws(patterns, P)
        states.append(s0)
        seeds.append(seed)
    batch_seed = int(np.random.default_rng(seeds).integers(2**31 - 1))
    return np.stack(states).astype(np.int8), batch_seed, seeds


def _chunks(n: int, size: int) -> list[range]:
    return [range(k, min(k + size, n)) for k in range(0, n, size)]


def iter_replicas(
    patterns: np.ndarray,
    params: Sequence[MemoryParams] | MemoryParams | Interaction | str | None = None,
    /,
    *,
    max_replicas: int = 32,
    progress: bool = False,
    dtype: str = "float64",
    build_dir: Any = None,
    noises: Sequence[float] | None = None,
    seeds: Sequence[Any] | None = None,
    inits: Sequence[Any] | None = None,
    **changes: Any,
) -> Iterator[tuple[int, MemoryRun]]:
    """Run the replicas of one batch in chunks of at most ``max_replicas``; yield
    ``(index, MemoryRun)`` as each chunk finishes.

    Parameters
    ----------
    patterns : (K, N) array
        The pattern set shared by every replica.
    params, noises, seeds, inits, **changes
        The replicas (:func:`replica_params`); validated before anything runs.
    max_replicas : int
        Replicas per batched run (memory: each replica holds its own recording, e.g.
        ``steps x K`` float32 overlaps).
    progress : bool
        A progress bar per chunk.
    dtype : {"float64", "float32"}
        Arithmetic of the reference engine (:func:`neurodam.memory.reference.run`).
    build_dir : path, optional
        Standalone build directory (default: a fresh temporary one).

    Notes
    -----
    On a Brian2 backend the network is built (and compiled) once for
    ``min(max_replicas, R)`` replicas and rerun for every chunk; a shorter last chunk is
    padded with copies of its last replica (seed 0 if that seed is a Generator), whose
    results are dropped.
    """
    items = replica_params(params, noises=noises, seeds=seeds, inits=inits, **changes)
    size = check_int(max_replicas, "max_replicas", min=1)
    P0 = items[0]
    if P0.backend == "reference":
        from neurodam.memory import reference

        for chunk in _chunks(len(items), size):
            runs = reference.run_replicas(
                patterns, [items[k] for k in chunk], progress=progress, dtype=dtype
            )
            yield from zip(chunk, runs, strict=True)
        return
    from neurodam.memory.session import ReplicaSession

    width = min(size, len(items))
    with ReplicaSession(patterns, items[:width], build_dir=build_dir) as session:
        for chunk in _chunks(len(items), size):
            batch = [items[k] for k in chunk]
            pad = batch[-1]
            if isinstance(pad.seed, np.random.Generator):  # a Generator is not shared
                pad = pad.replace(seed=0)
            batch += [pad] * (width - len(batch))
            runs = session.run(batch, progress=progress)
            yield from zip(chunk, runs[: len(chunk)], strict=True)


def simulate_replicas(
    patterns: np.ndarray,
    params: Sequence[MemoryParams] | MemoryParams | Interaction | str | None = None,
    /,
    **kwargs: Any,
) -> list[MemoryRun]:
    """:func:`iter_replicas` collected into a list, one :class:`MemoryRun` per replica in
    the order given (same arguments).

    Examples
    --------
    >>> from neurodam import patterns
    >>> xi = patterns.rademacher(5, 100, seed=0)
    >>> runs = simulate_replicas(xi, "exp", noises=[0.0, 0.1], seeds=[1, 2], init=0, steps=20)
    >>> [round(r.Q_bar, 1) for r in runs]
    [1.0, 0.8]
    """
    out: list[MemoryRun | None] = []
    for k, run in iter_replicas(patterns, params, **kwargs):
        out.extend([None] * (k + 1 - len(out)))
        out[k] = run
    return out  # type: ignore[return-value]
