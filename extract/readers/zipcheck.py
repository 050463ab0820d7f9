"""Zip containers (.docx, .xlsx, .ods, .ofd): refuse a zip bomb before any library inflates a member."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from ..errors import CorruptInput, UnsafeArchive

# Members are inflated this much at a time when checking them.
_CHUNK = 1 << 20


def check_zip(name: str, data: bytes, max_unpacked: int, required: str | None, kind: str, app: str) -> list[str]:
    """The member names of a zip container of `kind` (".docx") that `app` ("Word") writes, once it is safe.

    First by the declared sizes (the sum of the members' uncompressed sizes against `max_unpacked`),
    then by inflating every deflated member a chunk at a time and counting: a member that inflates to
    more than it declares is refused as soon as it passes, with one chunk in memory. (zipfile cuts a
    member at its declared size, but a library's ZipFile.read() may inflate up to 1 GB before it cuts.)
    `required` is a member the container must hold (CorruptInput without it).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise CorruptInput(f"not a readable {kind} (the zip container is damaged or truncated); "
                           f"download it again or re-save it in {app}", name) from None
    if required is not None and not any(i.filename == required for i in infos):
        raise CorruptInput(f"not a {app} {kind} (no {required} inside the zip)", name)
    declared = sum(i.file_size for i in infos)
    if declared > max_unpacked:
        raise UnsafeArchive(f"unpacks to {declared} bytes, over the limit of {max_unpacked} bytes for a {kind} (a zip "
                            f"bomb, or a document far larger than any report); re-save it in {app}", name)
    for info in infos:
        if info.compress_type == zipfile.ZIP_STORED or info.flag_bits & 0x1:
            continue  # stored: no bigger than the file; encrypted: the reader refuses it (CorruptInput)
        if info.compress_type != zipfile.ZIP_DEFLATED:
            raise CorruptInput(f"{info.filename} uses zip compression method {info.compress_type}, which {app} never "
                               f"writes; re-save the document in {app}", name)
        inflated = _inflated_size(data, info, info.file_size)
        if inflated is None:
            raise CorruptInput(f"not a readable {kind} ({info.filename} is damaged or truncated); download it again "
                               f"or re-save it in {app}", name)
        if inflated > info.file_size:
            raise UnsafeArchive(f"{info.filename} declares {info.file_size} bytes but inflates to more (a zip bomb "
                                "with a false size); not read", name)
    return [i.filename for i in infos]


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
