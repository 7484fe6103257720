"""The sweep store: point files, resume, failed points, NaN, load() as a DataFrame."""

import json
import math

import numpy as np
import pytest
import test_sweep_dummies as d

import neurodam
from neurodam import sweep
from neurodam.sweep import SweepStore, flatten, load, make_spec, run_sweep

SETS = ["noise=0:0.4:0.1", "K=1,5"]


def _run(tmp_path, fn=d.smooth, sets=SETS, seeds=2, **kwargs):
    spec = make_spec(d.BASE, sets, seeds=seeds)
    kwargs.setdefault("workers", 0)
    kwargs.setdefault("progress", False)
    return spec, run_sweep(spec, fn, tmp_path / "sw", **kwargs)


def _files(path):
    return {p.name: p.read_bytes() for p in sorted((path / "points").iterdir())}


def test_point_file_schema(tmp_path):
    spec, summary = _run(tmp_path)
    assert (summary.n_points, summary.n_done, summary.n_failed, summary.n_run) == (20, 20, 0, 20)
    assert summary.store_s > 0 and summary.wall_s >= summary.store_s
    point = spec.points()[3]
    record = json.loads((tmp_path / "sw" / "points" / f"{point.key}.json").read_text())
    assert set(record) == {
        "format",
        "format_version",
        "key",
        "spec_key",
        "params",
        "overrides",
        "seed",
        "status",
        "error",
        "timings",
        "result",
        "nonfinite",
        "events",
        "version",
        "worker",
        "started",
        "finished",
    }
    assert record["key"] == point.key and record["spec_key"] == spec.key
    assert record["params"] == point.params and record["overrides"] == point.overrides
    assert record["seed"] == point.seed and record["status"] == "done"
    assert record["error"] is None and record["events"] is None
    assert set(record["timings"]) == {"store", "total"}
    assert record["result"]["transitions"]["mu"] == 2.0 + point.params["noise"]
    # strict JSON: non-finite values are null, listed by flat name
    assert record["result"]["switches"] == {"mu": None, "cv": None}
    assert record["nonfinite"] == {"switches_mu": "nan", "switches_cv": "inf", "hist[2]": "nan"}
    assert record["version"]["neurodam"] == neurodam.__version__
    spec_json = json.loads((tmp_path / "sw" / "spec.json").read_text())
    assert spec_json["format"] == "neurodam.sweep" and spec_json["spec_key"] == spec.key
    assert spec_json["n_points"] == 20 and spec_json["spec"]["sets"] == SETS
    assert {"created", "version"} <= set(spec_json)


def test_rerun_skips_finished_points_without_touching_them(tmp_path):
    _run(tmp_path)
    before = _files(tmp_path / "sw")
    mtimes = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "sw" / "points").iterdir()}
    _, again = _run(tmp_path)
    assert (again.n_run, again.n_skipped, again.n_done) == (0, 20, 20)
    assert _files(tmp_path / "sw") == before
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "sw" / "points").iterdir()} == mtimes


def test_failed_points_are_stored_and_retried(tmp_path):
    spec, summary = _run(tmp_path, fn=d.failing)
    # noise 0.3 and 0.4 fail for seed 1: 2 noises x 2 K
    assert (summary.n_done, summary.n_failed, summary.n_pending) == (16, 4, 0)
    df = load(tmp_path / "sw")
    failed = df[df["status"] == "failed"]
    assert len(failed) == 4 and set(failed["seed"]) == {1}
    assert set(failed["error_type"]) == {"ValueError"}
    assert failed["error"].str.startswith("ValueError: noise: simulated failure").all()
    assert failed["Q_bar"].isna().all()
    assert df.loc[df["status"] == "done", "error"].map(lambda e: e is None).all()
    record = json.loads((tmp_path / "sw" / "points" / f"{failed['key'].iloc[0]}.json").read_text())
    assert "Traceback" in record["error"]["traceback"] and record["result"] is None
    # --keep-failed: not retried
    _, kept = _run(tmp_path, fn=d.smooth, retry_failed=False)
    assert (kept.n_run, kept.n_failed) == (0, 4)
    # default: the failed points (only those) are recomputed
    done_before = {
        k: v for k, v in _files(tmp_path / "sw").items() if k[:-5] not in set(failed["key"])
    }
    _, again = _run(tmp_path, fn=d.smooth)
    assert (again.n_run, again.n_done, again.n_failed) == (4, 20, 0)
    after = _files(tmp_path / "sw")
    assert all(after[k] == v for k, v in done_before.items())


