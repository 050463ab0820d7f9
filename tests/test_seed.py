"""The seed report: every fact grounded, F1 = 1.0 on every type and role against its gold file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.evaluate import evaluate
from extract.models import FACT_TYPES

CORPORA = Path(__file__).resolve().parent.parent / "corpora"


@pytest.fixture(scope="module")
def seed_eval():
    return evaluate(CORPORA / "seed").as_dict()


@pytest.mark.parametrize("fact_type", list(FACT_TYPES))
def test_seed_f1_is_perfect(seed_eval, fact_type):
    s = seed_eval["facts"][fact_type]
    errors = [e for e in seed_eval["errors"] if e["type"] == fact_type]
    assert s["f1"] == 1.0, errors
    assert s["role_accuracy"] in (None, 1.0), errors


def test_seed_metadata(seed_eval):
    assert all(v == 1.0 for v in seed_eval["metadata_accuracy"].values()), seed_eval["errors"]


def test_every_fact_points_into_the_source(seed_text, seed_report):
    for kind in FACT_TYPES:
        for f in getattr(seed_report, kind):
            assert seed_text[f.start:f.end] == f.text
            assert f.rule


def test_seed_summary_and_checks(seed_report):
    s = seed_report.budget_summary
    assert (s.budget_initial_yuan, s.carryover_yuan, s.budget_adjusted_yuan, s.expenditure_yuan) == (
        1000000, 602800, 1602800, 1569900)
    assert str(s.execution_rate) == "97.94"
    checks = {c.name: c.passed for c in seed_report.checks}
    assert checks == {
        "budget_initial_plus_carryover_equals_adjusted": True,
        "execution_rate_matches_expenditure_over_budget": True,
        "total_score_within_range": True,
        "grade_consistent_with_score": True,
    }


def test_json_money_is_a_decimal_string(seed_report):
    data = json.loads(seed_report.model_dump_json())
    assert data["amounts"][2]["value_yuan"] == "602800"
    assert data["percentages"][0]["value"] == "97.94"
    assert data["budget_summary"]["execution_rate"] == "97.94"


def test_sections_tolerate_numbering_slips(seed_report):
    top = [s.label for s in seed_report.sections if s.level == 1]
    assert top == ["一、", "二、", "三、", "四、", "五、", "四、", "5、", "6、"]
    score = seed_report.scores[0]
    assert score.section.startswith("5、绩效自评结果拟应用和公开情况")
    amount = seed_report.amounts[-1]
    assert amount.section.endswith("2、效益指标完成情况分析")


def test_failed_checks_are_reported():
    from extract import extract_text

    r = extract_text("年初预算100万元，上年结转20万元，全年预算数为150万元，全年支出100万元，执行率为80%。"
                     "绩效自评得分为75分，自评结果为“优”。")
    checks = {c.name: c.passed for c in r.checks}
    assert checks["budget_initial_plus_carryover_equals_adjusted"] is False
    assert checks["execution_rate_matches_expenditure_over_budget"] is False  # 100/150 = 66.67%
    assert checks["grade_consistent_with_score"] is False


CONTEXT_FREE = {"money.yuan", "money.wan_yuan", "money.yi_yuan", "money.chinese", "money.range",
                "money.per_unit", "percent.sign", "percent.chinese", "count.measure"}


def _corpus_texts():
    """The committed corpora only: never what `make demo` generates (corpora/generated), so the tests
    are the same on a fresh clone and after the demo."""
    generated = CORPORA / "generated"
    return sorted(p for p in CORPORA.rglob("*.txt")
                  if p.with_name(p.stem + ".gold.json").exists() and generated not in p.parents)


@pytest.mark.parametrize("path", _corpus_texts(), ids=lambda p: p.name)
def test_facts_are_grounded_in_every_corpus_document(path):
    """Every fact's span is tight and, for context-free rules, re-reads to the same value alone."""
    from extract import extract_file, extract_text
    from extract.readers import read_file

    report = extract_file(path)
    text = read_file(path, 1 << 30).text  # decoded as the pipeline decodes it (GBK, CR LF: make demo writes both)
    for kind in FACT_TYPES:
        for f in getattr(report, kind):
            assert text[f.start:f.end] == f.text and f.text.strip() == f.text and f.text, f
            if f.rule in CONTEXT_FREE and "\n" not in f.text:  # a wrapped fact needs its line to be joined
                again = getattr(extract_text(f.text), kind)
                value = "value_yuan" if kind == "amounts" else "value"
                assert [getattr(x, value) for x in again] == [getattr(f, value)], (f.text, again)
