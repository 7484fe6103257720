"""The sweep store: one JSON file per finished point, written atomically, and its loader.

Layout of a sweep folder ``DIR``::

    DIR/spec.json            the sweep's definition (base mapping, axes, seeds, version, time)
    DIR/points/<key>.json    one finished point (status "done" or "failed")
    DIR/points/<key>.npz     its raw events, when the point function returned some
    DIR/.lock                held by the process running the sweep (flock)

Every file is written to a temporary file in the same folder, fsync'ed and renamed, so a
killed sweep leaves each point either complete or absent, never half written. The events
file is written before the JSON file: a point's JSON exists only when all of it is stored.

A point file (``format_version`` 1)::

    {"format": "neurodam.sweep.point", "format_version": 1,
     "key": "3f2a...", "spec_key": "9c1e...",
     "params": {...complete parameter mapping...}, "overrides": {"noise": 0.1, "K": 5},
     "seed": 0, "status": "done" | "failed",
     "error": null | {"type": "ValueError", "message": "...", "traceback": "..."},
     "timings": {"simulate": 1.2, "analyse": 0.1, "store": 0.01, "total": 1.35},
     "result": {...nested result...} | null,
     "nonfinite": {"transitions_mu": "nan", ...},
     "events": "3f2a....npz" | null,
     "version": {"neurodam": "0.1.0", "git": "440638e" | null},
     "worker": "host:pid", "started": "2026-...Z", "finished": "2026-...Z"}

Timings are seconds: the stages the point function reported (``simulate``, ``analyse``,
...; see :class:`PointResult`), ``store`` (checking and encoding the result and writing
the events file; the JSON write itself cannot time itself, see ``SweepSummary.store_s``)
and ``total`` (the point function's wall time plus ``store``). A point of a group
function carries the group's setup (e.g. compilation) in the first point's ``total``.

JSON has no NaN or infinity: non-finite floats of a result are stored as ``null`` and
listed in ``nonfinite`` by their flat column name (``"name[i]"`` inside a list), and
:func:`load` restores them.

Flattening rule (result and parameters to DataFrame columns): nested mappings are joined
with ``_`` (``{"transitions": {"mu": 2.1}}`` is the column ``transitions_mu``); lists stay
one cell (a tuple). Two names that flatten to the same column are an error.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from neurodam.io._atomic import atomic_path
from neurodam.sweep.grid import SweepSpec
from neurodam.sweep.keys import to_jsonable

log = logging.getLogger(__name__)

__all__ = [
    "FORMAT_VERSION",
    "PointResult",
    "SweepStore",
    "flatten",
    "load",
    "load_events",
    "read_spec",
]

FORMAT_VERSION = 1
SPEC_FILE = "spec.json"
POINTS_DIR = "points"
#: Columns every row of :func:`load` has besides parameters, timings and results.
RESERVED = ("key", "seed", "status", "error", "error_type")


@dataclass(frozen=True)
class PointResult:
    """What a point function may return instead of a plain result dict.

    Attributes
    ----------
    result : mapping or object with ``to_dict()``
        The indicators; nested mappings are allowed (see the flattening rule).
    timings : mapping of str to float
        Seconds spent per stage, e.g. ``{"simulate": 3.1, "analyse": 0.4}``; stored under
        ``timings`` and loaded as the columns ``time_<stage>``.
    events : mapping of str to array, optional
        Raw events (e.g. ``{"switches": times}``), stored as ``<key>.npz`` beside the JSON.
    """

    result: Any
    timings: Mapping[str, float] = field(default_factory=dict)
    events: Mapping[str, Any] | None = None


# ------------------------------------------------------------------ flattening
def flatten(mapping: Mapping[str, Any], sep: str = "_", prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings into one level, joining keys with ``sep``.

    ``{"transitions": {"mu": 2.1, "fit": {"xmin": 3}}, "Q_bar": 0.8}`` becomes
    ``{"transitions_mu": 2.1, "transitions_fit_xmin": 3, "Q_bar": 0.8}``. Lists stay
    values. Raises ``ValueError`` when two keys flatten to the same name.
    """
    out: dict[str, Any] = {}
    for k, v in mapping.items():
        name = f"{prefix}{sep}{k}" if prefix else str(k)
        items = flatten(v, sep, name) if isinstance(v, Mapping) and v else {name: v}
        for kk, vv in items.items():
            if kk in out:
                raise ValueError(f"{kk}: two result keys flatten to the same column name")
            out[kk] = vv
    return out


