"""Tables flattened into text: bare numbers take their unit, type and role from the header row."""

from __future__ import annotations

import functools
from decimal import Decimal

import regex

from .. import patterns, roles
from ..context import Candidate, Context, nearest_cue
from ..structure import lines


@functools.cache
def _data():
    d = patterns.load("tables")
    score_kinds = patterns.lookup(d["score_headers"])
    return {
        "sep": regex.compile(d["cell_separator"]),
        "unit_line": regex.compile(d["unit_line"]),
        "header_unit": regex.compile(d["header_unit"]),
        "number": regex.compile(d["number_cell"]),
        "percent": tuple(d["percent_headers"]),
        "score": score_kinds,
        "score_rx": regex.compile(patterns.alternation(list(score_kinds))),
        "scale": {k: Decimal(v) for k, v in d["money_scale"].items()},
        "ids": {r["id"] for r in d["rules"]},
    }


def _cells(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """(start, end) of each cell of the line text[a:b], stripped of spaces."""
    d = _data()
    out, pos = [], a
    for m in d["sep"].finditer(text, a, b):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, b))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e - (len(text[s:e]) - len(text[s:e].rstrip()))) for s, e in out]


def _is_header(text: str, cells) -> bool:
    d = _data()
    han = sum(1 for s, e in cells if regex.search(r"\p{Han}", text[s:e]))
    numbers = sum(1 for s, e in cells if d["number"].fullmatch(text, s, e))
    return len(cells) >= 2 and numbers == 0 and han * 2 >= len(cells)


def recognize(ctx: Context) -> list[Candidate]:
    d = _data()
    text = ctx.text
    spans = lines(text)
    out: list[Candidate] = []
    header = None
    table_unit = None
    recent_unit: tuple[int, str] | None = None
    for n, (a, b) in enumerate(spans):
        m = d["unit_line"].search(text, a, b)
        if m:
            recent_unit = (n, m.group("unit"))
        if "|" not in text[a:b] and "\t" not in text[a:b]:
            header = None
            continue
        cells = _cells(text, a, b)
        if _is_header(text, cells):
            header = [text[s:e] for s, e in cells]
            table_unit = recent_unit[1] if recent_unit and n - recent_unit[0] <= 3 else None
            continue
        if header is None or len(cells) != len(header):
            continue
        for (s, e), head in zip(cells, header):
            if d["number"].fullmatch(text, s, e):
                c = _cell(ctx, s, e, head, table_unit)
                if c is not None:
                    out.append(c)
    return out


def _cell(ctx: Context, s: int, e: int, head: str, table_unit: str | None) -> Candidate | None:
    d = _data()
    value = Decimal(ctx.text[s:e].replace(",", ""))
    hu = d["header_unit"].search(head)
    unit = hu.group("unit") if hu else None
    label = d["header_unit"].sub("", head)
    score = d["score_rx"].search(label)
    if unit == "分" or (unit is None and score):
        kind = d["score"][score.group()] if score else "indicator"
        return Candidate("scores", s, e, "table.score", {"value": value, "kind": kind}, 50)
    if unit == "%" or (unit is None and label.endswith(d["percent"])):
        cue = nearest_cue(label, 0, len(label), roles.cue_table("percentages"))
        return Candidate("percentages", s, e, "table.percent",
                         {"value": value, "qualifier": "exact", "role": cue[0] if cue else "other"}, 50)
    unit = unit or table_unit
    if unit in d["scale"]:
        cue = nearest_cue(label, 0, len(label), roles.cue_table("amounts"))
        return Candidate("amounts", s, e, "table.money",
                         {"value_yuan": value * d["scale"][unit], "unit": unit, "qualifier": "exact",
                          "role": cue[0] if cue else "other"}, 50)
    return None
