"""The reservoir model object and the Brian2 objects built from it.

A :class:`Reservoir` is a description: the paper's parameters (with the user's overrides)
and every random draw (heterogeneity, connectivity, weights) made with numpy from the
model's seed, so that the same seed gives the same network on every Brian2 device. Its
:meth:`Reservoir.build` creates the Brian2 objects on whichever device is active (the
model never chooses one; :mod:`neurodam.engine` does) and returns a
:class:`ReservoirNetwork`: the groups, the synapses and the spike monitor, to which
inputs, readout populations and plastic synapses can be attached before the run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

__all__ = ["Reservoir", "ReservoirNetwork", "check_overrides", "model_seed"]


def model_seed(seed: Any) -> np.random.Generator:
    """The numpy Generator of a model's draws (``seed``: None, an int or a Generator)."""
    if isinstance(seed, bool):
        raise TypeError(f"seed: expected an int, a numpy Generator or None, got {seed!r}")
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, int | np.integer):
        if seed < 0:
            raise ValueError(f"seed: expected an int >= 0, got {seed!r}")
        return np.random.default_rng(int(seed))
    raise TypeError(f"seed: expected an int, a numpy Generator or None, got {seed!r}")


def check_overrides(overrides: Mapping[str, Any], defaults: Mapping[str, Any], model: str) -> None:
    """``ValueError`` naming the first override that is not a parameter of ``model``."""
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        raise ValueError(
            f"{unknown[0]}: not a parameter of {model}; expected one of {sorted(defaults)}"
        )


@dataclass(frozen=True, eq=False)
class Reservoir:
    """A spiking reservoir: parameters and random draws, ready to be built in Brian2.

    Made by :func:`~neurodam.reservoir.izhikevich_reservoir` or
    :func:`~neurodam.reservoir.lif_liquid`; run by :func:`~neurodam.reservoir.simulate`.

    Attributes
    ----------
    kind : str
        ``"izhikevich_reservoir"`` or ``"lif_liquid"``.
    n_exc, n_inh : int
        Excitatory and inhibitory neurons; neuron ids ``0 .. n_exc - 1`` are excitatory.
    dt : float
        Integration step in seconds.
    params : mapping
        Every scalar parameter after the overrides (plain floats in the units the model's
        docstring states).
    arrays : mapping of str to ndarray
        The random draws: per-neuron parameters, initial values, and the synapses
        (``"<name>_i"``, ``"<name>_j"``, ``"<name>_w"`` ... per synapse group). Read-only.
    seed : int, Generator or None
        The seed the draws came from.
    spike_input : mapping
        How a spike input reaches the neurons: ``{"code": on_pre statement on the input
        weight ``w_in``, "unit": Brian2 unit of ``w_in`` ("1", "amp"), "scale": the SI
        value of one unit of the model's input weights (1, or 1e-9 for nA)}``.
    current_input : mapping
        The injected current ``I_ext``: ``{"unit": ..., "scale": ...}`` as above.
    """

    kind: str
    n_exc: int
    n_inh: int
    dt: float
    params: Mapping[str, Any]
    arrays: Mapping[str, np.ndarray]
    seed: Any
    spike_input: Mapping[str, Any]
    current_input: Mapping[str, Any]
    _builder: Callable[[Reservoir, str], ReservoirNetwork] = field(repr=False)

    def __post_init__(self) -> None:
        frozen = {}
        for k, v in self.arrays.items():
            a = np.array(v, copy=True)
            a.setflags(write=False)
            frozen[k] = a
        object.__setattr__(self, "arrays", MappingProxyType(frozen))
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @property
    def n_neurons(self) -> int:
        """All neurons, excitatory first."""
        return self.n_exc + self.n_inh

    def __repr__(self) -> str:
        return (
            f"Reservoir({self.kind}, {self.n_exc} exc + {self.n_inh} inh, "
            f"dt={self.dt * 1e3:g} ms, seed={self.seed!r})"
        )

    def build(self, prefix: str = "") -> ReservoirNetwork:
        """Create the Brian2 objects on the active device (names start with ``prefix``)."""
        return self._builder(self, prefix)


@dataclass
class ReservoirNetwork:
    """The Brian2 objects of a built reservoir.

    Attributes
    ----------
    network : brian2.Network
        Holds every object; further objects (inputs, readouts, plastic synapses, monitors)
        are added with :meth:`add`.
    neurons : brian2.NeuronGroup
        All neurons, excitatory first.
    exc, inh : brian2.Subgroup
        ``neurons[:n_exc]`` and ``neurons[n_exc:]`` (None without inhibitory neurons).
    synapses : dict of str to brian2.Synapses
        The recurrent synapses by name (``"all"`` for the Izhikevich network; ``"ee"``,
        ``"ei"``, ``"ie"``, ``"ii"`` for the liquid).
    spikes : brian2.SpikeMonitor
        Spikes of ``neurons``.
    model : Reservoir
    shared : dict of str to (object, str)
        The ``(shared, constant)`` parameters a rerun may change: name ->
        ``(owner, variable)``, e.g. ``"coupling"``.
    extras : dict
        Objects attached later (inputs, readouts), by name.
    """

    network: Any
    neurons: Any
    exc: Any
    inh: Any
    synapses: dict[str, Any]
    spikes: Any
    model: Reservoir
    shared: dict[str, tuple[Any, str]] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    def add(self, *objects: Any) -> None:
        """Add Brian2 objects (groups, synapses, monitors) to ``self.network``."""
        for obj in objects:
            self.network.add(obj)

    def shared_variable(self, name: str):
        """The Brian2 variable view of the shared parameter ``name`` (a ``run_args`` key)."""
        if name not in self.shared:
            raise ValueError(
                f"params: {name!r} is not a shared parameter of {self.model.kind}; "
                f"expected one of {sorted(self.shared)}"
            )
        owner, var = self.shared[name]
        return getattr(owner, var)
