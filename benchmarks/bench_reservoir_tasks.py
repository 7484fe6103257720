"""Task quality: NARMA-10 and memory capacity of the LIF liquid, an ESN and the linear baseline.

For each of 5 seeds, in one run:

* the LIF liquid of Maass et al. (2002), compiled once per network (cpp_standalone) and
  rerun for every input signal: "tuned" (lambda = 3 and the recurrent weights doubled,
  ``LIQUID``; the input centred, ``u - CENTER``, at input scaling ``TUNED``, ~24 Hz: the
  best of the settings tried), the same with the current input u(t) appended to the
  readout's state ("[x, u]"), and "driven too hard" (the raw input at ``HARD``, ~90 Hz);
  the input enters as a current (signed weights into half of the neurons), one sample
  per ``STEP``; the state is the liquid state at the end of each sample with the time
  constants ``TAUS`` side by side;
* an echo state network of reservoirpy 0.4.2 with the same number of units, the same
  input series and the same ridge readout (benchmark-only dependency);
* the linear baseline: ridge on the last 10 inputs (``tasks.DelayLine(10)``).

NARMA-10: NRMSE on 1000 test samples after 2000 training samples. Memory capacity
(Jaeger 2001): sum over delays 1..20 of r^2, input U(-1, 1) (mapped to [0, 0.5] for the
liquid's current, the NARMA input range, then centred like the NARMA input). Usage:
python benchmarks/bench_reservoir_tasks.py [n_seeds] [shape e.g. 15,3,3]

Settings tried (seed 0 only, NARMA-10 NRMSE; linear 10-tap 0.582 on that seed; 10 ms
per sample, 135 neurons, raw input u unless "centred"): raw 20 nA 0.645 (26 Hz, MC 2.1);
with a 300 ms state filter added 0.677; 5 ms per sample 0.658 (MC 1.8), with filters
3/10/30 ms 0.676; 3 ms per sample at 30 nA 0.681 (MC 1.7), 3/10/30 ms 0.666 (MC 2.4);
centred 40 / 80 / 160 nA 0.632 / 0.622 / 0.670 (18 / 24 / 31 Hz); raw 2000 / 5000 nA
0.677 / 0.687 (88 / 92 Hz); 15 x 6 x 6 = 540 neurons raw 20 nA 0.680 (39 Hz), centred
80 nA 0.609 (39 Hz). Appending u(t) to the state changed none of these by more than 0.01.
The rate does not pass ~95 Hz at any drive, most likely because only the neurons with
positive input weights (a quarter) are driven, up to their refractory limit, and the
recurrent synapses (depressing) do not carry the rest to high rates.

Measured (5 seeds, mean +- SD, 2 cores at load average 6-8, ~19 min): NARMA-10 NRMSE
liquid tuned 0.616 +- 0.008 (MC 2.7, 24.0 Hz), with [x, u] 0.616 +- 0.008 (MC 2.8),
driven too hard (5000 nA) 0.741 +- 0.045 (MC 1.4, 87 Hz), ESN 0.288 +- 0.041 (MC 19.3),
linear 10-tap 0.587 +- 0.014 (MC 9.0): the liquid does not beat the linear baseline. Its
memory lasts 2-3 samples (MC ~2.7) where NARMA-10 needs u(t - 9); shorter samples do not
lengthen it in samples (MC 1.7-2.4 at 3 and 5 ms per sample, above).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

STEP = 0.01  # seconds per sample
TAUS = (0.01, 0.03, 0.1)  # liquid-state time constants read side by side
TUNED, HARD = 80.0, 5000.0  # input scalings (nA per unit of the input)
CENTER = 0.25  # the tuned liquid gets u - 0.25 (the middle of U(0, 0.5)); too hard gets u
LIQUID = {"lam": 3.0, "coupling": 2.0}  # the tuned liquid (the paper: lam 2, coupling 1)
N_TRAIN, N_TEST, WASHOUT, MAX_DELAY = 2000, 1000, 50, 20


class ESN:
    """reservoirpy's echo state network as a state function for neurodam.reservoir.tasks."""

    def __init__(self, units: int, sr: float = 0.9, input_scaling: float = 0.5) -> None:
        self.kw = dict(units=units, sr=sr, input_scaling=input_scaling, lr=1.0)

    def transform(self, u, seed=None):
        from reservoirpy.nodes import Reservoir

        u = np.asarray(u, dtype=np.float64).reshape(len(u), -1)
        return Reservoir(**self.kw, seed=seed).run(u)


