"""The indicator table of a 绩效自评表, rebuilt into rows whatever the flattening.

The header says which columns follow the indicator's name and in what order; level cells
(产出指标(50分), 数量指标) are merged cells, written once and holding for the rows below; each row's
cells are taken in column order with type checks, so a missing comparison or unit cell, an empty
deviation cell or a row wrapped over several lines does not shift the columns.

| header (flattened)                                      | row                                         |
|---------------------------------------------------------|---------------------------------------------|
| 三级指标 / 指标性质 / 指标值 / 度量单位 / 实际完成值 / 分值 / 得分 | 覆盖率 / ≧ / 100 / % / 95% / 5 / 4 |
| 三级指标 / 分值 / 年度指标值 / 全年实际值 / 得分        | 人数 / 6 / >=18462人 / 18537人 / 6          |

OCR text that lost every separator is read from the characters: `目标内容22进度计划21` (a name, then
weight and score run together, split where the score is not above the weight) and
`完整性3一目标清晰、任务细化3` (a name, the weight, the values' text, the score).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

import regex

from .. import patterns
from ..context import Context
from ..structure import lines
from .stream import Cell, clean, column_of, points, stream

_SPACES = regex.compile(r"\s+")
_HAN = regex.compile(r"\p{Han}")
_HORIZONTAL_SPACE = regex.compile(r"[^\S\n]")
_BARE_NUMBER = regex.compile(r"-?[\d.,]+")
_POINTS = regex.compile(r"\d{1,3}(?:\.\d{1,2})?\s*分?")
_PLAIN_NUMBER = regex.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")   # no leading zero: 09 is not a score
_GLUED_REMARK = regex.compile(r"(?P<num>\d{1,3}(?:\.\d{1,2})?)\s*(?P<rest>\p{Han}.*)", regex.S)
_NAME_LEAD = regex.compile(r"[^\p{Han}A-Za-z(（“\"]*")   # debris before a glued row's name (分)、…… 1.)
_POINTS_IN_CELL = regex.compile(r"(?<=[（(]\s*)(?P<num>\d{1,3}(?:\.\d{1,2})?)(?:\s*分)?(?=\s*[)）])")
_VALUE_COLUMNS = ("target", "actual")
_SUB_COLUMNS = ("op", "target", "unit")
_NUMERIC_COLUMNS = ("weight", "score")


@dataclass(frozen=True, slots=True)
class Row:
    """A row of an indicator table.

    kind `indicator`: `label` is the indicator's name, `cells` its target, actual, op, unit, weight,
    score, deviation or grade cells; `level` a level cell with its weight (产出指标(50分)): `cells`
    holds only `weight`; `total` the table's total row (总分 | 100 | 98): `weight` and `score`.
    `how` says which flattening it was read from: table (cells), glued or glued_text (OCR).
    """

    kind: str
    label: Cell
    cells: dict[str, Cell] = field(default_factory=dict)
    level1: str | None = None
    level2: str | None = None
    how: str = "table"


@functools.cache
def _data():
    d = patterns.load("tables")
    return {
        "columns": patterns.lookup(d["indicator_columns"]),
        "level1": frozenset(d["indicator_level1"]),
        "level2": frozenset(d["indicator_level2"]),
        "total": frozenset(d["total_rows"]),
        "level_suffixes": tuple(d["indicator_level_suffixes"]),
        "end": frozenset(d["indicator_table_end"]),
        "end_prefixes": tuple(d["indicator_table_end_prefixes"]),
        "end_cell": regex.compile(d["indicator_table_end_cell"]),
        "table_note": regex.compile(d["indicator_table_note"]),
        "level_like": regex.compile(d["indicator_level_tail"] + "$"),
        "level_tail": d["indicator_level_tail"],
        "level_weight_only": regex.compile(d["indicator_level_weight_only"]),
        "empty_cell": regex.compile(d["indicator_empty_cell"]),
        "glued_line_tail": regex.compile(d["indicator_glued_line_tail"]),
        "glued_line_target": regex.compile(d["indicator_glued_line_target"]),
        "value": regex.compile(d["indicator_value"]),
        "op_cell": regex.compile(d["indicator_op_cell"]),
        "unit_cell": regex.compile(d["indicator_unit_cell"]),
        "level_weight": regex.compile(d["indicator_level_weight"]),
        "name_marker": regex.compile(d["indicator_name_marker"]),
        "placeholder_name": regex.compile(d["indicator_placeholder_name"]),
        "level_enumerator": regex.compile(d["indicator_level_enumerator"]),
        "level_prefix": regex.compile("(?:" + patterns.alternation(d["indicator_level1"] + d["indicator_level2"]) + ")"),
        "column_words": regex.compile(patterns.alternation(
            [w for ws in d["indicator_columns"].values() for w in ws])),
        "glued_text_header": regex.compile(d["indicator_glued_text_header"]),
        "glued_text_row": regex.compile(d["indicator_glued_text_row"]),
        "glued_doubled_row": regex.compile(d["indicator_glued_doubled_row"]),
        "glued_total": regex.compile(patterns.expand(d["indicator_glued_total"], {
            "TOTAL": patterns.alternation(d["total_rows"])})),
        "glued_header": regex.compile(patterns.expand(d["indicator_glued_header"], {
            "NUMBER_COLUMNS": patterns.alternation(
                [w for k in ("weight", "score", "target", "actual") for w in d["indicator_columns"][k]])})),
        "glued_item": regex.compile(d["indicator_glued_item"]),
        "glued_end": regex.compile(d["indicator_glued_end"]),
        "ocr_digits": str.maketrans(d["ocr_digits"]),
    }


def indicator_rows(ctx: Context) -> list[Row]:
    """Every row of every indicator table in the text (computed once per text)."""
    cached = ctx.cache.get("indicator_rows")
    if cached is not None:
        return cached
    cells = list(stream(ctx))
    out: list[Row] = []
    i = 0
    while i < len(cells):
        header, run_end = _header_at(cells, i)
        if header is None and (k := _dimension_header(cells, i)) is not None:
            i = _dimension_rows(ctx, cells, k, out)
            continue
        if header is None:
            i = max(i + 1, run_end)  # no header starts inside a run of header words that is not one
            continue
        cols, has, j = header
        i = _rows(ctx, cells, j, cols, has, cells[i:j], out)
    out.extend(_glued(ctx))
    bar_rows, spans = _bar_line_rows(ctx)
    if bar_rows:   # a table of bar lines, read cell for cell: other readings of it are left out
        out = bar_rows + [r for r in out if not any(a <= r.label.start < b for a, b in spans)]
    ctx.cache["indicator_rows"] = out
    return out


def _bar_line_rows(ctx: Context) -> tuple[list[Row], list[tuple[int, int]]]:
    """A table written one cell per line, each line a cell and a bar (立项规范性 |), an empty cell a
    bar alone, each row closed by a line of bars (||||||): the rows are rebuilt cell for cell, empty
    ones included, and read by position under a header row of the same width."""
    text = ctx.text
    rows: list[list[tuple[int, int]] | None] = []
    cur: list[tuple[int, int]] = []
    for a, b in lines(text):
        line = text[a:b].rstrip()
        body = line[:-1] if line.endswith("|") else None
        if body is not None and not body.strip(" \t|"):
            if body.strip(" \t") and cur:   # ||||||: the row is closed
                rows.append(cur)
                cur = []
            elif not body.strip(" \t"):
                cur.append((a + len(line), a + len(line)))   # | alone: an empty cell
            continue
        if body is not None and "|" not in body:
            lead = len(body) - len(body.lstrip(" \t"))
            cur.append((a + lead, a + len(body.rstrip(" \t"))))   # 立项规范性 |: one cell
            continue
        if cur:
            rows.append(cur)
        cur = []
        if rows and rows[-1] is not None:
            rows.append(None)   # a line of another shape: a table ends
    if cur:
        rows.append(cur)
    out: list[Row] = []
    spans: list[tuple[int, int]] = []
    k = 0
    while k < len(rows):
        kinds = [column_of(text[s:e]) if e > s else None for s, e in rows[k]] if rows[k] else []
        if kinds.count("name") != 1 or not {"weight", "score", "target", "actual"} & set(kinds):
            k += 1
            continue
        level1 = level2 = None
        start, end = rows[k][0][0], rows[k][-1][1]
        k += 1
        while k < len(rows) and rows[k] is not None and len(rows[k]) == len(kinds):
            line = [Cell(s, e, text[s:e], 0, 0, 1, True, False, i) for i, (s, e) in enumerate(rows[k]) if e > s]
            level1, level2, ended = _positional_row(ctx, line, kinds, 0, level1, level2, out)
            end = rows[k][-1][1]
            k += 1
            if ended:
                break
        spans.append((start, end))
    return out, spans


def _dimension_header(cells: list[Cell], i: int) -> int | None:
    """The index after a header of a score summary by dimension (一级指标 | 分值 | 得分: rows 投入 | 20 |
    18 …), a table with no indicator name column; None elsewhere."""
    kinds = [column_of(c.text) for c in cells[i:i + 3]]
    if len(kinds) == 3 and kinds[0] in ("level1", "level2") and kinds[1:] == ["weight", "score"]:
        if i + 3 >= len(cells) or column_of(cells[i + 3].text) is None:
            return i + 3
    return None


def _dimension_rows(ctx: Context, cells: list[Cell], k: int, out: list[Row]) -> int:
    """Rows of a dimension table, each a level word, its weight and its score (投入 | 20 | 18), then
    the total row (合计 | 100 | 93): the weights and scores of levels, no indicator rows."""
    d = _data()
    while k + 2 < len(cells):
        label, w, sc = cells[k:k + 3]
        if clean(label.text) in d["total"]:
            return _total(ctx, cells, k, ["weight", "score"], out)
        if not (is_level_word(level_label(_SPACES.sub("", label.text))) and points(ctx, w) and points(ctx, sc)):
            break
        if Decimal(ctx.text[slice(*points(ctx, sc))]) > Decimal(ctx.text[slice(*points(ctx, w))]):
            break   # a score above its weight: not this table's row
        out.append(Row("level", label, {"weight": _number_cell(ctx, w), "score": _number_cell(ctx, sc)}))
        k += 3
    return k


def is_level_word(text: str) -> bool:
    """Whether a text names an indicator level (产出指标, 满意度指标, 数量指标 …)."""
    t = _SPACES.sub("", text)
    return t in _data()["level1"] or t in _data()["level2"]


def level_label(text: str) -> str:
    """A level cell's words without its weight: 产出指标(50分) -> 产出指标."""
    return _data()["level_weight"].sub(r"\g<label>", text).strip("：: ")


