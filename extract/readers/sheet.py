"""Spreadsheets: Excel .xlsx/.xlsm (openpyxl), .xls and WPS .et (xlrd), OpenDocument .ods (lxml).

Every visible sheet in workbook order; hidden and very hidden sheets are left out (they hold lookup
lists and scratch work, not what the report shows). Sheet names are not written: they are Sheet1 or
工作表1, and a report's own title sits in its cells. Hidden rows and columns are read like the rest.

Rows come out as docx.py writes table rows: one line per row, cells joined by "|"; trailing empty
cells are dropped, leading and interior ones kept (they keep columns aligned with the header), so a
row whose only value is in its first cell is just that text; a run of empty rows between two rows
is one blank line (as an empty paragraph of a .docx). A merged block is one cell: the columns it
covers to the right are not written, and in the rows below its first row it is one empty cell. A
cell's inner line breaks become one space; runs of spaces stay as typed.

Numbers come out as the spreadsheet shows them, not as stored: 412958.46 under '#,##0.00' is
"412,958.46", 1 under '0.00%' is "100.00%" (see `display`). That is why openpyxl and xlrd are used:
they give each cell's number format, which python-calamine (faster, installed) does not. A formula
gives its cached value (the result the spreadsheet program last computed); a formula never computed
(a file written by a script and never opened in Excel) is an empty cell. An .ods cell's displayed
text is stored in the file (text:p), so it is used as written. Text cells are shown as written
(a text format such as @"元" is not applied to them); booleans are TRUE/FALSE, errors as written.

openpyxl is used in read-only mode, streaming each sheet row by row (its worksheet parser, with the
sheet's merged ranges read at the end), so a sheet whose used range claims a million rows costs
what its cells cost; the output stops with InputTooLarge past MAX_ROWS non-empty rows or MAX_CHARS
characters. (openpyxl's worksheet parser is private API, pinned by openpyxl<4 in pyproject; a sheet
written without a <dimension> element, as openpyxl's write-only mode does, is parsed twice by
openpyxl, once for its size.) An .ods is streamed the same way, and repeated empty rows and cells (files repeat an
empty row 1,048,000 times) are counted, never built.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import warnings
import zipfile
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import PurePath

from ..errors import (
    CorruptInput,
    EmptyInput,
    EncryptedInput,
    InputTooLarge,
    ReportxError,
    UnsupportedFormat,
)
from . import MAX_UNPACKED_BYTES, describe
from .zipcheck import check_zip

MAX_ROWS = 200_000                # non-empty rows over all sheets: far beyond any report's tables
MAX_CHARS = 20 * 1024 * 1024      # characters of output over all sheets
_MAX_REPEAT = 16_384              # a non-empty .ods cell or row repeated more than this is cut here

def read(name: str, data: bytes, max_unpacked: int = MAX_UNPACKED_BYTES) -> tuple[str, None]:
    """(text, None) for an .xlsx/.xlsm, .xls, WPS .et or .ods workbook held in `data`.

    CorruptInput when it cannot be read, EncryptedInput for a password-protected .xls, UnsafeArchive
    (E012) for a zip that would inflate past `max_unpacked`, InputTooLarge past MAX_ROWS/MAX_CHARS,
    EmptyInput when no visible sheet has a value.
    """
    budget = _Budget(name)
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(name, data)
        if kind == "ods":
            check_zip(name, data, max_unpacked, "content.xml", ".ods", "LibreOffice, WPS or Excel")
        else:
            members = check_zip(name, data, max_unpacked, "xl/workbook.xml", ".xlsx", "Excel or WPS")
            if "[Content_Types].xml" not in members:   # every OOXML package has one (ECMA-376 part 2)
                raise UnsupportedFormat("a zip archive holding xl/workbook.xml but no [Content_Types].xml, so not "
                                        "an Excel workbook; unpack it, or open it in Excel or WPS and save it "
                                        "as .xlsx", name)
        reader = _ods_lines if kind == "ods" else _xlsx_lines
        what = ".ods" if kind == "ods" else ".xlsx"
    else:
        reader, what = _xls_lines, ".xls"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # openpyxl warns about extensions it drops; not ours to say
            lines = list(reader(name, data, budget))
    except ReportxError:
        raise
    except Exception as e:  # openpyxl, xlrd and lxml raise KeyError, ValueError, XLRDError … on damaged files
        raise CorruptInput(f"not a readable {what} workbook ({describe(e)}); open it in Excel, WPS or LibreOffice "
                           "and save it again", name) from None
    text = "\n".join(lines)
    if not text.strip():
        raise EmptyInput("the workbook has no values in its visible sheets", name)
    return text, None


def _zip_kind(name: str, data: bytes) -> str:
    """'ods' for an OpenDocument spreadsheet, else 'xlsx' (check_zip then says what is missing)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        members = set()
    if "xl/workbook.xml" in members:
        return "xlsx"
    if "content.xml" in members or PurePath(name).suffix.lower() == ".ods":
        return "ods"
    return "xlsx"


