"""The funding block of a 绩效自评表, rebuilt into rows: each funding row's cells by column.

| header cells                                              | row                                  |
|-----------------------------------------------------------|--------------------------------------|
| 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 | 年度资金总额 | 412958.46 | 412958.46 | 10 | 100% | 10 |

A row with a value (or —) in every column is read as it stands. Otherwise the execution-rate cell
(the one with %) anchors the row: money columns are filled from the left before it, the weight
(分值) is the value just before it when a column is empty, and the score follows it. Without a rate,
only the money columns are filled, from the left. The unit comes from the block's label
(资金情况(万元), 项目资金 (元)) or a 单位：万元 line.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from dataclasses import dataclass
from decimal import Decimal

import regex

from .. import patterns
from ..context import Context
from ..numbers import matches_stated
from .stream import Cell, clean, stream, table_unit

MONEY_COLUMNS = ("budget_initial", "budget_adjusted", "expenditure")


@dataclass(frozen=True, slots=True)
class FundingRow:
    label: str                 # 年度资金总额, 本年财政拨款 … (after 其中：)
    cells: dict[str, Cell]     # budget_initial, budget_adjusted, expenditure, weight, rate, score
    # (a rate whose % sat in a cell of its own carries it in its text: the span is the number)
    unit: str | None           # 万元, 元 … of the money columns


@functools.cache
def _data():
    d = patterns.load("tables")
    return {
        "columns": patterns.lookup(d["funding_columns"]),
        "rows": tuple(d["funding_rows"]),
        "row_suffixes": tuple(d["funding_row_suffixes"]),
        "row_prefix": regex.compile(d["row_prefix"]),
        "unit_only": regex.compile(d["unit_only_cell"]),
        "empty": regex.compile(d["empty_cell"]),
        "number": regex.compile(d["number_cell"]),
        "money": regex.compile(d["funding_money_cell"]),
        "points": regex.compile(d["funding_points_cell"]),
        "percent": regex.compile(r"\d+(?:\.\d+)?\s*%"),
        "prefixes": frozenset(d["funding_column_prefixes"]),
    }


def _label(text: str) -> str | None:
    t = _data()["row_prefix"].sub("", clean(text)).rstrip(":：")
    if t.startswith(_data()["rows"]) or (len(t) <= 10 and t.endswith(_data()["row_suffixes"])):
        return t
    return None


def funding_rows(ctx: Context) -> list[FundingRow]:
    """Every row of every funding block in the text."""
    cells = stream(ctx)
    d = _data()
    out: list[FundingRow] = []
    i = 0
    while i < len(cells):
        cols, k = [], i
        while k < len(cells):
            word = clean(cells[k].text)
            if word in d["prefixes"] and k + 1 < len(cells) and word + clean(cells[k + 1].text) in d["columns"]:
                cols.append(d["columns"][word + clean(cells[k + 1].text)])   # 年初 | 预算数: one header split in two
                k += 2
            elif word in d["columns"]:
                cols.append(d["columns"][word])
                k += 1
            else:
                break
        if len(cols) < 3 or not set(cols) & set(MONEY_COLUMNS):
            i = max(i + 1, k)  # no block starts inside a run of column words that is not one
            continue
        # the unit before the header, or in the label column just below it (项目资金 / （万元）)
        unit = table_unit(ctx, cells[k - 1].end) or table_unit(ctx, cells[i].start) or table_unit(
            ctx, min(len(ctx.text), cells[k - 1].end + 200), reach=200)
        i = _rows(cells, k, cols, unit, out)
    return out


def _rows(cells: list[Cell], k: int, cols: list[str], unit: str | None, out: list[FundingRow]) -> int:
    d = _data()
    n = len(cells)
    # other label cells before the first row (资金情况(万元) …) are skipped, but only a few
    start = k
    while k < n and k - start < 3 and _label(cells[k].text) is None and not cells[k].prose:
        if d["number"].fullmatch(cells[k].text) or d["percent"].fullmatch(cells[k].text):
            break
        k += 1
    label = None
    while k < n:
        lab = _label(cells[k].text)
        if lab is None and label is None and d["unit_only"].fullmatch(cells[k].text):
            k += 1  # （万元） wrapped below the block's label: not a row
            continue
        if lab is None and label is None:
            return k
        if lab is not None:
            label = lab
            k += 1
            continue
        vals: list[Cell | None] = []
        row_line = cells[k - 1].line if k else -1
        while k < n and _label(cells[k].text) is None and len(vals) < len(cols):
            t = cells[k].text.strip()
            if cells[k].framed and cells[k].line == row_line and vals is not None:
                vals.extend([None] * cells[k].gap)  # | 50 | 48 | 45 | | 93.75% |: the empty 分值 keeps its place
            if t == "%" and vals and vals[-1] is not None and d["number"].fullmatch(vals[-1].text):
                # % in a cell of its own (100 | %): the number before it is the rate
                vals[-1] = dataclasses.replace(vals[-1], text=vals[-1].text + "%")
                k += 1
                continue
            if d["empty"].fullmatch(t):
                vals.append(None)
            elif d["number"].fullmatch(t) or d["percent"].fullmatch(t) or d["money"].fullmatch(t):
                vals.append(cells[k])
            else:
                break
            k += 1
        if not vals:
            return k
        out.append(FundingRow(label, _place(vals, cols), unit))
        label = None
    return k


def _place(vals: list[Cell | None], cols: list[str]) -> dict[str, Cell]:
    d = _data()
    rate_at = next((i for i, v in enumerate(vals) if v is not None and d["percent"].fullmatch(v.text)), None)
    placed: dict[str, Cell] = {}
    if len(vals) == len(cols):  # every column written (— for an empty one): nothing to guess
        placed = {col: v for col, v in zip(cols, vals) if v is not None}
        if rate_at is not None and "rate" in placed and placed["rate"] is not vals[rate_at]:
            return {}   # the row's % is not under 执行率: the columns are not the ones read
        return placed
    if rate_at is not None and "rate" in cols:
        r = cols.index("rate")
        before, after = vals[:rate_at], vals[rate_at + 1:]
        head, tail = cols[:r], cols[r + 1:]
        if (len(before) < len(head) and head and head[-1] == "weight" and before
                and (before[-1] is None or d["points"].fullmatch(before[-1].text.strip()))):
            # the cell before the rate is the weight only if it reads as points (10, not 100万元)
            if before[-1] is not None:
                placed["weight"] = before[-1]
            before, head = before[:-1], head[:-1]
        if len(before) < len(head) and all(c in MONEY_COLUMNS for c in head):
            placed.update(_fewer_values(before, head, vals[rate_at]))
        else:
            placed.update((col, v) for col, v in zip(head, before) if v is not None)
        placed.update((col, v) for col, v in zip(tail, after) if v is not None)
        placed["rate"] = vals[rate_at]
    elif rate_at is None:
        placed.update((col, v) for col, v in zip(cols, vals) if v is not None and col in MONEY_COLUMNS)
    return placed


def _fewer_values(before: list[Cell | None], head: list[str], rate: Cell) -> dict[str, Cell]:
    """Fewer money values than money columns (年初 | 全年 | 执行 over 264815.50 | 264815.50 | 100%): a
    cell was left empty without a mark, and which one is not written. Every way of placing the values
    in their order is read; those whose expenditure ÷ budget gives the stated rate count, and a column
    is kept only where all of them put the same cell (100 | 95 | 95%: the expenditure 95; the budget
    may be 年初 or 全年 and is left out). No reading passes: nothing is placed."""
    stated = _number(rate.text)
    readings = []
    for at in itertools.combinations(range(len(head)), len(before)):
        reading = {head[i]: v for i, v in zip(at, before) if v is not None}
        exp, budget = reading.get("expenditure"), reading.get("budget_adjusted") or reading.get("budget_initial")
        if exp is None or budget is None or stated is None:
            continue
        b, e = _number(budget.text), _number(exp.text)
        if b and e is not None and matches_stated(e / b * 100, stated):
            readings.append(reading)
    if not readings:
        return {}
    values = {_number(v.text) for v in before if v is not None}
    if len(readings) > 1 and len(values) == 1:
        # one number in every cell (412958.46 | 412958.46 | 100%): whichever cell was left empty, the
        # columns in the form's order hold that number
        return {col: v for col, v in zip(head, before) if v is not None}
    return {col: v for col, v in readings[0].items() if all(r.get(col) is v for r in readings)}


def _number(text: str) -> Decimal | None:
    """The number of a money or rate cell (95, 1,163.52, 95%, 612.40万元), or None."""
    t = text.strip().replace(",", "").rstrip("%").strip()
    own = _data()["money"].fullmatch(t)
    try:
        return Decimal(own.group("num") if own else t)
    except ArithmeticError:
        return None
