"""Indicator records: one per 三级指标 of a 绩效自评表, with its target, actual, weight and score.

Rows come from the tables stage (extract/tables/indicator_table.py: any flattening, OCR included);
here a row becomes a record — target and actual read as comparison, number and unit, `met` judged —
and its weight and score become score facts (kind max and indicator), as do the level weights
(产出指标(50分)) and the table's total row. Two prose forms are read here as well:

| form                                                                | record                                  |
|---------------------------------------------------------------------|-----------------------------------------|
| 1.数量指标：培训人次≥500人次，实际完成620人次，得10分。             | 培训人次, target ≥500 人次, actual 620, score 10 |
| (1)管理制度健全(4分) … 自评得4分。                                  | 管理制度健全, weight 4, score 4          |
"""

from __future__ import annotations

import dataclasses

import bisect
import functools
from decimal import Decimal

import regex

from .. import patterns, tables
from ..context import Candidate, Context
from ..tables import Cell
from . import gated_finditer

_SPACES = regex.compile(r"\s+")
_NUMBER = regex.compile(r"\d[\d,.]*")
_RULES = {"table": ("indicator.table_row", "indicator.table_weight", "indicator.table_score"),
          "glued": ("indicator.glued_row", "indicator.glued_weight", "indicator.glued_score"),
          "glued_text": ("indicator.glued_text_row", "indicator.glued_weight", "indicator.glued_score")}


@functools.cache
def _data():
    d = patterns.load("tables")
    return {
        "value": regex.compile(d["indicator_value"]),
        "ops": patterns.lookup(d["indicator_ops"]),
        "points": regex.compile(d["indicator_points_cell"]),
        "ocr_digits": str.maketrans(d["ocr_digits"]),
        "prose_row": patterns.LazyPattern(patterns.expand(d["indicator_prose_row"], {
            "LEVEL2": patterns.alternation(d["indicator_level2"]),
            "OP_WORDS": patterns.alternation([w for ws in d["indicator_op_words"].values() for w in ws])}),
            "indicator_prose_row", regex.M),
        "op_word": regex.compile(patterns.alternation([w for ws in d["indicator_op_words"].values() for w in ws])),
        "prose_qualitative": patterns.LazyPattern(patterns.expand(d["indicator_prose_qualitative"], {
            "LEVEL2": patterns.alternation(d["indicator_level2"])}), "indicator_prose_qualitative", regex.M),
        "prose_row_gate": (regex.compile(d["indicator_prose_row_requires"]), d["indicator_prose_row_window"]),
        "prose_qualitative_gate": (regex.compile(d["indicator_prose_qualitative_requires"]),
                                   d["indicator_prose_qualitative_window"]),
        "heading": regex.compile(d["indicator_heading"]),
        "prose_targets": patterns.LazyPattern(patterns.expand(d["indicator_prose_targets"], {
            "LEVEL2": patterns.alternation(d["indicator_level2"])}), "indicator_prose_targets", regex.M),
        "prose_target_item": regex.compile(d["indicator_prose_target_item"]),
        "level_tail": d["indicator_level_tail"],
        "level_words": frozenset(d["indicator_level1"]) | frozenset(d["indicator_level2"]),
        "prose_target_actual": patterns.LazyPattern(d["indicator_prose_target_actual"], "indicator_prose_target_actual",
                                                    regex.M),
        "prose_target_actual_gate": (regex.compile(d["indicator_prose_target_actual_requires"]),
                                     d["indicator_prose_target_actual_window"]),
        "prose_name_suffixes": tuple(d["indicator_prose_name_suffixes"]),
        "section_score": regex.compile(d["indicator_section_score"]),
        "op_words": patterns.lookup(d["indicator_op_words"]),
    }


def recognize(ctx: Context) -> list[Candidate]:
    """Indicator records and the scores of their tables."""
    out: list[Candidate] = []
    names = _Spans()
    rows = list(tables.indicator_rows(ctx))
    for i, row in enumerate(rows):
        if row.kind == "indicator" and names.overlaps(row.label.start, row.label.end):
            continue  # the same row read twice (a cell table and an OCR reading of it): keep the first
        if row.kind == "indicator" and _subtotal(rows, i):
            row = dataclasses.replace(row, kind="level")
        if row.kind == "indicator":
            names.add(row.label.start, row.label.end)
        out.extend(_from_row(ctx, row))
    out.extend(c for c in _prose(ctx) + _headings(ctx) if not names.overlaps(c.start, c.end))
    return out


