"""Worker processes watched from outside: the parent holds every limit.

`run()` extracts a stream of documents in `n` worker processes, one document at a time per
worker, and keeps the clock and the memory meter itself. A worker whose document runs past the
time limit, or whose resident memory passes the memory limit, is killed by the parent (SIGKILL)
and replaced; the document becomes an error record (E016, E018). Nothing is ever raised into the
worker's code: it cannot swallow the limit, and no half-done state survives it.

A worker is a plain `python -m extract.dataset.worker` child talking over two pipes (documents
in, pickled records out), so the same pool runs from a command, a library call, a daemonic
process or a Dask worker. It knows its parent's pid from its command line, before anything is
loaded: it asks the kernel for SIGKILL when the parent dies (Linux), and a watcher thread exits
it if the parent is already gone or goes later, so a `kill -9` of the parent leaves no worker.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import FileMemoryLimit, FileTimeLimit, ReportxError
from .worker import PAGE

POLL_SECONDS = 0.1        # how often the parent looks at its workers' clocks and memory
START_SECONDS = 600       # a worker that has not loaded the pipeline by then is broken
WORKER_TASKS = 25_000     # documents a worker takes before it is replaced (a safety net against slow leaks)
DEFAULT_WORKER_MEMORY = 4 * 1024 ** 3   # bytes of resident memory a worker may hold (or less: see memory_limit)
ROOT = str(Path(__file__).resolve().parents[2])

DIED = {"error": "a worker died while extracting this file, twice (killed, or out of memory)", "code": "E998",
        "stage": "extract"}


class WorkersCannotStart(ReportxError):
    """Worker processes die before they can take a document (a broken install, no memory)."""

    code = "E999"


def memory_limit(workers: int, asked: int | None = None) -> int:
    """Bytes one worker may hold: `asked` (0: no limit), or 4 GiB, never more than the workers' share of
    80 % of RAM."""
    if asked is not None:
        return asked
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return DEFAULT_WORKER_MEMORY
    return max(256 * 1024 ** 2, min(DEFAULT_WORKER_MEMORY, int(ram * 0.8) // max(1, workers)))


_UNITS = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4}


def parse_size(text: str) -> int:
    """'4G', '512M', '1.5g', '800MiB', '1000000' (bytes) -> bytes; '0' is no limit. ValueError otherwise."""
    import re

    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(?:I?B)?\s*", text.upper())
    if not m:
        raise ValueError(f"not a size: {text!r} (write e.g. 4G, 512M or a number of bytes)")
    return int(float(m.group(1)) * _UNITS[m.group(2)])


def time_error(seconds: float) -> dict:
    return {"error": f"extraction took longer than the per-file limit of {seconds:g} s; the worker was stopped "
                     "and the file skipped", "code": FileTimeLimit.code, "stage": "extract"}


def memory_error(limit: int) -> dict:
    return {"error": f"extraction needed more than the per-worker memory limit of {limit // 1024 ** 2} MiB; the "
                     "worker was stopped and the file skipped", "code": FileMemoryLimit.code, "stage": "extract"}


def _rss(pid: int) -> int:
    """Resident bytes of a process (Linux /proc; 0 where it cannot be read, so no limit applies there)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


try:
    _PAGE = os.sysconf("SC_PAGE_SIZE")
except (ValueError, OSError, AttributeError):
    _PAGE = 4096


@dataclass
class _Task:
    key: object          # whatever the caller gave; handed back with the result
    source: str
    data: bytes
    tries: int = 0


class _Worker:
    """One child process and its two pipes; `task` is the document it holds, `since` when it got it."""

    def __init__(self, spawned: int, job: str):
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)}
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "extract.dataset.worker", str(to_child_r), str(from_child_w), str(os.getpid()), job],
                pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env)
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.tasks = Connection(to_child_w, readable=False)
        self.results = Connection(from_child_r, writable=False)
        self.ready = False
        self.task: _Task | None = None
        self.since = time.monotonic()
        self.number = spawned
        self.done = 0

    def give(self, task: _Task) -> None:
        self.task = task
        self.since = time.monotonic()
        self.tasks.send_bytes(pickle.dumps((task.source, task.data), protocol=pickle.HIGHEST_PROTOCOL))

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        self.proc.wait()
        for conn in (self.tasks, self.results):
            try:
                conn.close()
            except OSError:
                pass


