"""Tasks, criticality sweep and model files of the reservoirs."""

from pathlib import Path

import numpy as np
import pytest
import yaml

from neurodam.analysis import branching_process
from neurodam.reservoir import izhikevich_reservoir, lif_liquid, tasks
from neurodam.reservoir.config import from_config, run_config, validate_config
from neurodam.reservoir.criticality import coupling_sweep, criticality_indicators

MODELS = Path(__file__).resolve().parents[1] / "models"


def _small_izhikevich(seed=1, **kw):
    return izhikevich_reservoir(80, 20, seed=seed, **kw)


# ------------------------------------------------------------------ known answers
def test_narma10_series_follows_the_recursion():
    u, y = tasks.narma10_series(200, seed=1)
    assert u.min() >= 0 and u.max() <= 0.5
    yy = np.r_[0.0, y]  # yy[t] = y(t), target[t] = y(t+1)
    for t in range(20, 199):
        want = 0.3 * yy[t] + 0.05 * yy[t] * yy[t - 9 : t + 1].sum() + 1.5 * u[t - 9] * u[t] + 0.1
        assert yy[t + 1] == pytest.approx(want, rel=1e-12)


def test_delay_line_memory_capacity_is_its_number_of_past_taps():
    """Known answer: an n-tap delay line holds u(t-1) .. u(t-n+1) exactly and nothing older,
    so MC = n - 1; each empty delay adds a finite-sample bias of about 1/n_test."""
    mc = tasks.memory_capacity(tasks.DelayLine(6), max_delay=12, seed=1, n_test=2000)
    np.testing.assert_allclose(mc.capacity[:5], 1.0, atol=1e-6)
    assert np.all(mc.capacity[5:] < 5 / 2000)  # r^2 of independent series: mean 1/n
    assert mc.total == pytest.approx(5.0, abs=0.02)
    assert np.isnan(mc.rate)


def test_linear_baseline_on_narma10_is_below_the_trivial_predictor():
    r = tasks.narma10(tasks.DelayLine(10), 2000, 1000, seed=1)
    assert 0.3 < r.nrmse < 0.8  # linear in u(t..t-9): misses the product u(t)u(t-9)
    assert r.prediction.shape == r.target.shape == (1000,)


def test_spiking_reservoir_memory_capacity_is_positive_and_below_n():
    m = _small_izhikevich(noise_exc=1.0, noise_inh=0.5)
    mc = tasks.memory_capacity(m, max_delay=5, seed=2, n_train=300, n_test=200, step=0.01)
    assert 0.2 < mc.total < m.n_neurons
    assert mc.capacity[0] > mc.capacity[-1]  # memory fades with the delay
    assert mc.rate > 0


def test_template_classification_accuracy_falls_with_jitter():
    m = _small_izhikevich(noise_exc=1.0, noise_inh=0.5)
    r = tasks.template_classification(
        m, jitters=(0.0, 0.1), n_train=30, n_test=30, seed=3, duration=0.1, gap=0.05
    )
    # 30 test trials: the binomial SD of an accuracy near 0.9 is ~0.05
    assert r.accuracy[0] >= 0.8
    assert r.accuracy[1] < r.accuracy[0]
    assert r.chance == 0.5 and len(r.readouts) == 2


def test_several_state_time_constants_are_read_side_by_side():
    m = _small_izhikevich()
    u = np.random.default_rng(2).uniform(0.0, 0.5, 40)
    one, rate = tasks.reservoir_states(m, u, 0.01, tau=0.03, seed=4)
    two, rate2 = tasks.reservoir_states(m, u, 0.01, tau=(0.01, 0.03), seed=4)
    assert two.shape == (40, 2 * m.n_neurons) and rate2 == rate
    np.testing.assert_array_equal(two[:, m.n_neurons :], one)
    assert not np.allclose(two[:, : m.n_neurons], one)


# ------------------------------------------------------------------ bad input
def test_tasks_bad_input_names_the_argument():
    m = _small_izhikevich()
    with pytest.raises(ValueError, match="^n_train"):
        tasks.memory_capacity(m, max_delay=20, n_train=10)
    with pytest.raises(TypeError, match="^model"):
        tasks.narma10("reservoir", 100, 50)
    with pytest.raises(ValueError, match="^encoder"):
        tasks.reservoir_states(m, np.zeros(10), 0.01, encoder="morse")
    with pytest.raises(ValueError, match="^step"):
        tasks.reservoir_states(m, np.zeros(10), 0.0105)
    with pytest.raises(ValueError, match="^u"):
        tasks.reservoir_states(m, np.zeros(0), 0.01)
    for tau in ((), (0.03, -0.01), "30 ms"):
        with pytest.raises(ValueError, match="^tau"):
            tasks.reservoir_states(m, np.zeros(10), 0.01, tau=tau)
    with pytest.raises(ValueError, match="^jitters"):
        tasks.template_classification(m, jitters=(-0.01,))
    with pytest.raises(ValueError, match="^n_test"):
        tasks.narma10(tasks.DelayLine(), 100, 1)
    with pytest.raises(ValueError, match="^n_taps"):
        tasks.DelayLine(0)


