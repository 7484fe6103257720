"""Sweep figures and tables: phase grids and maps, seed summaries, CSV and Markdown."""

import numpy as np
import pandas as pd
import pytest
import test_sweep_dummies as d

from neurodam.sweep import load, make_spec, phase_grid, phase_map, run_sweep, summarise, table


@pytest.fixture(scope="module")
def df(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "sw"
    spec = make_spec(d.BASE, ["noise=0:0.4:0.1", "K=1,2,5,10"], seeds=3)
    run_sweep(spec, d.failing, path, workers=0, progress=False)
    return load(path)


def test_phase_grid_known_answer(df):
    grid = phase_grid(df, "noise", "K", "exact")
    assert list(grid.columns) == [0.0, 0.1, 0.2, 0.3, 0.4] and list(grid.index) == [1, 2, 5, 10]
    expected = 10 * np.asarray(grid.columns)[None, :] + np.asarray(grid.index)[:, None]
    np.testing.assert_allclose(grid.to_numpy(), expected, rtol=0, atol=1e-12)


def test_phase_grid_averages_done_seeds_only(df):
    grid = phase_grid(df, "noise", "K", "Q_bar")
    done = df[df["status"] == "done"]
    for (noise, k), rows in done.groupby(["noise", "K"]):
        assert grid.loc[k, noise] == pytest.approx(rows["Q_bar"].mean(), abs=1e-15)
    # at noise >= 0.3 seed 1 failed: the mean is over seeds 0 and 2
    assert len(done[(done["noise"] == 0.3) & (done["K"] == 5)]) == 2
    # a boolean column averages to the fraction of seeds where it holds
    frac = phase_grid(df, "noise", "K", "renewal")
    assert set(np.unique(frac.to_numpy())) == {0.0, 1.0}
    assert phase_grid(df, "noise", "K", "Q_bar", agg="median").shape == (4, 5)


def test_phase_grid_refuses_to_average_another_varying_parameter(tmp_path):
    spec = make_spec(d.BASE, ["noise=0.1,0.2", "K=1,2", "patterns=digits,mnist"])
    run_sweep(spec, d.smooth, tmp_path / "sw", workers=0, progress=False)
    df = load(tmp_path / "sw")
    with pytest.raises(ValueError, match="^where: parameter 'patterns' takes 2 values"):
        phase_grid(df, "noise", "K", "Q_bar")
    grid = phase_grid(df, "noise", "K", "Q_bar", where={"patterns": "mnist"})
    rows = df[df["patterns"] == "mnist"].set_index(["K", "noise"])["Q_bar"]
    assert grid.loc[2, 0.2] == rows.loc[(2, 0.2)]


def test_phase_grid_bad_columns(df):
    with pytest.raises(ValueError, match="^phase_grid: no column 'nope'"):
        phase_grid(df, "noise", "K", "nope")
    with pytest.raises(ValueError, match="^y: expected a column other than x"):
        phase_grid(df, "noise", "noise", "Q_bar")
    bare = pd.DataFrame({"noise": [0.1], "K": [1], "Q_bar": [1.0], "status": ["done"]})
    with pytest.raises(ValueError, match="^df: expected a DataFrame from neurodam.sweep.load"):
        phase_grid(bare, "noise", "K", "Q_bar")


def test_phase_map_draws_the_grid(df):
    ax = phase_map(df, "noise", "K", "Q_bar")
    mesh = ax.collections[0]
    grid = phase_grid(df, "noise", "K", "Q_bar")
    np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(grid.shape), grid)
    # noise is uniform: drawn at its values; K = 1, 2, 5, 10 is not: equal labelled cells
    assert ax.get_xlim() == pytest.approx((-0.05, 0.45))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1", "2", "5", "10"]
    assert ax.get_xlabel() == "noise" and ax.get_ylabel() == "K"
    assert "3 seeds" in ax.get_title()


def test_summarise_counts_means_and_spread(df):
    s = summarise(df)
    assert list(s.columns[:4]) == ["noise", "K", "n_done", "n_failed"]
    assert len(s) == 20 and s["n_done"].sum() == 52 and s["n_failed"].sum() == 8
    row = s[(s["noise"] == 0.1) & (s["K"] == 2)].iloc[0]
    pts = df[(df["noise"] == 0.1) & (df["K"] == 2)]
    assert row["Q_bar"] == pytest.approx(pts["Q_bar"].mean(), abs=1e-15)
    assert row["Q_bar_std"] == pytest.approx(pts["Q_bar"].std(ddof=1), abs=1e-15)
    assert "time_total" not in s.columns and "hist" not in s.columns
    assert list(summarise(df, by=["K"], columns=["exact"]).columns) == [
        "K",
        "n_done",
        "n_failed",
        "exact",
        "exact_std",
    ]


def test_table_writes_csv_and_markdown(df, tmp_path):
    frame = table(df, [tmp_path / "t.csv", tmp_path / "t.md"], columns=["Q_bar", "exact"])
    back = pd.read_csv(tmp_path / "t.csv")
    assert list(back.columns) == list(frame.columns)
    np.testing.assert_allclose(back["Q_bar"], frame["Q_bar"], rtol=1e-15)
    md = (tmp_path / "t.md").read_text().splitlines()
    assert md[0] == "| noise | K | n_done | n_failed | Q_bar | Q_bar_std | exact | exact_std |"
    assert md[1] == "|---|---|---|---|---|---|---|---|"
    assert len(md) == 2 + 20
    assert md[2].startswith("| 0 | 1 | 3 | 0 | ")
    raw = table(df, tmp_path / "raw.md", summary=False, columns=["noise", "K", "seed", "status"])
    assert len(raw) == 60
    with pytest.raises(ValueError, match="^path: expected a .csv or .md"):
        table(df, tmp_path / "t.txt")
