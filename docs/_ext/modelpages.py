"""Sphinx extension: one page per model file (``models/*.yaml``), written at build time.

Each page (``docs/models/_generated/<file>.md``, git-ignored) shows

1. the file's comment header (where the parameters come from) and its ``description`` and
   ``reference`` keys;
2. a table of the file's keys, their values and what each key means (from the ``Keys``
   section of the model family's config module docstring, and from the numpydoc
   ``Parameters``/``Attributes`` of its parameter objects);
3. the equations as the Brian2 model states them: the named equation blocks of the
   family's model module (module-level strings, and dicts of strings, whose ``#:``
   comment becomes the caption; where a dict is keyed by one of the model's values, e.g.
   ``NOISE["flip"]``, only that entry is shown) and, for associative memories, the
   interaction's Brian2 expression and the code its field kernel generates;
4. a figure from a short run: ``neurodam.config.load(path, overrides)`` with ``steps`` cut
   to :data:`MAX_STEPS` and ``duration`` to :data:`MAX_DURATION` seconds, run, and plotted
   with the result's ``plot()`` (else a raster of its ``spikes``), and the summary lines
   that ``neurodam run`` prints.

Where the equations come from, for a model kind ``k``: the config object's ``equations``
attribute when it has one (a mapping of block name to Brian2 code, or a callable returning
it); else :data:`EQUATION_MODULES`; else every public module of the package whose last
name is a word of ``k`` (``lif_liquid`` -> ``neurodam.reservoir.lif``). A model file
that ``neurodam.config.load`` refuses is reported as a warning (it would fail
``neurodam run`` too).

The short runs are cached in ``modelpages_cache`` (``docs/_build/.models``) by a hash of the
model file and of the package's source (:func:`source_key`): a rebuild runs a model again
only when either changed.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import pkgutil
import re
import shutil
import textwrap
import time
from pathlib import Path
from typing import Any

from sphinx.util import logging

log = logging.getLogger(__name__)

#: Longest run made for a figure, in model steps and in seconds of simulated time.
MAX_STEPS = 2000
MAX_DURATION = 0.3
#: Model kinds whose equation blocks live in a module the name rule would not find.
EQUATION_MODULES = {"memory": ["neurodam.memory.brian"]}


# ------------------------------------------------------------------ model file
def read_header(path: Path) -> tuple[str, dict]:
    """The leading comment block of a YAML file (as prose) and its mapping."""
    import yaml

    lines = path.read_text().splitlines()
    header = []
    for line in lines:
        if line.startswith("#"):
            header.append(line[1:].strip())
        elif line.strip():
            break
    return " ".join(header).strip(), yaml.safe_load(path.read_text()) or {}


def parse_keys_section(doc: str) -> dict[str, str]:
    """``{key: description}`` from a docstring's ``Keys`` section (lines
    ``name[, name...]   description``, wrapped names and indented continuations)."""
    m = re.search(r"^Keys\n-{3,}\n(.*?)(?:\n\S[^\n]*\n-{3,}\n|\Z)", doc, re.S | re.M)
    if not m:
        return {}
    out: dict[str, str] = {}
    pending: list[str] = []
    current: list[str] = []
    for line in m.group(1).splitlines():
        if not line.strip():
            continue
        if line[0].isspace():
            if pending:
                for key in pending:
                    out[key] = (out.get(key, "") + " " + line.strip()).strip()
                current, pending = pending, []
            else:
                for key in current:
                    out[key] = out[key] + " " + line.strip()
            continue
        parts = re.split(r"\s{2,}", line.strip(), maxsplit=1)
        names = [n.strip() for n in parts[0].split(",") if n.strip()]
        if len(parts) == 2:
            keys = pending + names
            for key in keys:
                out[key] = parts[1].strip()
            current, pending = keys, []
        else:
            pending += names
    return {k.strip("`"): v for k, v in out.items() if re.match(r"^[\w`]+$", k)}


def numpydoc_fields(cls: type) -> dict[str, str]:
    """``{name: description}`` from a class docstring's Parameters and Attributes."""
    from numpydoc.docscrape import NumpyDocString

    out: dict[str, str] = {}
    try:
        doc = NumpyDocString(inspect.getdoc(cls) or "")
    except Exception:  # a docstring numpydoc cannot parse gives no descriptions
        return out
    for section in ("Parameters", "Attributes"):
        for item in doc[section]:
            text = " ".join(item.desc).strip()
            for name in item.name.split(","):
                out.setdefault(name.strip(), text)
    return out


