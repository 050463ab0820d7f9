"""The funding block of a 绩效自评表: budget, spending, rate, weight and score per funding row.

| header cells                                              | row                                  |
|-----------------------------------------------------------|--------------------------------------|
| 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 | 年度资金总额 | 412958.46 | 412958.46 | 10 | 100% | 10 |

Rows are read from the tables stage's cell stream, so one cell per line, `|` rows and rows broken
over lines read alike. The execution-rate cell (the one with %) anchors the row: money columns are
filled from the left before it, the weight (分值) is the value just before it when a column is
empty, and the score follows it. A row with a value (or —) in every column is read as it stands. The unit comes from the block's label (资金情况(万元), 项目资金 (元)).
"""

from __future__ import annotations

import functools
from decimal import Decimal

import regex

from .. import patterns, tables
from ..context import Candidate, Context
from ..roles import row_role
from ..tables import Cell, clean

_MONEY = ("budget_initial", "budget_adjusted", "expenditure")


@functools.cache
def _data():
    d = patterns.load("tables")
    return {
        "columns": patterns.lookup(d["funding_columns"]),
        "rows": tuple(d["funding_rows"]),
        "empty": regex.compile(d["empty_cell"]),
        "number": regex.compile(d["number_cell"]),
        "percent": regex.compile(r"(?P<num>\d+(?:\.\d+)?)\s*%"),
        "scale": {k: Decimal(v) for k, v in d["money_scale"].items()},
    }


def _label(text: str) -> str | None:
    t = regex.sub(r"^其中\s*[:：]?", "", clean(text)).rstrip(":：")
    return t if t.startswith(_data()["rows"]) else None


def recognize(ctx: Context) -> list[Candidate]:
    cells = tables.stream(ctx)
    d = _data()
    out: list[Candidate] = []
    i = 0
    while i < len(cells):
        cols, k = [], i
        while k < len(cells) and clean(cells[k].text) in d["columns"]:
            cols.append(d["columns"][clean(cells[k].text)])
            k += 1
        if len(cols) < 3 or not set(cols) & set(_MONEY):
            i += 1
            continue
        unit = tables.table_unit(ctx, cells[k - 1].end) or tables.table_unit(ctx, cells[i].start)
        i = _rows(ctx, cells, k, cols, unit, out)
    return out


def _rows(ctx: Context, cells: list[Cell], k: int, cols: list[str], unit: str | None,
          out: list[Candidate]) -> int:
    d = _data()
    n = len(cells)
    # skip other label cells before the first row (资金情况(万元) …) but not far
    while k < n and _label(cells[k].text) is None and k < n and not cells[k].prose:
        if d["number"].fullmatch(cells[k].text) or d["percent"].fullmatch(cells[k].text):
            break
        k += 1
        if k > n:
            return k
    label = None
    while k < n:
        c = cells[k]
        lab = _label(c.text)
        if lab is None and label is None:
            return k
        if lab is not None:
            label = lab
            k += 1
            continue
        vals: list[Cell | None] = []
        while k < n and _label(cells[k].text) is None and len(vals) < len(cols):
            t = cells[k].text.strip()
            if d["empty"].fullmatch(t):
                vals.append(None)
            elif d["number"].fullmatch(t) or d["percent"].fullmatch(t):
                vals.append(cells[k])
            else:
                break
            k += 1
        if not vals:
            return k
        _assign(ctx, label, vals, cols, unit, out)
        label = None
    return k


def _assign(ctx: Context, label: str, vals: list, cols: list[str], unit: str | None, out: list[Candidate]) -> None:
    d = _data()
    rate_at = next((i for i, v in enumerate(vals) if v is not None and d["percent"].fullmatch(v.text)), None)
    placed: dict[str, Cell] = {}
    if len(vals) == len(cols):  # every column written (— for an empty one): nothing to guess
        placed = {col: v for col, v in zip(cols, vals) if v is not None}
    elif rate_at is not None and "rate" in cols:
        r = cols.index("rate")
        before, after = vals[:rate_at], vals[rate_at + 1:]
        head, tail = cols[:r], cols[r + 1:]
        if len(before) < len(head) and head and head[-1] == "weight" and before:
            placed_weight = before[-1]
            before = before[:-1]
            if placed_weight is not None:
                placed["weight"] = placed_weight
            head = head[:-1]
        for col, v in zip(head, before):
            if v is not None:
                placed[col] = v
        for col, v in zip(tail, after):
            if v is not None:
                placed[col] = v
        placed["rate"] = vals[rate_at]
    elif rate_at is None:
        for col, v in zip(cols, vals):
            if v is not None and col in _MONEY:
                placed[col] = v
    for col, cell in placed.items():
        text = cell.text
        if col == "rate":
            m = d["percent"].fullmatch(text) or d["number"].fullmatch(text)  # 88.91 under 执行率(%)
            if m is None:
                continue
            out.append(Candidate("percentages", cell.start, cell.end, "funding.rate",
                                 {"value": Decimal(m.group("num")), "qualifier": "exact",
                                  "role": "execution_rate"}, 30))
        elif col in ("weight", "score"):
            if d["number"].fullmatch(text):
                out.append(Candidate("scores", cell.start, cell.end, "funding." + col,
                                     {"value": Decimal(text.replace(",", "")),
                                      "kind": "max" if col == "weight" else "indicator"}, 30))
        elif unit in d["scale"] and d["number"].fullmatch(text):
            value = Decimal(text.replace(",", ""))
            out.append(Candidate("amounts", cell.start, cell.end, "funding.money",
                                 {"value_yuan": value * d["scale"][unit], "unit": unit, "qualifier": "exact",
                                  "role": row_role(label, "amounts", col) or col}, 30))