# ------------------------------------------------------------------ criticality
def test_criticality_indicators_recover_the_branching_ratio_of_a_branching_process():
    """Known answer: a driven Poisson branching process with m = 0.5 and 0.9; the multistep
    regression over 20000 steps has a standard error of about 0.01."""
    for m in (0.5, 0.9):
        st = branching_process(m, 100, n_steps=20000, drive=2.0, seed=1)
        out = criticality_indicators(st, 1e-3, 0)
        assert out["branching"] == pytest.approx(m, abs=0.05)
        assert out["rate"] == pytest.approx(st.mean_rate())


def test_coupling_sweep_rates_and_avalanches_grow_with_the_coupling():
    m = _small_izhikevich(seed=2)
    sweep = coupling_sweep(m, [0.0, 1.0, 8.0], 1.0, seed=4)
    assert sweep.scales.tolist() == [0.0, 1.0, 8.0]
    assert np.all(np.diff(sweep.rate) > 0)  # more recurrent excitation, more spikes
    assert sweep.mean_size[2] > sweep.mean_size[0]  # and larger avalanches
    assert np.all(sweep.n_events > 0) and np.all(np.isfinite(sweep.branching))
    with pytest.raises(ValueError, match="^scales"):
        coupling_sweep(m, [-1.0], 0.1)


# ------------------------------------------------------------------ model files
@pytest.mark.parametrize("name", ["izhikevich_reservoir", "lif_liquid"])
def test_model_files_validate_and_build(name):
    raw = yaml.safe_load((MODELS / f"{name}.yaml").read_text())
    cfg = validate_config(raw)
    assert cfg["kind"] == name
    model = from_config(raw)
    assert model.kind == name


def test_run_config_small_networks():
    r = run_config({"kind": "izhikevich_reservoir", "n_exc": 40, "n_inh": 10, "seed": 1,
                    "duration": 0.2, "coupling": 0.5})  # fmt: skip
    assert r.spikes.n_neurons == 50 and len(r.spikes) > 0
    liquid = run_config({"kind": "lif_liquid", "shape": [3, 3, 3], "seed": 2, "duration": 0.05,
                         "input_rate": 40.0, "input_channels": 10})  # fmt: skip
    assert liquid.spikes.n_neurons == 27 and len(liquid.spikes) > 0


def test_cli_runs_a_reservoir_model_file_and_writes_its_spikes(tmp_path, capsys):
    from neurodam import config, io
    from neurodam.cli import main

    assert {"izhikevich_reservoir", "lif_liquid"} <= set(config.kinds())
    out = tmp_path / "spikes.npz"
    small = ["n_exc=40", "n_inh=10", "duration=0.2", "coupling=0.5"]
    argv = ["run", str(MODELS / "izhikevich_reservoir.yaml"), "-q", "--out", str(out)]
    assert main(argv + [x for s in small for x in ("--set", s)]) == 0
    text = capsys.readouterr().out
    for key in ("izhikevich_reservoir 40+10", "rate exc", "rate inh", "wrote"):
        assert key in text
    raw = yaml.safe_load((MODELS / "izhikevich_reservoir.yaml").read_text())
    raw.update(n_exc=40, n_inh=10, duration=0.2, coupling=0.5)
    direct = run_config(raw)  # the same file through the library: the same spikes
    written = io.read(out)
    assert len(written) > 0 and written.n_neurons == 50
    np.testing.assert_array_equal(written.times, direct.spikes.times)
    np.testing.assert_array_equal(written.senders, direct.spikes.senders)
    assert main(argv) != 0  # refused before the run
    assert "--out" in capsys.readouterr().err
    with pytest.raises(ValueError, match="^lam"):
        config.load(MODELS / "lif_liquid.yaml", ["lam=-1"])


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"n_exc": 10}, "kind"),
        ({"kind": "hopfield"}, "kind"),
        ({"kind": "lif_liquid", "n_exc": 10}, "n_exc"),
        ({"kind": "lif_liquid", "shape": [3, 3]}, "shape"),
        ({"kind": "lif_liquid", "lam": -1.0}, "lam"),
        ({"kind": "izhikevich_reservoir", "duration": 0}, "duration"),
        ({"kind": "izhikevich_reservoir", "backend": "gpu"}, "backend"),
        ({"kind": "izhikevich_reservoir", "device": "runtime"}, "device"),
        ({"kind": "izhikevich_reservoir", "coupling": "x"}, "coupling"),
        ({"kind": "izhikevich_reservoir", "input_p": 2.0}, "input_p"),
    ],
)
def test_model_file_errors_name_the_key(raw, key):
    with pytest.raises((ValueError, TypeError), match=f"^{key}"):
        from_config(raw)


def test_liquid_rate_grows_with_the_input_rate():
    m = lif_liquid((5, 3, 3), seed=1, dt=2e-4)
    from neurodam.reservoir import poisson_rate, simulate

    rates = []
    for hz in (10.0, 40.0):
        inp = poisson_rate(np.ones(2), 0.1, rate_range=(0, hz), value_range=(0, 1), seed=2)
        rates.append(simulate(m, 0.1, inputs=inp, seed=3).spikes.mean_rate())
    assert rates[1] > rates[0] > 0
