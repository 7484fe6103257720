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

Stimuli
-------
A stimulus is ``stimulus_channels`` frozen random current waveforms (Gaussian noise
low-passed with ``stimulus_tau``, the same in every trial of an identity), injected for
``stimulus_duration`` (default: the whole window), each into a random fraction of the
neurons with random signs (:func:`~neurodam.reservoir.current_injection`). Their temporal
structure drives the reservoir along a reproducible trajectory, from which the readout
reads the time since onset. A brief pulse (``stimulus_duration`` of some 50 ms) is
forgotten by a noisy Izhikevich network within about 150 ms, so that longer latencies
cannot be timed; and a single waveform per identity drives the network along one
dominant direction, an ill-conditioned input for a gradient rule such as this one
(ten channels learn in tens of trials what one channel does not learn in a hundred).
This protocol is the toolkit's, after the paper's description, not a copy of its code.

Predictions
-----------
The readout also follows each trial's own error while the gate is open, so its output
during a trial is no prediction. The prediction of trial n is the trial's traces read
with the weights it started with (recorded at every onset); RLS likewise predicts a
trial with its weights before the trial's updates.

Metrics (:class:`TimingScore`, one per learner)
------------------------------------------------
peak-time error        mean |t_peak - L| over the evaluation trials (the last ``n_eval``
                       trials of the run), t_peak the argmax of the readout in the window
amplitude-probability  Pearson correlation across identities between the mean peak
                       amplitude and p
trials to re-adapt     after a switch: the trials, counted from the switch, until the running
                       mean (over ``readapt_window`` trials of the changed identities) of the
                       error e has recovered all but ``tolerance`` (default half) of its
                       jump: e <= e_pre + tolerance (e_switch - e_pre), e_pre its mean over
                       the ``n_eval`` trials before the switch, e_switch the first window
                       after it; e is the RMS difference between the readout and the
                       expected target within 3 event widths of the latency (and, after
                       the switch, of the old latency)

The baseline is recursive least squares (FORCE, :class:`~neurodam.reservoir.RLSReadout`)
on the same presynaptic traces and gated samples, without reset at the switch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from neurodam._validate import (
    check_finite,
    check_int,
    check_number,
    check_probability,
    check_seconds,
)
from neurodam.reservoir.model import Reservoir

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

#: Four identities: latency (s) and event probability, crossed so that they are uncorrelated.
DEFAULT_CONDITIONS = ((0.15, 1.0), (0.3, 0.75), (0.15, 0.25), (0.3, 0.5))


def _conditions(value: Any, name: str) -> np.ndarray:
    try:
        c = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name}: expected (latency, probability) pairs, got {value!r}") from exc
    if c.ndim != 2 or c.shape[1] != 2 or c.shape[0] < 1:
        raise ValueError(f"{name}: expected a sequence of (latency, probability) pairs")
    for lat, p in c:
        check_seconds(float(lat), name, "a latency")
        check_probability(float(p), name)
    return c


@dataclass(frozen=True, eq=False)
class WhatWhenTrials:
    """A trial schedule and its signals (made by :func:`what_when_trials`).

    Attributes
    ----------
    identity, latency, probability, event : ndarray, shape (n_trials,)
        Per trial: the stimulus identity, the latency and probability in force, and
        whether the event occurred.
    onset : ndarray
        Stimulus onsets (s).
    stimulus : ndarray, shape (steps, n_identities)
        The stimulus waveforms (channel c carries identity c).
    target, gate : ndarray, shape (steps,)
        The readout's target (a bump at each event) and the attention gate.
    conditions, switch_conditions : ndarray, shape (n_identities, 2)
    switch_trial : int or None
    dt, trial_duration, window, event_width : float
    """

    identity: np.ndarray
    latency: np.ndarray
    probability: np.ndarray
    event: np.ndarray
    onset: np.ndarray
    stimulus: np.ndarray
    target: np.ndarray
    gate: np.ndarray
    conditions: np.ndarray
    switch_conditions: np.ndarray | None
    switch_trial: int | None
    dt: float
    trial_duration: float
    window: float
    event_width: float

    @property
    def n_trials(self) -> int:
        return int(self.identity.size)

    @property
    def duration(self) -> float:
        return self.stimulus.shape[0] * self.dt

    @property
    def window_steps(self) -> int:
        return round(self.window / self.dt)

    def expected(self) -> np.ndarray:
        """The expected target of each trial over its window: ``p bump(t - L)``, (n, steps)."""
        t = np.arange(self.window_steps) * self.dt
        bump = np.exp(-0.5 * ((t[None, :] - self.latency[:, None]) / self.event_width) ** 2)
        return self.probability[:, None] * bump


