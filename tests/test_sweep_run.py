"""Running sweeps: process pool, Dask, groups, build folders, kills and interrupts."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import test_sweep_dummies as d

from neurodam.sweep import load, make_spec, run_sweep
from neurodam.sweep.executors import _chunks

ROOT = Path(__file__).resolve().parents[1]
SETS = ["noise=0:0.4:0.1", "K=1,5"]
VOLATILE = {"timings", "worker", "started", "finished"}  # differ between runs by nature


def _stored(path: Path) -> dict:
    """Every point file's content without the fields that differ between runs."""
    out = {}
    for p in sorted((path / "points").glob("*.json")):
        record = json.loads(p.read_text())
        out[p.name] = {k: v for k, v in record.items() if k not in VOLATILE}
    return out


def _files(path: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted((path / "points").iterdir())}


def test_process_pool_matches_in_process_run(tmp_path):
    spec = make_spec(d.BASE, SETS, seeds=2)
    a = run_sweep(spec, d.failing, tmp_path / "a", workers=0, progress=False)
    b = run_sweep(spec, d.failing, tmp_path / "b", workers=2, progress=False)
    assert (a.n_done, a.n_failed) == (b.n_done, b.n_failed) == (16, 4)
    assert _stored(tmp_path / "a") == _stored(tmp_path / "b")
    workers = {json.loads(p.read_text())["worker"] for p in (tmp_path / "b" / "points").iterdir()}
    assert all(w.split(":")[1] != str(os.getpid()) for w in workers)  # ran in other processes


def test_dask_local_cluster_matches_local_run(tmp_path):
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    spec = make_spec(d.BASE, SETS, seeds=2)
    # the process pool matches the in-process run (test above), so compare with the latter
    run_sweep(spec, d.failing, tmp_path / "local", workers=0, progress=False)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        summary = run_sweep(
            spec, d.failing, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False
        )
        assert (summary.n_done, summary.n_failed) == (16, 4)
        # grouped on the cluster, with its own build folders per worker process
        builds = run_sweep(
            make_spec(d.BASE, ["noise=0.1,0.2"], seeds=4),
            d.build_dir,
            tmp_path / "builds",
            scheduler=cluster.scheduler_address,
            build_dir=tmp_path / "brian",
            progress=False,
        )
        assert builds.n_done == 8
    assert _stored(tmp_path / "local") == _stored(tmp_path / "dask")
    df = load(tmp_path / "builds")
    for build, pid in zip(df["build"], df["pid"], strict=True):
        assert Path(build).parent == tmp_path / "brian" and build.endswith(f"-{pid}")


