"""The cell stream: every table cell of a text in reading order, whatever the flattening.

`stream(ctx)` gives every cell of the text in reading order, whatever the flattening, with the
number of empty cells before it (`gap`) and how many cells share its line (`per_line`): header-driven
readers (the indicator table, the funding block) walk this stream instead of trusting rows, because
merged cells and wrapped rows make row counts unreliable. `grid(ctx)` keeps the simple case — a
header row followed by rows of the same width — with each cell's header and row label.

Positions are indexes into the normalized text. Separators and header words live in
patterns/tables.yaml.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass

import regex

from .. import patterns
from ..context import Context
from ..structure import lines

_HAN = regex.compile(r"\p{Han}")
_SPACES = regex.compile(r"\s+")
_WIDE_GAP = regex.compile(r"[ \t]{2,}")
_ANY_SPACE = regex.compile(r"[^\S\n]")
_SENTENCE = regex.compile(r"[。；;，,]")
_TRAILING_BRACKET = regex.compile(r"(?r)[(（][^()（）]{0,8}[)）]$")   # searched from the end


@dataclass(frozen=True, slots=True)
class Cell:
    """One non-empty table cell in the stream."""

    start: int
    end: int
    text: str
    line: int           # line number in the normalized text
    gap: int            # empty cells and blank lines between the previous cell and this one
    per_line: int       # cells on this cell's line (1: one cell per line)
    framed: bool = False  # its line has | or tab separators (else cells were split on spaces, or none)
    prose: bool = False  # a long line of running text, not a cell: tables end there
    col: int = 0        # its position on its line, empty cells counted (| a | | b |: b is 2)
    width: int = 1      # cells on its line, empty ones included
    lead: bool = False  # its line starts with a separator (a frame, or an empty first cell)
    trail: bool = False  # its line ends with a separator (a frame, or an empty last cell)


@dataclass(frozen=True, slots=True)
class GridCell:
    """A cell of a simple grid: a header row, then rows with as many cells."""

    start: int
    end: int
    header: str
    row_label: str
    unit: str | None      # the table's unit from a 单位：万元 line


@functools.cache
def _data():
    d = patterns.load("tables")
    return {
        "sep": regex.compile(d["cell_separator"]),
        "unit_line": regex.compile(d["unit_line"]),
        "table_unit": regex.compile(d["unit_line"] + "|" + d["funding_unit"] + "|" + d["unit_cell"]),
        "number": regex.compile(d["number_cell"]),
        "value_token": regex.compile(d["value_token"]),
        "prose_min": int(d["prose_min_chars"]),
        "columns": patterns.lookup(d["indicator_columns"]),
        "deviation": tuple(d["indicator_deviation_prefixes"]),
        "points": regex.compile(d["indicator_points_cell"]),
        "money_column": regex.compile(d["money_column_header"]),
        "money_caption": regex.compile(d["money_caption"]),
        "money_stops": regex.compile(patterns.alternation(d["money_label_stops"])),
        "other_unit": regex.compile(d["other_unit_cell"]),
        "funding_words": frozenset(w for ws in d["funding_columns"].values() for w in ws),
        "header_word": regex.compile(patterns.alternation(
            [*patterns.lookup(d["indicator_columns"]), *(w for ws in d["funding_columns"].values() for w in ws)])),
    }


def clean(text: str) -> str:
    """A cell's words without spaces and without a trailing (A)/(B/A)/(分)."""
    t = _SPACES.sub("", text)
    end = len(t)
    while (m := _TRAILING_BRACKET.search(t, 0, end)) and m.start() > 0:
        end = m.start()   # one bracket fewer; never the whole cell
    return t[:end]


def column_of(text: str) -> str | None:
    """The column a header cell names: 全年实际值(B) -> actual, 偏差原因分析及改进措施 -> deviation."""
    d = _data()
    t = clean(text)
    if t in d["columns"]:
        return d["columns"][t]
    if t.startswith(d["deviation"]):
        return "deviation"
    return None


