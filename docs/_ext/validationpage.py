"""Sphinx extension: the validation page, written at build time from the test suite.

On ``builder-inited`` it writes two files into ``validation/_generated/`` (git-ignored),
included by ``validation/index.md``:

* ``known_answers.md``: the table of ``validation/known_answers.yaml`` (one row per known
  answer: the check, the predicted value, the tolerance, its source and the test), grouped by
  topic. Every ``test`` there must name a test function that exists
  (``tests/<file>.py::<function>``); a missing one is a warning, so under ``-W`` a renamed or
  deleted test fails the build instead of leaving a stale row;
* ``test_modules.md``: every ``tests/test_*.py`` with its module docstring and its tests
  (name, first docstring line, markers such as ``slow`` and ``standalone``, and the number
  of parameter sets), read with :mod:`ast`; nothing is imported or run. New test files
  appear without editing the docs;
* ``measured.md``: the "Measured in this build" table, from ``validation/_generated/
  measured.json`` written by ``make validation`` (``validation/measure.py``): each check's
  predicted and measured numbers, the tolerance, whether it passed, and its figure. Without
  that file the page says how to produce it; the build never runs the measurements.

The tests themselves run in ``make test`` (default suite) and ``make test-slow`` (the long
validations); the docs build never runs them.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from sphinx.util import logging

log = logging.getLogger(__name__)

MARKERS = ("slow", "standalone", "gpu")


@dataclass(frozen=True)
class TestInfo:
    """One test function of a test module, as read from its source."""

    name: str
    line: int
    summary: str
    markers: tuple[str, ...]
    n_params: int


def _param_count(decorator: ast.expr) -> int:
    """Number of parameter sets of a ``pytest.mark.parametrize(names, values)`` decorator
    (1 when the values are not a literal list or tuple)."""
    if not isinstance(decorator, ast.Call) or len(decorator.args) < 2:
        return 1
    values = decorator.args[1]
    if isinstance(values, ast.List | ast.Tuple):
        return len(values.elts)
    return 1


def _decorator_name(decorator: ast.expr) -> str:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    try:
        return ast.unparse(target)
    except Exception:  # pragma: no cover - ast.unparse handles every expression
        return ""


def read_tests(path: Path) -> tuple[str, list[TestInfo]]:
    """The module docstring and test functions of one test file."""
    tree = ast.parse(path.read_text())
    module_markers: list[str] = []
    for node in tree.body:  # pytestmark = pytest.mark.slow (or a list of marks)
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            text = ast.unparse(node.value)
            module_markers += [m for m in MARKERS if f"mark.{m}" in text]
    tests = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            markers = list(module_markers)
            n_params = 1
            for dec in node.decorator_list:
                name = _decorator_name(dec)
                for m in MARKERS:
                    if name.endswith(f"mark.{m}") and m not in markers:
                        markers.append(m)
                if name.endswith("mark.parametrize"):
                    n_params *= _param_count(dec)
            doc = ast.get_docstring(node) or ""
            summary = _prose(doc)
            tests.append(TestInfo(node.name, node.lineno, summary, tuple(markers), n_params))
    return ast.get_docstring(tree) or "", tests


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _prose(doc: str) -> str:
    """The first paragraph of a docstring on one line, without tracker references."""
    text = " ".join(doc.split("\n\n")[0].split())
    return re.sub(r"\s*\((?:issue|issues|#)\s*[\d, ]+\)", "", text)


def known_answers_page(entries: list[dict], tests_dir: Path) -> tuple[str, list[str]]:
    """The table of known answers; returns the Markdown and the warnings."""
    warnings: list[str] = []
    cache: dict[str, dict[str, TestInfo]] = {}
    topics: dict[str, list[str]] = {}
    for i, entry in enumerate(entries):
        missing = [k for k in ("topic", "check", "predicted", "test") if not entry.get(k)]
        if missing:
            warnings.append(f"known_answers.yaml entry {i + 1}: missing {', '.join(missing)}")
            continue
        file, _, func = str(entry["test"]).partition("::")
        path = tests_dir.parent / file
        if file not in cache:
            cache[file] = {t.name: t for t in read_tests(path)[1]} if path.is_file() else {}
        info = cache[file].get(func)
        if info is None:
            warnings.append(f"known_answers.yaml: {entry['test']} does not exist")
            where = f"`{entry['test']}` (missing)"
        else:
            marks = f" ({', '.join(info.markers)})" if info.markers else ""
            where = f"`{file}::{func}`{marks}"
        row = [
            entry["check"],
            entry["predicted"],
            entry.get("tolerance", ""),
            entry.get("source", ""),
            where,
        ]
        topics.setdefault(str(entry["topic"]), []).append(
            "| " + " | ".join(_cell(c) if j < 4 else c for j, c in enumerate(row)) + " |"
        )
    lines: list[str] = []
    for topic, rows in topics.items():
        lines += [f"### {topic}", ""]
        lines += ["| check | predicted | tolerance | source | test |", "|---|---|---|---|---|"]
        lines += rows + [""]
    return "\n".join(lines), warnings


def test_modules_page(tests_dir: Path) -> str:
    """Every test module, its docstring and its tests."""
    lines: list[str] = []
    total = slow = 0
    for path in sorted(tests_dir.glob("test_*.py")):
        doc, tests = read_tests(path)
        if not tests:
            continue
        lines += [f"### `tests/{path.name}`", ""]
        if doc:
            lines += [_prose(doc), ""]
        for t in tests:
            total += 1
            slow += "slow" in t.markers
            extra = []
            if t.markers:
                extra.append(", ".join(t.markers))
            if t.n_params > 1:
                extra.append(f"{t.n_params} cases")
            tag = f" *({'; '.join(extra)})*" if extra else ""
            text = f": {_cell(t.summary)}" if t.summary else ""
            lines.append(f"- `{t.name}`{tag}{text}")
        lines.append("")
    head = [
        f"{total} test functions in {len(list(tests_dir.glob('test_*.py')))} files; "
        f"{slow} of them are marked `slow` (run by `make test-slow`).",
        "",
    ]
    return "\n".join(head + lines)


def _num(value: object, digits: int = 4) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _cell(value)
    return f"{value:.{digits}g}"


MEASURE_HINT = """No measurements in this build. Run

