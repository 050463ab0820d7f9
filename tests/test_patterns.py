"""Tests generated from the examples in patterns/*.yaml: adding an example adds a test.

Rule files: each example (expected value -> surface forms) must yield a fact of the rule's type
from that very rule, with that value; each must_not_match string must get nothing from the rule.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from extract import extract_text, parse_number
from extract.normalize import normalize

PATTERNS = Path(__file__).resolve().parent.parent / "patterns"


def _load(name):
    return yaml.safe_load((PATTERNS / f"{name}.yaml").read_text(encoding="utf-8"))


# file -> (fact type, value field); events compare names
RULE_FILES = {
    "money": ("amounts", "value_yuan"),
    "percentages": ("percentages", "value"),
    "points": ("points", "value"),
    "counts": ("counts", "value"),
    "staffing": ("staffing", "value"),
    "scores": ("scores", "value"),
    "events": ("events", "name"),
    "tables": (None, None),
}
TABLE_TYPE = {"table.money": ("amounts", "value_yuan"), "table.percent": ("percentages", "value"),
              "table.score": ("scores", "value")}


def _positive():
    for file in RULE_FILES:
        for rule in _load(file)["rules"]:
            for value, forms in (rule.get("examples") or {}).items():
                for form in forms:
                    yield pytest.param(file, rule["id"], str(value), form, id=f"{rule['id']}[{form}]")


def _negative():
    for file in RULE_FILES:
        for rule in _load(file)["rules"]:
            for form in rule.get("must_not_match") or []:
                yield pytest.param(file, rule["id"], form, id=f"{rule['id']}!{form}")


def _facts(text: str, fact_type: str) -> list[dict]:
    return json.loads(extract_text(text).model_dump_json())[fact_type]


def _equal(a, b) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except ArithmeticError:
        return str(a) == str(b)


def _type_of(file: str, rule_id: str):
    if file != "tables":
        return RULE_FILES[file]
    rule = next(r for r in _load("tables")["rules"] if r["id"] == rule_id)
    return (rule["fact"], rule["key"]) if "fact" in rule else TABLE_TYPE[rule_id]


@pytest.mark.parametrize("file,rule_id,value,form", list(_positive()))
def test_rule_example(file, rule_id, value, form):
    fact_type, key = _type_of(file, rule_id)
    facts = _facts(form, fact_type)
    hits = [f for f in facts if f["rule"] == rule_id and _equal(f[key], value)]
    assert hits, f"{rule_id} on {form!r}: got {[(f['rule'], f['text'], f[key]) for f in facts]}"


@pytest.mark.parametrize("file,rule_id,form", list(_negative()))
def test_rule_must_not_match(file, rule_id, form):
    fact_type, _ = _type_of(file, rule_id)
    facts = [f for f in _facts(form, fact_type) if f["rule"] == rule_id]
    assert not facts, f"{rule_id} matched {form!r}: {[f['text'] for f in facts]}"


def _grades():
    for g in _load("scores")["grades"]:
        for value, forms in g["examples"].items():
            for form in forms:
                yield pytest.param(value, form, id=f"{g['id']}[{form}]")
        for form in g.get("must_not_match") or []:
            yield pytest.param(None, form, id=f"{g['id']}!{form}")


@pytest.mark.parametrize("grade,form", list(_grades()))
def test_grade_example(grade, form):
    assert extract_text(form).grade == grade


def _numerals():
    data = _load("numerals")
    for value, forms in data["examples"].items():
        for form in forms:
            yield pytest.param(str(form), Decimal(str(value)), id=f"parse_number[{form}]")
    for form in data["must_not_parse"]:
        yield pytest.param(str(form), None, id=f"parse_number!{form}")


@pytest.mark.parametrize("text,value", list(_numerals()))
def test_parse_number_example(text, value):
    assert parse_number(text) == value


def _role_examples():
    data = _load("roles")
    for kind in ("amounts", "percentages", "points"):
        for role, spec in data[kind].items():
            for form in spec["examples"]:
                yield pytest.param(kind, role, form, id=f"role.{kind}.{role}[{form}]")


@pytest.mark.parametrize("kind,role,form", list(_role_examples()))
def test_role_example(kind, role, form):
    facts = _facts(form, kind)
    assert facts, f"no {kind} in {form!r}"
    assert facts[0]["role"] == role, f"{form!r}: role {facts[0]['role']}"


def _direction_examples():
    for direction, forms in _load("numerals")["direction_examples"].items():
        for form in forms:
            yield pytest.param(form, None if direction == "none" else direction, id=f"direction.{direction}[{form}]")


@pytest.mark.parametrize("form,direction", list(_direction_examples()))
def test_direction_example(form, direction):
    report = json.loads(extract_text(form).model_dump_json())
    facts = sorted((f for kind in ("amounts", "percentages", "points") for f in report[kind]), key=lambda f: f["start"])
    assert facts, f"no amount, percentage or points in {form!r}"
    assert facts[0]["direction"] == direction, f"{form!r}: {facts[0]}"


def _normalize_examples():
    data = _load("normalize")
    for d in data["delete"]:
        for form in d["examples"]:
            yield pytest.param(d["id"], form, id=f"{d['id']}[{form!r}]")


@pytest.mark.parametrize("rule_id,form", list(_normalize_examples()))
def test_normalize_deletes(rule_id, form):
    n = normalize(form)
    assert len(n.text) < len(form), f"{rule_id} deleted nothing from {form!r}"


@pytest.mark.parametrize("form", _load("normalize")["must_not_change"])
def test_normalize_keeps(form):
    assert normalize(form).text == form


# ------------------------------------------------------------------------------- gates

def _gated_rules():
    from extract import patterns
    from extract.recognizers import staffing

    for file in ("money", "percentages", "points", "counts", "scores"):
        gates = patterns.compiled_requires(file)
        for rule, rx in patterns.compiled_rules(file):
            if rule["id"] in gates:
                yield pytest.param(rule, rx, gates[rule["id"]], id=rule["id"])
    for rule, rx, gate in staffing._rules():
        if gate is not None:
            yield pytest.param(rule, rx, gate, id=rule["id"])


def _gate_texts() -> list[str]:
    corpora = Path(__file__).resolve().parent.parent / "corpora"
    texts = [normalize(p.read_text(encoding="utf-8-sig")).text for p in sorted(corpora.glob("*/*.txt"))
             if "generated" not in p.parts]
    for file in RULE_FILES:
        for rule in _load(file)["rules"]:
            texts += [normalize(f).text for forms in (rule.get("examples") or {}).values() for f in forms]
    return texts


@pytest.mark.parametrize("rule, rx, gate", list(_gated_rules()))
def test_a_gate_never_hides_a_match(rule, rx, gate):
    """A gated rule runs only around its `requires` matches (recognizers._windows): every match the rule
    finds over the whole text must hold a gate match and lie inside that match's window, or the gate
    would lose it. Checked on every corpus text and every example of every rule file."""
    from extract.recognizers import gated_finditer

    for text in _gate_texts():
        full = {(m.start(), m.end()) for m in rx.finditer(text) if m.end() > m.start()}
        gated = {(m.start(), m.end()) for m in gated_finditer(text, rx, gate, rule.get("window"))}
        assert full <= gated, (rule["id"], [text[s:e] for s, e in full - gated])


@pytest.mark.parametrize("text, percentages, indicators", [
    ("预算执行率|98.49|%" + " " * 17 + "x", [], []),                    # the window's end is not the text's end
    ("预算执行率      98.49          %" + " " * 20 + "10", [], []),
    ("1.数量指标：培训人次" + " " * 110 + "≥500人次，实际完成620人次，得10分。", [], ["培训人次"]),   # long PDF gap
])
def test_gated_rules_read_as_the_whole_text_would(text, percentages, indicators):
    report = extract_text(text)
    assert [p.text for p in report.percentages] == percentages
    assert [i.name for i in report.indicators] == indicators


def _page_number_examples(key):
    for form in _load("readers")["page_numbers"]:
        for text in form.get(key, []):
            yield pytest.param(form["id"], text, id=f"{form['id']}[{text}]")


@pytest.mark.parametrize("rule_id, text", list(_page_number_examples("examples")))
def test_page_number_example(rule_id, text):
    from extract.readers.furniture import form_id, page_number

    assert form_id(text) == rule_id
    page = int(text) if text.isdigit() else 3   # a bare number is its own page's number
    assert page_number(text, page, at_foot=True)


@pytest.mark.parametrize("rule_id, text", list(_page_number_examples("must_not_match")))
def test_page_number_must_not_match(rule_id, text):
    from extract.readers.furniture import form_id, page_number

    assert form_id(text) != rule_id
    assert not page_number(text, 3, at_foot=True)


@pytest.mark.parametrize("line, page, at_foot, expected", [
    ("3", 3, True, True), ("2", 3, True, True),     # its page's number, or an unnumbered cover's offset
    ("3", 3, False, False),                          # a bare number at the top is the text that ran over
    ("100", 2, True, False),                         # a total, not page 2's number
    ("- 7 -", 2, False, True),                       # decorated forms are page numbers in either margin
])
def test_bare_numbers_are_page_numbers_only_at_the_foot_of_their_page(line, page, at_foot, expected):
    from extract.readers.furniture import page_number

    assert page_number(line, page, at_foot) is expected
