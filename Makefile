# Referral incentives lab. `make help` lists the targets.
# The environment (.venv) is built from uv.lock on first use by any target that needs it.

SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8
STAMP := $(VENV)/.synced

# Interpreters tried in order: PATH first, then pyenv's versions (newest first).
define FIND_PYTHON
for c in python3.13 python3.12 python3; do \
  p=$$(command -v $$c 2>/dev/null) || continue; \
  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; exit 0; }; \
done; \
root=$$(pyenv root 2>/dev/null || echo "$$HOME/.pyenv"); \
for p in $$(ls -d "$$root"/versions/3.* 2>/dev/null | sort -V -r); do \
  [ -x "$$p/bin/python3" ] && "$$p/bin/python3" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
    && { echo "$$p/bin/python3"; exit 0; }; \
done; \
exit 1
endef

.PHONY: help env figures test bench lint data lab clean calibrate calibrate-reform calibrate-joint

help: ## List the targets
	@grep -hE '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  make %-9s %s\n", $$1, $$2}'

env: $(STAMP) ## Build the environment (.venv) from uv.lock if missing or stale

$(STAMP): pyproject.toml uv.lock
	@set -e; \
	if [ ! -x $(PY) ]; then \
	  py=$$( $(FIND_PYTHON) ) || { \
	    echo "error: Python >= 3.12 not found (looked on PATH for python3.13, python3.12, python3," >&2; \
	    echo "       then under \$$(pyenv root)/versions). Install it, e.g. 'pyenv install 3.12'," >&2; \
	    echo "       or your system's python3.12 package, and run make again." >&2; exit 1; }; \
	  echo "Using $$py"; \
	  $$py -m venv $(VENV); \
	fi; \
	$(PY) -m pip install --quiet "uv==$(UV_VERSION)"; \
	UV_SYSTEM_CERTS=1 UV_PROJECT_ENVIRONMENT=$(VENV) $(VENV)/bin/uv sync --frozen --inexact --all-extras --compile-bytecode --python $(PY); \
	touch $(STAMP)

figures: $(STAMP) ## Reproduce every figure under papers/ (the main job)
	$(PY) -m papers.build $(if $(FAST),--fast,)

calibrate: $(STAMP) ## Calibrate x_county with uncertainty (hours; writes datasets/posterior_x_county.parquet)
	$(PY) docs/scripts/calibrate_x_county.py $(if $(BUDGET),--budget $(BUDGET),)

calibrate-reform: $(STAMP) ## Fit x_county's reform response (about 20 min on 2 cores; merges into the posterior)
	$(PY) docs/scripts/calibrate_reform_x_county.py $(if $(BUDGET),--budget $(BUDGET),)

calibrate-joint: $(STAMP) ## Fit both blocks at once (about 1 h on 2 cores at BUDGET=96; writes sweeps/, not shipped)
	$(PY) docs/scripts/calibrate_joint_x_county.py $(if $(BUDGET),--budget $(BUDGET),)

test: $(STAMP) ## Run the test suite (warnings are errors)
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

bench: $(STAMP) ## Run the benchmarks (not part of the tests); prints side-by-side ratios
	$(PY) tests/bench/run.py $(BENCH)

lint: $(STAMP) ## Lint with ruff and check the import contracts (import-linter, pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

data: $(STAMP) ## Validate datasets/ and regenerate the generated ones
	$(PY) -m abm.inputs.data

lab: $(STAMP) ## Start JupyterLab from the environment (LAB_ARGS="--no-browser --port=8899")
	$(VENV)/bin/jupyter lab --notebook-dir=. $(LAB_ARGS)

clean: ## Remove the environment and caches
	rm -rf $(VENV) .pytest_cache papers/*/output abm/__pycache__/numba-*
