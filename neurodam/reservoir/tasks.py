"""Benchmark tasks of reservoir computing, each returning a dataclass with its score.

narma10(model, n_train, n_test, seed)            NARMA-10 (Atiya & Parlos 2000): NRMSE
memory_capacity(model, max_delay, seed)          Jaeger (2001): sum over delays of r^2
template_classification(model, jitters, ...)     spike templates vs jitter (Maass et al. 2002)

``model`` is a spiking :class:`~neurodam.reservoir.Reservoir` (the input time series enters
by :func:`~neurodam.reservoir.current_injection` or :func:`~neurodam.reservoir.poisson_rate`,
one sample per ``step`` seconds; the state is the :func:`~neurodam.reservoir.liquid_state`
at the end of each sample), or any object with ``transform(u, seed) -> states`` (one row
per sample), e.g. :class:`DelayLine`, the linear baseline, or an echo state network.
The readout is a :class:`~neurodam.reservoir.RidgeReadout` unless another one is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurodam._validate import check_int, check_number, check_seconds
from neurodam.reservoir.model import Reservoir
from neurodam.reservoir.readouts import RidgeReadout, nrmse

__all__ = [
    "DelayLine",
    "MemoryCapacity",
    "NarmaResult",
    "TemplateClassification",
    "memory_capacity",
    "narma10",
    "narma10_series",
    "reservoir_states",
    "template_classification",
]

ENCODERS = ("current", "poisson")


class DelayLine:
    """The linear baseline: the state at sample k is ``[u_k, u_{k-1}, ..., u_{k-n+1}]``.

    With a ridge readout it is the linear ``n``-tap filter (zeros before the first sample).
    """

    def __init__(self, n_taps: int = 10) -> None:
        self.n_taps = check_int(n_taps, "n_taps", min=1)

    def __repr__(self) -> str:
        return f"DelayLine(n_taps={self.n_taps})"

    def transform(self, u: np.ndarray, seed: Any = None) -> np.ndarray:
        """Delayed copies ``u(t), u(t-1), ...`` of the input, shape (T, taps * channels)."""
        u = np.asarray(u, dtype=np.float64)
        u = u[:, None] if u.ndim == 1 else u
        cols = [np.r_[np.zeros((k, u.shape[1])), u[: u.shape[0] - k]] for k in range(self.n_taps)]
        return np.hstack(cols)


def _check_model(model: Any) -> None:
    if not (isinstance(model, Reservoir) or callable(getattr(model, "transform", None))):
        raise TypeError(
            "model: expected a Reservoir or an object with transform(u, seed), got "
            f"{type(model).__name__}"
        )


def reservoir_states(
    model: Any,
    u: Any,
    step: float = 0.02,
    *,
    encoder: str = "current",
    input_scaling: float | None = None,
    fraction: float = 0.5,
    tau: Any = 0.03,
    seed: Any = None,
    backend: str = "runtime",
) -> tuple[np.ndarray, float]:
    """States of a reservoir driven by the time series ``u``, one row per sample.

    Parameters
    ----------
    model : Reservoir or object with ``transform(u, seed)``
    u : array_like, shape (T,) or (T, channels)
    step : float
        Seconds per sample (spiking reservoirs).
    encoder : {"current", "poisson"}
        ``"current"``: :func:`~neurodam.reservoir.current_injection` with signed weights
        ``input_scaling * U(0, 2)`` into a random ``fraction`` of the neurons;
        ``"poisson"``: :func:`~neurodam.reservoir.poisson_rate`, ``u`` mapped to
        ``[0, input_scaling]`` Hz.
    input_scaling : float, optional
        Default: 10 (nA for the liquid; the Izhikevich ``I``) for ``"current"``, 100 Hz
        for ``"poisson"``.
    tau : float or sequence of float
        Time constant of the liquid state (seconds); several are read side by side (the
        states concatenated, ``len(tau) * n_neurons`` features), which lets a linear
        readout combine short and long filters of the same spikes.
    seed : int, Generator or None
        Seeds the input weights and Brian2.
    backend : str

    Returns
    -------
    states : ndarray, shape (T, n_features)
        The liquid state just before the end of each sample (spikes of the next sample's
        first step excluded).
    rate : float
        Mean firing rate of the reservoir in Hz (nan for non-spiking models).
    """
    from neurodam.reservoir import encoders
    from neurodam.reservoir.simulate import simulate
    from neurodam.reservoir.state import liquid_state

    _check_model(model)
    try:
        taus = np.atleast_1d(np.asarray(tau, dtype=np.float64))
    except (TypeError, ValueError):
        taus = np.empty(0)
    if taus.ndim != 1 or taus.size == 0:
        raise ValueError(f"tau: expected one or more time constants in seconds, got {tau!r}")
    for t in taus:
        check_seconds(float(t), "tau", "a time constant")
    u = np.asarray(u, dtype=np.float64)
    if u.ndim not in (1, 2) or u.shape[0] == 0:
        raise ValueError(f"u: expected a non-empty (T,) or (T, channels) series, got {u.shape}")
    rng = np.random.default_rng(seed)
    s_in, s_run = (int(x) for x in rng.integers(2**31 - 1, size=2))
    if not isinstance(model, Reservoir):
        return np.asarray(model.transform(u, seed=s_in), dtype=np.float64), float("nan")
    step = check_seconds(step, "step", "a sample interval")
    if encoder not in ENCODERS:
        raise ValueError(f"encoder: expected one of {ENCODERS}, got {encoder!r}")
    n_sub = round(step / model.dt)
    if n_sub < 1 or abs(n_sub * model.dt - step) > 1e-9 * step:
        raise ValueError(f"step: expected a whole number of model steps of {model.dt:g} s")
    if encoder == "current":
        gain = 10.0 if input_scaling is None else check_number(input_scaling, "input_scaling")
        inp = encoders.current_injection(
            u, step, fraction=fraction, gain=gain, spread=1.0, signed=True, seed=s_in
        )
    else:
        hi = 100.0 if input_scaling is None else check_number(input_scaling, "input_scaling")
        lo_v, hi_v = float(np.min(u)), float(np.max(u))
        inp = encoders.poisson_rate(
            u, step, rate_range=(0.0, hi), value_range=(lo_v, hi_v), seed=s_in
        )
    n = u.shape[0]
    run = simulate(model, n * step, inputs=inp, backend=backend, seed=s_run)
    times = (np.arange(1, n + 1) * n_sub - 0.5) * model.dt
    states = [liquid_state(run.spikes, times, tau=t) for t in taus]
    return np.hstack(states), run.spikes.mean_rate()


# ------------------------------------------------------------------ NARMA-10
def narma10_series(n: int, seed: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Input and target of NARMA-10 (Atiya & Parlos 2000), ``n`` samples.

    ``u(t) ~ U(0, 0.5)`` i.i.d. and
    ``y(t+1) = 0.3 y(t) + 0.05 y(t) sum_{i=0}^{9} y(t-i) + 1.5 u(t-9) u(t) + 0.1``;
    returns ``(u, target)`` with ``target[t] = y(t+1)``, the value to predict after
    seeing ``u`` up to ``t``.
    """
    n = check_int(n, "n", min=1)
    rng = np.random.default_rng(seed)
    u = rng.uniform(0.0, 0.5, n)
    y = np.zeros(n + 1)
    for t in range(n):  # the recursion, one step after the other
        past = y[max(0, t - 9) : t + 1].sum()
        u9 = u[t - 9] if t >= 9 else 0.0
        y[t + 1] = 0.3 * y[t] + 0.05 * y[t] * past + 1.5 * u9 * u[t] + 0.1
    return u, y[1:]


