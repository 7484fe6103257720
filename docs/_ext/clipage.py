"""Sphinx extension: the ``--help`` of every ``neurodam`` subcommand, at build time.

Writes ``guide/_generated/cli_help.md`` (git-ignored), included by ``guide/cli.md``, from
``neurodam.cli.build_parser()``: new subcommands appear without editing the docs.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def help_texts() -> list[tuple[str, str]]:
    """``[(subcommand, help text)]``, the main parser first."""
    from neurodam.cli import build_parser

    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal width
    try:
        parser = build_parser()
        parser.prog = "neurodam"
        out = [("neurodam", parser.format_help())]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    sub.prog = f"neurodam {name}"
                    out.append((f"neurodam {name}", sub.format_help()))
    finally:
        os.environ.pop("COLUMNS", None)
    return out


def write_cli_help(app) -> None:
    target = Path(app.srcdir) / "guide" / "_generated" / "cli_help.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    parts = []
    for name, text in help_texts():
        parts += [f"### `{name}`", "", "```text", text.rstrip(), "```", ""]
    text = "\n".join(parts)
    if not target.exists() or target.read_text() != text:
        target.write_text(text)


def setup(app):
    app.connect("builder-inited", write_cli_help)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
