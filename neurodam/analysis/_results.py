"""JSON-safe ``to_dict`` / ``from_dict`` for the frozen result dataclasses of the analysis.

A result becomes a dict of plain Python values: floats, ints, bools, strings, None, lists and
dicts. NumPy scalars become Python numbers, arrays become lists, tuples become lists, nested
results become their own dicts. Floats that are not finite (nan for "not defined", inf for
"unbounded") are written as the strings ``"nan"``, ``"inf"``, ``"-inf"``, so that the dict is
strict JSON; ``from_dict`` reads them back with ``float()``.

Each result class lists how its fields are rebuilt: ``_arrays`` (1-D float arrays),
``_tuples`` (float tuples), ``_nested`` (field name -> result class).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

__all__ = ["ResultDict", "jsonable"]


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types (see the module docstring)."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        x = float(value)
        return x if math.isfinite(x) else str(x)
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot convert {type(value).__name__} to JSON-safe data")


def _float(v: Any) -> float:
    return float(v)  # float("nan"), float("inf") read the strings written by jsonable


class ResultDict:
    """Mixin: ``to_dict(curves=True)`` and the classmethod ``from_dict`` of a frozen dataclass.

    ``_arrays`` fields are left out when ``curves=False`` (``from_dict`` then gives empty
    arrays); ``_raw`` fields (raw data such as the waiting times) only when ``raw=True``.
    """

    _arrays: tuple[str, ...] = ()
    _raw: tuple[str, ...] = ()
    _tuples: tuple[str, ...] = ()
    _floats: tuple[str, ...] = ()
    _nested: dict[str, type] = {}

    def to_dict(self, curves: bool = True, raw: bool = False) -> dict:
        """The result as a dict of JSON-safe values (see :mod:`neurodam.analysis._results`).

        Parameters
        ----------
        curves : bool
            Include the curves (scales and fluctuations, survival functions, shuffled values).
        raw : bool
            Include raw data arrays (e.g. all waiting times), left out by default.
        """
        out = {"type": type(self).__name__}
        for f in dataclasses.fields(self):
            name = f.name
            if (name in self._arrays and not curves) or (name in self._raw and not raw):
                continue
            value = getattr(self, name)
            if name in self._nested and value is not None:
                out[name] = value.to_dict(curves=curves, raw=raw)
            else:
                out[name] = jsonable(value)
        return out

    @classmethod
    def from_dict(cls, d: dict):
        """Rebuild the result written by :meth:`to_dict`."""
        if not isinstance(d, dict):
            raise TypeError(f"d: expected a dict from to_dict(), got {type(d).__name__}")
        if d.get("type", cls.__name__) != cls.__name__:
            raise ValueError(f"d: expected a {cls.__name__} dict, got type {d.get('type')!r}")
        kwargs = {}
        for f in dataclasses.fields(cls):
            name = f.name
            if name not in d:
                if name in cls._arrays or name in cls._raw:
                    kwargs[name] = np.zeros(0)
                continue  # other missing fields take their defaults
            v = d[name]
            if name in cls._nested:
                kwargs[name] = None if v is None else cls._nested[name].from_dict(v)
            elif name in cls._arrays or name in cls._raw:
                kwargs[name] = np.array([_float(x) for x in v], dtype=float)
            elif name in cls._tuples:
                kwargs[name] = None if v is None else tuple(_float(x) for x in v)
            elif name in cls._floats:
                kwargs[name] = None if v is None else _float(v)
            else:
                kwargs[name] = cls._field_from_json(name, v)
        return cls(**kwargs)

    @classmethod
    def _field_from_json(cls, name: str, v: Any) -> Any:
        return v


def as_float(x: Any) -> float:
    """A float read back from a JSON-safe value (``"nan"``/``"inf"`` strings included)."""
    return float("nan") if x is None else float(x)


def fmt_value(x: float, spec: str = ".3f") -> str:
    """``x`` formatted with ``spec``, or ``"n/a"`` when it is None or not finite."""
    return "n/a" if x is None or not math.isfinite(x) else format(x, spec)
