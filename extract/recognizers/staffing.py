"""Staffing: the unit's own headcounts by label (编制数, 实有人数, 县级干部 …) and internal units."""

from __future__ import annotations

import functools

import regex

from .. import patterns
from ..context import Candidate, Context
from . import number_of, run_rules


_NAME_SEP = regex.compile(r"[、，,]")   # 办公室、联络协作科、…


@functools.cache
def _labels() -> dict[str, str]:
    return patterns.lookup(patterns.load("staffing")["labels"])


@functools.cache
def _names_rx() -> regex.Pattern:
    intro = patterns.local_fragments("staffing")["NAMES_INTRO"]
    return regex.compile(r"(?:" + intro + r")\s?(?P<names>[^。；;\n]{2,200})")


def build(ctx: Context, rule: dict, m: regex.Match) -> dict | None:
    value = number_of(m)
    if value is None:
        return None
    role = _labels()[m.group("label")]
    data = {"value": value, "unit": m.group("unit"), "role": role}
    if role == "internal_units":
        n = _names_rx().match(ctx.text, m.end())
        if n:
            names = [x.strip(" ：:，,") for x in _NAME_SEP.split(n.group("names"))]
            names = [x for x in names if 1 < len(x) <= 20]
            if names and len(names) == int(value):
                data["names"] = names
    return data


def recognize(ctx: Context) -> list[Candidate]:
    return run_rules(ctx, "staffing", "staffing", build)
