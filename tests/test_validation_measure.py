"""The measured known answers of the validation page (docs/validation/measure.py) and their
table (docs/_ext/validationpage.py): one quick check run end to end, the page with and without
measurements."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import yaml

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


measure = _load("neurodam_docs_measure", DOCS / "validation" / "measure.py")


def test_quick_check_measures_the_known_answer(tmp_path):
    """The supervised T = 0 overlap (K = 3, N = 20000, M = 5, r = 0.4): measured within the
    test's 4 standard errors of the binomial formula 0.6738, written to measured.json with its
    figure (well under a second)."""
    assert measure.main(["--only", "supervised_learning", "--out", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "measured.json").read_text())
    (entry,) = doc["checks"]
    assert entry["id"] == "supervised_learning" and entry["passed"] is True
    assert entry["predicted"]["m"] == pytest.approx(0.6738, abs=1e-4)
    assert abs(entry["measured"]["m"] - entry["predicted"]["m"]) <= entry["tolerance"]["m"]
    assert entry["tolerance"]["m"] < 0.01  # 4 SE of 6 runs of N = 20000 sites: ~0.0085
    assert (tmp_path / entry["figure"]).is_file() and entry["seconds"] > 0


def test_a_value_outside_its_tolerance_fails():
    m = measure.Measurement("x", "c", {"a": 1.0}, {"a": 1.2}, {"a": 0.1}, {}, "t")
    assert not m.evaluate().passed
    m.measured["a"] = 1.05
    assert m.evaluate().passed
    m.measured["a"] = float("nan")
    assert not m.evaluate().passed


def test_every_check_names_a_test_of_the_known_answers_table():
    """Each check's docstring starts with the test it reruns, listed in known_answers.yaml."""
    listed = {
        e["test"] for e in yaml.safe_load((DOCS / "validation" / "known_answers.yaml").read_text())
    }
    for name, func in measure.CHECKS.items():
        test = func.__doc__.split()[0].rstrip(".")
        assert test in listed, (name, test)


def test_measured_page_with_and_without_measurements(tmp_path):
    pytest.importorskip("sphinx")
    sys.path.insert(0, str(DOCS / "_ext"))
    import validationpage

    text, warnings = validationpage.measured_page(tmp_path / "measured.json")
    assert "make validation" in text and not warnings
    entry = measure.Measurement(
        "x", "A check", {"a": 1.0, "b": 2.0}, {"a": 1.05, "b": 3.0}, {"a": 0.1, "b": 0.5}, {},
        "tests/t.py::f", figure="x.png",
    ).evaluate()  # fmt: skip
    doc = {"quick": True, "created": "now", "checks": [measure.asdict(entry)]}
    (tmp_path / "measured.json").write_text(json.dumps(doc))
    text, warnings = validationpage.measured_page(tmp_path / "measured.json")
    assert not warnings and "0 of 1 checks passed" in text
    assert "| A check | a | 1 | 1.05 | 0.1 | yes |" in text
    assert "|  | b | 2 | 3 | 0.5 | **NO** |" in text
    assert "figure" not in text  # x.png does not exist: no broken image under -W
    (tmp_path / "x.png").write_bytes(b"")
    assert (
        ":::{figure} _generated/x.png"
        in validationpage.measured_page(tmp_path / "measured.json")[0]
    )
    (tmp_path / "measured.json").write_text("{")
    text, warnings = validationpage.measured_page(tmp_path / "measured.json")
    assert "make validation" in text and "not readable" in warnings[0]
