"""Sphinx extension: the API reference, written at build time from the package itself.

On ``builder-inited`` it walks the package (every module without a leading underscore in
its dotted name), and writes into ``docs/api/`` (git-ignored):

* one page per public module: the module docstring, then every public name *defined* in
  that module (its ``__all__``, else its public top-level names) with ``autofunction``,
  ``autoclass`` (members included, undocumented ones too, so that numpydoc's GL08 check
  fails the build for a public method without a docstring) or ``autodata``; names the
  module only re-exports get a table (link and first docstring paragraph) to the page that
  documents them, so each object is described exactly once and cross-references stay
  unambiguous;
* ``index.rst``: the modules grouped by top-level subpackage, in the order in which the
  package docstring lists them (its lines ``neurodam.xxx   description``), then any public
  module the docstring does not list. Inside a subpackage, modules come in the order in
  which the subpackage's docstring first names them, then alphabetically.

Subpackages that do not exist yet are skipped; new modules appear without editing the
docs. An object defined in a private module is documented on the deepest public module
that exports it. Module docstrings use numpydoc-style underlined headings, which docutils
refuses inside an autodoc directive; :func:`module_docstring` turns them into rubrics.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from sphinx.util import logging

log = logging.getLogger(__name__)

_HEADING = re.compile(r"^(?P<indent>\s*)(?P<rule>-{3,}|={3,}|~{3,})\s*$")


@dataclass
class ModuleInfo:
    """What one public module exports and where each name is documented."""

    name: str
    module: ModuleType
    exported: list[str]
    defined: set[str]
    own: list[str] = field(default_factory=list)  # documented on this page
    links: list[tuple[str, str]] = field(default_factory=list)  # (name, target)
    submodules: list[str] = field(default_factory=list)  # exported submodules

    @property
    def is_package(self) -> bool:
        return hasattr(self.module, "__path__")


def _public(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split("."))


def top_level_names(module: ModuleType) -> set[str]:
    """Names bound at the top level of a module's source (def, class, assignments)."""
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return set()
    names: set[str] = set()

    def visit(body: Iterable[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    for sub in ast.walk(target):
                        if isinstance(sub, ast.Name):
                            names.add(sub.id)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
            elif isinstance(node, ast.If | ast.Try):
                visit(node.body)
                visit(node.orelse)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(ast.parse(source).body)
    return names


def exported_names(module: ModuleType, defined: set[str]) -> list[str]:
    """``__all__`` in its order, else the public names defined in the module (sorted)."""
    if hasattr(module, "__all__"):
        return [n for n in module.__all__ if not n.startswith("__")]
    return sorted(n for n in defined if not n.startswith("_") and hasattr(module, n))


def walk(package: str) -> tuple[dict[str, ModuleInfo], list[str]]:
    """Import every public module of ``package``; returns the modules and import errors."""
    errors: list[str] = []
    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, prefix=package + ".", onerror=errors.append):
        if _public(info.name) and not info.name.endswith("__main__"):
            names.append(info.name)
    modules: dict[str, ModuleInfo] = {}
    for name in names:
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # reported as a warning: the build fails under -W
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        defined = top_level_names(module)
        modules[name] = ModuleInfo(name, module, exported_names(module, defined), defined)
    return modules, errors


def assign_homes(modules: dict[str, ModuleInfo]) -> None:
    """Decide on which page each exported object is documented (once)."""
    home: dict[int, str] = {}  # id(object) -> module documenting it
    # 1. where a public module defines the name
    for info in modules.values():
        for name in info.exported:
            obj = getattr(info.module, name, None)
            if name in info.defined and not inspect.ismodule(obj):
                home.setdefault(id(obj), info.name) if _identity(obj) else None
    # 2. objects defined in private modules: the deepest public module exporting them
    for info in sorted(modules.values(), key=lambda i: (-i.name.count("."), i.name)):
        for name in info.exported:
            obj = getattr(info.module, name, None)
            if obj is None or inspect.ismodule(obj) or not _identity(obj):
                continue
            if id(obj) not in home:
                home[id(obj)] = info.name
    for info in modules.values():
        for name in info.exported:
            if not hasattr(info.module, name):
                log.warning(f"[apipages] {info.name}.__all__ names {name!r}, which it lacks")
                continue
            obj = getattr(info.module, name)
            if inspect.ismodule(obj):
                if obj.__name__ in modules:
                    info.submodules.append(obj.__name__)
                continue
            if not _identity(obj):  # plain data (numbers, strings, tuples): where defined
                if name in info.defined:
                    info.own.append(name)
                else:
                    target = _data_home(modules, name, obj)
                    if target:
                        info.links.append((name, f"{target}.{name}"))
                    else:
                        info.own.append(name)
                continue
            where = home.get(id(obj), info.name)
            if where == info.name:
                info.own.append(name)
            else:
                real = _name_in(modules[where], obj) or name
                info.links.append((name, f"{where}.{real}"))


def _identity(obj) -> bool:
    """Objects recognised by identity: functions, classes, other callables and instances
    that carry their own definition (not numbers, strings or tuples)."""
    return inspect.isclass(obj) or inspect.isroutine(obj) or callable(obj)


def _name_in(info: ModuleInfo, obj) -> str | None:
    for name in info.own or info.exported:
        if getattr(info.module, name, None) is obj:
            return name
    return None


def _data_home(modules: dict[str, ModuleInfo], name: str, obj) -> str | None:
    for info in modules.values():
        if name in info.defined and name in info.exported and getattr(info.module, name) is obj:
            return info.name
    return None


# ------------------------------------------------------------------------- pages
def _title(text: str, char: str = "=") -> str:
    return f"{text}\n{char * len(text)}\n"


def _directive(info: ModuleInfo, name: str) -> str:
    obj = getattr(info.module, name)
    full = f"{info.name}.{name}"
    if inspect.isclass(obj):
        kind = "autoexception" if issubclass(obj, BaseException) else "autoclass"
        return f".. {kind}:: {full}\n   :members:\n   :undoc-members:\n"
    if inspect.isroutine(obj) or (callable(obj) and not inspect.isclass(obj)):
        if inspect.isroutine(obj):
            return f".. autofunction:: {full}\n"
    return f".. autodata:: {full}\n"


def module_page(info: ModuleInfo) -> str:
    """The reStructuredText of one module's page."""
    kind = "package" if info.is_package else "module"
    lines = [f".. _api-{info.name}:\n", _title(f"``{info.name}``"), ""]
    lines.append(f".. automodule:: {info.name}\n   :no-members:\n")
    if info.submodules:
        lines.append(".. rubric:: Submodules exported here\n")
        lines += [f"* :mod:`{m}`" for m in info.submodules]
        lines.append("")
    if info.links:
        lines.append(f".. rubric:: Names this {kind} exports from its modules\n")
        lines.append(".. list-table::")
        lines.append("   :class: api-summary")
        lines.append("   :widths: 35 65\n")
        for name, target in info.links:
            summary = summary_line(getattr(info.module, name, None))
            lines += [f"   * - :obj:`~{target}`", f"     - {summary}"]
        lines.append("")
    if info.own:
        if info.links or info.submodules:
            lines.append(f".. rubric:: Defined in this {kind}\n")
        lines.append(f".. currentmodule:: {info.name}\n")
        for name in info.own:
            lines.append(_directive(info, name))
    return "\n".join(lines) + "\n"


def summary_line(obj) -> str:
    """The first paragraph of an object's docstring on one line (the whole paragraph, so
    that inline markup is never cut, as a first-sentence split would cut ``a . b``)."""
    if obj is None or not (inspect.isclass(obj) or callable(obj)):
        return ""
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.strip().split("\n\n")[0].split())