def _header_at(cells: list[Cell], i: int) -> tuple[tuple[list[str], set[str], int] | None, int]:
    """((value columns after the name, all columns, index after the header) or None, end of the run
    of header words) for a header starting at i.

    A two-level header (年度指标值 spanning 指标性质 | 指标值 | 度量单位) is read as its lowest level:
    the columns after the last name column come first, then the first row's other columns.
    """
    kinds, k = [], i
    while k < len(cells):
        kind = column_of(cells[k].text)
        if kind is None and k + 1 < len(cells) and cells[k].per_line == cells[k + 1].per_line == 1:
            # a header word wrapped over two lines (一级 / 指标)
            kind = column_of(cells[k].text + cells[k + 1].text)
            if kind is not None and kind not in kinds:
                kinds.append(kind)
                k += 2
                continue
            kind = None
        if kind is None:
            break
        kinds.append(kind)
        k += 1
    if "name" not in kinds or not {"weight", "score", "target", "actual"} & set(kinds):
        return None, k
    last = len(kinds) - 1 - kinds[::-1].index("name")
    skip = ("name", "level1", "level2", "index")
    after = [c for c in kinds[last + 1:] if c not in skip]
    before = [c for c in kinds[:last] if c not in skip]
    cols = after + [c for c in before if c not in after]
    # the sub-header written after its row (… 年度指标值 | 实际完成值 … / 指标性质 | 指标值 | 度量单位):
    # the run of op/target/unit at the end takes the place of the column it splits
    tail = len(cols)
    while tail > 0 and cols[tail - 1] in _SUB_COLUMNS:
        tail -= 1
    sub = cols[tail:]
    if len(sub) >= 2 and "target" in sub and "target" in cols[:tail]:
        at = cols.index("target")
        cols = cols[:at] + sub + [c for c in cols[at + 1:tail]]
    unknown_next = (k < len(cells) and cells[k].line == cells[k - 1].line and cells[k].per_line > 1
                    and _HAN.search(cells[k].text) is not None)
    if cols and cols[-1] == "actual" and not {"weight", "score"} & set(cols) and not unknown_next:
        # a self-evaluation table whose score header was lost (… 年度指标值 | 实际完成指标值, then
        # rows … | 100% | 100% | 4): a number of points after the actual value, in no column a header
        # names (not 偏差原因, not an unknown 偏差值 header cell), is the row's score
        cols = cols + ["score"]
    return (cols, set(kinds), k), k


