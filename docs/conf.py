"""Sphinx configuration of the neurodam documentation (``make docs``).

Generated at build time, into git-ignored folders (``docs/.gitignore``):

* ``api/``                  the API reference, one page per public module (``_ext/apipages.py``)
* ``models/_generated/``    one page per ``models/*.yaml`` file, with its equations and a
                            figure from a short run (``_ext/modelpages.py``)
* ``gallery/_generated/``   the notebooks of ``notebooks/``, rendered (``_ext/gallery.py``;
                            not executed by default: the test suite executes them)
* ``validation/_generated/`` the known-answer table and the list of every test module, read
                            from ``tests/`` (``_ext/validationpage.py``; nothing is run)
* ``guide/_generated/``     the ``--help`` of every subcommand (``_ext/clipage.py``)

Environment variables
---------------------
``NEURODAM_DOCS_INTERSPHINX=1``   fetch the intersphinx inventories of numpy, scipy, brian2,
                                  neo, pynwb and Python from their sites (needs the network).
                                  Without it, links to those projects are made only from
                                  inventories shipped in ``docs/_inventories/<name>.inv``
                                  (``python docs/fetch_inventories.py`` downloads them), so
                                  the build needs no network.
``NEURODAM_DOCS_NOTEBOOKS``       ``off`` (render the notebooks as stored, without
                                  executing them: the default of a bare sphinx-build),
                                  ``cache`` (execute a notebook when its code cells
                                  changed, else reuse the last execution; what
                                  ``make docs`` sets) or ``force``.
``NEURODAM_DOCS_MODELS``          ``run`` (default: a short run of every model for its
                                  figure) or ``off`` (pages without figures).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "_ext"))  # the local extensions
sys.path.insert(0, str(ROOT))  # this checkout's package, before any installed copy
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
)  # notebook kernels and model runs import the same copy

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import neurodam  # noqa: E402

project = "neurodam"
author = "The neurodam developers"
copyright = "2026, the neurodam developers"
release = neurodam.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
    "apipages",
    "modelpages",
    "gallery",
    "clipage",
    "validationpage",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = [
    "_build",
    "_inventories",
    "_ext",
    "Thumbs.db",
    ".DS_Store",
    "**.ipynb_checkpoints",
    "validation/_generated",  # included by validation/index.md
    "guide/_generated",  # included by guide/cli.md
]
templates_path: list[str] = []
suppress_warnings = ["myst.header"]  # notebooks start at any heading level

# --- API reference ---------------------------------------------------------------------
apipages_package = "neurodam"
apipages_outdir = "api"
autosummary_generate = False  # the pages are written by _ext/apipages.py
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc states the types
autodoc_inherit_docstrings = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True
# an undocumented public function, class, method or property fails the build (-W);
# a method that overrides a documented one inherits its docstring (_ext/apipages.py)
numpydoc_validation_checks = {"GL08"}
numpydoc_validation_exclude = {r"\.__\w+__$", r"\._\w+$"}

# --- validation page -------------------------------------------------------------------
validationpage_tests = str(ROOT / "tests")

# --- model pages -----------------------------------------------------------------------
modelpages_models = str(ROOT / "models")
modelpages_run = os.environ.get("NEURODAM_DOCS_MODELS", "run") != "off"
# the figures are reused while the model file and the package source are unchanged
modelpages_cache = str(HERE / "_build" / ".models")

# --- notebooks -------------------------------------------------------------------------
# The notebooks are copied by _ext/gallery.py and rendered as stored: the test suite
# executes them (make test, nbmake), the docs build does not. On request
# (NEURODAM_DOCS_NOTEBOOKS=cache|force) _ext/gallery.py executes them in notebooks/ and
# caches the result in _build/.notebooks; myst-nb itself never executes.
gallery_notebooks = str(ROOT / "notebooks")
gallery_mode = os.environ.get("NEURODAM_DOCS_NOTEBOOKS", "off")
gallery_timeout = 900
gallery_cache = str(HERE / "_build" / ".notebooks")
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# --- intersphinx (offline unless inventories are shipped or asked for) -------------------
_SITES = {
    "python": "https://docs.python.org/3",
    "numpy": "https://numpy.org/doc/stable",
    "scipy": "https://docs.scipy.org/doc/scipy",
    "matplotlib": "https://matplotlib.org/stable",
    "brian2": "https://brian2.readthedocs.io/en/stable",
    "neo": "https://neo.readthedocs.io/en/stable",
    "pynwb": "https://pynwb.readthedocs.io/en/stable",
}
_ONLINE = os.environ.get("NEURODAM_DOCS_INTERSPHINX", "0") not in ("", "0")
intersphinx_mapping = {}
for _name, _url in _SITES.items():
    _inv = HERE / "_inventories" / f"{_name}.inv"
    if _inv.is_file():
        intersphinx_mapping[_name] = (_url, str(_inv))
    elif _ONLINE:
        intersphinx_mapping[_name] = (_url, None)
intersphinx_disabled_reftypes = ["std:doc"]

# --- broken cross-references fail the build (-W) -----------------------------------------
# A reference to the package that resolves nowhere (a renamed function, a typo) is an error.
# Names exported by a package or written short (``SpikeTrains``) are resolved to where they
# are documented by _ext/apipages.py first. References into other projects are checked only
# against the inventories loaded above; without one (offline build) they are let through.
nitpicky = True
_EXTERNAL = [
    *(name for name in _SITES if name != "python" and name not in intersphinx_mapping),
    *(
        "np nengo nengo_spa dask distributed pandas h5py powerlaw mrestimator fathon elephant "
        "quantities sklearn tqdm yaml pytest hypothesis".split()
    ),
]
nitpick_ignore_regex = [(r"py:.*", rf"~?({'|'.join(_EXTERNAL)})(\..*)?")]
if "python" not in intersphinx_mapping:
    import builtins  # noqa: E402

    _PYTHON = [n for n in dir(builtins) if not n.startswith("_")]
    _PYTHON += "os pathlib collections typing dataclasses functools argparse logging".split()
    nitpick_ignore_regex.append((r"py:.*", rf"~?({'|'.join(_PYTHON)})(\..*)?"))

# --- HTML ------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"neurodam {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_depth": 3,
    "show_toc_level": 2,
    "navbar_align": "left",
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False
