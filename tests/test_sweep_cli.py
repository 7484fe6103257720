"""The CLI-ready pieces of a sweep: add_arguments and cli_main with plugged-in functions."""

import argparse
import io

import pytest
import test_sweep_dummies as d

from neurodam import sweep


def _parser():
    parser = argparse.ArgumentParser(
        prog="neurodam sweep",
        description=sweep.cli.DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return sweep.add_arguments(parser)


def _load_model(path):
    assert path == "models/toy.yaml"
    return dict(d.BASE)


def _validate(params):
    if not 0 <= params["noise"] <= 0.5:
        raise ValueError(f"noise: expected a probability in [0, 0.5], got {params['noise']}")


def _main(argv, **kwargs):
    out = io.StringIO()
    kwargs.setdefault("point_fn", d.smooth)
    code = sweep.cli_main(
        _parser().parse_args(argv), load_model=_load_model, validate=_validate, stream=out, **kwargs
    )
    return code, out.getvalue()


def test_arguments_and_help():
    args = _parser().parse_args(
        ["models/toy.yaml", "--set", "noise=0:0.5:0.01", "--set", "K=1,2", "--seeds", "3",
         "--out", "sw", "--workers", "2", "--scheduler", "tcp://h:8786"]
    )  # fmt: skip
    assert args.sets == ["noise=0:0.5:0.01", "K=1,2"] and args.seeds == 3
    assert (args.out, args.workers, args.scheduler, args.seed_start) == ("sw", 2, "tcp://h:8786", 0)
    text = _parser().format_help()
    for word in ("--set KEY=VALUES", "--seeds N", "--out DIR", "--workers N", "--scheduler",
                 "a:b:step", "Resuming", "--keep-failed", "--dry-run"):  # fmt: skip
        assert word in text


@pytest.mark.parametrize(
    "argv", [["m.yaml", "--seeds", "0", "--out", "x"], ["m.yaml", "--workers", "-1", "--out", "x"]]
)
def test_bad_numbers_are_argparse_errors(argv, capsys):
    with pytest.raises(SystemExit):
        _parser().parse_args(argv)
    assert "expected a number" in capsys.readouterr().err


def test_dry_run_describes_the_grid_and_runs_nothing(tmp_path):
    argv = ["models/toy.yaml", "--set", "noise=0:0.5:0.01", "--set", "K=1,2,5,10,20,50",
            "--seeds", "3", "--out", str(tmp_path / "sw"), "--dry-run"]  # fmt: skip
    code, text = _main(argv)
    assert code == 0
    assert "918 points" in text and "51 values: 0.0, 0.01, 0.02, ..., 0.49, 0.5" in text
    assert not (tmp_path / "sw").exists()


def test_run_resume_and_failures(tmp_path):
    argv = ["models/toy.yaml", "--set", "noise=0:0.4:0.1", "--seeds", "2",
            "--out", str(tmp_path / "sw"), "--workers", "0", "--no-progress"]  # fmt: skip
    code, text = _main(argv, point_fn=d.failing)
    assert code == 1
    assert "10 points: 8 done, 2 failed" in text
    assert "failed: noise=0.3 seed=1: ValueError: noise: simulated failure at 0.3" in text
    code, text = _main(argv)
    assert code == 0 and "10 points: 10 done, 0 failed (2 computed now, 8 already" in text
    assert len(sweep.load(tmp_path / "sw")) == 10


def test_bad_input_is_raised_before_anything_runs(tmp_path):
    out = str(tmp_path / "sw")
    with pytest.raises(ValueError, match=r"^noise: expected a probability in \[0, 0.5\], got 0.6"):
        _main(["models/toy.yaml", "--set", "noise=0.4:0.6:0.1", "--out", out])
    with pytest.raises(ValueError, match="^nosie: unknown key"):
        _main(["models/toy.yaml", "--set", "nosie=0.1", "--out", out])
    with pytest.raises(ValueError, match="^noise: empty range"):
        _main(["models/toy.yaml", "--set", "noise=0.5:0.1:0.1", "--out", out])
    with pytest.raises(ConnectionError, match="--scheduler"):
        _main(["models/toy.yaml", "--out", out, "--scheduler", "tcp://127.0.0.1:1"])
    assert not (tmp_path / "sw").exists()
