"""models/*.yaml: the ready-made models load, validate and do what their comments say."""

from pathlib import Path

import numpy as np
import pytest

from neurodam.memory.config import load_config, make_patterns, parse_overrides, run_config

MODELS = Path(__file__).resolve().parents[1] / "models"


@pytest.mark.parametrize("name", ["hopfield", "dense", "sedam"])
def test_models_load(name):
    cfg = load_config(MODELS / f"{name}.yaml")
    assert cfg.name == name
    xi = make_patterns(cfg)
    assert xi.shape == (cfg.K, cfg.N)
    assert set(np.unique(xi)) <= {-1, 1}


def test_hopfield_and_dense_models_retrieve():
    # hopfield: K/N = 0.05 < 0.138; dense:3: K=200 >> N/(2 ln N) ~ 11 at N=100
    for name in ("hopfield", "dense"):
        r = run_config(load_config(MODELS / f"{name}.yaml"))
        assert r.overlaps[-1, 0] == 1.0, name


def test_sedam_model_is_in_the_noisy_retrieval_regime():
    """p = 0.15: Q_bar near 1 - 2p (each step restores the nearest pattern, then the noise
    flips ~pN bits), memory switching present but rare (module comment of sedam.yaml)."""
    cfg = load_config(MODELS / "sedam.yaml", ["steps=3000"])
    r = run_config(cfg)
    assert abs(r.Q_bar - (1 - 2 * cfg.noise)) < 0.05
    switches = np.count_nonzero(np.diff(r.overlaps.argmax(axis=1)))
    assert 10 < switches < 1500


def test_digits_one_image_per_class():
    from neurodam import patterns

    cfg = load_config(MODELS / "sedam.yaml", {"K": 10})
    xi = make_patterns(cfg)
    all_xi, labels = patterns.digits()
    for k in range(10):
        assert labels[np.flatnonzero((all_xi == xi[k]).all(axis=1))[0]] == k


def test_overrides():
    assert parse_overrides(["noise=0.3", "K=20", "init=[1, 0.1]", "temperature=null"]) == {
        "noise": 0.3,
        "K": 20,
        "init": [1, 0.1],
        "temperature": None,
    }
    cfg = load_config(MODELS / "sedam.yaml", ["noise=0.3", "device=numpy", "init=[2, 0.1]"])
    assert cfg.noise == 0.3 and cfg.device == "numpy" and cfg.init == (2, 0.1)


@pytest.mark.parametrize(
    "override, match",
    [
        ("noise=0.8", "noise"),
        ("K=0", "K"),
        ("N=100", "N"),  # digits have N=64
        ("F=cubic", "F"),
        ("schedule=fast", "schedule"),
        ("device=gpu", "device"),
        ("temperature=-1", "temperature"),
        ("init=[50, 0.1]", "init"),
        ("colour=blue", "colour"),
        ("patterns=mnist", "patterns"),
        ("steps=ten", "steps"),
    ],
)
def test_bad_values_name_the_key(override, match):
    with pytest.raises(ValueError, match=match):
        load_config(MODELS / "sedam.yaml", [override])


def test_bad_override_syntax_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="--set"):
        parse_overrides(["noise"])
    with pytest.raises(FileNotFoundError):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("patterns: rademacher\n")
    with pytest.raises(ValueError, match="F"):
        load_config(bad)