def test_unreachable_scheduler_fails_fast_before_anything(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spec = make_spec(d.BASE, SETS)
    t0 = time.perf_counter()
    with pytest.raises(ConnectionError) as info:
        run_sweep(spec, d.smooth, tmp_path / "sw", scheduler=f"tcp://127.0.0.1:{port}")
    assert time.perf_counter() - t0 < 5  # refused at once, not after Dask's retries
    assert str(info.value).startswith("scheduler: no Dask scheduler answered")
    assert "--scheduler" in str(info.value)
    assert not (tmp_path / "sw").exists()
    with pytest.raises(ValueError, match="^scheduler: expected an address"):
        run_sweep(spec, d.smooth, tmp_path / "sw", scheduler="tcp://nohost")


def test_build_folder_per_worker_process(tmp_path):
    spec = make_spec(d.BASE, ["noise=0.1,0.2,0.3"], seeds=4)
    run_sweep(
        spec, d.build_dir, tmp_path / "sw", workers=2, build_dir=tmp_path / "b", progress=False
    )
    df = load(tmp_path / "sw")
    assert df["pid"].nunique() >= 1 and df.groupby("pid")["build"].nunique().eq(1).all()
    assert df.groupby("build")["pid"].nunique().eq(1).all()  # never shared by two processes
    for build in df["build"]:
        assert Path(build).parent == tmp_path / "b"
    assert not (tmp_path / "b").exists()  # the folders were left empty: removed at the end
    assert "NEURODAM_BUILD_DIR" not in os.environ or os.environ["NEURODAM_BUILD_DIR"] not in set(
        df["build"]
    )


def test_groups_run_as_chunks_with_one_setup_each(tmp_path):
    spec = make_spec(d.BASE, ["N=64,100", "patterns=digits,mnist", "noise=0.1,0.2,0.3"], seeds=2)
    summary = run_sweep(
        spec, None, tmp_path / "sw", group_fn=d.group_chunked, group_by=["N", "patterns"],
        workers=2, progress=False,
    )  # fmt: skip
    assert summary.n_done == 24
    df = load(tmp_path / "sw")
    # each group of 6 points is split into 2 chunks (one per worker), each compiled once
    assert df["compile_id"].nunique() == 8 and (df["chunk_size"] == 3).all()
    per_chunk = df.groupby("compile_id")[["N", "patterns"]].nunique()
    assert (per_chunk == 1).all().all()
    # same results as the plain point function
    plain = run_sweep(spec, d.smooth, tmp_path / "plain", workers=0, progress=False)
    assert plain.n_done == 24
    cols = ["Q_bar", "transitions_rate", "n_events"]
    assert load(tmp_path / "plain")[cols].equals(df[cols])


def test_chunking():
    spec = make_spec(d.BASE, ["N=64,100", "noise=0.1,0.2,0.3"], seeds=3)
    points = spec.points()
    assert [len(c) for c in _chunks(points, (), None, 4)] == [1] * 18
    assert [len(c) for c in _chunks(points, (), 5, 4)] == [5, 5, 5, 3]
    chunks = _chunks(points, ("N",), None, 2)  # 2 groups of 9 points, 2 slots: 5 + 4 each
    assert [len(c) for c in chunks] == [5, 5, 4, 4]  # long chunks first
    assert all(len({p.params["N"] for p in c}) == 1 for c in chunks)
    assert sorted(p.key for c in chunks for p in c) == sorted(p.key for p in points)


def test_group_failures_are_per_point(tmp_path):
    spec = make_spec(d.BASE, ["noise=0.1,0.2,0.3,0.4"], seeds=1)
    run_sweep(spec, None, tmp_path / "sw", group_fn=d.group_fails_second, group_by=["N"],
              workers=0, progress=False)  # fmt: skip
    df = load(tmp_path / "sw").set_index("noise")
    assert df.loc[0.1, "status"] == "done" and df.loc[0.4, "status"] == "done"
    assert df.loc[0.2, "error"] == "ValueError: diverged"
    assert df.loc[0.3, "error"] == "RuntimeError: program crashed"
    # a group whose setup fails stores every point as failed, with the setup's error
    run_sweep(spec, None, tmp_path / "setup", group_fn=d.group_setup_fails, group_by=["N"],
              workers=0, progress=False)  # fmt: skip
    df = load(tmp_path / "setup")
    assert (df["error"] == "OSError: compiler not found").all() and len(df) == 4


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"workers": -1}, ValueError, "workers"),
        ({"workers": 1.5}, TypeError, "workers"),
        ({"group_by": ["nope"]}, ValueError, "group_by: unknown key 'nope'"),
        ({"chunk_size": 0}, ValueError, "chunk_size"),
        ({"required": [1]}, TypeError, "required"),
        ({"group_fn": d.group_chunked}, TypeError, "point_fn: give exactly one"),
    ],
)
def test_bad_arguments_fail_before_anything(tmp_path, kwargs, error, message):
    spec = make_spec(d.BASE, SETS)
    with pytest.raises(error, match=f"^{message}"):
        run_sweep(spec, d.smooth, tmp_path / "sw", progress=False, **kwargs)
    assert not (tmp_path / "sw").exists()


def test_a_function_that_cannot_reach_the_workers_is_refused(tmp_path):
    spec = make_spec(d.BASE, SETS)
    with pytest.raises(TypeError, match="^point_fn: cannot be sent to worker processes"):
        run_sweep(spec, lambda p, s: {}, tmp_path / "sw", workers=2)
    assert not (tmp_path / "sw").exists()
    assert run_sweep(spec, lambda p, s: {"x": 1}, tmp_path / "sw", workers=0, progress=False).n_done