def _docstring_order(doc: str, candidates: list[str], prefix: str) -> list[str]:
    """``candidates`` (dotted names) in the order ``doc`` first mentions them after its
    summary paragraph (a summary such as "Hopfield, dense and exponential memories"
    names topics, not modules); never mentioned: alphabetical, at the end."""
    summary_end = doc.find("\n\n")
    body_start = summary_end if summary_end >= 0 else 0

    def first(name: str) -> float:
        short = name[len(prefix) :] if name.startswith(prefix) else name
        best = float("inf")
        for token in {name, short, short.split(".")[-1]}:
            pattern = rf"(?<![\w.]){re.escape(token)}(?![\w])"
            m = re.search(pattern, doc[body_start:]) or re.search(pattern, doc)
            if m:
                pos = m.start() + (body_start if re.search(pattern, doc[body_start:]) else 0)
                best = min(best, pos)
        return best

    return sorted(candidates, key=lambda n: (first(n), n))


def index_page(package: str, modules: dict[str, ModuleInfo]) -> str:
    """``index.rst``: a toctree per top-level subpackage, in the package docstring's order."""
    root = modules[package].module
    doc = inspect.getdoc(root) or ""
    listed: list[tuple[str, str]] = []
    for line in doc.splitlines():
        m = re.match(rf"^\s*({re.escape(package)}(?:\.\w+)*)\s{{2,}}(.+)$", line)
        if m and m.group(1) not in (n for n, _ in listed):
            listed.append((m.group(1), m.group(2).strip()))
    groups: dict[str, list[str]] = {}
    for name in modules:
        if name == package:
            continue
        top = ".".join(name.split(".")[:2])
        groups.setdefault(top, []).append(name)
    out = [
        ".. _api-reference:\n",
        _title("API reference"),
        "",
        "Generated at build time from the package (``docs/_ext/apipages.py``): every public",
        "module, grouped as the package docstring groups them. Each object is documented in",
        "the module that defines it; packages list what they re-export with links.",
        "",
        ".. toctree::",
        "   :maxdepth: 1",
        "   :caption: neurodam",
        "",
        f"   {package}",
        "",
    ]
    order = [n for n, _ in listed if n in groups or n in modules]
    order += sorted(g for g in groups if g not in order)
    described = dict(listed)
    for top in order:
        members = groups.get(top, [])
        if top not in modules:
            continue
        subs = [m for m in members if m != top]
        top_doc = inspect.getdoc(modules[top].module) or ""
        subs = _docstring_order(top_doc, subs, top + ".")
        caption = top + (f": {described[top]}" if top in described else "")
        out += ["", ".. toctree::", "   :maxdepth: 1", f"   :caption: {caption}", ""]
        out += [f"   {m}" for m in [top, *subs]]
    return "\n".join(out) + "\n"


