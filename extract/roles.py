"""Roles: what each amount and percentage is, from the cue words before it (patterns/roles.yaml).

| text                                     | role             |
|------------------------------------------|------------------|
| 上年结转资金60.28万元                     | carryover        |
| 全年实际支出项目经费预算资金156.99万元    | expenditure      |
| 签约项目100个、签约总额451亿元            | contract_signed  |
| 分别同比增长32%、3.5%                     | growth_yoy (both)|
| 其他资金20万元                            | other            |
"""

from __future__ import annotations

import functools

import regex

from . import patterns, tables
from .context import Candidate, Context, nearest_cue

_LIST_GAP = regex.compile(r"[、，,和及与\s]*")


@functools.cache
def cue_table(kind: str) -> dict[str, str]:
    """cue word -> role for 'amounts' or 'percentages'."""
    spec = patterns.load("roles")[kind]
    return patterns.lookup({role: s["cues"] for role, s in spec.items()})


@functools.cache
def fallback_table(kind: str) -> dict[str, str]:
    """The cue table for looking beyond the number's own clause: without the cues that say what a
    number is only right before it (执行76.52万元, but not 执行区防指的决策，……拨付经费96.84万元)."""
    spec = patterns.load("roles")[kind]
    return patterns.lookup({role: [w for w in s["cues"] if w not in set(s.get("clause_only") or ())]
                            for role, s in spec.items()})


@functools.cache
def priority_tables(kind: str) -> tuple[dict[str, str], ...]:
    """Cue tables of the roles with a priority, highest first: each wins anywhere in the clause."""
    spec = patterns.load("roles")[kind]
    levels = sorted({s["priority"] for s in spec.values() if s.get("priority")}, reverse=True)
    return tuple(patterns.lookup({role: s["cues"] for role, s in spec.items() if s.get("priority") == p})
                 for p in levels)


def assign(ctx: Context, facts: list[Candidate], kind: str) -> None:
    """Set data['role'] on every fact of `kind` in `facts` (all numeric facts, sorted by start).

    The look-back window starts after the previous numeric fact of any type, so the cue of one
    number is never reused for the next (其中财政拨款80万元，其他资金20万元).
    """
    table, ranked, wide = cue_table(kind), priority_tables(kind), fallback_table(kind)
    prev_end = 0
    prev_same: Candidate | None = None
    for c in facts:
        if c.type == kind and c.data.get("role"):
            prev_same = c  # set by its recognizer (a table header)
        elif c.type == kind:
            role = None
            lo = ctx.clause_start(c.start, prev_end)
            cue = next((hit for t in ranked if (hit := ctx.cue(t, lo, c.start))), None) or ctx.cue(table, lo, c.start)
            if cue:
                role = cue[0]
            elif prev_same is not None and _LIST_GAP.fullmatch(ctx.text, prev_same.end, c.start):
                role = prev_same.data.get("role")  # 分别同比增长32%、3.5%
            elif (cell := tables.cell_at(ctx, c.start)) is not None and (
                role := role_of(ctx, cell, kind)
            ):
                pass  # a table cell: its header (or row label) says
            else:
                # the row so far (an indicator table: 签约企业满意度|≥90%|93.5%), then the sentence
                line_start = ctx.text.rfind("\n", 0, c.start) + 1
                cue = ctx.cue(wide, max(line_start, prev_end), c.start)
                if cue is None and (cell is not None or "|" in ctx.text[line_start:c.start]):
                    cue = ctx.cue(wide, line_start, c.start)
                if cue is None:
                    cue = ctx.cue(wide, max(ctx.sentence_start(c.start), prev_end), c.start)
                role = cue[0] if cue else None
            c.data["role"] = role or "other"
            prev_same = c
        if c.type != "counts":   # 年初批复预算6个项目726万元: a count between cue and amount does not end the look-back
            prev_end = c.end


@functools.cache
def _table_roles():
    d = patterns.load("tables")
    return {
        "header_unit": regex.compile(d["header_unit"]),
        "percent": tuple(d["percent_headers"]),
        "row_roles": d["row_roles"],
        "row_overrides": frozenset(d["row_overrides"]),
        "row_all": d["row_roles_all_columns"],
        "row_prefix": regex.compile(d["row_prefix"]),
    }


def role_of(ctx: Context, cell: tables.GridCell, kind: str) -> str | None:
    """The role a table cell's header (and, for budget columns, its row label) gives it."""
    d = _table_roles()
    label = d["header_unit"].sub("", cell.header)
    cue = nearest_cue(label, 0, len(label), cue_table(kind))
    role = cue[0] if cue else None
    if role is None and kind == "percentages" and label.endswith(d["percent"]):
        return "other"  # the column is a rate of its own (得分率): the row label does not say what it is
    return row_role(cell.row_label, kind, role)


def row_role(row_label: str, kind: str, role: str | None) -> str | None:
    """In a funding block the row says what the money is (其中：当年财政拨款 | 612.35 is appropriation)."""
    if kind != "amounts":
        return role
    d = _table_roles()
    row = d["row_prefix"].sub("", row_label).lstrip(":： ")
    for word, r in d["row_all"].items():
        if row.startswith(word):
            return r
    if role is None or role in d["row_overrides"]:
        for word, r in d["row_roles"].items():
            if row.startswith(word):
                return r
    return role
