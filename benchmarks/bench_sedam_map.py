"""Benchmark: the cost of the SEDAM temporal-complexity map, and where its time goes.

The full map of Cafiso & Paradisi (2026) as ``neurodam sweep models/sedam_mnist.yaml``
runs it: N = 784 binarised MNIST patterns, 50 noise values p x 6 loads K x 3 seeds =
900 points of 10^5 steps each, on 2 worker processes. That takes hours, so this script
times a **slice** of it through the same machinery (:func:`neurodam.sweep.run_sweep` with
:func:`neurodam.sweep.sedam.run_group`, 2 workers, events stored) and extrapolates:

1. **Map slice** (per backend, default ``reference``; ``--backends reference,cpp_standalone``
   adds the compiled Brian2 backend): K in {1, 2, 5, 10, 20, 50} x ``--n-noise`` values of
   p spread over [0.02, 0.48] x 1 seed, at two step counts (``--steps``, default 5000 and
   20000). Each K is one chunk, so its p values run as one batch of replicas (the full
   map's chunks of 75 points run as batches of 32, which share the matrix products better:
   the slice's simulate time per point is an upper bound). From the stored points
   (:func:`neurodam.sweep.load`): the seconds per point spent to simulate (a Brian2
   build taken out and shown apart), analyse (events and indicators, the renewal test
   included) and store, per K and in total, the points per second and the wall time.
2. **Extrapolation** to the full map: per K and stage, the seconds per point fitted as
   a + b * steps on the two slices (the analysis has a large fixed cost per point: fits,
   shuffles), evaluated at 10^5 steps, times 150 points per K, summed, plus one build per
   chunk (2 chunks per K), divided by the 2 workers; set against the 30-minute target.
3. **Standalone reuse**: ``--reuse-points`` points (N = 784, K = 10, ``--reuse-steps``
   steps, p spread over [0.1, 0.4]) on ``cpp_standalone``, one
   :class:`~neurodam.memory.session.MemorySession` (compile once, rerun with ``run_args``)
   against a fresh :func:`~neurodam.memory.simulate.simulate` per point (a build per point).
4. The **analyse / simulate ratio** per point, per K (from the slice).

Timings are printed as measured, with the machine's load average (``os.getloadavg``)
before and after each part: nothing here asserts a time.

Usage::

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_sedam_map.py            # ~5-10 min (+ builds)
    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_sedam_map.py --quick    # ~1-3 min
    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_sedam_map.py \\
        --backends reference,cpp_standalone --steps 10000,40000
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core per worker (set before numpy)

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "sedam_mnist.yaml"
#: The full map: 50 p x 6 K x 3 seeds at 10^5 steps on 2 workers, target 30 minutes.
FULL_K = (1, 2, 5, 10, 20, 50)
FULL_NOISE, FULL_SEEDS, FULL_STEPS, FULL_WORKERS, TARGET_S = 50, 3, 100_000, 2, 1800.0


def load() -> str:
    a1, a5, a15 = os.getloadavg()
    return f"load {a1:.2f} / {a5:.2f} / {a15:.2f} (1/5/15 min)"


def noises(n: int) -> list[float]:
    return [round(float(p), 4) for p in np.linspace(0.02, 0.48, n)]


# ------------------------------------------------------------------ 1. map slice
def map_slice(backend: str, ks: tuple[int, ...], n_noise: int, steps: int, workers: int):
    """Run the slice through the sweep machinery; return (DataFrame, SweepSummary)."""
    from neurodam import sweep
    from neurodam.sweep import sedam

    base = sedam.load_model(MODEL)
    sets = [
        "noise=" + ",".join(str(p) for p in noises(n_noise)),
        "K=" + ",".join(str(k) for k in ks),
        f"steps={steps}",
        f"backend={backend}",
    ]
    spec = sweep.make_spec(base, sets, seeds=1, validate=sedam.validate, model=sedam.MODEL)
    cpu0 = _children_cpu()
    with tempfile.TemporaryDirectory(prefix="bench_sedam_map_") as out:
        summary = sweep.run_sweep(
            spec,
            None,
            out,
            group_fn=sedam.run_group,
            group_by=sedam.GROUP_BY,
            workers=workers,
            chunk_size=n_noise,  # one chunk per K: its p values are one replica batch
            required=sedam.REQUIRED,
            progress=False,
        )
        df = sweep.load(out)
    df.attrs["worker_cpu_s"] = _children_cpu() - cpu0
    return df, summary


def _children_cpu() -> float:
    """CPU seconds of the finished child processes (the sweep's workers, their compilers
    and standalone binaries)."""
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ch.ru_utime + ch.ru_stime


def per_k(df) -> list[dict]:
    """Mean seconds per point per K (simulate, analyse, store, compile)."""
    rows = []
    for K, g in df.groupby("K"):
        comp = g["compile_s"].fillna(0.0) if "compile_s" in g else 0.0 * g["time_simulate"]
        rows.append(
            {
                "K": int(K),
                "n": len(g),
                "sim": float(g["time_simulate"].mean()),
                "ana": float(g["time_analyse"].mean()),
                "ren": float(g["time_renewal"].mean()),
                "store": float(g["time_store"].mean()),
                "compile": float(comp.sum()),  # one build per chunk; each replica holds its share
            }
        )
    return rows


def net_rows(df) -> list[dict]:
    """Per K: seconds per point of simulate (the build taken out), analyse, store, and the
    build (code generation and compilation) of its chunk."""
    out = []
    for r in per_k(df):
        run = r["sim"] - r["compile"] / r["n"]  # the chunk's build is shared by its points
        out.append({**r, "run": max(run, 0.0)})
    return out


def report_slice(backend: str, df, summary, steps: int, n_noise: int, workers: int) -> list:
    """Print the slice's table; return its rows (:func:`net_rows`)."""
    done = df[df["status"] == "done"]
    if len(done) < len(df):
        print(f"  WARNING: {len(df) - len(done)} failed points: {set(df['error'].dropna())}")
    rows = net_rows(done)
    print(f"\n[{backend}] slice: K={list(FULL_K)} x {n_noise} p x 1 seed x {steps} steps, "
          f"{workers} workers (points of a K: one chunk, one replica batch)")  # fmt: skip
    print(f"{'K':>4} {'pts':>4} {'sim s/pt':>9} {'ana s/pt':>9} {'renew':>7} {'store':>7} "
          f"{'ana/sim':>8} {'compile':>8}")  # fmt: skip
    for r in rows:
        print(f"{r['K']:>4} {r['n']:>4} {r['run']:>9.3f} {r['ana']:>9.3f} {r['ren']:>7.3f} "
              f"{r['store']:>7.4f} {r['ana'] / r['run']:>8.3f} {r['compile']:>8.1f}")  # fmt: skip
    sim, ana = done["time_simulate"].sum(), done["time_analyse"].sum()
    st = done["time_store"].sum()
    comp = sum(r["compile"] for r in rows)
    ratio = (done["time_analyse"] / done["time_simulate"]).describe()
    print(f"  totals (worker seconds): simulate {sim:.1f} (builds {comp:.1f} of it), analyse "
          f"{ana:.1f}, store {st:.2f} (+ writes/fsync {summary.store_s:.2f}); wall "
          f"{summary.wall_s:.1f} s; {len(done) / summary.wall_s:.2f} points/s")  # fmt: skip
    print(f"  analyse/simulate per point (simulate as stored): median {ratio['50%']:.3f}, "
          f"min {ratio['min']:.3f}, max {ratio['max']:.3f}; overall {ana / sim:.3f}; "
          f"without the builds {ana / max(sim - comp, 1e-9):.3f}")  # fmt: skip
    busy = sim + ana + st + summary.store_s
    share = df.attrs.get("worker_cpu_s", float("nan")) / busy
    print(f"  worker CPU {df.attrs.get('worker_cpu_s', float('nan')):.1f} s over {busy:.1f} s "
          f"of timed work: CPU share {share:.2f} (1 = a free core per worker; below 1: the "
          f"machine's load; the CPU includes worker start-up)")  # fmt: skip
    for r in rows:
        r["share"] = share
        r["store"] += summary.store_s / max(len(done), 1)  # the JSON writes and fsync
    return rows


