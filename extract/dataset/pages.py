"""The pages `reportx serve` adds to Datasette, each built once per version of the data and kept,
gzip-compressed, in a cache of bounded size (extract/dataset/datasette_plugin.py serves them).

    page      built from                                  keyed by (a re-ingest changes the key)
    report    its stored rows: `stored_report` -> view    report_id, its row's rowid, ingested_at, extractor_version
    charts    the dataset (charts.page, in a child)       the database's data_version (any commit changes it)

A report's view is read back from what the dataset stores (the text and every fact, check and figure),
never by extracting the text again: re-extracting per request cost minutes and gigabytes for a report
of millions of characters (issue 19). The page is compressed as it is rendered, so a page of hundreds
of MB is never held whole; a view is mostly text and repeated attributes, which compress about tenfold.

Builds run one thread each, at most `builders` at once, outside the threads that answer other
requests; a thread is a daemon, so it never keeps a stopping server alive. A build checks its `Cancel`
between pieces of the page and, through SQLite's progress handler, inside every query: it stops when
every request waiting for it has gone (the clients disconnected) or the server stops. Requests for a
page being built wait for that one build.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import os
import sqlite3
import subprocess
import sys
import threading
import typing
import zlib
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Awaitable, Callable, Iterable

from ..models import FACT_TYPES, FIGURE_NAMES, BudgetSummary, Check, Figure, Ocr, Project, Report, ReportFigures
from . import store

LIMIT = 256 << 20   # bytes of compressed pages kept (a 16.7 M-character report's view is about 40 MB)
BUILDERS = 2        # pages built at once; more requests wait for a free builder
_GZIP = 31          # zlib's wbits for a gzip member: served as is with Content-Encoding: gzip
_LEVEL = 6


class Cancelled(Exception):
    """The build stopped: nobody waits for its page any more."""


class Cancel:
    """The flag a build checks; set from the server's loop when the last request waiting has gone."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


@dataclass(frozen=True)
class Page:
    gzip: bytes   # the HTML (UTF-8), as one gzip member
    size: int     # bytes of the HTML uncompressed


def compressed(pieces: Iterable[str], cancel: Cancel) -> Page:
    """The pieces of a page compressed as they come; `cancel` is checked between pieces."""
    z = zlib.compressobj(_LEVEL, zlib.DEFLATED, _GZIP)
    out, size = [], 0
    for piece in pieces:
        cancel.check()
        data = piece.encode("utf-8")
        size += len(data)
        out.append(z.compress(data))
    out.append(z.flush())
    return Page(b"".join(out), size)


def unzipped(page: Page, chunk: int = 1 << 20) -> Iterable[bytes]:
    """The HTML of a page in pieces of at most `chunk` bytes (for a client that takes no gzip)."""
    z = zlib.decompressobj(_GZIP)
    data = page.gzip
    while data:
        out = z.decompress(data, chunk)
        data = z.unconsumed_tail
        if out:
            yield out
    rest = z.flush()
    if rest:
        yield rest


# ------------------------------------------------------------------------------------------ a stored report

def _holds_list(model: Any, path: tuple[str, ...]) -> bool:
    """Whether the field at `path` may hold a list: Staffing, ("names",) -> True (list[str] | None)."""
    annotation = model.model_fields[path[0]].annotation
    kinds = typing.get_args(annotation) or (annotation,)
    if len(path) > 1:
        return any(_holds_list(k, path[1:]) for k in kinds if hasattr(k, "model_fields"))
    return any(typing.get_origin(k) is list or k is list for k in kinds)


@functools.cache
def _json_columns(table: str) -> frozenset[str]:
    """Columns that hold a list as JSON (the store writes lists so): staffing.names."""
    return frozenset(c for c, path in store.FACT_COLUMN_PATHS[table].items()
                     if _holds_list(FACT_TYPES[table], path))


@functools.cache
def _plan(table: str, columns: tuple[str, ...]) -> tuple[tuple[int, tuple[str, ...], str, bool], ...]:
    """Where each column of a fact table's row goes: (position, records on the way, field, JSON?)."""
    paths, json_columns = store.FACT_COLUMN_PATHS[table], _json_columns(table)
    return tuple((i, tuple(paths[c][:-1]), paths[c][-1], c in json_columns)
                 for i, c in enumerate(columns) if c in paths)