class _Budget:
    """Counts what has been written over all sheets; InputTooLarge once past the caps."""

    def __init__(self, name: str):
        self.name, self.rows, self.chars = name, 0, 0

    def take(self, line: str) -> str:
        self.rows += 1
        self.chars += len(line) + 1
        self.check(0, 0)
        return line

    def check(self, more_rows: int, more_chars: int) -> None:
        if self.rows + more_rows > MAX_ROWS:
            raise InputTooLarge(f"the workbook has more than {MAX_ROWS} non-empty rows, far more than a report; "
                                "give the report itself or split the workbook", self.name)
        if self.chars + more_chars > MAX_CHARS:
            raise InputTooLarge(f"the workbook's cells come to more than {MAX_CHARS} characters, far more than a "
                                "report; give the report itself or split the workbook", self.name)


# ------------------------------------------------------------------------------------------ rows

def _clean(text: str) -> str:
    """A cell on one line: its line breaks (Alt+Enter) become one space; runs of spaces stay (a line of
    space-aligned columns typed into one cell keeps its columns)."""
    return _BREAKS.sub(" ", text).rstrip()


_BREAKS = re.compile(r"[ \t]*(?:\r\n|\r|\n|\u2028|\u2029)[ \t]*")


def _line(cells: dict[int, str], skipped: set[int], blanked: set[int]) -> str:
    """One row: cells by 0-based column; `skipped` columns (covered by a merge to their left) are not
    written, `blanked` ones (below a merge's first row) are empty whatever they hold."""
    cells = {c: t for c, t in cells.items() if t and c not in skipped and c not in blanked}
    if not cells:
        return ""
    last = max(cells)
    return "|".join(cells.get(c, "") for c in range(last + 1) if c not in skipped)


class _Merges:
    """Merged ranges (0-based, inclusive) looked up by row: which columns a row skips and blanks."""

    def __init__(self, ranges: list[tuple[int, int, int, int]]):
        self.ranges = sorted(ranges)

    def of_row(self, row: int, upto: int) -> tuple[set[int], set[int]]:
        skipped: set[int] = set()
        blanked: set[int] = set()
        for r1, c1, r2, c2 in self.ranges:
            if r1 > row:
                break
            if row > r2 or c1 > upto:
                continue
            skipped.update(range(c1 + 1, min(c2, upto) + 1))
            if row > r1:
                blanked.add(c1)
        return skipped, blanked


def _sheet_lines(rows, merges: _Merges, budget: _Budget):
    """Lines of one sheet from (row, {column: text}) pairs of its non-empty rows, in order. Empty rows
    between two rows of text are one blank line, as empty paragraphs are in a .docx: a blank row
    sets a block apart (a total under a table, a heading above it)."""
    last = None
    for row, cells in rows:
        skipped, blanked = merges.of_row(row, max(cells)) if merges.ranges else ((), ())
        line = _line(cells, set(skipped), set(blanked))
        if line:
            if last is not None and row > last + 1:
                yield ""
            last = row
            yield budget.take(line)


# ------------------------------------------------------------------------------------------ .xlsx

