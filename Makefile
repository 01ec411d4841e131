# Two commands matter: `make lab` and `make test` (see README). Both build .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install lab test test-fast bench report lint clean notebooks learner-notebooks fuzz

# The install also builds the C extensions (hatch_build.py): re-run when one changes.
$(STAMP): pyproject.toml constraints.txt hatch_build.py iacviz/sources/_cfn_yaml_fast.c iacviz/_walks.c \
	iacviz/sources/_cfn_json_fast.c
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[dev,lab]"
	touch $(STAMP)

install: $(STAMP)

# JupyterLab on the notebooks, opened on the first one; the sample estate is in data/.
# Served on loopback only; as root (containers, CI machines) Jupyter needs --allow-root.
LAB_FLAGS := --ServerApp.ip=127.0.0.1 $(if $(filter 0,$(shell id -u)),--allow-root,)
lab: $(STAMP)
	cd notebooks && ../$(VENV)/bin/jupyter lab $(LAB_FLAGS) 00-setup-check.ipynb

# Lint (ruff) and types (mypy), settings in pyproject.toml; `make test` runs them too, through
# tests/test_lint.py, so that every run of the suite checks them.
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# Everything: lint, unit tests, doctests of the package, and every notebook through nbval.
test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider --nbval-lax tests iacviz notebooks

test-fast: $(STAMP)
	$(PY) -m pytest -q -x tests iacviz

# A long fuzz run of hostile input (not in CI; docs/security.md): random seed, FUZZ_EXAMPLES
# examples per property. A failure prints the shrunk input and a @reproduce_failure line.
FUZZ_EXAMPLES ?= 2000
fuzz: $(STAMP)
	IACVIZ_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q -p no:cacheprovider tests/test_fuzz.py

bench: $(STAMP)
	$(PY) -m pip install -q -c constraints.txt -e ".[bench]"
	$(PY) -m benchmarks.run

# The notebooks are written as notebooks/NN-name.py (jupytext percent format); this writes
# each paired .ipynb from its .py (cell ids kept, no outputs). tests/test_notebooks.py checks the pairs.
notebooks: $(STAMP)
	$(VENV)/bin/jupytext --to ipynb --update notebooks/[0-9]*.py

# The learners' copies of the notebooks, without the solution cells (docs/workshop.md).
learner-notebooks: $(STAMP)
	$(PY) scripts/learner_notebooks.py build/learner-notebooks

report: $(STAMP)
	$(VENV)/bin/iacviz review data/sample-estate -o docs/sample-report.html

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