def _fact(table: str, plan: tuple, row: tuple) -> Any:
    """One fact from its row: nested records (an indicator's target) rebuilt from their prefixed columns,
    NULL columns left to the model's default."""
    data: dict[str, Any] = {}
    for i, outer, name, is_json in plan:
        value = row[i]
        if value is None:
            continue
        holder = data
        for part in outer:
            holder = holder.setdefault(part, {})
        holder[name] = json.loads(value) if is_json else value
    return FACT_TYPES[table].model_validate(data)


def _figure(row: dict) -> Figure:
    return Figure.model_validate({k: row[k] for k in ("value", "label", "status", "fact_type", "fact_seq", "text",
                                                      "start", "end", "rule", "reason") if row[k] is not None})


def stored_report(db: sqlite3.Connection, report_id: str,
                  check: Callable[[], None] = lambda: None) -> tuple[Report, str] | None:
    """The report `report_id` as stored (its facts, checks, figures and projects) and its text; None when
    the dataset has no such report. Sections are not stored: the report comes back without them.

    `db` is a connection of store.connect (DECIMAL columns come back as Decimals); `check` is called
    between tables and every few thousand rows, and may raise to stop. The rows are read in one
    transaction: a writer replacing the report meanwhile is seen whole or not at all.
    """
    if db.in_transaction:
        return _stored_report(db, report_id, check)
    db.execute("BEGIN")
    try:
        return _stored_report(db, report_id, check)
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")   # nothing was written


def _stored_report(db: sqlite3.Connection, report_id: str, check: Callable[[], None]) -> tuple[Report, str] | None:
    cur = db.execute("SELECT * FROM reports WHERE report_id = ?", (report_id,))
    found = cur.fetchone()
    if found is None:
        return None
    row = dict(zip([d[0] for d in cur.description], found))
    text = row["text"] or ""
    lists: dict[str, list] = {}
    for table in FACT_TYPES:
        check()
        cur = db.execute(f"SELECT * FROM {table} WHERE report_id = ? ORDER BY seq", (report_id,))
        plan = _plan(table, tuple(d[0] for d in cur.description))
        facts = []
        while batch := cur.fetchmany(2000):
            check()
            facts += [_fact(table, plan, r) for r in batch]
        lists[table] = facts
    check()
    checks = [Check(name=name, passed=bool(passed), message=message or "",
                    values={k: Decimal(v) for k, v in json.loads(values or "{}").items()})
              for name, passed, values, message in db.execute(
                  "SELECT name, passed, values_json, message FROM checks WHERE report_id = ? ORDER BY seq",
                  (report_id,))]
    cur = db.execute("SELECT * FROM figures WHERE report_id = ? ORDER BY seq", (report_id,))
    names = [d[0] for d in cur.description]
    figures: dict[int | None, dict[str, Figure]] = {}
    for r in cur.fetchall():
        f = dict(zip(names, r))
        figures.setdefault(f["project_seq"], {})[f["name"]] = _figure(f)
    projects = [Project(name=name, start=start, end=end, **figures.get(seq, {}))
                for seq, name, start, end in db.execute(
                    'SELECT seq, name, "start", "end" FROM projects WHERE report_id = ? ORDER BY seq', (report_id,))]
    own = figures.get(None, {})
    report = Report(
        source=row["source"], sha256=row["report_id"],
        **{k: row[k] for k in ("encoding", "title", "department", "department_key", "year", "report_kind", "grade",
                               "grade_level") if row.get(k) is not None},
        ocr=Ocr(pages=[int(p) for p in row["ocr_pages"].split(",")], confidence=row["ocr_confidence"],
                engine=row["ocr_engine"] or "") if row.get("ocr_pages") else None,
        **lists, checks=checks,
        budget_summary=BudgetSummary(**{k: row[k] for k in store.SUMMARY_COLUMNS if row.get(k) is not None}),
        figures=ReportFigures(scope=row.get("scope"), subject=row.get("subject"),
                              **{n: own[n] for n in FIGURE_NAMES if n in own}),
        projects=projects)
    return report, text


