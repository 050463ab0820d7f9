"""`reportx serve` stays small and responsive (issue 19): a report's view and the charts are built once
per version of the data, from what the dataset stores, and kept in a bounded cache; a client that
disconnects stops the build it started; SIGTERM ends the server even mid-build; every unknown path is
a 404. A real server on loopback answers real HTTP requests; work is counted (the server's own
/-/reportx/pages.json), never timed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest
from conftest import ROOT, SEED, running_datasette

from extract import __version__, extract_text
from extract.dataset import pages, store
from extract.models import FACT_TYPES
from extract.view import page

SECOND = ROOT / "corpora" / "varied" / "101_web_dept_overall.txt"
LINUX = Path("/proc/self/stat").exists()
COPIES = 2000   # the large report: the seed 2,000 times, 104,000 facts (a build of seconds, not milliseconds)
LARGE_ID = "f" * 64


def _ingest(db: Path, *files: Path) -> None:
    subprocess.run([sys.executable, "-m", "extract", "ingest", *map(str, files), "--db", str(db), "--quiet"],
                   cwd=ROOT, check=True, timeout=600)


def _get(url: str, headers: dict | None = None) -> tuple[int, bytes, Message]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=120) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def _stats(base: str) -> dict:
    return json.loads(_get(base + "/-/reportx/pages.json")[1])


def _until(base: str, condition, what: str, seconds: float = 120) -> dict:
    """The page cache's counts once `condition(counts)` holds (a hang guard, not a timing assertion)."""
    deadline = time.time() + seconds
    while True:
        counts = _stats(base)
        if condition(counts):
            return counts
        assert time.time() < deadline, f"never {what}: {counts}"
        time.sleep(0.05)


