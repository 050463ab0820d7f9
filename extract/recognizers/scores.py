"""Scores (total, indicator, max) and the stated grade."""

from __future__ import annotations

import functools
from decimal import Decimal

import regex

from .. import patterns
from ..context import Candidate, Context, most_common
from ..numbers import parse_number
from . import group, has_cue, number_of, run_rules


@functools.cache
def _kinds() -> dict[str, str]:
    return patterns.lookup(patterns.load("scores")["labels"])


def _has_score_cue(ctx: Context, m: regex.Match) -> bool:
    return has_cue(ctx, m.start(), _kinds()) is not None


def build(ctx: Context, rule: dict, m: regex.Match) -> dict | None:
    value = number_of(m)
    if value is None:
        return None
    label = group(m, "label")
    if rule.get("kind"):
        kind = rule["kind"]  # the form itself says what it is: (15分) after a heading is a weight
    elif label is None:
        cue = has_cue(ctx, m.start(), _kinds())
        if cue is None:
            return None
        kind = cue[0]
    else:
        kind = _kinds()[label]
    if _threshold().match(ctx.text[m.end("num"):m.end("num") + 16]):
        return None   # 90分（含）以上为优: a boundary of the grading scale
    if kind == "total" and _closes_header_row(ctx.text, m.start("num")):
        return None   # 自评得分 |⏎1 |: the header row's last cell, then the first row's 序号
    if kind == "total" and value > _full_mark():
        return _unglued(m, value)
    return {"value": value, "kind": kind}


@functools.cache
def _threshold() -> regex.Pattern:
    return regex.compile(patterns.load("scores")["threshold_after"])


@functools.cache
def _full_mark() -> Decimal:
    return Decimal(str(patterns.load("scores")["full_mark"]))


def _closes_header_row(text: str, pos: int) -> bool:
    """The number starts a line and the line before it is a row of several cells (a table's header)."""
    a = text.rfind("\n", 0, pos)
    if a < 0 or text[a + 1:pos].strip(" |\t"):
        return False
    prev = text[text.rfind("\n", 0, a) + 1:a]
    return prev.count("|") >= 3 or prev.count("\t") >= 3


def _unglued(m: regex.Match, value: Decimal) -> dict | None:
    """A total over the full mark is two cells run together: the full mark then the score (总分100100,
    10091 -> 91). The score alone is the fact; anything else is dropped, never read as one number."""
    digits = m.group("num")
    mark = str(_full_mark())
    if digits.startswith(mark) and len(digits) > len(mark):
        tail = digits[len(mark):]
        rest = parse_number(tail)
        if rest is not None and 0 < rest <= _full_mark() and not tail.startswith("0"):
            start = m.start("num") + len(mark)
            return {"value": rest, "kind": "total", "_span": (start, m.end("num"))}
    return None


def recognize(ctx: Context) -> list[Candidate]:
    return run_rules(ctx, "scores", "scores", build, {"score": _has_score_cue})


@functools.cache
def _grade_rules() -> list[tuple[str, regex.Pattern]]:
    return [(g["id"], patterns.compile_rule(g["pattern"], g["id"])) for g in patterns.load("scores")["grades"]]


def grade_level(grade: str | None) -> str | None:
    """The grade on the one scale 优/良/中/差 (优秀 -> 优, 合格 -> 中), from patterns/scores.yaml."""
    return None if grade is None else patterns.load("scores")["grade_levels"].get(grade)


def grade(ctx: Context) -> str | None:
    """The stated grade; when a report states several, the most frequent (first on a tie)."""
    return most_common([m.group("grade") for _, rx in _grade_rules() for m in rx.finditer(ctx.text)])


def grade_span(ctx: Context) -> tuple[str, int, int, str] | None:
    """The stated grade (as `grade`), the normalized span of its first statement and the rule that read it."""
    found = [(m.group("grade"), m.start("grade"), m.end("grade"), rule)
             for rule, rx in _grade_rules() for m in rx.finditer(ctx.text)]
    label = most_common([x[0] for x in found])
    if label is None:
        return None
    return min((x for x in found if x[0] == label), key=lambda x: x[1])
