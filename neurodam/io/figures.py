"""Figures written like data files: atomically, never clobbering an existing file by default.

:func:`save_figure` renders the figure into a temporary file in the target's folder and
renames it onto the target only when complete, so that an interrupted save (an
exception in a renderer, Ctrl-C) leaves neither a truncated image nor the temporary file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from neurodam.io._atomic import atomic_path

__all__ = ["save_figure"]


def save_figure(
    fig: Any,
    path: str | os.PathLike,
    overwrite: bool = False,
    *,
    close: bool = False,
    **savefig_kwargs: Any,
) -> Path:
    """Save a Matplotlib figure to ``path`` atomically, in the format of its suffix.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure. It stays open unless ``close=True``.
    path : path-like
        Target file; the suffix (``.png``, ``.pdf``, ``.svg``, ...) chooses the
        format and must be one the figure's canvas supports.
    overwrite : bool
        Replace an existing file (else ``FileExistsError``).
    close : bool
        Close the figure (``matplotlib.pyplot.close(fig)``) after saving, also when
        the save fails.
    **savefig_kwargs
        Passed to :meth:`matplotlib.figure.Figure.savefig` (``dpi``,
        ``bbox_inches``, ``transparent``, ...). A ``format`` must agree with the suffix.

    Returns
    -------
    pathlib.Path
        The written path.

    Raises
    ------
    TypeError
        ``fig`` is not a Matplotlib figure.
    ValueError
        The suffix is missing or not a format of the canvas (the message lists the
        supported ones), or ``format`` disagrees with it; ``path`` is a folder.
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    FileNotFoundError
        The folder of ``path`` does not exist.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from neurodam import io
    >>> fig, ax = plt.subplots()
    >>> io.save_figure(fig, "raster.png", dpi=120, close=True)  # doctest: +SKIP
    PosixPath('raster.png')
    """
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(f"fig: expected a matplotlib Figure, got {type(fig).__name__}")
    path = Path(path)
    try:
        suffix = path.suffix.lower().lstrip(".")
        supported = fig.canvas.get_supported_filetypes()
        if suffix not in supported:
            raise ValueError(
                f"path: cannot save a figure as {str(path)!r}: unknown suffix "
                f"{path.suffix or '(none)'!r}; supported suffixes: "
                f"{', '.join('.' + s for s in sorted(supported))}"
            )
        fmt = savefig_kwargs.pop("format", suffix)
        if str(fmt).lower() != suffix:
            raise ValueError(f"format: {fmt!r} disagrees with the suffix of {str(path)!r}")
        with atomic_path(path, overwrite=overwrite) as tmp:
            fig.savefig(tmp, format=suffix, **savefig_kwargs)
    finally:
        if close:
            import matplotlib.pyplot as plt

            plt.close(fig)
    return path