def test_nan_in_a_required_column_fails_the_point(tmp_path):
    _, summary = _run(tmp_path, fn=d.nan_q, required=["Q_bar", "transitions_mu"])
    assert (summary.n_done, summary.n_failed) == (10, 10)
    df = load(tmp_path / "sw")
    bad = df[df["status"] == "failed"]
    assert set(bad["seed"]) == {0}
    assert bad["error"].str.fullmatch("ValueError: Q_bar: required result value is nan").all()


def test_missing_required_column_and_non_mapping_results_fail(tmp_path):
    _, summary = _run(tmp_path, fn=d.smooth, sets=["noise=0.1"], seeds=1, required=["nope"])
    assert summary.n_failed == 1
    assert load(tmp_path / "sw")["error"].iloc[0] == (
        "ValueError: nope: required result value is missing"
    )
    _, summary = _run(tmp_path / "b", fn=d.not_a_dict, sets=["noise=0.1"], seeds=1)
    assert load(tmp_path / "b" / "sw")["error"].iloc[0].startswith("TypeError: result: a point")
    _, summary = _run(tmp_path / "c", fn=d.collides, sets=["noise=0.1"], seeds=1)
    assert "collide" in load(tmp_path / "c" / "sw")["error"].iloc[0]


def test_load_columns_flattening_and_nonfinite(tmp_path):
    spec, _ = _run(tmp_path)
    df = load(tmp_path / "sw")
    assert list(df.columns) == [
        "name",
        "noise",
        "K",
        "N",
        "patterns",
        "steps",
        "delay",
        "seed",
        "status",
        "error",
        "error_type",
        "time_store",
        "time_total",
        "key",
        "Q_bar",
        "exact",
        "transitions_rate",
        "transitions_mu",
        "switches_mu",
        "switches_cv",
        "renewal",
        "hist",
        "n_events",
    ]
    assert list(df["key"]) == [p.key for p in spec.points()]  # grid order
    assert df["switches_mu"].isna().all() and (df["switches_cv"] == math.inf).all()
    assert df["hist"].iloc[0][:2] == (1, 2) and math.isnan(df["hist"].iloc[0][2])
    assert df["renewal"].dtype == bool and df["n_events"].dtype.kind == "i"
    np.testing.assert_array_equal(df["exact"], 10 * df["noise"] + df["K"])
    assert df.attrs["swept"] == ["noise", "K"]
    assert df.attrs["params"] == ["name", "noise", "K", "N", "patterns", "steps", "delay"]
    assert df.attrs["spec"]["spec_key"] == spec.key


def test_load_pending_points(tmp_path):
    spec = make_spec(d.BASE, SETS, seeds=2)
    store = SweepStore.create(tmp_path / "sw", spec)
    assert load(store.path).empty
    df = load(store.path, include_pending=True)
    assert len(df) == 20 and set(df["status"]) == {"pending"}