def _result_dict(result: Any) -> dict:
    if hasattr(result, "to_dict") and callable(result.to_dict):
        result = result.to_dict()
    if not isinstance(result, Mapping):
        raise TypeError(
            f"result: a point function must return a mapping (or PointResult), "
            f"got {type(result).__name__}"
        )
    return dict(result)


def encode_result(result: Mapping, name: str = "result") -> tuple[Any, dict[str, str]]:
    """``result`` as strict JSON types, and the map of its non-finite floats by flat name."""
    nonfinite: dict[str, str] = {}

    def enc(value: Any, path: str, flat: str) -> Any:
        if isinstance(value, float | np.floating) and not math.isfinite(float(value)):
            nonfinite[flat] = repr(float(value))  # "nan", "inf", "-inf"
            return None
        if isinstance(value, Mapping):
            return {
                str(k): enc(v, f"{path}.{k}", f"{flat}_{k}" if flat else str(k))
                for k, v in value.items()
            }
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if isinstance(value, list | tuple):
            return [enc(v, f"{path}[{i}]", f"{flat}[{i}]") for i, v in enumerate(value)]
        return to_jsonable(value, path)

    return enc(result, name, ""), nonfinite


def _restore(row: dict, nonfinite: Mapping[str, str]) -> None:
    for flat, text in nonfinite.items():
        col, _, index = flat.partition("[")
        if not index:
            row[col] = float(text)
        elif isinstance(row.get(col), list):
            idx = [int(i) for i in ("[" + index).strip("[]").split("][")]
            node = row[col]
            for i in idx[:-1]:
                node = node[i]
            node[idx[-1]] = float(text)


# ------------------------------------------------------------------ versions
def code_version() -> dict[str, str | None]:
    """neurodam's version and the git commit of its source tree (None outside a checkout)."""
    import subprocess

    import neurodam

    commit = None
    here = Path(neurodam.__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        if out.returncode == 0:
            commit = out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"neurodam": neurodam.__version__, "git": commit}


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ------------------------------------------------------------------ the store
def _write_json(path: Path, data: Mapping) -> None:
    text = json.dumps(data, indent=1, sort_keys=False, allow_nan=False, ensure_ascii=False)
    with atomic_path(path, overwrite=True) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")


