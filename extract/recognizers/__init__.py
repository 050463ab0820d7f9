"""One module per fact type; each exposes `recognize(ctx) -> list[Candidate]` (normalized offsets).

`run_rules` is the shared engine: every rule of a pattern file is run over the whole normalized
text, on characters (never on jieba token boundaries), and its matches become candidates that
carry the rule id.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Callable

import regex

from .. import patterns
from ..context import Candidate, Context, nearest_cue, resolve_overlaps
from ..numbers import parse_number


@functools.cache
def qualifier_table() -> dict[str, str]:
    return patterns.load("numerals")["qualifiers"]


def qualifier_of(m: regex.Match) -> str:
    """The qualifier from the pre/mid/post groups; after-number words win (约100万元左右 = approx)."""
    table = qualifier_table()
    for name in ("post", "mid", "pre"):
        word = group(m, name)
        if word:
            return table.get(word, "exact")
    return "exact"


@functools.cache
def _direction_rx() -> regex.Pattern:
    data = patterns.load("numerals")
    words = data["directions"]
    gap = patterns.alternation(data.get("direction_gap") or [])
    return regex.compile(f"(?:(?P<increase>{patterns.alternation(words['increase'])})"
                         f"|(?P<decrease>{patterns.alternation(words['decrease'])}))"
                         rf"(?:{gap})?[ \t]?\Z")


def direction_of(text: str, start: int) -> str | None:
    """increase / decrease when a change verb stands right before `start` (同比下降6.4%), else None."""
    m = _direction_rx().search(text, max(0, start - 16), start)
    if m is None:
        return None
    return "increase" if m.group("increase") else "decrease"


def group(m: regex.Match, name: str) -> str | None:
    """The text of a named group, or None when the rule has no such group or it did not take part."""
    try:
        return m.group(name)
    except IndexError:
        return None


def number_of(m: regex.Match, name: str = "num") -> Decimal | None:
    text = group(m, name)
    if text is None:
        return None
    return parse_number(strip_spaces(text))


def run_rules(
    ctx: Context,
    file: str,
    fact_type: str,
    build: Callable[[Context, dict, regex.Match], dict | None],
    contexts: dict[str, Callable[[Context, regex.Match], bool]] | None = None,
) -> list[Candidate]:
    """Run every rule of patterns/<file>.yaml; `build` turns a match into fact data (None = drop)."""
    out: list[Candidate] = []
    requires = patterns.compiled_requires(file)
    for order, (rule, rx) in enumerate(patterns.compiled_rules(file)):
        need = rule.get("context")
        for m in rule_matches(ctx.text, rule, rx, requires.get(rule["id"]), ctx.cache):
            if m.end() == m.start():
                continue
            if need and not (contexts and contexts[need](ctx, m)):
                continue
            data = build(ctx, rule, m)
            if data is None:
                continue
            if rule.get("role_from") == "label" and group(m, "label"):  # 年初预算数（万元）：120.5 — the label says
                data["role"] = label_role(m.group("label"), fact_type)
            start, end = m.start(), m.end()
            if "_span" in data:   # the builder read a part of the match (a glued cell: 100|91)
                start, end = data.pop("_span")
            elif rule.get("span") == "from_num":  # the cue word is context, not part of the fact
                start = m.start("num")
            elif rule.get("span") == "num":    # only the number (a unit in a cell of its own)
                start, end = m.start("num"), m.end("num")
            out.append(Candidate(fact_type, start, end, rule["id"], data, order))
    return resolve_overlaps(out)


def rule_matches(text: str, rule: dict, rx: regex.Pattern, gate: regex.Pattern | None, cache: dict | None = None):
    """The matches of one rule: over the whole text, or, for a rule with a `requires` gate, only
    where the gate is found (see _windows)."""
    return gated_finditer(text, rx, gate, rule.get("window"), cache)


def gated_finditer(text: str, rx: regex.Pattern, gate: regex.Pattern | None, window: list[int] | None = None,
                   cache: dict | None = None):
    """rx.finditer(text), or with a gate, rx run only in the windows around the gate's matches.
    `cache` (a Context's) keeps the windows of a text, for the rules that share a gate."""
    if gate is None:
        return rx.finditer(text)
    if cache is None:
        windows = _windows(text, gate, window)
    else:
        key = ("windows", gate.pattern, tuple(window or ()))
        windows = cache.get(key)
        if windows is None:
            windows = cache[key] = _windows(text, gate, window)
    return _rematched(text, rx, windows)


def _rematched(text: str, rx: regex.Pattern, windows: list[tuple[int, int]]):
    """The matches found in the windows, each matched again at its start on the whole text: a window's
    end is the end of the text for the regex (`$`, a lookahead, a run of spaces stop there), so what it
    found there is checked, and extended, against what really follows."""
    for lo, hi in windows:
        for m in rx.finditer(text, lo, hi):
            full = rx.match(text, m.start())
            if full is not None:
                yield full


def _windows(text: str, gate: regex.Pattern, window: list[int] | None) -> list[tuple[int, int]]:
    """Where a gated rule can match: the whole text when the gate is found somewhere (no `window`),
    or, with `window: [before, after]`, the merged spans around each gate match (a match always holds
    its gate: 2.6个百分点 holds 百分点), so the rule scans a few dozen characters instead of the text."""
    hits = list(gate.finditer(text))
    if not hits:
        return []
    if not window:
        return [(0, len(text))]
    before, after = window
    out: list[tuple[int, int]] = []
    for m in hits:
        lo, hi = max(0, m.start() - before), min(len(text), m.end() + after)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def label_role(label: str, fact_type: str) -> str:
    """The role a label names (年初预算数 -> budget_initial), 'other' when no cue is in it."""
    from ..roles import cue_table

    cue = nearest_cue(label, 0, len(label), cue_table(fact_type))
    return cue[0] if cue else "other"


def has_cue(ctx: Context, pos: int, table: dict[str, str], floor: int = 0) -> tuple[str, int, int] | None:
    """The nearest cue of `table` in the clause before pos."""
    return ctx.cue(table, ctx.clause_start(pos, floor), pos)


def strip_spaces(s: str) -> str:
    """Remove whitespace (PDF spaces inside a matched number); str.split is the fast way."""
    return "".join(s.split())
