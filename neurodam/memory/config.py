"""Ready-made associative-memory models: YAML parameter sets (``models/*.yaml``).

The model kind ``memory`` of :mod:`neurodam.config` (the default ``kind``). A model file is
a flat YAML mapping; ``F`` and ``patterns`` are required, every other key is optional and
checked here (unknown keys raise ``ValueError`` naming the key, values of the wrong kind
``TypeError``, values out of range ``ValueError``). ``--set key=value`` overrides (values
parsed as YAML) are applied before validation.

Keys
----
name, description, reference   free text (the paper a model reproduces)
patterns      ``rademacher`` | ``correlated`` | ``diluted`` | ``digits`` | ``mnist`` |
              ``examples``
N, K          feature neurons and stored patterns (``digits``: N = 64 and ``mnist``: N = 784
              fixed; ``N: null`` or no N: the source's size, 100 for random patterns;
              ``examples``: K classes, N = 64 for digits and 784 for MNIST)
c             correlation of ``correlated`` patterns (:func:`neurodam.patterns.correlated`)
d             dilution of ``diluted`` patterns
pattern_seed  seed of the random patterns, and of ``images: random``
images        ``first`` | ``random``: which images of each class ``digits`` and ``mnist``
              take (:func:`neurodam.patterns.per_class`)
mnist_dir     folder of the MNIST test-set files (default: ``$NEURODAM_SHARED_DATA/mnist``
              or ``shared/data/mnist`` beside the repository, else the repository's subset
              ``data/mnist_subset.npz``; :func:`neurodam.patterns.mnist_images`)
analysis      a mapping read by the code that analyses the runs (e.g. the thresholds of
              the SEDAM study, :mod:`neurodam.sweep.sedam`); kept as given here
examples, M, r, rule, normalisation
              ``patterns: examples``: couplings learnt from M examples per class
              (:func:`neurodam.memory.learning.from_examples`); ``examples`` is ``noisy``
              (``noisy_examples`` of quality r of Rademacher archetypes), ``digits`` or
              ``mnist`` (the first M images of classes 0..K-1); ``rule`` supervised |
              unsupervised; ``normalisation`` R | mean | sum
F, noise, noise_mode, temperature, schedule, fire_on, steps, dt, init, seed, record,
backend, form
              the fields of :class:`~neurodam.memory.params.MemoryParams` (``init``: null,
              a pattern index or [index, flip fraction]; ``backend``: ``reference`` |
              ``runtime`` | ``numpy`` | ``cpp_standalone`` | ``cuda_standalone``)

``device`` is the old name of ``backend`` and is refused with a message saying so.

``digits`` (scikit-learn's 8x8 handwritten digits binarised, N=64) and ``mnist`` (the MNIST
test set binarised, pixel > 127 -> +1, N=784) take their images class by class: pattern mu
is image ``mu // 10`` of digit ``mu % 10`` (K = 10: one image of each digit; K = 20: two),
each class's images in data order (``images: first``) or in a seeded random order
(``images: random`` with ``pattern_seed``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from neurodam._validate import check_choice, check_int, check_number
from neurodam.memory.params import MemoryParams
from neurodam.memory.results import MemoryRun, observables_path, save_observables
from neurodam.patterns import IMAGE_ORDERS, per_class

__all__ = [
    "MemoryConfig",
    "from_mapping",
    "load_config",
    "make_patterns",
    "pattern_source",
    "check_save",
    "run_config",
    "save",
    "summary",
]

PATTERN_SOURCES = ("rademacher", "correlated", "diluted", "digits", "mnist", "examples")
EXAMPLE_SOURCES = ("noisy", "digits", "mnist")
#: The image sources and their fixed N.
IMAGE_SIZES = {"digits": 64, "mnist": 784}
_PARAM_KEYS = tuple(f.name for f in dataclasses.fields(MemoryParams))
_OWN_KEYS = ("name", "description", "reference", "patterns", "N", "K", "c", "d", "pattern_seed")
_OWN_KEYS += ("images", "mnist_dir", "analysis", "examples", "M", "r", "rule", "normalisation")


@dataclass(frozen=True)
class MemoryConfig:
    """A validated model file: the patterns to make and the :class:`MemoryParams`."""

    params: MemoryParams
    patterns: str = "rademacher"
    N: int = 100
    K: int = 10
    c: float = 0.0
    d: float = 0.0
    pattern_seed: int | None = 0
    name: str = ""
    description: str = ""
    reference: str = ""
    images: str = "first"
    mnist_dir: str | None = None
    analysis: dict | None = None
    examples: str = "noisy"
    M: int = 1
    r: float | None = None
    rule: str = "supervised"
    normalisation: str = "R"

    def as_dict(self) -> dict[str, Any]:
        """A flat, JSON-safe dict (the keys of a model file)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "params"}
        d.update(self.params.to_dict())
        return d

    def describe(self) -> str:
        """One line: name, F, patterns, noise, temperature, schedule, steps, backend."""
        P = self.params
        return (
            f"{self.name}: F={P.interaction.name}, {self.patterns} patterns N={self.N} "
            f"K={self.K}, p={P.noise:g}, T={P.temperature}, {P.schedule}, {P.steps} steps "
            f"on {P.backend}"
        )


