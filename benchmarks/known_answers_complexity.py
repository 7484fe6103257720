"""Known-answer table of the temporal-complexity estimators on renewal processes.

For each complexity index mu and seed, a renewal process with Psi(tau) = (T/(T+tau))^(mu-1)
(:func:`neurodam.analysis.renewal_process`, T = 1 s) is analysed with the defaults:
``eddis_all`` (H of AJ, AJL, SJ with their block-jackknife errors, the direct waiting-time
fit, the resolved branch of mu and whether the estimates agree) and ``diffusion_entropy``
(delta). The table compares the mean over seeds with the renewal predictions and the mean
jackknife error with the spread over seeds (the check that the error is realistic).

For mu < 2 the event times grow as n^(1/(mu-1)); float64 merges some of the shortest waits
at 1e5 events (mu = 1.5), so coincident events are merged (np.unique), and mu = 1.3 uses at
most 1e4 events (typically 1e4^(1/0.3) ~ 2e13 s, which still resolves the median wait of
9 s; but the longest gap fluctuates wildly, and seed 0 reaches ~1e17 s and keeps only 7035
distinct events).

Usage: python benchmarks/known_answers_complexity.py [--n 100000] [--seeds 4]
       [--mu 1.3,1.5,1.8,2.2,2.5,2.8,3.5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402

import neurodam.analysis as na  # noqa: E402

MUS = (1.3, 1.5, 1.8, 2.2, 2.5, 2.8, 3.5)


def predictions(mu: float) -> dict:
    """Renewal predictions (Paradisi et al. 2012; Grigolini, Palatella & Raffaelli 2001)."""
    if mu < 2:
        return {"AJ": mu / 2, "AJL": 1.0, "SJ": 0.5, "delta": mu - 1, "branch": "1<mu<2"}
    if mu < 3:
        h = (4 - mu) / 2
        return {"AJ": h, "AJL": h, "SJ": 0.5, "delta": 1 / (mu - 1), "branch": "2<mu<3"}
    return {"AJ": 0.5, "AJL": 0.5, "SJ": 0.5, "delta": 0.5, "branch": "mu>3"}


def run_one(mu: float, n: int, seed: int) -> dict:
    n = min(n, 10_000) if mu < 1.4 else n
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = np.unique(na.renewal_process(mu, n, seed=seed))
    c0 = time.process_time()
    res = na.eddis_all(t, seed=seed)
    dea = na.diffusion_entropy(t, dt=res.dt, seed=seed)
    cpu = time.process_time() - c0
    w = res.waiting
    return {
        "mu": mu,
        "n": int(t.size),
        "seed": seed,
        "H_AJ": res.aj.exponent,
        "se_AJ": res.aj.stderr_jackknife,
        "H_AJL": res.ajl.exponent,
        "se_AJL": res.ajl.stderr_jackknife,
        "H_SJ": res.sj.exponent,
        "se_SJ": res.sj.stderr_jackknife,
        "delta": dea.exponent,
        "se_delta": dea.stderr_jackknife,
        "mu_direct": w.mu,
        "mu_direct_err": w.mu_err,
        "branch": res.branch,
        "mu_resolved": res.mu,
        "consistent": res.consistent,
        "note": res.note,
        "cpu_s": cpu,
        "reason": res.reason,
    }


def _ms(rows, key):
    v = np.array([r[key] for r in rows], dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "-"
    sd = v.std(ddof=1) if v.size > 1 else float("nan")
    return f"{v.mean():.3f} ({sd:.3f})" if v.size > 1 else f"{v.mean():.3f}"


def table(rows: list[dict]) -> str:
    out = [
        "| mu | n | H_AJ (pred) | H_AJL (pred) | H_SJ | delta (pred) | mu direct | "
        "branch (pred): counts | consistent | jackknife / seed sd of H_AJ |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for mu in sorted({r["mu"] for r in rows}):
        rs = [r for r in rows if r["mu"] == mu]
        p = predictions(mu)
        branches = {}
        for r in rs:
            branches[r["branch"]] = branches.get(r["branch"], 0) + 1
        h = np.array([r["H_AJ"] for r in rs])
        jk = np.array([r["se_AJ"] for r in rs])
        jk = jk[np.isfinite(jk)]
        ratio = (
            f"{np.sqrt(np.mean(jk**2)):.3f} / {h.std(ddof=1):.3f}"
            if h.size > 1 and jk.size
            else "-"
        )
        out.append(
            f"| {mu} | {rs[0]['n']} | {_ms(rs, 'H_AJ')} ({p['AJ']:.3f}) | "
            f"{_ms(rs, 'H_AJL')} ({p['AJL']:.3f}) | {_ms(rs, 'H_SJ')} | "
            f"{_ms(rs, 'delta')} ({p['delta']:.3f}) | {_ms(rs, 'mu_direct')} | "
            f"({p['branch']}) "
            + ", ".join(f"{b}: {c}" for b, c in sorted(branches.items()))
            + f" | {sum(r['consistent'] for r in rs)}/{len(rs)} | {ratio} |"
        )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="events per sequence")
    ap.add_argument("--seeds", type=int, default=4, help="seeds 0 .. N-1")
    ap.add_argument("--mu", default=",".join(str(m) for m in MUS), help="comma-separated mu")
    ap.add_argument("--json", default=None, help="write every run to this file")
    args = ap.parse_args()
    rows = []
    for mu in (float(m) for m in args.mu.split(",")):
        for seed in range(args.seeds):
            r = run_one(mu, args.n, seed)
            rows.append(r)
            print(
                f"mu={mu} seed={seed} n={r['n']}: H_AJ {r['H_AJ']:.3f}+-{r['se_AJ']:.3f} "
                f"H_AJL {r['H_AJL']:.3f} H_SJ {r['H_SJ']:.3f} delta {r['delta']:.3f} "
                f"direct {r['mu_direct']:.3f}+-{r['mu_direct_err']:.3f} -> {r['branch']} "
                f"mu={r['mu_resolved']:.3f} consistent={r['consistent']} ({r['cpu_s']:.1f} s)",
                flush=True,
            )
    print()
    print(table(rows))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
