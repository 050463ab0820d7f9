"""Percentages: 97.94%, ％, 百分之八十; never 个百分点 (percentage points)."""

from __future__ import annotations

import functools
from decimal import Decimal

import regex

from .. import patterns
from ..context import Candidate, Context
from ..numbers import parse_number
from . import group, number_of, qualifier_of, run_rules, strip_spaces


@functools.cache
def _ceiling() -> Decimal:
    return Decimal(patterns.load("percentages")["ceiling"])


def build(ctx: Context, rule: dict, m: regex.Match) -> dict | None:
    value = Decimal(100) if group(m, "num") == "百" else number_of(m)
    if value is None or abs(value) >= _ceiling():
        return None  # 800800100%: cells OCR ran together, not a rate
    if group(m, "neg"):
        value = -value   # 负百分之五
    if group(m, "unit") == "成":
        value *= 10      # 九成 = 90%
    data = {"value": value, "qualifier": qualifier_of(m)}
    low_text = group(m, "low")
    if low_text is not None:
        low = parse_number(strip_spaces(low_text))
        if low is None or low >= value:
            return None  # 95%-90%, 2019-20%: no range of rates
        data.update(value=low, low=low, high=value)
    return data


def recognize(ctx: Context) -> list[Candidate]:
    return run_rules(ctx, "percentages", "percentages", build)
