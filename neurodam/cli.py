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

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )
    try:
        return int(args.func(args) or 0)
    except (ValueError, OSError, ImportError) as exc:  # OSError: missing, existing, denied
        print(f"neurodam {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
