"""The numpy reference engine for Hebbian associative memories.

Plain vectorised numpy implementation of the dynamics of
:mod:`neurodam.memory.interactions` (Hopfield, dense, exponential/SEDAM). It is the
oracle of the tests and the baseline of the benchmarks; the Brian2 models of
:mod:`neurodam.memory` implement the same dynamics.

Dynamics (Cafiso & Paradisi 2026, section "Model"; Amit, Gutfreund & Sompolinsky 1985)
-----------------------------------------------------------------------------------
* deterministic: ``sigma_i <- sgn h_i`` (science.md section 1), ties keep sigma_i;
* Glauber heat bath at temperature T > 0: ``P(sigma_i = +1) = 1 / (1 + exp(-2 h_i / T))``
  with ``h_i = [E(sigma_i=-1) - E(sigma_i=+1)] / 2`` (so ``P ~ exp(-E/T)``; energy
  normalisation in :mod:`~neurodam.memory.interactions`: for n=2 the standard Hopfield scale,
  for ``exp`` the log-energy);
* SEDAM noise with probability p, applied after the (deterministic or Glauber) update of a
  neuron: ``noise_mode="flip"`` flips it, ``noise_mode="reset"`` sets it to a random +-1
  (equivalent to flipping with probability p/2).
* ``schedule="sync"``: all N neurons updated from the same state (one step = one
  synchronous update); ``schedule="async"``: one step = one sweep of N single-neuron updates
  in a fresh random order, with the K overlaps cached and updated in O(K) per update.

Random draws (``rng = numpy.random.default_rng(seed)``), in this exact order
----------------------------------------------------------------------------
1. initial state (:func:`initial_state`): ``init=None``: ``rng.random(N) < 0.5 -> +1``;
   ``init=(mu, f)``: ``rng.choice(N, round(f N), replace=False)`` positions of pattern mu
   flipped; ``init=mu`` or a vector: no draw (zeros of a diluted pattern are replaced by
   ``rng.random(N) < 0.5 -> +1`` at those positions).
2. each synchronous step: Glauber ``u = rng.random(N)`` (only if T > 0), ``sigma_i = +1 if
   u_i < P_i``; then noise ``v = rng.random(N)`` (only if p > 0), neuron i is hit when
   ``v_i < p``; for ``reset`` also ``r = rng.random(N)``, a hit neuron becomes ``+1 if r_i < 0.5``.
3. each asynchronous sweep: ``order = rng.permutation(N)``, then ``u``, ``v``, ``r`` as above
   (each of length N, drawn only when used), the k-th update (neuron ``order[k]``) using
   ``u[k]``, ``v[k]``, ``r[k]``.

Speed: a synchronous step is two dense mat-vecs (``a = Xi sigma`` and ``g = Xi^T w``) plus
O(N + K) work; the overlaps of step t are reused for step t+1.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from neurodam.memory._checks import (
    FIRE_ON,
    NOISE_MODES,
    SCHEDULES,
    check_choice,
    check_dt,
    check_int,
    check_noise,
    check_temperature,
)
from neurodam.memory.interactions import Interaction, parse_interaction, tie_tolerance
from neurodam.memory.results import MemoryRun
from neurodam.patterns import flip as _flip
from neurodam.patterns import validate_patterns
from neurodam.spikes import SpikeTrains

__all__ = ["run", "iterate", "initial_state", "SCHEDULES", "NOISE_MODES"]

log = logging.getLogger(__name__)


def initial_state(patterns: np.ndarray, init: Any, rng: np.random.Generator) -> np.ndarray:
    """The initial state sigma(0) as a +-1 int8 vector (draw order in the module docstring).

    Parameters
    ----------
    patterns : (K, N) array
    init : None, int, (int, float) or array of +-1
        None: random state; mu: pattern mu; (mu, f): pattern mu with ``round(f N)`` entries
        flipped (:func:`neurodam.patterns.flip`); a vector: that state.
    rng : numpy.random.Generator
    """
    xi = np.asarray(patterns)
    K, N = xi.shape
    if init is None:
        return np.where(rng.random(N) < 0.5, 1, -1).astype(np.int8)
    if isinstance(init, tuple):
        if len(init) != 2:
            raise ValueError(f"init: expected (pattern index, flip fraction), got {init!r}")
        mu, frac = init
        base = _pattern(xi, mu, rng)
        return _flip(base, frac, seed=rng)
    if isinstance(init, int | np.integer) and not isinstance(init, bool):
        return _pattern(xi, init, rng)
    s = np.asarray(init)
    if s.ndim != 1 or s.size != N:
        raise ValueError(
            f"init: expected a state of N={N} entries (the patterns' N), got shape {s.shape}"
        )
    if not np.all(np.abs(s) == 1):
        raise ValueError("init: expected a state with entries in {-1, +1}")
    return s.astype(np.int8)


def _pattern(xi: np.ndarray, mu: Any, rng: np.random.Generator) -> np.ndarray:
    K, N = xi.shape
    if isinstance(mu, bool) or not isinstance(mu, int | np.integer) or not 0 <= mu < K:
        raise ValueError(f"init: expected a pattern index in [0, {K}), got {mu!r}")
    p = xi[int(mu)].astype(np.int8).copy()
    zero = p == 0
    if zero.any():
        fill = np.where(rng.random(N) < 0.5, 1, -1).astype(np.int8)
        p[zero] = fill[zero]
    return p


def _init_pattern(init: Any) -> int | None:
    """Index of the pattern the run starts from (None for a random or explicit state)."""
    if isinstance(init, tuple):
        return int(init[0])
    if isinstance(init, int | np.integer) and not isinstance(init, bool):
        return int(init)
    return None


def _check_args(noise, temperature, schedule, steps, noise_mode, fire_on, dt):
    """The shared argument checks (:mod:`neurodam.memory._checks`); returns (p, T)."""
    check_choice(schedule, "schedule", SCHEDULES)
    check_int("steps", steps, 0)
    check_choice(noise_mode, "noise_mode", NOISE_MODES)
    check_choice(fire_on, "fire_on", FIRE_ON)
    check_dt(dt)
    return check_noise(noise), check_temperature(temperature)


def run(
    patterns: np.ndarray,
    F: str | Interaction = "exp",
    noise: float = 0.0,
    temperature: float | None = None,
    schedule: str = "sync",
    steps: int = 100,
    init: Any = None,
    seed: int | np.random.Generator | None = None,
    noise_mode: str = "flip",
    fire_on: str = "plus",
    record_states: bool = False,
    dt: float = 1e-3,
    progress: bool = False,
    record_spikes: bool = True,
    dtype: str = "float64",
) -> MemoryRun:
    """Simulate an associative memory with the numpy reference engine.

    Parameters
    ----------
    patterns : (K, N) array
        Stored patterns, entries in {-1, +1} (or {-1, 0, +1} for diluted patterns).
    F : str or Interaction
        ``"hopfield"``, ``"dense:n"``, ``"exp"``, ``"exp:lam"`` (:func:`parse_interaction`).
    noise : float
        SEDAM noise probability p in [0, 0.5] (module docstring).
    temperature : float or None
        Glauber temperature T >= 0; None or 0: deterministic update.
    schedule : {"sync", "async"}
    steps : int
        Number of steps T (synchronous updates or asynchronous sweeps).
    init : None, int, (int, float) or array
        Initial state (:func:`initial_state`).
    seed : int, Generator or None
    noise_mode : {"flip", "reset"}
    fire_on : {"plus", "flip"}
        Spike rule (:mod:`neurodam.memory.results`).
    record_states : bool
        Keep the (T, N) int8 states in the result.
    dt : float
        Seconds per step.
    progress : bool
        Show a tqdm progress bar.
    record_spikes : bool
        Build ``spikes`` (set False for very long runs: about N/2 spikes per step with
        ``fire_on="plus"``; ``spikes`` is then empty and ``activity`` still available).
    dtype : {"float64", "float32"}
        Arithmetic of the synchronous step. ``float64`` (default) is the oracle: exact
        integer overlaps and polynomial fields, exp fields resolved to ~K 1e-16. ``float32``
        halves the memory traffic of the two mat-vecs (about 2x faster at K >= 100); overlaps
        stay exact (integers < 2^24), exp fields are resolved to ~6 (K+2) 1.2e-7 of their
        scale (closer fields count as ties and keep the state), and polynomial fields above
        2^24 (e.g. n >= 3 at N of a few hundred) lose exactness: use it for F=exp.

    Returns
    -------
    MemoryRun

    Raises
    ------
    ValueError
        Patterns not (K, N) with K >= 1 or with entries outside {-1, 0, +1}; ``init`` of the
        wrong N; ``noise`` outside [0, 0.5]; ``temperature < 0``; unknown ``F``,
        ``schedule``, ``noise_mode`` or ``fire_on``.

    Examples
    --------
    >>> from neurodam import patterns
    >>> xi = patterns.rademacher(5, 100, seed=0)
    >>> r = run(xi, F="hopfield", init=(0, 0.1), steps=5, seed=1)
    >>> round(float(r.overlaps[-1, 0]), 2)
    1.0
    """
    inter = parse_interaction(F)
    xi8 = validate_patterns(patterns, allow_zero=True)
    p, T = _check_args(noise, temperature, schedule, steps, noise_mode, fire_on, dt)
    if dtype not in ("float64", "float32"):
        raise ValueError(f"dtype: expected 'float64' or 'float32', got {dtype!r}")
    rng = np.random.default_rng(seed)
    K, N = xi8.shape
    s0 = initial_state(xi8, init, rng)
    steps = int(steps)
    params: dict[str, Any] = {
        "F": inter.name,
        "noise": p,
        "temperature": T,
        "schedule": schedule,
        "steps": steps,
        "seed": seed if (seed is None or isinstance(seed, int | np.integer)) else repr(seed),
        "noise_mode": noise_mode,
        "fire_on": fire_on,
        "N": N,
        "K": K,
        "dt": float(dt),
        "backend": "reference",
        "init_state": s0.copy(),
        "init_pattern": _init_pattern(init),
        "dtype": dtype,
    }
    keep_states = record_states or record_spikes
    args = (inter, xi8, s0, steps, p, T, noise_mode, fire_on, rng, keep_states, progress)
    if schedule == "sync":
        ov, en, counts, states, s_final = _run_sync(*args, dtype=np.dtype(dtype))
    else:
        ov, en, counts, states, s_final = _run_async(*args)
    # the spikes' meta holds the scalar parameters only (no init_state array), recorded or not
    meta = {k: v for k, v in params.items() if k not in ("init_state", "init_pattern")}
    meta["stamp"] = "end"  # the spikes of step t lie at t * dt, the end of the step
    if record_spikes:
        t_idx, senders = _spike_indices(states, s0, fire_on, steps)
        times = (t_idx + 1) * float(dt)
    else:
        times = senders = np.empty(0, dtype=np.int64)
    spikes = SpikeTrains(times, senders, n_neurons=N, t_start=0.0, t_stop=steps * dt, meta=meta)
    return MemoryRun(
        spikes=spikes,
        overlaps=ov,
        energy=en,
        params=params,
        states=states if record_states else None,
        final_state=s_final,
        dt=float(dt),
        counts=counts,
    )


def _spike_indices(states, s0, fire_on, steps) -> tuple[np.ndarray, np.ndarray]:
    """(step index, neuron) of every spike: sigma=+1 (``plus``) or a -1 -> +1 flip."""
    if fire_on == "plus":
        return np.nonzero(states > 0)
    if steps == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    prev = np.empty_like(states)
    prev[0] = s0
    prev[1:] = states[:-1]
    return np.nonzero((states > 0) & (prev < 0))


def _progress(steps: int, progress: bool):
    from tqdm.auto import tqdm

    return tqdm(range(steps), disable=not progress, desc="reference", unit="step")


def _run_sync(inter, xi8, s0, steps, p, T, noise_mode, fire_on, rng, keep_states, progress, dtype):
    from neurodam.memory.interactions import _glauber_fields, glauber_probability

    K, N = xi8.shape
    xi = np.ascontiguousarray(xi8, dtype=dtype)
    zeros = bool(np.any(xi8 == 0))
    xi_abs = np.abs(xi) if zeros else None
    ov = np.empty((steps, K), dtype=np.float32)  # raw overlaps a, divided by N at the end
    en = np.empty(steps, dtype=np.float64)
    counts = np.empty(steps, dtype=np.int64)
    states = np.empty((steps, N), dtype=np.int8) if keep_states else None
    s = s0.astype(dtype)
    a = xi @ s
    is_exp = inter.kind == "exp"
    lam = inter.lam
    th = math.tanh(lam) if is_exp else 0.0
    tol_c = tie_tolerance(K, float(np.finfo(dtype).eps))
    n = inter.n
    beta = None if T is None else 1.0 / T
    glauber_scale = 0.0 if is_exp else 1.0 / (2.0 * n * float(N) ** (n - 1))
    flip_noise = noise_mode == "flip"
    plus = fire_on == "plus"
    if is_exp:
        c = a.max()
        w = np.exp(lam * (a - c))
    for t in _progress(steps, progress):
        if is_exp:
            if beta is None:
                # h = g - tanh(lam) S sigma (interactions module docstring); ties |h| <= tol
                # keep sigma: sgn(h + tol sigma) (copysign maps the +0.0 of an exact
                # cancellation to +1; a tie's shifted field has the sign of sigma)
                g = w @ xi
                if zeros:
                    S = w @ xi_abs
                    g += ((tol_c - th) * S) * s
                else:
                    g += ((tol_c - th) * w.sum()) * s
                new = np.copysign(1.0, g)
            else:
                hg = _glauber_fields(inter, xi, s, a, zeros)
                new = np.where(rng.random(N) < glauber_probability(hg, beta), 1.0, -1.0)
                new = new.astype(dtype, copy=False)
        else:
            fa = a**n
            u = fa - (a - 2.0) ** n
            v = (a + 2.0) ** n - fa
            h = (u + v) @ xi
            h += s * ((u - v) @ xi_abs if zeros else (u - v).sum())
            if beta is None:
                # h is integer-valued (2x the raw field): h + 0.5 sigma breaks ties toward sigma
                h += 0.5 * s
                new = np.copysign(1.0, h)
            else:
                hg = 0.5 * h * glauber_scale
                new = np.where(rng.random(N) < glauber_probability(hg, beta), 1.0, -1.0)
                new = new.astype(dtype, copy=False)
        if p > 0:
            hit = rng.random(N) < p
            if flip_noise:
                np.negative(new, out=new, where=hit)
            else:
                r = rng.random(N) < 0.5
                new[hit] = np.where(r[hit], 1.0, -1.0)
        if plus:
            counts[t] = int(round((N + new.sum()) / 2))
        else:
            counts[t] = int(np.count_nonzero((new > 0) & (s < 0)))
        s = new
        a = xi @ s
        ov[t] = a
        if is_exp:
            c = a.max()
            w = a - c
            w *= lam
            np.exp(w, out=w)
            en[t] = -(lam * float(c) + math.log(float(w.sum()))) / lam
        else:
            en[t] = -float(np.sum(a.astype(np.float64) ** n)) / (n * float(N) ** (n - 1))
        if keep_states:
            states[t] = s
    ov /= N
    return ov, en, counts, states, s.astype(np.int8)


def _run_async(inter, xi8, s0, steps, p, T, noise_mode, fire_on, rng, keep_states, progress):
    K, N = xi8.shape
    xiT = np.ascontiguousarray(xi8.T, dtype=np.float64)  # (N, K): row i = xi_i^mu over mu
    xi_absT = np.abs(xiT)
    ov = np.empty((steps, K), dtype=np.float32)
    en = np.empty(steps, dtype=np.float64)
    counts = np.empty(steps, dtype=np.int64)
    states = np.empty((steps, N), dtype=np.int8) if keep_states else None
    s = s0.astype(np.float64)
    a = xiT.T @ s
    is_exp = inter.kind == "exp"
    lam = inter.lam
    n = inter.n
    beta = None if T is None else 1.0 / T
    tol_c = tie_tolerance(K)
    glauber_scale = 0.0 if is_exp else 1.0 / (2.0 * n * float(N) ** (n - 1))
    for t in _progress(steps, progress):
        order = rng.permutation(N)
        ug = rng.random(N) if beta is not None else None
        un = rng.random(N) if p > 0 else None
        ur = rng.random(N) if (p > 0 and noise_mode == "reset") else None
        prev = s.copy()
        for k in range(N):
            i = order[k]
            x = xiT[i]
            ae = a - x * s[i]  # overlaps without neuron i
            if is_exp:
                if beta is None:
                    w = np.exp(lam * (ae - ae.max()))
                    h = float(x @ w)
                    tol = tol_c * float(xi_absT[i] @ w)
                    new = 1.0 if h + tol * s[i] >= 0 else -1.0
                else:
                    zp, zm = lam * (ae + x), lam * (ae - x)
                    cp, cm = zp.max(), zm.max()
                    lp = cp + math.log(np.exp(zp - cp).sum())
                    lm = cm + math.log(np.exp(zm - cm).sum())
                    hg = (lp - lm) / (2.0 * lam)
                    new = 1.0 if ug[k] < 0.5 * (1.0 + math.tanh(beta * hg)) else -1.0
            else:
                h = float(np.sum((ae + x) ** n - (ae - x) ** n))
                if beta is None:
                    new = 1.0 if h > 0 else (-1.0 if h < 0 else s[i])
                else:
                    hg = h * glauber_scale
                    new = 1.0 if ug[k] < 0.5 * (1.0 + math.tanh(beta * hg)) else -1.0
            if un is not None and un[k] < p:
                if noise_mode == "flip":
                    new = -new
                else:
                    new = 1.0 if ur[k] < 0.5 else -1.0
            if new != s[i]:
                s[i] = new
                a = ae + x * new
        if fire_on == "plus":
            counts[t] = int(np.count_nonzero(s > 0))
        else:
            counts[t] = int(np.count_nonzero((s > 0) & (prev < 0)))
        ov[t] = a / N
        en[t] = inter.energy_from_overlaps(a, N)
        if keep_states:
            states[t] = s
    return ov, en, counts, states, s.astype(np.int8)


def iterate(
    patterns: np.ndarray,
    states: np.ndarray,
    F: str | Interaction = "hopfield",
    schedule: str = "sync",
    max_steps: int = 50,
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Deterministic (T=0, p=0) dynamics of a batch of states until a fixed point.

    The same update as :func:`run` (ties keep the state), vectorised over B independent
    states; used by the retrieval tools (basins, capacity curves).

    Parameters
    ----------
    patterns : (K, N) array
    states : (B, N) or (N,) array of +-1
        Initial states.
    F : str or Interaction
    schedule : {"sync", "async"}
        ``async``: one step is a sweep over all N neurons in a random order (one order per
        sweep, ``rng.permutation(N)``, shared by the B states).
    max_steps : int
        Maximum number of steps (sweeps); a state stops when one step leaves it unchanged.
    seed : int, Generator or None
        For the asynchronous orders.

    Returns
    -------
    final : (B, N) int8
        Final states.
    n_steps : (B,) int64
        Steps until the fixed point (the last step that changed something), or
        ``max_steps`` without convergence.
    converged : (B,) bool
        Whether a fixed point was reached.
    """
    inter = parse_interaction(F)
    xi8 = validate_patterns(patterns, allow_zero=True)
    K, N = xi8.shape
    S0 = np.asarray(states)
    if S0.ndim == 1:
        S0 = S0[None, :]
    if S0.ndim != 2 or S0.shape[1] != N:
        raise ValueError(
            f"states: expected a (B, N={N}) array (the patterns' N), got shape {S0.shape}"
        )
    if not np.all(np.abs(S0) == 1):
        raise ValueError("states: expected entries in {-1, +1}")
    check_choice(schedule, "schedule", SCHEDULES)
    check_int("max_steps", max_steps, 1)
    xi = xi8.astype(np.float64)
    zeros = bool(np.any(xi8 == 0))
    S = S0.T.astype(np.float64).copy()  # (N, B)
    B = S.shape[1]
    n_steps = np.full(B, int(max_steps), dtype=np.int64)
    converged = np.zeros(B, dtype=bool)
    active = np.arange(B)
    if schedule == "sync":
        for t in range(int(max_steps)):
            Sa = S[:, active]
            new = _batch_update(inter, xi, Sa, zeros)
            same = np.all(new == Sa, axis=0)
            S[:, active] = new
            done = active[same]
            n_steps[done] = t
            converged[done] = True
            active = active[~same]
            if active.size == 0:
                break
    else:
        rng = np.random.default_rng(seed)
        xiT = np.ascontiguousarray(xi.T)
        A = xi @ S  # (K, B)
        for t in range(int(max_steps)):
            order = rng.permutation(N)
            changed = np.zeros(B, dtype=bool)
            Aa, Sa = A[:, active], S[:, active]
            for i in order:
                x = xiT[i][:, None]  # (K, 1)
                Ae = Aa - x * Sa[i]
                new = _single_update(inter, x, Ae, Sa[i])
                ch = new != Sa[i]
                if ch.any():
                    changed[active[ch]] = True
                    Sa[i] = new
                    Aa = Ae + x * new
            A[:, active], S[:, active] = Aa, Sa
            same = ~changed[active]
            done = active[same]
            n_steps[done] = t
            converged[done] = True
            active = active[~same]
            if active.size == 0:
                break
    return S.T.astype(np.int8), n_steps, converged


