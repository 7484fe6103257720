"""Argument checks shared by the analysis modules (messages name the argument)."""

from __future__ import annotations

import math

import numpy as np


def check_seconds(value, name: str, what: str = "a width") -> float:
    """``value`` as a finite float > 0 (a duration in seconds).

    Raises ``TypeError`` for a non-number (bool included) and ``ValueError`` for NaN, inf
    or a value <= 0, both naming ``name``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise TypeError(f"{name}: expected {what} in seconds (a number), got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: expected {what} in seconds, finite and > 0, got {value}")
    return value


def check_int(value, name: str, lo: int) -> int:
    """``value`` as an int >= ``lo``; ``ValueError`` naming ``name`` otherwise (bool too)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < lo:
        raise ValueError(f"{name}: expected an integer >= {lo}, got {value!r}")
    return int(value)


def check_finite(a: np.ndarray, name: str, what: str = "values") -> None:
    """``ValueError`` naming ``name`` and the first NaN/inf of ``a`` with its index."""
    bad = ~np.isfinite(a)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name}: expected finite {what}, got {a[i]} at index {i}")
