"""The pulse-coupled network of Izhikevich (2003) as a Brian2 model.

Izhikevich, E. M. (2003). Simple model of spiking neurons. IEEE Transactions on Neural
Networks 14(6), 1569-1572 (Fig. 3 and its MATLAB program ``net.m``).

Each neuron follows::

    dv/dt = 0.04 v^2 + 5 v + 140 - u + I          (v in mV, t in ms)
    du/dt = a (b v - u)
    if v >= 30 mV:  v <- c,  u <- u + d

with ``I`` = thalamic input (Gaussian, redrawn every ms) + the weights of the neurons that
fired + any injected current. The network has ``Ne`` excitatory neurons (regular spiking
to chattering: ``a = 0.02, b = 0.2, c = -65 + 15 re^2, d = 8 - 6 re^2``) and ``Ni``
inhibitory ones (fast spiking to low-threshold spiking: ``a = 0.02 + 0.08 ri,
b = 0.25 - 0.05 ri, c = -65, d = 2``), ``re, ri ~ U(0, 1)``; all-to-all weights
``S = [0.5 U(0,1), -U(0,1)]`` (excitatory and inhibitory presynaptic columns, self
connections included); thalamic input ``5 N(0,1)`` (excitatory) and ``2 N(0,1)``
(inhibitory).

The numerics are the program's: one 1 ms step advances ``v`` in two half steps of 0.5 ms
with the same ``I`` and then ``u`` with the new ``v``; a spike is detected when ``v >= 30``
and acts on the next step's integration (as ``I = I + sum(S(:, fired), 2)`` does in
``net.m``). The random draws follow the program's order (``re``, ``ri``, then the
excitatory and the inhibitory columns of ``S``) from the model's numpy Generator.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurodam._validate import check_int, check_number, check_seconds
from neurodam.reservoir.model import Reservoir, ReservoirNetwork, check_overrides, model_seed

__all__ = ["EQUATIONS", "PARAMETERS", "izhikevich_reservoir"]

#: The neuron equations (Izhikevich 2003, eqs. 1-3); ``I`` sums the thalamic input, the
#: synaptic input of the current step and the injected current of the input encoders.
EQUATIONS = """
dv/dt = (0.04*v**2 + 5*v + 140 - u + I) / ms    : 1
du/dt = a*(b*v - u) / ms                        : 1
I = I_noise + I_syn + I_ext                     : 1
I_noise : 1                                     # thalamic input, redrawn every noise_dt
I_syn   : 1                                     # weights of the neurons that fired
I_ext   : 1                                     # injected current (encoders)
a : 1 (constant)
b : 1 (constant)
c : 1 (constant)
d : 1 (constant)
sigma : 1 (constant)                            # thalamic noise amplitude
v_peak : 1 (shared, constant)                   # spike cut-off, 30 mV
coupling : 1 (shared, constant)                 # scale of all recurrent weights
"""
RESET = "v = c; u += d"
SYNAPSE = "w : 1 (constant)"
ON_PRE = "I_syn_post += coupling_post * w"

#: Default parameters (Izhikevich 2003, Fig. 3 and net.m); every one can be overridden.
PARAMETERS: dict[str, Any] = {
    # excitatory neurons: a, b fixed; c = c_exc + c_exc_spread re^2, d = d_exc + d_exc_spread re^2
    "a_exc": 0.02,
    "b_exc": 0.2,
    "c_exc": -65.0,
    "c_exc_spread": 15.0,
    "d_exc": 8.0,
    "d_exc_spread": -6.0,
    # inhibitory neurons: a = a_inh + a_inh_spread ri, b = b_inh + b_inh_spread ri
    "a_inh": 0.02,
    "a_inh_spread": 0.08,
    "b_inh": 0.25,
    "b_inh_spread": -0.05,
    "c_inh": -65.0,
    "d_inh": 2.0,
    # weights: S = [w_exc U(0,1), -w_inh U(0,1)] (post, pre), all-to-all
    "w_exc": 0.5,
    "w_inh": 1.0,
    "coupling": 1.0,
    # thalamic input: noise_exc N(0,1), noise_inh N(0,1), redrawn every noise_dt seconds
    "noise_exc": 5.0,
    "noise_inh": 2.0,
    "noise_dt": 1e-3,
    # weight of an input spike onto excitatory / inhibitory neurons (encoders' default;
    # a choice of this toolkit, not of the paper: twice the thalamic noise SD)
    "w_in_exc": 10.0,
    "w_in_inh": 10.0,
    # spike cut-off and initial state (v = -65, u = b v)
    "v_peak": 30.0,
    "v_init": -65.0,
    # integration step (seconds): 1 ms, two half steps of v inside it
    "dt": 1e-3,
    # optional explicit arrays replacing the draws: a, b, c, d (N,), weights (N, N) (post, pre)
    "a": None,
    "b": None,
    "c": None,
    "d": None,
    "weights": None,
}
_ARRAY_KEYS = ("a", "b", "c", "d", "weights")


def _half_step_scheme(equations, variables=None, method_options=None) -> str:
    """The integration of net.m: v in two half steps with the same I, then u with the new v."""
    rhs = dict(equations.get_substituted_expressions(variables))
    fv, fu = rhs["v"], rhs["u"]
    return f"v = v + 0.5*dt*({fv})\nv = v + 0.5*dt*({fv})\nu = u + dt*({fu})"


def izhikevich_reservoir(
    n_exc: int = 800, n_inh: int = 200, seed: Any = None, **overrides: Any
) -> Reservoir:
    """The heterogeneous network of Izhikevich (2003) (module docstring for the equations).

    Parameters
    ----------
    n_exc, n_inh : int
        Excitatory and inhibitory neurons (the paper: 800 and 200).
    seed : int, numpy Generator or None
        Seed of the draws (``re``, ``ri``, the weights), made with numpy in the order of the
        paper's program, so that a seed gives the same network on every backend.
    **overrides
        Any key of :data:`PARAMETERS`: the neuron parameters (``a_exc`` ... ``d_inh`` and
        their ``*_spread``), the weight scales ``w_exc``, ``w_inh`` and ``coupling`` (a
        ``(shared, constant)`` factor on every recurrent weight, changed by a rerun without
        recompiling), the thalamic noise ``noise_exc``, ``noise_inh`` (0 switches it off)
        and its period ``noise_dt`` (s), ``v_peak``, ``v_init``, ``dt`` (s); or explicit
        arrays ``a``, ``b``, ``c``, ``d`` (length N) and ``weights`` (N x N, row = post,
        column = pre) replacing the draws (which are still made, so the others stay the
        same).

    Returns
    -------
    Reservoir
        Run it with :func:`neurodam.reservoir.simulate`.

    Examples
    --------
    >>> model = izhikevich_reservoir(seed=1)
    >>> model.n_neurons, model.arrays["weights"].shape
    (1000, (1000, 1000))
    """
    n_exc = check_int(n_exc, "n_exc", min=1)
    n_inh = check_int(n_inh, "n_inh", min=0)
    check_overrides(overrides, PARAMETERS, "izhikevich_reservoir")
    p = {k: v for k, v in PARAMETERS.items() if k not in _ARRAY_KEYS}
    p.update({k: v for k, v in overrides.items() if k not in _ARRAY_KEYS})
    for key in p:
        p[key] = check_number(p[key], key)
    for key in ("dt", "noise_dt"):
        check_seconds(p[key], key, "a time step")
    for key in ("noise_exc", "noise_inh", "w_exc", "w_inh", "coupling"):
        check_number(p[key], key, min=0.0)
    rng = model_seed(seed)
    ne, ni, n = n_exc, n_inh, n_exc + n_inh
    # the draws of net.m, in its order: re, ri, then S = [0.5*rand(N,Ne), -rand(N,Ni)]
    re = rng.random(ne)
    ri = rng.random(ni)
    w_e = rng.random((n, ne))
    w_i = rng.random((n, ni))
    arrays = {
        "a": np.r_[np.full(ne, p["a_exc"]), p["a_inh"] + p["a_inh_spread"] * ri],
        "b": np.r_[np.full(ne, p["b_exc"]), p["b_inh"] + p["b_inh_spread"] * ri],
        "c": np.r_[p["c_exc"] + p["c_exc_spread"] * re**2, np.full(ni, p["c_inh"])],
        "d": np.r_[p["d_exc"] + p["d_exc_spread"] * re**2, np.full(ni, p["d_inh"])],
        "weights": np.hstack([p["w_exc"] * w_e, -p["w_inh"] * w_i]),
    }
    for key in _ARRAY_KEYS:
        if overrides.get(key) is not None:
            arrays[key] = _check_array(overrides[key], key, arrays[key].shape)
    arrays["sigma"] = np.r_[np.full(ne, p["noise_exc"]), np.full(ni, p["noise_inh"])]
    arrays["v0"] = np.full(n, p["v_init"])
    arrays["u0"] = arrays["b"] * arrays["v0"]
    return Reservoir(
        kind="izhikevich_reservoir",
        n_exc=ne,
        n_inh=ni,
        dt=p["dt"],
        params=p,
        arrays=arrays,
        seed=seed,
        spike_input={"code": "I_syn_post += w_in", "unit": "1", "scale": 1.0},
        current_input={"unit": "1", "scale": 1.0},
        _builder=_build,
    )


def _check_array(value: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
    a = np.asarray(value)
    if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
        raise TypeError(f"{name}: expected a real numeric array, got dtype {a.dtype}")
    if a.shape != shape:
        raise ValueError(f"{name}: expected an array of shape {shape}, got {a.shape}")
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: expected finite values")
    return a


def _build(model: Reservoir, prefix: str) -> ReservoirNetwork:
    """The Brian2 objects of an Izhikevich reservoir on the active device."""
    import brian2 as b2

    p, arr = model.params, model.arrays
    dt = p["dt"] * b2.second
    neurons = b2.NeuronGroup(
        model.n_neurons,
        EQUATIONS,
        threshold="v >= v_peak",
        reset=RESET,
        method=_half_step_scheme,
        dt=dt,
        name=f"{prefix}izhikevich",
        namespace={},
    )
    for key in ("a", "b", "c", "d", "sigma"):
        setattr(neurons, key, arr[key])
    neurons.v = arr["v0"]
    neurons.u = arr["u0"]
    neurons.v_peak = p["v_peak"]
    neurons.coupling = p["coupling"]
    if np.any(arr["sigma"] != 0):
        neurons.run_regularly(
            "I_noise = sigma*randn()", dt=p["noise_dt"] * b2.second, when="start", name=None
        )
    # the synaptic input acts on one integration step only (net.m rebuilds I every step)
    neurons.run_regularly("I_syn = 0", when="after_groups")
    syn = b2.Synapses(
        neurons,
        neurons,
        SYNAPSE,
        on_pre=ON_PRE,
        dt=dt,
        name=f"{prefix}izhikevich_syn",
        namespace={},
    )
    syn.connect()  # all-to-all with self connections; synapse k = pre * N + post
    syn.w = np.ascontiguousarray(arr["weights"].T).ravel()
    spikes = b2.SpikeMonitor(neurons, name=f"{prefix}spikes")
    net = b2.Network(neurons, syn, spikes)
    return ReservoirNetwork(
        network=net,
        neurons=neurons,
        exc=neurons[: model.n_exc],
        inh=neurons[model.n_exc :] if model.n_inh else None,
        synapses={"all": syn},
        spikes=spikes,
        model=model,
        shared={"coupling": (neurons, "coupling"), "v_peak": (neurons, "v_peak")},
    )


def network_run_args(built: ReservoirNetwork, other: Reservoir) -> dict:
    """``run_args`` that turn the compiled network ``built`` into the network ``other``.

    ``other`` must be an Izhikevich reservoir of the same size: its neuron parameters,
    initial state and weight matrix replace the compiled ones without recompiling (the
    all-to-all connection itself is generated by the program, not stored).
    """
    model = built.model
    if other.kind != model.kind or other.n_exc != model.n_exc or other.n_inh != model.n_inh:
        raise ValueError(
            f"network: expected an {model.kind} with {model.n_exc} + {model.n_inh} neurons, "
            f"got {other!r}"
        )
    g, s, a = built.neurons, built.synapses["all"], other.arrays
    out = {g.a: a["a"], g.b: a["b"], g.c: a["c"], g.d: a["d"], g.sigma: a["sigma"]}
    out.update({g.v: a["v0"], g.u: a["u0"]})
    out[s.w] = np.ascontiguousarray(a["weights"].T).ravel()
    return out
