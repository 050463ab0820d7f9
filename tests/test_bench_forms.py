"""scripts/bench_forms.py: the forms table loads, and the comparison scores systems value-exact.

Only reportx and plain functions as systems: no competitor needs to be installed. reportx is held to
no pass rate here (tests/test_number_forms.py does that); it must only run on every row.
"""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bf():
    spec = importlib.util.spec_from_file_location("bench_forms", ROOT / "scripts" / "bench_forms.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_forms"] = module        # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("bench_forms", None)


@pytest.fixture(scope="module")
def families(bf):
    return bf.load_forms()


def test_table_loads(bf, families):
    assert families
    assert len({f.id for f in families}) == len(families)
    assert {f.kind for f in families} == set(bf.KINDS)
    for f in families:
        assert f.rows, f.id
        for row in f.rows:
            assert isinstance(row.text, str) and row.text
            assert isinstance(row.expected, list)
            if f.kind == "number":
                assert len(row.expected) == 1, row.text
            assert all(isinstance(v, (Decimal, tuple)) for v in row.expected), row.text


def test_parse_and_format_values(bf):
    assert bf.parse_expected("-32000") == Decimal("-32000")
    assert bf.parse_expected("10000~50000") == (Decimal(10000), Decimal(50000))
    assert bf.fmt_values([Decimal("100.00"), Decimal("1E+6"), (Decimal("1000.0"), Decimal(2000)), None]) \
        == "[100, 1000000, 1000~2000, ?]"


def test_compare_scores_exactly(bf):
    fams = [bf.Family("money.x", "money", [
                bf.Row("range", [(Decimal(10000), Decimal(50000))]),
                bf.Row("two", [Decimal(1), Decimal(2)]),
                bf.Row("none", []),
                bf.Row("boom", [Decimal(5)])]),
            bf.Family("number.x", "number", [bf.Row("5", [Decimal(5)])])]
    answers = {"range": [(Decimal("10000.00"), Decimal("5E+4"))], "two": [Decimal(2), Decimal(1)],
               "none": [], "5": [Decimal("5.0")]}

    def money(text: str) -> list:
        if text == "boom":
            raise RuntimeError("no")
        return answers[text]

    def split_ranges(text: str) -> list:            # a range as two values fails a range row
        return [Decimal(10000), Decimal(50000)] if text == "range" else []

    systems = [bf.FormSystem("fake", {"money": money, "number": lambda t: answers[t]}),
               bf.FormSystem("split", {"money": split_ranges})]
    result = bf.compare(fams, systems)
    money_fam, number_fam = result["families"]
    assert money_fam["pass"] == {"fake": 2, "split": 1}       # range, none | none
    assert [r["results"]["fake"]["pass"] for r in money_fam["details"]] == [True, False, True, False]
    assert money_fam["details"][3]["results"]["fake"]["error"] == "RuntimeError: no"
    assert money_fam["details"][0]["results"]["split"]["values"] == ["10000", "50000"]
    assert number_fam["pass"] == {"fake": 1}                  # split has no number reader: n/a
    assert result["kinds"]["money"] == {"rows": 4, "pass": {"fake": 2, "split": 1}}

    result["missing"] = {"JioNLP": "No module named 'jionlp'"}
    text = bf.render(result, verbose=True)
    assert "| money.x | 4 | n/a | not installed | n/a |" in text   # columns: reportx, JioNLP, Recognizers
    assert bf.INSTALL_HINT in text
    assert "raised on 1 row(s)" in text


def test_reportx_runs_on_every_row(bf, families):
    result = bf.compare(families, [bf.ours_forms()])
    for f, fam in zip(result["families"], families):
        assert f["rows"] == len(fam.rows)
        assert 0 <= f["pass"]["reportx"] <= f["rows"]
    assert bf.render(result).startswith("## Number, money and percentage forms")