def split_line(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """(start, end) of each cell of the `|`/tab line text[a:b], stripped; empty cells as (s, s).

    One separator at each end of the line is a frame, not an empty cell (`| a | b |`, `6 |`).
    """
    d = _data()
    out, pos = [], a
    for m in d["sep"].finditer(text, a, b):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, b))
    stripped = []
    for s, e in out:
        raw = text[s:e]
        s2 = s + len(raw) - len(raw.lstrip())
        stripped.append((s2, max(s2, e - (len(raw) - len(raw.rstrip())))))
    line = text[a:b].strip()
    if len(stripped) > 1 and line[:1] in "|\t" and stripped[0][0] == stripped[0][1]:
        stripped.pop(0)
    if len(stripped) > 1 and line[-1:] in "|\t" and stripped[-1][0] == stripped[-1][1]:
        stripped.pop()
    return stripped


def _space_cells(ctx: Context, a: int, b: int, row_before: bool) -> list[tuple[int, int]] | None:
    """Cells of a line whose columns are aligned with spaces (a PDF text layer), or None.

    A space counts even where normalization deleted it (`优 秀` becomes `优秀`), so the original text
    is consulted through the offset map. The line is a row only when at least two of its parts are
    values (numbers, ≥4, 95%), or all its parts are header words, or it follows such a row with three
    or more parts: prose with a stray space stays whole.
    """
    text, norm = ctx.text, ctx.norm
    o1, o2 = norm.span(a, b)
    if not _ANY_SPACE.search(norm.original, o1, o2):
        return None  # no space on the line, not even one normalization deleted
    wide = [(m.start(), m.end()) for m in _WIDE_GAP.finditer(text, a, b)]
    if len(wide) >= 2:  # the PDF reader marks column gaps with runs of spaces: those are the cells
        parts, pos = [], a
        for s, e in wide:
            if s > pos:
                parts.append((pos, s))
            pos = e
        if pos < b:
            parts.append((pos, b))
        if len(parts) >= 3 and not any(text[e - 1] in "。；" for _, e in parts):
            return [(s, e) for s, e in parts if text[s:e].strip()]
    parts = _words(ctx, a, b)
    if len(parts) < 2:
        return None
    if any(_SENTENCE.search(text, s, e) for s, e in parts):
        return None  # a sentence with stray spaces (我局内设机构 9个。下属…), not a row
    values = sum(1 for s, e in parts if _data()["value_token"].fullmatch(text, s, e))
    if values >= 2:
        return parts
    unglued = _unglued(text, parts)
    if unglued is not parts and _header_row(text, unglued):
        return unglued  # header words written together (OCR lost the spaces): 年初预算数（A）全年执行数（B）分值
    if _header_row(text, parts):
        return parts   # a header row, one of its words maybe not known (… 得分 | 得分计算方法)
    # the next row of a space-aligned table may hold words only (任务完成时限 2022年底 2022年底)
    if row_before and len(parts) >= 3 and not any(text[e - 1] in "。；" for s, e in parts):
        return parts
    return None


def _header_row(text: str, parts: list[tuple[int, int]]) -> bool:
    """Every part a header word, or all but one of four or more (… 得分 | 得分计算方法)."""
    headers = sum(1 for s, e in parts if _is_header_word(text[s:e]))
    return headers == len(parts) or headers >= 4 and headers + 1 == len(parts)


# A part longer than this is not looked at for header words written together.
_MAX_GLUED = 40