def read_spec(path: str | os.PathLike) -> dict:
    """The ``spec.json`` of a sweep folder as a dict; ``ValueError`` if ``path`` is no sweep."""
    path = Path(path)
    spec_file = path / SPEC_FILE
    if not path.is_dir():
        raise FileNotFoundError(f"path: {path} is not a directory")
    if not spec_file.is_file():
        raise ValueError(f"path: {path} is not a sweep folder (no {SPEC_FILE})")
    try:
        data = json.loads(spec_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"path: {spec_file} is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != "neurodam.sweep":
        raise ValueError(f"path: {spec_file} is not a neurodam sweep spec")
    if data.get("format_version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"path: {spec_file} has format_version {data['format_version']}, newer than this "
            f"neurodam reads ({FORMAT_VERSION}); upgrade neurodam"
        )
    return data


def _spec_difference(old: Mapping, new: Mapping) -> str:
    parts = []
    if old.get("model") != new.get("model"):
        parts.append(f"model {old.get('model')!r} -> {new.get('model')!r}")
    ob, nb = old.get("base", {}), new.get("base", {})
    changed = sorted(k for k in set(ob) | set(nb) if ob.get(k) != nb.get(k))
    if changed:
        parts.append("base keys " + ", ".join(changed))
    if old.get("axes") != new.get("axes"):
        parts.append(
            "--set values ("
            + "; ".join(old.get("sets", []))
            + " -> "
            + "; ".join(new.get("sets", []))
            + ")"
        )
    if old.get("seeds") != new.get("seeds"):
        parts.append(f"seeds {old.get('seeds')} -> {new.get('seeds')}")
    return ", ".join(parts) or "spec"


class SweepStore:
    """A sweep folder: its spec and the point files.

    Use :meth:`create` (new or matching existing sweep) or :meth:`open` (existing).
    """

    def __init__(self, path: str | os.PathLike, spec: SweepSpec, info: Mapping):
        self.path = Path(path)
        self.spec = spec
        self.info = dict(info)

    @property
    def points_dir(self) -> Path:
        return self.path / POINTS_DIR

    @classmethod
    def open(cls, path: str | os.PathLike) -> SweepStore:
        """An existing sweep folder; ``ValueError`` if ``path`` is not one."""
        info = read_spec(path)
        return cls(path, SweepSpec.from_dict(info["spec"]), info)

    @classmethod
    def create(cls, path: str | os.PathLike, spec: SweepSpec) -> SweepStore:
        """Create the sweep folder for ``spec``, or open it if it holds the same spec.

        Raises
        ------
        ValueError
            ``path`` holds a different sweep (another spec key), or is a non-empty folder
            that is not a sweep. A different spec is refused rather than mixed in, so that
            one folder is one study and ``load`` / ``report`` are unambiguous.
        """
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise ValueError(f"out: {path} exists and is not a directory")
        if (path / SPEC_FILE).is_file():
            info = read_spec(path)
            if info.get("spec_key") != spec.key:
                diff = _spec_difference(info.get("spec", {}), spec.to_dict())
                raise ValueError(
                    f"out: {path} holds a different sweep (it differs in {diff}); choose "
                    "another --out folder, or remove this one to start over"
                )
            version = code_version()
            if info.get("version", {}).get("neurodam") != version["neurodam"]:
                log.warning(
                    "sweep %s was created by neurodam %s, this is %s; new points record it",
                    path,
                    info.get("version", {}).get("neurodam"),
                    version["neurodam"],
                )
            (path / POINTS_DIR).mkdir(exist_ok=True)
            return cls(path, spec, info)
        if path.is_dir() and any(p for p in path.iterdir() if not p.name.startswith(".")):
            raise ValueError(
                f"out: {path} is a non-empty folder that is not a sweep (no {SPEC_FILE}); "
                "choose a new or empty folder"
            )
        path.mkdir(parents=True, exist_ok=True)
        (path / POINTS_DIR).mkdir(exist_ok=True)
        info = {
            "format": "neurodam.sweep",
            "format_version": FORMAT_VERSION,
            "spec_key": spec.key,
            "n_points": spec.n_points,
            "created": _now(),
            "version": code_version(),
            "spec": spec.to_dict(),
        }
        _write_json(path / SPEC_FILE, info)
        return cls(path, spec, info)

    def point_path(self, key: str) -> Path:
        return self.points_dir / f"{key}.json"

    def read_point(self, key: str) -> dict | None:
        """The stored record of ``key``, or None if absent or unreadable (logged)."""
        path = self.point_path(key)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
            log.warning("unreadable point file %s (%s): it will be recomputed", path, exc)
            return None

    def statuses(self) -> dict[str, str]:
        """``{key: status}`` of every stored point of this sweep."""
        out = {}
        for point in self.spec.points():
            record = self.read_point(point.key)
            if record is not None and record.get("key") == point.key:
                out[point.key] = record.get("status", "failed")
        return out

    def remove_temporaries(self) -> int:
        """Delete temporary files left by a killed writer (never a finished file)."""
        n = 0
        for p in self.points_dir.glob(".*.tmp*"):
            with contextlib.suppress(OSError):
                p.unlink()
                n += 1
        return n

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold ``DIR/.lock`` (flock) while a sweep runs; a second runner fails at once."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no locking
            yield
            return
        fh = open(self.path / ".lock", "a+")  # noqa: SIM115 (held for the block)
        try:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RuntimeError(
                    f"out: another process is running a sweep in {self.path}; wait for it "
                    "or stop it first"
                ) from None
            except OSError as exc:  # file systems without flock (some NFS)
                log.warning("cannot lock %s (%s); running without a lock", self.path, exc)
            yield
        finally:
            fh.close()


def write_events(points_dir: Path, key: str, events: Mapping[str, Any]) -> str:
    """Write a point's events as ``<key>.npz`` (atomically); returns the file name."""
    arrays = {str(k): np.asarray(v) for k, v in events.items()}
    for k, a in arrays.items():
        if a.dtype == object:
            raise TypeError(f"events: {k!r} is an object array; give numeric arrays")
    with atomic_path(points_dir / f"{key}.npz", overwrite=True) as tmp:
        np.savez_compressed(tmp, **arrays)
    return f"{key}.npz"


def write_record(points_dir: Path, record: Mapping) -> None:
    """Write a point's record as ``<key>.json`` (atomically, after its events)."""
    _write_json(points_dir / f"{record['key']}.json", record)


# ------------------------------------------------------------------ loading
def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_cell(v) for v in value)
    return value


