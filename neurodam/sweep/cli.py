"""The ``neurodam sweep`` command: its arguments and its main function.

The package CLI registers the subcommand with::

    p = subparsers.add_parser("sweep", help=sweep.cli.HELP, description=sweep.cli.DESCRIPTION,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    sweep.add_arguments(p)
    # in cmd_sweep(args):
    return sweep.cli_main(args, load_model=..., point_fn=..., validate=..., group_by=...)
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from neurodam.sweep.executors import run_sweep
from neurodam.sweep.grid import SweepSpec, make_spec

log = logging.getLogger(__name__)

__all__ = ["DESCRIPTION", "HELP", "add_arguments", "cli_main", "describe"]

HELP = "run a model over a grid of parameters and seeds, one stored result per point"

DESCRIPTION = """\
Run MODEL.yaml at every combination of the values given with --set, for each seed,
analyse every run, and store one result file per point in the folder --out.

Examples:
  neurodam sweep models/sedam.yaml --set noise=0:0.5:0.01 --set K=1,2,5,10,20,50 \\
      --seeds 3 --out sweeps/sedam --workers 2
  neurodam sweep models/sedam.yaml --set patterns=rademacher --set N=400 \\
      --set noise=0.1,0.2 --out sweeps/rademacher --dry-run

Values of --set:
  key=a:b:step    a range from a to b (b included when on the grid), e.g. noise=0:0.5:0.01
  key=v1,v2,...   a list, e.g. K=1,2,5 or patterns=digits,mnist
  key=v           a single value (the key is set, not swept)
Any key of the model file can be set; dots reach nested keys (thresholds.activity=0.1).

Resuming: run the same command again. Finished points are skipped, failed points are
recomputed (--keep-failed keeps them), the rest is computed. An interrupted sweep
(Ctrl-C, a killed process, a lost machine) loses at most the points in progress. A
different grid in the same --out folder is refused: use another folder.

Results: python -c "import neurodam.sweep as s; print(s.load('sweeps/sedam'))", or
`neurodam report sweeps/sedam` for figures and tables.
"""


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``neurodam sweep`` arguments to ``parser`` (returned for chaining)."""
    parser.add_argument("model", metavar="MODEL.yaml", help="the model file whose keys are swept")
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUES",
        help="values of one model key: a:b:step (range), v1,v2,... (list) or v (one value); "
        "repeat for each key",
    )
    parser.add_argument(
        "--seeds",
        type=_positive,
        default=1,
        metavar="N",
        help="number of seeds (independent runs) per parameter set (default 1)",
    )
    parser.add_argument(
        "--seed-start",
        type=_non_negative,
        default=0,
        metavar="S",
        help="first seed; the seeds are S, S+1, ..., S+N-1 (default 0)",
    )
    parser.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="folder of the sweep: one JSON file per point, spec.json describing the grid",
    )
    parser.add_argument(
        "--workers",
        type=_non_negative,
        default=1,
        metavar="N",
        help="parallel worker processes on this machine (default 1; 0 runs in this process)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="run on a Dask cluster instead, e.g. tcp://host:8786 (the --out folder must be "
        "on a file system all workers share)",
    )
    parser.add_argument(
        "--keep-failed",
        action="store_true",
        help="do not recompute points that failed in an earlier run",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check the grid and show its size, without running anything",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def describe(spec: SweepSpec) -> str:
    """A short text description of a sweep's grid (what ``--dry-run`` prints)."""
    lines = []
    for key, values in spec.axes:
        if len(values) > 6:
            shown = ", ".join(map(repr, values[:3])) + ", ..., " + ", ".join(map(repr, values[-2:]))
        else:
            shown = ", ".join(map(repr, values))
        lines.append(
            f"  {key:<16} {len(values):>6} value{'s' if len(values) != 1 else ''}: {shown}"
        )
    s = spec.seeds
    lines.append(f"  {'seeds':<16} {len(s):>6} value{'s' if len(s) != 1 else ''}: {s[0]}..{s[-1]}")
    lines.append(f"  {spec.n_points} points (sweep key {spec.key})")
    return "\n".join(lines)


def cli_main(
    args: argparse.Namespace,
    *,
    load_model: Callable[[str], Mapping[str, Any]],
    point_fn: Callable | None = None,
    group_fn: Callable | None = None,
    validate: Callable[[dict], Any] | None = None,
    group_by: Sequence[str] | None = None,
    required: Sequence[str] = (),
    model: str | None = None,
    stream: TextIO | None = None,
) -> int:
    """Run ``neurodam sweep`` from parsed arguments (:func:`add_arguments`).

    Parameters
    ----------
    args : argparse.Namespace
    load_model : callable
        ``load_model(path) -> mapping`` of the model file's keys (no overrides applied).
    point_fn, group_fn : callable
        One of them, as in :func:`~neurodam.sweep.executors.run_sweep`.
    validate : callable, optional
        ``validate(params)`` raising ``TypeError``/``ValueError`` naming a bad parameter;
        called on every parameter set before anything runs.
    group_by, required : sequence of str
        As in :func:`~neurodam.sweep.executors.run_sweep`.
    model : str, optional
        Model name or kind hashed into the point keys.
    stream : text stream, optional
        Where the summary is printed (default ``sys.stdout``).

    Returns
    -------
    int
        0 when every point is done, 1 when some failed, 130 after Ctrl-C.

    Raises
    ------
    TypeError, ValueError, ConnectionError, FileNotFoundError, RuntimeError
        Bad input, detected before any simulation (the CLI prints the message).
    """
    stream = sys.stdout if stream is None else stream
    base = load_model(args.model)
    spec = make_spec(
        base,
        args.sets,
        seeds=args.seeds,
        seed_start=args.seed_start,
        validate=validate,
        model=model,
    )
    if args.dry_run:
        print(f"sweep of {args.model} into {args.out}:", file=stream)
        print(describe(spec), file=stream)
        return 0
    try:
        summary = run_sweep(
            spec,
            point_fn,
            args.out,
            group_fn=group_fn,
            group_by=group_by,
            workers=args.workers,
            scheduler=args.scheduler,
            required=required,
            retry_failed=not args.keep_failed,
            progress=not args.no_progress,
        )
    except KeyboardInterrupt:
        print(
            f"interrupted: finished points are kept in {args.out}; run the same command again "
            "to compute the rest",
            file=stream,
        )
        return 130
    print(
        f"{summary.n_points} points: {summary.n_done} done, {summary.n_failed} failed "
        f"({summary.n_run} computed now, {summary.n_skipped} already stored) "
        f"in {summary.wall_s:.1f} s; results in {summary.path}",
        file=stream,
    )
    if summary.n_failed:
        from neurodam.sweep.store import load

        df = load(summary.path)
        failed = df[df["status"] == "failed"]
        for _, row in failed.head(5).iterrows():
            where = ", ".join(f"{k}={row[k]!r}" for k, _ in spec.axes if k in row)
            print(f"  failed: {where} seed={row['seed']}: {row['error']}", file=stream)
        if len(failed) > 5:
            print(f"  ... and {len(failed) - 5} more (see the 'error' column)", file=stream)
        print("re-run the same command to retry the failed points", file=stream)
        return 1
    return 0
