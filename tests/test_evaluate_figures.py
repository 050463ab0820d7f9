"""`reportx evaluate` scores per-report figures against ID.summary.json, as ../shared/tools/score_summary.py does.

The tool's figures are `Report.figures` (a `conflict` figure counts as not stated); the independent scorer
reads `budget_summary`, the first total score and `grade`. On predictions where both say the same, the
numbers must be the same; on the pipeline's own output they are the same once the pipeline keeps
`budget_summary` and `scores` in line with `Report.figures`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import extract.evaluate as evaluate_mod
from extract.evaluate import (FIGURE_FIELDS, Evaluation, FigureEvaluation, evaluate, gold_metadata,
                              score_figures, score_report)
from extract.models import Figure, Report, ReportFigures
from extract.pipeline import extract_file

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FORMS, FORMS2 = SHARED / "forms", SHARED / "forms2"
SCORE_SUMMARY = SHARED / "tools" / "score_summary.py"
SEED_TXT = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"
COUNTS = ("gold", "agree", "missing", "wrong", "extra")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extract", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)


def fig(value=None, label=None, status="ok", text="x", start=0, end=1) -> Figure:
    return Figure(value=None if value is None else Decimal(value), label=label, status=status,
                  fact_type="grade" if label is not None else "amounts", fact_seq=None if label else 0,
                  text=text, start=start, end=end, rule="test.rule", reason="test")


def with_figures(report: Report, **figures) -> Report:
    return report.model_copy(update={"figures": ReportFigures(**figures)})


@pytest.fixture(scope="module")
def seed_report() -> Report:
    return extract_file(SEED_TXT)


# ------------------------------------------------------------------------------- the tally, field by field

def test_each_outcome_is_counted_where_it_belongs(seed_report):
    report = with_figures(
        seed_report,
        budget_initial=fig("602800.00"),                  # agree: Decimal equality
        budget_adjusted=fig("100100", text="100100", start=40, end=46),   # wrong
        expenditure=None,                                  # missing
        execution_rate=fig("96"),                          # extra: gold null
        total_score=fig("10091", status="conflict"),       # conflict: not stated, so missing
        grade=fig(label="优 秀"),                          # agree: whitespace ignored
    )
    gold = {"id": "s", "budget_initial_yuan": "602800", "budget_adjusted_yuan": "1001",
            "expenditure_yuan": "500000", "execution_rate": None, "total_score": "91", "grade": "优秀"}
    fe = FigureEvaluation()
    score_figures(report, gold, "s", fe)
    got = {f: tuple(getattr(t, c) for c in COUNTS) for f, t in fe.fields.items()}
    assert got == {
        "budget_initial_yuan": (1, 1, 0, 0, 0),
        "budget_adjusted_yuan": (1, 0, 0, 1, 0),
        "expenditure_yuan": (1, 0, 1, 0, 0),
        "execution_rate": (0, 0, 0, 0, 1),
        "total_score": (1, 0, 1, 0, 0),
        "grade": (1, 1, 0, 0, 0),
    }
    assert fe.fields["total_score"].conflict == 1
    assert (fe.agree, fe.gold, fe.stated, fe.bad) == (2, 5, 4, 2)
    assert fe.agree_share_of_gold == 0.4 and fe.wrong_or_extra_share_of_stated == 0.5
    errors = {e["field"]: e for e in fe.errors}
    assert set(errors) == {"budget_adjusted_yuan", "expenditure_yuan", "execution_rate", "total_score"}
    wrong = errors["budget_adjusted_yuan"]
    assert (wrong["error"], wrong["doc"], wrong["gold"], wrong["tool"]) == ("wrong", "s", "1001", "100100")
    assert (wrong["text"], wrong["start"], wrong["end"], wrong["rule"]) == ("100100", 40, 46, "test.rule")
    assert errors["total_score"]["error"] == "missing" and errors["total_score"]["conflict_value"] == "10091"
    assert errors["execution_rate"]["error"] == "extra" and errors["execution_rate"]["gold"] is None


def test_optional_fields_count_neither_way(seed_report):
    report = with_figures(seed_report, expenditure=fig("1"), total_score=None, grade=fig(label="良"))
    gold = {"expenditure_yuan": "2", "total_score": "90", "grade": None,
            "optional": ["expenditure_yuan", "total_score", "grade"]}
    fe = FigureEvaluation()
    score_figures(report, gold, "o", fe)
    assert fe.gold == fe.stated == 0 and not fe.errors
    assert fe.agree_share_of_gold is None and fe.wrong_or_extra_share_of_stated is None
    assert [fe.fields[f].optional for f in ("expenditure_yuan", "total_score", "grade")] == [1, 1, 1]


def test_a_conflict_where_gold_has_none_is_not_extra(seed_report):
    report = with_figures(seed_report, total_score=fig("100100", status="conflict"))
    fe = FigureEvaluation()
    score_figures(report, {"total_score": None}, "c", fe)
    assert fe.fields["total_score"].extra == 0 and fe.fields["total_score"].conflict == 1 and not fe.errors


def test_a_grade_is_text_and_money_is_a_number(seed_report):
    report = with_figures(seed_report, grade=fig(label="良"), expenditure=fig("7316000"))
    fe = FigureEvaluation()
    score_figures(report, {"grade": "良好", "expenditure_yuan": "731.6万"}, "g", fe)
    # 良 is not 良好; a gold value that is no number never agrees
    assert (fe.fields["grade"].wrong, fe.fields["expenditure_yuan"].wrong) == (1, 1)


# ------------------------------------------------------------------------------- metadata in both layouts

def test_metadata_gold_is_read_top_level_and_nested(seed_report):
    assert seed_report.title and seed_report.year
    top = {"title": seed_report.title, "department": "不是这个单位", "year": seed_report.year}
    ev = Evaluation()
    score_report(seed_report, top, ev)
    assert ev.metadata["title"] == [1, 1] and ev.metadata["year"] == [1, 1] and ev.metadata["department"] == [0, 1]
    assert ev.metadata["grade"] == [0, 0]
    # nested wins over top level where both say something
    both = {"title": "别的标题", "metadata": {"title": seed_report.title, "grade": seed_report.grade}}
    assert gold_metadata(both) == {"title": seed_report.title, "grade": seed_report.grade}
    ev = Evaluation()
    score_report(seed_report, both, ev)
    assert ev.metadata["title"] == [1, 1] and ev.metadata["grade"] == [1, 1]


# ------------------------------------------------------------------------------- folders on disk

def _folder(tmp_path: Path, summary: dict | None, gold: dict | None = None) -> Path:
    d = tmp_path / "set"
    d.mkdir()
    shutil.copy(SEED_TXT, d / "d1.txt")
    (d / "d1.gold.json").write_text(json.dumps(gold or {"source": "d1.txt", "metadata": {"year": 2020}},
                                               ensure_ascii=False), encoding="utf-8")
    if summary is not None:
        (d / "d1.summary.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    return d


def test_evaluate_reads_summaries_beside_gold_and_extracts_once(tmp_path, monkeypatch):
    d = _folder(tmp_path, {"id": "d1", "budget_initial_yuan": "602800", "expenditure_yuan": "1",
                           "total_score": None, "grade": "良", "optional": ["grade"]},
                gold={"source": "d1.txt", "title": "t", "amounts": []})
    calls = []

    def fake(path):
        calls.append(Path(path).name)
        return with_figures(extract_file(path), budget_initial=fig("602800.0"), expenditure=fig("2"),
                            total_score=fig("95", text="95分", start=7, end=10))
    monkeypatch.setattr(evaluate_mod, "extract_file", fake)
    ev = evaluate(d)
    assert calls == ["d1.txt"]
    f = ev.as_dict()["figures"]
    assert f["documents"] == 1
    assert {k: f["fields"][k]["agree"] for k in FIGURE_FIELDS}["budget_initial_yuan"] == 1
    assert (f["fields"]["expenditure_yuan"]["wrong"], f["fields"]["total_score"]["extra"]) == (1, 1)
    assert f["fields"]["grade"]["optional"] == 1 and f["fields"]["grade"]["gold"] == 0
    assert (f["agree"], f["gold"], f["stated"]) == (1, 2, 3)
    assert f["agree_share_of_gold"] == 0.5 and f["wrong_or_extra_share_of_stated"] == 0.6667
    assert ev.metadata["title"][1] == 1   # the top-level title was read


def test_cli_prints_figures_and_lists_each_miss(tmp_path):
    d = _folder(tmp_path, {"id": "d1", "budget_initial_yuan": "12345.67", "total_score": "0.5",
                           "grade": None, "optional": []})
    out = cli("evaluate", str(d), "-v")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    rows = {l.split()[0]: l.split()[1:] for l in lines if l.split() and l.split()[0] in FIGURE_FIELDS}
    assert set(rows) == set(FIGURE_FIELDS)
    assert rows["budget_initial_yuan"][0] == "1" and rows["total_score"][0] == "1" and rows["grade"][0] == "0"
    assert rows["budget_initial_yuan"][1] == "0"    # no report states 12345.67
    assert any(l.startswith("agree/gold 0.0 (0/2)") for l in lines)
    listed = [l for l in lines if re.match(r"\s+(MISSING|WRONG|EXTRA)\s+d1 ", l)]
    assert any("budget_initial_yuan: gold 12345.67" in l for l in listed)
    assert any("total_score: gold 0.5" in l for l in listed)
    as_json = json.loads(cli("evaluate", str(d), "--json").stdout)
    fig_json = as_json["figures"]
    assert fig_json["documents"] == 1 and fig_json["gold"] == 2
    assert set(fig_json["fields"]) == set(FIGURE_FIELDS)
    assert len(fig_json["errors"]) == len(listed)
    for e in fig_json["errors"]:
        if e["error"] in ("wrong", "extra"):   # the tool's figure, where it is in the text
            text = (d / "d1.txt").read_text(encoding="utf-8")
            assert text[e["start"]:e["end"]] == e["text"]


def test_a_folder_without_summaries_still_evaluates(tmp_path):
    d = _folder(tmp_path, None)
    out = cli("evaluate", str(d))
    assert out.returncode == 0, out.stderr
    assert "metadata accuracy" in out.stdout and "per-report figures" not in out.stdout
    data = json.loads(cli("evaluate", str(ROOT / "corpora" / "seed"), "--json").stdout)
    assert data["figures"]["documents"] == 0 and data["figures"]["agree_share_of_gold"] is None


def test_a_broken_summary_is_a_coded_error(tmp_path):
    d = _folder(tmp_path, None)
    (d / "d1.summary.json").write_text("{nope", encoding="utf-8")
    out = cli("evaluate", str(d))
    assert out.returncode == 1 and "[E017]" in out.stderr and "d1.summary.json" in out.stderr


# ------------------------------------------------------------------------------- = the independent scorer

SETS = [s for s in (FORMS, FORMS2) if s.is_dir() and any(s.glob("*.summary.json"))]
needs_sets = pytest.mark.skipif(not SETS or not SCORE_SUMMARY.exists() or not FORMS2.is_dir(),
                                reason="../shared/forms, ../shared/forms2 or score_summary.py is not here")


@pytest.fixture(scope="module")
def extracted() -> dict[Path, Report]:
    return {p.resolve(): extract_file(p) for s in SETS for p in sorted(s.glob("*.txt"))}


def _reference(preds: list[Report], tmp: Path, verbose: bool = False) -> tuple[dict, set]:
    pred = tmp / "pred.jsonl"
    pred.write_text("".join(r.model_dump_json() + "\n" for r in preds), encoding="utf-8")
    base = [sys.executable, str(SCORE_SUMMARY), *map(str, SETS), "--pred", str(pred)]
    summary = subprocess.run(base + ["--json"], capture_output=True, text=True, timeout=300)
    assert summary.returncode == 0, summary.stderr
    listed = subprocess.run(base + ["-v"], capture_output=True, text=True, timeout=300)
    misses = set()
    for line in listed.stdout.splitlines():
        m = re.match(r"\s+(MISSING|WRONG|EXTRA)\s+(\S+) (\S+):", line)
        if m:
            misses.add((m[1].lower(), m[2], m[3]))
    return json.loads(summary.stdout), misses


def _ours(reports: dict[Path, Report], monkeypatch) -> dict:
    monkeypatch.setattr(evaluate_mod, "extract_file", lambda p: reports[Path(p).resolve()])
    return evaluate(SETS).as_dict()["figures"]


def _same(ours: dict, theirs: dict, misses: set) -> None:
    for f in FIGURE_FIELDS:
        assert {c: ours["fields"][f][c] for c in COUNTS} == theirs["fields"][f], f
    assert ours["agree_share_of_gold"] == theirs["agree_share_of_gold"]
    assert ours["wrong_or_extra_share_of_stated"] == theirs["wrong_or_extra_share_of_stated"]
    assert {(e["error"], e["doc"], e["field"]) for e in ours["errors"]} == misses


def _as_the_scorer_reads_it(report: Report, n: int) -> Report:
    """Figures set to what score_summary.py reads from the record; where it reads nothing, a conflict
    figure (which must count as nothing too); the grade with a space in it."""
    s = report.budget_summary
    totals = [x for x in report.scores if x.kind == "total"]
    read = {"budget_initial": s.budget_initial_yuan, "budget_adjusted": s.budget_adjusted_yuan,
            "expenditure": s.expenditure_yuan, "execution_rate": s.execution_rate,
            "total_score": totals[0].value if totals else None}
    figures = {}
    for name, value in read.items():
        if value is not None:
            figures[name] = fig(str(value))
        elif n % 2:
            figures[name] = fig(str(1000 + n), status="conflict")
    if report.grade:
        figures["grade"] = fig(label=" ".join(report.grade))
    elif n % 3 == 0:
        figures["grade"] = fig(label="优", status="conflict")
    return with_figures(report, **figures)


@needs_sets
def test_figures_tally_equals_the_independent_scorer_on_the_same_predictions(extracted, tmp_path, monkeypatch):
    """The scoring itself: predictions whose figures say what the scorer reads from the record."""
    preds = {p: _as_the_scorer_reads_it(r, n) for n, (p, r) in enumerate(extracted.items())}
    theirs, misses = _reference(list(preds.values()), tmp_path)
    ours = _ours(preds, monkeypatch)
    assert ours["documents"] == sum(len(list(s.glob("*.summary.json"))) for s in SETS)
    assert theirs["agree_share_of_gold"] and misses   # something to compare, both ways
    _same(ours, theirs, misses)


@needs_sets
def test_evaluate_gives_the_independent_scorers_figures_on_the_pipelines_output(extracted, tmp_path, monkeypatch):
    """The pipeline as it is: Report.figures must say what budget_summary, the first total score and
    grade say (or the independent scorer and `reportx evaluate` measure different things)."""
    theirs, misses = _reference(list(extracted.values()), tmp_path)
    _same(_ours(extracted, monkeypatch), theirs, misses)
