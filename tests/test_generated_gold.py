"""The corpus generator's gold is in the coordinates of the text the project's reader returns.

scripts/make_corpus.py writes PDFs that wrap lines and draw tables as columns, HTML pages with
tables, Word documents; for each, `reader_text[start:end] == text` must hold for every gold fact,
and a PDF must score like the same report as .txt on the facts its wraps split.
"""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import pytest

from extract.evaluate import evaluate, match_facts
from extract.pipeline import extract_file
from extract.readers import read_file

ROOT = Path(__file__).resolve().parent.parent
FACT_TYPES = ("amounts", "percentages", "counts", "staffing", "events", "scores")
VALUE_KEY = {"amounts": "value_yuan", "percentages": "value", "counts": "value", "staffing": "value",
             "events": "name", "scores": "value"}
PER_FORMAT = 3
SAME_REPORTS = 8


def _generator():
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "scripts" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    gen = _generator()
    for fmt in ("txt", "gbk", "docx", "pdf", "html"):
        assert gen.main([str(PER_FORMAT), str(out / fmt), "--formats", fmt, "--seed", "11"]) == 0
    return out


@pytest.fixture(scope="module")
def same_reports(tmp_path_factory) -> Path:
    """The same reports written as .txt and as .pdf (a report does not depend on its format)."""
    out = tmp_path_factory.mktemp("same")
    gen = _generator()
    for fmt in ("txt", "pdf"):
        assert gen.main([str(SAME_REPORTS), str(out / fmt), "--formats", fmt, "--seed", "3"]) == 0
    return out


@pytest.mark.parametrize("fmt", ["txt", "gbk", "docx", "pdf", "html"])
@pytest.mark.parametrize("k", range(PER_FORMAT))
def test_gold_spans_are_in_the_reader_text(generated, fmt, k):
    gold_path = generated / fmt / f"{k:05d}.gold.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    text = read_file(gold_path.parent / gold["source"], 1 << 30).text
    wrong = [(t, f["text"], text[f["start"]:f["end"]]) for t in FACT_TYPES for f in gold[t]
             if text[f["start"]:f["end"]] != f["text"]]
    assert not wrong
    assert sum(len(gold[t]) for t in FACT_TYPES) > 20


def test_generated_pdfs_wrap_inside_facts(same_reports):
    """The point of the PDF writer: some facts are split by a line break on the page, as in real
    PDFs. The reader joins a paragraph's wrapped lines (extract/readers/wrap.py), so most of them
    come back whole; the page's own text layer (pdfplumber, line by line) shows the breaks."""
    import pdfplumber

    on_page = whole = 0
    for g in sorted((same_reports / "pdf").glob("*.gold.json")):
        gold = json.loads(g.read_text(encoding="utf-8"))
        with pdfplumber.open(g.parent / gold["source"]) as pdf:
            layer = "\n".join(page.extract_text() or "" for page in pdf.pages)
        flat = layer.replace("\n", "")
        for t in FACT_TYPES:
            for f in gold[t]:
                text = f["text"].replace("\n", "")
                if len(text) >= 3 and text not in layer and text in flat:   # broken across lines on the page
                    on_page += 1
                    whole += "\n" not in f["text"]
    assert on_page >= 5
    assert whole >= on_page // 2, (whole, on_page)   # read back whole: the reader joined the wrap


def test_generated_pdf_tables_are_columns_not_bars(same_reports):
    text = read_file(same_reports / "pdf" / "00000.pdf", 1 << 30).text
    assert "|" not in text and "\t" not in text
    assert any("    " in line for line in text.splitlines())


