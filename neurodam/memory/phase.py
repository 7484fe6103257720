"""Phase diagrams of Hebbian memories by Monte Carlo, with the replica theory on top.

:func:`phase_diagram` measures the retrieval overlap over a grid of a control parameter x
and the temperature T, one sweep-engine point (:mod:`neurodam.sweep`) per (x, T, seed);
the points of one x and one seed share their patterns and advance together, as B replicas
of one asynchronous heat bath (:mod:`neurodam.memory._glauber`: the single-neuron Glauber
rule of the reference engine, which samples ``exp(-E/T)``). Kinds:

``"hopfield"``      x = alpha = K/N, Rademacher patterns, F = x^2; theory: the overlap of
                    the replica-symmetric retrieval state ``hopfield_rs(alpha, T).m`` and
                    the retrieval line ``T_M(alpha)`` (Amit, Gutfreund & Sompolinsky 1985,
                    1987).
``"dense"``         x = alpha = K / N^(P-1), F = x^P; theory at low load: the retrieval
                    branch ``dense_overlap(P, T)``, its first-order transition T_c and
                    spinodal (Krotov & Hopfield 2016; :func:`~.theory.dense_transition`).
``"supervised"``,   x = rho, the dataset entropy: K archetypes, M noisy examples of quality
``"unsupervised"``  ``r = 1/sqrt(1 + M rho)`` each, couplings of
                    :func:`~neurodam.memory.learning.from_examples` (normalisation "R");
                    the overlap is measured with archetype 0; theory (pairwise, low load):
                    ``supervised_overlap(r, M, T)`` (Agliari et al. 2023).

Temperatures are neurodam's Glauber temperatures: the energy is ``E = -(N/P) sum_mu
m_mu^P`` (m_mu = xi^mu . sigma / N), the normalisation of :mod:`neurodam.memory.theory`,
so the theory needs no rescaling. Runs start from pattern (or archetype) 0
(``start="pattern"``, the retrieval state: its (meta)stability) or from random states.

:func:`dense_hysteresis` runs the ordered and disordered starts of the dense model side
by side over T (the first-order transition between them).
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurodam._validate import check_choice, check_int
from neurodam.memory import theory as th

__all__ = ["KINDS", "Hysteresis", "PhaseDiagram", "dense_hysteresis", "phase_diagram"]

KINDS = ("hopfield", "dense", "supervised", "unsupervised")
_XNAME = {"hopfield": "alpha", "dense": "alpha", "supervised": "rho", "unsupervised": "rho"}


# ------------------------------------------------------------------ one group of points
def _network(kind: str, x: float, N: int, P: int, K: int, M: int, rng: np.random.Generator):
    """(patterns, target pattern 0) of one point (kind, x) drawn from ``rng``."""
    from neurodam import patterns as pat

    if kind in ("hopfield", "dense"):
        n_pat = max(1, int(round(x * float(N) ** (P - 1))))
        xi = pat.rademacher(n_pat, N, seed=rng).astype(np.float64)
        return xi, xi[0]
    from neurodam.memory.learning import from_examples

    r = 1.0 / math.sqrt(1.0 + M * x)
    arch = pat.rademacher(K, N, seed=rng)
    eta = pat.noisy_examples(arch, M, r, seed=rng)
    if kind == "supervised":
        xi = from_examples(eta, "supervised", P=P, r=r)
    else:
        xi = from_examples(eta.reshape(K * M, N), "unsupervised", P=P, r=r, M=M)
    return xi, arch[0].astype(np.float64)


def _run_replicas(kind, x, N, P, K, M, sweeps, measure, start, temperatures, seed):
    """Mean target overlap over the last ``measure`` sweeps for each temperature."""
    from neurodam.memory._glauber import heat_bath

    rng = np.random.default_rng(seed)
    xi, target = _network(kind, x, N, P, K, M, rng)
    B = len(temperatures)
    if start == "pattern":
        s0 = np.where(target >= 0, 1.0, -1.0)
        S = np.repeat(s0[:, None], B, axis=1)
    else:
        S = np.where(rng.random((N, B)) < 0.5, 1.0, -1.0)
    _, ov, _ = heat_bath(
        xi, P, np.asarray(temperatures), S, sweeps, rng, targets=target[None, :], measure=measure
    )
    m = ov[:, 0, :]  # (measure, B)
    return m.mean(axis=0), np.abs(m).mean(axis=0), m[-1]


def _phase_group(points: list) -> Any:
    """Sweep group function: the points of one x; one replica batch per seed."""
    by_seed: dict[int, list] = {}
    for p in points:
        by_seed.setdefault(p.seed, []).append(p)
    for seed, pts in by_seed.items():
        q = pts[0].params
        Ts = [float(p.params["T"]) for p in pts]
        args = (q["kind"], float(q["x"]), int(q["N"]), int(q["P"]), int(q["K"]), int(q["M"]))
        m, m_abs, m_last = _run_replicas(
            *args, int(q["sweeps"]), int(q["measure"]), q["start"], Ts, seed
        )
        for k, p in enumerate(pts):
            yield p.key, {"m": float(m[k]), "m_abs": float(m_abs[k]), "m_last": float(m_last[k])}


def _edges(v: np.ndarray) -> np.ndarray:
    """Cell edges around grid values (midpoints; half a step beyond the ends)."""
    v = np.asarray(v, dtype=np.float64)
    if v.size == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = 0.5 * (v[1:] + v[:-1])
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])


# ------------------------------------------------------------------ result
@dataclass(frozen=True)
class PhaseDiagram:
    """Monte Carlo retrieval overlaps on an (x, T) grid and the theory (:func:`phase_diagram`).

    Attributes
    ----------
    kind : str
    x_name : str
        ``"alpha"`` or ``"rho"``.
    x : ndarray (n_x,)
    T : ndarray (n_T,)
    overlaps : ndarray (n_T, n_x, n_seeds)
        Overlap with pattern (archetype) 0, averaged over the last ``measure`` sweeps.
    N, P, K, M : int
    params : dict
        sweeps, measure, start, seeds, wall seconds, sweep folder.
    """

    kind: str
    x_name: str
    x: np.ndarray
    T: np.ndarray
    overlaps: np.ndarray
    N: int
    P: int
    K: int
    M: int
    params: dict = field(default_factory=dict)

    @property
    def m(self) -> np.ndarray:
        """Mean overlap over seeds, (n_T, n_x)."""
        return self.overlaps.mean(axis=2)

    @property
    def sem(self) -> np.ndarray:
        """Standard error of that mean (0 with one seed)."""
        n = self.overlaps.shape[2]
        return self.overlaps.std(axis=2, ddof=1) / math.sqrt(n) if n > 1 else 0 * self.m

    def theory(self, T: np.ndarray | None = None, x: np.ndarray | None = None) -> np.ndarray:
        """The replica-symmetric / mean-field overlap on the grid (or given T, x), (n_T, n_x)."""
        T = self.T if T is None else np.asarray(T, dtype=np.float64)
        x = self.x if x is None else np.asarray(x, dtype=np.float64)
        out = np.empty((T.size, x.size))
        for j, xv in enumerate(x):
            if self.kind == "hopfield":
                out[:, j] = th.hopfield_rs(float(xv), T).m
            elif self.kind == "dense":
                out[:, j] = th.dense_overlap(self.P, T)
            else:
                r = 1.0 / math.sqrt(1.0 + self.M * float(xv))
                out[:, j] = th.supervised_overlap(r, self.M, T)
        return out

    def theory_line(self, x: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """The theory's transition lines over x: ``{"T_M": ...}`` (hopfield), ``{"T_c":
        ..., "T_spinodal": ...}`` (dense, low load), ``{"T=1": ...}`` (learning, R
        normalisation: the pairwise retrieval transition)."""
        x = self.x if x is None else np.asarray(x, dtype=np.float64)
        if self.kind == "hopfield":
            return {"T_M": np.asarray(th.hopfield_tm(x), dtype=np.float64)}
        if self.kind == "dense":
            tr = th.dense_transition(self.P)
            return {"T_c": np.full(x.size, tr.T_c), "T_spinodal": np.full(x.size, tr.T_spinodal)}
        return {"T=1": np.ones(x.size)}

    def boundary(self, level: float = 0.4) -> np.ndarray:
        """Per x, the lowest T where the mean overlap falls below ``level`` (linear
        interpolation between grid temperatures; nan when it never does)."""
        m, T = self.m, self.T
        out = np.full(self.x.size, np.nan)
        for j in range(self.x.size):
            for k in range(1, T.size):
                if m[k - 1, j] >= level > m[k, j]:
                    f = (m[k - 1, j] - level) / (m[k - 1, j] - m[k, j])
                    out[j] = T[k - 1] + f * (T[k] - T[k - 1])
                    break
        return out

    def theory_boundary(self, level: float = 0.4, n: int = 400) -> np.ndarray:
        """The same crossing for the theory overlap (on a fine T grid)."""
        Tf = np.linspace(self.T.min(), self.T.max(), n)
        th_m = self.theory(Tf)
        out = np.full(self.x.size, np.nan)
        for j in range(self.x.size):
            below = np.flatnonzero(th_m[:, j] < level)
            if below.size and below[0] > 0:
                k = below[0]
                f = (th_m[k - 1, j] - level) / (th_m[k - 1, j] - th_m[k, j])
                out[j] = Tf[k - 1] + f * (Tf[k] - Tf[k - 1])
        return out

    def plot(self, ax=None, *, level: float | None = 0.4, cmap: str = "viridis"):
        """Colour map of the mean overlap with the theory lines on top; returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        xe, te = _edges(self.x), _edges(self.T)
        mesh = ax.pcolormesh(xe, te, self.m, cmap=cmap, vmin=0, vmax=1, shading="flat")
        ax.figure.colorbar(mesh, ax=ax, label="overlap m")
        xf = np.linspace(self.x.min(), self.x.max(), 200)
        styles = iter(["w-", "w--", "w:"])
        for name, line in self.theory_line(xf).items():
            ax.plot(xf, line, next(styles), lw=1.5, label=name)
        if level is not None:
            ax.plot(self.x, self.boundary(level), "o", color="orange", ms=3,
                    label=f"Monte Carlo m = {level:g}")  # fmt: skip
            if self.kind in ("supervised", "unsupervised"):
                ax.plot(self.x, self.theory_boundary(level), "r-", lw=1,
                        label=f"theory m = {level:g}")  # fmt: skip
        ax.set_xlim(xe[0], xe[-1])
        ax.set_ylim(te[0], te[-1])
        ax.set_xlabel(self.x_name)
        ax.set_ylabel("T")
        ax.set_title(f"{self.kind}, N={self.N}" + (f", P={self.P}" if self.P != 2 else ""))
        ax.legend(fontsize="x-small", loc="upper right")
        return ax


