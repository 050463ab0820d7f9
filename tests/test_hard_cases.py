"""corpora/hard_cases.yaml: one test per case; adding a case adds a test."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from extract import extract_text

CASES = yaml.safe_load((Path(__file__).parent.parent / "corpora" / "hard_cases.yaml").read_text(encoding="utf-8"))["cases"]


def _same(a, b) -> bool:
    if isinstance(b, (int, float)) and not isinstance(b, bool) or (isinstance(b, str) and b[:1].isdigit()):
        try:
            return a is not None and Decimal(str(a)) == Decimal(str(b))
        except ArithmeticError:
            pass
    return a == b


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_hard_case(case):
    report = extract_text(case["text"])
    data = json.loads(report.model_dump_json())
    for kind, expected in case["expect"].items():
        if kind == "metadata":
            for key, value in expected.items():
                assert data[key] == value, f"{key}: got {data[key]!r}, want {value!r}"
            continue
        got = data[kind]
        shown = [{k: f[k] for k in ("text", *sorted({k for e in expected for k in e} - {"text"})) if k in f} for f in got]
        assert len(got) == len(expected), f"{kind}: got {shown}, want {expected}"
        for f, e in zip(got, expected):
            for key, value in e.items():
                assert _same(f.get(key), value), f"{kind}.{key}: got {shown}, want {expected}"
