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

demo:
	@t0=$$(date +%s); $(MAKE) --no-print-directory install; echo "Install: $$(( $$(date +%s) - t0 )) s"
	$(BIN)/newsloom demo --out demo-out

test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

bench: $(STAMP)
	$(BIN)/python -m newsloom.bench --out docs/benchmarks.md --shared $(SHARED)

clean:
	rm -rf $(VENV) demo-out bench-out
