"""Indicator rows of a 绩效自评表: one record per 三级指标, with its target, actual, weight and score.

The table is read from the tables stage's cell stream (extract/tables.py), whatever the flattening:
the header says which columns follow the indicator's name and in what order; level cells
(产出指标(50分), 数量指标) are written once and hold for the rows below; each row's cells are taken
in column order with type checks, so a missing comparison or unit cell, an empty deviation cell or
a row wrapped over several lines does not shift the columns.

| header (flattened)                                    | row                                   | record                     |
|-------------------------------------------------------|---------------------------------------|----------------------------|
| 三级指标 | 指标性质 | 指标值 | 度量单位 | 实际完成值 | 分值 | 得分 | 覆盖率 | ≧ | 100 | % | 95% | 5 | 4 | target ≥100 %, actual 95%, weight 5, score 4 |
| 三级指标 / 分值 / 年度指标值 / 全年实际值 / 得分      | 人数 / 6 / >=18462人 / 18537人 / 6    | weight 6, target ≥18462 人 |

OCR text that lost every separator (`目标内容22进度计划22…`) is read by `_glued`: a name, then the
weight and score run together, split where the score is not above the weight.

Besides indicator records this yields score facts: weights (kind max), scores (kind indicator),
level weights (产出指标(50分), kind max) and the table's total row.
"""

from __future__ import annotations

import dataclasses
import functools
from decimal import Decimal, InvalidOperation

import regex

from .. import patterns, tables
from ..context import Candidate, Context
from ..tables import Cell, clean as _clean, column_of

_VALUE_COLUMNS = ("target", "actual")
_NUMERIC_COLUMNS = ("weight", "score")
_SPACES = regex.compile(r"\s+")
_GLUED_REMARK = regex.compile(r"(?P<num>\d{1,3}(?:\.\d{1,2})?)\s*(?P<rest>\p{Han}.*)", regex.S)
_POINTS_IN_CELL = regex.compile(r"(?P<num>\d{1,3}(?:\.\d{1,2})?)\s*分(?=\s*[)）])")


@functools.cache
def _data():
    d = patterns.load("tables")
    ops = patterns.lookup(d["indicator_ops"])
    return {
        "columns": patterns.lookup(d["indicator_columns"]),
        "level1": frozenset(d["indicator_level1"]),
        "level2": frozenset(d["indicator_level2"]),
        "total": frozenset(d["indicator_total_rows"]),
        "end": frozenset(d["indicator_table_end"]),
        "value": regex.compile(d["indicator_value"]),
        "op_cell": regex.compile(d["indicator_op_cell"]),
        "unit_cell": regex.compile(d["indicator_unit_cell"]),
        "ops": ops,
        "points": regex.compile(d["indicator_points_cell"]),
        "level_weight": regex.compile(d["indicator_level_weight"]),
        "name_marker": regex.compile(d["indicator_name_marker"]),
        "level_prefix": regex.compile("(?:" + patterns.alternation(d["indicator_level1"] + d["indicator_level2"]) + ")"),
        "column_words": regex.compile(patterns.alternation(list(d["indicator_columns"]) and
                                                           [w for ws in d["indicator_columns"].values() for w in ws])),
        "glued_text_header": regex.compile(r"一级指标\s*二级指标\s*三级指标(?P<cols>.{0,40}?得分)"),
        "glued_text_row": regex.compile(d["indicator_glued_text_row"]),
        "prose_row": regex.compile(patterns.expand(d["indicator_prose_row"], {
            "LEVEL2": patterns.alternation(d["indicator_level2"])}), regex.M),
        "heading": regex.compile(d["indicator_heading"]),
        "section_score": regex.compile(d["indicator_section_score"]),
        "glued_header": regex.compile(
            r"一级指标\s*二级指标\s*三级指标\s*(?P<cols>(?:" + patterns.alternation(
                [w for k in ("weight", "score", "target", "actual") for w in d["indicator_columns"][k]])
            + r")+)"),
    }


def _header_at(cells: list[Cell], i: int) -> tuple[list[str], set[str], int] | None:
    """(value columns after the name, all columns, index after the header) of a header starting at i."""
    kinds, k = [], i
    while k < len(cells) and (kind := column_of(cells[k].text)) is not None:
        kinds.append(kind)
        k += 1
    if "name" not in kinds or not {"weight", "score", "target", "actual"} & set(kinds):
        return None
    last = len(kinds) - 1 - kinds[::-1].index("name")
    after = [c for c in kinds[last + 1:] if c not in ("name", "level1", "level2")]
    before = [c for c in kinds[:last] if c not in ("name", "level1", "level2")]
    cols = after + [c for c in before if c not in after]
    return cols, set(kinds), k