@dataclass(frozen=True)
class NarmaResult:
    """NARMA-10 score of a reservoir.

    Attributes
    ----------
    nrmse : float
        Test NRMSE (1: no better than predicting the mean).
    train_nrmse : float
    readout : RidgeReadout
    prediction, target : ndarray
        Over the test samples.
    rate : float
        Mean firing rate of the reservoir in Hz (nan for non-spiking models).
    params : dict
        The settings used (step, encoder, input_scaling, n_train, n_test, washout, seed).
    """

    nrmse: float
    train_nrmse: float
    readout: Any
    prediction: np.ndarray = field(repr=False)
    target: np.ndarray = field(repr=False)
    rate: float
    params: dict


def _check_test_and_washout(n_test: int, washout: int) -> None:
    check_int(n_test, "n_test", min=2)
    check_int(washout, "washout", min=0)


def narma10(
    model: Any,
    n_train: int = 2000,
    n_test: int = 1000,
    seed: Any = None,
    *,
    washout: int = 50,
    step: float = 0.02,
    encoder: str = "current",
    input_scaling: float | None = None,
    tau: Any = 0.03,
    readout: Any = None,
    backend: str = "runtime",
) -> NarmaResult:
    """NARMA-10: predict ``y(t+1)`` from the reservoir's state after ``u(t)``.

    Parameters
    ----------
    model : Reservoir or object with ``transform(u, seed)``
    n_train, n_test : int
        Training and test samples (after ``washout`` discarded samples).
    seed : int, Generator or None
        The series, the input weights and Brian2's seed.
    washout, step, encoder, input_scaling, tau, backend
        See :func:`reservoir_states`.
    readout : object with fit/predict, optional
        Default :class:`~neurodam.reservoir.RidgeReadout`.
    """
    _check_model(model)
    n_train = check_int(n_train, "n_train", min=11)
    _check_test_and_washout(n_test, washout)
    rng = np.random.default_rng(seed)
    s_series, s_states = (int(x) for x in rng.integers(2**31 - 1, size=2))
    n = washout + n_train + n_test
    u, y = narma10_series(n, s_series)
    X, rate = reservoir_states(
        model, u, step, encoder=encoder, input_scaling=input_scaling, tau=tau,
        seed=s_states, backend=backend,
    )  # fmt: skip
    tr = slice(washout, washout + n_train)
    te = slice(washout + n_train, n)
    ro = RidgeReadout() if readout is None else readout
    ro.fit(X[tr], y[tr])
    pred = np.asarray(ro.predict(X[te])).ravel()
    params = dict(
        step=step, encoder=encoder, input_scaling=input_scaling, n_train=n_train,
        n_test=n_test, washout=washout, seed=seed, tau=tau,
    )  # fmt: skip
    return NarmaResult(
        nrmse=nrmse(y[te], pred),
        train_nrmse=nrmse(y[tr], np.asarray(ro.predict(X[tr])).ravel()),
        readout=ro,
        prediction=pred,
        target=y[te],
        rate=float(rate),
        params=params,
    )


