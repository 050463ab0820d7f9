"""PDF: the text layer, page by page (pdfplumber), pages joined by a newline; scanned pages by OCR.

pdfminer (under pdfplumber) writes glyphs it cannot map to Unicode as "(cid:1234)"; it does so for
the CID fonts of some encrypted files that PDFium, with its built-in CMaps, reads fine. Such pages
are read again with pypdfium2 (a pdfplumber dependency). A page with no text layer (a scan), or
whose glyphs cannot be mapped at all, is read by OCR (extract.readers.ocr, the `reportx[ocr]`
extra); the Document's OcrInfo says which pages. Without the extra such a PDF is NeedsOCR (E009),
naming the extra, so a report never silently comes out empty. Spaces that text layers put inside
numbers (612.35 万元) are removed later by extract.normalize, with offsets kept.

Tables as office software prints them: a table drawn with ruling lines (Word, WPS and LibreOffice
draw every cell border) is found by pdfplumber's table finder and written as the .docx reader
writes a table, one line per row with "|" between cells; a horizontally merged cell is one cell,
the continuation of a vertically merged cell is an empty cell, and a cell's wrapped lines are
joined (no space between two Chinese characters). Text outside tables keeps reading order: the
page is read in bands from top to bottom, each band of text, then the table below it.

A table with no ruling lines comes out as a line of words; pdfplumber puts one space between any
two words, so `年初预算数 全年预算数` (two cells) would read like `优 秀` (one word broken by the text
layer). A gap of at least one and a half em becomes a run of spaces instead, about one per half
em, as `pdftotext -layout` does: `年度资金总额    184.41    236.22`. Prose keeps its single spaces.
A paragraph wrapped over three or more full lines is read back as one line (extract/readers/wrap.py:
the page shows where a line was full); other breaks are left as the text layer has them
(extract.normalize joins a short paragraph's wraps).

Page furniture is left out: a page number in the top or bottom margin (`- 3 -`, `第3页 共5页`,
`3/5`), and a running header or footer, a line in the margin that comes back on most pages.
"""

from __future__ import annotations

import io
import logging

import regex

from ..errors import CorruptInput, EmptyInput, EncryptedInput, NeedsOCR
from . import describe
from .furniture import page_number
from .wrap import Line, first_word_end, join_wraps

# pdfminer writes a glyph it cannot map to Unicode as "(cid:1234)".
_UNMAPPED = regex.compile(r"\(cid:\d+\)")

# Page furniture in the margins (see the module docstring): the share of the page height at the top and
# at the bottom where a page number may sit, and where a running header or footer sits wholly (Word puts
# the header 1.5 cm from the edge, 5 % of A4, and the body from 2.54 cm, 8.6 %; GB/T 9704 from 3.7 cm).
MARGIN = 0.09
RUNNING_MARGIN = 0.07
_DIGITS = regex.compile(r"\d+")


def read(name: str, data: bytes, max_unpacked: int = 0) -> tuple[str, None] | tuple[str, None, object]:
    """(text, None), or (text, None, OcrInfo) when pages were OCR'd; EncryptedInput, CorruptInput,
    NeedsOCR or EmptyInput instead of any pdfminer exception."""
    import pdfplumber  # imported here so reading .txt stays fast
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    _quiet_pdfminer()
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages: list[str] = []
            margins: list[list[str]] = []
            for page in pdf.pages:
                text, margin = _read_page(page)
                pages.append(text)
                margins.append(margin)
                page.close()  # drop the page's layout cache: large PDFs stay within a worker's memory
        if not pages:  # pdfminer gives up on a damaged cross-reference table; PDFium repairs it
            pages = _pdfium_pages(data)
        else:
            unmapped = [i for i, page in enumerate(pages) if _mostly_unmapped(page)]
            if unmapped:
                pages = _pdfium_pages(data, pages, unmapped)
            pages = _drop_running_lines(pages, margins)
    except Exception as e:  # pdfplumber wraps pdfminer's errors in PdfminerException(original)
        cause = _cause(e)
        if isinstance(cause, PDFPasswordIncorrect):
            raise EncryptedInput("the PDF is password-protected; open it with the password and save or print "
                                 "an unprotected copy", name) from None
        if isinstance(cause, PDFEncryptionError):
            raise EncryptedInput(f"the PDF is encrypted in a way that cannot be read ({describe(cause)}); save an "
                                 "unprotected copy", name) from None
        raise CorruptInput(f"not a readable PDF ({describe(cause)}); it may be truncated or damaged, download it "
                           "again", name) from None
    if not pages:
        raise CorruptInput("the PDF has no readable pages; it may be damaged, download it again", name)
    scanned = [i for i, page in enumerate(pages) if not page.strip() or _mostly_unmapped(page)]
    ocr = None
    if scanned:
        pages, ocr = _ocr(name, data, pages, scanned)
    text = "\n".join(pages)
    if not text.strip():
        raise EmptyInput(f"the PDF has no text layer and OCR recognized no text on its {_count(len(pages))}",
                         name)
    if ocr is not None:
        return text, None, ocr
    return text, None


