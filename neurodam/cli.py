"""Command-line interface: ``neurodam info | convert | run | analyse | sweep | report | demo``
(the study commands sweep, report and demo live in :mod:`neurodam.cli_study`).

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
The SEDAM temporal-complexity study: `neurodam sweep MODEL.yaml --set ... --out DIR`,
then `neurodam report DIR`.
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


# ------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """The ``neurodam`` argument parser, one subcommand per job (each sets ``func``)."""
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

    from neurodam.cli_study import add_parsers

    add_parsers(sub)

    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``neurodam`` command line; returns the exit code (2 on bad input).

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name (default: ``sys.argv[1:]``).
    """
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
