"""Where an ingest's documents come from: files, folders, globs, .zip archives and fsspec URLs.

Listing and reading are apart: `iter_refs` lists every document as a `Ref` (where it is, its size and
modification time) without reading a byte of it, and `read_ref` reads one. A single machine does both
in one loop (`iter_items`); on a cluster the client lists and the workers read, so report bytes never
pass through the client. A zip archive is listed from its central directory (names, declared sizes)
and read member by member; zipfile never returns more than a member's declared size, so the caps on
members and on the total are checked on the listing.

A path containing `://` (s3://bucket/prefix/, gs://…, file:///…) is opened with fsspec, which must be
installed with the backend the scheme needs (s3fs for s3://).
"""

from __future__ import annotations

import glob
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator

from ..errors import (
    InputNotFound,
    InputTooLarge,
    ReportxError,
    UnsafeArchive,
    UnsupportedFormat,
)
from ..readers import SUFFIXES as READABLE

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_ZIP_MAX_TOTAL = 2 * 1024 * 1024 * 1024   # uncompressed bytes read from one archive
DEFAULT_ZIP_MAX_MEMBERS = 20_000
DEFAULT_FILE_SECONDS = 300   # per-file extraction time limit; a normal report takes well under a second

# Walking a folder takes report formats only: a README.md or a file with no suffix is read when
# named on the command line, never picked up by a walk.
WALK_SKIP = {"", ".md"}


@dataclass(frozen=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    file_seconds: int = DEFAULT_FILE_SECONDS   # 0: none
    worker_memory: int | None = None           # bytes per worker; None: workers.memory_limit(); 0: none
    zip_max_total: int = DEFAULT_ZIP_MAX_TOTAL
    zip_max_members: int = DEFAULT_ZIP_MAX_MEMBERS


@dataclass(frozen=True)
class Ref:
    """One document, listed: `source` is how it is named in the dataset (a path, or archive.zip!member)."""

    source: str
    path: str                     # the file or the archive to open: a local path or an fsspec URL
    member: str | None = None     # the zip member's stored name
    size: int | None = None       # bytes (a member's uncompressed size)
    mtime: str | None = None      # a file's st_mtime_ns; a member's date and CRC
    error: ReportxError | None = None

    @property
    def stamp(self) -> tuple[str, int | None, str | None]:
        """(source, size, mtime): what says the document has not changed since it was ingested."""
        return self.source, self.size, self.mtime


@dataclass
class Item:
    """One document to ingest: its display path and bytes, or the error met while getting them."""

    source: str
    data: bytes | None = None
    error: ReportxError | None = None
    ref: Ref | None = None


STDIN, STDIN_SOURCE = "-", "<stdin>"   # `-` among the paths: one report read from standard input


def is_url(path: str) -> bool:
    return "://" in path


# ------------------------------------------------------------------------------------------ listing

def expand_paths(paths: list[str]) -> Iterator[str]:
    """Files named, folders walked (report formats only, no archives), globs expanded; in order.

    A name that matches nothing is passed through, so the reader can say it does not exist."""
    for raw in paths:
        matches = _matches(raw)
        for m in matches or [raw]:
            p = Path(m)
            if p.is_dir():
                yield from (str(f) for f in sorted(p.rglob("*"))
                            if f.is_file() and walkable(f.name) and f.suffix.lower() != ".zip")
            else:
                yield m


def _matches(raw: str) -> list[str]:
    """A path that exists is itself (report[1].txt is a file, not a pattern); otherwise a glob's matches."""
    if os.path.lexists(raw) or not glob.has_magic(raw):
        return [raw]
    return sorted(glob.glob(raw, recursive=True))


def iter_refs(paths: list[str], limits: Limits) -> Iterator[Ref]:
    """Every document under `paths` (files, folders recursively, globs, .zip archives, URLs), lazily, in
    order; nothing is read but folder listings and zip directories."""
    for raw in paths:
        if raw == STDIN:
            yield Ref(STDIN_SOURCE, STDIN)   # one report on standard input, as `reportx extract -` reads it
            continue
        if is_url(raw):
            yield from _url_refs(raw, limits)
            continue
        matches = _matches(raw)
        if not matches:
            yield Ref(raw, raw, error=InputNotFound("no file matches this pattern", raw))
        for m in matches:
            p = Path(m)
            if p.is_dir():
                for f in _walk(p):
                    if isinstance(f, Ref):
                        yield f          # a folder that could not be listed
                    elif walkable(f.name):
                        yield from _file_refs(f, limits)
            else:
                yield from _file_refs(p, limits)


def _walk(folder: Path) -> Iterator[Path | Ref]:
    """Every entry under `folder` that is not a directory, in order; symlinked folders are not followed (no
    loops). FIFOs, devices and broken or looping links are yielded too, so each becomes an error row; a
    folder that cannot be listed (permissions) is yielded as a Ref with its error, never skipped."""
    from ..readers import os_error

    unlisted: list[OSError] = []
    for root, dirs, files in os.walk(folder, followlinks=False, onerror=unlisted.append):
        while unlisted:
            e = unlisted.pop(0)
            name = str(e.filename or root)
            yield Ref(name, name, error=os_error(e, name))
        dirs.sort()
        for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(root, d))]):
            yield Path(root) / name
    for e in unlisted:
        name = str(e.filename or folder)
        yield Ref(name, name, error=os_error(e, name))


