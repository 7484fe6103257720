"""The numpy reference engine for Hebbian associative memories.

Plain vectorised numpy implementation of the dynamics, driven by the field kernel of the
interaction (:mod:`neurodam.memory.interactions`). It is the oracle of the tests and the
baseline of the benchmarks; the Brian2 model (:mod:`neurodam.memory.brian`) implements
the same dynamics and never imports this module.

Dynamics (Cafiso & Paradisi 2026, section "Model"; Amit, Gutfreund & Sompolinsky 1985)
-----------------------------------------------------------------------------------
* deterministic: ``sigma_i <- sgn h_i`` (science.md section 1), ties keep sigma_i, and a
  neuron that no pattern touches (diluted patterns) keeps its state;
* Glauber heat bath at temperature T > 0: ``P(sigma_i = +1) = 1 / (1 + exp(-2 h_i / T))``
  with ``h_i = [E(sigma_i=-1) - E(sigma_i=+1)] / 2`` (energy normalisation of each F: for
  n=2 the standard Hopfield scale, for ``exp`` the log-energy);
* SEDAM noise with probability p, applied after the (deterministic or Glauber) update of a
  neuron: ``noise_mode="flip"`` flips it, ``noise_mode="reset"`` sets it to a random +-1
  (equivalent to flipping with probability p/2).
* ``schedule="sync"``: all N neurons updated from the same state (one step = one
  synchronous update); ``schedule="async"``: one step = one sweep of N single-neuron updates
  in a fresh random order, with the K overlaps cached and updated in O(K) per update.

Stationary distributions
------------------------
Only **asynchronous** Glauber updates satisfy detailed balance with the Boltzmann
distribution ``P(sigma) ~ exp(-E(sigma)/T)`` of the energy E (single-neuron heat bath).
**Synchronous** Glauber updates (Little 1974) do not sample ``exp(-E/T)``: for pairwise
symmetric couplings (F = x^2, the Hopfield model) their stationary distribution is
``P(sigma) ~ exp(-H_P(sigma)/T)`` with Peretto's pseudo-Hamiltonian
``H_P = -T sum_i ln(2 cosh(h_i(sigma)/T))`` (Peretto 1984), which also weights 2-cycles;
for dense and exponential F no closed form is known. The SEDAM noise (a deterministic
update followed by random flips) is not a heat bath either: its stationary distribution is
that of the Markov chain, not a Boltzmann distribution of E, on either schedule.

Random draws (``rng = numpy.random.default_rng(seed)``), in this exact order
----------------------------------------------------------------------------
1. initial state (:func:`neurodam.memory.state.initial_state`);
2. each synchronous step: Glauber ``u = rng.random(N)`` (only if T > 0), ``sigma_i = +1 if
   u_i < P_i``; then noise ``v = rng.random(N)`` (only if p > 0), neuron i is hit when
   ``v_i < p``; for ``reset`` also ``r = rng.random(N)``, a hit neuron becomes ``+1 if r_i < 0.5``.
3. each asynchronous sweep: ``order = rng.permutation(N)``, then ``u``, ``v``, ``r`` as above
   (each of length N, drawn only when used), the k-th update (neuron ``order[k]``) using
   ``u[k]``, ``v[k]``, ``r[k]``.

Speed: a synchronous step is two dense mat-vecs (``a = Xi sigma`` and ``g = Xi^T w``) plus
O(N + K) work.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import numpy as np

from neurodam._validate import check_choice, check_int
from neurodam.memory.interactions import FieldKernel, Interaction, decide, glauber_probability
from neurodam.memory.params import DEFAULT_F, SCHEDULES, MemoryParams, as_params
from neurodam.memory.results import MemoryRun
from neurodam.memory.state import initial_state
from neurodam.spikes import SpikeTrains

__all__ = ["iterate", "run"]

log = logging.getLogger(__name__)


def run(
    patterns: np.ndarray,
    params: MemoryParams | Interaction | str | None = None,
    /,
    *,
    progress: bool = False,
    dtype: str = "float64",
    **changes: Any,
) -> MemoryRun:
    """Simulate an associative memory with the numpy reference engine.

    Parameters
    ----------
    patterns : (K, N) array
        Stored patterns (the values each F accepts: :mod:`neurodam.memory.interactions`).
    params : MemoryParams, str or Interaction, optional
        The parameters (:class:`~neurodam.memory.params.MemoryParams`), or just F.
    progress : bool
        Show a tqdm progress bar.
    dtype : {"float64", "float32"}
        Arithmetic of the synchronous step. ``float64`` (default) is the oracle: exact
        integer overlaps and polynomial fields, exp fields resolved to ~K 1e-16. ``float32``
        halves the memory traffic of the two mat-vecs (about 2x faster at K >= 100); overlaps
        stay exact (integers < 2^24), exp fields are resolved to ~6 (K+2) 1.2e-7 of their
        scale (closer fields count as ties and keep the state), and polynomial fields above
        2^24 (e.g. n >= 3 at N of a few hundred) lose exactness: use it for F=exp.
    **changes
        :class:`MemoryParams` fields (``F``, ``noise``, ``temperature``, ``schedule``,
        ``steps``, ``init``, ``seed``, ``noise_mode``, ``fire_on``, ``record``, ``dt``).
        ``record``: ``"spikes"`` builds the spikes (about N/2 per step with
        ``fire_on="plus"``: leave them out of very long runs), ``"states"`` keeps the
        (T, N) int8 states; overlaps and activity are always recorded.

    Returns
    -------
    MemoryRun

    Raises
    ------
    TypeError, ValueError
        Bad parameters (:class:`MemoryParams`), patterns that are not a finite (K, N)
        matrix, an ``init`` that does not fit the patterns.

    Examples
    --------
    >>> from neurodam import patterns
    >>> xi = patterns.rademacher(5, 100, seed=0)
    >>> r = run(xi, "hopfield", init=(0, 0.1), steps=5, seed=1)
    >>> round(float(r.overlaps[-1, 0]), 2)
    1.0
    """
    P = as_params(params, changes)
    t0 = time.perf_counter()
    kern = P.interaction.kernel(patterns, dtype if P.schedule == "sync" else "float64")
    xi = kern.patterns
    K, N = xi.shape
    rng = np.random.default_rng(P.seed)
    s0 = initial_state(xi, P.init, rng)
    keep_states = "states" in P.record or "spikes" in P.record
    step = _run_sync if P.schedule == "sync" else _run_async
    ov, en, counts, states, s_final = step(kern, s0, P, rng, keep_states, progress)
    t1 = time.perf_counter()
    if "spikes" in P.record:
        t_idx, senders = _spike_indices(states, s0, P.fire_on, P.steps)
        times = (t_idx + 1) * P.dt
    else:
        times = senders = np.empty(0, dtype=np.int64)
    meta = dict(P.scalars(), N=N, K=K, backend="reference", dt=P.dt, stamp="end")
    spikes = SpikeTrains(times, senders, n_neurons=N, t_start=0.0, t_stop=P.steps * P.dt,
                         meta=meta)  # fmt: skip
    timing = {"codegen": 0.0, "compile": 0.0, "run": t1 - t0, "collect": time.perf_counter() - t1}
    info = dict(P.to_dict(), N=N, K=K, backend="reference", init_state=s0.copy(),
                init_pattern=P.init_pattern, dtype=str(np.dtype(dtype)), timing=timing)  # fmt: skip
    return MemoryRun(
        spikes=spikes,
        overlaps=ov,
        energy=en,
        params=info,
        states=states if "states" in P.record else None,
        final_state=s_final,
        dt=P.dt,
        counts=counts,
    )


def _spike_indices(states, s0, fire_on, steps) -> tuple[np.ndarray, np.ndarray]:
    """(step index, neuron) of every spike: sigma=+1 (``plus``) or a -1 -> +1 flip."""
    if fire_on == "plus":
        return np.nonzero(states > 0)
    prev = np.empty_like(states)
    prev[0] = s0
    prev[1:] = states[:-1]
    return np.nonzero((states > 0) & (prev < 0))


def _progress(steps: int, progress: bool):
    from tqdm.auto import tqdm

    return tqdm(range(steps), disable=not progress, desc="reference", unit="step")


def _run_sync(kern: FieldKernel, s0, P: MemoryParams, rng, keep_states, progress):
    xi, dtype = kern.xi, kern.dtype
    K, N = xi.shape
    steps, p = P.steps, P.noise
    ov = np.empty((steps, K), dtype=np.float32)  # raw overlaps a, divided by N at the end
    en = np.empty(steps, dtype=np.float64)
    counts = np.empty(steps, dtype=np.int64)
    states = np.empty((steps, N), dtype=np.int8) if keep_states else None
    s = s0.astype(dtype)
    a = xi @ s
    co = kern.coefficients(a)  # computed once per step, shared by the energy and the field
    beta = None if P.temperature is None else 1.0 / P.temperature
    flip_noise = P.noise_mode == "flip"
    plus = P.fire_on == "plus"
    for t in _progress(steps, progress):
        if beta is None:
            new = kern.decide(a, s, co)
        else:
            hg = kern.glauber(a, s)
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
        co, en[t] = kern.prepare(a)
        if keep_states:
            states[t] = s
    ov /= N
    return ov, en, counts, states, s.astype(np.int8)


def _run_async(kern: FieldKernel, s0, P: MemoryParams, rng, keep_states, progress):
    K, N = kern.K, kern.N
    xiT = kern.cols  # (N, K): row i = xi_i^mu over mu
    steps, p = P.steps, P.noise
    ov = np.empty((steps, K), dtype=np.float32)
    en = np.empty(steps, dtype=np.float64)
    counts = np.empty(steps, dtype=np.int64)
    states = np.empty((steps, N), dtype=np.int8) if keep_states else None
    s = s0.astype(np.float64)
    a = xiT.T @ s
    beta = None if P.temperature is None else 1.0 / P.temperature
    energy = kern.interaction.energy_from_overlaps
    for t in _progress(steps, progress):
        order = rng.permutation(N)
        ug = rng.random(N) if beta is not None else None
        un = rng.random(N) if p > 0 else None
        ur = rng.random(N) if (p > 0 and P.noise_mode == "reset") else None
        prev = s.copy()
        for k in range(N):
            i = order[k]
            x = xiT[i]
            ae = a - x * s[i]  # overlaps without neuron i
            if beta is None:
                d = kern.single(ae, i, s[i])
                new = s[i] if d == 0 else (1.0 if d > 0 else -1.0)
            else:
                hg = kern.single_glauber(ae, i)
                new = 1.0 if ug[k] < 0.5 * (1.0 + math.tanh(beta * hg)) else -1.0
            if un is not None and un[k] < p:
                if P.noise_mode == "flip":
                    new = -new
                else:
                    new = 1.0 if ur[k] < 0.5 else -1.0
            if new != s[i]:
                s[i] = new
                a = ae + x * new
        if P.fire_on == "plus":
            counts[t] = int(np.count_nonzero(s > 0))
        else:
            counts[t] = int(np.count_nonzero((s > 0) & (prev < 0)))
        ov[t] = a / N
        en[t] = energy(a, N)
        if keep_states:
            states[t] = s
    return ov, en, counts, states, s.astype(np.int8)


def iterate(
    patterns: np.ndarray,
    states: np.ndarray,
    F: str | Interaction = DEFAULT_F,
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
        Default ``"exp"`` (:data:`~neurodam.memory.params.DEFAULT_F`).
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
    from neurodam.memory.interactions import parse_interaction

    kern = parse_interaction(F).kernel(patterns)
    xi = kern.xi
    K, N = xi.shape
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
    max_steps = check_int(max_steps, "max_steps", min=1)
    S = S0.T.astype(np.float64).copy()  # (N, B)
    B = S.shape[1]
    n_steps = np.full(B, max_steps, dtype=np.int64)
    converged = np.zeros(B, dtype=bool)
    active = np.arange(B)
    if schedule == "sync":
        for t in range(max_steps):
            Sa = S[:, active]
            new = kern.decide(xi @ Sa, Sa)
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
        xiT = kern.cols
        A = xi @ S  # (K, B)
        for t in range(max_steps):
            order = rng.permutation(N)
            changed = np.zeros(B, dtype=bool)
            Aa, Sa = A[:, active], S[:, active]
            for i in order:
                x = xiT[i][:, None]  # (K, 1)
                Ae = Aa - x * Sa[i]
                new = decide(kern.single(Ae, i, Sa[i]), Sa[i])
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
