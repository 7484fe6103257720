"""Command-line interface: ``neurodam info | convert | run | analyse | demo``.

Each subcommand is a small function ``cmd_<name>(args) -> int`` registered in
:func:`build_parser`; ``neurodam <cmd> --help`` explains each one.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

__all__ = ["build_parser", "main"]

DESCRIPTION = """\
neurodam: simulate Hebbian associative memories and spiking networks (Brian2),
and analyse spike trains (avalanches, power laws, temporal complexity).

Spike files: .npz, .csv (columns time,neuron), .nwb (units table), .h5
(retinal-wave recordings). Start with `neurodam demo` or `neurodam info FILE`.
"""


# --------------------------------------------------------------------- info
def cmd_info(args: argparse.Namespace) -> int:
    from neurodam import io

    spikes = io.read(args.file)
    rates = spikes.rates() if spikes.duration > 0 else None
    print(f"file       {args.file}")
    print(f"neurons    {spikes.n_neurons}")
    print(f"spikes     {len(spikes)}")
    print(f"window     {spikes.t_start:g} .. {spikes.t_stop:g} s  (duration {spikes.duration:g} s)")
    if rates is not None:
        active = int((rates > 0).sum())
        print(f"mean rate  {spikes.mean_rate():.4g} Hz per neuron ({active} neurons fire)")
    else:
        print("mean rate  n/a (zero-length window)")
    for key, value in spikes.meta.items():
        shape = getattr(value, "shape", None)
        text = f"array of shape {shape}" if shape is not None else repr(value)
        print(f"meta.{key:<8} {text if len(text) < 70 else text[:67] + '...'}")
    return 0


# ------------------------------------------------------------------ convert
def cmd_convert(args: argparse.Namespace) -> int:
    from neurodam import io

    spikes = io.read(args.input)
    io.write(spikes, args.output, overwrite=args.force)
    print(f"wrote {len(spikes)} spikes of {spikes.n_neurons} neurons to {args.output}")
    return 0


# ------------------------------------------------------------------ analyse
# Each analysis is a small function _analyse_<name>(spikes, args) that prints its table
# and writes its figure; cmd_analyse runs the ones selected by their flags.
ANALYSES = ("avalanches", "complexity")


def _figure_path(args: argparse.Namespace, name: str) -> Path | None:
    """--figure OUT as given when one analysis runs, else OUT_<name>.<suffix>."""
    if args.figure is None:
        return None
    selected = [a for a in ANALYSES if getattr(args, a, False)]
    out = Path(args.figure)
    return out if len(selected) <= 1 else out.with_name(f"{out.stem}_{name}{out.suffix}")


def _threshold_arg(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text  # "percentile:Q" or "sd:K", checked by the analysis


def _save(fig, path: Path) -> None:
    """Write a figure atomically (a figure is regenerated output: an old one is replaced)."""
    from neurodam import io

    fig.tight_layout()
    io.save_figure(fig, path, overwrite=True, close=True, dpi=120)
    print(f"figure        {path}")


def _analyse_avalanches(spikes, args: argparse.Namespace) -> None:
    from neurodam.analysis import avalanche_report

    rep = avalanche_report(
        spikes, args.bin_width, args.threshold, n_boot=args.n_boot, seed=0
    )  # fmt: skip
    print(rep)
    out = _figure_path(args, "avalanches")
    if out is not None:
        axes = rep.plot(spikes=spikes, title=f"{Path(args.file).name}: avalanches")
        _save(axes[0].figure, out)


def _complexity_events(spikes, args: argparse.Namespace):
    """EventTimes for --complexity: avalanche transitions, coincidence onsets or a file."""
    import numpy as np

    from neurodam import io
    from neurodam.analysis import coincidence_events, transition_events
    from neurodam.spikes import EventTimes

    source = args.events
    if source == "avalanches":
        events = transition_events(spikes, args.bin_width, threshold=args.threshold)
        how = (
            f"avalanche births and deaths (bin {events.params['bin_width'] * 1e3:.4g} ms, "
            f"threshold {args.threshold!r})"
        )
    elif source == "coincidences":
        events = coincidence_events(spikes, args.bin_width, args.min_neurons)
        how = (
            f"coincidence onsets (window {events.params['bin_width'] * 1e3:.4g} ms, "
            f"min_neurons {args.min_neurons!r})"
        )
    else:
        path = Path(source)
        if path.suffix == ".npy":
            times = np.load(path)
            events = EventTimes(times, spikes.t_start, spikes.t_stop, kind="events")
        elif path.suffix == ".npz":
            events = io.read_events(path)
        else:
            raise ValueError(
                "--events: expected 'avalanches', 'coincidences', an events FILE.npz "
                f"(io.write_events) or a FILE.npy of times, got {source!r}"
            )
        how = f"{events.kind} from {path}"
    return events, how


def _analyse_complexity(spikes, args: argparse.Namespace) -> None:
    from neurodam.analysis import complexity_report

    events, how = _complexity_events(spikes, args)
    print(f"source        {how}")
    rep = complexity_report(events, seed=0, n_shuffles=args.n_shuffles)
    print(rep)
    out = _figure_path(args, "complexity")
    if out is not None:
        axes = rep.plot(title=f"{Path(args.file).name}: temporal complexity ({how})")
        _save(axes[0].figure, out)


def cmd_analyse(args: argparse.Namespace) -> int:
    from neurodam import io

    selected = [a for a in ANALYSES if getattr(args, a, False)]
    if not selected:
        raise ValueError(f"choose at least one analysis: {', '.join('--' + a for a in ANALYSES)}")
    spikes = io.read(args.file)
    print(
        f"file          {args.file} ({len(spikes)} spikes, {spikes.n_neurons} neurons, "
        f"{spikes.duration:g} s)"
    )
    runners = {"avalanches": _analyse_avalanches, "complexity": _analyse_complexity}
    for name in selected:
        runners[name](spikes, args)
    return 0


# --------------------------------------------------------------------- demo
class _Tee:
    """Write to several text streams at once (the terminal and report.txt)."""

    def __init__(self, *streams):
        self.streams = streams

    def write(self, text: str) -> int:
        for s in self.streams:
            s.write(text)
        return len(text)

    def flush(self) -> None:
        for s in self.streams:
            s.flush()


def cmd_run(args: argparse.Namespace) -> int:
    """Run a ready-made model (models/*.yaml) and summarise it."""
    import time

    from neurodam import config

    if args.device:
        raise ValueError(f"--device: renamed to --backend (--backend {args.device})")
    overrides = list(args.set or [])
    if args.backend:
        overrides.append(f"backend={args.backend}")
    if args.steps is not None:
        overrides.append(f"steps={args.steps}")
    model = config.load(args.model, overrides)
    kind = config.get_kind(model.kind)
    if args.out is not None:
        if kind.save is None:
            raise ValueError(f"--out: models of kind {model.kind!r} cannot be written")
        if kind.check_save is not None:
            kind.check_save(model.config, args.out, args.force)
        elif args.out.exists() and not args.force:
            raise FileExistsError(f"--out: {args.out} exists (use -f to overwrite)")
    describe = kind.describe(model.config) if kind.describe else f"{model.kind} {model.source}"
    print(f"model      {describe}")
    t0 = time.perf_counter()
    result = model.run(progress=not args.quiet)
    wall = time.perf_counter() - t0
    for line in kind.summary(model.config, result) if kind.summary else [repr(result)]:
        print(line)
    print(f"total      {wall:.2f} s")
    if args.out is not None:
        for line in kind.save(result, args.out, args.force):
            print(f"wrote      {line}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Small SEDAM run on binarised digits, then its temporal-complexity report."""
    import contextlib

    import matplotlib

    matplotlib.use("Agg")

    from neurodam import io, patterns
    from neurodam.analysis import complexity_report, transition_events
    from neurodam.memory.simulate import simulate

    if not 0 <= args.noise <= 0.5:
        raise ValueError(f"--noise: expected p in [0, 0.5], got {args.noise}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    xi, labels = patterns.digits()
    xi = xi[: args.K]
    if not args.quiet:
        print(
            f"simulating {args.steps} steps on backend {args.backend!r} "
            "(a first Brian2 run compiles its code: a minute or two)",
            flush=True,
        )
    run = simulate(
        xi, F="exp", noise=args.noise, schedule="sync", steps=args.steps, init=0,
        seed=args.seed, backend=args.backend, progress=not args.quiet,
    )  # fmt: skip
    spikes_path = out / "sedam.npz"
    io.write(run.spikes, spikes_path, overwrite=True)
    axes = run.plot()
    axes[0].set_xlim(run.times[0], run.times[0] + min(2.0, run.times[-1]))
    axes[0].set_title(
        f"SEDAM: N={xi.shape[1]} (8x8 digits), K={len(xi)}, p={args.noise}, "
        f"{args.steps} synchronous steps"
    )
    axes[0].figure.tight_layout()
    io.save_figure(axes[0].figure, out / "sedam.png", overwrite=True, close=True, dpi=120)

    events = transition_events(run.spikes, threshold=args.threshold)
    rep = complexity_report(events, seed=0)
    text = out / "report.txt"
    with open(text, "w") as fh, contextlib.redirect_stdout(_Tee(sys.stdout, fh)):
        timing = run.params.get("timing", {})
        print(f"SEDAM demo    backend {args.backend}, seed {args.seed}")
        print(
            f"model         exponential DAM, N = {xi.shape[1]}, K = {len(xi)} binarised digits "
            f"(labels {', '.join(str(v) for v in labels[: args.K])}), noise p = {args.noise}"
        )
        if timing:
            print("timing        " + ", ".join(f"{k} {v:.2f} s" for k, v in timing.items()))
        print(
            f"retrieval     Q_bar = {run.Q_bar:.3f} (1 - 2p = {1 - 2 * args.noise:.3f}), "
            f"mean activity {run.activity.mean():.1f} of {xi.shape[1]} neurons"
        )
        print(
            f"source        avalanche births and deaths of the population activity "
            f"(one bin per step, threshold {args.threshold!r})"
        )
        print(rep)
        fig_axes = rep.plot(title=f"SEDAM p = {args.noise}: temporal complexity")
        fig_axes[0].figure.tight_layout()
        io.save_figure(fig_axes[0].figure, out / "report.png", overwrite=True, close=True, dpi=120)
        print(f"figure        {out / 'report.png'}")
        print(f"raster        {out / 'sedam.png'}")
        print(f"spikes        {spikes_path}")
    print(f"report        {text}")
    return 0


# ------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neurodam",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("info", help="summarise a spike file (neurons, spikes, duration, rate)")
    p.add_argument("file", type=Path, help="spike file (.npz, .csv, .nwb, .h5)")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser(
        "convert",
        help="convert a spike file to another format (chosen by the output suffix)",
        description="Read IN and write the same spikes to OUT; the format follows each suffix "
        "(.npz, .csv, .nwb). Example: neurodam convert rec.h5 rec.nwb",
    )
    p.add_argument("input", type=Path, help="spike file to read")
    p.add_argument("output", type=Path, help="file to write (.npz, .csv or .nwb)")
    p.add_argument("-f", "--force", action="store_true", help="overwrite OUT if it exists")
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser(
        "analyse",
        help="analyse a spike file (avalanches and power laws, temporal complexity)",
        description="Analyse the spikes of FILE and print a table; --figure writes a figure. "
        "Example: neurodam analyse rec.h5 --avalanches --figure /tmp/av.png",
    )
    p.add_argument("file", type=Path, help="spike file (.npz, .csv, .nwb, .h5)")
    p.add_argument(
        "--avalanches",
        action="store_true",
        help="avalanche size/duration power laws (Clauset et al. 2009), likelihood ratios, "
        "crackling relation, branching ratio",
    )
    p.add_argument(
        "--bin-width",
        type=float,
        default=None,
        metavar="S",
        help="bin width in seconds (default: the model's step for simulated spikes, the mean "
        "pooled inter-spike interval for recordings)",
    )
    p.add_argument(
        "--threshold",
        type=_threshold_arg,
        default=0.0,
        metavar="T",
        help="activity threshold: spikes per bin, 'percentile:Q' or 'sd:K' (default 0)",
    )
    p.add_argument(
        "--n-boot",
        type=int,
        default=0,
        metavar="N",
        help="bootstrap replicates for the goodness-of-fit p-value (default 0: skip)",
    )
    p.add_argument(
        "--complexity",
        action="store_true",
        help="temporal complexity of an event sequence: waiting-time index mu, EDDiS H for the "
        "AJ/AJL/SJ rules, diffusion entropy delta, renewal test (Paradisi et al. 2012)",
    )
    p.add_argument(
        "--events",
        default="avalanches",
        metavar="SOURCE",
        help="events for --complexity: 'avalanches' (births and deaths, with --bin-width and "
        "--threshold), 'coincidences' (onsets, with --bin-width and --min-neurons), an "
        "events FILE.npz written by neurodam.io.write_events, or a FILE.npy of event times in "
        "seconds (default avalanches)",
    )
    p.add_argument(
        "--min-neurons",
        type=_threshold_arg,
        default="sd:3",
        metavar="K",
        help="coincidence events: distinct neurons per window, a number, 'percentile:Q' or "
        "'sd:K' (default sd:3)",
    )
    p.add_argument(
        "--n-shuffles",
        type=int,
        default=None,
        metavar="N",
        help="shuffled copies for the renewal test (default 39: enough to reject at 5 %%)",
    )
    p.add_argument("--figure", type=Path, default=None, metavar="OUT.png", help="write a figure")
    p.set_defaults(func=cmd_analyse)

    p = sub.add_parser(
        "run",
        help="run a ready-made model (models/*.yaml)",
        description="Simulate the model of a YAML file (models/hopfield.yaml, models/dense.yaml, "
        "models/sedam.yaml) and print Q_bar, the mean activity and the time per step. "
        "--out OUT writes the spikes to OUT (.npz, .csv, .nwb) and the overlaps, energies and "
        "activity to OUT_overlaps.npz. "
        "Example: neurodam run models/sedam.yaml --set noise=0.2 --backend cpp_standalone "
        "--out run.npz",
    )
    p.add_argument("model", type=Path, help="model file (YAML)")
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a key of the model file (repeatable), e.g. --set noise=0.2",
    )
    p.add_argument(
        "--backend",
        default=None,
        help="reference, runtime, numpy, cpp_standalone or cuda_standalone",
    )
    p.add_argument("--device", default=None, help=argparse.SUPPRESS)  # old name: an error
    p.add_argument("--steps", type=int, default=None, help="number of steps")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write the spikes (.npz, .nwb, .csv) and OUT_overlaps.npz (overlaps, energy)",
    )
    p.add_argument("-f", "--force", action="store_true", help="overwrite --out if it exists")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "demo",
        help="run a small SEDAM simulation and write its temporal-complexity report",
        description="Simulate a stochastic exponential dense associative memory (SEDAM; "
        "Cafiso & Paradisi 2026) storing K binarised 8x8 digits under noise p, then analyse "
        "the threshold crossings of its population activity: waiting-time index mu, EDDiS H "
        "(AJ/AJL/SJ), diffusion entropy delta and a renewal test. Writes sedam.npz, sedam.png, "
        "report.txt and report.png to --out.",
    )
    p.add_argument("--out", type=Path, default=Path("output/demo"), help="output folder")
    p.add_argument("--steps", type=int, default=20000, help="synchronous steps (default 20000)")
    p.add_argument(
        "--noise",
        type=float,
        default=0.15,
        help="noise p in [0, 0.5] (default 0.15, the intermittent window of models/sedam.yaml)",
    )
    p.add_argument("-K", type=int, default=10, help="stored digits (default 10: one per class)")
    p.add_argument(
        "--backend",
        default="runtime",
        help="reference, runtime (Brian2 + Cython, default), numpy or cpp_standalone",
    )
    p.add_argument(
        "--threshold",
        type=_threshold_arg,
        default="percentile:50",
        help="population-activity threshold of the transition events (default percentile:50)",
    )
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_demo)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )
    try:
        return int(args.func(args) or 0)
    except (ValueError, TypeError, OSError, ImportError) as exc:  # OSError: missing, existing
        print(f"neurodam {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
