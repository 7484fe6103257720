"""Known-answer tables of learning from examples, multitasking and modern Hopfield memories.

Each table puts a Monte Carlo measurement beside its prediction from
:mod:`neurodam.memory.theory` (or the exact formula of the module that states it):

1. supervised / unsupervised learning at low load, T = 0 (K = 3 archetypes, r = 0.3):
   the archetype overlap against 2 P(Binomial(M, (1 + r)/2) > M/2) - 1 and erf(1/sqrt(2 rho));
2. multitasking at T = 0: the cascade (1 - d) d^(k-1) at mild dilution, and the
   hierarchical-to-parallel threshold per K and P against sum_{k<K} d^(k(P-1)) = 1;
3. Hopfield: m(alpha) at T = 0 (AGS) and the Monte Carlo retrieval boundary against T_M(alpha);
4. dense P = 3 at low load: the hysteresis loop of ordered and disordered starts around T_c;
5. modern Hopfield: energy descent, beta -> 0, one-step error against the bound of
   Ramsauer et al. (2021).

The error column is one standard error of the measured mean (sampling over sites and
pattern sets), the scale a difference is judged by.

Usage: python benchmarks/known_answers_learning.py [--quick] [--part all|learning|...]
"""

from __future__ import annotations

import argparse
import math
import os
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from neurodam import patterns  # noqa: E402
from neurodam.memory import (  # noqa: E402
    dense_hysteresis,
    from_examples,
    modern,
    multitask,
    phase_diagram,
    retrieval_overlap,
    simulate,
    theory,
)


def _se(m: float, n_sites: int) -> float:
    return math.sqrt(max(1.0 - m * m, 0.0) / n_sites)


def learning(quick: bool) -> None:
    K, N, r = 3, 10_000 if quick else 20_000, 0.3
    print(f"\n## learning from examples, T = 0, K={K}, N={N}, r={r}, 2 pattern sets")
    print("| rule | M | rho | measured m | s.e. | binomial (finite M) | erf(1/sqrt(2 rho)) |")
    print("|---|---|---|---|---|---|---|")
    for rule in ("supervised", "unsupervised"):
        for M in (1, 5, 21, 101) if rule == "supervised" else (5, 21):
            ms = []
            for seed in (0, 1):
                xi = patterns.rademacher(K, N, seed=seed)
                eta = patterns.noisy_examples(xi, M, r, seed=seed + 100)
                if rule == "supervised":
                    pats = from_examples(eta, "supervised", r=r)
                else:
                    pats = from_examples(eta.reshape(K * M, N), "unsupervised", r=r, M=M)
                for mu in range(K):
                    run = simulate(pats, "hopfield", init=xi[mu], steps=15)
                    ms.append(retrieval_overlap(run, xi)[mu])
            m = float(np.mean(ms))
            rho = theory.dataset_entropy(r, M)
            print(f"| {rule} | {M} | {rho:.3f} | {m:.4f} | {_se(m, N * len(ms)):.4f} | "
                  f"{theory.supervised_overlap(r, M):.4f} | "
                  f"{math.erf(1 / math.sqrt(2 * rho)):.4f} |")  # fmt: skip


def learning_temperature(quick: bool) -> None:
    N, K, M = 1000 if quick else 2000, 3, 11
    rhos, Ts = [0.1, 0.5], [0.0, 0.2, 0.4, 0.6, 0.8, 1.2]
    pd = phase_diagram("supervised", x=rhos, T=Ts, N=N, K=K, M=M, seeds=2, sweeps=40,
                       measure=20, workers=0)  # fmt: skip
    th_m = pd.theory()
    print(f"\n## supervised (rho, T), pairwise, K={K}, M={M}, N={N}, asynchronous heat bath, "
          "2 sets (measured / supervised_overlap(r, M, T)); transition at T = 1")  # fmt: skip
    print("| T | " + " | ".join(f"rho={x}" for x in rhos) + " |")
    print("|---|" + "---|" * len(rhos))
    for i, t in enumerate(Ts):
        cells = " | ".join(f"{pd.m[i, j]:.3f} / {th_m[i, j]:.3f}" for j in range(len(rhos)))
        print(f"| {t} | {cells} |")


def multitasking(quick: bool) -> None:
    N, seeds = 20_000, 4 if quick else 8
    print(f"\n## multitasking, T = 0, cascade from pattern 0 (K = 3, N = {N}, {seeds} sets)")
    print("| d | measured sorted m_k | (1 - d) d^(k-1) | 1/sqrt(N) |")
    print("|---|---|---|---|")
    scan = multitask.multitask_scan(3, N, [0.1, 0.2, 0.3, 0.4], start="pattern", seeds=seeds)
    for d, m, p in zip(scan.d, scan.overlaps.mean(axis=1), scan.prediction, strict=True):
        print(f"| {d:.1f} | {', '.join(f'{v:.4f}' for v in m)} | "
              f"{', '.join(f'{v:.4f}' for v in p)} | {1 / math.sqrt(N):.4f} |")  # fmt: skip
    print("\n### hierarchical-to-parallel threshold (stable fraction of the hierarchical state "
          "crosses 1/2; d step 0.01)")  # fmt: skip
    print("| K | P | measured d_c | theory d_c (sum_{k<K} d^(k(P-1)) = 1) | difference |")
    print("|---|---|---|---|---|")
    cases = ((3, 2), (4, 2), (3, 3)) if quick else ((3, 2), (4, 2), (5, 2), (3, 3), (4, 3))
    for K, P in cases:
        dc = multitask.hierarchical_threshold(K, P)
        ds = np.round(dc + np.linspace(-0.05, 0.05, 11), 4)
        F = "hopfield" if P == 2 else f"dense:{P}"
        got = multitask.multitask_scan(K, N, ds, F=F, seeds=seeds).threshold()
        print(f"| {K} | {P} | {got:.4f} | {dc:.4f} | {got - dc:+.4f} |")


