"""`neurodam run models/X.yaml`: runs, prints the summary, writes spikes, rejects bad input."""

from pathlib import Path

import pytest

from neurodam import io
from neurodam.cli import main

MODELS = Path(__file__).resolve().parents[1] / "models"


def test_run_sedam_prints_summary_and_writes_spikes(tmp_path, capsys):
    out = tmp_path / "run.npz"
    rc = main(["run", str(MODELS / "sedam.yaml"), "--steps", "200", "--set", "K=5", "-q",
               "--out", str(out)])  # fmt: skip
    assert rc == 0
    text = capsys.readouterr().out
    for key in ("Q_bar", "activity", "us per step", "wrote"):
        assert key in text
    spikes = io.read(out)
    assert spikes.n_neurons == 64
    assert spikes.t_stop == pytest.approx(0.2)
    assert len(spikes) > 0


def test_run_on_brian2_device(capsys):
    rc = main(["run", str(MODELS / "hopfield.yaml"), "--device", "numpy", "--steps", "5",
               "--set", "N=100", "--set", "K=5", "-q"])  # fmt: skip
    assert rc == 0
    text = capsys.readouterr().out
    assert "on numpy" in text and "Q_bar      1.0000" in text


def test_run_bad_input_exit_code(tmp_path, capsys):
    assert main(["run", str(MODELS / "sedam.yaml"), "--set", "noise=0.9", "-q"]) == 2
    assert "noise" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "missing.yaml"), "-q"]) == 2
    out = tmp_path / "x.npz"
    out.write_text("")
    assert main(["run", str(MODELS / "sedam.yaml"), "--steps", "5", "-q", "--out", str(out)]) == 2


def test_run_out_without_recorded_spikes_is_an_error(tmp_path, capsys):
    # writing an empty spike file when the model does not record spikes would drop them
    # silently; the command must refuse and name --out
    out = tmp_path / "s.npz"
    argv = ["run", str(MODELS / "sedam.yaml"), "--steps", "5", "-q", "--out", str(out)]
    assert main(argv + ["--set", "record=[overlaps]"]) == 2
    assert "--out" in capsys.readouterr().err
    assert not out.exists()