# ------------------------------------------------------------------ memory capacity
@dataclass(frozen=True)
class MemoryCapacity:
    """Memory capacity (Jaeger 2001) of a reservoir.

    Attributes
    ----------
    delays : ndarray of int
        1 .. max_delay.
    capacity : ndarray
        ``MC_d``: squared correlation between the readout's reconstruction of
        ``u(t - d)`` and ``u(t - d)`` on the test samples.
    total : float
        ``sum_d MC_d``; for an echo state network at most its number of units (Jaeger 2001).
    readout : RidgeReadout
        One output per delay.
    rate : float
        Mean firing rate in Hz (nan for non-spiking models).
    params : dict
    """

    delays: np.ndarray
    capacity: np.ndarray
    total: float
    readout: Any
    rate: float
    params: dict


def memory_capacity(
    model: Any,
    max_delay: int = 20,
    seed: Any = None,
    *,
    n_train: int = 2000,
    n_test: int = 1000,
    washout: int = 50,
    step: float = 0.02,
    encoder: str = "current",
    input_scaling: float | None = None,
    tau: Any = 0.03,
    readout: Any = None,
    backend: str = "runtime",
) -> MemoryCapacity:
    """Jaeger's memory capacity: reconstruct ``u(t - d)``, d = 1 .. max_delay, from the state.

    ``u ~ U(-1, 1)`` i.i.d.; one linear readout per delay, trained on ``n_train`` samples,
    scored on ``n_test`` (``MC_d = corr^2``). Other parameters as in :func:`narma10`.
    """
    _check_model(model)
    max_delay = check_int(max_delay, "max_delay", min=1)
    n_train = check_int(n_train, "n_train", min=1)
    if n_train <= max_delay:
        raise ValueError(
            f"n_train: expected more training samples than max_delay={max_delay}, got {n_train}"
        )
    _check_test_and_washout(n_test, washout)
    rng = np.random.default_rng(seed)
    s_series, s_states = (int(x) for x in rng.integers(2**31 - 1, size=2))
    pad = max(washout, max_delay)
    n = pad + n_train + n_test
    u = np.random.default_rng(s_series).uniform(-1.0, 1.0, n)
    X, rate = reservoir_states(
        model, u, step, encoder=encoder, input_scaling=input_scaling, tau=tau,
        seed=s_states, backend=backend,
    )  # fmt: skip
    delays = np.arange(1, max_delay + 1)
    Y = np.stack([np.r_[np.zeros(d), u[: n - d]] for d in delays], axis=1)
    tr, te = slice(pad, pad + n_train), slice(pad + n_train, n)
    ro = RidgeReadout() if readout is None else readout
    ro.fit(X[tr], Y[tr])
    P = np.asarray(ro.predict(X[te])).reshape(-1, delays.size)
    mc = np.array([_r2(P[:, k], Y[te, k]) for k in range(delays.size)])
    params = dict(
        step=step, encoder=encoder, input_scaling=input_scaling, n_train=n_train,
        n_test=n_test, washout=washout, seed=seed, tau=tau,
    )  # fmt: skip
    return MemoryCapacity(delays, mc, float(mc.sum()), ro, float(rate), params)


