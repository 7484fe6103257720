"""Compile once, rerun many times: :class:`MemorySession`.

A sweep over the noise p (or the temperature, lam, the initial state, the seed) of one
network size and pattern set does not need a new program per point: the session builds
the Brian2 model once through :class:`neurodam.engine.Session` (code generation and, for
``cpp_standalone``, one compilation) and reruns it with ``run_args`` (:meth:`MemoryNetwork.run_args
<neurodam.memory.brian.MemoryNetwork.run_args>`) and a new Brian2 seed.

Reproducibility: a run with parameters P draws its initial state, Brian2 seed and
asynchronous order from ``numpy.random.default_rng(P.seed)``
(:func:`neurodam.memory.state.run_draws`), so ``session.run(seed=s, noise=p)`` gives the
same result as a fresh ``simulate(patterns, P.replace(seed=s, noise=p))``.

Example
-------
>>> from neurodam import patterns                                   # doctest: +SKIP
>>> xi = patterns.digits()[0][:10]
>>> with MemorySession(xi, F="exp", steps=20000, backend="cpp_standalone",
...                    record=("activity", "overlaps")) as session:
...     runs = [session.run(noise=p, seed=k) for p in (0.1, 0.15, 0.2) for k in range(5)]
>>> [r.params["timing"]["compile"] for r in runs[:2]]               # compiled once
[14.2, 0.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurodam import engine
from neurodam.memory.interactions import Interaction
from neurodam.memory.params import MemoryParams, as_params
from neurodam.memory.results import MemoryRun
from neurodam.memory.state import run_draws
from neurodam.patterns import real_patterns

__all__ = ["RERUN_FIELDS", "MemorySession"]

#: The parameters a built network changes between runs (everything else is compiled in).
RERUN_FIELDS = ("noise", "temperature", "F", "init", "seed")


class MemorySession:
    """An associative memory built once on a backend and run many times.

    Parameters
    ----------
    patterns : (K, N) array
        The stored patterns (fixed for the session).
    params : MemoryParams, str or Interaction, optional
        The parameters of the first run (or just F); ``**changes`` are
        :class:`~neurodam.memory.params.MemoryParams` fields.
    threads : int
        OpenMP threads of a ``cpp_standalone`` program (bipartite form only).
    build_dir : path, optional
        Standalone build directory (default: a fresh temporary one, removed on exit).
    keep_build : bool
        Keep that directory.

    Notes
    -----
    Use it as a context manager: the Brian2 device stays active inside the ``with``
    block. The first :meth:`run` builds (and compiles) the network; every later run
    changes only :data:`RERUN_FIELDS` (noise, temperature, F within the same compiled
    structure, e.g. a new lam of ``exp`` with {-1, 0, +1} patterns, init, seed). On the
    ``reference`` backend every run is a plain reference-engine run.
    """

    def __init__(
        self,
        patterns: np.ndarray,
        params: MemoryParams | Interaction | str | None = None,
        /,
        *,
        threads: int = 0,
        build_dir: Any = None,
        keep_build: bool = False,
        **changes: Any,
    ) -> None:
        self.params = as_params(params, changes)
        self.patterns = real_patterns(patterns)
        if threads and self.params.brian_form == "matrix":
            raise ValueError(
                f"threads: the matrix form runs single-threaded (threads=0), got {threads!r}; "
                "use form='bipartite' for OpenMP threads"
            )
        self._engine_kwargs = {"threads": threads, "build_dir": build_dir, "keep_build": keep_build}
        self._session: engine.Session | None = None
        self._built: MemoryParams | None = None

    @property
    def backend(self) -> str:
        return self.params.backend

    @property
    def network(self) -> Any:
        """The :class:`~neurodam.memory.brian.MemoryNetwork` (None before the first run)."""
        return None if self._session is None else self._session.built

    def __enter__(self) -> MemorySession:
        if self.backend != "reference":
            self._session = engine.Session(self.backend, **self._engine_kwargs)
            self._session.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.__exit__(*exc)

    def run(self, *, progress: bool = False, **changes: Any) -> MemoryRun:
        """Run with the session's parameters, changed by ``changes`` (:data:`RERUN_FIELDS`).

        Returns
        -------
        MemoryRun
            ``params["timing"]``: ``codegen``, ``compile`` (0 on reruns), ``run``,
            ``collect`` seconds.
        """
        P = self.params.replace(**changes) if changes else self.params
        if "overlaps" not in P.record:  # the overlaps make the MemoryRun
            P = P.replace(record=("overlaps",) + P.record)
        if self.backend == "reference":
            from neurodam.memory import reference

            return reference.run(self.patterns, P, progress=progress)
        if self._session is None:
            raise RuntimeError("MemorySession: use it as a context manager ('with ... as s:')")
        s0, brian_seed, order = run_draws(self.patterns, P)
        extra = {
            "backend": self.backend,
            "brian_seed": brian_seed,
            "init_state": s0.copy(),
            "init_pattern": P.init_pattern,
        }

        def collect(net):
            return net.collect(P, extra)

        if self._built is None:
            from neurodam.memory.brian import build_memory_network

            def build():
                return build_memory_network(self.patterns, P, init_state=s0, order=order)

            n_sub = self.patterns.shape[1] if P.schedule == "async" else 1
            duration = P.steps * P.dt + P.dt / n_sub
            res = self._session.run(
                build, duration, collect, seed=brian_seed, progress=progress, desc="brian2"
            )
        else:
            args = self._run_args(P, s0, order)
            res = self._session.rerun(
                collect, run_args=args, seed=brian_seed, progress=progress, desc="brian2"
            )
        self._built = P
        run: MemoryRun = res.output
        run.params["timing"] = dict(res.timing)
        return run

    def _run_args(self, P: MemoryParams, s0: np.ndarray, order) -> dict:
        built = self._built
        for name in ("noise_mode", "schedule", "steps", "dt", "fire_on", "record", "backend"):
            if getattr(P, name) != getattr(built, name):
                raise ValueError(
                    f"{name}: fixed when the network was built ({getattr(built, name)!r}); "
                    f"a rerun changes only {', '.join(RERUN_FIELDS)}"
                )
        if P.brian_form != built.brian_form:
            raise ValueError(f"form: fixed when the network was built ({built.brian_form!r})")
        if (P.temperature is None) != (built.temperature is None):
            raise ValueError(
                f"temperature: the network was built with temperature={built.temperature!r} "
                "(deterministic and Glauber updates are different programs); open a new session"
            )
        net = self._session.built
        return net.run_args(
            noise=P.noise,
            temperature=P.temperature,
            init=s0,
            F=None if P.F == built.F else P.F,
            order=order,
        )
