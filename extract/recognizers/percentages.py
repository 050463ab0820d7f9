"""Percentages: 97.94%, ％, 百分之八十; never 个百分点 (percentage points)."""

from __future__ import annotations

import functools
from decimal import Decimal

import regex

from .. import patterns
from ..context import Candidate, Context
from . import group, number_of, qualifier_of, run_rules


@functools.cache
def _ceiling() -> Decimal:
    return Decimal(patterns.load("percentages")["ceiling"])


def build(ctx: Context, rule: dict, m: regex.Match) -> dict | None:
    value = Decimal(100) if group(m, "num") == "百" else number_of(m)
    if value is None or abs(value) >= _ceiling():
        return None  # 800800100%: cells OCR ran together, not a rate
    if group(m, "neg"):
        value = -value   # 负百分之五
    return {"value": value, "qualifier": qualifier_of(m)}


def recognize(ctx: Context) -> list[Candidate]:
    return run_rules(ctx, "percentages", "percentages", build)
