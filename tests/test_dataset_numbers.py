"""A dataset statisticians can trust (issue 8), proved against Python's Decimal on a generated corpus:
numeric sort and range filters in SQL and through a live Datasette, exact sums and means by two keys,
one report in two formats and two encodings counted once, number and substring search with the
recall of a LIKE scan, the Datasette search box on a multi-word Chinese query, and a data dictionary
that names every column of every table.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
from conftest import readme_answers, readme_block, running_datasette

from extract import extract_file
from extract.dataset import dictionary, store
from extract.dataset.ingest import ingest
from extract.dataset.search import search
from extract.dataset.stats import MEAN_PLACES, stats

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"
N = 40


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """N generated reports (several departments and years), ingested; and their Reports, extracted apart."""
    folder = tmp_path_factory.mktemp("generated")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_corpus.py"), str(N), str(folder), "--formats",
                    "txt", "--seed", "8"], check=True, stdout=subprocess.DEVNULL)
    files = sorted(folder.glob("*.txt"))
    db = folder / "g.db"
    summary = ingest([str(folder)], db, workers=2)
    assert summary.failed == 0 and summary.ingested == len(files) == N
    return db, {f.name: extract_file(f) for f in files}


def _raw(db) -> sqlite3.Connection:
    return sqlite3.connect(db)   # plain sqlite3: what Datasette, pandas or the sqlite3 shell see


# ------------------------------------------------------------------------------- typed numbers in SQL

def test_money_sorts_numerically_in_sql(corpus):
    db, reports = corpus
    want = sorted((a.value_yuan for r in reports.values() for a in r.amounts), reverse=True)
    got = [Decimal(str(v)) for (v,) in _raw(db).execute("SELECT value_yuan FROM amounts ORDER BY value_yuan DESC")]
    assert got == want
    assert {type(v) for (v,) in _raw(db).execute("SELECT value_yuan FROM amounts")} <= {int, float}


@pytest.mark.parametrize("table, column, bound", [("amounts", "value_yuan", Decimal(1000000)),
                                                  ("amounts", "value_yuan", Decimal("602800.5")),
                                                  ("percentages", "value", Decimal(90)),
                                                  ("scores", "value", Decimal("9.5")),
                                                  ("counts", "value", Decimal(100))])
def test_range_filters_in_sql_match_decimal(corpus, table, column, bound):
    db, reports = corpus
    values = [getattr(f, column) for r in reports.values() for f in getattr(r, table)]
    n = _raw(db).execute(f"SELECT count(*) FROM {table} WHERE {column} > ?", (str(bound),)).fetchone()[0]
    assert n == sum(v > bound for v in values)
    n = _raw(db).execute(f"SELECT count(*) FROM {table} WHERE {column} <= ?", (float(bound),)).fetchone()[0]
    assert n == sum(v <= bound for v in values)


def test_reports_rates_filter_numerically(corpus):
    db, reports = corpus
    rates = [r.budget_summary.execution_rate for r in reports.values() if r.budget_summary.execution_rate is not None]
    n = _raw(db).execute("SELECT count(*) FROM reports WHERE execution_rate < 90").fetchone()[0]
    assert n == sum(v < 90 for v in rates) and rates


def test_exact_decimals_come_back_from_the_store(corpus):
    db, reports = corpus
    con = store.connect(db, create=False)
    got = sorted(v for (v,) in con.execute("SELECT value_yuan FROM amounts"))
    assert all(isinstance(v, Decimal) for v in got)
    assert got == sorted(a.value_yuan for r in reports.values() for a in r.amounts)


def _groups(reports) -> dict[tuple, list[Decimal]]:
    out = defaultdict(list)
    for r in reports.values():
        for a in r.amounts:
            if a.low_yuan is None and a.per is None and a.qualifier == "exact":
                out[(r.department_key, r.year)].append(a.value_yuan)
    return out


def test_sums_and_means_by_two_keys_are_exact(corpus):
    db, reports = corpus
    want = _groups(reports)
    rows = stats(db, by="department,year", fact="amounts")   # --by department groups by department_key
    assert {(r["department_key"], r["year"]) for r in rows} == set(want)
    for r in rows:
        values = want[(r["department_key"], r["year"])]
        mean = (sum(values) / len(values)).quantize(Decimal(1).scaleb(-MEAN_PLACES), ROUND_HALF_EVEN)
        assert (r["amounts_count"], Decimal(r["amounts_sum_yuan"]), Decimal(r["amounts_mean_yuan"])) == (
            len(values), sum(values), mean)
        assert Decimal(r["amounts_min_yuan"]) == min(values) and Decimal(r["amounts_max_yuan"]) == max(values)
    # and exactly in SQL itself, through the integer fen column
    sql = ("SELECT r.department_key, r.year, sum(a.value_cents) FROM amounts a JOIN reports r USING (report_id) "
           "WHERE a.low_yuan IS NULL AND a.per IS NULL AND a.qualifier = 'exact' GROUP BY 1, 2")
    for department, year, cents in _raw(db).execute(sql):
        assert Decimal(cents) / 100 == sum(want[(department, year)])


def test_report_stats_by_two_keys_with_filters(corpus):
    db, reports = corpus
    year = next(r.year for r in reports.values() if r.year)
    rows = stats(db, by="department,year", year=year)
    assert rows and all(r["year"] == year for r in rows)
    assert sum(r["reports"] for r in rows) == sum(r.year == year for r in reports.values())
    for r in rows:   # each report's own expenditure figure, accepted ones only
        spent = [x.figures.expenditure.value for x in reports.values()
                 if (x.department_key, x.year) == (r["department_key"], r["year"]) and x.figures.expenditure
                 and x.figures.expenditure.status == "ok"]
        assert (Decimal(r["expenditure_sum_yuan"]) if r["expenditure_sum_yuan"] else Decimal(0)) == sum(spent)


# ------------------------------------------------------------------------------- one report, once

def _pdf(path: Path, lines: list[str]) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=A4)
    y = 800
    for line in lines:
        for i in range(0, len(line), 40):   # a PDF wraps long lines
            if y < 60:
                c.showPage()
                y = 800
            c.setFont("STSong-Light", 10)
            c.drawString(40, y, line[i:i + 40])
            y -= 16
    c.save()


def test_one_report_in_two_formats_and_two_encodings_is_counted_once(tmp_path):
    import docx

    text = SEED.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    folder = tmp_path / "same"
    folder.mkdir()
    (folder / "a_utf8.txt").write_text(text, encoding="utf-8")
    (folder / "b_gbk.txt").write_bytes(text.encode("gbk"))
    d = docx.Document()
    for line in lines:
        d.add_paragraph(line)
    d.save(folder / "c.docx")
    _pdf(folder / "d.pdf", lines)
    db = tmp_path / "same.db"
    summary = ingest([str(folder)], db, workers=2)
    assert summary.ingested == 4 and summary.failed == 0
    con = _raw(db)
    rows = con.execute("SELECT source, content_id, duplicate_of FROM reports ORDER BY source").fetchall()
    assert len({cid for _, cid, _ in rows}) == 1, rows                 # one content
    assert sum(dup is None for *_, dup in rows) == 1                      # one original, three duplicates
    assert sum(r["reports"] for r in stats(db, by="year")) == 1           # counted once
    assert sum(r["reports"] for r in stats(db, by="year", duplicates=True)) == 4
    assert len(search(db, "招商引资", limit=100)) >= 4                     # every file stays findable


# ------------------------------------------------------------------------------- search

def _like(db, needle: str) -> set[int]:
    return {sid for (sid,) in _raw(db).execute("SELECT sentence_id FROM sentences WHERE instr(text, ?) > 0",
                                               (needle,))}


def _hit_ids(db, hits) -> set[int]:
    con = _raw(db)
    return {con.execute('SELECT sentence_id FROM sentences WHERE report_id=? AND "start"=?',
                        (h.report_id, h.start)).fetchone()[0] for h in hits}


@pytest.mark.parametrize("pick", ["substring", "phrase", "short"])
def test_text_search_recall_equals_a_like_scan(corpus, pick):
    db, _ = corpus
    texts = [t for (t,) in _raw(db).execute("SELECT text FROM sentences ORDER BY sentence_id")]
    import regex

    if pick == "substring":   # three characters, found in several sentences
        needle = next(t[i:i + 3] for t in texts for i in range(len(t) - 3) if regex.fullmatch(r"\p{Han}{3}", t[i:i + 3])
                      and len(_like(db, t[i:i + 3])) >= 3)
    elif pick == "phrase":    # a multi-word phrase of 6 characters
        needle = next(t[i:i + 6] for t in texts for i in range(2, len(t) - 6) if regex.fullmatch(r"\p{Han}{6}", t[i:i + 6]))
    else:                     # two characters across a word boundary
        needle = next(t[i:i + 2] for t in texts for i in range(1, len(t) - 2) if regex.fullmatch(r"\p{Han}{2}", t[i:i + 2])
                      and len(_like(db, t[i:i + 2])) >= 2)
    want = _like(db, needle)
    hits = search(db, needle, limit=100000)
    assert want and _hit_ids(db, hits) == want, needle


@pytest.mark.parametrize("pick", ["integer", "decimal", "grouped"])
def test_number_search_finds_every_sentence_with_that_number(corpus, pick):
    db, _ = corpus
    from extract.dataset.search import numbers_in

    rows = _raw(db).execute("SELECT sentence_id, text FROM sentences ORDER BY sentence_id").fetchall()
    written = {sid: numbers_in(text) for sid, text in rows}
    shapes = {"integer": r"\d{3,}", "decimal": r"\d+\.\d+", "grouped": r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"}
    import regex

    needle = next(text[s:e] for sid, text in rows for s, e, _ in written[sid] if regex.fullmatch(shapes[pick], text[s:e]))
    value = next(v for sid, text in rows for s, e, v in written[sid] if text[s:e] == needle)
    want = {sid for sid, numbers in written.items() if any(v == value for *_, v in numbers)}
    got = _hit_ids(db, search(db, needle, limit=100000))
    assert want <= got, needle                      # every sentence that writes the number
    extra = got - want                              # the rest hold a fact of that value (60.28万元 for 602800)
    con = _raw(db)
    for sid in extra:
        report_id, start, end = con.execute('SELECT report_id, "start", "end" FROM sentences WHERE sentence_id=?',
                                            (sid,)).fetchone()
        values = [Decimal(str(v)) for table, column in store.VALUE_COLUMNS.items()
                  for (v,) in con.execute(f'SELECT {column} FROM {table} WHERE report_id=? AND "start">=? AND "end"<=?',
                                          (report_id, start, end))]
        assert value in values, (needle, sid)


def test_a_number_query_matches_that_number_not_its_pieces(tmp_path):
    db = tmp_path / "seed.db"
    ingest([str(SEED)], db, workers=1)
    hits = search(db, "60.28", limit=50)
    assert hits and all("60.28" in h.text for h in hits)
    assert not any("组织60家" in h.text and "60.28" not in h.text for h in hits)
    assert {h.text for h in search(db, "602800", limit=50)} == {h.text for h in hits}   # the fact's value


def test_quoted_phrase_and_fact_filters_without_text(corpus):
    db, reports = corpus
    hits = search(db, '"绩效自评"', limit=100000)
    assert hits and all("绩效自评" in h.text for h in hits)
    # a fact filter alone: every sentence holding a satisfaction rate of at least 90
    hits = search(db, "", role="satisfaction", min_value=Decimal(90), limit=100000)
    con = _raw(db)
    want = {(r, s) for r, s in con.execute(
        'SELECT s.report_id, s."start" FROM sentences s JOIN percentages p ON p.report_id = s.report_id '
        'AND p."start" >= s."start" AND p."end" <= s."end" WHERE p.role = \'satisfaction\' AND p.value >= 90')}
    assert {(h.report_id, h.start) for h in hits} == want


# ------------------------------------------------------------------------------- data dictionary

def test_the_data_dictionary_names_every_column_of_every_table(tmp_path):
    db = tmp_path / "empty.db"
    store.connect(db).close()
    entries = dictionary.entries()
    tables = [t for (t,) in _raw(db).execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sentences_%' AND name <> 'meta'")]
    assert set(tables) == set(entries)
    for table in tables:
        columns = [row[1] for row in _raw(db).execute(f"PRAGMA table_info({table})")]
        described = {e["column"]: e for e in entries[table]}
        assert [c for c in columns if c not in described] == [], table
        for c in columns:
            assert described[c]["meaning"], (table, c)
            declared = next(row[2] for row in _raw(db).execute(f"PRAGMA table_info({table})") if row[1] == c)
            assert described[c]["type"] == declared, (table, c)
    roles = {e["column"]: e for e in entries["amounts"]}["role"]["values"]
    assert "expenditure" in roles and "other" in roles


# ------------------------------------------------------------------------------- a live Datasette

@pytest.fixture(scope="module")
def datasette(corpus):
    db, _ = corpus
    with running_datasette(db) as base:
        yield f"{base}/{db.stem}"


def _get(url: str):
    return json.loads(urllib.request.urlopen(url, timeout=20).read())


def test_datasette_sorts_and_filters_numbers(corpus, datasette):
    _, reports = corpus
    values = sorted((a.value_yuan for r in reports.values() for a in r.amounts), reverse=True)
    rows = _get(f"{datasette}/amounts.json?_sort_desc=value_yuan&_shape=array&_size=25")
    assert [Decimal(str(r["value_yuan"])) for r in rows] == values[:25]
    bound = values[len(values) // 3]
    got = _get(f"{datasette}/amounts.json?value_yuan__gt={bound}&_shape=array&_size=max")
    assert len(got) == sum(v > bound for v in values)


def test_datasette_search_box_finds_a_multi_word_chinese_query(corpus, datasette):
    db, _ = corpus
    texts = [t for (t,) in _raw(db).execute("SELECT text FROM sentences")]
    import regex

    phrase = next(m.group() for t in texts for m in regex.finditer(r"\p{Han}{7}", t))
    rows = _get(f"{datasette}/sentences.json?_search={urllib.parse.quote(phrase)}&_shape=array&_size=max")
    assert rows and all(phrase in r["text"] for r in rows)
    assert len(rows) == len(_like(db, phrase))


def test_datasette_describes_columns_and_saves_the_first_questions(datasette):
    meta = _get(datasette.rsplit("/", 1)[0] + "/-/metadata.json")
    tables = next(iter(meta["databases"].values()))["tables"]
    assert "yuan" in tables["amounts"]["columns"]["value_yuan"]
    queries = next(iter(meta["databases"].values()))["queries"]
    for name in queries:
        rows = _get(f"{datasette}/{name}.json?_shape=array&text=x")
        assert isinstance(rows, list)
    short = _get(f"{datasette}/search_sentences.json?text={urllib.parse.quote('预算')}&_shape=array")
    assert short and all("预算" in r["text"] for r in short)      # two characters: the saved query finds them
    rows = _get(f"{datasette}/expenditure_by_department_and_year.json?_shape=array")
    assert rows and all(r["expenditure_yuan"] is None or isinstance(r["expenditure_yuan"], (int, float)) for r in rows)


# ------------------------------------------------------------------------------- the README's examples

def test_the_readme_pandas_and_duckdb_examples_answer_the_first_questions(corpus, tmp_path, monkeypatch):
    import duckdb

    db, reports = corpus
    from extract.dataset.export import export

    export(db, tmp_path / "out", "parquet")
    monkeypatch.chdir(tmp_path)
    answers = readme_answers("The first questions")
    by_dept_year, by_year, score_by_year, satisfaction = answers
    want = stats(db, by="department,year")   # grouped by department_key; report figures, once
    for row in want:
        if row["expenditure_sum_yuan"] is not None:
            assert Decimal(str(by_dept_year[(row["department_key"], row["year"])])) == \
                Decimal(row["expenditure_sum_yuan"])
    assert len(by_year) and len(score_by_year) and len(satisfaction) >= 0
    sql = [s.strip() for s in readme_block("sql", "The first questions").split(";") if s.strip()]
    results = [duckdb.sql("\n".join(x for x in s.splitlines() if not x.startswith("--"))).fetchall() for s in sql]
    dept_year = {(d, y): v for d, y, v in results[0] if v is not None}
    for row in want:
        if row["expenditure_sum_yuan"] is not None:
            assert Decimal(str(dept_year[(row["department_key"], row["year"])])) == \
                Decimal(row["expenditure_sum_yuan"])
    assert [y for y, *_ in results[1]] == sorted({r.year for r in reports.values()}, key=lambda y: (y is None, y))
