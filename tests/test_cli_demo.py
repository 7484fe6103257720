import re

from neurodam import io
from neurodam.cli import main


def test_demo_writes_report_figures_and_spikes(tmp_path, capsys):
    out = tmp_path / "demo"
    rc = main(["demo", "--out", str(out), "--steps", "3000", "--backend", "reference", "-q"])
    assert rc == 0
    for name in ("report.txt", "report.png", "sedam.png", "sedam.npz"):
        assert (out / name).stat().st_size > 0, name
    text = (out / "report.txt").read_text()
    assert text == capsys.readouterr().out.rsplit("report        ", 1)[0]
    # SEDAM in the retrieval phase: Q_bar ~ 1 - 2p (science.md sec. 1); 3000 steps of
    # Q(t) with sd ~0.09 and short correlation time give a standard error well below 0.02
    q_bar = float(re.search(r"Q_bar = ([0-9.]+)", text).group(1))
    assert abs(q_bar - (1 - 2 * 0.15)) < 0.03
    for key in ("mu =", "H(AJ )", "H(AJL)", "H(SJ )", "delta =", "renewal"):
        assert key in text
    # SJ walk of any event sequence diffuses normally: H = 1/2 (Paradisi et al. 2012)
    h_sj = float(re.search(r"H\(SJ \)\s+([0-9.]+)", text).group(1))
    assert abs(h_sj - 0.5) < 0.1
    spikes = io.read(out / "sedam.npz")
    assert spikes.n_neurons == 64
    assert spikes.t_stop >= 2.999


def test_demo_rejects_bad_noise(tmp_path, capsys):
    rc = main(["demo", "--out", str(tmp_path), "--noise", "0.7", "-q"])
    assert rc == 2
    assert "--noise" in capsys.readouterr().err


def test_demo_help(capsys):
    try:
        main(["demo", "--help"])
    except SystemExit as exc:
        assert exc.code == 0
    assert "SEDAM" in capsys.readouterr().out
