"""Report figures in the dataset (issue 17): each report's own figures stored where any SQL user can join
them, statistics that add each report once, the same answer in `stats`, the saved Datasette query and the
README's DuckDB/pandas lines, and figures in conflict left out (and counted) unless asked for.

Two halves. The first runs the generated corpus (scripts/make_corpus.py) end to end: the generator draws
each report's own expenditure E once (corpusgen.report.Report.numbers) and states it in the text beside its
parts (当年财政拨款支出 / 上年结转资金支出, line items), so the sum of E over a department and year is the
answer a statistician wants, and a sum of mentions is not. The second builds reports with figures set by
hand (one in conflict), so the storage, the statistics and the schema upgrade are proven on their own, and
then ingests the hard documents of the issue (a glued 总分 cell, a budget draft, a figure of another order).
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import readme_answers, readme_block, running_datasette

from extract import extract_text
from extract.dataset import dictionary, parquet, store
from extract.dataset.export import export
from extract.dataset.ingest import ingest
from extract.dataset.serve import QUERIES
from extract.dataset.stats import fact_stats, indicator_history, stats
from extract.models import FIGURE_NAMES, Figure, ReportFigures

ROOT = Path(__file__).resolve().parent.parent
N, SEED = 60, 17


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extract", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


def _own_expenditure(i: int) -> Decimal:
    """The expenditure the generator drew for report i (as make_corpus.generate seeds it)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from corpusgen.report import Report as Generated
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return Generated(random.Random(SEED * 1_000_003 + i)).E


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """N generated reports in a SQLite and a Parquet dataset, an export, and each file's own expenditure."""
    folder = tmp_path_factory.mktemp("figures")
    corpus = folder / "corpus"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_corpus.py"), str(N), str(corpus), "--formats",
                    "txt", "--seed", str(SEED)], check=True, stdout=subprocess.DEVNULL)
    db, pq = folder / "g.db", folder / "dataset"
    summary = ingest([str(corpus)], db, workers=2, parquet=pq)
    assert summary.failed == 0 and summary.ingested == N
    export(db, folder / "out", "parquet")
    own = {f"{i:05d}.txt": _own_expenditure(i) for i in range(N)}
    con = sqlite3.connect(db)
    keys = {Path(s).name: (k, y) for s, k, y in con.execute("SELECT source, department_key, year FROM reports")}
    want: dict[tuple, Decimal] = defaultdict(Decimal)
    for name, e in own.items():
        want[keys[name]] += e
    # what the dataset holds: the accepted expenditure figures, added in Python (the plumbing's reference;
    # it equals `want` when every report's own expenditure was found and accepted)
    stored: dict[tuple, Decimal] = defaultdict(Decimal)
    for k, y, v in con.execute("SELECT department_key, year, CAST(figure_expenditure_yuan AS TEXT) FROM reports "
                               "WHERE figure_expenditure_yuan IS NOT NULL"):
        stored[(k, y)] += Decimal(v)
    return {"db": db, "parquet": pq, "folder": folder, "own": own, "want": dict(want), "stored": dict(stored)}


def _same(got: dict, generated: dict) -> None:
    """The answer adds the stored figures (the plumbing), and they are each report's own expenditure."""
    assert got == generated["stored"]
    assert got == generated["want"], "the stored figures miss some report's own expenditure (see the first test)"


def _raw(db) -> sqlite3.Connection:
    return sqlite3.connect(db)   # what Datasette, pandas or the sqlite3 shell see


# ------------------------------------------------------------------------------- the generated corpus

def test_each_report_stores_its_own_expenditure_with_its_fact(generated):
    con = _raw(generated["db"])
    got = {Path(s).name: (v, st) for s, v, st in con.execute(
        "SELECT source, figure_expenditure_yuan, figure_expenditure_status FROM reports")}
    wrong = {n: (got[n], str(e)) for n, e in generated["own"].items() if got[n] != (e, "ok")}
    assert not wrong, f"reports whose own expenditure is not the figure stored: {wrong}"
    # the figure's fact, joined on (report_id, fact_type, fact_seq), is an amount of that value and text
    rows = con.execute("SELECT f.value, a.value_yuan, f.text, a.text, a.level FROM figures f "
                       "JOIN amounts a ON a.report_id = f.report_id AND f.fact_type = 'amounts' AND a.seq = f.fact_seq "
                       "WHERE f.name = 'expenditure' AND f.project_seq IS NULL").fetchall()
    assert len(rows) == N and all(fv == av and ft == at for fv, av, ft, at, _ in rows)


