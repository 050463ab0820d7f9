"""Bulk ingest: files, folders, globs and .zip archives -> the SQLite dataset (extract/dataset/store.py).

Worker processes each load jieba and spaCy once and turn bytes into a finished record (report,
text, sentences with their search tokens); the parent is the single writer, one transaction per
report. Nothing is held for the whole batch: sources are enumerated lazily and at most a few
records per worker are in flight. A report's id is the sha256 of its bytes, so re-running the same
command skips what is already stored and finishes what a killed run left undone.
"""

from __future__ import annotations

import glob
import hashlib
import multiprocessing
import os
import pickle
import shutil
import signal
import sqlite3
import tempfile
import threading
import time
import uuid
import zipfile
from collections import Counter
from concurrent.futures import (
    ALL_COMPLETED,
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from .. import __version__
from ..errors import (
    FileTimeLimit,
    InputNotFound,
    InputTooLarge,
    ReportxError,
    UnsafeArchive,
    UnsupportedFormat,
    WriteFailed,
)
from ..models import FACT_TYPES
from . import store

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_ZIP_MAX_TOTAL = 2 * 1024 * 1024 * 1024   # uncompressed bytes read from one archive
DEFAULT_ZIP_MAX_MEMBERS = 20_000
WORKER_TASKS = 25_000   # reports a worker process takes before it is replaced (a safety net)
from ..readers import SUFFIXES as READABLE

DEFAULT_FILE_SECONDS = 300   # per-file extraction time limit; a normal report takes well under a second


@dataclass(frozen=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    file_seconds: int = DEFAULT_FILE_SECONDS
    zip_max_total: int = DEFAULT_ZIP_MAX_TOTAL
    zip_max_members: int = DEFAULT_ZIP_MAX_MEMBERS


@dataclass
class Item:
    """One document to ingest: its display path and bytes, or the error met while getting them."""

    source: str
    data: bytes | None = None
    error: ReportxError | None = None


@dataclass
class Summary:
    ingested: int = 0
    skipped: int = 0
    failed: int = 0
    facts: Counter = field(default_factory=Counter)
    errors: list[tuple[str, str, str]] = field(default_factory=list)   # (path, code, message)
    seconds: float = 0.0
    bytes: int = 0

    def as_dict(self) -> dict:
        return {"ingested": self.ingested, "skipped": self.skipped, "failed": self.failed,
                "facts": dict(self.facts), "errors": [{"path": p, "code": c, "message": m} for p, c, m in self.errors],
                "seconds": round(self.seconds, 3), "bytes": self.bytes}


# ------------------------------------------------------------------------------------------ sources

def expand_paths(paths: list[str]) -> Iterator[str]:
    """Files named, folders walked (report formats only, no archives), globs expanded; in order.

    A name that matches nothing is passed through, so the reader can say it does not exist."""
    for raw in paths:
        matches = _matches(raw)
        for m in matches or [raw]:
            p = Path(m)
            if p.is_dir():
                yield from (str(f) for f in sorted(p.rglob("*"))
                            if f.is_file() and _walkable(f.name) and f.suffix.lower() != ".zip")
            else:
                yield m


def _matches(raw: str) -> list[str]:
    """A path that exists is itself (report[1].txt is a file, not a pattern); otherwise a glob's matches."""
    if os.path.lexists(raw) or not glob.has_magic(raw):
        return [raw]
    return sorted(glob.glob(raw, recursive=True))


def iter_items(paths: list[str], limits: Limits) -> Iterator[Item]:
    """Every document under `paths` (files, folders recursively, globs, .zip archives), lazily."""
    for raw in paths:
        matches = _matches(raw)
        if not matches:
            yield Item(raw, error=InputNotFound("no file matches this pattern", raw))
        for m in matches:
            p = Path(m)
            if p.is_dir():
                for f in _walk(p):
                    if _walkable(f.name):
                        yield from _file_items(f, limits)
            else:
                yield from _file_items(p, limits)


def _walk(folder: Path) -> Iterator[Path]:
    """Every entry under `folder` that is not a directory, in order; symlinked folders are not followed (no
    loops). FIFOs, devices and broken or looping links are yielded too, so each becomes an error row."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(root, d))]):
            yield Path(root) / name


# Walking a folder takes report formats only: a README.md or a file with no suffix is read when
# named on the command line, never picked up by a walk.
WALK_SKIP = {"", ".md"}


def _walkable(name: str) -> bool:
    suffix = PurePosixPath(name).suffix.lower()
    return suffix not in WALK_SKIP and (suffix in READABLE or suffix == ".zip")


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


def _file_items(p: Path, limits: Limits) -> Iterator[Item]:
    """One named or walked file: its bytes, a zip's members, or the reason it cannot be read. Only regular
    files are opened (readers.read_raw): a FIFO, a device or a socket is an error row, never a hang."""
    from ..readers import read_raw, require_regular_file

    name = str(p)
    if p.suffix.lower() == ".zip":
        try:
            require_regular_file(p)
        except ReportxError as e:
            yield Item(name, error=e)
            return
        yield from _zip_items(p, limits)
        return
    try:
        yield Item(name, read_raw(p, limits.max_bytes))
    except ReportxError as e:
        yield Item(name, error=e)


def _zip_items(p: Path, limits: Limits) -> Iterator[Item]:
    """Members of a zip, safely: no paths outside the archive, caps on members and on total size."""
    name = str(p)
    try:
        archive = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError) as e:
        yield Item(name, error=UnsafeArchive(f"not a readable zip archive ({e})", name))
        return
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        if len(members) > limits.zip_max_members:
            yield Item(name, error=UnsafeArchive(
                f"{len(members)} members is over the limit of {limits.zip_max_members}", name))
            return
        total = 0
        for info in members:
            filename = _member_name(info)
            member = f"{name}!{filename}"
            pure = PurePosixPath(filename.replace("\\", "/"))
            if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
                yield Item(member, error=UnsafeArchive("member path points outside the archive; skipped", member))
                continue
            suffix = pure.suffix.lower()
            if suffix == ".zip":
                yield Item(member, error=UnsupportedFormat("archives inside archives are not opened", member))
                continue
            if not _walkable(pure.name):
                continue
            if info.file_size > limits.max_bytes:
                yield Item(member, error=InputTooLarge(
                    f"{info.file_size} bytes uncompressed is over the limit of {limits.max_bytes} bytes", member))
                continue
            if total + info.file_size > limits.zip_max_total:
                yield Item(member, error=UnsafeArchive(
                    f"the archive's uncompressed total would pass {limits.zip_max_total} bytes; stopped", member))
                return
            try:
                with archive.open(info) as f:
                    # never trust the declared size: read at most one byte past the limit
                    data = f.read(limits.max_bytes + 1)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as e:
                yield Item(member, error=UnsafeArchive(f"cannot read member ({e})", member))
                continue
            if len(data) > limits.max_bytes:
                yield Item(member, error=InputTooLarge(f"over the limit of {limits.max_bytes} bytes", member))
                continue
            total += len(data)
            yield Item(member, data)


# ------------------------------------------------------------------------------------------ workers

def _warm(folder: str | None = None) -> None:
    """Worker initializer: die with the parent, and load the pipeline once per process."""
    _watch_parent(folder)
    _warm_up()


def _warm_up() -> None:
    from ..pipeline import extract_text

    # one small report loads everything lazy (jieba's dictionary, the compiled rules), so the per-file
    # time limit measures the file, not the warm-up
    extract_text("2020年度绩效自评报告\n一、预算执行情况\n全年支出156.99万元，执行率97.94%，得分98分。")


def _watch_parent(folder: str | None) -> None:
    """A worker exits within a quarter second of its parent's death, however the parent died (SIGKILL
    included), removing the batch's temporary folder if the parent could not: no orphan keeps
    running with 200 MB, and nothing is left in /tmp."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.25)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        os._exit(1)

    threading.Thread(target=watch, name="reportx-parent-watch", daemon=True).start()


class FileTimeout(Exception):
    """Raised inside a worker when one file takes longer than the per-file time limit."""


def _on_alarm(signum, frame):
    raise FileTimeout()


def process_within(source: str, data: bytes, seconds: int) -> dict:
    """process() with a time limit (SIGALRM, main thread of a worker or of a one-process run): a runaway
    file becomes an error record instead of holding the batch."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        return process(source, data)
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(seconds)
    try:
        return process(source, data)
    except FileTimeout:
        return {"error": f"extraction took longer than the per-file limit of {seconds} s; skipped",
                "code": FileTimeLimit.code, "stage": "extract"}
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def process(source: str, data: bytes) -> dict:
    """Bytes -> a finished record (runs in a worker). Errors come back as data, never raised."""
    from ..pipeline import extract_with_context
    from ..readers import read_bytes
    from .sentences import sentence_rows

    try:
        doc = read_bytes(source, data)
    except FileTimeout:
        raise
    except ReportxError as e:
        return {"error": _error_message(e), "code": e.code, "stage": "read"}
    except Exception as e:  # a reader bug: recorded, the batch goes on
        return {"error": f"internal error reading ({type(e).__name__}: {e}); please report it", "code": "E999",
                "stage": "read"}
    try:
        report, ctx = extract_with_context(doc.text, source=source, data=data, encoding=doc.encoding)
        rows = sentence_rows(ctx)
    except FileTimeout:
        raise
    except ReportxError as e:
        return {"error": _error_message(e), "code": e.code, "stage": "extract"}
    except Exception as e:  # a bug of ours: recorded, the batch goes on
        return {"error": f"internal error ({type(e).__name__}: {e}); please report it", "code": "E999",
                "stage": "extract"}
    try:
        return {"record": store.record(report, doc.text, doc.format, rows, __version__)}
    except (OverflowError, ValueError, ArithmeticError) as e:
        return {"error": f"could not be stored ({type(e).__name__}: {e})", "code": WriteFailed.code, "stage": "write"}


def _error_message(e: ReportxError) -> str:
    return str(e.args[0]) if e.args else e.__class__.__name__


# ------------------------------------------------------------------------------------------ the job

def ingest(paths: list[str], db_path: str | Path, workers: int | None = None, force: bool = False,
           limits: Limits = Limits(), progress: Callable[[Summary, str], None] | None = None) -> Summary:
    """Ingest every document under `paths` into the database; returns what happened.

    No single file can stop the batch: read errors, extraction bugs, a worker killed mid-file and
    a report that cannot be stored each become a row of `errors` and a line of the summary.
    """
    started = time.perf_counter()
    db = store.connect(db_path)
    batch = store.Batch(db)
    summary = Summary()
    workers = max(1, workers or os.cpu_count() or 1)

    def report(source: str) -> None:
        if progress:
            progress(summary, source)

    def record_error(source: str, stage: str, code: str | None, message: str) -> None:
        summary.failed += 1
        summary.errors.append((source, code or "E999", message))
        try:
            batch.error(source, stage, code, message)
        except sqlite3.Error as e:
            raise _unwritable(e, db_path) if store.storage_failed(e) else e

    def finish(source: str, result: dict) -> None:
        if "error" in result:
            record_error(source, result["stage"], result["code"], result["error"])
        else:
            rec = result["record"]
            try:
                written = batch.write(rec, replace=force)
            except sqlite3.Error as e:
                if store.storage_failed(e):   # nothing more can be stored: stop, and say why
                    raise _unwritable(e, db_path) from None
                record_error(source, "write", WriteFailed.code, f"could not be stored ({type(e).__name__}: {e})")
            else:
                if written:
                    summary.ingested += 1
                    for t, n in rec.counts().items():
                        summary.facts[t] += n
                else:
                    summary.skipped += 1
        report(source)

    def todo() -> Iterator[Item]:
        """Items that need extracting; errors and already-stored files are dealt with here."""
        for item in iter_items(paths, limits):
            if item.error is not None:
                record_error(item.source, "read", item.error.code, _error_message(item.error))
                report(item.source)
                continue
            summary.bytes += len(item.data)
            if not force and store.has_report(db, hashlib.sha256(item.data).hexdigest()):
                summary.skipped += 1
                report(item.source)
                continue
            yield item

    try:
        if workers == 1:
            # one process does everything: no pool, no pickling (and the baseline for scaling)
            first = True
            for item in todo():
                if first:
                    _warm_up()
                    first = False
                finish(item.source, process_within(item.source, item.data, limits.file_seconds))
        else:
            _run_pool(todo(), workers, finish, limits.file_seconds)
    except BaseException:
        _commit_written(batch)   # interrupted: what was written whole stays (each report is all or nothing)
        raise
    else:
        batch.commit()
    finally:
        summary.seconds = time.perf_counter() - started
        db.close()
    return summary


def _commit_written(batch: store.Batch) -> None:
    try:
        batch.commit()
    except sqlite3.Error:
        pass   # the database cannot be written (the error being raised says so): nothing more to keep


def _unwritable(e: sqlite3.Error, db_path) -> store.DatabaseError:
    return store.DatabaseError(
        f"cannot write the database ({e}): the disk is full, a file size limit was reached or the disk "
        "failed; what was stored stays stored — free space and run the same command again", str(db_path))


def _new_pool(workers: int, folder: str) -> ProcessPoolExecutor:
    # spaCy's string store, which keeps every word seen, is renewed in-process (nlp.parse); workers
    # are still replaced every WORKER_TASKS reports, against whatever else a long life accumulates.
    return ProcessPoolExecutor(max_workers=workers, initializer=_warm, initargs=(folder,),
                               max_tasks_per_child=WORKER_TASKS, mp_context=multiprocessing.get_context("spawn"))


def _stop(pool: ProcessPoolExecutor) -> None:
    """Shut a pool down now: pending files cancelled, running workers terminated, all of them reaped."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(timeout=10)
        if p.is_alive():
            p.kill()
            p.join(timeout=5)


_DIED = {"error": "a worker died while extracting this file (killed, or out of memory)", "code": "E998",
         "stage": "extract"}


def process_to_file(source: str, data: bytes, folder: str, seconds: int = 0) -> str:
    """process(), with the record left in a file of `folder`; returns the file's path (runs in a worker).

    Only the short path crosses the pool's result pipe: a worker killed while writing a large
    record into the pipe would leave half a message there, and the pool would wait for the rest
    forever. A worker killed while writing the file leaves only a file nobody reads.
    """
    path = os.path.join(folder, uuid.uuid4().hex)
    with open(path, "wb") as f:
        pickle.dump(process_within(source, data, seconds), f, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _record(path: str) -> dict:
    """The record a worker left in `path` (the file is removed)."""
    with open(path, "rb") as f:
        result = pickle.load(f)  # written by our own worker a moment ago, in a folder only we use
    os.unlink(path)
    return result


def _run_pool(items: Iterator[Item], workers: int, finish: Callable[[str, dict], None], seconds: int = 0) -> None:
    """Extract in worker processes with at most workers*4 files in flight (memory stays flat).

    When a worker dies, every file in flight is retried alone in a fresh pool, so only the file
    that kills a worker is reported as failed and nothing else is lost.
    """
    folder = tempfile.mkdtemp(prefix="reportx-ingest-")
    try:
        _run_pool_in(items, workers, finish, folder, seconds)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_pool_in(items: Iterator[Item], workers: int, finish: Callable[[str, dict], None], folder: str,
                 seconds: int = 0) -> None:
    pool = _new_pool(workers, folder)
    pending: dict[Future, Item] = {}

    def isolate(suspects: list[Item]) -> None:
        nonlocal pool
        for it in suspects:
            try:
                result = _record(pool.submit(process_to_file, it.source, it.data, folder, seconds).result())
            except BrokenProcessPool:
                _stop(pool)
                pool = _new_pool(workers, folder)
                result = _DIED
            finish(it.source, result)

    def drain(when: str) -> None:
        nonlocal pool
        done, _ = wait(pending, return_when=when)
        broken = []
        for fut in done:
            item = pending.pop(fut)
            try:
                result = _record(fut.result())
            except BrokenProcessPool:
                broken.append(item)
                continue
            finish(item.source, result)
        if broken:
            broken += pending.values()   # their futures failed with the pool
            pending.clear()
            _stop(pool)
            pool = _new_pool(workers, folder)
            isolate(broken)

    try:
        for item in items:
            try:
                pending[pool.submit(process_to_file, item.source, item.data, folder, seconds)] = item
            except BrokenProcessPool:
                suspects = [*pending.values(), item]
                pending.clear()
                _stop(pool)
                pool = _new_pool(workers, folder)
                isolate(suspects)
                continue
            if len(pending) >= workers * 4:
                drain(FIRST_COMPLETED)
        while pending:
            drain(ALL_COMPLETED)
    finally:
        _stop(pool)