def _level(text: str, cells: list[Cell], i: int, has: set[str]):
    """('level1'|'level2', label, weight match) when the cell is a level cell of this table."""
    d = _data()
    t = _SPACES.sub("", text)
    m = d["level_weight"].fullmatch(t)
    label = (m.group("label") if m else t).removesuffix("等")  # 服务对象满意度指标等
    in1 = label in d["level1"] and "level1" in has
    in2 = label in d["level2"] and "level2" in has
    if in1 and in2:
        nxt = _SPACES.sub("", cells[i + 1].text) if i + 1 < len(cells) else ""
        nxt = (d["level_weight"].fullmatch(nxt) or [None, nxt])[1] if nxt else nxt
        return ("level1" if nxt in d["level2"] else "level2"), label, m
    if in1:
        return "level1", label, m
    if in2:
        return "level2", label, m
    return None


def _points(ctx: Context, cell: Cell) -> tuple[Decimal, int, int] | None:
    m = _data()["points"].fullmatch(ctx.text, cell.start, cell.end)
    if m is None:
        return None
    return Decimal(m.group("num")), m.start("num"), m.end()


def _value(ctx: Context, cell: Cell, op_cell: Cell | None = None, unit_cell: Cell | None = None) -> dict:
    """An IndicatorValue (normalized offsets) from a target/actual cell and its op/unit cells."""
    d = _data()
    data = {"start": cell.start, "end": cell.end, "op": None, "value": None, "unit": None}
    m = d["value"].fullmatch(ctx.text, cell.start, cell.end)
    if m:
        data["op"] = d["ops"].get(m.group("op")) if m.group("op") else None
        try:
            data["value"] = Decimal(m.group("num").replace(",", ""))
        except InvalidOperation:
            data["value"] = None
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
    | 100 %    | 95 %   | False (no sign: at least, except cost indicators: at most) |
    """
    if not target or not actual or target["value"] is None or actual["value"] is None:
        return None
    if (target["unit"] or actual["unit"]) and target["unit"] != actual["unit"]:
        if not (target["unit"] and actual["unit"] and actual["unit"].startswith(target["unit"])):
            return None
    op = target["op"] or ("≤" if level2 and "成本" in level2 else "≥")
    t, a = target["value"], actual["value"]
    return {"≥": a >= t, "≤": a <= t, "=": a == t, ">": a > t, "<": a < t}[op]


def recognize(ctx: Context) -> list[Candidate]:
    """Indicator records and the scores of their tables."""
    cells = tables.stream(ctx)
    out: list[Candidate] = []
    i = 0
    while i < len(cells):
        header = _header_at(cells, i)
        if header is None:
            i += 1
            continue
        cols, has, j = header
        i = _rows(ctx, cells, j, cols, has, cells[i:j], out)
    out.extend(_glued(ctx))
    taken = [(c.start, c.end) for c in out if c.type == "indicators"]
    out.extend(c for c in _prose(ctx) + _headings(ctx)
               if not any(s < c.end and c.start < e for s, e in taken))
    return out


def _prose(ctx: Context) -> list[Candidate]:
    """1.数量指标：培训人次≥500人次，实际完成620人次，得10分。"""
    d = _data()
    out = []
    for m in d["prose_row"].finditer(ctx.text):
        target = _span_value(ctx, m, "target")
        actual = _span_value(ctx, m, "actual")
        score = Decimal(m.group("score")) if m.group("score") else None
        data = {"name": _SPACES.sub("", m.group("name")), "level1": None, "level2": m.group("level2"),
                "target": target, "actual": actual, "weight": None, "score": score, "deviation": None,
                "met": met(target, actual, m.group("level2"))}
        if score is not None:
            out.append(_score(m.start("score"), m.end("score"), score, "indicator", "indicator.prose_score"))
        out.append(Candidate("indicators", m.start("name"), m.end("name"), "indicator.prose_row", data))
    return out


def _span_value(ctx: Context, m: regex.Match, group: str) -> dict:
    start, end = m.start(group), m.end(group)
    while end > start and ctx.text[end - 1].isspace():
        end -= 1
    cell = Cell(start, end, ctx.text[start:end], 0, 0, 1)
    value = _value(ctx, cell)
    if value["op"] is None:  # 不低于 / 达到 are words, not signs
        word = regex.match(r"不低于|不少于|达到|不高于|不超过", cell.text)
        if word:
            value["op"] = {"不低于": "≥", "不少于": "≥", "达到": "≥", "不高于": "≤", "不超过": "≤"}[word.group()]
            rest = regex.search(r"\d[\d,.]*", cell.text)
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
        if m is None or m.start() != title_at:
            continue
        scores = list(d["section_score"].finditer(ctx.text, line_end, h.end))
        if not scores:
            continue
        weight, score = Decimal(m.group("w")), Decimal(scores[-1].group("s"))
        if score > weight:
            continue
        parents = [p for p in heads[:i] if p.start <= h.start < p.end and p.level < h.level]
        levels = [d["level_weight"].sub(r"\g<label>", p.title).strip("：: ") for p in parents]
        data = {"name": _SPACES.sub("", m.group("name")), "level1": levels[0] if levels else None,
                "level2": levels[-1] if len(levels) > 1 else None, "target": None, "actual": None,
                "weight": weight, "score": score, "deviation": None, "met": None}
        out.append(Candidate("indicators", m.start("name"), m.end("name"), "indicator.heading", data))
    return out


def _score(start: int, end: int, value: Decimal, kind: str, rule: str) -> Candidate:
    return Candidate("scores", start, end, rule, {"value": value, "kind": kind}, 40)


def _rows(ctx: Context, cells: list[Cell], j: int, cols: list[str], has: set[str],
          header: list[Cell], out: list[Candidate]) -> int:
    """Read rows from cells[j] until the table ends; returns the index after the table."""
    d = _data()
    one_per_line = sum(c.per_line == 1 for c in header) * 2 > len(header)
    base_gap = min((c.gap for c in header[1:]), default=0)
    level1 = level2 = None
    failures = 0
    n = len(cells)
    while j < n and failures < 4:
        c = cells[j]
        if c.prose or _is_heading(ctx, c):
            break
        t = _clean(c.text)
        if t in d["end"] or t in d["total"]:
            return _total(ctx, cells, j, cols, out)
        if column_of(c.text) is not None:
            break  # another table's header
        lv = _level(c.text, cells, j, has)
        if lv is not None:
            kind, label, m = lv
            if kind == "level1":
                level1, level2 = label, None
            else:
                level2 = label
            if m:
                w = _POINTS_IN_CELL.search(ctx.text, c.start, c.end)
                if w:
                    out.append(_score(w.start("num"), w.end(), Decimal(w.group("num")), "max",
                                      "indicator.level_weight"))
            j += 1
            continue
        if d["value"].fullmatch(c.text) or _points(ctx, c):
            failures += 1
            j += 1
            continue
        p = d["level_prefix"].match(c.text)
        if p and p.end() < len(c.text) and not column_of(c.text):
            # a level cell run into the name (PDF columns with no space): 成本指标指标1.人员培训成本
            kind = "level2" if p.group() in d["level2"] and "level2" in has else "level1"
            if kind in has:
                if kind == "level1":
                    level1, level2 = p.group(), None
                else:
                    level2 = p.group()
                cells[j] = c = dataclasses.replace(c, start=c.start + p.end(), text=c.text[p.end():])
        j, found = _row(ctx, cells, j, cols, level1, level2, one_per_line, base_gap, out)
        failures = 0 if found else failures + 1
    return j


def _row(ctx: Context, cells: list[Cell], j: int, cols: list[str], level1, level2,
         one_per_line: bool, base_gap: int, out: list[Candidate]) -> tuple[int, bool]:
    d = _data()
    name = cells[j]
    k = j + 1
    # Values may continue on later lines only where the name ends its line (a wrapped row), or
    # where the table puts one cell per line.
    same_line_only = not one_per_line and (not name.framed or name.per_line > 1 and not _last_on_line(cells, j))
    got: dict[str, Cell] = {}
    prev = name
    for col in cols:
        if k >= len(cells):
            break
        c = cells[k]
        if c.prose or _is_heading(ctx, c) or _clean(c.text) in d["total"] or _clean(c.text) in d["end"]:
            break
        if _level(c.text, cells, k, {"level1", "level2"}) is not None and col not in ("deviation", "grade"):
            if col in _VALUE_COLUMNS and _clean(c.text) not in d["level2"] | d["level1"]:
                pass
            else:
                break
        if same_line_only and c.line != name.line:
            break
        if col in ("deviation", "grade"):
            same_row = c.line == prev.line or (one_per_line and c.gap <= base_gap)
            # a text cell followed by values is the next row's name, not this row's remark
            next_row = k + 1 < len(cells) and bool(_points(ctx, cells[k + 1]) or d["value"].fullmatch(cells[k + 1].text))
            if (same_row and not next_row and not _points(ctx, c)
                    and _level(c.text, cells, k, {"level1", "level2"}) is None):
                got[col] = c
                k += 1
            break
        if col == "op":
            if d["op_cell"].fullmatch(_SPACES.sub("", c.text)):
                got[col] = c
                k += 1
                prev = c
            continue
        if col == "unit":
            target = got.get("target")
            if (target is not None and regex.fullmatch(r"-?[\d.,]+", target.text.strip())
                    and d["unit_cell"].fullmatch(_SPACES.sub("", c.text))):
                got[col] = c
                k += 1
                prev = c
            continue
        if col in _NUMERIC_COLUMNS:
            if _points(ctx, c):
                got[col] = c
                k += 1
                prev = c
            elif col == "score" and (glued := _GLUED_REMARK.match(c.text)):
                # a PDF column gap too narrow: 8.5部分工作推进较慢 is the score, then the remark
                cut = c.start + glued.end("num")
                got[col] = dataclasses.replace(c, end=cut, text=c.text[:glued.end("num")])
                if "deviation" in cols:
                    got["deviation"] = dataclasses.replace(c, start=c.start + glued.start("rest"),
                                                           text=glued.group("rest"))
                k += 1
                break
            continue
        if one_per_line and c.gap > base_gap + 1 and got:
            break  # an empty run: the row's remaining cells are empty
        got[col] = c
        k += 1
        prev = c
    if not ({"target", "actual", "weight", "score"} & set(got)) and not d["name_marker"].match(name.text):
        return j + 1, False  # a numbered name (指标4.问题产品处置率) is an indicator even with empty cells
    target = _value(ctx, got["target"], got.get("op"), got.get("unit")) if "target" in got else None
    actual = _value(ctx, got["actual"], None, got.get("unit")) if "actual" in got else None
    marker = d["name_marker"].match(name.text)
    if marker and marker.end() < len(name.text):  # 指标1.药品抽检品种: the number is not the name
        name = dataclasses.replace(name, start=name.start + marker.end(), text=name.text[marker.end():])
    data = {
        "name": _SPACES.sub("", name.text),
        "level1": level1, "level2": level2,
        "target": target, "actual": actual,
        "weight": None, "score": None,
        "deviation": got["deviation"].text if "deviation" in got else None,
        "met": met(target, actual, level2),
    }
    for col, kind in (("weight", "max"), ("score", "indicator")):
        if col in got:
            value, s, e = _points(ctx, got[col])
            data[col] = value
            out.append(_score(s, e, value, kind, "indicator.table_" + col))
    out.append(Candidate("indicators", name.start, name.end, "indicator.table_row", data))
    return k, True


def _is_heading(ctx: Context, cell: Cell) -> bool:
    """A section heading (四、存在的问题) ends a table, however short it is."""
    starts = ctx.cache.get("heading_starts")
    if starts is None:
        starts = ctx.cache["heading_starts"] = {h.start for h in ctx.structure.headings}
    line_start = ctx.text.rfind("\n", 0, cell.start) + 1
    return line_start in starts and not ctx.text[line_start:cell.start].strip(" \t|")


def _last_on_line(cells: list[Cell], j: int) -> bool:
    return j + 1 >= len(cells) or cells[j + 1].line != cells[j].line


def _total(ctx: Context, cells: list[Cell], j: int, cols: list[str], out: list[Candidate]) -> int:
    """A total row (总分 | 100 | 98), within a few cells of the table's end; returns the next index."""
    d = _data()
    for k in range(j, min(j + 4, len(cells))):
        if _clean(cells[k].text) not in d["total"]:
            continue
        numbers = []
        for c in cells[k + 1:k + 4]:
            p = _points(ctx, c)
            if p is None:
                break
            numbers.append(p)
        if len(numbers) >= 2 and "weight" in cols and "score" in cols:
            out.append(_score(numbers[0][1], numbers[0][2], numbers[0][0], "max", "indicator.total_row"))
            out.append(_score(numbers[1][1], numbers[1][2], numbers[1][0], "total", "indicator.total_row"))
            return k + 3
        if len(numbers) == 1:
            out.append(_score(numbers[0][1], numbers[0][2], numbers[0][0], "total", "indicator.total_row"))
            return k + 2
    return j + 1