def _by_group(rows: list[dict], value: str) -> dict[tuple, Decimal]:
    return {(r["department_key"], r["year"]): Decimal(r[value]) for r in rows if r[value] is not None}


def test_stats_spending_by_department_and_year_is_the_sum_of_each_reports_own_expenditure(generated):
    assert len(generated["want"]) > N // 3                   # many departments and years, not one group
    rows = stats(generated["db"], by="department,year")
    assert all(r["department"] for r in rows)
    # the same from the Parquet dataset, through DuckDB, and from the command
    assert stats(generated["parquet"], by="department,year") == rows
    proc = cli("stats", "--db", str(generated["db"]), "--by", "department,year", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == rows
    n = sum(r["conflicts_left_out"] for r in rows)
    assert f"{n} report figure{'s' if n != 1 else ''} in conflict left out" in proc.stderr
    _same(_by_group(rows, "expenditure_sum_yuan"), generated)
    assert n == 0


def test_the_saved_query_gives_the_same_answer_in_sqlite_and_datasette(generated):
    sql = QUERIES["expenditure_by_department_and_year"]["sql"]
    got = {(k, y): Decimal(str(v)) for k, _, y, _, v, _ in _raw(generated["db"]).execute(sql) if v is not None}
    with running_datasette(generated["db"]) as base:
        url = f"{base}/{generated['db'].stem}/expenditure_by_department_and_year.json?_shape=array&_size=max"
        served = json.loads(urllib.request.urlopen(url, timeout=30).read())
        # a figure's text links to the fact it was taken from, in the report's view
        page = urllib.request.urlopen(f"{base}/{generated['db'].stem}/figures?name=expenditure",
                                      timeout=30).read().decode()
        assert "/-/reportx/report/" in page and "#f-amounts-" in page
    assert {(r["department_key"], r["year"]): Decimal(str(r["expenditure_yuan"])) for r in served
            if r["expenditure_yuan"] is not None} == got
    _same(got, generated)


def test_the_readme_pandas_and_duckdb_lines_give_the_same_answer(generated, monkeypatch):
    import duckdb

    monkeypatch.chdir(generated["folder"])
    answers = readme_answers("The first questions")
    by_dept_year, rate_by_year, score_by_year, satisfaction = answers
    pandas_answer = {k: Decimal(v) for k, v in by_dept_year.items() if v}
    years = {r["year"]: r for r in stats(generated["db"], by="year")}
    for year, mean in rate_by_year.items():
        assert abs(Decimal(str(mean)) - Decimal(years[year]["execution_rate_mean"])) < Decimal("1e-4")
    for year, mean in score_by_year.dropna().items():
        assert abs(Decimal(str(mean)) - Decimal(years[year]["score_mean"])) < Decimal("1e-4")
    assert len(satisfaction) == len(indicator_history(generated["db"], "满意", duplicates=False))
    sql = [s.strip() for s in readme_block("sql", "The first questions").split(";") if s.strip()]
    results = [duckdb.sql("\n".join(x for x in s.splitlines() if not x.startswith("--"))).fetchall() for s in sql]
    assert {(k, y): v for k, y, v in results[0] if v is not None} == pandas_answer
    assert [y for y, *_ in results[1]] == sorted(years)
    for year, rate, score in results[1]:   # DuckDB's avg of a DECIMAL is a DOUBLE
        assert abs(Decimal(str(rate)) - Decimal(years[year]["execution_rate_mean"])) < Decimal("1e-4")
        assert score is None or abs(Decimal(str(score)) - Decimal(years[year]["score_mean"])) < Decimal("1e-4")
    conflicts = _raw(generated["db"]).execute("SELECT count(*) FROM figures WHERE status = 'conflict' "
                                              "AND project_seq IS NULL").fetchone()[0]
    assert len(results[3]) == conflicts
    _same(pandas_answer, generated)


def test_the_readme_scale_lines_on_a_parquet_dataset(generated, monkeypatch):
    import duckdb
    import pandas as pd

    monkeypatch.chdir(generated["folder"])
    sql = readme_block("sql", "The Parquet dataset is a folder per table")
    rows = duckdb.sql("\n".join(x for x in sql.splitlines() if not x.startswith("--"))).fetchall()
    got = {(k, y): v for k, y, v in rows if v is not None}
    code = readme_block("python", "The Parquet dataset is a folder per table").split("# Spark")[0]
    scope: dict = {"pd": pd}
    exec(code, scope)
    assert {k: Decimal(v) for k, v in scope["spent"].items() if v} == got
    _same(got, generated)


def test_a_sum_of_mentions_says_what_it_adds_and_level_total_keeps_the_totals(generated):
    db, own = generated["db"], generated["own"]
    mentions = fact_stats(db, "amounts", "year", role="expenditure")
    assert sum(Decimal(r["amounts_sum_yuan"]) for r in mentions) > sum(own.values())   # parts and repeats added
    totals = fact_stats(db, "amounts", "year", role="expenditure", level="total")
    assert sum(Decimal(r["amounts_sum_yuan"]) for r in totals) == sum(own.values())
    proc = cli("stats", "--db", str(db), "--fact", "amounts", "--role", "expenditure", "--by", "department,year")
    assert proc.returncode == 0 and "mentions, not reports" in proc.stdout and "add mentions" in proc.stdout
    proc = cli("stats", "--db", str(db), "--fact", "amounts", "--level", "total", "--format", "csv")
    assert proc.returncode == 0 and "add mentions" in proc.stderr and proc.stdout.startswith("year,reports")
    bad = cli("stats", "--db", str(db), "--fact", "amounts", "--level", "sum")
    assert bad.returncode == 2 and "total, part, repeat, other" in bad.stderr
    bad = cli("stats", "--db", str(db), "--fact", "scores", "--level", "total")
    assert bad.returncode == 2 and "--level filters amounts" in bad.stderr


# ------------------------------------------------------------------------------- figures set by hand

TEXT = ("{dept}{year}年度部门整体支出绩效自评报告\n一、预算执行情况\n{year}年全年预算数{budget}万元，全年执行数{spent}万元，"
        "预算执行率{rate}%。\n二、自评结论\n自评得分{score}分。\n")


def _report(dept: str, year: int, budget: str, spent: str, rate: str, score: str, conflict: tuple = ()):
    """A report whose figures point at its own facts, set here (statuses as given), not by the pipeline."""
    text = TEXT.format(dept=dept, year=year, budget=budget, spent=spent, rate=rate, score=score)
    report = extract_text(text, source=f"{dept}{year}.txt")

    def figure(name: str, fact_type: str, value: str) -> Figure:
        facts = getattr(report, fact_type)
        seq = next(i for i, f in enumerate(facts) if f.text.startswith(value))
        f = facts[seq]
        status = "conflict" if name in conflict else "ok"
        return Figure(value=getattr(f, "value_yuan", None) or f.value, status=status, fact_type=fact_type,
                      fact_seq=seq, text=f.text, start=f.start, end=f.end, rule=f.rule,
                      reason="set by the test" + ("; fails expenditure ÷ budget" if status == "conflict" else ""))

    figures = ReportFigures(scope="department", budget_adjusted=figure("budget_adjusted", "amounts", budget),
                            expenditure=figure("expenditure", "amounts", spent),
                            execution_rate=figure("execution_rate", "percentages", rate),
                            total_score=figure("total_score", "scores", score))
    return report.model_copy(update={"figures": figures, "department_key": dept}), text


@pytest.fixture()
def built(tmp_path):
    db = tmp_path / "built.db"
    con = store.connect(db)
    made = [_report("北河县水利局", 2021, "100", "90", "90", "95"),
            _report("北河县水利局", 2021, "200", "190", "95", "91"),
            _report("南山县教育局", 2021, "120", "11035800", "98.5", "75",
                    conflict=("expenditure", "execution_rate", "total_score"))]
    for report, text in made:
        store.write_report(con, report, text, "txt", [], "test")
    con.close()
    return db, made


def test_figures_are_stored_with_their_status_and_joinable_facts(built):
    db, made = built
    con = _raw(db)
    rows = con.execute("SELECT department_key, scope, figure_expenditure_yuan, figure_expenditure_status, "
                       "figure_total_score, figure_total_score_status FROM reports ORDER BY source").fetchall()
    assert ("南山县教育局", "department", None, "conflict", None, "conflict") in rows   # accepted figures only
    assert ("北河县水利局", "department", 900000, "ok", 95, "ok") in rows
    assert con.execute("SELECT count(*) FROM figures").fetchone()[0] == 12
    value, status, reason, fact = con.execute(
        "SELECT f.value, f.status, f.reason, s.text FROM figures f JOIN scores s ON s.report_id = f.report_id "
        "AND f.fact_type = 'scores' AND s.seq = f.fact_seq WHERE f.name = 'total_score' AND f.status = 'conflict'"
    ).fetchone()
    assert (value, status, fact) == (75, "conflict", "75分") and "fails" in reason
    assert con.execute("SELECT value_cents FROM figures WHERE name = 'expenditure' AND value = 900000").fetchone() \
        == (90000000,)


def test_stats_leave_conflicts_out_and_say_how_many(built):
    db, _ = built
    (row,) = stats(db, by="year")
    assert row["reports"] == 3 and row["expenditure_sum_yuan"] == "2800000" and row["expenditure_count"] == 2
    assert row["score_mean"] == "93" and row["conflicts_left_out"] == 3
    assert row["conflict_reports"] == ["南山县教育局2021.txt"]
    (row,) = stats(db, by="year", include_conflicts=True)
    assert row["expenditure_sum_yuan"] == str(2800000 + 110358000000) and row["conflicts_included"] == 3
    proc = cli("stats", "--db", str(db))
    assert proc.returncode == 0 and "3 report figures in conflict left out, of 1 report: 南山县教育局2021.txt" in proc.stdout
    proc = cli("stats", "--db", str(db), "--include-conflicts", "--format", "json")
    assert json.loads(proc.stdout)[0]["score_mean"] == "87"
    assert "3 report figures in conflict included" in proc.stderr
    # by department: the key, and the names as written
    rows = stats(db, by="department")
    assert sorted((r["department_key"], r["department"], r["reports"]) for r in rows) == [
        ("北河县水利局", "北河县水利局", 2), ("南山县教育局", "南山县教育局", 1)]


def test_the_saved_queries_leave_conflicts_out_and_count_them(built):
    db, _ = built
    con = _raw(db)
    rows = con.execute(QUERIES["expenditure_by_department_and_year"]["sql"]).fetchall()
    assert {(k, n, v, c) for k, _, _, n, v, c in rows} == {("北河县水利局", 2, 2800000, 0), ("南山县教育局", 0, None, 1)}
    (year, n, mean, *_, left) = con.execute(QUERIES["total_score_by_year"]["sql"]).fetchone()
    assert (year, n, mean, left) == (2021, 2, 93.0, 1)
    listed = con.execute(QUERIES["figures_in_conflict"]["sql"]).fetchall()
    assert sorted(r[3] for r in listed) == ["execution_rate", "expenditure", "total_score"]


def test_parquet_datasets_and_exports_hold_the_figures(built, tmp_path):
    import duckdb

    db, _ = built
    export(db, tmp_path / "out", "parquet")
    figures = duckdb.sql(f"SELECT name, value, status FROM '{tmp_path}/out/figures.parquet' "
                         "WHERE status = 'conflict' ORDER BY name").fetchall()
    assert figures == [("execution_rate", Decimal("98.5"), "conflict"),
                       ("expenditure", Decimal("110358000000"), "conflict"),
                       ("total_score", Decimal("75"), "conflict")]
    (spent,) = duckdb.sql(f"SELECT sum(figure_expenditure_yuan) FROM '{tmp_path}/out/reports.parquet'").fetchall()[0]
    assert spent == Decimal(2800000)


def test_every_new_column_is_in_the_data_dictionary(built):
    con = _raw(built[0])
    entries = dictionary.entries()
    for table in ("reports", "figures", "projects", "amounts"):
        columns = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
        described = {e["column"]: e for e in entries[table]}
        assert set(columns) == set(described), table
        assert all(described[c]["meaning"] for c in columns), table
    assert {e["column"]: e["values"] for e in entries["amounts"]}["level"] == ["total", "part", "repeat", "other"]
    assert {e["column"]: e["unit"] for e in entries["reports"]}["figure_expenditure_yuan"] == "yuan (元)"
    assert set(parquet.columns("figures")) == set(store.FIGURE_COLUMNS)


def _as_schema_5(db: Path) -> None:
    """Make a database what reportx wrote before report figures: no figures/projects, no new columns."""
    con = sqlite3.connect(db)
    con.execute("DROP TABLE figures")
    con.execute("DROP TABLE projects")
    con.execute("DROP INDEX reports_department_key")
    con.execute("DROP INDEX amounts_level")
    for table, columns in store._ADDED_IN_6.items():
        for c in columns:
            con.execute(f'ALTER TABLE {table} DROP COLUMN "{c}"')
    con.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    con.commit()
    con.close()


def test_a_schema_5_database_is_read_as_it_is_and_upgraded_when_written(built):
    db, made = built
    _as_schema_5(db)
    before = db.read_bytes()
    (row,) = stats(db, by="department,year")[:1]
    assert row["reports"] == 2 and row["expenditure_sum_yuan"] is None   # no figures, and nothing fails
    assert row["no_scope_no_figures"] == 2
    proc = cli("stats", "--db", str(db), "--by", "department,year")
    assert proc.returncode == 0 and "ingest --force" in proc.stdout + proc.stderr   # and it says so
    assert fact_stats(db, "amounts", "year", level="total") == []
    proc = cli("stats", "--db", str(db), "--fact", "amounts", "--role", "expenditure")
    assert proc.returncode == 0, proc.stderr
    assert db.read_bytes() == before                                       # reading did not touch the file
    con = store.connect(db)                                                 # a writer upgrades it
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(store.SCHEMA_VERSION),)
    report, text = made[0]
    assert store.write_report(con, report, text, "txt", [], "test", replace=True)
    con.close()
    (row,) = [r for r in stats(db, by="department,year") if r["department_key"] == "北河县水利局"]
    assert row["expenditure_sum_yuan"] == "900000"


