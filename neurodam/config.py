"""Model files (YAML), ``--set`` overrides, and the registry of model kinds.

A model file is a flat YAML mapping. Its key ``kind`` names the model family that reads
it (default ``"memory"``, the associative memories of :mod:`neurodam.memory.config`;
``"modern"``, the continuous modern Hopfield network of :mod:`neurodam.memory.modern_config`);
every other key belongs to that family. A family registers how to read and run its files
with :func:`register_kind`; ``neurodam run MODEL.yaml`` goes through :func:`load` and
:meth:`Model.run`.

Functions
---------
load(path, overrides)            read a model file, apply overrides, validate -> Model
parse_overrides(items)           ``["noise=0.3", "K=20"]`` -> ``{"noise": 0.3, "K": 20}``
register_kind(name, load, run)   add a model family (e.g. spiking reservoirs)
kinds()                          the registered families

Examples
--------
>>> model = load("models/sedam.yaml", ["noise=0.2", "steps=2000"])   # doctest: +SKIP
>>> run = model.run()                                                # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_KIND",
    "Model",
    "ModelKind",
    "get_kind",
    "kinds",
    "load",
    "parse_overrides",
    "register_kind",
]

DEFAULT_KIND = "memory"


@dataclass(frozen=True)
class ModelKind:
    """How a model family reads and runs its files.

    Attributes
    ----------
    name : str
        The value of the YAML key ``kind``.
    load : callable
        ``load(raw: dict, name: str) -> config``: validates the mapping (without ``kind``)
        and returns the family's config object; errors name the key (``ValueError`` for a
        bad value, ``TypeError`` for a value of the wrong kind).
    run : callable
        ``run(config, progress=False) -> result``.
    summary : callable, optional
        ``summary(config, result) -> list of str``: lines for ``neurodam run``.
    save : callable, optional
        ``save(result, path, overwrite) -> list of str`` (what was written where):
        ``neurodam run --out``.
    check_save : callable, optional
        ``check_save(config, path, overwrite)``: raises before the run when ``save``
        would fail (nothing to write, existing files).
    describe : callable, optional
        ``describe(config) -> str``: one line announcing the run.
    """

    name: str
    load: Callable[[dict, str], Any]
    run: Callable[..., Any]
    summary: Callable[[Any, Any], list[str]] | None = None
    save: Callable[[Any, Path, bool], list[str]] | None = None
    check_save: Callable[[Any, Path, bool], None] | None = None
    describe: Callable[[Any], str] | None = None


_KINDS: dict[str, ModelKind] = {}


def register_kind(
    name: str,
    load: Callable[[dict, str], Any],
    run: Callable[..., Any],
    *,
    summary: Callable[[Any, Any], list[str]] | None = None,
    save: Callable[[Any, Path, bool], list[str]] | None = None,
    check_save: Callable[[Any, Path, bool], None] | None = None,
    describe: Callable[[Any], str] | None = None,
    replace: bool = False,
) -> ModelKind:
    """Register a model family for the YAML key ``kind: name`` (see :class:`ModelKind`).

    Raises ``ValueError`` when ``name`` is taken (unless ``replace=True``).
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name: expected an identifier, got {name!r}")
    for arg, fn in (("load", load), ("run", run)):
        if not callable(fn):
            raise TypeError(f"{arg}: expected a callable, got {type(fn).__name__}")
    if name in _KINDS and not replace:
        raise ValueError(f"name: the model kind {name!r} is already registered")
    kind = ModelKind(name, load, run, summary, save, check_save, describe)
    _KINDS[name] = kind
    return kind


def kinds() -> tuple[str, ...]:
    """The registered model kinds."""
    return tuple(_KINDS)


def get_kind(name: str) -> ModelKind:
    """The :class:`ModelKind` registered as ``name``; ``ValueError`` naming ``kind``."""
    if name not in _KINDS:
        raise ValueError(f"kind: expected one of {kinds()}, got {name!r}")
    return _KINDS[name]


@dataclass(frozen=True)
class Model:
    """A loaded model file: its kind, the family's validated config and the source."""

    kind: str
    config: Any
    source: str = ""

    def run(self, progress: bool = False) -> Any:
        """Run the model (the family's ``run``)."""
        return get_kind(self.kind).run(self.config, progress=progress)


def parse_overrides(items: Iterable[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """``["noise=0.3", "K=20"]`` -> ``{"noise": 0.3, "K": 20}`` (values parsed as YAML)."""
    import yaml

    if items is None:
        return {}
    if isinstance(items, Mapping):
        return dict(items)
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = str(item).partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"--set: expected key=value, got {item!r}")
        try:
            out[key] = yaml.safe_load(value) if value.strip() else None
        except yaml.YAMLError as exc:
            raise ValueError(f"--set: {key}: cannot parse {value!r} as YAML ({exc})") from None
    return out


def load(path: str | Path, overrides: Iterable[str] | Mapping[str, Any] | None = None) -> Model:
    """Read a model YAML file, apply ``--set`` overrides, validate it with its kind.

    Parameters
    ----------
    path : path-like
        A ``models/*.yaml`` file.
    overrides : list of "key=value" strings or a mapping
        Applied on top of the file (e.g. ``["noise=0.3", "backend=cpp_standalone"]``).

    Returns
    -------
    Model

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError, TypeError
        Not a YAML mapping, unknown kind, or a bad key (named).
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file not found: {path}")
    try:
        with path.open() as fh:
            raw = yaml.safe_load(fh) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"config: {path} is not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ValueError(f"config: {path} must hold a mapping of keys to values")
    raw.update(parse_overrides(overrides))
    kind = raw.pop("kind", DEFAULT_KIND)
    if not isinstance(kind, str):
        raise TypeError(f"kind: expected a model kind name, got {kind!r}")
    return Model(kind, get_kind(kind).load(raw, path.stem), str(path))


# ---------------------------------------------------------------- built-in kinds
def _memory_load(raw: dict, name: str) -> Any:
    from neurodam.memory.config import from_mapping

    return from_mapping(raw, name)


def _memory_run(config: Any, progress: bool = False) -> Any:
    from neurodam.memory.config import run_config

    return run_config(config, progress=progress)


def _memory_summary(config: Any, result: Any) -> list[str]:
    from neurodam.memory.config import summary

    return summary(config, result)


def _memory_save(result: Any, path: Path, overwrite: bool) -> list[str]:
    from neurodam.memory.config import save

    return save(result, path, overwrite)


def _memory_check_save(config: Any, path: Path, overwrite: bool) -> None:
    from neurodam.memory.config import check_save

    check_save(config, path, overwrite)


def _memory_describe(config: Any) -> str:
    return config.describe()


register_kind(
    DEFAULT_KIND,
    _memory_load,
    _memory_run,
    summary=_memory_summary,
    save=_memory_save,
    check_save=_memory_check_save,
    describe=_memory_describe,
)


def _modern_load(raw: dict, name: str) -> Any:
    from neurodam.memory.modern_config import from_mapping

    return from_mapping(raw, name)


def _modern_run(config: Any, progress: bool = False) -> Any:
    from neurodam.memory.modern_config import run_config

    return run_config(config, progress=progress)


def _modern_summary(config: Any, result: Any) -> list[str]:
    from neurodam.memory.modern_config import summary

    return summary(config, result)


register_kind(
    "modern",
    _modern_load,
    _modern_run,
    summary=_modern_summary,
    describe=_memory_describe,
)