_GLUED_ITEM = regex.compile(
    r"(?P<name>[\p{Han}、，,]*?)(?:"
    r"[（(]\s*(?P<gw>\d{1,3}(?:\.\d)?)\s*分\s*[)）]"        # a level with its weight: 项目决策(20分)
    r"|(?P<digits>\d{1,4}(?:\.\d{1,2})?)(?=\p{Han}|[（(]|\s|$)"  # a leaf with weight+score run together
    r")")


def _glued(ctx: Context) -> list[Candidate]:
    """Indicator tables whose cells OCR ran together: 一级指标二级指标三级指标分值得分项目决策(20分)…"""
    d = _data()
    out: list[Candidate] = []
    text = ctx.text
    for h in d["glued_header"].finditer(text):
        cols = [column_of(w) for w in regex.findall(patterns.alternation(
            [w for w in d["columns"] if d["columns"][w] in ("weight", "score", "target", "actual")]), h.group("cols"))]
        if cols != ["weight", "score"]:
            continue  # only weight+score tables can be split without guessing at text columns
        end = text.find("\n", h.end())
        end = len(text) if end < 0 else end
        _read_glued(ctx, h.end(), end, out)
    for h in d["glued_text_header"].finditer(text):
        cols = [column_of(w) for w in d["column_words"].findall(h.group("cols"))]
        if not {"target", "actual"} & set(cols):
            continue  # numbers only: read above
        if "weight" in cols and cols.index("weight") > min(
                (cols.index(c) for c in ("target", "actual") if c in cols), default=99):
            continue  # weight after the text columns: name and values cannot be told apart
        end = text.find("\n\n", h.end())
        end = min(len(text) if end < 0 else end, h.end() + 3000)
        _read_glued_text(ctx, h.end(), end, out)
    return out


