"""An online three-factor Hebbian readout of a spiking reservoir, inside the Brian2 run.

Yamada, Y. & Chao, Z. C. (2025). Joint encoding of "what" and "when" predictions through
error-modulated plasticity in reservoir spiking networks. arXiv:2510.14382: linear
readout units of a heterogeneous Izhikevich reservoir, trained online by an
error-modulated, attention-gated three-factor Hebbian rule. The three factors
(Fremaux & Gerstner 2016, "Neuromodulated spike-timing-dependent plasticity, and theory
of three-factor learning rules", Front. Neural Circuits 9:85) are a presynaptic
eligibility, a postsynaptic error and a gating (attention) signal::

    x_i(t)     presynaptic trace of reservoir neuron i:  dx_i/dt = -x_i / tau + sum_s delta(t - s)
    e_i(t)     eligibility: x_i low-passed with tau_e    de_i/dt = (x_i - e_i) / tau_e
               (e_i = x_i when tau_e is None)
    y_j(t)   = sum_i w_ji x_i(t)                         readout unit j
    dw_ji    = eta * g_j(t) * (z_j(t) - y_j(t)) * e_i(t)  every time step

``z`` is the target and ``g`` the attention gate (both ``TimedArray`` inputs). The
postsynaptic factor of the eligibility is the identity: the postsynaptic information
enters through the error ``z_j - y_j``, local to unit j, so that with ``tau_e = None`` and
``g = 1`` the rule is the delta (Widrow-Hoff LMS) rule on the traces, a stochastic
gradient of the squared error; ``tau_e`` lets the eligibility outlast the presynaptic
activity (Fremaux & Gerstner 2016). ``eta`` is per time step (dimensionless).

Discrete time
-------------
In steps k = 0, 1, ... of the reservoir's ``dt``, in the order of the Brian2 schedule::

    y_k     = W_k x_{k-1}                                   summed variable ('groups', order -1)
    W_{k+1} = W_k + eta g_k (z_k - y_k) e_{k-1}^T            synapses' run_regularly (order 1)
    x_k     = exp(-dt / tau) x_{k-1} + s_k                   decay ('groups', order 2), then the
                                                             spikes s_k of step k ('synapses')
    e_k     = e_{k-1} + (1 - exp(-dt / tau_e)) (x_k - e_{k-1})        ('after_synapses')

with ``x_{-1} = e_{-1} = 0``: the readout sees the reservoir one step late (a synaptic
delay of one ``dt``), and ``z_k``, ``g_k`` are the rows ``floor(k dt / dt_signal)`` of the
target and the gate (the last row beyond their end).
:func:`neurodam.reservoir.reference.three_factor_reference` is the same recursion in numpy,
fed the reservoir's spikes.

Running it
----------
``simulate(model, duration, inputs, attach=ro.attach, collect=ro.collect)`` (or
:func:`run_three_factor`) runs the reservoir with the readout; ``ReservoirRun.extra`` is a
:class:`ThreeFactorState`. In a :class:`~neurodam.reservoir.ReservoirSession` a compiled
program reruns with new targets, gates, learning rate and initial weights:
``s.rerun(run_args=ro.run_args(s.built, target=..., gate=..., eta=..., w0=...))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from neurodam._validate import check_finite, check_number, check_seconds
from neurodam.reservoir.model import Reservoir, ReservoirNetwork

__all__ = [
    "ThreeFactorReadout",
    "ThreeFactorState",
    "run_three_factor",
    "three_factor_readout",
]


def _signal_2d(value: Any, name: str) -> np.ndarray:
    a = np.asarray(value)
    if a.dtype == object or not np.issubdtype(a.dtype, np.number):
        raise TypeError(f"{name}: expected a numeric array, got dtype {a.dtype}")
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"{name}: expected shape (T,) or (T, outputs) with T >= 1, got {a.shape}")
    a = a.astype(np.float64)
    check_finite(a, name)
    return a


def _gate_for(gate: Any, target: np.ndarray) -> np.ndarray:
    """The gate as a (T, outputs) array: one column is shared by every output."""
    g = _signal_2d(gate, "gate")
    if g.shape[0] != target.shape[0]:
        raise ValueError(
            f"gate: expected {target.shape[0]} samples as the target, got {g.shape[0]}"
        )
    if g.shape[1] == 1:
        g = np.repeat(g, target.shape[1], axis=1)
    elif g.shape[1] != target.shape[1]:
        raise ValueError(
            f"gate: expected 1 or {target.shape[1]} columns (one per output), got {g.shape[1]}"
        )
    return g


@dataclass(frozen=True, eq=False)
class ThreeFactorState:
    """What a run of a :class:`ThreeFactorReadout` leaves (``ReservoirRun.extra``).

    Attributes
    ----------
    weights : ndarray, shape (n_outputs, n_inputs)
        ``W`` after the run (row j: the weights onto readout unit j, columns in the order
        of ``neurons``).
    y : ndarray, shape (steps, n_outputs) or None
        The readout ``y_k`` of every step (None when not recorded).
    times : ndarray, shape (steps,) or None
        ``k dt`` in seconds.
    neurons : ndarray of int
        The reservoir neurons read.
    weight_history : ndarray, shape (records, n_outputs, n_inputs) or None
        ``W_k`` at every ``record_weights`` seconds (k = 0, r, 2r, ...: the weights the
        readout of step k uses, before that step's update).
    weight_times : ndarray or None
        The times of ``weight_history`` (s).
    """

    weights: np.ndarray
    y: np.ndarray | None
    times: np.ndarray | None
    neurons: np.ndarray
    weight_history: np.ndarray | None = None
    weight_times: np.ndarray | None = None

    def predict(self, traces: Any) -> np.ndarray:
        """``traces @ weights.T``: the readout of given presynaptic traces (rows: samples)."""
        x = np.asarray(traces, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.weights.shape[1]:
            raise ValueError(
                f"traces: expected shape (samples, {self.weights.shape[1]}), got {x.shape}"
            )
        return x @ self.weights.T


@dataclass(frozen=True, eq=False)
class ThreeFactorReadout:
    """An error-modulated, attention-gated three-factor readout (module docstring).

    Made by :func:`three_factor_readout`; attached to a reservoir by :meth:`attach`.
    """

    target: np.ndarray
    gate: np.ndarray
    dt: float
    eta: float
    tau: float
    tau_e: float | None
    w0: Any
    neurons: np.ndarray | None
    name: str
    record: bool
    record_weights: float | None = None

    def __post_init__(self) -> None:
        for key in ("target", "gate"):
            a = np.array(getattr(self, key), dtype=np.float64, copy=True)
            a.setflags(write=False)
            object.__setattr__(self, key, a)

    @property
    def n_outputs(self) -> int:
        """Number of readout units (columns of the target)."""
        return int(self.target.shape[1])

    @property
    def duration(self) -> float:
        """Seconds covered by the target and the gate."""
        return self.target.shape[0] * self.dt

    # ------------------------------------------------------------- checks
    def input_neurons(self, n_neurons: int) -> np.ndarray:
        """The ids of the reservoir neurons read (all when ``neurons`` is None)."""
        if self.neurons is None:
            return np.arange(n_neurons)
        if self.neurons.max() >= n_neurons:
            raise ValueError(
                f"neurons: expected ids < {n_neurons} (the reservoir's size), "
                f"got {int(self.neurons.max())}"
            )
        return self.neurons

    def _ratio(self, model_dt: float, value: float | None = None, name: str = "dt") -> int:
        value = self.dt if value is None else value
        r = round(value / model_dt)
        if r < 1 or not math.isclose(r * model_dt, value, rel_tol=1e-9):
            raise ValueError(
                f"{name}: expected a whole multiple of the reservoir's step {model_dt:g} s, "
                f"got {value:g}"
            )
        return r

    def initial_weights(self, n_inputs: int) -> np.ndarray:
        """``w0`` as an (n_outputs, n_inputs) array."""
        return _weight_matrix(self.w0, self.n_outputs, n_inputs)

    def check(self, model: Reservoir) -> None:
        """Errors naming the argument when the readout does not fit ``model``."""
        self._ratio(model.dt)
        if self.record_weights is not None:
            self._ratio(model.dt, self.record_weights, "record_weights")
        self.initial_weights(self.input_neurons(model.n_neurons).size)

    # ------------------------------------------------------------- Brian2
    def attach(self, built: ReservoirNetwork) -> list:
        """Create the traces, the readout units and the plastic synapses on ``built``.

        For ``ReservoirSession(..., attach=readout.attach)``; the objects are also stored in
        ``built.extras[self.name]``.
        """
        import brian2 as b2

        model = built.model
        self.check(model)
        ids = self.input_neurons(model.n_neurons)
        n_in, n_out, name = ids.size, self.n_outputs, self.name
        dt = model.dt * b2.second
        # copies: a runtime rerun writes new signals into the TimedArrays' own arrays
        sample = self.dt * b2.second
        target = b2.TimedArray(self.target.copy(), dt=sample, name=f"{name}_target")
        gate = b2.TimedArray(self.gate.copy(), dt=sample, name=f"{name}_gate")
        trace = b2.NeuronGroup(
            n_in,
            "x : 1\nelig : 1\ndecay_x : 1 (shared, constant)\nrate_e : 1 (shared, constant)",
            dt=dt,
            name=f"{name}_trace",
            namespace={},
        )
        trace.decay_x = math.exp(-model.dt / self.tau)
        trace.rate_e = 1.0 if self.tau_e is None else -math.expm1(-model.dt / self.tau_e)
        decay = trace.run_regularly(
            "x = x * decay_x", when="groups", order=2, name=f"{name}_trace_decay"
        )
        elig = trace.run_regularly(
            "elig = elig + rate_e * (x - elig)", when="after_synapses", name=f"{name}_eligibility"
        )
        feed = b2.Synapses(
            built.neurons, trace, on_pre="x_post += 1.0", dt=dt, name=f"{name}_feed", namespace={}
        )
        feed.connect(i=ids, j=np.arange(n_in))
        readout = b2.NeuronGroup(n_out, "y : 1", dt=dt, order=0, name=f"{name}_readout")
        ns = {f"{name}_target": target, f"{name}_gate": gate}
        syn = b2.Synapses(
            trace,
            readout,
            "w : 1\neta : 1 (shared, constant)\ny_post = w * x_pre : 1 (summed)",
            dt=dt,
            name=f"{name}_syn",
            namespace=ns,
        )
        # synapse k = i * n_out + j, so that W (n_out, n_in) is W.T.ravel() in synapse order
        syn.connect(i=np.repeat(np.arange(n_in), n_out), j=np.tile(np.arange(n_out), n_in))
        syn.w = self.initial_weights(n_in).T.ravel()
        syn.eta = self.eta
        learn = syn.run_regularly(
            f"w += eta * {name}_gate(t, j) * ({name}_target(t, j) - y_post) * elig_pre",
            when="groups",
            order=1,
            name=f"{name}_learn",
        )
        objs = [target, gate, trace, decay, elig, feed, readout, syn, learn]
        monitor = None
        if self.record:
            monitor = b2.StateMonitor(
                readout, "y", record=True, when="after_groups", name=f"{name}_y"
            )
            objs.append(monitor)
        w_monitor = None
        if self.record_weights is not None:
            w_monitor = b2.StateMonitor(
                syn,
                "w",
                record=True,
                dt=self.record_weights * b2.second,
                when="start",
                name=f"{name}_w",
            )
            objs.append(w_monitor)
        built.extras[name] = {
            "target": target,
            "gate": gate,
            "trace": trace,
            "readout": readout,
            "synapses": syn,
            "y_monitor": monitor,
            "w_monitor": w_monitor,
            "neurons": ids,
        }
        return [o for o in objs if not isinstance(o, b2.TimedArray)]

    def collect(self, built: ReservoirNetwork) -> ThreeFactorState:
        """The weights (and the recorded readout) after a run, for ``collect=``."""
        import brian2 as b2

        ext = built.extras[self.name]
        syn, ids = ext["synapses"], ext["neurons"]
        post, pre = np.asarray(syn.j[:]), np.asarray(syn.i[:])
        W = np.zeros((self.n_outputs, ids.size))
        W[post, pre] = np.asarray(syn.w[:])
        y = times = history = w_times = None
        if ext["y_monitor"] is not None:
            y = np.array(ext["y_monitor"].y[:], dtype=np.float64).T
            times = np.array(ext["y_monitor"].t[:] / b2.second, dtype=np.float64)
        if ext["w_monitor"] is not None:
            rec = np.asarray(ext["w_monitor"].w[:], dtype=np.float64)  # (synapses, records)
            history = np.zeros((rec.shape[1], self.n_outputs, ids.size))
            history[:, post, pre] = rec.T
            w_times = np.array(ext["w_monitor"].t[:] / b2.second, dtype=np.float64)
        return ThreeFactorState(
            weights=W,
            y=y,
            times=times,
            neurons=ids.copy(),
            weight_history=history,
            weight_times=w_times,
        )

    def run_args(
        self,
        built: ReservoirNetwork,
        *,
        target: Any = None,
        gate: Any = None,
        eta: float | None = None,
        w0: Any = None,
    ) -> dict:
        """``run_args`` of a rerun with a new target, gate, learning rate or initial weights.

        New targets and gates must have the shapes of the first run's (a compiled
        ``TimedArray`` keeps its size); a gate of one column is shared by the outputs.
        """
        ext = built.extras.get(self.name)
        if ext is None:
            raise ValueError(f"built: no three-factor readout named {self.name!r} is attached")
        args: dict = {}
        new_target = self.target
        if target is not None:
            new_target = _signal_2d(target, "target")
            if new_target.shape != self.target.shape:
                raise ValueError(
                    f"target: expected shape {self.target.shape} as in the first run, "
                    f"got {new_target.shape}"
                )
            args[ext["target"]] = new_target
        if gate is not None:
            g = _gate_for(gate, new_target)
            args[ext["gate"]] = g
        if eta is not None:
            args[ext["synapses"].eta] = check_number(eta, "eta", min=0.0)
        if w0 is not None:
            w = _weight_matrix(_w0(w0), self.n_outputs, ext["neurons"].size)
            args[ext["synapses"].w] = w.T.ravel()
        return args


def _weight_matrix(w: np.ndarray, n_out: int, n_in: int) -> np.ndarray:
    if w.ndim == 0:
        return np.full((n_out, n_in), float(w))
    if w.shape != (n_out, n_in):
        raise ValueError(
            f"w0: expected a number or shape (n_outputs, n_inputs) = ({n_out}, {n_in}), "
            f"got {w.shape}"
        )
    return w.copy()


def _w0(w0: Any) -> np.ndarray:
    w = np.asarray(w0)
    if w.dtype == object or not np.issubdtype(w.dtype, np.number):
        raise TypeError(f"w0: expected a number or a numeric array, got {w0!r}")
    w = w.astype(np.float64)
    check_finite(w, "w0")
    return w


def three_factor_readout(
    target: Any,
    gate: Any,
    dt: float,
    *,
    eta: float,
    tau: float = 0.03,
    tau_e: float | None = None,
    w0: Any = 0.0,
    neurons: Any = None,
    name: str = "three_factor",
    record: bool = True,
    record_weights: float | None = None,
) -> ThreeFactorReadout:
    """An error-modulated, attention-gated three-factor readout (Yamada & Chao 2025).

    Parameters
    ----------
    target : array_like, shape (T,) or (T, n_outputs)
        ``z_j(t)``, one sample per ``dt`` (held beyond its end).
    gate : array_like, shape (T,) or (T, 1) or (T, n_outputs)
        The attention signal ``g(t)`` (e.g. 1 in a window around the expected event, 0
        elsewhere), shared by every output when it has one column.
    dt : float
        Seconds per sample of ``target`` and ``gate`` (a whole multiple of the reservoir's
        step).
    eta : float
        Learning rate per time step (>= 0; 0 freezes the weights).
    tau : float
        Time constant of the presynaptic traces ``x`` in seconds (30 ms: the liquid state of
        Maass et al. 2002).
    tau_e : float, optional
        Time constant of the eligibility (seconds); None: the eligibility is ``x`` itself.
    w0 : float or array_like (n_outputs, n_inputs)
        Initial weights.
    neurons : array_like of int, optional
        The reservoir neurons read (default all, excitatory first).
    name : str
        Prefix of the Brian2 objects (two readouts on one reservoir need two names).
    record : bool
        Record ``y`` at every step.
    record_weights : float, optional
        Also record the weights every ``record_weights`` seconds (a whole number of steps),
        e.g. at every trial onset, to evaluate the prediction of each trial with the
        weights it started with.

    Returns
    -------
    ThreeFactorReadout
    """
    z = _signal_2d(target, "target")
    g = _gate_for(gate, z)
    dt = check_seconds(dt, "dt", "a sample interval")
    eta = check_number(eta, "eta", min=0.0)
    tau = check_seconds(tau, "tau", "a time constant")
    if tau_e is not None:
        tau_e = check_seconds(tau_e, "tau_e", "a time constant")
    ids = None
    if neurons is not None:
        ids = np.asarray(neurons)
        if ids.ndim != 1 or ids.size == 0 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError("neurons: expected a non-empty 1-D array of integer neuron ids")
        if ids.min() < 0 or np.unique(ids).size != ids.size:
            raise ValueError("neurons: expected distinct ids >= 0")
        ids = ids.astype(np.int64)
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name: expected a Python identifier, got {name!r}")
    w = _w0(w0)
    if w.ndim not in (0, 2) or (w.ndim == 2 and w.shape[0] != z.shape[1]):
        raise ValueError(
            f"w0: expected a number or an array of shape ({z.shape[1]}, n_inputs), got {w.shape}"
        )
    return ThreeFactorReadout(
        target=z,
        gate=g,
        dt=dt,
        eta=eta,
        tau=tau,
        tau_e=tau_e,
        w0=w,
        neurons=ids,
        name=name,
        record=bool(record),
        record_weights=(
            None
            if record_weights is None
            else check_seconds(record_weights, "record_weights", "an interval")
        ),
    )


def run_three_factor(
    model: Reservoir,
    readout: ThreeFactorReadout,
    duration: float | None = None,
    inputs: Any = None,
    backend: str = "runtime",
    seed: Any = None,
    *,
    progress: bool = False,
    threads: int = 0,
):
    """Run ``model`` with the readout learning online; returns the ``ReservoirRun``.

    ``duration`` defaults to the length of the target; a longer run is refused (the
    target and the gate would be held at their last value). The readout's
    :class:`ThreeFactorState` is ``run.extra``.
    """
    from neurodam.reservoir.simulate import simulate

    if not isinstance(readout, ThreeFactorReadout):
        raise TypeError(
            f"readout: expected a ThreeFactorReadout (three_factor_readout), "
            f"got {type(readout).__name__}"
        )
    if duration is None:
        duration = readout.duration
    duration = check_seconds(duration, "duration")
    if duration > readout.duration * (1 + 1e-9):
        raise ValueError(
            f"duration: the target and gate cover {readout.duration:g} s, got {duration:g} s"
        )
    return simulate(
        model,
        duration,
        inputs,
        backend=backend,
        seed=seed,
        attach=readout.attach,
        collect=readout.collect,
        progress=progress,
        threads=threads,
    )
