# kg: `make demo` sets up and runs kg on the bundled example; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= kg-store

.PHONY: install demo test lint bench clean browser

install: $(VENV)/.installed

# Exact versions come from constraints.txt so that every machine (and CI) gets the same set.
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

demo: install
	$(BIN)/kg build examples/ --store $(STORE)
	$(BIN)/kg show "spiking neural network" --store $(STORE)

test: install browser
	$(BIN)/python -m pytest -q

# `kg view` and `kg report` pages are tested in a real headless Chromium: Debian's package.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(STORE) build dist .pytest_cache .hypothesis