def _read_glued_text(ctx: Context, pos: int, end: int, out: list[Candidate]) -> None:
    """Rows run together as name, weight, target/actual text, score (…完整性3一目标清晰…3可行性2…).

    The score is the first number after the weight that is not part of a value (no digit before it,
    no unit after it), is not above the weight, and is followed by the next name.
    """
    d = _data()
    text = ctx.text
    level1 = level2 = None
    left1 = None
    for m in d["glued_text_row"].finditer(text, pos, end):
        if m.group("gw") is not None:
            weight = Decimal(m.group("gw"))
            label = _split_level(m.group("gname"))[0]
            if left1 is None or weight > left1:
                level1, level2, left1 = label, None, weight
            else:
                level2 = label
                left1 -= weight
            continue
        w_text, val_start = _doubled_split(m.group("w"), m.group("val"), m.start("val"))
        w, sc = Decimal(w_text), Decimal(m.group("s"))
        if sc > w:
            continue
        name = m.group("name")
        lead = len(name) - len(name.lstrip("、，,:：\n 0123456789."))
        s, e = m.start("name") + lead, m.end("name")
        data = {"name": _SPACES.sub("", text[s:e]), "level1": level1, "level2": level2,
                "target": None, "actual": None,
                "weight": w, "score": sc, "deviation": None, "met": None}
        out.append(_score(m.start("w"), m.start("w") + len(w_text), w, "max", "indicator.glued_weight"))
        out.append(_score(m.start("s"), m.end("s"), sc, "indicator", "indicator.glued_score"))
        out.append(Candidate("indicators", s, e, "indicator.glued_text_row", data))