def key_descriptions(kind: str, config: Any, modules: list[str]) -> dict[str, str]:
    """What each key of a model file of ``kind`` means."""
    out: dict[str, str] = {}
    for name in modules:
        if not name.endswith(".config") or name == "neurodam.config":
            continue
        mod = importlib.import_module(name)
        doc = inspect.getdoc(mod) or ""
        if re.search(rf"(?<![\w]){re.escape(kind)}(?![\w])", doc):
            out.update(parse_keys_section(doc))
    if config is not None:
        for obj in [config, *vars_of(config)]:
            if hasattr(type(obj), "__dataclass_fields__"):
                for key, text in numpydoc_fields(type(obj)).items():
                    out[key] = text or out.get(key, "")
    return out


def vars_of(obj: Any) -> list[Any]:
    try:
        return [v for v in vars(obj).values() if hasattr(type(v), "__dataclass_fields__")]
    except TypeError:
        return []


# ------------------------------------------------------------------ equations
def equation_blocks(module_name: str, values: dict[str, str]) -> list[tuple[str, str, str]]:
    """``(name, caption, code)`` of a module's equation blocks (module docstring)."""
    from sphinx.pycode import ModuleAnalyzer

    mod = importlib.import_module(module_name)
    try:
        analyzer = ModuleAnalyzer.for_module(module_name)
        analyzer.analyze()
        docs = {name: " ".join(lines).strip() for (_, name), lines in analyzer.attr_docs.items()}
        order = analyzer.tagorder
    except Exception:
        docs, order = {}, {}
    names = [n for n in vars(mod) if re.fullmatch(r"[A-Z][A-Z0-9_]*", n)]
    names.sort(key=lambda n: order.get(n, 1 << 30))
    out = []
    for name in names:
        value = getattr(mod, name)
        caption = docs.get(name, "")
        if isinstance(value, str) and _looks_like_code(value):
            out.append((name, caption, value.strip("\n")))
        elif isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
            chosen = _choose(name, list(value), values)
            keys = chosen or list(value)
            for key in keys:
                tag = f"{name}[{key!r}]"
                note = caption + (" (this model's choice)" if chosen else "")
                out.append((tag, note.strip(), value[key].strip("\n")))
    return out


def _choose(name: str, keys: list[str], values: dict[str, str]) -> list[str]:
    """The keys of a dict block that the model selects: keys equal to one of the model's
    values; where several fields match, those whose name shares a word with the block."""
    matches = {f: v for f, v in values.items() if v in keys}
    if len(set(matches.values())) > 1:
        words = set(name.lower().split("_"))
        close = {f: v for f, v in matches.items() if words & set(f.lower().split("_"))}
        matches = close or matches
    return list(dict.fromkeys(matches.values()))


def _looks_like_code(text: str) -> bool:
    return ("\n" in text.strip() or ":" in text or "=" in text) and len(text) < 5000


def parameter_tables(module_name: str) -> list[tuple[str, dict]]:
    """Module-level dicts of numbers (e.g. a model's ``PARAMETERS``)."""
    mod = importlib.import_module(module_name)
    out = []
    for name, value in vars(mod).items():
        if re.fullmatch(r"[A-Z][A-Z0-9_]*", name) and isinstance(value, dict) and value:
            if all(isinstance(v, int | float | str | tuple) for v in value.values()) and not all(
                isinstance(v, str) for v in value.values()
            ):
                out.append((name, value))
    return out


def modules_for(kind: str, config: Any, public: list[str]) -> list[str]:
    if kind in EQUATION_MODULES:
        return [m for m in EQUATION_MODULES[kind] if m in public]
    words = set(kind.split("_"))
    return [m for m in public if m.split(".")[-1] in words and m.count(".") >= 2]


def memory_code(config: Any) -> list[tuple[str, str, str]]:
    """The interaction's Brian2 expression and its kernel's code for this model."""
    from neurodam.memory.config import make_patterns

    inter = config.params.interaction
    kernel = inter.kernel(make_patterns(config))
    code = kernel.brian()
    out = [("F(x)", f"The interaction ``{inter.name}`` as a Brian2 expression", inter.brian_F("x"))]
    out.append(
        (
            "coefficients",
            "Memory units: the field coefficients from the raw overlap ``a``",
            code.coefficients,
        )
    )
    out.append(("decision", "Feature neurons: the decision variable ``x``", code.decision))
    if config.params.temperature is not None and code.glauber:
        out.append(("glauber", "Feature neurons: the heat-bath field ``hE``", code.glauber))
    if code.zterm:
        out.append(("Z", "Summand of the normaliser Z (over memory units)", code.zterm))
    return out


