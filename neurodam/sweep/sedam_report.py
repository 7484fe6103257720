"""The report of a SEDAM study: the complex window per K, phase maps, chosen points.

``neurodam report DIR`` runs :func:`report` on a sweep made by ``neurodam sweep``
(:mod:`neurodam.sweep.sedam`) and writes into ``DIR/report`` (or ``--out``):

``window.csv``, ``window.md``
    The complex window of every K and kind of event (:func:`complex_window`).
``summary.csv``, ``summary.md``
    Seed means and standard deviations of the headline indicators per parameter set.
``phase_retrieval.png``, ``phase_<kind>.png``
    Phase maps over (p, K) (line plots when only p is swept) of Q_bar, its spread and the
    memories visited; per kind of event the rate, mu, H(AJ), delta and CV, with the
    complex window outlined (:mod:`neurodam.sweep.sedam_figures`).
``point_<tag>.png``, ``point_<tag>_complexity.png``
    For chosen points (one per K: the middle of its window, see :func:`choose_points`):
    overlaps, raster and events of the re-simulated run, and per kind the survival
    function of the waiting times with its fit and the scaling of the three walks.
``report.md``
    What was written, the window table, and the sweep's size and command.

Complex window (Cafiso & Paradisi 2026; Paradisi et al. 2012)
---------------------------------------------------------------
A point is *complex* for a kind of event when its waiting-time index lies in the complex
range (``1 < mu < 3``: ``2 < mu < 3`` or ``1 < mu < 2``), its AJ walk is superdiffusive
(``H(AJ) > 0.5``) and the renewal test does not reject (shuffling the waiting times leaves
H and delta unchanged). A noise value is in the window of a K when more than half of its
seeds are complex. The window is the longest run of consecutive grid values in it; its
width is counted on the grid used (``n_points`` cells of ``grid_step``).
"""

from __future__ import annotations

import logging
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from neurodam._validate import check_choice, check_number
from neurodam.sweep.sedam import KINDS

log = logging.getLogger(__name__)

__all__ = ["MU_RANGES", "ReportSummary", "choose_points", "complex_window", "report"]

#: Waiting-time ranges of the complex window: ``"complex"`` is 1 < mu < 3.
MU_RANGES = {"complex": (1.0, 3.0), "2-3": (2.0, 3.0), "1-2": (1.0, 2.0)}
SUMMARY_COLUMNS = ["Q_bar", "Q_sd", "activity_mean", "memories_visited"] + [
    f"{k}_{c}" for k in KINDS for c in ("rate", "cv", "mu", "H_AJ", "H_SJ", "delta", "renewal")
]


def _numeric(series) -> np.ndarray:
    import pandas as pd

    return pd.to_numeric(series, errors="coerce").astype(float).to_numpy()