def _level(text: str, cells: list[Cell], i: int, has: set[str]):
    """('level1'|'level2', label, weight match) when the cell is a level cell of this table."""
    d = _data()
    t = _SPACES.sub("", text)
    m = d["level_weight"].fullmatch(t)
    label = m.group("label") if m else t
    for suffix in d["level_suffixes"]:  # 服务对象满意度指标等
        label = label.removesuffix(suffix)
    if label not in d["level1"] and label not in d["level2"] and len(label) >= 3:
        # a level cell wrapped onto the next line (服务对象满 / 意度指标): its first part; where it
        # starts several level words (可持续影: 可持续影响, 可持续影响指标), the longest
        whole = [w for w in d["level1"] | d["level2"] if w.startswith(label)]
        nxt = cells[i + 1].text if i + 1 < len(cells) else ""
        # … but a name that begins like one (服务对象满意度 | ≥85%) is followed by its values
        if (whole and not d["value"].fullmatch(nxt) and not _POINTS.fullmatch(nxt)
                and not d["op_cell"].fullmatch(_SPACES.sub("", nxt))):
            label = max(whole, key=len)
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


def _rows(ctx: Context, cells: list[Cell], j: int, cols: list[str], has: set[str],
          header: list[Cell], out: list[Row]) -> int:
    """Read rows from cells[j] until the table ends; returns the index after the table."""
    d = _data()
    one_per_line = sum(c.per_line == 1 for c in header) * 2 > len(header)
    base_gap = min((c.gap for c in header[1:]), default=0)
    by_position = _positions(header, cols)
    scored = False   # a row of this table has had both its weight and its score filled
    if header and header[-1].framed and header[-1].per_line <= len(header) + 2:
        rest = j
        while rest < len(cells) and cells[rest].line == header[-1].line:
            rest += 1
        if all(column_of(c.text) is None and not c.text[:1].isdigit() for c in cells[j:rest]):
            j = rest   # more cells on a | header line of its own, columns no header word names (偏差值)
    header_line = (not by_position and all(h.framed and h.line == header[0].line for h in header)
                   and not {"op", "unit"} & set(cols))
    level1 = level2 = None
    failures = 0
    n = len(cells)
    while j < n and failures < 4:
        c = cells[j]
        if (not one_per_line and c.per_line == 1 and not c.prose
                and (section := _section_level(ctx, c, cells, j)) is not None):
            # a level written as a row of its own (一、产出指标（50分）, （一）数量指标), numbered or not
            kind, label, w = section
            if (j + 1 < n and cells[j + 1].col == 0 and w is None
                    and (joined := _level(c.text + cells[j + 1].text, cells, j + 1, has)) is not None
                    and len(joined[1]) > len(label)):
                kind, label, _ = joined   # 经济效益 / 指标 带动群众文化消费 …: the word wrapped into the row
                j += 1
            if kind == "level1":
                level1, level2 = label, None
            else:
                level2 = label
            if w is not None:
                out.append(Row("level", c, {"weight": w}, level1, level2))
            j += 1
            continue
        if c.prose and d["table_note"].search(c.text):
            j += 1   # a note on how the rows are scored (定量指标计算:…按B/A…记分), inside the table
            continue
        if c.prose and not (j + 1 < n and (d["value"].fullmatch(cells[j + 1].text) or points(ctx, cells[j + 1]))):
            break   # running text ends the table; a long name (…等民族节庆活动6场) has its values after it
        if _is_heading(ctx, c):
            break
        shift = int(c.lead) - int(header[0].lead)   # | | 覆盖率 …: the first | was an empty cell
        trail = int(c.trail) - int(header[0].trail)  # … | 9.5 |: the last | closed an empty cell
        first = j == 0 or cells[j - 1].line != c.line
        # the cells of this line, from here: only the positional readers need them, and only at a
        # line's first cell (a form on one long line has thousands of cells on it)
        line = [x for x in cells[j:j + c.per_line] if x.line == c.line] if first and (by_position or c.framed) else []
        placed = (_place_spaced(ctx, line, header) if by_position and not c.framed and first
                  and not header[0].framed else None)
        if placed is not None or (by_position and c.framed and c.width + shift + trail == len(by_position)
                                  and first):
            # a clean | row as wide as the header: every cell is where its column is; a row aligned
            # with spaces: every cell under the header cell it stands below
            if placed is not None:
                line, shift = placed, 0
            level1, level2, ended = _positional_row(ctx, line, by_position, shift, level1, level2, out)
            j += len(line)
            if ended:
                return j
            continue
        t = clean(c.text)
        if t.startswith(d["end_prefixes"]) or (d["end_cell"].search(_SPACES.sub("", c.text))
                                               and not d["placeholder_name"].fullmatch(c.text.strip())):
            break  # the next form begins, or a field of the form's foot (项目责任人:)
        if t in d["end"] or t in d["total"]:
            return _total(ctx, cells, j, cols, out, by_position)
        if column_of(c.text) is not None:
            break  # another table's header
        aligned = (_right_aligned(ctx, line, header, has) if c.framed and first and header_line
                   and not c.prose else None)
        if aligned is not None:
            # a | row with merged cells on its left (日效性指标 | 群众诉求办结时间 | 3天以内 | 3天以内 | 10):
            # its cells stand under the header's columns counted from the right
            got, lv1, lv2 = aligned
            if lv1 is not None:
                level1, level2 = lv1, None
            if lv2 is not None:
                level2 = lv2
            name = got.pop("name")
            out.append(Row("indicator", _without_marker(name), got, level1, level2))
            j += len(line)
            failures = 0
            continue
        if (w := d["level_weight_only"].fullmatch(ctx.text, c.start, c.end)) is not None:
            # a level cell whose words were lost, its weight left: (50分)
            out.append(Row("level", c, {"weight": _at(ctx, w.start("num"), w.end("num"))}, level1, level2))
            j += 1
            continue
        if d["empty_cell"].fullmatch(c.text) or d["placeholder_name"].fullmatch(c.text.strip()):
            j += 1   # a dash for an empty cell (- / — / ……), a template's empty 指标2: no row, no failure
            continue
        lv = _level(c.text, cells, j, has)
        if (j + 1 < n and c.per_line == 1 and (cells[j + 1].per_line == 1 or cells[j + 1].col == 0)
                and (joined := _level(c.text + cells[j + 1].text, cells, j + 1, has)) is not None
                and (lv is None or len(joined[1]) > len(lv[1]))):
            lv = joined   # a level word wrapped over two lines (经济效益 / 指标)
            j += 1
        if lv is not None:
            kind, label, m = lv
            if kind == "level1":
                level1, level2 = label, None
            else:
                level2 = label
            w = _POINTS_IN_CELL.search(ctx.text, c.start, c.end) if m else None
            if w:
                out.append(Row("level", c, {"weight": dataclasses.replace(
                    c, start=w.start("num"), end=w.end(), text=ctx.text[w.start("num"):w.end()])}, level1, level2))
            j += 1
            continue
        if d["value"].fullmatch(c.text) or points(ctx, c):
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
        j, found = _row(ctx, cells, j, cols, level1, level2, one_per_line, base_gap, out, scored)
        scored = scored or (found and out[-1].kind == "indicator" and {"weight", "score"} <= set(out[-1].cells))
        failures = 0 if found else failures + 1
    return j


