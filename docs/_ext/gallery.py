"""Sphinx extension: the notebook gallery, the notebooks of ``notebooks/`` rendered.

On ``builder-inited`` every ``notebooks/*.ipynb`` is copied to ``docs/gallery/_generated/``
(git-ignored), which myst-nb renders (myst-nb itself never executes:
``nb_execution_mode = "off"``). ``gallery_mode``:

``"off"`` (default)
    copy the notebooks as stored; the test suite executes them (``make test``), the docs
    build does not.
``"cache"``
    execute each notebook with nbclient in its own folder (as the test suite runs them, so
    relative paths such as ``../data`` work) and render it with its outputs; executions are
    cached in ``gallery_cache`` by a hash of the notebook's code cells and kernel, as
    myst-nb's ``cache`` mode does, so a notebook runs again only when its code changed.
``"force"``
    execute every notebook.

A cell that raises fails the build (the error is a Sphinx warning).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from sphinx.util import logging

log = logging.getLogger(__name__)


def code_hash(nb_path: Path) -> str:
    """Hash of what determines a notebook's outputs: its code cells and kernel."""
    nb = json.loads(nb_path.read_text())
    cells = ["".join(c.get("source", "")) for c in nb.get("cells", [])]
    kinds = [c.get("cell_type") for c in nb.get("cells", [])]
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name", "")
    payload = json.dumps([kernel, [s for s, k in zip(cells, kinds, strict=True) if k == "code"]])
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def execute(nb_path: Path, timeout: int) -> tuple[object, float]:
    """Run a notebook in its folder; returns the executed notebook and the seconds taken."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(nb_path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(nb_path.parent)}},
        allow_errors=False,
    )
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start


def build_gallery(app) -> None:
    import nbformat

    cfg = app.config
    source = Path(cfg.gallery_notebooks)
    out = Path(app.srcdir) / "gallery" / "_generated"
    cache = Path(cfg.gallery_cache)
    out.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    notebooks = sorted(source.glob("*.ipynb"))
    wanted = {nb.name for nb in notebooks}
    for stale in out.glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink()
    for nb_path in notebooks:
        target = out / nb_path.name
        if cfg.gallery_mode == "off":
            nb = nbformat.read(nb_path, as_version=4)
            _write(nb, target, nbformat)
            continue
        key = code_hash(nb_path)
        cached = cache / f"{nb_path.stem}-{key}.ipynb"
        if cfg.gallery_mode != "force" and cached.is_file():
            executed = nbformat.read(cached, as_version=4)
            fresh = nbformat.read(nb_path, as_version=4)
            _copy_markdown(fresh, executed)  # prose edits need no execution
            _write(executed, target, nbformat)
            continue
        log.info(f"[gallery] executing {nb_path.name} ...")
        try:
            nb, seconds = execute(nb_path, cfg.gallery_timeout)
        except Exception as exc:
            log.warning(f"[gallery] {nb_path.name} failed: {type(exc).__name__}: {exc}")
            nb = nbformat.read(nb_path, as_version=4)
            _write(nb, target, nbformat)
            continue
        log.info(f"[gallery] {nb_path.name}: {seconds:.1f} s")
        nb.metadata["neurodam_execution_seconds"] = round(seconds, 1)
        for old in cache.glob(f"{nb_path.stem}-*.ipynb"):
            old.unlink()
        nbformat.write(nb, cached)
        _write(nb, target, nbformat)


def _copy_markdown(fresh, executed) -> None:
    for new, old in zip(fresh.cells, executed.cells, strict=False):
        if new.cell_type == old.cell_type == "markdown":
            old.source = new.source


def _write(nb, target: Path, nbformat) -> None:
    text = nbformat.writes(nb)
    if not target.exists() or target.read_text() != text:
        tmp = target.with_suffix(".tmp")
        tmp.write_text(text)
        os.replace(tmp, target)


def setup(app):
    app.add_config_value("gallery_notebooks", "../notebooks", "env")
    app.add_config_value("gallery_mode", "off", "env")
    app.add_config_value("gallery_timeout", 900, "env")
    app.add_config_value("gallery_cache", "_build/.notebooks", "env")
    app.connect("builder-inited", build_gallery)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
