"""The one set of argument checks of neurodam.

Every public function checks its arguments at the boundary with these helpers and then
trusts them (the scikit-learn convention). One error style everywhere:

* ``TypeError`` when the value is not of the expected kind (a string or a bool where a
  number is expected, a float where an integer is expected);
* ``ValueError`` when it is of the right kind but out of range, NaN or infinite.

Both messages start with the argument's name, then say what was expected and what was
received, e.g. ``"noise: expected a number in [0, 0.5], got 0.7"``.

Functions
---------
check_int            an integer, optionally bounded
check_number         a real number, optionally bounded (open or closed bounds)
check_probability    a number in [0, hi] (hi = 1 by default)
check_seconds        a duration in seconds, finite and > 0
check_choice         one of a tuple of allowed values
check_finite         an array without NaN or inf
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "check_choice",
    "check_finite",
    "check_int",
    "check_number",
    "check_probability",
    "check_seconds",
]


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _is_real(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _bounds_text(lo, hi, lo_open: bool, hi_open: bool) -> str:
    if lo is not None and hi is not None:
        return f"in {'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
    if lo is not None:
        return f"{'>' if lo_open else '>='} {lo:g}"
    if hi is not None:
        return f"{'<' if hi_open else '<='} {hi:g}"
    return ""


def check_int(value: Any, name: str, *, min: int | None = None, max: int | None = None) -> int:
    """``value`` as a Python int in ``[min, max]``.

    Raises
    ------
    TypeError
        ``value`` is not an integer (bools, floats and strings are refused, even 3.0).
    ValueError
        ``value`` is below ``min`` or above ``max``.
    """
    bounds = _bounds_text(min, max, False, False)
    what = "an integer" + (f" {bounds}" if bounds else "")
    if not _is_int(value):
        raise TypeError(f"{name}: expected {what}, got {value!r}")
    value = int(value)
    if (min is not None and value < min) or (max is not None and value > max):
        raise ValueError(f"{name}: expected {what}, got {value!r}")
    return value


def check_number(
    value: Any,
    name: str,
    *,
    min: float | None = None,
    max: float | None = None,
    min_open: bool = False,
    max_open: bool = False,
    what: str = "a number",
) -> float:
    """``value`` as a finite float within the given bounds.

    Parameters
    ----------
    value : Any
    name : str
        The argument's name, first word of the error message.
    min, max : float, optional
        Bounds; ``min_open`` / ``max_open`` make them strict.
    what : str
        How the expected value is described (``"a number"``, ``"a width in seconds"``).

    Raises
    ------
    TypeError
        ``value`` is not a real number (bools and strings are refused).
    ValueError
        ``value`` is NaN, infinite or outside the bounds.
    """
    bounds = _bounds_text(min, max, min_open, max_open)
    expected = f"{what}" + (f" {bounds}" if bounds else "")
    if not _is_real(value):
        raise TypeError(f"{name}: expected {expected}, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name}: expected {expected}, finite, got {x!r}")
    if min is not None and (x < min or (min_open and x == min)):
        raise ValueError(f"{name}: expected {expected}, got {x!r}")
    if max is not None and (x > max or (max_open and x == max)):
        raise ValueError(f"{name}: expected {expected}, got {x!r}")
    return x


def check_probability(value: Any, name: str, *, max: float = 1.0) -> float:
    """``value`` as a float in ``[0, max]`` (a probability, e.g. the SEDAM noise p <= 0.5)."""
    return check_number(value, name, min=0.0, max=max, what="a probability")


def check_seconds(value: Any, name: str, what: str = "a duration") -> float:
    """``value`` as a finite float > 0: a duration in seconds (a bin width, a grid step)."""
    return check_number(value, name, min=0.0, min_open=True, what=f"{what} in seconds")


def check_choice(value: Any, name: str, choices: Iterable[Any]) -> Any:
    """``value`` itself if it is one of ``choices``; ``ValueError`` naming ``name`` otherwise."""
    choices = tuple(choices)
    try:
        ok = value in choices
    except TypeError:  # unhashable or incomparable values
        ok = False
    if not ok:
        raise ValueError(f"{name}: expected one of {choices}, got {value!r}")
    return value


def check_finite(a: np.ndarray, name: str, what: str = "values") -> None:
    """``ValueError`` naming ``name`` and the first NaN/inf of ``a`` with its index."""
    a = np.asarray(a)
    bad = ~np.isfinite(a)
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(f"{name}: expected finite {what}, got {a.ravel()[i]!r} at index {i}")
