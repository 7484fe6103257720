"""Hebbian associative memories as Brian2 networks (bipartite and matrix forms).

The model of science.md section 1 (Cafiso & Paradisi 2026; Demircigil et al. 2017;
Krotov & Hopfield 2016) built from Brian2 objects, so that the same code runs on every
Brian2 device chosen through :mod:`neurodam.engine` (runtime with Cython or numpy code
generation, ``cpp_standalone``, ``cuda_standalone``).

Bipartite form (``form="bipartite"``, the form of architecture.md)
------------------------------------------------------------------
* ``feature``: a ``NeuronGroup`` of N feature neurons with state ``sigma`` in {-1, +1}.
* ``memory``: a ``NeuronGroup`` of K memory units; the raw overlap
  ``a_mu = xi^mu . sigma`` is a summed variable of the ``up`` synapses
  (feature -> memory, ``a_post = pat * sigma_pre``).
* Each memory unit turns its overlap into a coefficient ``c_mu`` and the feature neurons
  collect ``g_i = sum_mu xi_i^mu c_mu`` as a summed variable of the ``down`` synapses
  (memory -> feature). With ``U_mu = F(a_mu) - F(a_mu - 2)`` and ``V_mu = F(a_mu + 2) - F(a_mu)``
  the exact field of the update rule ``T_i(sigma) = sgn h_i``,
  ``h_i = sum_mu [F(xi_i^mu + a_{mu,i}) - F(-xi_i^mu + a_{mu,i})]`` with
  ``a_{mu,i} = a_mu - xi_i^mu sigma_i``, is (see :mod:`neurodam.memory.interactions`)::

      F = x^n:        h_i = sum_mu xi_i^mu (U+V)_mu/2 + sigma_i sum_mu |xi_i^mu| (U-V)_mu/2
      F = exp(lam x): h_i = g_i - sigma_i tanh(lam) S_i,  g = Xi^T w,  S_i = sum_mu |xi_i^mu| w_mu

  with ``w_mu = exp(lam (a_mu - c))``. The shift c must be a common constant >= max a
  (exp overflows above 709). Brian2 has no max-reduction, so a one-neuron ``norm`` group
  sums ``Z = sum_mu exp(b (a_mu - N))`` with ``b = min(lam, 300/N)`` (never over- nor
  underflows) and ``c = N + log(Z)/b`` lies in ``[max a, max a + log(K)/b]``: the
  dominant w stays above ``exp(-lam log(K)/b)``, far from underflow for any practical
  N, K. The sign of h does not depend on c, so the T=0 dynamics equal the reference
  engine's (up to floating-point rounding at exact ties, which F=exp treats with the
  reference's tie band ``|h_i| <= 4 (K+2) eps S_i``).
* The update runs in ``run_regularly`` code of the feature group, after the fields and
  before the overlaps of the new state are summed, all in the ``start`` slot of one
  time step (orders 0: Z, 10: c and d, 20: fields, 30: update, 40: overlaps), so a
  synchronous step computes every new sigma_i from the same old state.

Matrix form (``form="matrix"``, default: the fastest; see benchmarks/bench_memory.py)
-------------------------------------------------------
The same feature and memory groups, the same update code, but the two dense
mat-vecs (``a = Xi sigma`` and ``g = Xi^T c``) run inside Brian2 ``Function`` objects with
C++ and numpy implementations that read the pattern matrix directly, instead of
``2 N K`` synapse objects with index indirection (see ``benchmarks/bench_memory.py``).

Dynamics
--------
* ``schedule="sync"``: one Brian2 time step = one update of all N neurons.
* ``schedule="async"``: one step = one sweep of N single-neuron updates in random order
  (a fresh permutation per sweep, drawn from ``seed`` with numpy and stored in a
  ``TimedArray``); the network runs on a clock of ``dt / N``, recomputing overlaps after
  every single-neuron update (O(N^2 K) per sweep: meant for small networks).
* Noise (SEDAM): after the update each neuron is flipped with probability ``p``
  (``noise_mode="flip"``) or reset to a random +-1 with probability ``p``
  (``noise_mode="reset"``). ``p`` is a ``(shared, constant)`` parameter ``feature.p``,
  so a compiled ``cpp_standalone`` program reruns with a new noise level through
  ``run_args`` (:meth:`MemoryNetwork.run_args`) without recompiling.
* Glauber heat bath at temperature T: ``P(sigma_i = +1) = 1 / (1 + exp(-2 h_i^E / T))``
  with ``h_i^E = [E(sigma_i=-1) - E(sigma_i=+1)] / 2`` in the energy normalisation of
  :mod:`neurodam.memory.interactions` (n=2: the Hopfield field, T_c = 1).
  ``beta = 1/T`` is the ``(shared, constant)`` parameter ``feature.beta``.

Readout and monitors
--------------------
A ``readout`` group (N neurons, one step per ``dt``) links to ``sigma`` and spikes at the
start of step t+1 for the state after step t, so the recorded spike time is exactly
``t * dt`` (the :class:`~neurodam.memory.results.MemoryRun` convention): every neuron
with sigma=+1 (``fire_on="plus"``) or only -1 -> +1 flips (``fire_on="flip"``). Monitors:
``SpikeMonitor(readout)``, ``StateMonitor(memory, "a")`` (overlaps),
``PopulationRateMonitor(readout)`` (activity) and optionally ``StateMonitor(readout, "s")``
(states). The network runs one extra sub-step so that the state after the last step is
recorded; the sample at t=0 (the initial state) is dropped when collecting.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurodam.memory._checks import (
    FIRE_ON,
    NOISE_MODES,
    SCHEDULES,
    check_choice,
    check_dt,
    check_int,
    check_noise,
    check_temperature,
)
from neurodam.memory.interactions import Interaction, parse_interaction, tie_tolerance
from neurodam.memory.reference import initial_state
from neurodam.patterns import validate_patterns

__all__ = [
    "FORMS",
    "RECORDABLE",
    "MemoryNetwork",
    "build_memory_network",
    "check_patterns",
    "check_state",
]

FORMS = ("matrix", "bipartite")
RECORDABLE = ("spikes", "overlaps", "activity", "states")
# sub-steps of an asynchronous run are stored in a TimedArray: bound its size
_MAX_ASYNC_SUBSTEPS = 20_000_000


# ------------------------------------------------------------------ validation
def check_patterns(patterns: Any) -> np.ndarray:
    """Validate a (K, N) pattern matrix with entries in {-1, 0, +1}; float64 copy.

    The checks of :func:`neurodam.patterns.validate_patterns` (``allow_zero=True``); a
    non-numeric array raises TypeError.
    """
    xi = np.asarray(patterns)
    if not np.issubdtype(xi.dtype, np.number) or np.issubdtype(xi.dtype, np.complexfloating):
        raise TypeError(f"patterns: expected a numeric array, got dtype {xi.dtype}")
    return validate_patterns(xi, allow_zero=True).astype(np.float64)


def check_state(state: Any, n_neurons: int, name: str = "init") -> np.ndarray:
    """Validate a +-1 state vector of length ``n_neurons``; float64 copy."""
    s = np.asarray(state)
    if s.ndim != 1 or s.size != n_neurons:
        raise ValueError(
            f"{name}: expected a state vector of N={n_neurons} entries (the patterns' N), "
            f"got shape {s.shape}"
        )
    s = s.astype(np.float64)
    if not np.all(np.abs(s) == 1):
        raise ValueError(f"{name}: expected entries in {{-1, +1}}")
    return s


def check_record(record: Any) -> tuple[str, ...]:
    """Validate the ``record`` argument (a name or an iterable of names from RECORDABLE)."""
    if record is None:
        return ()
    items = (record,) if isinstance(record, str) else tuple(record)
    for r in items:
        if r not in RECORDABLE:
            raise ValueError(f"record: expected names from {RECORDABLE}, got {r!r}")
    return items


# -------------------------------------------------------------------- the network
@dataclass
class MemoryNetwork:
    """The Brian2 objects of an associative memory (for users who extend them).

    Attributes
    ----------
    network : brian2.Network
        Holds every object below; run it with ``network.run(duration)`` or, simpler,
        through :func:`neurodam.memory.simulate`.
    feature : brian2.NeuronGroup
        N feature neurons: ``sigma`` (state), ``g`` (field input), ``s`` (diagonal term),
        ``p`` (noise, shared constant), ``beta`` (1/T, shared constant).
    memory : brian2.NeuronGroup
        K memory units: ``a`` (raw overlap xi^mu . sigma), ``c`` and ``d`` (coefficients).
    readout : brian2.NeuronGroup
        N neurons mirroring ``sigma`` once per step; their spikes are the model's spikes.
        ``prev`` holds the state at the start of the last step run, so after
        ``run()`` it is the state after the final step (the recording step that closes
        the run moves ``sigma`` on, but not ``prev``).
    up, down : brian2.Synapses or None
        Bipartite form: feature -> memory (overlaps) and memory -> feature (fields).
    norm : brian2.NeuronGroup or None
        One neuron holding the sums over memory units (``D``, and ``Z`` for F=exp).
    monitors : dict
        ``"spikes"`` (SpikeMonitor), ``"overlaps"`` (StateMonitor of ``memory.am``, a
        float32 copy of ``a``),
        ``"activity"`` (PopulationRateMonitor), ``"states"`` (StateMonitor of
        ``readout.s``); only the recorded ones.
    patterns : ndarray, shape (K, N)
    interaction : Interaction
    init : ndarray, shape (N,)
        Initial state (float +-1).
    params : dict
        ``form, schedule, noise, noise_mode, temperature, fire_on, steps, dt, seed``.
    order : ndarray of int or None
        Asynchronous schedule: the neuron updated in each sub-step (``steps*N + 1``).
    """

    network: Any
    feature: Any
    memory: Any
    readout: Any
    monitors: dict[str, Any]
    patterns: np.ndarray
    interaction: Interaction
    init: np.ndarray
    params: dict[str, Any] = field(default_factory=dict)
    up: Any = None
    down: Any = None
    norm: Any = None
    order: np.ndarray | None = None

    @property
    def duration(self) -> Any:
        """Brian2 run time covering ``steps`` steps plus the recording sub-step."""
        import brian2 as b2

        return self.params["duration"] * b2.second

    def run(self, report: Any = None) -> None:
        """``network.run(duration)`` (in standalone mode, follow with ``Backend.build()``)."""
        self.network.run(self.duration, report=report, report_period=1 * _second())

    def run_args(
        self,
        noise: float | None = None,
        init: np.ndarray | None = None,
        temperature: float | None = None,
    ) -> dict:
        """``run_args`` for ``Backend.rerun`` / ``device.run``: new noise, T or initial state.

        Only parameters that exist as run-time values of the compiled program can change:
        ``noise`` (``feature.p``), ``temperature`` (``feature.beta``, only for a network
        built with a temperature) and ``init`` (``sigma``, the overlaps and the readout).
        """
        args: dict = {}
        if noise is not None:
            args[self.feature.p] = check_noise(noise)
        if temperature is not None:
            T = check_temperature(temperature)
            if self.params.get("temperature") is None or T is None:
                raise ValueError(
                    f"temperature: this network was built without Glauber dynamics "
                    f"(temperature=None); rebuild it to use T={temperature!r}"
                )
            args[self.feature.beta] = 1.0 / T
        if init is not None:
            s = check_state(init, self.patterns.shape[1])
            args[self.feature.sigma] = s
            args[self.memory.a] = self.patterns @ s
            args[self.readout.prev] = s
        return args


def _second():
    import brian2 as b2

    return b2.second


def _field_code(inter: Interaction, n_neurons: int, n_patterns: int) -> dict[str, str]:
    """Code of the model: memory coefficients c, d; feature field (same arithmetic as
    :mod:`neurodam.memory.reference`, so the T=0 trajectories are identical)."""
    if inter.kind == "poly":
        n = int(inter.n)
        memory = f"fa = a**{n}\nu = fa - (a - 2)**{n}\nv = (a + 2)**{n} - fa\nc = u + v\nd = u - v"
        # h = g + sigma*sd is twice the exact field, an exact integer in float64; adding
        # 0.5*sigma makes an exact tie keep the state
        return {
            "memory": memory,
            "field": "h = g + sigma*sd",
            "det": "x = h + 0.5*sigma",
        }
    lam = float(inter.lam)
    b = min(lam, 300.0 / n_neurons)
    memory = f"c = exp({lam!r}*(a - {float(n_neurons)!r}) - {lam / b!r}*log(Zl))\nd = c"
    th = float(math.tanh(lam))
    tol = float(tie_tolerance(n_patterns))
    return {
        "memory": memory,
        # h = g - tanh(lam) S sigma, ties |h| <= tol S keep sigma: sgn(h + tol S sigma)
        "field": "",
        "det": f"x = g + ({tol!r} - {th!r})*sd*sigma",
        "zterm": f"exp({b!r}*(a_pre - {float(n_neurons)!r}))",
    }


def _glauber_code(inter: Interaction, n_neurons: int) -> str:
    """Heat-bath update with the energy field hE of ``interactions.glauber_fields``."""
    if inter.kind == "poly":
        n = int(inter.n)
        scale = 1.0 / (2.0 * n * float(n_neurons) ** (n - 1))
        hE = f"hE = 0.5*h*{scale!r}"
    else:
        lam = float(inter.lam)
        # P_i, M_i: sums of w over xi_i = +1 / -1 (+-1 patterns: P + M = S, P - M = g);
        # floor 1e-300 instead of 0: log stays finite, exp(-690) is negligible in lB
        hE = (
            "lP = log(clip(0.5*(sd + g), 1e-300, inf))\n"
            "lM = log(clip(0.5*(sd - g), 1e-300, inf))\n"
            f"x1 = -{2 * lam!r}*sigma + lP\n"
            f"x2 = {2 * lam!r}*sigma + lM\n"
            "lB = clip(x1, x2, inf) + log(1 + exp(-abs(x1 - x2)))\n"
            f"hE = sigma*(log(sd) - lB) / {2 * lam!r}"
        )
    return hE + "\nsnew = 2*int(rand() < 0.5*(1 + tanh(beta*hE))) - 1"


def build_memory_network(
    patterns: np.ndarray,
    F: str | Interaction = "exp",
    noise: float = 0.0,
    schedule: str = "sync",
    *,
    temperature: float | None = None,
    steps: int = 100,
    init: np.ndarray | None = None,
    seed: int | np.random.Generator | None = None,
    noise_mode: str = "flip",
    fire_on: str = "plus",
    record: Iterable[str] | str | None = ("spikes", "overlaps", "activity"),
    dt: float = 1e-3,
    form: str = "matrix",
    name: str = "dam",
) -> MemoryNetwork:
    """Build the associative memory as Brian2 objects on the active device.

    Parameters
    ----------
    patterns : array, shape (K, N)
        Stored patterns, entries in {-1, +1} (0 allowed for diluted patterns).
    F : str or Interaction
        ``"hopfield"``, ``"dense:n"``, ``"exp"`` or ``"exp:lam"``
        (:func:`~neurodam.memory.interactions.parse_interaction`).
    noise : float
        SEDAM noise probability p in [0, 0.5] (Cafiso & Paradisi 2026).
    schedule : {"sync", "async"}
        All neurons from the same old state, or sweeps of single updates in random order.
    temperature : float, optional
        Glauber heat bath at temperature T instead of the deterministic update.
    steps : int
        Number of steps the network will run (needed for the async order and the
        recording sub-step).
    init : array, shape (N,), optional
        Initial state (+-1); default a random state drawn from ``seed``.
    seed : int or Generator, optional
        Seeds the numpy draws made here (random init, async permutations). Brian2's own
        ``rand()`` is seeded by the caller with ``brian2.seed`` (``simulate`` does).
    noise_mode : {"flip", "reset"}
    fire_on : {"plus", "flip"}
        A neuron spikes in every step with sigma=+1, or only on -1 -> +1 flips.
    record : iterable of str
        Subset of ``("spikes", "overlaps", "activity", "states")``.
    dt : float
        Seconds per step.
    form : {"matrix", "bipartite"}
        Dense mat-vecs in Brian2 Functions with numpy/Cython/C++ implementations (fast,
        default; single-threaded; not for ``cuda_standalone``) or 2 N K synapses with
        summed variables (the bipartite form of architecture.md; any device).
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

    xi = check_patterns(patterns)
    K, N = xi.shape
    inter = parse_interaction(F)
    p = check_noise(noise)
    T = check_temperature(temperature)
    check_choice(schedule, "schedule", SCHEDULES)
    check_choice(noise_mode, "noise_mode", NOISE_MODES)
    check_choice(fire_on, "fire_on", FIRE_ON)
    check_choice(form, "form", FORMS)
    rec = check_record(record)
    steps = check_int("steps", steps, 1)
    dt = check_dt(dt)
    zeros = bool(np.any(xi == 0))
    if T is not None and inter.kind == "exp" and zeros:
        raise ValueError(
            "temperature: Glauber dynamics with F=exp is implemented for +-1 patterns only; "
            "got patterns with zero entries"
        )
    rng = np.random.default_rng(seed)
    # a random state is drawn exactly as the reference engine draws it
    s0 = initial_state(xi, None, rng).astype(np.float64) if init is None else check_state(init, N)

    n_sub = N if schedule == "async" else 1
    dt_step = float(dt) * b2.second
    dt_sub = float(dt) / n_sub * b2.second
    order = None
    if schedule == "async":
        total = (steps + 1) * N
        if total > _MAX_ASYNC_SUBSTEPS:
            raise ValueError(
                f"steps: an asynchronous Brian2 run stores steps*N sub-steps; got "
                f"{steps}*{N} > {_MAX_ASYNC_SUBSTEPS} (use schedule='sync' or the reference "
                "engine)"
            )
        order = np.concatenate([rng.permutation(N) for _ in range(steps + 1)]).astype(np.int64)

    code = _field_code(inter, N, K)

    # ---------------------------------------------------------------- groups
    feature = b2.NeuronGroup(
        N,
        "sigma : 1\ng : 1\nmv : 1\n"
        + ("sd : 1\n" if zeros else "sd : 1 (linked)\n")
        + "p : 1 (shared, constant)\nbeta : 1 (shared, constant)",
        dt=dt_sub,
        namespace={},
        name=f"{name}_feature",
    )
    memory = b2.NeuronGroup(
        K,
        "a : 1\nam : 1\nc : 1\nd : 1\nmv : 1"
        + ("\nZl : 1 (linked)" if inter.kind == "exp" else ""),
        dt=dt_sub,
        dtype={"am": np.float32},
        namespace={},
        name=f"{name}_memory",
    )
    readout = b2.NeuronGroup(
        N,
        "s : 1 (linked)\nprev : 1",
        threshold="s > 0" if fire_on == "plus" else "s > 0 and prev < 0",
        reset="",
        dt=dt_step,
        name=f"{name}_readout",
    )
    readout.s = b2.linked_var(feature, "sigma")
    readout.thresholder["spike"].when = "start"
    readout.thresholder["spike"].order = -100
    readout.run_regularly("prev = s", when="start", order=-99, name=f"{name}_readout_prev")

    # one neuron holding D = sum_mu d_mu (and Z = sum_mu exp(b (a_mu - N)) for F=exp)
    norm = b2.NeuronGroup(
        1, "D : 1" + ("\nZ : 1" if inter.kind == "exp" else ""), dt=dt_sub, name=f"{name}_norm"
    )
    to_norm_eqs = "D_post = d_pre : 1 (summed)"
    if inter.kind == "exp":
        to_norm_eqs += f"\nZ_post = {code['zterm']} : 1 (summed)"
    to_norm = b2.Synapses(memory, norm, to_norm_eqs, dt=dt_sub, name=f"{name}_to_norm")
    to_norm.connect()
    objects: list[Any] = [feature, memory, readout, norm, to_norm]
    if inter.kind == "exp":
        memory.Zl = b2.linked_var(norm, "Z", index=np.zeros(K, dtype=int))
    if not zeros:
        # sum_mu |xi_i^mu| d_mu = D for every neuron when the patterns are +-1
        feature.sd = b2.linked_var(norm, "D", index=np.zeros(N, dtype=int))

    # order of the operations inside one (sub-)step, all in the "start" slot:
    #   0: Z (F=exp)   10: c, d   20: g, D (and sd)   30: update sigma   40: a of the new state
    if inter.kind == "exp":
        _schedule(to_norm.summed_updaters["Z_post"], 0)
    memory.run_regularly(code["memory"], when="start", order=10, name=f"{name}_coeffs")
    _schedule(to_norm.summed_updaters["D_post"], 20)

    up = down = None
    if form == "bipartite":
        ii, mm = np.meshgrid(np.arange(N), np.arange(K), indexing="ij")
        ii, mm = ii.ravel(), mm.ravel()
        up = b2.Synapses(
            feature,
            memory,
            "pat : 1 (constant)\na_post = pat*sigma_pre : 1 (summed)",
            dt=dt_sub,
            name=f"{name}_up",
        )
        up.connect(i=ii, j=mm)
        up.pat = xi[mm, ii]
        down_eqs = "pat : 1 (constant)\ng_post = pat*c_pre : 1 (summed)"
        if zeros:
            down_eqs += "\nsd_post = abs(pat)*d_pre : 1 (summed)"
        down = b2.Synapses(memory, feature, down_eqs, dt=dt_sub, name=f"{name}_down")
        down.connect(i=mm, j=ii)
        down.pat = xi[mm, ii]
        _schedule(up.summed_updaters["a_post"], 40)
        _schedule(down.summed_updaters["g_post"], 20)
        if zeros:
            _schedule(down.summed_updaters["sd_post"], 20)
        objects += [up, down]
    else:
        from neurodam.memory import _matvec

        objects += _matvec.attach(feature, memory, xi, zeros, name)

    # ------------------------------------------------------------- update code
    upd = code["field"] + "\n"
    if T is None:
        upd += code["det"] + "\nsnew = 2*int(x >= 0) - 1\n"
    else:
        upd += _glauber_code(inter, N) + "\n"
    if noise_mode == "flip":
        upd += "snew = snew*(1 - 2*int(rand() < p))\n"
    else:
        upd += "hit = int(rand() < p)\nrnd = 2*int(rand() < 0.5) - 1\n"
        upd += "snew = snew + hit*(rnd - snew)\n"
    ns: dict[str, Any] = {}
    if schedule == "sync":
        upd += "sigma = snew"
    else:
        ns[f"{name}_order"] = b2.TimedArray(order.astype(np.float64), dt=dt_sub)
        upd += f"sel = int(i == int({name}_order(t) + 0.5))\nsigma = sigma + sel*(snew - sigma)"
    feature.run_regularly(upd, when="start", order=30, name=f"{name}_update")
    if ns:
        feature.namespace.update(ns)

    # ----------------------------------------------------------------- state
    feature.sigma = s0
    feature.p = p
    feature.beta = 0.0 if T is None else 1.0 / T
    memory.a = xi @ s0
    memory.am = xi @ s0
    readout.prev = s0

    monitors: dict[str, Any] = {}
    if "spikes" in rec:
        monitors["spikes"] = b2.SpikeMonitor(readout, name=f"{name}_spikemon")
    if "overlaps" in rec:
        # a float32 copy of a (exact integers up to 2^24) halves the recording's memory
        memory.run_regularly("am = a", when="start", order=45, name=f"{name}_acopy")
        monitors["overlaps"] = b2.StateMonitor(
            memory, "am", record=True, dt=dt_step, when="start", order=-100, name=f"{name}_amon"
        )
    if "activity" in rec:
        monitors["activity"] = b2.PopulationRateMonitor(readout, name=f"{name}_ratemon")
    if "states" in rec:
        monitors["states"] = b2.StateMonitor(
            readout, "s", record=True, when="start", order=-100, name=f"{name}_smon"
        )
    objects += list(monitors.values())
    net = b2.Network(*objects, name=f"{name}_network")
    params = {
        "F": inter.name,
        "form": form,
        "schedule": schedule,
        "noise": p,
        "noise_mode": noise_mode,
        "temperature": T,
        "fire_on": fire_on,
        "steps": steps,
        "dt": float(dt),
        "duration": steps * float(dt) + float(dt) / n_sub,
        "N": N,
        "K": K,
    }
    return MemoryNetwork(
        network=net,
        feature=feature,
        memory=memory,
        readout=readout,
        monitors=monitors,
        patterns=xi,
        interaction=inter,
        init=s0,
        params=params,
        up=up,
        down=down,
        norm=norm,
        order=order,
    )


def _schedule(obj: Any, order: int) -> None:
    obj.when = "start"
    obj.order = order
