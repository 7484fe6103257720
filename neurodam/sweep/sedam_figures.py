"""Figures of a SEDAM study: phase maps over (p, K) and the detail of chosen points.

phase_figures   Q_bar and, per kind of event, rate, mu, H(AJ), delta, CV over (p, K) with
                the complex window outlined (line plots against p when K is not swept)
point_figures   one chosen point re-simulated from its stored parameters: overlaps, raster
                and events; per kind the survival function and the walks' scaling

Every figure is written with :func:`neurodam.io.save_figure` (atomically).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np

from neurodam.sweep.sedam import KINDS

__all__ = ["phase_figures", "point_figures"]

#: (column suffix, label, vmin, vmax) of the panels per kind of event.
KIND_PANELS = (
    ("log10_rate", "log10 events per step", -4.0, 0.0),
    ("mu", "waiting-time mu", 1.0, 4.0),
    ("H_AJ", "H(AJ)", 0.3, 1.0),
    ("delta", "DEA delta", 0.3, 1.0),
    ("cv", "inter-event CV", 0.0, 3.0),
)
RETRIEVAL_PANELS = (
    ("Q_bar", "Q_bar", 0.0, 1.0),
    ("Q_sd", "sd of Q(t)", 0.0, None),
    ("memories_visited", "memories visited", 0.0, None),
    ("activity_mean", "mean activity (neurons)", None, None),
)


def _save(fig, path: Path, dpi: int) -> Path:
    from neurodam import io

    fig.tight_layout()
    return io.save_figure(fig, path, overwrite=True, close=True, dpi=dpi)


def _with_log_rates(df):
    df = df.copy()
    for kind in KINDS:
        rate = np.asarray(df[f"{kind}_rate"], dtype=float)
        with np.errstate(divide="ignore"):
            df[f"{kind}_log10_rate"] = np.where(rate > 0, np.log10(np.maximum(rate, 1e-300)), -4)
    return df


def _outline_window(ax, grid, window, kind: str, x: str, y: str, where: dict) -> None:
    """Rectangles around the window of each row y of a phase map (drawn in its cells)."""
    from matplotlib.patches import Rectangle

    from neurodam.sweep.report import _edges

    ys = list(grid.index)
    ye, y_numeric = _edges(ys)
    xe, _ = _edges(list(grid.columns))
    xs = np.asarray(grid.columns, dtype=float)
    w = window[window["kind"] == kind]
    for col, val in where.items():
        if col in w.columns:
            w = w[w[col] == val]
    for i, yv in enumerate(ys):
        r = w[w[y] == yv] if y in w.columns else w
        if not len(r) or not r["n_points"].iloc[0]:
            continue
        lo = xe[int(np.argmin(np.abs(xs - r["p_lo"].iloc[0])))]
        hi = xe[int(np.argmin(np.abs(xs - r["p_hi"].iloc[0]))) + 1]
        ax.add_patch(Rectangle((lo, ye[i]), hi - lo, ye[i + 1] - ye[i], fill=False,
                               ec="red", lw=1.5))  # fmt: skip


def _combos(df, extra: list[str]) -> list[dict]:
    if not extra:
        return [{}]
    values = [sorted(df[c].dropna().unique(), key=str) for c in extra]
    return [dict(zip(extra, v, strict=True)) for v in itertools.product(*values)]


def _suffix(where: dict) -> str:
    return "".join(f"_{k}-{v}" for k, v in where.items())


def _phase_panels(df, window, panels, kind, x, y, where, title):
    import matplotlib.pyplot as plt

    from neurodam.sweep import phase_grid, phase_map

    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.4))
    for ax, (col, label, vmin, vmax) in zip(np.ravel(axes), panels, strict=True):
        name = col if kind is None else f"{kind}_{col}"
        if name not in df.columns:
            ax.set_axis_off()
            continue
        phase_map(df, x, y, name, ax=ax, where=where, vmin=vmin, vmax=vmax, cmap="viridis")
        ax.set_title(label, fontsize=9)
        if kind is not None:
            grid = phase_grid(df, x, y, name, where=where)
            _outline_window(ax, grid, window, kind, x, y, where)
    fig.suptitle(title, fontsize=10)
    return fig


def _line_panels(df, window, panels, kind, x, where, title):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(4.0 * len(panels), 3.2))
    rows = df[df["status"] == "done"]
    for col, val in where.items():
        rows = rows[rows[col] == val]
    for ax, (col, label, _, _) in zip(np.ravel(axes), panels, strict=True):
        name = col if kind is None else f"{kind}_{col}"
        if name not in rows.columns:
            ax.set_axis_off()
            continue
        vals = rows[[x, name]].apply(lambda s: s.astype(float))
        g = vals.groupby(x)[name]
        m, s = g.mean(), g.std()
        ax.errorbar(m.index, m.to_numpy(), yerr=s.to_numpy(), fmt=".-", ms=4, lw=1, capsize=2)
        ax.set_xlabel(x)
        ax.set_title(label, fontsize=9)
        if kind is not None:
            w = window[window["kind"] == kind]
            if len(w) and w["n_points"].iloc[0]:
                step = w["grid_step"].iloc[0]
                step = 0.0 if not math.isfinite(step) else step
                ax.axvspan(w["p_lo"].iloc[0] - step / 2, w["p_hi"].iloc[0] + step / 2,
                           color="red", alpha=0.15, label="complex window")  # fmt: skip
                ax.legend(fontsize=7, frameon=False)
    fig.suptitle(title, fontsize=10)
    return fig


def phase_figures(df, window, out: Path, *, x: str = "noise", by=(), dpi: int = 90) -> list:
    """Write ``phase_retrieval*.png`` and ``phase_<kind>*.png``; returns the paths.

    With a swept ``K`` (the first of ``by``) the panels are phase maps over (x, K); other
    swept keys each get their own figures (file suffix ``_key-value``). Without one, the
    panels are seed means (error bars: sd over seeds) against x.
    """
    df = _with_log_rates(df)
    by = list(by)
    y = by[0] if by else None
    files = []
    for where in _combos(df, by[1:]):
        tag = _suffix(where)
        sets = [(None, RETRIEVAL_PANELS, "retrieval")] + [(k, KIND_PANELS, k) for k in KINDS]
        for kind, panels, name in sets:
            title = f"SEDAM {name}" + (f" ({', '.join(f'{k}={v}' for k, v in where.items())})"
                                       if where else "")  # fmt: skip
            if kind is not None:
                title += ": complex window outlined in red"
            if y is None:
                fig = _line_panels(df, window, panels, kind, x, where, title)
            else:
                fig = _phase_panels(df, window, panels, kind, x, y, where, title)
            files.append(_save(fig, out / f"phase_{name}{tag}.png", dpi))
    return files


# ------------------------------------------------------------------ chosen points
def _zoom(switch_times: np.ndarray, steps: int, width: int) -> tuple[int, int]:
    """A window of ``width`` steps around the median switch (the start when none)."""
    if switch_times.size == 0 or steps <= width:
        return 0, min(steps, width)
    mid = int(np.median(switch_times))
    a = int(np.clip(mid - width // 2, 0, steps - width))
    return a, a + width


def point_figures(path: Path, row, out: Path, *, dpi: int = 90) -> tuple[list, list]:
    """Re-simulate one stored point and draw it; returns (files, notes).

    Notes say when the re-simulated run differs from the stored result (a Brian2 backend
    on another machine, changed code), so that the figure is not mistaken for the point.
    """
    import matplotlib.pyplot as plt

    from neurodam.sweep.sedam import simulate_point
    from neurodam.sweep.sedam_analysis import (
        StudyAnalysis,
        kind_report,
        point_events,
        run_events,
    )
    from neurodam.sweep.store import SweepStore

    store = SweepStore.open(path)
    record = store.read_point(row["key"])
    params = record["params"]
    steps = int(params["steps"])
    n = int(row.get("n_neurons", 0) or 0)
    rec = ("overlaps", "activity") + (("states",) if steps * max(n, 1) <= 5e7 else ())
    run = simulate_point(params, record=rec)
    notes = []
    backend = str(params.get("backend", "reference"))
    why = (
        f" (Brian2 backend '{backend}': a replica batch shares one noise stream, so a single "
        "re-run is statistically equivalent to the stored point, not draw for draw)"
        if backend != "reference"
        else ""
    )
    if not np.isclose(run.Q_bar, float(row["Q_bar"]), rtol=0, atol=1e-9):
        notes.append(
            f"point {row['key']}: the re-simulated run has Q_bar = {run.Q_bar:.6f}, the stored "
            f"point {float(row['Q_bar']):.6f}: the figures show the new run{why}"
        )
    an = StudyAnalysis.from_mapping(params.get("analysis"))
    events = run_events(run, an, float(params["noise"]))[0]
    if record.get("events"):
        stored = point_events(path, row["key"])
        same = all(np.array_equal(stored[k].times, events[k].times) for k in stored)
        if not same:
            differ = "re-simulated events differ from the stored events"
            notes.append(f"point {row['key']}: {differ}{why}")
    K = run.n_patterns
    tag = f"K{K}_p{float(params['noise']):g}_s{row['seed']}"
    N = n or int(run.params.get("N", 0))
    head = f"SEDAM K={K}, N={N}, p={params['noise']}, seed {row['seed']}"

    fig, axes = plt.subplots(4, 1, figsize=(10, 9), gridspec_kw={"height_ratios": [1, 1, 1.3, 1]})
    t = run.times
    every = max(1, steps // 20000)
    Q = run.Q
    axes[0].plot(t[::every], Q[::every], "k-", lw=0.4)
    axes[0].set_ylabel("Q(t)")
    axes[0].set_title(f"{head}: {row['why']}", fontsize=9)
    sw = np.rint(np.asarray(events["switches"].times) / run.dt).astype(int) - 1
    a, b = _zoom(sw, steps, min(steps, 2000))
    axes[0].axvspan(t[a], t[b - 1], color="orange", alpha=0.3)
    order = np.argsort(-run.overlaps[a:b].mean(axis=0))[:6]
    for mu in order:
        axes[1].plot(t[a:b], run.overlaps[a:b, mu], lw=0.7, label=f"m{mu}")
    axes[1].set_ylabel("overlaps")
    axes[1].legend(fontsize=6, ncol=6, loc="lower right")
    if run.states is not None:
        axes[2].imshow((run.states[a:b] > 0).T, aspect="auto", cmap="Greys", interpolation="none",
                       extent=(t[a], t[b - 1], run.states.shape[1], 0))  # fmt: skip
        axes[2].set_ylabel("neuron (sigma=+1 black)")
    else:
        axes[2].text(0.5, 0.5, "raster not recorded (too long)", ha="center", va="center")
    act = run.activity[a:b]
    axes[3].plot(t[a:b], act, color="0.4", lw=0.6)
    lo, hi = act.min(), act.max()
    for i, (kind, c) in enumerate(zip(KINDS, ("C0", "C1", "C3"), strict=True)):
        ev = np.asarray(events[kind].times)
        ev = ev[(ev >= t[a]) & (ev <= t[b - 1])]
        y = hi + (i + 1) * 0.08 * max(hi - lo, 1)
        axes[3].plot(ev, np.full(ev.size, y), "|", color=c, ms=6, label=kind)
    axes[3].set_ylabel("activity A(t), events")
    axes[3].set_xlabel("time (s)")
    axes[3].legend(fontsize=7, ncol=3, loc="lower right")
    for ax in axes[1:]:
        ax.set_xlim(t[a], t[b - 1])
    files = [_save(fig, out / f"point_{tag}.png", dpi)]

    fig, axes = plt.subplots(len(KINDS), 3, figsize=(13, 3.4 * len(KINDS)))
    for k, kind in enumerate(KINDS):
        rep = kind_report(events[kind], an, seed=[int(row["seed"]), k])
        rep.plot(axes=axes[k])
        axes[k, 0].set_title(f"{kind}: {rep.n_events} events", fontsize=9)
    fig.suptitle(f"{head}: waiting times and scaling per kind of event", fontsize=10)
    files.append(_save(fig, out / f"point_{tag}_complexity.png", dpi))
    return files, notes
