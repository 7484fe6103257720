"""Benchmark: SEDAM (F=exp, synchronous, Rademacher patterns) on every backend.

Workload: N=784 feature neurons, K in {10, 100, 1000} patterns,
synchronous steps with SEDAM noise p=0.1, 10^5 steps (``--quick``: 2000). For each
backend, in a fresh subprocess (so peak memory is per backend): steps per second, build
(code generation + compilation) time separate from run time, peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``; for ``cpp_standalone`` the larger of
the Python process and one more run of the compiled binary), GFLOP/s counting the two dense mat-vecs
of a step (``a = Xi sigma``, ``g = Xi^T w``: 4 N K flops), and the fraction of this
machine's roofline for that kernel.

Roofline: the kernel is a float64 GEMV pair over the (K, N) pattern matrix, 0.25 flop per
byte, so it is memory-bound; its roofline is the rate of the same two GEMVs done by the
BLAS numpy links to, measured here in the same run on the same (K, N) matrix (from
whichever cache level the matrix fits in), single-threaded. The compute peak (a large
float64 GEMM) is printed for comparison.

Backends: ``reference`` (numpy engine), Brian2 ``runtime`` (Cython) and ``cpp_standalone``,
each in the ``matrix`` form (Brian2 Functions with C++/Cython dot products) and the
``bipartite`` form (2 N K synapses with summed variables). Only the population activity
is recorded (the overlap recording alone is T x K floats). Usage::

    .venv/bin/python benchmarks/bench_memory.py            # full (minutes per backend)
    .venv/bin/python benchmarks/bench_memory.py --quick
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # single-threaded BLAS, also for the roofline (set before numpy)

import numpy as np  # noqa: E402

N = 784
P_NOISE = 0.1


def _one_thread_env() -> dict:
    env = dict(os.environ)
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[k] = "1"
    return env


def worker(backend: str, form: str, K: int, steps: int) -> dict:
    """Run one configuration; returns timings and peak memory."""
    from neurodam import patterns
    from neurodam.memory import MemoryParams

    xi = patterns.rademacher(K, N, seed=1)
    out: dict = {"backend": backend, "form": form, "K": K, "steps": steps}
    P = MemoryParams(F="exp", noise=P_NOISE, steps=steps, init=0, seed=2,
                     record=("overlaps", "activity"), backend=backend)  # fmt: skip
    if backend == "reference":
        from neurodam.memory import reference

        t0 = time.perf_counter()
        r = reference.run(xi, P)
        out["build"] = 0.0
        out["run"] = time.perf_counter() - t0
        out["Q_bar"] = r.Q_bar
    else:
        from neurodam import engine
        from neurodam.memory import build_memory_network

        # only the population activity is recorded (the overlaps alone are T x K floats):
        # the model through the one run protocol, engine.run_network
        P = P.replace(record=("activity",), form=form)

        def build():
            return build_memory_network(xi, P, init_state=xi[0])

        def collect(net):
            rate = np.asarray(net.monitors["activity"].rate_)
            return float(rate[1:].mean() * N * 1e-3)

        build_dir = None
        if engine.is_standalone(backend):
            import tempfile

            build_dir = tempfile.mkdtemp(prefix="bench_memory_")
        res = engine.run_network(
            build, steps * 1e-3 + 1e-3, collect, backend=backend, seed=3, build_dir=build_dir
        )
        t = res.timing
        out["build"] = t["codegen"] + t["compile"]
        out["run"] = t["run"]
        out["mean_activity"] = res.output
        if build_dir is not None:
            import shutil

            out["binary_peak_mb"] = _binary_peak_mb(build_dir)
            shutil.rmtree(build_dir, ignore_errors=True)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return out


def _binary_peak_mb(build_dir) -> float:
    """Peak RSS of one more run of the standalone binary (the compiler excluded)."""
    code = (
        "import resource, subprocess, sys; "
        "subprocess.run(['./main'], check=True, stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=build_dir, capture_output=True, text=True, check=True
    )
    return int(proc.stdout.strip().splitlines()[-1]) / 1024.0


def roofline(K: int, reps: int) -> dict:
    """GFLOP/s of the step's two float64 GEMVs (numpy/BLAS) on a (K, N) matrix; GEMM peak."""
    rng = np.random.default_rng(0)
    X = np.where(rng.random((K, N)) < 0.5, 1.0, -1.0)
    s = np.where(rng.random(N) < 0.5, 1.0, -1.0)
    w = rng.random(K)
    for _ in range(20):
        X @ s, w @ X
    best = np.inf
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            X @ s
            w @ X
        best = min(best, time.perf_counter() - t0)
    gemv = 4.0 * N * K * reps / best / 1e9
    A = rng.random((1024, 1024))
    A @ A
    t0 = time.perf_counter()
    for _ in range(3):
        A @ A
    gemm = 3 * 2.0 * 1024**3 / (time.perf_counter() - t0) / 1e9
    return {"gemv_gflops": gemv, "gemm_gflops": gemm, "matrix_mb": X.nbytes / 2**20}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2000 steps instead of 10^5")
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--K", type=int, nargs="+", default=[10, 100, 1000])
    ap.add_argument(
        "--backends",
        nargs="+",
        default=["reference", "runtime:matrix", "cpp_standalone:matrix",
                 "runtime:bipartite", "cpp_standalone:bipartite"],
    )  # fmt: skip
    ap.add_argument("--worker", nargs=4, metavar=("BACKEND", "FORM", "K", "STEPS"))
    ap.add_argument("--json", default=None, help="also write the rows to this JSON file")
    args = ap.parse_args(argv)
    if args.worker:
        b, f, k, st = args.worker
        print(json.dumps(worker(b, f, int(k), int(st))))
        return 0
    steps = args.steps or (2000 if args.quick else 100_000)
    rows = []
    print(f"SEDAM F=exp N={N} p={P_NOISE} sync, {steps} steps (bipartite: fewer), 1 thread")
    print(
        f"{'K':>5} {'backend':<26} {'steps':>6} {'build s':>8} {'run s':>8} {'steps/s':>9} "
        f"{'GFLOP/s':>8} {'roofline':>9} {'peak MB':>8} {'vs ref':>7}"
    )
    for K in args.K:
        roof = roofline(K, reps=max(50, int(2e8 / (4 * N * K))))
        ref_rate = None
        for spec in args.backends:
            backend, _, form = spec.partition(":")
            form = form or "matrix"
            st = steps
            if form == "bipartite":
                # slow: fewer steps measure the same rate
                st = min(steps, 5000 if backend == "runtime" else 20000)
            cmd = [sys.executable, __file__, "--worker", backend, form, str(K), str(st)]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=_one_thread_env())
            if proc.returncode != 0:
                print(f"{K:>5} {spec:<26} failed: {proc.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            rate = st / r["run"]
            gflops = 4.0 * N * K * rate / 1e9
            if backend == "reference":
                ref_rate = rate
            r.update(rate=rate, gflops=gflops, roof=gflops / roof["gemv_gflops"], **roof)
            # standalone: the simulation runs in the binary, a child process
            peak = max(r["peak_mb"], r.get("binary_peak_mb", 0.0))
            rows.append(r)
            ratio = f"{rate / ref_rate:7.2f}" if ref_rate else "      -"
            name = backend if backend == "reference" else f"{backend} ({form})"
            print(
                f"{K:>5} {name:<26} {st:>6} {r['build']:8.1f} {r['run']:8.2f} {rate:9.0f} "
                f"{gflops:8.2f} {100 * r['roof']:8.0f}% {peak:8.0f} {ratio}",
                flush=True,
            )
        print(
            f"      roofline K={K}: 2 GEMVs (numpy/BLAS, {roof['matrix_mb']:.1f} MB matrix) "
            f"{roof['gemv_gflops']:.2f} GFLOP/s; GEMM peak {roof['gemm_gflops']:.1f} GFLOP/s",
            flush=True,
        )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
