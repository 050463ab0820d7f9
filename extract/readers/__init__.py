"""Bytes or files -> report text: .txt, .docx, .pdf, .html and legacy .doc, one module per format.

The suffix picks the reader, unless the first bytes say otherwise: a "report.txt" that starts with
%PDF- is read as a PDF, a .doc that is really a .docx (a zip holding word/document.xml) as a .docx.
Every problem is a ReportxError naming the file; no library exception gets out.

| suffix                        | reader      | `Document.encoding`      |
|-------------------------------|-------------|--------------------------|
| .txt .text .md, no suffix     | `txt.py`    | utf-8, gb18030, utf-16 … |
| .docx                         | `docx.py`   | None                     |
| .pdf                          | `pdf.py`    | None                     |
| .html .htm                    | `html.py`   | the page's charset       |
| .doc                          | `doc.py`    | None                     |
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from ..errors import CorruptInput, EncryptedInput, InputNotFound, InputTooLarge, ReportxError, UnsupportedFormat

FORMATS = ("txt", "docx", "pdf", "html", "doc")

SUFFIXES = {
    ".txt": "txt", ".text": "txt", ".md": "txt", "": "txt",
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html", ".htm": "html",
    ".doc": "doc",
}

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .doc, and also a password-protected .docx
_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True, slots=True)
class Document:
    """The text of one input file and how it was read; `data` is the raw bytes (hashed into the Report)."""

    text: str
    format: str                 # one of FORMATS: the reader actually used, not the suffix
    encoding: str | None        # the text encoding for txt and html; None for docx, pdf, doc
    data: bytes = field(repr=False)


def read_file(path: str | os.PathLike, max_bytes: int) -> Document:
    """Read one report file; the size limit is checked before a byte is read."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputNotFound("no such file", name)
    if p.is_dir():
        raise UnsupportedFormat("is a directory; give the files inside it", name)
    size = p.stat().st_size
    if size > max_bytes:
        raise InputTooLarge(f"{size} bytes is over the limit of {max_bytes} bytes (raise it with --max-bytes)", name)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ReportxError(f"cannot read: {e.strerror}", name) from None
    return read_bytes(name, data)


def read_bytes(name: str, data: bytes) -> Document:
    """Read a report held in memory; `name` picks the format and labels errors. Never opens `name`.

    Archive members go through here, so the only file ever written is a private temporary copy
    that a .doc converter (antiword, soffice) needs.
    """
    fmt = detect_format(name, data)
    if fmt == "txt":
        from . import txt as reader
    elif fmt == "docx":
        from . import docx as reader
    elif fmt == "pdf":
        from . import pdf as reader
    elif fmt == "html":
        from . import html as reader
    else:
        from . import doc as reader
    text, encoding = reader.read(name, data)
    return Document(text=text, format=fmt, encoding=encoding, data=data)


def detect_format(name: str, data: bytes) -> str:
    """The reader for `data`: what its first bytes prove, else what its suffix says.

    | name          | first bytes                  | format |
    |---------------|------------------------------|--------|
    | a.txt         | 兰州新区…                     | txt    |
    | a.txt         | %PDF-1.4                     | pdf    |
    | a.txt, a.doc  | PK… with word/document.xml   | docx   |
    | a.docx        | D0 CF 11 E0 (compound file)  | doc, or EncryptedInput if it holds an EncryptedPackage |
    | a.doc         | <html …                      | html   |
    | a.xlsx        | PK… without word/document.xml| UnsupportedFormat |
    """
    suffix = PurePath(name).suffix.lower()
    claimed = SUFFIXES.get(suffix)
    head = data[:1024]
    if b"%PDF-" in head:  # the PDF spec tolerates junk before the header
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if claimed == "docx":
            return "docx"  # even if damaged: the .docx reader says what is wrong
        members = _zip_members(data)
        if members is None:
            raise CorruptInput("starts like a zip archive (.docx) but is damaged or truncated", name)
        if "word/document.xml" in members:
            return "docx"
        raise UnsupportedFormat("a zip archive, not a report; unpack it or give the reports inside it", name)
    if data.startswith(_OLE) and claimed is not None:  # .xls/.ppt are compound files too: not ours
        if _ENCRYPTED_OOXML in data:
            raise EncryptedInput("the Word file is password-protected; open it with the password and save an "
                                 "unprotected .docx", name)
        return "doc"
    if _looks_like_html(head) and claimed != "html":
        return "html"
    if claimed is None:
        supported = " ".join(s for s in SUFFIXES if s)
        raise UnsupportedFormat(f"{suffix} files are not read; give one of {supported}", name)
    return claimed


def _zip_members(data: bytes) -> list[str] | None:
    """Names in a zip archive; None when it cannot be opened."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def _looks_like_html(head: bytes) -> bool:
    """Only a document that opens like HTML; a text report merely quoting a tag stays text."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html"))


def describe(e: BaseException) -> str:
    """A library exception as a short one-line reason for our error messages: 'KeyError: word/x.xml'."""
    text = " ".join(str(e).split())
    return f"{type(e).__name__}: {text[:160]}" if text else type(e).__name__