def extrapolate(backend: str, slices: dict[int, list]) -> float:
    """Full-map worker time per stage, each per-point time fitted as a + b * steps on the
    two slices (a: fixed cost per point, b: per step), at 10^5 steps; wall = / workers."""
    (s1, r1), (s2, r2) = sorted(slices.items())[:2]
    n_k = FULL_NOISE * FULL_SEEDS

    def fit(stage: str) -> float:
        total = 0.0
        for a, b in zip(r1, r2, strict=True):
            slope = max((b[stage] - a[stage]) / (s2 - s1), 0.0)
            total += max(a[stage] + slope * (FULL_STEPS - s1), b[stage])
        return total * n_k

    t_sim, t_ana, t_store = fit("run"), fit("ana"), fit("store")
    t_comp = max(sum(r["compile"] for r in r1), sum(r["compile"] for r in r2)) * FULL_WORKERS
    wall = (t_sim + t_ana + t_store + t_comp) / FULL_WORKERS
    n_full = FULL_NOISE * FULL_SEEDS * len(FULL_K)
    print(f"\n[{backend}] full map: {FULL_NOISE} p x {len(FULL_K)} K x {FULL_SEEDS} seeds x "
          f"{FULL_STEPS} steps = {n_full} points on {FULL_WORKERS} workers, per-point times "
          f"fitted a + b*steps on {s1} and {s2} steps:")  # fmt: skip
    print(f"  worker time: simulate {t_sim / 60:.1f} min, analyse {t_ana / 60:.1f} min, "
          f"store {t_store / 60:.2f} min, builds {t_comp / 60:.1f} min "
          f"({len(FULL_K) * FULL_WORKERS} chunks)")  # fmt: skip
    print(f"  wall ~ {wall / 60:.1f} min = {wall / TARGET_S:.2f} x the {TARGET_S / 60:.0f}-min "
          f"target ({'within' if wall <= TARGET_S else 'over'}); "
          f"{n_full / wall:.3f} points/s; analyse/simulate {t_ana / t_sim:.2f}")  # fmt: skip
    share = min(1.0, sum(r["share"] for r in r2) / len(r2))
    print(
        f"  on free cores (times x the CPU share {share:.2f} of the {s2}-step slice): "
        f"wall ~ {wall * share / 60:.1f} min = {wall * share / TARGET_S:.2f} x the target"
    )
    return wall


