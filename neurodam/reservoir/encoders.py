"""Input encoders: how a signal or a spike pattern enters a reservoir.

Three encoders, each returning an input object that :func:`neurodam.reservoir.simulate`
attaches to the model's Brian2 network:

poisson_rate(signal, dt, ...)        rate coding: Poisson neurons whose rates follow a time
                                     series, projecting onto a random part of the reservoir
spike_input(times, channels, ...)    given spikes (a template, jittered trials) onto a random
                                     part of the reservoir; see spike_template, jitter
current_injection(signal, dt, ...)   a time series injected as a current into a random subset

The input's random connectivity and weights are drawn with numpy from the encoder's own
``seed`` when it is attached (so they are the same on every backend); the Poisson spikes
of ``poisson_rate`` come from Brian2's generator (seeded by :mod:`neurodam.engine`).
Rate and current inputs hold their signal in a ``TimedArray``: a compiled program reruns
with a new signal of the same shape without recompiling (``ReservoirSession.rerun``).
Beyond its end a ``TimedArray`` holds its last value.

Weights are in the model's input unit: dimensionless for the Izhikevich network (added
to ``I``), nA for the liquid; by default the model's ``w_in_exc`` / ``w_in_inh``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurodam._validate import (
    check_finite,
    check_int,
    check_number,
    check_probability,
    check_seconds,
)

__all__ = [
    "CurrentInput",
    "PoissonRateInput",
    "SpikeInput",
    "current_injection",
    "jitter",
    "poisson_rate",
    "spike_input",
    "spike_template",
]


def _signal(signal: Any, name: str = "signal") -> np.ndarray:
    x = np.asarray(signal)
    if x.dtype == object or not np.issubdtype(x.dtype, np.number):
        raise TypeError(f"{name}: expected a numeric array, got dtype {x.dtype}")
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(f"{name}: expected shape (T,) or (T, channels), got {x.shape}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name}: expected at least one sample and one channel, got {x.shape}")
    x = x.astype(np.float64)
    check_finite(x, name)
    return x


def _targets(rng, n_sources: int, n_neurons: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    mask = rng.random((n_sources, n_neurons)) < p
    return np.nonzero(mask)


def _default_weights(model, j: np.ndarray, weight) -> np.ndarray:
    if weight is None:
        we, wi = model.params["w_in_exc"], model.params["w_in_inh"]
        return np.where(j < model.n_exc, we, wi).astype(np.float64)
    return np.full(j.size, float(weight))


def _connect(built, name: str, source, i, j, w) -> None:
    """Synapses from an input group onto the reservoir with the model's spike-input code."""
    import brian2 as b2

    model = built.model
    spec = model.spike_input
    unit = spec["unit"]
    syn = b2.Synapses(
        source,
        built.neurons,
        f"w_in : {unit} (constant)",
        on_pre=spec["code"],
        dt=model.dt * b2.second,
        name=f"{name}_syn",
        namespace={},
    )
    if i.size:
        syn.connect(i=i, j=j)
        scale = spec["scale"] * (b2.amp if unit == "amp" else 1)
        syn.w_in = w * scale
    built.add(source, syn)
    built.extras[name] = {"group": source, "synapses": syn}


# ---------------------------------------------------------------- rate coding
@dataclass(frozen=True, eq=False)
class PoissonRateInput:
    """Poisson neurons whose rates follow a time series (see :func:`poisson_rate`)."""

    rates: np.ndarray  # (T, channels) in Hz
    dt: float
    n_per_channel: int
    p_connect: float
    weight: float | None
    seed: Any
    kind: str = field(default="poisson_rate", init=False)

    @property
    def n_channels(self) -> int:
        """Number of input channels."""
        return int(self.rates.shape[1])

    @property
    def duration(self) -> float:
        """Seconds covered by the input."""
        return self.rates.shape[0] * self.dt

    def check(self, model) -> None:
        """Nothing depends on the model's size (kept for the common interface)."""

    def attach(self, built, name: str) -> None:
        """Create the Brian2 objects of this input on ``built`` under ``name``."""
        import brian2 as b2

        model = built.model
        rng = np.random.default_rng(self.seed)
        n_src = self.n_channels * self.n_per_channel
        i, j = _targets(rng, n_src, model.n_neurons, self.p_connect)
        w = _default_weights(model, j, self.weight)
        values = np.repeat(self.rates, self.n_per_channel, axis=1)
        ta = b2.TimedArray(values * b2.Hz, dt=self.dt * b2.second, name=f"{name}_rates")
        group = b2.PoissonGroup(
            n_src,
            rates=f"{name}_rates(t, i)",
            dt=model.dt * b2.second,
            name=name,
            namespace={f"{name}_rates": ta},
        )
        _connect(built, name, group, i, j, w)
        built.extras[name]["timed_array"] = ta

    def run_args(self, built, name: str, new: PoissonRateInput) -> dict:
        """``run_args`` that replace this input by ``new`` in a rerun (same shape)."""
        if not isinstance(new, PoissonRateInput) or new.rates.shape != self.rates.shape:
            raise ValueError(
                f"inputs: a rerun needs a poisson_rate input of shape {self.rates.shape} "
                f"(samples, channels) in place of input {name!r}"
            )
        import brian2 as b2

        ta = built.extras[name]["timed_array"]
        return {ta: np.repeat(new.rates, self.n_per_channel, axis=1) * b2.Hz}