# ------------------------------------------------------------------------------- the hard documents

GLUED = """青屏县水利局2021年度项目支出绩效自评报告
一、项目基本情况
青屏县灌区续建配套与节水改造项目，2021年全年预算数16万元，全年执行数16万元，预算执行率100.00%。
二、绩效自评表
项目名称|灌区量水设施建设
年度资金总额|16|16|10|100.00%|10
一级指标|二级指标|三级指标|年度指标值|实际完成值|分值|得分
产出指标|数量指标|量水设施|≥20处|22处|40|40
效益指标|社会效益指标|灌溉保障|有效保障|有效保障|30|30
满意度指标|服务对象满意度指标|群众满意度|≥90%|95%|20|20
总分100100
三、自评结论
自评等级为优。
"""
DRAFT = """东川市教育局2021年部门预算说明
一、部门基本情况
东川市教育局内设机构8个。
二、2021年部门预算安排情况
2021年部门收入预算919543.7万元，部门支出预算919543.7万元，其中基本支出500000万元，项目支出419543.7万元。
"""
ORDER = """西河县农业农村局2021年度部门整体支出绩效自评报告
一、部门基本情况
2021年度全年预算数120万元，全年执行数11035800万元，预算执行率98.5%。
二、自评结论
自评得分95分，自评等级为优。
"""