def _points_value(ctx: Context, c: Cell) -> Decimal:
    p = points(ctx, c)
    return Decimal(ctx.text[p[0]:p[1]].rstrip("分").strip()) if p else Decimal(0)


def _weight_only(name: Cell, got: dict[str, Cell], cols) -> bool:
    """A weight and no score where the table scores every row, beside a level word, a numbered
    clause or a fragment (项目决策 | 3 分, 1、建立单位财务管理制度 | 1 |, 计 | 2): a level's weight or a
    number in a text cell; its points are a weight, its words no indicator."""
    return (set(got) <= {"weight", "deviation", "grade"} and "weight" in got and "score" in cols
            and bool(is_level_word(name.text) or _data()["level_enumerator"].match(name.text)
                     or len(_HAN.findall(name.text)) < 2))


def _right_aligned(ctx: Context, line: list[Cell], header: list[Cell], has: set[str]):
    """(cells by column, level-1 label, level-2 label) of a | row read against a one-line | header
    from the right: the row's last cell under the header's last column, or one or two columns
    further left (an empty remark column at the end). The first alignment whose cells have the
    types of their columns wins (a name with words, points under 分值/得分, no level or header word
    as a value); None when none does, or the row has no name or no value."""
    d = _data()
    kinds = {h.col: column_of(h.text) for h in header}
    last_h, last_r = max(kinds), max(c.col for c in line)
    for shift in range(3):
        got: dict[str, Cell] = {}
        ok = True
        for c in line:
            kind = kinds.get(c.col + last_h - shift - last_r, "?")
            if kind == "?" or kind in got:
                ok = False
                break
            if kind is not None:
                got[kind] = c
        name = got.get("name")
        if not ok or name is None or not _HAN.search(name.text) or clean(name.text) in d["total"]:
            continue
        if (is_level_word(name.text) or column_of(name.text) or d["level_like"].search(clean(name.text))
                or not {"target", "actual", "weight", "score"} & set(got)):
            continue   # 日效性指标 under the name column: a level cell OCR changed, the name is further right
        if any(k in got and not points(ctx, got[k]) for k in _NUMERIC_COLUMNS):
            continue
        if "weight" in got and "score" in got and _points_value(ctx, got["score"]) > _points_value(ctx, got["weight"]):
            continue   # a score above its weight: the cells stand one column off
        if any(k in got and (is_level_word(got[k].text) or column_of(got[k].text)) for k in _VALUE_COLUMNS):
            continue
        if any(k in got and points(ctx, got[k]) for k in ("deviation", "criteria", "grade")):
            continue
        if _weight_only(name, got, [kinds[k] for k in sorted(kinds)]):
            return None   # read by the typed reader, which keeps the weight as a level's
        lv1 = level_label(_SPACES.sub("", got.pop("level1").text)) if "level1" in got else None
        lv2 = level_label(_SPACES.sub("", got.pop("level2").text)) if "level2" in got else None
        for k in ("criteria", "index", "rate"):
            got.pop(k, None)
        return got, lv1, lv2
    return None


def _section_level(ctx: Context, c: Cell, cells: list[Cell], j: int):
    """(kind, label, weight cell) of a level written alone on its line, its numbering dropped."""
    d = _data()
    numbering = d["level_enumerator"].match(c.text)
    text = c.text[numbering.end():] if numbering else c.text
    lv = _level(text, cells, j, {"level1", "level2"})
    if lv is None or (not numbering and clean(text) != lv[1] and not lv[2]):
        return None
    kind, label, m = lv
    w = _POINTS_IN_CELL.search(ctx.text, c.start, c.end) if m else None
    weight = dataclasses.replace(c, start=w.start("num"), end=w.end(), text=ctx.text[w.start("num"):w.end()]) if w else None
    return kind, label, weight


def _positions(header: list[Cell], cols: list[str]) -> list[str] | None:
    """The column of each position when the header is one line of single-level columns, framed or
    aligned with spaces, in any order (序号 | 一级指标 | 二级指标 | 指标分值 | 三级指标 | 评分要点 | 指标得分)."""
    kinds = [column_of(c.text) for c in header]
    if not header or kinds.count("name") != 1 or not all(c.line == header[0].line for c in header):
        return None
    framed = all(c.framed for c in header) and header[0].width == len(header)
    # aligned with spaces, cells are placed by where they stand, which display widths make
    # approximate: only where the typed reading cannot follow the order (a 分值 before the name)
    spaced = (not header[0].framed and header[0].per_line == len(header)
              and "weight" in kinds[:kinds.index("name")])
    return kinds if framed or spaced else None


def _place_spaced(ctx: Context, line: list[Cell], header: list[Cell]) -> list[Cell] | None:
    """The cells of a row aligned with spaces, each given the column of the header cell it stands
    under (its offset on the line); None when the header is not aligned that way."""
    text = ctx.text

    def x(c: Cell) -> int:  # display columns from the line start: an ideograph is two wide
        line_start = text.rfind("\n", 0, c.start) + 1
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text[line_start:c.start])

    xs = [x(h) for h in header]
    placed, last = [], -1
    for c in line:
        col = max((k for k, hx in enumerate(xs) if hx <= x(c) + 2), default=0)
        col = max(col, last + 1)  # two cells never share a column
        if col >= len(xs):
            return None
        placed.append(dataclasses.replace(c, col=col))
        last = col
    return placed


