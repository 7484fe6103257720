"""JSON encoding of ``SpikeTrains.meta`` for file formats that store it as text."""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import numpy as np

__all__ = ["meta_from_json", "meta_to_json"]


def _jsonable(value: Any, key: str) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.ndarray):
        return [_jsonable(v, key) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, f"{key}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v, key) for v in value]
    warnings.warn(
        f"meta[{key!r}]: {type(value).__name__} is not JSON-serialisable; stored as its str()",
        stacklevel=4,
    )
    return str(value)


def meta_to_json(meta: Mapping[str, Any]) -> str:
    """Encode ``meta`` as JSON: arrays become lists, paths strings, others their ``str()``."""
    return json.dumps({str(k): _jsonable(v, str(k)) for k, v in meta.items()})


def meta_from_json(text: str, source: str = "meta") -> dict[str, Any]:
    """Decode a JSON object written by :func:`meta_to_json`.

    Raises ``ValueError`` starting with ``source`` for anything but a JSON object,
    including JSON nested deeper than the interpreter's recursion limit and
    integers longer than Python's digit limit.
    """
    try:
        meta = json.loads(text) if text else {}
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise ValueError(f"{source}: expected a JSON object, got invalid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise ValueError(f"{source}: expected a JSON object, got {type(meta).__name__}")
    return meta