def point_is_complex(
    df, kind: str, *, mu_range: str = "complex", h_min: float = 0.5, renewal: bool = True
) -> np.ndarray:
    """Per row of ``df``: True where the ``kind`` events are complex (module docstring)."""
    lo, hi = MU_RANGES[check_choice(mu_range, "mu_range", tuple(MU_RANGES))]
    mu = _numeric(df[f"{kind}_mu"])
    h = _numeric(df[f"{kind}_H_AJ"])
    ok = (mu > lo) & (mu < hi) & (h > h_min)
    if renewal:
        ok &= np.array([v is True or v == 1.0 for v in df[f"{kind}_renewal"]], dtype=bool)
    return ok & (df["status"] == "done").to_numpy()


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index pairs of the runs of True."""
    d = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True))


def complex_window(
    df,
    *,
    x: str = "noise",
    by: Sequence[str] | None = None,
    kinds: Sequence[str] = KINDS,
    mu_range: str = "complex",
    h_min: float = 0.5,
    renewal: bool = True,
):
    """The complex window on the ``x`` grid for every group of ``by`` and kind of event.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`neurodam.sweep.load` of a SEDAM study.
    x : str
        The swept noise column.
    by : sequence of str, optional
        Grouping columns (default: the other swept parameters, e.g. ``["K"]``).
    kinds : sequence of str
        Kinds of events (:data:`~neurodam.sweep.sedam.KINDS`).
    mu_range : {"complex", "2-3", "1-2"}
        Waiting-time range of a complex point (:data:`MU_RANGES`).
    h_min : float
        H(AJ) must exceed this (0.5: superdiffusive).
    renewal : bool
        Require the renewal test to pass (True where it ran and did not reject).

    Returns
    -------
    pandas.DataFrame
        One row per group and kind: the ``by`` columns, ``kind``, ``p_lo``, ``p_hi`` (the
        longest run of consecutive grid values in the window; NaN when empty),
        ``n_points`` (its grid values), ``grid_step``, ``width`` (``n_points * grid_step``,
        the interval's width on this grid), ``n_in_window`` (grid values in the window, all
        runs), ``runs``, ``mu``, ``H_AJ``, ``H_SJ`` (means over the window's complex
        points), ``branch`` (``"2<mu<3"``, ``"1<mu<2"`` or ``"both"``) and ``seeds`` (seeds
        per grid value).
    """
    import pandas as pd

    h_min = check_number(h_min, "h_min")
    if x not in df.columns:
        raise ValueError(f"x: no column {x!r} in the sweep")
    if by is None:
        by = [c for c in df.attrs.get("swept", []) if c != x]
    by = [by] if isinstance(by, str) else list(by)
    rows = []
    groups = df.groupby(by, sort=True, dropna=False) if by else [((), df)]
    for gkey, g in groups:
        gkey = gkey if isinstance(gkey, tuple) else (gkey,)
        grid = np.array(sorted(g[x].dropna().unique()), dtype=float)
        step = float(np.median(np.diff(grid))) if grid.size > 1 else math.nan
        for kind in kinds:
            flags = point_is_complex(g, kind, mu_range=mu_range, h_min=h_min, renewal=renewal)
            done = (g["status"] == "done").to_numpy()
            xs = g[x].to_numpy(dtype=float)
            frac = np.array(
                [flags[xs == v].sum() / max(done[xs == v].sum(), 1) for v in grid], dtype=float
            )
            inside = frac > 0.5
            runs = _runs(inside)
            row = dict(zip(by, gkey, strict=True))
            row.update(kind=kind, p_lo=math.nan, p_hi=math.nan, n_points=0, grid_step=step)
            row.update(width=0.0, n_in_window=int(inside.sum()), runs=len(runs))
            row.update(mu=math.nan, H_AJ=math.nan, H_SJ=math.nan, branch="")
            row["seeds"] = int(np.median([done[xs == v].sum() for v in grid])) if grid.size else 0
            if runs:
                a, b = max(runs, key=lambda r: r[1] - r[0])
                sel = flags & (xs >= grid[a]) & (xs <= grid[b - 1])
                mu = _numeric(g.loc[sel, f"{kind}_mu"])
                row.update(p_lo=grid[a], p_hi=grid[b - 1], n_points=int(b - a))
                row["width"] = (b - a) * step if math.isfinite(step) else 0.0
                row["mu"] = float(np.mean(mu))
                row["H_AJ"] = float(np.mean(_numeric(g.loc[sel, f"{kind}_H_AJ"])))
                row["H_SJ"] = float(np.nanmean(_numeric(g.loc[sel, f"{kind}_H_SJ"])))
                hi2, lo2 = bool((mu > 2).any()), bool((mu < 2).any())
                row["branch"] = "both" if hi2 and lo2 else ("2<mu<3" if hi2 else "1<mu<2")
            rows.append(row)
    return pd.DataFrame(rows)


def choose_points(df, window, *, x: str = "noise", by: Sequence[str] | None = None) -> list:
    """One point per group of ``by`` to draw in detail: the middle of its window.

    The window of ``switches`` is preferred, then ``transitions``, then ``coincidences``;
    without any window, the first noise value with at least 50 memory switches (the onset
    of switching), else the middle of the grid. The point of the lowest seed is taken.
    Returns the chosen rows of ``df`` (pandas Series) with ``why`` set.
    """
    if by is None:
        by = [c for c in df.attrs.get("swept", []) if c != x]
    done = df[df["status"] == "done"]
    chosen = []
    groups = done.groupby(by, sort=True, dropna=False) if by else [((), done)]
    for gkey, g in groups:
        gkey = gkey if isinstance(gkey, tuple) else (gkey,)
        grid = np.array(sorted(g[x].unique()), dtype=float)
        target, why = None, ""
        for kind in ("switches", "transitions", "coincidences"):
            w = window[window["kind"] == kind]
            for col, val in zip(by, gkey, strict=True):
                w = w[w[col] == val]
            if len(w) and w["n_points"].iloc[0] > 0:
                lo, hi = w["p_lo"].iloc[0], w["p_hi"].iloc[0]
                target, why = (lo + hi) / 2, f"middle of the {kind} window"
                break
        if target is None:
            n = g.groupby(x)["switches_n"].mean()
            onset = n[n >= 50]
            if len(onset):
                target, why = float(onset.index.min()), "onset of memory switching"
            else:
                target, why = float(grid[grid.size // 2]), "middle of the grid"
        p = grid[np.argmin(np.abs(grid - target))]
        row = g[g[x] == p].sort_values("seed").iloc[0].copy()
        row["why"] = why
        chosen.append(row)
    return chosen


@dataclass
class ReportSummary:
    """What :func:`report` wrote: ``files``, the ``window`` table and ``messages``."""

    out: Path
    files: list = field(default_factory=list)
    window: Any = None
    messages: list = field(default_factory=list)
    n_failed: int = 0
    n_pending: int = 0


def _status(df, stream: TextIO) -> tuple[int, int, list[str]]:
    msgs = []
    failed = df[df["status"] == "failed"]
    pending = df[df["status"] == "pending"]
    if len(failed):
        msgs.append(
            f"{len(failed)} of {len(df)} points failed (re-run the sweep command to retry "
            "them); the report shows the finished points only"
        )
        for _, row in failed.head(3).iterrows():
            msgs.append(f"  failed: noise={row.get('noise')!r} seed={row['seed']}: {row['error']}")
    if len(pending):
        msgs.append(
            f"{len(pending)} of {len(df)} points are not computed yet (run the sweep command "
            "again to finish it)"
        )
    for m in msgs:
        print(m, file=stream)
    return len(failed), len(pending), msgs


def report(
    path: str | os.PathLike,
    out: str | os.PathLike | None = None,
    *,
    points: str | int = "auto",
    dpi: int = 90,
    stream: TextIO | None = None,
) -> ReportSummary:
    """Figures and tables of a SEDAM study (see the module docstring for the files).

    Parameters
    ----------
    path : path-like
        The sweep folder (``neurodam sweep ... --out DIR``).
    out : path-like, optional
        Where to write (default ``DIR/report``).
    points : "auto", "none" or int
        Chosen points to re-simulate and draw: one per K (``"auto"``), none, or at most
        this many.
    dpi : int
        Resolution of the PNG figures.
    stream : text stream, optional
        Where the lines saying what was written go (default ``sys.stdout``).

    Raises
    ------
    ValueError
        ``path`` is not a sweep folder, or no point of it is finished.
    """
    import matplotlib

    matplotlib.use("Agg")
    from neurodam.sweep import markdown, table
    from neurodam.sweep import sedam_figures as figs
    from neurodam.sweep.store import load

    stream = sys.stdout if stream is None else stream
    df = load(path, include_pending=True)
    if not (df["status"] == "done").any():
        raise ValueError(f"path: the sweep in {path} has no finished point to report")
    for col in ("Q_bar", "switches_mu"):
        if col not in df.columns:
            raise ValueError(f"path: {path} is not a SEDAM study sweep (no column {col!r})")
    out = Path(path) / "report" if out is None else Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = ReportSummary(out=out)
    summary.n_failed, summary.n_pending, summary.messages = _status(df, stream)
    df = df[df["status"] != "pending"]
    swept = [c for c in df.attrs.get("swept", [])]
    x = "noise"
    by = [c for c in swept if c != x]
    window = complex_window(df, x=x, by=by)
    summary.window = window
    table(window, [out / "window.csv", out / "window.md"], summary=False)
    cols = [c for c in SUMMARY_COLUMNS if c in df.columns]
    table(df, [out / "summary.csv", out / "summary.md"], by=swept or None, columns=cols)
    summary.files += [out / n for n in ("window.csv", "window.md", "summary.csv", "summary.md")]
    summary.files += figs.phase_figures(df, window, out, x=x, by=by, dpi=dpi)
    chosen = choose_points(df, window, x=x, by=by)
    if points == "none":
        chosen = []
    elif points != "auto":
        chosen = chosen[: int(points)]
    for row in chosen:
        files, notes = figs.point_figures(Path(path), row, out, dpi=dpi)
        summary.files += files
        summary.messages += notes
        for n in notes:
            print(n, file=stream)
    text = _report_md(df, window, summary, chosen, markdown)
    (out / "report.md").write_text(text, encoding="utf-8")
    summary.files.append(out / "report.md")
    for f in summary.files:
        print(f"wrote         {f}", file=stream)
    return summary


def _report_md(df, window, summary: ReportSummary, chosen, markdown) -> str:
    spec = df.attrs.get("spec", {})
    sets = spec.get("spec", {}).get("sets", [])
    seeds = spec.get("spec", {}).get("seeds", [])
    lines = [
        "# SEDAM temporal-complexity study",
        "",
        f"{int((df['status'] == 'done').sum())} points done, {summary.n_failed} failed, "
        f"{summary.n_pending} pending; grid: {'; '.join(sets) or '(no --set)'}; "
        f"{len(seeds)} seed(s).",
        "",
        "## Complex window per K and kind of event",
        "",
        "A noise value is in the window when most of its seeds have 1 < mu < 3, H(AJ) > 0.5 "
        "and a renewal test that does not reject; `p_lo`..`p_hi` is the longest run of such "
        "grid values, `width` its width on this grid.",
        "",
        markdown(window, ".3g"),
    ]
    if summary.messages:
        lines += ["## Notes", ""] + [f"- {m.strip()}" for m in summary.messages] + [""]
    lines += ["## Files", ""] + [f"- `{Path(f).name}`" for f in summary.files] + [""]
    if chosen:
        lines += ["## Chosen points", ""]
        for row in chosen:
            lines.append(
                f"- K={row.get('K')}, p={row['noise']}, seed {row['seed']}: {row['why']} "
                f"(key {row['key']})"
            )
    return "\n".join(lines) + "\n"
