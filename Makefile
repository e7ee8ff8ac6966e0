# Set-up is part of every target: a fresh clone needs only python3 (>= 3.10) and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# torch is pinned to the CPU build in constraints.txt; the package itself asks for a range.
PIP_INSTALL := $(BIN)/python -m pip install --disable-pip-version-check -c constraints.txt

.PHONY: demo test test-thorough bench diagrams clean docs docs-check

$(STAMP): pyproject.toml setup.py constraints.txt nnconvert/families/trees/walk.cpp \
		nnconvert/layers/nearest.cpp
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -e ".[dev,docs]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/nnconvert demo

test: $(STAMP)
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/python -m pytest -n 2 -q

test-thorough: $(STAMP)
	HYPOTHESIS_PROFILE=thorough $(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(PIP_INSTALL) -e ".[dev,bench]"  # the peer converters the benchmarks race
	cd benchmarks && for b in bench_*.py; do ../$(BIN)/python $$b || exit 1; done

diagrams: $(STAMP)
	$(BIN)/nnconvert draw --examples diagrams/

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info demo-diagrams docs/_build docs/api/generated docs/auto_examples

# The documentation site, with warnings as errors (docs/_build/html); the gallery runs
# every examples/**/plot_*.py.
docs: $(STAMP)
	rm -rf docs/_build docs/api/generated docs/auto_examples
	$(BIN)/python -m sphinx -W --keep-going -b html -j 1 docs docs/_build/html

# The built site in headless Chromium, served on 127.0.0.1 only: the index, an API page and
# a gallery page, failing on a broken image or link, a console error or an empty gallery.
docs-check: $(STAMP)
	$(BIN)/python docs/_tools/check_site.py docs/_build/html
