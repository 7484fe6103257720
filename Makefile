# Two entry points for a fresh machine (see README): `make demo` and `make test`.
# Both create the virtual environment .venv on first use (Python 3.11, everything from PyPI).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.neurodam-installed

.PHONY: demo test test-slow lint bench docs docs-clean validation clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

## demo: set up, then run a small SEDAM study (noise x memory load) and its temporal-complexity report
demo: $(STAMP)
	$(BIN)/neurodam demo --out output/demo

## test: set up, then run the default test suite (slow validations excluded)
test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -q --nbmake tests notebooks

## test-slow: the long scientific validations only
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow -q

## docs: the documentation site into docs/_build/html (Sphinx; warnings are errors)
DOCS_STAMP := $(VENV)/.neurodam-docs-installed
SPHINXOPTS ?=
$(DOCS_STAMP): $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,docs]'
	touch $(DOCS_STAMP)

# The notebooks are executed for the gallery (outputs cached in docs/_build/.notebooks);
# NEURODAM_DOCS_NOTEBOOKS=off renders them as stored.
docs: export NEURODAM_DOCS_NOTEBOOKS ?= cache
docs: $(DOCS_STAMP)
	$(BIN)/python -m sphinx -W --keep-going -b html $(SPHINXOPTS) docs docs/_build/html
	@echo "open docs/_build/html/index.html"

## validation: measure a handful of known answers (seconds each) for the docs' validation page
validation: $(STAMP)
	$(BIN)/python docs/validation/measure.py --quick

docs-clean:
	rm -rf docs/_build docs/api docs/models/_generated docs/gallery/_generated \
		docs/validation/_generated docs/guide/_generated

lint: $(STAMP)
	$(BIN)/ruff check neurodam tests benchmarks
	$(BIN)/ruff format --check neurodam tests benchmarks

clean:
	rm -rf $(VENV) output build *.egg-info .pytest_cache docs/_build
