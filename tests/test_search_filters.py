"""Search with fact filters (--role, --min/--max, --min-yuan/--max-yuan): the same answer whichever way it
is found, the answer a plain Python filter over every row gives, and a cost that follows the facts that
match, never sentences × facts (issue 19: a filter no fact met took minutes). Work is counted in SQLite VM
steps and read from query plans, never timed."""

from __future__ import annotations

import importlib.util
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from extract.dataset import search as search_module
from extract.dataset import store
from extract.dataset.ingest import ingest
from extract.dataset.search import MAX_PARTS, search, search_parquet
from extract.errors import UsageError

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"
VARIED = ROOT / "corpora" / "varied"
GENERATED = 30   # seed variants (scripts/bench_search.py): other departments, years, numbers, satisfaction


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_search", ROOT / "scripts" / "bench_search.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("search_filters")
    bench = _bench_module()
    seed = SEED.read_text(encoding="utf-8")
    for i in range(GENERATED):
        (folder / f"g{i:03d}.txt").write_text(bench.report_text(seed, i), encoding="utf-8")
    path = folder / "reports.db"
    summary = ingest([str(folder), str(SEED), str(VARIED)], path, workers=2)
    assert summary.failed == 0, summary.errors
    return path


# ------------------------------------------------------------------ the plain filter, over every row


@dataclass
class Rows:
    sentences: list[tuple]               # (sentence_id, report_id, start, end, text), in sentence_id order
    reports: dict[str, tuple]            # report_id -> (year, department, report_kind)
    facts: dict[str, dict[str, list]]    # table -> report_id -> [(start, end, role, value, value_cents)]


@pytest.fixture(scope="module")
def rows(db) -> Rows:
    con = store.connect(db, create=False)
    try:
        sentences = con.execute('SELECT sentence_id, report_id, "start", "end", text FROM sentences '
                                "ORDER BY sentence_id").fetchall()
        reports = {r[0]: r[1:] for r in con.execute("SELECT report_id, year, department, report_kind FROM reports")}
        facts: dict[str, dict[str, list]] = {}
        for table, column in store.VALUE_COLUMNS.items():
            role = "role" if "role" in store.FACT_COLUMNS[table] else "NULL"
            cents = "value_cents" if table == "amounts" else "NULL"
            by_report: dict[str, list] = {}
            for report_id, *fact in con.execute(
                    f'SELECT report_id, "start", "end", {role}, {column}, {cents} FROM {table}'):
                by_report.setdefault(report_id, []).append(fact)
            facts[table] = by_report
    finally:
        con.close()
    return Rows(sentences, reports, facts)


def _cents(yuan: str) -> int:
    return int(Decimal(yuan) * 100)


def _holds(rows: Rows, sentence: tuple, tables, role, test) -> bool:
    """The sentence holds a fact of `tables` with `role` (any when None) whose value passes `test`."""
    _, report_id, start, end, _ = sentence
    return any(f_start >= start and f_end <= end and (role is None or f_role == role) and test(value, cents)
               for table in tables for f_start, f_end, f_role, value, cents in rows.facts[table].get(report_id, []))


def expected(rows: Rows, *, role=None, min_yuan=None, max_yuan=None, min_value=None, max_value=None, year=None,
             department=None, kind=None, words=()) -> list[tuple]:
    """(report_id, start, end) of every sentence a filter lets through, in order: the rules of the
    README written as Python (an amount for the yuan bounds, compared in whole fen; any fact with a role
    and a value for --min/--max or a role alone)."""
    role_tables = list(search_module.ROLE_VALUE_COLUMNS)
    out = []
    for sentence in rows.sentences:
        r_year, r_department, r_kind = rows.reports[sentence[1]]
        if (year is not None and r_year != year) or (department and department not in (r_department or "")) \
                or (kind and r_kind != kind) or not all(w in sentence[4] for w in words):
            continue
        yuan = min_yuan is not None or max_yuan is not None
        if yuan and not _holds(rows, sentence, ["amounts"], role, lambda v, c: c is not None
                               and (min_yuan is None or c >= _cents(min_yuan))
                               and (max_yuan is None or c <= _cents(max_yuan))):
            continue
        if (not yuan or min_value is not None or max_value is not None) and not _holds(
                rows, sentence, role_tables, role,
                lambda v, c: (min_value is None or (v is not None and v >= Decimal(min_value)))
                and (max_value is None or (v is not None and v <= Decimal(max_value)))):
            continue
        out.append(sentence[1:4])
    return out


