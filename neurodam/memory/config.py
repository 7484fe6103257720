"""Ready-made associative-memory models: YAML parameter sets (``models/*.yaml``).

A model file is a flat YAML mapping; every key is optional except ``F`` and ``patterns``
and is checked here (unknown keys, wrong types and out-of-range values raise
``ValueError`` naming the key). ``--set key=value`` overrides (values parsed as YAML)
are applied before validation.

Keys
----
name, description, reference   free text (the paper a model reproduces)
patterns      ``rademacher`` | ``correlated`` | ``diluted`` | ``digits``
N, K          feature neurons and stored patterns (``digits``: N = 64 fixed)
c             correlation of ``correlated`` patterns (:func:`neurodam.patterns.correlated`)
d             dilution of ``diluted`` patterns
pattern_seed  seed of the random patterns
F             ``hopfield`` | ``dense:n`` | ``exp`` | ``exp:lam``
noise         SEDAM noise p in [0, 0.5];  noise_mode ``flip`` | ``reset``
temperature   Glauber temperature (null: deterministic update)
schedule      ``sync`` | ``async``;  fire_on ``plus`` | ``flip``
steps, dt     number of steps, seconds per step
init          null (random state), a pattern index, or [index, flip fraction]
seed          seed of the run
device        ``reference`` | ``runtime`` | ``numpy`` | ``cpp_standalone`` | ``cuda_standalone``
form          Brian2 model form: ``matrix`` | ``bipartite``
record        list from spikes, overlaps, activity, states

``digits``: scikit-learn's 8x8 handwritten digits binarised (N=64); for K <= 10 the
first image of each class 0..K-1, otherwise the first K images.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from neurodam.memory._checks import FIRE_ON, NOISE_MODES, SCHEDULES
from neurodam.memory.brian import FORMS, check_record
from neurodam.memory.interactions import parse_interaction
from neurodam.memory.simulate import BACKENDS

__all__ = ["MemoryConfig", "load_config", "parse_overrides", "make_patterns", "run_config"]

PATTERN_SOURCES = ("rademacher", "correlated", "diluted", "digits")


@dataclass(frozen=True)
class MemoryConfig:
    """A validated model file (module docstring for the meaning of each field)."""

    F: str
    patterns: str
    N: int = 100
    K: int = 10
    c: float = 0.0
    d: float = 0.0
    pattern_seed: int | None = 0
    noise: float = 0.0
    noise_mode: str = "flip"
    temperature: float | None = None
    schedule: str = "sync"
    fire_on: str = "plus"
    steps: int = 100
    dt: float = 1e-3
    init: Any = None
    seed: int | None = None
    device: str = "reference"
    form: str = "matrix"
    record: tuple[str, ...] = ("spikes", "overlaps", "activity")
    name: str = ""
    description: str = ""
    reference: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_FIELDS = {f.name: f for f in dataclasses.fields(MemoryConfig)}


def parse_overrides(items: Iterable[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """``["noise=0.3", "K=20"]`` -> ``{"noise": 0.3, "K": 20}`` (values parsed as YAML)."""
    import yaml

    if items is None:
        return {}
    if isinstance(items, Mapping):
        return dict(items)
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = str(item).partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"--set: expected key=value, got {item!r}")
        out[key] = yaml.safe_load(value) if value.strip() else None
    return out


def _int(d: dict, key: str, lo: int = 1, allow_none: bool = False) -> None:
    v = d.get(key)
    if v is None and allow_none:
        return
    if isinstance(v, bool) or not isinstance(v, int) or v < lo:
        raise ValueError(f"{key}: expected an integer >= {lo}, got {v!r}")


def _float(d: dict, key: str, lo: float, hi: float, allow_none: bool = False) -> None:
    v = d.get(key)
    if v is None and allow_none:
        return
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ValueError(f"{key}: expected a number in [{lo}, {hi}], got {v!r}")
    if not lo <= v <= hi:
        raise ValueError(f"{key}: expected a number in [{lo}, {hi}], got {v!r}")
    d[key] = float(v)


def _choice(d: dict, key: str, choices: tuple[str, ...]) -> None:
    if d.get(key) not in choices:
        raise ValueError(f"{key}: expected one of {choices}, got {d.get(key)!r}")


def validate(raw: Mapping[str, Any]) -> MemoryConfig:
    """Check a raw mapping and build a :class:`MemoryConfig` (errors name the key)."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"config: expected a mapping of keys to values, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown key; expected keys from {sorted(_FIELDS)}")
    for key in ("F", "patterns"):
        if key not in raw:
            raise ValueError(f"{key}: required key missing")
    d = {k: f.default for k, f in _FIELDS.items() if f.default is not dataclasses.MISSING}
    d.update(raw)
    if not isinstance(d["F"], str):
        raise ValueError(f"F: expected a string such as 'exp' or 'dense:3', got {d['F']!r}")
    parse_interaction(d["F"])  # raises ValueError naming F
    _choice(d, "patterns", PATTERN_SOURCES)
    if d["patterns"] == "digits":
        if "N" in raw and raw["N"] != 64:
            raise ValueError(f"N: the digits patterns have N=64, got {raw['N']!r}")
        d["N"] = 64
    _int(d, "N")
    _int(d, "K")
    if d["patterns"] == "digits" and d["K"] > 1797:
        raise ValueError(f"K: the digits set holds 1797 images, got {d['K']}")
    _float(d, "c", 0.0, 1.0)
    _float(d, "d", 0.0, 0.999999)
    _int(d, "pattern_seed", lo=0, allow_none=True)
    _float(d, "noise", 0.0, 0.5)
    _choice(d, "noise_mode", NOISE_MODES)
    _float(d, "temperature", 0.0, math.inf, allow_none=True)
    _choice(d, "schedule", SCHEDULES)
    _choice(d, "fire_on", FIRE_ON)
    _int(d, "steps")
    _float(d, "dt", 1e-12, math.inf)
    _int(d, "seed", lo=0, allow_none=True)
    _choice(d, "device", BACKENDS)
    _choice(d, "form", FORMS)
    init = d["init"]
    if isinstance(init, list):
        if len(init) != 2:
            raise ValueError(
                f"init: expected null, a pattern index or [index, fraction], got {init!r}"
            )
        init = (init[0], init[1])
    if isinstance(init, tuple):
        mu, f = init
        if isinstance(mu, bool) or not isinstance(mu, int) or not 0 <= mu < d["K"]:
            raise ValueError(f"init: expected a pattern index in [0, {d['K']}), got {mu!r}")
        if isinstance(f, bool) or not isinstance(f, int | float) or not 0 <= f <= 1:
            raise ValueError(f"init: expected a flip fraction in [0, 1], got {f!r}")
        init = (int(mu), float(f))
    elif init is not None and (
        isinstance(init, bool) or not isinstance(init, int) or not 0 <= init < d["K"]
    ):
        raise ValueError(f"init: expected null, a pattern index in [0, {d['K']}), got {init!r}")
    d["init"] = init
    d["record"] = check_record(d["record"])
    for key in ("name", "description", "reference"):
        d[key] = "" if d[key] is None else str(d[key])
    return MemoryConfig(**d)