# ---------------------------------------------------------------------- figure
def short_overrides(raw: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(raw.get("steps"), int) and raw["steps"] > MAX_STEPS:
        out["steps"] = MAX_STEPS
    if isinstance(raw.get("duration"), int | float) and raw["duration"] > MAX_DURATION:
        out["duration"] = MAX_DURATION
    return out


def run_figure(path: Path, overrides: dict, png: Path) -> tuple[list[str], float]:
    """Run a model briefly, save its figure; returns the summary lines and seconds."""
    import matplotlib.pyplot as plt

    from neurodam import config

    model = config.load(path, overrides)
    start = time.perf_counter()
    result = model.run(progress=False)
    seconds = time.perf_counter() - start
    plt.close("all")
    if hasattr(result, "plot"):
        result.plot()
    elif hasattr(result, "spikes"):
        result.spikes.raster_plot()
    fig = plt.gcf()
    for ax in fig.axes:  # raster markers drawn for print (s < 4 pt^2) vanish at screen dpi
        for coll in ax.collections:
            sizes = getattr(coll, "get_sizes", lambda: [])()
            if len(sizes) and max(sizes) < 4:
                coll.set_sizes([4])
    fig.tight_layout()
    fig.savefig(png, dpi=90)
    plt.close("all")
    kind = config.get_kind(model.kind)
    lines = list(kind.summary(model.config, result)) if kind.summary else []
    return lines, seconds


def source_key(path: Path, overrides: dict) -> str:
    """Hash of what determines a short run: the model file, the overrides, and the source
    of the package and of this extension (any code change runs the model again)."""
    import neurodam

    digest = hashlib.sha256(path.read_bytes() + repr(sorted(overrides.items())).encode())
    package = Path(neurodam.__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(str(source.relative_to(package)).encode() + source.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:20]


def cached_run_figure(
    path: Path, overrides: dict, png: Path, cache: Path | None
) -> tuple[list[str], float]:
    """:func:`run_figure`, reused from ``cache`` while :func:`source_key` is unchanged."""
    if cache is None:
        return run_figure(path, overrides, png)
    cache.mkdir(parents=True, exist_ok=True)
    key = source_key(path, overrides)
    stored_png = cache / f"{path.stem}-{key}.png"
    stored_run = cache / f"{path.stem}-{key}.json"
    if stored_png.is_file() and stored_run.is_file():
        info = json.loads(stored_run.read_text())
        if not png.exists() or png.read_bytes() != stored_png.read_bytes():
            shutil.copyfile(stored_png, png)
        return list(info["summary"]), float(info["seconds"])
    summary, seconds = run_figure(path, overrides, png)
    for old in cache.glob(f"{path.stem}-*"):
        old.unlink()
    shutil.copyfile(png, stored_png)
    stored_run.write_text(json.dumps({"summary": summary, "seconds": seconds}))
    return summary, seconds


# ------------------------------------------------------------------------ page
def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def model_page(
    path: Path, out: Path, public: list[str], run: bool, cache: Path | None = None
) -> str:
    from neurodam import config

    header, raw = read_header(path)
    title = raw.get("name") or path.stem
    lines = [f"(model-{path.stem})=", f"# {title}", ""]
    if raw.get("description"):
        lines += [f"**{raw['description']}**", ""]
    if raw.get("reference"):
        lines += [f"Reference: {raw['reference']}", ""]
    if header:
        lines += [header, ""]
    lines += [f"File: `models/{path.name}`. Run it with `neurodam run models/{path.name}`.", ""]
    kind = raw.get("kind", config.DEFAULT_KIND)
    try:
        model = config.load(path)
    except Exception as exc:
        log.warning(f"[modelpages] models/{path.name}: neurodam.config.load fails: {exc}")
        return "\n".join(lines + [f"```{{warning}}\nThis file does not load: {exc}\n```", ""])
    mods = modules_for(kind, model.config, public)
    cfg_mods = [m for m in public if m.endswith(".config")]
    described = key_descriptions(kind, model.config, cfg_mods)
    lines += ["## Parameters", "", f"Model kind: `{kind}`.", ""]
    lines += ["| key | value | meaning |", "|---|---|---|"]
    for key, value in raw.items():
        if key in ("name", "description", "reference"):
            continue
        shown = "null" if value is None else value
        lines.append(f"| `{key}` | `{_md_cell(shown)}` | {_md_cell(described.get(key, ''))} |")
    lines.append("")
    blocks = _equations(kind, model.config, mods)
    if blocks:
        lines += ["## Equations", ""]
        src = ", ".join(f"{{mod}}`{m}`" for m in mods)
        lines += [f"As the Brian2 model states them ({src}).", ""]
        for name, caption, code in blocks:
            lines.append(f"**{name}**" + (f": {caption}" if caption else ""))
            lines += ["", "```text", textwrap.dedent(code).strip("\n"), "```", ""]
    for mod in mods:
        for name, table in parameter_tables(mod):
            lines += [f"### `{mod}.{name}`", "", "| parameter | value |", "|---|---|"]
            lines += [f"| `{k}` | `{_md_cell(v)}` |" for k, v in table.items()]
            lines.append("")
    lines += ["## A short run", ""]
    if not run:
        lines += ["(Figures are off in this build: `NEURODAM_DOCS_MODELS=off`.)", ""]
        return "\n".join(lines)
    overrides = short_overrides(raw)
    png = out / f"{path.stem}.png"
    try:
        summary, seconds = cached_run_figure(path, overrides, png, cache)
    except Exception as exc:
        log.warning(f"[modelpages] models/{path.name}: the short run fails: {exc}")
        return "\n".join(lines + [f"The short run failed: `{exc}`", ""])
    log.info(f"[modelpages] {path.name}: short run {seconds:.1f} s")
    call = f'neurodam.config.load("models/{path.name}", {overrides!r}).run()'
    lines += [
        f"Made at build time by `{call}` ({seconds:.1f} s on the build machine).",
        "",
        f"![{title}: a short run]({png.name})",
        "",
    ]
    if summary:
        lines += ["What `neurodam run` prints for this run:", "", "```text", *summary, "```", ""]
    return "\n".join(lines)


def _equations(kind: str, cfg: Any, mods: list[str]) -> list[tuple[str, str, str]]:
    own = getattr(cfg, "equations", None)
    if callable(own):
        own = own()
    if isinstance(own, dict) and own:
        return [(str(k), "", str(v)) for k, v in own.items()]
    values = _string_values(cfg)
    blocks = []
    for mod in mods:
        blocks += equation_blocks(mod, values)
    if kind == "memory":
        blocks += memory_code(cfg)
    return blocks


def _string_values(cfg: Any) -> dict[str, str]:
    """The model's string-valued fields (``{"noise_mode": "flip", ...}``)."""
    values: dict[str, str] = {}
    for obj in [cfg, *vars_of(cfg)]:
        try:
            items = vars(obj).items()
        except TypeError:
            items = obj.items() if isinstance(obj, dict) else []
        values.update({k: v for k, v in items if isinstance(v, str)})
    params = getattr(cfg, "params", None)
    if params is not None and hasattr(params, "temperature"):
        values["update"] = "deterministic" if params.temperature is None else "glauber"
    return values


def _public_modules(package: str = "neurodam") -> list[str]:
    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, prefix=package + ".", onerror=lambda n: None):
        if not any(p.startswith("_") for p in info.name.split(".")):
            names.append(info.name)
    return names


def write_model_pages(app) -> None:
    models = Path(app.config.modelpages_models)
    out = Path(app.srcdir) / "models" / "_generated"
    out.mkdir(parents=True, exist_ok=True)
    files = sorted(models.glob("*.yaml"))
    wanted = {f"{p.stem}.md" for p in files} | {f"{p.stem}.png" for p in files}
    for stale in out.iterdir():
        if stale.name not in wanted:
            stale.unlink()
    public = _public_modules()
    for path in files:
        cache = Path(app.config.modelpages_cache) if app.config.modelpages_cache else None
        text = model_page(path, out, public, app.config.modelpages_run, cache)
        target = out / f"{path.stem}.md"
        if not target.exists() or target.read_text() != text:
            target.write_text(text)


def setup(app):
    app.add_config_value("modelpages_models", "../models", "env")
    app.add_config_value("modelpages_run", True, "env")
    app.add_config_value("modelpages_cache", "", "env")
    app.connect("builder-inited", write_model_pages)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