def _count(n: int) -> str:
    return f"{n} page{'s' if n != 1 else ''}"


def _ocr(name: str, data: bytes, pages: list[str], scanned: list[int]):
    """`pages` with the scanned ones read by OCR, and the OcrInfo; NeedsOCR without the OCR extra."""
    from . import OcrInfo

    try:
        from . import ocr
        read = ocr.ocr_pdf_pages(name, data, scanned)
    except NeedsOCR:
        what = ("no text layer" if all(not pages[i].strip() for i in scanned)
                else "pages whose glyphs have no Unicode mapping ((cid:N))")
        raise NeedsOCR(f"the PDF has {what} on {_count(len(scanned))} of {len(pages)} (a scan); reading it "
                       "needs OCR: pip install 'reportx[ocr]' (or give a .docx/.txt version of the report)",
                       name) from None
    pages = list(pages)
    for i, page in zip(scanned, read):
        pages[i] = page.text
    lines = sum(p.lines for p in read)
    if not lines:   # blank pages: nothing came from OCR, so the record says none did
        return pages, None
    confidence = sum(p.confidence * p.lines for p in read) / lines
    return pages, OcrInfo(pages=tuple(i + 1 for i, p in zip(scanned, read) if p.lines),
                          confidence=round(confidence, 4), engine=ocr.engine_name())


def _read_page(page) -> tuple[str, list[str]]:
    """A page's text (ruled tables as rows of cells) and the lines in its margins (running-line candidates).

    Page numbers in the margins are dropped here; whether another margin line is a running header
    or footer is known only once every page is read (_drop_running_lines)."""
    height = float(page.height)
    margin: list[str] = []
    numbers = []
    for line in page.extract_text_lines(return_chars=False, layout=False):
        top, bottom = float(line["top"]), float(line["bottom"])
        if top >= MARGIN * height and bottom <= (1 - MARGIN) * height:
            continue
        if page_number(line["text"], page.page_number, at_foot=top >= (1 - MARGIN) * height):
            numbers.append((float(line["x0"]) - 1, top - 1, float(line["x1"]) + 1, bottom + 1))
            continue
        key = _running_key(line["text"])
        if key is not None and (bottom <= RUNNING_MARGIN * height or top >= (1 - RUNNING_MARGIN) * height):
            margin.append(f"{round(top / 4)}:{key}")   # the same line at the same height on every page
    if numbers:
        page = page.filter(lambda obj: not (obj.get("object_type") == "char" and _inside(obj, numbers)))
    tables = _ruled_tables(page)
    if not tables:
        return _page_text(page), margin
    out: list[str] = []
    top = float(page.bbox[1])
    x0, x1, bottom_edge = float(page.bbox[0]), float(page.bbox[2]), float(page.bbox[3])
    boxes = [t.bbox for t in tables]
    for table in tables:
        t_top, t_bottom = float(table.bbox[1]), float(table.bbox[3])
        if t_top > top:
            out.append(_band_text(page, (x0, top, x1, t_top), boxes))
        out.extend(_table_lines(table))
        top = max(top, t_bottom)
    if top < bottom_edge:
        out.append(_band_text(page, (x0, top, x1, bottom_edge), boxes))
    return "\n".join(line for line in out if line.strip()), margin


