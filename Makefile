# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RX := $(VENV)/bin/reportx
DB ?= reports.db

.PHONY: demo test bench bench-forms bench-ingest clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,dask,ocr]'
	touch $@

# The main job: generate reports in several formats, ingest them with corpora/ into a fresh $(DB)
# (the demo's own file, rebuilt each run), then show the summary, the statistics and two searches.
demo: $(VENV)/.installed
	$(PY) scripts/make_corpus.py 40 corpora/generated/text --formats txt,gbk
	$(PY) scripts/make_corpus.py 12 corpora/generated/documents --formats docx,pdf,html --seed 1
	rm -f $(DB) $(DB)-wal $(DB)-shm
	$(RX) ingest corpora --db $(DB)
	$(RX) stats --db $(DB)
	$(RX) stats --db $(DB) --by report_kind,year
	$(RX) stats --db $(DB) --by department,year --department 局
	$(RX) search 招商引资 --db $(DB) --limit 5
	$(RX) search 60.28 --db $(DB) --limit 3
	$(RX) evaluate corpora/seed corpora/varied corpora/heldout corpora/heldout2 corpora/heldout3 corpora/heldout4
	$(RX) view corpora/seed/000_bcae26400f7d3644.txt -o out/views
	$(RX) chart all --db $(DB) -o out/charts
	@echo
	@echo "Dataset: $(DB). Browse it with:  $(RX) serve --db $(DB)   (http://127.0.0.1:8001; charts at /-/reportx/charts)"
	@echo "The seed's facts highlighted: out/views/000_bcae26400f7d3644.html   Charts: out/charts/*.svg   (open in a browser)"

test: $(VENV)/.installed $(VENV)/.browser $(VENV)/.office
	$(PY) -m pytest

# Headless Chromium and a CJK font for the browser tests (tests/test_view.py), from the system's packages:
# installed when missing and this runs as root (CI does); otherwise those tests are skipped, saying why.
$(VENV)/.browser: $(VENV)/.installed
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	    || command -v google-chrome >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; } \
	    || echo "WARNING: could not install Chromium: the browser tests will be skipped"; \
	else echo "note: no Chromium here and not root to install it: the browser tests will be skipped"; fi
	@touch $@

# LibreOffice (no GUI) and the CJK font: it reads .doc/.wps for reportx, and the format tests use it as the
# real program that prints .docx to PDF and saves .xls/.ods (tests/test_formats.py). Installed like Chromium.
$(VENV)/.office: $(VENV)/.installed
	@if command -v soffice >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	        libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk >/dev/null; } \
	    || echo "WARNING: could not install LibreOffice: the tests that need it will be skipped"; \
	else echo "note: no LibreOffice here and not root to install it: the tests that need it will be skipped"; fi
	@touch $@

bench: $(VENV)/.installed
	$(PY) scripts/bench.py

# Numeral/money/percent forms against JioNLP and Recognizers-Text (corpora/number_forms.yaml).
bench-forms: $(VENV)/.compare-installed
	$(PY) scripts/bench.py --forms

$(VENV)/.compare-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[compare]'
	touch $@

bench-ingest: $(VENV)/.installed
	$(PY) scripts/bench_ingest.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis corpora/generated $(DB) $(DB)-wal $(DB)-shm
