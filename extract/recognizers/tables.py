"""Tables flattened into text: bare numbers take their unit, type and role from the header row.

A table is a header row (cells of words, no bare numbers) followed by rows with the same number of
cells, cells separated by | or tabs. A short line without separators inside a table is a wrapped
cell and does not end it. Roles come from the header cell; in the budget columns of the standard
funding block the row label wins (其中：当年财政拨款 | 612.35 is appropriation).
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from decimal import Decimal

import regex

from .. import patterns
from ..context import Candidate, Context, nearest_cue
from ..structure import lines


_HAN = regex.compile(r"\p{Han}")
_ROW_PREFIX = regex.compile(r"^\s*(?:其中)?[:：\s]*")


@dataclass(frozen=True, slots=True)
class Cell:
    start: int
    end: int
    header: str
    row_label: str
    unit: str | None      # the table's unit from a 单位：万元 line


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
        "row_roles": d["row_roles"],
        "row_overrides": frozenset(d["row_overrides"]),
        "row_all": d["row_roles_all_columns"],
        "total_rows": tuple(d["total_rows"]),
    }


def _split(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """(start, end) of each cell of the line text[a:b], stripped; no empty first cell (|a|b)."""
    out, pos = [], a
    for m in _data()["sep"].finditer(text, a, b):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, b))
    stripped = []
    for s, e in out:
        raw = text[s:e]
        s2 = s + len(raw) - len(raw.lstrip())
        stripped.append((s2, max(s2, e - (len(raw) - len(raw.rstrip())))))
    if stripped and stripped[0][0] == stripped[0][1] and text[a:b].lstrip().startswith("|"):
        stripped.pop(0)
    return stripped


def _is_header(text: str, row) -> bool:
    d = _data()
    han = sum(1 for s, e in row if _HAN.search(text, s, e))
    numbers = sum(1 for s, e in row if d["number"].fullmatch(text, s, e))
    return len(row) >= 2 and numbers == 0 and han * 2 >= len(row)


def cells(ctx: Context) -> list[Cell]:
    """Every data cell under a header row; computed once per text."""
    cached = ctx.cache.get("table_cells")
    if cached is None:
        cached = ctx.cache["table_cells"] = list(_cells_under_headers(ctx.text))
    return cached


def cell_at(ctx: Context, pos: int) -> Cell | None:
    """The table cell containing normalized position pos, if any."""
    found = cells(ctx)
    if not found:
        return None
    starts = ctx.cache.get("table_starts")
    if starts is None:
        starts = ctx.cache["table_starts"] = [c.start for c in found]
    i = bisect.bisect_right(starts, pos) - 1
    if i >= 0 and found[i].start <= pos < max(found[i].end, found[i].start + 1):
        return found[i]
    return None


def _cells_under_headers(text: str):
    d = _data()
    header: list[str] | None = None
    table_unit = None
    recent_unit: tuple[int, str] | None = None
    for n, (a, b) in enumerate(lines(text)):
        line = text[a:b]
        m = d["unit_line"].search(line)
        if m:
            recent_unit = (n, m.group("unit"))
        if "|" not in line and "\t" not in line:
            if len(line.strip()) > 30 or line.rstrip().endswith("。"):
                header = None  # prose: the table is over (a short line is a wrapped cell)
            continue
        row = _split(text, a, b)
        if _is_header(text, row):
            header = [text[s:e] for s, e in row]
            table_unit = recent_unit[1] if recent_unit and n - recent_unit[0] <= 3 else None
            continue
        if header is None or len(row) < len(header):
            continue
        while len(row) > len(header) and row[-1][0] == row[-1][1]:
            row = row[:-1]  # a trailing separator: 10|10|
        if len(row) != len(header):
            continue
        label = text[row[0][0]:row[0][1]]
        for (s, e), head in zip(row, header):
            yield Cell(s, e, head, label, table_unit)


def recognize(ctx: Context) -> list[Candidate]:
    d = _data()
    out = []
    for cell in cells(ctx):
        if d["number"].fullmatch(ctx.text, cell.start, cell.end):
            c = _candidate(ctx, cell)
            if c is not None:
                out.append(c)
    return out


def role_of(ctx: Context, cell: Cell, kind: str) -> str | None:
    """The role a table cell's header (and, for budget columns, its row label) gives it."""
    from ..roles import cue_table

    d = _data()
    label = d["header_unit"].sub("", cell.header)
    cue = nearest_cue(label, 0, len(label), cue_table(kind))
    role = cue[0] if cue else None
    if role is None and kind == "percentages" and label.endswith(d["percent"]):
        return "other"  # the column is a rate of its own (得分率): the row label does not say what it is
    row = _ROW_PREFIX.sub("", cell.row_label)
    if kind == "amounts":
        for word, row_role in d["row_all"].items():
            if row.startswith(word):
                return row_role
    if kind == "amounts" and (role is None or role in d["row_overrides"]):
        for word, row_role in d["row_roles"].items():
            if row.startswith(word):
                return row_role
    return role


def _candidate(ctx: Context, cell: Cell) -> Candidate | None:
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
    unit = unit or cell.unit
    if unit in d["scale"]:
        return Candidate("amounts", s, e, "table.money",
                         {"value_yuan": value * d["scale"][unit], "unit": unit, "qualifier": "exact",
                          "role": role_of(ctx, cell, "amounts") or "other"}, 50)
    return None
