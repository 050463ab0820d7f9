"""A plain-text report as an Excel .xlsx, the way a form filled in Excel holds it (openpyxl).

Stands for the outside world: imports nothing from extract/.

One worksheet row per line of text (an empty line an empty row). A line with "|" is split into
cells like a table row (see officegen.docx.split_cells: surrounding spaces stripped, the empty cell a
leading/trailing "|" makes dropped, interior empty cells kept); any other line is one cell in
column A. A cell that is a plain number is written as a number with a format that displays it
exactly as written, as a clerk's typed figure would be:

| written      | stored   | number format |
|--------------|----------|---------------|
| 412958.46    | 412958.46 | 0.00         |
| 1,234.50     | 1234.5   | #,##0.00      |
| 10           | 10       | 0             |
| -3.5         | -3.5     | 0.0           |
| 98.5%        | 0.985    | 0.0%          |
| 100%         | 1        | 0%            |

Anything else stays a string: text, "07365550123" (a leading zero a number format would lose),
numbers of more than 15 significant digits (a double cannot hold them), "1,23" (not a thousands
grouping), full-width digits. Column widths are set roughly to their content.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from .docx import display_width, fixed_zip, split_cells

# sign, integer part (plain, or grouped by thousands with commas), optional decimals, optional %
_NUMBER = re.compile(r"^(?P<sign>-?)(?P<int>0|[1-9]\d*|[1-9]\d{0,2}(?:,\d{3})+)(?:\.(?P<dec>\d+))?(?P<pct>%?)$")
_MAX_DIGITS = 15


def parse_number(cell: str) -> tuple[int | float, str] | None:
    """(value, number format) when `cell` is a plain number that format shows as written; else None.

    | cell       | result                 |
    |------------|------------------------|
    | "412958.46"| (412958.46, "0.00")    |
    | "1,234.50" | (1234.5, "#,##0.00")   |
    | "98.5%"    | (0.985, "0.0%")        |
    | "007"      | None                   |
    """
    m = _NUMBER.match(cell)
    if not m:
        return None
    digits = m["int"].replace(",", "")
    dec = m["dec"] or ""
    if len(digits.lstrip("0") + dec) > _MAX_DIGITS:
        return None
    pattern = ("#,##0" if "," in m["int"] else "0") + ("." + "0" * len(dec) if dec else "")
    value = Decimal(m["sign"] + digits + ("." + dec if dec else ""))
    if m["pct"]:
        value /= 100
        pattern += "%"
    return (int(value) if value == value.to_integral_value() else float(value)), pattern


def text_to_xlsx(text: str) -> bytes:
    """The .xlsx bytes of `text`: one row per line (see the module docstring)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    widths: dict[int, float] = {}
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for r, line in enumerate(lines, start=1):
        # as in docx.blocks: a "|" line with fewer than two cells of text is that text, in column A
        split = split_cells(line) if "|" in line else []
        cells = split if sum(1 for c in split if c) >= 2 else ([line] if line.strip() else [])
        for c, value in enumerate(cells, start=1):
            if value == "":
                continue
            cell = ws.cell(row=r, column=c)
            parsed = parse_number(value)
            if parsed is None:
                cell.value = value
                cell.data_type = "s"  # "=1+1" written by a clerk is text, not a formula
            else:
                cell.value, cell.number_format = parsed
            widths[c] = max(widths.get(c, 0), display_width(value))
    for c, w in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = min(max(w + 2, 6), 60)
    wb.properties.creator = "reportx officegen"
    wb.properties.created = wb.properties.modified = dt.datetime(2000, 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())
