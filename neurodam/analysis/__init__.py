"""Analysis of spike trains: events, avalanches, power laws, temporal complexity.

Nothing in this subpackage imports Brian2: it works on :class:`neurodam.SpikeTrains`
and plain arrays (times in float seconds).
"""

# --- events, avalanches, power laws, criticality (issue 3) ---
from neurodam.analysis.branching import BranchingRatio, branching_ratio
from neurodam.analysis.criticality import (
    Crackling,
    ShapeCollapse,
    crackling_relation,
    shape_collapse,
)
from neurodam.analysis.events import (
    Avalanches,
    avalanches,
    avalanches_from_activity,
    coincidence_events,
    default_bin_width,
    events_from_activity,
    population_activity,
    resolve_threshold,
    transition_events,
)
from neurodam.analysis.powerlaw import (
    LikelihoodRatio,
    PowerLawFit,
    compare_distributions,
    fit_power_law,
)
from neurodam.analysis.switches import switch_events
from neurodam.analysis.synthetic import branching_process, poisson_spikes

# --- temporal complexity ---
# isort: split
from neurodam.analysis.eddis import EddisResult, diffusion_entropy, eddis, eddis_all
from neurodam.analysis.renewal import AgingTest, RenewalTest, aging_test, renewal_test
from neurodam.analysis.resolve import MuResolution, resolve_mu
from neurodam.analysis.scaling import ScalingFit, dfa, second_moment_scaling
from neurodam.analysis.synthetic import poisson_process, renewal_process, superpose
from neurodam.analysis.waiting import (
    WaitingTimeFit,
    fit_waiting_times,
    lattice_step,
    survival,
    waiting_times,
)
from neurodam.analysis.walks import event_walk

__all__ = [
    # issue 3: events, avalanches, power laws, criticality
    "Avalanches",
    "BranchingRatio",
    "Crackling",
    "LikelihoodRatio",
    "PowerLawFit",
    "ShapeCollapse",
    "avalanches",
    "avalanches_from_activity",
    "branching_process",
    "branching_ratio",
    "coincidence_events",
    "compare_distributions",
    "crackling_relation",
    "default_bin_width",
    "events_from_activity",
    "fit_power_law",
    "poisson_spikes",
    "population_activity",
    "resolve_threshold",
    "shape_collapse",
    "switch_events",
    "transition_events",
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
    "poisson_process",
    "renewal_process",
    "renewal_test",
    "resolve_mu",
    "second_moment_scaling",
    "superpose",
    "survival",
    "waiting_times",
]