# ------------------------------------------------------------------ 3. standalone reuse
def standalone_reuse(n_points: int, steps: int) -> None:
    from neurodam.memory.config import make_patterns
    from neurodam.memory.session import MemorySession
    from neurodam.memory.simulate import simulate
    from neurodam.sweep import sedam

    base = sedam.load_model(MODEL)
    cfg = sedam.validate({**base, "K": 10, "steps": steps, "backend": "cpp_standalone"})
    xi = make_patterns(cfg)
    P = cfg.params.replace(record=sedam.RECORD)
    ps = [round(float(p), 4) for p in np.linspace(0.1, 0.4, n_points)]
    t0 = time.perf_counter()
    with MemorySession(xi, P) as session:
        reuse = [session.run(noise=p, seed=i + 1) for i, p in enumerate(ps)]
    t_reuse = time.perf_counter() - t0
    t0 = time.perf_counter()
    fresh = [simulate(xi, P.replace(noise=p, seed=i + 1)) for i, p in enumerate(ps)]
    t_fresh = time.perf_counter() - t0
    same = all(np.array_equal(a.overlaps, b.overlaps) for a, b in zip(reuse, fresh, strict=True))
    comp = [r.params["timing"].get("compile", 0.0) for r in reuse]
    comp_f = [r.params["timing"].get("compile", 0.0) for r in fresh]
    print(f"\n[cpp_standalone] reuse, N=784 K=10, {n_points} points x {steps} steps:")
    print(f"  one MemorySession (compile once, run_args): {t_reuse:.1f} s "
          f"(compile {comp[0]:.1f} s then {sum(comp[1:]):.1f} s)")  # fmt: skip
    print(f"  fresh simulate per point (build each):      {t_fresh:.1f} s "
          f"(compile {sum(comp_f):.1f} s in all)")  # fmt: skip
    print(
        f"  speed-up of reuse: x{t_fresh / t_reuse:.2f}; per extra point "
        f"{(t_fresh - t_reuse) / max(n_points - 1, 1):.1f} s saved; same overlaps: {same}"
    )


# ------------------------------------------------------------------ main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="1000,4000 steps, 3 p values, 2 reuse points of 5000 steps")  # fmt: skip
    ap.add_argument("--backends", default="reference",
                    help="comma-separated: reference, cpp_standalone")  # fmt: skip
    ap.add_argument("--steps", default=None,
                    help="the two step counts of the slice, for the a + b*steps fit "
                         "(default 5000,20000; --quick 1000,4000)")  # fmt: skip
    ap.add_argument(
        "--n-noise",
        type=int,
        default=None,
        help="(default 6, --quick 3) p values per K in the slice",
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--reuse-points", type=int, default=None,
                    help="points of the reuse test (default 4, --quick 2; 0 skips it)")  # fmt: skip
    ap.add_argument("--reuse-steps", type=int, default=None, help="default 20000 (quick 5000)")
    args = ap.parse_args(argv)
    if args.steps is None:
        args.steps = "1000,4000" if args.quick else "5000,20000"
    if args.n_noise is None:
        args.n_noise = 3 if args.quick else 6
    if args.reuse_points is None:
        args.reuse_points = 2 if args.quick else 4
    if args.reuse_steps is None:
        args.reuse_steps = 5000 if args.quick else 20_000
    steps = sorted({int(s) for s in args.steps.split(",")})
    if len(steps) != 2:
        ap.error("--steps: give two distinct step counts, e.g. 5000,20000")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(f"bench_sedam_map: {os.cpu_count()} CPUs, {load()}")
    t_all = time.perf_counter()
    for backend in backends:
        slices = {}
        for n in steps:
            print(f"\n-- {backend} slice of {n} steps, before: {load()}")
            df, summary = map_slice(backend, FULL_K, args.n_noise, n, args.workers)
            slices[n] = report_slice(backend, df, summary, n, args.n_noise, args.workers)
            print(f"   after: {load()}")
        extrapolate(backend, slices)
    if args.reuse_points > 0:
        print(f"\n-- standalone reuse, before: {load()}")
        standalone_reuse(args.reuse_points, args.reuse_steps)
        print(f"   after: {load()}")
    print(f"\ntotal {time.perf_counter() - t_all:.0f} s; {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
