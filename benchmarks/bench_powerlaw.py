"""Benchmark: fit_power_law with automatic xmin, and the lognormal comparison, vs ``powerlaw``.

Workloads (same data for both, measured in the same run):
  * discrete, avalanche-like: floor(Pareto(0.6) + 1) below 1e5 (tau ~ 1.6), 10^5 and 10^6
    values, thousands of distinct values. Ours with the default scan (every distinct value,
    exact, pruned by KS bounds) and with pruning off (``exhaustive``);
    powerlaw.Fit(discrete=True, estimate_discrete=False) is the exact discrete MLE, as ours.
  * continuous: Pareto (alpha = 2.5) above 2 with a uniform body, 10^5 values (10^5
    distinct): ours exact (default), ours thinned to 1000 candidates (the former default,
    which can miss the minimum), powerlaw over every distinct value.
  * the lognormal alternative: ``compare_distributions(x, fit, "lognormal")`` against
    ``powerlaw.Fit(x, xmin=...).distribution_compare("power_law", "lognormal")`` on 10^3,
    10^4, 10^5 tail values, continuous (exact Pareto, alpha = 2) and discrete (zeta(1.5)),
    with the log-likelihood each reaches (powerlaw's fitted parameters evaluated with the
    exact likelihood: its own evaluation of the discrete lognormal is off by ~1e-5).

powerlaw fits one candidate xmin at a time. Where a full scan would take too long its
time is extrapolated from single-xmin fits on a random sample of the candidates
(``powerlaw.Fit(xmin=c)``), and the answer is checked at our xmin and on the sampled
candidates. The table says which rows are extrapolated. Times are wall clock and CPU
(process) time: on a shared machine the CPU time is the comparable figure.

Usage:  .venv/bin/python benchmarks/bench_powerlaw.py [--quick] [--full-powerlaw]
"""

from __future__ import annotations

import argparse
import math
import os
import time
import warnings

import numpy as np

from neurodam.analysis import _lognormal, compare_distributions, fit_power_law
from neurodam.analysis._xmin_scan import _alphas, _Tails, scan


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - w, time.process_time() - c, out