def _grid(values: Any, name: str, lo: float = 0.0) -> np.ndarray:
    a = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)) or np.any(a < lo):
        raise ValueError(f"{name}: expected a 1-D grid of finite values >= {lo:g}, got {values!r}")
    if np.any(np.diff(a) <= 0):
        raise ValueError(f"{name}: expected increasing values, got {values!r}")
    return a


def phase_diagram(
    kind: str = "hopfield",
    x: Any = None,
    T: Any = None,
    *,
    N: int = 1000,
    P: int = 2,
    K: int = 3,
    M: int = 11,
    seeds: int = 2,
    sweeps: int = 40,
    measure: int = 10,
    start: str = "pattern",
    workers: int = 1,
    out: Any = None,
    progress: bool = False,
    seed: int = 0,
) -> PhaseDiagram:
    """Retrieval overlap over an (x, T) grid by Monte Carlo, with the theory on top.

    Parameters
    ----------
    kind : {"hopfield", "dense", "supervised", "unsupervised"}
        Module docstring (x = alpha or rho).
    x : sequence of float
        Loads alpha (``K = round(alpha N^(P-1))`` patterns) or dataset entropies rho.
        Default: 20 loads 0.005..0.2 (hopfield), 20 rho 0.05..2 (learning).
    T : sequence of float >= 0
        Temperatures (T = 0: deterministic sweeps). Default: 20 values 0..1.2.
    N : int
        Neurons.
    P : int
        Interaction order (F = x^P); 2 for "hopfield".
    K, M : int
        Learning kinds: archetypes and examples per archetype (low load: K << N).
    seeds : int
        Independent pattern sets per point.
    sweeps, measure : int
        Asynchronous sweeps per run, and the last sweeps averaged.
    start : {"pattern", "random"}
    workers : int
        Local worker processes of the sweep (0: in this process).
    out : path, optional
        Sweep folder (kept, resumable); default a temporary folder, removed.
    progress : bool
    seed : int
        First seed.

    Returns
    -------
    PhaseDiagram
    """
    import time

    from neurodam import sweep

    check_choice(kind, "kind", KINDS)
    check_choice(start, "start", ("pattern", "random"))
    N = check_int(N, "N", min=2)
    P = check_int(P, "P", min=2)
    if kind == "hopfield" and P != 2:
        raise ValueError(f"P: the Hopfield model has P=2, got {P} (use kind='dense')")
    K = check_int(K, "K", min=1)
    M = check_int(M, "M", min=1)
    seeds = check_int(seeds, "seeds", min=1)
    sweeps = check_int(sweeps, "sweeps", min=1)
    measure = check_int(measure, "measure", min=1, max=sweeps)
    if x is None:
        x = np.linspace(0.01, 0.2, 20) if _XNAME[kind] == "alpha" else np.linspace(0.1, 2.0, 20)
    xs = _grid(x, "x")
    Ts = _grid(np.linspace(0.0, 1.2, 20) if T is None else T, "T")
    base = {"kind": kind, "x": float(xs[0]), "T": float(Ts[0]), "N": N, "P": P, "K": K, "M": M,
            "sweeps": sweeps, "measure": measure, "start": start, "seed": 0}  # fmt: skip
    spec = sweep.make_spec(
        base,
        [("x", [float(v) for v in xs]), ("T", [float(v) for v in Ts])],
        seeds=seeds,
        seed_start=check_int(seed, "seed", min=0),
        model=f"phase:{kind}",
    )
    t0 = time.perf_counter()
    tmp = tempfile.TemporaryDirectory(prefix="neurodam-phase-") if out is None else None
    try:
        folder = tmp.name if tmp is not None else out
        summary = sweep.run_sweep(spec, None, folder, group_fn=_phase_group, group_by=("x",),
                                  workers=workers, chunk_size=Ts.size * seeds,
                                  required=("m",), progress=progress)  # fmt: skip
        df = sweep.load(folder)
    finally:
        if tmp is not None:
            tmp.cleanup()
    if summary.n_failed:
        err = df.loc[df["status"] == "failed", "error"].iloc[0]
        raise RuntimeError(f"phase_diagram: {summary.n_failed} points failed ({err})")
    ov = np.empty((Ts.size, xs.size, seeds))
    ix = {float(v): j for j, v in enumerate(xs)}
    it = {float(v): k for k, v in enumerate(Ts)}
    for row in df.itertuples():
        ov[it[float(row.T)], ix[float(row.x)], int(row.seed) - seed] = row.m
    params = {"sweeps": sweeps, "measure": measure, "start": start, "seeds": seeds,
              "wall_s": time.perf_counter() - t0, "out": out and str(out)}  # fmt: skip
    return PhaseDiagram(kind, _XNAME[kind], xs, Ts, ov, N, P, K, M, params)