def _scores(X, y, D):
    from neurodam.reservoir import RidgeReadout, nrmse

    tr = slice(WASHOUT, WASHOUT + N_TRAIN)
    te = slice(WASHOUT + N_TRAIN, None)
    narma = RidgeReadout().fit(X[0][tr], y[tr])
    e = nrmse(y[te], narma.predict(X[0][te]))
    mem = RidgeReadout().fit(X[1][tr], D[tr])
    P = mem.predict(X[1][te])
    mc = sum(np.corrcoef(P[:, k], D[te][:, k])[0, 1] ** 2 for k in range(D.shape[1]))
    return e, mc


def main(n_seeds: int = 5, shape=(15, 3, 3)) -> None:
    from neurodam.reservoir import ReservoirSession, current_injection, lif_liquid, liquid_state
    from neurodam.reservoir.tasks import DelayLine, narma10_series

    print(f"load average at start: {os.getloadavg()}, cpus: {os.cpu_count()}")
    n = WASHOUT + N_TRAIN + N_TEST
    names = (
        "liquid tuned",
        "liquid tuned, [x, u]",
        "liquid driven too hard",
        "ESN",
        "linear 10-tap",
    )
    rows = {k: [] for k in names}
    rates = {"liquid tuned": [], "liquid driven too hard": []}
    t_start = time.perf_counter()
    for seed in range(n_seeds):
        u, y = narma10_series(n, seed)
        um = np.random.default_rng(1000 + seed).uniform(-1.0, 1.0, n)
        D = np.stack([np.r_[np.zeros(d), um[: n - d]] for d in range(1, MAX_DELAY + 1)], 1)
        liquid = lif_liquid(shape, seed=seed, **LIQUID)
        base = current_injection(u, STEP, fraction=0.5, spread=1.0, signed=True, seed=seed)
        W = base.input_weights(liquid)
        steps = round(STEP / liquid.dt)
        times = (np.arange(1, n + 1) * steps - 0.5) * liquid.dt
        with ReservoirSession(liquid, n * STEP, base, backend="cpp_standalone") as s:
            s.run(seed=seed)
            for name, gain, c in (
                ("liquid tuned", TUNED, CENTER),
                ("liquid driven too hard", HARD, 0),
            ):
                states, r = [], None
                for sig in (u, (um + 1) / 4):  # NARMA input, then the memory input in [0, .5]
                    inp = current_injection((sig - c) * gain, STEP, weights=W)
                    r = s.rerun(inputs=inp, seed=seed)
                    states.append(np.hstack([liquid_state(r.spikes, times, tau=t) for t in TAUS]))
                    rates[name].append(r.spikes.mean_rate())
                rows[name].append(_scores(states, y, D))
                if name == "liquid tuned":  # the readout also sees the current input u(t)
                    rows["liquid tuned, [x, u]"].append(
                        _scores([np.c_[states[0], u], np.c_[states[1], um]], y, D)
                    )
        esn = ESN(liquid.n_neurons)
        rows["ESN"].append(_scores([esn.transform(u, seed), esn.transform(um, seed)], y, D))
        line = DelayLine(10)
        rows["linear 10-tap"].append(_scores([line.transform(u), line.transform(um)], y, D))
        print(f"seed {seed} done ({time.perf_counter() - t_start:.0f} s)", flush=True)

    print(f"\nNARMA-10 (NRMSE, test) and memory capacity (delays 1..{MAX_DELAY}), {n_seeds} seeds;"
          f" liquid {shape} = {int(np.prod(shape))} neurons, {STEP * 1e3:g} ms per sample,"
          f" {LIQUID}, input scaling tuned {TUNED:g} nA (u - {CENTER:g}), too hard {HARD:g} nA"
          " (u)")  # fmt: skip
    print(f"{'model':24s} {'NRMSE mean':>10s} {'sd':>6s} {'min':>6s} {'max':>6s} "
          f"{'MC mean':>8s} {'sd':>5s} {'rate Hz':>8s}")  # fmt: skip
    for name, res in rows.items():
        e = np.array([r[0] for r in res])
        mc = np.array([r[1] for r in res])
        rate = f"{np.mean(rates[name]):8.1f}" if name in rates else f"{'-':>8s}"
        print(f"{name:24s} {e.mean():10.3f} {e.std(ddof=1) if e.size > 1 else 0:6.3f} "
              f"{e.min():6.3f} {e.max():6.3f} {mc.mean():8.2f} "
              f"{mc.std(ddof=1) if mc.size > 1 else 0:5.2f} {rate}")  # fmt: skip
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 5, tuple(int(x) for x in args[1].split(",")) if len(args) > 1
         else (15, 3, 3))  # fmt: skip
