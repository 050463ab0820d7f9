"""Facts of the funding block of a 绩效自评表: budget, spending, execution rate, weight and score.

The block's rows come from the tables stage (extract/tables/funding_block.py); here each placed
cell becomes a fact: money in the block's unit with the role its column (or, for the budget
columns, its row: 其中：当年财政拨款 is appropriation) gives, the rate as the execution rate, the
weight and score as scores.
"""

from __future__ import annotations

import functools
from decimal import Decimal

import regex

from .. import patterns, tables
from ..context import Candidate, Context
from ..roles import row_role

_RATE = regex.compile(r"(?P<num>\d+(?:\.\d+)?)\s*%?")


@functools.cache
def _scale() -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in patterns.load("tables")["money_scale"].items()}


def recognize(ctx: Context) -> list[Candidate]:
    out: list[Candidate] = []
    for row in tables.funding_rows(ctx):
        for col, cell in row.cells.items():
            c = _candidate(row, col, cell)
            if c is not None:
                out.append(c)
    return out


def run_together(ctx: Context, read: list[Candidate]) -> list[Candidate]:
    """Facts of the funding rows whose cells ran together (tables.funding_lines): each split cell is
    authoritative where it overlaps what a plain rule read in the run (161610100.00% is no rate). A row
    the funding block already read cell by cell (`read`) is left to it."""
    blocks = [(c.start, c.end) for c in read if c.rule.startswith("funding.")]
    out: list[Candidate] = []
    for row in tables.funding_lines(ctx):
        if any(s < cell.end and cell.start < e for cell in row.cells.values() for s, e in blocks):
            continue
        for col, cell in row.cells.items():
            c = _candidate(row, col, cell, "funding_line")
            if c is not None:
                out.append(c)
    return out


_MONEY_CELL = regex.compile(patterns.load("tables")["funding_money_cell"])
_POINTS = regex.compile(patterns.load("tables")["funding_points_cell"])


def _candidate(row: tables.FundingRow, col: str, cell: tables.Cell, rule: str = "funding") -> Candidate | None:
    text = cell.text.replace(",", "")
    if col == "rate":  # 100% in the cell, or 88.91 under 执行率(%)
        m = _RATE.fullmatch(text)
        return m and Candidate("percentages", cell.start, cell.end, rule + ".rate",
                               {"value": Decimal(m.group("num")), "qualifier": "exact",
                                "role": "execution_rate"}, 30)
    if "%" in text:
        return None
    if col in ("weight", "score"):
        if not _POINTS.fullmatch(text.strip()):
            return None   # not a number of points (100万元 placed there by a short row): no score
        return Candidate("scores", cell.start, cell.end, f"{rule}.{col}",
                         {"value": Decimal(text), "kind": "max" if col == "weight" else "indicator"}, 30)
    own = _MONEY_CELL.fullmatch(text) if col in tables.MONEY_COLUMNS else None
    unit = own.group("unit") if own else row.unit   # 612.40万元: the cell's own unit
    if col in tables.MONEY_COLUMNS and unit in _scale():
        return Candidate("amounts", cell.start, cell.end, rule + ".money",
                         {"value_yuan": Decimal(own.group("num") if own else text) * _scale()[unit], "unit": unit,
                          "qualifier": "exact", "role": row_role(row.label, "amounts", col) or col}, 30)
    return None