def what_when_trials(
    n_trials: int,
    conditions: Any = DEFAULT_CONDITIONS,
    *,
    switch_trial: int | None = None,
    switch_conditions: Any = None,
    trial_duration: float = 0.7,
    window: float = 0.45,
    stimulus_duration: float | None = None,
    stimulus_tau: float = 0.02,
    stimulus_channels: int = 10,
    event_width: float = 0.02,
    dt: float = 1e-3,
    seed: Any = None,
) -> WhatWhenTrials:
    """Draw a what/when trial schedule and its stimulus, target and gate signals.

    Parameters
    ----------
    n_trials : int
    conditions : sequence of (latency, probability)
        One pair per stimulus identity (latencies in seconds, inside ``window``).
    switch_trial : int, optional
        From this trial on, ``switch_conditions`` hold (nothing is reset).
    switch_conditions : sequence of (latency, probability), optional
        As ``conditions``, same number of identities.
    trial_duration : float
        Seconds from one onset to the next.
    window : float
        Seconds of the attention gate (and of the evaluation window) after each onset.
    stimulus_duration : float, optional
        Seconds of the stimulus waveform (default ``window``).
    stimulus_tau : float
        Correlation time of the waveforms (s).
    stimulus_channels : int
        Waveforms per identity (module docstring).
    event_width : float
        SD of the target's Gaussian bump (s).
    dt : float
        Sample interval of the signals (the reservoir's step).
    seed : int, Generator or None
        Seed of the identities, the events and the waveforms.
    """
    n_trials = check_int(n_trials, "n_trials", min=1)
    cond = _conditions(conditions, "conditions")
    dt = check_seconds(dt, "dt", "a sample interval")
    trial_duration = check_seconds(trial_duration, "trial_duration")
    window = check_seconds(window, "window")
    if window > trial_duration:
        raise ValueError(f"window: expected at most trial_duration={trial_duration}, got {window}")
    stim_dur = window if stimulus_duration is None else stimulus_duration
    stim_dur = check_seconds(stim_dur, "stimulus_duration")
    if stim_dur > trial_duration:
        raise ValueError(
            f"stimulus_duration: expected at most trial_duration={trial_duration}, got {stim_dur}"
        )
    stimulus_tau = check_seconds(stimulus_tau, "stimulus_tau", "a time constant")
    stimulus_channels = check_int(stimulus_channels, "stimulus_channels", min=1)
    event_width = check_seconds(event_width, "event_width")
    sw_cond = None
    if switch_trial is not None:
        switch_trial = check_int(switch_trial, "switch_trial", min=1, max=n_trials - 1)
        if switch_conditions is None:
            raise ValueError("switch_conditions: expected the conditions after switch_trial")
        sw_cond = _conditions(switch_conditions, "switch_conditions")
        if sw_cond.shape != cond.shape:
            raise ValueError(
                f"switch_conditions: expected {cond.shape[0]} pairs as conditions, "
                f"got {sw_cond.shape[0]}"
            )
    for c in (cond,) if sw_cond is None else (cond, sw_cond):
        if c[:, 0].max() >= window:
            raise ValueError(f"conditions: latencies must lie inside window={window} s")
    rng = np.random.default_rng(seed)
    k = cond.shape[0]
    # identities in shuffled blocks of k, so that every identity recurs regularly
    identity = np.concatenate([rng.permutation(k) for _ in range(-(-n_trials // k))])[:n_trials]
    table = np.repeat(cond[None], n_trials, axis=0)
    if sw_cond is not None:
        table[switch_trial:] = sw_cond
    latency = table[np.arange(n_trials), identity, 0]
    probability = table[np.arange(n_trials), identity, 1]
    event = rng.random(n_trials) < probability
    step_trial = round(trial_duration / dt)
    steps = n_trials * step_trial
    onset = np.arange(n_trials) * step_trial * dt
    n_stim = round(stim_dur / dt)
    a = np.exp(-dt / stimulus_tau)
    nc = stimulus_channels
    wave = rng.standard_normal((n_stim, k * nc))
    for t in range(1, n_stim):  # unit-variance low-pass (AR(1)) noise, nc channels per identity
        wave[t] = a * wave[t - 1] + np.sqrt(1 - a * a) * wave[t]
    stimulus = np.zeros((steps, k * nc))
    target = np.zeros(steps)
    gate = np.zeros(steps)
    n_win = round(window / dt)
    tt = np.arange(n_win) * dt
    for n in range(n_trials):
        s0 = n * step_trial
        cols = slice(identity[n] * nc, (identity[n] + 1) * nc)
        stimulus[s0 : s0 + n_stim, cols] = wave[:, cols]
        gate[s0 : s0 + n_win] = 1.0
        if event[n]:
            target[s0 : s0 + n_win] = np.exp(-0.5 * ((tt - latency[n]) / event_width) ** 2)
    return WhatWhenTrials(
        identity=identity,
        latency=latency,
        probability=probability,
        event=event,
        onset=onset,
        stimulus=stimulus,
        target=target,
        gate=gate,
        conditions=cond,
        switch_conditions=sw_cond,
        switch_trial=switch_trial,
        dt=dt,
        trial_duration=trial_duration,
        window=window,
        event_width=event_width,
    )


@dataclass(frozen=True)
class TimingScore:
    """The "when" metrics of one learner (module docstring for the definitions).

    Attributes
    ----------
    learner : str
        ``"three_factor"`` or ``"rls"``.
    peak_time_error : float
        Seconds, mean over the evaluation trials (identities with p > 0).
    peak_time_error_by_identity : ndarray
    amplitude_by_identity : ndarray
        Mean peak amplitude of the readout per identity in the evaluation trials.
    amplitude_probability_r : float
        Pearson r of the amplitudes with the probabilities (nan for fewer than 3 distinct
        probabilities).
    trials_to_readapt : int or None
        Trials after the switch until re-adaptation; None without a switch or when the
        criterion is never met (``readapted`` tells which).
    readapted : bool
    peak_time : ndarray, shape (n_trials,)
        The readout's peak time in every trial (s after onset).
    distance : ndarray, shape (n_trials,)
        The error e of every trial (RMS difference from the expected target around the
        events, module docstring).
    pre_switch_peak_time_error : float or None
        The peak-time error over the ``n_eval`` trials before the switch.
    """

    learner: str
    peak_time_error: float
    peak_time_error_by_identity: np.ndarray
    amplitude_by_identity: np.ndarray
    amplitude_probability_r: float
    trials_to_readapt: int | None
    readapted: bool
    peak_time: np.ndarray
    distance: np.ndarray
    pre_switch_peak_time_error: float | None


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


def _n_eval(n_eval: Any, trials: WhatWhenTrials) -> int:
    s = trials.switch_trial
    phase = trials.n_trials if s is None else min(s, trials.n_trials - s)
    if n_eval is None:
        return max(trials.conditions.shape[0], phase // 4)
    n_eval = check_int(n_eval, "n_eval", min=1)
    if n_eval > phase:
        raise ValueError(f"n_eval: expected at most {phase} trials (a phase), got {n_eval}")
    return n_eval


def timing_score(
    predictions: Any,
    trials: WhatWhenTrials,
    *,
    learner: str = "readout",
    n_eval: int | None = None,
    readapt_window: int = 4,
    tolerance: float = 0.5,
) -> TimingScore:
    """Score the per-trial predictions of a readout (module docstring for the metrics).

    Parameters
    ----------
    predictions : array_like, shape (n_trials, window_steps)
        The readout over each trial's window, from its onset, one value per ``dt``.
    trials : WhatWhenTrials
    learner : str
        A label.
    n_eval : int, optional
        Evaluation trials at the end of the run and before the switch (default a quarter
        of the shorter phase, at least one trial per identity).
    readapt_window : int
        Trials of the changed identities in the running mean of the re-adaptation
        criterion.
    tolerance : float
        The criterion: the share of the error's jump at the switch still allowed
        (module docstring).
    """
    if not isinstance(trials, WhatWhenTrials):
        raise TypeError(
            f"trials: expected a WhatWhenTrials (what_when_trials), got {type(trials).__name__}"
        )
    Y = np.asarray(predictions, dtype=np.float64)
    if Y.shape != (trials.n_trials, trials.window_steps):
        raise ValueError(
            f"predictions: expected shape (n_trials, window_steps) = "
            f"({trials.n_trials}, {trials.window_steps}), got {Y.shape}"
        )
    check_finite(Y, "predictions")
    n_eval = _n_eval(n_eval, trials)
    readapt_window = check_int(readapt_window, "readapt_window", min=1)
    tolerance = check_number(tolerance, "tolerance", min=0.0, max=1.0, max_open=True)
    dt, n = trials.dt, trials.n_trials
    k = trials.conditions.shape[0]
    peak_time = np.argmax(Y, axis=1) * dt
    amp = Y.max(axis=1)
    # the error around the events: within 3 widths of the trial's latency (and, after a
    # switch, of its identity's old latency); elsewhere the expected target is ~0
    t = np.arange(trials.window_steps) * dt
    near = np.abs(t[None, :] - trials.latency[:, None]) < 3 * trials.event_width
    if trials.switch_trial is not None:
        old = trials.conditions[trials.identity, 0]
        near |= np.abs(t[None, :] - old[:, None]) < 3 * trials.event_width
    sq = np.where(near, (Y - trials.expected()) ** 2, 0.0)
    distance = np.sqrt(sq.sum(axis=1) / near.sum(axis=1))
    err = np.abs(peak_time - trials.latency)
    has_event = trials.probability > 0

    def block(lo: int, hi: int, table: np.ndarray):
        """Mean peak-time error (identities with p > 0), per identity, amplitudes."""
        sel = np.zeros(n, bool)
        sel[lo:hi] = True
        by_err = np.full(k, np.nan)
        by_amp = np.full(k, np.nan)
        for c in range(k):
            mine = sel & (trials.identity == c)
            if mine.any():
                by_amp[c] = amp[mine].mean()
                if table[c, 1] > 0:
                    by_err[c] = err[mine].mean()
        timed = sel & has_event
        overall = float(err[timed].mean()) if timed.any() else float("nan")
        return overall, by_err, by_amp

    s = trials.switch_trial
    final = trials.conditions if s is None else trials.switch_conditions
    overall, by_err, by_amp = block(n - n_eval, n, final)
    r = float("nan")
    ok = ~np.isnan(by_amp)
    if np.unique(final[ok, 1]).size >= 3 and np.std(by_amp[ok]) > 0:
        r = float(np.corrcoef(by_amp[ok], final[ok, 1])[0, 1])
    readapt, readapted, pre = None, False, None
    if s is not None:
        pre = block(max(0, s - n_eval), s, trials.conditions)[0]
        changed = np.flatnonzero(np.any(trials.conditions != trials.switch_conditions, axis=1))
        baseline = float(distance[max(0, s - n_eval) : s].mean())
        after = np.flatnonzero((np.arange(n) >= s) & np.isin(trials.identity, changed))
        d = distance[after]
        if d.size >= readapt_window:
            run = np.convolve(d, np.ones(readapt_window) / readapt_window, mode="valid")
            level = baseline + tolerance * max(run[0] - baseline, 0.0)
            ok = np.flatnonzero(run <= level)
            if ok.size:
                readapted = True
                readapt = int(after[ok[0]] - s)
    return TimingScore(
        learner=str(learner),
        peak_time_error=overall,
        peak_time_error_by_identity=by_err,
        amplitude_by_identity=by_amp,
        amplitude_probability_r=r,
        trials_to_readapt=readapt,
        readapted=readapted,
        peak_time=peak_time,
        distance=distance,
        pre_switch_peak_time_error=pre,
    )


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
        The re-adaptation criterion (module docstring).
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
