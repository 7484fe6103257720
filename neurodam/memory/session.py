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

__all__ = ["RERUN_FIELDS", "MemorySession", "ReplicaSession"]

#: The parameters a built network changes between runs (everything else is compiled in).
RERUN_FIELDS = ("noise", "temperature", "F", "init", "seed")


class _CompiledOnce:
    """What both sessions share: one :class:`neurodam.engine.Session` opened on entry for a
    Brian2 backend (none for the reference engine) and closed on exit."""

    _engine_kwargs: dict
    _session: engine.Session | None

    @property
    def network(self) -> Any:
        """The built Brian2 network (a :class:`~neurodam.memory.brian.MemoryNetwork` or
        :class:`~neurodam.memory.network.ReplicaNetwork`; None before the first run)."""
        return None if self._session is None else self._session.built

    def __enter__(self):
        if self.backend != "reference":
            self._session = engine.Session(self.backend, **self._engine_kwargs)
            self._session.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.__exit__(*exc)


class MemorySession(_CompiledOnce):
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
        """The backend of this session's runs (``params.backend``)."""
        return self.params.backend

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
        self._check_fixed(built, P)
        net = self._session.built
        return net.run_args(
            noise=P.noise,
            temperature=P.temperature,
            init=s0,
            F=None if P.F == built.F else P.F,
            order=order,
        )

    @staticmethod
    def _check_fixed(built: MemoryParams, P: MemoryParams) -> None:
        """ValueError naming the first field a rerun of ``built`` cannot change in ``P``."""
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