# Number formats 27-36 and 50-58 are built in per locale and not written into the file; these are
# the zh-CN ones (ECMA-376 part 1, 18.8.30), which openpyxl does not know and reports as General.
_ZH_BUILTIN = {27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: "m-d-yy", 31: 'yyyy"年"m"月"d"日"',
               32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"', 34: '上午/下午h"时"mm"分"',
               35: '上午/下午h"时"mm"分"ss"秒"', 36: 'yyyy"年"m"月"', 50: 'yyyy"年"m"月"', 51: 'm"月"d"日"',
               52: 'yyyy"年"m"月"', 53: 'm"月"d"日"', 54: 'm"月"d"日"', 55: '上午/下午h"时"mm"分"',
               56: '上午/下午h"时"mm"分"ss"秒"', 57: 'yyyy"年"m"月"', 58: 'm"月"d"日"'}


def _xlsx_lines(name: str, data: bytes, budget: _Budget):
    import openpyxl
    from openpyxl.cell.read_only import ReadOnlyCell
    from openpyxl.worksheet._reader import WorkSheetParser

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    formats: dict[int, str] = {}   # style id -> number format code
    try:
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            rows = []
            with ws._get_source() as src:
                parser = WorkSheetParser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                                         date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
                size = 0
                for number, row in parser.parse():
                    cells = {}
                    for cell in row:
                        value = cell["value"]
                        if value is None:
                            continue
                        if isinstance(value, str):
                            text = _clean(value)
                        else:
                            style = cell["style_id"]
                            fmt = formats.get(style)
                            if fmt is None:
                                fmt = formats[style] = _xlsx_format(ReadOnlyCell(ws, **cell))
                            text = _clean(display(value, fmt))
                        if text:
                            cells[cell["column"] - 1] = text
                    if cells:
                        rows.append((number - 1, cells))
                        size += sum(map(len, cells.values())) + len(cells)
                        budget.check(len(rows), size)   # before the whole sheet is held
            ranges = []
            if parser.merged_cells is not None:
                from openpyxl.utils.cell import range_boundaries

                for merge in parser.merged_cells.mergeCell:
                    c1, r1, c2, r2 = range_boundaries(merge.ref)
                    ranges.append((r1 - 1, c1 - 1, r2 - 1, c2 - 1))
            yield from _sheet_lines(rows, _Merges(ranges), budget)
    finally:
        wb.close()


def _xlsx_format(cell) -> str:
    fmt = cell.number_format
    if fmt == "General" and cell.style_array.numFmtId in _ZH_BUILTIN:
        return _ZH_BUILTIN[cell.style_array.numFmtId]
    return fmt


# ------------------------------------------------------------------------------------------ .xls .et

def _xls_lines(name: str, data: bytes, budget: _Budget):
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=io.StringIO(), ragged_rows=True)
    except xlrd.XLRDError as e:
        if "encrypted" in str(e).lower():
            raise EncryptedInput("the workbook is password-protected; open it with the password and save an "
                                 "unprotected copy", name) from None
        raise
    for sheet in book.sheets():
        if sheet.visibility != 0:
            continue
        ranges = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in sheet.merged_cells]
        yield from _sheet_lines(_xls_rows(book, sheet), _Merges(ranges), budget)


def _xls_rows(book, sheet):
    import xlrd

    for r in range(sheet.nrows):
        cells = {}
        types, values = sheet.row_types(r), sheet.row_values(r)
        for c, (kind, value) in enumerate(zip(types, values)):
            if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                continue
            if kind == xlrd.XL_CELL_TEXT:
                text = value
            elif kind == xlrd.XL_CELL_BOOLEAN:
                text = display(bool(value), "General")
            elif kind == xlrd.XL_CELL_ERROR:
                text = xlrd.error_text_from_code.get(value, "#N/A")
            else:
                xf = book.xf_list[sheet.cell_xf_index(r, c)]
                fmt_obj = book.format_map.get(xf.format_key)
                fmt = fmt_obj.format_str if fmt_obj is not None and fmt_obj.format_str else "General"
                if fmt.lower() == "general" and xf.format_key in _ZH_BUILTIN:
                    fmt = _ZH_BUILTIN[xf.format_key]
                if kind == xlrd.XL_CELL_DATE:
                    try:
                        value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                    except (xlrd.xldate.XLDateError, ValueError, OverflowError):
                        pass   # a serial outside the calendar: shown as the number
                text = display(value, fmt)
            text = _clean(text)
            if text:
                cells[c] = text
        if cells:
            yield r, cells