def _inside(obj: dict, boxes) -> bool:
    cx = (float(obj["x0"]) + float(obj["x1"])) / 2
    cy = (float(obj["top"]) + float(obj["bottom"])) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _band_text(page, bbox, tables) -> str:
    """The text between two tables (or above the first, below the last): the chars whose centre is in
    the band and in no table. (A crop would clip a char that pokes above a table's top rule into the band.)"""
    band = [bbox]

    def keep(obj) -> bool:
        return obj.get("object_type") != "char" or (_inside(obj, band) and not _inside(obj, tables))

    return _page_text(page.filter(keep)).strip("\n")


def _ruled_tables(page) -> list:
    """Tables drawn with ruling lines, top to bottom; a 'table' of one cell (a box around a paragraph,
    a page border) is not one."""
    try:
        found = page.find_tables()
    except (ValueError, KeyError, IndexError, TypeError, ZeroDivisionError):
        return []  # a degenerate drawing: read the page as text
    tables = [t for t in found if len(t.rows) >= 1 and max((len(r.cells) for r in t.rows), default=0) >= 2]
    return sorted(tables, key=lambda t: (t.bbox[1], t.bbox[0]))


def _table_lines(table) -> list[str]:
    """One line per row, cells joined by "|" as the .docx reader writes them."""
    rows = table.rows
    texts = table.extract()
    lines = []
    for row, cells in zip(rows, texts):
        boxes = row.cells
        out = []
        for j, (box, text) in enumerate(zip(boxes, cells)):
            if box is None:
                # covered by a merged cell: by the cell to its left (horizontal merge: one cell), or by
                # the cell above (the continuation of a vertical merge: an empty cell)
                left = next((boxes[k] for k in range(j - 1, -1, -1) if boxes[k] is not None), None)
                if left is not None and _covers_column(left, table, j):
                    continue
                out.append("")
                continue
            out.append(_cell_text(text))
        if any(out):
            lines.append("|".join(out))
    return lines


def _covers_column(box, table, j: int) -> bool:
    """Whether a cell box reaches over the column j of the table (so the gap at j is its own merge)."""
    starts = sorted({round(float(c[0]), 1) for r in table.rows for c in r.cells if c is not None})
    if j >= len(starts):
        return True
    return float(box[2]) > starts[j] + 1


def _cell_text(text: str | None) -> str:
    """A cell's wrapped lines on one line. A narrow cell wraps anywhere, inside a number too (4129 /
    58.4 / 6), so the pieces join with nothing between them, except a space between two Latin letters
    (words wrapped at their space)."""
    if not text:
        return ""
    parts = [" ".join(p.split()) for p in text.split("\n")]
    parts = [p for p in parts if p]
    out = parts[0] if parts else ""
    for p in parts[1:]:
        out += " " + p if _latin(out[-1]) and _latin(p[0]) else p
    return out


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _running_key(line: str) -> str | None:
    """A margin line as running headers and footers repeat it (spaces gone, digits as #); None for a
    line that cannot be one: no two letters (a row of numbers), or longer than a heading."""
    squeezed = "".join(line.split())
    if len(squeezed) > 60 or len(regex.findall(r"[\p{L}]", squeezed)) < 2:
        return None
    return _DIGITS.sub("#", squeezed)


def _drop_running_lines(pages: list[str], margins: list[list[str]]) -> list[str]:
    """Pages without their running headers and footers: a margin line (digits aside) that comes back at
    the same height on at least half the pages, and on two or more, is dropped where it is one of a
    page's first two or last two lines."""
    if len(pages) < 2:
        return pages
    seen: dict[str, int] = {}
    for margin in margins:
        for key in set(margin):
            seen[key] = seen.get(key, 0) + 1
    running = {k.split(":", 1)[1] for k, n in seen.items() if n >= 2 and n * 2 >= len(pages)}
    if not running:
        return pages
    out = []
    for page in pages:
        lines = page.split("\n")
        for _ in range(2):
            if lines and _running_key(lines[0]) in running:
                lines.pop(0)
            if lines and _running_key(lines[-1]) in running:
                lines.pop()
        out.append("\n".join(lines))
    return out


# A gap between two words of one line at least this many font sizes wide separates cells (one
# ideographic space, 1 em, stays a single space: it is prose).
CELL_GAP_EMS = 1.5


# A vertical gap between two lines wider than this many font sizes (an empty paragraph: paragraph spacing
# alone is 1–1.7 em in Word and LibreOffice) ends a paragraph: a blank line is
# written there, as the document has (an empty paragraph, spacing before a heading), so that
# extract.normalize does not join the two as a paragraph's wrapped lines.
BLANK_LINE_EMS = 2.5


