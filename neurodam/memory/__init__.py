"""Hebbian associative memories: Hopfield, dense (Krotov-Hopfield) and exponential (SEDAM).

Modules
-------
params         MemoryParams: every parameter of a run, validated once (default F = "exp")
interactions   the interaction F and the open registry of F (register_interaction)
kernel         the field kernel: the one place where fields are computed (every engine)
polynomial     F = x^n (Hopfield, dense);  exponential: F = exp(lam x)
state          the initial state (and the other numpy draws of a run), shared by every engine
results        MemoryRun, the result object of every simulation
reference      the numpy reference engine (oracle in tests, baseline in benchmarks)
brian          the Brian2 model in named equation blocks (build_memory_network)
network        MemoryNetwork: its Brian2 objects, run_args for reruns, collect
session        MemorySession: compile once, rerun with new noise, T, lam, init, seed
simulate       simulate(): one entry point for the reference engine and every Brian2 device
retrieval      retrieval overlaps, basins of attraction, capacity curves
theory         replica-symmetric and mean-field theory (AGS, dense transitions, learning)
learning       couplings learnt from examples (supervised, unsupervised): from_examples
multitask      multitasking on diluted patterns: cascades, hierarchical threshold
phase          phase diagrams by Monte Carlo (sweep engine) with the theory lines on top
modern         modern (continuous) Hopfield network: softmax update, energy, bounds; F="lse:beta"
modern_brian   the same network as a Brian2 model (build_modern_network, run_modern)
modern_config  model files of kind "modern"
attention      linear attention: Hebbian outer-product key/value memory and its capacity
nengo_export   to_nengo: the same memory as a nengo.Network
config         ready-made models (models/*.yaml): load_config, run_config
"""

from neurodam.memory import attention, modern, reference, theory
from neurodam.memory.brian import MemoryNetwork, build_memory_network
from neurodam.memory.config import MemoryConfig, load_config, run_config
from neurodam.memory.interactions import (
    FieldKernel,
    Interaction,
    parse_interaction,
    register_interaction,
    registered_interactions,
)
from neurodam.memory.learning import from_examples, overlaps_with
from neurodam.memory.modern import simulate_modern
from neurodam.memory.modern_brian import build_modern_network
from neurodam.memory.multitask import cascade, multitask_scan
from neurodam.memory.nengo_export import to_nengo
from neurodam.memory.params import DEFAULT_F, MemoryParams
from neurodam.memory.phase import PhaseDiagram, dense_hysteresis, phase_diagram
from neurodam.memory.results import MemoryRun, load_observables, save_observables
from neurodam.memory.retrieval import basin_of_attraction, capacity_curve, retrieval_overlap
from neurodam.memory.session import MemorySession
from neurodam.memory.simulate import simulate
from neurodam.memory.theory import hopfield_rs_overlap

__all__ = [
    "DEFAULT_F",
    "FieldKernel",
    "Interaction",
    "MemoryConfig",
    "MemoryNetwork",
    "MemoryParams",
    "MemoryRun",
    "MemorySession",
    "PhaseDiagram",
    "attention",
    "basin_of_attraction",
    "build_modern_network",
    "build_memory_network",
    "capacity_curve",
    "dense_hysteresis",
    "cascade",
    "from_examples",
    "hopfield_rs_overlap",
    "load_config",
    "load_observables",
    "modern",
    "multitask_scan",
    "overlaps_with",
    "parse_interaction",
    "phase_diagram",
    "reference",
    "register_interaction",
    "registered_interactions",
    "retrieval_overlap",
    "run_config",
    "save_observables",
    "simulate",
    "simulate_modern",
    "theory",
    "to_nengo",
]