# ------------------------------------------------------------------ kill and interrupt
SCRIPT = textwrap.dedent(
    """
    import argparse, os, sys
    sys.path[:0] = [{root!r}, {tests!r}]
    import test_sweep_dummies as d
    from neurodam.sweep import add_arguments, cli_main

    if __name__ == "__main__":
        parser = add_arguments(argparse.ArgumentParser())
        sys.exit(cli_main(parser.parse_args(), load_model=lambda path: d.BASE, point_fn=d.slow))
    """
)
KILL_SETS = ["--set", "noise=0:0.9:0.1", "--set", "K=1,2"]  # 20 points of 0.3 s


def _start(tmp_path: Path) -> subprocess.Popen:
    script = tmp_path / "run_sweep.py"
    script.write_text(SCRIPT.format(root=str(ROOT), tests=str(ROOT / "tests")))
    args = [sys.executable, str(script), "model.yaml", *KILL_SETS, "--out", str(tmp_path / "sw")]
    return subprocess.Popen(
        [*args, "--workers", "2", "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )


def _wait_for_points(path: Path, n: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list((path / "points").glob("[!.]*.json"))) >= n if path.exists() else False:
            return
        if proc.poll() is not None:
            raise AssertionError(f"sweep ended early: {proc.communicate()}")
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("no points appeared")


def _workers_of(path: Path) -> set[int]:
    return {
        int(json.loads(p.read_text())["worker"].split(":")[1])
        for p in (path / "points").glob("[!.]*.json")
    }


def _wait_gone(pids: set[int], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = set()
        for pid in pids:
            try:
                os.kill(pid, 0)
                alive.add(pid)
            except ProcessLookupError:
                pass
        if not alive:
            return
        time.sleep(0.1)
    raise AssertionError(f"worker processes {alive} outlived the sweep")


def _finish_and_check(tmp_path: Path, finished: dict) -> None:
    spec = make_spec(d.BASE, ["noise=0:0.9:0.1", "K=1,2"])
    after_kill = _files(tmp_path / "sw")
    assert all(after_kill[k] == v for k, v in finished.items())  # intact, byte for byte
    assert not [k for k in after_kill if k.startswith(".")]
    summary = run_sweep(spec, d.smooth, tmp_path / "sw", workers=0, progress=False)
    assert (summary.n_done, summary.n_failed) == (20, 0)
    assert 0 < summary.n_run < 20 and summary.n_skipped == 20 - summary.n_run
    done = _files(tmp_path / "sw")
    assert all(done[k] == v for k, v in after_kill.items() if not k.startswith("."))
    df = load(tmp_path / "sw")
    for _, row in df.iterrows():  # every point holds the value of its own parameters
        assert (
            row["Q_bar"] == d.smooth({**d.BASE, "noise": row["noise"], "K": row["K"]}, 0)["Q_bar"]
        )


def test_sigkill_keeps_finished_points_and_rerun_completes(tmp_path):
    proc = _start(tmp_path)
    _wait_for_points(tmp_path / "sw", 4, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    finished = _files(tmp_path / "sw")
    _wait_gone(_workers_of(tmp_path / "sw"))  # the pool workers die with the sweep
    assert len(list((tmp_path / "sw" / "points").glob("[!.]*.json"))) < 20
    _finish_and_check(tmp_path, {k: v for k, v in finished.items() if not k.startswith(".")})


def test_ctrl_c_stops_cleanly_and_keeps_finished_points(tmp_path):
    proc = _start(tmp_path)
    _wait_for_points(tmp_path / "sw", 4, proc)
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted: finished points are kept" in out
    finished = _files(tmp_path / "sw")
    _wait_gone(_workers_of(tmp_path / "sw"))
    _finish_and_check(tmp_path, {k: v for k, v in finished.items() if not k.startswith(".")})