@pytest.fixture(scope="module")
def hard(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hard")
    for name, text in (("glued", GLUED), ("draft", DRAFT), ("order", ORDER)):
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    db = folder / "hard.db"
    assert ingest([str(folder)], db, workers=1).ingested == 3
    return db


def test_a_glued_total_and_a_budget_draft_are_left_out_or_corrected(hard):
    (row,) = stats(hard, by="year")
    assert row["reports"] == 3
    # the glued 总分 cell (分值 100, 得分 100) is not a score of 100100: corrected, or left out
    assert row["score_max"] is None or Decimal(row["score_max"]) <= 100
    # the budget draft's planned spending (部门支出预算919543.7万元) is not anybody's expenditure
    spent = Decimal(row["expenditure_sum_yuan"] or 0)
    con = _raw(hard)
    draft = con.execute("SELECT scope, figure_expenditure_yuan, figure_budget_initial_yuan, figure_budget_adjusted_yuan "
                        "FROM reports WHERE source LIKE '%draft.txt'").fetchone()
    assert draft == ("other", None, None, None)
    glued = con.execute("SELECT figure_expenditure_yuan FROM reports WHERE source LIKE '%glued.txt'").fetchone()[0]
    assert spent == Decimal(glued or 0) < Decimal("9195437000")
    # the expenditure of another order (11035800万元 against a budget of 120万元) is left out, and counted
    assert row["conflicts_left_out"] >= 1 and [Path(s).name for s in row["conflict_reports"]] == ["order.txt"]
    assert row["scope_other"] == 1
    proc = cli("stats", "--db", str(hard))
    assert proc.returncode == 0
    assert f"{row['conflicts_left_out']} report figures in conflict left out, of 1 report" in proc.stdout
    assert "1 report of scope other (a budget draft, a notice) adds no figures" in proc.stdout
    included = stats(hard, by="year", include_conflicts=True)[0]
    assert Decimal(included["expenditure_sum_yuan"]) == spent + Decimal(110358000000)


@pytest.mark.parametrize("name", FIGURE_NAMES)
def test_every_figure_has_a_value_column_and_a_status_column(name):
    assert f"figure_{store.figure_column(name)}" in store.REPORT_COLUMNS
    assert f"figure_{name}_status" in store.REPORT_COLUMNS
    assert {store.figure_column(name), f"{name}_status", f"{name}_fact_seq"} <= set(store.PROJECT_COLUMNS)
