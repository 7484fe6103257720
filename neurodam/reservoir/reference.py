"""numpy references of the Brian2 models: Izhikevich's (2003) program and the three-factor rule.

:func:`izhikevich_numpy` is the MATLAB program of Izhikevich (2003) translated line for
line to numpy.

Izhikevich, E. M. (2003). Simple model of spiking neurons. IEEE Transactions on Neural
Networks 14(6), 1569-1572: the program ``net.m`` printed with Fig. 3.

The oracle of the Brian2 model in tests and the baseline of the benchmarks. The draws are
the model's (:func:`~neurodam.reservoir.izhikevich_reservoir` makes them in the program's
order), so the two run the same network; fed the same
thalamic noise they give the same spikes until rounding differences (the synaptic sums
are added in another order), amplified by the chaotic dynamics, separate them (after
about a second of the default network).

:func:`three_factor_reference` is the recursion of the three-factor readout
(:mod:`neurodam.reservoir.plasticity`, "Discrete time") in numpy, fed a reservoir's
spikes: the oracle of the readout that runs inside the Brian2 simulation.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neurodam._validate import check_seconds
from neurodam.reservoir.model import Reservoir
from neurodam.reservoir.plasticity import ThreeFactorReadout, ThreeFactorState
from neurodam.spikes import SpikeTrains

__all__ = ["izhikevich_numpy", "thalamic_noise", "three_factor_reference"]


def thalamic_noise(model: Reservoir, steps: int, seed: Any = None) -> np.ndarray:
    """The program's thalamic input for ``steps`` ms: rows ``[5 randn(Ne), 2 randn(Ni)]``.

    Returns an array of shape (steps, N) (amplitudes from the model's ``noise_exc`` and
    ``noise_inh``), to be fed to both the numpy program and the Brian2 model.
    """
    rng = np.random.default_rng(seed)
    sigma = model.arrays["sigma"]
    return sigma * rng.standard_normal((steps, model.n_neurons))


def izhikevich_numpy(
    model: Reservoir, duration: float, noise: np.ndarray | None = None, seed: Any = None
) -> SpikeTrains:
    """Run ``net.m`` on the model's network for ``duration`` seconds (1 ms steps).

    Parameters
    ----------
    model : Reservoir
        An Izhikevich reservoir with ``dt = 1 ms``.
    duration : float
        Seconds.
    noise : ndarray, shape (steps, N), optional
        The thalamic input of every step (:func:`thalamic_noise`); default drawn step by
        step from ``seed`` as the program does.
    seed : int, Generator or None

    Returns
    -------
    SpikeTrains
        On Brian2's lattice: the spikes detected at the program's step t (produced by the
        integration of step t - 1) are stamped at ``(t - 2)`` ms, the start of the Brian2
        step whose integration produced them (``meta["stamp"] = "start"``).
    """
    if not isinstance(model, Reservoir) or model.kind != "izhikevich_reservoir":
        raise TypeError(f"model: expected an izhikevich_reservoir, got {model!r}")
    if abs(model.dt - 1e-3) > 1e-15:
        raise ValueError(f"model: the program steps 1 ms; got dt={model.dt} s")
    duration = check_seconds(duration, "duration")
    steps = round(duration / 1e-3)
    n_e, n_i = model.n_exc, model.n_inh
    if noise is not None:
        noise = np.asarray(noise, dtype=np.float64)
        if noise.shape[0] < steps or noise.shape[1:] != (n_e + n_i,):
            raise ValueError(f"noise: expected shape ({steps}, {n_e + n_i}), got {noise.shape}")
    rng = np.random.default_rng(seed)
    p, arr = model.params, model.arrays
    a, b, c, d = arr["a"], arr["b"], arr["c"], arr["d"]
    S = arr["weights"] * p["coupling"]
    v_peak = p["v_peak"]
    sig_e, sig_i = p["noise_exc"], p["noise_inh"]
    v = arr["v0"].copy()  # v=-65*ones(Ne+Ni,1);
    u = arr["u0"].copy()  # u=b.*v;
    fired_t, fired_i = [], []  # firings=[];
    for t in range(1, steps + 2):  # for t=1:1000  (one more step to read the last spikes)
        if noise is None:  # I=[5*randn(Ne,1);2*randn(Ni,1)];
            I = np.r_[sig_e * rng.standard_normal(n_e), sig_i * rng.standard_normal(n_i)]
        elif t <= steps:
            I = noise[t - 1].copy()
        fired = np.flatnonzero(v >= v_peak)  # fired=find(v>=30);
        fired_t.append(np.full(fired.size, t))  # firings=[firings; t+0*fired,fired];
        fired_i.append(fired)
        if t == steps + 1:
            break
        v[fired] = c[fired]  # v(fired)=c(fired);
        u[fired] = u[fired] + d[fired]  # u(fired)=u(fired)+d(fired);
        I = I + S[:, fired].sum(axis=1)  # I=I+sum(S(:,fired),2);
        v = v + 0.5 * (0.04 * v**2 + 5 * v + 140 - u + I)  # step 0.5 ms
        v = v + 0.5 * (0.04 * v**2 + 5 * v + 140 - u + I)  # for numerical
        u = u + a * (b * v - u)  # stability
    t_ms = np.concatenate(fired_t)
    ids = np.concatenate(fired_i)
    keep = t_ms >= 2  # the program's step 1 reads the initial state, not an integration
    meta = {
        "source": "izhikevich_numpy",
        "dt": 1e-3,
        "stamp": "start",
        "n_exc": n_e,
        "n_inh": n_i,
        "model": model.kind,
    }
    return SpikeTrains((t_ms[keep] - 2) * 1e-3, ids[keep], n_e + n_i, 0.0, steps * 1e-3, meta=meta)


def three_factor_reference(
    spikes: SpikeTrains, readout: ThreeFactorReadout, dt: float | None = None
) -> ThreeFactorState:
    """The three-factor rule (:mod:`~neurodam.reservoir.plasticity`) in numpy, fed spikes.

    Parameters
    ----------
    spikes : SpikeTrains
        The reservoir's spikes on its time lattice (``meta["stamp"] == "start"``: the spikes
        of step k at ``t_start + k dt``), e.g. ``ReservoirRun.spikes``.
    readout : ThreeFactorReadout
    dt : float, optional
        The reservoir's step (default ``spikes.meta["dt"]``).

    Returns
    -------
    ThreeFactorState
        The weights after ``(t_stop - t_start) / dt`` steps and the readout of every step,
        equal to the Brian2 run's to rounding (the sums are added in another order).
    """
    if not isinstance(spikes, SpikeTrains):
        raise TypeError(f"spikes: expected a SpikeTrains, got {type(spikes).__name__}")
    if not isinstance(readout, ThreeFactorReadout):
        raise TypeError(f"readout: expected a ThreeFactorReadout, got {type(readout).__name__}")
    if dt is None:
        if "dt" not in spikes.meta:
            raise ValueError("dt: the spikes carry no meta['dt']; give the reservoir's step")
        dt = spikes.meta["dt"]
    dt = check_seconds(dt, "dt", "a time step")
    if spikes.meta.get("stamp", "start") != "start":
        raise ValueError("spikes: expected spikes stamped at the start of their step")
    steps = round(spikes.duration / dt)
    ratio = readout._ratio(dt)
    ids = readout.input_neurons(spikes.n_neurons)
    lut = np.full(spikes.n_neurons, -1, dtype=np.int64)
    lut[ids] = np.arange(ids.size)
    col = lut[spikes.senders]
    k = np.round((spikes.times - spikes.t_start) / dt).astype(np.int64)
    keep = (col >= 0) & (k < steps)
    col, k = col[keep], k[keep]
    order = np.argsort(k, kind="stable")
    col, k = col[order], k[order]
    bounds = np.searchsorted(k, np.arange(steps + 1))
    W = readout.initial_weights(ids.size).copy()
    x = np.zeros(ids.size)
    e = np.zeros(ids.size)
    decay = math.exp(-dt / readout.tau)
    rate_e = 1.0 if readout.tau_e is None else -math.expm1(-dt / readout.tau_e)
    z, g, eta = readout.target, readout.gate, readout.eta
    last = z.shape[0] - 1
    y_all = np.empty((steps, readout.n_outputs))
    every = None if readout.record_weights is None else readout._ratio(dt, readout.record_weights)
    history = []
    for step in range(steps):  # the online rule: one time step after the other
        if every is not None and step % every == 0:
            history.append(W.copy())
        y = np.cumsum(W * x, axis=1)[:, -1]  # the synapses' order: a sequential sum over i
        row = min(step // ratio, last)
        coef = eta * g[row] * (z[row] - y)
        W += coef[:, None] * e[None, :]
        x = x * decay
        x[col[bounds[step] : bounds[step + 1]]] += 1.0
        e = e + rate_e * (x - e)
        y_all[step] = y
    return ThreeFactorState(
        weights=W,
        y=y_all,
        times=spikes.t_start + np.arange(steps) * dt,
        neurons=ids.copy(),
        weight_history=None if every is None else np.array(history),
        weight_times=None
        if every is None
        else spikes.t_start + np.arange(len(history)) * every * dt,
    )
