"""The trial schedule of the "what and when" task (Yamada & Chao 2025).

Yamada, Y. & Chao, Z. C. (2025). Joint encoding of "what" and "when" predictions through
error-modulated plasticity in reservoir spiking networks. arXiv:2510.14382.

Each trial presents a stimulus of identity c ("what"); after a latency ``L_c`` an event
follows with probability ``p_c``; identity, latency and probability are set independently
per identity (``conditions``) and may change mid-run (``switch_trial``,
``switch_conditions``). The target is a Gaussian bump of width ``event_width`` at the event
when it occurs (0 otherwise); the attention gate is open from stimulus onset for
``window`` seconds. The task itself is :func:`neurodam.reservoir.whatwhen.what_when_task`.

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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from neurodam._validate import check_int, check_probability, check_seconds

__all__ = ["DEFAULT_CONDITIONS", "WhatWhenTrials", "what_when_trials"]

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
        """Number of trials."""
        return int(self.identity.size)

    @property
    def duration(self) -> float:
        """Seconds of the whole schedule."""
        return self.stimulus.shape[0] * self.dt

    @property
    def window_steps(self) -> int:
        """Steps of the response window of each trial."""
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
