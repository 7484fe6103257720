"""Hebbian associative memories: Hopfield, dense (Krotov-Hopfield) and exponential (SEDAM).

Modules
-------
interactions   the interaction function F: energies, exact single-flip fields, updates
results        MemoryRun, the result object of every simulation
reference      the numpy reference engine (oracle in tests, baseline in benchmarks)
"""

from neurodam.memory import reference
from neurodam.memory.interactions import Interaction, parse_interaction
from neurodam.memory.results import MemoryRun

__all__ = ["Interaction", "MemoryRun", "parse_interaction", "reference"]
