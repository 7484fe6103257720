r"""The SEDAM temporal-complexity study as a sweep: simulate -> events -> indicators per point.

Cafiso & Paradisi (2026) map the temporal complexity of the stochastic exponential dense
associative memory (SEDAM) over the noise p and the memory load K. This module is what
``neurodam sweep MODEL.yaml`` runs at every (parameter set, seed) of such a map:

1. **simulate** the model of the point (its memory keys: :mod:`neurodam.memory.config`),
   recording only the overlaps :math:`m_\mu(t)` and the population activity :math:`A(t)`
   (firing neurons per step);
2. **events** of three kinds, on the model's step lattice (``dt``), exactly:

   ``transitions``   births and deaths of the avalanches of :math:`A(t) > \theta`
                     (:func:`~neurodam.analysis.events_from_activity`);
   ``coincidences``  onsets of the runs of steps with :math:`A(t) \ge k`;
   ``switches``      changes of the retrieved memory :math:`\arg\max_\mu m_\mu(t)`, runs
                     shorter than ``switch_min_steps`` ignored as blips, and entries to and
                     exits from "no memory", :math:`Q(t) < q`
                     (:func:`~neurodam.analysis.switch_events`);
3. **indicators**: :math:`\bar Q` and its spread, the activity, and per kind of event the
   rate (events per step), the inter-event CV, the waiting-time index mu (direct fit, its
   range, the exponential alternative's verdict), H of the AJ, AJL and SJ walks, the
   diffusion-entropy delta and the renewal verdict
   (:func:`~neurodam.analysis.complexity_report`), plus the avalanche exponents tau and
   alpha with the power law's verdict.

The analysis keys (thresholds of the events, renewal policy, ...) are described in
:mod:`neurodam.sweep.sedam_analysis`.

Functions
---------
load_model(path)          a model file as the sweep's base mapping (defaults filled in)
validate(params)          the model's own checks plus the analysis keys (before any run)
run_group(points)         the sweep's group function: simulate a group, analyse each point
run_point(params, seed)   the same for one point (a point function)
analyse_run(run, ...)     events and indicators of one MemoryRun
simulate_point(params)    re-simulate a stored point (the report's chosen points)
point_events(dir, key)    the stored events of a point as EventTimes

References
----------
Cafiso & Paradisi (2026), arXiv 2601.11478; Demircigil et al. (2017) J Stat Phys 168:288;
Paradisi et al. (2012) Rep Math Phys 70:205; Allegrini et al. (2009) Phys Rev E 80:061914.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from neurodam.sweep.grid import Point
from neurodam.sweep.sedam_analysis import (
    ANALYSIS_DEFAULTS,
    KINDS,
    StudyAnalysis,
    analyse_run,
    encode_events,
    kind_report,
    point_events,
)
from neurodam.sweep.store import PointResult

log = logging.getLogger(__name__)

__all__ = [
    "ANALYSIS_DEFAULTS",
    "GROUP_BY",
    "KINDS",
    "MODEL",
    "REQUIRED",
    "StudyAnalysis",
    "analyse_run",
    "kind_report",
    "load_model",
    "point_events",
    "run_group",
    "run_point",
    "simulate_point",
    "validate",
]

#: Keys whose equal values run in one worker task (one pattern set, one compiled program).
GROUP_BY = ("patterns", "N", "K", "F", "steps", "backend")
#: Result columns that must be finite for a point to count as done.
REQUIRED = ("Q_bar",)
#: Model name hashed into the point keys of a study (never mixed with other sweeps).
MODEL = "sedam-study"
#: What the sweep records (the spikes are not needed: the events come from A(t) and m(t)).
RECORD = ("overlaps", "activity")
#: Most runs of one group advanced together as replicas (one N x R state matrix).
MAX_REPLICAS = 32
#: Bytes the recordings of one replica batch may take (fewer replicas when they would not fit).
REPLICA_MEMORY = 1 << 30


# ------------------------------------------------------------------ model and checks
def load_model(path: str | Path) -> dict[str, Any]:
    """A model file as the base mapping of a sweep: every key settable with ``--set``.

    Reads the YAML mapping of ``path`` (``kind: memory`` only), fills in the defaults of
    the keys it leaves out (the memory keys of :mod:`neurodam.memory.config`, ``N: null``
    = the pattern source's size, and :data:`ANALYSIS_DEFAULTS` under ``analysis``) and
    checks it with :func:`validate`.
    """
    import yaml

    from neurodam.memory.params import MemoryParams

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file not found: {path}")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"config: {path} is not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ValueError(f"config: {path} must hold a mapping of keys to values")
    kind = raw.pop("kind", "memory")
    if kind != "memory":
        raise ValueError(f"kind: the SEDAM study sweeps associative memories, got {kind!r}")
    base: dict[str, Any] = {"name": path.stem, "description": "", "reference": ""}
    base.update(N=None, K=10, c=0.0, d=0.0, pattern_seed=0, images="first", mnist_dir=None)
    defaults = MemoryParams().to_dict()
    base.update({k: v for k, v in defaults.items() if k not in ("record",)})
    base.update(raw)
    analysis = raw.get("analysis") or {}
    if not isinstance(analysis, Mapping):
        raise TypeError(f"analysis: expected a mapping of analysis keys, got {analysis!r}")
    base["analysis"] = {**ANALYSIS_DEFAULTS, **analysis}
    base.pop("record", None)  # the sweep records what it needs (RECORD)
    validate(base)
    return base


def validate(params: Mapping[str, Any]):
    """The checks of a point's parameters, before any simulation: the memory model's own
    (:func:`neurodam.memory.config.from_mapping`: noise in [0, 0.5], an integer K, known
    keys, patterns available, ...) and the analysis keys (:class:`StudyAnalysis`).

    Returns the :class:`~neurodam.memory.config.MemoryConfig`; raises ``TypeError`` /
    ``ValueError`` naming the parameter.
    """
    from neurodam.memory.config import from_mapping

    raw = dict(params)
    raw.pop("record", None)
    cfg = from_mapping(raw, str(raw.get("name") or ""))
    StudyAnalysis.from_mapping(cfg.analysis)
    return cfg


def _config(params: Mapping[str, Any]):
    """(MemoryConfig with the sweep's record, StudyAnalysis) of a point."""
    cfg = validate(params)
    cfg = dataclasses.replace(cfg, params=cfg.params.replace(record=RECORD))
    return cfg, StudyAnalysis.from_mapping(cfg.analysis)


# ------------------------------------------------------------------ simulation
def _build_key(cfg) -> str:
    """What a group of runs shares: everything but the noise, the seed and the start."""
    import json

    d = cfg.as_dict()
    for k in ("noise", "seed", "init", "analysis", "name", "description", "reference"):
        d.pop(k, None)
    return json.dumps(d, sort_keys=True, default=str)


def _replica_width(params, n_patterns: int, max_replicas: int) -> int:
    """Replicas per batch: at most ``max_replicas``, fewer when their recordings (float32
    overlaps and the activity of every step) would pass :data:`REPLICA_MEMORY` bytes."""
    per_run = int(params.steps) * (4 * int(n_patterns) + 8)
    return int(max(1, min(max_replicas, REPLICA_MEMORY // max(per_run, 1))))


def _replicas_available() -> bool:
    try:
        import neurodam.memory.replicas  # noqa: F401
    except ImportError:
        return False
    return True


def _single_runs(xi, members: list) -> Iterator[tuple[Point, Any, float]]:
    """One run per point: the reference engine, or one Brian2 session rerun per point."""
    from neurodam.memory import reference
    from neurodam.memory.session import MemorySession

    if members[0][1].params.backend == "reference":
        for point, cfg in members:
            t0 = time.perf_counter()
            try:
                run = reference.run(xi, cfg.params)
            except Exception as exc:
                run = exc
            yield point, run, time.perf_counter() - t0
        return
    with MemorySession(xi, members[0][1].params) as session:
        for point, cfg in members:
            P = cfg.params
            t0 = time.perf_counter()
            try:
                run = session.run(noise=P.noise, seed=P.seed, init=P.init)
            except Exception as exc:
                run = exc
            yield point, run, time.perf_counter() - t0


def _replica_runs(xi, members: list, width: int) -> Iterator[tuple[Point, Any, float]]:
    """The points as replicas of batches of at most ``width`` runs
    (:func:`neurodam.memory.replicas.iter_replicas`); each point's time is its share of
    its batch's. A batch that raises is rerun point by point, so that the error lands on
    the point that causes it."""
    from neurodam.memory.replicas import iter_replicas

    params = [cfg.params for _, cfg in members]
    done: set[int] = set()
    batch: list = []
    t_mark = time.perf_counter()
    try:
        for k, run in iter_replicas(xi, params, max_replicas=width):
            batch.append((k, run))
            end = min((k // width + 1) * width, len(members))
            if k + 1 < end:
                continue
            share = (time.perf_counter() - t_mark) / len(batch)
            for i, r in batch:
                done.add(i)
                yield members[i][0], r, share
            batch = []
            t_mark = time.perf_counter()
    except Exception as exc:
        log.warning("replica batch failed (%s: %s); running its points one by one",
                    type(exc).__name__, exc)  # fmt: skip
        yield from _single_runs(xi, [m for i, m in enumerate(members) if i not in done])


def _simulate_group(
    points: Sequence[Point], *, max_replicas: int | None = None
) -> Iterator[tuple[Point, Any, float]]:
    """Simulate the points of one group: ``(point, MemoryRun or exception, seconds)``.

    Points whose patterns and network agree (all but noise, seed and initial state) share
    one pattern matrix and run as **replicas**: their states advance together as one
    N x R matrix, one matrix-matrix product per step
    (:func:`neurodam.memory.replicas.iter_replicas`, batches of at most ``max_replicas``,
    default :data:`MAX_REPLICAS`). On the reference engine a replica is bit-identical to
    its single run; on a Brian2 backend it is statistically identical (Brian2 draws one
    random stream for the whole batch), and a compiled program is reused by every batch
    of the group. ``max_replicas=1``, an asynchronous schedule, or a toolkit without
    replica batching run the points one by one (a Brian2
    :class:`~neurodam.memory.session.MemorySession` rerun with new ``run_args``).
    """
    from neurodam.memory.config import make_patterns

    max_replicas = MAX_REPLICAS if max_replicas is None else int(max_replicas)
    subgroups: dict[str, list] = {}
    for point in points:
        try:
            cfg, _ = _config(point.params)
        except Exception as exc:  # validated before the sweep: only a changed environment
            yield point, exc, 0.0
            continue
        subgroups.setdefault(_build_key(cfg), []).append((point, cfg))
    for members in subgroups.values():
        try:
            xi = make_patterns(members[0][1])
        except Exception as exc:
            for point, _ in members:
                yield point, exc, 0.0
            continue
        first = members[0][1].params
        width = _replica_width(first, xi.shape[0], max_replicas)
        if width > 1 and len(members) > 1 and first.schedule == "sync" and _replicas_available():
            yield from _replica_runs(xi, members, width)
        else:
            yield from _single_runs(xi, members)


def simulate_point(params: Mapping[str, Any], *, record: Sequence[str] = RECORD):
    """Re-simulate a stored point from its parameters (same seed, same run on its backend).

    ``record`` may add ``"states"`` (a raster) to what the sweep recorded.
    """
    from neurodam.memory.config import make_patterns
    from neurodam.memory.simulate import simulate

    cfg, _ = _config(params)
    return simulate(make_patterns(cfg), cfg.params.replace(record=tuple(record)))


# ------------------------------------------------------------------ sweep functions
def _result(point: Point, run, t_sim: float) -> PointResult:
    cfg, an = _config(point.params)
    from neurodam.memory.config import pattern_source

    result, events, timings = analyse_run(run, an, noise=cfg.params.noise, seed=point.seed)
    result["patterns_source"] = pattern_source(cfg)
    timing = dict(run.params.get("timing") or {})
    result["compile_s"] = float(timing.get("codegen", 0.0) + timing.get("compile", 0.0))
    stored = encode_events(events, run.dt) if an.save_events else None
    return PointResult(
        result,
        timings={"simulate": t_sim, "analyse": timings["analyse"], "renewal": timings["renewal"]},
        events=stored,
    )


def run_group(
    points: Sequence[Point], *, max_replicas: int | None = None
) -> Iterator[tuple[str, Any]]:
    """The sweep's group function: ``(key, PointResult or exception)`` per point, in turn.

    The points share :data:`GROUP_BY`; they are simulated by ``_simulate_group`` (one
    pattern matrix, one compiled program) and each run is analysed by
    :func:`analyse_run` as soon as it ends. A run or an analysis that raises is that
    point's failure; the others go on.
    """
    for point, run, t_sim in _simulate_group(points, max_replicas=max_replicas):
        if isinstance(run, BaseException):
            yield point.key, run
            continue
        try:
            out: Any = _result(point, run, t_sim)
        except Exception as exc:
            out = exc
        yield point.key, out


def run_point(params: dict, seed: int) -> PointResult:
    """The point function of the study (one point, no grouping): see :func:`run_group`."""
    params = dict(params)
    params["seed"] = seed  # as a sweep does (grid.SweepSpec.points)
    point = Point(key="point", params=params, seed=seed, overrides={}, index=0)
    (_, out), = run_group([point])  # fmt: skip
    if isinstance(out, BaseException):
        raise out
    return out