def aliases(modules: dict[str, ModuleInfo]) -> dict[str, str]:
    """``{exported dotted name: documented dotted name}`` for every exported object, e.g.
    ``neurodam.EventTimes -> neurodam.spikes.EventTimes``."""
    out: dict[str, str] = {}
    for info in modules.values():
        for name in info.own:
            out[f"{info.name}.{name}"] = f"{info.name}.{name}"
        for name, target in info.links:
            out[f"{info.name}.{name}"] = target
    return out


def write_pages(outdir: Path, package: str) -> tuple[list[str], dict[str, str]]:
    """Write every page; returns the warnings to report (import errors, bad __all__) and
    the :func:`aliases` of the exported names."""
    modules, errors = walk(package)
    assign_homes(modules)
    outdir.mkdir(parents=True, exist_ok=True)
    wanted = {f"{name}.rst" for name in modules} | {"index.rst"}
    for stale in outdir.glob("*.rst"):
        if stale.name not in wanted:
            stale.unlink()
    pages = {f"{name}.rst": module_page(info) for name, info in modules.items()}
    pages["index.rst"] = index_page(package, modules)
    for fname, text in pages.items():
        path = outdir / fname
        if not path.exists() or path.read_text() != text:  # keep mtimes: incremental builds
            path.write_text(text)
    return errors, aliases(modules)


