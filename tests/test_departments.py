"""The department join key, tested from the examples in patterns/departments.yaml (adding an example
adds a test): each example name must reach its key through all the rules; each must_not_match name
must be left alone by its rule; the names of each `distinct` group must keep different keys."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from extract import departments, extract_text

ROOT = Path(__file__).resolve().parent.parent
DATA = yaml.safe_load((ROOT / "patterns" / "departments.yaml").read_text(encoding="utf-8"))


def _examples():
    for r in DATA["rules"]:
        for expected, forms in (r.get("examples") or {}).items():
            for form in forms:
                yield pytest.param(expected, form, id=f"{r['id']}[{form.strip()}]")


def _negatives():
    for r in DATA["rules"]:
        for form in r.get("must_not_match") or []:
            yield pytest.param(r["id"], form, id=f"{r['id']}!{form}")


def _distinct_pairs():
    for group in DATA["distinct"]:
        for a, b in itertools.combinations(group, 2):
            yield pytest.param(a, b, id=f"{a}|{b}")


@pytest.mark.parametrize("expected, name", list(_examples()))
def test_key_example(expected, name):
    assert departments.key(name) == expected


@pytest.mark.parametrize("rule_id, name", list(_negatives()))
def test_rule_leaves_alone(rule_id, name):
    assert departments.rule(rule_id).apply(name) == name


@pytest.mark.parametrize("a, b", list(_distinct_pairs()))
def test_different_units_keep_different_keys(a, b):
    assert departments.key(a) != departments.key(b)


@pytest.mark.parametrize("expected, name", list(_examples()))
def test_key_is_a_fixed_point(expected, name):
    """A key is its own key: keys computed twice (an old dataset, a new run) still join."""
    assert departments.key(departments.key(name)) == departments.key(name)


def test_every_rule_has_examples_and_negatives():
    for r in DATA["rules"]:
        assert r.get("examples") and r.get("must_not_match"), r["id"]


def test_rule_ids_are_unique():
    ids = [r["id"] for r in DATA["rules"]]
    assert len(ids) == len(set(ids))


def test_no_name_no_key():
    assert departments.key(None) is None
    assert departments.key("") is None
    assert departments.key("  ") is None


def test_report_carries_the_key():
    report = extract_text("单位名称:柳坪镇政府 填报日期:2021.5.24\n单位名称 | 柳坪镇人民政府 |\n")
    assert report.department_key == departments.key(report.department) == "柳坪镇人民政府"
