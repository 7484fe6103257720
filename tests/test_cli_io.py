"""CLI `neurodam info` and `neurodam convert`: output, round trips, exit codes, --help."""

from pathlib import Path

import numpy as np
import pytest

from neurodam import SpikeTrains, io
from neurodam.cli import main

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_spikes.npz"


@pytest.fixture
def spike_file(tmp_path):
    s = SpikeTrains([0.1, 0.2, 0.4, 1.5], [0, 2, 2, 1], n_neurons=4, t_stop=2.0, meta={"a": 1})
    return io.write(s, tmp_path / "s.npz")


def test_info_prints_neurons_spikes_duration_rate(spike_file, capsys):
    assert main(["info", str(spike_file)]) == 0
    out = capsys.readouterr().out
    assert "neurons    4" in out
    assert "spikes     4" in out
    assert "duration 2 s" in out
    assert "mean rate  0.5 Hz" in out  # 4 spikes / (4 neurons * 2 s)
    assert "(3 neurons fire)" in out
    assert "meta.a" in out


def test_info_on_the_shipped_demo(capsys):
    assert main(["info", str(DEMO)]) == 0
    out = capsys.readouterr().out
    s = io.read(DEMO)
    assert f"neurons    {s.n_neurons}" in out and f"spikes     {len(s)}" in out


def test_info_on_a_zero_length_window(tmp_path, capsys):
    path = io.write(SpikeTrains([], [], n_neurons=2), tmp_path / "z.csv")
    assert main(["info", str(path)]) == 0
    assert "n/a" in capsys.readouterr().out


@pytest.mark.parametrize("chain", [(".csv", ".nwb", ".npz"), (".nwb", ".csv"), (".npz",)])
def test_convert_round_trips(spike_file, tmp_path, capsys, chain):
    original = io.read(spike_file)
    src = spike_file
    for k, suffix in enumerate(chain):
        dst = tmp_path / f"c{k}{suffix}"
        assert main(["convert", str(src), str(dst)]) == 0
        assert f"wrote 4 spikes of 4 neurons to {dst}" in capsys.readouterr().out
        src = dst
    back = io.read(src)
    assert back == original
    assert back.meta["a"] == 1


def test_convert_refuses_to_overwrite_without_force(spike_file, tmp_path, capsys):
    dst = tmp_path / "o.csv"
    dst.write_text("keep me")
    assert main(["convert", str(spike_file), str(dst)]) == 2
    err = capsys.readouterr().err
    assert "neurodam convert: error:" in err and "exists" in err and "o.csv" in err
    assert dst.read_text() == "keep me"
    assert main(["convert", "--force", str(spike_file), str(dst)]) == 0
    assert io.read(dst) == io.read(spike_file)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["info", "missing.npz"], "no such file"),
        (["info", "spikes.txt"], "unknown suffix"),
        (["convert", "missing.npz", "out.csv"], "no such file"),
        (["convert", "{src}", "out.h5"], "unknown suffix"),
        (["convert", "{src}", "out.xlsx"], "supported suffixes"),
        (["convert", "{src}", "no/such/dir/out.csv"], "does not exist"),
        (["info", "{corrupt}"], "is not a valid"),
    ],
)
def test_bad_inputs_exit_2_with_a_message(spike_file, tmp_path, capsys, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corrupt.csv").write_text("time,neuron\n0.1,zero\n")
    argv = [a.format(src=spike_file, corrupt="corrupt.csv") for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"neurodam {argv[0]}: error:" in err and needle in err
    assert not (tmp_path / "out.h5").exists() and not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize("command", ["info", "convert"])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: neurodam {command}")
    assert ".npz" in out


def test_missing_argument_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["convert", "only_one.npz"])
    assert exc.value.code == 2
    assert "output" in capsys.readouterr().err


def test_convert_real_recording(retinal_waves_dir, tmp_path):
    dst = tmp_path / "wong.nwb"
    with pytest.warns(UserWarning, match="stated duration"):
        assert main(["convert", str(retinal_waves_dir / "Wong1993_P0.h5"), str(dst)]) == 0
    back = io.read(dst)
    assert (len(back), back.n_neurons) == (13_336, 39)
    with pytest.warns(UserWarning):
        original = io.read(retinal_waves_dir / "Wong1993_P0.h5")
    assert back == original  # spikes, ids, window
    np.testing.assert_array_equal(back.meta["epos"], original.meta["epos"])  # via JSON lists
    assert back.meta["names"] == original.meta["names"]


@pytest.mark.parametrize("suffix", [".npz", ".csv", ".nwb", ".h5"])
def test_convert_of_a_damaged_file_exits_2_and_writes_nothing(spike_file, tmp_path, capsys, suffix):
    # a damaged input of each format: the error names it, and no output (nor temp) appears
    src = tmp_path / f"damaged{suffix}"
    if suffix == ".h5":
        import h5py

        with h5py.File(src, "w") as h:
            h["spikes"] = np.array([0.1, 0.2])
            h["sCount"] = np.array(["a", "b"], dtype=h5py.string_dtype())
    else:
        good = io.write(io.read(spike_file), tmp_path / f"good{suffix}")
        data = good.read_bytes()
        src.write_bytes(data[: len(data) // 2])
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["convert", str(src), str(tmp_path / "out.npz")]) == 2
    err = capsys.readouterr().err
    assert f"{src} is not a valid" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
