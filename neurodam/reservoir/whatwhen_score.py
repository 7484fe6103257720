"""The "when" metrics of the what/when task: peak-time error, amplitude-probability
correlation and trials to re-adapt after a switch (:func:`timing_score`).

The schedule is :mod:`neurodam.reservoir.whatwhen_trials`, the task
:func:`neurodam.reservoir.whatwhen.what_when_task`.

Metrics (:class:`TimingScore`, one per learner)
------------------------------------------------
peak-time error        mean ``|t_peak - L|`` over the evaluation trials (the last ``n_eval``
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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from neurodam._validate import check_finite, check_int, check_number
from neurodam.reservoir.whatwhen_trials import WhatWhenTrials

__all__ = ["TimingScore", "timing_score"]


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