def load(path: str | os.PathLike, *, include_pending: bool = False):
    """A sweep as a pandas DataFrame, one row per point in grid order.

    Parameters
    ----------
    path : path-like
        The sweep folder (``--out DIR``).
    include_pending : bool
        Also give a row (status ``"pending"``) for each point not computed yet.

    Returns
    -------
    pandas.DataFrame
        Columns: the parameter keys (nested ones flattened with ``_``; the seed key of the
        model, if any, is the ``seed`` column), ``seed``, ``status`` (``"done"`` /
        ``"failed"``), ``error`` (``"Type: message"`` of a failed point, else None),
        ``error_type``, ``time_<stage>`` per timing (``time_simulate``, ``time_analyse``,
        ``time_store``, ``time_total``, ...), ``key``, then the result's flat columns.
        List values are tuples. ``df.attrs`` holds ``"spec"`` (the spec.json dict),
        ``"params"`` (the parameter columns) and ``"swept"`` (the keys with more than one
        value, as columns).

    Raises
    ------
    ValueError
        ``path`` is not a sweep folder, or a point file is unreadable.
    """
    import pandas as pd

    store = SweepStore.open(path)
    spec = store.spec
    rows, param_cols, result_cols, time_cols = [], {}, {}, {}
    for point in spec.points():
        record = store.read_point(point.key)
        if (record is None or record.get("key") != point.key) and store.point_path(
            point.key
        ).exists():
            raise ValueError(f"path: point file {store.point_path(point.key)} is unreadable")
        if record is None and not include_pending:
            continue
        params = {k: v for k, v in point.params.items() if k != spec.seed_key}
        row = {k: _cell(v) for k, v in flatten(params).items()}
        param_cols.update(dict.fromkeys(row))
        row["seed"] = point.seed
        if record is None:
            row.update(status="pending", error=None, error_type=None, key=point.key)
            rows.append(row)
            continue
        error = record.get("error") or None
        row["status"] = record.get("status")
        row["error"] = f"{error['type']}: {error['message']}" if error else None
        row["error_type"] = error["type"] if error else None
        for stage, seconds in (record.get("timings") or {}).items():
            row[f"time_{stage}"] = seconds
            time_cols[f"time_{stage}"] = None
        row["key"] = point.key
        flat = flatten(record.get("result") or {})
        _restore(flat, record.get("nonfinite") or {})
        for k, v in flat.items():
            if k in row:
                raise ValueError(f"path: result column {k!r} of point {point.key} collides")
            row[k] = _cell(v)
            result_cols[k] = None
        rows.append(row)
    columns = [*param_cols, "seed", "status", "error", "error_type", *time_cols, "key"]
    columns += [c for c in result_cols if c not in columns]
    df = pd.DataFrame(rows, columns=columns)
    for col in ("error", "error_type"):  # None, not NaN, where there is no error
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    df.attrs["spec"] = store.info
    df.attrs["params"] = list(param_cols)
    df.attrs["swept"] = [k.replace(".", "_") for k in spec.swept]
    return df


def load_events(path: str | os.PathLike, key: str) -> dict[str, np.ndarray]:
    """The raw events stored with point ``key`` of the sweep at ``path``."""
    store = SweepStore.open(path)
    file = store.points_dir / f"{key}.npz"
    if not file.is_file():
        raise FileNotFoundError(f"key: no events stored for point {key} in {store.path}")
    with np.load(file, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}
