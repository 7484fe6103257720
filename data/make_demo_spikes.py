"""Make ``data/demo_spikes.npz``: a small Brian2-simulated network with avalanche-like bursts.

Model: a sparse random network of leaky integrate-and-fire neurons (80 %
excitatory, 20 % inhibitory, connection probability ``p``, delta synapses with
a 1.5 ms delay) in the style of Brunel (2000), with two
ingredients that make it burst: excitatory synapses depress
(Tsodyks & Markram 1997: ``x -> x - u x`` at each spike, recovering with
``tau_d``), and each neuron has a spike-triggered adaptation current
(``w += b``, decaying with ``tau_w``). Membrane noise (Ornstein-Uhlenbeck
drive, mean ``mu`` below threshold) makes neurons fire sparsely; recurrent
excitation amplifies these spikes into population bursts of very different
sizes, which depression and adaptation terminate, followed by silent gaps.

    tau_m dv/dt = mu - v - w + sigma sqrt(2 tau_m) xi,   v > theta -> v = v_r
    tau_w dw/dt = -w,                                   spike -> w += b
    tau_d dx/dt = 1 - x  (per E synapse),               spike -> v_post += J x; x -= u x

Brunel N (2000) J. Comput. Neurosci. 8:183; Tsodyks M, Markram H (1997) PNAS 94:719.

Run (a few minutes on one core, runtime device through neurodam.engine)::

    python data/make_demo_spikes.py             # writes data/demo_spikes.npz
    python data/make_demo_spikes.py --duration 5 --out /tmp/x.npz
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

PARAMS = {
    "N": 160,  # neurons
    "frac_exc": 0.8,
    "p": 0.1,  # connection probability
    "tau_m_ms": 20.0,
    "theta_mV": 20.0,
    "v_reset_mV": 10.0,
    "refractory_ms": 2.0,
    "mu_mV": 15.0,  # mean drive (below threshold)
    "sigma_mV": 2.0,  # noise amplitude
    "J_mV": 3.0,  # excitatory weight (before depression)
    "g": 4.0,  # relative inhibitory weight
    "delay_ms": 1.5,
    "u": 0.25,  # depression: fraction of resources used per spike
    "tau_d_ms": 800.0,  # recovery from depression
    "b_mV": 1.0,  # adaptation increment
    "tau_w_ms": 500.0,
    "dt_ms": 0.1,
}


def simulate(duration_s: float, seed: int = 2024, params: dict | None = None, progress=False):
    """Run the network for ``duration_s`` seconds; return its SpikeTrains (io.from_brian)."""
    import brian2 as b2

    from neurodam import engine, io

    P = dict(PARAMS, **(params or {}))
    ms, mV = b2.ms, b2.mV
    with engine.backend("runtime") as _be:
        b2.seed(seed)
        b2.defaultclock.dt = P["dt_ms"] * ms
        ns = {
            "tau_m": P["tau_m_ms"] * ms,
            "mu": P["mu_mV"] * mV,
            "sigma": P["sigma_mV"] * mV,
            "tau_w": P["tau_w_ms"] * ms,
            "tau_d": P["tau_d_ms"] * ms,
        }
        G = b2.NeuronGroup(
            P["N"],
            "dv/dt = (mu - v - w) / tau_m + sigma * sqrt(2 / tau_m) * xi : volt"
            " (unless refractory)\n"
            "dw/dt = -w / tau_w : volt",
            threshold=f"v > {P['theta_mV']}*mV",
            reset=f"v = {P['v_reset_mV']}*mV; w += {P['b_mV']}*mV",
            refractory=P["refractory_ms"] * ms,
            method="euler",
            namespace=ns,
        )
        rng = np.random.default_rng(seed)
        G.v = rng.uniform(P["v_reset_mV"], P["mu_mV"], P["N"]) * mV  # no onset burst
        n_exc = int(round(P["frac_exc"] * P["N"]))
        E, I = G[:n_exc], G[n_exc:]
        S_e = b2.Synapses(
            E,
            G,
            """dx/dt = (1 - x) / tau_d : 1 (clock-driven)""",
            on_pre=f"v_post += {P['J_mV']}*mV * x; x -= {P['u']} * x",
            delay=P["delay_ms"] * ms,
            method="exact",
            namespace=ns,
        )
        S_e.connect(p=P["p"], condition="i != j")
        S_e.x = 1.0
        S_i = b2.Synapses(
            I, G, on_pre=f"v_post -= {P['g'] * P['J_mV']}*mV", delay=P["delay_ms"] * ms
        )
        S_i.connect(p=P["p"], condition="i != j")
        M = b2.SpikeMonitor(G)
        net = b2.Network(G, S_e, S_i, M)
        net.run(duration_s * b2.second, report="text" if progress else None)
        spikes = io.from_brian(M)
    meta = dict(spikes.meta)
    meta.update(
        model="sparse LIF E/I network with depressing excitatory synapses and adaptation",
        generator="data/make_demo_spikes.py",
        seed=seed,
        params=P,
        n_exc=n_exc,
    )
    from neurodam import SpikeTrains

    return SpikeTrains(
        spikes.times, spikes.senders, spikes.n_neurons, spikes.t_start, spikes.t_stop, meta
    )


def summary(spikes, bin_s: float = 0.005) -> str:
    """Rate, fraction of empty bins and the largest bursts: a quick check of the regime."""
    edges = np.arange(spikes.t_start, spikes.t_stop + bin_s, bin_s)
    counts, _ = np.histogram(spikes.times, edges)
    active = counts > 0
    starts = np.flatnonzero(active & ~np.r_[False, active[:-1]])
    ends = np.flatnonzero(active & ~np.r_[active[1:], False])
    sizes = np.array([counts[a : b + 1].sum() for a, b in zip(starts, ends, strict=True)])
    return (
        f"{len(spikes)} spikes, {spikes.n_neurons} neurons, {spikes.duration:g} s, "
        f"mean rate {spikes.mean_rate():.3g} Hz; {bin_s * 1e3:g} ms bins: "
        f"{100 * (1 - active.mean()):.1f} % empty; {sizes.size} bursts, sizes "
        f"median {np.median(sizes) if sizes.size else 0:g}, max {sizes.max() if sizes.size else 0}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=40.0, help="seconds (default 40)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("demo_spikes.npz"))
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args(argv)
    from neurodam import io

    spikes = simulate(args.duration, seed=args.seed, progress=args.progress)
    io.write(spikes, args.out, overwrite=True)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e3:.0f} kB): {summary(spikes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