def from_mapping(raw: Mapping[str, Any], name: str = "") -> MemoryConfig:
    """Check a raw mapping (a model file) and build a :class:`MemoryConfig`."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"config: expected a mapping of keys to values, got {type(raw).__name__}")
    if "device" in raw:
        raise ValueError(
            f"device: renamed to 'backend'; write 'backend: {raw['device']}' "
            f"(or --set backend={raw['device']})"
        )
    known = _OWN_KEYS + _PARAM_KEYS
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown key; expected keys from {sorted(known)}")
    for key in ("F", "patterns"):
        if key not in raw:
            raise ValueError(f"{key}: required key missing")
    source = check_choice(raw["patterns"], "patterns", PATTERN_SOURCES)
    N = raw.get("N")
    N = check_int(N, "N", min=1) if N is not None else IMAGE_SIZES.get(source, 100)
    if source in IMAGE_SIZES and N != IMAGE_SIZES[source]:
        raise ValueError(f"N: the {source} patterns have N={IMAGE_SIZES[source]}, got {N!r}")
    K = check_int(raw.get("K", 10), "K", min=1)
    images = check_choice(raw.get("images", "first"), "images", IMAGE_ORDERS)
    mnist_dir = raw.get("mnist_dir")
    if mnist_dir is not None and not isinstance(mnist_dir, str):
        raise TypeError(f"mnist_dir: expected a folder name or null, got {mnist_dir!r}")
    analysis = raw.get("analysis")
    if analysis is not None and not isinstance(analysis, Mapping):
        raise TypeError(f"analysis: expected a mapping of analysis keys, got {analysis!r}")
    if source == "mnist" or (source == "digits" and K > 1740):  # 174 images of digit 8
        per_class(_labels(source, mnist_dir), K, "first")  # K too large: ValueError naming K
    c = check_number(raw.get("c", 0.0), "c", min=0.0, max=1.0, what="a correlation")
    d = check_number(raw.get("d", 0.0), "d", min=0.0, max=1.0, max_open=True, what="a dilution")
    pattern_seed = raw.get("pattern_seed", 0)
    if pattern_seed is not None:
        pattern_seed = check_int(pattern_seed, "pattern_seed", min=0)
    learn = _learning_keys(raw, source, N, K)
    if source == "examples" and learn["examples"] != "noisy":
        N = 64 if learn["examples"] == "digits" else 784
    fields = {k: v for k, v in raw.items() if k in _PARAM_KEYS}
    if "record" in fields and isinstance(fields["record"], list):
        fields["record"] = tuple(fields["record"])
    params = MemoryParams(**fields)
    mu = params.init_pattern
    if mu is not None and mu >= K:
        raise ValueError(f"init: expected a pattern index in [0, {K}), got {mu!r}")
    texts = {k: "" if raw.get(k) is None else str(raw.get(k)) for k in _OWN_KEYS[:3]}
    texts["name"] = texts["name"] or name
    return MemoryConfig(
        params, source, N, K, c, d, pattern_seed, **texts, images=images, mnist_dir=mnist_dir,
        analysis=None if analysis is None else dict(analysis), **learn,
    )  # fmt: skip


def _labels(source: str, mnist_dir: str | None) -> np.ndarray:
    from neurodam import patterns as P

    if source == "digits":
        return P.digits()[1]
    return P.mnist_labels(mnist_dir)[0]


def _learning_keys(raw: Mapping[str, Any], source: str, N: int, K: int) -> dict[str, Any]:
    """The keys of ``patterns: examples`` (refused with any other source)."""
    from neurodam.memory.learning import NORMALISATIONS, RULES

    keys = ("examples", "M", "r", "rule", "normalisation")
    if source != "examples":
        for key in keys:
            if key in raw:
                raise ValueError(f"{key}: only used with 'patterns: examples'")
        return {}
    ex = check_choice(raw.get("examples", "noisy"), "examples", EXAMPLE_SOURCES)
    M = check_int(raw.get("M", 1), "M", min=1)
    r = raw.get("r")
    if ex == "noisy":
        if r is None:
            raise ValueError("r: required with 'examples: noisy' (quality in [0, 1])")
        r = check_number(r, "r", min=0.0, max=1.0, what="a quality")
    elif r is not None:
        raise ValueError(f"r: only used with 'examples: noisy', got examples: {ex}")
    else:
        if "N" in raw and raw["N"] != (64 if ex == "digits" else 784):
            raise ValueError(f"N: the {ex} images have N={64 if ex == 'digits' else 784}")
        if K > 10:
            raise ValueError(f"K: {ex} has 10 classes, got {K}")
    rule = check_choice(raw.get("rule", "supervised"), "rule", RULES)
    norm = check_choice(raw.get("normalisation", "R"), "normalisation", NORMALISATIONS)
    return {"examples": ex, "M": M, "r": r, "rule": rule, "normalisation": norm}


def load_config(
    path: str | Path, overrides: Iterable[str] | Mapping[str, Any] | None = None
) -> MemoryConfig:
    """Read a ``kind: memory`` model file (:func:`neurodam.config.load`) and return its
    :class:`MemoryConfig`."""
    from neurodam import config

    model = config.load(path, overrides)
    if model.kind != "memory":
        raise ValueError(f"kind: {path} holds a {model.kind!r} model, not an associative memory")
    return model.config


def make_patterns(cfg: MemoryConfig) -> np.ndarray:
    """The (K, N) int8 patterns a config asks for."""
    from neurodam import patterns as P

    if cfg.patterns == "rademacher":
        return P.rademacher(cfg.K, cfg.N, seed=cfg.pattern_seed)
    if cfg.patterns == "correlated":
        return P.correlated(cfg.K, cfg.N, cfg.c, seed=cfg.pattern_seed)
    if cfg.patterns == "diluted":
        return P.diluted(cfg.K, cfg.N, cfg.d, seed=cfg.pattern_seed)
    if cfg.patterns == "mnist":
        return P.mnist(cfg.K, cfg.images, cfg.pattern_seed, cfg.mnist_dir)
    if cfg.patterns == "examples":
        return _learned_patterns(cfg)
    xi, labels = P.digits()
    return xi[P.per_class(labels, cfg.K, cfg.images, cfg.pattern_seed)]


def pattern_source(cfg: MemoryConfig) -> str:
    """Where the patterns of ``cfg`` come from, in words (which MNIST files were read)."""
    from neurodam import patterns as P

    if cfg.patterns == "mnist":
        return f"{P.mnist_source(cfg.mnist_dir)}, images {cfg.images}"
    if cfg.patterns == "digits":
        return f"digits (scikit-learn 8x8), images {cfg.images}"
    return f"{cfg.patterns} (pattern_seed {cfg.pattern_seed})"


def _learned_patterns(cfg: MemoryConfig) -> np.ndarray:
    """The couplings learnt from the examples of a ``patterns: examples`` config."""
    from neurodam import patterns as P
    from neurodam.memory import learning
    from neurodam.memory.polynomial import Polynomial

    inter = cfg.params.interaction
    order = inter.n if isinstance(inter, Polynomial) else 2
    if cfg.examples == "noisy":
        seed = None if cfg.pattern_seed is None else cfg.pattern_seed + 1
        xi = P.rademacher(cfg.K, cfg.N, seed=cfg.pattern_seed)
        eta = P.noisy_examples(xi, cfg.M, cfg.r, seed=seed)
    elif cfg.examples == "digits":
        eta = learning.digits_examples(cfg.M, range(cfg.K))
    else:
        eta = learning.mnist_examples(cfg.M, range(cfg.K))
    return learning.from_examples(eta, cfg.rule, P=order, normalisation=cfg.normalisation,
                                  r=cfg.r, M=cfg.M)  # fmt: skip


def run_config(cfg: MemoryConfig, progress: bool = False) -> MemoryRun:
    """Simulate a config (:func:`neurodam.memory.simulate`); ``params["config"]`` holds the
    config as a dict, ``params["timing"]`` the seconds of each phase."""
    from neurodam.memory.simulate import simulate

    run = simulate(make_patterns(cfg), cfg.params, progress=progress)
    run.params["config"] = cfg.as_dict()
    return run


def summary(cfg: MemoryConfig, run: MemoryRun) -> list[str]:
    """The lines ``neurodam run`` prints: Q_bar, final overlap, activity, time per step."""
    t = run.params["timing"]
    last = run.overlaps[-1]
    mean_act = float(np.mean(run.activity))
    steps = run.n_steps
    lines = [
        f"Q_bar      {run.Q_bar:.4f}  (time average of max_mu m_mu)",
        f"final m    {float(last.max()):.4f} (pattern {int(last.argmax())})",
        f"activity   {mean_act:.2f} firing neurons per step ({mean_act / cfg.N:.3f} of N)",
        f"time       {1e6 * t['run'] / steps:.1f} us per step ({t['run']:.2f} s run, "
        f"{t['codegen']:.2f} s code generation, {t['compile']:.2f} s compile)",
    ]
    if cfg.patterns == "diluted" and run.n_patterns > 1:
        from neurodam.memory.multitask import cascade

        c = cascade(run, cfg.d)
        got = ", ".join(f"{v:.3f}" for v in c.overlaps[:6])
        pred = ", ".join(f"{v:.3f}" for v in c.prediction[:6])
        lines.insert(2, f"cascade    sorted |m_k| {got}  (hierarchical (1-d) d^(k-1): {pred})")
    return lines


def check_save(cfg: MemoryConfig, path: Path, overwrite: bool) -> None:
    """Refuse ``--out`` before running when nothing (or something existing) would be written."""
    if "spikes" not in cfg.params.record:
        raise ValueError(
            f"--out: the model records {list(cfg.params.record)}, no spikes to write; "
            "add them with --set 'record=[spikes, overlaps, activity]'"
        )
    for p in (Path(path), observables_path(path)):
        if p.exists() and not overwrite:
            raise FileExistsError(f"--out: {p} exists (use -f to overwrite)")


def save(run: MemoryRun, path: Path, overwrite: bool) -> list[str]:
    """Write the spikes to ``path`` (.npz, .csv, .nwb) and the overlaps, energies and
    activity to ``<path stem>_overlaps.npz`` (:func:`~neurodam.memory.results.save_observables`)."""
    from neurodam import io

    if "spikes" not in run.params.get("record", ()):
        raise ValueError("--out: the run recorded no spikes")
    io.write(run.spikes, path, overwrite=overwrite)
    obs = save_observables(run, observables_path(path), overwrite=overwrite)
    return [
        f"{len(run.spikes)} spikes to {path}",
        f"overlaps and energy ({run.n_steps} steps x {run.n_patterns} patterns) to {obs}",
    ]
