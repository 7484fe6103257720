"""The modern (continuous) Hopfield network as a Brian2 model (Ramsauer et al. 2021).

One update ``xi_new = X softmax(beta X^T xi)`` per step ``dt`` (:mod:`neurodam.memory.modern`),
as a bipartite network in named equation blocks, on every device (runtime, numpy,
``cpp_standalone``, ``cuda_standalone``; chosen by :mod:`neurodam.engine`, never here):

* **Feature neurons** i = 1..N hold the continuous state ``x_i`` (:data:`FEATURE_EQS`).
* **Memory units** k = 1..K receive ``a_k = x_k . xi`` (synapses feature -> memory,
  ``a_post = pat * x_pre``, summed) and turn it into the softmax weight
  ``w_k = exp(beta (a_k - c))`` with ``c = lse(beta, a)`` (:data:`MEMORY_EQS`).
* **The normaliser** (one neuron, :data:`NORM_EQS`) computes c by log-sum-exp passes,
  since Brian2 has no max-reduction: pass j sums ``Z_j = sum_k exp(b_j (a_k - c_{j-1}))``
  over the memory units (a summed variable) and sets ``c_j = c_{j-1} + ln(Z_j)/b_j``.
  ``c_0 = A`` bounds every |a_k| (``A = M max(||xi(0)||, M)``: after the first update xi
  lies in the convex hull of the patterns), so no term overflows; ``b_1 = min(beta, 300/A)``
  keeps the largest term above ``e^-600``; ``c_j`` lies within ``ln(K)/b_j`` above
  ``max a``, so ``b_{j+1} = min(beta, 300 b_j / max(1, ln K))`` keeps it there; the last
  pass has ``b = beta`` and gives ``c = lse(beta, a)`` exactly (up to rounding), so the
  weights sum to 1. A handful of passes covers any beta A (each multiplies b by >= 40 for
  K <= e^7).
* Synapses memory -> feature sum ``g_i = sum_k pat_ki w_k`` and the feature neurons set
  ``x_i = g_i`` (all from the same old state: a synchronous update).

Order inside a step (all in the ``start`` slot): 0 overlaps a, 10 + 2j / 11 + 2j pass j,
50 weights, 60 field g, 70 update; the state monitor reads x before the overlaps, so row t
is xi(t) (t = 0..steps). beta (``beta`` of the memory units and the normaliser's ``b_j``)
and ``c_0`` are ``(shared, constant)``: a compiled program reruns with a new beta (within
its number of passes) or a new initial state through :meth:`ModernNetwork.run_args`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from neurodam.memory.modern import ModernRun, _beta, _pair, energy

__all__ = ["FEATURE_EQS", "MEMORY_EQS", "NORM_EQS", "ModernNetwork", "build_modern_network",
           "passes", "run_modern"]  # fmt: skip

#: Feature neurons: the continuous state and the field from the memory units.
FEATURE_EQS = """
x : 1                      # state xi_i
g : 1                      # sum_k pat_ki w_k: the new state
"""
#: Memory units: overlap and softmax weight.
MEMORY_EQS = """
a : 1                      # overlap x_k . xi
w : 1                      # softmax weight exp(beta (a - c))
beta : 1 (shared, constant)
c : 1 (linked)             # lse(beta, a), from the normaliser
"""
#: The normaliser: c_0 and, per log-sum-exp pass j, Z_j, c_j and b_j (added by passes()).
NORM_EQS = "c0 : 1 (shared, constant)   # bound on |a_k|\n"

ORDER = {"overlaps": 0, "passes": 10, "weights": 50, "field": 60, "update": 70}
_B = 300.0


def passes(beta: float, A: float, K: int) -> list[float]:
    """The exponents b_j of the log-sum-exp passes (module docstring)."""
    b = [min(beta, _B / max(A, 1e-300))]
    while b[-1] < beta:
        b.append(min(beta, _B * b[-1] / max(1.0, math.log(K))))
    return b


def _bound(X: np.ndarray, s0: np.ndarray) -> float:
    M = float(np.sqrt((X * X).sum(axis=1).max()))
    return M * max(float(np.linalg.norm(s0)), M) * (1.0 + 1e-9) + 1e-300


@dataclass
class ModernNetwork:
    """The Brian2 objects of a modern Hopfield network (:func:`build_modern_network`)."""

    network: Any
    feature: Any
    memory: Any
    norm: Any
    monitor: Any
    patterns: np.ndarray
    beta: float
    init: np.ndarray
    steps: int
    dt: float
    n_passes: int

    @property
    def duration_s(self) -> float:
        """``steps`` updates plus the step that records the last state."""
        return (self.steps + 1) * self.dt

    def run_args(self, beta: float | None = None, init: Any = None) -> dict:
        """``run_args`` for a rerun: a new beta (needing at most the compiled number of
        passes) and/or a new initial state."""
        beta = self.beta if beta is None else _beta(beta)
        s0 = self.init if init is None else _pair(self.patterns, init)[1]
        if s0.ndim != 1:
            raise ValueError(f"init: expected one state (N,), got shape {s0.shape}")
        A = _bound(self.patterns, s0)
        b = passes(beta, A, self.patterns.shape[0])
        if len(b) > self.n_passes:
            raise ValueError(
                f"beta: {beta!r} needs {len(b)} log-sum-exp passes, the network was built "
                f"with {self.n_passes}; rebuild it"
            )
        b += [beta] * (self.n_passes - len(b))  # extra passes with b = beta keep c
        args = {self.memory.beta: beta, self.norm.c0: A}
        for j, bj in enumerate(b, start=1):
            args[getattr(self.norm, f"b{j}")] = bj
        if init is not None:
            args[self.feature.x] = s0
        return args

    def collect(self, beta: float | None = None, extra: dict | None = None) -> ModernRun:
        """The :class:`~neurodam.memory.modern.ModernRun` of the last (re)run."""
        from neurodam.memory.modern import softmax

        beta = self.beta if beta is None else beta
        S = np.asarray(self.monitor.x[:], dtype=np.float64).T[: self.steps + 1]
        if S.shape[0] != self.steps + 1:
            raise RuntimeError(
                f"collect: expected {self.steps + 1} recorded states, got {S.shape[0]}"
            )
        X = self.patterns
        W = softmax(beta, X @ S[:-1].T).T
        params = {"N": X.shape[1], "K": X.shape[0], "passes": self.n_passes, **(extra or {})}
        return ModernRun(S, np.asarray(energy(X, S.T, beta)), W, float(beta), params)


def build_modern_network(
    patterns: Any,
    init: Any,
    beta: float,
    steps: int = 1,
    *,
    dt: float = 1e-3,
    max_beta: float | None = None,
    name: str = "mhn",
) -> ModernNetwork:
    """Build the modern Hopfield network on the active Brian2 device (module docstring).

    Parameters
    ----------
    patterns : (K, N) array of real values
    init : (N,) array
        xi(0).
    beta : float > 0
    steps : int
        Updates to run (the network runs ``(steps + 1) dt``: the last step records).
    dt : float
        Seconds per update.
    max_beta : float, optional
        Compile enough log-sum-exp passes for reruns up to this beta (default: beta).
    """
    import brian2 as b2

    from neurodam._validate import check_int, check_seconds

    beta = _beta(beta)
    X, s0 = _pair(patterns, init)
    if s0.ndim != 1:
        raise ValueError(f"init: expected one state (N,), got shape {s0.shape}")
    steps = check_int(steps, "steps", min=1)
    dt = check_seconds(dt, "dt", what="a step length")
    K, N = X.shape
    A = _bound(X, s0)
    n = len(passes(max(beta, _beta(max_beta) if max_beta is not None else beta), A, K))
    b = passes(beta, A, K)
    b += [beta] * (n - len(b))  # extra passes with b = beta keep c = lse
    clock = {"dt": dt * b2.second}
    feature = b2.NeuronGroup(N, FEATURE_EQS, name=f"{name}_feature", **clock)
    memory = b2.NeuronGroup(K, MEMORY_EQS, name=f"{name}_memory", **clock)
    norm_eqs = NORM_EQS + "".join(
        f"Z{j} : 1\nc{j} : 1\nb{j} : 1 (shared, constant)\n" for j in range(1, n + 1)
    )
    norm = b2.NeuronGroup(1, norm_eqs, name=f"{name}_norm", **clock)
    kk, ii = np.meshgrid(np.arange(K), np.arange(N), indexing="ij")
    kk, ii = kk.ravel(), ii.ravel()
    up = b2.Synapses(feature, memory, "pat : 1 (constant)\na_post = pat*x_pre : 1 (summed)",
                     name=f"{name}_up", **clock)  # fmt: skip
    up.connect(i=ii, j=kk)
    up.pat = X[kk, ii]
    down = b2.Synapses(memory, feature, "pat : 1 (constant)\ng_post = pat*w_pre : 1 (summed)",
                       name=f"{name}_down", **clock)  # fmt: skip
    down.connect(i=kk, j=ii)
    down.pat = X[kk, ii]
    sums = "\n".join(
        f"Z{j}_post = exp(b{j}_post*(a_pre - {'c0' if j == 1 else f'c{j - 1}'}_post)) : 1 (summed)"
        for j in range(1, n + 1)
    )
    to_norm = b2.Synapses(memory, norm, sums, name=f"{name}_to_norm", **clock)
    to_norm.connect()
    memory.c = b2.linked_var(norm, f"c{n}", index=np.zeros(K, dtype=int))
    _at(up.summed_updaters["a_post"], ORDER["overlaps"])
    for j in range(1, n + 1):
        _at(to_norm.summed_updaters[f"Z{j}_post"], ORDER["passes"] + 2 * j)
        prev = "c0" if j == 1 else f"c{j - 1}"
        norm.run_regularly(f"c{j} = {prev} + log(Z{j})/b{j}", when="start",
                           order=ORDER["passes"] + 2 * j + 1, name=f"{name}_pass{j}")  # fmt: skip
    memory.run_regularly("w = exp(beta*(a - c))", when="start", order=ORDER["weights"],
                         name=f"{name}_weights")  # fmt: skip
    _at(down.summed_updaters["g_post"], ORDER["field"])
    feature.run_regularly("x = g", when="start", order=ORDER["update"], name=f"{name}_update")
    monitor = b2.StateMonitor(feature, "x", record=True, when="start", order=-100,
                              name=f"{name}_xmon")  # fmt: skip
    feature.x = s0
    memory.beta = beta
    norm.c0 = A
    for j, bj in enumerate(b, start=1):
        setattr(norm, f"b{j}", bj)
    net = b2.Network(feature, memory, norm, up, down, to_norm, monitor, name=f"{name}_network")
    return ModernNetwork(net, feature, memory, norm, monitor, X, beta, s0, steps, dt, n)


def _at(obj: Any, order: int) -> None:
    obj.when = "start"
    obj.order = order


def run_modern(
    patterns: Any,
    init: Any,
    beta: float,
    steps: int = 1,
    *,
    backend: str = "runtime",
    dt: float = 1e-3,
    betas: Any = None,
    **kwargs: Any,
) -> ModernRun | list[ModernRun]:
    """Build and run the Brian2 model through :func:`neurodam.engine.run_network`.

    ``betas``: further runs of the same compiled network with these inverse temperatures
    (a ``cpp_standalone`` program is compiled once); then a list of runs is returned.
    ``kwargs`` go to ``run_network`` (``build_dir``, ``progress``, ...).
    """
    from neurodam import engine

    beta = _beta(beta)
    box: dict = {}

    extra_betas = [] if betas is None else [_beta(v) for v in betas]

    def build():
        top = max([beta, *extra_betas])
        box["net"] = build_modern_network(patterns, init, beta, steps, dt=dt, max_beta=top)
        return box["net"]

    seen = [beta]

    def collect(net):
        return net.collect(seen[0], {"backend": backend})

    if not extra_betas:
        res = engine.run_network(build, (steps + 1) * dt, collect, backend=backend, seed=0,
                                 **kwargs)  # fmt: skip
        out = res.output
        out.params["timing"] = dict(res.timing)
        return out
    runs = []
    with engine.Session(backend, build_dir=kwargs.pop("build_dir", None)) as session:
        res = session.run(build, (steps + 1) * dt, collect, seed=0, **kwargs)
        res.output.params["timing"] = dict(res.timing)
        runs.append(res.output)
        for bv in extra_betas:
            seen[0] = bv
            res = session.rerun(collect, run_args=box["net"].run_args(beta=bv), seed=0, **kwargs)
            res.output.params["timing"] = dict(res.timing)
            runs.append(res.output)
    return runs