def _prose_recall(folder: Path, txt_folder: Path) -> dict[str, tuple[int, int]]:
    """(found, gold) per type over the facts outside table rows (rows are the tables' reader's job).

    A fact is in a table row when its line of the .txt version has a "|" or a tab between cells;
    the .txt and .pdf gold list the same facts in the same order.
    """
    tally = {t: [0, 0] for t in FACT_TYPES}
    for gold_path in sorted(folder.glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        txt_gold = json.loads((txt_folder / gold_path.name).read_text(encoding="utf-8"))
        txt = (txt_folder / txt_gold["source"]).read_text(encoding="utf-8-sig")
        report = json.loads(extract_file(gold_path.parent / gold["source"]).model_dump_json())
        for t in FACT_TYPES:
            keep = []
            for f, tf in zip(gold[t], txt_gold[t]):
                line = txt[txt.rfind("\n", 0, tf["start"]) + 1:txt.find("\n", tf["start"])]
                if "|" not in line and "\t" not in line:
                    keep.append(f)
            tally[t][0] += len(match_facts(report[t], keep, VALUE_KEY[t]))
            tally[t][1] += len(keep)
    return {t: (v[0], v[1]) for t, v in tally.items()}


@pytest.fixture(scope="module")
def prose_recall(same_reports) -> dict[str, dict[str, tuple[int, int]]]:
    return {fmt: _prose_recall(same_reports / fmt, same_reports / "txt") for fmt in ("txt", "pdf")}


@pytest.mark.parametrize("fact_type", FACT_TYPES)
def test_pdf_prose_recall_matches_txt(prose_recall, fact_type):
    """Wrapped lines lose nothing: outside tables, a PDF gives the facts its .txt gives."""
    pdf, txt = prose_recall["pdf"][fact_type], prose_recall["txt"][fact_type]
    assert pdf[1] == txt[1]
    assert pdf[0] >= txt[0] - max(1, txt[1] // 100), f"pdf {pdf[0]}/{pdf[1]}, txt {txt[0]}/{txt[1]}"


def test_pdf_recall_matches_txt(same_reports):
    pdf, txt = evaluate(same_reports / "pdf"), evaluate(same_reports / "txt")
    low = {t: (round(pdf.types[t].recall, 3), round(txt.types[t].recall, 3)) for t in FACT_TYPES
           if pdf.types[t].recall < txt.types[t].recall - 0.02}
    assert not low


@pytest.fixture(scope="module")
def seed_as_pdf(tmp_path_factory) -> Path:
    """The seed printed as a paragraph PDF, three page layouts, with its gold moved onto the PDF text."""
    gen = _generator()
    out = tmp_path_factory.mktemp("seed_pdf")
    seed = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"
    text = read_file(seed, 1 << 30).text
    for layout in range(3):
        gold = json.loads(seed.with_name(seed.name.replace(".txt", ".gold.json")).read_text(encoding="utf-8"))
        pdf = out / f"seed_{layout}.pdf"
        printed, left_out = gen.printable(text)
        gen.write_pdf(pdf, printed, random.Random(layout))
        gen.gold_for_reader(pdf, text, gold, dropped="|", skip=left_out)
        gold["source"] = pdf.name
        (out / f"seed_{layout}.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return out


@pytest.mark.parametrize("fact_type", FACT_TYPES)
def test_the_seed_printed_as_a_pdf_gives_the_facts_of_its_text(seed_as_pdf, fact_type):
    """The issue's first test: the seed printed as a PDF (wrapped lines) loses nothing."""
    pdf = evaluate(seed_as_pdf).types[fact_type]
    txt = evaluate(ROOT / "corpora" / "seed").types[fact_type]
    assert pdf.recall >= txt.recall and pdf.precision >= txt.precision


def test_the_generator_is_phrasing_data_and_small_modules():
    """Its phrasings are YAML beside it, its engine modules a reader can take in, and its docs name the
    field notes relative to the repository, never by one machine's path."""
    import yaml

    engine = ROOT / "scripts" / "corpusgen"
    modules = [ROOT / "scripts" / "make_corpus.py", *sorted(engine.glob("*.py"))]
    assert all(len(p.read_text(encoding="utf-8").splitlines()) <= 400 for p in modules)
    phrasings = sorted((engine / "phrases").glob("*.yaml"))
    assert len(phrasings) >= 5
    assert all(isinstance(yaml.safe_load(p.read_text(encoding="utf-8")), dict) for p in phrasings)
    for p in [*modules, *phrasings]:
        assert "/work/" not in p.read_text(encoding="utf-8"), p
    assert "../shared/FIELD-NOTES.md" in modules[0].read_text(encoding="utf-8")
