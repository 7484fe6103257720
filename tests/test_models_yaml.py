"""models/*.yaml: the ready-made models load, validate and do what their comments say."""

from pathlib import Path

import numpy as np
import pytest

from neurodam import config
from neurodam.memory.config import MemoryConfig, load_config, make_patterns, run_config

MODELS = Path(__file__).resolve().parents[1] / "models"


@pytest.mark.parametrize("name", ["hopfield", "dense", "sedam"])
def test_models_load(name):
    model = config.load(MODELS / f"{name}.yaml")
    assert model.kind == "memory"
    cfg = model.config
    assert isinstance(cfg, MemoryConfig) and cfg.name == name
    assert load_config(MODELS / f"{name}.yaml") == cfg  # the thin wrapper
    xi = make_patterns(cfg)
    assert xi.shape == (cfg.K, cfg.N)
    assert set(np.unique(xi)) <= {-1, 1}
    assert cfg.params.backend == "reference"


def test_hopfield_and_dense_models_retrieve():
    # hopfield: K/N = 0.05 < 0.138; dense:3: K=200 >> N/(2 ln N) ~ 11 at N=100
    for name in ("hopfield", "dense"):
        r = config.load(MODELS / f"{name}.yaml").run()
        assert r.overlaps[-1, 0] == 1.0, name
        assert r.params["config"]["name"] == name


def test_sedam_model_is_in_the_noisy_retrieval_regime():
    """p = 0.15: Q_bar near 1 - 2p (each step restores the nearest pattern, then the noise
    flips ~pN bits), memory switching present but rare (module comment of sedam.yaml)."""
    cfg = load_config(MODELS / "sedam.yaml", ["steps=3000"])
    r = run_config(cfg)
    assert abs(r.Q_bar - (1 - 2 * cfg.params.noise)) < 0.05
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
    assert config.parse_overrides(["noise=0.3", "K=20", "init=[1, 0.1]", "temperature=null"]) == {
        "noise": 0.3,
        "K": 20,
        "init": [1, 0.1],
        "temperature": None,
    }
    cfg = load_config(MODELS / "sedam.yaml", ["noise=0.3", "backend=numpy", "init=[2, 0.1]"])
    P = cfg.params
    assert P.noise == 0.3 and P.backend == "numpy" and P.init == (2, 0.1)
    d = cfg.as_dict()
    assert d["backend"] == "numpy" and d["patterns"] == "digits" and d["F"] == "exp:1"


@pytest.mark.parametrize(
    "override, error, match",
    [
        ("noise=0.8", ValueError, "noise"),
        ("K=0", ValueError, "K"),
        ("N=100", ValueError, "N"),  # digits have N=64
        ("F=cubic", ValueError, "F"),
        ("schedule=fast", ValueError, "schedule"),
        ("backend=gpu", ValueError, "backend"),
        ("backend=cython", ValueError, "runtime"),  # the old alias: a clear message
        ("device=numpy", ValueError, "device: renamed to 'backend'"),
        ("temperature=-1", ValueError, "temperature"),
        ("init=[50, 0.1]", ValueError, "init"),
        ("colour=blue", ValueError, "colour"),
        ("patterns=emnist", ValueError, "patterns"),
        ("images=last", ValueError, "images"),
        ("mnist_dir=7", TypeError, "mnist_dir"),
        ("analysis=3", TypeError, "analysis"),
        ("steps=ten", TypeError, "steps"),
        ("noise=high", TypeError, "noise"),
        ("kind=reservoir_x", ValueError, "kind"),
    ],
)
def test_bad_values_name_the_key(override, error, match):
    with pytest.raises(error, match=match):
        load_config(MODELS / "sedam.yaml", [override])


def test_bad_override_syntax_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="--set"):
        config.parse_overrides(["noise"])
    with pytest.raises(FileNotFoundError):
        config.load(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("patterns: rademacher\n")
    with pytest.raises(ValueError, match="F"):
        config.load(bad)
    bad.write_text("- a list\n- not a mapping\n")
    with pytest.raises(ValueError, match="mapping"):
        config.load(bad)
    bad.write_text("F: [unclosed\n")
    with pytest.raises(ValueError, match="YAML"):
        config.load(bad)


def test_registry_of_model_kinds(tmp_path):
    """A new model family registers a loader and a runner; its files say `kind: name`."""
    seen = {}

    def load(raw, name):
        if set(raw) - {"rate"}:
            raise ValueError(f"{sorted(set(raw) - {'rate'})[0]}: unknown key")
        return {"name": name, "rate": float(raw.get("rate", 1.0))}

    def run(cfg, progress=False):
        seen["progress"] = progress
        return 2 * cfg["rate"]

    kind = config.register_kind("toy_kind", load, run, replace=True)
    assert kind.name == "toy_kind" and "toy_kind" in config.kinds()
    assert "memory" in config.kinds() and config.DEFAULT_KIND == "memory"
    f = tmp_path / "toy.yaml"
    f.write_text("kind: toy_kind\nrate: 3\n")
    model = config.load(f, ["rate=4"])
    assert (model.kind, model.config) == ("toy_kind", {"name": "toy", "rate": 4.0})
    assert model.run(progress=True) == 8.0 and seen["progress"] is True
    with pytest.raises(ValueError, match="colour"):
        config.load(f, ["colour=red"])
    with pytest.raises(ValueError, match="memory"):  # load_config wants an associative memory
        load_config(f)
    with pytest.raises(ValueError, match="name"):
        config.register_kind("toy_kind", load, run)
    with pytest.raises(TypeError, match="run"):
        config.register_kind("toy2", load, "not callable")


def test_mnist_patterns_from_the_model_file(tmp_path):
    """patterns: mnist gives N = 784 binarised test images, pattern mu = image mu // 10 of
    digit mu % 10; N other than 784 and a K beyond the images available are refused."""
    from neurodam import patterns

    cfg = load_config(MODELS / "sedam.yaml", {"patterns": "mnist", "K": 20})
    assert (cfg.N, cfg.K) == (784, 20)
    xi = make_patterns(cfg)
    data = patterns.mnist_images()
    for mu in (0, 9, 10, 19):
        rows = np.flatnonzero((data.images == xi[mu]).all(axis=1))
        assert data.labels[rows[0]] == mu % 10
    with pytest.raises(ValueError, match="N: the mnist patterns have N=784"):
        load_config(MODELS / "sedam.yaml", {"patterns": "mnist", "N": 64})
    with pytest.raises(FileNotFoundError, match="mnist_dir"):
        load_config(MODELS / "sedam.yaml", {"patterns": "mnist", "mnist_dir": str(tmp_path)})
