"""Associative recall on the same cues: neurodam memories vs nengo_spa's AssociativeMemory.

Workload: K Rademacher patterns of N bits; cues are stored patterns with a fraction f of
their bits flipped. Compared, on identical cues:

* ``reference``  neurodam numpy reference engine (exp and Hopfield, T=0, synchronous,
  batched over cues with ``reference.iterate``, at most 10 updates);
* ``to_nengo``   the same memories exported with :func:`neurodam.memory.to_nengo` and run
  in the Nengo reference simulator (10 synchronous updates per cue);
* ``nengo_spa``  ``nengo_spa.ThresholdingAssocMem`` (LIF cleanup memory, threshold 0.3,
  50 neurons per item, Stewart, Tang & Eliasmith 2011), the cue shown for 0.2 s
  (vectors normalised to unit length, as SPA expects).

A recall is correct when the stored item most similar to the output is the cued one and
the similarity exceeds 0.5. Printed: accuracy, mean similarity with the cued item, time
per cue (build time included for Nengo; every number measured in this run).

Run: ``.venv/bin/python benchmarks/bench_nengo_compare.py [--quick]``.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np


def _score(out: np.ndarray, xi: np.ndarray, mus: np.ndarray) -> tuple[float, float]:
    """Accuracy and mean cosine similarity of outputs (B, N) with the cued patterns."""
    xn = xi / np.linalg.norm(xi, axis=1, keepdims=True)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    on = out / np.where(norms > 0, norms, 1.0)
    sim = on @ xn.T
    best = sim.argmax(axis=1)
    cued = sim[np.arange(len(mus)), mus]
    ok = (best == mus) & (cued > 0.5)
    return float(ok.mean()), float(cued.mean())


def run_reference(xi, cues, F):
    from neurodam.memory import reference

    t0 = time.perf_counter()
    final, _, _ = reference.iterate(xi, cues, F, "sync", max_steps=10)
    return final.astype(float), time.perf_counter() - t0


def run_to_nengo(xi, cues, F):
    import nengo

    from neurodam.memory import to_nengo

    outs = []
    t0 = time.perf_counter()
    for cue in cues:
        net = to_nengo(xi, F=F, cue=cue)
        with net:
            p = nengo.Probe(net.state_output)
        with nengo.Simulator(net, progress_bar=False) as sim:
            sim.run_steps(11)  # step 1 shows the cue: 10 synchronous updates
        outs.append(sim.data[p][-1])
    return np.array(outs), time.perf_counter() - t0


def run_spa(xi, cues, t_cue=0.2):
    import nengo
    import nengo_spa as spa

    K, N = xi.shape
    vocab = spa.Vocabulary(N, strict=False)
    keys = [f"P{k}" for k in range(K)]
    for k, key in enumerate(keys):
        vocab.add(key, xi[k] / np.sqrt(N))
    stim = cues / np.sqrt(N)
    n = len(cues)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with spa.Network(seed=0) as model:
            inp = nengo.Node(lambda t: stim[min(int(t / t_cue), n - 1)])
            am = spa.ThresholdingAssocMem(0.3, input_vocab=vocab, mapping=keys)
            nengo.Connection(inp, am.input, synapse=None)
            probe = nengo.Probe(am.output, synapse=0.01)
        with nengo.Simulator(model, progress_bar=False) as sim:
            sim.run(n * t_cue)
    elapsed = time.perf_counter() - t0
    steps = int(round(t_cue / sim.dt))
    # output at the end of each cue window
    out = sim.data[probe][steps - 1 :: steps][:n]
    return out, elapsed


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer cues")
    ap.add_argument("--N", type=int, default=100)
    ap.add_argument("--K", type=int, default=10)
    args = ap.parse_args(argv)
    from neurodam import patterns as P

    n_cues = 10 if args.quick else 40
    N, K = args.N, args.K
    xi = P.rademacher(K, N, seed=0).astype(float)
    rng = np.random.default_rng(1)
    print(f"N={N}, K={K}, {n_cues} cues per flip fraction")
    print(f"{'flip':>5} {'method':<22} {'accuracy':>8} {'similarity':>10} {'ms/cue':>9}")
    for f in (0.1, 0.25, 0.4):
        mus = rng.integers(K, size=n_cues)
        cues = np.array([P.flip(xi[m].astype(np.int8), f, seed=rng) for m in mus]).astype(float)
        rows = []
        for F in ("exp", "hopfield"):
            out, t = run_reference(xi, cues, F)
            rows.append((f"reference {F}", out, t))
            out, t = run_to_nengo(xi, cues, F)
            rows.append((f"to_nengo {F}", out, t))
        out, t = run_spa(xi, cues)
        rows.append(("nengo_spa AssocMem", out, t))
        for name, out, t in rows:
            acc, sim = _score(out, xi, mus)
            print(f"{f:5.2f} {name:<22} {acc:8.2f} {sim:10.3f} {1e3 * t / n_cues:9.3f}")


if __name__ == "__main__":
    main()
