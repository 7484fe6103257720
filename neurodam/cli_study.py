"""The study subcommands of the CLI: ``neurodam sweep``, ``neurodam report``, ``neurodam demo``.

``sweep`` runs the SEDAM temporal-complexity study (:mod:`neurodam.sweep.sedam`) over a grid
of model keys and seeds, ``report`` turns a sweep folder into figures and tables
(:mod:`neurodam.sweep.sedam_report`), and ``demo`` is a small study from a fresh clone.
:func:`add_parsers` registers them on the package parser (:mod:`neurodam.cli`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_parsers", "cmd_demo", "cmd_report", "cmd_sweep"]


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run the SEDAM study over a grid of model keys (neurodam.sweep.sedam)."""
    from neurodam import sweep
    from neurodam.sweep import sedam

    try:
        return sweep.cli_main(
            args,
            load_model=sedam.load_model,
            group_fn=sedam.run_group,
            validate=sedam.validate,
            group_by=sedam.GROUP_BY,
            required=sedam.REQUIRED,
            model=sedam.MODEL,
        )
    except RuntimeError as exc:  # another sweep runs in --out, or a worker died
        print(f"neurodam sweep: error: {exc}", file=sys.stderr)
        return 2


def _points_arg(text: str) -> str | int:
    if text in ("auto", "none"):
        return text
    if not text.isdigit():
        raise ValueError(f"--points: expected auto, none or a whole number, got {text!r}")
    return int(text)


def cmd_report(args: argparse.Namespace) -> int:
    """Figures and tables of a SEDAM study sweep (neurodam.sweep.sedam_report)."""
    from neurodam.sweep.sedam_report import report

    summary = report(args.dir, args.out, points=_points_arg(args.points))
    print(f"report        {summary.out / 'report.md'}")
    return 1 if summary.n_failed else 0


def _demo_sweep_folder(path: Path, spec) -> None:
    """Remove an earlier demo sweep with another grid (the demo's output is regenerated)."""
    import json
    import shutil

    spec_file = path / "spec.json"
    if not spec_file.is_file():
        return
    try:
        info = json.loads(spec_file.read_text())
    except (OSError, ValueError):
        return
    if info.get("format") == "neurodam.sweep" and info.get("spec_key") != spec.key:
        shutil.rmtree(path)


def _model_path(path: Path) -> Path:
    """``path`` as given, else relative to the repository holding this package (a fresh
    clone run from another folder still finds ``models/...``)."""
    if path.is_file() or path.is_absolute():
        return path
    repo = Path(__file__).resolve().parents[1]
    return repo / path if (repo / path).is_file() else path


#: Options of ``neurodam demo`` named in the messages of their model keys.
_DEMO_OPTIONS = {"noise": "--noise", "K": "-K", "steps": "--steps", "backend": "--backend"}


def cmd_demo(args: argparse.Namespace) -> int:
    """A small SEDAM temporal-complexity study: a sweep over p and K, then its report."""
    import io as _io
    import time

    import matplotlib

    matplotlib.use("Agg")

    from neurodam.sweep import make_spec, markdown, run_sweep, sedam
    from neurodam.sweep.sedam_report import report

    t_start = time.perf_counter()
    points = _points_arg(args.points)
    out = Path(args.out)
    model = _model_path(Path(args.model))
    base = sedam.load_model(model)
    sets = [f"noise={args.noise}", f"K={args.K}", f"steps={args.steps}", f"backend={args.backend}"]
    try:
        spec = make_spec(base, sets, seeds=args.seeds, seed_start=1, validate=sedam.validate,
                         model=sedam.MODEL)  # fmt: skip
    except (TypeError, ValueError) as exc:
        key = str(exc).split(":", 1)[0].split(".")[0].split("=")[0].strip()
        if key in _DEMO_OPTIONS:
            raise type(exc)(f"{_DEMO_OPTIONS[key]}: {exc}") from None
        raise
    folder = out / "sweep"
    _demo_sweep_folder(folder, spec)
    if not args.quiet:
        compile_note = (
            " (a first Brian2 run generates and compiles its code: a minute or two)"
            if args.backend != "reference"
            else ""
        )
        print(
            f"SEDAM demo: {spec.n_points} runs of {model} ({args.steps} steps each) on "
            f"backend {args.backend!r} with {args.workers} worker(s){compile_note}",
            flush=True,
        )
    result = run_sweep(spec, None, folder, group_fn=sedam.run_group, group_by=sedam.GROUP_BY,
                       workers=args.workers, required=sedam.REQUIRED,
                       progress=not args.quiet)  # fmt: skip
    print(
        f"sweep         {result.n_done} points done, {result.n_failed} failed, in "
        f"{result.wall_s:.1f} s: {folder}"
    )
    log_lines = _io.StringIO()
    summary = report(folder, out, points=points, stream=log_lines)
    for m in summary.messages:
        print(m)
    cols = ["K", "kind", "p_lo", "p_hi", "n_points", "width", "mu", "H_AJ", "H_SJ"]
    print("complex window (1 < mu < 3, H(AJ) > 0.5, renewal not rejected):")
    print(markdown(summary.window[[c for c in cols if c in summary.window.columns]], ".3g"))
    figures = sorted(Path(f).name for f in summary.files if str(f).endswith(".png"))
    print(f"figures       {out}/: {', '.join(figures)}")
    print(f"tables        {out / 'window.csv'}, {out / 'summary.csv'} (and .md)")
    print(f"results       {folder} (python: neurodam.sweep.load({str(folder)!r}))")
    print(f"demo took     {time.perf_counter() - t_start:.0f} s")
    print(f"report        {out / 'report.md'}")
    return 1 if summary.n_failed else 0