def _reader(db_path, cancel: Cancel) -> sqlite3.Connection:
    """A read-only connection whose queries stop when `cancel` is set."""
    db = store.connect(db_path, create=False)
    db.set_progress_handler(cancel.is_set, 10_000)   # non-zero: SQLite interrupts the statement
    return db


def report_page(db_path, report_id: str, cancel: Cancel) -> Page | None:
    """The view of a stored report (extract/view.py), compressed; None when it is not (or no longer) stored."""
    from ..view import pieces

    db = _reader(db_path, cancel)
    try:
        found = stored_report(db, report_id, cancel.check)
    except sqlite3.OperationalError:
        cancel.check()   # interrupted by the progress handler: say so
        raise
    finally:
        db.close()
    if found is None:
        return None
    report, text = found
    try:
        return compressed(pieces(report, text, cancel.check), cancel)
    finally:
        _release(report)


def _release(report: Report) -> None:
    """Free a report's facts a few thousand at a time: freeing 580,000 at once holds every thread 0.6 s."""
    for table in FACT_TYPES:
        facts = getattr(report, table)
        while facts:
            del facts[-2000:]


def charts_page(db_path, cancel: Cancel, home: str = "/") -> Page:
    """Every chart of the dataset (charts.page), drawn in a child process (charts.main says why), which
    is killed as soon as `cancel` is set."""
    child = subprocess.Popen([sys.executable, "-m", "extract.dataset.charts", str(db_path), home, str(os.getpid())],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        while True:
            try:
                html, errors = child.communicate(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                cancel.check()
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"the charts could not be drawn (exit {child.returncode}): "
                           f"{errors.decode('utf-8', 'replace').strip()[-2000:]}")
    return compressed([html.decode("utf-8")], cancel)


# ------------------------------------------------------------------------------------------ the cache

REPORT_KEY_SQL = "SELECT rowid, ingested_at, extractor_version FROM reports WHERE report_id = ?"


@dataclass
class _Build:
    future: asyncio.Future
    cancel: Cancel = field(default_factory=Cancel)
    waiters: int = 0
    task: asyncio.Task | None = None


class Pages:
    """Pages by key: each built once (one build for all the requests that want it at the same time)
    and kept while the compressed pages fit in `limit` bytes, the least recently served dropped first.

    `counts` says what happened: built, hits (served from the cache), cancelled (builds stopped because
    every request had gone), failed, evicted, too_large (a page over `limit`, served but not kept).
    Used from one event loop; only the builds run in other threads.
    """

    def __init__(self, limit: int = LIMIT, builders: int = BUILDERS) -> None:
        self.limit = limit
        self.builders = builders
        self.counts: Counter[str] = Counter()
        self._pages: OrderedDict[tuple, Page] = OrderedDict()
        self._bytes = 0
        self._builds: dict[tuple, _Build] = {}   # by key: the build requests for that page join
        self._running = 0                         # builds not yet ended (a stopped one runs to its next check)
        self._slots: asyncio.Semaphore | None = None   # made in the serving loop, on first use

    def stats(self) -> dict:
        return {**{k: self.counts[k] for k in ("built", "hits", "cancelled", "failed", "evicted", "too_large")},
                "building": self._running, "pages": len(self._pages), "bytes": self._bytes, "limit": self.limit}

    async def get(self, key: tuple, build: Callable[[Cancel], Page | None],
                  gone: Callable[[], Awaitable] | None = None) -> Page | None:
        """The page of `key`, built by `build(cancel)` in a thread if it is not kept. Raises Cancelled when
        `gone()` (awaiting the client's disconnect) completes first; the build then stops unless another
        request waits for it."""
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
            self.counts["hits"] += 1
            return page
        b = self._builds.get(key)
        if b is None:
            b = self._builds[key] = _Build(asyncio.get_running_loop().create_future())
            b.future.add_done_callback(_retrieved)
            b.task = asyncio.create_task(self._run(key, b, build))
        b.waiters += 1
        watch = asyncio.ensure_future(gone()) if gone is not None else None
        try:
            await asyncio.wait([x for x in (b.future, watch) if x is not None], return_when=asyncio.FIRST_COMPLETED)
            if b.future.done():
                return b.future.result()
            raise Cancelled()
        finally:
            if watch is not None:
                watch.cancel()
            b.waiters -= 1
            if b.waiters == 0 and not b.future.done():
                self._stop(key, b)

    def stop(self) -> None:
        """Stop every build (the server is stopping)."""
        for key, b in list(self._builds.items()):
            self._stop(key, b)

    def _stop(self, key: tuple, b: _Build) -> None:
        b.cancel.set()
        _settle(b.future, None, Cancelled())   # whoever waits is answered now, not at the thread's next check
        if self._builds.get(key) is b:
            del self._builds[key]   # a later request starts a build of its own

    async def _run(self, key: tuple, b: _Build, build: Callable[[Cancel], Page | None]) -> None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.builders)
        self._running += 1
        try:
            async with self._slots:
                b.cancel.check()
                page = await _in_thread(build, b.cancel)
        except Cancelled as e:
            self.counts["cancelled"] += 1
            _settle(b.future, None, e)
        except asyncio.CancelledError:   # the loop is closing
            b.cancel.set()
            _settle(b.future, None, Cancelled())
            raise
        except Exception as e:
            self.counts["failed"] += 1
            _settle(b.future, None, e)
        else:
            self.counts["built"] += 1
            if page is not None:
                self._keep(key, page)
            _settle(b.future, page, None)
        finally:
            self._running -= 1
            if self._builds.get(key) is b:
                del self._builds[key]

    def _keep(self, key: tuple, page: Page) -> None:
        if len(page.gzip) > self.limit:
            self.counts["too_large"] += 1
            return
        self._pages[key] = page
        self._bytes += len(page.gzip)
        while self._bytes > self.limit:
            _, old = self._pages.popitem(last=False)
            self._bytes -= len(old.gzip)
            self.counts["evicted"] += 1


