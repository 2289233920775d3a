# Two commands do all the set-up: `make run` (service on the demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= $(CURDIR)/.peermatch-demo
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: run test install demo lint bench quality image-check clean

$(BIN)/peermatch: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch==2.13.0 is pinned in the lock: pip takes the local CPU wheel, not the CUDA build.
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(BIN)/peermatch

install: $(BIN)/peermatch

demo: install
	$(BIN)/peermatch demo --data-dir $(DATA_DIR)

run: demo
	@echo "demo API keys (also in $(DATA_DIR)/demo-keys.txt):"; cat $(DATA_DIR)/demo-keys.txt
	@echo "console http://$(HOST):$(PORT)/ users (also in $(DATA_DIR)/demo-users.txt):"; cat $(DATA_DIR)/demo-users.txt
	$(BIN)/peermatch serve --data-dir $(DATA_DIR) --host $(HOST) --port $(PORT) --workers $(WORKERS)

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check embeddings matcher service evaluation cli tools tests
	$(BIN)/mypy embeddings matcher service evaluation cli tools tests

bench: demo
	$(BIN)/peermatch eval bench --data-dir $(DATA_DIR)

# Relevance on the real development sets in ../shared/benchmarks: one table, baselines measured in the same run.
quality: install
	$(BIN)/python -m evaluation.quality

# Builds the Dockerfile's image with buildah (base made from Debian's packages), runs it offline and
# checks its answers from outside (root; Debian's buildah, podman, debootstrap). Too slow for `make test`.
image-check:
	$(PYTHON) tools/image_check.py

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache .mypy_cache .ruff_cache
