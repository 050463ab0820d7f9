"""Bytes or files -> report text: every format an archive of reports holds, one module per kind.

The suffix picks the reader, unless the first bytes say otherwise: a "report.txt" that starts with
%PDF- is read as a PDF, a .doc that is really a .docx (a zip holding word/document.xml) as a .docx,
a .xls that is really a .xlsx as a .xlsx. Every problem is a ReportxError naming the file; no
library exception gets out.

| suffix                        | format  | reader      | `Document.encoding`      |
|-------------------------------|---------|-------------|--------------------------|
| .txt .text .md, no suffix     | txt     | `txt.py`    | utf-8, gb18030, big5, utf-16(-le/-be) … |
| .docx                         | docx    | `docx.py`   | None                     |
| .pdf (text layer; scanned pages by OCR) | pdf | `pdf.py` | None                  |
| .html .htm                    | html    | `html.py`   | the page's charset       |
| .doc, WPS .wps                | doc wps | `doc.py` (LibreOffice, antiword) | None   |
| .xlsx .xlsm, .xls, WPS .et, .ods | xlsx xls et ods | `sheet.py` | None          |
| .ofd (GB/T 33190)             | ofd     | `ofd.py`    | None                     |
| .png .jpg .jpeg .tif .tiff .bmp | image | `image.py` (OCR) | None                |

A reader's `read(name, data, max_unpacked)` gives `(text, encoding)`, or `(text, encoding, OcrInfo)`
when some of the text came from OCR.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from ..errors import (
    CorruptInput,
    EncryptedInput,
    InputNotFound,
    InputTooLarge,
    NotARegularFile,
    ReportxError,
    Unreadable,
    UnsupportedFormat,
)

FORMATS = ("txt", "docx", "pdf", "html", "doc", "wps", "xlsx", "xls", "et", "ods", "ofd", "image")

SUFFIXES = {
    ".txt": "txt", ".text": "txt", ".md": "txt", "": "txt",
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html", ".htm": "html",
    ".doc": "doc", ".wps": "wps",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".et": "et", ".ods": "ods",
    ".ofd": "ofd",
    ".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image", ".bmp": "image",
}

# The module under extract/readers that reads each format.
READERS = {"txt": "txt", "docx": "docx", "pdf": "pdf", "html": "html", "doc": "doc", "wps": "doc",
           "xlsx": "sheet", "xls": "sheet", "et": "sheet", "ods": "sheet", "ofd": "ofd", "image": "image"}

# What a .docx may inflate to (the sum of its members' uncompressed sizes): see unpacked_limit. Real
# reports are a few MB of XML; a zip bomb is hundreds of MB or more. read_bytes alone uses the maximum.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MIN_UNPACKED_BYTES = 16 * 1024 * 1024

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .doc, and also a password-protected .docx
_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")
# Stream names in a compound file's directory: a Word (or WPS) document, or an Excel (or WPS) workbook.
_WORD = "WordDocument".encode("utf-16-le")
_WORKBOOK = "Workbook".encode("utf-16-le")
_BOOK = "Book\x00".encode("utf-16-le")


@dataclass(frozen=True, slots=True)
class OcrInfo:
    """Which pages of a document were read by OCR, and how sure the engine was."""

    pages: tuple[int, ...]      # 1-based numbers of the pages (or images) whose text came from OCR
    confidence: float           # the engine's mean confidence over the lines it recognized, 0..1
    engine: str                 # the engine and its version: "rapidocr-onnxruntime 1.4.4"


@dataclass(frozen=True, slots=True)
class Document:
    """The text of one input file and how it was read; `data` is the raw bytes (hashed into the Report)."""

    text: str
    format: str                 # one of FORMATS: the reader actually used, not the suffix
    encoding: str | None        # the text encoding for txt and html; None for the other formats
    data: bytes = field(repr=False)
    ocr: OcrInfo | None = None  # set when some of the text came from OCR


def read_file(path: str | os.PathLike, max_bytes: int) -> Document:
    """Read one report file; the size limit is checked before a byte is read (see `read_raw`)."""
    return read_bytes(str(path), read_raw(path, max_bytes), max_unpacked=unpacked_limit(max_bytes))


def read_raw(path: str | os.PathLike, max_bytes: int) -> bytes:
    """The bytes of one report file, safely; every refusal is a ReportxError naming `path`.

    Only regular files (symlinks followed) are read: a FIFO would block forever and /dev/zero never
    ends, so they, sockets and devices are NotARegularFile (E015) before anything is opened for
    reading; a directory is UnsupportedFormat (E006); a missing path InputNotFound (E001). The size
    limit (InputTooLarge, E005) is checked before a byte is read, and at most max_bytes + 1 bytes are
    ever read, so a file that grows after the check (or lies about its size) cannot flood memory.
    """
    name = str(path)
    try:
        st = os.stat(path)  # follows symlinks: a link to /dev/zero is judged as /dev/zero
    except FileNotFoundError:
        raise InputNotFound("no such file", name) from None
    except OSError as e:
        raise os_error(e, name) from None
    if stat.S_ISDIR(st.st_mode):
        raise UnsupportedFormat("is a directory; give the files inside it", name)
    _require_regular(st, name)
    if st.st_size > max_bytes:
        raise InputTooLarge(f"{st.st_size} bytes is over the limit of {max_bytes} bytes (raise it with --max-bytes)", name)
    try:
        # O_NONBLOCK: if the path was swapped for a FIFO since the stat, opening it does not hang
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as e:
        raise os_error(e, name) from None
    with os.fdopen(fd, "rb") as f:
        _require_regular(os.fstat(f.fileno()), name)  # the file actually opened, not the one stat'ed
        try:
            data = _read_capped(f, st.st_size, max_bytes)
        except OSError as e:
            raise os_error(e, name) from None
    if len(data) > max_bytes:
        raise InputTooLarge(f"grew past the limit of {max_bytes} bytes while being read (raise it with --max-bytes)", name)
    return data


def _read_capped(f, size: int, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes: the stat'ed size in one read, then more only if the file has more."""
    data = f.read(size + 1)  # not read(max_bytes + 1): that would allocate the whole limit up front
    if len(data) <= size:
        return data
    parts = [data]
    total = len(data)
    while total <= max_bytes:
        chunk = f.read(min(1 << 20, max_bytes + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def require_regular_file(path: str | os.PathLike) -> None:
    """A ReportxError naming `path` unless it is an existing regular file (symlinks followed)."""
    name = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputNotFound("no such file", name) from None
    except OSError as e:
        raise os_error(e, name) from None
    _require_regular(st, name)


def os_error(e: OSError, name: str) -> ReportxError:
    """The coded error for an OSError met reading `name`: a symlink loop is not a regular file (E015),
    a file or folder we may not read is Unreadable (E022); anything else is said as the system says it."""
    import errno

    if e.errno == errno.ELOOP:
        return NotARegularFile("is a symbolic link loop, not a regular file", name)
    if e.errno in (errno.EACCES, errno.EPERM):
        return Unreadable(f"cannot read: {e.strerror} (check its permissions)", name)
    return ReportxError(f"cannot read: {e.strerror}", name)


def _require_regular(st: os.stat_result, name: str) -> None:
    if stat.S_ISREG(st.st_mode):
        return
    kind = ("a directory" if stat.S_ISDIR(st.st_mode) else
            "a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else
            "a character device" if stat.S_ISCHR(st.st_mode) else
            "a block device" if stat.S_ISBLK(st.st_mode) else
            "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
    raise NotARegularFile(f"is {kind}, not a regular file; give a saved report file (.txt, .docx, .pdf, .html, .doc, .xlsx, .ofd …)", name)


def unpacked_limit(max_bytes: int) -> int:
    """How much a .docx may inflate to in a run with this --max-bytes: 20 × max_bytes, but at least
    MIN_UNPACKED_BYTES (Word's own empty template is 36 kB that inflates to 0.8 MB) and at most
    MAX_UNPACKED_BYTES (200 MB), and never less than max_bytes itself (a raised limit also admits
    large image-heavy files). The default 50 MB limit gives 200 MB."""
    return max(min(max(20 * max_bytes, MIN_UNPACKED_BYTES), MAX_UNPACKED_BYTES), max_bytes)


def read_bytes(name: str, data: bytes, max_unpacked: int | None = None) -> Document:
    """Read a report held in memory; `name` picks the format and labels errors. Never opens `name`.

    `max_unpacked` caps what a .docx may inflate to (UnsafeArchive, E012, beyond it); None means
    MAX_UNPACKED_BYTES (200 MB).

    Archive members go through here, so the only file ever written is a private temporary copy
    that a .doc converter (antiword, soffice) needs.
    """
    import importlib

    fmt = detect_format(name, data)
    reader = importlib.import_module(f"{__name__}.{READERS[fmt]}")
    limit = MAX_UNPACKED_BYTES if max_unpacked is None else max_unpacked
    out = reader.read(name, data, limit) if READERS[fmt] != "doc" else reader.read(name, data, limit, fmt)
    text, encoding = out[0], out[1]
    return Document(text=text, format=fmt, encoding=encoding, data=data, ocr=out[2] if len(out) > 2 else None)


def detect_format(name: str, data: bytes) -> str:
    """The reader for `data`: what its first bytes prove, else what its suffix says.

    | name            | first bytes                             | format |
    |-----------------|-----------------------------------------|--------|
    | a.txt           | 兰州新区…                                | txt    |
    | a.txt           | %PDF-1.4                                | pdf    |
    | a.txt, a.doc    | PK… with word/document.xml              | docx   |
    | a.xls, a.et     | PK… with xl/workbook.xml                | xlsx   |
    | a.zip, a.ods    | PK… with mimetype …opendocument.spreadsheet | ods |
    | a.zip, a.ofd    | PK… with OFD.xml                        | ofd    |
    | a.docx          | D0 CF 11 E0 (compound file) + WordDocument | doc, or EncryptedInput if it holds an EncryptedPackage |
    | a.wps           | D0 CF 11 E0 + WordDocument              | wps    |
    | a.doc, a.xls    | D0 CF 11 E0 + Workbook                  | xls (et when named .et) |
    | a.doc           | <html …                                 | html   |
    | a.jpg, a.txt    | 89 50 4E 47 (PNG), FF D8 FF (JPEG), II*/MM* (TIFF) | image |
    | a.zip           | PK… anything else                       | UnsupportedFormat |
    """
    suffix = PurePath(name).suffix.lower()
    claimed = SUFFIXES.get(suffix)
    head = data[:1024]
    if b"%PDF-" in head:  # the PDF spec tolerates junk before the header
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        members = _zip_members(data)
        if members is None:
            if claimed in ("docx", "xlsx", "ods", "ofd"):
                return claimed  # even if damaged: its reader says what is wrong
            raise CorruptInput("starts like a zip archive (.docx) but is damaged or truncated", name)
        if "word/document.xml" in members:
            return "docx"
        if "xl/workbook.xml" in members:
            return "xlsx"
        if "OFD.xml" in members or "ofd.xml" in members:
            return "ofd"
        if "content.xml" in members and b"opendocument.spreadsheet" in data[:200]:
            return "ods"
        if claimed == "docx":
            return "docx"  # the .docx reader says what is missing
        raise UnsupportedFormat("a zip archive, not a report; unpack it or give the reports inside it", name)
    if data.startswith(_OLE) and claimed is not None:  # .ppt is a compound file too: not ours
        if _ENCRYPTED_OOXML in data:
            raise EncryptedInput("the file is password-protected; open it with the password and save an "
                                 "unprotected copy", name)
        workbook = (_WORKBOOK in data or _BOOK in data) and _WORD not in data
        if claimed in ("xls", "et") or workbook:
            return "et" if claimed == "et" else "xls"   # the workbook reader says what is wrong
        return "wps" if claimed == "wps" else "doc"
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return "image"
    if data.startswith(b"BM") and claimed == "image":
        return "image"
    if _looks_like_html(head) and claimed != "html":
        return "html"
    if claimed is None:
        supported = " ".join(s for s in SUFFIXES if s)
        raise UnsupportedFormat(f"{suffix} files are not read; give one of {supported}", name)
    if claimed == "image":
        raise CorruptInput(f"named {suffix} but not a PNG, JPEG, TIFF or BMP image", name)
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