# --------------------------------------------------------------- docstring hooks
_ROW = re.compile(r"^(?P<ind> *)(?P<term>\S(?:.*?\S)?)\s{2,}(?P<desc>\S.*)$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _term(text: str) -> str:
    if "`" in text or re.search(r":\w+:", text):
        return text
    return f"``{text}``"


def _table(rows: list[tuple[str, str]], ind: int) -> list[str]:
    pad = " " * ind
    out = ["", f"{pad}.. list-table::", f"{pad}   :class: api-columns", ""]
    for term, desc in rows:
        out += [f"{pad}   * - {_term(term)}", f"{pad}     - {desc.strip()}"]
    return out + [""]


def column_tables(lines: list[str]) -> list[str]:
    """Blocks of ``term   description`` lines (two or more spaces between the columns,
    continuation lines indented further; a long term may stand alone on its line, or on
    several lines ending in commas, with its description indented below) become
    list-tables; literal blocks (after ``::``) and doctests are left alone. Needs two rows
    or more."""
    out: list[str] = []
    i, n = 0, len(lines)
    literal_at: int | None = None  # indent of the paragraph that opened a literal block
    while i < n:
        line = lines[i]
        if literal_at is not None:
            if line.strip() and _indent(line) <= literal_at:
                literal_at = None
            else:
                out.append(line)
                i += 1
                continue
        if re.match(r"^\s*=+(\s+=+)+\s*$", line):  # a simple table: keep it
            j = i + 1
            while j < n and not (
                re.match(r"^\s*=+(\s+=+)+\s*$", lines[j])
                and (j + 1 == n or not lines[j + 1].strip())
            ):
                j += 1
            out += lines[i : j + 1]
            i = j + 1
            continue
        if line.rstrip().endswith("::"):
            literal_at = _indent(line)
            out.append(line)
            i += 1
            continue
        m = _ROW.match(line)
        if m and not line.lstrip().startswith((">>>", "...", "..", "*", "-", "|", "+")):
            ind = len(m.group("ind"))
            rows = [[m.group("term"), m.group("desc")]]
            pending: list[str] = []
            j = i + 1
            while j < n and lines[j].strip():
                nxt = lines[j]
                k = _indent(nxt)
                r = _ROW.match(nxt)
                if k > ind and not pending:
                    rows[-1][1] += " " + nxt.strip()
                elif k > ind and pending:
                    rows.append([" ".join(pending), nxt.strip()])
                    pending = []
                elif k == ind and r and len(r.group("term")) <= 60:
                    if pending:
                        break
                    rows.append([r.group("term"), r.group("desc")])
                elif k == ind and nxt.rstrip().endswith(","):
                    pending.append(nxt.strip())
                elif k == ind and pending:
                    pending.append(nxt.strip())
                elif k == ind and j + 1 < n and _indent(lines[j + 1]) > ind:
                    pending.append(nxt.strip())  # a term alone; its description below
                else:
                    break
                j += 1
            grouped = i > 0 and lines[i - 1].strip() and _indent(lines[i - 1]) < ind
            enough = len(rows) >= 2 or grouped
            if enough and not pending and len(m.group("term")) <= 60:
                out += _table([(t, d) for t, d in rows], ind)
                i = j
                continue
        out.append(line)
        i += 1
    return out


def module_docstring(app, what, name, obj, options, lines) -> None:
    """Module docstrings: numpydoc-style underlined headings become rubrics, and column
    blocks (``name   description`` lines) become tables; the text is unchanged."""
    if what != "module":
        return
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        prev = out[-1] if out else ""
        if line.strip() and _HEADING.match(nxt) and not prev.strip():
            out += [f".. rubric:: {line.strip()}", ""]
            i += 2
            continue
        out.append(line)
        i += 1
    lines[:] = column_tables(out)


def inherit_docstrings(app, what, name, obj, options, lines) -> None:
    """A method or property that overrides a documented one and has no docstring of its
    own is shown with the inherited docstring (``autodoc_inherit_docstrings``); give the
    object that docstring too, so that numpydoc's GL08 check (which reads ``__doc__``)
    counts it as documented. Runs before numpydoc."""
    if what not in ("method", "property") or getattr(obj, "__doc__", None):
        return
    target = obj.fget if isinstance(obj, property) and obj.fget is not None else obj
    doc = inspect.getdoc(target)
    if doc:
        for holder in {id(obj): obj, id(target): target}.values():
            try:
                holder.__doc__ = doc
            except (AttributeError, TypeError):
                pass


def skip_class_data(app, what, name, obj, skip, options):
    """In classes, document methods and properties; plain attributes (dataclass fields,
    class constants) are described in the class docstring's Attributes section."""
    if what in ("class", "exception") and not skip:
        if inspect.isroutine(obj) or isinstance(obj, property | classmethod | staticmethod):
            return None
        from functools import cached_property

        if isinstance(obj, cached_property) or inspect.isclass(obj):
            return None
        return True
    return None


def _generate(app) -> None:
    outdir = Path(app.srcdir) / app.config.apipages_outdir
    errors, names = write_pages(outdir, app.config.apipages_package)
    app.apipages_aliases = names
    for error in errors:
        log.warning(f"[apipages] cannot import {error}")


# ------------------------------------------------------------ cross-references
def resolve_target(target: str, objects: dict, names: dict[str, str], module: str | None):
    """The documented full name a Python cross-reference means, or None.

    ``target`` is what the reference says: a name the package re-exports
    (``neurodam.EventTimes``, ``neurodam.memory.MemorySession.run``: the exported prefix
    is replaced by where the object is documented), or a short name (``SpikeTrains``,
    ``MemoryParams.replace``) that names exactly one documented object, preferring one in
    the referring module's package.
    """
    target = target.lstrip("~.")
    parts = target.split(".")
    for i in range(len(parts), 0, -1):
        home = names.get(".".join(parts[:i]))
        if home is not None:
            full = ".".join([home, *parts[i:]])
            if full in objects:
                return full
    suffix = "." + target
    found = sorted({full for full in objects if full.endswith(suffix)})
    if len(found) > 1 and module:
        for depth in range(module.count(".") + 1, 0, -1):
            scope = ".".join(module.split(".")[:depth]) + "."
            near = [full for full in found if full.startswith(scope)]
            if near:
                found = near
                break
    if len(found) > 1:  # one object documented once, exported under several names
        homes = {names.get(full, full) for full in found}
        found = sorted(homes) if len(homes) == 1 else found
    return found[0] if len(found) == 1 else None


def missing_reference(app, env, node, contnode):
    """Resolve Python references that name an object where it is exported rather than
    where it is documented, or by its short name (see :func:`resolve_target`)."""
    if node.get("refdomain") != "py":
        return None
    from sphinx.util.nodes import make_refnode

    domain = env.get_domain("py")
    names = getattr(app, "apipages_aliases", {})
    full = resolve_target(node["reftarget"], domain.objects, names, node.get("py:module"))
    if full is None:
        return None
    entry = domain.objects[full]
    return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, full)


def setup(app):
    app.add_config_value("apipages_package", "neurodam", "env")
    app.add_config_value("apipages_outdir", "api", "env")
    app.connect("builder-inited", _generate)
    app.connect("autodoc-process-docstring", module_docstring, priority=400)
    app.connect("autodoc-process-docstring", inherit_docstrings, priority=100)
    app.connect("autodoc-skip-member", skip_class_data)
    app.connect("missing-reference", missing_reference)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
