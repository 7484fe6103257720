"""MemorySession: build once, rerun with new noise, temperature, lam, initial state, seed.

A rerun with parameters P must give exactly what a fresh simulate(P) gives on the same
backend (same numpy draws: initial state, Brian2 seed, asynchronous order), without
rebuilding the network.
"""

import os

import numpy as np
import pytest

from neurodam import patterns
from neurodam.memory import MemoryParams, MemorySession, reference, simulate

ALL = ("spikes", "overlaps", "activity", "states")


def _same(a, b):
    np.testing.assert_array_equal(a.states, b.states)
    np.testing.assert_array_equal(a.overlaps, b.overlaps)
    assert a.spikes == b.spikes
    np.testing.assert_array_equal(a.activity, b.activity)
    np.testing.assert_array_equal(a.final_state, b.final_state)


def test_reruns_equal_fresh_runs_numpy():
    xi = patterns.digits()[0][:8]
    P = MemoryParams(F="exp", noise=0.1, steps=30, init=0, seed=1, record=ALL, backend="numpy")
    changes = [dict(), dict(noise=0.25, seed=2), dict(seed=3, init=(2, 0.2)), dict(noise=0.0)]
    with MemorySession(xi, P) as session:
        runs = [session.run(**c) for c in changes]
        net = session.network
        assert net is not None and net.params == P  # built once, with the first parameters
    for c, r in zip(changes, runs, strict=True):
        _same(r, simulate(xi, P.replace(**c)))
    assert runs[0].params["timing"]["codegen"] > 0
    assert all(r.params["timing"]["codegen"] == 0 for r in runs[1:])
    assert set(runs[1].params["timing"]) == {"codegen", "compile", "run", "collect"}
    # the deterministic rerun is the reference trajectory
    _same(runs[3], reference.run(xi, P.replace(noise=0.0, backend="reference")))


def test_rerun_temperature_lambda_and_async_order():
    xi = patterns.rademacher(3, 16, seed=2)
    P = MemoryParams(F="exp", temperature=0.8, schedule="async", steps=4, seed=5, record=ALL,
                     backend="numpy")  # fmt: skip
    with MemorySession(xi, P) as session:
        first = session.run()
        hot = session.run(temperature=2.0, seed=6)
        lam = session.run(F="exp:0.3", seed=7)
    _same(first, simulate(xi, P))
    _same(hot, simulate(xi, P.replace(temperature=2.0, seed=6)))
    _same(lam, simulate(xi, P.replace(F="exp:0.3", seed=7)))
    assert lam.params["F"] == "exp:0.3"


def test_rerun_refuses_what_is_compiled_in():
    xi = patterns.rademacher(3, 16, seed=2)
    with MemorySession(xi, "hopfield", steps=3, backend="numpy") as session:
        session.run()
        for change, match in [
            (dict(steps=4), "steps"),
            (dict(schedule="async"), "schedule"),
            (dict(noise_mode="reset"), "noise_mode"),
            (dict(record=("overlaps",)), "record"),
            (dict(temperature=1.0), "temperature"),
            (dict(F="dense:3"), "F"),
            (dict(form="bipartite"), "form"),
        ]:
            with pytest.raises(ValueError, match=match):
                session.run(**change)
        with pytest.raises(ValueError, match="noise"):
            session.run(noise=0.9)
    with pytest.raises(RuntimeError, match="context manager"):
        MemorySession(xi, "hopfield", backend="numpy").run()
    with pytest.raises(ValueError, match="threads"):
        MemorySession(xi, backend="cpp_standalone", threads=2)


def test_reference_backend_session():
    xi = patterns.rademacher(4, 30, seed=0)
    with MemorySession(xi, "hopfield", noise=0.1, steps=10, seed=1) as session:
        a = session.run()
        b = session.run(seed=2)
    _same(a, reference.run(xi, "hopfield", noise=0.1, steps=10, seed=1))
    _same(b, reference.run(xi, "hopfield", noise=0.1, steps=10, seed=2))
    assert session.network is None


@pytest.mark.standalone
def test_cpp_standalone_compiles_once_and_reruns_equal_fresh_runs(tmp_path):
    """One compilation: the deterministic first run equals the reference engine; a rerun
    with new noise and seed equals a fresh (separately compiled) run with them."""
    xi = patterns.digits()[0][:10]
    P = MemoryParams(F="exp", steps=200, init=(0, 0.3), seed=1, record=ALL,
                     backend="cpp_standalone")  # fmt: skip
    with MemorySession(xi, P, build_dir=tmp_path / "b") as session:
        det = session.run()
        binary = tmp_path / "b" / "main"
        mtime = os.path.getmtime(binary)
        noisy = session.run(noise=0.15, seed=4)
        again = session.run(noise=0.15, seed=4)
        assert os.path.getmtime(binary) == mtime
    _same(det, reference.run(xi, P.replace(backend="reference")))
    assert det.params["timing"]["compile"] > 0 and noisy.params["timing"]["compile"] == 0
    _same(noisy, again)
    _same(noisy, simulate(xi, P.replace(noise=0.15, seed=4)))
    # SEDAM noise on digits at p = 0.15: Q_bar near 1 - 2p (science.md section 1)
    assert abs(noisy.Q_bar - 0.7) < 0.1
