"""Plain text: the bytes are decoded by extract.decode (UTF-8 ± BOM, UTF-16 ± BOM, GB18030/GBK, Big5)."""

from __future__ import annotations

from ..decode import decode


def read(name: str, data: bytes, max_unpacked: int = 0) -> tuple[str, str]:
    """(text, encoding); decode's errors already name the file and say how to fix it."""
    return decode(data, name)
