"""Hebbian associative memories: Hopfield, dense (Krotov-Hopfield) and exponential (SEDAM).

Modules
-------
interactions   the interaction function F: energies, exact single-flip fields, updates
results        MemoryRun, the result object of every simulation
reference      the numpy reference engine (oracle in tests, baseline in benchmarks)
retrieval      retrieval overlaps, basins of attraction, capacity curves, theory
nengo_export   to_nengo: the same memory as a nengo.Network
brian          the Brian2 model (build_memory_network, MemoryNetwork)
simulate       simulate(): one entry point for the reference engine and every Brian2 device
config         ready-made models (models/*.yaml): load_config, run_config
"""

from neurodam.memory import reference
from neurodam.memory.brian import MemoryNetwork, build_memory_network
from neurodam.memory.config import MemoryConfig, load_config, run_config
from neurodam.memory.interactions import Interaction, parse_interaction
from neurodam.memory.nengo_export import to_nengo
from neurodam.memory.results import MemoryRun
from neurodam.memory.retrieval import (
    basin_of_attraction,
    capacity_curve,
    hopfield_rs_overlap,
    retrieval_overlap,
)
from neurodam.memory.simulate import simulate

__all__ = [
    "Interaction",
    "MemoryConfig",
    "MemoryNetwork",
    "MemoryRun",
    "basin_of_attraction",
    "build_memory_network",
    "capacity_curve",
    "hopfield_rs_overlap",
    "load_config",
    "parse_interaction",
    "reference",
    "retrieval_overlap",
    "run_config",
    "simulate",
    "to_nengo",
]
