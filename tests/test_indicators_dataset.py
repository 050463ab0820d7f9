"""Indicators (rows of a 绩效自评表) through the dataset: store, export, stats, evaluate, CLI.

Two halves. The first builds `Report` objects with Indicator records directly and runs them through
a real SQLite file, real exports and the real CLI, so the plumbing is proven on its own. The second
makes real .docx, .pdf and .html files holding a standard indicator table and runs them through
`reportx ingest` end to end (it needs the indicator recognizer of the pipeline).
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from extract import extract_text
from extract.dataset import store
from extract.evaluate import Evaluation, score_report
from extract.models import FACT_TYPES, Amount, Indicator, IndicatorValue, Report
from extract.dataset.stats import indicator_history, indicator_stats

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT.parent / "shared" / "forms"
SCORE_FORMS = ROOT.parent / "shared" / "tools" / "score-forms"
SCORE_PY = ROOT.parent / "shared" / "tools" / "score.py"


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extract", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


# ------------------------------------------------------------------------------- reports built directly

HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
ROWS = [
    ["产出指标", "数量指标", "培训人次", "≥500人次", "620人次", "10", "10", ""],
    ["", "质量指标", "培训合格率", "≥95%", "98%", "10", "10", ""],
    ["满意度指标", "服务对象满意度指标", "学员满意度", "≥90%", "85%", "10", "8", "部分学员反映课时偏短"],
]


def _value(text: str, source: str, after: int, op: str | None, value: str | None, unit: str | None):
    start = source.index(text, after)
    return IndicatorValue(text=text, start=start, end=start + len(text), op=op,
                          value=None if value is None else Decimal(value), unit=unit)


def _indicator(source: str, name: str, level1, level2, target, actual, weight, score, met, deviation=None):
    """An Indicator whose spans really point into `source` (target/actual: (text, op, value, unit))."""
    start = source.index(name)
    return Indicator(
        text=name, start=start, end=start + len(name), rule="indicators.table", section="绩效指标完成情况",
        name=name, level1=level1, level2=level2,
        target=None if target is None else _value(target[0], source, start, *target[1:]),
        actual=None if actual is None else _value(actual[0], source, start, *actual[1:]),
        weight=None if weight is None else Decimal(weight), score=None if score is None else Decimal(score),
        deviation=deviation, met=met)


def _source(rows: list[list[str]]) -> str:
    return "\n".join(" | ".join(r) for r in [HEADER, *rows]) + "\n"


def built_report(sha: str, department: str, year: int, satisfaction_actual: str, met: bool | None,
                 extra_rows: bool = True) -> tuple[Report, str]:
    rows = [ROWS[0], ROWS[1]] if extra_rows else []
    rows = rows + [["满意度指标", "服务对象满意度指标", "学员满意度", "≥90%", satisfaction_actual, "10", "9.5", ""],
                   ["效益指标", "社会效益指标", "就业带动作用", "有效带动", "基本达到", "20", "18", ""]]
    text = _source(rows)
    indicators = []
    if extra_rows:
        indicators += [
            _indicator(text, "培训人次", "产出指标", "数量指标", ("≥500人次", "≥", "500", "人次"),
                       ("620人次", None, "620", "人次"), "10", "10", True),
            _indicator(text, "培训合格率", "产出指标", "质量指标", ("≥95%", "≥", "95", "%"),
                       ("98%", None, "98", "%"), "10", "10", True),
        ]
    indicators += [
        _indicator(text, "学员满意度", "满意度指标", "服务对象满意度指标", ("≥90%", "≥", "90", "%"),
                   (satisfaction_actual, None, satisfaction_actual.rstrip("%"), "%"), "10", "9.5", met),
        _indicator(text, "就业带动作用", "效益指标", "社会效益指标", ("有效带动", None, None, None),
                   ("基本达到", None, None, None), "20", "18", None),
    ]
    report = Report(source=f"/reports/{sha}.txt", sha256=sha, department=department, year=year,
                    title=f"{year}年度项目支出绩效自评表", report_kind="project_self_eval",
                    indicators=indicators)
    return report, text


@pytest.fixture(scope="module")
def built_db(tmp_path_factory):
    """Three reports written through store.write_report into a real SQLite file."""
    path = tmp_path_factory.mktemp("indicators") / "built.db"
    db = store.connect(path)
    reports = [built_report("a" * 64, "青岚县人社局", 2022, "85%", False),
               built_report("b" * 64, "青岚县人社局", 2023, "93%", True),
               built_report("c" * 64, "松林县教育局", 2023, "91%", True, extra_rows=False)]
    for report, text in reports:
        assert store.write_report(db, report, text, "txt", [], "test")
    db.close()
    return path, reports


def test_every_indicator_is_a_row_with_flattened_values(built_db):
    path, reports = built_db
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    report, text = reports[0]
    rows = con.execute("SELECT * FROM indicators WHERE report_id=? ORDER BY seq", (report.sha256,)).fetchall()
    assert [r["name"] for r in rows] == ["培训人次", "培训合格率", "学员满意度", "就业带动作用"]
    first = dict(rows[0])
    assert {k: first[k] for k in ("level1", "level2", "target_text", "target_op", "target_value", "target_unit",
                                  "actual_text", "actual_op", "actual_value", "actual_unit", "weight", "score",
                                  "met", "rule", "section")} == {
        "level1": "产出指标", "level2": "数量指标", "target_text": "≥500人次", "target_op": "≥",
        "target_value": 500, "target_unit": "人次", "actual_text": "620人次", "actual_op": None,
        "actual_value": 620, "actual_unit": "人次", "weight": 10, "score": 10, "met": 1,
        "rule": "indicators.table", "section": "绩效指标完成情况"}
    assert [r["met"] for r in rows] == [1, 1, 0, None]
    assert rows[2]["score"] == 9.5                         # numbers, as in the other fact tables
    assert rows[3]["target_value"] is None and rows[3]["target_text"] == "有效带动"
    for r in rows:                                         # every span points into the text
        assert text[r["start"]:r["end"]] == r["text"]
        assert text[r["target_start"]:r["target_end"]] == r["target_text"]
        assert text[r["actual_start"]:r["actual_end"]] == r["actual_text"]


def test_indicator_column_types(built_db):
    con = sqlite3.connect(built_db[0])
    declared = {row[1]: row[2] for row in con.execute("PRAGMA table_info(indicators)")}
    assert declared["report_id"] == "TEXT"
    for column in ("start", "end", "target_start", "target_end", "actual_start", "actual_end", "met"):
        assert declared[column] == "INTEGER", column
    for column in ("weight", "score", "target_value", "actual_value"):
        assert declared[column] == "DECIMAL", column
    for column in ("name", "level1", "level2", "deviation"):
        assert declared[column] == "TEXT", column
    indexes = {row[1] for row in con.execute("PRAGMA index_list(indicators)")}
    assert "indicators_name" in indexes


def test_a_report_without_target_stores_nulls(tmp_path):
    text = "三级指标 | 分值 | 得分\n宣传覆盖面 | 5 | 5\n"
    fact = Indicator(text="宣传覆盖面", start=text.index("宣传覆盖面"), end=text.index("宣传覆盖面") + 5,
                     rule="indicators.table", name="宣传覆盖面", weight=Decimal("5"), score=Decimal("5"))
    db = store.connect(tmp_path / "one.db")
    store.write_report(db, Report(source="x.txt", sha256="d" * 64, indicators=[fact]), text, "txt", [], "test")
    row = db.execute("SELECT target_text, target_start, target_value, actual_text, met, weight FROM indicators"
                     ).fetchone()
    assert row == (None, None, None, None, None, Decimal("5"))   # store.connect reads DECIMAL as Decimal


@pytest.mark.parametrize("stored, message", [(1, "older reportx"), (store.SCHEMA_VERSION + 1, "newer reportx")])
def test_databases_of_another_schema_version_are_refused(tmp_path, stored, message):
    path = tmp_path / "other.db"
    store.connect(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(stored),))
    con.commit()
    con.close()
    with pytest.raises(store.DatabaseError, match=message):
        store.connect(path)
    proc = cli("stats", "--db", str(path), "--indicators")
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_summary_counts_indicators_met_and_missed(built_db):
    from extract.summary import summarize

    text = summarize([built_db[1][0][0]])
    assert "indicators 4" in text
    assert "indicators met 2, missed 1, unknown 1 (missed: 学员满意度)" in text


# ------------------------------------------------------------------------------- export

def test_export_parquet_keeps_indicator_decimals(built_db, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    proc = cli("export", str(tmp_path), "--db", str(built_db[0]), "--format", "parquet")
    assert proc.returncode == 0, proc.stderr
    assert "indicators.parquet: 10 rows" in proc.stdout
    table = pq.read_table(tmp_path / "indicators.parquet")
    for column in ("weight", "score", "target_value", "actual_value"):
        assert pa.types.is_decimal(table.schema.field(column).type), column
    assert table.schema.field("met").type == pa.int64()
    rows = table.to_pylist()
    satisfaction = [r for r in rows if r["name"] == "学员满意度"]
    assert {r["score"] for r in satisfaction} == {Decimal("9.5")}
    assert sorted(r["met"] for r in satisfaction) == [0, 1, 1]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_text_formats_hold_indicators(built_db, tmp_path, fmt):
    proc = cli("export", str(tmp_path), "--db", str(built_db[0]), "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / f"indicators.{fmt}"
    if fmt == "csv":
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    else:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 10
    row = next(r for r in rows if r["name"] == "培训合格率")
    assert (row["target_text"], str(row["target_value"]), str(row["weight"])) == ("≥95%", "95", "10")


# ------------------------------------------------------------------------------- stats

def test_indicator_stats_by_level1(built_db):
    rows = {r["level1"]: r for r in indicator_stats(built_db[0], by="level1")}
    assert rows["产出指标"] == {"level1": "产出指标", "indicators": 4, "reports": 2, "met": 4, "missed": 0,
                             "unknown": 0, "share_met": "1", "weight_total": "40", "score_total": "40"}
    assert (rows["满意度指标"]["met"], rows["满意度指标"]["missed"], rows["满意度指标"]["share_met"]) == (2, 1, "0.6667")
    assert rows["满意度指标"]["score_total"] == "28.5"    # 9.5 × 3, exact
    assert (rows["效益指标"]["unknown"], rows["效益指标"]["share_met"]) == (3, None)


@pytest.mark.parametrize("by, key, expected", [
    ("level2", "服务对象满意度指标", (2, 1, 0)),
    ("year", 2022, (2, 1, 1)),
    ("department", "松林县教育局", (1, 0, 1)),
    ("name", "就业带动作用", (0, 0, 3)),
])
def test_indicator_stats_by_other_keys(built_db, by, key, expected):
    rows = {r[by]: r for r in indicator_stats(built_db[0], by=by)}
    assert (rows[key]["met"], rows[key]["missed"], rows[key]["unknown"]) == expected


def test_indicator_stats_refuses_an_unknown_key(built_db):
    from extract.errors import UsageError

    with pytest.raises(UsageError, match="--by must be one of"):
        indicator_stats(built_db[0], by="colour")


def test_indicator_history_matches_names_by_substring(built_db):
    rows = indicator_history(built_db[0], "满意度")
    assert [(r["department"], r["year"], r["name"]) for r in rows] == [
        ("青岚县人社局", 2022, "学员满意度"), ("松林县教育局", 2023, "学员满意度"), ("青岚县人社局", 2023, "学员满意度")]
    first = rows[0]
    assert (first["target"], first["actual"], first["met"], first["weight"], first["score"]) == (
        "≥90%", "85%", False, "10", "9.5")
    assert (first["target_op"], first["target_value"], first["actual_value"]) == ("≥", "90", "85")


@pytest.mark.parametrize("query", ["%", "_", "满意度%"])
def test_indicator_history_treats_like_wildcards_as_text(built_db, query):
    assert indicator_history(built_db[0], query) == []


def test_stats_cli_indicators_json(built_db):
    proc = cli("stats", "--db", str(built_db[0]), "--indicators", "--by", "level1", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = {r["level1"]: r for r in json.loads(proc.stdout)}
    assert rows["满意度指标"]["missed"] == 1 and rows["产出指标"]["met"] == 4


def test_stats_cli_indicators_table_defaults_to_level1(built_db):
    proc = cli("stats", "--db", str(built_db[0]), "--indicators")
    assert proc.returncode == 0, proc.stderr
    assert "indicators by level1" in proc.stdout and "满意度指标" in proc.stdout and "28.5" in proc.stdout


def test_stats_cli_one_indicator(built_db):
    proc = cli("stats", "--db", str(built_db[0]), "--indicator", "满意度", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(proc.stdout.splitlines()))
    assert [(r["year"], r["actual"], r["met"]) for r in rows] == [
        ("2022", "85%", "False"), ("2023", "91%", "True"), ("2023", "93%", "True")]
    table = cli("stats", "--db", str(built_db[0]), "--indicator", "满意度")
    assert table.returncode == 0 and "≥90%" in table.stdout and "no" in table.stdout


@pytest.mark.parametrize("args", [["--indicator", "满意度", "--indicators"], ["--indicator", "满意度", "--by", "year"],
                                  ["--indicators", "--by", "colour"], ["--indicators", "--format", "xml"]])
def test_stats_cli_refuses_bad_combinations(built_db, args):
    proc = cli("stats", "--db", str(built_db[0]), *args)
    assert proc.returncode == 2 and "[E013]" in proc.stderr and "Traceback" not in proc.stderr


def test_report_stats_still_default_to_year(built_db):
    proc = cli("stats", "--db", str(built_db[0]), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert [r["year"] for r in json.loads(proc.stdout)] == [2022, 2023]


# ------------------------------------------------------------------------------- evaluate, on built reports

def _gold_indicator(report: Report, name: str, **changes) -> dict:
    fact = next(i for i in report.indicators if i.name == name)
    item = {"name": fact.name, "start": fact.start, "end": fact.end, "level1": fact.level1, "level2": fact.level2,
            "target": fact.target and fact.target.text, "actual": fact.actual and fact.actual.text,
            "weight": str(fact.weight), "score": str(fact.score), "deviation": fact.deviation}
    return {**item, **changes}


def _score(report: Report, gold: dict):
    ev = Evaluation()
    score_report(report, gold, ev)
    return ev.types, ev.errors


REPORT, _ = built_report("e" * 64, "青岚县人社局", 2023, "93%", True)


@pytest.mark.parametrize("changes, tp, fp, fn", [
    ({}, 1, 3, 0),                                       # equal weight and score
    ({"weight": None, "score": None}, 1, 3, 0),          # null in gold: not compared
    ({"score": "10.0"}, 1, 3, 0),                        # Decimal equality
    ({"score": "7"}, 0, 4, 1),                           # a wrong score is a miss and a false positive
    ({"weight": "5", "score": None}, 0, 4, 1),
    ({"end": None}, 1, 3, 0),                            # a missing end is start + len(name)
    ({"start": 0, "end": 2}, 0, 4, 1),                   # no overlap
    ({"optional": True}, 0, 3, 0),                       # optional: never missed, its match no false positive
    ({"optional": True, "score": "7"}, 0, 4, 0),
])
def test_indicator_matching_rule(changes, tp, fp, fn):
    types, _ = _score(REPORT, {"indicators": [_gold_indicator(REPORT, "培训合格率", **changes)]})
    t = types["indicators"]
    assert (t.tp, t.fp, t.fn) == (tp, fp, fn)


def test_indicator_fields_are_scored_on_matches():
    gold = {"indicators": [_gold_indicator(REPORT, "培训人次"),
                           _gold_indicator(REPORT, "培训合格率", target="≥ 96%", level2="数量指标")]}
    types, errors = _score(REPORT, gold)
    acc = {f: types["indicators"].field_accuracy(f) for f in ("level1", "level2", "target", "actual")}
    assert acc == {"level1": 1.0, "level2": 0.5, "target": 0.5, "actual": 1.0}
    assert {e["error"] for e in errors if e["type"] == "indicators"} == {"wrong level2", "wrong target",
                                                                         "false positive"}


def test_optional_items_of_every_type_are_honoured():
    text = "全年支出100万元，其中培训费20万元。"
    amounts = [Amount(text=t, start=text.index(t), end=text.index(t) + len(t), rule="money.wan_yuan",
                      value_yuan=Decimal(v), unit="万元") for t, v in (("100万元", "1000000"), ("20万元", "200000"))]
    report = Report(source="x.txt", sha256="f" * 64, amounts=amounts)
    gold = {"amounts": [{"text": a.text, "start": a.start, "end": a.end, "value_yuan": str(a.value_yuan)}
                        for a in amounts]}
    gold["amounts"][1]["optional"] = True
    gold["amounts"].append({"text": "支出", "start": 2, "end": 4, "value_yuan": "5", "optional": True})
    types, errors = _score(report, gold)
    a = types["amounts"]
    assert (a.tp, a.fp, a.fn, a.optional) == (1, 0, 0, 2)
    assert not [e for e in errors if e["type"] == "amounts"]


def test_a_type_the_gold_does_not_annotate_is_not_scored():
    types, _ = _score(REPORT, {"amounts": []})
    assert (types["indicators"].tp, types["indicators"].fp, types["indicators"].fn) == (0, 0, 0)


def test_legacy_headcount_gold_is_read_as_staffing():
    from extract.models import Staffing

    fact = Staffing(text="编制人数12人", start=0, end=7, rule="staffing.x", value=Decimal(12), role="establishment")
    report = Report(source="x.txt", sha256="0" * 64, staffing=[fact])
    types, _ = _score(report, {"headcount": [{"text": "编制人数12人", "start": 0, "end": 7, "value": "12"}]})
    assert (types["staffing"].tp, types["staffing"].fp, types["staffing"].fn) == (1, 0, 0)


def test_evaluate_json_includes_indicators():
    proc = cli("evaluate", "corpora/seed", "--json")
    assert proc.returncode == 0, proc.stderr
    facts = json.loads(proc.stdout)["facts"]
    assert set(facts) == set(FACT_TYPES)
    assert "field_accuracy" in facts["indicators"] and "optional" in facts["indicators"]


# ------------------------------------------------------------------------------- evaluate = the measure

@pytest.fixture(scope="module")
def both_scorers(tmp_path_factory):
    """`reportx evaluate --json` and the independent scorer on ../shared/forms, run once."""
    if not FORMS.is_dir() or not SCORE_PY.exists():
        pytest.skip("../shared/forms or its scorer is not here")
    if (ROOT / ".venv" / "bin" / "python").exists() and SCORE_FORMS.exists():
        measure = subprocess.run([str(SCORE_FORMS), "forms", "--json"], capture_output=True, text=True, cwd=ROOT,
                                 timeout=600)
    else:  # what score-forms does, with this interpreter
        out = tmp_path_factory.mktemp("score") / "pred.jsonl"
        out.write_text(cli("extract", *map(str, sorted(FORMS.glob("*.txt")))).stdout, encoding="utf-8")
        measure = subprocess.run([sys.executable, str(SCORE_PY), str(FORMS), str(out), "--json"],
                                 capture_output=True, text=True, timeout=600)
    assert measure.returncode == 0, measure.stderr
    ours = cli("evaluate", str(FORMS), "--json")
    assert ours.returncode == 0, ours.stderr
    # score-forms prints the facts' result, then the per-report figures': take the facts' line
    facts = next(line for line in measure.stdout.splitlines() if line.startswith("{") and "docs_missing" in line)
    return json.loads(ours.stdout), json.loads(facts)


@pytest.mark.parametrize("fact_type", list(FACT_TYPES))
def test_evaluate_gives_the_numbers_of_the_independent_scorer(both_scorers, fact_type):
    ours, measure = both_scorers
    mine = ours["facts"][fact_type]
    theirs = measure["types"].get(fact_type, {"tp": 0, "gold": 0, "fp": 0, "P": 1.0, "R": 1.0, "F1": 1.0})
    assert (mine["tp"], mine["tp"] + mine["fn"], mine["fp"]) == (theirs["tp"], theirs["gold"], theirs["fp"])
    assert (mine["precision"], mine["recall"], mine["f1"]) == (theirs["P"], theirs["R"], theirs["F1"])


def test_evaluate_scores_the_same_documents(both_scorers):
    ours, measure = both_scorers
    assert ours["documents"] == len(list(FORMS.glob("*.gold.json")))
    assert not ours["unreadable"] and not measure["docs_missing"]


# ------------------------------------------------------------------------------- real files, end to end

TITLE = "2023年度职业技能培训项目支出绩效自评表"
BEFORE = [TITLE, "项目名称：职业技能培训项目", "主管部门：青岚县人力资源和社会保障局", "自评得分：98分", "三、绩效指标完成情况"]
AFTER = ["四、存在的问题及改进措施", "部分学员反映课时偏短，下一年度将适当增加实训课时。"]


def make_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    for line in BEFORE:
        d.add_paragraph(line)
    table = d.add_table(rows=1 + len(ROWS), cols=len(HEADER))
    for r, row in enumerate([HEADER, *ROWS]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for line in AFTER:
        d.add_paragraph(line)
    d.save(path)
    return path


def make_pdf(path: Path) -> Path:
    """The table as a PDF's text layer often has it: one cell per line, empty cells leave nothing."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    lines = [*BEFORE, *[cell for row in [HEADER, *ROWS] for cell in row if cell], *AFTER]
    c = canvas.Canvas(str(path))
    for page in range(0, len(lines), 36):
        c.setFont("STSong-Light", 11)
        for i, line in enumerate(lines[page:page + 36]):
            c.drawString(56, 800 - 21 * i, line)
        c.showPage()
    c.save()
    return path


