# Setup installs torch's CPU wheel first, or pip would resolve a multi-GB CUDA build.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run index serve test bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

index: setup
	$(BIN)/assistant ingest

run: index
	$(BIN)/assistant search "Mục tiêu tăng trưởng công nghiệp giai đoạn 2011-2015 là bao nhiêu?" -k 3

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/retrieval.py

clean:
	rm -rf index $(VENV)
