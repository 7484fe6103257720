"""Choosing and driving the Brian2 device.

Models never choose a device; they build Brian2 objects. This module selects
the device by name, gives each standalone run its own build directory (so
parallel processes never collide), bounds the compiler's ``make -j``, exposes
OpenMP threads, and resets Brian2's device between runs.

Backends
--------
``"runtime"``          Brian2 runtime mode with Cython code generation (default),
``"numpy"``            runtime mode with numpy code generation (no compiler),
``"cython"``           alias of ``"runtime"``,
``"cpp_standalone"``   a standalone C++ program (compiled once, rerun with ``run_args``),
``"cuda_standalone"``  a CUDA program through brian2cuda (needs a GPU and the ``gpu`` extra).

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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

__all__ = [
    "BACKENDS",
    "Backend",
    "activate",
    "backend",
    "gpu_available",
    "reset",
    "is_standalone",
]

BACKENDS = ("runtime", "cython", "numpy", "cpp_standalone", "cuda_standalone")


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
        One of :data:`BACKENDS`.
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
    if name not in BACKENDS:
        raise ValueError(f"backend: expected one of {BACKENDS}, got {name!r}")
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
