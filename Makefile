# Everything runs in a local virtual environment (.venv) installed from requirements.lock: the exact
# versions every package was tested with (Python 3.11, Linux x86_64). Only Python 3.11+ and pip are
# needed on the machine; uv (a PyPI package, installed into .venv) does the install when it can,
# else pip installs the same lock. Both leave compiled bytecode (.pyc) beside every module: where
# PYTHONDONTWRITEBYTECODE is set (CI machines, containers) Python never writes it on import, so every
# process, every section kernel among them, would compile pandas, IPython and the rest from source.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCK := requirements.lock
EXTRAS := test,dask
OUT ?= packs/exampleshire

.PHONY: pack run test lint bench mutate clean lock

$(STAMP): pyproject.toml $(LOCK)
	$(PY) -m venv $(VENV)
	@if $(BIN)/python -m pip install --quiet uv 2>/dev/null && \
	    $(BIN)/python -m uv pip install --quiet --compile-bytecode --python $(BIN)/python -r $(LOCK) -e '.[$(EXTRAS)]'; then \
	  echo "installed $(LOCK) with uv"; \
	else \
	  echo "uv not available: installing $(LOCK) with pip"; \
	  $(BIN)/python -m pip install --quiet -r $(LOCK) -e '.[$(EXTRAS)]'; \
	fi
	$(BIN)/python -m compileall -q -j 0 feemodel bench
	touch $(STAMP)

## Regenerate the lock from pyproject.toml (the newest versions that satisfy it), for Python 3.11 on Linux x86_64
lock: $(STAMP)
	$(BIN)/python -m uv pip compile pyproject.toml --extra test --extra dask --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu --annotation-style line --custom-compile-command "make lock" -o $(LOCK)

## Build the example council's consultation evidence pack into $(OUT)
pack: $(STAMP)
	$(BIN)/feemodel pack --out $(OUT) --force

## Compute the example council's tables only (no notebooks)
run: $(STAMP)
	$(BIN)/feemodel run --out output/exampleshire --force

## Lint, check notebooks are committed clean, run the whole test suite
test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check feemodel tests bench
	$(BIN)/python -m feemodel.apps.hygiene

bench: $(STAMP)
	$(BIN)/python -m bench

## Mutation testing of the money core (issue 19): mutmut with the fast unit tests, then the counts and score.
## MUTANTS narrows the run, e.g. make mutate MUTANTS='feemodel.money*' (mutants/ keeps earlier results).
MUTANTS ?=
mutate: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[mutate]'
	$(BIN)/mutmut run --max-children 2 $(MUTANTS)
	$(BIN)/python -m bench.mutation_report

clean:
	rm -rf $(VENV) output packs .pytest_cache
