#!/usr/bin/env python3
"""
Fig. 3 of

Simple Model of Spiking Neurons
IEEE Transactions on Neural Networks 14(6), 1569-1572 (2003)
Eugene M. Izhikevich

A plain, hand-written Brian2 script of the network of the paper's program net.m, in the
style of Brian2's examples/frompapers: the baseline against which
bench_reservoir_izhikevich.py measures neurodam's model (same draws, same numerics: two
0.5 ms half steps of v per 1 ms step, thalamic noise redrawn every ms).

Usage: python bench_reservoir_izhikevich_plain.py DEVICE THREADS DURATION SEED [REPEATS]
(DEVICE: runtime or cpp_standalone); prints one JSON line with the timings (standalone:
the shortest of REPEATS runs of the compiled program).
"""

import json
import sys
import tempfile
import time

import numpy as np
from brian2 import (
    NeuronGroup,
    SpikeMonitor,
    Synapses,
    defaultclock,
    device,
    ms,
    prefs,
    run,
    seed,
    set_device,
)

dev, threads, duration, net_seed = (
    sys.argv[1],
    int(sys.argv[2]),
    float(sys.argv[3]),
    int(sys.argv[4]),
)
repeats = int(sys.argv[5]) if len(sys.argv) > 5 else 1
build_dir = tempfile.mkdtemp(prefix="izh_plain_")
if dev == "cpp_standalone":
    set_device("cpp_standalone", directory=build_dir, build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = threads
t0 = time.perf_counter()
seed(1)

# the draws of net.m, in its order
Ne, Ni = 800, 200
rng = np.random.default_rng(net_seed)
re, ri = rng.random(Ne), rng.random(Ni)
S = np.hstack([0.5 * rng.random((Ne + Ni, Ne)), -rng.random((Ne + Ni, Ni))])  # (post, pre)

defaultclock.dt = 1 * ms

eqs = """
dv/dt = (0.04*v**2 + 5*v + 140 - u + I) / ms : 1
du/dt = a*(b*v - u) / ms                     : 1
I = I_noise + I_syn                          : 1
I_noise : 1
I_syn : 1
a : 1 (constant)
b : 1 (constant)
c : 1 (constant)
d : 1 (constant)
sigma : 1 (constant)
"""


def net_m_scheme(equations, variables=None, method_options=None):
    """v in two half steps with the same I, then u with the new v (as net.m)."""
    rhs = dict(equations.get_substituted_expressions(variables))
    return "v = v + 0.5*dt*({v})\nv = v + 0.5*dt*({v})\nu = u + dt*({u})".format(**rhs)


G = NeuronGroup(Ne + Ni, eqs, threshold="v >= 30", reset="v = c; u += d", method=net_m_scheme)
G.a = np.r_[0.02 * np.ones(Ne), 0.02 + 0.08 * ri]
G.b = np.r_[0.2 * np.ones(Ne), 0.25 - 0.05 * ri]
G.c = np.r_[-65 + 15 * re**2, -65 * np.ones(Ni)]
G.d = np.r_[8 - 6 * re**2, 2 * np.ones(Ni)]
G.sigma = np.r_[5 * np.ones(Ne), 2 * np.ones(Ni)]
G.v = -65
G.u = "b*v"
G.run_regularly("I_noise = sigma*randn()", when="start")
G.run_regularly("I_syn = 0", when="after_groups")

syn = Synapses(G, G, "w : 1", on_pre="I_syn_post += w")
syn.connect()
syn.w = S.T.ravel()

spikes = SpikeMonitor(G)
run(duration * 1000 * ms)
t1 = time.perf_counter()
timing = {"codegen": t1 - t0}
if dev == "cpp_standalone":
    device.build(directory=build_dir, compile=True, run=False)
    t2 = time.perf_counter()
    runs = []
    for _ in range(repeats):
        t3 = time.perf_counter()
        device.run()
        runs.append(time.perf_counter() - t3)
    timing.update(compile=t2 - t1, run=min(runs), runs=runs)
else:
    timing.update(compile=0.0, run=t1 - t0)
print(json.dumps(dict(timing, spikes=int(spikes.num_spikes))))
