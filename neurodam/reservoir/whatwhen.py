"""The "what and when" prediction task of Yamada & Chao (2025) on a spiking reservoir.

Yamada, Y. & Chao, Z. C. (2025). Joint encoding of "what" and "when" predictions through
error-modulated plasticity in reservoir spiking networks. arXiv:2510.14382.

Each trial presents a stimulus of identity c ("what"); after a latency ``L_c`` an event
follows with probability ``p_c``; identity, latency and probability are set independently
per identity (``conditions``) and may change mid-run (``switch_trial``,
``switch_conditions``) without resetting anything. A linear readout of the reservoir
learns online, with the three-factor rule of :mod:`neurodam.reservoir.plasticity` running
inside the Brian2 simulation, to predict the event: the target is a Gaussian bump of
width ``event_width`` at the event when it occurs (0 otherwise) and the attention gate is
open from stimulus onset for ``window`` seconds. The error-driven rule converges to the
expected target ``p_c bump(t - L_c)``: a peak at the latency whose amplitude is the
probability. The identity is consolidated offline: a ridge readout of the liquid state
at the predicted time (the readout's peak) classifies the stimulus.

The task is in three modules: the trial schedule (:mod:`neurodam.reservoir.whatwhen_trials`),
the metrics (:mod:`neurodam.reservoir.whatwhen_score`) and the run with its two learners
(this module, which also exports the names of the other two).

Predictions
-----------
The readout also follows each trial's own error while the gate is open, so its output
during a trial is no prediction. The prediction of trial n is the trial's traces read
with the weights it started with (recorded at every onset); RLS likewise predicts a
trial with its weights before the trial's updates.

The baseline is recursive least squares (FORCE, :class:`~neurodam.reservoir.RLSReadout`)
on the same presynaptic traces and gated samples, without reset at the switch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from neurodam._validate import check_int, check_number, check_seconds
from neurodam.reservoir.model import Reservoir
from neurodam.reservoir.whatwhen_score import TimingScore, _n_eval, timing_score
from neurodam.reservoir.whatwhen_trials import (
    DEFAULT_CONDITIONS,
    WhatWhenTrials,
    what_when_trials,
)

__all__ = [
    "DEFAULT_CONDITIONS",
    "TimingScore",
    "WhatWhenResult",
    "WhatWhenTrials",
    "rls_predictions",
    "timing_score",
    "what_when_task",
    "what_when_trials",
]


@dataclass(frozen=True, eq=False)
class WhatWhenResult:
    """The outcome of :func:`what_when_task`.

    Attributes
    ----------
    three_factor : TimingScore
        The online three-factor readout (inside the Brian2 run).
    rls : TimingScore or None
        The RLS (FORCE) baseline on the same traces, without reset.
    identity_accuracy : float
        Held-out accuracy of the offline ridge classifier of the identity at the
        predicted time (chance: 1 / n_identities).
    trials : WhatWhenTrials
    weights : ndarray
        The three-factor readout's weights after the run.
    run : ReservoirRun
        The reservoir run (spikes, timing).
    """

    three_factor: TimingScore
    rls: TimingScore | None
    identity_accuracy: float
    trials: WhatWhenTrials
    weights: np.ndarray
    run: Any


def _trial_traces(spikes, trials: WhatWhenTrials, neurons: np.ndarray, tau: float):
    """Per trial, the traces ``x_{k-1}`` the readout sees over the window, (steps, inputs).

    Spikes more than 25 tau before the onset are left out (their weight is below 1e-10).
    """
    from neurodam.reservoir.state import liquid_state
    from neurodam.spikes import SpikeTrains

    dt, n_win = trials.dt, trials.window_steps
    lag = np.arange(-1, n_win - 1) * dt
    for n, t0 in enumerate(trials.onset):
        start = min(0.0, t0 - 25 * tau)
        lo, hi = np.searchsorted(spikes.times, [t0 - 25 * tau, t0 + trials.window])
        part = SpikeTrains(
            spikes.times[lo:hi], spikes.senders[lo:hi], spikes.n_neurons, start, t0 + trials.window
        )
        yield n, liquid_state(part, np.maximum(t0 + lag, 0.0), tau=tau, neurons=neurons)


def rls_predictions(
    spikes: Any,
    trials: WhatWhenTrials,
    *,
    tau: float = 0.03,
    alpha: float = 1.0,
    forgetting: float = 1.0,
    stride: int = 5,
    neurons: Any = None,
) -> np.ndarray:
    """The RLS (FORCE) baseline on the traces a three-factor readout sees.

    Trial by trial: the window is predicted with the current weights, then every
    ``stride``-th step of the window (the open gate) updates them
    (:class:`~neurodam.reservoir.RLSReadout`, regularisation ``alpha``, forgetting factor
    ``forgetting``; 1 = no forgetting, nothing is ever reset).

    Returns
    -------
    ndarray, shape (n_trials, window_steps)
        For :func:`timing_score` (the first trial, before any update, predicts 0).
    """
    from neurodam.reservoir.readouts import RLSReadout

    stride = check_int(stride, "stride", min=1)
    tau = check_seconds(tau, "tau", "a time constant")
    ids = np.arange(spikes.n_neurons) if neurons is None else np.asarray(neurons)
    learner = RLSReadout(alpha=alpha, forgetting=forgetting)
    n_win = trials.window_steps
    Y = np.zeros((trials.n_trials, n_win))
    learn = np.arange(0, n_win, stride)
    for n, X in _trial_traces(spikes, trials, ids, tau):
        if learner.coef_ is not None:
            Y[n] = learner.predict(X)
        s0 = round(trials.onset[n] / trials.dt)
        learner.partial_fit(X[learn], trials.target[s0 : s0 + n_win][learn])
    return Y


def what_when_task(
    model: Reservoir,
    trials: WhatWhenTrials,
    *,
    eta: float | None = None,
    tau: float = 0.03,
    tau_e: float | None = None,
    gain: float = 20.0,
    fraction: float = 0.1,
    backend: str = "runtime",
    seed: Any = None,
    rls: bool = True,
    rls_alpha: float = 1.0,
    rls_forgetting: float = 1.0,
    rls_stride: int = 5,
    n_eval: int | None = None,
    readapt_window: int = 4,
    tolerance: float = 0.5,
    identity_split: float = 0.5,
) -> WhatWhenResult:
    """Run the what/when task on ``model`` and score the three-factor readout and RLS.

    Parameters
    ----------
    model : Reservoir
        An Izhikevich reservoir (or any reservoir with the trials' ``dt``).
    trials : WhatWhenTrials
        From :func:`what_when_trials`.
    eta : float, optional
        Learning rate of the three-factor rule per step (default ``0.01 / N``, N the
        reservoir's neurons: the rule's speed grows with the summed squared traces, ~ N).
    tau, tau_e : float
        Trace and eligibility time constants
        (:func:`~neurodam.reservoir.plasticity.three_factor_readout`).
    gain, fraction : float
        Stimulus injection: weight scale and share of the neurons each stimulus channel
        reaches (random signs).
    backend : str
        Brian2 device of the run.
    seed : int, Generator or None
        Brian2's seed (thalamic noise); the stimulus weights are drawn from it too.
    rls : bool
        Also score the RLS baseline.
    rls_alpha, rls_forgetting, rls_stride
        RLS regularisation, forgetting factor (1: no forgetting, the paper's "without
        reset") and the step between its samples inside the gate.
    n_eval : int, optional
        Evaluation trials at the end of each phase (default a quarter of a phase).
    readapt_window, tolerance
        The re-adaptation criterion (:mod:`neurodam.reservoir.whatwhen_score`).
    identity_split : float
        Share of the trials (the first ones) the offline identity classifier is fitted on.
    """
    from neurodam.reservoir.encoders import current_injection
    from neurodam.reservoir.plasticity import run_three_factor, three_factor_readout
    from neurodam.reservoir.readouts import RidgeReadout
    from neurodam.reservoir.state import liquid_state

    if not isinstance(model, Reservoir):
        raise TypeError(f"model: expected a Reservoir, got {type(model).__name__}")
    if not isinstance(trials, WhatWhenTrials):
        raise TypeError(
            f"trials: expected a WhatWhenTrials (what_when_trials), got {type(trials).__name__}"
        )
    if abs(trials.dt - model.dt) > 1e-12 * model.dt:
        raise ValueError(f"trials: expected dt={model.dt} s (the model's step), got {trials.dt}")
    n_eval = _n_eval(n_eval, trials)
    rls_stride = check_int(rls_stride, "rls_stride", min=1)
    identity_split = check_number(
        identity_split, "identity_split", min=0.0, max=1.0, min_open=True, max_open=True
    )
    rng = np.random.default_rng(seed)
    brian_seed = int(rng.integers(2**31 - 1))
    stim = current_injection(
        trials.stimulus, trials.dt, fraction=fraction, gain=gain, signed=True, seed=rng
    )
    if eta is None:
        eta = 0.01 / model.n_neurons
    readout = three_factor_readout(
        trials.target,
        trials.gate,
        trials.dt,
        eta=eta,
        tau=tau,
        tau_e=tau_e,
        record=False,
        record_weights=trials.trial_duration,
    )
    run = run_three_factor(model, readout, inputs=stim, backend=backend, seed=brian_seed)
    state = run.extra
    # each trial's prediction: its traces read with the weights it started with (the
    # readout during the trial also follows the trial's own error, which is not a prediction)
    Y_tf = np.zeros((trials.n_trials, trials.window_steps))
    for n, X in _trial_traces(run.spikes, trials, state.neurons, tau):
        Y_tf[n] = X @ state.weight_history[n, 0]
    Y_rls = None
    if rls:
        Y_rls = rls_predictions(
            run.spikes, trials, tau=tau, alpha=rls_alpha, forgetting=rls_forgetting,
            stride=rls_stride, neurons=state.neurons,
        )  # fmt: skip
    opts = {"n_eval": n_eval, "readapt_window": readapt_window, "tolerance": tolerance}
    tf = timing_score(Y_tf, trials, learner="three_factor", **opts)
    rls_score = None if Y_rls is None else timing_score(Y_rls, trials, learner="rls", **opts)
    # "what": the liquid state at the predicted time, classified offline by a ridge readout
    t_pred = trials.onset + tf.peak_time
    S = liquid_state(run.spikes, t_pred, tau=tau)
    onehot = np.eye(trials.conditions.shape[0])[trials.identity]
    n_fit = max(1, min(trials.n_trials - 1, round(identity_split * trials.n_trials)))
    ridge = RidgeReadout(cv=min(5, n_fit)) if n_fit >= 2 else RidgeReadout(alphas=1.0)
    ridge.fit(S[:n_fit], onehot[:n_fit])
    guess = np.argmax(ridge.predict(S[n_fit:]), axis=1)
    accuracy = float(np.mean(guess == trials.identity[n_fit:]))
    return WhatWhenResult(
        three_factor=tf,
        rls=rls_score,
        identity_accuracy=accuracy,
        trials=trials,
        weights=state.weights,
        run=run,
    )