# ------------------------------------------------------------------ every way of answering, one answer

# How a filter is answered (search.py): "facts" collects the sentences of the matching facts; "walk"
# checks sentence by sentence against the report's facts (the query of old, through another index);
# "walk-cut-short" starts walking and gives up at once, so every matching fact's sentence is collected;
# "few-reports" reads the facts of the reports the report filters let through.
STRATEGIES = {
    "default": {},
    "facts": {"FACT_SET_CAP": 10 ** 9},
    "walk": {"FACT_SET_CAP": -1, "FEW_REPORTS": 0, "WALK_STEPS": 10 ** 9},
    "walk-cut-short": {"FACT_SET_CAP": -1, "FEW_REPORTS": 0, "WALK_STEPS": 0},
    "few-reports": {"FACT_SET_CAP": -1, "FEW_REPORTS": 10 ** 9, "WALK_STEPS": 10 ** 9},
}   # a cap of -1: even no fact at all is "too many to collect"


@pytest.fixture(params=list(STRATEGIES))
def strategy(request, monkeypatch) -> str:
    for name, value in STRATEGIES[request.param].items():
        monkeypatch.setattr(search_module, name, value)
    return request.param


FILTERS = {
    "role": {"role": "execution_rate"},
    "role-min": {"role": "satisfaction", "min_value": "90"},
    "role-min-nothing": {"role": "satisfaction", "min_value": "200"},
    "min-max": {"min_value": "1", "max_value": "100"},
    "max": {"max_value": "5"},
    "value-exponent": {"min_value": "1E+2"},
    "min-yuan": {"min_yuan": "1000000"},
    "role-yuan-nothing": {"role": "expenditure", "min_yuan": "1000000", "max_yuan": "1"},
    "role-max-yuan": {"role": "expenditure", "max_yuan": "1500000"},
    "yuan-fraction-of-a-fen": {"min_yuan": "100.005"},
    "yuan-and-value": {"min_yuan": "100000", "min_value": "50"},
    "role-yuan-and-value": {"role": "budget_initial", "min_yuan": "1", "max_value": "1E+8"},
    "min-yuan-below-int64": {"min_yuan": "-99999999999999999999999"},
    "max-yuan-above-int64": {"role": "carryover", "max_yuan": "99999999999999999999999"},
    "year": {"role": "expenditure", "year": 2020},
    "year-nothing": {"min_yuan": "1", "year": 1999},
    "department": {"min_yuan": "1", "department": "兰州"},
    "kind": {"role": "execution_rate", "kind": "project_self_eval"},
    "words": {"words": ("执行率",), "role": "execution_rate", "min_value": "97"},
    "words-nothing": {"words": ("满意度",), "role": "satisfaction", "min_value": "200"},
}


def _decimals(filters: dict) -> dict:
    return {k: Decimal(v) if k.endswith(("_value", "_yuan")) else v for k, v in filters.items()}


@pytest.mark.parametrize("limit", [3, 100_000])
@pytest.mark.parametrize("name", list(FILTERS))
def test_a_filter_finds_what_a_plain_filter_finds(db, rows, strategy, name, limit):
    filters = dict(FILTERS[name])
    words = filters.pop("words", ())
    hits = search(db, " ".join(words), limit=limit, **_decimals(filters))
    found = [(h.report_id, h.start, h.end) for h in hits]
    want = expected(rows, words=words, **filters)
    if words:   # ranked by bm25: the same sentences, in another order
        assert len(found) == min(limit, len(want)) and set(found) <= set(want)
    else:
        assert found == want[:limit]
    if name.endswith("nothing"):
        assert not found
    elif limit > 3:
        assert found, "a filter that should find something"


QUERIES = ["执行率", "满意度", "洽", "60.28", "97.94%", "100", "执行率 28", "招商引资 2020"]
WITH = {
    "role": {"role": "expenditure"},
    "role-min": {"role": "satisfaction", "min_value": "85"},
    "min-yuan": {"min_yuan": "1000000"},
    "nothing": {"role": "satisfaction", "min_value": "200"},
    "year-and-role": {"year": 2021, "role": "execution_rate"},
}


