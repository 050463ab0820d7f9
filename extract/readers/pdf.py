"""PDF: the text layer, page by page (pdfplumber), pages joined by a newline.

pdfminer (under pdfplumber) writes glyphs it cannot map to Unicode as "(cid:1234)"; it does so for
the CID fonts of some encrypted files that PDFium, with its built-in CMaps, reads fine. Such pages
are read again with pypdfium2 (a pdfplumber dependency). No OCR: a scan (no text, or unmappable
glyphs) is NeedsOCR, so a report never silently comes out empty. Spaces that text layers put inside
numbers (612.35 万元) are removed later by extract.normalize, with offsets kept.

A table drawn cell by cell comes out as a line of words; pdfplumber puts one space between any two
words, so `年初预算数 全年预算数` (two cells) would read like `优 秀` (one word broken by the text
layer). A gap of at least one and a half em becomes a run of spaces instead, about one per half
em, as `pdftotext -layout` does: `年度资金总额    184.41    236.22`. Prose keeps its single spaces;
line breaks are left as the text layer has them (extract.normalize joins a paragraph's wraps).
"""

from __future__ import annotations

import io
import logging

import regex

from ..errors import CorruptInput, EncryptedInput, NeedsOCR
from . import describe

# pdfminer writes a glyph it cannot map to Unicode as "(cid:1234)".
_UNMAPPED = regex.compile(r"\(cid:\d+\)")


def read(name: str, data: bytes, max_unpacked: int = 0) -> tuple[str, None]:
    """(text, None); EncryptedInput, CorruptInput or NeedsOCR instead of any pdfminer exception."""
    import pdfplumber  # imported here so reading .txt stays fast
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    _quiet_pdfminer()
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = []
            for page in pdf.pages:
                pages.append(_page_text(page))
                page.close()  # drop the page's layout cache: large PDFs stay within a worker's memory
        if not pages:  # pdfminer gives up on a damaged cross-reference table; PDFium repairs it
            pages = _pdfium_pages(data)
        else:
            unmapped = [i for i, page in enumerate(pages) if _mostly_unmapped(page)]
            if unmapped:
                pages = _pdfium_pages(data, pages, unmapped)
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
    text = "\n".join(pages)
    if not text.strip():
        count = f"{len(pages)} page{'s' if len(pages) != 1 else ''}"
        raise NeedsOCR(f"the PDF has no text layer ({count} of images or drawings, e.g. a scan); it needs OCR "
                       "first, or a .docx/.txt version of the report", name)
    if _mostly_unmapped(text):
        raise NeedsOCR("the PDF's text layer has no Unicode mapping for most characters ((cid:N) glyphs); it "
                       "needs OCR, or a .docx/.txt version of the report", name)
    return text, None


# A gap between two words of one line at least this many font sizes wide separates cells (one
# ideographic space, 1 em, stays a single space: it is prose).
CELL_GAP_EMS = 1.5


def _page_text(page) -> str:
    """page.extract_text(), with each gap of a word or more between cells widened to a run of spaces."""
    textmap = page.get_textmap()
    out: list[str] = []
    before = None  # the character object before a space pdfplumber inserted between two words
    pending = False
    for ch, obj in textmap.tuples:
        if obj is None and ch == " " and before is not None:
            pending = True  # decided when the next character shows how wide the gap is
            continue
        if pending:
            pending = False
            out.append(_gap(before, obj) if obj is not None else " ")
        out.append(ch)
        before = obj if obj is not None and ch != "\n" else None
    if pending:
        out.append(" ")
    return "".join(out)


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

