"""Ingest on a Dask cluster: `reportx ingest PATH… --scheduler tcp://HOST:8786` (or `local`).

The client lists the documents (sources.iter_refs: paths, sizes, modification times; a zip's
directory) and never reads report bytes; each task carries a batch of listed documents, and the
worker that runs it reads them itself (a path on shared storage, or an fsspec URL), extracts them,
writes the batch's Parquet parts when asked (parquet.write_batch) and returns the SQL-ready rows.
Results come back as they complete (distributed.as_completed) into the one SQLite writer, with a
bounded number of batches in flight, so the client's memory stays flat whatever the archive's size.
Each page a worker OCRs is an event (PAGE_TOPIC) the client counts as it comes, so the progress line
moves page by page through a long scan, as on the process pool; the batch's result carries the exact
count, so the total is right even when an event arrives after its document's result.

Faults are the cluster's to absorb: a worker that dies mid-task is replaced by the cluster and the
task runs again elsewhere (`distributed.scheduler.allowed-failures`; `local` sets 1, so a task may
kill one worker). A batch that still fails that way is split and its files run one per task, so a
file that kills workers ends as an `errors` row (E998), not as a failed job; a report is written
once whatever was retried (SQLite skips a stored report; a Parquet batch overwrites itself).

Workers need reportx installed (`pip install 'reportx[dask]'`), the same version as the client.
Memory is bounded by each Dask worker's memory limit: its nanny kills a worker that passes it, and
the file that did it ends as E998 as above. `local` sets the limit from --worker-memory (the same
default as the process pool's); a cluster of your own sets it where its workers start
(`dask worker tcp://HOST:8786 --memory-limit 4GB`). The per-file time limit (--timeout) is the
process pool's: on a cluster, tasks run in worker threads nothing outside can stop one file of.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from dataclasses import replace
from typing import Callable, Iterable

from .sources import STDIN, Limits, Ref, chunked, is_url, read_ref

ALLOWED_FAILURES = 1   # with --scheduler local: a task may kill one worker; on the second it is split
DIED = {"error": "a worker died while extracting this file, twice (killed, or out of memory)",
        "code": "E998", "stage": "extract"}


# Each page a worker OCRs is an event on this topic ({"source": …}); the client counts them as they
# come (Client.subscribe_topic), so a long scan shows progress page by page, as on the process pool.
PAGE_TOPIC = "reportx-ocr-page"
_current = threading.local()   # the document a worker thread is extracting, and its pages OCR'd so far
OCR_PAGES = "ocr_pages_done"


def _page_done() -> None:
    """ocr.on_page on a worker: tell the client a page of the current document was OCR'd."""
    from distributed import get_worker

    try:
        worker = get_worker()
    except ValueError:
        return   # not on a Dask worker (extract_batch called directly)
    _current.pages = getattr(_current, "pages", 0) + 1
    worker.log_event(PAGE_TOPIC, {"source": getattr(_current, "source", "")})


def extract_batch(refs: list[Ref], limits: Limits, parquet: str | None, records: bool) -> list[tuple[tuple, dict]]:
    """Runs on a worker: read and extract each listed document; write the batch's Parquet parts when
    `parquet` is a folder; return (stamp, result) per document, without the rows when not `records`."""
    from ..readers import ocr
    from .ingest import _error_message, process

    ocr.on_page = _page_done
    out = []
    for ref in refs:
        _current.source, _current.pages = ref.source, 0
        item = read_ref(ref, limits)
        if item.error is not None:
            result = {"error": _error_message(item.error), "code": item.error.code, "stage": "read"}
        else:
            result = process(ref.source, item.data)
        if _current.pages:
            result[OCR_PAGES] = _current.pages   # the exact count, whatever events arrive late
        out.append((ref.stamp, result))
    if parquet is not None:
        from . import parquet as pq

        pq.write_batch(parquet, out)
    if not records:
        out = [(stamp, _slim(result)) for stamp, result in out]
    return out


def _slim(result: dict) -> dict:
    """What the client needs of a result it will not store: the report's id and its fact counts."""
    if "record" not in result:
        return result
    rec = result["record"]
    slim = {"report_id": rec.report_id, "counts": rec.counts()}
    if OCR_PAGES in result:
        slim[OCR_PAGES] = result[OCR_PAGES]
    return slim


def _completed(pending, idle: Callable[[], None]):
    """Futures as they complete; `idle()` while none is ready (the writer commits what it holds)."""
    while not pending.is_empty():
        ready = pending.next_batch(block=False)
        if ready:
            yield from ready
            continue
        idle()
        time.sleep(0.02)


def _killed_worker_types() -> tuple[type, ...]:
    types: list[type] = []
    try:
        from distributed.scheduler import KilledWorker

        types.append(KilledWorker)
    except ImportError:
        pass
    try:
        from distributed import KilledWorker as Killed

        types.append(Killed)
    except ImportError:
        pass
    return tuple(types)


