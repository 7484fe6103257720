"""Benchmark: EDDiS (eddis_all) on 1e5 events over a 1e7-point walk, against fathon's DFA.

Workload: a renewal process with mu = 2.5 and 1e5 events, the grid step chosen so
that each walk has 1e7 points. ``eddis_all`` builds the AJ, AJL and SJ walks (int8
increments) and runs the vectorised exact DFA on each; the baseline is ``fathon.DFA`` (C,
one polynomial fit per window) on the same AJ signal and the same scales, in the same run.
Everything runs on one core (thread pools pinned to 1 before numpy is imported).

Peak memory: the script prints the process peak RSS right after our part (before the
baseline runs). For the external measurement run

    /usr/bin/time -v .venv/bin/python benchmarks/bench_complexity.py --only-ours

and read "Maximum resident set size".

Usage: python benchmarks/bench_complexity.py [--quick] [--only-ours] [--repeat N]
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import resource  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from neurodam.analysis import eddis_all, event_walk  # noqa: E402
from neurodam.analysis.scaling import dfa  # noqa: E402
from neurodam.analysis.synthetic import renewal_process  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def best_of(fn, repeat: int):
    """Best (wall, CPU) seconds over ``repeat`` runs, and the last result.

    CPU time (``time.process_time``) is the one-core cost; on a shared machine the wall
    time also counts the time other processes held the core.
    """
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        cpus.append(time.process_time() - c0)
        walls.append(time.perf_counter() - w0)
    return (min(walls), min(cpus)), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1e4 events over 1e6 points")
    ap.add_argument("--only-ours", action="store_true", help="skip the fathon baseline")
    ap.add_argument("--repeat", type=int, default=1, help="best of N timings")
    args = ap.parse_args()

    n_events, n_grid = (10_000, 1_000_000) if args.quick else (100_000, 10_000_000)
    t = renewal_process(2.5, n_events, seed=1)
    dt = (t[-1] - t[0]) / (n_grid - 0.5)  # floor(span / dt) + 1 = n_grid points
    rss0 = peak_rss_mb()

    t_all, res = best_of(lambda: eddis_all(t, dt=dt, seed=2, fit=False), args.repeat)
    t_fit, res_fit = best_of(lambda: eddis_all(t, dt=dt, seed=2, fit=True), args.repeat)
    xi = event_walk(t, "AJ", dt=dt, increments=True)
    scales = np.round(res.aj.scales / dt).astype(np.int64)
    t_one, ours = best_of(lambda: dfa(xi, scales=scales), args.repeat)
    rss_ours = peak_rss_mb()

    print(
        f"workload: {n_events} events (renewal mu=2.5), walk of {xi.size} points, "
        f"{scales.size} DFA scales {scales[0]}..{scales[-1]}, one core"
    )
    print(
        f"H: AJ {res.aj.exponent:.3f}  AJL {res.ajl.exponent:.3f}  SJ {res.sj.exponent:.3f}"
        f"  (fit range {res.aj.fit_range[0]:.3g}..{res.aj.fit_range[1]:.3g} s);"
        f"  waiting-time fit mu = {res_fit.waiting.mu:.3f}, resolved mu = {res_fit.mu:.3f}"
    )
    print(f"peak RSS: {rss0:.0f} MB before, {rss_ours:.0f} MB after our part")
    print()
    header = (
        f"{'task':<44}{'ours wall':>10}{'ours cpu':>10}{'fathon wall':>12}{'fathon cpu':>11}"
        f"{'ratio (cpu)':>12}"
    )
    print(header)
    print("-" * len(header))
    mine = [
        ("DFA1 of the AJ walk (same signal, scales)", t_one, 1),
        ("eddis_all, 3 rules vs 3 x fathon DFA", t_all, 3),
        ("eddis_all + waiting-time fit vs 3 x fathon", t_fit, 3),
    ]
    if args.only_ours:
        for name, (w, c), _ in mine:
            print(f"{name:<44}{w:>10.3f}{c:>10.3f}{'-':>12}{'-':>11}{'-':>12}")
        return

    import fathon
    from fathon import fathonUtils

    x = xi.astype(np.float64)

    def baseline():
        f = fathon.DFA(fathonUtils.toAggregated(x))
        return f.computeFlucVec(scales, revSeg=False, polOrd=1)

    (w_ref, c_ref), (_, F) = best_of(baseline, args.repeat)
    rel = float(np.max(np.abs(ours.values / F - 1)))
    for name, (w, c), k in mine:
        print(
            f"{name:<44}{w:>10.3f}{c:>10.3f}{k * w_ref:>12.3f}{k * c_ref:>11.3f}"
            f"{k * c_ref / c:>11.1f}x"
        )
    print()
    print(f"max relative difference of F(l), ours vs fathon: {rel:.2e}")


if __name__ == "__main__":
    main()
