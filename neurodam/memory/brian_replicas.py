"""R replicas of the associative memory as one Brian2 network (the batched matrix form).

The replicas (:mod:`neurodam.memory.replicas`) share the patterns and every parameter but
the noise p, the seed and the initial state. Feature neuron ``r N + j`` is neuron j of
replica r and memory unit ``r K + mu`` its overlap ``a_mu = sum_j xi_mu,j sigma_j`` with
pattern mu; the matrix-form functions (``neurodam.memory._matmat``) compute the
overlaps ``A = S Xi^T`` and the fields ``G = C T`` of all replicas with two matrix-matrix
products per step, and the equation blocks are those of a single network
(:mod:`neurodam.memory.brian`): ``sigma_i <- sgn h_i`` (or the Glauber heat bath), then the
SEDAM noise of the neuron's replica, ``p`` a per-neuron constant.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from neurodam.memory.brian import (
    FIRE_RULE,
    ORDER,
    _groups,
    _monitors,
    _normaliser,
    _update,
)
from neurodam.memory.network import ReplicaNetwork
from neurodam.memory.params import MemoryParams

__all__ = ["build_replica_network"]


def build_replica_network(
    patterns: np.ndarray,
    params: Sequence[MemoryParams],
    /,
    *,
    init_states: np.ndarray | None = None,
    name: str = "dam",
) -> ReplicaNetwork:
    """Build R replicas of the associative memory as one Brian2 network (matrix form).

    The replicas (:mod:`neurodam.memory.replicas`) share the patterns and every parameter
    but the noise p, the seed and the initial state. Feature neuron ``r N + j`` is neuron j
    of replica r and memory unit ``r K + mu`` holds its overlap with pattern mu; the
    matrix-form functions compute the overlaps and fields of all replicas with two
    matrix-matrix products per step (``neurodam.memory._matmat``), and each replica has
    its own normaliser neuron. The noise p is a per-neuron constant, so every replica has
    its own. The activity of each replica is counted by a summed variable (one neuron per
    replica); the readout spikes only when the spikes are recorded.

    Parameters
    ----------
    patterns : (K, N) array
        The stored patterns, shared by every replica.
    params : sequence of MemoryParams
        One per replica (:func:`~neurodam.memory.replicas.check_replicas`), synchronous,
        matrix form.
    init_states : (R, N) array of +-1, optional
        Initial states; default drawn from each replica's seed
        (:func:`~neurodam.memory.replicas.replica_draws`).
    name : str
        Prefix of the Brian2 object names.

    Returns
    -------
    ReplicaNetwork

    References
    ----------
    Cafiso & Paradisi (2026), arXiv 2601.11478; Demircigil et al., J. Stat. Phys. 168 (2017).
    """
    import brian2 as b2

    from neurodam.memory import _matmat
    from neurodam.memory.replicas import check_replicas, replica_draws

    Ps = check_replicas(params)
    P, R = Ps[0], len(Ps)
    if P.brian_form != "matrix":
        raise ValueError(
            f"form: replicas run batched in the matrix form only, got {P.brian_form!r}"
            + (" (the default on cuda_standalone)" if P.form is None else "")
            + "; run the replicas one by one with simulate()"
        )
    kernel = P.interaction.kernel(patterns)
    xi = kernel.patterns
    code = kernel.brian()
    K, N = xi.shape
    if P.temperature is not None and code.glauber is None:
        raise ValueError(
            f"temperature: Glauber dynamics with F={P.interaction.name!r} run on Brian2 for "
            "+-1 patterns only (use the reference engine for these patterns)"
        )
    if init_states is None:
        init_states = replica_draws(xi, Ps)[0]
    S0 = _check_states(init_states, R, N)
    dt = P.dt * b2.second
    feature, memory, readout = _groups(P, kernel, code, dt, name, replicas=R)
    objects: list[Any] = [feature, memory, readout]
    norm, to_norm = _normaliser(feature, memory, kernel, code, dt, name, replicas=R)
    objects += [obj for obj in (norm, to_norm) if obj is not None]
    memory.run_regularly(
        code.coefficients, when="start", order=ORDER["coefficients"], name=f"{name}_coeffs"
    )
    objects += _matmat.attach(feature, memory, kernel, name, R)
    _update(feature, P, code, None, dt, name)
    feature.sigma = S0.ravel()
    feature.p = np.repeat([Q.noise for Q in Ps], N)
    feature.beta = 0.0 if P.temperature is None else 1.0 / P.temperature
    for group, values in ((memory, code.memory_params), (feature, code.feature_params)):
        for var, value in values.items():
            setattr(group, var, value)
    memory.a = (S0 @ xi.T).ravel()
    memory.am = (S0 @ xi.T).ravel()
    readout.prev = S0.ravel()
    record = tuple(r for r in P.record if r != "activity")
    monitors = _monitors(record, memory, readout, dt, name)
    act = None
    if "activity" in P.record:
        act, monitors["activity"] = _activity(readout, P, N, R, name)
        objects.append(act)
    objects += list(monitors.values())
    return ReplicaNetwork(
        network=b2.Network(*objects, name=f"{name}_network"),
        feature=feature,
        memory=memory,
        readout=readout,
        monitors=monitors,
        kernel=kernel,
        params=P,
        init=S0,
        code=code,
        norm=norm,
        replicas=R,
        replica_params=tuple(Ps),
        act=act,
    )


def _check_states(states: Any, R: int, N: int) -> np.ndarray:
    S = np.asarray(states)
    if S.shape != (R, N):
        raise ValueError(
            f"init_states: expected an (R={R}, N={N}) array of +-1 states, got shape {S.shape}"
        )
    if not np.all(np.abs(S) == 1):
        raise ValueError("init_states: expected entries in {-1, +1}")
    return S.astype(np.float64)


def _activity(readout, P: MemoryParams, N: int, R: int, name: str):
    """Per replica, the number of readout neurons firing in each step (the population
    activity of that replica): counted over its N readout neurons by the fire rule of
    :data:`FIRE_RULE` before ``prev`` moves on (``neurodam.memory._matmat.counter``),
    held by one neuron per replica, and monitored (sample k: the step that ended at
    ``k dt``)."""
    import brian2 as b2

    from neurodam.memory import _matmat

    dt = P.dt * b2.second
    act = b2.NeuronGroup(R, "n : 1", dt=dt, name=f"{name}_act")
    _matmat.counter(readout, act, FIRE_RULE[P.fire_on], N, R, name)
    monitor = b2.StateMonitor(act, "n", record=True, dt=dt, when="start", order=-98,
                              name=f"{name}_actmon")  # fmt: skip
    return act, monitor