def _positional_row(ctx: Context, line: list[Cell], kinds: list[str], shift: int, level1, level2,
                    out: list[Row]) -> tuple[str | None, str | None, bool]:
    """Read one row by position; returns the levels it leaves and whether it was the total row.

    A weight column right after a level column (一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值)
    is that level's weight; the one after the name is the indicator's.
    """
    d = _data()
    got: dict[str, Cell] = {}
    level_cell = None
    for c in sorted(line, key=lambda x: x.col):
        at = c.col + shift
        if not 0 <= at < len(kinds):
            continue
        kind = kinds[at]
        if kind in ("level1", "level2"):
            if clean(c.text) in d["total"]:
                got["name"] = c
                continue
            label = level_label(_SPACES.sub("", c.text))
            if kind == "level1":
                level1, level2 = label, None
            else:
                level2 = label
            level_cell = c
            w = _POINTS_IN_CELL.search(ctx.text, c.start, c.end)
            if w:
                out.append(Row("level", c, {"weight": dataclasses.replace(
                    c, start=w.start("num"), end=w.end(), text=ctx.text[w.start("num"):w.end()])}, level1, level2))
            continue
        name_at = kinds.index("name")
        if kind == "weight" and at < name_at and "weight" in kinds[name_at:]:
            if level_cell is not None and points(ctx, c):  # the level's own weight
                out.append(Row("level", level_cell, {"weight": _number_cell(ctx, c)}, level1, level2))
            continue
        if kind == "name":
            level_cell = None
        got[kind] = c
    name = got.pop("name", None)
    for kind in ("weight", "score"):
        if kind in got and not points(ctx, got[kind]):
            del got[kind]  # not a number of points: leave it out rather than guess
    if name is None:
        return level1, level2, False
    if clean(name.text) in d["total"]:
        totals = {k: got[k] for k in ("weight", "score") if k in got}
        if totals:
            out.append(Row("total", name, {k: _number_cell(ctx, c) for k, c in totals.items()}))
        return level1, level2, True
    marker = d["name_marker"].match(name.text)
    if not marker and _weight_only(name, got, kinds):
        out.append(Row("level", name, {"weight": _number_cell(ctx, got["weight"])}, level1, level2))
    elif {"target", "actual", "weight", "score"} & set(got) or (marker and marker.end() < len(name.text)):
        out.append(Row("indicator", _without_marker(name), got, level1, level2))
    return level1, level2, False


def _number_cell(ctx: Context, c: Cell) -> Cell:
    p = points(ctx, c)
    return dataclasses.replace(c, start=p[0], end=p[1], text=ctx.text[p[0]:p[1]]) if p else c


def _without_marker(name: Cell) -> Cell:
    """指标1.药品抽检品种: the number is not the name."""
    marker = _data()["name_marker"].match(name.text)
    if marker and marker.end() < len(name.text):
        return dataclasses.replace(name, start=name.start + marker.end(), text=name.text[marker.end():])
    return name


