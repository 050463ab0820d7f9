"""Percentage points: 提高2.6个百分点 is a change of a rate, its own fact type (never a percentage)."""

from __future__ import annotations

import regex

from ..context import Candidate, Context
from . import group, number_of, qualifier_of, run_rules


def build(ctx: Context, rule: dict, m: regex.Match) -> dict | None:
    value = number_of(m)
    if value is None:
        return None
    qualifier = qualifier_of(m)
    unit = group(m, "unit") or ""
    if qualifier == "exact" and ("多" in unit or "余" in unit):
        qualifier = "more_than"   # 3个多百分点
    return {"value": value, "qualifier": qualifier}


def recognize(ctx: Context) -> list[Candidate]:
    return run_rules(ctx, "points", "points", build)