# ------------------------------------------------------------------------------------------ .ods

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_T, _X, _S = f"{{{_TABLE}}}", f"{{{_TEXT}}}", f"{{{_STYLE}}}"


def _ods_lines(name: str, data: bytes, budget: _Budget):
    from lxml import etree

    hidden_styles: set[str] = set()
    with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open("content.xml") as src:
        events = etree.iterparse(src, events=("start", "end"), resolve_entities=False, no_network=True,
                                 huge_tree=True, tag=(_S + "style", _T + "table", _T + "table-row"))
        depth = 0          # nested tables (inside cells, rare) are read as part of their cell
        table = None
        for event, el in events:
            if el.tag == _S + "style":
                if event == "end" and el.get(_S + "family") == "table":
                    props = el.find(_S + "table-properties")
                    if props is not None and props.get(_T + "display") == "false":
                        hidden_styles.add(el.get(_S + "name"))
                continue
            if el.tag == _T + "table":
                if event == "start":
                    depth += 1
                    if depth == 1:
                        table = _OdsTable(el.get(_T + "style-name") in hidden_styles, budget)
                else:
                    depth -= 1
                    if depth == 0:
                        el.clear()
                continue
            if event == "end" and depth == 1:   # a table:table-row of a top-level table
                yield from table.row(el)
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]


class _OdsTable:
    """Rows of one ODS table; merges are tracked from each anchor cell's spans down the rows."""

    def __init__(self, hidden: bool, budget: _Budget):
        self.hidden, self.budget = hidden, budget
        self.pending: list[list[int]] = []   # [column, width, rows still covered] of merges from above
        self.started = self.gap = False       # a row written yet; empty rows since the last one (a blank line)

    def row(self, el):
        repeat = int(el.get(_T + "number-rows-repeated", "1") or 1)
        cells: dict[int, str] = {}
        skipped: set[int] = set()
        blanked: set[int] = set()
        for column, width, _ in self.pending:
            blanked.add(column)
            skipped.update(range(column + 1, column + width))
        new = []
        c = 0
        for cell in el:
            if cell.tag not in (_T + "table-cell", _T + "covered-table-cell"):
                continue
            n = int(cell.get(_T + "number-columns-repeated", "1") or 1)
            if cell.tag == _T + "table-cell":
                text = _clean(" ".join(_ods_text(p) for p in cell if p.tag in (_X + "p", _X + "h")))
                if text:
                    for k in range(min(n, _MAX_REPEAT)):
                        cells[c + k] = text
                width = int(cell.get(_T + "number-columns-spanned", "1") or 1)
                height = int(cell.get(_T + "number-rows-spanned", "1") or 1)
                if width > 1 or height > 1:
                    skipped.update(range(c + 1, c + min(width, _MAX_REPEAT)))
                    if height > 1:
                        new.append([c, min(width, _MAX_REPEAT), height - 1])
            c += n
        line = "" if self.hidden else _line(cells, skipped, blanked)
        if line:
            if self.started and self.gap:
                yield ""
            self.started, self.gap = True, False
            for _ in range(min(repeat, MAX_ROWS + 1)):
                yield self.budget.take(line)
        else:
            self.gap = True
        for p in self.pending:
            p[2] -= repeat
        for p in new:
            p[2] -= repeat - 1
        self.pending = [p for p in self.pending + new if p[2] > 0]


