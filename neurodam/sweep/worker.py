"""The worker side of a sweep: compute a chunk of points and store each one as it finishes.

:func:`run_chunk` is what a pool process or a Dask worker runs. It sets the process's
Brian2 build folder (``NEURODAM_BUILD_DIR``), calls the point or group function, turns
its output (or exception) into a point record and writes it atomically; see
:mod:`neurodam.sweep.executors` for the contract of the point functions and
:mod:`neurodam.sweep.store` for the record.
"""

from __future__ import annotations

import copy
import logging
import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neurodam.sweep.grid import Point
from neurodam.sweep.store import (
    RESERVED,
    PointResult,
    _now,
    _result_dict,
    encode_result,
    flatten,
    write_events,
    write_record,
)

log = logging.getLogger(__name__)

__all__ = ["Task", "init_worker", "run_chunk"]

_TRACEBACK_CHARS = 4000


@dataclass(frozen=True)
class Task:
    """A chunk of points and everything a worker needs to compute and store them."""

    points_dir: str
    spec_key: str
    seed_key: str
    points: list
    fn: Callable
    grouped: bool
    required: tuple
    build_root: str
    version: dict
    save_events: bool


def _error(exc: BaseException) -> dict:
    tb = "".join(traceback.format_exception(exc))
    return {"type": type(exc).__name__, "message": str(exc), "traceback": tb[-_TRACEBACK_CHARS:]}


def _check_result(point: Point, task: Task, out: Any) -> tuple[dict, dict, dict, Any]:
    """(encoded result, nonfinite map, timings, events) of a point's output, or raise."""
    timings, events = {}, None
    if isinstance(out, PointResult):
        timings = {str(k): float(v) for k, v in dict(out.timings).items()}
        events = out.events if task.save_events else None
        out = out.result
    encoded, nonfinite = encode_result(_result_dict(out))
    flat = flatten(encoded)
    taken = set(RESERVED) | set(flatten(point.params)) | {f"time_{s}" for s in timings}
    clash = sorted(set(flat) & taken)
    if clash:
        raise ValueError(f"result: column(s) {clash} collide with parameter or reserved columns")
    for name in task.required:
        if name not in flat:
            raise ValueError(f"{name}: required result value is missing")
        value = flat[name]
        if name in nonfinite:
            raise ValueError(f"{name}: required result value is {nonfinite[name]}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name}: required result value is not a number: {value!r}")
    return encoded, nonfinite, timings, events


def _store(point: Point, task: Task, out: Any, elapsed: float, started: str, tally: dict) -> None:
    """Store one point's outcome (a result or an exception) and count it in ``tally``."""
    t0 = time.perf_counter()
    record: dict[str, Any] = {
        "format": "neurodam.sweep.point",
        "format_version": 1,
        "key": point.key,
        "spec_key": task.spec_key,
        "params": point.params,
        "overrides": point.overrides,
        "seed": point.seed,
        "status": "failed",
        "error": None,
        "timings": {},
        "result": None,
        "nonfinite": {},
        "events": None,
        "version": task.version,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "started": started,
        "finished": None,
    }
    events = None
    if isinstance(out, BaseException):
        record["error"] = _error(out)
    else:
        try:
            encoded, nonfinite, timings, events = _check_result(point, task, out)
            if events:
                record["events"] = write_events(Path(task.points_dir), point.key, events)
            record.update(status="done", result=encoded, nonfinite=nonfinite, timings=timings)
        except Exception as exc:  # a bad result, or events that cannot be saved
            record.update(status="failed", error=_error(exc), result=None, nonfinite={})
    t_store = time.perf_counter() - t0
    record["timings"] = {**record["timings"], "store": t_store, "total": elapsed + t_store}
    record["finished"] = _now()
    write_record(Path(task.points_dir), record)
    if record["status"] == "failed":
        log.info("point %s failed: %s", point.key, record["error"]["message"])
    tally[record["status"]] += 1
    tally["store_s"] += time.perf_counter() - t0  # with the JSON write and its fsync


def _run_points(task: Task, tally: dict) -> None:
    for point in task.points:
        started, t0 = _now(), time.perf_counter()
        try:
            out = task.fn(copy.deepcopy(point.params), point.seed)
        except Exception as exc:
            out = exc
        _store(point, task, out, time.perf_counter() - t0, started, tally)


def _run_group(task: Task, tally: dict) -> None:
    remaining = list(task.points)
    while remaining:
        by_key = {p.key: p for p in remaining}
        yielded = False
        started, t0 = _now(), time.perf_counter()
        try:
            for key, out in task.fn(list(remaining)):
                point = by_key.pop(key, None)
                if point is None:
                    raise RuntimeError(f"group_fn: yielded key {key!r}, not a pending point")
                _store(point, task, out, time.perf_counter() - t0, started, tally)
                remaining.remove(point)
                yielded = True
                started, t0 = _now(), time.perf_counter()
        except Exception as exc:
            victims = remaining[:1] if yielded else list(remaining)
            for point in victims:
                _store(point, task, exc, time.perf_counter() - t0, started, tally)
                remaining.remove(point)
            continue
        for point in remaining:  # the generator ended without these
            err = RuntimeError("group_fn: ended without yielding a result for this point")
            _store(point, task, err, 0.0, started, tally)
        break


def run_chunk(task: Task) -> dict:
    """Worker entry: compute and store a chunk of points.

    Returns ``{"done": n, "failed": n, "store_s": seconds}``, the last with the atomic
    writes and their fsync (which a point's own ``store`` timing cannot include).
    """
    build = Path(task.build_root) / f"{socket.gethostname()}-{os.getpid()}"
    build.mkdir(parents=True, exist_ok=True)
    os.environ["NEURODAM_BUILD_DIR"] = str(build)
    tally = {"done": 0, "failed": 0, "store_s": 0.0}
    (_run_group if task.grouped else _run_points)(task, tally)
    return tally


def init_worker(parent_pid: int) -> None:
    """Pool worker: leave Ctrl-C to the sweep process, and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="neurodam-sweep-watchdog", daemon=True).start()
