#!/usr/bin/env python3
"""The network of Izhikevich (2003) in NEST 3.10: the NEST baseline of
bench_reservoir_izhikevich.py (a benchmark-only dependency: pip install nest-simulator).

The same network as neurodam's model: the same numpy draws (net.m order), ``izhikevich``
neurons with ``consistent_integration=False`` at a resolution of 1 ms (NEST's own default
is plain forward Euler, not the paper's half steps), delay 1 ms, ``all_to_all`` with the
weight array oriented (post, pre) and self connections kept, one ``noise_generator`` per
population (SD 5 and 2, dt 1 ms; each target gets its own noise).

Usage: python bench_reservoir_izhikevich_nest.py THREADS DURATION SEED; prints one JSON line.
"""

import json
import sys
import time

import numpy as np

threads, duration, net_seed = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
t0 = time.perf_counter()
import nest  # noqa: E402

nest.verbosity = nest.VerbosityLevel.ERROR
nest.ResetKernel()
nest.SetKernelStatus({"resolution": 1.0, "local_num_threads": threads, "rng_seed": 1})

Ne, Ni = 800, 200
N = Ne + Ni
rng = np.random.default_rng(net_seed)
re, ri = rng.random(Ne), rng.random(Ni)
S = np.hstack([0.5 * rng.random((N, Ne)), -rng.random((N, Ni))])  # (post, pre)
a = np.r_[0.02 * np.ones(Ne), 0.02 + 0.08 * ri]
b = np.r_[0.2 * np.ones(Ne), 0.25 - 0.05 * ri]
c = np.r_[-65 + 15 * re**2, -65 * np.ones(Ni)]
d = np.r_[8 - 6 * re**2, 2 * np.ones(Ni)]

pop = nest.Create("izhikevich", N, params={"consistent_integration": False, "V_th": 30.0})
pop.set(
    a=a.tolist(),
    b=b.tolist(),
    c=c.tolist(),
    d=d.tolist(),
    V_m=[-65.0] * N,
    U_m=(b * -65.0).tolist(),
)
noise_e = nest.Create("noise_generator", params={"mean": 0.0, "std": 5.0, "dt": 1.0})
noise_i = nest.Create("noise_generator", params={"mean": 0.0, "std": 2.0, "dt": 1.0})
nest.Connect(noise_e, pop[:Ne])
nest.Connect(noise_i, pop[Ne:])
nest.Connect(
    pop,
    pop,
    {"rule": "all_to_all", "allow_autapses": True},
    {"synapse_model": "static_synapse", "weight": S, "delay": 1.0},
)
rec = nest.Create("spike_recorder")
nest.Connect(pop, rec)
t1 = time.perf_counter()
nest.Simulate(duration * 1000.0)
t2 = time.perf_counter()
n_spikes = int(rec.get("n_events"))
ev = rec.get("events")
senders = np.asarray(ev["senders"]) - pop[0].global_id
rate_e = float(np.sum(senders < Ne) / (Ne * duration))
rate_i = float(np.sum(senders >= Ne) / (Ni * duration))
print(
    json.dumps(
        {
            "build": t1 - t0,
            "run": t2 - t1,
            "spikes": n_spikes,
            "rate_exc": rate_e,
            "rate_inh": rate_i,
        }
    )
)