def poisson_rate(
    signal: Any,
    dt: float,
    *,
    rate_range: tuple[float, float] = (0.0, 100.0),
    value_range: tuple[float, float] | None = None,
    n_per_channel: int = 20,
    p_connect: float = 0.3,
    weight: float | None = None,
    seed: Any = None,
) -> PoissonRateInput:
    """Rate coding of a time series: Poisson neurons at rates following the signal.

    The value ``x`` of channel c at step k sets the rate of its ``n_per_channel`` Poisson
    neurons during ``[k dt, (k+1) dt)``: ``r = r_lo + (r_hi - r_lo) (x - x_lo) / (x_hi - x_lo)``.
    Each Poisson neuron projects onto each reservoir neuron with probability ``p_connect``.

    Parameters
    ----------
    signal : array_like, shape (T,) or (T, channels)
    dt : float
        Seconds per sample.
    rate_range : (float, float)
        Rates in Hz for the lowest and highest value (both >= 0).
    value_range : (float, float), optional
        The values mapped to ``rate_range`` (default the signal's min and max; give it
        explicitly when several signals must share the scale).
    n_per_channel : int
    p_connect : float
    weight : float, optional
        Weight of each input synapse (model units); default the model's ``w_in_exc`` onto
        excitatory and ``w_in_inh`` onto inhibitory neurons.
    seed : int, Generator or None
        Seed of the input connectivity.
    """
    x = _signal(signal)
    dt = check_seconds(dt, "dt", "a sample interval")
    lo_r, hi_r = (check_number(r, "rate_range", min=0.0) for r in rate_range)
    if value_range is None:
        lo_v, hi_v = float(x.min()), float(x.max())
    else:
        lo_v, hi_v = (check_number(v, "value_range") for v in value_range)
    span = hi_v - lo_v
    scaled = (x - lo_v) / span if span > 0 else np.zeros_like(x)
    rates = lo_r + (hi_r - lo_r) * scaled
    if rates.min() < 0:
        raise ValueError(
            f"signal: values below value_range[0]={lo_v} give negative rates "
            f"(minimum {rates.min():.3g} Hz)"
        )
    return PoissonRateInput(
        rates=rates,
        dt=dt,
        n_per_channel=check_int(n_per_channel, "n_per_channel", min=1),
        p_connect=check_probability(p_connect, "p_connect"),
        weight=None if weight is None else check_number(weight, "weight"),
        seed=seed,
    )