def _r2(a: np.ndarray, b: np.ndarray) -> float:
    if np.std(a) == 0 or np.std(b) == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1] ** 2)


# ------------------------------------------------------------- template classification
@dataclass(frozen=True)
class TemplateClassification:
    """Classification of jittered spike templates (Maass et al. 2002).

    Attributes
    ----------
    jitters : ndarray
        SD of the spike-time jitter (seconds), one per level.
    accuracy : ndarray
        Test accuracy at each level.
    chance : float
        ``1 / n_templates``.
    readouts : tuple
        The trained readout of each level.
    rate : float
        Mean firing rate of the reservoir in Hz.
    params : dict
    """

    jitters: np.ndarray
    accuracy: np.ndarray
    chance: float
    readouts: tuple
    rate: float
    params: dict


def template_classification(
    model: Reservoir,
    jitters: Any = (0.0, 0.002, 0.004, 0.008, 0.016),
    n_templates: int = 2,
    n_train: int = 40,
    n_test: int = 20,
    seed: Any = None,
    *,
    n_channels: int = 4,
    duration: float = 0.2,
    rate: float = 20.0,
    gap: float = 0.1,
    tau: float = 0.03,
    p_connect: float = 0.3,
    weight: float | None = None,
    backend: str = "runtime",
) -> TemplateClassification:
    """Which of ``n_templates`` spike templates, jittered, drove the reservoir?

    ``n_templates`` Poisson templates (``n_channels`` trains at ``rate`` Hz over
    ``duration`` s); each trial presents one of them (balanced classes, random order),
    every spike moved by Gaussian jitter of the level's SD; trials follow each other with
    ``gap`` s of silence, all levels in one run. The state is the liquid state at the end
    of each trial; one ridge readout per level (one-hot targets, arg-max) is trained on
    ``n_train`` trials and tested on ``n_test``.
    """
    from neurodam.reservoir import encoders
    from neurodam.reservoir.simulate import simulate
    from neurodam.reservoir.state import liquid_state

    if not isinstance(model, Reservoir):
        raise TypeError(f"model: expected a spiking Reservoir, got {type(model).__name__}")
    jit = np.atleast_1d(np.asarray(jitters, dtype=np.float64))
    if jit.ndim != 1 or jit.size == 0 or not np.all(np.isfinite(jit)) or jit.min() < 0:
        raise ValueError(f"jitters: expected one or more jitter SDs >= 0 s, got {jitters!r}")
    n_templates = check_int(n_templates, "n_templates", min=2)
    n_train = check_int(n_train, "n_train", min=n_templates)
    n_test = check_int(n_test, "n_test", min=1)
    duration = check_seconds(duration, "duration")
    gap = check_number(gap, "gap", min=0.0)
    rng = np.random.default_rng(seed)
    templates = [
        encoders.spike_template(n_channels, duration, rate, seed=rng) for _ in range(n_templates)
    ]
    per = n_train + n_test
    labels = np.stack([rng.permutation(np.arange(per) % n_templates) for _ in jit])
    period = duration + gap
    all_t, all_c = [], []
    for lev, sd in enumerate(jit):
        for k, lab in enumerate(labels[lev]):
            t, c = templates[lab]
            start = (lev * per + k) * period
            all_t.append(start + encoders.jitter(t, sd, duration=duration, seed=rng))
            all_c.append(c)
    inp = encoders.spike_input(
        np.concatenate(all_t), np.concatenate(all_c), n_channels, p_connect=p_connect,
        weight=weight, seed=rng,
    )  # fmt: skip
    total = jit.size * per * period
    total = round(total / model.dt) * model.dt
    run = simulate(model, total, inputs=inp, backend=backend, seed=int(rng.integers(2**31 - 1)))
    ends = (np.arange(jit.size * per) * period + duration) - 0.5 * model.dt
    X = liquid_state(run.spikes, ends, tau=tau).reshape(jit.size, per, -1)
    acc, readouts = np.zeros(jit.size), []
    for lev in range(jit.size):
        Y = np.eye(n_templates)[labels[lev]]
        ro = RidgeReadout().fit(X[lev, :n_train], Y[:n_train])
        guess = np.argmax(ro.predict(X[lev, n_train:]), axis=1)
        acc[lev] = float(np.mean(guess == labels[lev, n_train:]))
        readouts.append(ro)
    params = dict(
        n_templates=n_templates, n_train=n_train, n_test=n_test, n_channels=n_channels,
        duration=duration, rate=rate, gap=gap, tau=tau, seed=seed,
    )  # fmt: skip
    return TemplateClassification(
        jit, acc, 1.0 / n_templates, tuple(readouts), run.spikes.mean_rate(), params
    )