@pytest.fixture(scope="module")
def walked(db) -> dict:
    """Every query below answered sentence by sentence (the query of old): the reference."""
    mp = pytest.MonkeyPatch()
    for name, value in STRATEGIES["walk"].items():
        mp.setattr(search_module, name, value)
    try:
        return {(q, w, limit): [h.as_dict() for h in search(db, q, limit=limit, **_decimals(WITH[w]))]
                for q in QUERIES for w in WITH for limit in (5, 100_000)}
    finally:
        mp.undo()


@pytest.mark.parametrize("limit", [5, 100_000])
@pytest.mark.parametrize("with_", list(WITH))
@pytest.mark.parametrize("query", QUERIES)
def test_text_and_numbers_with_a_filter_answer_alike_every_way(db, walked, strategy, query, with_, limit):
    hits = [h.as_dict() for h in search(db, query, limit=limit, **_decimals(WITH[with_]))]
    assert hits == walked[(query, with_, limit)]


def test_the_reference_walk_finds_something(walked):
    """The comparison above is not between empty lists."""
    assert sum(1 for hits in walked.values() if hits) >= 20


def test_sentences_of_a_report_never_overlap(db):
    """What placing a fact in its sentence relies on: the last sentence to start at or before a fact
    is the only one that can hold it."""
    con = sqlite3.connect(db)
    overlapping = con.execute(
        'SELECT count(*) FROM sentences a JOIN sentences b ON b.report_id = a.report_id '
        'AND b."start" > a."start" AND b."start" < a."end"').fetchone()[0]
    assert overlapping == 0
    assert con.execute('SELECT count(*) FROM amounts WHERE "start" > "end"').fetchone()[0] == 0


# ------------------------------------------------------------------ what a filter costs


class Counted:
    """store.connect for search, counting the SQLite VM steps and keeping each statement run. Search's
    own progress handler (its walk's allowance) still runs, called from the counting one."""

    def __init__(self, monkeypatch):
        self.steps, self.statements = 0, []
        real = store.connect
        monkeypatch.setattr(store, "connect", lambda *a, **k: _Counting(real(*a, **k), self))


class _Counting:
    def __init__(self, con: sqlite3.Connection, counted: Counted):
        self._con, self._counted, self._handler, self._every = con, counted, None, 1
        con.set_trace_callback(counted.statements.append)
        con.set_progress_handler(self._step, 1)

    def _step(self) -> int:
        self._counted.steps += 1
        if self._handler is not None and self._counted.steps % self._every == 0:
            return self._handler()
        return 0

    def set_progress_handler(self, handler, every: int) -> None:
        self._handler, self._every = handler, max(every, 1)

    def __getattr__(self, name):
        return getattr(self._con, name)


def _one_pass_over_sentences(db) -> int:
    con = sqlite3.connect(db)
    steps = [0]
    con.set_progress_handler(lambda: steps.__setitem__(0, steps[0] + 1), 1)
    con.execute('SELECT count(*) FROM sentences WHERE "start" >= 0').fetchone()
    return steps[0]


def test_a_filter_no_fact_meets_reads_no_sentence(db, monkeypatch):
    """`--role satisfaction --min 200` (issue 19: 208 s on 1,830 reports) costs less than a tenth of one
    pass over the sentences; asked sentence by sentence it costs more than a whole pass."""
    counted = Counted(monkeypatch)
    assert search(db, "", role="satisfaction", min_value=Decimal(200)) == []
    one_pass = _one_pass_over_sentences(db)
    assert counted.steps < one_pass / 10, (counted.steps, one_pass)

    for name, value in STRATEGIES["walk"].items():
        monkeypatch.setattr(search_module, name, value)
    counted.steps = 0
    assert search(db, "", role="satisfaction", min_value=Decimal(200)) == []
    assert counted.steps > one_pass


@pytest.mark.parametrize("filters", [{"role": "satisfaction", "min_value": Decimal(200)},
                                     {"role": "expenditure", "min_yuan": Decimal(1_000_000), "max_yuan": Decimal(1)},
                                     {"min_yuan": Decimal("1e15")}],
                         ids=["role-min", "role-yuan-range", "min-yuan"])
