"""File-format writers: docx, pdf (wrapped like a printed report), html."""

from __future__ import annotations

import html
import random
import re
from pathlib import Path

from . import phrases

PAGE_HTML = phrases.load("page")["html"]


def write_docx(path: Path, text: str) -> None:
    import io
    import zipfile

    from docx import Document
    doc = Document()
    for line in text.split("\n"):
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    # the same bytes on every run: rewrite the package with fixed member timestamps
    buf.seek(0)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))


_PDF_READY = False
PDF_FONT = "STSong-Light"
WORD_ARTEFACT = re.compile(r"\[bookmark:[^\]\n]*\]")
# A line may not start with closing punctuation (Word and WPS push the character before it down).
NO_LINE_START = set("，。、；：？！）》」』”’,.;:?!)")


def pdf_wrap(line: str, avail: float, size: float) -> list[str]:
    """`line` broken at the page width like a paragraph PDF: anywhere, inside numbers and names too."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    out: list[str] = []
    current, width = "", 0.0
    for ch in line:
        w = stringWidth(ch, PDF_FONT, size)
        if current and width + w > avail:
            if ch in NO_LINE_START and len(current) > 1:
                out.append(current[:-1])
                current = current[-1]
                width = stringWidth(current, PDF_FONT, size)
            else:
                out.append(current)
                current, width = "", 0.0
        current += ch
        width += w
    return out + [current]


def table_cells(line: str) -> list[str] | None:
    """The cells of a table row as composed ("|" or tab between cells), None for prose."""
    for sep in ("|", "\t"):
        if sep in line:
            return line.split(sep)
    return None


def printable(text: str) -> tuple[str, frozenset[int]]:
    """(what a PDF of `text` shows, the indexes of `text` it leaves out).

    A PDF is printed, not converted from Word: it shows no `[bookmark: _GoBack]`.
    """
    left_out = frozenset(k for m in WORD_ARTEFACT.finditer(text) for k in range(*m.span()))
    return WORD_ARTEFACT.sub("", text), left_out


def write_pdf(path: Path, text: str, rng: random.Random) -> None:
    """A paragraph PDF: prose wrapped at the page width, tables drawn as columns of cells.

    Page margins and font size vary between documents, so lines break at different places. A table
    row is drawn cell by cell at its column's position, as Word or WPS print a table: its text layer
    is a line of cells apart by wide gaps (the reader gives runs of spaces), never "|".
    """
    global _PDF_READY
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    if not _PDF_READY:
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
        _PDF_READY = True
    width, height = A4
    margin = rng.choice([56, 72, 90])
    base = rng.choice([10.5, 12.0, 14.0])
    left, top, bottom = margin, 64, 56
    avail = width - 2 * margin
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    y = height - top

    def advance(lead: float) -> None:
        nonlocal y
        if y - lead < bottom:
            c.showPage()
            y = height - top
        y -= lead

    lines = text.split("\n")
    k = 0
    while k < len(lines):
        rows = []
        while k < len(lines) and table_cells(lines[k]) is not None:
            rows.append(table_cells(lines[k]))
            k += 1
        if rows:  # one table: column widths from its widest cells, shrunk to the page if need be
            ncol = max(len(r) for r in rows)
            cols = [max((pdfmetrics.stringWidth(r[j], PDF_FONT, base) for r in rows if j < len(r)), default=0.0)
                    for j in range(ncol)]
            gap = 2 * base
            total = sum(cols) + gap * (ncol - 1)
            scale = min(1.0, avail / total) if total else 1.0
            size = base * scale
            for r in rows:
                advance(max(size * 1.6, 6.0))
                x = left
                for j, cell in enumerate(r):
                    if cell.strip():
                        c.setFont(PDF_FONT, size)
                        c.drawString(x, y, cell)
                    x += (cols[j] + gap) * scale
            continue
        for piece in pdf_wrap(lines[k], avail, base):
            advance(base * 1.5)
            if piece:
                c.setFont(PDF_FONT, base)
                c.drawString(left, y, piece)
        k += 1
    c.showPage()
    c.save()


def write_html(path: Path, text: str, title: str) -> None:
    """A page: one <p> per line of prose, a <table> for each run of table rows."""
    blocks, rows = [], []
    for line in text.split("\n") + [""]:
        cells = table_cells(line)
        if cells is not None:
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
            continue
        if rows:
            blocks.append("<table border=\"1\">\n" + "\n".join(rows) + "\n</table>")
            rows = []
        blocks.append(f"<p>{html.escape(line)}</p>")
    body = "\n".join(blocks[:-1])  # the last is the sentinel line
    page = PAGE_HTML.format(title=html.escape(title), body=body)
    path.write_text(page, encoding="utf-8")