def run(items: Iterable[tuple[object, str, bytes]], workers: int, finish: Callable[[object, dict], None],
        seconds: float = 0, memory: int | None = None, idle: Callable[[], None] = lambda: None,
        retries: int = 1, job: str = "record", page: Callable[[object], None] = lambda key: None) -> None:
    """Extract each (key, source, bytes) of `items` in up to `workers` processes and call finish(key, record)
    in this process as each is done (in the order they finish).

    `seconds` (0: none) and `memory` (bytes of resident memory; None: memory_limit(); 0: none) are enforced from
    here. A worker that dies on its own (killed from outside, a crash) has its document tried again on
    a fresh worker `retries` times, then recorded as E998. `job` names what a worker does with a
    document (extract/dataset/ingest.py JOBS: "record" for the dataset, "report" for a Report).
    `page(key)` is called each time a worker has OCR'd a page of a scan; that page also restarts the
    document's clock, so `seconds` limits a scan per page. `idle()` is called whenever nothing
    finished for a moment (the writer commits then). Every
    worker is gone when this returns or raises.
    """
    memory = memory_limit(workers, memory)
    source: Iterator = iter(items)
    again: deque[_Task] = deque()
    pool: list[_Worker] = []
    spawned = 0
    failed_starts = 0
    exhausted = False

    def pull() -> _Task | None:
        """The next document of `items` (None when there are no more)."""
        nonlocal exhausted
        if not exhausted:
            for key, name, data in source:
                return _Task(key, name, data)
            exhausted = True
        return None

    def next_task() -> _Task | None:
        return again.popleft() if again else pull()

    def start() -> _Worker:
        nonlocal spawned
        spawned += 1
        w = _Worker(spawned, job)
        pool.append(w)
        return w

    def retire(w: _Worker) -> None:
        w.stop()
        pool.remove(w)

    def feed(w: _Worker) -> None:
        """Give an idle worker its next document (none left: leave it idle)."""
        task = next_task()
        if task is None:
            return
        try:
            w.give(task)
        except (BrokenPipeError, ConnectionError, OSError):
            died(w)

    def died(w: _Worker) -> None:
        nonlocal failed_starts
        task, was_ready = w.task, w.ready
        retire(w)
        if not was_ready:
            failed_starts += 1
            if failed_starts >= 3:
                raise WorkersCannotStart(f"worker processes die while starting (exit status {w.proc.returncode}); "
                                         "see the messages above")
        if task is None:
            return
        if task.tries < retries:
            task.tries += 1
            again.append(task)
        else:
            finish(task.key, DIED)

    def stopped(w: _Worker, record: dict) -> None:
        """The parent stopped `w` over a limit: its document is recorded with `record`, never retried."""
        task = w.task
        retire(w)
        finish(task.key, record)

    try:
        while True:
            for w in [w for w in pool if w.ready and w.task is None]:
                feed(w)
            while len(pool) < workers:   # a worker for each document waiting, up to `workers`
                starting = sum(not w.ready for w in pool)
                if len(again) <= starting:
                    task = pull()
                    if task is None:
                        break
                    again.append(task)
                start()
            if not again and all(w.ready and w.task is None for w in pool):
                break   # nothing running, nothing waiting
            ready = wait([w.results for w in pool], timeout=POLL_SECONDS)
            by_conn = {id(w.results): w for w in pool}
            for conn in ready:
                w = by_conn[id(conn)]
                try:
                    message = conn.recv_bytes()
                except (EOFError, OSError):
                    died(w)
                    continue
                if not w.ready:
                    w.ready, failed_starts = True, 0
                    continue
                if message == PAGE and w.task is not None:
                    w.since = time.monotonic()   # a scan is limited per page: its clock restarts at each one
                    page(w.task.key)
                    continue
                task, w.task = w.task, None
                w.done += 1
                if w.done >= WORKER_TASKS:
                    retire(w)            # replaced by the loop above when documents remain
                else:
                    feed(w)              # the worker goes on while this process writes
                finish(task.key, pickle.loads(message))   # our own worker's record, over our own pipe
            now = time.monotonic()
            for w in list(pool):
                if w.task is None:
                    if not w.ready and now - w.since > START_SECONDS:
                        died(w)
                    continue
                if seconds and now - w.since > seconds:
                    stopped(w, time_error(seconds))
                elif memory and _rss(w.proc.pid) > memory:
                    stopped(w, memory_error(memory))
            if not ready:
                idle()
    finally:
        for w in pool:
            w.stop()