def pl_fit(powerlaw, x, discrete, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return powerlaw.Fit(x, discrete=discrete, estimate_discrete=False, verbose=0, **kw)


def sampled_candidates(xs, discrete, n_pick, rng):
    """Exact exponent and KS distance of ``n_pick`` random candidates (min_tail = 2)."""
    tails = _Tails(xs, discrete, None)
    cand = np.flatnonzero((tails.n_tail >= 2) & (np.arange(tails.d) < tails.d - 1))
    pick = np.sort(rng.choice(cand.size, size=min(n_pick, cand.size), replace=False))
    al = _alphas(tails, cand[pick], xs, discrete, None)
    return tails.u[cand[pick]], al, tails.ks_exact(cand[pick], al), cand.size


def powerlaw_scan(powerlaw, x, discrete, ours, run_full, n_sample, rng):
    """powerlaw's time for the scan over every distinct value: run, or extrapolated."""
    if run_full:
        w, c, ref = timed(lambda: pl_fit(powerlaw, x, discrete))
        same = ref.xmin == ours.xmin and abs(ref.alpha - ours.alpha) < 1e-4
        return w, c, "full scan", same, f"powerlaw xmin {ref.xmin:g}, alpha {ref.alpha:.5f}"
    cand_x, al, cand_ks, n_cand = sampled_candidates(np.sort(x), discrete, n_sample, rng)
    t_w, t_c, d_ref = [], [], []
    for xm in cand_x:
        w, c, f = timed(lambda xm=xm: pl_fit(powerlaw, x, discrete, xmin=xm))
        t_w.append(w)
        t_c.append(c)
        d_ref.append(f.power_law.D)
    at_ours = pl_fit(powerlaw, x, discrete, xmin=ours.xmin).power_law
    inside = al < 3.0  # powerlaw bounds alpha to [0, 3]
    d_err = float(np.max(np.abs(np.array(d_ref) - cand_ks)[inside], initial=0.0))
    same = abs(at_ours.alpha - ours.alpha) < 1e-4 and d_err < 1e-3
    check = (
        f"alpha at our xmin={ours.xmin:g}: {at_ours.alpha:.5f} vs {ours.alpha:.5f}; "
        f"max |KS diff| on {int(inside.sum())} sampled candidates {d_err:.1e}"
    )
    how = f"extrapolated from {cand_x.size} of {n_cand} candidates"
    return np.mean(t_w) * n_cand, np.mean(t_c) * n_cand, how, same, check


def row(name, n, w, c, ref_w, ref_c, how, same, check):
    return dict(name=name, n=n, w=w, c=c, rw=ref_w, rc=ref_c, how=how, same=same, check=check)


def bench_scans(powerlaw, args, rng) -> list[dict]:
    rows = []
    sizes = [10**5] if args.quick else [10**5, 10**6]
    for n in sizes:
        x = np.floor(rng.pareto(0.6, n) + 1.0)
        x = x[x < 1e5]
        w, c, ours = timed(lambda x=x: fit_power_law(x, min_tail=2))
        full = (n <= 10**5 and not args.quick) or args.full_powerlaw
        rw, rc, how, same, check = powerlaw_scan(powerlaw, x, True, ours, full, args.n_sample, rng)
        label = f"discrete tau~1.6, default (exact, pruned), {np.unique(x).size} distinct"
        rows.append(row(label, x.size, w, c, rw, rc, how, same, check))
        xs = np.sort(x)
        w, c, (xm, _, ks) = timed(lambda xs=xs: scan(xs, True, None, 2, exhaustive=True))
        same = xm[np.nanargmin(ks)] == ours.xmin
        rows.append(row("  same, pruning off (exhaustive)", x.size, w, c, rw, rc, "as above",
                        same, f"xmin {xm[np.nanargmin(ks)]:g}"))  # fmt: skip
    xc = np.concatenate([rng.pareto(1.5, 80000) + 2.0, rng.uniform(0.5, 2.0, 20000)])
    w, c, ours = timed(lambda: fit_power_law(xc, discrete=False, min_tail=2))
    rw, rc, how, same, check = powerlaw_scan(
        powerlaw, xc, False, ours, args.full_powerlaw, args.n_sample, rng
    )
    rows.append(row("continuous alpha=2.5, default (exact)", xc.size, w, c, rw, rc, how, same,
                    check))  # fmt: skip
    w, c, thin = timed(lambda: fit_power_law(xc, discrete=False, min_tail=2, max_candidates=1000))
    rows.append(row("  thinned to 1000 (former default)", xc.size, w, c, rw, rc, "as above",
                    thin.xmin == ours.xmin,
                    f"xmin {thin.xmin:.6g} (exact: {ours.xmin:.6g}), KS {thin.ks:.5f} vs "
                    f"{ours.ks:.5f}"))  # fmt: skip
    return rows


def lognormal_loglik(fit, mu, sigma) -> float:
    """Exact log-likelihood of the tail of ``fit`` under the lognormal (mu, sigma)."""
    t = fit.tail
    x0 = fit.xmin - 0.5 if fit.discrete else fit.xmin
    b = 0.5 / sigma**2
    a = (mu - math.log(x0)) * 2.0 * b
    if fit.discrete:
        return float(_lognormal.loglik_discrete(t, fit.xmin, None, a, b).sum())
    y = np.log(t / fit.xmin)
    return float(_lognormal.loglik_continuous(t, y, math.inf, a, b).sum())


def bench_lognormal(powerlaw, args, rng) -> list[dict]:
    rows = []
    sizes = [10**3, 10**4] if args.quick else [10**3, 10**4, 10**5]
    for discrete in (False, True):
        for n in sizes:
            if discrete:
                x = rng.zipf(1.5, n).astype(float)
            else:
                x = 1.0 / (1.0 - rng.random(n)) ** (1.0 / 1.0)  # exact Pareto, alpha = 2
            fit = fit_power_law(x, discrete=discrete, xmin=1.0)
            w, c, lr = timed(lambda x=x, fit=fit: compare_distributions(x, fit, "lognormal"))
            ll_ours = float(fit.loglikelihoods(fit.tail).sum()) - lr.R
            if n <= 10**4 or not args.quick:
                ref = pl_fit(powerlaw, x, discrete, xmin=1.0)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    rw, rc, (R_ref, p_ref) = timed(
                        lambda ref=ref: ref.distribution_compare("power_law", "lognormal")
                    )
                ll_ref = lognormal_loglik(fit, ref.lognormal.mu, ref.lognormal.sigma)
                check = (
                    f"R {lr.R:+.4f} (p {lr.p:.3g}) vs powerlaw {R_ref:+.4f} (p {p_ref:.3g}); "
                    f"lognormal log-likelihood ours - powerlaw's = {ll_ours - ll_ref:+.2e} "
                    "(powerlaw's parameters evaluated exactly)"
                )
                same = ll_ours >= ll_ref - 1e-6
            else:
                rw = rc = float("nan")
                check, same = f"R {lr.R:+.4f} (p {lr.p:.3g}); powerlaw not run", True
            kind = "discrete zeta(1.5)" if discrete else "continuous Pareto a=2"
            rows.append(row(f"lognormal compare, {kind}", n, w, c, rw, rc, "one comparison",
                            same, check))  # fmt: skip
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10^5 scans only; fewer powerlaw runs")
    ap.add_argument(
        "--full-powerlaw",
        action="store_true",
        help="run powerlaw's full scans on 10^6 and the continuous set too (about 30 min)",
    )
    ap.add_argument("--n-sample", type=int, default=5, help="candidates timed for extrapolation")
    args = ap.parse_args()
    import powerlaw

    warnings.filterwarnings("ignore", module="powerlaw")
    warnings.filterwarnings("ignore", module="scipy")
    rng = np.random.default_rng(0)
    load = os.getloadavg()[0]
    rows = bench_scans(powerlaw, args, rng) + bench_lognormal(powerlaw, args, rng)
    print(f"load average at start {load:.1f} on {os.cpu_count()} cores; times wall / CPU (s)")
    print(f"{'workload':58} {'n':>8} {'ours':>15} {'powerlaw':>17} {'CPU ratio':>9}  ok")
    for r in rows:
        print(
            f"{r['name']:58} {r['n']:>8} {r['w']:>7.3f}/{r['c']:<7.3f} "
            f"{r['rw']:>8.2f}/{r['rc']:<8.2f} {r['rc'] / r['c']:>8.0f}x  "
            f"{'yes' if r['same'] else 'NO'}"
        )
    print()
    for r in rows:
        print(f"{r['name'].strip()} n={r['n']}: powerlaw {r['how']}; {r['check']}")


if __name__ == "__main__":
    main()
