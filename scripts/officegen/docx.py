"""A plain-text report as a Word .docx, the way a clerk would have typed it into Word (python-docx).

Stands for the outside world: imports nothing from extract/.

| text                                  | .docx                                                        |
|---------------------------------------|--------------------------------------------------------------|
| a line without "|"                    | one paragraph                                                |
| consecutive lines containing "|"      | ONE bordered table ('Table Grid'), one row per line          |
| "| a | b |"                          | cells "a", "b": the empty cell a leading/trailing "|" makes is dropped, interior empty cells kept |
| a row narrower than the widest row    | its last cell merged across the remaining grid columns (a real w:gridSpan) |

Cell text is stripped of surrounding spaces ("| 412958.46 |" -> "412958.46"). A4 page, East Asian
text in Noto Sans CJK SC (w:eastAsia of the run fonts), tables in 9 pt. The bytes are the same on
every run: the package is rewritten with fixed member timestamps (as scripts/corpusgen/formats.py
write_docx does) and python-docx's default template carries fixed core properties.
"""

from __future__ import annotations

import io
import re
import zipfile

CJK_FONT = "Noto Sans CJK SC"
LATIN_FONT = "Liberation Serif"
TABLE_PT = 9
WIDE_TABLE = 12   # columns from which a form is set landscape in 7 pt (6 pt beyond 20)
FIXED_TIME = (2000, 1, 1, 0, 0, 0)
TEXT_WIDTH_EMU = 170 * 36000   # A4 less two 20 mm margins, in EMU (36000 per mm)


def split_cells(line: str) -> list[str]:
    """The cells of a "|" row, stripped; the empty cell a leading or trailing "|" creates is dropped.

    | line                 | cells              |
    |----------------------|--------------------|
    | "| a | b |"          | ["a", "b"]         |
    | "a || b"             | ["a", "", "b"]     |
    | "|"                  | []                 |
    | "|||"                | [""]               |
    """
    cells = [c.strip() for c in line.split("|")]
    if cells and cells[0] == "":
        cells = cells[1:]
    if cells and cells[-1] == "":
        cells = cells[:-1]
    return cells


def blocks(text: str) -> list[tuple[str, object]]:
    """[("p", line) | ("table", [cells, ...])]: runs of "|" rows grouped into one table each.

    A row is a line with two or more cells that hold text; a "|" line with one such cell or none (a
    text flattened one cell per line, `序号 |`, `|`) is that text, kept as a paragraph as written: no
    office document has a table of one-cell rows whose empty lines mark the columns."""
    out: list[tuple[str, object]] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if "|" in line and sum(1 for c in split_cells(line) if c) >= 2:
            if out and out[-1][0] == "table":
                out[-1][1].append(split_cells(line))
            else:
                out.append(("table", [split_cells(line)]))
        else:
            out.append(("p", line))
    return out


def text_to_docx(text: str) -> bytes:
    """The .docx bytes of `text` (see the module docstring for the layout)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    parts = blocks(text)
    widest = max((len(r) for kind, rows in parts if kind == "table" for r in rows), default=0)
    # A form of many columns is set as its authors set it: landscape, in a smaller size.
    landscape = widest >= WIDE_TABLE
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(25)
    text_width = (257 if landscape else 170) * 36000
    table_pt = TABLE_PT if widest < WIDE_TABLE else 7 if widest <= 20 else 6

    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(10.5)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), CJK_FONT)

    for kind, content in parts:
        if kind == "p":
            _paragraph(doc.add_paragraph(), content, qn)
        else:
            _table(doc, content, qn, Pt(table_pt), text_width)
    buf = io.BytesIO()
    doc.save(buf)
    return fixed_zip(buf.getvalue())


def _paragraph(p, text: str, qn, size=None) -> None:
    """One run holding `text`, its East Asian font named on the run too (WPS reads the run first)."""
    if not text:
        return
    run = p.add_run(text)
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    if size is not None:
        run.font.size = size


def _table(doc, rows: list[list[str]], qn, size, text_width: int = TEXT_WIDTH_EMU) -> None:
    width = max(1, max(len(r) for r in rows))
    table = doc.add_table(rows=len(rows), cols=width)
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    widths = column_widths(rows, width, text_width)
    for column, w in zip(table.columns, widths):
        column.width = w
    for row, cells in zip(table.rows, rows):
        grid = row.cells  # one lookup per row: table.cell(r, c) rescans the whole table each call
        for cell, w in zip(grid, widths):
            cell.width = w  # before merging: a merged cell's width is the sum of the cells it swallows
        for k, value in enumerate(cells):
            _paragraph(grid[k].paragraphs[0], value, qn, size)
        last = max(len(cells), 1) - 1
        if last < width - 1:
            grid[last].merge(grid[width - 1])  # a horizontally merged cell: w:gridSpan, one w:tc


def column_widths(rows: list[list[str]], width: int, total: int) -> list[int]:
    """Grid column widths (EMU) summing to `total`, shared by content: a column of long Chinese text
    gets more room than one of short figures, as a clerk would drag the borders. A row's last cell
    (merged across the rest of the grid) does not count for its column."""
    need = [2] * width
    for cells in rows:
        for k, value in enumerate(cells[:-1] if len(cells) < width else cells):
            need[k] = max(need[k], min(display_width(value), 14))
    unit = total / sum(need)
    out = [int(n * unit) for n in need]
    out[-1] += total - sum(out)
    return out


def display_width(value: str) -> int:
    """Roughly how many Latin character widths a value takes: a CJK character counts two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in value)


# openpyxl and python-docx stamp the save time in docProps/core.xml
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def fixed_zip(data: bytes) -> bytes:
    """The same package (.docx, .xlsx) with every member dated 2000-01-01 and its save time fixed, so
    equal text gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            member = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                member = _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", member)
            dst.writestr(fixed, member)
    return out.getvalue()