def _page_text(page) -> str:
    """page.extract_text(), with each gap of a word or more between cells widened to a run of spaces,
    a blank line where the lines are far apart, and a paragraph's wrapped lines joined (wrap.py)."""
    textmap = page.get_textmap()
    lines: list[Line | None] = []
    out: list[str] = []      # the line being read
    objs: list[dict] = []    # its characters' objects, in step with the characters of out
    before = None  # the character object before a space pdfplumber inserted between two words
    pending = False
    last_bottom = None   # the bottom of the line before

    def end_line() -> None:
        nonlocal last_bottom
        text = "".join(out)
        ink = [o for o in objs if o is not None and str(o.get("text", "x")).strip()]   # a drawn space is not ink
        if ink:
            bottom = max(float(o["bottom"]) for o in ink)
            size = max(float(o.get("size") or 0) for o in ink)
            if last_bottom is not None and float(ink[0]["top"]) - last_bottom > BLANK_LINE_EMS * max(size, 1.0):
                lines.append(None)
            word = _first_word(text, objs)
            lines.append(Line(text, float(ink[0]["x0"]), float(ink[-1]["x1"]), bottom, size, word))
            last_bottom = bottom
        else:
            lines.append(Line(text, 0.0, 0.0, 0.0, 0.0, 0.0))
        out.clear()
        objs.clear()

    for ch, obj in textmap.tuples:
        if obj is None and ch == " " and before is not None:
            pending = True  # decided when the next character shows how wide the gap is
            continue
        if pending:
            pending = False
            gap = _gap(before, obj) if obj is not None else " "
            out.append(gap)
            objs.extend([None] * len(gap))
        if obj is None and ch == "\n":
            end_line()
            before = None
            continue
        out.append(ch)
        objs.append(obj)
        before = obj if obj is not None else None
    if pending:
        out.append(" ")
        objs.append(None)
    end_line()
    return "\n".join("" if text is None else text for text in join_wraps(lines, float(page.width)))


def _first_word(text: str, objs: list) -> float:
    """The width of a line's first word (wrap.Line.first)."""
    end = first_word_end(text)
    while end >= 0 and objs[end] is None:
        end -= 1
    start = next((o for o in objs if o is not None), None)
    return float(objs[end]["x1"]) - float(start["x0"]) if end >= 0 and start is not None else 0.0


def _gap(left: dict, right: dict) -> str:
    """One space, or a run of about one per half em when the gap is a cell boundary."""
    size = max(float(left.get("size") or 0), float(right.get("size") or 0), 1.0)
    gap = float(right["x0"]) - float(left["x1"])
    if gap < CELL_GAP_EMS * size:
        return " "
    return " " * max(2, round(gap / (size / 2)))


def _quiet_pdfminer() -> None:
    """Keep pdfminer's warnings on damaged files ("Not adding object 5 to xref …") off stderr.

    pdfminer logs without a handler, so Python's last-resort handler prints every warning, burying
    the one-line error per file. A NullHandler stops only that fallback: an application that
    configures logging still receives the records.
    """
    logger = logging.getLogger("pdfminer")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())


def _mostly_unmapped(text: str) -> bool:
    unmapped = sum(len(m) for m in _UNMAPPED.findall(text))
    return unmapped > 0 and unmapped * 2 > len("".join(text.split()))


def _pdfium_pages(data: bytes, pages: list[str] | None = None, redo: list[int] | None = None) -> list[str]:
    """Every page read by PDFium; or `pages` with those in `redo` replaced where PDFium maps more glyphs."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        if pages is None:
            return [_pdfium_text(document[i]) for i in range(len(document))]
        pages = list(pages)
        for i in redo or ():
            text = _pdfium_text(document[i])
            if text.strip() and not _mostly_unmapped(text) and text.count("\ufffd") * 2 < len(text.strip()):
                pages[i] = text
        return pages
    finally:
        document.close()


def _pdfium_text(page) -> str:
    return page.get_textpage().get_text_range().replace("\r\n", "\n").replace("\r", "\n")


def _cause(e: BaseException) -> BaseException:
    """The pdfminer exception inside pdfplumber's wrapper."""
    while e.args and isinstance(e.args[0], BaseException):
        e = e.args[0]
    return e