def _row(ctx: Context, cells: list[Cell], j: int, cols: list[str], level1, level2,
         one_per_line: bool, base_gap: int, out: list[Row], scored: bool = False) -> tuple[int, bool]:
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
        if c.prose or _is_heading(ctx, c) or clean(c.text) in d["total"] or clean(c.text) in d["end"]:
            break
        if _level(c.text, cells, k, {"level1", "level2"}) is not None and col not in ("deviation", "grade"):
            if not (col in _VALUE_COLUMNS and clean(c.text) not in d["level2"] | d["level1"]):
                break
        if same_line_only and c.line != name.line:
            break
        if col in ("deviation", "grade"):
            same_row = c.line == prev.line or (one_per_line and c.gap <= base_gap)
            # a text cell followed by values is the next row's name, not this row's remark
            next_row = k + 1 < len(cells) and bool(points(ctx, cells[k + 1]) or d["value"].fullmatch(cells[k + 1].text)
                                                    or _starts_row(ctx, cells, k, cols))
            if (same_row and not next_row and not points(ctx, c)
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
            if (target is not None and _BARE_NUMBER.fullmatch(target.text.strip())
                    and d["unit_cell"].fullmatch(_SPACES.sub("", c.text))):
                got[col] = c
                k += 1
                prev = c
            continue
        if col in _NUMERIC_COLUMNS:
            if points(ctx, c):
                got[col] = c
                k += 1
                prev = c
            elif col == "score" and (glued := _GLUED_REMARK.match(c.text)):
                # a PDF column gap too narrow: 8.5部分工作推进较慢 is the score, then the remark
                got[col] = dataclasses.replace(c, end=c.start + glued.end("num"), text=glued.group("num"))
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
    marker = d["name_marker"].match(name.text)
    if marker and marker.end() >= len(name.text.rstrip()) or d["placeholder_name"].fullmatch(name.text.strip()):
        return j + 1, False  # 指标1. with no name after it; a template's empty 指标2 row
    if not ({"target", "actual", "weight", "score"} & set(got)) and not marker:
        return j + 1, False  # a numbered name (指标4.问题产品处置率) is an indicator even with empty cells
    if scored:
        got = _points_only(ctx, cells, k, name, cols, got, one_per_line)
    if not marker and _weight_only(name, got, cols):
        out.append(Row("level", name, {"weight": got["weight"]}, level1, level2))
        return k, True
    out.append(Row("indicator", _without_marker(name), got, level1, level2))
    return k, True


def _points_only(ctx: Context, cells: list[Cell], k: int, name: Cell, cols: list[str], got: dict[str, Cell],
                 one_per_line: bool) -> dict[str, Cell]:
    """A row that ends on its line after two bare numbers under the target and actual headers, its
    weight and score columns empty (指标1:运维支出控制在预算范围内 | 10 | 10, a qualitative row whose value
    cells were left blank): the two are the weight and the score, as the row's arithmetic says
    (score ≤ weight ≤ 100). Only in a table whose earlier rows filled their weight and score columns:
    elsewhere two numbers are the target and the actual (新建泵站数量 | 12 | 12 |)."""
    if one_per_line or set(got) != {"target", "actual"} or not {"weight", "score"} <= set(cols):
        return got
    if k < len(cells) and cells[k].line == name.line:
        return got   # more cells on the line: the columns were filled as read
    t, a = points(ctx, got["target"]), points(ctx, got["actual"])
    if t is None or a is None or not (_BARE_NUMBER.fullmatch(got["target"].text.strip())
                                      and _BARE_NUMBER.fullmatch(got["actual"].text.strip())):
        return got
    w, sc = Decimal(ctx.text[t[0]:t[1]]), Decimal(ctx.text[a[0]:a[1]])
    if not (0 < w <= 100 and sc <= w) or "." in ctx.text[t[0]:t[1]] and "." not in ctx.text[a[0]:a[1]]:
        return got
    return {"weight": got["target"], "score": got["actual"]}


def _starts_row(ctx: Context, cells: list[Cell], k: int, cols: list[str]) -> bool:
    """Whether cells[k] reads as the name of a whole row: after it, the cells up to the row's last
    number column are there, and each weight or score column holds a number of points
    (资金支出合规性 | 按照财务制度规定执行 | 达成预期指标 | 8 | 8), all on one line."""
    numeric = [i for i, col in enumerate(cols) if col in _NUMERIC_COLUMNS]
    if not numeric or any(col in ("op", "unit") for col in cols[:numeric[-1]]):
        return False
    row = cells[k + 1:k + 2 + numeric[-1]]
    if len(row) <= numeric[-1] or any(c.line != cells[k].line for c in row):
        return False
    return all(points(ctx, row[i]) for i in numeric) and not any(
        points(ctx, row[i]) for i in range(numeric[0]) if cols[i] in _VALUE_COLUMNS and not row[i].text[:1].isdigit())


def _is_heading(ctx: Context, cell: Cell) -> bool:
    """A section heading (四、存在的问题) ends a table, however short it is."""
    starts = ctx.cache.get("heading_starts")
    if starts is None:
        starts = ctx.cache["heading_starts"] = {h.start for h in ctx.structure.headings}
    line_start = ctx.text.rfind("\n", 0, cell.start) + 1
    return line_start in starts and not ctx.text[line_start:cell.start].strip(" \t|")


def _last_on_line(cells: list[Cell], j: int) -> bool:
    return j + 1 >= len(cells) or cells[j + 1].line != cells[j].line


def _total(ctx: Context, cells: list[Cell], j: int, cols: list[str], out: list[Row],
           by_position: list[str] | None = None) -> int:
    """A total row (总分 | 100 | 98), within a few cells of the table's end; returns the next index."""
    d = _data()
    for k in range(j, min(j + 4, len(cells))):
        if clean(cells[k].text) not in d["total"]:
            continue
        if cells[k].per_line > 1 and k + 1 < len(cells) and cells[k + 1].line != cells[k].line:
            continue   # 自评得分 closing a header row: the number below it is the first row's 序号
        numbers = []
        for c in cells[k + 1:k + 4]:
            p = points(ctx, c)
            if p is None:
                break
            numbers.append(dataclasses.replace(c, start=p[0], end=p[1], text=ctx.text[p[0]:p[1]]))
        if len(numbers) >= 2 and "weight" in cols and "score" in cols:
            out.append(Row("total", cells[k], {"weight": numbers[0], "score": numbers[1]}))
            return k + 3
        if len(numbers) == 1:
            # 合计 | | | 100 |: where the header says the number stands, if it can say
            at = numbers[0].col + int(numbers[0].lead) - int(cells[k].lead)
            kind = by_position[at] if by_position and numbers[0].framed and at < len(by_position) else "score"
            out.append(Row("total", cells[k], {"weight" if kind == "weight" else "score": numbers[0]}))
            return k + 2
    return j + 1


def _at(ctx: Context, start: int, end: int) -> Cell:
    """A cell made from characters of OCR text (no separators to say where cells are)."""
    return Cell(start, end, ctx.text[start:end], 0, 0, 1)


def _glued(ctx: Context) -> list[Row]:
    """Indicator tables whose cells OCR ran together: 一级指标二级指标三级指标分值得分项目决策(20分)…"""
    d = _data()
    out: list[Row] = []
    text = ctx.text
    for h in d["glued_header"].finditer(text):
        if _spaced(ctx, h):
            continue
        cols = [column_of(w) for w in d["column_words"].findall(_SPACES.sub("", h.group("cols")))]
        if cols != ["weight", "score"]:
            continue  # only weight+score tables can be split without guessing at text columns
        _read_glued(ctx, h.end(), _glued_end(text, h.end()), out)
    for h in d["glued_text_header"].finditer(text):
        if _spaced(ctx, h):
            continue
        cols = [column_of(w) for w in d["column_words"].findall(h.group("cols"))]
        if not {"target", "actual"} & set(cols):
            continue  # numbers only: read above
        if "weight" in cols and cols.index("weight") > min(
                (cols.index(c) for c in ("target", "actual") if c in cols), default=99):
            continue  # weight after the text columns: name and values cannot be told apart
        _read_glued_text(ctx, h.end(), _glued_end(text, h.end()), out)
    for a, b in lines(text):
        cols = _glued_line_header(text, a, b)
        if cols is not None and not _spaced_span(ctx, a, b):
            out.extend(_glued_lines(ctx, b, cols))
    return out


def _glued_line_header(text: str, a: int, b: int) -> list[str] | None:
    """The columns of a header line whose words ran together (评价指标评价内容指标名称指标说明目标值分值备注),
    when its last value columns are a target and a weight; None for any other line."""
    d = _data()
    if b - a < 8 or b - a > 60 or "|" in text[a:b] or "\t" in text[a:b]:
        return None
    words = [m for m in d["column_words"].finditer(text, a, b)]
    covered = sum(m.end() - m.start() for m in words)
    if len(words) < 4 or covered * 10 < (b - a) * 7:
        return None
    cols = [column_of(m.group()) for m in words]
    values = [c for c in cols if c in ("target", "actual", "weight", "score")]
    if "name" not in cols or values != ["target", "weight"]:
        return None   # only name … target, weight: a row's tail then splits one way (…96%10, …185015)
    return cols


def _glued_lines(ctx: Context, pos: int, cols: list[str]) -> list[Row]:
    """Rows of a glued header's table, one per line: a name (level words run into it), then the target
    and the weight run together (资金支出率达到目标值96%10, 受助学生人数达到预计值185015). A digit run
    that splits several ways is split so that the weights add up to the total row (总分 … 100); a row
    that still splits several ways is left out."""
    d = _data()
    text = ctx.text
    rows: list[tuple[int, regex.Match, list[tuple[int | None, int, Decimal]]]] = []
    total = out_total = None
    for a, b in _lines_from(text, pos):
        line = text[a:b].strip()
        if not line:
            continue   # blank lines inside the table's foot (总分 / / / 100)
        if clean(line) in d["total"]:
            total = _number_after(text, b)
            if total is not None:
                out_total = Row("total", _at(ctx, a, b), {"weight": _at(ctx, *total[1])})
                total = total[0]
            break
        m = d["glued_line_tail"].search(text, max(a, b - 40), b) if b - a <= 200 else None   # a row is short
        if m is not None and m.start() == b - 40 and text[m.start() - 1].isdigit():
            m = None   # the window cut a number: no reading of this row
        if m is None or not _HAN.search(text, a, m.start()) or len(rows) >= 60:
            break
        rows.append((a, m, _tail_splits(m)))
    chosen = _by_total([r[2] for r in rows], total)
    out: list[Row] = []
    level1 = level2 = None
    for (a, m, _), split in zip(rows, chosen):
        if split is None:
            continue
        t_end, w_start, _ = split
        name, level1, level2 = _glued_name(ctx, a, m.start(), level1, level2)
        if name is None:
            continue
        cells = {"weight": _at(ctx, w_start, m.end())}
        if t_end is not None:
            cells["target"] = _at(ctx, m.start(), t_end)
        out.append(Row("indicator", name, cells, level1, level2, "glued_text"))
    if out and out_total is not None:
        out.append(out_total)   # 总分 / 100: the full marks the weights add up to
    return out


_SPLIT_WEIGHT = regex.compile(r"[1-9]\d?(?:\.\d)?")


def _lines_from(text: str, pos: int):
    """(start, end) of each line after the one that ends at pos."""
    start = text.find("\n", pos)
    while start != -1:
        end = text.find("\n", start + 1)
        yield start + 1, (len(text) if end == -1 else end)
        start = end


def _number_after(text: str, pos: int) -> tuple[Decimal, tuple[int, int]] | None:
    """The number of points after pos (blank lines between), and its span."""
    m = _POINTS_AFTER.match(text, pos, pos + 40)
    return (Decimal(m.group(1)), m.span(1)) if m else None


_POINTS_AFTER = regex.compile(r"\s*(\d{1,3}(?:\.\d{1,2})?)(?![\d.])")


def _tail_splits(m: regex.Match) -> list[tuple[int | None, int, Decimal]]:
    """Ways to read a row's tail as target + weight: (end of the target or None, start of the weight,
    the weight). The weight is a number of points of one or two digits (one decimal allowed), above 0."""
    tail, start = m.group(), m.start()
    out = []
    for k in range(len(tail)):
        if not _SPLIT_WEIGHT.fullmatch(tail, k):
            continue
        if k == 0:
            out.append((None, start, Decimal(tail)))
        elif _data()["glued_line_target"].fullmatch(tail, 0, k) and tail[k - 1] != ".":
            out.append((start + k, start + k, Decimal(tail[k:])))
    return out


def _by_total(options: list[list[tuple[int | None, int, Decimal]]], total: Decimal | None) -> list:
    """One split per row: its only one, or, for rows that split several ways, the only combination
    whose weights with the others' add up to the total (None for a row that stays open)."""
    fixed = [o[0] if len(o) == 1 else None for o in options]
    open_rows = [i for i, o in enumerate(options) if len(o) > 1]
    if not open_rows or total is None or len(open_rows) > 4 or any(not o for o in options):
        return fixed
    known = sum(o[0][2] for o in options if len(o) == 1)
    fits = [combo for combo in itertools.product(*(options[i] for i in open_rows))
            if known + sum(c[2] for c in combo) == total]
    if len(fits) != 1:
        return fixed
    for i, c in zip(open_rows, fits[0]):
        fixed[i] = c
    return fixed


def _spaced(ctx: Context, m: regex.Match) -> bool:
    """Whether the original header had spaces between its words (normalization deletes a single
    space between ideographs): then its cells were apart, and the cell readers read the table."""
    return _spaced_span(ctx, m.start(), m.end())


def _spaced_span(ctx: Context, a: int, b: int) -> bool:
    o1, o2 = ctx.norm.span(a, b)
    return _HORIZONTAL_SPACE.search(ctx.norm.original, o1, o2) is not None


def _glued_end(text: str, pos: int) -> int:
    """Where a glued table ends: a blank line, a top-level heading (四、…) or 3,000 characters on."""
    m = _data()["glued_end"].search(text, pos, pos + 3000)
    return m.start() if m else min(len(text), pos + 3000)


def _read_glued_text(ctx: Context, pos: int, end: int, out: list[Row]) -> None:
    """Rows run together as name, weight, target/actual text, score (…完整性3一目标清晰…3可行性2…).

    A row whose target and actual are the same text written twice is read by that repetition
    (项目(工程)验收合格率20100%100%20: weight 20, target and actual 100%, score 20). Otherwise the
    score is the first number after the weight that is not part of a value (no digit before it, no
    unit after it), is not above the weight, and is followed by the next name.
    """
    d = _data()
    text = ctx.text
    level1 = level2 = None
    left1 = left2 = None   # points of the current level-1 (level-2) weight not yet given to rows
    total = d["glued_total"].search(text, pos, end)
    if (total is not None and (pair := split_points(total.group("digits"), Decimal(100))) is not None
            and pair[0] == 100):
        # 总分10098.53: the full marks (100) and the total, split where the total is not above them
        cut, at = pair[2], total.start("digits")
        out.append(Row("total", _at(ctx, total.start(), total.start("digits")),
                       {"weight": _at(ctx, at, at + cut), "score": _at(ctx, at + cut, total.end("digits"))}, how="glued"))
        end = total.start()

    def spend(weight: str) -> None:
        nonlocal left1, left2
        if left2 is not None:
            left2 -= Decimal(weight)
        elif left1 is not None:
            left1 -= Decimal(weight)

    m = None
    while pos < end:
        if m is None or m.start() < pos:   # the last search's match still ahead is still the next one
            m = d["glued_text_row"].search(text, pos, end)
        reach = min(end, pos + 300)   # a row is never longer: the search stays local
        dm = d["glued_doubled_row"].search(text, pos, reach)
        while dm and (dm.group("v").isdigit() or Decimal(dm.group("s")) > Decimal(dm.group("w"))):
            dm = d["glued_doubled_row"].search(text, dm.start() + 1, reach)
        if dm and (m is None or dm.start() <= m.start() or m.group("gw") is None and dm.start() < m.end()):
            name, level1, level2 = _glued_name(ctx, dm.start("name"), dm.end("name"), level1, level2)
            if name is not None:
                cells = {"target": _at(ctx, dm.start("v"), dm.end("v")),
                         "actual": _at(ctx, dm.end("v"), dm.end("v") + len(dm.group("v"))),
                         "weight": _at(ctx, dm.start("w"), dm.end("w")),
                         "score": _at(ctx, dm.start("s"), dm.end("s"))}
                out.append(Row("indicator", name, cells, level1, level2, "glued_text"))
                spend(dm.group("w"))
            pos = dm.end()
            continue
        if m is None:
            break
        pos = m.end()
        if m.group("gw") is not None:
            weight = Decimal(m.group("gw"))
            label = _split_level(m.group("gname"))[0]
            if left1 is None or weight > left1 or label in d["level1"] and label not in d["level2"]:
                level1, level2, left1, left2 = label, None, weight, None
            else:
                level2, left2 = label, weight
                left1 -= weight
            continue
        w_text = _doubled_split(m.group("w"), m.group("val"))
        if Decimal(m.group("s")) > Decimal(w_text):
            continue
        name, level1, level2 = _glued_name(ctx, m.start("name"), m.end("name"), level1, level2)
        if name is None:
            continue
        w_start = m.start("w")
        out.append(Row("indicator", name,
                       {"weight": _at(ctx, w_start, w_start + len(w_text)),
                        "score": _at(ctx, m.start("s"), m.end("s"))}, level1, level2, "glued_text"))
        spend(w_text)


def _glued_name(ctx: Context, start: int, end: int, level1, level2) -> tuple[Cell | None, str | None, str | None]:
    """A glued row's name without the debris and level words OCR ran into it
    (分)经济效益指标社会效益指标受益户人口数 -> 受益户人口数 under 社会效益指标), and the levels it sets."""
    d = _data()
    text = ctx.text
    lead = _NAME_LEAD.match(text, start, end)
    start = lead.end() if lead else start
    while (p := d["level_prefix"].match(text, start, end)) and p.end() < end:
        word, after = p.group(), p.end()
        tail = d["level_tail"]
        if text.startswith(tail, after) and after + len(tail) < end:
            after += len(tail)   # 产出数量 + 指标: the level word written with 指标
        if word in d["level2"]:
            level2 = word
        else:
            level1, level2 = word, None
        start = _NAME_LEAD.match(text, after, end).end()
    # a level cell inside the run (…推迟,已督促施工单位完成成本指标项目计划总投资): what comes before it
    # is the previous row's remark, the name starts after it
    inner = [m for m in d["level_prefix"].finditer(text, start, end)
             if m.group().endswith(d["level_tail"]) and m.end() <= end - 2]
    if inner:
        word = inner[-1].group()
        if word in d["level2"]:
            level2 = word
        else:
            level1, level2 = word, None
        start = _NAME_LEAD.match(text, inner[-1].end(), end).end()
    if end - start < 2 or not _HAN.search(text, start, end):
        return None, level1, level2
    return _at(ctx, start, end), level1, level2


def _read_glued(ctx: Context, pos: int, end: int, out: list[Row]) -> None:
    d = _data()
    text = ctx.text
    level1 = level2 = None
    cap1 = cap2 = None   # the weights of the current levels (a leaf never exceeds them)
    left1 = None
    while pos < end:
        m = d["glued_item"].match(text, pos, end)
        if m is None:
            nxt = _HAN.search(text, pos + 1, end)
            if nxt is None:
                break
            pos = nxt.start()
            continue
        name = m.group("name").strip("、，,\n ")
        if not name and m.group("gw") is None:
            pos += 1
            continue
        pos = m.end()
        name_start = m.start("name") + m.group("name").find(name[:1]) if name else m.start("name")
        name_end = name_start + len(name)
        if m.group("gw") is not None:
            weight = Decimal(m.group("gw").translate(d["ocr_digits"]))
            fen = text.find("分", m.end("gw"), m.end())
            weight_cell = _at(ctx, m.start("gw"), fen + 1 if fen >= 0 else m.end("gw"))
            label, leaf = _split_level(name)
            if not label:  # a weight the OCR moved after the leaf: it belongs to the current level
                out.append(Row("level", weight_cell, {"weight": weight_cell}, level1, level2, "glued"))
                continue
            if leaf:
                out.append(Row("indicator", _at(ctx, name_start, name_start + len(leaf)), {},
                               level1, level2, "glued"))
            if left1 is None or weight > left1 or label in d["level1"] and label not in d["level2"]:
                level1, level2, cap1, cap2, left1 = label, None, weight, None, weight
            else:
                level2, cap2 = label, weight
                left1 -= weight
            out.append(Row("level", weight_cell, {"weight": weight_cell}, level1, level2, "glued"))
            continue
        if m.group("digits") is None:
            out.append(Row("indicator", _at(ctx, name_start, name_end), {}, level1, level2, "glued"))
            continue
        total = _SPACES.sub("", name) in d["total"]
        digits = m.group("digits").translate(d["ocr_digits"])
        pair = split_points(digits, Decimal(100) if total else cap2 or cap1 or Decimal(100))
        if pair is None:
            continue
        at, cut = m.start("digits"), pair[2]
        cells = {"weight": _at(ctx, at, at + cut), "score": _at(ctx, at + cut, m.end("digits"))}
        label = _at(ctx, name_start, name_end)
        if total:  # 合计10083.5: full marks, then the total
            out.append(Row("total", label, cells, how="glued"))
            break
        out.append(Row("indicator", label, cells, level1, level2, "glued"))


def _doubled_split(w: str, val: str) -> str:
    """Where weight digits end when the value starts with a digit too (326万元26万元: 3, not 32).

    Target and actual are often the same text written twice; the split that makes the value a
    doubled string wins, else the longer weight.
    """
    def doubled(v: str) -> bool:
        return len(v) % 2 == 0 and v[: len(v) // 2] == v[len(v) // 2:]

    if len(w) == 2 and not doubled(val) and doubled(w[1] + val):
        return w[0]
    return w


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
    return bool(_PLAIN_NUMBER.fullmatch(s))
