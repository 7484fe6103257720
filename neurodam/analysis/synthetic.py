"""Synthetic spike trains with known statistics, for tests, benchmarks and users.

Generators
----------
branching_process   critical / sub-critical Galton-Watson avalanches (known tau, alpha, m)
poisson_spikes      homogeneous Poisson spike trains (no avalanche structure)

Event times (temporal complexity)
---------------------------------
renewal_process     power-law renewal events, Psi(tau) = (T/(T+tau))^(mu-1) (known mu)
poisson_process     Poisson events (exponential waiting times)
superpose           sorted union of two event sequences

Every generator takes ``seed`` (int, ``numpy.random.Generator`` or None); the spike
generators return a :class:`neurodam.SpikeTrains`, the event generators an array of
event times in seconds. The same seed gives the same result.
"""

from __future__ import annotations

import warnings

import numpy as np

from neurodam._validate import check_int, check_number, check_seconds
from neurodam.spikes import SpikeTrains

__all__ = [
    "branching_process",
    "poisson_process",
    "poisson_spikes",
    "renewal_process",
    "superpose",
]


def _check_positive_int(value, name: str) -> int:
    return check_int(value, name, min=1)


def _cascades(
    m: float, n_seeds: int, rng: np.random.Generator, max_steps: int, max_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run ``n_seeds`` independent Poisson(m) Galton-Watson cascades, each from one unit.

    Vectorised over cascades; the only loop is over generations. Returns
    ``(cascade, generation, count, truncated)``: one entry per (cascade, generation)
    with a non-zero count, and a boolean per cascade that is True when the cascade
    was stopped by ``max_steps`` or ``max_size`` while still alive.
    """
    alive = np.arange(n_seeds, dtype=np.int64)
    counts = np.ones(n_seeds, dtype=np.int64)
    size = np.ones(n_seeds, dtype=np.int64)
    truncated = np.zeros(n_seeds, dtype=bool)
    out_c, out_g, out_n = [alive], [np.zeros(n_seeds, dtype=np.int64)], [counts]
    g = 0
    while alive.size:
        g += 1
        counts = rng.poisson(m * counts).astype(np.int64)
        keep = counts > 0
        alive, counts = alive[keep], counts[keep]
        if not alive.size:
            break
        if g >= max_steps:
            truncated[alive] = True
            break
        size[alive] += counts
        over = size[alive] > max_size
        if over.any():
            # the generation that crosses max_size is kept, then the cascade stops
            truncated[alive[over]] = True
        out_c.append(alive)
        out_g.append(np.full(alive.size, g, dtype=np.int64))
        out_n.append(counts)
        alive, counts = alive[~over], counts[~over]
    return np.concatenate(out_c), np.concatenate(out_g), np.concatenate(out_n), truncated


def branching_process(
    m: float,
    n_units: int,
    n_steps: int | None = None,
    n_avalanches: int | None = None,
    seed: int | np.random.Generator | None = None,
    *,
    drive: float = 0.01,
    dt: float = 1e-3,
    gap: int = 1,
    max_size: int = 10**6,
    max_steps: int = 10**5,
) -> SpikeTrains:
    r"""Spikes of a Poisson branching process with branching ratio ``m``.

    Each spike at step :math:`t` has :math:`\mathrm{Poisson}(m)` descendants at
    step :math:`t+1` (Harris 1963), so the population activity obeys
    :math:`A_{t+1} \sim \mathrm{Poisson}(m A_t + h)` with external drive ``h``.
    At :math:`m=1` (critical, mean field) avalanche sizes follow
    :math:`P(S) \sim S^{-3/2}` and durations :math:`P(T) \sim T^{-2}`
    (Zapperi, Baekgaard Lauritsen & Stanley 1995; Beggs & Plenz 2003).

    Two modes (give exactly one of ``n_avalanches`` and ``n_steps``):

    * ``n_avalanches``: separation of time scales. Each avalanche starts from one
      spike and runs to extinction; avalanches follow each other with ``gap``
      empty steps, so binning at ``dt`` recovers each avalanche exactly.
    * ``n_steps``: a driven process on a grid of ``n_steps`` steps; each step
      receives :math:`\mathrm{Poisson}(h)` external spikes (``drive=h``), whose
      cascades overlap. Stationary for ``m < 1`` with mean activity
      :math:`h/(1-m)`; the multistep-regression estimator recovers ``m``
      (Wilting & Priesemann 2018).

    The simulation is the ideal (infinite-population) process, vectorised over
    cascades (cluster representation: independent cascades, superposed).
    ``n_units`` only labels spikes: each spike goes to a unit drawn uniformly,
    so a unit may spike more than once in a step.

    Parameters
    ----------
    m : float
        Branching ratio (mean number of descendants per spike), ``m >= 0``.
    n_units : int
        Number of units that spikes are assigned to.
    n_steps, n_avalanches : int
        Grid length (driven mode) or number of avalanches (separated mode).
    seed : int, Generator or None
        Random seed.
    drive : float
        Expected external spikes per step in the driven mode (``h``).
    dt : float
        Step length in seconds; spikes sit at the centre of their step.
    gap : int
        Empty steps between avalanches in the separated mode (>= 1).
    max_size, max_steps : int
        Safety caps: a cascade is stopped after the generation in which its size
        exceeds ``max_size``, or after ``max_steps`` generations. Stopped cascades
        are counted in ``meta["n_truncated"]`` (their sizes and durations are
        censored; fit with ``xmax`` below the cap). At ``m=1`` a fraction
        :math:`\approx \sqrt{2/(\pi\, \mathrm{max\_size})}` is stopped.

    Returns
    -------
    SpikeTrains
        With ``meta`` holding ``m``, ``drive``, ``dt``, ``stamp`` ("centre"), ``mode``,
        ``n_truncated``.
    """
    m = check_number(m, "m", min=0.0, what="a branching ratio")
    n_units = _check_positive_int(n_units, "n_units")
    if (n_steps is None) == (n_avalanches is None):
        raise ValueError(
            f"n_steps, n_avalanches: expected exactly one of them, got n_steps={n_steps!r}, "
            f"n_avalanches={n_avalanches!r}"
        )
    dt = check_seconds(dt, "dt", "a step length")
    max_size = _check_positive_int(max_size, "max_size")
    max_steps = _check_positive_int(max_steps, "max_steps")
    rng = np.random.default_rng(seed)

    if n_avalanches is not None:
        n_av = _check_positive_int(n_avalanches, "n_avalanches")
        gap = _check_positive_int(gap, "gap")
        cas, gen, cnt, trunc = _cascades(float(m), n_av, rng, max_steps, max_size)
        duration = np.bincount(cas, minlength=n_av)  # generations per cascade (all > 0)
        start = np.concatenate([[0], np.cumsum(duration + gap)[:-1]])
        step = start[cas] + gen
        n_total_steps = int(start[-1] + duration[-1] + gap)
        mode = "avalanches"
    else:
        n_total_steps = _check_positive_int(n_steps, "n_steps")
        drive = check_number(
            drive, "drive", min=0.0, min_open=True, what="an expected number of spikes"
        )
        seeds_per_step = rng.poisson(drive, size=n_total_steps)
        seed_step = np.repeat(np.arange(n_total_steps, dtype=np.int64), seeds_per_step)
        cap = min(max_steps, n_total_steps)
        cas, gen, cnt, trunc = _cascades(float(m), seed_step.size, rng, cap, max_size)
        step = seed_step[cas] + gen
        inside = step < n_total_steps  # the observation window ends at n_steps
        step, cnt = step[inside], cnt[inside]
        mode = "driven"

    n_spikes = int(cnt.sum())
    step_of_spike = np.repeat(step, cnt)
    order = np.argsort(step_of_spike, kind="stable")
    times = (step_of_spike[order] + 0.5) * dt
    senders = rng.integers(0, n_units, size=n_spikes)
    meta = {
        "generator": "branching_process",
        "m": float(m),
        "drive": float(drive) if mode == "driven" else 0.0,
        "dt": float(dt),
        "stamp": "centre",  # the spikes of step k sit at (k + 1/2) dt
        "mode": mode,
        "n_truncated": int(trunc.sum()),
    }
    return SpikeTrains(
        times, senders, n_neurons=n_units, t_start=0.0, t_stop=n_total_steps * dt, meta=meta
    )


def poisson_spikes(
    rate: float | np.ndarray,
    n_neurons: int,
    duration: float,
    seed: int | np.random.Generator | None = None,
) -> SpikeTrains:
    r"""Independent homogeneous Poisson spike trains.

    Neuron :math:`i` fires at ``rate[i]`` Hz (a scalar applies to all): its spike
    count in ``[0, duration)`` is :math:`\mathrm{Poisson}(r_i T)` and the spike
    times are i.i.d. uniform (the conditional property of the Poisson process).

    Parameters
    ----------
    rate : float or array of shape (n_neurons,)
        Firing rates in Hz, >= 0.
    n_neurons : int
        Number of neurons.
    duration : float
        Window length in seconds (> 0); the window is ``[0, duration]``.
    seed : int, Generator or None
        Random seed.
    """
    n_neurons = _check_positive_int(n_neurons, "n_neurons")
    duration = check_seconds(duration, "duration", "a window length")
    r = np.broadcast_to(np.asarray(rate, dtype=np.float64), (n_neurons,))
    if not np.all(np.isfinite(r)) or np.any(r < 0):
        raise ValueError(f"rate: expected finite rates >= 0 Hz, got {rate!r}")
    rng = np.random.default_rng(seed)
    counts = rng.poisson(r * duration)
    senders = np.repeat(np.arange(n_neurons, dtype=np.int64), counts)
    times = rng.uniform(0.0, duration, size=senders.size)
    meta = {"generator": "poisson_spikes", "rate": r.tolist() if np.ptp(r) else float(r[0])}
    return SpikeTrains(times, senders, n_neurons=n_neurons, t_start=0.0, t_stop=duration, meta=meta)


# --------------------------------------------------- event times (temporal complexity)
def renewal_process(
    mu: float, n_events: int, T: float = 1.0, seed=None, *, lattice: float | None = None
) -> np.ndarray:
    r"""Event times of a renewal process with power-law waiting times (complexity index mu).

    Waiting times are i.i.d. with survival :math:`\Psi(\tau) = (T/(T+\tau))^{\mu-1}`, so
    :math:`\psi(\tau) = (\mu-1) T^{\mu-1} / (T+\tau)^{\mu}` ~ :math:`\tau^{-\mu}`, drawn by
    inversion :math:`\tau = T(u^{1/(1-\mu)} - 1)` (Paradisi et al. 2012). Mean waiting time
    T/(mu - 2) for mu > 2 (infinite for mu <= 2).

    With ``lattice = h`` the process is put on the time lattice of step h, as a model that
    advances in steps would record it: each waiting time becomes ceil(tau / h) steps (at
    least one), so P(K >= k) = (T / (T + (k - 1) h))^(mu - 1) keeps the tail exponent mu,
    and the times are exact multiples k h.

    Parameters
    ----------
    mu : float
        Complexity index, > 1.
    n_events : int
        Number of events; the times are the cumulative sums of ``n_events`` waiting times
        (the first event at the first waiting time after 0).
    T : float
        Time scale in seconds (> 0).
    seed : int, Generator or None
    lattice : float, optional
        Lattice step in seconds (None: continuous times).
    """
    n = _check_positive_int(n_events, "n_events")
    mu = check_number(mu, "mu", min=1.0, min_open=True, what="a complexity index")
    T = check_seconds(T, "T", "a time scale")
    if lattice is not None:
        lattice = check_seconds(lattice, "lattice", "a lattice step")
    rng = np.random.default_rng(seed)
    u = 1.0 - rng.random(n)  # in (0, 1]
    tau = T * np.expm1(np.log(u) / (1.0 - mu))
    if lattice is not None:
        k = np.maximum(np.ceil(tau / lattice), 1.0)
        if np.cumsum(k)[-1] >= 2.0**53:
            raise ValueError(
                f"n_events: {n} waiting times with mu={mu} span more than 2^53 lattice steps; "
                "use fewer events or a larger lattice step"
            )
        return np.cumsum(k.astype(np.int64)) * lattice
    times = np.cumsum(tau)
    if n > 1 and np.any(np.diff(times) <= 0):
        # mu < 2: the times grow as n^(1/(mu-1)), and float64 cannot resolve the shortest
        # waiting times next to them
        warnings.warn(
            f"renewal_process: some events coincide in float64 (mu={mu}, n_events={n}, last "
            f"time {times[-1]:.3g} s); use fewer events or a larger T",
            stacklevel=2,
        )
    return times


def poisson_process(rate: float, n_events: int, seed=None) -> np.ndarray:
    """Event times of a homogeneous Poisson process (exponential waiting times, mean 1/rate).

    Parameters
    ----------
    rate : float
        Events per second (> 0).
    n_events : int
        Number of events (the first one after the first waiting time from 0).
    seed : int, Generator or None
    """
    n = _check_positive_int(n_events, "n_events")
    rate = check_number(rate, "rate", min=0.0, min_open=True, what="a rate in events per second")
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.exponential(1.0 / rate, size=n))


def superpose(a, b) -> np.ndarray:
    """Sorted union of two event sequences (e.g. a renewal process plus Poisson noise).

    Raises ``ValueError`` naming ``a`` or ``b`` for non-1-D or non-finite input.
    """
    parts = []
    for name, x in (("a", a), ("b", b)):
        arr = np.asarray(x, dtype=np.float64)
        if arr.ndim != 1:
            raise ValueError(f"{name}: expected a 1-D array of event times, got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}: expected finite event times")
        parts.append(arr)
    return np.sort(np.concatenate(parts), kind="stable")
