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
:mod:`neurodam.analysis.complexity_pipeline`; this module gathers them.

References
----------
Beggs JM, Plenz D (2003) Neuronal avalanches in neocortical circuits. J Neurosci 23:11167.
Clauset A, Shalizi CR, Newman MEJ (2009) Power-law distributions in empirical data. SIAM
Review 51:661.
Sethna JP, Dahmen KA, Myers CR (2001) Crackling noise. Nature 410:242.
Wilting J, Priesemann V (2018) Inferring collective dynamical states from widely unobserved
systems. Nat Commun 9:2325.
Paradisi P, Allegrini P et al. (2012) Rep Math Phys 70:205 (EDDiS); Allegrini P et al. (2009)
Phys Rev E 80:061914 (renewal and aging); Scafetta N, Grigolini P (2002) Phys Rev E 66:036130.
"""

from neurodam.analysis.avalanche_pipeline import AvalancheReport, avalanche_report
from neurodam.analysis.complexity_pipeline import ComplexityReport, complexity_report

__all__ = ["AvalancheReport", "ComplexityReport", "avalanche_report", "complexity_report"]
