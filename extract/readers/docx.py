"""Word .docx: body paragraphs and tables in document order (python-docx).

One line per paragraph; one line per table row, cells joined by "|" (the form the table recognizer
reads, see patterns/tables.yaml). A horizontally merged cell is one cell, not repeated per grid
column; a vertically merged continuation is an empty cell, so columns stay aligned with the header.
Headers and footers are left out: they repeat the title and page numbers, not facts.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from ..errors import CorruptInput, EmptyInput, UnsafeArchive
from . import MAX_UNPACKED_BYTES, describe

# Members are inflated this much at a time when checking them (see _check_container).
_CHUNK = 1 << 20

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
    """Refuse a zip bomb before python-docx inflates anything.

    First by the declared sizes (the sum of the members' uncompressed sizes against `max_unpacked`),
    then by inflating every deflated member a chunk at a time and counting: a member that inflates to
    more than it declares is refused as soon as it passes, with one chunk in memory. (zipfile cuts a
    member at its declared size, but python-docx's ZipFile.read() may inflate up to 1 GB before it cuts.)
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise CorruptInput("not a readable .docx (the zip container is damaged or truncated); "
                           "download it again or re-save it in Word", name) from None
    if not any(i.filename == "word/document.xml" for i in infos):
        raise CorruptInput("not a Word .docx (no word/document.xml inside the zip)", name)
    declared = sum(i.file_size for i in infos)
    if declared > max_unpacked:
        raise UnsafeArchive(f"unpacks to {declared} bytes, over the limit of {max_unpacked} bytes for a .docx (a zip "
                            "bomb, or a document far larger than any report); re-save it in Word", name)
    for info in infos:
        if info.compress_type == zipfile.ZIP_STORED or info.flag_bits & 0x1:
            continue  # stored: no bigger than the file; encrypted: python-docx refuses it (CorruptInput)
        if info.compress_type != zipfile.ZIP_DEFLATED:
            raise CorruptInput(f"{info.filename} uses zip compression method {info.compress_type}, which Word never "
                               "writes; re-save the document in Word", name)
        inflated = _inflated_size(data, info, info.file_size)
        if inflated is None:
            raise CorruptInput(f"not a readable .docx ({info.filename} is damaged or truncated); download it again "
                               "or re-save it in Word", name)
        if inflated > info.file_size:
            raise UnsafeArchive(f"{info.filename} declares {info.file_size} bytes but inflates to more (a zip bomb "
                                "with a false size); not read", name)


def _inflated_size(data: bytes, info: zipfile.ZipInfo, limit: int) -> int | None:
    """Bytes a deflated member inflates to, counting stops just past `limit`; None if it cannot be inflated."""
    at = info.header_offset
    if data[at:at + 4] != b"PK\x03\x04":
        return None
    name_len, extra_len = struct.unpack("<HH", data[at + 26:at + 30])
    start = at + 30 + name_len + extra_len
    compressed = memoryview(data)[start:start + info.compress_size]
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    total = 0
    try:
        for pos in range(0, len(compressed), _CHUNK):
            chunk = compressed[pos:pos + _CHUNK]
            while chunk:
                total += len(inflater.decompress(chunk, _CHUNK))
                if total > limit:
                    return total
                chunk = inflater.unconsumed_tail
            if inflater.eof:
                break
        total += len(inflater.flush())
    except zlib.error:
        return None
    return total


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