def make_html(path: Path) -> Path:
    def row(cells, tag="td"):
        return "<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>"

    body = "".join(f"<p>{line}</p>" for line in BEFORE)
    body += "<table border='1'>" + row(HEADER, "th") + "".join(row(r) for r in ROWS) + "</table>"
    body += "".join(f"<p>{line}</p>" for line in AFTER)
    path.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{TITLE}</title></head>"
                    f"<body>{body}</body></html>", encoding="utf-8")
    return path


FORMATS = {"docx": make_docx, "pdf": make_pdf, "html": make_html}
EXPECTED = [  # name, level1, level2, target, target op/value/unit, actual, actual value, weight, score, met
    ("培训人次", "产出指标", "数量指标", "≥500人次", ("≥", 500, "人次"), "620人次", 620, 10, 10, 1),
    ("培训合格率", "产出指标", "质量指标", "≥95%", ("≥", 95, "%"), "98%", 98, 10, 10, 1),
    ("学员满意度", "满意度指标", "服务对象满意度指标", "≥90%", ("≥", 90, "%"), "85%", 85, 10, 8, 0),
]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    """The three files ingested with the real `reportx ingest` into a fresh database."""
    folder = tmp_path_factory.mktemp("tables")
    for ext, make in FORMATS.items():
        make(folder / f"training.{ext}")
    db = folder / "reports.db"
    proc = cli("ingest", str(folder), "--db", str(db), "--quiet", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    return db


@pytest.mark.parametrize("ext", list(FORMATS))
def test_ingested_table_yields_its_indicators(ingested, ext):
    con = sqlite3.connect(ingested)
    report_id, text = con.execute("SELECT report_id, text FROM reports WHERE source LIKE ?", (f"%training.{ext}",)).fetchone()
    rows = con.execute(
        'SELECT name, level1, level2, target_text, target_op, target_value, target_unit, actual_text, '
        'actual_value, weight, score, met, text, "start", "end", target_start, target_end '
        "FROM indicators WHERE report_id=? ORDER BY seq", (report_id,)).fetchall()
    got = [(name, l1, l2, tt, (op, tv, tu), at, av, w, s, met)
           for name, l1, l2, tt, op, tv, tu, at, av, w, s, met, *_ in rows]
    assert got == EXPECTED
    for *_, fact_text, start, end, t_start, t_end in rows:
        assert text[start:end] == fact_text
    assert all(text[r[15]:r[16]] == r[3] for r in rows)


@pytest.mark.parametrize("ext", list(FORMATS))
def test_ingested_deviation_is_kept(ingested, ext):
    con = sqlite3.connect(ingested)
    deviation = con.execute("SELECT i.deviation FROM indicators i JOIN reports r ON r.report_id = i.report_id "
                            "WHERE r.source LIKE ? AND i.name = '学员满意度'", (f"%training.{ext}",)).fetchone()
    assert deviation == ("部分学员反映课时偏短",)


def test_ingested_indicators_are_exported(ingested, tmp_path):
    proc = cli("export", str(tmp_path), "--db", str(ingested), "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in (tmp_path / "indicators.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(r["name"] for r in rows) == sorted([e[0] for e in EXPECTED] * len(FORMATS))


def test_ingested_indicators_in_stats(ingested):
    # the three files are three formats of one report: counted once unless duplicates are asked for
    proc = cli("stats", "--db", str(ingested), "--indicators", "--by", "level1", "--format", "json",
               "--include-duplicates")
    assert proc.returncode == 0, proc.stderr
    rows = {r["level1"]: r for r in json.loads(proc.stdout)}
    assert (rows["产出指标"]["met"], rows["产出指标"]["missed"]) == (2 * len(FORMATS), 0)
    assert (rows["满意度指标"]["met"], rows["满意度指标"]["missed"]) == (0, len(FORMATS))
    history = json.loads(cli("stats", "--db", str(ingested), "--indicator", "满意度", "--format", "json").stdout)
    assert [(h["target"], h["actual"], h["met"], h["weight"], h["score"]) for h in history] == [
        ("≥90%", "85%", False, "10", "8")] * len(FORMATS)


def _search_indexes_match_their_sentences(con) -> None:
    """FTS5's own check of an external-content index against its table (rank 1: compare with the content)."""
    for index in ("sentences_fts", "sentences_trigram"):
        con.execute(f"INSERT INTO {index}({index}, rank) VALUES ('integrity-check', 1)")


def test_a_schema_4_database_is_read_as_it_is_and_upgraded_when_written(tmp_path):
    """Schema 4 filled the search indexes by a trigger per sentence; 5 drops it (the writer fills them)."""
    seed = ROOT / "corpora" / "seed"
    first, second = sorted(seed.glob("*.txt"))[0], tmp_path / "second.txt"
    second.write_text(first.read_text(encoding="utf-8") + "\n附注：又一份。\n", encoding="utf-8")
    db = tmp_path / "old.db"
    con = store.connect(db)
    assert store.write_report(con, extract_text(first.read_text(encoding="utf-8"), source="a.txt"),
                              first.read_text(encoding="utf-8"), "txt", [store.SentenceRow(0, 4, "", "招商引资", "招商 引资")],
                              "test")
    con.execute("CREATE TRIGGER sentences_ai AFTER INSERT ON sentences BEGIN "
                "INSERT INTO sentences_fts(rowid, tokens) VALUES (new.sentence_id, new.tokens); "
                "INSERT INTO sentences_trigram(rowid, text) VALUES (new.sentence_id, new.text); END")
    con.execute("UPDATE meta SET value='4' WHERE key='schema_version'")
    con.close()
    reader = store.connect(db, create=False)   # read as it is, not modified
    assert reader.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "4"
    reader.close()
    writer = store.connect(db)
    assert writer.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(store.SCHEMA_VERSION)
    assert not writer.execute("SELECT 1 FROM sqlite_master WHERE name='sentences_ai'").fetchone()
    text = second.read_text(encoding="utf-8")
    assert store.write_report(writer, extract_text(text, source="b.txt"), text, "txt",
                              [store.SentenceRow(0, 4, "", "执行率高", "执行率 高")], "test")
    _search_indexes_match_their_sentences(writer)   # each sentence indexed once, not twice
    hits = writer.execute("SELECT count(*) FROM sentences_trigram WHERE sentences_trigram MATCH '\"执行率\"'").fetchone()
    assert hits == (1,)
