"""Matplotlib figures: rasters, avalanche distributions, scaling plots, overlaps.

Every function takes the data (a result object or arrays) and an optional
``ax`` (or ``axes``), draws on it, and returns the axes; it never calls
``plt.show()``. matplotlib is imported lazily inside each function.
"""

from __future__ import annotations


# --------------------------------------------- avalanches (issue 3)
def avalanche_distributions(av, fits=None, ax=None):
    """Size and duration distributions (CCDF, log-log) with their power-law fits.

    Parameters
    ----------
    av : neurodam.analysis.Avalanches
    fits : (PowerLawFit, PowerLawFit), Crackling or None
        Size and duration fits; None fits both with ``fit_power_law``. Each fit is
        drawn over its range, scaled to the fraction of avalanches in it.
    ax : pair of Axes, optional
        Axes for sizes and durations (a new 1x2 figure if None).

    Returns
    -------
    array of two Axes
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from neurodam.analysis import fit_power_law, survival

    if fits is None:
        fits = (fit_power_law(av.sizes), fit_power_law(av.durations))
    elif hasattr(fits, "size_fit"):
        fits = (fits.size_fit, fits.duration_fit)
    if ax is None:
        _, ax = plt.subplots(1, 2, figsize=(9, 3.6))
    axes = np.ravel(ax)
    for a, data, fit, label, sym in zip(
        axes,
        (av.sizes, av.durations),
        fits,
        ("size S (spikes)", "duration T (bins)"),
        ("tau", "alpha"),
        strict=True,
    ):
        u, cc = survival(data)  # P(X >= x) at each distinct value
        a.loglog(u, cc, ".", ms=3, color="0.3", label=f"data ({len(data)} avalanches)")
        hi = u.max() if fit.xmax is None else fit.xmax
        xs = (
            np.unique(np.round(np.geomspace(fit.xmin, hi, 200)))
            if fit.discrete
            else (np.geomspace(fit.xmin, hi, 200))
        )
        frac = fit.n_tail / len(data)
        a.loglog(
            xs,
            frac * fit.ccdf(xs),
            "r-",
            lw=1.5,
            label=f"{sym} = {fit.alpha:.2f} ± {fit.alpha_se:.2f}, x ≥ {fit.xmin:g}",
        )
        a.axvline(fit.xmin, color="r", ls=":", lw=0.8)
        a.set_xlabel(label)
        a.set_ylabel("P(X ≥ x)")
        a.legend(fontsize=8, frameon=False)
    return axes


def size_vs_duration(crackling, ax=None):
    """Mean size <S>(T) against duration with the fitted and the predicted exponent.

    Parameters
    ----------
    crackling : neurodam.analysis.Crackling
    ax : Axes, optional
    """
    import matplotlib.pyplot as plt
    import numpy as np

    c = crackling
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3.6))
    ax.loglog(c.T, c.mean_size, ".", ms=4, color="0.3", label="<S>(T)")
    if np.isfinite(c.gamma):
        lo, hi = c.gamma_range
        T = np.geomspace(lo, hi, 50)
        fitted = np.exp(c.intercept) * T**c.gamma
        ax.loglog(T, fitted, "r-", lw=1.5, label=f"fit γ = {c.gamma:.2f} ± {c.gamma_se:.2f}")
        # the prediction through the same middle point, for comparing slopes
        mid = np.sqrt(lo * hi)
        pred = np.exp(c.intercept) * mid**c.gamma * (T / mid) ** c.predicted
        ax.loglog(
            T, pred, "b--", lw=1.2, label=f"(α-1)/(τ-1) = {c.predicted:.2f} ± {c.predicted_se:.2f}"
        )
    ax.set_xlabel("duration T (bins)")
    ax.set_ylabel("mean size <S> (spikes)")
    ax.legend(fontsize=8, frameon=False)
    return ax


def raster_with_avalanches(spikes, av, ax=None, window=None):
    """Raster plot with the avalanche spans shaded.

    Parameters
    ----------
    spikes : SpikeTrains
    av : neurodam.analysis.Avalanches
    ax : Axes, optional
    window : (t0, t1), optional
        Time window to show (default: the whole recording; long recordings are
        easier to read in a window of a few seconds).
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    st = spikes if window is None else spikes.select(t_start=window[0], t_stop=window[1])
    t0, t1 = st.t_start, st.t_stop
    keep = (av.end_times > t0) & (av.start_times < t1)
    spans = np.column_stack([av.start_times[keep], (av.end_times - av.start_times)[keep]])
    ax.broken_barh(spans, (-0.5, max(st.n_neurons, 1)), facecolors="tab:orange", alpha=0.3, lw=0)
    st.raster_plot(ax=ax)
    ax.set_xlim(t0, t1)
    ax.set_title(f"{int(keep.sum())} avalanches (bin {av.bin_width * 1e3:.3g} ms)", fontsize=9)
    return ax


# ------------------------------------------------------- temporal complexity
def complexity_report(eddis_result, dea=None, waiting=None, axes=None, title=None):
    """Temporal-complexity figure: survival function with its fit, F(l) of the three
    EDDiS rules, and the diffusion entropy S(l).

    Parameters
    ----------
    eddis_result : neurodam.analysis.EddisResult
        From :func:`neurodam.analysis.eddis_all`.
    dea : ScalingFit, optional
        From :func:`neurodam.analysis.diffusion_entropy` (panel left empty when None).
    waiting : WaitingTimeFit, optional
        Default ``eddis_result.waiting`` (panel left empty when both are None).
    axes : three Axes, optional
        A new 1x3 figure when None.
    title : str, optional
        Figure title.

    Returns
    -------
    array of three Axes
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    axes = np.ravel(axes)
    waiting = waiting if waiting is not None else eddis_result.waiting
    if waiting is not None and waiting.waiting_times.size:
        waiting.plot(ax=axes[0])
    else:  # no fit, or a fit read back without its waiting times
        axes[0].set_axis_off()
        if waiting is not None:
            axes[0].text(
                0.5,
                0.5,
                f"mu = {waiting.mu:.2f} ± {waiting.mu_err:.2f}\n(waiting times not stored)",
                ha="center",
                va="center",
                transform=axes[0].transAxes,
            )
    for fit, rule in zip(
        (eddis_result.aj, eddis_result.ajl, eddis_result.sj), ("AJ", "AJL", "SJ"), strict=True
    ):
        fit.plot(ax=axes[1], label=rule)
    axes[1].set_xlabel("window l (s)")
    axes[1].set_ylabel("DFA F(l)")
    mu, branch = eddis_result.mu, eddis_result.branch
    agree = "consistent" if eddis_result.consistent else "estimates disagree"
    head = f"mu = {mu:.2f} +- {eddis_result.mu_se:.2f}, " if mu == mu else ""
    axes[1].set_title(f"EDDiS: {head}{branch} ({agree})", fontsize=9)
    if dea is not None:
        dea.plot(ax=axes[2], label="DEA")
        axes[2].set_xlabel("window l (s)")
        axes[2].set_ylabel("entropy S(l)")
    else:
        axes[2].set_axis_off()
    if title:
        axes[0].figure.suptitle(title, fontsize=10)
    return axes
