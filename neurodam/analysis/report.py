"""The analysis pipelines as library functions: avalanche and temporal-complexity reports.

avalanche_report     spikes -> avalanches -> power-law fits, likelihood ratios, bootstrap,
                     crackling relation, branching ratio, verdict      -> AvalancheReport
complexity_report    events -> waiting-time fit, EDDiS (AJ/AJL/SJ), resolved mu, diffusion
                     entropy, renewal test, inter-event CV             -> ComplexityReport

Each report is a frozen dataclass holding the fits, the verdicts and the ranges used. It
serialises to JSON-safe dicts (``to_dict()``; the classmethod ``from_dict()`` rebuilds it),
which is what a sweep stores per point; ``summary()`` flattens the headline numbers into one
level; ``plot()`` draws the figure; ``str(report)`` is the text the command line prints.
The two pipelines live in :mod:`neurodam.analysis.avalanche_pipeline` and
:mod:`neurodam.analysis.complexity_pipeline`, with the papers they implement; this module
gathers them.
"""

from neurodam.analysis.avalanche_pipeline import AvalancheReport, avalanche_report
from neurodam.analysis.complexity_pipeline import ComplexityReport, complexity_report

__all__ = ["AvalancheReport", "ComplexityReport", "avalanche_report", "complexity_report"]
