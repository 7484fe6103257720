"""Point functions for the sweep tests (no tests here).

They live in an importable module so that spawned worker processes and Dask workers can
unpickle them by reference. Each is a cheap, deterministic function of the parameters and
the seed, standing in for simulate -> events -> indicators.
"""

from __future__ import annotations

import os
import time
import zlib

import numpy as np

from neurodam.sweep import PointResult

BASE = {
    "name": "toy",
    "noise": 0.1,
    "K": 10,
    "N": 64,
    "patterns": "digits",
    "steps": 100,
    "seed": 1,
    "delay": 0.0,
}


def _rng(params: dict, seed: int) -> np.random.Generator:
    tag = zlib.crc32(f"{params['noise']!r}/{params['K']}/{params['patterns']}".encode())
    return np.random.default_rng([seed, tag])


def smooth(params: dict, seed: int) -> dict:
    """A known function of (noise, K) plus seeded noise; nested result with lists and NaN."""
    time.sleep(params.get("delay", 0.0))
    rng = _rng(params, seed)
    q = 1.0 - 2.0 * params["noise"] + 0.001 * params["K"] + 0.01 * rng.standard_normal()
    return {
        "Q_bar": q,
        "exact": 10.0 * params["noise"] + params["K"],
        "transitions": {"rate": float(rng.uniform()), "mu": 2.0 + params["noise"]},
        "switches": {"mu": float("nan"), "cv": float("inf")},
        "renewal": bool(params["noise"] > 0.2),
        "hist": [1, 2, float("nan")],
        "n_events": int(rng.integers(0, 100)),
    }


def failing(params: dict, seed: int) -> dict:
    """Raises for noise >= 0.3 (and seed 1), else like :func:`smooth`."""
    if params["noise"] >= 0.3 and seed == 1:
        raise ValueError(f"noise: simulated failure at {params['noise']}")
    return smooth(params, seed)


def nan_q(params: dict, seed: int) -> dict:
    """Q_bar is NaN for seed 0."""
    out = smooth(params, seed)
    if seed == 0:
        out["Q_bar"] = float("nan")
    return out


def not_a_dict(params: dict, seed: int):
    return [1, 2, 3]


def collides(params: dict, seed: int) -> dict:
    return {"N": 3, "Q_bar": 1.0}


def with_events(params: dict, seed: int) -> PointResult:
    rng = _rng(params, seed)
    times = np.sort(rng.uniform(0, 1, 20))
    return PointResult(
        result=smooth(params, seed),
        timings={"simulate": 0.5, "analyse": 0.25},
        events={"switches": times, "onsets": np.arange(5)},
    )


def build_dir(params: dict, seed: int) -> dict:
    return {"build": os.environ.get("NEURODAM_BUILD_DIR"), "pid": os.getpid()}


def group_chunked(points):
    """Group function: one 'compile' per call, then one result per point in order."""
    compile_id = f"{os.getpid()}-{points[0].key}"
    shared = {k: points[0].params[k] for k in ("N", "patterns")}
    for p in points:
        if any(p.params[k] != v for k, v in shared.items()):
            raise AssertionError("group_fn got points of different groups")
        out = smooth(p.params, p.seed)
        out["compile_id"] = compile_id
        out["chunk_size"] = len(points)
        yield p.key, out


def group_fails_second(points):
    """Yields an exception for noise 0.2 and raises at noise 0.3 (after yielding others)."""
    for p in points:
        if p.params["noise"] == 0.3:
            raise RuntimeError("program crashed")
        if p.params["noise"] == 0.2:
            yield p.key, ValueError("diverged")
            continue
        yield p.key, smooth(p.params, p.seed)


def group_setup_fails(points):
    raise OSError("compiler not found")
    yield  # pragma: no cover


def slow(params: dict, seed: int) -> dict:
    """0.3 s per point: a sweep that can be killed half-way."""
    time.sleep(0.3)
    return smooth(params, seed)