def _read_glued(ctx: Context, pos: int, end: int, out: list[Candidate]) -> None:
    d = _data()
    text = ctx.text
    level1 = level2 = None
    cap1 = cap2 = None   # the weights of the current levels (a leaf never exceeds them)
    left1 = None
    while pos < end:
        m = _GLUED_ITEM.match(text, pos, end)
        if m is None:
            nxt = regex.compile(r"\p{Han}").search(text, pos + 1, end)
            if nxt is None:
                break
            pos = nxt.start()
            continue
        name = m.group("name").strip("、，,")
        if not name and m.group("gw") is None:
            pos += 1
            continue
        pos = m.end()
        if m.group("gw") is not None:
            weight = Decimal(m.group("gw"))
            label, leaf = _split_level(name)
            if not label:  # a weight the OCR moved after the leaf: it belongs to the current level
                out.append(_score(m.start("gw"), m.end() - 1, weight, "max", "indicator.level_weight"))
                continue
            if leaf:
                _glued_leaf(ctx, m.start("name"), m.start("name") + len(leaf), None, level1, level2, out)
            if left1 is None or weight > left1 or label in d["level1"] and label not in d["level2"]:
                level1, level2, cap1, left1 = label, None, weight, weight
            else:
                level2, cap2 = label, weight
                left1 -= weight
            out.append(_score(m.start("gw"), m.end() - 1, weight, "max", "indicator.level_weight"))
            continue
        if m.group("digits") is None:
            _glued_leaf(ctx, m.start("name"), m.end("name"), None, level1, level2, out)
            continue
        cap = cap2 or cap1 or Decimal(100)
        pair = split_points(m.group("digits"), cap)
        if pair is None:
            continue
        _glued_leaf(ctx, m.start("name"), m.end("name"), (pair, m.start("digits")), level1, level2, out)