def _start_get(base: str, path: str) -> http.client.HTTPConnection:
    """A GET sent, its answer not read yet (getresponse()): the client can leave mid-request (close())."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=300)
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    return conn


def _read(conn: http.client.HTTPConnection) -> tuple[int, bytes]:
    """The status and HTML of a request sent by _start_get."""
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, gzip.decompress(body) if response.getheader("Content-Encoding") == "gzip" else body


@contextlib.contextmanager
def _serving(db: Path):
    """`reportx serve` in a session of its own on a free loopback port: yields (process, base URL)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "extract", "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
                break
            assert time.time() < deadline and proc.poll() is None, "serve did not start"
            time.sleep(0.2)
        yield proc, base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def _session(sid: int) -> list[int]:
    """Every live process of the session `sid` (as tests/test_faults.py finds them)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == sid and fields[0] != "Z":
                    out.append(int(entry.name))
    return out


def _gone(sid: int, seconds: float = 10) -> list[int]:
    """The processes of session `sid` still alive after up to `seconds` (a hang guard)."""
    deadline = time.time() + seconds
    while (alive := _session(sid)) and time.time() < deadline:
        time.sleep(0.2)
    return alive


def _report_id(db: Path, source_part: str) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT report_id FROM reports WHERE source LIKE ?", (f"%{source_part}%",)).fetchone()[0]
    finally:
        con.close()


def _large(db: Path, copies: int = COPIES) -> tuple[str, int]:
    """A dataset holding one large report: the seed's text `copies` times with its facts at each copy,
    written through the store as ingest writes it (extracting 5 M characters would take minutes).
    Returns its report_id and how many marks its view has (a fact each, and the grade's)."""
    text1 = SEED.read_text(encoding="utf-8-sig")
    one = extract_text(text1, source="large.txt")
    step = len(text1) + 1

    def moved(fact, by: int):
        update = {"start": fact.start + by, "end": fact.end + by}
        for side in ("target", "actual"):
            value = getattr(fact, side, None)
            if value is not None:
                update[side] = value.model_copy(update={"start": value.start + by, "end": value.end + by})
        return fact.model_copy(update=update)

    lists = {t: [moved(f, k * step) for k in range(copies) for f in getattr(one, t)] for t in FACT_TYPES}
    report = one.model_copy(update={**lists, "sha256": LARGE_ID, "title": "large report"})
    con = store.connect(db)
    try:
        store.write_report(con, report, "\n".join([text1] * copies), "txt", [], __version__)
    finally:
        con.close()
    return report.sha256, sum(map(len, lists.values())) + (report.figures.grade is not None)


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("serve") / "s.db"
    _ingest(db, SEED)
    return db


@pytest.fixture(scope="module")
def served(seed_db):
    with running_datasette(seed_db) as base:
        yield base


@pytest.fixture(scope="module")
def large_db(tmp_path_factory) -> tuple[Path, str, int]:
    db = tmp_path_factory.mktemp("large") / "l.db"
    return db, *_large(db)


# ------------------------------------------------------------------------------- built once, from the store

def test_a_report_view_is_built_once_from_the_stored_rows(tmp_path):
    db = tmp_path / "v.db"
    _ingest(db, SEED)
    report_id = _report_id(db, "000_bcae")
    con = sqlite3.connect(db)
    text, source = con.execute("SELECT text, source FROM reports").fetchone()
    con.close()
    with running_datasette(db) as base:
        url = f"{base}/-/reportx/report/{report_id}"
        answers = [_get(url) for _ in range(3)]
        zipped = _get(url, {"Accept-Encoding": "gzip"})
        counts = _stats(base)
    assert [status for status, _, _ in answers] == [200] * 3
    assert answers[0][1] == answers[1][1] == answers[2][1]
    assert zipped[2].get("Content-Encoding") == "gzip" and gzip.decompress(zipped[1]) == answers[0][1]
    assert counts["built"] == 1 and counts["hits"] == 3   # three of the four requests built nothing
    # the same page `reportx view` writes from a fresh extraction of the stored text
    assert answers[0][1].decode() == page(extract_text(text, source=source), text)


def test_the_view_shows_what_is_stored_not_a_new_extraction(tmp_path):
    """A fact edited in the dataset shows in the view: the page is made from the rows, not the text."""
    db = tmp_path / "e.db"
    _ingest(db, SEED)
    report_id = _report_id(db, "000_bcae")
    con = sqlite3.connect(db)
    con.execute("UPDATE amounts SET rule = 'edited.in.the.dataset' WHERE report_id = ? AND seq = 0", (report_id,))
    con.commit()
    con.close()
    with running_datasette(db) as base:
        status, body, _ = _get(f"{base}/-/reportx/report/{report_id}")
    assert status == 200 and "rule: edited.in.the.dataset" in body.decode()


def test_a_page_is_rebuilt_when_its_data_changes(tmp_path):
    """The charts follow the dataset (a report ingested while serving); a report's view its own row."""
    db = tmp_path / "c.db"
    _ingest(db, SEED)
    seed_id = _report_id(db, "000_bcae")
    with running_datasette(db) as base:
        charts = [_get(f"{base}/-/reportx/charts") for _ in range(2)]
        _get(f"{base}/-/reportx/report/{seed_id}")
        before = _stats(base)
        _ingest(db, SECOND)
        after_ingest = _get(f"{base}/-/reportx/charts")
        _get(f"{base}/-/reportx/report/{seed_id}")
        after = _stats(base)
    assert [c[0] for c in charts] == [200, 200] and charts[0][1] == charts[1][1]
    assert charts[0][1].count(b"<figure") == 7
    assert before["built"] == 2 and before["hits"] == 1            # charts once, the view once
    assert after_ingest[0] == 200 and after["built"] == 3         # the charts again: the data changed
    assert after["hits"] == 2                                     # the seed's view had not


# ------------------------------------------------------------------------------- unknown paths

UNKNOWN = ["/-/nothing", "/-/nothing.json", "/-/a/b/c", "/-/reportx", "/-/reportx/nothing", "/-/reportx/report/abc",
           "/-/reportx/report/" + "A" * 64, "/-/reportx/report/" + "0" * 64, "/-/reportx/report/" + "0" * 65,
           "/-/reportx/charts/x", "/nothing", "/s/nothing", "/s/reports/nothing", "/a/b/c/d/e"]


@pytest.mark.parametrize("path", UNKNOWN)
def test_every_unknown_path_is_a_404(served, path):
    status, body, headers = _get(served + path)
    assert status == 404
    if path.endswith(".json"):
        assert json.loads(body)["status"] == 404
    else:
        assert headers["Content-Type"].startswith("text/html")


# ------------------------------------------------------------------------------- cancelled, concurrent, stopped

PAGES = {"report": "/-/reportx/report/" + LARGE_ID, "charts": "/-/reportx/charts"}   # of the large dataset


@pytest.mark.skipif(not LINUX, reason="reads /proc to find the processes")
@pytest.mark.parametrize("page_name", PAGES)
def test_a_client_that_disconnects_stops_the_build_it_started(large_db, page_name):
    """The view's build thread stops at its next check; the charts' drawing child is killed."""
    db, report_id, _ = large_db
    with _serving(db) as (proc, base):
        conn = _start_get(base, PAGES[page_name])
        _until(base, lambda c: c["building"] == 1, "building")
        conn.close()
        counts = _until(base, lambda c: c["building"] == 0, "stopped")
        assert counts["cancelled"] == 1 and counts["built"] == 0 and counts["pages"] == 0
        assert _session(proc.pid) == [proc.pid], "a process of the build outlived it"
        assert _get(base + "/-/versions.json")[0] == 200


def test_requests_for_one_page_share_one_build_and_others_are_answered_meanwhile(large_db):
    db, report_id, marks = large_db
    with running_datasette(db) as base:
        first = _start_get(base, f"/-/reportx/report/{report_id}")
        _until(base, lambda c: c["building"] == 1, "building")
        second = _start_get(base, f"/-/reportx/report/{report_id}")
        third = _start_get(base, f"/-/reportx/report/{report_id}")
        status, body, _ = _get(f"{base}/l.json?sql=select+report_id+from+reports&_shape=array")
        assert status == 200 and json.loads(body) == [{"report_id": report_id}]   # answered meanwhile:
        assert _stats(base)["building"] == 1                                      # the build goes on
        first.close()    # one of three leaves: the build goes on for the others
        answers = [_read(second), _read(third)]
        counts = _stats(base)
    assert [status for status, _ in answers] == [200, 200] and answers[0][1] == answers[1][1]
    assert answers[0][1].rstrip().endswith(b"</html>") and answers[0][1].count(b'class="fact"') == marks
    assert counts["built"] == 1 and counts["cancelled"] == 0 and counts["pages"] == 1


@pytest.mark.skipif(not LINUX, reason="reads /proc to find the processes")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
@pytest.mark.parametrize("page_name", PAGES)
def test_a_signal_mid_build_ends_serve_and_leaves_no_process(large_db, page_name, sig):
    """A build in flight does not hold the server: its thread is a daemon and stops at its next check,
    the charts' child is killed (or dies with the server: SIGKILL)."""
    db, report_id, _ = large_db
    with _serving(db) as (proc, base):
        conn = _start_get(base, PAGES[page_name])
        _until(base, lambda c: c["building"] == 1, "building")
        os.kill(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)   # a generous bound: the server itself stops within a second
        assert proc.poll() is not None, "serve outlived the signal"
        assert _gone(proc.pid) == [], "a process of serve outlived it"
        conn.close()
        assert b"Traceback" not in proc.stdout.read()


# ------------------------------------------------------------------------------- the cache itself

def _built(db: Path, report_id: str, runs: list):
    def build(cancel: pages.Cancel):
        runs.append(report_id)
        return pages.report_page(db, report_id, cancel)
    return build


def test_the_cache_builds_each_key_once_and_drops_the_least_recently_served(tmp_path):
    db = tmp_path / "k.db"
    _ingest(db, SEED, SECOND)
    ids = [_report_id(db, "000_bcae"), _report_id(db, "101_web")]
    runs: list = []

    async def scenario():
        sizes = {}
        probe = pages.Pages()
        for rid in ids:
            sizes[rid] = len((await probe.get(("r", rid), _built(db, rid, []))).gzip)
        cache = pages.Pages(limit=max(sizes.values()) + 1)   # room for one page only
        three = await asyncio.gather(*(cache.get(("r", ids[0]), _built(db, ids[0], runs)) for _ in range(3)))
        assert three[0] is three[1] is three[2]                         # three requests, one build
        await cache.get(("r", ids[0]), _built(db, ids[0], runs))         # kept
        await cache.get(("r", ids[1]), _built(db, ids[1], runs))         # drops the first
        await cache.get(("r", ids[0]), _built(db, ids[0], runs))         # built again
        return cache.stats()

    stats = asyncio.run(scenario())
    assert runs == [ids[0], ids[1], ids[0]]
    assert stats["built"] == 3 and stats["hits"] == 1 and stats["evicted"] == 2 and stats["pages"] == 1
    assert stats["bytes"] <= stats["limit"]


def test_the_cache_stops_a_build_when_its_only_request_leaves(large_db):
    db, report_id, _ = large_db
    seen: list[pages.Cancel] = []

    def build(cancel: pages.Cancel):
        seen.append(cancel)
        return pages.report_page(db, report_id, cancel)

    async def scenario():
        cache = pages.Pages()
        left = asyncio.Event()
        request = asyncio.create_task(cache.get(("r", report_id), build, left.wait))
        while not seen:
            await asyncio.sleep(0.01)
        left.set()   # the client disconnects
        with pytest.raises(pages.Cancelled):
            await request
        while cache.stats()["building"]:   # the build's thread ends at its next check
            await asyncio.sleep(0.01)
        return cache.stats()

    stats = asyncio.run(scenario())
    assert seen[0].is_set()
    assert stats["cancelled"] == 1 and stats["built"] == 0 and stats["pages"] == 0
