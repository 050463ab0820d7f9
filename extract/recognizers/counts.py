"""Counts: number + measure word (次/个/家/条/项/名/人次 …), with qualifier and counted noun."""

from __future__ import annotations

import bisect
import functools

import regex

from .. import patterns
from ..context import Candidate, Context
from . import number_of, qualifier_of, run_rules



_HAN = regex.compile(r"\p{Han}+")
_BRACKETS = regex.compile(r"[()（）]")


@functools.cache
def _data():
    d = patterns.load("counts")
    return (
        regex.compile(patterns.alternation(d["set_phrases"])),
        frozenset(d["one_is_article"]),
        frozenset(d["noun_stops"]) | frozenset(d["link_words"]),
        frozenset(d["link_words"]),
    )


def _is_noun_token(tok: str, stops: frozenset[str]) -> bool:
    return bool(_HAN.fullmatch(tok)) and tok not in stops


def _noun(ctx: Context, start: int, end: int) -> str | None:
    """The counted noun: up to 4 characters of noun tokens right after the count, else right before."""
    _, _, stops, links = _data()
    n = len(ctx.tok_starts)
    i = bisect.bisect_left(ctx.tok_starts, end)  # first token starting at or after the count
    after = ""
    while i < n and ctx.tok_starts[i] >= end and _is_noun_token(tok := ctx.token_text(i), stops):
        if len(after) + len(tok) > 4:
            break
        after += tok
        i += 1
    if after:
        return after
    j = bisect.bisect_right(ctx.tok_ends, start) - 1  # last token ending before the count
    while j >= 0 and ctx.token_text(j) in links:
        j -= 1
    before = ""
    while j >= 0 and ctx.tok_ends[j] <= start and _is_noun_token(tok := ctx.token_text(j), stops):
        if len(before) + len(tok) > 4:
            break
        before = tok + before
        j -= 1
    return before or None


def build(ctx: Context, rule: dict, m: regex.Match) -> dict | None:
    value = number_of(m)
    if value is None:
        return None
    set_phrases, article, _, _ = _data()
    unit = m.group("unit")
    if m.group("num") == "一" and unit in article:
        return None
    lo, hi = max(0, m.start() - 4), min(len(ctx.text), m.end() + 4)
    for p in set_phrases.finditer(ctx.text, lo, hi):
        if p.start() < m.end() and m.start() < p.end():
            return None
    return {
        "value": value,
        "unit": _BRACKETS.sub("", unit),
        "qualifier": qualifier_of(m),
        "noun": _noun(ctx, m.start(), m.end()),
    }


def recognize(ctx: Context) -> list[Candidate]:
    return run_rules(ctx, "counts", "counts", build)
