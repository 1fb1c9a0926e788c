# kg: `make demo` sets up and runs kg on the bundled example; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= kg-store

.PHONY: install demo test lint bench clean

install: $(VENV)/.installed

# Exact versions come from constraints.txt so that every machine (and CI) gets the same set.
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

demo: install
	$(BIN)/kg build examples/ --store $(STORE)
	$(BIN)/kg show "spiking neural network" --store $(STORE)

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(STORE) build dist .pytest_cache .hypothesis
