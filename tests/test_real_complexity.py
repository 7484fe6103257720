"""Temporal complexity on the retinal-wave recordings (skipped when the data are absent).

Known answers that hold for any event sequence, recorded or not:
- SJ: the random signs make the increments uncorrelated, so H(SJ) = 1/2 whatever the events;
- shuffling the waiting times keeps their distribution: the direct mu is unchanged;
- the renewal test's shuffled H values scatter around the renewal value for the observed psi;
- avalanche transitions sit on the bin edges: a lattice of the bin width, fitted as discrete.

Measured with the default settings (seed 0): Wong 1993 avalanches (543 events): H_AJ 0.588 +-
0.027, H_AJL 1.01, H_SJ 0.49, direct mu 2.99 +- 0.27 (discrete), delta 0.57, branch mu>3
(2<mu<3 not excluded), renewal not rejected; Maccione 2014 P02 avalanches (6047): H_AJ 0.748
+- 0.015, H_AJL 0.83, direct mu 1.81 +- 0.06, branch 1<mu<2 (estimates disagree), renewal
rejected (p = 1/40); Maccione P02 coincidences (544): H_AJ 0.714 +- 0.039, H_AJL 1.18, direct
mu 1.65 +- 0.05, branch 1<mu<2, renewal not rejected.
"""

import warnings

import numpy as np
import pytest

from neurodam.analysis import (
    coincidence_events,
    default_bin_width,
    eddis,
    eddis_all,
    fit_waiting_times,
    renewal_test,
    transition_events,
)


def _read(path):
    try:
        from neurodam import io

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # stated duration shorter than the last spike
            return io.read(path)
    except ImportError:  # pragma: no cover - io not available
        import h5py

        from neurodam import SpikeTrains

        with h5py.File(path, "r") as h:
            times = np.asarray(h["spikes"], dtype=float)
            counts = np.asarray(h["sCount"], dtype=np.int64).ravel()
        senders = np.repeat(np.arange(counts.size), counts)
        return SpikeTrains(times, senders, n_neurons=counts.size)


def _events(spikes, source):
    width = default_bin_width(spikes)
    if source == "avalanches":
        return transition_events(spikes, width)
    return coincidence_events(spikes, width, "sd:3")


CASES = [
    ("Wong1993_P0.h5", "avalanches"),
    ("Maccione2014_P02_AllPhases.h5", "avalanches"),
    ("Maccione2014_P02_AllPhases.h5", "coincidences"),
]


@pytest.mark.parametrize(("name", "source"), CASES)
def test_real_recordings_complexity(retinal_waves_dir, name, source):
    spikes = _read(retinal_waves_dir / name)
    ev = _events(spikes, source)
    assert ev.size >= 200 and np.all(np.diff(ev) > 0)
    res = eddis_all(ev, seed=0)
    # SJ is uncorrelated by construction: H = 1/2. Over 30 synthetic sequences (Poisson and
    # renewal mu=2.5, default fit range) the sd of H(SJ) is ~1.7/sqrt(n) (0.07 at n=544,
    # 0.023 at n=6000); tolerance 3 sd
    assert abs(res.sj.exponent - 0.5) < 3 * 1.8 / np.sqrt(ev.size)
    assert 1.0 < res.waiting.mu < 6.0 and res.waiting.tau_min > 0
    # transitions at bin edges: waits are whole bins, fitted as discrete in bin units
    assert res.waiting.discrete
    assert res.waiting.step == pytest.approx(default_bin_width(spikes), rel=1e-9)
    for fit in (res.aj, res.ajl, res.sj):
        assert np.isfinite(fit.exponent) and fit.fit_range[0] < fit.fit_range[1]
        assert 0 < fit.stderr_jackknife < 0.1  # realistic errors, finite at these sizes
    assert res.branch in ("1<mu<2", "2<mu<3", "mu>3", "inconclusive") and res.reason


def test_real_too_few_coincidences_is_a_clear_error(retinal_waves_dir):
    # Wong 1993: 39 units; waves give only 47 coincidence onsets at the default window
    ev = _events(_read(retinal_waves_dir / "Wong1993_P0.h5"), "coincidences")
    assert ev.size < 50
    with pytest.raises(ValueError, match=f"expected at least 50 events, got {ev.size}"):
        eddis_all(ev)


def test_real_shuffle_keeps_waiting_times_and_renewal_test_is_consistent(retinal_waves_dir):
    spikes = _read(retinal_waves_dir / "Wong1993_P0.h5")
    ev = _events(spikes, "avalanches")
    rng = np.random.default_rng(0)
    w = rng.permutation(np.diff(ev))
    shuffled = ev[0] + np.concatenate([[0.0], np.cumsum(w)])
    fit, fit_s = fit_waiting_times(ev), fit_waiting_times(shuffled)
    assert fit.mu == pytest.approx(fit_s.mu, rel=1e-9)  # same multiset of waiting times
    r = renewal_test(ev, n_shuffles=19, seed=1)
    h_shuffled = eddis(shuffled, "AJ", dt=None).exponent
    # one more shuffle falls inside the spread of the test's shuffles (5 sd)
    sd = r.H_shuffled.std(ddof=1)
    assert abs(h_shuffled - r.H_shuffled.mean()) < 5 * sd + 0.02
    assert np.isfinite(r.z_H) and np.isfinite(r.z_delta) and 1 / 20 <= r.p_value <= 1


@pytest.mark.slow
@pytest.mark.parametrize("source", ["avalanches", "coincidences"])
def test_real_large_recording(retinal_waves_dir, source):
    spikes = _read(retinal_waves_dir / "Maccione2014_P9_7March11_control.h5")
    ev = _events(spikes, source)
    res = eddis_all(ev, seed=0)
    assert abs(res.sj.exponent - 0.5) < 3 * 1.8 / np.sqrt(ev.size)
    r = renewal_test(ev, n_shuffles=19, seed=0, dt=res.dt)
    assert np.isfinite(r.statistic)


def test_cli_complexity(retinal_waves_dir, tmp_path, capsys):
    from neurodam.cli import main

    fig = tmp_path / "tc.png"
    ev_file = tmp_path / "ev.npy"
    ev = _events(_read(retinal_waves_dir / "Wong1993_P0.h5"), "avalanches")
    np.save(ev_file, ev)
    rc = main(
        [
            "analyse",
            str(retinal_waves_dir / "Wong1993_P0.h5"),
            "--complexity",
            "--events",
            str(ev_file),
            "--n-shuffles",
            "19",
            "--figure",
            str(fig),
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0 and fig.exists()
    assert f"events        {ev.size} events in" in out  # a .npy holds bare times: kind "events"
    for key in ("mu = ", "H(AJ )", "H(AJL)", "H(SJ )", "delta = ", "renewal", "because"):
        assert key in out
    assert (
        main(
            [
                "analyse",
                str(retinal_waves_dir / "Wong1993_P0.h5"),
                "--complexity",
                "--events",
                "nonsense",
            ]
        )
        == 2
    )