SWEEP_EPILOG = """
The SEDAM study (neurodam.sweep.sedam): each point is simulated (overlaps and activity
recorded), its events of three kinds (transitions, coincidences, switches) analysed, and
one JSON file per point stored. The thresholds are the model file's `analysis` keys
(e.g. --set analysis.activity_threshold=sd:1). Points sharing patterns, N, K, F, steps
and backend run in one worker task, advanced together as replicas (one matrix-matrix
product per step; on the reference engine identical to single runs; a Brian2 program is
compiled once per task). Then: neurodam report DIR.
"""


def add_parsers(sub) -> None:
    """Register ``sweep``, ``report`` and ``demo`` on the subparsers ``sub``."""
    from neurodam.sweep import cli as sweep_cli

    p = sub.add_parser(
        "sweep",
        help="run the SEDAM temporal-complexity study over a grid of model keys and seeds",
        description=sweep_cli.DESCRIPTION + SWEEP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sweep_cli.add_arguments(p)
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser(
        "report",
        help="figures and tables of a SEDAM study sweep (phase maps, complex window)",
        description="Turn the sweep in DIR (neurodam sweep ... --out DIR) into figures and "
        "tables, written to DIR/report unless --out: report.md (start here: what was "
        "written, the complex-window table); window.csv/.md (per K and kind of event, the "
        "p-interval where 1 < mu < 3, H(AJ) > 0.5 and the renewal test passes, with its "
        "width on the grid); summary.csv/.md (seed means and sd of the indicators); "
        "phase_retrieval.png and phase_<kind>.png (maps over (p, K) of Q_bar, rate, mu, "
        "H(AJ), delta, CV, window outlined); point_*.png (chosen points re-simulated from "
        "their stored parameters: overlaps, raster, events, survival and scaling). Exits 1 "
        "when the sweep has failed points (reported, and left out of the maps).",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the sweep folder")
    p.add_argument("--out", type=Path, default=None, help="output folder (default DIR/report)")
    p.add_argument(
        "--points",
        default="auto",
        metavar="auto|none|N",
        help="chosen points drawn in detail: one per K (auto), none, or at most N",
    )
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "demo",
        help="a small SEDAM temporal-complexity study: sweep over p and K, then its report",
        description="Run a small version of the SEDAM temporal-complexity study (Cafiso & "
        "Paradisi 2026): the stochastic exponential dense associative memory storing K "
        "binarised MNIST digits (N = 784, models/sedam_mnist.yaml, the images shipped in "
        "data/mnist_subset.npz) at every noise p and K given, as a Brian2 model in runtime "
        "mode by default (the runs of one K advance together as replicas; a first run "
        "compiles its Cython code, a minute or two). Each run's events of three kinds "
        "(avalanche transitions, coincidences, memory switches) are analysed for temporal "
        "complexity (waiting-time mu, H of the "
        "AJ/AJL/SJ walks, delta, renewal test). Writes the sweep to OUT/sweep and the report "
        "to OUT: report.md (start here), phase maps phase_*.png, the complex-window table "
        "window.csv/.md, summary.csv/.md and figures of chosen points point_*.png. "
        "Defaults take about 3-5 minutes on 2 cores (1 minute with --backend reference); "
        "the full study is `neurodam sweep`.",
    )
    p.add_argument("--out", type=Path, default=Path("output/demo"), help="output folder")
    p.add_argument(
        "--model",
        type=Path,
        default=Path("models/sedam_mnist.yaml"),
        help="model file (default models/sedam_mnist.yaml)",
    )
    p.add_argument(
        "--noise",
        default="0.24:0.44:0.02",
        metavar="RANGE",
        help="noise values: a:b:step or p1,p2,... (default 0.24:0.44:0.02)",
    )
    p.add_argument("-K", default="10,50", help="stored patterns: K1,K2,... (default 10,50)")
    p.add_argument("--steps", type=int, default=20000, help="synchronous steps (default 20000)")
    p.add_argument("--seeds", type=int, default=1, help="seeds per (p, K) (default 1)")
    p.add_argument(
        "--backend",
        default="runtime",
        help="runtime (Brian2's default embedded mode, Cython code; default), "
        "cpp_standalone (one compiled C++ program, rerun per batch), numpy (Brian2 without "
        "a compiler) or reference (the numpy engine the Brian2 model is tested against; "
        "fastest here)",
    )
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    p.add_argument(
        "--points", default="auto", help="chosen points drawn in detail: auto, none or N"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_demo)