def _retrieved(future: asyncio.Future) -> None:
    """Mark a build's outcome as seen: a build nobody waited for logs no 'exception never retrieved'."""
    if not future.cancelled():
        future.exception()


def _settle(future: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class _CollectorPaused:
    """Python's cyclic garbage collector off while any build runs. A build makes a million objects (a
    16.7 M-character report has 580,000 facts), and each full collection they trigger holds every thread:
    pauses of up to 0.9 s each, and other requests waited 5 s. The objects hold no cycles, so reference
    counting frees them all the same. One per process, as the collector is."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._builds = 0
        self._was_enabled = True

    def __enter__(self) -> None:
        with self._lock:
            if self._builds == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._builds += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._builds -= 1
            if self._builds == 0 and self._was_enabled:
                gc.enable()


_COLLECTOR_PAUSED = _CollectorPaused()


async def _in_thread(fn: Callable[[Cancel], Any], cancel: Cancel) -> Any:
    """fn(cancel) in a daemon thread of its own: a stopping server does not wait for it (an executor's
    threads are joined at exit), and it stops at its next check once `cancel` is set."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def run() -> None:
        try:
            with _COLLECTOR_PAUSED:
                result, error = fn(cancel), None
        except BaseException as e:   # handed to the loop, raised there
            result, error = None, e
        try:
            loop.call_soon_threadsafe(_settle, future, result, error)
        except RuntimeError:   # the loop has closed: the server stopped
            pass

    threading.Thread(target=run, name="reportx-page", daemon=True).start()
    try:
        return await future
    except asyncio.CancelledError:
        cancel.set()
        raise


def report_key(report_id: str, row) -> tuple:
    return ("report", report_id, *row)


def charts_key(data_version: int) -> tuple:
    return ("charts", data_version)


class DataVersion:
    """SQLite's PRAGMA data_version of one connection kept for it: it changes whenever another connection
    (or process) commits, so a page keyed by it is rebuilt after any write and never otherwise. Read from
    the serving loop (microseconds); a scan of `reports` for the same answer would read every text."""

    def __init__(self, db_path) -> None:
        self.db_path = db_path
        self._db: sqlite3.Connection | None = None

    def __call__(self) -> int:
        if self._db is None:
            self._db = store.connect(self.db_path, create=False)
        return self._db.execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

