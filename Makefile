# rouei: `make extract` runs the main job on corpus/ and scores it; `make test` runs the suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT := out/corpus.jsonl

DEV := ../shared/corpus/dev
DEV_OUT := out/dev.jsonl
# Accuracy floors per gold set, with the gold's sha256: corpus/eval_baseline.json (CI fails below
# them, and refuses a gold file changed since they were pinned).
BASELINE := corpus/eval_baseline.json
LINT_TREE := build/lint

.PHONY: setup extract test test-fast bench lint browser clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[all,dev]'
	touch $(STAMP)

# Bytecode for the package, refreshed for every module edited since (an editable install writes
# none, and with PYTHONDONTWRITEBYTECODE set every run would compile the edited modules from
# source: ~0.1-0.2 s of each start-up, which `make bench` would count as rouei's).
setup: $(STAMP)
	@$(BIN)/python -m compileall -q rouei extract fetch >/dev/null

# Exit status 1 from extract means some notices became error records; eval still scores them.
# The dev set (third-party notices) is scored from ../shared when it is there.
extract: setup
	@mkdir -p out
	$(BIN)/rouei extract corpus/seeds -o $(OUT) --quiet || test $$? -eq 1
	$(BIN)/rouei eval corpus/gold.jsonl $(OUT) --baseline $(BASELINE) --set seeds
	@if [ -d $(DEV)/docs ]; then \
		echo "$(BIN)/rouei extract $(DEV)/docs -o $(DEV_OUT) --quiet"; \
		$(BIN)/rouei extract $(DEV)/docs -o $(DEV_OUT) --quiet || test $$? -eq 1; \
		echo "$(BIN)/rouei eval $(DEV)/gold.jsonl $(DEV_OUT) --baseline $(BASELINE) --set dev"; \
		$(BIN)/rouei eval $(DEV)/gold.jsonl $(DEV_OUT) --baseline $(BASELINE) --set dev; \
	else echo "dev set not found at $(DEV): skipped (only corpus/ was scored)"; fi

# Debian's chromium for the review page's browser tests (CI runs as root).
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi ipa || \
		{ apt-get update -qq && apt-get install -y -qq chromium fonts-ipafont-gothic >/dev/null; }
	@mkdir -p test-artifacts

test: setup browser
	$(BIN)/pytest -q
	$(MAKE) --no-print-directory extract

test-fast: setup
	$(BIN)/pytest -q -m "not slow and not browser and not model"

# Both corpora (seed notices, short real notices), 2 runs each (~14 min idle); e.g. BENCH_ARGS="--corpus real --repeat 3"
BENCH_ARGS ?=
bench: setup
	$(BIN)/python -m rouei.extract.bench $(BENCH_ARGS)

# ruff; the import layers (import-linter) and mypy read the package through a tree of links
# that mirrors pyproject's package-dir mapping (rouei/extract -> extract/, ...).
lint: setup
	$(BIN)/ruff check rouei extract fetch tests
	@rm -rf $(LINT_TREE) && mkdir -p $(LINT_TREE)/rouei
	@for f in rouei/*.py rouei/py.typed; do ln -s ../../../$$f $(LINT_TREE)/rouei/; done
	@for d in extract fetch rules; do ln -s ../../../$$d $(LINT_TREE)/rouei/$$d; done
	cd $(LINT_TREE) && ../../$(BIN)/lint-imports ../../pyproject.toml
	MYPYPATH=$(LINT_TREE) $(BIN)/mypy -p rouei

clean:
	rm -rf out .rouei-cache test-artifacts build
