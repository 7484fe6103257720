"""Reservoir model files (``models/izhikevich_reservoir.yaml``, ``models/lif_liquid.yaml``).

A model file is a flat mapping; :func:`from_config` builds the model and
:func:`run_config` runs it. Unknown keys, wrong types and out-of-range values raise an
error naming the key. The two kinds are registered in :mod:`neurodam.config`, so
``python -m neurodam.cli run models/lif_liquid.yaml --set duration=0.5 --out spikes.npz``
runs a file (:func:`load_file`, :func:`run_file`, :func:`summary`, :func:`save`).

Keys
----
kind            ``izhikevich_reservoir`` | ``lif_liquid`` (required)
name, description, reference   free text
n_exc, n_inh    neurons of the Izhikevich network (800, 200)
shape           grid of the liquid ([15, 3, 3])
seed            seed of the network's draws (also Brian2's unless ``run_seed``)
run_seed        Brian2's seed (thalamic noise, Poisson input)
duration        seconds of simulated time (1.0)
backend         ``runtime`` | ``numpy`` | ``cpp_standalone`` | ``cuda_standalone``
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from neurodam import engine
from neurodam._validate import check_choice, check_int, check_number, check_seconds

__all__ = [
    "KINDS",
    "ReservoirFile",
    "check_save",
    "describe",
    "from_config",
    "load_file",
    "run_config",
    "run_file",
    "save",
    "summary",
    "validate_config",
]

KINDS = ("izhikevich_reservoir", "lif_liquid")
_TEXT = ("name", "description", "reference")
_RUN = {
    "duration": 1.0,
    "backend": "runtime",
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
    if "device" in raw:
        raise ValueError(
            f"device: renamed to 'backend'; write 'backend: {raw['device']}' "
            f"(or --set backend={raw['device']})"
        )
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
    out["backend"] = check_choice(out["backend"], "backend", engine.DEVICES)
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
        backend=cfg["backend"],
        seed=run_seed,
        progress=progress,
        threads=cfg["threads"],
    )


# ------------------------------------------------- the model-kind interface of neurodam.config
@dataclass(frozen=True)
class ReservoirFile:
    """A checked model file: the mapping (with ``kind``) and the file's name."""

    mapping: dict
    name: str = ""

    @property
    def checked(self) -> dict[str, Any]:
        """The mapping with defaults filled in (:func:`validate_config`)."""
        return validate_config(self.mapping)


def load_file(kind: str, raw: Mapping[str, Any], name: str = "") -> ReservoirFile:
    """Check a model file's mapping (``kind`` already taken out of it) for ``kind``."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"config: expected a mapping of keys to values, got {type(raw).__name__}")
    mapping = {**raw, "kind": kind}
    from_config(mapping)  # every key checked, the network built once
    return ReservoirFile(mapping, name)


def run_file(cfg: ReservoirFile, progress: bool = False):
    """Run a loaded model file (:func:`run_config`)."""
    return run_config(cfg.mapping, progress=progress)


def describe(cfg: ReservoirFile) -> str:
    """One line announcing the run."""
    c = cfg.checked
    size = (
        "x".join(map(str, c["size"]["shape"]))
        if "shape" in c["size"]
        else (f"{c['size']['n_exc']}+{c['size']['n_inh']}")
    )
    drive = f", Poisson input {c['input_rate']:g} Hz" if c["input_rate"] > 0 else ""
    return (
        f"{cfg.name or c['kind']}: {c['kind']} {size}, {c['duration']:g} s{drive}, "
        f"seed {c['seed']}, on {c['backend']}"
    )


def summary(cfg: ReservoirFile, run) -> list[str]:
    """The lines ``neurodam run`` prints: spikes, rates per population, timing."""
    s = run.spikes
    rates, n_exc = s.rates(), int(s.meta.get("n_exc", s.n_neurons))
    lines = [f"spikes     {len(s)} from {s.n_neurons} neurons in {s.duration:g} s"]
    for label, part in (("exc", rates[:n_exc]), ("inh", rates[n_exc:])):
        if part.size:
            lines.append(f"rate {label}   {part.mean():.2f} Hz ({part.size} neurons)")
    t = run.timing
    lines.append(
        f"time       {t.get('run', 0.0):.2f} s run, {t.get('codegen', 0.0):.2f} s code "
        f"generation, {t.get('compile', 0.0):.2f} s compile"
    )
    return lines


def check_save(cfg: ReservoirFile, path: Path, overwrite: bool) -> None:
    """Refuse ``--out`` before running when the file exists."""
    if Path(path).exists() and not overwrite:
        raise FileExistsError(f"--out: {path} exists (use -f to overwrite)")


def save(run, path: Path, overwrite: bool) -> list[str]:
    """Write the reservoir's spikes to ``path`` (.npz, .csv, .nwb: :func:`neurodam.io.write`)."""
    from neurodam import io

    io.write(run.spikes, path, overwrite=overwrite)
    return [f"{len(run.spikes)} spikes to {path}"]