# ---------------------------------------------------------------- given spikes
@dataclass(frozen=True, eq=False)
class SpikeInput:
    """Given input spikes (see :func:`spike_input`)."""

    times: np.ndarray
    channels: np.ndarray
    n_channels: int
    p_connect: float
    weight: float | None
    seed: Any
    kind: str = field(default="spikes", init=False)

    def check(self, model) -> None:
        """Nothing depends on the model's size (kept for the common interface)."""

    def attach(self, built, name: str) -> None:
        """Create the Brian2 objects of this input on ``built`` under ``name``."""
        import brian2 as b2

        model = built.model
        rng = np.random.default_rng(self.seed)
        i, j = _targets(rng, self.n_channels, model.n_neurons, self.p_connect)
        w = _default_weights(model, j, self.weight)
        # one spike per channel and time step (Brian2's rule): snap to the model's lattice
        step = np.round(self.times / model.dt).astype(np.int64)
        key = np.unique(step * self.n_channels + self.channels)
        group = b2.SpikeGeneratorGroup(
            self.n_channels,
            key % self.n_channels,
            (key // self.n_channels) * model.dt * b2.second,
            dt=model.dt * b2.second,
            name=name,
        )
        _connect(built, name, group, i, j, w)

    def run_args(self, built, name: str, new: Any) -> dict:
        """``run_args`` that replace this input by ``new`` in a rerun (same shape)."""
        raise ValueError(
            "inputs: spike inputs are stored in the compiled program and cannot change in "
            "a rerun; put all trials into one run (tasks do so)"
        )


def spike_input(
    times: Any,
    channels: Any,
    n_channels: int | None = None,
    *,
    p_connect: float = 0.3,
    weight: float | None = None,
    seed: Any = None,
) -> SpikeInput:
    """Given spikes (times in s, channel ids) projecting onto a random part of the reservoir.

    Each channel projects onto each reservoir neuron with probability ``p_connect``. Spike
    times are snapped to the model's time step; two spikes of one channel in one step
    count once.
    """
    t = np.asarray(times, dtype=np.float64).ravel()
    c = np.asarray(channels)
    if c.size and not np.issubdtype(c.dtype, np.integer):
        raise TypeError(f"channels: expected integer channel ids, got dtype {c.dtype}")
    c = c.astype(np.int64).ravel()
    if t.shape != c.shape:
        raise ValueError(f"channels: expected one channel per spike time ({t.size}), got {c.size}")
    check_finite(t, "times")
    if t.size and t.min() < 0:
        raise ValueError(f"times: expected times >= 0 s, got {t.min()}")
    if c.size and c.min() < 0:
        raise ValueError(f"channels: expected ids >= 0, got {c.min()}")
    if n_channels is None:
        n_channels = int(c.max()) + 1 if c.size else 1
    n_channels = check_int(n_channels, "n_channels", min=1)
    if c.size and c.max() >= n_channels:
        raise ValueError(f"channels: expected ids < n_channels={n_channels}, got {c.max()}")
    return SpikeInput(
        times=t,
        channels=c,
        n_channels=n_channels,
        p_connect=check_probability(p_connect, "p_connect"),
        weight=None if weight is None else check_number(weight, "weight"),
        seed=seed,
    )


def spike_template(
    n_channels: int, duration: float, rate: float, seed: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """A random spike template: ``n_channels`` Poisson trains at ``rate`` Hz for ``duration`` s.

    Returns ``(times, channels)`` sorted by time.
    """
    n_channels = check_int(n_channels, "n_channels", min=1)
    duration = check_seconds(duration, "duration")
    rate = check_number(rate, "rate", min=0.0)
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rate * duration, n_channels)
    ch = np.repeat(np.arange(n_channels), counts)
    t = rng.uniform(0.0, duration, ch.size)
    order = np.argsort(t, kind="stable")
    return t[order], ch[order]


def jitter(times: Any, sd: float, duration: float | None = None, seed: Any = None) -> np.ndarray:
    """Spike times moved by independent Gaussian jitter of SD ``sd`` seconds.

    With ``duration``, jittered times are reflected into ``[0, duration]``.
    """
    t = np.asarray(times, dtype=np.float64)
    sd = check_number(sd, "sd", min=0.0, what="a jitter in seconds")
    rng = np.random.default_rng(seed)
    out = t + rng.normal(0.0, sd, t.shape) if sd > 0 else t.copy()
    if duration is not None:
        duration = check_seconds(duration, "duration")
        out = np.abs(out)
        out = duration - np.abs(duration - out)
        out = np.clip(out, 0.0, duration)
    return out


# ------------------------------------------------------------ current injection
@dataclass(frozen=True, eq=False)
class CurrentInput:
    """A time series injected as a current (see :func:`current_injection`)."""

    signal: np.ndarray  # (T, channels)
    dt: float
    fraction: float
    gain: float
    spread: float
    signed: bool
    weights: np.ndarray | None
    seed: Any
    kind: str = field(default="current", init=False)

    @property
    def n_channels(self) -> int:
        """Number of input channels."""
        return int(self.signal.shape[1])

    def check(self, model) -> None:
        """Errors naming the argument when the input does not fit ``model``."""
        if self.weights is not None and self.weights.shape != (model.n_neurons, self.n_channels):
            raise ValueError(
                f"weights: expected shape (n_neurons, channels) = "
                f"({model.n_neurons}, {self.n_channels}), got {self.weights.shape}"
            )

    def input_weights(self, model) -> np.ndarray:
        """The (n_neurons, channels) weight matrix (drawn from ``seed`` unless given)."""
        self.check(model)
        if self.weights is not None:
            return self.weights
        rng = np.random.default_rng(self.seed)
        n, c = model.n_neurons, self.n_channels
        chosen = rng.random((n, c)) < self.fraction
        w = self.gain * rng.uniform(1.0 - self.spread, 1.0 + self.spread, (n, c))
        if self.signed:
            w *= rng.choice((-1.0, 1.0), (n, c))
        return np.where(chosen, w, 0.0)

    def attach(self, built, name: str) -> None:
        """Create the Brian2 objects of this input on ``built`` under ``name``."""
        import brian2 as b2

        model = built.model
        if any(isinstance(v, dict) and v.get("kind") == "current" for v in built.extras.values()):
            raise ValueError("inputs: a reservoir takes one current_injection input (merge them)")
        w = self.input_weights(model)
        j, i = np.nonzero(w)
        spec = model.current_input
        unit = spec["unit"]
        # a copy: a runtime rerun writes the new signal into the TimedArray's own array
        ta = b2.TimedArray(self.signal.copy(), dt=self.dt * b2.second, name=f"{name}_signal")
        group = b2.NeuronGroup(
            self.n_channels,
            f"x = {name}_signal(t, i) : 1",
            dt=model.dt * b2.second,
            name=name,
            namespace={f"{name}_signal": ta},
        )
        syn = b2.Synapses(
            group,
            built.neurons,
            f"w_in : {unit} (constant)\nI_ext_post = w_in * x_pre : {unit} (summed)",
            dt=model.dt * b2.second,
            name=f"{name}_syn",
            namespace={f"{name}_signal": ta},
        )
        syn.connect(i=i, j=j)
        syn.w_in = w[j, i] * spec["scale"] * (b2.amp if unit == "amp" else 1)
        built.add(group, syn)
        built.extras[name] = {"group": group, "synapses": syn, "timed_array": ta, "kind": "current"}

    def run_args(self, built, name: str, new: CurrentInput) -> dict:
        """``run_args`` that replace this input by ``new`` in a rerun (same shape)."""
        if not isinstance(new, CurrentInput) or new.signal.shape != self.signal.shape:
            raise ValueError(
                f"inputs: a rerun needs a current_injection input of shape {self.signal.shape}"
            )
        return {built.extras[name]["timed_array"]: new.signal}


def current_injection(
    signal: Any,
    dt: float,
    *,
    fraction: float = 0.3,
    gain: float = 1.0,
    spread: float = 0.0,
    signed: bool = False,
    weights: Any = None,
    seed: Any = None,
) -> CurrentInput:
    """A time series injected as a current into a random subset of the reservoir.

    Neuron n receives ``I_ext,n(t) = sum_c W[n, c] x_c(t)``, ``x_c`` held constant over each
    sample of ``dt`` seconds. ``W[n, c] = gain * U(1 - spread, 1 + spread)`` (times a random
    sign if ``signed``) for a random ``fraction`` of the neurons of each channel, 0
    otherwise; or the given ``weights`` (n_neurons x channels).

    Parameters
    ----------
    signal : array_like, shape (T,) or (T, channels)
        In the model's current unit (the Izhikevich ``I``; nA for the liquid).
    dt : float
        Seconds per sample.
    fraction : float
        Share of the neurons each channel reaches.
    gain, spread : float
        Weight scale and its relative spread (``0 <= spread <= 1``).
    signed : bool
        Random signs of the weights.
    weights : array_like, optional
        Explicit (n_neurons, channels) weights (checked against the model when attached).
    seed : int, Generator or None
        Seed of the subset and the weights.
    """
    x = _signal(signal)
    w = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim != 2 or w.shape[1] != x.shape[1]:
            raise ValueError(
                f"weights: expected shape (n_neurons, {x.shape[1]}) for {x.shape[1]} channels, "
                f"got {w.shape}"
            )
        check_finite(w, "weights")
        w.setflags(write=False)
    x.setflags(write=False)  # the input's own copy, read-only for the user
    return CurrentInput(
        signal=x,
        dt=check_seconds(dt, "dt", "a sample interval"),
        fraction=check_probability(fraction, "fraction"),
        gain=check_number(gain, "gain"),
        spread=check_number(spread, "spread", min=0.0, max=1.0),
        signed=bool(signed),
        weights=w,
        seed=seed,
    )
