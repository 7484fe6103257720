import numpy as np

from neurodam.cli import main
from neurodam.sweep import load


def test_demo_writes_the_study_report_and_says_where(tmp_path, capsys):
    # the demo's own grid takes minutes; the same code on two points of it takes seconds
    out = tmp_path / "demo"
    argv = ["demo", "--out", str(out), "--noise", "0.3,0.36", "-K", "10", "--steps", "2000",
            "--workers", "0", "--points", "none", "--backend", "reference", "-q"]  # fmt: skip
    assert main(argv) == 0
    text = capsys.readouterr().out
    phases = [f"phase_{k}.png" for k in ("retrieval", "switches", "transitions", "coincidences")]
    for name in ["report.md", "window.csv", "window.md", "summary.csv", *phases]:
        assert (out / name).stat().st_size > 0, name
    assert f"report        {out / 'report.md'}" in text
    assert f"figures       {out}/" in text and "complex window" in text
    df = load(out / "sweep")
    assert sorted(df["noise"]) == [0.3, 0.36] and set(df["K"]) == {10}
    assert set(df["n_neurons"]) == {784}  # binarised MNIST shipped with the package
    # Q_bar = 1 - 2p (science.md sec. 1): per-step sd 2 sqrt(p(1-p)/784) <= 0.035, 2000
    # steps, standard error ~0.001; 0.02 also covers the max over K correlated memories
    assert np.allclose(df["Q_bar"], 1 - 2 * df["noise"], atol=0.02)
    for kind in ("transitions", "coincidences", "switches"):
        for col in ("rate", "cv", "mu", "H_AJ", "H_SJ", "delta", "renewal"):
            assert f"{kind}_{col}" in df.columns
    # a second demo with the same grid reuses the stored points
    assert main(argv) == 0
    assert "0 failed, in " in capsys.readouterr().out


def test_demo_rejects_bad_noise(tmp_path, capsys):
    rc = main(["demo", "--out", str(tmp_path), "--noise", "0.7", "-q"])
    assert rc == 2
    assert "--noise" in capsys.readouterr().err
    assert not (tmp_path / "sweep").exists()


def test_demo_help(capsys):
    try:
        main(["demo", "--help"])
    except SystemExit as exc:
        assert exc.code == 0
    text = capsys.readouterr().out
    assert "SEDAM" in text and "report.md" in text