def _batch_update(inter: Interaction, xi: np.ndarray, S: np.ndarray, zeros: bool) -> np.ndarray:
    """Synchronous deterministic update of the columns of S (N, B); fields as in run()."""
    A = xi @ S  # (K, B)
    if inter.kind == "exp":
        W = np.exp(inter.lam * (A - A.max(axis=0)))
        G = xi.T @ W
        tot = (np.abs(xi).T @ W) if zeros else W.sum(axis=0)
        G += (tie_tolerance(xi.shape[0]) - math.tanh(inter.lam)) * tot * S
        return np.copysign(1.0, G)
    n = inter.n
    fa = A**n
    U = fa - (A - 2.0) ** n
    V = (A + 2.0) ** n - fa
    H = xi.T @ (U + V)
    H += S * ((np.abs(xi).T @ (U - V)) if zeros else (U - V).sum(axis=0))
    H += 0.5 * S
    return np.copysign(1.0, H)


def _single_update(inter: Interaction, x: np.ndarray, Ae: np.ndarray, s: np.ndarray) -> np.ndarray:
    """New value of one neuron in B states; x (K, 1), Ae (K, B) overlaps without it."""
    if inter.kind == "exp":
        W = np.exp(inter.lam * (Ae - Ae.max(axis=0)))
        h = (x * W).sum(axis=0)
        tol = tie_tolerance(x.shape[0]) * (np.abs(x) * W).sum(axis=0)
        return np.copysign(1.0, h + tol * s)
    n = inter.n
    h = ((Ae + x) ** n - (Ae - x) ** n).sum(axis=0)
    return np.copysign(1.0, h + 0.5 * s)
