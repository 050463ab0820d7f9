"""Bytes -> str. UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK; nothing silent.

Undecodable input is an error naming the file, never text with replacement characters.
"""

from __future__ import annotations

import codecs

from .errors import BinaryInput, EmptyInput, UndecodableInput

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode(data: bytes, path: str | None = None) -> tuple[str, str]:
    """(text, encoding) of `data`; raises a ReportxError subclass that names `path`."""
    if not data.strip():
        raise EmptyInput("the file is empty", path)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), path), encoding
            except UnicodeDecodeError as e:
                raise UndecodableInput(f"starts with a {encoding} byte-order mark but is not {encoding} at byte {e.start}", path) from None
    if b"\x00" in data[:4096]:
        raise BinaryInput("binary data (NUL bytes), not a text report; convert it to .txt, .docx, .pdf or .html", path)
    try:
        return _checked(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return _checked(data.decode("gb18030"), path), "gb18030"
    except UnicodeDecodeError as e:
        raise UndecodableInput(
            f"not UTF-8, UTF-16 or GB18030/GBK (bad byte 0x{data[e.start]:02x} at offset {e.start}); re-save it as UTF-8",
            path,
        ) from None


def _checked(text: str, path: str | None) -> str:
    """Reject text that decoded but is not prose: control characters dominate binary junk."""
    if not text.strip():
        raise EmptyInput("the file has no text", path)
    sample = text[:4096]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f\v")
    if controls > max(8, len(sample) // 50):
        raise BinaryInput("binary data (control characters), not a text report", path)
    return text
