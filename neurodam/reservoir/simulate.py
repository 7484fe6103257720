"""Running a reservoir: :func:`simulate` and :class:`ReservoirSession` (compile once, rerun).

Both go through :class:`neurodam.engine.Session`, the one run protocol of the toolkit:
the device is chosen there (``runtime``, ``numpy``, ``cpp_standalone``,
``cuda_standalone``), Brian2 is seeded before the build and before each run, and a
standalone program is compiled once and rerun with ``run_args``: new input signals of the
same shape, new values of the shared parameters (``coupling`` ...), another network of
the same size (:meth:`ReservoirSession.rerun` with ``network=``) and a new seed for
Brian2's own noise.

Attaching readouts and plastic synapses
---------------------------------------
``attach(built)`` is called inside the build, after the reservoir and its inputs exist,
with the :class:`~neurodam.reservoir.model.ReservoirNetwork` (``built.neurons``,
``built.exc``, ``built.inh``, ``built.synapses``, ``built.extras`` holding the inputs'
groups); it creates further Brian2 objects (a readout ``NeuronGroup``, plastic
``Synapses`` from ``built.exc`` onto it, monitors) and returns them (they are added to
the network). ``collect(built)`` runs after every (re)run while the device is active and
its value becomes ``ReservoirRun.extra``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from neurodam import engine
from neurodam._validate import check_seconds
from neurodam.io.brian import from_brian
from neurodam.reservoir.model import Reservoir, ReservoirNetwork
from neurodam.spikes import SpikeTrains

__all__ = ["ReservoirRun", "ReservoirSession", "simulate"]

_INPUT_KINDS = ("poisson_rate", "spikes", "current")


@dataclass(frozen=True, eq=False)
class ReservoirRun:
    """The result of one (re)run of a reservoir.

    Attributes
    ----------
    spikes : SpikeTrains
        Every reservoir neuron, excitatory first; ``meta`` holds ``n_exc``, ``n_inh``,
        ``model`` (the kind), ``dt`` and ``stamp="start"`` (the lattice convention of
        :mod:`neurodam.spikes`), ``seed`` (Brian2's) and ``backend``.
    model : Reservoir
    backend : str
    seed : int
        Brian2's seed of this run.
    timing : dict
        Seconds of code generation, compilation, simulation and collection.
    extra : Any
        What ``collect(built)`` returned (None without ``collect``).
    input_spikes : dict of str to SpikeTrains
        Spikes of the spike-emitting inputs when recorded (``record_inputs=True``).
    """

    spikes: SpikeTrains
    model: Reservoir
    backend: str
    seed: int
    timing: dict
    extra: Any = None
    input_spikes: dict = field(default_factory=dict)


def _check_inputs(inputs: Any, model: Reservoir) -> tuple:
    if inputs is None:
        return ()
    items = (inputs,) if hasattr(inputs, "attach") else tuple(inputs)
    for k, inp in enumerate(items):
        if not (hasattr(inp, "attach") and getattr(inp, "kind", None) in _INPUT_KINDS):
            raise TypeError(
                f"inputs: expected encoder outputs (poisson_rate, spike_input, "
                f"current_injection), got {type(inp).__name__} at position {k}"
            )
        inp.check(model)
    if sum(inp.kind == "current" for inp in items) > 1:
        raise ValueError("inputs: a reservoir takes one current_injection input (merge them)")
    return items


def _check_duration(duration: Any, dt: float) -> tuple[float, int]:
    if hasattr(duration, "dim"):  # a Brian2 quantity
        import brian2 as b2

        if not b2.have_same_dimensions(duration, b2.second):
            raise ValueError(f"duration: expected a time, got {duration!r}")
        duration = float(duration / b2.second)
    duration = check_seconds(duration, "duration")
    steps = round(duration / dt)
    if steps < 1 or not math.isclose(steps * dt, duration, rel_tol=1e-9, abs_tol=1e-12):
        raise ValueError(
            f"duration: expected a whole number of time steps of {dt:g} s, got {duration!r}"
        )
    return steps * dt, steps


class ReservoirSession:
    """A reservoir held open on a device: run once, then rerun without rebuilding.

    Parameters
    ----------
    model : Reservoir
    duration : float
        Seconds of simulated time (a whole number of ``model.dt``).
    inputs : input or sequence of inputs, optional
        Outputs of the encoders (:mod:`neurodam.reservoir.encoders`).
    backend : str
        A Brian2 device of :data:`neurodam.engine.DEVICES`.
    attach : callable, optional
        ``attach(built) -> iterable of Brian2 objects`` (readouts, plastic synapses,
        monitors), see the module docstring.
    collect : callable, optional
        ``collect(built) -> Any``, read after each run (``ReservoirRun.extra``).
    record_inputs : bool
        Also record the spikes of Poisson and spike inputs.
    threads, build_dir, keep_build
        As in :class:`neurodam.engine.Session`.

    Examples
    --------
    >>> with ReservoirSession(model, 1.0, backend="cpp_standalone") as s:   # doctest: +SKIP
    ...     first = s.run(seed=1)
    ...     weaker = s.rerun(params={"coupling": 0.5}, seed=2)      # no recompilation
    """

    def __init__(
        self,
        model: Reservoir,
        duration: Any,
        inputs: Any = None,
        *,
        backend: str = "runtime",
        attach: Callable[[ReservoirNetwork], Iterable[Any] | None] | None = None,
        collect: Callable[[ReservoirNetwork], Any] | None = None,
        record_inputs: bool = False,
        threads: int = 0,
        build_dir: Any = None,
        keep_build: bool = False,
    ) -> None:
        if not isinstance(model, Reservoir):
            raise TypeError(
                f"model: expected a Reservoir (izhikevich_reservoir, lif_liquid), "
                f"got {type(model).__name__}"
            )
        if backend not in engine.DEVICES:
            raise ValueError(f"backend: expected one of {engine.DEVICES}, got {backend!r}")
        for name, fn in (("attach", attach), ("collect", collect)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{name}: expected a callable, got {type(fn).__name__}")
        self.model = model
        self.duration, self.steps = _check_duration(duration, model.dt)
        self.inputs = _check_inputs(inputs, model)
        self.backend = backend
        self._attach, self._collect_fn = attach, collect
        self._record_inputs = bool(record_inputs)
        self._session = engine.Session(
            backend, threads=threads, build_dir=build_dir, keep_build=keep_build
        )
        self._active = False

    def __enter__(self) -> ReservoirSession:
        self._session.__enter__()
        self._active = True
        return self

    def __exit__(self, *exc) -> None:
        self._active = False
        self._session.__exit__(*exc)

    @property
    def built(self) -> ReservoirNetwork | None:
        """The Brian2 objects (None before :meth:`run`)."""
        return self._session.built

    # ------------------------------------------------------------------ build
    def _build(self) -> ReservoirNetwork:
        import brian2 as b2

        built = self.model.build()
        for k, inp in enumerate(self.inputs):
            name = f"input{k}"
            inp.attach(built, name)
            if self._record_inputs and inp.kind in ("poisson_rate", "spikes"):
                mon = b2.SpikeMonitor(built.extras[name]["group"], name=f"{name}_spikes")
                built.add(mon)
                built.extras[name]["monitor"] = mon
        if self._attach is not None:
            objs = self._attach(built)
            if objs is not None:
                built.add(*list(objs))
        return built

    def _collect(self, built: ReservoirNetwork) -> tuple:
        model = self.model
        raw = from_brian(built.spikes, t_stop=self.duration, n_neurons=model.n_neurons)
        meta = dict(raw.meta)
        meta.update(
            dt=model.dt, stamp="start", n_exc=model.n_exc, n_inh=model.n_inh, model=model.kind
        )
        spikes = SpikeTrains(raw.times, raw.senders, model.n_neurons, 0.0, self.duration, meta=meta)
        inputs = {}
        for name, ext in built.extras.items():
            if isinstance(ext, dict) and "monitor" in ext:
                inputs[name] = from_brian(ext["monitor"], t_stop=self.duration)
        extra = self._collect_fn(built) if self._collect_fn is not None else None
        return spikes, inputs, extra

    def _result(self, net_run: engine.NetworkRun) -> ReservoirRun:
        spikes, inputs, extra = net_run.output
        meta = dict(spikes.meta, seed=net_run.seed, backend=net_run.backend)
        spikes = SpikeTrains(
            spikes.times, spikes.senders, spikes.n_neurons, spikes.t_start, spikes.t_stop, meta
        )
        return ReservoirRun(
            spikes=spikes,
            model=self.model,
            backend=net_run.backend,
            seed=net_run.seed,
            timing=net_run.timing,
            extra=extra,
            input_spikes=inputs,
        )

    # ------------------------------------------------------------------ running
    def run(self, seed: Any = None, progress: bool = False) -> ReservoirRun:
        """Build, (compile,) run and collect (see :class:`neurodam.engine.Session`)."""
        if not self._active:
            raise RuntimeError("ReservoirSession: use it as a context manager ('with ... as s:')")
        out = self._session.run(
            self._build,
            self.duration,
            self._collect,
            seed=seed,
            progress=progress,
            desc=self.model.kind,
        )
        return self._result(out)

    def rerun(
        self,
        *,
        seed: Any = None,
        inputs: Any = None,
        network: Reservoir | None = None,
        params: Mapping[str, float] | None = None,
        run_args: Mapping | None = None,
        progress: bool = False,
    ) -> ReservoirRun:
        """Run again from the initial state without rebuilding (or recompiling).

        Parameters
        ----------
        seed : int, Generator or None
            Brian2's seed of this run (thalamic noise, Poisson inputs).
        inputs : input or sequence of inputs, optional
            New signals for the rate and current inputs, one per input of the first run,
            of the same shapes (spike inputs cannot change).
        network : Reservoir, optional
            Another network of the same kind and size: its neuron parameters, initial
            state and weights replace the compiled ones (the Izhikevich all-to-all
            network of any seed; for the liquid, the same connections).
        params : mapping, optional
            New values of shared parameters, e.g. ``{"coupling": 0.8}``.
        run_args : mapping, optional
            Further Brian2 ``run_args`` (``{built.neurons.v: values}``).
        """
        built = self.built
        if built is None:
            raise RuntimeError("ReservoirSession.rerun: call run() first")
        args: dict = {}
        if inputs is not None:
            new = (inputs,) if hasattr(inputs, "attach") else tuple(inputs)
            if len(new) != len(self.inputs):
                raise ValueError(
                    f"inputs: expected {len(self.inputs)} inputs as in the first run, "
                    f"got {len(new)}"
                )
            for k, (old, nw) in enumerate(zip(self.inputs, new, strict=True)):
                args.update(old.run_args(built, f"input{k}", nw))
        if network is not None:
            args.update(_network_run_args(built, network))
        for name, value in (params or {}).items():
            args[built.shared_variable(name)] = _shared_value(built, name, value)
        args.update(run_args or {})
        out = self._session.rerun(
            self._collect, run_args=args, seed=seed, progress=progress, desc=self.model.kind
        )
        return self._result(out)


def _network_run_args(built: ReservoirNetwork, other: Reservoir) -> dict:
    if not isinstance(other, Reservoir):
        raise TypeError(f"network: expected a Reservoir, got {type(other).__name__}")
    if built.model.kind == "izhikevich_reservoir":
        from neurodam.reservoir.izhikevich import network_run_args
    else:
        from neurodam.reservoir.lif import network_run_args
    return network_run_args(built, other)


def _shared_value(built: ReservoirNetwork, name: str, value: Any):
    """A shared parameter's new value in its Brian2 unit (model units as in the model)."""
    import brian2 as b2

    from neurodam._validate import check_number

    value = check_number(value, name)
    units = {
        "tau_m": b2.second,
        "tau_e": b2.second,
        "tau_i": b2.second,
        "R_in": b2.Mohm,
        "I_b": b2.nA,
        "v_thresh": b2.mV,
        "v_reset": b2.mV,
    }
    if built.model.kind == "lif_liquid" and name in units:
        return value * units[name]
    return value


def simulate(
    model: Reservoir,
    duration: Any,
    inputs: Any = None,
    backend: str = "runtime",
    seed: Any = None,
    *,
    attach: Callable[[ReservoirNetwork], Iterable[Any] | None] | None = None,
    collect: Callable[[ReservoirNetwork], Any] | None = None,
    record_inputs: bool = False,
    progress: bool = False,
    threads: int = 0,
    build_dir: Any = None,
) -> ReservoirRun:
    """Simulate a reservoir for ``duration`` seconds and return its spikes.

    Parameters
    ----------
    model : Reservoir
        From :func:`~neurodam.reservoir.izhikevich_reservoir` or
        :func:`~neurodam.reservoir.lif_liquid`.
    duration : float
        Seconds (a whole number of ``model.dt``).
    inputs : input or sequence of inputs, optional
        Encoder outputs (:mod:`neurodam.reservoir.encoders`).
    backend : str
        ``"runtime"`` (Cython), ``"numpy"``, ``"cpp_standalone"`` or ``"cuda_standalone"``.
    seed : int, Generator or None
        Brian2's seed (its own noise: thalamic input, Poisson inputs); the network itself
        comes from the model's seed.
    attach, collect : callable, optional
        Extend the network (readouts, plastic synapses, monitors) and read them after the
        run; see :class:`ReservoirSession`.
    record_inputs : bool
        Also return the spikes of Poisson and spike inputs (``ReservoirRun.input_spikes``).
    progress : bool
        A progress bar.
    threads, build_dir
        OpenMP threads and build folder of a standalone program.

    Returns
    -------
    ReservoirRun
        ``.spikes``: a SpikeTrains of every reservoir neuron, excitatory first.
    """
    session = ReservoirSession(
        model,
        duration,
        inputs,
        backend=backend,
        attach=attach,
        collect=collect,
        record_inputs=record_inputs,
        threads=threads,
        build_dir=build_dir,
    )
    with session:
        return session.run(seed=seed, progress=progress)