def hopfield(quick: bool) -> None:
    N, seeds = 3000, 2 if quick else 4
    alphas = [0.05, 0.08, 0.10, 0.12, 0.13]
    print(f"\n## Hopfield T = 0, asynchronous from the pattern, N = {N}, {seeds} sets")
    pd = phase_diagram("hopfield", x=alphas, T=[0.0], N=N, seeds=seeds, sweeps=15, measure=1,
                       workers=0)  # fmt: skip
    print("| alpha | measured m | s.e. over sets | AGS m(alpha, 0) |")
    print("|---|---|---|---|")
    for j, a in enumerate(alphas):
        print(f"| {a} | {pd.m[0, j]:.4f} | {pd.sem[0, j]:.4f} | {pd.theory()[0, j]:.4f} |")
    N, sweeps = 1000, 60 if quick else 100
    alphas = [0.02, 0.05, 0.08, 0.11]
    T = np.round(np.arange(0.1, 0.80, 0.025), 3)
    print(f"\n## Hopfield retrieval line: MC boundary (m < 0.4) vs T_M, N = {N}, {sweeps} sweeps")
    pd = phase_diagram("hopfield", x=alphas, T=T, N=N, seeds=2, sweeps=sweeps, measure=20,
                       workers=0)  # fmt: skip
    b, tm = pd.boundary(0.4), pd.theory_line()["T_M"]
    print("| alpha | MC boundary | T_M(alpha) | difference |")
    print("|---|---|---|---|")
    for a, x, y in zip(alphas, b, tm, strict=True):
        print(f"| {a} | {x:.3f} | {y:.3f} | {x - y:+.3f} |")


def dense(quick: bool) -> None:
    tr = theory.dense_transition(3)
    N = 400 if quick else 800
    T = np.round(np.arange(0.40, 0.63, 0.02), 2)
    h = dense_hysteresis(3, N, T, sweeps=80, measure=40, seeds=2)
    t_down, t_up = h.loop()
    print(f"\n## dense P = 3, K = 1, N = {N}: hysteresis of ordered / disordered starts")
    print(f"theory: T_c = {tr.T_c:.4f}, spinodal {tr.T_spinodal:.4f} (m_c = {tr.m_c:.3f})")
    print(
        f"measured loop: disordered start orders below T = {t_down:.3f} "
        f"(nan: never within the grid), ordered start lost above T = {t_up:.3f}"
    )
    print("| T | m (ordered start) | mean-field branch | m (disordered start) |")
    print("|---|---|---|---|")
    theo = theory.dense_overlap(3, T)
    for t, o, d, m in zip(T, h.ordered.mean(axis=1), h.disordered.mean(axis=1), theo,
                          strict=True):  # fmt: skip
        print(f"| {t:.2f} | {o:.4f} | {m:.4f} | {d:.4f} |")


def modern_hopfield() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 128))
    queries = []
    for i in range(0, 200, 10):
        noise = rng.normal(size=128)
        queries.append((i, X[i] + 0.5 * noise / np.linalg.norm(noise)))
    print("\n## modern Hopfield: K = 200 Gaussian patterns in R^128, 20 queries at distance 0.5")
    print("| beta | energy increases (3 updates) | largest one-step error | smallest bound "
          "(Ramsauer et al. 2021, Th. 5) | max error / bound |")  # fmt: skip
    print("|---|---|---|---|---|")
    for beta in (0.15, 0.2, 0.3, 2.0):
        rises, errs, ratios, bounds = 0, [], [], []
        for i, q in queries:
            run = modern.retrieve(X, q, beta, steps=3)
            e = [float(modern.energy(X, s, beta)) for s in run.states]
            rises += sum(b > a + 1e-12 * abs(a) for a, b in zip(e, e[1:], strict=False))
            errs.append(float(np.linalg.norm(run.states[1] - X[i])))
            bounds.append(modern.retrieval_bound(X, i, q, beta))
            ratios.append(errs[-1] / bounds[-1])
        print(f"| {beta} | {rises} | {max(errs):.2e} | {min(bounds):.2e} | {max(ratios):.2e} |")
    q = rng.normal(size=128)
    for beta in (1e-2, 1e-4, 1e-6):
        err = float(np.linalg.norm(modern.update(X, q, beta) - X.mean(axis=0)))
        print(f"beta = {beta:g}: |update - mean pattern| = {err:.2e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    parts = ("learning", "multitask", "hopfield", "dense", "modern")
    ap.add_argument("--part", choices=("all", *parts), default="all")
    args = ap.parse_args()
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    print(f"load average at start {load}")
    t0 = time.perf_counter()
    for name, fn in (("learning", learning), ("learning", learning_temperature),
                     ("multitask", multitasking),
                     ("hopfield", hopfield), ("dense", dense)):  # fmt: skip
        if args.part in ("all", name):
            fn(args.quick)
    if args.part in ("all", "modern"):
        modern_hopfield()
    print(f"\nwall time {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
