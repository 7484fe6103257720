"""Measure a handful of known answers through the public API (``make validation``).

Each check reruns, at small size, one test named in ``docs/validation/known_answers.yaml``
with that test's settings and tolerance, and records the number it measured next to the
predicted one. The result goes to ``<out>/measured.json`` (one entry per check: id, check,
predicted, measured, tolerance, passed, settings, seconds, test, figure) with one PNG figure
per check; the documentation build (``docs/_ext/validationpage.py``) shows them as the
"Measured in this build" table of the validation page.

``predicted``, ``measured`` and ``tolerance`` are dicts of named numbers (one per quantity a
check compares); a check passes when every ``|measured - predicted| <= tolerance``.

Usage::

    python docs/validation/measure.py --quick            # about a minute on two cores
    python docs/validation/measure.py --only renewal_eddis --out /tmp/measured

``--quick`` shrinks only the capacity curve (fewer loads and trials than its slow test); every
other check runs at its test's settings, which are already seconds.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE.parents[1]) not in sys.path:  # this checkout's package when run as a script
    sys.path.insert(0, str(HERE.parents[1]))

log = logging.getLogger("measure")


@dataclass
class Measurement:
    """One measured known answer (one row of the table)."""

    id: str
    check: str
    predicted: dict[str, float]
    measured: dict[str, float]
    tolerance: dict[str, float]
    settings: dict
    test: str
    passed: bool = False
    seconds: float = 0.0
    figure: str | None = None
    notes: str = ""
    extra: dict = field(default_factory=dict)

    def evaluate(self) -> Measurement:
        """Set ``passed``: every quantity within its tolerance of the prediction."""
        self.passed = all(
            math.isfinite(self.measured[k])
            and abs(self.measured[k] - self.predicted[k]) <= self.tolerance[k]
            for k in self.predicted
        )
        return self


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.2, 3.0), layout="constrained")
    return plt, fig, ax


def _save(plt, fig, out: Path, name: str) -> str:
    fig.savefig(out / f"{name}.png", dpi=90)
    plt.close(fig)
    return f"{name}.png"


# ---------------------------------------------------------------- associative memories
def hopfield_rs_capacity(out: Path, quick: bool) -> Measurement:
    """tests/test_theory.py::test_rs_capacity_and_overlap_at_capacity."""
    from neurodam.memory import theory as th

    a_c = th.hopfield_alpha_m(0.0)
    m_c = th.hopfield_rs(a_c * (1 - 1e-12), 0.0).m
    res = Measurement(
        id="hopfield_rs_capacity",
        check="Hopfield storage capacity of the replica-symmetric theory",
        predicted={"alpha_c": 0.1379, "m(alpha_c)": 0.967},
        measured={"alpha_c": a_c, "m(alpha_c)": m_c},
        tolerance={"alpha_c": 5e-5, "m(alpha_c)": 1e-3},
        settings={"T": 0.0},
        test="tests/test_theory.py::test_rs_capacity_and_overlap_at_capacity",
    )
    plt, fig, ax = _figure()
    alpha = np.linspace(0.001, 0.16, 400)
    m = th.hopfield_rs_overlap(alpha)
    ax.plot(alpha, np.where(m > 0, m, np.nan), label="RS m(alpha), T = 0 (retrieval branch)")
    ax.axvline(a_c, color="C3", ls="--", label=f"alpha_c = {a_c:.4f}")
    ax.plot([a_c], [m_c], "o", color="C3")
    ax.set(xlabel="load alpha = K/N", ylabel="overlap m", ylim=(-0.05, 1.05))
    ax.legend(fontsize=7, loc="lower left")
    res.figure = _save(plt, fig, out, res.id)
    return res.evaluate()


def hopfield_capacity_curve(out: Path, quick: bool) -> Measurement:
    """tests/test_retrieval.py::test_hopfield_capacity_curve_matches_replica_theory."""
    from neurodam.memory.retrieval import capacity_curve
    from neurodam.memory.theory import HOPFIELD_ALPHA_C, hopfield_rs_overlap

    N = 500
    if quick:
        loads, n_trials = [0.06, 0.08, 0.1, 0.12, 0.13, 0.14, 0.15, 0.16], 4
    else:
        loads, n_trials = [0.06, 0.08, 0.1, 0.12, 0.13, 0.14, 0.15, 0.16, 0.18, 0.2], 8
    c = capacity_curve("hopfield", N, loads, n_trials=n_trials, seed=0, steps=100)
    low = c.alpha <= 0.1
    dev = float(np.max(np.abs(c.mean_overlap[low] - hopfield_rs_overlap(c.alpha[low]))))
    crossing = float(c.overlap_crossing(0.967))
    res = Measurement(
        id="hopfield_capacity_curve",
        check="Capacity curve of a simulated Hopfield network (T = 0) against the RS m(alpha)",
        predicted={"max |m - m_RS| (alpha <= 0.1)": 0.0, "load where m < 0.967": HOPFIELD_ALPHA_C},
        measured={"max |m - m_RS| (alpha <= 0.1)": dev, "load where m < 0.967": crossing},
        tolerance={"max |m - m_RS| (alpha <= 0.1)": 0.005, "load where m < 0.967": 0.02},
        settings={"N": N, "loads": loads, "n_trials": n_trials, "steps": 100, "seed": 0},
        test="tests/test_retrieval.py::test_hopfield_capacity_curve_matches_replica_theory",
        notes="Quick settings: 8 loads x 4 trials (the test: 10 x 8)" if quick else "",
    )
    plt, fig, ax = _figure()
    grid = np.linspace(0.01, 0.2, 400)
    m_rs = hopfield_rs_overlap(grid)
    ax.plot(grid, np.where(m_rs > 0, m_rs, np.nan), label="RS theory (retrieval branch)")
    ax.axhline(0.967, color="0.6", ls="--", lw=0.8)
    ax.plot(c.alpha, c.mean_overlap, "o", label=f"simulated, N = {N}")
    ax.axvline(HOPFIELD_ALPHA_C, color="0.6", ls=":")
    ax.set(xlabel="load alpha = K/N", ylabel="mean final overlap", ylim=(-0.05, 1.05))
    ax.legend(fontsize=7, loc="lower left")
    res.figure = _save(plt, fig, out, res.id)
    return res.evaluate()


def sedam_noise(out: Path, quick: bool) -> Measurement:
    """tests/test_memory_brian.py::test_sedam_noise_statistics_match_reference_and_theory
    (the reference engine)."""
    from neurodam import patterns
    from neurodam.memory import simulate

    N, K, p, T = 200, 5, 0.1, 400
    xi = patterns.rademacher(K, N, seed=0)
    predicted, measured, tolerance, runs = {}, {}, {}, {}
    for mode in ("flip", "reset"):
        run = simulate(xi, "exp", seed=1, noise=p, steps=T, init=0, noise_mode=mode)
        p_eff = p if mode == "flip" else p / 2
        se = 2 * math.sqrt(p_eff * (1 - p_eff) / (N * T))
        key = f"Q_bar ({mode})"
        predicted[key], measured[key], tolerance[key] = 1 - 2 * p_eff, float(run.Q_bar), 5 * se
        runs[mode] = run
    res = Measurement(
        id="sedam_noise",
        check="SEDAM noise statistics, reference engine: Q_bar = 1 - 2 p_eff",
        predicted=predicted,
        measured=measured,
        tolerance=tolerance,
        settings={"N": N, "K": K, "p": p, "steps": T, "F": "exp", "seed": 1},
        test="tests/test_memory_brian.py::test_sedam_noise_statistics_match_reference_and_theory",
        notes="Tolerance: 5 standard errors, SE = 2 sqrt(p_eff (1 - p_eff) / (N T))",
    )
    plt, fig, ax = _figure()
    for i, (mode, run) in enumerate(runs.items()):
        ax.plot(np.asarray(run.Q), lw=0.6, color=f"C{i}", label=f"Q(t), {mode}")
        ax.axhline(predicted[f"Q_bar ({mode})"], color=f"C{i}", ls="--", lw=1)
    ax.set(xlabel="step", ylabel="overlap with the pattern Q", ylim=(0.6, 1.0))
    ax.legend(fontsize=7, loc="lower right")
    res.figure = _save(plt, fig, out, res.id)
    return res.evaluate()


def glauber_mean_field(out: Path, quick: bool) -> Measurement:
    """tests/test_memory_brian.py::test_glauber_hopfield_mean_field_overlap (reference)."""
    from neurodam import patterns
    from neurodam.memory import simulate

    N, K, T, steps = 400, 2, 0.5, 300
    xi = patterns.rademacher(K, N, seed=3)
    m_theory = 1.0
    for _ in range(200):
        m_theory = math.tanh(m_theory / T)
    run = simulate(xi, "hopfield", temperature=T, steps=steps, init=0, seed=1)
    m = np.asarray(run.overlaps)[20:, 0]
    b = m[: m.size // 20 * 20].reshape(20, -1).mean(axis=1)
    se = float(b.std(ddof=1) / math.sqrt(20))
    res = Measurement(
        id="glauber_mean_field",
        check="Glauber dynamics of a Hopfield network at low load, T = 0.5: m = tanh(m / T)",
        predicted={"m": m_theory},
        measured={"m": float(m.mean())},
        tolerance={"m": 5 * se + 0.01},
        settings={"N": N, "K": K, "T": T, "steps": steps, "seed": 1},
        test="tests/test_memory_brian.py::test_glauber_hopfield_mean_field_overlap",
        notes="Tolerance: 5 standard errors (20 batch means) + 0.01 (O(K/N) crosstalk)",
    )
    plt, fig, ax = _figure()
    ax.plot(np.asarray(run.overlaps)[:, 0], lw=0.6, label="m(t)")
    ax.axhline(m_theory, color="C3", ls="--", label=f"tanh fixed point {m_theory:.4f}")
    ax.set(xlabel="step", ylabel="overlap m")
    ax.legend(fontsize=7, loc="lower right")
    res.figure = _save(plt, fig, out, res.id)
    return res.evaluate()


def brian_vs_reference(out: Path, quick: bool) -> Measurement:
    """tests/test_memory_brian.py::test_sync_deterministic_identical_to_reference_numpy."""
    from neurodam import patterns
    from neurodam.memory import simulate

    record = ("spikes", "overlaps", "activity", "states")
    xi = patterns.digits()[0][:20]
    predicted, measured, tolerance, pair = {}, {}, {}, None
    for F in ("hopfield", "exp"):
        ref = simulate(xi, F, steps=25, seed=4, record=record)
        run = simulate(xi, F, steps=25, seed=4, record=record, backend="numpy", form="matrix")
        diff = int(np.count_nonzero(np.asarray(run.states) != np.asarray(ref.states)))
        diff += int(run.spikes != ref.spikes)
        key = f"differing states + spike trains ({F})"
        predicted[key], measured[key], tolerance[key] = 0.0, float(diff), 0.0
        pair = pair or (ref, run)
    res = Measurement(
        id="brian_vs_reference",
        check="Brian2 (numpy code generation) against the reference engine, noise 0",
        predicted=predicted,
        measured=measured,
        tolerance=tolerance,
        settings={"patterns": "digits, K = 20", "steps": 25, "seed": 4, "form": "matrix"},
        test="tests/test_memory_brian.py::test_sync_deterministic_identical_to_reference_numpy",
        notes="Exact equality of every state and the spike trains",
    )
    ref, run = pair
    plt, fig, ax = _figure()
    ov_ref, ov_run = np.asarray(ref.overlaps), np.asarray(run.overlaps)
    for k in range(min(4, ov_ref.shape[1])):
        ax.plot(ov_ref[:, k], color=f"C{k}", lw=2.5, alpha=0.4)
        ax.plot(ov_run[:, k], color=f"C{k}", ls="--", lw=1)
    ax.plot([], [], color="0.4", lw=2.5, alpha=0.4, label="reference engine")
    ax.plot([], [], color="0.4", ls="--", label="Brian2")
    ax.set(xlabel="step", ylabel="overlap (first 4 patterns)", title="hopfield, digits")
    ax.legend(fontsize=7)
    res.figure = _save(plt, fig, out, res.id)
    return res.evaluate()


def supervised_learning(out: Path, quick: bool) -> Measurement:
    """tests/test_learning.py::test_t0_overlap_is_the_binomial_formula (supervised, Hopfield)."""
    from neurodam import patterns
    from neurodam.memory import retrieval_overlap, simulate
    from neurodam.memory import theory as th
    from neurodam.memory.learning import from_examples

    K, N, M, r = 3, 20_000, 5, 0.4
    ms = []
    for seed in (0, 1):
        xi = patterns.rademacher(K, N, seed=seed)
        eta = patterns.noisy_examples(xi, M, r, seed=seed + 100)
        pats = from_examples(eta, "supervised", P=2, r=r)
        for mu in range(K):
            run = simulate(pats, "hopfield", init=xi[mu], steps=15, record=("overlaps",))
            ms.append(float(retrieval_overlap(run, xi)[mu]))
    theory = float(th.supervised_overlap(r, M))
    res = Measurement(
        id="supervised_learning",
        check="Supervised network at T = 0 started at an archetype: binomial formula",
        predicted={"m": theory},
        measured={"m": float(np.mean(ms))},
        tolerance={"m": 4 * math.sqrt((1 - theory**2) / N / len(ms))},
        settings={"K": K, "N": N, "M": M, "r": r, "F": "hopfield", "seeds": [0, 1]},
        test="tests/test_learning.py::test_t0_overlap_is_the_binomial_formula",
        notes="Tolerance: 4 standard errors of the mean of 6 runs (sd sqrt((1 - m^2)/N))",
    )
    plt, fig, ax = _figure()
    rr = np.linspace(0.05, 0.95, 60)
    ax.plot(rr, [th.supervised_overlap(x, M) for x in rr], label=f"theory, M = {M}")
    ax.plot([r] * len(ms), ms, "o", ms=4, label="simulated runs")
    ax.set(xlabel="example quality r", ylabel="archetype overlap m")
    ax.legend(fontsize=7, loc="lower right")
    res.figure = _save(plt, fig, out, res.id)
    return res.evaluate()


# ---------------------------------------------------------------- criticality
def branching_avalanches(out: Path, quick: bool) -> Measurement:
    """tests/test_criticality.py::test_critical_exponents."""
    from neurodam.analysis import avalanches, branching_process, crackling_relation, fit_power_law

    st = branching_process(1.0, 100, n_avalanches=20000, seed=1, max_size=10**4)
    av = avalanches(st, bin_width=1e-3)
    sizes = fit_power_law(av.sizes, xmax=1000)
    durations = fit_power_law(av.durations)
    c = crackling_relation(av, size_fit=sizes, duration_fit=durations)
    res = Measurement(
        id="branching_avalanches",
        check="Avalanches of a critical branching process (m = 1)",
        predicted={"tau (sizes)": 1.5, "alpha (durations)": 2.0, "(alpha-1)/(tau-1)": 2.0},
        measured={
            "tau (sizes)": float(sizes.alpha),
            "alpha (durations)": float(durations.alpha),
            "(alpha-1)/(tau-1)": float(c.predicted),
        },
        tolerance={"tau (sizes)": 0.1, "alpha (durations)": 0.15, "(alpha-1)/(tau-1)": 0.15},
        settings={"m": 1.0, "N": 100, "n_avalanches": 20000, "max_size": 10**4, "seed": 1},
        test="tests/test_criticality.py::test_critical_exponents",
        extra={"gamma (<S>(T) fit)": float(c.gamma)},
    )
    plt, fig, ax = _figure()
    for i, (data, name, expo) in enumerate(
        ((av.sizes, "sizes S", 1.5), (av.durations, "durations T", 2.0))
    ):
        x = np.sort(np.asarray(data))
        ccdf = 1.0 - np.arange(x.size) / x.size
        ax.loglog(x, ccdf, color=f"C{i}", lw=1, label=name)
        ref = x[x >= 10]
        ax.loglog(ref, ccdf[x >= 10][0] * (ref / ref[0]) ** (1 - expo), "k:", lw=1)
    ax.set(xlabel="S or T", ylabel="P(X >= x)", title="dotted: x^-1/2, x^-1")
    ax.legend(fontsize=7)
    res.figure = _save(plt, fig, out, res.id)
    return res.evaluate()


# ---------------------------------------------------------------- temporal complexity
def renewal_eddis(out: Path, quick: bool) -> Measurement:
    """tests/test_complexity.py::test_eddis_renewal_predictions_fast (mu = 2.5)."""
    from neurodam.analysis import diffusion_entropy, eddis_all, renewal_process

    mu, n = 2.5, 100_000
    t = renewal_process(mu, n, seed=1)
    fit = eddis_all(t, seed=1, fit=False)
    de = diffusion_entropy(t, dt=fit.dt, seed=1)
    h = (4 - mu) / 2
    res = Measurement(
        id="renewal_eddis",
        check="EDDiS exponents of a renewal process, mu = 2.5",
        predicted={"H_AJ": h, "H_AJL": h, "H_SJ": 0.5, "delta": 1 / (mu - 1)},
        measured={
            "H_AJ": float(fit.H["AJ"]),
            "H_AJL": float(fit.H["AJL"]),
            "H_SJ": float(fit.H["SJ"]),
            "delta": float(de.exponent),
        },
        tolerance={"H_AJ": 0.07, "H_AJL": 0.1, "H_SJ": 0.05, "delta": 0.07},
        settings={"mu": mu, "n_events": n, "seed": 1, "dt": float(fit.dt)},
        test="tests/test_complexity.py::test_eddis_renewal_predictions_fast",
        notes="Tolerance: the seed spread (~0.03) plus the measured finite-size bias",
    )
    plt, fig, ax = _figure()
    for i, (name, sf) in enumerate((("AJ", fit.aj), ("AJL", fit.ajl), ("SJ", fit.sj))):
        s, v = np.asarray(sf.scales), np.asarray(sf.values)
        ax.loglog(s, v / v[0], color=f"C{i}", label=f"{name}: H = {fit.H[name]:.3f}")
    s = np.asarray(fit.aj.scales)
    ax.loglog(s, (s / s[0]) ** h, "k:", lw=1, label=f"slope (4 - mu)/2 = {h}")
    ax.set(xlabel="scale l (s)", ylabel="fluctuation / first value", title=f"mu = {mu}")
    ax.legend(fontsize=6)
    res.figure = _save(plt, fig, out, res.id)
    return res.evaluate()


CHECKS: dict[str, Callable[[Path, bool], Measurement]] = {
    f.__name__: f
    for f in (
        hopfield_rs_capacity,
        hopfield_capacity_curve,
        sedam_noise,
        glauber_mean_field,
        brian_vs_reference,
        supervised_learning,
        branching_avalanches,
        renewal_eddis,
    )
}


def run_check(name: str, out: Path, quick: bool = True) -> Measurement:
    """Run one check by name, writing its figure into ``out``; sets ``seconds``."""
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    res = CHECKS[name](out, quick)
    res.seconds = round(time.perf_counter() - t0, 2)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small settings (about a minute)")
    ap.add_argument(
        "--out",
        type=Path,
        default=HERE / "_generated",
        help="output folder (default: docs/validation/_generated)",
    )
    ap.add_argument("--only", nargs="+", choices=sorted(CHECKS), help="run only these checks")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    import matplotlib

    matplotlib.use("Agg")
    names = args.only or list(CHECKS)
    results = []
    for name in names:
        res = run_check(name, args.out, args.quick)
        verdict = "pass" if res.passed else "FAIL"
        log.info(f"{verdict}  {name:26s} {res.seconds:6.1f} s  {res.measured}")
        results.append(asdict(res))
    doc = {
        "quick": args.quick,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "checks": results,
    }
    (args.out / "measured.json").write_text(json.dumps(doc, indent=1) + "\n")
    log.info(f"wrote {args.out / 'measured.json'}")
    return 0 if all(r["passed"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
