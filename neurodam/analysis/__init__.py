"""Analysis of spike trains: events, avalanches, power laws, temporal complexity.

Nothing in this subpackage imports Brian2: it works on :class:`neurodam.SpikeTrains`,
:class:`neurodam.EventTimes` and plain arrays (times in float seconds).

Population activity and events (modules binning, events, switches)
    population_activity, default_bin_width, resolve_threshold, avalanches,
    avalanches_from_activity, Avalanches, transition_events, coincidence_events,
    events_from_activity, switch_events

Power laws (modules powerlaw, alternatives)
    fit_power_law, PowerLawFit, compare_distributions, LikelihoodRatio

Criticality (modules criticality, branching)
    crackling_relation, Crackling, shape_collapse, ShapeCollapse, branching_ratio,
    BranchingRatio

Temporal complexity (modules waiting, walks, eddis, resolve, renewal, scaling)
    waiting_times, survival, lattice_step, fit_waiting_times, WaitingTimeFit, event_walk,
    eddis, eddis_all, EddisResult, resolve_mu, MuResolution, diffusion_entropy,
    renewal_test, RenewalTest, aging_test, AgingTest, dfa, second_moment_scaling, ScalingFit

Reports (module report)
    avalanche_report, AvalancheReport, complexity_report, ComplexityReport

Synthetic data with known answers (module synthetic)
    branching_process, poisson_spikes, renewal_process, poisson_process, superpose
"""

from neurodam.analysis.binning import default_bin_width, population_activity, resolve_threshold
from neurodam.analysis.branching import BranchingRatio, branching_ratio
from neurodam.analysis.criticality import (
    Crackling,
    ShapeCollapse,
    crackling_relation,
    shape_collapse,
)
from neurodam.analysis.eddis import EddisResult, diffusion_entropy, eddis, eddis_all
from neurodam.analysis.events import (
    Avalanches,
    avalanches,
    avalanches_from_activity,
    coincidence_events,
    events_from_activity,
    transition_events,
)
from neurodam.analysis.powerlaw import (
    LikelihoodRatio,
    PowerLawFit,
    compare_distributions,
    fit_power_law,
)
from neurodam.analysis.renewal import AgingTest, RenewalTest, aging_test, renewal_test
from neurodam.analysis.report import (
    AvalancheReport,
    ComplexityReport,
    avalanche_report,
    complexity_report,
)
from neurodam.analysis.resolve import MuResolution, resolve_mu
from neurodam.analysis.scaling import ScalingFit, dfa, second_moment_scaling
from neurodam.analysis.switches import switch_events
from neurodam.analysis.synthetic import (
    branching_process,
    poisson_process,
    poisson_spikes,
    renewal_process,
    superpose,
)
from neurodam.analysis.waiting import (
    WaitingTimeFit,
    fit_waiting_times,
    lattice_step,
    survival,
    waiting_times,
)
from neurodam.analysis.walks import event_walk

__all__ = [
    # population activity and events
    "Avalanches",
    "avalanches",
    "avalanches_from_activity",
    "coincidence_events",
    "default_bin_width",
    "events_from_activity",
    "population_activity",
    "resolve_threshold",
    "switch_events",
    "transition_events",
    # power laws
    "LikelihoodRatio",
    "PowerLawFit",
    "compare_distributions",
    "fit_power_law",
    # criticality
    "BranchingRatio",
    "Crackling",
    "ShapeCollapse",
    "branching_ratio",
    "crackling_relation",
    "shape_collapse",
    # temporal complexity
    "AgingTest",
    "EddisResult",
    "MuResolution",
    "RenewalTest",
    "ScalingFit",
    "WaitingTimeFit",
    "aging_test",
    "dfa",
    "diffusion_entropy",
    "eddis",
    "eddis_all",
    "event_walk",
    "fit_waiting_times",
    "lattice_step",
    "renewal_test",
    "resolve_mu",
    "second_moment_scaling",
    "survival",
    "waiting_times",
    # reports
    "AvalancheReport",
    "ComplexityReport",
    "avalanche_report",
    "complexity_report",
    # synthetic data
    "branching_process",
    "poisson_process",
    "poisson_spikes",
    "renewal_process",
    "superpose",
]