def _ods_text(el) -> str:
    """The text of a text:p as shown: text:s is spaces, text:tab and text:line-break are a space,
    notes and annotations are not part of the cell's text."""
    parts = [el.text or ""]
    for child in el:
        tag = child.tag
        if tag == _X + "s":
            parts.append(" " * min(int(child.get(_X + "c", "1") or 1), 1000))   # text:c spaces, as typed
        elif tag in (_X + "tab", _X + "line-break"):
            parts.append(" ")
        elif tag in (_X + "note", "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}annotation"):
            pass
        elif isinstance(tag, str):
            parts.append(_ods_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


# ------------------------------------------------------------------------------------------ display

def display(value, number_format: str = "General") -> str:
    """A cell's value as a spreadsheet shows it under an Excel number format code.

    | value       | number_format              | shown               |
    |-------------|----------------------------|---------------------|
    | 412958.46   | General                    | 412958.46           |
    | 10.0        | General                    | 10                  |
    | 412958.46   | #,##0.00                   | 412,958.46          |
    | 2.675       | 0.00                       | 2.68 (half up)      |
    | 1.0         | 0.00%                      | 100.00%             |
    | 60.28       | 0.00"万元"                  | 60.28万元            |
    | -5          | #,##0.00;[Red]\\-#,##0.00   | -5.00               |
    | -5          | 0.00_);(0.00)              | (5.00)              |
    | 0           | #,##0;-#,##0;"—"           | —                   |
    | 2021-03-05  | yyyy"年"m"月"d"日"          | 2021年3月5日         |
    | 44260       | yyyy-mm-dd                 | 2021-03-05          |
    | True        | General                    | TRUE                |
    | "#DIV/0!"   | General                    | #DIV/0!             |

    Rounding is half up on the decimal the value was written as (Decimal(repr(value))), as Excel
    rounds, never float formatting's half-even on binary fractions. Color, locale and numeral-system
    brackets ([Red], [$-804], [DBNum1]) are dropped, `_x` and `*x` padding ignored. A code not
    understood (conditions like [>100], fractions, scientific) shows the value as General; a date
    under such a code is yyyy-mm-dd.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str) and "@" not in (number_format or ""):
        return value
    sections = _sections(number_format or "General")
    if isinstance(value, str):
        if len(sections) >= 4 and "@" in sections[3]:
            return _render_text(value, sections[3])
        if len(sections) == 1 and "@" in sections[0]:
            return _render_text(value, sections[0])
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        if isinstance(value, dt.timedelta):
            value = dt.datetime(1899, 12, 30) + value
        return _render_date(value, sections[0])
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if not number.is_finite():
        return "#NUM!"
    if any(_CONDITION.search(s) for s in sections):
        return _general(number)
    if number > 0 or len(sections) == 1 or (number == 0 and len(sections) == 2):
        section, sign = sections[0], "-" if number < 0 else ""
    elif number < 0:
        section, sign = sections[1], ""
    else:
        section, sign = sections[2], ""
    tokens = _tokens(section)
    if any(kind == "date" for kind, _ in tokens):
        date = _from_serial(number)
        return _render_date(date, section) if date is not None else _general(number)
    shown = _render_number(abs(number), tokens)
    if shown is None:
        return sign + _general(abs(number))
    return (sign + shown).strip() if sign and _has_digit(shown) else shown.strip()


_CONDITION = re.compile(r"\[[<>=]")


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() and ch != "0" for ch in text)


def _general(number: Decimal) -> str:
    """General: up to 15 significant digits, no trailing zeros, no '.0' (412958.46, 10, 1E+20)."""
    if number == number.to_integral_value() and abs(number) < Decimal("1e15"):
        return str(int(number))
    text = f"{float(number):.15g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}E{exponent[0]}{int(exponent[1:]):02d}"
    return text


@functools.lru_cache(maxsize=4096)   # a workbook uses a handful of formats over many cells
def _sections(code: str) -> tuple[str, ...]:
    """The ;-separated sections of a format code (a ; in quotes, brackets or after \\ is text)."""
    sections, current, i = [], [], 0
    while i < len(code):
        ch = code[i]
        if ch == '"':
            end = code.find('"', i + 1)
            end = len(code) if end < 0 else end
            current.append(code[i:end + 1])
            i = end + 1
            continue
        if ch == "[":
            end = code.find("]", i + 1)
            end = len(code) if end < 0 else end
            current.append(code[i:end + 1])
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(code):
            current.append(code[i:i + 2])
            i += 2
            continue
        if ch == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    sections.append("".join(current))
    return tuple(sections[:4])


_DATE_CODES = re.compile(r"(?i)(am/pm|a/p|上午/下午|yyyy|yyy|yy|y|e+|m{1,5}|d{1,4}|aaaa|aaa|h{1,2}|s{1,2})")


@functools.lru_cache(maxsize=4096)
def _tokens(section: str) -> tuple[tuple[str, str], ...]:
    """(kind, text) pieces: lit, num (0 # ? . ,), pct, general, text (@), date, exp, frac."""
    tokens: list[tuple[str, str]] = []
    has_digits = bool(re.search(r"[0#?]", _strip_literals(section)))
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            tokens.append(("lit", section[i + 1:end]))
            i = end + 1
        elif ch == "\\":
            tokens.append(("lit", section[i + 1:i + 2]))
            i += 2
        elif ch == "[":
            end = section.find("]", i + 1)
            end = len(section) if end < 0 else end
            inner = section[i + 1:end]
            if inner.startswith("$") and "-" in inner[1:]:
                tokens.append(("lit", inner[1:inner.index("-", 1)]))      # [$¥-804]: the symbol
            elif inner.startswith("$"):
                tokens.append(("lit", inner[1:]))
            elif re.fullmatch(r"(?i)h+|m+|s+", inner):
                tokens.append(("date", inner.lower()))                    # elapsed [h]: shown as hours
            i = end + 1
        elif ch in "_*":
            i += 2   # _x: a space as wide as x; *x: repeat x to fill the cell. Neither is text.
        elif section[i:i + 7].lower() == "general":
            tokens.append(("general", ""))
            i += 7
        elif ch in "0#?.,":
            tokens.append(("num", ch))
            i += 1
        elif ch == "%":
            tokens.append(("pct", "%"))
            i += 1
        elif ch == "@":
            tokens.append(("text", "@"))
            i += 1
        elif ch in "Ee" and section[i + 1:i + 2] in ("+", "-") and has_digits:
            tokens.append(("exp", section[i:i + 2]))
            i += 2
        elif ch == "/" and has_digits and not _DATE_CODES.search(_strip_literals(section)):
            tokens.append(("frac", "/"))
            i += 1
        else:
            m = _DATE_CODES.match(section, i)
            if m and not (has_digits and m.group().lower() in ("e", "ee")):
                tokens.append(("date", m.group()))
                i = m.end()
            else:
                tokens.append(("lit", ch))
                i += 1
    return tuple(tokens)


def _strip_literals(section: str) -> str:
    return re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|[_*].', "", section)


def _render_text(value: str, section: str) -> str:
    return "".join(value if kind == "text" else text if kind == "lit" else "" for kind, text in _tokens(section))


def _render_number(number: Decimal, tokens: tuple[tuple[str, str], ...]) -> str | None:
    """`number` (not negative) under one numeric section; None for what is not understood."""
    kinds = {kind for kind, _ in tokens}
    if kinds & {"exp", "frac", "text"}:
        return None
    places = [i for i, (kind, _) in enumerate(tokens) if kind in ("num", "general")]
    for _ in range(sum(1 for kind, _ in tokens if kind == "pct")):
        number *= 100
    if not places:
        return "".join(text for kind, text in tokens if kind in ("lit", "pct"))
    first, last = places[0], places[-1]
    prefix = "".join(text for kind, text in tokens[:first] if kind in ("lit", "pct"))
    suffix = "".join(text for kind, text in tokens[first:] if kind in ("lit", "pct"))
    if "general" in kinds:
        return prefix + _general(number) + suffix
    pattern = "".join(text for kind, text in tokens[first:last + 1] if kind == "num")
    if not re.search(r"[0#?]", pattern):
        return None
    whole, _, frac = pattern.partition(".")
    scale = len(whole) - len(whole.rstrip(","))
    whole = whole.rstrip(",")
    if not frac:
        scale = max(scale, 0)
    number = number.scaleb(-3 * scale)
    grouping = "," in whole
    frac = frac.replace(",", "")
    digits = len(frac)
    mandatory = frac.count("0")
    rounded = number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    int_text, _, frac_text = f"{rounded:f}".partition(".")
    frac_text = frac_text.ljust(digits, "0")
    while len(frac_text) > mandatory and frac_text.endswith("0"):
        frac_text = frac_text[:-1]
    min_int = whole.count("0")
    if int(int_text) == 0 and min_int == 0:
        int_text = ""
    else:
        int_text = int_text.zfill(min_int)
    if grouping and int_text:
        int_text = f"{int(int_text):,}"
    body = int_text + ("." + frac_text if "." in pattern else "")   # Excel shows '5.' under '#.##'
    return prefix + body + suffix


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ZH_WEEKDAYS = "一二三四五六日"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def _from_serial(number: Decimal) -> dt.datetime | None:
    """An Excel serial date (1900 system, with its phantom 29 Feb 1900) as a datetime."""
    try:
        days = float(number)
        if not 0 <= days < 2958466:
            return None
        if days < 60:
            days += 1   # serials before 1 March 1900 count the day Excel wrongly believes in
        return dt.datetime(1899, 12, 30) + dt.timedelta(days=days)
    except (OverflowError, ValueError):
        return None


def _render_date(value, section: str) -> str:
    """A date, time or datetime under one date section; yyyy-mm-dd (hh:mm:ss) when not understood."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        moment = dt.datetime.combine(dt.date(1899, 12, 31), value)
    tokens = _tokens(section)
    codes = [text.lower() for kind, text in tokens if kind == "date"]
    if not codes:
        fallback = moment.strftime("%Y-%m-%d")
        return fallback + (moment.strftime(" %H:%M:%S") if moment.time() != dt.time() else "")
    twelve = any(c in ("am/pm", "a/p", "上午/下午") for c in codes)
    out = []
    dates = [i for i, (kind, _) in enumerate(tokens) if kind == "date"]
    for n, (kind, text) in enumerate(tokens):
        if kind == "lit":
            out.append(text)
            continue
        if kind != "date":
            continue   # digit placeholders (fractions of a second) are not shown
        code = text.lower()
        if code.startswith(("y", "e")):
            out.append(f"{moment.year % 100:02d}" if code in ("y", "yy") else str(moment.year))
        elif code.startswith("m"):
            if _is_minute(tokens, dates, n):
                out.append(f"{moment.minute:02d}" if len(code) >= 2 else str(moment.minute))
            elif len(code) == 1:
                out.append(str(moment.month))
            elif len(code) == 2:
                out.append(f"{moment.month:02d}")
            elif len(code) == 3:
                out.append(_MONTHS[moment.month - 1][:3])
            elif len(code) == 5:
                out.append(_MONTHS[moment.month - 1][0])
            else:
                out.append(_MONTHS[moment.month - 1])
        elif code.startswith("d"):
            out.append({1: str(moment.day), 2: f"{moment.day:02d}",
                        3: _WEEKDAYS[moment.weekday()][:3]}.get(len(code), _WEEKDAYS[moment.weekday()]))
        elif code in ("aaa", "aaaa"):
            out.append(("星期" if code == "aaaa" else "") + _ZH_WEEKDAYS[moment.weekday()])
        elif code.startswith("h"):
            hour = moment.hour % 12 or 12 if twelve else moment.hour
            out.append(f"{hour:02d}" if len(code) == 2 else str(hour))
        elif code.startswith("s"):
            out.append(f"{moment.second:02d}" if len(code) == 2 else str(moment.second))
        elif code == "am/pm":
            out.append("AM" if moment.hour < 12 else "PM")
        elif code == "a/p":
            out.append("A" if moment.hour < 12 else "P")
        elif code == "上午/下午":
            out.append("上午" if moment.hour < 12 else "下午")
    return "".join(out)


def _is_minute(tokens, dates: list[int], n: int) -> bool:
    """An m right after an hour or right before a second is minutes, as Excel reads it."""
    at = dates.index(n)
    before = tokens[dates[at - 1]][1].lower() if at > 0 else ""
    after = tokens[dates[at + 1]][1].lower() if at + 1 < len(dates) else ""
    return before.startswith("h") or after.startswith("s")