def load_config(
    path: str | Path, overrides: Iterable[str] | Mapping[str, Any] | None = None
) -> MemoryConfig:
    """Read a model YAML file, apply ``--set`` overrides, validate.

    Parameters
    ----------
    path : path-like
        A ``models/*.yaml`` file.
    overrides : list of "key=value" strings or a mapping
        Applied on top of the file (e.g. ``["noise=0.3", "device=cpp_standalone"]``).

    Raises
    ------
    FileNotFoundError, ValueError
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file not found: {path}")
    with path.open() as fh:
        raw = yaml.safe_load(fh) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"config: {path} must hold a mapping of keys to values")
    raw.update(parse_overrides(overrides))
    if not raw.get("name"):
        raw["name"] = path.stem
    return validate(raw)


def make_patterns(cfg: MemoryConfig) -> np.ndarray:
    """The (K, N) int8 patterns a config asks for."""
    from neurodam import patterns as P

    if cfg.patterns == "rademacher":
        return P.rademacher(cfg.K, cfg.N, seed=cfg.pattern_seed)
    if cfg.patterns == "correlated":
        return P.correlated(cfg.K, cfg.N, cfg.c, seed=cfg.pattern_seed)
    if cfg.patterns == "diluted":
        return P.diluted(cfg.K, cfg.N, cfg.d, seed=cfg.pattern_seed)
    xi, labels = P.digits()
    if cfg.K <= 10:
        idx = [int(np.flatnonzero(labels == k)[0]) for k in range(cfg.K)]
        return xi[idx]
    return xi[: cfg.K]


def run_config(cfg: MemoryConfig, progress: bool = False):
    """Simulate a config: :func:`neurodam.memory.simulate.simulate` with its parameters.

    ``params["timing"]`` holds ``build`` and ``run`` seconds for every backend and
    ``params["config"]`` the config as a dict.
    """
    import time

    from neurodam.memory.simulate import simulate

    xi = make_patterns(cfg)
    t0 = time.perf_counter()
    run = simulate(
        xi,
        F=cfg.F,
        noise=cfg.noise,
        temperature=cfg.temperature,
        schedule=cfg.schedule,
        steps=cfg.steps,
        init=cfg.init,
        seed=cfg.seed,
        backend=cfg.device,
        record=cfg.record,
        progress=progress,
        noise_mode=cfg.noise_mode,
        fire_on=cfg.fire_on,
        dt=cfg.dt,
        form=cfg.form,
    )
    if "timing" not in run.params:  # the reference engine: no build step
        run.params["timing"] = {"build": 0.0, "run": time.perf_counter() - t0}
    run.params["config"] = cfg.as_dict()
    return run
