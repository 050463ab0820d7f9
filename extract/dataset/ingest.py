"""Bulk ingest: files, folders, globs and .zip archives -> the SQLite dataset (extract/dataset/store.py).

Worker processes (extract/dataset/workers.py) each load jieba and spaCy once and turn bytes into a
finished record (report, text, sentences with their search tokens); the parent holds their time and
memory limits and is the single writer, one transaction per report. Nothing is held for the whole batch: sources are enumerated lazily and at most a few
records per worker are in flight. A report's id is the sha256 of its bytes, so re-running the same
command skips what is already stored and finishes what a killed run left undone.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .. import __version__
from ..errors import ReportxError, WriteFailed
from . import store
from .sources import Item, Limits, Ref, chunked, expand_paths, iter_items, iter_refs, read_ref  # noqa: F401 (re-exported)


@dataclass
class Summary:
    ingested: int = 0
    skipped: int = 0
    failed: int = 0
    facts: Counter = field(default_factory=Counter)
    errors: list[tuple[str, str, str]] = field(default_factory=list)   # (path, code, message)
    seconds: float = 0.0
    bytes: int = 0
    ocr_pages: int = 0   # pages of scans read by OCR so far (counted as each is done, by the pool's workers)

    def as_dict(self) -> dict:
        return {"ingested": self.ingested, "skipped": self.skipped, "failed": self.failed,
                "facts": dict(self.facts), "errors": [{"path": p, "code": c, "message": m} for p, c, m in self.errors],
                "seconds": round(self.seconds, 3), "bytes": self.bytes, "ocr_pages": self.ocr_pages}


# ------------------------------------------------------------------------------------------ workers

def _warm_up() -> None:
    from ..pipeline import extract_text

    # one small report loads everything lazy (jieba's dictionary, the compiled rules), so the per-file
    # time limit measures the file, not the warm-up
    extract_text("2020年度绩效自评报告\n一、预算执行情况\n全年支出156.99万元，执行率97.94%，得分98分。")


def process(source: str, data: bytes) -> dict:
    """Bytes -> a finished record (runs in a worker). Errors come back as data, never raised."""
    from ..pipeline import extract_with_context
    from ..readers import read_bytes
    from .sentences import sentence_rows

    try:
        doc = read_bytes(source, data)
    except ReportxError as e:
        return {"error": _error_message(e), "code": e.code, "stage": "read"}
    except Exception as e:  # a reader bug: recorded, the batch goes on
        return {"error": f"internal error reading ({type(e).__name__}: {e}); please report it", "code": "E999",
                "stage": "read"}
    try:
        report, ctx = extract_with_context(doc.text, source=source, data=data, encoding=doc.encoding, ocr=doc.ocr)
        rows = sentence_rows(ctx)
    except ReportxError as e:
        return {"error": _error_message(e), "code": e.code, "stage": "extract"}
    except Exception as e:  # a bug of ours: recorded, the batch goes on
        return {"error": f"internal error ({type(e).__name__}: {e}); please report it", "code": "E999",
                "stage": "extract"}
    try:
        return {"record": store.record(report, doc.text, doc.format, rows, __version__)}
    except (OverflowError, ValueError, ArithmeticError) as e:
        return {"error": f"could not be stored ({type(e).__name__}: {e})", "code": WriteFailed.code, "stage": "write"}


def process_report(source: str, data: bytes) -> dict:
    """Bytes -> {"report": Report} for `reportx extract` in a worker; errors as data, as process() gives them."""
    from ..pipeline import extract_text
    from ..readers import read_bytes

    try:
        doc = read_bytes(source, data)
        return {"report": extract_text(doc.text, source=source, data=data, encoding=doc.encoding, ocr=doc.ocr)}
    except ReportxError as e:
        return {"error": _error_message(e), "code": e.code, "stage": "extract"}
    except Exception as e:  # a bug of ours: recorded, the batch goes on
        return {"error": f"internal error ({type(e).__name__}: {e}); please report it", "code": "E999",
                "stage": "extract"}


JOBS = {"record": process, "report": process_report}   # what a worker of extract/dataset/workers.py runs


def _error_message(e: ReportxError) -> str:
    return str(e.args[0]) if e.args else e.__class__.__name__


# ------------------------------------------------------------------------------------------ the job

PARQUET_BATCH = 200   # reports per Parquet part when this process writes them (no --scheduler)
IDLE_SECONDS = 0.25   # the longest the writer waits for a worker before committing what it has written


def ingest(paths: list[str], db_path: str | Path | None = "reports.db", workers: int | None = None,
           force: bool = False, limits: Limits = Limits(), progress: Callable[[Summary, str], None] | None = None,
           scheduler: str | None = None, parquet: str | Path | None = None, batch_size: int | None = None) -> Summary:
    """Ingest every document under `paths` into the SQLite database `db_path`, the Parquet dataset
    `parquet`, or both; returns what happened. `scheduler` ("local", or a Dask scheduler's address)
    runs the extraction on a Dask cluster (extract/dataset/cluster.py); otherwise a process pool of
    `workers` processes does (one process: no pool at all).

    No single file can stop the batch: read errors, extraction bugs, a worker killed mid-file and
    a report that cannot be stored each become a row of `errors` and a line of the summary.
    """
    from ..errors import UsageError

    if db_path is None and parquet is None:
        raise UsageError("give a database (--db), a Parquet folder (--parquet) or both")
    started = time.perf_counter()
    db = store.connect(db_path) if db_path is not None else None
    batch = store.Batch(db) if db is not None else None
    summary = Summary()
    workers = max(1, workers or os.cpu_count() or 1)
    from . import parquet as pq

    seen = pq.known_stamps(parquet) if parquet is not None and not force else set()
    mine: list[tuple[tuple, dict]] = []   # Parquet rows this process writes (pool path; listing errors)
    stored: set[str] = set()              # reports of this run, when only Parquet counts them

    def report(source: str) -> None:
        if progress:
            progress(summary, source)

    def flush(at_least: int = 1) -> None:
        if parquet is not None and len(mine) >= at_least:
            try:
                pq.write_batch(parquet, mine)
            except OSError as e:   # a full disk, a file size limit: stop, and say why (nothing half-written counts)
                raise store.DatabaseError(
                    f"cannot write the Parquet dataset ({e}): the disk is full, a file size limit was reached or "
                    "the disk failed; complete batches stay — free space and run the same command again",
                    str(parquet)) from None
            mine.clear()

    def record_error(stamp: tuple, stage: str, code: str | None, message: str, keep: bool = True) -> None:
        source = stamp[0]
        summary.failed += 1
        summary.errors.append((source, code or "E999", message))
        if batch is not None:
            try:
                batch.error(source, stage, code, message)
            except sqlite3.Error as e:
                raise _unwritable(e, db_path) if store.storage_failed(e) else e
        if keep and parquet is not None:   # an error the Parquet dataset has not got from a worker
            mine.append((stamp, {"error": message, "code": code, "stage": stage}))

    def finish(stamp: tuple, result: dict, parquet_written: bool = False) -> None:
        """One file's result: stored in SQLite (and Parquet, unless a worker wrote it), counted."""
        if "error" in result:
            record_error(stamp, result["stage"], result["code"], result["error"], keep=not parquet_written)
            report(stamp[0])
            return
        if parquet is not None and not parquet_written:
            mine.append((stamp, result))
            flush(PARQUET_BATCH)
        rec = result.get("record")
        written = None
        if batch is not None and rec is not None:
            try:
                written = batch.write(rec, replace=force, stamp=stamp)
            except sqlite3.Error as e:
                if store.storage_failed(e):   # nothing more can be stored: stop, and say why
                    raise _unwritable(e, db_path) from None
                record_error(stamp, "write", WriteFailed.code, f"could not be stored ({type(e).__name__}: {e})")
                report(stamp[0])
                return
        else:
            report_id = result.get("report_id") or rec.report_id
            written = report_id not in stored
            stored.add(report_id)
        if written:
            summary.ingested += 1
            for t, n in (rec.counts() if rec is not None else result["counts"]).items():
                summary.facts[t] += n
        else:
            summary.skipped += 1
        report(stamp[0])

    def page(stamp: tuple) -> None:
        """A page of a scan was OCR'd (in a worker, or here)."""
        summary.ocr_pages += 1
        report(stamp[0])

    def idle() -> None:
        """About to wait for a worker (or to extract a file here): commit what has waited long enough."""
        if batch is not None:
            try:
                batch.commit_if_due()
            except sqlite3.Error as e:
                raise _unwritable(e, db_path) if store.storage_failed(e) else e

    def held(stamp: tuple) -> bool:
        """Every dataset asked for holds this file already (one that lacks it gets it on this run)."""
        return ((parquet is None or stamp in seen)
                and (db is None or store.known_file(db, stamp)))

    def todo() -> Iterator[Ref]:
        """Documents that need extracting; listing errors and files already ingested are dealt with here."""
        for ref in iter_refs(paths, limits):
            if ref.error is not None:
                record_error(ref.stamp, "read", ref.error.code, _error_message(ref.error))
                report(ref.source)
                continue
            if not force and held(ref.stamp):
                summary.skipped += 1
                report(ref.source)
                continue
            if ref.size is not None:
                summary.bytes += ref.size
            yield ref

    def read(refs: Iterator[Ref]) -> Iterator[Item]:
        """This process reads (pool path): unreadable files recorded, stored reports skipped by content."""
        for ref in refs:
            item = read_ref(ref, limits)
            if item.error is not None:
                record_error(ref.stamp, "read", item.error.code, _error_message(item.error))
                report(ref.source)
                continue
            report_id = hashlib.sha256(item.data).hexdigest()
            if not force and parquet is None and db is not None and store.has_report(db, report_id):
                try:   # the same bytes under another name, or a file without a stamp: record it, skip it
                    batch.file(ref.stamp, report_id)
                except sqlite3.Error as e:
                    raise _unwritable(e, db_path) if store.storage_failed(e) else e
                summary.skipped += 1
                report(ref.source)
                continue
            yield item

    try:
        if scheduler is not None:
            from . import cluster

            cluster.run(todo(), scheduler, workers, finish, limits, parquet=parquet, records=db is not None,
                        batch_size=batch_size, idle=idle, page=page)
        elif workers == 1 and not limits.file_seconds and limits.worker_memory == 0:
            # no limits asked for: this process does everything, no worker, no pickling
            from ..readers import ocr

            first = True
            for item in read(todo()):
                if first:
                    _warm_up()
                    first = False
                idle()
                ocr.on_page = lambda stamp=item.ref.stamp: page(stamp)
                try:
                    result = process(item.source, item.data)
                finally:
                    ocr.on_page = None
                finish(item.ref.stamp, result)
        else:
            from . import workers as pool

            pool.run(((item.ref.stamp, item.source, item.data) for item in read(todo())), workers, finish,
                     seconds=limits.file_seconds, memory=limits.worker_memory, idle=idle, page=page)
        flush()
    except BaseException:
        if batch is not None:
            _commit_written(batch)   # interrupted: what was written whole stays (each report is all or nothing)
        raise
    else:
        if batch is not None:
            batch.commit()
    finally:
        summary.seconds = time.perf_counter() - started
        if db is not None:
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
