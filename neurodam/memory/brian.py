"""Hebbian associative memories as Brian2 networks (Cafiso & Paradisi 2026).

The model of science.md section 1 (Cafiso & Paradisi 2026; Demircigil et al. 2017;
Krotov & Hopfield 2016) as Brian2 objects, so that the same code runs on every device
chosen through :mod:`neurodam.engine` (runtime with Cython or numpy code generation,
``cpp_standalone``, ``cuda_standalone``). The model never chooses a device and never
imports the numpy reference engine.

The network
-----------
* **Feature neurons** i = 1..N hold the state ``sigma_i = +-1`` (:data:`FEATURE_EQS`).
* **Memory units** mu = 1..K hold the raw overlap ``a_mu = xi^mu . sigma``
  (:data:`MEMORY_EQS`) and turn it into the coefficients of the interaction's field
  kernel (``c = U + V``, ``d = U - V`` for F = x^n; ``c = d = exp(lam (a - shift))`` for
  F = exp; :mod:`neurodam.memory.interactions`). The feature neurons receive
  ``g_i = sum_mu T[mu, i] c_mu`` and ``sd_i = sum_mu E[mu, i] d_mu`` and update
  ``sigma_i <- sgn x_i`` with ``x_i = g_i + sigma_i (f sd_i + t)`` (0 keeps sigma_i),
  the exact single-flip field ``h_i = sum_mu [F(a_{mu,i} + xi_i^mu) - F(a_{mu,i} - xi_i^mu)]``.
* **Forms.** ``"bipartite"``: the sums are summed variables of 2 N K synapses
  (feature -> memory: ``a``; memory -> feature: ``g``, ``sd``), the bipartite network of
  architecture.md. ``"matrix"`` (default, the fastest): the same two dense mat-vecs run in
  Brian2 ``Function`` objects over the pattern matrix (:mod:`neurodam.memory._matvec`).
* **Order inside a step** (all in the ``start`` slot, one clock tick): 0 normaliser Z
  (F = exp), 10 coefficients, 20 fields, 30 update (:data:`UPDATE`), 40 overlaps of the
  new state; so a synchronous step computes every new sigma_i from the same old state.
* **Schedules.** ``"sync"``: one Brian2 step = one update of all N neurons (Little 1974).
  ``"async"``: one step = a sweep of N single-neuron updates in random order, on a clock
  of ``dt / N`` (a fresh permutation per sweep stored in a ``TimedArray``; the overlaps
  are recomputed after every single update, O(N^2 K) per sweep: for small networks).
* **Noise and temperature.** After the update each neuron is flipped with probability
  ``p`` (``noise_mode="flip"``) or reset to a random +-1 with probability ``p``
  (``"reset"``), :data:`NOISE`. The Glauber heat bath uses
  ``P(sigma_i = +1) = 1 / (1 + exp(-2 beta hE_i))`` with the energy field
  ``hE_i = [E(sigma_i=-1) - E(sigma_i=+1)] / 2``. Only asynchronous heat-bath updates
  sample ``exp(-E/T)``; synchronous ones have Peretto's (1984) pseudo-Hamiltonian as
  stationary distribution (:mod:`neurodam.memory.reference`).
* **Readout** (:data:`READOUT_EQS`): N neurons on the step clock mirror sigma and spike
  at the start of step t+1 for the state after step t, so the recorded spike time is
  exactly ``t dt`` (``stamp="end"`` of :mod:`neurodam.spikes`): every neuron with
  sigma = +1 (``fire_on="plus"``) or only -1 -> +1 flips (``"flip"``).

Parameters that a compiled program changes without recompiling (``(shared, constant)``,
set through :meth:`MemoryNetwork.run_args`): the noise ``p`` and ``beta = 1/T`` of the
feature neurons, and for F = exp with {-1, 0, +1} patterns ``lam`` (with the derived
``th = tanh(lam)``, ``lz``, ``bz`` of the normaliser); the initial state and the
asynchronous order are run-time values too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurodam.memory.interactions import Interaction
from neurodam.memory.kernel import BrianCode, FieldKernel
from neurodam.memory.network import MemoryNetwork
from neurodam.memory.params import MemoryParams, as_params
from neurodam.memory.state import check_state, run_draws

__all__ = [
    "FEATURE_EQS",
    "MEMORY_EQS",
    "NOISE",
    "READOUT_EQS",
    "UPDATE",
    "MemoryNetwork",
    "build_memory_network",
]

# sub-steps of an asynchronous run are stored in a TimedArray: bound its size
_MAX_ASYNC_SUBSTEPS = 20_000_000

# --------------------------------------------------------------- equation blocks
#: Feature neurons: the state and the two sums received from the memory units.
FEATURE_EQS = """
sigma : 1                     # state, +-1
g : 1                         # sum_k (T_k^T c_k)_i: field from the memory units
mv : 1                        # scratch: return value of the matrix-form functions
p : 1 (shared, constant)      # SEDAM noise probability (Cafiso & Paradisi 2026)
beta : 1 (shared, constant)   # 1/T of the Glauber heat bath
"""
#: The self term: summed per neuron, or (+-1 patterns) the sum of d, the same for every i.
SELF_SUMMED = "sd : 1                        # sum_j (E_j^T d_j)_i, multiplies sigma_i\n"
SELF_LINKED = "sd : 1 (linked)               # sum_mu d_mu (+-1 patterns), multiplies sigma_i\n"

#: Memory units: the raw overlap a_mu = xi^mu . sigma (coefficients: the interaction's code).
MEMORY_EQS = """
a : 1                         # raw overlap xi^mu . sigma
am : 1                        # float32 copy of a for the overlap monitor
mv : 1                        # scratch: return value of the matrix-form functions
"""

#: Readout neurons: a spike at the start of step t+1 reports the state after step t.
READOUT_EQS = """
s : 1 (linked)                # sigma of the feature neuron
prev : 1                      # sigma at the start of the step
"""
FIRE_RULE = {"plus": "s > 0", "flip": "s > 0 and prev < 0"}

#: The update of a feature neuron: deterministic (sgn x, 0 keeps) or heat bath, then noise.
UPDATE = {
    "deterministic": "snew = 2*int(x > 0) - 1 + int(x == 0)*(sigma + 1)",  # sgn x; 0 keeps
    "glauber": "snew = 2*int(rand() < 0.5*(1 + tanh(beta*hE))) - 1",
}
NOISE = {
    "flip": "snew = snew*(1 - 2*int(rand() < p))",
    "reset": "hit = int(rand() < p)\nrnd = 2*int(rand() < 0.5) - 1\nsnew = snew + hit*(rnd - snew)",
}
APPLY = {
    "sync": "sigma = snew",
    "async": "sel = int(i == int({order}(t) + 0.5))\nsigma = sigma + sel*(snew - sigma)",
}
#: Order of the operations inside one (sub-)step, all in the "start" slot.
ORDER = {"Z": 0, "coefficients": 10, "fields": 20, "update": 30, "overlaps": 40, "copy": 45}


def _shared(params: dict[str, float]) -> str:
    return "".join(f"{k} : 1 (shared, constant)\n" for k in params)


# --------------------------------------------------------------------- builder
def build_memory_network(
    patterns: np.ndarray,
    params: MemoryParams | Interaction | str | None = None,
    /,
    *,
    init_state: np.ndarray | None = None,
    order: np.ndarray | None = None,
    name: str = "dam",
    **changes: Any,
) -> MemoryNetwork:
    """Build the associative memory as Brian2 objects on the active device.

    Parameters
    ----------
    patterns : array, shape (K, N)
        Stored patterns (the values the interaction accepts:
        :mod:`neurodam.memory.interactions`).
    params : MemoryParams, str or Interaction, optional
        The parameters, or just F (default ``"exp"``); ``**changes`` are
        :class:`MemoryParams` fields (``noise``, ``temperature``, ``schedule``, ``steps``,
        ``init``, ``seed``, ``noise_mode``, ``fire_on``, ``record``, ``dt``, ``form``).
    init_state : array, shape (N,), optional
        The initial +-1 state; default drawn from ``params.seed`` as every engine draws it
        (:func:`neurodam.memory.state.run_draws`).
    order : array of int, optional
        Asynchronous schedule: the neuron of each sub-step; default drawn likewise.
    name : str
        Prefix of the Brian2 object names.

    Returns
    -------
    MemoryNetwork

    References
    ----------
    Cafiso & Paradisi (2026), arXiv 2601.11478; Demircigil, Heusel, Löwe, Upgang & Vermet,
    J. Stat. Phys. 168 (2017); Krotov & Hopfield, NeurIPS (2016).
    """
    import brian2 as b2

    P = as_params(params, changes)
    kernel = P.interaction.kernel(patterns)
    xi = kernel.patterns
    code = kernel.brian()
    K, N = xi.shape
    if P.temperature is not None and code.glauber is None:
        raise ValueError(
            f"temperature: Glauber dynamics with F={P.interaction.name!r} run on Brian2 for "
            "+-1 patterns only (use the reference engine for these patterns)"
        )
    if P.schedule == "async" and (P.steps + 1) * N > _MAX_ASYNC_SUBSTEPS:
        raise ValueError(
            f"steps: an asynchronous Brian2 run stores steps*N sub-steps; got {P.steps}*{N} > "
            f"{_MAX_ASYNC_SUBSTEPS} (use schedule='sync' or the reference engine)"
        )
    if init_state is None or (order is None and P.schedule == "async"):
        s_drawn, _, o_drawn = run_draws(xi, P)
        init_state = s_drawn if init_state is None else init_state
        order = o_drawn if order is None else order
    s0 = check_state(init_state, N)
    dt_sub = P.dt / (N if P.schedule == "async" else 1) * b2.second

    feature, memory, readout = _groups(P, kernel, code, dt_sub, name)
    objects: list[Any] = [feature, memory, readout]
    norm, to_norm = _normaliser(feature, memory, kernel, code, dt_sub, name)
    objects += [obj for obj in (norm, to_norm) if obj is not None]
    memory.run_regularly(
        code.coefficients, when="start", order=ORDER["coefficients"], name=f"{name}_coeffs"
    )
    up = down = None
    if P.brian_form == "bipartite":
        up, down = _bipartite(feature, memory, kernel, dt_sub, name)
        objects += [up, down]
    else:
        from neurodam.memory import _matvec

        objects += _matvec.attach(feature, memory, kernel, name)
    order_array = _update(feature, P, code, order, dt_sub, name)

    # the state at t = 0 and the run-time parameters
    feature.sigma = s0
    feature.p = P.noise
    feature.beta = 0.0 if P.temperature is None else 1.0 / P.temperature
    for group, values in ((memory, code.memory_params), (feature, code.feature_params)):
        for var, value in values.items():
            setattr(group, var, value)
    memory.a = xi @ s0
    memory.am = xi @ s0
    readout.prev = s0

    monitors = _monitors(P.record, memory, readout, P.dt * b2.second, name)
    objects += list(monitors.values())
    return MemoryNetwork(
        network=b2.Network(*objects, name=f"{name}_network"),
        feature=feature,
        memory=memory,
        readout=readout,
        monitors=monitors,
        kernel=kernel,
        params=P,
        init=s0,
        code=code,
        up=up,
        down=down,
        norm=norm,
        order=None if order_array is None else np.asarray(order),
        order_array=order_array,
    )


def _groups(P: MemoryParams, kernel: FieldKernel, code: BrianCode, dt_sub, name: str):
    """The feature neurons, the memory units and the readout (the equation blocks)."""
    import brian2 as b2

    K, N = kernel.K, kernel.N
    self_eqs = SELF_LINKED if kernel.even_ones else SELF_SUMMED
    feature = b2.NeuronGroup(
        N,
        FEATURE_EQS + self_eqs + _shared(code.feature_params),
        dt=dt_sub,
        namespace={},
        name=f"{name}_feature",
    )
    coefficients = "".join(f"{v} : 1\n" for v in kernel.odd_names + kernel.even_names)
    memory = b2.NeuronGroup(
        K,
        MEMORY_EQS
        + coefficients
        + _shared(code.memory_params)
        + ("Zl : 1 (linked)\n" if code.zterm else ""),
        dt=dt_sub,
        dtype={"am": np.float32},
        namespace={},
        name=f"{name}_memory",
    )
    readout = b2.NeuronGroup(
        N,
        READOUT_EQS,
        threshold=FIRE_RULE[P.fire_on],
        reset="",
        dt=P.dt * b2.second,
        name=f"{name}_readout",
    )
    readout.s = b2.linked_var(feature, "sigma")
    readout.thresholder["spike"].when = "start"
    readout.thresholder["spike"].order = -100
    readout.run_regularly("prev = s", when="start", order=-99, name=f"{name}_readout_prev")
    return feature, memory, readout


def _normaliser(feature, memory, kernel: FieldKernel, code: BrianCode, dt_sub, name: str):
    """One neuron summing over the memory units: D = sum_mu d_mu (+-1 patterns: the self
    term of every feature neuron) and the normaliser Z of F = exp."""
    import brian2 as b2

    sums = []
    if kernel.even_ones:
        sums.append(f"D_post = {kernel.even_names[0]}_pre : 1 (summed)")
    if code.zterm:
        sums.append(f"Z_post = {code.zterm} : 1 (summed)")
    if not sums:
        return None, None
    norm = b2.NeuronGroup(1, "D : 1\nZ : 1", dt=dt_sub, name=f"{name}_norm")
    to_norm = b2.Synapses(memory, norm, "\n".join(sums), dt=dt_sub, name=f"{name}_to_norm")
    to_norm.connect()
    if code.zterm:
        memory.Zl = b2.linked_var(norm, "Z", index=np.zeros(kernel.K, dtype=int))
        _at(to_norm.summed_updaters["Z_post"], ORDER["Z"])
    if kernel.even_ones:
        feature.sd = b2.linked_var(norm, "D", index=np.zeros(kernel.N, dtype=int))
        _at(to_norm.summed_updaters["D_post"], ORDER["fields"])
    return norm, to_norm


def _update(feature, P: MemoryParams, code: BrianCode, order, dt_sub, name: str):
    """The update of the feature neurons (:data:`UPDATE`, :data:`NOISE`, :data:`APPLY`);
    returns the TimedArray of the asynchronous order (None for ``sync``)."""
    import brian2 as b2

    if P.temperature is None:
        lines = [code.decision, UPDATE["deterministic"]]
    else:
        lines = [code.glauber, UPDATE["glauber"]]
    lines.append(NOISE[P.noise_mode])  # always: p is a run-time parameter
    order_array = None
    if P.schedule == "sync":
        lines.append(APPLY["sync"])
    else:
        values = np.asarray(order, dtype=np.int64).astype(np.float64)
        order_array = b2.TimedArray(values, dt=dt_sub, name=f"{name}_order")
        feature.namespace[f"{name}_order"] = order_array
        lines.append(APPLY["async"].format(order=f"{name}_order"))
    feature.run_regularly(
        "\n".join(lines), when="start", order=ORDER["update"], name=f"{name}_update"
    )
    return order_array


def _bipartite(feature, memory, kernel: FieldKernel, dt_sub, name: str):
    """2 N K synapses: ``a_post = pat*sigma_pre`` up; ``g``, ``sd`` summed down."""
    import brian2 as b2

    K, N = kernel.K, kernel.N
    ii, mm = np.meshgrid(np.arange(N), np.arange(K), indexing="ij")
    ii, mm = ii.ravel(), mm.ravel()
    up = b2.Synapses(feature, memory, "pat : 1 (constant)\na_post = pat*sigma_pre : 1 (summed)",
                     dt=dt_sub, name=f"{name}_up")  # fmt: skip
    up.connect(i=ii, j=mm)
    up.pat = kernel.patterns[mm, ii]
    odd = [(f"t{k}", c) for k, c in enumerate(kernel.odd_names)]
    even = [] if kernel.even_ones else [(f"e{j}", d) for j, d in enumerate(kernel.even_names)]
    eqs = [f"{v} : 1 (constant)" for v, _ in odd + even]
    eqs.append("g_post = " + " + ".join(f"{v}*{c}_pre" for v, c in odd) + " : 1 (summed)")
    if even:
        eqs.append("sd_post = " + " + ".join(f"{v}*{d}_pre" for v, d in even) + " : 1 (summed)")
    down = b2.Synapses(memory, feature, "\n".join(eqs), dt=dt_sub, name=f"{name}_down")
    down.connect(i=mm, j=ii)
    for (v, _), m in zip(odd, kernel.odd, strict=True):
        setattr(down, v, m[mm, ii])
    for (v, _), m in zip(even, kernel.even, strict=False):
        setattr(down, v, m[mm, ii])
    _at(up.summed_updaters["a_post"], ORDER["overlaps"])
    _at(down.summed_updaters["g_post"], ORDER["fields"])
    if even:
        _at(down.summed_updaters["sd_post"], ORDER["fields"])
    return up, down


def _monitors(record, memory, readout, dt_step, name: str) -> dict[str, Any]:
    import brian2 as b2

    monitors: dict[str, Any] = {}
    if "spikes" in record:
        monitors["spikes"] = b2.SpikeMonitor(readout, name=f"{name}_spikemon")
    if "overlaps" in record:
        # a float32 copy of a (exact integers up to 2^24) halves the recording's memory
        memory.run_regularly("am = a", when="start", order=ORDER["copy"], name=f"{name}_acopy")
        monitors["overlaps"] = b2.StateMonitor(
            memory, "am", record=True, dt=dt_step, when="start", order=-100, name=f"{name}_amon"
        )
    if "activity" in record:
        monitors["activity"] = b2.PopulationRateMonitor(readout, name=f"{name}_ratemon")
    if "states" in record:
        monitors["states"] = b2.StateMonitor(
            readout, "s", record=True, when="start", order=-100, name=f"{name}_smon"
        )
    return monitors


def _at(obj: Any, order: int) -> None:
    obj.when = "start"
    obj.order = order