# ------------------------------------------------------------------ dense hysteresis
@dataclass(frozen=True)
class Hysteresis:
    """Ordered and disordered starts of the dense P-body model over T (low load).

    Attributes
    ----------
    T : ndarray (n_T,)
    ordered, disordered : ndarray (n_T, n_seeds)
        Mean overlap with pattern 0 over the last sweeps, from pattern 0 / from random states.
    P, N, K : int
    transition : DenseTransition
        The theory (:func:`neurodam.memory.theory.dense_transition`).
    """

    T: np.ndarray
    ordered: np.ndarray
    disordered: np.ndarray
    P: int
    N: int
    K: int
    transition: Any

    def loop(self, level: float = 0.5) -> tuple[float, float]:
        """(T_down, T_up): the highest T where the disordered start ends ordered (mean
        overlap >= level) and the lowest T where the ordered start ends disordered
        (< level); the transition lies between (nan where none on the grid)."""
        o, d = self.ordered.mean(axis=1), self.disordered.mean(axis=1)
        up = self.T[o < level]
        down = self.T[d >= level]
        return (float(down.max()) if down.size else float("nan"),
                float(up.min()) if up.size else float("nan"))  # fmt: skip

    def plot(self, ax=None):
        """Both branches, the theory's retrieval branch and T_c, T_spinodal."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        ax.plot(self.T, self.ordered.mean(axis=1), "o-", ms=3, label="ordered start")
        ax.plot(self.T, self.disordered.mean(axis=1), "s-", ms=3, label="disordered start")
        Tf = np.linspace(self.T.min(), self.T.max(), 300)
        ax.plot(Tf, th.dense_overlap(self.P, Tf), "k:", label="mean-field branch")
        ax.axvline(self.transition.T_c, color="grey", lw=1, label="T_c")
        ax.axvline(self.transition.T_spinodal, color="grey", ls="--", lw=1, label="spinodal")
        ax.set_xlabel("T")
        ax.set_ylabel("overlap m")
        ax.set_title(f"dense P={self.P}, N={self.N}, K={self.K}")
        ax.legend(fontsize="x-small")
        return ax


def dense_hysteresis(
    P: int = 3,
    N: int = 400,
    T: Any = None,
    *,
    K: int = 1,
    sweeps: int = 100,
    measure: int = 50,
    seeds: int = 2,
    seed: int = 0,
) -> Hysteresis:
    """The dense P-body model (``F = "dense:P"``) from ordered and disordered starts.

    For P >= 3 the retrieval transition is first order: the retrieval state stays
    metastable above T_c up to its spinodal and the paramagnet stays metastable below T_c
    (at N -> infinity down to T = 0), so the two starts trace a hysteresis loop around T_c
    (energy ``-(N/P) sum m^P``, Glauber temperature: the normalisation of
    :func:`~neurodam.memory.theory.dense_transition`). K patterns, ``seeds`` pattern sets.
    """
    from neurodam import patterns as pat
    from neurodam.memory._glauber import heat_bath

    P = check_int(P, "P", min=3)
    N = check_int(N, "N", min=2)
    K = check_int(K, "K", min=1)
    seeds = check_int(seeds, "seeds", min=1)
    sweeps = check_int(sweeps, "sweeps", min=1)
    measure = check_int(measure, "measure", min=1, max=sweeps)
    tr = th.dense_transition(P)
    Ts = _grid(np.linspace(0.6, 1.3, 15) * tr.T_c if T is None else T, "T")
    ordered = np.empty((Ts.size, seeds))
    disordered = np.empty((Ts.size, seeds))
    B = Ts.size
    for b in range(seeds):
        rng = np.random.default_rng(seed + b)
        xi = pat.rademacher(K, N, seed=rng).astype(np.float64)
        S = np.concatenate([np.repeat(xi[0][:, None], B, axis=1),
                            np.where(rng.random((N, B)) < 0.5, 1.0, -1.0)], axis=1)  # fmt: skip
        _, ov, _ = heat_bath(xi, P, np.concatenate([Ts, Ts]), S, sweeps, rng,
                             targets=xi[:1], measure=measure)  # fmt: skip
        ordered[:, b] = ov[:, 0, :B].mean(axis=0)
        disordered[:, b] = np.abs(ov[:, 0, B:]).mean(axis=0)  # either sign of an even P
    return Hysteresis(Ts, ordered, disordered, P, N, K, tr)
