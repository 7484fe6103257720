"""engine.run_network / engine.Session: the one run protocol of every model family.

Known answers: a noiseless LIF neuron with constant drive I fires with the period
tau ln(I / (I - 1)) (reset 0, threshold 1), so the spike count of a run, and of a rerun with
a new I, is known in closed form; with noise, the same seed must give the same spikes, a rerun
with the first run's seed must repeat it exactly, and a new seed must change it.
"""

import math

import numpy as np
import pytest

from neurodam import engine, io

TAU = 0.01  # s


def _build(noise: float = 0.0):
    import brian2 as b2

    def build():
        G = b2.NeuronGroup(
            20,
            "dv/dt = (I - v)/tau + sigma*xi*sqrt(2/tau) : 1\n"
            "I : 1 (shared, constant)\nsigma : 1 (shared, constant)",
            threshold="v > 1",
            reset="v = 0",
            method="euler",
            namespace={"tau": TAU * b2.second},
            name="lif",
        )
        G.v = "0.5*rand()"  # a build-time draw: kept by reruns, set by the first seed
        G.I = 1.5
        G.sigma = noise
        return b2.Network(G, b2.SpikeMonitor(G, name="spikes"))

    return build


def _collect(net):
    return io.from_brian(net["spikes"])


def test_runtime_run_is_seeded_and_leaves_global_numpy_state_alone():
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (checking it is untouched)
    a = engine.run_network(_build(0.3), 0.2, _collect, seed=7)
    b = engine.run_network(_build(0.3), 0.2, _collect, seed=7)
    c = engine.run_network(_build(0.3), 0.2, _collect, seed=8)
    assert np.array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    assert len(a.output) > 100
    assert a.output == b.output and a.seed == b.seed == 7
    assert a.output != c.output
    assert a.backend == "runtime"
    assert set(a.timing) == {"codegen", "compile", "run", "collect"}
    assert a.timing["compile"] == 0.0 and all(v >= 0 for v in a.timing.values())


def test_a_generator_seed_gives_one_draw():
    rng = np.random.default_rng(3)
    expected = int(np.random.default_rng(3).integers(2**31 - 1))
    run = engine.run_network(_build(0.3), 0.05, _collect, seed=rng)
    assert run.seed == expected


@pytest.mark.parametrize(
    "backend", ["runtime", pytest.param("cpp_standalone", marks=pytest.mark.standalone)]
)
def test_reruns_repeat_with_the_same_seed_and_take_new_values(backend):
    """Rerun with the first seed = the first run; a new seed changes it; run_args apply."""
    runs = engine.run_network(
        _build(0.3),
        0.2,
        _collect,
        backend=backend,
        seed=11,
        run_args=[{}, {}, {}],
        seeds=[11, 12, 11],
    )
    first, same, other, same_again = (r.output for r in runs)
    assert first == same == same_again
    assert first != other
    assert runs[1].timing["compile"] == 0.0


@pytest.mark.parametrize(
    "backend", ["runtime", pytest.param("cpp_standalone", marks=pytest.mark.standalone)]
)
def test_rerun_with_run_args_matches_the_lif_period(backend):
    """Noiseless LIF: spike times follow t_k = t_1 + (k - 1) tau ln(I/(I-1)) for each I."""
    import brian2 as b2

    with engine.Session(backend) as s:
        first = s.run(_build(0.0), 0.3, _collect, seed=1)
        binary = s.backend.build_dir / "main" if s.backend.standalone else None
        mtime = binary.stat().st_mtime_ns if binary else None
        G = s.built["lif"]
        second = s.rerun(_collect, run_args={G.I: 1.2}, seed=1)
        if binary:  # the compiled program was rerun, not rebuilt
            assert binary.stat().st_mtime_ns == mtime
    for I, spikes in ((1.5, first.output), (1.2, second.output)):
        period = TAU * math.log(I / (I - 1.0))
        for train in spikes.per_neuron():
            assert train.size >= 2
            # Euler with dt = 0.1 ms: the period is resolved to a step
            assert np.allclose(np.diff(train), period, atol=2 * float(b2.defaultclock.dt_))


def test_progress_bar_runs(capsys):
    engine.run_network(_build(0.3), 0.05, _collect, seed=1, progress=True, desc="lif")
    assert "lif" in capsys.readouterr().err


def test_bad_arguments():
    with pytest.raises(ValueError, match="backend"):
        engine.run_network(_build(), 0.1, backend="gpu_magic")
    with pytest.raises(ValueError, match="backend"):
        engine.Session("reference")
    with pytest.raises(TypeError, match="seed"):
        engine.run_network(_build(), 0.1, seed=True)
    with pytest.raises(ValueError, match="seed"):
        engine.run_network(_build(), 0.1, seed=-1)
    with pytest.raises(ValueError, match="duration"):
        engine.run_network(_build(), -0.1)
    with pytest.raises(TypeError, match="build"):
        engine.run_network(lambda: 42, 0.1)
    with pytest.raises(ValueError, match="seeds"):
        engine.run_network(_build(), 0.1, run_args=[{}], seeds=[1, 2])
    with engine.Session("runtime") as s, pytest.raises(RuntimeError, match="run"):
        s.rerun(_collect)
    with pytest.raises(RuntimeError, match="context manager"):
        engine.Session("runtime").run(_build(), 0.1)
