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

Online plasticity and continual learning
----------------------------------------
three_factor_readout(target, gate, dt, eta, tau, tau_e)  three-factor Hebbian readout inside
run_three_factor(model, readout, inputs, backend, seed)  the Brian2 run (Yamada & Chao 2025)
HLOPReadout, oja_subspace, continual_learning,           Hebbian orthogonal projection
backward_transfer, liquid_state_tasks                    (Xiao et al. 2024)

Tasks and criticality
---------------------
neurodam.reservoir.tasks         narma10, memory_capacity, template_classification, DelayLine
what_when_trials, what_when_task, timing_score          the what/when task (``whatwhen*``)
neurodam.reservoir.criticality   coupling_sweep, criticality_indicators
neurodam.reservoir.config        from_config, run_config (``models/*.yaml``)
neurodam.reservoir.reference     numpy references: Izhikevich's net.m, the three-factor rule
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
from neurodam.reservoir.hlop import (
    ContinualResult,
    HLOPReadout,
    backward_transfer,
    continual_learning,
    liquid_state_tasks,
    oja_subspace,
)
from neurodam.reservoir.izhikevich import izhikevich_reservoir
from neurodam.reservoir.lif import expected_connections, lif_liquid
from neurodam.reservoir.model import Reservoir, ReservoirNetwork
from neurodam.reservoir.plasticity import (
    ThreeFactorReadout,
    ThreeFactorState,
    run_three_factor,
    three_factor_readout,
)
from neurodam.reservoir.readouts import NotTrainedError, RidgeReadout, RLSReadout, nrmse
from neurodam.reservoir.simulate import ReservoirRun, ReservoirSession, simulate
from neurodam.reservoir.state import liquid_state
from neurodam.reservoir.whatwhen import (
    DEFAULT_CONDITIONS,
    TimingScore,
    WhatWhenResult,
    WhatWhenTrials,
    rls_predictions,
    timing_score,
    what_when_task,
    what_when_trials,
)

__all__ = [
    "ContinualResult",
    "CurrentInput",
    "DEFAULT_CONDITIONS",
    "HLOPReadout",
    "NotTrainedError",
    "PoissonRateInput",
    "RLSReadout",
    "Reservoir",
    "ReservoirNetwork",
    "ReservoirRun",
    "ReservoirSession",
    "RidgeReadout",
    "SpikeInput",
    "ThreeFactorReadout",
    "ThreeFactorState",
    "TimingScore",
    "WhatWhenResult",
    "WhatWhenTrials",
    "backward_transfer",
    "continual_learning",
    "criticality",
    "current_injection",
    "expected_connections",
    "from_config",
    "izhikevich_reservoir",
    "jitter",
    "lif_liquid",
    "liquid_state",
    "liquid_state_tasks",
    "nrmse",
    "oja_subspace",
    "poisson_rate",
    "rls_predictions",
    "run_config",
    "run_three_factor",
    "simulate",
    "spike_input",
    "spike_template",
    "tasks",
    "three_factor_readout",
    "timing_score",
    "what_when_task",
    "what_when_trials",
]