def test_events_and_timings_of_a_point_result(tmp_path):
    spec, _ = _run(tmp_path, fn=d.with_events, sets=["noise=0.1,0.2"], seeds=1)
    df = load(tmp_path / "sw")
    assert {"time_simulate", "time_analyse", "time_store", "time_total"} <= set(df.columns)
    assert (df["time_simulate"] == 0.5).all() and (df["time_analyse"] == 0.25).all()
    key = spec.points()[1].key
    events = sweep.load_events(tmp_path / "sw", key)
    assert set(events) == {"switches", "onsets"}
    expected = d.with_events(spec.points()[1].params, spec.points()[1].seed).events
    np.testing.assert_array_equal(events["switches"], expected["switches"])
    with pytest.raises(FileNotFoundError, match="^key"):
        sweep.load_events(tmp_path / "sw", "0" * 16)


def test_save_events_false_stores_none(tmp_path):
    _run(tmp_path, fn=d.with_events, sets=["noise=0.1"], seeds=1, save_events=False)
    assert not list((tmp_path / "sw" / "points").glob("*.npz"))


def test_load_refuses_a_folder_that_is_not_a_sweep(tmp_path):
    with pytest.raises(ValueError, match="^path: .* is not a sweep folder"):
        load(tmp_path)
    with pytest.raises(FileNotFoundError, match="^path"):
        load(tmp_path / "absent")
    (tmp_path / "spec.json").write_text('{"format": "other"}')
    with pytest.raises(ValueError, match="not a neurodam sweep spec"):
        load(tmp_path)


def test_a_different_spec_in_the_same_folder_is_refused(tmp_path):
    _run(tmp_path)
    before = _files(tmp_path / "sw")
    with pytest.raises(ValueError) as info:
        _run(tmp_path, seeds=3)
    assert str(info.value).startswith("out: ")
    assert "different sweep" in str(info.value) and "seeds [0, 1] -> [0, 1, 2]" in str(info.value)
    with pytest.raises(ValueError, match="--set values"):
        _run(tmp_path, sets=["noise=0:0.4:0.2", "K=1,5"])
    assert _files(tmp_path / "sw") == before


def test_a_non_empty_folder_that_is_not_a_sweep_is_refused(tmp_path):
    (tmp_path / "sw").mkdir()
    (tmp_path / "sw" / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="^out: .* non-empty folder that is not a sweep"):
        _run(tmp_path)


def test_temporary_files_are_ignored_and_cleaned(tmp_path):
    spec, _ = _run(tmp_path, sets=["noise=0.1"], seeds=2)
    stray = tmp_path / "sw" / "points" / ".abc.json.x1y2.tmp.json"
    stray.write_text("{half")
    assert len(load(tmp_path / "sw")) == 2
    _run(tmp_path, sets=["noise=0.1"], seeds=2)
    assert not stray.exists()


def test_an_unreadable_point_is_recomputed_and_load_names_it(tmp_path):
    spec, _ = _run(tmp_path, sets=["noise=0.1"], seeds=2)
    path = tmp_path / "sw" / "points" / f"{spec.points()[0].key}.json"
    path.write_text("{broken")
    with pytest.raises(ValueError, match="unreadable"):
        load(tmp_path / "sw")
    _, summary = _run(tmp_path, sets=["noise=0.1"], seeds=2)
    assert (summary.n_run, summary.n_done) == (1, 2)
    assert json.loads(path.read_text())["status"] == "done"


def test_a_second_runner_on_the_same_folder_fails(tmp_path):
    spec = make_spec(d.BASE, ["noise=0.1"])
    store = SweepStore.create(tmp_path / "sw", spec)
    with store.lock():
        with pytest.raises(RuntimeError, match="^out: another process"):
            run_sweep(spec, d.smooth, tmp_path / "sw", workers=0, progress=False)


def test_flatten_rule():
    nested = {"Q_bar": 0.8, "transitions": {"mu": 2.1, "fit": {"xmin": 3}}, "l": [1, {"a": 2}]}
    assert flatten(nested) == {
        "Q_bar": 0.8,
        "transitions_mu": 2.1,
        "transitions_fit_xmin": 3,
        "l": [1, {"a": 2}],
    }
    with pytest.raises(ValueError, match="^a_b: two result keys"):
        flatten({"a_b": 1, "a": {"b": 2}})