class ReplicaSession(_CompiledOnce):
    """R replicas of an associative memory built once as one Brian2 network and run many
    times (:mod:`neurodam.memory.replicas`).

    Parameters
    ----------
    patterns : (K, N) array
        The stored patterns (fixed for the session).
    params : sequence of MemoryParams, or shared parameters with ``noises``/``seeds``/``inits``
        The replicas of the first run (:func:`~neurodam.memory.replicas.replica_params`);
        their number R is fixed for the session.
    build_dir : path, optional
        Standalone build directory (default: a fresh temporary one, removed on exit).
    keep_build : bool
        Keep that directory.

    Notes
    -----
    Use it as a context manager. The first :meth:`run` builds (and compiles) the batched
    network (:func:`~neurodam.memory.brian_replicas.build_replica_network`); later runs change each
    replica's noise, seed and initial state, and the shared temperature or F (as
    :class:`MemorySession`), through ``run_args``, with a new Brian2 seed
    (:func:`~neurodam.memory.replicas.replica_draws`). On the ``reference`` backend each
    run is :func:`neurodam.memory.reference.run_replicas`.

    Examples
    --------
    >>> with ReplicaSession(xi, "exp", noises=[0.1] * 8, seeds=range(8), steps=20000,
    ...                     backend="cpp_standalone") as session:     # doctest: +SKIP
    ...     runs = session.run()                                  # builds and compiles
    ...     more = session.run(noises=[0.2] * 8, seeds=range(8, 16))  # reruns the binary
    """

    def __init__(
        self,
        patterns: np.ndarray,
        params: Any = None,
        /,
        *,
        build_dir: Any = None,
        keep_build: bool = False,
        noises: Any = None,
        seeds: Any = None,
        inits: Any = None,
        **changes: Any,
    ) -> None:
        from neurodam.memory.replicas import replica_params

        self.params = replica_params(params, noises=noises, seeds=seeds, inits=inits, **changes)
        self.patterns = real_patterns(patterns)
        P = self.params[0]
        if P.backend != "reference" and P.brian_form != "matrix":
            raise ValueError(
                f"form: replicas run batched in the matrix form only, got {P.brian_form!r}"
                + (" (the default on cuda_standalone)" if P.form is None else "")
                + "; run the replicas one by one with simulate()"
            )
        self._engine_kwargs = {"build_dir": build_dir, "keep_build": keep_build}
        self._session: engine.Session | None = None
        self._built: MemoryParams | None = None

    @property
    def replicas(self) -> int:
        """The number of replicas R of every run."""
        return len(self.params)

    @property
    def backend(self) -> str:
        """The backend shared by the replicas of this session (``params[0].backend``)."""
        return self.params[0].backend

    def run(
        self,
        params: Any = None,
        *,
        noises: Any = None,
        seeds: Any = None,
        inits: Any = None,
        progress: bool = False,
        **changes: Any,
    ) -> list[MemoryRun]:
        """Run R replicas: ``params`` (R MemoryParams), or the session's replicas changed by
        ``noises``, ``seeds``, ``inits`` (R values each) and ``changes`` (shared fields
        among :data:`RERUN_FIELDS`).

        Returns
        -------
        list of MemoryRun
            One per replica; ``params["batch"]``: the batch size, the replica's index, the
            batch's Brian2 seed and timing; ``params["timing"]``: the replica's share.
        """
        from neurodam.memory.replicas import replica_draws, replica_params

        if params is None:
            base = self.params
            if changes:
                base = [Q.replace(**changes) for Q in base]
            per = {"noise": noises, "seed": seeds, "init": inits}
            for name, values in per.items():
                if values is not None:
                    values = list(values)
                    if len(values) != len(base):
                        raise ValueError(
                            f"{name}s: expected {len(base)} values (one per replica), "
                            f"got {len(values)}"
                        )
                    base = [Q.replace(**{name: v}) for Q, v in zip(base, values, strict=True)]
            Ps = replica_params(base)
        else:
            Ps = replica_params(params, noises=noises, seeds=seeds, inits=inits, **changes)
        if len(Ps) != self.replicas:
            raise ValueError(
                f"params: this session runs {self.replicas} replicas, got {len(Ps)}; open a "
                "new session (or pad the batch)"
            )
        Ps = [Q if "overlaps" in Q.record else Q.replace(record=("overlaps",) + Q.record)
              for Q in Ps]  # fmt: skip
        P = Ps[0]
        if P.backend != self.backend:
            raise ValueError(f"backend: fixed when the session was opened ({self.backend!r})")
        if self.backend == "reference":
            from neurodam.memory import reference

            return reference.run_replicas(self.patterns, Ps, progress=progress)
        if self._session is None:
            raise RuntimeError("ReplicaSession: use it as a context manager ('with ... as s:')")
        S0, batch_seed, seeds_r = replica_draws(self.patterns, Ps)
        R = len(Ps)
        extras = [
            {"backend": self.backend, "brian_seed": seeds_r[r], "init_state": S0[r].copy(),
             "init_pattern": Q.init_pattern}
            for r, Q in enumerate(Ps)
        ]  # fmt: skip

        def collect(net):
            return net.collect(Ps, extras)

        if self._built is None:
            from neurodam.memory.brian_replicas import build_replica_network

            def build():
                return build_replica_network(self.patterns, Ps, init_states=S0)

            res = self._session.run(
                build, P.steps * P.dt + P.dt, collect, seed=batch_seed, progress=progress,
                desc="brian2 replicas",
            )  # fmt: skip
        else:
            MemorySession._check_fixed(self._built, P)
            net = self._session.built
            args = net.run_args(
                noise=[Q.noise for Q in Ps],
                temperature=P.temperature,
                init=S0,
                F=None if P.F == self._built.F else P.F,
            )
            res = self._session.rerun(
                collect, run_args=args, seed=batch_seed, progress=progress,
                desc="brian2 replicas",
            )  # fmt: skip
        self._built = P
        runs: list[MemoryRun] = res.output
        total = dict(res.timing)
        for r, run in enumerate(runs):
            run.params["timing"] = {k: v / R for k, v in total.items()}
            run.params["batch"] = {"size": R, "index": r, "brian_seed": batch_seed,
                                   "timing": dict(total)}  # fmt: skip
        return runs
