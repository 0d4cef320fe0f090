# rouei: `make extract` runs the main job on corpus/ and scores it; `make test` runs the suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT := out/corpus.jsonl

# Accuracy floors for the bundled corpus (pinned at what the rules reach; CI fails below).
FLOORS := \
	--min-f1 dates=0.99 \
	--min-f1 date_roles=0.97 \
	--min-f1 counts=0.97 \
	--min-f1 data_types_leaked=0.99 \
	--min-f1 data_types_not_leaked=0.99 \
	--min-f1 causes=0.96 \
	--min-f1 incidents=1.0 \
	--min-f1 organization=1.0

.PHONY: setup extract test test-fast bench lint browser clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Exit status 1 from extract means some notices became error records; eval still scores them.
extract: setup
	@mkdir -p out
	$(BIN)/rouei extract corpus/seeds -o $(OUT) --quiet || test $$? -eq 1
	$(BIN)/rouei eval corpus/gold.jsonl $(OUT) $(FLOORS)

# Debian's chromium for the review page's browser tests (CI runs as root).
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi ipa || \
		{ apt-get update -qq && apt-get install -y -qq chromium fonts-ipafont-gothic >/dev/null; }
	@mkdir -p test-artifacts

test: setup browser
	$(BIN)/pytest -q
	$(MAKE) --no-print-directory extract

test-fast: setup
	$(BIN)/pytest -q -m "not slow and not browser"

# Both corpora (seed notices, short real notices), 3 runs each; e.g. BENCH_ARGS="--corpus real --repeat 2"
BENCH_ARGS ?=
bench: setup
	$(BIN)/python -m rouei.extract.bench $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check rouei extract fetch tests

clean:
	rm -rf out .rouei-cache test-artifacts
