"""Spiking reservoirs as Brian2 models, their inputs, liquid states, readouts and tasks.

Models
------
izhikevich_reservoir(n_exc, n_inh, seed, **overrides)   Izhikevich (2003), 800 + 200 neurons
lif_liquid(shape, seed, **overrides)                    Maass, Natschlaeger & Markram (2002)
simulate(model, duration, inputs, backend, seed)        one run -> ReservoirRun (.spikes)
ReservoirSession(model, duration, inputs, backend)      compile once, rerun with new inputs,
                                                        parameters, networks and seeds

Inputs (encoders)
-----------------
poisson_rate, spike_input, spike_template, jitter, current_injection

State and readouts
------------------
liquid_state(spikes, times, tau)                        filtered spike trains at readout times
RidgeReadout, RLSReadout, nrmse

Tasks and criticality
---------------------
neurodam.reservoir.tasks         narma10, memory_capacity, template_classification, DelayLine
neurodam.reservoir.criticality   coupling_sweep, criticality_indicators
neurodam.reservoir.config        from_config, run_config (models/*.yaml)
neurodam.reservoir.reference     the numpy translation of Izhikevich's net.m (tests, benchmarks)
"""

from neurodam.reservoir import criticality, tasks
from neurodam.reservoir.config import from_config, run_config
from neurodam.reservoir.encoders import (
    CurrentInput,
    PoissonRateInput,
    SpikeInput,
    current_injection,
    jitter,
    poisson_rate,
    spike_input,
    spike_template,
)
from neurodam.reservoir.izhikevich import izhikevich_reservoir
from neurodam.reservoir.lif import expected_connections, lif_liquid
from neurodam.reservoir.model import Reservoir, ReservoirNetwork
from neurodam.reservoir.readouts import NotTrainedError, RidgeReadout, RLSReadout, nrmse
from neurodam.reservoir.simulate import ReservoirRun, ReservoirSession, simulate
from neurodam.reservoir.state import liquid_state

__all__ = [
    "CurrentInput",
    "NotTrainedError",
    "PoissonRateInput",
    "RLSReadout",
    "Reservoir",
    "ReservoirNetwork",
    "ReservoirRun",
    "ReservoirSession",
    "RidgeReadout",
    "SpikeInput",
    "criticality",
    "current_injection",
    "from_config",
    "expected_connections",
    "izhikevich_reservoir",
    "jitter",
    "lif_liquid",
    "liquid_state",
    "nrmse",
    "poisson_rate",
    "run_config",
    "simulate",
    "spike_input",
    "spike_template",
    "tasks",
]
