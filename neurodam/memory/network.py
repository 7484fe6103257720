"""The Brian2 objects of an associative memory after building: :class:`MemoryNetwork`.

What :func:`neurodam.memory.brian.build_memory_network` returns: the groups, synapses and
monitors, the field kernel and the parameters; :meth:`MemoryNetwork.run_args` gives the
values a compiled program changes on a rerun, :meth:`MemoryNetwork.collect` turns the
monitors into a :class:`~neurodam.memory.results.MemoryRun`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from neurodam.memory.interactions import Interaction, parse_interaction
from neurodam.memory.kernel import BrianCode, FieldKernel
from neurodam.memory.params import MemoryParams
from neurodam.memory.results import MemoryRun
from neurodam.memory.state import check_state

__all__ = ["MemoryNetwork"]


@dataclass
class MemoryNetwork:
    """The Brian2 objects of an associative memory (for users who extend them).

    Attributes
    ----------
    network : brian2.Network
        Holds every object below; run it through :func:`neurodam.memory.simulate`,
        :class:`neurodam.memory.MemorySession` or ``network.run(net.duration)``.
    feature, memory, readout : brian2.NeuronGroup
        N feature neurons (``sigma``, ``g``, ``sd``, ``p``, ``beta``), K memory units
        (``a``, ``am`` and the coefficients) and N readout neurons (``prev`` holds the
        state at the start of the last step run: after ``run()`` the final state).
    up, down : brian2.Synapses or None
        Bipartite form: feature -> memory (overlaps) and memory -> feature (fields).
    norm : brian2.NeuronGroup or None
        One neuron holding the sums over memory units (``D``, ``Z``), when needed.
    monitors : dict
        ``"spikes"`` (SpikeMonitor), ``"overlaps"`` (StateMonitor of ``memory.am``),
        ``"activity"`` (PopulationRateMonitor), ``"states"`` (StateMonitor of
        ``readout.s``): the recorded ones.
    kernel : FieldKernel
        The interaction prepared for the patterns.
    params : MemoryParams
    init : ndarray, shape (N,)
        Initial state (float +-1).
    order : ndarray of int or None
        Asynchronous schedule: the neuron updated in each sub-step (``(steps + 1) N``).
    order_array : brian2.TimedArray or None
        The same order as the model reads it (a ``run_args`` key).
    """

    network: Any
    feature: Any
    memory: Any
    readout: Any
    monitors: dict[str, Any]
    kernel: FieldKernel
    params: MemoryParams
    init: np.ndarray
    code: BrianCode
    up: Any = None
    down: Any = None
    norm: Any = None
    order: np.ndarray | None = None
    order_array: Any = None

    @property
    def patterns(self) -> np.ndarray:
        return self.kernel.patterns

    @property
    def interaction(self) -> Interaction:
        return self.kernel.interaction

    @property
    def N(self) -> int:
        return self.kernel.N

    @property
    def K(self) -> int:
        return self.kernel.K

    @property
    def duration_s(self) -> float:
        """Seconds of one run: ``steps`` steps plus the sub-step that records the last."""
        n_sub = self.N if self.params.schedule == "async" else 1
        return self.params.steps * self.params.dt + self.params.dt / n_sub

    @property
    def duration(self) -> Any:
        """:attr:`duration_s` as a Brian2 quantity."""
        import brian2 as b2

        return self.duration_s * b2.second

    def run(self, report: Any = None) -> None:
        """``network.run(duration)`` (standalone: follow with ``Backend.build()``)."""
        import brian2 as b2

        self.network.run(self.duration, report=report, report_period=1 * b2.second)

    def run_args(
        self,
        noise: float | None = None,
        temperature: float | None = None,
        init: np.ndarray | None = None,
        F: str | Interaction | None = None,
        order: np.ndarray | None = None,
    ) -> dict:
        """``run_args`` for a rerun (``Session.rerun``, ``Backend.rerun``) without rebuilding.

        Parameters
        ----------
        noise : float, optional
            New SEDAM noise p (``feature.p``).
        temperature : float, optional
            New Glauber temperature (``feature.beta``; only for a network built with one).
        init : array of +-1, optional
            New initial state (``sigma``, the overlaps and the readout).
        F : str or Interaction, optional
            Another interaction with the same compiled structure (e.g. ``"exp:0.5"`` for a
            network built with ``"exp"`` and {-1, 0, +1} patterns: a new lam).
        order : array of int, optional
            New asynchronous order (``(steps + 1) N`` neuron indices).
        """
        args: dict = {}
        if noise is not None:
            args[self.feature.p] = self.params.replace(noise=noise).noise
        if temperature is not None:
            T = self.params.replace(temperature=temperature).temperature
            if self.params.temperature is None or T is None:
                raise ValueError(
                    f"temperature: this network was built "
                    f"{'without' if self.params.temperature is None else 'with'} Glauber "
                    f"dynamics; rebuild it to use temperature={temperature!r}"
                )
            args[self.feature.beta] = 1.0 / T
        if F is not None:
            code = parse_interaction(F).kernel(self.patterns).brian()
            same = (code.fixed, code.coefficients, code.decision, code.glauber, code.zterm) == (
                self.code.fixed, self.code.coefficients, self.code.decision,
                self.code.glauber, self.code.zterm,
            )  # fmt: skip
            if not same:
                raise ValueError(
                    f"F: {F!r} needs another compiled model than {self.interaction.name!r}; "
                    "rebuild the network"
                )
            for group, values in ((self.memory, code.memory_params),
                                  (self.feature, code.feature_params)):  # fmt: skip
                for name, value in values.items():
                    args[getattr(group, name)] = value
        if init is not None:
            s = check_state(init, self.N)
            args[self.feature.sigma] = s
            args[self.memory.a] = self.patterns @ s
            args[self.memory.am] = self.patterns @ s
            args[self.readout.prev] = s
        if order is not None:
            if self.order_array is None:
                raise ValueError("order: only an asynchronous network has an update order")
            o = np.asarray(order, dtype=np.float64)
            args[self.order_array] = o
        return args

    def collect(
        self, params: MemoryParams | None = None, extra_params: dict | None = None
    ) -> MemoryRun:
        """The :class:`MemoryRun` of the last (re)run, read from the monitors.

        Works after ``network.run`` (runtime) and after each standalone (re)run. The
        sample at t=0 (the initial state) is dropped: row t-1 is the state after step t,
        spikes of step t lie at ``t * dt`` (:mod:`neurodam.memory.results`). ``params``:
        the parameters of that run (default: those the network was built with);
        ``extra_params`` are added to ``MemoryRun.params``.
        """
        from neurodam.io import from_brian

        P = self.params if params is None else params
        N, K = self.N, self.K
        steps, dt = P.steps, P.dt
        mons = self.monitors
        if "overlaps" not in mons:
            raise ValueError("record: collect needs the overlaps; build with 'overlaps' in record")
        a = np.asarray(mons["overlaps"].am[:], dtype=np.float32).T[1 : steps + 1]
        if a.shape[0] != steps:
            raise RuntimeError(f"collect: expected {steps} recorded steps, got {a.shape[0]}")
        energy_of = self.interaction.energy_from_overlaps
        # energies in blocks of rows: no (T, K) float64 temporaries
        energy = np.concatenate([energy_of(a[k : k + 4096], N) for k in range(0, steps, 4096)])
        overlaps = np.ascontiguousarray(a)
        overlaps /= np.float32(N)
        info = dict(P.to_dict(), N=N, K=K, form=P.brian_form, **(extra_params or {}))
        meta = dict(P.scalars(), N=N, K=K, form=P.brian_form, backend=info.get("backend"))
        meta.update(dt=dt, stamp="end")
        if "spikes" in mons:
            # spikes at k dt, k = 0..steps; k = 0 reports the initial state: dropped
            spikes = from_brian(mons["spikes"], t_stop=steps * dt, n_neurons=N, dt=dt, t_min=dt,
                                stamp="end", meta=meta)  # fmt: skip
        else:
            from neurodam.spikes import SpikeTrains

            spikes = SpikeTrains([], [], n_neurons=N, t_start=0.0, t_stop=steps * dt, meta=meta)
        counts = None
        if "activity" in mons:
            rate = np.asarray(mons["activity"].rate_, dtype=np.float64)[1 : steps + 1]
            counts = np.rint(rate * N * dt).astype(np.int64)
        states = None
        if "states" in mons:
            states = np.asarray(mons["states"].s[:]).T[1 : steps + 1].astype(np.int8)
        # readout.prev = sigma at the start of the closing recording step = after step
        # `steps`; no StateMonitor with dt = steps*dt: Brian2 ends such a clock within its
        # epsilon of the run's end and could stop the whole run one step early
        final = np.asarray(self.readout.prev[:]).astype(np.int8)
        return MemoryRun(spikes=spikes, overlaps=overlaps, energy=energy, params=info,
                         states=states, final_state=final, dt=float(dt), counts=counts)  # fmt: skip
