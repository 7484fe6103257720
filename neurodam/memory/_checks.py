"""Argument checks shared by the reference engine and the Brian2 model.

One implementation of the validation of the run arguments (noise p, Glauber temperature
T, schedule, noise mode, spike rule, number of steps, step length), so that
:mod:`neurodam.memory.reference` and :mod:`neurodam.memory.brian` accept and reject the
same values with the same messages (each message names the argument, the value received
and what was expected).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neurodam.memory.results import FIRE_ON

__all__ = [
    "FIRE_ON",
    "NOISE_MODES",
    "SCHEDULES",
    "check_choice",
    "check_dt",
    "check_noise",
    "check_int",
    "check_temperature",
]

SCHEDULES = ("sync", "async")
NOISE_MODES = ("flip", "reset")


def check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise ValueError naming ``name``."""
    if value not in choices:
        raise ValueError(f"{name}: expected one of {choices}, got {value!r}")
    return value


def check_noise(noise: Any) -> float:
    """Validate the SEDAM noise probability p in [0, 0.5] (Cafiso & Paradisi 2026)."""
    try:
        p = float(noise)
    except (TypeError, ValueError):
        raise ValueError(f"noise: expected a probability in [0, 0.5], got {noise!r}") from None
    if not (0.0 <= p <= 0.5):
        raise ValueError(f"noise: expected a probability in [0, 0.5], got {noise!r}")
    return p


def check_temperature(temperature: Any) -> float | None:
    """Validate a Glauber temperature (None: deterministic update; T=0 equals None)."""
    if temperature is None:
        return None
    try:
        T = float(temperature)
    except (TypeError, ValueError):
        raise ValueError(
            f"temperature: expected a finite T >= 0 or None, got {temperature!r}"
        ) from None
    if not (math.isfinite(T) and T >= 0):
        raise ValueError(f"temperature: expected a finite T >= 0 or None, got {temperature!r}")
    return None if T == 0 else T


def check_int(name: str, value: Any, lo: int) -> int:
    """Validate an integer argument ``name`` >= ``lo`` (bools rejected); returns an int."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < lo:
        raise ValueError(f"{name}: expected an integer >= {lo}, got {value!r}")
    return int(value)


def check_dt(dt: Any) -> float:
    """Validate the step length in seconds (a finite number > 0)."""
    if isinstance(dt, bool) or not (
        isinstance(dt, int | float | np.floating | np.integer) and math.isfinite(dt) and dt > 0
    ):
        raise ValueError(f"dt: expected a positive step length in seconds, got {dt!r}")
    return float(dt)
