"""The parameters of an associative-memory simulation: :class:`MemoryParams`.

One frozen, validated object holds everything that defines a run, whichever engine runs
it: the numpy reference engine (:mod:`neurodam.memory.reference`), the Brian2 model
(:mod:`neurodam.memory.brian`), :func:`neurodam.memory.simulate`, a compiled
:class:`~neurodam.memory.session.MemorySession` and the YAML model files
(:mod:`neurodam.memory.config`). It is checked once, when it is made (wrong kind of value:
``TypeError``; value out of range: ``ValueError``; both messages start with the field's
name), and every engine then trusts it.

The default interaction is ``F = "exp"``, the exponential memory of the SEDAM model
(Demircigil et al. 2017; Cafiso & Paradisi 2026), everywhere: ``MemoryParams``,
``simulate``, ``reference.run``, ``reference.iterate``, ``build_memory_network`` and
``to_nengo``.

Constants
---------
SCHEDULES, NOISE_MODES, FIRE_ON, FORMS, RECORDABLE, DEFAULT_RECORD, DEFAULT_F
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from neurodam._validate import (
    check_choice,
    check_int,
    check_number,
    check_probability,
    check_seconds,
)
from neurodam.engine import BACKENDS
from neurodam.memory.interactions import Interaction, parse_interaction

__all__ = [
    "DEFAULT_F",
    "DEFAULT_RECORD",
    "FIRE_ON",
    "FORMS",
    "NOISE_MODES",
    "RECORDABLE",
    "SCHEDULES",
    "MemoryParams",
    "check_record",
]

#: The default interaction function of every entry point: the exponential memory.
DEFAULT_F = "exp"
SCHEDULES = ("sync", "async")
NOISE_MODES = ("flip", "reset")
FIRE_ON = ("plus", "flip")
FORMS = ("matrix", "bipartite")
RECORDABLE = ("spikes", "overlaps", "activity", "states")
DEFAULT_RECORD = ("spikes", "overlaps", "activity")


def check_record(record: Any) -> tuple[str, ...]:
    """The ``record`` argument as a tuple of names from :data:`RECORDABLE`."""
    if record is None:
        return ()
    if isinstance(record, str):
        items: tuple = (record,)
    elif isinstance(record, Iterable):
        items = tuple(record)
    else:
        raise TypeError(f"record: expected names from {RECORDABLE}, got {record!r}")
    for r in items:
        if r not in RECORDABLE:
            raise ValueError(f"record: expected names from {RECORDABLE}, got {r!r}")
    return tuple(dict.fromkeys(items))


def _check_init(init: Any) -> Any:
    """None, a pattern index, (index, flip fraction) or a +-1 state vector (read-only int8)."""
    if init is None:
        return None
    if isinstance(init, bool | np.bool_):
        raise TypeError(
            f"init: expected None, a pattern index, (index, fraction) or a state, got {init!r}"
        )
    if isinstance(init, int | np.integer):
        return check_int(init, "init", min=0)
    if isinstance(init, tuple | list) and len(init) == 2 and not isinstance(init[0], list):
        mu, frac = init
        if isinstance(mu, bool) or not isinstance(mu, int | np.integer):
            raise TypeError(f"init: expected (pattern index, flip fraction), got {tuple(init)!r}")
        mu = check_int(mu, "init", min=0)
        frac = check_number(frac, "init", min=0.0, max=1.0, what="a flip fraction")
        return (mu, frac)
    s = np.asarray(init)
    if s.dtype.kind not in "biuf":
        raise TypeError(f"init: expected a numeric state vector, got dtype {s.dtype}")
    if s.ndim != 1 or s.size < 1:
        raise ValueError(f"init: expected a 1-D state vector of +-1 entries, got shape {s.shape}")
    if not np.all(np.abs(s) == 1):
        raise ValueError("init: expected a state with entries in {-1, +1}")
    s = s.astype(np.int8)
    s.setflags(write=False)
    return s


def _check_seed(seed: Any) -> Any:
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed: expected None, an integer >= 0 or a numpy Generator, got {seed!r}")
    return check_int(seed, "seed", min=0)


def _check_backend(backend: Any) -> str:
    if backend == "cython":
        raise ValueError(
            "backend: 'cython' is not a backend name; use 'runtime' (Brian2 runtime mode "
            "with Cython code generation)"
        )
    if not isinstance(backend, str):
        raise TypeError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    return check_choice(backend, "backend", BACKENDS)


@dataclass(frozen=True, eq=False)
class MemoryParams:
    """Every parameter of an associative-memory run, validated once.

    Parameters
    ----------
    F : str or Interaction
        The interaction function (:func:`~neurodam.memory.interactions.parse_interaction`):
        ``"hopfield"`` (x^2), ``"dense:n"`` (x^n), ``"exp"`` / ``"exp:lam"`` (exp(lam x)),
        or any registered name. Default ``"exp"``. Stored as an :class:`Interaction`.
    noise : float
        SEDAM noise p in [0, 0.5]: after the update each neuron is flipped (or reset, see
        ``noise_mode``) with probability p (Cafiso & Paradisi 2026).
    noise_mode : {"flip", "reset"}
        Flip with probability p, or reset to a random +-1 with probability p.
    temperature : float or None
        Glauber heat-bath temperature T > 0; None or 0: the deterministic update. Only the
        asynchronous schedule samples the Boltzmann distribution ``exp(-E/T)``; synchronous
        heat-bath updates (Little 1974) have another stationary distribution (for F = x^2
        Peretto's 1984 pseudo-Hamiltonian; :mod:`neurodam.memory.reference`).
    schedule : {"sync", "async"}
        Synchronous steps (all N neurons from the same state) or sweeps of single-neuron
        updates in random order.
    steps : int
        Number of steps (synchronous updates or asynchronous sweeps), >= 1.
    dt : float
        Seconds per step.
    fire_on : {"plus", "flip"}
        A neuron spikes in every step with sigma = +1, or only on -1 -> +1 flips.
    init : None, int, (int, float) or array of +-1
        Initial state: random, pattern mu, pattern mu with a fraction flipped, or a state
        (:func:`neurodam.memory.state.initial_state`).
    seed : int, numpy Generator or None
        Seed of every random draw of the run (same seed, same result on a backend).
    record : iterable of str
        Subset of ``("spikes", "overlaps", "activity", "states")``; the overlaps are
        always kept (they make the :class:`~neurodam.memory.results.MemoryRun`).
    backend : str
        ``"reference"`` (numpy engine) or a Brian2 device: ``"runtime"``, ``"numpy"``,
        ``"cpp_standalone"``, ``"cuda_standalone"`` (:data:`neurodam.engine.BACKENDS`).
    form : {"matrix", "bipartite"} or None
        Brian2 model form; None: ``"bipartite"`` on ``cuda_standalone`` (the matrix form's
        user functions have no CUDA implementation), ``"matrix"`` elsewhere.

    Examples
    --------
    >>> p = MemoryParams(F="hopfield", noise=0.1, steps=50, seed=1)
    >>> p.replace(noise=0.2).noise
    0.2
    >>> MemoryParams(noise=0.7)
    Traceback (most recent call last):
    ...
    ValueError: noise: expected a probability in [0, 0.5], got 0.7
    """

    F: Interaction | str = DEFAULT_F
    noise: float = 0.0
    noise_mode: str = "flip"
    temperature: float | None = None
    schedule: str = "sync"
    steps: int = 100
    dt: float = 1e-3
    fire_on: str = "plus"
    init: Any = None
    seed: int | np.random.Generator | None = None
    record: tuple[str, ...] = DEFAULT_RECORD
    backend: str = "reference"
    form: str | None = None

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "F", parse_interaction(self.F))
        put(self, "noise", check_probability(self.noise, "noise", max=0.5))
        check_choice(self.noise_mode, "noise_mode", NOISE_MODES)
        if self.temperature is not None:
            T = check_number(self.temperature, "temperature", min=0.0, what="a temperature")
            put(self, "temperature", None if T == 0 else T)
        check_choice(self.schedule, "schedule", SCHEDULES)
        put(self, "steps", check_int(self.steps, "steps", min=1))
        put(self, "dt", check_seconds(self.dt, "dt", what="a step length"))
        check_choice(self.fire_on, "fire_on", FIRE_ON)
        put(self, "init", _check_init(self.init))
        put(self, "seed", _check_seed(self.seed))
        put(self, "record", check_record(self.record))
        put(self, "backend", _check_backend(self.backend))
        if self.form is not None:
            check_choice(self.form, "form", FORMS)

    # ------------------------------------------------------------------ derived
    @property
    def interaction(self) -> Interaction:
        """``F`` (always an :class:`Interaction` after validation)."""
        return self.F  # type: ignore[return-value]

    @property
    def brian_form(self) -> str:
        """The Brian2 model form: ``form``, or its default for the backend."""
        if self.form is not None:
            return self.form
        return "bipartite" if self.backend == "cuda_standalone" else "matrix"

    @property
    def init_pattern(self) -> int | None:
        """Index of the pattern the run starts from (None for a random or given state)."""
        if isinstance(self.init, tuple):
            return int(self.init[0])
        if isinstance(self.init, int):
            return int(self.init)
        return None

    # ---------------------------------------------------------------- copies
    def replace(self, **changes: Any) -> MemoryParams:
        """A validated copy with some fields changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict of the fields (F by name, a state ``init`` as a list of ints,
        a Generator ``seed`` as its repr)."""
        init = self.init
        if isinstance(init, np.ndarray):
            init = [int(v) for v in init]
        elif isinstance(init, tuple):
            init = list(init)
        seed = self.seed if (self.seed is None or isinstance(self.seed, int)) else repr(self.seed)
        return {
            "F": self.interaction.name,
            "noise": self.noise,
            "noise_mode": self.noise_mode,
            "temperature": self.temperature,
            "schedule": self.schedule,
            "steps": self.steps,
            "dt": self.dt,
            "fire_on": self.fire_on,
            "init": init,
            "seed": seed,
            "record": list(self.record),
            "backend": self.backend,
            "form": self.form,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MemoryParams:
        """Inverse of :meth:`to_dict` (unknown keys raise ``TypeError`` naming them)."""
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - fields)
        if unknown:
            raise TypeError(f"{unknown[0]}: not a MemoryParams field; expected {sorted(fields)}")
        return cls(**dict(d))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MemoryParams):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def scalars(self) -> dict[str, Any]:
        """The scalar fields (``init`` only when it is not a state vector): spike metadata."""
        d = self.to_dict()
        if isinstance(self.init, np.ndarray):
            d["init"] = "state"
        d["record"] = ",".join(self.record)
        return d


def as_params(params: MemoryParams | Interaction | str | None, changes: Mapping[str, Any]):
    """``params`` (a MemoryParams, or an F spec) with ``changes`` applied: the common front
    of ``simulate``, ``reference.run``, ``build_memory_network`` and ``MemorySession``."""
    fields = {f.name for f in dataclasses.fields(MemoryParams)}
    for key in changes:
        if key not in fields:
            raise TypeError(
                f"{key}: not a parameter of the memory model; expected {sorted(fields)}"
            )
    if params is None:
        return MemoryParams(**changes)
    if isinstance(params, MemoryParams):
        return params.replace(**changes) if changes else params
    if isinstance(params, Interaction | str):
        if "F" in changes:
            raise TypeError("F: given twice (positionally and as a keyword)")
        return MemoryParams(F=params, **changes)
    raise TypeError(
        f"params: expected a MemoryParams, an interaction (e.g. 'exp') or None, "
        f"got {type(params).__name__}"
    )
