"""One worker process of extract/dataset/workers.py: `python -m extract.dataset.worker IN OUT PARENT JOB`.

JOB names the function of extract/dataset/ingest.py JOBS it runs on each document. It reads (source, bytes) from the pipe IN, writes each finished record to the pipe OUT, and ends
when IN closes or its parent PARENT dies. The parent holds the time and memory limits and kills
this process to enforce them; nothing here keeps a clock.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time


PAGE = b"page"   # a page of a scan was OCR'd (sent before the document's record)


def _die_with(parent: int) -> None:
    """End this process when `parent` ends, however it ends: the kernel's parent-death signal (Linux),
    and a watcher for every system (which also catches a parent already gone before we got here)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.25)
        os._exit(1)

    threading.Thread(target=watch, name="reportx-parent-watch", daemon=True).start()


def main(argv: list[str]) -> None:
    from multiprocessing.connection import Connection

    fd_in, fd_out, parent = (int(x) for x in argv[1:4])
    job = argv[4] if len(argv) > 4 else "record"
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle; it stops us
    tasks = Connection(fd_in, writable=False)
    results = Connection(fd_out, readable=False)

    from .ingest import JOBS, _warm_up

    process = JOBS[job]
    from ..readers import ocr

    ocr.on_page = lambda: results.send_bytes(PAGE)   # the parent counts pages and restarts the clock

    _warm_up()
    results.send_bytes(b"ready")
    while True:
        try:
            message = tasks.recv_bytes()
        except (EOFError, OSError):
            return
        source, data = pickle.loads(message)   # from our own parent, over our own pipe
        results.send_bytes(pickle.dumps(process(source, data), protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main(sys.argv)
