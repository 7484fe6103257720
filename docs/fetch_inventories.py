"""Download the intersphinx inventories into ``docs/_inventories/`` (needs the network).

The documentation build never uses the network: ``docs/conf.py`` links to Python, numpy,
scipy, matplotlib, Brian2, Neo and PyNWB only from the inventories found in
``docs/_inventories/<name>.inv`` (or fetches them when ``NEURODAM_DOCS_INTERSPHINX=1``).
Run this script once, with the network, and commit the ``.inv`` files to ship them::

    python docs/fetch_inventories.py            # every project
    python docs/fetch_inventories.py numpy neo  # some
"""

from __future__ import annotations

import sys
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent


def sites() -> dict[str, str]:
    """The ``{name: base URL}`` of ``docs/conf.py`` (read from its ``_SITES``)."""
    namespace: dict = {}
    source = (HERE / "conf.py").read_text()
    start = source.index("_SITES = {")
    end = source.index("}", start) + 1
    exec(source[start:end], namespace)  # a literal dict of strings
    return namespace["_SITES"]


def main(names: list[str]) -> int:
    """Fetch ``<url>/objects.inv`` for each name (all when empty); returns the exit code."""
    known = sites()
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"unknown: {', '.join(unknown)} (known: {', '.join(known)})", file=sys.stderr)
        return 2
    out = HERE / "_inventories"
    out.mkdir(exist_ok=True)
    failed = 0
    for name in names or list(known):
        url = f"{known[name]}/objects.inv"
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                data = response.read()
        except OSError as exc:
            print(f"{name}: {url}: {exc}", file=sys.stderr)
            failed += 1
            continue
        (out / f"{name}.inv").write_bytes(data)
        print(f"{name}: {len(data)} bytes from {url}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
