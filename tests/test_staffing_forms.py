"""Staffing as real reports write it: composed labels, unitless label-number lines, categories, posts.

Sentences are our own, written to the forms of real reports; the last test scores the prose staffing
of ../shared/forms (bare numbers in table cells belong to the table recognizer and are left out).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from extract import extract_text
from extract.recognizers.staffing import role_of

FORMS = Path(__file__).resolve().parent.parent.parent / "shared" / "forms"


@pytest.mark.parametrize("label,role", [
    ("在职人员总数", "in_service"),
    ("参照公务员管理的事业编制人数", "establishment"),
    ("全部补助事业在职人数", "in_service"),
    ("行政编制财政供养人员", "funded"),
    ("实有事业人员", "total"),
    ("在职实有人数", "in_service"),
    ("现有在编在岗人员", "in_service"),
    ("行政编", "establishment"),
    ("机关后勤编", "establishment"),
    ("辅警编制额度", "establishment"),
    ("实有辅警人员", "contract"),
    ("退休及退职人员", "retired"),
    ("离休人数", "retired"),
    ("股级职数", "posts"),
    ("行政人员", None),
])
def test_role_of(label, role):
    assert role_of(label) == role


# text -> [(span text, value, role)] expected as staffing, in order
CASES = {
    "posts": ("局长1名，副局长3名，股级职数6名。",
              [("局长1名", "1", "posts"), ("副局长3名", "3", "posts"), ("股级职数6名", "6", "posts")]),
    "abbreviated_establishment": ("全局行政编12人、机关后勤编3人、全额事业编86人。",
                                  [("行政编12人", "12", "establishment"), ("机关后勤编3人", "3", "establishment"),
                                   ("全额事业编86人", "86", "establishment")]),
    "auxiliary_police": ("辅警编制额度为420人，实有辅警人员397人。",
                         [("辅警编制额度为420人", "420", "establishment"), ("实有辅警人员397人", "397", "contract")]),
    "unitless_lines": ("编制人数38，其中：行政编制人数18。实有人数44，其中：在职人数44；离休人数0；退休人数11。",
                       [("编制人数38", "38", "establishment"), ("行政编制人数18", "18", "establishment"),
                        ("实有人数44", "44", "total"), ("在职人数44", "44", "in_service"),
                        ("离休人数0", "0", "retired"), ("退休人数11", "11", "retired")]),
    "funded_thousands": ("财政供养人员共计8,617人。",
                         [("财政供养人员共计8,617人", "8617", "funded")]),
    "pdf_spaces": ("市图书馆事业编制核定数 31 名。",
                   [("事业编制核定数 31 名", "31", "establishment")]),
    "internal_units_inside": ("内设6个职能科室。", [("内设6个职能科室", "6", "internal_units")]),
    "internal_units_ranked": ("机关设有办公室、组织处、宣传处和研究处4个处级职能机构。",
                              [("4个处级职能机构", "4", "internal_units")]),
    "category_inherits_establishment": ("核定人员编制21名，其中公务员18名、工勤3名。",
                                        [("核定人员编制21名", "21", "establishment"),
                                         ("公务员18名", "18", "establishment"), ("工勤3名", "3", "worker")]),
    "category_inherits_in_service": ("现有在编在岗人员19名，其中公务员17名。",
                                     [("在编在岗人员19名", "19", "in_service"), ("公务员17名", "17", "in_service")]),
    "retired_and_resigned": ("退休及退职人员47人。", [("退休及退职人员47人", "47", "retired")]),
    "category_alone_is_not_staffing": ("全年接待公务员18名，行政人员19人。", []),
    "trainees_are_counts": ("培训公务员200名，参训人数45，学员总人数45人。", []),
    "served_retirees_are_counts": ("走访慰问退休人员120人。", []),
    "compiled_plans_are_not_staffing": ("编制3个方案。", []),
}


@pytest.mark.parametrize("text,expected", list(CASES.values()), ids=list(CASES))
def test_staffing_forms(text, expected):
    got = [(f.text, str(f.value), f.role) for f in extract_text(text).staffing]
    assert [(t, Decimal(v), r) for t, v, r in got] == [(t, Decimal(v), r) for t, v, r in expected]


@pytest.mark.parametrize("text", [
    "辅警编制额度为420人，实有辅警人员397人。",
    "核定人员编制21名，其中公务员18名、工勤3名。",
    "局长1名，副局长3名，股级职数6名。",
])
def test_staffing_is_not_also_a_count(text):
    assert extract_text(text).counts == []


def _forms_with_staffing():
    if not FORMS.is_dir():
        return []
    return sorted(p.name[: -len(".gold.json")] for p in FORMS.glob("*.gold.json")
                  if json.loads(p.read_text(encoding="utf-8")).get("staffing"))


def _overlaps(a, b) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


@pytest.mark.skipif(not FORMS.is_dir(), reason="../shared/forms not present")
@pytest.mark.parametrize("name", _forms_with_staffing())
def test_forms_prose_staffing(name):
    gold = json.loads((FORMS / f"{name}.gold.json").read_text(encoding="utf-8"))["staffing"]
    text = (FORMS / f"{name}.txt").read_text(encoding="utf-8")
    got = [f.model_dump() for f in extract_text(text).staffing]
    prose = [g for g in gold if not g["text"].strip().isdigit() and not g.get("optional")]
    missed = [g["text"] for g in prose
              if not any(_overlaps(f, g) and Decimal(str(f["value"])) == Decimal(g["value"]) for f in got)]
    wrong = [f["text"] for f in got if not any(_overlaps(f, g) and Decimal(str(f["value"])) == Decimal(g["value"])
                                               for g in gold)]
    assert not missed and not wrong, f"missed {missed}, wrong {wrong}"
