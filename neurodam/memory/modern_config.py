"""Model files of the modern (continuous) Hopfield network: ``kind: modern``.

A flat YAML mapping read by :func:`neurodam.config.load` (``neurodam run FILE.yaml``);
unknown keys raise ``ValueError`` naming the key, values of the wrong kind ``TypeError``.

Keys
----
kind            ``modern``
name, description, reference   free text
patterns        ``gaussian`` (i.i.d. N(0, 1) entries) | ``rademacher`` | ``digits``
                (binarised 8x8 digits as +-1 vectors, N = 64: the first image of each of
                the classes 0..K-1 for K <= 10, else the first K images)
N, K            dimension and number of stored patterns
pattern_seed    seed of the random patterns
beta            inverse temperature of the softmax, > 0
init            index of the pattern the query is made from
noise           standard deviation of the Gaussian noise added to it (>= 0)
steps           updates (>= 1)
seed            seed of the noise
backend         ``reference`` | ``runtime`` | ``numpy`` | ``cpp_standalone`` | ``cuda_standalone``
dt              seconds per update (Brian2)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from neurodam._validate import check_choice, check_int, check_number, check_seconds

__all__ = ["ModernConfig", "from_mapping", "make_patterns", "run_config", "summary"]

SOURCES = ("gaussian", "rademacher", "digits")
_KEYS = ("name", "description", "reference", "patterns", "N", "K", "pattern_seed", "beta",
         "init", "noise", "steps", "seed", "backend", "dt")  # fmt: skip


@dataclass(frozen=True)
class ModernConfig:
    """A validated ``kind: modern`` model file."""

    patterns: str = "gaussian"
    N: int = 64
    K: int = 10
    pattern_seed: int | None = 0
    beta: float = 1.0
    init: int = 0
    noise: float = 0.0
    steps: int = 1
    seed: int | None = 0
    backend: str = "reference"
    dt: float = 1e-3
    name: str = ""
    description: str = ""
    reference: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        return (
            f"{self.name}: modern Hopfield, {self.patterns} patterns N={self.N} K={self.K}, "
            f"beta={self.beta:g}, {self.steps} updates on {self.backend}"
        )


def from_mapping(raw: Mapping[str, Any], name: str = "") -> ModernConfig:
    """Check a raw mapping (a model file without ``kind``) and build a :class:`ModernConfig`."""
    from neurodam.memory.params import _check_backend

    if not isinstance(raw, Mapping):
        raise ValueError(f"config: expected a mapping of keys to values, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown key; expected keys from {sorted(_KEYS)}")
    source = check_choice(raw.get("patterns", "gaussian"), "patterns", SOURCES)
    N = check_int(raw.get("N", 64), "N", min=1)
    if source == "digits":
        if "N" in raw and raw["N"] != 64:
            raise ValueError(f"N: the digits patterns have N=64, got {raw['N']!r}")
        N = 64
    K = check_int(raw.get("K", 10), "K", min=1)
    ps = raw.get("pattern_seed", 0)
    seed = raw.get("seed", 0)
    cfg = ModernConfig(
        patterns=source,
        N=N,
        K=K,
        pattern_seed=None if ps is None else check_int(ps, "pattern_seed", min=0),
        beta=check_number(raw.get("beta", 1.0), "beta", min=0.0, min_open=True),
        init=check_int(raw.get("init", 0), "init", min=0, max=K - 1),
        noise=check_number(raw.get("noise", 0.0), "noise", min=0.0),
        steps=check_int(raw.get("steps", 1), "steps", min=1),
        seed=None if seed is None else check_int(seed, "seed", min=0),
        backend=_check_backend(raw.get("backend", "reference")),
        dt=check_seconds(raw.get("dt", 1e-3), "dt", what="a step length"),
        **{k: "" if raw.get(k) is None else str(raw[k]) for k in ("description", "reference")},
        name=str(raw.get("name") or name),
    )
    return cfg


def make_patterns(cfg: ModernConfig) -> np.ndarray:
    """The (K, N) float64 patterns of a config."""
    from neurodam import patterns as P

    if cfg.patterns == "gaussian":
        return np.random.default_rng(cfg.pattern_seed).normal(size=(cfg.K, cfg.N))
    if cfg.patterns == "rademacher":
        return P.rademacher(cfg.K, cfg.N, seed=cfg.pattern_seed).astype(np.float64)
    xi, labels = P.digits()
    if cfg.K <= 10:
        idx = [int(np.flatnonzero(labels == k)[0]) for k in range(cfg.K)]
        return xi[idx].astype(np.float64)
    return xi[: cfg.K].astype(np.float64)


def run_config(cfg: ModernConfig, progress: bool = False) -> Any:
    """Query = pattern ``init`` plus Gaussian noise; ``steps`` updates on the backend."""
    from neurodam.memory.modern import simulate_modern

    X = make_patterns(cfg)
    rng = np.random.default_rng(cfg.seed)
    query = X[cfg.init] + cfg.noise * rng.normal(size=cfg.N)
    kw = {} if cfg.backend == "reference" else {"progress": progress}
    run = simulate_modern(X, query, cfg.beta, cfg.steps, backend=cfg.backend, dt=cfg.dt, **kw)
    run.params["config"] = cfg.as_dict()
    return run


def summary(cfg: ModernConfig, run: Any) -> list[str]:
    """Lines for ``neurodam run``: retrieved pattern, error, energy, metastable size."""
    X = make_patterns(cfg)
    err = float(np.linalg.norm(run.final - X[run.retrieved]))
    return [
        f"retrieved  pattern {run.retrieved} (query made from pattern {cfg.init})",
        f"error      ||xi - x|| = {err:.3g} (||x|| = {np.linalg.norm(X[run.retrieved]):.3g})",
        f"energy     {run.energy[0]:.4g} -> {run.energy[-1]:.4g}",
        f"weights    {run.metastable_size(0.9)} pattern(s) carry 90 % of the softmax",
    ]
