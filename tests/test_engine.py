import numpy as np
import pytest

from neurodam import engine


def _tiny_network_spikes(name):
    """Twenty LIF neurons with seeded random drive; the spikes of 100 ms."""
    import brian2 as b2

    with engine.backend(name) as be:
        rng = np.random.default_rng(1)
        G = b2.NeuronGroup(
            20,
            "dv/dt = (I - v) / (10*ms) : 1\nI : 1",
            threshold="v > 1",
            reset="v = 0",
            method="exact",
        )
        G.v = rng.uniform(0, 1, 20)
        G.I = rng.uniform(0.9, 1.5, 20)
        M = b2.SpikeMonitor(G)
        net = b2.Network(G, M)
        net.run(100 * b2.ms)
        be.build()
        return np.array(M.t_), np.array(M.i[:])


def test_unknown_backend_is_rejected():
    with pytest.raises(ValueError, match="backend"):
        engine.activate("gpu_magic")


def test_bad_threads_and_jobs():
    with pytest.raises(ValueError, match="threads"):
        engine.activate("cpp_standalone", threads=-1)
    with pytest.raises(ValueError, match="jobs"):
        engine.activate("cpp_standalone", jobs=0)


def test_runtime_numpy_and_cython_agree():
    t1, i1 = _tiny_network_spikes("runtime")
    t2, i2 = _tiny_network_spikes("numpy")
    assert len(t1) > 50
    np.testing.assert_array_equal(t1, t2)
    np.testing.assert_array_equal(i1, i2)


@pytest.mark.standalone
def test_runtime_and_cpp_standalone_give_the_same_spikes():
    t1, i1 = _tiny_network_spikes("runtime")
    t2, i2 = _tiny_network_spikes("cpp_standalone")
    assert len(t1) > 50
    np.testing.assert_array_equal(t1, t2)
    np.testing.assert_array_equal(i1, i2)


@pytest.mark.standalone
def test_standalone_rerun_with_run_args_and_own_build_dirs(tmp_path):
    import brian2 as b2

    with engine.backend("cpp_standalone", build_dir=tmp_path / "b") as be:
        G = b2.NeuronGroup(
            1,
            "dv/dt = (I - v) / (10*ms) : 1\nI : 1 (constant)",
            threshold="v > 1",
            reset="v = 0",
            method="exact",
        )
        G.I = 1.5
        M = b2.SpikeMonitor(G)
        b2.Network(G, M).run(100 * b2.ms)
        be.build()
        n_fast = M.num_spikes
        be.rerun(run_args={G.I: 1.1})
        n_slow = M.num_spikes
    assert be.build_dir == tmp_path / "b"
    # ISI of an LIF from v=0: tau ln(I / (I - 1)); 1.5 -> 11 ms, 1.1 -> 24 ms
    assert n_fast == 100 // 11
    assert n_slow == 100 // 24
    a = engine.activate("cpp_standalone")
    b = engine.activate("cpp_standalone")
    engine.reset()
    assert a.build_dir != b.build_dir


def test_gpu_available_is_boolean():
    assert isinstance(engine.gpu_available(), bool)


def test_gpu_available_is_false_without_nvidia_smi(monkeypatch):
    # known answer: with no nvidia-smi on PATH there is no usable CUDA device, whatever
    # brian2cuda's import does
    monkeypatch.setattr(engine.shutil, "which", lambda name: None)
    assert engine.gpu_available() is False


@pytest.mark.gpu
def test_cuda_standalone_matches_runtime():
    if not engine.gpu_available():
        pytest.skip("no CUDA device or brian2cuda not installed")
    t1, i1 = _tiny_network_spikes("runtime")
    t2, i2 = _tiny_network_spikes("cuda_standalone")
    np.testing.assert_allclose(t1, t2)
    np.testing.assert_array_equal(i1, i2)
