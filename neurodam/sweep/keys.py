"""Stable keys: canonical JSON of parameters and their SHA-256.

A point's key is the first 16 hex digits (64 bits) of the SHA-256 of the canonical JSON
(sorted keys, no whitespace, ASCII, floats by their shortest ``repr``) of
``{"model": model, "params": params, "seed": seed}``: the complete parameter set after
overrides. Equal parameter sets give equal keys in every process and on every machine;
any change gives a new key. ``-0.0`` is written as ``0.0``; NaN and infinity are refused.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import numpy as np

__all__ = ["KEY_LENGTH", "canonical_json", "hash_key", "point_key", "to_jsonable"]

KEY_LENGTH = 16


def to_jsonable(value: Any, name: str) -> Any:
    """``value`` as plain JSON types (numpy scalars and arrays, tuples and paths converted).

    Raises
    ------
    TypeError
        A value that JSON cannot hold, naming ``name``.
    ValueError
        NaN or infinity (never a valid sweep parameter).
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        x = float(value)
        if not math.isfinite(x):
            raise ValueError(f"{name}: expected a finite number, got {x!r}")
        return 0.0 if x == 0 else x  # -0.0 and 0.0 hash alike
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, np.ndarray):
        return [to_jsonable(v, f"{name}[{i}]") for i, v in enumerate(value.tolist())]
    if isinstance(value, list | tuple):
        return [to_jsonable(v, f"{name}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{name}: mapping keys must be strings, got {k!r}")
            out[k] = to_jsonable(v, f"{name}.{k}")
        return out
    raise TypeError(f"{name}: {type(value).__name__} value {value!r} cannot be stored as JSON")


def canonical_json(value: Any) -> str:
    """Canonical JSON text: sorted keys, no whitespace, ASCII, floats by ``repr``."""
    return json.dumps(
        to_jsonable(value, "value"),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        allow_nan=False,
    )


def hash_key(value: Any) -> str:
    """16 hex digits of the SHA-256 of ``value``'s canonical JSON."""
    return hashlib.sha256(canonical_json(value).encode("ascii")).hexdigest()[:KEY_LENGTH]


def point_key(params: Mapping[str, Any], seed: int, model: str | None = None) -> str:
    """Stable key of one point: 16 hex digits of SHA-256 of its canonical JSON.

    Equal parameter sets (after int/float normalisation) give equal keys in every process
    and on every machine; any change of a parameter, the seed or the model name gives a
    new key. The neurodam version is not part of the key (it is recorded in each point).
    """
    return hash_key({"model": model, "params": dict(params), "seed": int(seed)})
