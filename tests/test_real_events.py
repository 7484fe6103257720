"""The event analysis on real retinal-wave recordings (issue 3).

Skipped when ../shared/data/retinal-waves is absent. Retinal waves are bursty,
not critical by construction, so nothing here asserts a power law: the checks
are invariants that must hold on any recording (every spike in exactly one
avalanche at threshold 0, coarser bins merge avalanches, births/deaths match
the avalanches) and an independent implementation (the ``powerlaw`` package)
on real data.
"""

import warnings

import numpy as np
import pytest

from neurodam import io
from neurodam.analysis import (
    avalanches,
    branching_ratio,
    coincidence_events,
    compare_distributions,
    crackling_relation,
    default_bin_width,
    fit_power_law,
    transition_events,
)
from neurodam.cli import main

FILES = [
    "Wong1993_P0.h5",
    "Maccione2014_P02_AllPhases.h5",
    "Maccione2014_P9_7March11_control.h5",
]
LARGEST = FILES[-1]


@pytest.mark.parametrize("name", FILES)
def test_event_analysis_invariants(retinal_waves_dir, name):
    spikes = io.read(retinal_waves_dir / name)
    w0 = default_bin_width(spikes)
    counts = []
    for factor in (0.5, 1.0, 4.0):  # the default grid refines the 4x grid, 0.5x refines both
        av = avalanches(spikes, w0 * factor)
        assert av.sizes.sum() == len(spikes)
        np.testing.assert_allclose(
            av.end_times - av.start_times, av.durations * av.bin_width, rtol=1e-9
        )
        counts.append(len(av))
        births = transition_events(spikes, w0 * factor, kind="birth")
        deaths = transition_events(spikes, w0 * factor, kind="death")
        assert births.size == int((av.start_bins > 0).sum())
        assert deaths.size == int((av.start_bins + av.durations < av.activity.size).sum())
    assert counts[0] >= counts[1] >= counts[2] > 0  # coarser bins merge avalanches
    # coincidences: each onset bin holds >= 3 spikes (it has 3 distinct neurons firing)
    av = avalanches(spikes, w0)
    onsets = coincidence_events(spikes, w0, 3)
    bins = np.floor((np.asarray(onsets) - spikes.t_start) / w0 + 0.5).astype(int)
    assert onsets.size > 0 and np.all(av.activity[bins] >= 3)


def test_largest_recording_full_analysis(retinal_waves_dir):
    spikes = io.read(retinal_waves_dir / LARGEST)
    av = avalanches(spikes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = crackling_relation(av)
    for fit in (c.size_fit, c.duration_fit):
        assert np.isfinite(fit.alpha) and fit.alpha > 1 and fit.n_tail >= 50
        for alt in ("exponential", "lognormal", "truncated_power_law"):
            lr = compare_distributions(fit.data, fit, alt)
            assert np.isfinite(lr.R) and 0.0 <= lr.p <= 1.0
    assert np.isfinite(c.gamma) and np.isfinite(c.predicted)
    m_naive = branching_ratio(spikes, "naive", av.bin_width).m
    m_mr = branching_ratio(av.activity, "mr").m
    assert 0.0 < m_naive < 2.0 and 0.0 < m_mr < 1.5


def test_real_sizes_agree_with_powerlaw_package(retinal_waves_dir):
    powerlaw = pytest.importorskip("powerlaw")
    spikes = io.read(retinal_waves_dir / LARGEST)
    sizes = avalanches(spikes).sizes
    ours = fit_power_law(sizes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = powerlaw.Fit(sizes, discrete=True, xmin=ours.xmin, estimate_discrete=False, verbose=0)
    # same data, same xmin: the criterion is 0.01
    assert abs(ours.alpha - ref.power_law.alpha) < 0.01
    assert ours.ks == pytest.approx(ref.power_law.D, abs=1e-3)


def test_cli_analyse_avalanches(retinal_waves_dir, tmp_path, capsys):
    out = tmp_path / "av.png"
    code = main(
        ["analyse", str(retinal_waves_dir / FILES[0]), "--avalanches", "--figure", str(out)]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert "tau=" in text and "alpha=" in text and "crackling" in text and "branching" in text
    assert "vs truncated_power_law" in text and "power law" in text
    assert out.is_file() and out.stat().st_size > 10_000
