"""Reservoir model files (``models/izhikevich_reservoir.yaml``, ``models/lif_liquid.yaml``).

A model file is a flat mapping; :func:`from_config` builds the model and
:func:`run_config` runs it. Unknown keys, wrong types and out-of-range values raise an
error naming the key.

Keys
----
kind            ``izhikevich_reservoir`` | ``lif_liquid`` (required)
name, description, reference   free text
n_exc, n_inh    neurons of the Izhikevich network (800, 200)
shape           grid of the liquid ([15, 3, 3])
seed            seed of the network's draws (also Brian2's unless ``run_seed``)
run_seed        Brian2's seed (thalamic noise, Poisson input)
duration        seconds of simulated time (1.0)
device          ``runtime`` | ``numpy`` | ``cpp_standalone`` | ``cuda_standalone``
threads         OpenMP threads of a standalone program (0)
input_rate      Hz of a constant Poisson input (0: none; the liquid is silent without input)
input_channels  Poisson input neurons (20)
input_p         probability that an input neuron projects onto a reservoir neuron (0.3)
input_weight    weight of an input synapse (model units; null: the model's w_in_exc/inh)
input_seed      seed of the input connectivity (null: ``seed``)
any other key   a parameter of the model (see ``izhikevich.PARAMETERS``, ``lif.PARAMETERS``),
                e.g. ``coupling``, ``noise_exc``, ``lam``, ``C_EE``
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from neurodam import engine
from neurodam._validate import check_choice, check_int, check_number, check_seconds

__all__ = ["KINDS", "from_config", "run_config", "validate_config"]

KINDS = ("izhikevich_reservoir", "lif_liquid")
_TEXT = ("name", "description", "reference")
_RUN = {
    "duration": 1.0,
    "device": "runtime",
    "threads": 0,
    "run_seed": None,
    "input_rate": 0.0,
    "input_channels": 20,
    "input_p": 0.3,
    "input_weight": None,
    "input_seed": None,
}
_SIZE = {"izhikevich_reservoir": {"n_exc": 800, "n_inh": 200}, "lif_liquid": {"shape": (15, 3, 3)}}


def _parameters(kind: str) -> dict[str, Any]:
    if kind == "izhikevich_reservoir":
        from neurodam.reservoir.izhikevich import PARAMETERS
    else:
        from neurodam.reservoir.lif import PARAMETERS
    return PARAMETERS


def _seed(value: Any, key: str) -> int | None:
    if value is None:
        return None
    return check_int(value, key, min=0)


def validate_config(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A checked copy of a model file's mapping with defaults filled in (errors name the key).

    Returns a dict with ``kind``, ``size`` (constructor sizes), ``overrides`` (model
    parameters), ``seed`` and the run keys.
    """
    if not isinstance(raw, Mapping):
        raise ValueError(f"config: expected a mapping of keys to values, got {type(raw).__name__}")
    if "kind" not in raw:
        raise ValueError(f"kind: required key missing; expected one of {KINDS}")
    kind = check_choice(raw["kind"], "kind", KINDS)
    params = _parameters(kind)
    allowed = {"kind", "seed", *_TEXT, *_RUN, *_SIZE[kind], *params}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ValueError(
            f"{unknown[0]}: unknown key for {kind}; expected keys from {sorted(allowed)}"
        )
    for key in _TEXT:
        if key in raw and not isinstance(raw[key], str):
            raise ValueError(f"{key}: expected text, got {raw[key]!r}")
    out: dict[str, Any] = {"kind": kind, **_RUN}
    out.update({k: raw[k] for k in _RUN if k in raw})
    out["seed"] = _seed(raw.get("seed"), "seed")
    out["run_seed"] = _seed(out["run_seed"], "run_seed")
    out["input_seed"] = _seed(out["input_seed"], "input_seed")
    out["duration"] = check_seconds(out["duration"], "duration")
    out["device"] = check_choice(out["device"], "device", engine.DEVICES)
    out["threads"] = check_int(out["threads"], "threads", min=0)
    out["input_rate"] = check_number(out["input_rate"], "input_rate", min=0.0)
    out["input_channels"] = check_int(out["input_channels"], "input_channels", min=1)
    out["input_p"] = check_number(out["input_p"], "input_p", min=0.0, max=1.0)
    if out["input_weight"] is not None:
        out["input_weight"] = check_number(out["input_weight"], "input_weight")
    size = {k: raw.get(k, v) for k, v in _SIZE[kind].items()}
    if "shape" in size:
        shape = size["shape"]
        if isinstance(shape, str) or not isinstance(shape, list | tuple) or len(shape) != 3:
            raise ValueError(f"shape: expected three integers [nx, ny, nz], got {shape!r}")
        size["shape"] = tuple(check_int(s, "shape", min=1) for s in shape)
    out["size"] = size
    out["overrides"] = {k: raw[k] for k in params if k in raw}
    for key in _TEXT:
        out[key] = raw.get(key, "")
    return out


def from_config(mapping: Mapping[str, Any]):
    """The :class:`~neurodam.reservoir.Reservoir` a model file describes."""
    from neurodam.reservoir import izhikevich_reservoir, lif_liquid

    cfg = validate_config(mapping)
    build = izhikevich_reservoir if cfg["kind"] == "izhikevich_reservoir" else lif_liquid
    try:
        return build(**cfg["size"], seed=cfg["seed"], **cfg["overrides"])
    except TypeError as exc:  # a wrong type in a YAML value: report it as a bad key value
        raise ValueError(str(exc)) from exc


def run_config(mapping: Mapping[str, Any], progress: bool = False):
    """Build and run a model file; returns a :class:`~neurodam.reservoir.ReservoirRun`.

    ``.spikes`` holds every reservoir neuron, excitatory first.
    """
    from neurodam.reservoir.encoders import poisson_rate
    from neurodam.reservoir.simulate import simulate

    cfg = validate_config(mapping)
    model = from_config(mapping)
    inputs = None
    if cfg["input_rate"] > 0:
        # a constant rate on a fixed 100 ms grid (one compiled input for every duration)
        inputs = poisson_rate(
            np.ones(max(1, math.ceil(cfg["duration"] / 0.1))),
            0.1,
            rate_range=(0.0, cfg["input_rate"]),
            value_range=(0.0, 1.0),
            n_per_channel=cfg["input_channels"],
            p_connect=cfg["input_p"],
            weight=cfg["input_weight"],
            seed=cfg["input_seed"] if cfg["input_seed"] is not None else cfg["seed"],
        )
    run_seed = cfg["run_seed"] if cfg["run_seed"] is not None else cfg["seed"]
    return simulate(
        model,
        cfg["duration"],
        inputs=inputs,
        backend=cfg["device"],
        seed=run_seed,
        progress=progress,
        threads=cfg["threads"],
    )
