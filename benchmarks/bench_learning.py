"""Benchmark: learning from examples on MNIST, and a 20 x 20 phase diagram.

1. Couplings learnt from binarised MNIST digits (N = 784, K = 10 classes, M = 100 examples
   each; ``NEURODAM_SHARED_DATA/mnist`` or ``--mnist DIR``; without the test set, the
   shipped subset with M = 50): the time to build the patterns
   (:func:`neurodam.memory.learning.from_examples`), the memory the field kernel holds
   (O(N K) supervised, O(N K M) unsupervised, P matrices of real values or one of +-1;
   never an N^P tensor, whose size is printed for comparison) and 10^4 synchronous T = 0
   steps through ``memory.simulate`` (reference engine, overlaps recorded). Baseline
   (pairwise only): the explicit N x N Hebbian matrix J built from the same patterns and
   10^4 steps ``sigma <- sgn(J sigma)`` in numpy, in the same run; ratio = baseline time /
   neurodam time (> 1: neurodam faster). The overlap form costs about three (K', N)
   mat-vecs per step for K' stored patterns against one N x N mat-vec: it wins for the
   supervised rule (K' = K = 10) and loses for the unsupervised one (K' = K M = 1000 > N),
   where the explicit J exists only for P = 2; a dense P = 3 J would be the N^3 tensor.
2. ``phase_diagram("hopfield")`` on a 20 x 20 (alpha, T) grid at N = 1000 (alpha 0.01..0.2,
   T 0..1.2, 40 asynchronous sweeps, 1 pattern set), through the sweep engine with 2 worker
   processes. Baseline: the same points as separate reference-engine runs
   (``simulate(..., schedule="async", temperature=T)``), timed on 2 points and scaled to 400.

Usage::

    .venv/bin/python benchmarks/bench_learning.py            # both parts (~10 minutes)
    .venv/bin/python benchmarks/bench_learning.py --quick    # 2000 steps, 10 x 10 grid
"""

from __future__ import annotations

import argparse
import os
import time

# one BLAS thread: the engines and the numpy baseline on equal terms, and timings that do not
# collapse when the machine is shared (set before numpy is imported)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _kernel_bytes(F: str, patterns: np.ndarray) -> int:
    from neurodam.memory import parse_interaction

    k = parse_interaction(F).kernel(patterns)
    mats = (k.patterns, k.xi, *k.odd, *(() if k.even_ones else k.even))
    return int(sum(m.nbytes for m in {id(m): m for m in mats}.values()))


def learning(M: int, steps: int, mnist: str | None) -> None:
    from neurodam.memory import learning as L
    from neurodam.memory import simulate

    try:
        eta = L.mnist_examples(M, path=mnist)
    except ValueError:  # the shipped subset holds 50 per class
        M = 50
        eta = L.mnist_examples(M, path=mnist)
    K, M, N = eta.shape
    test = eta[:, 0]  # start from one example of each class
    print(f"\n## learning from examples: N={N}, K={K}, M={M}, {steps} synchronous steps")
    print(f"load average {_load()}")
    print("| rule | F | normalisation | patterns | build s | kernel MiB | N^P tensor MiB | "
          "steps s | us/step | baseline J s | ratio |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for rule in ("supervised", "unsupervised"):
        for F, P in (("hopfield", 2), ("dense:3", 3)):
            for norm in ("R", "sum"):
                t0 = time.perf_counter()
                pats = L.from_examples(eta, rule, P=P, normalisation=norm)
                t_build = time.perf_counter() - t0
                mem = _kernel_bytes(F, pats) / 2**20
                tensor = 8 * N**P / 2**20
                t0 = time.perf_counter()
                run = simulate(pats, F, init=np.sign(test[3] + 0.5).astype(int), steps=steps,
                               record=("overlaps",))  # fmt: skip
                t_run = time.perf_counter() - t0
                base, ratio = "", ""
                if P == 2 and norm == "R":
                    t0 = time.perf_counter()
                    J = pats.T @ pats / N
                    np.fill_diagonal(J, 0.0)
                    s = run.params["init_state"].astype(np.float64)
                    for _ in range(steps):
                        h = J @ s
                        s = np.where(h > 0, 1.0, np.where(h < 0, -1.0, s))
                    t_base = time.perf_counter() - t0
                    base, ratio = f"{t_base:.2f}", f"{t_base / (t_build + t_run):.2f}"
                print(f"| {rule} | {F} | {norm} | {pats.shape[0]} | {t_build:.3f} | {mem:.1f} | "
                      f"{tensor:.3g} | {t_run:.2f} | {1e6 * t_run / steps:.0f} | {base} | "
                      f"{ratio} |")  # fmt: skip


def phase(n_grid: int, workers: int) -> None:
    from neurodam import patterns
    from neurodam.memory import phase_diagram, simulate

    N, sweeps = 1000, 40
    alphas = np.round(np.linspace(0.01, 0.2, n_grid), 4)
    Ts = np.round(np.linspace(0.0, 1.2, n_grid), 4)
    print(f"\n## phase diagram: {n_grid} x {n_grid} (alpha, T), N={N}, {sweeps} sweeps, "
          f"{workers} workers; load average {_load()}")  # fmt: skip
    t0 = time.perf_counter()
    pd = phase_diagram("hopfield", x=alphas, T=Ts, N=N, seeds=1, sweeps=sweeps, measure=10,
                       workers=workers)  # fmt: skip
    t_pd = time.perf_counter() - t0
    # baseline: one reference-engine run per point (2 points, scaled)
    t0 = time.perf_counter()
    for alpha, T in ((alphas[n_grid // 2], 0.5), (alphas[-1], 0.8)):
        xi = patterns.rademacher(int(round(alpha * N)), N, seed=0)
        simulate(xi, "hopfield", schedule="async", temperature=T, steps=sweeps, init=0,
                 record=("overlaps",))  # fmt: skip
    t_one = (time.perf_counter() - t0) / 2
    t_base = t_one * n_grid * n_grid / workers
    print("| grid | phase_diagram s | per point s (ref. engine) | baseline s (scaled) | ratio |")
    print("|---|---|---|---|---|")
    print(f"| {n_grid}x{n_grid} | {t_pd:.1f} | {t_one:.2f} | {t_base:.0f} | "
          f"{t_base / t_pd:.1f} |")  # fmt: skip
    b = pd.boundary(0.4)
    tm = pd.theory_line()["T_M"]
    ok = ~np.isnan(b)
    print(f"MC boundary vs T_M: mean |diff| {np.nanmean(np.abs(b - tm)):.3f} over {ok.sum()} loads")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--mnist", default=None, help="folder of the MNIST test-set files")
    ap.add_argument("--part", choices=("all", "learning", "phase"), default="all")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    steps = 2000 if args.quick else 10_000
    if args.part in ("all", "learning"):
        learning(100, steps, args.mnist)
    if args.part in ("all", "phase"):
        phase(10 if args.quick else 20, args.workers)


if __name__ == "__main__":
    main()
