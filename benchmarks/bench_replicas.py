"""Benchmark: replica batching (R runs as one, GEMM per step) against R single runs.

Workload: the SEDAM model (F=exp, synchronous) on binarised MNIST digits, N=784 (the
shipped ``data/mnist_subset.npz``: pattern k is the (k // 10)-th image of class k % 10),
K in {10, 100} patterns, R in {1, 8, 32} replicas with noise p spread over [0.05, 0.35]
and distinct seeds, each starting from pattern 0, ``--steps`` steps (default 2000),
recording the overlaps and the population activity (what a sweep point analyses).

For each backend, K and R it times one batched run of R replicas
(:func:`neurodam.memory.reference.run_replicas`, or a
:class:`~neurodam.memory.session.ReplicaSession` rerun) against R single runs of the same
replicas (``reference.run``, or R reruns of one compiled
:class:`~neurodam.memory.session.MemorySession`), on the same core (one BLAS thread):
points per second (replica runs per second, collecting the results included), wall and CPU
time (this process plus the standalone binary, a child process), and the speed-ups.
Compilation is excluded from both sides (each side compiles once, then reruns); it is
printed separately. The load average of the machine is printed before and after.

Usage::

    .venv/bin/python benchmarks/bench_replicas.py                # reference and cpp_standalone
    .venv/bin/python benchmarks/bench_replicas.py --backends reference --steps 1000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one core per run, for both sides (set before numpy)

import numpy as np  # noqa: E402

N = 784
ROOT = Path(__file__).resolve().parents[1]


def mnist_patterns(K: int) -> np.ndarray:
    """K binarised MNIST digits (+-1, pixel > 127 -> +1): image k // 10 of class k % 10."""
    z = np.load(ROOT / "data" / "mnist_subset.npz")
    bits = np.unpackbits(z["packed"], axis=1)[:, :N]
    by_class = [np.flatnonzero(z["labels"] == c) for c in range(10)]
    idx = [by_class[k % 10][k // 10] for k in range(K)]
    return np.where(bits[idx] > 0, 1, -1).astype(np.int8)


class Clock:
    """Wall and CPU seconds (this process and its finished children) of a block."""

    def __enter__(self):
        self.w, self.c = time.perf_counter(), self._cpu()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.w
        self.cpu = self._cpu() - self.c

    @staticmethod
    def _cpu() -> float:
        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + ch.ru_utime + ch.ru_stime


def replicas(K: int, R: int, steps: int, backend: str, offset: int = 0):
    from neurodam.memory.replicas import replica_params

    noises = list(np.linspace(0.05, 0.35, R)) if R > 1 else [0.2]
    return replica_params(
        "exp", noises=noises, seeds=list(range(offset, offset + R)), init=0, steps=steps,
        record=("overlaps", "activity"), backend=backend,
    )  # fmt: skip


def bench_reference(xi, R: int, steps: int) -> dict:
    from neurodam.memory import reference

    Ps = replicas(xi.shape[0], R, steps, "reference")
    warm = replicas(xi.shape[0], 2, 20, "reference")  # first calls (imports, caches) untimed
    reference.run(xi, warm[0])
    reference.run_replicas(xi, warm)
    with Clock() as single:
        ref = [reference.run(xi, P) for P in Ps]
    with Clock() as batch:
        runs = reference.run_replicas(xi, Ps)
    same = sum(np.array_equal(a.overlaps, b.overlaps) for a, b in zip(ref, runs, strict=True))
    return {"single": single, "batch": batch, "identical": same, "compile_single": 0.0,
            "compile_batch": 0.0, "Q_single": np.mean([r.Q_bar for r in ref]),
            "Q_batch": np.mean([r.Q_bar for r in runs])}  # fmt: skip


def bench_standalone(xi, Rs, steps: int, backend: str) -> dict:
    """Per R: R reruns of one compiled single-run program, then one rerun of a compiled
    R-replica program (one Brian2 device at a time: the sessions run one after the other)."""
    from neurodam.memory import MemorySession
    from neurodam.memory.session import ReplicaSession

    K = xi.shape[0]
    out = {R: {"identical": None} for R in Rs}
    with MemorySession(xi, replicas(K, 1, steps, backend)[0]) as session:
        compile_single = session.run().params["timing"]["compile"]  # then rerun only
        for R in Rs:
            with Clock() as single:
                ref = [session.run(noise=P.noise, seed=P.seed)
                       for P in replicas(K, R, steps, backend)]  # fmt: skip
            out[R].update(single=single, compile_single=compile_single,
                          Q_single=np.mean([r.Q_bar for r in ref]))  # fmt: skip
    for R in Rs:
        with ReplicaSession(xi, replicas(K, R, steps, backend, 1000)) as rs:
            first = rs.run()  # builds and compiles
            with Clock() as batch:
                runs = rs.run(replicas(K, R, steps, backend))
        out[R].update(batch=batch, compile_batch=first[0].params["batch"]["timing"]["compile"],
                      Q_batch=np.mean([r.Q_bar for r in runs]))  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--K", type=int, nargs="+", default=[10, 100])
    ap.add_argument("--R", type=int, nargs="+", default=[1, 8, 32])
    ap.add_argument("--backends", nargs="+", default=["reference", "cpp_standalone"])
    ap.add_argument("--json", default=None, help="also write the rows to this JSON file")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    rows = []
    load0 = os.getloadavg()
    print(f"SEDAM F=exp N={N} binarised MNIST, sync, {args.steps} steps, one core per run; "
          f"load average {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f} on {os.cpu_count()} "
          f"CPUs")  # fmt: skip
    head = (f"{'backend':<15} {'K':>4} {'R':>3} {'single pts/s':>13} {'batch pts/s':>12} "
            f"{'speed-up wall':>14} {'speed-up cpu':>13} {'Q_bar 1|R':>12} "
            f"{'same':>5}")  # fmt: skip
    print(head)
    for backend in args.backends:
        for K in args.K:
            xi = mnist_patterns(K)
            if backend == "reference":
                results = {R: bench_reference(xi, R, args.steps) for R in args.R}
            else:
                results = bench_standalone(xi, args.R, args.steps, backend)
            for R in args.R:
                res = results[R]
                s, b = res["single"], res["batch"]
                row = {
                    "backend": backend, "K": K, "R": R, "steps": args.steps,
                    "single_wall": s.wall, "single_cpu": s.cpu,
                    "batch_wall": b.wall, "batch_cpu": b.cpu,
                    "single_pts_s": R / s.wall, "batch_pts_s": R / b.wall,
                    "speedup_wall": s.wall / b.wall, "speedup_cpu": s.cpu / b.cpu,
                    "compile_single": res["compile_single"],
                    "compile_batch": res["compile_batch"],
                    "Q_single": res["Q_single"], "Q_batch": res["Q_batch"],
                    "identical": res["identical"],
                }  # fmt: skip
                rows.append(row)
                same = "-" if res["identical"] is None else f"{res['identical']}/{R}"
                print(f"{backend:<15} {K:>4} {R:>3} {row['single_pts_s']:>13.2f} "
                      f"{row['batch_pts_s']:>12.2f} {row['speedup_wall']:>14.2f} "
                      f"{row['speedup_cpu']:>13.2f} {res['Q_single']:>5.3f}|{res['Q_batch']:.3f} "
                      f"{same:>5}", flush=True)  # fmt: skip
            if backend != "reference":
                print(f"{'':<15} {K:>4} compile: single {results[args.R[0]]['compile_single']:.1f}"
                      " s, batched " + ", ".join(f"R={R} {results[R]['compile_batch']:.1f} s"
                                                for R in args.R), flush=True)  # fmt: skip
    load1 = os.getloadavg()
    print(f"load average after: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"load_before": load0, "load_after": load1, "rows": rows}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
