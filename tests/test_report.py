"""analysis.report: the avalanche and temporal-complexity pipelines as library functions.

Known answers: a critical branching process gives the mean-field exponents tau = 3/2 and
alpha = 2 (Sethna et al. 2001); a renewal process with mu = 2.5 gives H_AJ = (4 - mu)/2 = 0.75
and delta = 1/(mu - 1) = 0.667 and passes the renewal test; a Poisson process gives
CV = 1 and H = 1/2 (not complex). Reports round-trip through JSON.
"""

import json

import numpy as np
import pytest

from neurodam.analysis import (
    branching_process,
    poisson_process,
    renewal_process,
    transition_events,
)
from neurodam.analysis.report import (
    AvalancheReport,
    ComplexityReport,
    avalanche_report,
    complexity_report,
)
from neurodam.spikes import EventTimes


@pytest.fixture(scope="module")
def critical():
    return branching_process(1.0, 100, n_avalanches=20_000, seed=1)


@pytest.fixture(scope="module")
def renewal_report():
    t = renewal_process(2.5, 20_000, seed=3)
    events = EventTimes(t, t_start=0.0, t_stop=float(t[-1]) + 1.0, kind="renewal")
    return complexity_report(events, seed=0)


def test_avalanche_report_mean_field_exponents(critical):
    rep = avalanche_report(critical)
    # tolerances of the branching-process validation of fit_power_law (2e4 avalanches)
    assert rep.tau == pytest.approx(1.5, abs=0.1)
    assert rep.alpha == pytest.approx(2.0, abs=0.15)
    assert rep.bin_rule == "model step"
    assert rep.size_definition == "spikes"
    assert set(rep.comparisons) == {"size", "duration"}
    assert set(rep.comparisons["size"]) == {"exponential", "lognormal", "truncated_power_law"}
    # the exponential is rejected for a critical process
    assert rep.comparisons["size"]["exponential"].verdict() == "power law"
    s = rep.summary()
    assert s["tau"] == rep.tau and s["n_avalanches"] == rep.n_avalanches
    assert "avalanches" in str(rep) and "crackling" in str(rep)


def test_avalanche_report_round_trips_through_json(critical):
    rep = avalanche_report(critical, n_boot=5, seed=2)
    d = json.loads(json.dumps(rep.to_dict()))
    back = AvalancheReport.from_dict(d)
    assert back.summary() == pytest.approx(rep.summary(), nan_ok=True)
    assert back.reasons == rep.reasons and back.supported == rep.supported
    assert np.isfinite(back.p_boot["size"])
    assert back.comparisons["size"]["lognormal"].R == rep.comparisons["size"]["lognormal"].R


def test_avalanche_report_plot(critical):
    axes = avalanche_report(critical).plot(spikes=critical)
    assert len(axes) == 4


def test_avalanche_report_bad_input(critical):
    with pytest.raises(TypeError, match="spikes"):
        avalanche_report(np.arange(10.0))
    with pytest.raises(ValueError, match="n_boot"):
        avalanche_report(critical, n_boot=-1)
    with pytest.raises(ValueError, match="spikes"):
        avalanche_report(critical, threshold=1e9)


def test_complexity_report_renewal_known_answers(renewal_report):
    s = renewal_report.summary()
    # 2e4 events: the spread of H_AJ and delta over seeds is about 0.04 (known-answer table)
    assert s["H_AJ"] == pytest.approx(0.75, abs=0.1)
    assert s["delta"] == pytest.approx(2 / 3, abs=0.1)
    assert s["H_SJ"] == pytest.approx(0.5, abs=0.06)
    assert s["branch"] == "2<mu<3" and s["complex"] is True
    assert s["renewal"] is True  # a renewal process is not rejected (p > 0.05 for this seed)
    assert s["n"] == 20_000 and s["cv"] > 1.5  # heavy-tailed waits: bursty
    assert renewal_report.kind == "renewal"


def test_complexity_report_round_trips_through_json(renewal_report):
    d = json.loads(json.dumps(renewal_report.to_dict()))
    back = ComplexityReport.from_dict(d)
    assert back.summary() == pytest.approx(renewal_report.summary(), nan_ok=True)
    small = ComplexityReport.from_dict(json.loads(json.dumps(renewal_report.to_dict(False))))
    assert small.summary() == pytest.approx(renewal_report.summary(), nan_ok=True)
    assert "H(AJ" in str(back) and "renewal" in str(back)
    assert len(back.plot()) == 3


def test_complexity_report_poisson_is_not_complex():
    t = poisson_process(1.0, 5000, seed=4)
    rep = complexity_report(t, renewal=False, seed=1)
    s = rep.summary()
    assert s["cv"] == pytest.approx(1.0, abs=4 / np.sqrt(5000))  # sd of the CV ~ 1/sqrt(n)
    assert s["branch"] == "mu>3" and s["complex"] is False
    assert rep.renewal is None and np.isnan(s["renewal_p"])


def test_complexity_report_with_too_few_events_is_a_note():
    rep = complexity_report(EventTimes([0.1, 0.5, 0.9], 0.0, 10.0, "switches", {"dt": 0.01}))
    s = rep.summary()
    assert rep.eddis is None and "fewer" in rep.note
    assert s["n"] == 3 and s["rate"] == pytest.approx(0.3) and s["rate_step"] == pytest.approx(3e-3)
    assert np.isnan(s["mu"]) and np.isnan(s["H_AJ"]) and s["complex"] is None
    back = ComplexityReport.from_dict(json.loads(json.dumps(rep.to_dict())))
    assert back.note == rep.note
    assert len(rep.plot()) == 3


def test_complexity_report_on_model_transitions_uses_the_lattice(critical):
    events = transition_events(critical, threshold=0)
    rep = complexity_report(events, renewal=False)
    assert rep.step == pytest.approx(critical.meta["dt"])
    assert rep.waiting.discrete


def test_complexity_report_bad_input():
    with pytest.raises(ValueError, match="events"):
        complexity_report(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="min_events"):
        complexity_report(np.arange(100.0), min_events=3)
