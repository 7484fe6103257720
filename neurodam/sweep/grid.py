"""The grid of a sweep: ``--set key=range|list`` specs over a model's parameters, seeds,
and the stable key of every point.

A sweep starts from a *base mapping* (the keys of a model file, as a dict) and a list of
``--set`` specs. Each spec names one key of the base mapping and gives its values:

``key=a:b:step``
    A range from ``a`` to ``b`` in steps of ``step``; ``b`` is included when it lies on the
    grid. Computed in exact decimal arithmetic (``a + i * step`` for integer ``i``, then
    converted to float), so ``noise=0:0.5:0.01`` gives exactly 51 values and its 8th value
    is the float ``0.07``, not ``0.07000000000000001``. All-integer ranges give ints.
``key=v1,v2,...``
    A list of values, each read as a scalar (below); ``patterns=digits,mnist``.
``key=value``
    A single value (the key is set, not swept).

Scalars are read like YAML 1.2: integers (``10``), floats (``0.1``, ``1e-3``), ``true`` /
``false``, ``null``, quoted strings (``"a,b"``), flow lists (``[0,0.1]``); anything else is
a string (``dense:3``, ``mnist``, ``yes``). An int given for a key whose base value is a
float becomes a float (``noise=0`` is ``0.0``), so equal parameters hash equally.
A key of a nested mapping is addressed with dots (``thresholds.activity=0.1,0.2``).

Seeds: ``seeds=N`` gives the seeds ``seed_start, ..., seed_start + N - 1`` (default
``0 .. N-1``). A point is one (parameter set, seed); when the base mapping has a ``seed``
key, each point's parameters carry the point's seed there (``--set seed=...`` is refused:
seeds are chosen with ``--seeds`` / ``--seed-start``).

Point key (:func:`~neurodam.sweep.keys.point_key`): a hash of the complete parameter set
after overrides, the seed and the model name, so that two sweeps never mix results and
re-running a command finds its finished points.

Functions and classes
---------------------
parse_set      one ``key=values`` spec into (key, values)
parse_values   the values part of a spec
make_spec      base mapping + specs + seeds (+ a validate callable) into a :class:`SweepSpec`
SweepSpec      the sweep's definition; ``points()`` lists its :class:`Point` s
Point          one (parameters, seed) with its key
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from neurodam._validate import check_int
from neurodam.sweep.keys import hash_key, point_key, to_jsonable

__all__ = [
    "MAX_AXIS_VALUES",
    "Point",
    "SweepSpec",
    "make_spec",
    "parse_set",
    "parse_values",
]

#: Most values one ``--set`` range may produce (a typo such as ``0:1:1e-9`` fails early).
MAX_AXIS_VALUES = 100_000

_INT = re.compile(r"[-+]?\d+\Z")
_FLOAT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\Z")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_YAML_WORDS = {"true": True, "false": False, "null": None, "~": None}


# ------------------------------------------------------------------ parsing
def _scalar(text: str) -> Any:
    """One value of a spec, read like a YAML 1.2 scalar (see the module docstring)."""
    s = text.strip()
    if _INT.match(s):
        return int(s)
    if _FLOAT.match(s):
        return float(s)
    low = s.lower()
    if low in _YAML_WORDS:
        return _YAML_WORDS[low]
    if s[:1] in "[{\"'":
        import yaml

        try:
            value = yaml.safe_load(s)
        except yaml.YAMLError as exc:
            raise ValueError(f"cannot read {s!r} ({exc.problem or exc})") from None
        return to_jsonable(value, s)
    return s


def _split_list(text: str) -> list[str]:
    """Split on commas outside brackets and quotes."""
    parts, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if quote or depth:
        raise ValueError(f"unbalanced brackets or quotes in {text!r}")
    parts.append(text[start:])
    return parts


def _range(key: str, text: str, parts: list[str]) -> tuple:
    try:
        a, b, step = (Decimal(p.strip()) for p in parts)
    except InvalidOperation:
        raise ValueError(f"{key}: malformed range {text!r}; expected a:b:step") from None
    if step <= 0:
        raise ValueError(f"{key}: range {text!r} needs a step > 0, got {parts[2].strip()}")
    if b < a:
        raise ValueError(f"{key}: empty range {text!r}: the end {b} is below the start {a}")
    # exact for decimal literals; the tolerance keeps b when rounding put it a hair short
    count = int((b - a) / step + Decimal("1e-9")) + 1
    if count > MAX_AXIS_VALUES:
        raise ValueError(f"{key}: range {text!r} has {count} values (at most {MAX_AXIS_VALUES})")
    values = [a + i * step for i in range(count)]
    if all(_INT.match(p.strip()) for p in parts):
        return tuple(int(v) for v in values)
    return tuple(float(v) for v in values)


def parse_values(key: str, text: str) -> tuple:
    """The values of one ``--set`` spec: a range ``a:b:step``, a list ``v1,v2,...`` or one value.

    Raises
    ------
    ValueError
        An empty or malformed range, an empty list item, unbalanced brackets; the message
        starts with ``key``.
    """
    s = text.strip()
    if not s:
        raise ValueError(f"{key}: no value given (expected key=a:b:step, key=v1,v2,... or key=v)")
    parts = s.split(":")
    numeric = [bool(_FLOAT.match(p.strip()) or _INT.match(p.strip())) for p in parts]
    if s[:1] not in "[{\"'" and len(parts) > 1 and all(numeric):
        if len(parts) != 3:
            raise ValueError(f"{key}: malformed range {s!r}; expected a:b:step (three numbers)")
        return _range(key, s, parts)
    if s[:1] not in "[{\"'" and len(parts) == 3 and sum(numeric) == 2 and "," not in s:
        raise ValueError(f"{key}: malformed range {s!r}; expected a:b:step (three numbers)")
    try:
        items = _split_list(s)
    except ValueError as exc:
        raise ValueError(f"{key}: {exc}") from None
    values = []
    for item in items:
        if not item.strip():
            raise ValueError(f"{key}: empty item in the list {s!r}")
        try:
            values.append(_scalar(item))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{key}: {exc}") from None
    return tuple(values)


def parse_set(spec: str) -> tuple[str, tuple]:
    """Split ``"key=values"`` and parse the values with :func:`parse_values`."""
    if not isinstance(spec, str):
        raise TypeError(f"--set: expected a 'key=values' string, got {spec!r}")
    key, sep, text = spec.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError(f"--set: expected key=a:b:step, key=v1,v2,... or key=v, got {spec!r}")
    if not _KEY.match(key):
        raise ValueError(f"--set: {key!r} is not a parameter name (in {spec!r})")
    return key, parse_values(key, text)


# ------------------------------------------------------------------ nested keys
def _known_keys(base: Mapping, prefix: str = "") -> list[str]:
    keys = []
    for k, v in base.items():
        keys.append(prefix + k)
        if isinstance(v, Mapping):
            keys.extend(_known_keys(v, prefix + k + "."))
    return keys


def _lookup(base: Mapping, key: str) -> tuple[bool, Any]:
    if key in base:
        return True, base[key]
    node: Any = base
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _assign(params: dict, key: str, value: Any) -> None:
    if key in params:
        params[key] = value
        return
    *head, last = key.split(".")
    node = params
    for part in head:
        node[part] = dict(node[part])  # copy-on-write: never alias the base mapping
        node = node[part]
    node[last] = value


def _coerce(value: Any, base_value: Any) -> Any:
    if isinstance(base_value, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


# ------------------------------------------------------------------ points and spec
@dataclass(frozen=True)
class Point:
    """One point of a sweep.

    Attributes
    ----------
    key : str
        Stable key (:func:`point_key`); the point's file is ``points/<key>.json``.
    params : dict
        The complete parameter mapping of this run (base mapping with the overrides and,
        when the base has a ``seed`` key, the point's seed there). Treat as read-only.
    seed : int
    overrides : dict
        The values set by ``--set`` for this point (the swept coordinates).
    index : int
        Position in the grid order (axes in ``--set`` order, seeds innermost).
    """

    key: str
    params: dict
    seed: int
    overrides: dict
    index: int


@dataclass(frozen=True)
class SweepSpec:
    """The definition of a sweep: base mapping, axes, seeds. Build with :func:`make_spec`.

    Attributes
    ----------
    base : dict
        The model's keys (JSON-normalised), before overrides.
    axes : tuple of (str, tuple)
        ``(key, values)`` per ``--set`` spec, in the order given.
    seeds : tuple of int
    model : str or None
        Model name or kind, part of every point key.
    seed_key : str
        The base key that receives each point's seed (when present in ``base``).
    sets : tuple of str
        The ``--set`` specs as given (for the record; the key uses the parsed values).
    """

    base: dict
    axes: tuple
    seeds: tuple
    model: str | None = None
    seed_key: str = "seed"
    sets: tuple = ()
    _points: list = field(default_factory=list, repr=False, compare=False)

    @property
    def swept(self) -> tuple[str, ...]:
        """Keys with more than one value (the coordinates of a phase map)."""
        return tuple(k for k, values in self.axes if len(values) > 1)

    @property
    def n_points(self) -> int:
        return math.prod(len(v) for _, v in self.axes) * len(self.seeds)

    @property
    def key(self) -> str:
        """Stable key of the whole sweep (base, axes, seeds, model)."""
        return hash_key(
            {
                "model": self.model,
                "base": self.base,
                "axes": [[k, list(v)] for k, v in self.axes],
                "seeds": list(self.seeds),
                "seed_key": self.seed_key,
            }
        )

    def parameter_sets(self) -> Iterable[tuple[dict, dict]]:
        """``(params, overrides)`` for every parameter set, in grid order, seeds not applied."""
        keys = [k for k, _ in self.axes]
        for combo in itertools.product(*(v for _, v in self.axes)):
            params = dict(self.base)
            for k, v in zip(keys, combo, strict=True):
                _assign(params, k, v)
            yield params, dict(zip(keys, combo, strict=True))

    def points(self) -> list[Point]:
        """Every point, in grid order (axes in ``--set`` order, seeds innermost)."""
        if not self._points:
            out = []
            for params, overrides in self.parameter_sets():
                for seed in self.seeds:
                    p = dict(params)
                    if self.seed_key in p:
                        p[self.seed_key] = seed
                    key = point_key(p, seed, self.model)
                    out.append(Point(key, p, seed, overrides, len(out)))
            self._points.extend(out)
        return list(self._points)

    def to_dict(self) -> dict:
        """JSON-ready description (what ``spec.json`` stores, without bookkeeping)."""
        return {
            "model": self.model,
            "base": self.base,
            "axes": [[k, list(v)] for k, v in self.axes],
            "sets": list(self.sets),
            "seeds": list(self.seeds),
            "seed_key": self.seed_key,
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> SweepSpec:
        """Inverse of :meth:`to_dict`."""
        return cls(
            base=dict(d["base"]),
            axes=tuple((k, tuple(v)) for k, v in d["axes"]),
            seeds=tuple(int(s) for s in d["seeds"]),
            model=d.get("model"),
            seed_key=d.get("seed_key", "seed"),
            sets=tuple(d.get("sets", ())),
        )


def make_spec(
    base: Mapping[str, Any],
    sets: Sequence[str | tuple[str, Sequence]] = (),
    *,
    seeds: int = 1,
    seed_start: int = 0,
    validate: Callable[[dict], Any] | None = None,
    model: str | None = None,
    seed_key: str = "seed",
) -> SweepSpec:
    """Build and check a sweep: every error is raised here, before any simulation.

    Parameters
    ----------
    base : mapping
        The model's keys (e.g. a model file read as a dict). Values must be JSON-able.
    sets : sequence
        ``"key=a:b:step"``, ``"key=v1,v2"``, ``"key=v"`` strings, or ``(key, values)``
        pairs from Python. Each key must be a key of ``base`` (dots reach nested mappings)
        and appear once.
    seeds : int
        Number of seeds per parameter set (>= 1).
    seed_start : int
        First seed; the seeds are ``seed_start .. seed_start + seeds - 1``.
    validate : callable, optional
        ``validate(params)`` is called once per parameter set (the complete mapping, seed
        included) and raises ``TypeError``/``ValueError`` naming the parameter when a value
        is out of the model's range (e.g. a noise outside [0, 0.5]); its return value is
        ignored. The error is re-raised with the point's overrides appended.
    model : str, optional
        Model name or kind, hashed into every point key.
    seed_key : str
        The key of ``base`` that holds the run's seed (replaced by each point's seed).

    Returns
    -------
    SweepSpec

    Raises
    ------
    ValueError
        An unknown key (naming it and listing the known keys), a key set twice, a malformed
        or empty range, ``seed`` in ``sets``, or an error raised by ``validate``.
    TypeError
        A base value that JSON cannot hold, or one raised by ``validate``.
    """
    if not isinstance(base, Mapping):
        raise TypeError(f"base: expected a mapping of model keys, got {type(base).__name__}")
    base = to_jsonable(dict(base), "base")
    n_seeds = check_int(seeds, "seeds", min=1)
    first = check_int(seed_start, "seed_start", min=0)
    if isinstance(sets, str):
        sets = [sets]
    known = _known_keys(base)
    axes, texts = [], []
    for item in sets:
        if isinstance(item, str):
            key, values = parse_set(item)
            texts.append(item)
        else:
            key, values = item
            values = tuple(to_jsonable(list(values), key))
            if not values:
                raise ValueError(f"{key}: no values given")
            texts.append(f"{key}={','.join(json.dumps(v) for v in values)}")
        if key == seed_key:
            raise ValueError(
                f"{key}: seeds are chosen with --seeds N and --seed-start S, not with --set"
            )
        found, base_value = _lookup(base, key)
        if not found:
            raise ValueError(
                f"{key}: unknown key in --set {texts[-1]!r}; the model's keys are: "
                + ", ".join(known)
            )
        if any(k == key for k, _ in axes):
            raise ValueError(f"{key}: set more than once (give all its values in one --set)")
        values = tuple(_coerce(to_jsonable(v, key), base_value) for v in values)
        axes.append((key, values))
    spec = SweepSpec(
        base=base,
        axes=tuple(axes),
        seeds=tuple(range(first, first + n_seeds)),
        model=model,
        seed_key=seed_key,
        sets=tuple(texts),
    )
    if validate is not None:
        for params, overrides in spec.parameter_sets():
            if seed_key in params:
                params[seed_key] = spec.seeds[0]
            try:
                validate(params)
            except (TypeError, ValueError) as exc:
                where = ", ".join(f"{k}={v!r}" for k, v in overrides.items())
                msg = f"{exc} (sweep point {where})" if where else str(exc)
                try:
                    err = type(exc)(msg)
                except Exception:  # an exception class with another signature
                    err = (ValueError if isinstance(exc, ValueError) else TypeError)(msg)
                raise err from exc
    return spec
