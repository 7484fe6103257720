"""Online three-factor readout and HLOP on spiking reservoirs: the numbers of the report.

    python benchmarks/bench_reservoir_plasticity.py whatwhen [--neurons 200] [--switch latency]
        [--backend runtime] [--seeds 3]
    python benchmarks/bench_reservoir_plasticity.py hlop [--task-seeds 4 5 6] [--readout-seeds 3]

whatwhen: the what/when task (four identities, 150 trials, a switch after trial 100 without
reset) on an Izhikevich reservoir; the three-factor readout (online, inside Brian2) against
RLS without forgetting (the paper's "without reset") and RLS with forgetting 0.999, all on
the same spikes: pre- and post-switch peak-time error, amplitude-probability correlation
after the switch, trials to re-adapt, offline identity accuracy, wall time.

hlop: three 3-class template tasks on the liquid states of one reservoir (160 + 40
neurons, weak noise), plain sequential training against HLOP: accuracy matrices and BWT
over task seeds and readout seeds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's neurodam

from neurodam.reservoir import izhikevich_reservoir
from neurodam.reservoir.hlop import continual_learning, liquid_state_tasks
from neurodam.reservoir.whatwhen import (
    DEFAULT_CONDITIONS,
    rls_predictions,
    timing_score,
    what_when_task,
    what_when_trials,
)

SWITCHES = {
    "latency": ((0.3, 1.0), (0.15, 0.75), (0.3, 0.25), (0.15, 0.5)),
    "probability": ((0.15, 0.25), (0.3, 0.5), (0.15, 1.0), (0.3, 0.75)),
}


def _row(name, s):
    readapt = s.trials_to_readapt if s.readapted else "never"
    return (
        f"{name:<22} {s.pre_switch_peak_time_error * 1e3:8.1f} {s.peak_time_error * 1e3:8.1f} "
        f"{s.amplitude_probability_r:7.2f}  {np.round(s.amplitude_by_identity, 2)}  {readapt}"
    )


def whatwhen(neurons: int, switch: str, backend: str, seeds: int) -> None:
    n_exc = round(0.8 * neurons)
    print(f"what/when: {n_exc} + {neurons - n_exc} neurons, {switch} switch after 100 of 150")
    print(f"conditions {DEFAULT_CONDITIONS} -> {SWITCHES[switch]}")
    for seed in range(seeds):
        m = izhikevich_reservoir(n_exc, neurons - n_exc, seed=1 + seed, noise_exc=2.0,
                                 noise_inh=0.8)  # fmt: skip
        tr = what_when_trials(150, switch_trial=100, switch_conditions=SWITCHES[switch],
                              stimulus_channels=10, seed=2 + seed)  # fmt: skip
        t0 = time.perf_counter()
        res = what_when_task(m, tr, fraction=0.1, seed=3 + seed, backend=backend)
        wall = time.perf_counter() - t0
        forget = timing_score(
            rls_predictions(res.run.spikes, tr, forgetting=0.999), tr, learner="rls_0.999"
        )
        rate = res.run.spikes.mean_rate()
        print(f"seed {seed}: rate {rate:.1f} Hz, wall {wall:.0f} s ({res.run.timing}), "
              f"identity accuracy {res.identity_accuracy:.2f}")  # fmt: skip
        print(f"{'learner':<22} {'pre ms':>8} {'post ms':>8} {'r(A,p)':>7}  amplitudes  readapt")
        for name, s in (("three-factor", res.three_factor), ("RLS (no forgetting)", res.rls),
                        ("RLS (forgetting .999)", forget)):  # fmt: skip
            print(_row(name, s))


def hlop(task_seeds, readout_seeds: int) -> None:
    m = izhikevich_reservoir(160, 40, seed=1, noise_exc=1.0, noise_inh=0.4)
    for ts in task_seeds:
        t0 = time.perf_counter()
        tasks = liquid_state_tasks(m, n_tasks=3, n_classes=3, n_train=100, n_test=50, seed=ts)
        print(f"task seed {ts}: liquid states in {time.perf_counter() - t0:.0f} s")
        for project in (False, True):
            runs = [continual_learning(tasks, project=project, n_components=20, seed=s)
                    for s in range(readout_seeds)]  # fmt: skip
            bwt = [r.bwt for r in runs]
            print(f"  {'HLOP ' if project else 'plain'} BWT {np.round(bwt, 3)} "
                  f"final {np.round([r.final_accuracy for r in runs], 3)}")  # fmt: skip
            print("   R (readout seed 0):", np.array2string(runs[0].accuracy, precision=2)
                  .replace("\n", "\n" + " " * 23))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="part", required=True)
    w = sub.add_parser("whatwhen")
    w.add_argument("--neurons", type=int, default=200)
    w.add_argument("--switch", choices=sorted(SWITCHES), default="latency")
    w.add_argument("--backend", default="runtime")
    w.add_argument("--seeds", type=int, default=1)
    h = sub.add_parser("hlop")
    h.add_argument("--task-seeds", type=int, nargs="+", default=[4, 5, 6])
    h.add_argument("--readout-seeds", type=int, default=3)
    args = ap.parse_args()
    if args.part == "whatwhen":
        whatwhen(args.neurons, args.switch, args.backend, args.seeds)
    else:
        hlop(args.task_seeds, args.readout_seeds)


if __name__ == "__main__":
    main()