def test_a_filter_is_looked_up_in_the_index_of_role_and_value(db, monkeypatch, filters):
    counted = Counted(monkeypatch)
    assert search(db, "", **filters) == []
    con = sqlite3.connect(db)
    plans = [row[3] for sql in counted.statements if sql.startswith(("SELECT", "WITH"))
             for row in con.execute("EXPLAIN QUERY PLAN " + sql)]
    assert plans
    indexes = ("_role_value", "amounts_role_cents") if "role" in filters else ("amounts_cents",)
    assert any("COVERING INDEX" in p and any(i in p for i in indexes) for p in plans), plans
    assert not any(p.startswith("SCAN") and ("sentences" in p or p == "SCAN s") for p in plans), plans


def test_a_sentence_by_sentence_check_goes_through_the_reports_own_facts(db, monkeypatch):
    """The walk never reads a fact through the role index (every report's facts of the role, for each
    sentence: the minutes of issue 19), nor through a value index."""
    for name, value in STRATEGIES["walk"].items():
        monkeypatch.setattr(search_module, name, value)
    counted = Counted(monkeypatch)
    assert search(db, "执行率", role="execution_rate", min_value=Decimal(90), year=2020)
    assert search(db, "", role="expenditure", min_yuan=Decimal(1))
    con = sqlite3.connect(db)
    walks = [sql for sql in counted.statements if sql.startswith(("SELECT", "WITH")) and "EXISTS (" in sql]
    assert len(walks) == 2
    plans = [row[3] for sql in walks for row in con.execute("EXPLAIN QUERY PLAN " + sql)]
    facts = [p for p in plans if p.startswith("SEARCH f ")]
    assert facts and all("sqlite_autoindex_" in p for p in facts), facts


def test_a_database_without_the_search_indexes_answers_alike_and_a_writer_adds_them(db, tmp_path):
    old = tmp_path / "old.db"
    with sqlite3.connect(db) as source, sqlite3.connect(old) as copy:
        source.backup(copy)
    con = sqlite3.connect(old)
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' "
        "AND (name LIKE '%role_value' OR name IN ('amounts_role_cents', 'sentences_span'))")]
    assert len(names) == 2 + len(search_module.ROLE_VALUE_COLUMNS)
    for name in names:
        con.execute(f"DROP INDEX {name}")
    con.close()
    for filters in FILTERS.values():
        filters = dict(filters)
        words = " ".join(filters.pop("words", ()))
        assert search(old, words, limit=50, **_decimals(filters)) == search(db, words, limit=50, **_decimals(filters))
    store.connect(old).close()
    con = sqlite3.connect(old)
    assert {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")} >= set(names)


# ------------------------------------------------------------------ bounds and queries beyond what SQL holds


@pytest.mark.parametrize("bounds", [{"min_yuan": "9999999999999999999999999999"}, {"max_yuan": "-1e30"},
                                    {"min_yuan": "1E+999999"}, {"min_value": "1E+400"}, {"max_value": "-1E+400"}],
                         ids=["min-yuan-28-nines", "max-yuan-minus-1e30", "min-yuan-1e999999", "min-1e400",
                              "max-minus-1e400"])
def test_a_bound_beyond_any_stored_number_finds_nothing(db, bounds):
    assert search(db, "", **_decimals(bounds)) == []


def test_too_many_terms_is_a_usage_error_that_states_the_limit(db, tmp_path):
    with pytest.raises(UsageError, match=f"too many search terms.*at most {MAX_PARTS}") as raised:
        search(db, " ".join(f"词{i}" for i in range(15_000)))
    assert raised.value.code == "E013"
    with pytest.raises(UsageError, match="too many search terms"):
        search_parquet(tmp_path / "no-such-dataset", " ".join(["执行率"] * (MAX_PARTS + 1)))
    assert search(db, " ".join(["执行率"] * MAX_PARTS))


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extract", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def test_cli_search_with_an_amount_beyond_sqlite_finds_nothing(db):
    done = _cli("search", "--min-yuan", "9999999999999999999999999999", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert "E999" not in done.stderr and "no sentence matches" in done.stdout


def test_cli_search_with_too_many_terms_says_so(db):
    done = _cli("search", " ".join(chr(0x4E00 + i % 5000) for i in range(15_000)), "--db", str(db))
    assert done.returncode == 2
    assert "[E013] too many search terms (15,000)" in done.stderr and "E020" not in done.stderr