class _Spans:
    """Spans that never overlap one another, kept sorted: whether a new one overlaps any is a binary
    search, not a scan (a table of 30,000 rows is read in linear time)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end)   # the spans that start before `end` …
        return i > 0 and self.ends[i - 1] > start    # … the last of them is the only one that can reach it

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def _points(cell: Cell) -> Decimal:
    """The number in a weight or score cell; 1O (OCR's letter O) in a glued table is 10."""
    return Decimal(_data()["points"].fullmatch(cell.text.translate(_data()["ocr_digits"])).group("num"))


def _subtotal(rows: list[tables.Row], i: int) -> bool:
    """Row i is named only by a level (决策指标 | 20 | 18, or 指标 once 决策 went to level1), holds numbers but
    no target or actual, and the next row is an indicator under that level: a dimension's subtotal, not an
    indicator. (A level-named row with no rows under it — 投入 | 20 | 16.42 in a table of dimensions, 经济效益
    | 10 | 9 under 项目效益 — is the table's own indicator and stays one.)"""
    row = rows[i]
    if {"target", "actual"} & set(row.cells) or "weight" not in row.cells or i + 1 >= len(rows):
        return False
    d = _data()
    tail = d["level_tail"]
    name = _SPACES.sub("", row.label.text)
    word = (row.level2 or row.level1) if name == tail else name
    if not word:
        return False
    word = word.removesuffix(tail)
    if name != tail and word not in d["level_words"] and word + tail not in d["level_words"]:
        return False
    nxt = rows[i + 1]
    return nxt.kind == "indicator" and word in {(lv or "").removesuffix(tail) for lv in (nxt.level1, nxt.level2)}


def _from_row(ctx: Context, row: tables.Row) -> list[Candidate]:
    if row.kind == "level":
        w = row.cells["weight"]
        out = [_score(w.start, w.end, _points(w), "max", "indicator.level_weight")]
        if (sc := row.cells.get("score")) is not None:   # a dimension's score (投入 | 20 | 18)
            out.append(_score(sc.start, sc.end, _points(sc), "indicator", "indicator.level_score"))
        return out
    if row.kind == "total":
        kinds = (("weight", "max"), ("score", "total"))
        return [_score(c.start, c.end, _points(c), kind, "indicator.total_row")
                for col, kind in kinds if (c := row.cells.get(col)) is not None]
    rule, weight_rule, score_rule = _RULES[row.how]
    got = row.cells
    target = _value(ctx, got["target"], got.get("op"), got.get("unit")) if "target" in got else None
    actual = _value(ctx, got["actual"], None, got.get("unit")) if "actual" in got else None
    data = {"name": _SPACES.sub("", row.label.text), "level1": row.level1, "level2": row.level2,
            "target": target, "actual": actual, "weight": None, "score": None,
            "deviation": got["deviation"].text if "deviation" in got else None,
            "met": met(target, actual, row.level2)}
    out = []
    for col, kind, r in (("weight", "max", weight_rule), ("score", "indicator", score_rule)):
        if col in got:
            c = got[col]
            data[col] = _points(c)
            m = _data()["points"].fullmatch(c.text.translate(_data()["ocr_digits"]))
            out.append(_score(c.start + m.start("num"), c.start + m.end(), data[col], kind, r))
    out.append(Candidate("indicators", row.label.start, row.label.end, rule, data))
    return out


def _value(ctx: Context, cell: Cell, op_cell: Cell | None = None, unit_cell: Cell | None = None) -> dict:
    """An IndicatorValue (normalized offsets) from a target/actual cell and its op/unit cells."""
    d = _data()
    data = {"start": cell.start, "end": cell.end, "op": None, "value": None, "unit": None}
    m = d["value"].fullmatch(ctx.text, cell.start, cell.end)
    if m:
        data["op"] = d["ops"].get(m.group("op")) if m.group("op") else None
        data["value"] = Decimal(m.group("num").replace(",", ""))
        data["unit"] = m.group("unit")
    if op_cell is not None and data["op"] is None:
        data["op"] = d["ops"].get(_SPACES.sub("", op_cell.text))
    if unit_cell is not None and data["unit"] is None and data["value"] is not None:
        data["unit"] = _SPACES.sub("", unit_cell.text)
    return data


def met(target: dict | None, actual: dict | None, level2: str | None) -> bool | None:
    """Whether the actual value meets the target; None when either is qualitative or units differ.

    | target   | actual | met   |
    |----------|--------|-------|
    | ≥90 %    | 96 %   | True  |
    | ≤4800 元 | 5160 元| False |
    | 100 %    | 100 %  | True  (no sign, but the value is the target)               |
    | 5 %      | 2 %    | None  (no sign: whether less is better is not written)     |
    """
    if not target or not actual or target["value"] is None or actual["value"] is None:
        return None
    if target["unit"] != actual["unit"]:
        return None
    t, a = target["value"], actual["value"]
    if target["op"] is None:  # no sign written: whether more is better is not said (投诉率 5% vs 2%)
        return True if a == t else None
    return {"≥": a >= t, "≤": a <= t, "=": a == t, ">": a > t, "<": a < t}[target["op"]]


def _prose(ctx: Context) -> list[Candidate]:
    """Indicator sentences: …建档率：目标值≥90%，实际完成93.6%，得10分 (target named), 1.数量指标：培训人次≥500人次，
    实际完成620人次，得10分 (target after the name), a qualitative one with its score, a level's target list."""
    d = _data()
    out = []
    taken: list[tuple[int, int]] = []
    for m in gated_finditer(ctx.text, d["prose_target_actual"], *d["prose_target_actual_gate"], ctx.cache):
        lead = m.group("lead")
        by_lead = lead is not None and not (tables.is_level_word(lead) or tables.is_level_word(lead + d["level_tail"]))
        ns, ne = (m.start("lead"), m.end("lead")) if by_lead else (m.start("name"), m.end("name"))
        if any(s < ne and ns < e for s, e in taken):
            continue
        target, actual = _span_value(ctx, m, "target"), _span_value(ctx, m, "actual")
        score = Decimal(m.group("score")) if m.group("score") else None
        weight = Decimal(m.group("weight")) if m.group("weight") else None
        level2 = lead if lead is not None and not by_lead else None
        data = {"name": _SPACES.sub("", ctx.text[ns:ne]), "level1": None, "level2": level2, "target": target,
                "actual": actual, "weight": weight, "score": score, "deviation": None, "met": met(target, actual, level2)}
        if score is not None:
            out.append(_score(m.start("score"), m.end("score"), score, "indicator", "indicator.prose_score"))
        if weight is not None:
            out.append(_score(m.start("weight"), m.end("weight"), weight, "max", "indicator.prose_weight"))
        out.append(Candidate("indicators", ns, ne, "indicator.prose_target_actual", data))
        taken.append((ns, ne))
    for m in gated_finditer(ctx.text, d["prose_row"], *d["prose_row_gate"], ctx.cache):
        if any(s < m.end("name") and m.start("name") < e for s, e in taken):
            continue
        target = _span_value(ctx, m, "target")
        if m.group("level2") is None and target["op"] is None:
            continue  # 文物保护92.6万元，完成3处…: no level and no comparison, not an indicator line
        actual = _span_value(ctx, m, "actual")
        score = Decimal(m.group("score")) if m.group("score") else None
        wgroup = "weight" if m.group("weight") else "weight_before"
        weight = Decimal(m.group(wgroup)) if m.group(wgroup) else None
        name_end = m.end("name")
        for suffix in d["prose_name_suffixes"]:  # 特困人员救助供养人数目标值≥420人
            if ctx.text[m.start("name"):name_end].endswith(suffix) and name_end - len(suffix) - m.start("name") >= 2:
                name_end -= len(suffix)
                break
        data = {"name": _SPACES.sub("", ctx.text[m.start("name"):name_end]), "level1": None, "level2": m.group("level2"),
                "target": target, "actual": actual, "weight": weight, "score": score, "deviation": None,
                "met": met(target, actual, m.group("level2"))}
        if score is not None:
            out.append(_score(m.start("score"), m.end("score"), score, "indicator", "indicator.prose_score"))
        if weight is not None:
            out.append(_score(m.start(wgroup), m.end(wgroup), weight, "max", "indicator.prose_weight"))
        out.append(Candidate("indicators", m.start("name"), name_end, "indicator.prose_row", data))
    taken = [(c.start, c.end) for c in out if c.type == "indicators"]
    for m in gated_finditer(ctx.text, d["prose_qualitative"], *d["prose_qualitative_gate"], ctx.cache):
        if any(s < m.end("name") and m.start("name") < e for s, e in taken):
            continue
        score = Decimal(m.group("score"))
        data = {"name": _SPACES.sub("", m.group("name")), "level1": None, "level2": m.group("level2"),
                "target": None, "actual": None, "weight": None, "score": score, "deviation": None, "met": None}
        out.append(_score(m.start("score"), m.end("score"), score, "indicator", "indicator.prose_score"))
        out.append(Candidate("indicators", m.start("name"), m.end("name"), "indicator.prose_qualitative", data))
    taken = [(c.start, c.end) for c in out if c.type == "indicators"]
    for line in d["prose_targets"].finditer(ctx.text):
        # 社会效益指标:受益人口数≥36人;集中供水率≥95%。: a line of a level's targets, one per item
        level2 = line.group("level2")
        for m in d["prose_target_item"].finditer(ctx.text, line.start("items"), line.end("items")):
            if any(s < m.end("name") and m.start("name") < e for s, e in taken):
                continue
            target = _span_value(ctx, m, "target")
            data = {"name": _SPACES.sub("", m.group("name")), "level1": None, "level2": level2,
                    "target": target, "actual": None, "weight": None, "score": None, "deviation": None, "met": None}
            out.append(Candidate("indicators", m.start("name"), m.end("name"), "indicator.prose_target", data))
    return out


def _span_value(ctx: Context, m: regex.Match, group: str) -> dict:
    start, end = m.start(group), m.end(group)
    while end > start and ctx.text[end - 1].isspace():
        end -= 1
    cell = Cell(start, end, ctx.text[start:end], 0, 0, 1)  # a phrase of prose read as a cell
    value = _value(ctx, cell)
    if value["op"] is None:  # 不低于 / 达到 are words, not signs
        word = _data()["op_word"].match(cell.text)
        if word:
            value["op"] = _data()["op_words"][word.group()]
            rest = _NUMBER.search(cell.text)
            value["value"] = Decimal(rest.group().replace(",", "")) if rest else None
            unit = cell.text[rest.end():].strip() if rest else ""
            value["unit"] = unit or None
    return value


def _headings(ctx: Context) -> list[Candidate]:
    """A leaf heading with its weight, (1)管理制度健全(4分), and the score its section states."""
    d = _data()
    out = []
    heads = ctx.structure.headings
    for i, h in enumerate(heads):
        if i + 1 < len(heads) and heads[i + 1].level > h.level and heads[i + 1].start < h.end:
            continue  # not a leaf: its children are the indicators
        line_end = ctx.text.find("\n", h.start)
        line_end = len(ctx.text) if line_end < 0 else line_end
        title_at = ctx.text.find(h.title, h.start, line_end)
        if title_at < 0:
            continue
        m = d["heading"].search(ctx.text, title_at, line_end)
        if m is None or m.start() != title_at or tables.is_level_word(m.group("name")):
            continue  # (三)满意度指标(20分) is a level: its indicators are inside it
        scores = list(d["section_score"].finditer(ctx.text, line_end, h.end))
        if len(scores) != 1:
            continue  # none, or several (sub-items the structure did not see as headings): unsure
        weight, score = Decimal(m.group("w")), Decimal(scores[0].group("s"))
        if score > weight:
            continue
        parents = [p for p in heads[:i] if p.start <= h.start < p.end and p.level < h.level]
        levels = [tables.level_label(p.title) for p in parents]
        data = {"name": _SPACES.sub("", m.group("name")), "level1": levels[0] if levels else None,
                "level2": levels[-1] if len(levels) > 1 else None, "target": None, "actual": None,
                "weight": weight, "score": score, "deviation": None, "met": None}
        out.append(Candidate("indicators", m.start("name"), m.end("name"), "indicator.heading", data))
    return out


def _score(start: int, end: int, value: Decimal, kind: str, rule: str) -> Candidate:
    return Candidate("scores", start, end, rule, {"value": value, "kind": kind}, 40)
