"""Running a sweep: a local process pool by default, or a Dask cluster.

:func:`run_sweep` computes every point of a :class:`~neurodam.sweep.grid.SweepSpec` that is
not finished in its folder yet, and stores each one as soon as it is done.

Point functions
---------------
``point_fn(params, seed) -> dict | PointResult``
    Computes one point (simulate -> events -> indicators). ``params`` is the complete
    parameter mapping of the run (a copy: the function may change it).
``group_fn(points) -> iterator of (key, dict | PointResult | Exception)``
    Computes a list of points that share the ``group_by`` values (e.g. ``N``, ``K``,
    ``patterns``, ``backend``), in the order given, yielding each result as soon as it is
    ready, so that a standalone program is compiled once per group and rerun with
    ``run_args`` for the next noise value or seed. Yield an exception instance for a point
    that failed. If the generator raises before yielding anything, every point of the
    chunk is stored as failed with that error; if it raises later, the point in progress
    is failed and the generator is called again with the remaining points.

Both must be importable module-level functions (they travel to worker processes by
pickle; Dask uses cloudpickle). A point that raises, returns something else than a
mapping, or lacks a finite number for a ``required`` column is stored with status
``"failed"`` and its error; the sweep goes on. Re-running the same sweep skips points
stored as ``"done"`` and retries those stored as ``"failed"`` (``retry_failed=False``
keeps them).

Execution
---------
* ``workers=N`` (default 1): a ``concurrent.futures.ProcessPoolExecutor`` of N ``spawn``
  processes. Workers ignore Ctrl-C and exit when the sweep process dies (a watchdog
  thread), so a killed sweep leaves no orphan writing files. ``workers=0`` runs in the
  calling process (for debugging).
* ``scheduler="tcp://host:port"``: the chunks run as tasks of a ``dask.distributed``
  cluster. The sweep folder must be on a file system all workers share (they write the
  point files; this is checked before starting). An address that does not answer within
  ``connect_timeout`` seconds raises ``ConnectionError`` before any simulation.
* Every worker process gets its own Brian2 build folder through ``NEURODAM_BUILD_DIR``
  (``<build_dir>/<host>-<pid>``, default under the system temp dir, local to the worker).
* Progress: one tqdm bar over points (with ETA), advanced as point files appear.
* Ctrl-C (``KeyboardInterrupt``) stops the sweep: pending chunks are cancelled, local
  workers terminated (the point in progress is lost, finished points are kept) and the
  exception propagates. On Dask, running tasks finish on their own and store their points.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import pickle
import socket
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neurodam._validate import check_int, check_number
from neurodam.sweep.grid import Point, SweepSpec, _lookup
from neurodam.sweep.keys import canonical_json
from neurodam.sweep.store import SweepStore, code_version
from neurodam.sweep.worker import Task, init_worker, run_chunk

log = logging.getLogger(__name__)

__all__ = ["SweepSummary", "run_sweep"]


@dataclass(frozen=True)
class SweepSummary:
    """What :func:`run_sweep` did.

    Attributes
    ----------
    path : pathlib.Path
        The sweep folder.
    n_points : int
        Points of the spec.
    n_done, n_failed, n_pending : int
        Points stored as done / failed / not stored, after this run.
    n_skipped : int
        Points found finished at the start (not recomputed).
    n_run : int
        Points computed in this run.
    store_s : float
        Seconds the workers spent storing this run's points (encoding, atomic writes and
        fsync), summed over workers; a point's ``time_store`` excludes its own JSON write.
    wall_s : float
        Wall-clock seconds of this run.
    """

    path: Path
    n_points: int
    n_done: int
    n_failed: int
    n_pending: int
    n_skipped: int
    n_run: int
    store_s: float
    wall_s: float


# ------------------------------------------------------------------ main side
class _Watcher:
    """Counts point files that appeared or changed since the start (the progress)."""

    def __init__(self, points_dir: Path, keys: Iterable[str]):
        self.dir = points_dir
        self.before = {k: self._sig(points_dir / f"{k}.json") for k in keys}
        self.finished: set[str] = set()

    @staticmethod
    def _sig(path: Path) -> tuple | None:
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def poll(self) -> int:
        new = 0
        with os.scandir(self.dir) as it:
            for entry in it:
                stem = entry.name[:-5]
                if (
                    entry.name.endswith(".json")
                    and stem in self.before
                    and stem not in self.finished
                    and self._sig(Path(entry.path)) != self.before[stem]
                ):
                    self.finished.add(stem)
                    new += 1
        return new


def _chunks(
    points: list[Point], group_by: Sequence[str], chunk_size: int | None, slots: int
) -> list[list[Point]]:
    if not group_by:
        size = chunk_size or 1
        return [points[i : i + size] for i in range(0, len(points), size)]
    groups: dict[tuple, list[Point]] = {}
    for p in points:
        gk = tuple(canonical_json(_lookup(p.params, k)[1]) for k in group_by)
        groups.setdefault(gk, []).append(p)
    chunks = []
    for members in groups.values():
        size = chunk_size or math.ceil(len(members) / max(1, slots))
        chunks += [members[i : i + size] for i in range(0, len(members), size)]
    chunks.sort(key=len, reverse=True)  # long chunks first: better load balance
    return chunks


def _wait_loop(
    futures: list, wait: Callable, watcher: _Watcher, bar: Any, poll: float, tally: dict
) -> None:
    pending = set(futures)
    while pending:
        done, pending = wait(pending, poll)
        _advance(bar, watcher)
        for f in done:
            try:
                _add(tally, f.result())
            except Exception as exc:  # outside any point: a dead worker, a bug
                raise RuntimeError(
                    f"sweep: a worker failed outside any point ({type(exc).__name__}: {exc}); "
                    "finished points are kept, re-run the same command to resume"
                ) from exc
    _advance(bar, watcher)


def _add(tally: dict, counts: dict) -> None:
    for k, v in counts.items():
        tally[k] = tally.get(k, 0) + v


def _advance(bar: Any, watcher: _Watcher) -> None:
    new = watcher.poll()
    if new:
        bar.update(new)


def _execute_local(
    tasks: list[Task], workers: int, watcher: _Watcher, bar, poll: float, tally: dict
) -> None:
    if workers == 0:
        saved = os.environ.get("NEURODAM_BUILD_DIR")
        try:
            for task in tasks:
                _add(tally, run_chunk(task))
                _advance(bar, watcher)
        finally:
            if saved is None:
                os.environ.pop("NEURODAM_BUILD_DIR", None)
            else:
                os.environ["NEURODAM_BUILD_DIR"] = saved
        return
    import concurrent.futures as cf
    import multiprocessing

    def wait(pending, timeout):
        return cf.wait(pending, timeout=timeout, return_when=cf.FIRST_COMPLETED)

    ex = cf.ProcessPoolExecutor(
        max_workers=min(workers, len(tasks)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(os.getpid(),),
    )
    futures: list = []
    try:
        futures += [ex.submit(run_chunk, t) for t in tasks]
        _wait_loop(futures, wait, watcher, bar, poll, tally)
    except BaseException:
        for f in futures:
            f.cancel()
        for proc in list(getattr(ex, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                proc.terminate()
        ex.shutdown(wait=True, cancel_futures=True)
        raise
    ex.shutdown(wait=True)


def _probe(address: str, timeout: float) -> None:
    """Fail at once when nothing listens at a tcp address (Dask would retry until timeout)."""
    scheme, sep, rest = address.partition("://")
    if sep and scheme != "tcp":
        return  # tls://, ucx://, ...: left to Dask
    host, _, port = (rest if sep else address).rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"scheduler: expected an address such as tcp://host:8786, got {address!r}")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ConnectionError(
            f"scheduler: no Dask scheduler answered at {address!r} (check --scheduler and that "
            f"the scheduler runs): {exc}"
        ) from None


def _connect(scheduler: Any, timeout: float):
    """A dask.distributed Client for ``scheduler`` (address or Client); (client, owned)."""
    try:
        from distributed import Client
    except ImportError:
        raise ImportError(
            "scheduler: running on a Dask cluster needs dask.distributed "
            "(pip install 'neurodam[dist]')"
        ) from None
    if isinstance(scheduler, Client):
        return scheduler, False
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise TypeError(
            f"scheduler: expected an address such as tcp://host:8786, got {scheduler!r}"
        )
    address = scheduler.strip()
    _probe(address, timeout)
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:
        raise ConnectionError(
            f"scheduler: no Dask scheduler answered at {address!r} within {timeout:g} s "
            f"(check --scheduler and that the scheduler runs): {exc}"
        ) from None
    return client, True


def _execute_dask(
    client, tasks: list[Task], store: SweepStore, watcher, bar, poll: float, tally: dict
) -> None:
    spec_file = str((store.path / "spec.json").resolve())
    seen = client.run(os.path.isfile, spec_file)
    blind = sorted(w for w, ok in seen.items() if not ok)
    if blind:
        raise ValueError(
            f"out: {store.path} is not visible from Dask worker(s) {', '.join(blind)}; the "
            "sweep folder must be on a file system that every worker shares"
        )

    def wait(pending, timeout):
        done = {f for f in pending if f.done()}
        if not done:
            time.sleep(timeout)
            done = {f for f in pending if f.done()}
        return done, set(pending) - done

    futures = [client.submit(run_chunk, t, pure=False) for t in tasks]
    try:
        _wait_loop(futures, wait, watcher, bar, poll, tally)
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel(futures)
        raise


def _remove_empty(root: Path) -> None:
    """Remove the workers' build folders that the runs left empty (never a file)."""
    if not root.is_dir():
        return
    for sub in root.iterdir():
        with contextlib.suppress(OSError):
            sub.rmdir()
    with contextlib.suppress(OSError):
        root.rmdir()


