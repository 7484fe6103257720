"""The documentation's Sphinx extensions (docs/_ext): the parts that read the package and
the tests, checked without building the site (skipped when Sphinx is not installed)."""

import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
DOCS = Path(__file__).resolve().parents[1] / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

import apipages  # noqa: E402
import validationpage  # noqa: E402


def test_column_blocks_become_tables_and_literals_stay():
    lines = [
        "Modules",
        "",
        "params         MemoryParams: every parameter",
        "interactions   the interaction F",
        "               and its registry",
        "examples, M, r, rule",
        "               couplings learnt from examples",
        "F, noise,",
        "seed",
        "               the fields of MemoryParams",
        "config         ready-made models",
        "",
        "Example::",
        "",
        "    a   b",
        "    c   d",
    ]
    out = apipages.column_tables(lines)
    text = "\n".join(out)
    assert text.count("* - ") == 5
    assert "* - ``interactions``\n     - the interaction F and its registry" in text
    assert "* - ``examples, M, r, rule``\n     - couplings learnt from examples" in text
    assert "* - ``F, noise, seed``\n     - the fields of MemoryParams" in text
    assert out[-2:] == ["    a   b", "    c   d"]  # the literal block is untouched


def test_a_single_line_is_not_a_table():
    lines = ["Overlap of two states  m = a . b / N", "", "Parameters"]
    assert apipages.column_tables(lines) == lines


def test_exported_names_are_documented_once(tmp_path):
    modules, errors = apipages.walk("neurodam")
    apipages.assign_homes(modules)
    assert not errors
    homes: dict[int, list[str]] = {}
    for info in modules.values():
        for name in info.own:
            obj = getattr(info.module, name)
            if apipages._identity(obj):
                homes.setdefault(id(obj), []).append(f"{info.name}.{name}")
    assert all(len(v) == 1 for v in homes.values()), [v for v in homes.values() if len(v) > 1]
    # simulate is defined in neurodam.memory.simulate and linked from neurodam.memory
    memory = modules["neurodam.memory"]
    assert ("simulate", "neurodam.memory.simulate.simulate") in memory.links


def test_summary_line_keeps_the_whole_first_paragraph():
    def f():
        """Overlap ``m = xi . sigma / N`` of a state.

        More text.
        """

    assert apipages.summary_line(f) == "Overlap ``m = xi . sigma / N`` of a state."
    assert apipages.summary_line(3) == ""


def test_read_tests_finds_markers_and_parameter_sets(tmp_path):
    path = tmp_path / "test_x.py"
    path.write_text(
        '"""Module doc (issue 3)."""\n'
        "import pytest\n\n"
        "@pytest.mark.slow\n"
        "@pytest.mark.parametrize('a', [1, 2, 3])\n"
        "def test_a(a):\n"
        '    """First line.\n\n    More."""\n\n'
        "def test_b():\n    pass\n\n"
        "def helper():\n    pass\n"
    )
    doc, tests = validationpage.read_tests(path)
    assert doc.startswith("Module doc")
    assert [t.name for t in tests] == ["test_a", "test_b"]
    assert tests[0].markers == ("slow",) and tests[0].n_params == 3
    assert tests[0].summary == "First line."
    assert tests[1].markers == () and tests[1].n_params == 1
    page = validationpage.test_modules_page(tmp_path)
    assert "issue" not in page and "(slow; 3 cases)" in page


def test_known_answers_name_existing_tests_and_a_missing_one_warns(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_y.py").write_text("def test_here():\n    pass\n")
    entries = [
        {"topic": "T", "check": "c", "predicted": "1", "test": "tests/test_y.py::test_here"},
        {"topic": "T", "check": "c", "predicted": "1", "test": "tests/test_y.py::test_gone"},
    ]
    page, warnings = validationpage.known_answers_page(entries, tests)
    assert "`tests/test_y.py::test_here`" in page
    assert warnings == ["known_answers.yaml: tests/test_y.py::test_gone does not exist"]


def test_the_shipped_known_answers_table_is_valid():
    import yaml

    entries = yaml.safe_load((DOCS / "validation" / "known_answers.yaml").read_text())
    _, warnings = validationpage.known_answers_page(entries, DOCS.parent / "tests")
    assert warnings == []
    assert len(entries) >= 10


def test_cross_references_resolve_to_where_objects_are_documented():
    objects = dict.fromkeys(
        [
            "neurodam.spikes.EventTimes",
            "neurodam.spikes.SpikeTrains",
            "neurodam.memory.params.MemoryParams",
            "neurodam.memory.params.MemoryParams.replace",
            "neurodam.sweep.store.load",
            "neurodam.io.arrays.load",
        ]
    )
    names = {
        "neurodam.EventTimes": "neurodam.spikes.EventTimes",
        "neurodam.memory.MemoryParams": "neurodam.memory.params.MemoryParams",
        "neurodam.sweep.load": "neurodam.sweep.store.load",
    }

    def resolve(target, module=None):
        return apipages.resolve_target(target, objects, names, module)

    assert resolve("neurodam.EventTimes") == "neurodam.spikes.EventTimes"
    assert resolve("~neurodam.memory.MemoryParams.replace") == (
        "neurodam.memory.params.MemoryParams.replace"
    )
    assert resolve("SpikeTrains") == "neurodam.spikes.SpikeTrains"
    assert resolve("MemoryParams.replace") == "neurodam.memory.params.MemoryParams.replace"
    assert resolve("load") is None  # two objects: ambiguous without a context
    assert resolve("load", module="neurodam.sweep.grid") == "neurodam.sweep.store.load"
    assert resolve("neurodam.analysis.no_such_function") is None  # stays broken: fails -W