def walkable(name: str) -> bool:
    suffix = PurePosixPath(name).suffix.lower()
    return suffix not in WALK_SKIP and (suffix in READABLE or suffix == ".zip")


def _file_refs(p: Path, limits: Limits) -> Iterator[Ref]:
    """One named or walked file, or a zip's members. What is wrong with a file (missing, a FIFO, a device,
    too large) is found by whoever reads it (readers.read_raw), so a FIFO is an error row, never a hang."""
    from ..readers import require_regular_file

    name = str(p)
    if p.suffix.lower() == ".zip":
        try:
            require_regular_file(p)
            archive = zipfile.ZipFile(p)
        except ReportxError as e:
            yield Ref(name, name, error=e)
            return
        except (zipfile.BadZipFile, OSError) as e:
            yield Ref(name, name, error=UnsafeArchive(f"not a readable zip archive ({e})", name))
            return
        with archive:
            yield from _member_refs(archive, name, limits)
        return
    try:
        st = p.stat()
    except OSError:
        yield Ref(name, name)   # read_ref says what is wrong
        return
    yield Ref(name, name, size=st.st_size, mtime=str(st.st_mtime_ns))


def _url_refs(url: str, limits: Limits) -> Iterator[Ref]:
    """Every document under an fsspec URL: the object itself, or every walkable object under the prefix."""
    try:
        import fsspec
    except ImportError:
        yield Ref(url, url, error=UnsupportedFormat("URLs need fsspec: pip install 'reportx[dask]'", url))
        return
    try:
        fs, root = fsspec.core.url_to_fs(url)
        names = sorted(fs.find(root)) if fs.isdir(root) else [root]
    except (OSError, ValueError, ImportError) as e:
        yield Ref(url, url, error=InputNotFound(f"cannot list ({e})", url))
        return
    protocol = fs.protocol[0] if isinstance(fs.protocol, (tuple, list)) else fs.protocol
    for name in names:
        if len(names) > 1 and not walkable(name):
            continue
        full = name if is_url(name) else f"{protocol}://{name}"
        try:
            info = fs.info(name)
        except OSError as e:
            yield Ref(full, full, error=InputNotFound(f"cannot read ({e})", full))
            continue
        mtime = info.get("mtime") or info.get("LastModified") or info.get("last_modified") or info.get("created")
        if name.lower().endswith(".zip"):
            try:
                with fs.open(name, "rb") as f, zipfile.ZipFile(f) as archive:
                    yield from _member_refs(archive, full, limits)
            except (zipfile.BadZipFile, OSError) as e:
                yield Ref(full, full, error=UnsafeArchive(f"not a readable zip archive ({e})", full))
            continue
        yield Ref(full, full, size=info.get("size"), mtime=None if mtime is None else str(mtime))


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name; archives made on Chinese Windows store GBK names without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _member_refs(archive: zipfile.ZipFile, name: str, limits: Limits) -> Iterator[Ref]:
    """Members of a zip, safely: no paths outside the archive, caps on members and on total size."""
    members = [i for i in archive.infolist() if not i.is_dir()]
    if len(members) > limits.zip_max_members:
        yield Ref(name, name, error=UnsafeArchive(
            f"{len(members)} members is over the limit of {limits.zip_max_members}", name))
        return
    total = 0
    for info in members:
        filename = _member_name(info)
        member = f"{name}!{filename}"
        pure = PurePosixPath(filename.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
            yield Ref(member, name, error=UnsafeArchive("member path points outside the archive; skipped", member))
            continue
        if pure.suffix.lower() == ".zip":
            yield Ref(member, name, error=UnsupportedFormat("archives inside archives are not opened", member))
            continue
        if not walkable(pure.name):
            continue
        if info.file_size > limits.max_bytes:
            yield Ref(member, name, error=InputTooLarge(
                f"{info.file_size} bytes uncompressed is over the limit of {limits.max_bytes} bytes", member))
            continue
        if total + info.file_size > limits.zip_max_total:
            yield Ref(member, name, error=UnsafeArchive(
                f"the archive's uncompressed total would pass {limits.zip_max_total} bytes; stopped", member))
            return
        total += info.file_size
        yield Ref(member, name, member=info.filename, size=info.file_size,
                  mtime=f"{'-'.join(map(str, info.date_time))}/{info.CRC:08x}")


# ------------------------------------------------------------------------------------------ reading

def read_ref(ref: Ref, limits: Limits) -> Item:
    """The bytes of one listed document (runs where the document is extracted), or why they cannot be had."""
    from ..readers import read_raw

    if ref.error is not None:
        return Item(ref.source, error=ref.error, ref=ref)
    try:
        if ref.path == STDIN and ref.source == STDIN_SOURCE:
            data = _read_stdin(limits)
        elif ref.member is not None:
            data = _read_member(ref, limits)
        elif is_url(ref.path):
            data = _read_url(ref, limits)
        else:
            data = read_raw(Path(ref.path), limits.max_bytes)
    except ReportxError as e:
        return Item(ref.source, error=e, ref=ref)
    return Item(ref.source, data, ref=ref)


def _read_stdin(limits: Limits) -> bytes:
    import sys

    data = sys.stdin.buffer.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise InputTooLarge(f"over the limit of {limits.max_bytes} bytes", STDIN_SOURCE)
    return data


def _read_url(ref: Ref, limits: Limits) -> bytes:
    import fsspec

    try:
        with fsspec.open(ref.path, "rb") as f:
            data = f.read(limits.max_bytes + 1)
    except (OSError, ValueError) as e:
        raise InputNotFound(f"cannot read ({e})", ref.source) from None
    if len(data) > limits.max_bytes:
        raise InputTooLarge(f"over the limit of {limits.max_bytes} bytes", ref.source)
    return data


def _read_member(ref: Ref, limits: Limits) -> bytes:
    try:
        if is_url(ref.path):
            import fsspec

            with fsspec.open(ref.path, "rb") as f, zipfile.ZipFile(f) as archive:
                return _member_bytes(archive, ref, limits)
        with zipfile.ZipFile(ref.path) as archive:
            return _member_bytes(archive, ref, limits)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, KeyError) as e:
        raise UnsafeArchive(f"cannot read member ({e})", ref.source) from None


def _member_bytes(archive: zipfile.ZipFile, ref: Ref, limits: Limits) -> bytes:
    with archive.open(ref.member) as f:
        # never trust the declared size: read at most one byte past the limit
        data = f.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise InputTooLarge(f"over the limit of {limits.max_bytes} bytes", ref.source)
    return data


def iter_items(paths: list[str], limits: Limits) -> Iterator[Item]:
    """Every document under `paths` with its bytes (or its error), lazily: listing and reading in one loop."""
    for ref in iter_refs(paths, limits):
        yield read_ref(ref, limits)


def chunked(things: Iterable, size: int) -> Iterator[list]:
    """Lists of up to `size` consecutive things, lazily (batches of documents for workers)."""
    chunk: list = []
    for thing in things:
        chunk.append(thing)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
