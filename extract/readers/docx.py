"""Word .docx: body paragraphs and tables in document order (python-docx).

One line per paragraph; one line per table row, cells joined by "|" (the form the table recognizer
reads, see patterns/tables.yaml). A horizontally merged cell is one cell, not repeated per grid
column; a vertically merged continuation is an empty cell, so columns stay aligned with the header.
Headers and footers are left out: they repeat the title and page numbers, not facts.
"""

from __future__ import annotations

import io

from ..errors import CorruptInput, EmptyInput
from . import MAX_UNPACKED_BYTES, describe
from .zipcheck import check_zip

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Runs that Word shows as part of the paragraph: plain, in hyperlinks, tracked insertions, fields,
# smart tags and content controls. Deleted runs (w:del) are not shown, so not read.
_RUNS = ("./w:r | ./w:hyperlink/w:r | ./w:ins/w:r | ./w:ins/w:hyperlink/w:r | ./w:fldSimple/w:r"
         " | ./w:smartTag/w:r | ./w:customXml/w:r | ./w:sdt/w:sdtContent/w:r"
         " | ./w:sdt/w:sdtContent/w:hyperlink/w:r")


def read(name: str, data: bytes, max_unpacked: int = MAX_UNPACKED_BYTES) -> tuple[str, None]:
    """(text, None); CorruptInput when the file is not a readable .docx, UnsafeArchive (E012) when it
    would inflate past `max_unpacked` bytes (a zip bomb), checked before python-docx sees it."""
    _check_container(name, data, max_unpacked)
    import docx  # python-docx; imported here so reading .txt stays fast

    try:
        body = docx.Document(io.BytesIO(data)).element.body
        lines = [line for line in _blocks(body)]
    except Exception as e:  # python-docx raises KeyError, ValueError, lxml errors … on damaged files
        raise CorruptInput(f"not a readable .docx ({describe(e)}); open it in Word or WPS and save it again", name) from None
    text = "\n".join(lines).strip("\n")
    if not text.strip():
        raise EmptyInput("the document has no text", name)
    return text, None


def _check_container(name: str, data: bytes, max_unpacked: int) -> None:
    check_zip(name, data, max_unpacked, "word/document.xml", ".docx", "Word")


def _blocks(parent):
    """Lines of the paragraphs and tables directly in `parent` (a body, cell or content control)."""
    for child in parent.iterchildren():
        if child.tag == _W + "p":
            yield _paragraph(child)
        elif child.tag == _W + "tbl":
            yield from _rows(child)
        elif child.tag == _W + "sdt":  # content control (often a table of contents) wrapping blocks
            for content in child.iterchildren(_W + "sdtContent"):
                yield from _blocks(content)


def _paragraph(p) -> str:
    # CT_R.text maps w:t, w:tab (\t), w:br and w:cr (\n) the way Word displays them.
    return "".join(r.text for r in p.xpath(_RUNS))


def _rows(tbl):
    for tr in tbl.iterchildren(_W + "tr"):
        cells = [_cell(tc) for tc in tr.iterchildren(_W + "tc")]
        if any(cells):
            yield "|".join(cells)


def _cell(tc) -> str:
    """A cell's paragraphs (and nested tables) on one line; '' for a vertical-merge continuation."""
    merge = tc.find(f"{_W}tcPr/{_W}vMerge")
    if merge is not None and merge.get(_W + "val", "continue") == "continue":
        return ""
    parts = (" ".join(line.split()) for line in _blocks(tc))
    return " ".join(p for p in parts if p)

