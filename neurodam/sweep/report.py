"""Generic figures and tables of a sweep (a DataFrame from :func:`neurodam.sweep.load`).

Functions
---------
summarise    seed statistics (mean, std, counts) per parameter set
table        :func:`summarise` (or the raw rows) written as CSV and/or Markdown
phase_grid   the seed-average of one column on the grid of two swept keys (a DataFrame)
phase_map    :func:`phase_grid` drawn as a colour map (matplotlib)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from neurodam.io._atomic import atomic_path
from neurodam.sweep.store import RESERVED

__all__ = ["markdown", "phase_grid", "phase_map", "summarise", "table"]


def _params(df) -> list[str]:
    params = df.attrs.get("params")
    if params is None:
        raise ValueError("df: expected a DataFrame from neurodam.sweep.load (no attrs['params'])")
    return list(params)


def _result_columns(df) -> list[str]:
    skip = set(_params(df)) | set(RESERVED)
    return [
        c
        for c in df.columns
        if c not in skip
        and not c.startswith("time_")
        and (df[c].dtype.kind in "biuf" or df[c].dropna().map(_is_number).all())
    ]


def _is_number(v: Any) -> bool:
    return isinstance(v, bool | int | float | np.number)


def _check_columns(df, names: Sequence[str], arg: str) -> None:
    for name in names:
        if name not in df.columns:
            raise ValueError(
                f"{arg}: no column {name!r}; columns: {', '.join(map(str, df.columns))}"
            )


def _filter(df, where: Mapping[str, Any] | None):
    if not where:
        return df
    _check_columns(df, list(where), "where")
    mask = np.ones(len(df), dtype=bool)
    for col, value in where.items():
        mask &= (df[col] == value).to_numpy()
    return df[mask]


def summarise(df, by: Sequence[str] | None = None, columns: Sequence[str] | None = None):
    """Mean and standard deviation over seeds per parameter set, with counts.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`neurodam.sweep.load`.
    by : sequence of str, optional
        Grouping columns; default: the swept keys (``df.attrs["swept"]``), or all parameter
        columns that vary.
    columns : sequence of str, optional
        Columns to summarise; default: every numeric or boolean result column (booleans
        average to the fraction of seeds where they hold).

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``n_done``, ``n_failed``, then ``<col>`` (mean over the points
        with status ``"done"``) and ``<col>_std`` (sample standard deviation, NaN for one
        seed) for each column.
    """
    import pandas as pd

    params = _params(df)
    if by is None:
        by = list(df.attrs.get("swept") or [p for p in params if df[p].nunique(dropna=False) > 1])
    by = [by] if isinstance(by, str) else list(by)
    _check_columns(df, by, "by")
    columns = _result_columns(df) if columns is None else list(columns)
    _check_columns(df, columns, "columns")
    done = df[df["status"] == "done"]
    values = done[columns].apply(pd.to_numeric, errors="coerce").astype(float)
    if not by:
        means, stds = values.mean().to_frame().T, values.std(ddof=1).to_frame().T
        counts = pd.DataFrame(
            {"n_done": [len(done)], "n_failed": [int((df["status"] == "failed").sum())]}
        )
        out = pd.concat([counts, means], axis=1)
        for c in columns:
            out[f"{c}_std"] = stds[c].to_numpy()
        return out
    keys = done[by]
    grouped = pd.concat([keys, values], axis=1).groupby(by, sort=True, dropna=False)
    means, stds = grouped.mean(), grouped.std(ddof=1)
    status = df.groupby(by, sort=True, dropna=False)["status"]
    counts = pd.DataFrame(
        {
            "n_done": status.apply(lambda s: int((s == "done").sum())),
            "n_failed": status.apply(lambda s: int((s == "failed").sum())),
        }
    )
    out = counts.join(means, how="left")
    for c in columns:
        out[f"{c}_std"] = stds[c].reindex(out.index)
    order = ["n_done", "n_failed"] + [x for c in columns for x in (c, f"{c}_std")]
    return out[order].reset_index()


def markdown(frame, float_format: str = ".4g") -> str:
    """A DataFrame as a GitHub Markdown table (floats with ``float_format``, NaN empty)."""

    def fmt(v: Any) -> str:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, float | np.floating):
            return format(float(v), float_format)
        return str(v).replace("|", "\\|")

    head = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(fmt(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def table(
    df,
    path: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
    *,
    by: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
    summary: bool = True,
    float_format: str = ".4g",
):
    """Write a sweep's table as CSV and/or Markdown (chosen by each path's suffix).

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`neurodam.sweep.load`.
    path : path-like or sequence of them, optional
        ``.csv`` (full precision) and/or ``.md`` (``float_format``) files; written
        atomically, replacing existing files. None: only return the table.
    by, columns : sequence of str, optional
        As in :func:`summarise`; with ``summary=False``, ``columns`` selects the raw columns.
    summary : bool
        Seed statistics per parameter set (default), or the rows as they are.
    float_format : str
        Format spec of floats in Markdown.

    Returns
    -------
    pandas.DataFrame
        The table written.
    """
    if summary:
        frame = summarise(df, by=by, columns=columns)
    else:
        if columns is not None:
            _check_columns(df, list(columns), "columns")
        frame = df if columns is None else df[list(columns)]
    paths = [] if path is None else [path] if isinstance(path, str | os.PathLike) else list(path)
    for p in paths:
        p = Path(p)
        if p.suffix.lower() not in (".csv", ".md"):
            raise ValueError(f"path: expected a .csv or .md file name, got {str(p)!r}")
    for p in map(Path, paths):
        with atomic_path(p, overwrite=True) as tmp:
            if p.suffix.lower() == ".csv":
                frame.to_csv(tmp, index=False)
            else:
                tmp.write_text(markdown(frame, float_format), encoding="utf-8")
    return frame


def phase_grid(
    df,
    x: str,
    y: str,
    value: str,
    *,
    agg: str | Callable = "mean",
    where: Mapping[str, Any] | None = None,
):
    """``value`` aggregated over seeds (points with status ``"done"``) on the (x, y) grid.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`neurodam.sweep.load`.
    x, y : str
        Two parameter columns (e.g. ``"noise"`` and ``"K"``).
    value : str
        A numeric or boolean column (e.g. ``"Q_bar"``, ``"switches_mu"``).
    agg : str or callable
        Aggregation over seeds (``"mean"``, ``"median"``, ``"std"``, ...).
    where : mapping, optional
        ``{column: value}`` filters, needed when another parameter varies in ``df``.

    Returns
    -------
    pandas.DataFrame
        Index: sorted ``y`` values; columns: sorted ``x`` values; NaN where no point is done.

    Raises
    ------
    ValueError
        An unknown column, or a parameter other than x and y that varies (its points would
        be averaged together); the message names it.
    """
    import pandas as pd

    _check_columns(df, [x, y, value], "phase_grid")
    if x == y:
        raise ValueError(f"y: expected a column other than x, got {y!r} twice")
    rows = _filter(df, where)
    for p in _params(df):
        if p not in (x, y) and rows[p].nunique(dropna=False) > 1:
            raise ValueError(
                f"where: parameter {p!r} takes {rows[p].nunique(dropna=False)} values in these "
                f"rows; choose one with where={{{p!r}: ...}}"
            )
    done = rows[rows["status"] == "done"]
    vals = pd.to_numeric(done[value], errors="coerce").astype(float)
    frame = pd.DataFrame({x: done[x], y: done[y], value: vals})
    grid = frame.groupby([y, x])[value].agg(agg).unstack(x)
    xs = sorted(rows[x].dropna().unique())
    ys = sorted(rows[y].dropna().unique())
    return grid.reindex(index=ys, columns=xs)


def _edges(values: Sequence) -> tuple[np.ndarray, bool]:
    """Cell edges on a uniform numeric axis (True), or index edges for a categorical one.

    Two values (e.g. K = 10, 50) are shown as categories: a "uniform" axis of two cells
    would stretch them over values that were never run.
    """
    v = np.asarray(values)
    if v.dtype.kind in "iuf" and len(v) >= 3:
        d = np.diff(v.astype(float))
        if np.all(d > 0) and np.allclose(d, d[0], rtol=1e-6):
            return np.concatenate([v - d[0] / 2, [v[-1] + d[0] / 2]]).astype(float), True
    if v.dtype.kind in "iuf" and len(v) == 1:
        return np.array([float(v[0]) - 0.5, float(v[0]) + 0.5]), True
    return np.arange(len(v) + 1) - 0.5, False


def phase_map(
    df,
    x: str,
    y: str,
    value: str,
    ax=None,
    *,
    agg: str | Callable = "mean",
    where: Mapping[str, Any] | None = None,
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = True,
):
    """Colour map of ``value`` (aggregated over seeds) over two swept keys.

    A uniformly spaced numeric axis (e.g. noise 0, 0.01, ..., 0.5) is drawn at its values;
    any other axis (e.g. K = 1, 2, 5, 10, 20, 50, or pattern names) as equal cells labelled
    with the values. Grid cells without a finished point are left blank.

    Parameters
    ----------
    df, x, y, value, agg, where
        As in :func:`phase_grid`.
    ax : matplotlib Axes, optional
        Drawn into a new figure when None.
    cmap, vmin, vmax : optional
        Colour map and limits.
    colorbar : bool
        Add a colour bar labelled ``value``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    grid = phase_grid(df, x, y, value, agg=agg, where=where)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    xe, x_numeric = _edges(list(grid.columns))
    ye, y_numeric = _edges(list(grid.index))
    data = np.ma.masked_invalid(grid.to_numpy(dtype=float))
    mesh = ax.pcolormesh(xe, ye, data, cmap=cmap, vmin=vmin, vmax=vmax, shading="flat")
    for axis, numeric, labels in (
        (ax.xaxis, x_numeric, grid.columns),
        (ax.yaxis, y_numeric, grid.index),
    ):
        if not numeric:
            step = max(1, len(labels) // 12)
            axis.set_ticks(np.arange(0, len(labels), step))
            axis.set_ticklabels([str(v) for v in list(labels)[::step]])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    rows = _filter(df, where)
    n_seeds = rows.loc[rows["status"] == "done", "seed"].nunique() if "seed" in df.columns else 0
    ax.set_title(f"{value} ({agg if isinstance(agg, str) else 'aggregate'} of {n_seeds} seeds)")
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=value)
    return ax
