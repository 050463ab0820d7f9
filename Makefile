# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: demo test bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	@mkdir -p out
	$(VENV)/bin/reportx extract $$(find corpora -name '*.txt' | sort) > out/facts.jsonl
	@echo "wrote out/facts.jsonl ($$(wc -l < out/facts.jsonl) reports)"
	$(VENV)/bin/reportx summarize corpora
	$(VENV)/bin/reportx evaluate corpora

test: $(VENV)/.installed
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) scripts/bench.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
