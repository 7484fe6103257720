"""Choosing and driving the Brian2 device, and the one run protocol of every model.

Models never choose a device; they build Brian2 objects. This module selects
the device by name, gives each standalone run its own build directory (so
parallel processes never collide), bounds the compiler's ``make -j``, exposes
OpenMP threads, resets Brian2's device between runs, and runs a network the same
way whatever the model family (:func:`run_network`, :class:`Session`): seeding,
timing split into code generation / compilation / simulation, progress bars, and
compile-once-then-rerun.

Backends
--------
``"reference"``        the numpy reference engine of a model family (not a Brian2 device;
                       accepted by the model front ends such as ``memory.simulate``),
``"runtime"``          Brian2 runtime mode with Cython code generation (default),
``"numpy"``            runtime mode with numpy code generation (no compiler),
``"cpp_standalone"``   a standalone C++ program (compiled once, rerun with ``run_args``),
``"cuda_standalone"``  a CUDA program through brian2cuda (needs a GPU and the ``gpu`` extra).

:data:`BACKENDS` lists all five, :data:`DEVICES` the four Brian2 devices.

Example
-------
>>> from neurodam import engine
>>> with engine.backend("cpp_standalone") as be:   # doctest: +SKIP
...     net = build_my_network()
...     net.run(100 * ms)
...     be.build()                  # compile + run once
...     be.rerun(run_args={G.tau: 5 * ms})   # new parameters, no recompilation
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

__all__ = [
    "BACKENDS",
    "DEVICES",
    "Backend",
    "NetworkRun",
    "Session",
    "activate",
    "backend",
    "gpu_available",
    "is_standalone",
    "reset",
    "run_network",
]

#: The Brian2 devices a model can run on.
DEVICES = ("runtime", "numpy", "cpp_standalone", "cuda_standalone")
#: Every backend name a model front end accepts: the numpy reference engine and the devices.
BACKENDS = ("reference",) + DEVICES


def _default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


@dataclass
class Backend:
    """An activated Brian2 device.

    Attributes
    ----------
    name : str
        ``"runtime"`` or ``"numpy"`` (runtime mode, Cython/numpy codegen),
        ``"cpp_standalone"`` or ``"cuda_standalone"``.
    build_dir : pathlib.Path or None
        Build directory of a standalone project (None in runtime mode).
    threads : int
        OpenMP threads of a ``cpp_standalone`` program (0: no OpenMP).
    jobs : int
        Parallel compiler jobs (``make -j``).
    """

    name: str
    build_dir: Path | None = None
    threads: int = 0
    jobs: int = 1
    _built: bool = False
    _owns_dir: bool = False

    @property
    def standalone(self) -> bool:
        return self.name in ("cpp_standalone", "cuda_standalone")

    def build(self, run: bool = True, run_args: Mapping | list | None = None) -> None:
        """Compile the standalone project (once) and optionally run it.

        No-op in runtime mode (the network already ran).
        """
        if not self.standalone:
            return
        from brian2 import device

        if not self._built:
            device.build(directory=str(self.build_dir), compile=True, run=False)
            self._built = True
        if run:
            self.rerun(run_args)

    def rerun(self, run_args: Mapping | list | None = None) -> None:
        """Run the compiled standalone binary again, with new ``run_args``.

        ``run_args`` maps Brian2 variables (e.g. ``group.tau``) or
        ``"name.var"`` strings to new initial values, as in
        ``brian2.device.run(run_args=...)``; no recompilation happens.
        """
        if not self.standalone:
            raise RuntimeError("rerun: only standalone backends can be rerun")
        from brian2 import device

        if not self._built:
            self.build(run=False)
        device.run(run_args=run_args or {})


def gpu_available() -> bool:
    """True when brian2cuda imports and ``nvidia-smi`` reports a CUDA device."""
    try:
        import brian2cuda  # noqa: F401
    except ImportError:
        return False
    if shutil.which("nvidia-smi") is None:
        return False
    import subprocess

    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and "GPU" in out.stdout


def is_standalone(name: str) -> bool:
    """Whether the backend ``name`` compiles a standalone program."""
    return name in ("cpp_standalone", "cuda_standalone")


def reset() -> None:
    """Return Brian2 to a fresh runtime device (``device.reinit(); device.activate()``).

    Called from ``finally`` blocks, so it never raises: a failed re-initialisation is
    logged as a warning instead.
    """
    from brian2 import device, get_device, prefs, set_device

    try:
        get_device().reinit()
        set_device("runtime")
        device.reinit()
        device.activate()
    except Exception as exc:  # a reset must not mask the error that led to it
        log.warning("engine.reset: Brian2 device re-initialisation failed: %r", exc)
        set_device("runtime")
    prefs.reset_to_defaults()


def activate(
    name: str = "runtime",
    *,
    build_dir: str | os.PathLike | None = None,
    threads: int = 0,
    jobs: int | None = None,
    **device_options: Any,
) -> Backend:
    """Select and activate a Brian2 device by name.

    Parameters
    ----------
    name : str
        One of :data:`DEVICES`.
    build_dir : path, optional
        Standalone build directory. Default: a fresh temporary directory per
        call (``$NEURODAM_BUILD_DIR`` or the system temp dir as parent), so that
        concurrent processes never share one.
    threads : int
        OpenMP threads for ``cpp_standalone`` (``devices.cpp_standalone.openmp_threads``).
    jobs : int, optional
        ``make -j`` bound (``devices.cpp_standalone.extra_make_args_unix``);
        default ``min(cpu_count, 4)``.
    **device_options
        Passed on to ``brian2.set_device``.

    Returns
    -------
    Backend
    """
    if name not in DEVICES:
        raise ValueError(f"backend: expected one of the Brian2 devices {DEVICES}, got {name!r}")
    if not isinstance(threads, int) or threads < 0:
        raise ValueError(f"threads: expected a non-negative integer, got {threads!r}")
    jobs = _default_jobs() if jobs is None else int(jobs)
    if jobs < 1:
        raise ValueError(f"jobs: expected a positive integer, got {jobs}")
    reset()
    from brian2 import prefs, set_device

    if not is_standalone(name):
        prefs.codegen.target = "numpy" if name == "numpy" else "cython"
        return Backend(name="numpy" if name == "numpy" else "runtime", jobs=jobs)

    if name == "cuda_standalone":
        try:
            import brian2cuda  # noqa: F401
        except ImportError as exc:
            raise RuntimeError(
                "backend: 'cuda_standalone' needs brian2cuda (pip install 'neurodam[gpu]', "
                "Python >= 3.12) and a CUDA device"
            ) from exc
    owns = build_dir is None
    if owns:
        parent = os.environ.get("NEURODAM_BUILD_DIR") or None
        if parent:
            Path(parent).mkdir(parents=True, exist_ok=True)
        build_dir = tempfile.mkdtemp(prefix=f"neurodam_{name}_", dir=parent)
    build_dir = Path(build_dir)
    prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{jobs}"]
    prefs.devices.cpp_standalone.openmp_threads = threads
    set_device(name, directory=str(build_dir), build_on_run=False, **device_options)
    return Backend(name=name, build_dir=build_dir, threads=threads, jobs=jobs, _owns_dir=owns)


@contextlib.contextmanager
def backend(name: str = "runtime", *, keep_build: bool = False, **kwargs: Any) -> Iterator[Backend]:
    """Context manager: activate a device, yield the :class:`Backend`, reset afterwards.

    A temporary build directory made by :func:`activate` is removed on exit
    unless ``keep_build=True``.
    """
    be = activate(name, **kwargs)
    try:
        yield be
    finally:
        reset()
        if be._owns_dir and be.build_dir is not None and not keep_build:
            shutil.rmtree(be.build_dir, ignore_errors=True)


# ------------------------------------------------------------------ run protocol
#: Environment variable through which a compiled program receives a new Brian2 seed.
SEED_VARIABLE = "NEURODAM_BRIAN_SEED"
_PROGRESS_FILE = "neurodam_progress.txt"
# C++ inserted into main() after brian2.seed(): reseed every thread's generator (as
# brian2.seed(s) does, thread k gets s + k) when the launcher passes a seed, so a compiled
# program reruns with new random numbers without recompiling
_RESEED_CPP = """
{
    const char* _neurodam_seed = std::getenv("SEED_VARIABLE");
    if (_neurodam_seed != NULL) {
        const unsigned long _s = std::strtoul(_neurodam_seed, NULL, 10);
        for (size_t _k = 0; _k < brian::_random_generators.size(); _k++)
            brian::_random_generators[_k].seed(_s + _k);
    }
}
""".replace("SEED_VARIABLE", SEED_VARIABLE)
# the standalone report function writes the completed fraction to a file that a Python
# thread reads to drive the progress bar (the program's stdout is not ours to parse)
_REPORT_CPP = f"""
std::ofstream _neurodam_progress("{_PROGRESS_FILE}", std::ios::trunc);
_neurodam_progress << completed << std::endl;
"""


@dataclass(frozen=True)
class NetworkRun:
    """What one (re)run of a network returns.

    Attributes
    ----------
    output : Any
        Whatever the ``collect`` function made of the network after the run.
    backend : str
        The device it ran on (``"runtime"``, ``"numpy"``, ``"cpp_standalone"``, ...).
    seed : int
        The seed given to Brian2's random number generator.
    timing : dict
        Seconds: ``"codegen"`` (network construction and code generation), ``"compile"``
        (C++ compilation, standalone only; 0 on reruns), ``"run"`` (the simulation),
        ``"collect"`` (reading the monitors).
    """

    output: Any
    backend: str
    seed: int
    timing: dict


def _brian_seed(seed) -> int:
    """A Brian2 seed: an int is used as is, a Generator (or None) gives a fresh draw."""
    import numpy as np

    if isinstance(seed, bool):
        raise TypeError(f"seed: expected an int, a numpy Generator or None, got {seed!r}")
    if isinstance(seed, int | np.integer):
        if not 0 <= int(seed) < 2**32:
            raise ValueError(f"seed: expected an int in [0, 2**32), got {seed!r}")
        return int(seed)
    if seed is None or isinstance(seed, np.random.Generator):
        return int(np.random.default_rng(seed).integers(2**31 - 1))
    raise TypeError(f"seed: expected an int, a numpy Generator or None, got {seed!r}")


def _network_of(obj: Any) -> Any:
    import brian2 as b2

    if isinstance(obj, b2.Network):
        return obj
    net = getattr(obj, "network", None)
    if isinstance(net, b2.Network):
        return net
    raise TypeError(
        f"build: expected a function returning a brian2.Network or an object with a .network "
        f"attribute, got {type(obj).__name__}"
    )


def _seconds(duration) -> float:
    import brian2 as b2

    if isinstance(duration, b2.Quantity):
        if not b2.have_same_dimensions(duration, b2.second):
            raise ValueError(f"duration: expected a time, got {duration!r}")
        duration = float(duration / b2.second)
    from neurodam._validate import check_seconds

    return check_seconds(duration, "duration")


class Session:
    """A Brian2 device held open for one network: build, run, then rerun without rebuilding.

    The run protocol of every model family (associative memories, reservoirs):

    1. the device is activated (:func:`activate`) and Brian2 is seeded **before** the model
       is built, so random connectivity and random initial values are reproducible; the
       seed is set again just before the simulation starts, so a run's dynamics draw from
       its own seed, on the first run as on every rerun (the build-time draws of the first
       seed are kept by reruns, as a compiled program keeps them);
    2. ``build()`` returns the network (a ``brian2.Network`` or an object with a
       ``.network``), ``network.run(duration)`` runs it (runtime) or records it
       (standalone, then code generation and compilation);
    3. ``collect(built)`` reads the monitors while the device is still active;
    4. :meth:`rerun` runs again with new ``run_args`` (values of variables, e.g. a
       ``(shared, constant)`` noise level) and a new seed: a standalone program reruns
       without recompiling (the seed reaches it through the environment variable
       :data:`SEED_VARIABLE`); in runtime mode the network is restored to its state
       before the first run and run again.

    Progress bars on standalone devices come from Brian2's report, which is compiled into
    the program only when the first :meth:`run` asks for ``progress`` (it reads the CPU
    clock before every code object of every step); reruns of a program compiled without
    it show the bar complete at the end.

    Brian2's runtime ``seed()`` reseeds numpy's global generator; the caller's global
    numpy random state is saved and restored around every run.

    Parameters
    ----------
    backend : str
        One of :data:`DEVICES`.
    threads, build_dir, keep_build
        As in :func:`activate` and :func:`backend`.

    Examples
    --------
    >>> with Session("cpp_standalone") as s:              # doctest: +SKIP
    ...     first = s.run(build, 1 * second, collect, seed=1)
    ...     again = s.rerun(collect, run_args={G.I: 1.2}, seed=2)   # no recompilation
    """

    def __init__(
        self,
        backend: str = "runtime",
        *,
        threads: int = 0,
        build_dir: str | os.PathLike | None = None,
        keep_build: bool = False,
    ) -> None:
        if backend not in DEVICES:
            raise ValueError(
                f"backend: expected one of the Brian2 devices {DEVICES}, got {backend!r}"
            )
        self.name = backend
        self._kwargs = {"threads": threads, "build_dir": build_dir}
        self._keep_build = keep_build
        self._backend: Backend | None = None
        self._built: Any = None
        self._net: Any = None
        self._duration = 0.0

    # ----------------------------------------------------------- context manager
    def __enter__(self) -> Session:
        self._backend = activate(self.name, **self._kwargs)
        return self

    def __exit__(self, *exc) -> None:
        be = self._backend
        self._backend = None
        reset()
        if be is not None and be._owns_dir and be.build_dir is not None and not self._keep_build:
            shutil.rmtree(be.build_dir, ignore_errors=True)

    @property
    def backend(self) -> Backend:
        """The active :class:`Backend` (inside the ``with`` block)."""
        if self._backend is None:
            raise RuntimeError("Session: use it as a context manager ('with Session(...) as s:')")
        return self._backend

    @property
    def built(self) -> Any:
        """What ``build()`` returned (None before :meth:`run`)."""
        return self._built

    # ------------------------------------------------------------------ running
    def run(
        self,
        build: Callable[[], Any],
        duration: Any,
        collect: Callable[[Any], Any] | None = None,
        *,
        seed: int | Any = None,
        progress: bool = False,
        desc: str = "brian2",
    ) -> NetworkRun:
        """Build the network, run it for ``duration`` and collect the result (see the class)."""
        import brian2 as b2
        import numpy as np

        be = self.backend
        if self._built is not None:
            raise RuntimeError("Session.run: already ran; use rerun() for another run")
        duration_s = _seconds(duration)
        brian_seed = _brian_seed(seed)
        t0 = time.perf_counter()
        global_state = np.random.get_state()  # noqa: NPY002 (restored below)
        try:
            b2.seed(brian_seed)
            built = build()
            net = _network_of(built)
            if be.standalone:
                from brian2 import device

                # each (re)run reseeds here, after the build-time draws and before the run
                device.insert_code("main", _RESEED_CPP)
                # Brian2's standalone report reads the CPU clock before every code object of
                # every time step (tens of clock reads per step, 10-40 % of a small network's
                # run time), so the report is compiled in only when a progress bar is asked for
                report = _REPORT_CPP if progress else None
                net.run(duration_s * b2.second, report=report, report_period=1 * b2.second)
                t1 = time.perf_counter()
                be.build(run=False)
                t2 = time.perf_counter()
                self._built, self._net, self._duration = built, net, duration_s
                self._run_standalone(brian_seed, None, progress, desc)
                t3 = time.perf_counter()
                timing = {"codegen": t1 - t0, "compile": t2 - t1, "run": t3 - t2}
            else:
                net.store("neurodam_start")
                b2.seed(brian_seed)  # as a rerun with this seed: the run's own draws restart
                self._built, self._net, self._duration = built, net, duration_s
                t_first = self._run_runtime(net, duration_s, progress, desc)
                t3 = time.perf_counter()
                first = t0 if t_first is None else t_first
                timing = {"codegen": first - t0, "compile": 0.0, "run": t3 - first}
        finally:
            np.random.set_state(global_state)  # noqa: NPY002
        return self._collect(built, collect, brian_seed, timing)

    def rerun(
        self,
        collect: Callable[[Any], Any] | None = None,
        *,
        run_args: Mapping | None = None,
        seed: int | Any = None,
        progress: bool = False,
        desc: str = "brian2",
    ) -> NetworkRun:
        """Run the network again from its initial state, with new values and a new seed.

        Parameters
        ----------
        collect : callable, optional
            As in :meth:`run`.
        run_args : mapping, optional
            ``{group.variable: value}`` (Brian2 ``VariableView`` keys, or ``TimedArray`` keys
            with a new array of the same shape), applied on top of the initial state.
        seed : int, numpy Generator or None
            Brian2's seed for this run.
        """
        import numpy as np

        if self._built is None:
            raise RuntimeError("Session.rerun: call run() first")
        be = self.backend
        brian_seed = _brian_seed(seed)
        t0 = time.perf_counter()
        if be.standalone:
            self._run_standalone(brian_seed, run_args, progress, desc)
        else:
            global_state = np.random.get_state()  # noqa: NPY002 (restored below)
            try:
                self._net.restore("neurodam_start")
                _apply_runtime_args(run_args)
                import brian2 as b2

                b2.seed(brian_seed)
                self._run_runtime(self._net, self._duration, progress, desc)
            finally:
                np.random.set_state(global_state)  # noqa: NPY002
        timing = {"codegen": 0.0, "compile": 0.0, "run": time.perf_counter() - t0}
        return self._collect(self._built, collect, brian_seed, timing)

    # ---------------------------------------------------------------- internals
    def _collect(self, built, collect, brian_seed, timing) -> NetworkRun:
        t = time.perf_counter()
        out = collect(built) if collect is not None else None
        timing = dict(timing, collect=time.perf_counter() - t)
        return NetworkRun(output=out, backend=self.backend.name, seed=brian_seed, timing=timing)

    @staticmethod
    def _run_runtime(net, duration_s: float, progress: bool, desc: str) -> float | None:
        """Run in runtime mode; returns the time of the first report (end of codegen)."""
        import brian2 as b2
        from tqdm.auto import tqdm

        marks: dict[str, float] = {}
        bar = tqdm(total=1.0, disable=not progress, desc=desc, unit="run", bar_format=_BAR)

        def report(elapsed, completed, start, duration):
            marks.setdefault("first", time.perf_counter())
            bar.n = min(1.0, float(completed))
            bar.refresh()

        try:
            net.run(duration_s * b2.second, report=report, report_period=1 * b2.second)
        finally:
            bar.n = 1.0
            bar.close()
        return marks.get("first")

    def _run_standalone(self, brian_seed: int, run_args, progress: bool, desc: str) -> None:
        import threading

        from brian2 import device
        from tqdm.auto import tqdm

        device.run_environment_variables[SEED_VARIABLE] = str(brian_seed)
        path = Path(self.backend.build_dir) / _PROGRESS_FILE
        path.unlink(missing_ok=True)
        done = threading.Event()
        # a program compiled without the report (first run with progress=False) shows the
        # bar only at its end
        bar = tqdm(total=1.0, disable=not progress, desc=desc, unit="run", bar_format=_BAR)

        def poll() -> None:  # the program rewrites the file at every report
            while not done.wait(0.25):
                with contextlib.suppress(OSError, ValueError):
                    bar.n = min(1.0, float(path.read_text().split()[0]))
                    bar.refresh()

        watcher = threading.Thread(target=poll, daemon=True)
        watcher.start()
        try:
            device.run(run_args=dict(run_args) if run_args else None)
        finally:
            os.environ.pop(SEED_VARIABLE, None)  # device.run exports it into our environment
            done.set()
            watcher.join()
            bar.n = 1.0
            bar.close()


_BAR = "{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]"


def _apply_runtime_args(run_args: Mapping | None) -> None:
    """Set ``run_args`` in runtime mode (VariableView keys, or TimedArray keys in place)."""
    import brian2 as b2
    import numpy as np

    for key, value in (run_args or {}).items():
        if isinstance(key, b2.TimedArray):
            new = np.asarray(value, dtype=float)
            if new.shape != key.values.shape:
                raise ValueError(
                    f"run_args: expected an array of shape {key.values.shape} for TimedArray "
                    f"{key.name!r}, got {new.shape}"
                )
            key.values[...] = new
        elif hasattr(key, "set_item"):
            key[:] = value
        else:
            raise TypeError(
                "run_args: keys must be Brian2 variables (e.g. group.v) or TimedArrays, got "
                f"{type(key).__name__}"
            )


def run_network(
    build: Callable[[], Any],
    duration: Any,
    collect: Callable[[Any], Any] | None = None,
    *,
    backend: str = "runtime",
    seed: int | Any = None,
    progress: bool = False,
    threads: int = 0,
    build_dir: str | os.PathLike | None = None,
    run_args: Sequence[Mapping] | None = None,
    seeds: Sequence[Any] | None = None,
    desc: str = "brian2",
) -> NetworkRun | list[NetworkRun]:
    """Run a Brian2 model on a backend: the one run protocol of every model family.

    Parameters
    ----------
    build : callable
        ``build() -> network`` constructs the model's Brian2 objects on the active device
        and returns a ``brian2.Network`` or an object with a ``.network`` attribute. It must
        not choose a device itself.
    duration : float or brian2 Quantity
        Simulated time (seconds when a float).
    collect : callable, optional
        ``collect(built) -> result``: reads the monitors after each run (the device is
        still active then); its return value is ``NetworkRun.output``.
    backend : str
        One of :data:`DEVICES`.
    seed : int, numpy Generator or None
        Brian2's seed: an int is used as is, a Generator gives one draw
        ``integers(2**31 - 1)``. Brian2 is seeded before ``build()`` is called.
    progress : bool
        A tqdm progress bar per run (runtime and standalone).
    threads, build_dir
        OpenMP threads and build folder of a standalone program (:func:`activate`).
    run_args : sequence of mappings, optional
        Further runs after the first, each with these ``run_args`` (see
        :meth:`Session.rerun`): a standalone program is compiled once.
    seeds : sequence, optional
        Seeds of those further runs (default: fresh draws from ``seed``'s sequence).
    desc : str
        Label of the progress bar.

    Returns
    -------
    NetworkRun, or a list of NetworkRun (the first run, then one per ``run_args``)
        With ``output`` from ``collect``, the backend, the seed and the timing split into
        code generation, compilation and simulation.

    Examples
    --------
    >>> import brian2 as b2                                   # doctest: +SKIP
    >>> def build():
    ...     G = b2.NeuronGroup(10, "dv/dt = (1.2 - v)/(10*ms) : 1", threshold="v > 1",
    ...                        reset="v = 0", method="exact")
    ...     return b2.Network(G, b2.SpikeMonitor(G, name="spikes"))
    >>> run = run_network(build, 0.1, lambda net: io.from_brian(net["spikes"]), seed=1)
    """
    import numpy as np

    extra = list(run_args or [])
    if seeds is not None and len(seeds) != len(extra):
        raise ValueError(
            f"seeds: expected one seed per entry of run_args ({len(extra)}), got {len(seeds)}"
        )
    if seeds is None and extra:
        gen = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        first_seed = _brian_seed(gen)
        seeds = [_brian_seed(gen) for _ in extra]
    else:
        first_seed = seed
    with Session(backend, threads=threads, build_dir=build_dir) as session:
        first = session.run(build, duration, collect, seed=first_seed, progress=progress, desc=desc)
        if not extra:
            return first
        runs = [first]
        for args, s in zip(extra, seeds, strict=True):
            runs.append(session.rerun(collect, run_args=args, seed=s, progress=progress, desc=desc))
        return runs
