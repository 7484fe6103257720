"""The SEDAM study as a sweep: point results with known answers, end-to-end sweep + report,
failed points, bad input (neurodam.sweep.sedam, sedam_analysis, sedam_report, the CLI)."""

import itertools
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from neurodam.cli import main
from neurodam.sweep import load, make_spec, run_sweep, sedam

ROOT = Path(__file__).resolve().parents[1]
DIGITS = ROOT / "models" / "sedam.yaml"
MNIST = ROOT / "models" / "sedam_mnist.yaml"
#: the columns other code relies on, per kind of event
KIND_COLUMNS = ("rate", "cv", "mu", "H_AJ", "H_SJ", "delta", "renewal")


def _direct_switches(overlaps: np.ndarray, q: float | None, min_steps: int) -> int:
    """Switches counted run by run with a plain loop: the retrieved memory (argmax, or -1
    below ``q``) of each run of at least ``min_steps`` steps; shorter runs are blips and
    do not separate two runs of the same memory."""
    labels = np.argmax(overlaps, axis=1)
    if q is not None:
        labels = np.where(overlaps.max(axis=1) < q, -1, labels)
    kept = [lab for lab, run in itertools.groupby(labels) if len(list(run)) >= min_steps]
    return sum(1 for a, b in itertools.pairwise(kept) if a != b)


def _base(path: Path = DIGITS, **keys) -> dict:
    base = sedam.load_model(path)
    base.update(keys)
    return base


@pytest.mark.parametrize("noise", [0.05, 0.1])
def test_point_q_bar_is_one_minus_two_p_in_the_locked_phase(noise):
    # flip noise after a perfect retrieval: Q(t) = 1 - 2 (flipped fraction), mean 1 - 2p
    # (Cafiso & Paradisi 2026; science.md sec. 1); sd per step 2 sqrt(p(1-p)/64) <= 0.075,
    # 3000 nearly independent steps: standard error <= 0.0014, tolerance 0.01 (7 SE)
    res = sedam.run_point(_base(K=5, noise=noise, steps=3000), seed=1)
    assert res.result["Q_bar"] == pytest.approx(1 - 2 * noise, abs=0.01)
    assert res.result["switches"]["n"] == 0  # locked: one memory all along
    assert res.result["memories_visited"] == 1


@pytest.mark.parametrize(("noise", "min_steps", "no_memory"), [(0.15, 3, 0.5), (0.25, 1, None)])
def test_switch_count_equals_a_direct_count_from_the_overlaps(noise, min_steps, no_memory):
    params = _base(K=10, noise=noise, steps=3000)
    params["analysis"] = {**params["analysis"], "switch_min_steps": min_steps,
                          "no_memory": no_memory}  # fmt: skip
    res = sedam.run_point(params, seed=2)
    run = sedam.simulate_point(params | {"seed": 2})
    q = None if no_memory is None else no_memory * (1 - 2 * noise)
    expected = _direct_switches(run.overlaps, q, min_steps)
    assert expected > 20  # the case is not trivial
    assert res.result["switches"]["n"] == expected
    assert res.result["switches"]["rate"] == pytest.approx(expected / 3000)
    if no_memory is None and min_steps == 1:  # no blips, no "no memory": argmax changes
        assert expected == np.count_nonzero(np.diff(np.argmax(run.overlaps, axis=1)))


def test_stored_events_repeat_the_point_analysis(tmp_path):
    spec = make_spec(_base(steps=2000), ["noise=0.15", "K=10"], seeds=1, model=sedam.MODEL)
    run_sweep(spec, None, tmp_path, group_fn=sedam.run_group, group_by=sedam.GROUP_BY,
              workers=0, required=sedam.REQUIRED, progress=False)  # fmt: skip
    df = load(tmp_path)
    events = sedam.point_events(tmp_path, df["key"].iloc[0])
    for kind in sedam.KINDS:
        assert events[kind].times.size == df[f"{kind}_n"].iloc[0]
        steps = np.rint(events[kind].times / 0.001)
        assert np.allclose(events[kind].times, steps * 0.001, atol=1e-12)  # on the lattice