```bash
make validation    # docs/validation/measure.py --quick: about 20 s on two cores
make docs
```

to fill this section: it reruns a handful of the checks above through the public API, at the
settings of their tests, and records the numbers measured with a figure for each.
"""


def measured_page(measured: Path) -> tuple[str, list[str]]:
    """The "Measured in this build" table from ``measured.json``; the Markdown and warnings.

    Without the file the text says how to produce it. Figures are shown only when their file
    exists next to ``measured.json`` (paths relative to ``validation/index.md``).
    """
    import json

    if not measured.is_file():
        return MEASURE_HINT, []
    try:
        doc = json.loads(measured.read_text())
        checks = list(doc["checks"])
    except (ValueError, KeyError, TypeError) as err:
        return MEASURE_HINT, [f"{measured.name} is not readable ({err}); rerun make validation"]
    n_pass = sum(bool(c.get("passed")) for c in checks)
    mode = "`--quick` settings" if doc.get("quick") else "full settings"
    lines = [
        f"{n_pass} of {len(checks)} checks passed; measured {doc.get('created', '')} with "
        f"{mode} by `docs/validation/measure.py` (`make validation`). Each check reruns the "
        "test named in its caption with that test's settings and tolerance; a check passes "
        "when every measured value lies within the tolerance of the predicted one.",
        "",
        "| check | quantity | predicted | measured | tolerance | pass | time (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    figures: list[str] = []
    for c in checks:
        predicted = c.get("predicted") or {}
        measured_v = c.get("measured") or {}
        tolerance = c.get("tolerance") or {}
        for i, key in enumerate(predicted):
            first = i == 0
            m, p = measured_v.get(key), predicted[key]
            ok = isinstance(m, int | float) and abs(m - p) <= tolerance.get(key, 0)
            row = [
                _cell(c.get("check", c.get("id", ""))) if first else "",
                _cell(key),
                _num(p, 5),
                _num(m, 5),
                _num(tolerance.get(key, ""), 2),
                ("yes" if ok else "**NO**"),
                _num(c.get("seconds", ""), 2) if first else "",
            ]
            lines.append("| " + " | ".join(row) + " |")
        figure = c.get("figure")
        if figure and (measured.parent / figure).is_file():
            caption = _cell(c.get("check", ""))
            test = c.get("test", "")
            notes = f" {_cell(c['notes'])}." if c.get("notes") else ""
            figures += [
                f":::{{figure}} _generated/{figure}",
                ":width: 440px",
                "",
                f"{caption} (`{test}`).{notes}",
                ":::",
                "",
            ]
    return "\n".join(lines + [""] + figures), []


def write_validation(app) -> None:
    import yaml

    srcdir = Path(app.srcdir)
    tests_dir = Path(app.config.validationpage_tests)
    out = srcdir / "validation" / "_generated"
    out.mkdir(parents=True, exist_ok=True)
    table = srcdir / "validation" / "known_answers.yaml"
    entries = yaml.safe_load(table.read_text()) or []
    answers, warnings = known_answers_page(entries, tests_dir)
    for warning in warnings:
        log.warning(f"[validationpage] {warning}")
    measured, more = measured_page(out / "measured.json")
    for warning in more:
        log.warning(f"[validationpage] {warning}")
    pages = {
        "known_answers.md": answers,
        "test_modules.md": test_modules_page(tests_dir),
        "measured.md": measured,
    }
    for name, text in pages.items():
        target = out / name
        if not target.exists() or target.read_text() != text:
            target.write_text(text)


def setup(app):
    app.add_config_value("validationpage_tests", "../tests", "env")
    app.connect("builder-inited", write_validation)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
