"""The liquid state machine of Maass, Natschlaeger & Markram (2002) as a Brian2 model.

Maass, W., Natschlaeger, T. & Markram, H. (2002). Real-time computing without stable
states: a new framework for neural computation based on perturbations. Neural
Computation 14, 2531-2560 (the liquid of its appendix).

Neurons (leaky integrate-and-fire) on the integer points of a ``15 x 3 x 3`` column, 20 %
of them inhibitory, chosen at random::

    tau_m dv/dt = -v + R_in (I_e + I_i + I_b + I_ext)      v in mV, v_thresh = 15 mV,
    dI_e/dt = -I_e / tau_s_exc,   dI_i/dt = -I_i / tau_s_inh    reset 13.5 mV, refractory
                                                                3 ms (exc), 2 ms (inh)

with ``tau_m = 30 ms``, ``R_in = 1 MOhm``, the background current ``I_b = 13.5 nA``, the
synaptic currents decaying with 3 ms (excitatory) and 6 ms (inhibitory presynaptic
neurons) and the initial v uniform in [13.5, 15] mV. A neuron a connects to b (a != b)
with probability

    p(a -> b) = C exp(-(D(a, b) / lambda)^2),   lambda = 2,

D the Euclidean distance on the grid, C = 0.3 (EE), 0.2 (EI), 0.4 (IE), 0.1 (II) (EI: from
excitatory to inhibitory). Synapses are dynamic (Markram, Wang & Tsodyks 1998): the n-th
spike of a synapse adds ``A u_n R_n`` to the postsynaptic current, with::

    u_{n+1} = U + u_n (1 - U) exp(-Delta_n / F),     u_1 = U
    R_{n+1} = 1 + (R_n - u_n R_n - 1) exp(-Delta_n / D),   R_1 = 1

(Delta_n the interval between spikes n and n+1), computed exactly at each spike. Mean
values (A in nA, D and F in s): EE U=0.5 D=1.1 F=0.05 A=30; EI U=0.05 D=0.125 F=1.2 A=60;
IE U=0.25 D=0.7 F=0.02 A=-19; II U=0.32 D=0.144 F=0.06 A=-19. A is drawn from a Gamma
distribution (coefficient of variation ``A_cv`` = 1), U, D, F from Gaussians with SD 50 % of
the mean (draws outside the valid range replaced by uniform draws in (0, 2 mean), U at most
1). Transmission delays: 1.5 ms (EE), 0.8 ms (others); ``delay_spread > 0`` (not in the
paper) draws each synapse's delay uniformly from ``[delay, delay + delay_spread]``, which
lengthens the liquid's memory (a spread of 100 ms raised its memory capacity 2-2.7 fold at
10 ms per sample, ``benchmarks/bench_reservoir_tasks.py``). Input synapses have A = 18 nA
onto excitatory and 9 nA onto inhibitory neurons (the encoders' default weights).

Every draw comes from the model's numpy Generator (positions, connections, A, U, D, F,
initial v), so a seed gives the same liquid on every backend.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurodam._validate import check_int, check_number, check_probability, check_seconds
from neurodam.reservoir.model import Reservoir, ReservoirNetwork, check_overrides, model_seed

__all__ = [
    "CONNECTION_TYPES",
    "EQUATIONS",
    "PARAMETERS",
    "connection_probabilities",
    "expected_connections",
    "lif_liquid",
]

#: Connection types: (name, presynaptic population, postsynaptic population).
CONNECTION_TYPES = (("EE", "E", "E"), ("EI", "E", "I"), ("IE", "I", "E"), ("II", "I", "I"))

#: The neuron equations (Maass et al. 2002, appendix); units: volt, amp, ohm, second.
EQUATIONS = """
dv/dt = (-v + R_in*(I_e + I_i + I_b + I_ext)) / tau_m   : volt (unless refractory)
dI_e/dt = -I_e / tau_e                                  : amp   # excitatory synaptic current
dI_i/dt = -I_i / tau_i                                  : amp   # inhibitory synaptic current
I_ext : amp                                                     # injected current (encoders)
t_ref : second (constant)                                       # 3 ms exc, 2 ms inh
tau_m : second (shared, constant)
R_in : ohm (shared, constant)
I_b : amp (shared, constant)
tau_e : second (shared, constant)
tau_i : second (shared, constant)
v_thresh : volt (shared, constant)
v_reset : volt (shared, constant)
coupling : 1 (shared, constant)                                 # scale of all recurrent A
x : 1 (constant)                                                # position on the grid
y : 1 (constant)
z : 1 (constant)
"""

#: Dynamic synapse (Markram, Wang & Tsodyks 1998), evaluated exactly at each spike:
#: u_plus and R_plus hold u and R just after the last spike at t_last.
SYNAPSE = """
A : amp (constant)
U : 1 (constant)
tau_rec : second (constant)      # D
tau_fac : second (constant)      # F
u_plus : 1
R_plus : 1
t_last : second
"""
ON_PRE = """
u_n = U + (u_plus - U) * exp(-(t - t_last) / tau_fac)
R_n = 1 + (R_plus - 1) * exp(-(t - t_last) / tau_rec)
{current}_post += coupling_post * A * u_n * R_n
u_plus = U + u_n * (1 - U)
R_plus = R_n * (1 - u_n)
t_last = t
"""

#: Default parameters (Maass et al. 2002, appendix). Units: times in seconds, voltages in
#: mV, currents in nA, R_in in MOhm, distances in grid units.
PARAMETERS: dict[str, Any] = {
    "tau_m": 0.030,
    "R_in": 1.0,
    "v_thresh": 15.0,
    "v_reset": 13.5,
    "v_init_low": 13.5,
    "v_init_high": 15.0,
    "t_ref_exc": 0.003,
    "t_ref_inh": 0.002,
    "I_b": 13.5,
    "tau_s_exc": 0.003,
    "tau_s_inh": 0.006,
    "frac_inh": 0.2,
    "lam": 2.0,
    "C_EE": 0.3,
    "C_EI": 0.2,
    "C_IE": 0.4,
    "C_II": 0.1,
    "A_EE": 30.0,
    "A_EI": 60.0,
    "A_IE": -19.0,
    "A_II": -19.0,
    "A_cv": 1.0,
    "U_EE": 0.5,
    "U_EI": 0.05,
    "U_IE": 0.25,
    "U_II": 0.32,
    "D_EE": 1.1,
    "D_EI": 0.125,
    "D_IE": 0.7,
    "D_II": 0.144,
    "F_EE": 0.05,
    "F_EI": 1.2,
    "F_IE": 0.02,
    "F_II": 0.06,
    "UDF_cv": 0.5,
    "delay_EE": 0.0015,
    "delay_EI": 0.0008,
    "delay_IE": 0.0008,
    "delay_II": 0.0008,
    "delay_spread": 0.0,
    "w_in_exc": 18.0,
    "w_in_inh": 9.0,
    "coupling": 1.0,
    "dt": 1e-4,
}
_SECONDS = ("tau_m", "t_ref_exc", "t_ref_inh", "tau_s_exc", "tau_s_inh", "dt") + tuple(
    f"{p}_{t}" for p in ("D", "F", "delay") for t, _, _ in CONNECTION_TYPES
)


def _check_shape(shape: Any) -> tuple[int, int, int]:
    if isinstance(shape, str) or not hasattr(shape, "__len__") or len(shape) != 3:
        raise TypeError(f"shape: expected three integers (nx, ny, nz), got {shape!r}")
    return tuple(check_int(s, "shape", min=1) for s in shape)  # type: ignore[return-value]


def _check_params(p: dict[str, Any]) -> None:
    for key, value in p.items():
        p[key] = check_number(value, key)
    for key in _SECONDS:
        if key.startswith("delay"):
            check_number(p[key], key, min=0.0)
        else:
            check_seconds(p[key], key, "a time constant")
    for key in ("R_in", "lam"):
        check_number(p[key], key, min=0.0, min_open=True)
    for key in ("A_cv", "UDF_cv", "coupling", "w_in_exc", "w_in_inh", "delay_spread"):
        check_number(p[key], key, min=0.0)
    check_probability(p["frac_inh"], "frac_inh")
    for t, _, _ in CONNECTION_TYPES:
        check_probability(p[f"C_{t}"], f"C_{t}")
        check_number(p[f"U_{t}"], f"U_{t}", min=0.0, max=1.0, min_open=True)
    if p["v_reset"] >= p["v_thresh"]:
        raise ValueError(f"v_reset: expected a value below v_thresh={p['v_thresh']}")
    if p["v_init_high"] < p["v_init_low"]:
        raise ValueError(f"v_init_high: expected a value >= v_init_low={p['v_init_low']}")


def connection_probabilities(
    positions: np.ndarray, n_exc: int, params: dict[str, Any]
) -> dict[str, np.ndarray]:
    """``{type: P}``: the probability matrix (pre, post) of each connection type.

    ``P[a, b] = C_type exp(-(D(a, b) / lam)^2)`` for ``a != b`` (no self connections).
    """
    pos = np.asarray(positions, dtype=np.float64)
    d2 = ((pos[:, None, :] - pos[None, :, :]) ** 2).sum(-1)
    base = np.exp(-d2 / params["lam"] ** 2)
    np.fill_diagonal(base, 0.0)
    pop = {"E": slice(0, n_exc), "I": slice(n_exc, pos.shape[0])}
    return {t: params[f"C_{t}"] * base[pop[pre], pop[post]] for t, pre, post in CONNECTION_TYPES}


def expected_connections(model: Reservoir) -> dict[str, tuple[float, float]]:
    """``{type: (mean, sd)}`` of the number of connections of each type under the rule.

    Exact for the liquid's positions: the count is a sum of independent Bernoulli draws,
    so its mean is ``sum P`` and its variance ``sum P (1 - P)``.
    """
    probs = connection_probabilities(model.arrays["positions"], model.n_exc, dict(model.params))
    return {t: (float(p.sum()), float(np.sqrt((p * (1 - p)).sum()))) for t, p in probs.items()}


def _positive_draw(rng, mean: float, cv: float, size: int, hi: float = np.inf) -> np.ndarray:
    """Gaussian draws (SD cv * mean); values outside (0, hi] redrawn uniformly in (0, 2 mean)."""
    x = rng.normal(mean, cv * abs(mean), size)
    bad = (x <= 0) | (x > hi)
    x[bad] = rng.uniform(0.0, min(2 * mean, hi), int(bad.sum()))
    x[x <= 0] = mean  # a uniform draw of exactly 0 (probability ~1e-16)
    return x


def lif_liquid(shape: Any = (15, 3, 3), seed: Any = None, **overrides: Any) -> Reservoir:
    """The liquid of Maass, Natschlaeger & Markram (2002) (module docstring for the model).

    Parameters
    ----------
    shape : (int, int, int)
        The grid of neurons (the paper: 15 x 3 x 3 = 135 neurons).
    seed : int, numpy Generator or None
        Seed of every draw (positions of the inhibitory neurons, connections, A, U, D, F,
        initial v), made with numpy so that a seed gives the same liquid on every backend.
    **overrides
        Any key of :data:`PARAMETERS` (times in s, voltages in mV, currents in nA, R_in in
        MOhm): the neuron constants, ``frac_inh``, ``lam``, ``C_<type>``, the means
        ``A_<type>``, ``U_<type>``, ``D_<type>``, ``F_<type>`` and their spreads ``A_cv``,
        ``UDF_cv``, ``delay_<type>``, ``delay_spread`` (seconds; > 0 draws each synapse's
        delay uniformly from ``[delay_<type>, delay_<type> + delay_spread]``, an extension
        of the paper's fixed delays), the input weights ``w_in_exc``/``w_in_inh``,
        ``coupling`` (a ``(shared, constant)`` factor on every recurrent A, changed by a
        rerun without recompiling) and ``dt``.

    Returns
    -------
    Reservoir
        ``arrays`` holds ``positions`` (N x 3, excitatory first), ``v0`` and, per type
        ``t`` in EE, EI, IE, II: ``t_i``, ``t_j`` (pre, post neuron ids), ``t_A``,
        ``t_U``, ``t_D``, ``t_F`` and, when ``delay_spread > 0``, ``t_delay`` (seconds).

    Examples
    --------
    >>> liquid = lif_liquid(seed=0)
    >>> liquid.n_exc, liquid.n_inh
    (108, 27)
    """
    shape = _check_shape(shape)
    check_overrides(overrides, PARAMETERS, "lif_liquid")
    p = dict(PARAMETERS)
    p.update(overrides)
    _check_params(p)
    rng = model_seed(seed)
    n = int(np.prod(shape))
    n_inh = int(round(p["frac_inh"] * n))
    n_exc = n - n_inh
    if n_exc < 1:
        raise ValueError(f"frac_inh: leaves no excitatory neuron in {n} neurons")
    grid = np.stack(np.meshgrid(*[np.arange(s) for s in shape], indexing="ij"), -1).reshape(-1, 3)
    positions = grid[rng.permutation(n)].astype(np.float64)  # the first n_exc are excitatory
    arrays: dict[str, np.ndarray] = {"positions": positions}
    probs = connection_probabilities(positions, n_exc, p)
    offset = {"E": 0, "I": n_exc}
    for t, pre, post in CONNECTION_TYPES:
        mask = rng.random(probs[t].shape) < probs[t]
        i, j = np.nonzero(mask)
        m = i.size
        arrays[f"{t}_i"] = i + offset[pre]
        arrays[f"{t}_j"] = j + offset[post]
        mean_a, cv = p[f"A_{t}"], p["A_cv"]
        if cv > 0:
            a = rng.gamma(1.0 / cv**2, abs(mean_a) * cv**2, m)
        else:
            a = np.full(m, abs(mean_a))
        arrays[f"{t}_A"] = np.sign(mean_a) * a
        arrays[f"{t}_U"] = _positive_draw(rng, p[f"U_{t}"], p["UDF_cv"], m, hi=1.0)
        arrays[f"{t}_D"] = _positive_draw(rng, p[f"D_{t}"], p["UDF_cv"], m)
        arrays[f"{t}_F"] = _positive_draw(rng, p[f"F_{t}"], p["UDF_cv"], m)
    arrays["v0"] = rng.uniform(p["v_init_low"], p["v_init_high"], n)
    arrays["t_ref"] = np.r_[np.full(n_exc, p["t_ref_exc"]), np.full(n_inh, p["t_ref_inh"])]
    if p["delay_spread"] > 0:  # drawn last: the rest of a seed's liquid does not change
        for t, _, _ in CONNECTION_TYPES:
            lo = p[f"delay_{t}"]
            arrays[f"{t}_delay"] = rng.uniform(lo, lo + p["delay_spread"], arrays[f"{t}_i"].size)
    return Reservoir(
        kind="lif_liquid",
        n_exc=n_exc,
        n_inh=n_inh,
        dt=p["dt"],
        params=dict(p, shape=shape),
        arrays=arrays,
        seed=seed,
        spike_input={"code": "I_e_post += w_in", "unit": "amp", "scale": 1e-9},
        current_input={"unit": "amp", "scale": 1e-9},
        _builder=_build,
    )


def _build(model: Reservoir, prefix: str) -> ReservoirNetwork:
    """The Brian2 objects of a liquid on the active device."""
    import brian2 as b2

    p, arr = model.params, model.arrays
    dt = p["dt"] * b2.second
    mV, nA = b2.mV, b2.nA
    neurons = b2.NeuronGroup(
        model.n_neurons,
        EQUATIONS,
        threshold="v > v_thresh",
        reset="v = v_reset",
        refractory="t_ref",
        method="exact",
        dt=dt,
        name=f"{prefix}liquid",
        namespace={},
    )
    neurons.tau_m = p["tau_m"] * b2.second
    neurons.R_in = p["R_in"] * b2.Mohm
    neurons.I_b = p["I_b"] * nA
    neurons.tau_e = p["tau_s_exc"] * b2.second
    neurons.tau_i = p["tau_s_inh"] * b2.second
    neurons.v_thresh = p["v_thresh"] * mV
    neurons.v_reset = p["v_reset"] * mV
    neurons.coupling = p["coupling"]
    neurons.t_ref = arr["t_ref"] * b2.second
    neurons.v = arr["v0"] * mV
    pos = arr["positions"]
    neurons.x, neurons.y, neurons.z = pos[:, 0], pos[:, 1], pos[:, 2]
    synapses = {}
    for t, pre, _ in CONNECTION_TYPES:
        if arr[f"{t}_i"].size == 0:
            continue
        spread = f"{t}_delay" in arr  # one delay per synapse, else one per type
        syn = b2.Synapses(
            neurons,
            neurons,
            SYNAPSE,
            on_pre=ON_PRE.format(current="I_e" if pre == "E" else "I_i"),
            dt=dt,
            name=f"{prefix}liquid_{t.lower()}",
            namespace={},
            **({} if spread else {"delay": p[f"delay_{t}"] * b2.second}),
        )
        syn.connect(i=arr[f"{t}_i"], j=arr[f"{t}_j"])
        if spread:
            syn.delay = arr[f"{t}_delay"] * b2.second
        syn.A = arr[f"{t}_A"] * nA
        syn.U = arr[f"{t}_U"]
        syn.tau_rec = arr[f"{t}_D"] * b2.second
        syn.tau_fac = arr[f"{t}_F"] * b2.second
        syn.u_plus = arr[f"{t}_U"]
        syn.R_plus = 1.0
        syn.t_last = -1e4 * b2.second  # no earlier spike: u_1 = U, R_1 = 1
        synapses[t.lower()] = syn
    spikes = b2.SpikeMonitor(neurons, name=f"{prefix}spikes")
    net = b2.Network(neurons, spikes, *synapses.values())
    return ReservoirNetwork(
        network=net,
        neurons=neurons,
        exc=neurons[: model.n_exc],
        inh=neurons[model.n_exc :] if model.n_inh else None,
        synapses=synapses,
        spikes=spikes,
        model=model,
        shared={
            name: (neurons, name)
            for name in (
                "coupling",
                "tau_m",
                "R_in",
                "I_b",
                "tau_e",
                "tau_i",
                "v_thresh",
                "v_reset",
            )
        },
    )


def network_run_args(built: ReservoirNetwork, other: Reservoir) -> dict:
    """``run_args`` that give the compiled liquid ``built`` the synapses and v0 of ``other``.

    The connections (and per-synapse delays, ``delay_spread > 0``) are stored in the
    program, so ``other`` must have the same ones (for example the same liquid with new A,
    U, D, F drawn through overrides of the same seed); other ones need a new build.
    """
    model = built.model
    same = other.kind == model.kind and other.n_neurons == model.n_neurons
    for t, _, _ in CONNECTION_TYPES:
        same = same and all(
            np.array_equal(other.arrays.get(f"{t}_{k}"), model.arrays.get(f"{t}_{k}"))
            for k in ("i", "j", "delay")
        )
    if not same:
        raise ValueError(
            "network: a liquid with other neurons, connections or per-synapse delays needs a "
            "new build; expected the same connections (and delays) as the compiled one"
        )
    import brian2 as b2

    g, a = built.neurons, other.arrays
    out = {g.v: a["v0"] * b2.mV}
    for t, _, _ in CONNECTION_TYPES:
        syn = built.synapses.get(t.lower())
        if syn is None:
            continue
        out[syn.A] = a[f"{t}_A"] * b2.nA
        out[syn.U] = a[f"{t}_U"]
        out[syn.u_plus] = a[f"{t}_U"]
        out[syn.tau_rec] = a[f"{t}_D"] * b2.second
        out[syn.tau_fac] = a[f"{t}_F"] * b2.second
    return out