def test_sweep_and_report_end_to_end(tmp_path, capsys):
    out = tmp_path / "sweep"
    argv = ["sweep", str(DIGITS), "--set", "noise=0.1,0.2", "--set", "K=5,10",
            "--set", "steps=1500", "--seeds", "1", "--out", str(out), "--workers", "0",
            "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    assert "4 points: 4 done, 0 failed (4 computed now" in capsys.readouterr().out
    df = load(out)
    assert len(df) == 4 and set(df["status"]) == {"done"}
    assert sorted(zip(df["noise"], df["K"], strict=True)) == [(0.1, 5), (0.1, 10), (0.2, 5),
                                                              (0.2, 10)]  # fmt: skip
    for col in ("noise", "K", "N", "patterns", "steps", "seed", "status", "error", "Q_bar"):
        assert col in df.columns, col
    for kind in sedam.KINDS:
        for c in KIND_COLUMNS:
            assert f"{kind}_{c}" in df.columns, f"{kind}_{c}"
    assert (df["N"].isna() | (df["n_neurons"] == 64)).all()
    assert np.allclose(df["Q_bar"], 1 - 2 * df["noise"], atol=0.03)  # SE ~0.002, see above
    # a re-run computes nothing
    assert main(argv) == 0
    assert "(0 computed now, 4 already stored)" in capsys.readouterr().out

    assert main(["report", str(out), "--points", "1"]) == 0
    text = capsys.readouterr().out
    rep = out / "report"
    assert f"report        {rep / 'report.md'}" in text
    for name in ("window.csv", "window.md", "summary.csv", "phase_retrieval.png",
                 "phase_switches.png", "phase_transitions.png", "report.md"):  # fmt: skip
        assert (rep / name).stat().st_size > 0, name
    assert len(list(rep.glob("point_*.png"))) == 2  # one chosen point: raster, complexity
    import pandas as pd

    window = pd.read_csv(rep / "window.csv")
    assert sorted(set(window["K"])) == [5, 10] and set(window["kind"]) == set(sedam.KINDS)


def test_failed_points_are_stored_with_their_error(tmp_path, monkeypatch, capsys):
    real = sedam.analyse_run

    def flaky(run, analysis=None, *, noise, seed=0):
        if noise == 0.1:
            raise RuntimeError("analysis broke at p = 0.1")
        result, events, timings = real(run, analysis, noise=noise, seed=seed)
        if noise == 0.2:
            result["Q_bar"] = math.nan
        return result, events, timings

    monkeypatch.setattr(sedam, "analyse_run", flaky)
    spec = make_spec(_base(K=5, steps=1000), ["noise=0.05,0.1,0.2"], seeds=1, model=sedam.MODEL)
    summary = run_sweep(spec, None, tmp_path, group_fn=sedam.run_group,
                        group_by=sedam.GROUP_BY, workers=0, required=sedam.REQUIRED,
                        progress=False)  # fmt: skip
    assert (summary.n_done, summary.n_failed) == (1, 2)
    df = load(tmp_path).set_index("noise")
    assert df.loc[0.05, "status"] == "done"
    assert df.loc[0.1, "status"] == "failed"
    assert "analysis broke at p = 0.1" in df.loc[0.1, "error"]
    assert df.loc[0.2, "status"] == "failed" and "Q_bar" in df.loc[0.2, "error"]
    # the report says so and reports the finished point
    assert main(["report", str(tmp_path), "--points", "none"]) == 1
    assert "2 of 3 points failed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("sets", "name"),
    [
        (["noise=0.7"], "noise"),
        (["noise=0.3:0.1:0.05"], "noise"),
        (["K=2.5"], "K"),
        (["colour=1,2"], "colour"),
        (["analysis.switch_min_steps=0"], "switch_min_steps"),
    ],
)
def test_bad_input_fails_before_any_simulation(tmp_path, capsys, sets, name):
    argv = ["sweep", str(DIGITS), "--out", str(tmp_path / "s"), "--workers", "0"]
    for s in sets:
        argv += ["--set", s]
    assert main(argv) == 2
    assert name in capsys.readouterr().err
    assert not (tmp_path / "s" / "points").exists() or not any((tmp_path / "s").rglob("*.json"))


def test_report_refuses_a_folder_that_is_not_a_sweep(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "neurodam report: error" in capsys.readouterr().err


def test_mnist_model_file_loads_with_its_analysis_keys():
    base = _base(MNIST)
    cfg = sedam.validate(base)
    assert base["analysis"] == sedam.ANALYSIS_DEFAULTS  # the file states the defaults
    assert (cfg.params.noise, base["patterns"], base["N"], base["K"]) == (0.36, "mnist", 784, 10)


def test_demo_model_copy_is_found_from_another_folder(tmp_path, monkeypatch):
    shutil.copy(DIGITS, tmp_path / "x.yaml")
    monkeypatch.chdir(tmp_path)
    from neurodam.cli_study import _model_path

    assert _model_path(Path("models/sedam_mnist.yaml")) == MNIST
    assert _model_path(Path("x.yaml")) == Path("x.yaml")


def test_replica_batches_give_the_single_runs_results(tmp_path):
    # the reference engine's replicas draw each its own stream in the order of a single
    # run: the stored results must be identical, batched or not (timings aside)
    pytest.importorskip("neurodam.memory.replicas")
    from neurodam.sweep.grid import make_spec as spec_of

    spec = spec_of(_base(K=10, steps=800), ["noise=0,0.1,0.2"], seeds=2, model=sedam.MODEL)
    points = spec.points()
    single = dict(sedam.run_group(points, max_replicas=1))
    batched = dict(sedam.run_group(points, max_replicas=4))  # batches of 4 and 2
    assert single.keys() == batched.keys() and len(single) == 6
    for key, res in single.items():
        assert not isinstance(res, BaseException), res
        same = json.dumps(batched[key].result, sort_keys=True, default=str)  # NaN-safe
        assert same == json.dumps(res.result, sort_keys=True, default=str)
        for kind in sedam.KINDS:
            assert np.array_equal(batched[key].events[kind], res.events[kind])
