# Newcomer entry points: `make demo` and `make test`. Both create .venv with Python 3.11 (or python3).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test quick lint typecheck unit bench clean chromium screenshot

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

# The main job on sample_data: recipes CSV -> chat JSONL -> train/validation split -> validation and cost.
demo: $(VENV)/.installed
	$(BIN)/dataprep convert sample_data/recipes.csv --preset recipe -o build/demo/recipes.jsonl --force --no-validate
	$(BIN)/dataprep split build/demo/recipes.jsonl --validation-size 0.2 --seed 42 --force
	$(BIN)/dataprep validate build/demo/recipes.train.jsonl --validation build/demo/recipes.validation.jsonl

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check dataprep tests benchmarks scripts
	$(BIN)/ruff format --check dataprep tests benchmarks scripts

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy  # the package strictly, tests relaxed (pyproject [tool.mypy])

# Tests and benchmarks keep Python's bytecode caches even where the environment switches them off
# (PYTHONDONTWRITEBYTECODE): otherwise every CLI subprocess a test starts recompiles the package, about 0.1 s each.
unit quick bench: export PYTHONDONTWRITEBYTECODE :=

# Two workers (pytest-xdist) and a coverage gate (the figure is in pyproject's [tool.coverage.report]).
# loadgroup: tests balance one by one, except a module marked xdist_group (Ray, Chromium, a wheel build), whose
# tests one worker runs, so its expensive module or session fixture is set up once.
unit: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -n auto --dist loadgroup --cov=dataprep --cov-report=term:skip-covered

# The inner loop: everything but the slow tests (property sweeps, real pre-commit runs, wheel builds), no coverage.
quick: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -n auto --dist loadgroup -m "not slow"

# The browser tests (tests/test_report_browser.py) need Chromium, Debian's package: installed here when we run
# as root with apt-get; otherwise nothing is done and those tests skip, saying why.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    apt-get update -qq >/dev/null 2>&1 && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; } || true

test: lint typecheck chromium unit

# The README's picture of the HTML report on sample_data (docs/report.png), regenerated from the current code.
screenshot: $(VENV)/.installed-dev chromium
	$(BIN)/dataprep report sample_data/chat_valid.jsonl --validation sample_data/chat_valid.validation.jsonl \
	  -o build/report/sample_report.html --exit-zero
	$(BIN)/python scripts/report_screenshot.py build/report/sample_report.html docs/report.png

# Every figure of the speed and memory goals beside its reference, in one run (about 10-15 minutes on an idle
# 2-core machine); `make bench BENCH_ARGS=--large` adds 1M examples and the 1 GB CSV.
BENCH_ARGS ?=
bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
