"""Percentages: 97.94%, ％, 百分之八十; never 个百分点 (percentage points)."""

from __future__ import annotations

from decimal import Decimal

import regex

from ..context import Candidate, Context
from . import group, number_of, qualifier_of, run_rules


def build(ctx: Context, rule: dict, m: regex.Match) -> dict | None:
    value = Decimal(100) if group(m, "num") == "百" else number_of(m)
    if value is None:
        return None
    return {"value": value, "qualifier": qualifier_of(m)}


def recognize(ctx: Context) -> list[Candidate]:
    return run_rules(ctx, "percentages", "percentages", build)