def _doubled_split(w: str, val: str, val_start: int) -> tuple[str, int]:
    """Where weight digits end when the value starts with a digit too (326万元26万元: 3, not 32).

    Target and actual are often the same text written twice; the split that makes the value a
    doubled string wins, else the longer weight.
    """
    def doubled(v: str) -> bool:
        return len(v) % 2 == 0 and v[: len(v) // 2] == v[len(v) // 2:]

    if len(w) == 2 and not doubled(val) and doubled(w[1] + val):
        return w[0], val_start - 1
    return w, val_start


def _split_level(name: str) -> tuple[str, str]:
    """项目管理 from 资金均衡项目管理: a known level word at the end; the rest is a leaf without numbers."""
    d = _data()
    if name in d["level1"] or name in d["level2"]:
        return name, ""
    for word in sorted(d["level1"] | d["level2"], key=len, reverse=True):
        # only a full level name (项目管理, not 管理: 财务管理 is a level-2 name of its own)
        if len(word) >= 4 and name.endswith(word) and len(name) >= len(word) + 2:
            return word, name[: -len(word)]
    return name, ""


def _glued_leaf(ctx: Context, s: int, e: int, points, level1, level2, out: list[Candidate]) -> None:
    data = {"name": _SPACES.sub("", ctx.text[s:e]), "level1": level1, "level2": level2,
            "target": None, "actual": None, "weight": None, "score": None, "deviation": None, "met": None}
    if points is not None:
        (w, sc, cut), at = points
        data["weight"], data["score"] = w, sc
        out.append(_score(at, at + cut, w, "max", "indicator.glued_weight"))
        out.append(_score(at + cut, e_digits(ctx, at), sc, "indicator", "indicator.glued_score"))
    out.append(Candidate("indicators", s, e, "indicator.glued_row", data))


def e_digits(ctx: Context, at: int) -> int:
    m = regex.compile(r"\d+(?:\.\d+)?").match(ctx.text, at)
    return m.end()


def split_points(digits: str, cap: Decimal) -> tuple[Decimal, Decimal, int] | None:
    """Weight and score run together by OCR: the one split where score ≤ weight ≤ cap.

    | digits | cap | weight, score |
    |--------|-----|---------------|
    | 22     | 6   | 2, 2          |
    | 109    | 40  | 10, 9         |
    | 32.5   | 8   | 3, 2.5        |
    | 1010   | 40  | 10, 10        |
    | 2      | 6   | None (one number cannot be both) |
    Several valid splits: the one with the most even halves, None if still tied.
    """
    options = []
    for cut in range(1, len(digits)):
        w, s = digits[:cut], digits[cut:]
        if not _plain_number(w) or not _plain_number(s):
            continue
        wv, sv = Decimal(w), Decimal(s)
        if sv <= wv <= cap and wv > 0:
            options.append((abs(len(w) - len(s)), wv, sv, cut))
    if not options:
        return None
    options.sort(key=lambda o: o[0])
    if len(options) > 1 and options[0][0] == options[1][0]:
        return None
    _, wv, sv, cut = options[0]
    return wv, sv, cut


def _plain_number(s: str) -> bool:
    return bool(regex.fullmatch(r"(?:0|[1-9]\d*)(?:\.\d+)?", s))