def connect(scheduler: str, workers: int, memory: int | None = None):
    """(client, cluster or None): a new LocalCluster of `workers` processes for "local", else a client
    of the running scheduler at that address. `memory`: each local worker's memory limit in bytes
    (None: workers.memory_limit(); 0: none)."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        from ..errors import UsageError

        raise UsageError("--scheduler needs Dask: pip install 'reportx[dask]'") from None
    if scheduler == "local":
        from .workers import memory_limit

        _remove_stale_scratch()
        # the workers' scratch space, removed after (or by the next run, when this one was killed)
        scratch = tempfile.mkdtemp(prefix=f"reportx-dask-{os.getpid()}-")
        with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR, local_directory=scratch,
                                   memory_limit=memory_limit(workers, memory))
        cluster.reportx_scratch = scratch
        return Client(cluster), cluster
    from ..errors import DatabaseError

    try:
        return Client(scheduler, timeout="20s"), None
    except (OSError, TimeoutError) as e:
        raise DatabaseError(f"cannot reach the Dask scheduler ({e})", scheduler) from None


def _stdin_refused(ref: Ref) -> Ref:
    from ..errors import UsageError

    return replace(ref, error=UsageError("standard input cannot be read by a cluster's workers; save it to a "
                                         "file on shared storage", ref.source))


def _remove_stale_scratch() -> None:
    """Scratch folders of local clusters whose command was killed (its pid is in the name, and gone)."""
    import re

    base = tempfile.gettempdir()
    try:
        names = os.listdir(base)
    except OSError:
        return
    for name in names:
        m = re.fullmatch(r"reportx-dask-(\d+)-\w+", name)
        if m and not _alive(int(m.group(1))):
            shutil.rmtree(os.path.join(base, name), ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run(refs: Iterable[Ref], scheduler: str, workers: int, finish: Callable[..., None], limits: Limits,
        parquet=None, records: bool = True, batch_size: int | None = None,
        idle: Callable[[], None] = lambda: None, page: Callable[[tuple], None] | None = None) -> None:
    """Extract every listed document on the cluster; `finish(stamp, result, parquet_written)` for each,
    and `page((source,))` for each page a worker OCRs, as it is done."""
    from distributed import as_completed

    client, cluster = connect(scheduler, workers, limits.worker_memory)
    pages: deque = deque()   # sources of pages OCR'd, filled by the client's event thread, emptied here
    # pages told so far of each document in flight: an event of a document not in flight (it arrived
    # after the document's result) is not told again; pages a worker OCR'd before it died are told,
    # and so are the same pages OCR'd again by the retry (the progress line counts work done)
    told: dict[str, int] = {}
    if page is not None:
        client.subscribe_topic(PAGE_TOPIC, lambda event: pages.append(event[1].get("source", "")))
    waiting = idle

    def idle() -> None:
        while pages:
            source = pages.popleft()
            if page is not None and source in told:
                told[source] += 1
                page((source,))
        waiting()

    def settle(stamp: tuple, result: dict) -> None:
        """Tell the pages of a finished document whose events have not arrived (yet)."""
        n = result.pop(OCR_PAGES, 0)
        for _ in range(n - told.pop(stamp[0], 0)):
            if page is not None:
                page(stamp)
    killed = _killed_worker_types()
    # paths as the client means them: a worker's current folder is not the client's
    out = None if parquet is None else os.path.abspath(parquet)
    refs = (ref if is_url(ref.path) else _stdin_refused(ref) if ref.path == STDIN
            else replace(ref, path=os.path.abspath(ref.path)) for ref in refs)
    try:
        threads = sum(client.nthreads().values()) or workers
        size = batch_size or (64 if parquet is not None else 16)
        batches = chunked(refs, size)
        pending = as_completed()
        chunks = {}

        def submit(chunk: list[Ref]) -> None:
            for ref in chunk:
                told.setdefault(ref.source, 0)
            fut = client.submit(extract_batch, chunk, limits, out, records, pure=False)
            chunks[fut.key] = chunk
            pending.add(fut)

        for _ in range(2 * threads):
            chunk = next(batches, None)
            if chunk is None:
                break
            submit(chunk)
        for fut in _completed(pending, idle):
            chunk = chunks.pop(fut.key)
            try:
                results = fut.result()
            except killed:
                if len(chunk) > 1:   # find the file that kills workers: each one alone
                    for ref in chunk:
                        submit([ref])
                else:
                    told.pop(chunk[0].source, None)
                    finish(chunk[0].stamp, DIED)
                continue
            finally:
                fut.release()
            idle()   # pages reported before this batch's results
            for stamp, result in results:
                settle(stamp, result)
                finish(stamp, result, parquet_written=out is not None)
            nxt = next(batches, None)
            if nxt is not None:
                submit(nxt)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
            shutil.rmtree(cluster.reportx_scratch, ignore_errors=True)
