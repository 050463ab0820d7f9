"""Bare numbers in table cells take their unit, type and role from the header row.

The cells come from the tables stage (extract/tables.py: a header row followed by rows of the same
width). Roles come from the header cell; in the budget columns of the standard funding block the
row label wins (其中：当年财政拨款 | 612.35 is appropriation) — see roles.role_of.
"""

from __future__ import annotations

import functools
from decimal import Decimal

import regex

from .. import patterns, tables
from ..context import Candidate, Context
from ..numbers import parse_number
from ..roles import role_of
from . import label_role
from .staffing import cell_label_role

_WHOLE = regex.compile(r"[0-9]{1,6}")  # not str.isdigit: ① and ² are digits to it


@functools.cache
def _data():
    d = patterns.load("tables")
    score_kinds = patterns.lookup(d["score_headers"])
    return {
        "header_unit": regex.compile(d["header_unit"]),
        "number": regex.compile(d["number_cell"]),
        "percent": tuple(d["percent_headers"]),
        "score": score_kinds,
        "score_rx": regex.compile(patterns.alternation(list(score_kinds))),
        "scale": {k: Decimal(v) for k, v in d["money_scale"].items()},
        "total_rows": tuple(d["total_rows"]),
        "unit_line": regex.compile(d["unit_line"]),
        "row_prefix": regex.compile(d["row_prefix"]),
        "money_words": regex.compile(patterns.alternation(d["money_label_words"])),
        "money_cell": regex.compile(d["money_cell"]),
        "money_stops": regex.compile(patterns.alternation(d["money_label_stops"])),
        "unit_label": regex.compile(d["funding_unit"]),
        "reach": int(d["money_cell_reach"]),
        "row_ordinal": regex.compile(d["money_row_ordinal"]),
    }


def recognize(ctx: Context) -> list[Candidate]:
    d = _data()
    out = []
    for cell in tables.grid(ctx):
        if d["number"].fullmatch(ctx.text, cell.start, cell.end):
            c = _candidate(ctx, cell)
            if c is not None:
                out.append(c)
    out.extend(_labelled_money(ctx))
    out.extend(_labelled_staffing(ctx))
    return out


def _labelled_staffing(ctx: Context) -> list[Candidate]:
    """Form cells `人员编制 | 19 | 实有人数 | 17`: a whole number right after a staffing label cell."""
    d = _data()
    cells = tables.stream(ctx)
    out = []
    for i, c in enumerate(cells[1:], 1):
        if c.gap or not _WHOLE.fullmatch(c.text):
            continue
        role = cell_label_role(d["row_prefix"].sub("", tables.clean(cells[i - 1].text)).rstrip(":："))  # 其中：行政编制 | 6
        if role:
            out.append(Candidate("staffing", c.start, c.end, "table.labelled_staffing",
                                 {"value": Decimal(c.text), "unit": "人", "role": role}, 60))
    return out


def _labelled_money(ctx: Context) -> list[Candidate]:
    """Budget and accounts tables under a 单位：万元 line: `一般公共预算拨款收入 | 612.47` is money.

    The number must follow its label directly (no empty cell between) and the label must name
    money (收入, 支出, 经费 …), so 栏次 | 1 | 2 and row numbers stay bare numbers.
    """
    d = _data()
    cells = tables.stream(ctx)
    out = []
    unit, left = None, 0
    for i, c in enumerate(cells):
        m = d["unit_line"].search(c.text) or d["unit_label"].search(c.text)
        if m:  # 单位：万元, or a label stating its own unit (项目资金（元）): the unit from here on
            unit, left = m.group("unit"), d["reach"]
            continue
        if c.prose:
            unit = None
        if unit is None or left <= 0:
            continue
        left -= 1
        if i == 0 or c.gap or not d["money_cell"].fullmatch(c.text):
            continue
        if _row_number(cells, i):
            continue  # 12 | 十二、城乡社区支出 among 11 | 十一、… and 13 | 十三、…: the row's number
        label = cells[i - 1]
        if (d["money_cell"].fullmatch(label.text) or not d["money_words"].search(label.text)
                or d["money_stops"].search(label.text)):
            continue  # not a money label, or one naming a rate or a count (预算执行率, 补助对象人数)
        value = Decimal(c.text.replace(",", ""))
        out.append(Candidate("amounts", c.start, c.end, "table.labelled_money",
                             {"value_yuan": value * d["scale"][unit], "unit": unit, "qualifier": "exact",
                              "role": label_role(label.text, "amounts")}, 60))
    return out


def _numbered(cells, i: int) -> int | None:
    """n when cells[i] is the whole number n and the next cell starts with the ordinal n (12 | 十二、…)."""
    text = cells[i].text
    if not text.isdigit() or i + 1 >= len(cells):
        return None
    m = _data()["row_ordinal"].match(cells[i + 1].text)
    return int(text) if m and parse_number(m.group("num")) == Decimal(text) else None


# How many cells back or ahead the next row's number may stand (a row of a few cells between).
_ROW_REACH = 8


def _row_number(cells, i: int) -> bool:
    """cells[i] numbers the row the next cell starts, and a row next to it is numbered too (11 | 十一、
    before it, or 13 | 十三、 after it): a lone `3 | 三、其他支出` may be 二、项目支出's 3 万元."""
    n = _numbered(cells, i)
    if n is None:
        return False
    return (any(_numbered(cells, j) == n - 1 for j in range(max(0, i - _ROW_REACH), i))
            or any(_numbered(cells, j) == n + 1 for j in range(i + 2, min(len(cells), i + 2 + _ROW_REACH))))


def _candidate(ctx: Context, cell: tables.GridCell) -> Candidate | None:
    d = _data()
    s, e, head = cell.start, cell.end, cell.header
    value = Decimal(ctx.text[s:e].replace(",", ""))
    hu = d["header_unit"].search(head)
    unit = hu.group("unit") if hu else None
    label = d["header_unit"].sub("", head)
    score = d["score_rx"].search(label)
    if unit == "分" or (unit is None and score):
        kind = d["score"][score.group()] if score else "indicator"
        if kind == "indicator" and cell.row_label.startswith(d["total_rows"]):
            kind = "total"  # 合计 | 100 | 87.5: the total of the indicator scores
        return Candidate("scores", s, e, "table.score", {"value": value, "kind": kind}, 50)
    if unit == "%" or (unit is None and label.endswith(d["percent"])):
        return Candidate("percentages", s, e, "table.percent",
                         {"value": value, "qualifier": "exact",
                          "role": role_of(ctx, cell, "percentages") or "other"}, 50)
    role = cell_label_role(d["row_prefix"].sub("", tables.clean(label)))
    if role and _WHOLE.fullmatch(ctx.text, s, e):  # 人员编制 | 实有人数 / 19 | 17
        return Candidate("staffing", s, e, "table.staffing", {"value": value, "unit": "人", "role": role}, 50)
    unit = unit or cell.unit
    if unit in d["scale"]:
        return Candidate("amounts", s, e, "table.money",
                         {"value_yuan": value * d["scale"][unit], "unit": unit, "qualifier": "exact",
                          "role": role_of(ctx, cell, "amounts") or "other"}, 50)
    return None