def _unglued(text: str, parts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`parts`, each that is two or more header words written together split into them
    (年初预算数（A）全年执行数（B）分值 -> 年初预算数（A）| 全年执行数（B）| 分值); the same list when
    none is. A part is split only when header words cover all of it."""
    out: list[tuple[int, int]] = []
    found = False
    header_word = _data()["header_word"]
    for s, e in parts:
        pieces = None
        if e - s <= _MAX_GLUED and len(header_word.findall(text, s, e)) >= 2 and not _is_header_word(text[s:e]):
            pieces = _header_pieces(text, s, e)
        if pieces:
            out.extend(pieces)
            found = True
        else:
            out.append((s, e))
    return out if found else parts


def _header_pieces(text: str, s: int, e: int) -> list[tuple[int, int]] | None:
    """The fewest header words (each with its bracket: 执行率（B/A）) that text[s:e] is made of, or None."""
    best: dict[int, list[tuple[int, int]]] = {s: []}
    for i in range(s, e):
        if i not in best:
            continue
        for j in range(i + 1, e + 1):
            if _is_header_word(text[i:j]) and (j not in best or len(best[j]) > len(best[i]) + 1):
                best[j] = [*best[i], (i, j)]
    pieces = best.get(e)
    return pieces if pieces and len(pieces) >= 2 else None


def _words(ctx: Context, a: int, b: int) -> list[tuple[int, int]]:
    """(start, end) of each space-separated part of text[a:b], counting the spaces normalization
    deleted between ideographs (`一级指标 二级指标` is two parts though the text reads 一级指标二级指标)."""
    text, norm = ctx.text, ctx.norm
    parts, start = [], None
    for i in range(a, b + 1):
        blank = i == b or text[i].isspace()
        if not blank and start is not None and i > a and norm.offsets is not None:
            o1, o2 = norm.offsets[i - 1], norm.offsets[i]
            if o2 - o1 > 1 and norm.original[o1 + 1:o2].isspace():
                parts.append((start, i))
                start = None
        if blank:
            if start is not None:
                parts.append((start, i))
                start = None
        elif start is None:
            start = i
    return parts


def _table_in_line(ctx: Context, a: int, b: int) -> list[tuple[int, int]] | None:
    """A table inside one long line of single-spaced words (a document site's text of a whole form:
    `… 绩效指标 一级指标 二级指标 三级指标 年度指标值 … 产出指标(50分) 数量指标 …`), or None.

    From the first run of three header words on, every space-separated word is a cell; what comes
    before the run stays one cell. Shorter lines, and lines with no such run, are left whole.
    """
    text = ctx.text
    if b - a < _data()["prose_min"]:
        return None
    words = _unglued(text, _words(ctx, a, b))
    for k in range(len(words) - 2):
        if all(_is_header_word(text[s:e]) for s, e in words[k:k + 3]):
            head = [(a, words[k - 1][1])] if k else []
            return head + words[k:]
    return None


def _is_header_word(text: str) -> bool:
    return column_of(text) is not None or clean(text) in _data()["funding_words"]


def stream(ctx: Context) -> list[Cell]:
    """Every cell of the text in reading order (computed once per text)."""
    cached = ctx.cache.get("table_stream")
    if cached is not None:
        return cached
    text = ctx.text
    prose_min = _data()["prose_min"]
    out: list[Cell] = []
    gap = 0
    row_before = False   # the line before was split on spaces: a table continues
    for n, (a, b) in enumerate(lines(text)):
        line = text[a:b]
        if not line.strip():
            gap += 1
            row_before = False
            continue
        framed = "|" in line or "\t" in line
        if framed:
            parts = split_line(text, a, b)
        else:
            parts = _space_cells(ctx, a, b, row_before)
            row_before = parts is not None
            if parts is None:
                parts = _table_in_line(ctx, a, b)
            if parts is None:
                s = a + len(line) - len(line.lstrip())
                parts = [(s, b - (len(line) - len(line.rstrip())))]
        per_line = sum(1 for s, e in parts if e > s)
        lead = framed and line.lstrip()[:1] in ("|", "\t")
        trail = framed and line.rstrip()[-1:] in ("|", "\t")
        for col, (s, e) in enumerate(parts):
            if e == s:
                gap += 1
                continue
            prose = per_line == 1 and e - s >= prose_min and _HAN.search(text, s, e) is not None
            out.append(Cell(s, e, text[s:e], n, gap, per_line, framed, prose, col, len(parts), lead, trail))
            gap = 0
    ctx.cache["table_stream"] = out
    return out


def points(ctx: Context, cell: Cell) -> tuple[int, int] | None:
    """(start, end) of a weight or score in a cell that holds only one (10, 9.5, 10分, 50 分)."""
    m = _data()["points"].fullmatch(ctx.text, cell.start, cell.end)
    return (m.start("num"), m.end()) if m else None


def table_unit(ctx: Context, pos: int, reach: int = 400) -> str | None:
    """The money unit a table states before `pos`: 单位：万元, 资金情况(万元), 项目资金 (元), （万元）."""
    hits = list(_data()["table_unit"].finditer(ctx.text, max(0, pos - reach), pos))
    return hits[-1].group("unit") if hits else None


def grid(ctx: Context) -> list[GridCell]:
    """Every data cell under a header row of a simple grid; computed once per text."""
    cached = ctx.cache.get("table_grid")
    if cached is None:
        rows = list(_grid_cells(ctx))
        taken = {c.start for c in rows}
        rows += [c for c in _column_grid(ctx) if c.start not in taken]
        cached = ctx.cache["table_grid"] = sorted(rows, key=lambda c: c.start)
    return cached


def cell_at(ctx: Context, pos: int) -> GridCell | None:
    """The grid cell containing normalized position pos, if any."""
    found = grid(ctx)
    if not found:
        return None
    starts = ctx.cache.get("table_grid_starts")
    if starts is None:
        starts = ctx.cache["table_grid_starts"] = [c.start for c in found]
    i = bisect.bisect_right(starts, pos) - 1
    if i >= 0 and found[i].start <= pos < max(found[i].end, found[i].start + 1):
        return found[i]
    return None


def _column_grid(ctx: Context):
    """The cells of a money table written one cell per line (a spreadsheet's text): two or more
    column headers naming money (2022年决算数 / 2023年预算数 / 2023年决算数) under a unit (经费控制情况
    (万元)), then rows of a label and its numbers (三公经费 / 3.26 / 2.80 / 2.64). A row with every
    column filled takes the columns' headers; a shorter one only the unit. The table ends at a cell
    that is neither (a long text, a unit other than money: (m²)) or after three labels with no numbers."""
    d = _data()
    cells = stream(ctx)
    text = ctx.text
    i = 0
    while i < len(cells):
        j = i
        while (j < len(cells) and cells[j].per_line == 1 and not cells[j].prose
               and d["money_column"].fullmatch(clean(cells[j].text))):
            j += 1
        if j - i < 2:
            i += 1
            continue
        headers = cells[i:j]
        unit = table_unit(ctx, headers[0].start, 200)
        caption = d["money_caption"].search(cells[i - 1].text) if i else None
        unit = caption.group("unit") if caption else unit   # 经费控制情况(万元) just above the columns
        k, idle = j, 0
        while unit is not None and k < len(cells) and idle < 3:
            label = cells[k]
            if (label.prose or label.per_line != 1 or not _HAN.search(label.text)
                    or d["other_unit"].search(label.text) or d["money_column"].fullmatch(clean(label.text))
                    or d["money_stops"].search(label.text)):
                break   # not a money row (在职人数, 车辆数): the money table is over
            vals, m = [], k + 1
            while (m < len(cells) and len(vals) < len(headers) and cells[m].per_line == 1
                   and d["number"].fullmatch(cells[m].text)):
                vals.append(cells[m])
                m += 1
            idle = 0 if vals else idle + 1
            for n, v in enumerate(vals):
                head = headers[n].text if len(vals) == len(headers) else ""
                yield GridCell(v.start, v.end, head, text[label.start:label.end], unit)
            k = m
        i = max(k, j)


def _is_header(text: str, row) -> bool:
    d = _data()
    row = [(s, e) for s, e in row if e > s]   # empty cells (a row padded with ||||) say nothing
    han = sum(1 for s, e in row if _HAN.search(text, s, e))
    numbers = sum(1 for s, e in row if d["number"].fullmatch(text, s, e))
    return len(row) >= 2 and numbers == 0 and han * 2 >= len(row)


def _grid_cells(ctx: Context):
    d = _data()
    text = ctx.text
    header: list[str] | None = None
    unit = None
    recent_unit: tuple[int, str] | None = None
    row_before = False
    for n, (a, b) in enumerate(lines(text)):
        line = text[a:b]
        m = d["unit_line"].search(line)
        if m:
            recent_unit = (n, m.group("unit"))
        if "|" in line or "\t" in line:
            row = split_line(text, a, b)
        else:
            row = _space_cells(ctx, a, b, row_before) if line.strip() else None
            row_before = row is not None
            if row is None:
                if len(line.strip()) > 30 or line.rstrip().endswith("。"):
                    header = None  # prose: the table is over (a short line is a wrapped cell)
                continue
        head = row
        while len(head) > 1 and head[-1][0] == head[-1][1]:
            head = head[:-1]   # a header's trailing empty cells (| a | b | ||||||) are padding, not columns
        if _is_header(text, head):
            header = [text[s:e] for s, e in head]
            unit = recent_unit[1] if recent_unit and n - recent_unit[0] <= 3 else None
            continue
        if header is None or len(row) < len(header):
            continue
        while len(row) > len(header) and row[-1][0] == row[-1][1]:
            row = row[:-1]
        if len(row) != len(header):
            continue
        label = text[row[0][0]:row[0][1]]
        if d["number"].fullmatch(label.strip()) and sum(e > s for s, e in row) < len(header):
            continue   # the end of a row wrapped onto a line of its own (10 | 10 | ||||): not under the header
        for (s, e), head in zip(row, header):
            yield GridCell(s, e, head, label, unit)