def _check_fn(fn: Any, name: str, local: bool) -> None:
    if not callable(fn):
        raise TypeError(f"{name}: expected a callable, got {fn!r}")
    if local:
        try:
            pickle.dumps(fn)
        except Exception as exc:
            raise TypeError(
                f"{name}: cannot be sent to worker processes ({exc}); define it at module "
                "level of an importable module, or use workers=0"
            ) from None


def run_sweep(
    spec: SweepSpec,
    point_fn: Callable[[dict, int], Any] | None,
    out: str | os.PathLike,
    *,
    group_fn: Callable[[list[Point]], Iterable[tuple[str, Any]]] | None = None,
    group_by: Sequence[str] | None = None,
    workers: int = 1,
    scheduler: Any = None,
    chunk_size: int | None = None,
    required: Sequence[str] = (),
    retry_failed: bool = True,
    save_events: bool = True,
    progress: bool = True,
    build_dir: str | os.PathLike | None = None,
    connect_timeout: float = 5.0,
    poll: float = 0.2,
) -> SweepSummary:
    """Compute and store every unfinished point of ``spec`` in the folder ``out``.

    Parameters
    ----------
    spec : SweepSpec
        From :func:`~neurodam.sweep.grid.make_spec` (already validated).
    point_fn : callable or None
        ``point_fn(params, seed) -> dict | PointResult`` (see the module docstring).
    out : path-like
        The sweep folder; created, or reopened when it holds the same spec (a different
        spec is a ``ValueError``).
    group_fn : callable, optional
        ``group_fn(points) -> iterator of (key, result)``, instead of ``point_fn``.
    group_by : sequence of str, optional
        Parameter keys whose equal values form a group (one task, one ``group_fn`` call per
        chunk). Each group is split into about one chunk per worker slot, unless
        ``chunk_size`` is given.
    workers : int
        Local worker processes (0: run in this process). Ignored with ``scheduler``.
    scheduler : str or distributed.Client, optional
        Address of a Dask scheduler (``"tcp://host:8786"``) or a connected Client.
    chunk_size : int, optional
        Points per task (default 1 without ``group_by``).
    required : sequence of str
        Flat result columns that must be finite numbers; a point missing one, or with NaN
        or infinity there, is stored as failed.
    retry_failed : bool
        Recompute points stored as failed (default); False keeps them.
    save_events : bool
        Store the events of a :class:`PointResult` as ``<key>.npz``.
    progress : bool
        Show a tqdm progress bar.
    build_dir : path-like, optional
        Parent of the workers' Brian2 build folders (default: a folder in the temp dir).
    connect_timeout : float
        Seconds to wait for the Dask scheduler.
    poll : float
        Seconds between progress updates.

    Returns
    -------
    SweepSummary

    Raises
    ------
    TypeError, ValueError
        Bad arguments, a different sweep in ``out``; raised before any point runs.
    ConnectionError
        ``scheduler`` does not answer within ``connect_timeout``.
    RuntimeError
        Another process runs a sweep in ``out``, or a worker died outside any point
        (finished points are kept; re-run to resume).
    KeyboardInterrupt
        After stopping cleanly (finished points kept).
    """
    from tqdm.auto import tqdm

    t_start = time.perf_counter()
    if not isinstance(spec, SweepSpec):
        raise TypeError(f"spec: expected a SweepSpec (make_spec), got {type(spec).__name__}")
    if (point_fn is None) == (group_fn is None):
        raise TypeError("point_fn: give exactly one of point_fn and group_fn")
    workers = check_int(workers, "workers", min=0)
    connect_timeout = check_number(connect_timeout, "connect_timeout", min=0, min_open=True)
    poll = check_number(poll, "poll", min=0, min_open=True)
    if chunk_size is not None:
        chunk_size = check_int(chunk_size, "chunk_size", min=1)
    group_by = (group_by,) if isinstance(group_by, str) else tuple(group_by or ())
    first = spec.points()[0]
    for key in group_by:
        if not _lookup(first.params, key)[0]:
            raise ValueError(f"group_by: unknown key {key!r}; keys: {', '.join(first.params)}")
    if isinstance(required, str):
        required = (required,)
    required = tuple(required)
    if not all(isinstance(r, str) for r in required):
        raise TypeError(f"required: expected column names, got {required!r}")
    fn, fn_name = (group_fn, "group_fn") if group_fn is not None else (point_fn, "point_fn")
    _check_fn(fn, fn_name, local=scheduler is None and workers > 0)

    client, owned = (None, False)
    if scheduler is not None:
        client, owned = _connect(scheduler, connect_timeout)
    try:
        store = SweepStore.create(out, spec)
        with store.lock():
            store.remove_temporaries()
            statuses = store.statuses()
            todo = [
                p
                for p in spec.points()
                if statuses.get(p.key) != "done"
                and (retry_failed or statuses.get(p.key) != "failed")
            ]
            n_skipped = spec.n_points - len(todo)
            tally: dict = {"done": 0, "failed": 0, "store_s": 0.0}
            log.info("sweep %s: %d points, %d to compute", store.path, spec.n_points, len(todo))
            if todo:
                if build_dir is None:
                    root = Path(tempfile.gettempdir()) / f"neurodam-sweep-{spec.key}"
                else:
                    root = Path(build_dir).resolve()
                slots = workers or 1
                if client is not None:
                    slots = max(1, sum(client.nthreads().values()))
                version = code_version()
                tasks = [
                    Task(
                        points_dir=str(store.points_dir.resolve()),
                        spec_key=spec.key,
                        seed_key=spec.seed_key,
                        points=chunk,
                        fn=fn,
                        grouped=group_fn is not None,
                        required=required,
                        build_root=str(root),
                        version=version,
                        save_events=bool(save_events),
                    )
                    for chunk in _chunks(todo, group_by, chunk_size, slots)
                ]
                watcher = _Watcher(store.points_dir, [p.key for p in todo])
                with tqdm(
                    total=len(todo),
                    desc="sweep",
                    unit="pt",
                    disable=not progress,
                    smoothing=0.1,
                ) as bar:
                    try:
                        if client is not None:
                            _execute_dask(client, tasks, store, watcher, bar, poll, tally)
                        else:
                            _execute_local(tasks, workers, watcher, bar, poll, tally)
                    finally:
                        _remove_empty(root)
            statuses = store.statuses()
    finally:
        if owned:
            with contextlib.suppress(Exception):
                client.close()
    n_done = sum(s == "done" for s in statuses.values())
    n_failed = sum(s == "failed" for s in statuses.values())
    return SweepSummary(
        path=store.path,
        n_points=spec.n_points,
        n_done=n_done,
        n_failed=n_failed,
        n_pending=spec.n_points - n_done - n_failed,
        n_skipped=n_skipped,
        n_run=len(todo),
        store_s=float(tally["store_s"]),
        wall_s=time.perf_counter() - t_start,
    )
