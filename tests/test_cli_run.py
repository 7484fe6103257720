"""`neurodam run models/X.yaml`: runs, prints the summary, writes spikes and overlaps,
rejects bad input."""

from pathlib import Path

import numpy as np
import pytest

from neurodam import io
from neurodam.cli import main
from neurodam.memory import load_observables

MODELS = Path(__file__).resolve().parents[1] / "models"


def test_run_sedam_prints_summary_and_writes_spikes_and_overlaps(tmp_path, capsys):
    out = tmp_path / "run.npz"
    rc = main(["run", str(MODELS / "sedam.yaml"), "--steps", "200", "--set", "K=5", "-q",
               "--out", str(out)])  # fmt: skip
    assert rc == 0
    text = capsys.readouterr().out
    for key in ("Q_bar", "activity", "us per step", "wrote", "run_overlaps.npz"):
        assert key in text
    spikes = io.read(out)
    assert spikes.n_neurons == 64
    assert spikes.t_stop == pytest.approx(0.2)
    assert spikes.meta["stamp"] == "end" and spikes.meta["dt"] == 1e-3
    assert len(spikes) > 0
    obs = load_observables(tmp_path / "run_overlaps.npz")
    assert obs["overlaps"].shape == (200, 5) and obs["energy"].shape == (200,)
    assert obs["dt"] == 1e-3 and obs["params"]["F"] == "exp:1"
    np.testing.assert_allclose(obs["times"], np.arange(1, 201) * 1e-3)
    # the activity written is the number of spikes in each step
    np.testing.assert_array_equal(
        obs["activity"], np.bincount(np.rint(spikes.times / 1e-3).astype(int) - 1, minlength=200)
    )
    q_bar = float(text.split("Q_bar")[1].split()[0])
    assert obs["overlaps"].max(axis=1).mean() == pytest.approx(q_bar, abs=5e-5)


def test_run_on_brian2_backend(capsys):
    rc = main(["run", str(MODELS / "hopfield.yaml"), "--backend", "numpy", "--steps", "5",
               "--set", "N=100", "--set", "K=5", "-q"])  # fmt: skip
    assert rc == 0
    text = capsys.readouterr().out
    assert "on numpy" in text and "Q_bar      1.0000" in text


def test_old_device_names_are_clear_errors(capsys):
    argv = ["run", str(MODELS / "hopfield.yaml"), "--steps", "5", "-q"]
    assert main(argv + ["--device", "numpy"]) == 2
    assert "--backend" in capsys.readouterr().err
    assert main(argv + ["--set", "device=numpy"]) == 2
    assert "backend" in capsys.readouterr().err


def test_run_bad_input_exit_code(tmp_path, capsys):
    assert main(["run", str(MODELS / "sedam.yaml"), "--set", "noise=0.9", "-q"]) == 2
    assert "noise" in capsys.readouterr().err
    assert main(["run", str(MODELS / "sedam.yaml"), "--set", "steps=many", "-q"]) == 2
    assert "steps" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "missing.yaml"), "-q"]) == 2
    out = tmp_path / "x.npz"
    out.write_text("")
    assert main(["run", str(MODELS / "sedam.yaml"), "--steps", "5", "-q", "--out", str(out)]) == 2
    # an existing overlaps file is not overwritten without -f either
    out2 = tmp_path / "y.npz"
    (tmp_path / "y_overlaps.npz").write_text("")
    argv = ["run", str(MODELS / "sedam.yaml"), "--steps", "5", "-q", "--out", str(out2)]
    assert main(argv) == 2
    assert "y_overlaps.npz" in capsys.readouterr().err and not out2.exists()
    assert main(argv + ["-f"]) == 0
    assert load_observables(tmp_path / "y_overlaps.npz")["overlaps"].shape == (5, 10)


def test_run_out_without_recorded_spikes_is_an_error(tmp_path, capsys):
    # writing an empty spike file when the model does not record spikes would drop them
    # silently; the command must refuse and name --out
    out = tmp_path / "s.npz"
    argv = ["run", str(MODELS / "sedam.yaml"), "--steps", "5", "-q", "--out", str(out)]
    assert main(argv + ["--set", "record=[overlaps]"]) == 2
    assert "--out" in capsys.readouterr().err
    assert not out.exists()


def test_load_observables_rejects_other_files(tmp_path):
    f = tmp_path / "spikes.npz"
    io.write(_tiny_spikes(), f)
    with pytest.raises(ValueError, match="observables"):
        load_observables(f)
    g = tmp_path / "junk.npz"
    g.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="junk.npz"):
        load_observables(g)


def _tiny_spikes():
    from neurodam import SpikeTrains

    return SpikeTrains([0.1, 0.2], [0, 1], n_neurons=2, t_stop=1.0)
