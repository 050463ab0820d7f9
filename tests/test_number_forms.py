"""reportx reads every form of corpora/number_forms*.yaml to its exact value (issue 7).

The same table drives `scripts/bench.py --forms`, which compares reportx with JioNLP and
Recognizers-Text family by family; here every row must pass.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from extract import extract_text, parse_number

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
# the table reportx was built against, and one written blind from the issue (scored once before any fix)
TABLES = (CORPORA / "number_forms.yaml", CORPORA / "number_forms_heldout.yaml")


def _rows():
    for table in TABLES:
        for family in yaml.safe_load(table.read_text(encoding="utf-8"))["families"]:
            for text, expected in family["rows"]:
                yield pytest.param(family["kind"], text, expected, id=f"{table.stem}:{family['id']}[{text}]")


def _values(kind: str, text: str) -> list[str]:
    if kind == "number":
        value = parse_number(text)
        return [] if value is None else [value]
    report = extract_text(text)
    if kind == "money":
        return [f"{a.low_yuan}~{a.high_yuan}" if a.low_yuan is not None else a.value_yuan for a in report.amounts]
    return [f"{p.low}~{p.high}" if p.low is not None else p.value for p in report.percentages]


def _same(got, want: str) -> bool:
    if "~" in want:
        return isinstance(got, str) and [Decimal(x) for x in got.split("~")] == [Decimal(x) for x in want.split("~")]
    return isinstance(got, Decimal) and got == Decimal(want)


@pytest.mark.parametrize("kind,text,expected", list(_rows()))
def test_form(kind, text, expected):
    got = _values(kind, text)
    assert len(got) == len(expected) and all(_same(g, w) for g, w in zip(got, expected)), f"{text!r}: {got}"


@pytest.mark.parametrize("text", ["-22.2%", "－1２２％", "结余-3.2万元", "六十四万零一百四十三元一角七分", "百分之一百二十點五",
                                  "1万元--5万元", "负百分之五", "提高2.6个百分点"])
def test_offsets_stay_exact(text):
    report = extract_text(text)
    facts = [*report.amounts, *report.percentages, *report.points]
    assert facts
    for f in facts:
        assert text[f.start:f.end] == f.text


def test_points_are_not_percentages():
    report = extract_text("预算执行率较上年提高2.6个百分点，满意度下降0.5个百分点。")
    assert report.percentages == []
    assert [(p.value, p.direction, p.role) for p in report.points] == [
        (Decimal("2.6"), "increase", "execution_rate"), (Decimal("0.5"), "decrease", "satisfaction")]


def test_changes_keep_their_direction_and_sign():
    up, down = extract_text("同比增长6.4%"), extract_text("同比下降6.4%")
    assert up.percentages[0].value == down.percentages[0].value == Decimal("6.4")
    assert (up.percentages[0].direction, down.percentages[0].direction) == ("increase", "decrease")
    assert extract_text("结余-3.2万元").amounts[0].value_yuan == Decimal("-32000")
    assert extract_text("执行率低于90%").percentages[0].qualifier == "less_than"
    assert extract_text("执行率高于90%").percentages[0].qualifier == "more_than"


def test_points_direction_and_signs_reach_the_dataset(tmp_path):
    import sqlite3

    from extract.dataset.ingest import ingest

    (tmp_path / "r.txt").write_text("预算执行率较上年提高2.6个百分点。结余-3.2万元，同比下降6.4%。", encoding="utf-8")
    db = tmp_path / "r.db"
    summary = ingest([str(tmp_path / "r.txt")], db, workers=1)
    assert summary.ingested == 1 and summary.failed == 0
    con = sqlite3.connect(db)
    assert con.execute("SELECT text, value, direction, role FROM points").fetchall() == [
        ("2.6个百分点", 2.6, "increase", "execution_rate")]
    assert con.execute("SELECT value_yuan, value_cents, direction FROM amounts").fetchall() == [(-32000, -3200000, None)]
    assert con.execute("SELECT value, direction FROM percentages").fetchall() == [(6.4, "decrease")]
