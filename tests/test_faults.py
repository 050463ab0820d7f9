"""Fault injection (issue 9): signals to a real ingest and a real serve, a full disk, a database replaced
by garbage or somebody else's, a read-only dataset, two ingests at once, a search while an ingest writes,
a file that takes too long, a value beyond the decimal context. Each ends with a clear message, no
process or temporary file left behind, and a dataset that PRAGMA integrity_check calls ok with nothing
lost that was reported as stored.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import running_datasette, stored_reports

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"
LINUX = Path("/proc/self/stat").exists()


def _reports(folder: Path, n: int) -> Path:
    """n distinct reports (the seed with a different department and budget each)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SEED.read_text(encoding="utf-8")
    for i in range(n):
        (folder / f"r{i:03d}.txt").write_text(text.replace("兰州新区经济合作局", f"第{i}测试局")
                                              .replace("100万元", f"{100 + i}万元"), encoding="utf-8")
    return folder


def _env(tmp: Path) -> dict:
    tmp.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmp)}


def _session(sid: int) -> list[int]:
    """Every live process of the session `sid` (a command started with start_new_session=True)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            out.append(int(entry.name))
    return out


def _gone(sid: int, seconds: float = 10) -> list[int]:
    deadline = time.time() + seconds
    while time.time() < deadline:
        alive = _session(sid)
        if not alive:
            return []
        time.sleep(0.2)
    return _session(sid)


_stored = stored_reports


def _ok(db: Path) -> None:
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


def _left(tmp: Path) -> list[str]:
    """Files left in the temporary folder, but jieba's dictionary cache (kept across runs by design)."""
    return [p.name for p in tmp.iterdir() if not (p.name.startswith("jieba") and p.name.endswith(".cache"))]


def _ingest(folder: Path, db: Path, env: dict, *extra: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "extract", "ingest", str(folder), "--db", str(db), *extra],
                            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **kw)


# ------------------------------------------------------------------------------- signals

@pytest.mark.skipif(not LINUX, reason="reads /proc to find the processes")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_signal_to_ingest_leaves_no_process_and_no_temporary_file(tmp_path, sig):
    n = 160   # several batch commits (store.Batch) before the signal
    folder = _reports(tmp_path / "in", n)
    db, tmp = tmp_path / "s.db", tmp_path / "tmp"
    proc = _ingest(folder, db, _env(tmp), "--workers", "2", "--quiet")
    deadline = time.time() + 120
    while _stored(db) < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, "the ingest ended before it could be interrupted"
    assert len(_session(proc.pid)) >= 3            # the parent and its two workers
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=60)
    assert _gone(proc.pid) == [], "a process of the ingest outlived it"
    assert _left(tmp) == [], "a temporary file was left"
    assert "Traceback" not in err
    if sig == signal.SIGTERM:
        assert proc.returncode == 130 and "interrupted" in err
    _ok(db)
    stored = _stored(db)
    rerun = subprocess.run([sys.executable, "-m", "extract", "ingest", str(folder), "--db", str(db), "--json",
                            "--workers", "2"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    summary = json.loads(rerun.stdout)
    assert summary["skipped"] == stored and summary["ingested"] == n - stored and _stored(db) == n


@pytest.mark.skipif(not LINUX, reason="reads /proc to find the processes")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_signal_to_a_local_cluster_ingest_leaves_no_process(tmp_path, sig):
    """--scheduler local starts a Dask LocalCluster: its worker processes end with the command, however
    it ends (with SIGTERM its scratch folder goes too)."""
    pytest.importorskip("distributed")
    folder = _reports(tmp_path / "in", 160)
    db, tmp = tmp_path / "d.db", tmp_path / "tmp"
    proc = _ingest(folder, db, _env(tmp), "--scheduler", "local", "--workers", "2", "--quiet")
    deadline = time.time() + 120
    while _stored(db) < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, "the ingest ended before it could be interrupted"
    assert len(_session(proc.pid)) >= 3            # the client and its cluster's worker processes
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=60)
    assert _gone(proc.pid, 30) == [], "a process of the ingest outlived it"
    assert "Traceback" not in err
    if sig == signal.SIGTERM:
        assert proc.returncode == 130 and "interrupted" in err
        assert [p for p in _left(tmp) if p.startswith("reportx-")] == [], "a temporary folder was left"
    _ok(db)


@pytest.mark.skipif(not LINUX, reason="reads /proc to find the processes")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_signal_to_serve_leaves_no_process_and_no_temporary_file(tmp_path, sig):
    db, tmp = tmp_path / "v.db", tmp_path / "tmp"
    subprocess.run([sys.executable, "-m", "extract", "ingest", str(SEED), "--db", str(db), "--quiet"], cwd=ROOT,
                   check=True)
    env = _env(tmp)
    with running_datasette(db, env=env) as base:
        import urllib.request

        assert urllib.request.urlopen(base + "/-/versions.json", timeout=5).read()
        sid = next(p for p in _serving(base))
        os.kill(sid, sig)
        assert _gone(sid) == [], "a process of serve outlived it"
    assert _left(tmp) == []


def _serving(base: str) -> list[int]:
    port = base.rsplit(":", 1)[1]
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve" in cmd and port.encode() in cmd:
                out.append(int(entry.name))
    return out


# ------------------------------------------------------------------------------- storage

def test_a_full_disk_is_reported_as_such_and_loses_nothing(tmp_path):
    folder = _reports(tmp_path / "in", 30)
    db = tmp_path / "full.db"

    def small_files():   # a file size limit: writes past 400 KB fail as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))

    proc = subprocess.run([sys.executable, "-m", "extract", "ingest", str(folder), "--db", str(db), "--workers", "1",
                           "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=600, preexec_fn=small_files)
    assert proc.returncode != 0
    assert "cannot write the database" in proc.stderr and "Traceback" not in proc.stderr
    assert "cannot rollback" not in proc.stderr
    _ok(db)
    stored = _stored(db)
    assert 0 < stored < 30
    again = subprocess.run([sys.executable, "-m", "extract", "ingest", str(folder), "--db", str(db), "--json",
                            "--workers", "1"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    summary = json.loads(again.stdout)
    assert summary["skipped"] == stored and _stored(db) == 30
    _ok(db)


def _cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extract", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, **kw)


def test_a_database_replaced_by_garbage_is_refused_and_left_alone(tmp_path):
    db = tmp_path / "g.db"
    garbage = os.urandom(20000)
    db.write_bytes(garbage)
    for args in (("search", "招商", "--db", str(db)), ("stats", "--db", str(db)),
                 ("ingest", str(SEED), "--db", str(db))):
        proc = _cli(*args)
        assert proc.returncode == 2 and "[E020]" in proc.stderr and "Traceback" not in proc.stderr, args
    assert db.read_bytes() == garbage


def test_somebody_elses_database_with_a_meta_table_is_not_adopted(tmp_path):
    db = tmp_path / "other.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    con.execute("INSERT INTO meta VALUES ('owner', 'accounting')")
    con.commit()
    con.close()
    before = db.read_bytes()
    proc = _cli("ingest", str(SEED), "--db", str(db))
    assert proc.returncode == 2 and "not a reportx database" in proc.stderr
    assert db.read_bytes() == before and not Path(f"{db}-wal").exists()
    con = sqlite3.connect(db)
    con.execute("INSERT INTO meta VALUES ('schema_version', 'four')")
    con.commit()
    con.close()
    proc = _cli("search", "x", "--db", str(db))
    assert proc.returncode == 2 and "not a number" in proc.stderr and "E999" not in proc.stderr


def _read_only(paths: list[Path], on: bool) -> bool:
    """Make files and folders read-only for this user: chmod, or for root (whom permissions do not stop)
    the immutable attribute. False when that cannot be done here."""
    if os.geteuid() != 0:
        for p in paths:
            p.chmod((0o555 if p.is_dir() else 0o444) if on else 0o755)
        return True
    flag = "+i" if on else "-i"
    return all(subprocess.run(["chattr", flag, str(p)], capture_output=True).returncode == 0 for p in paths)


def test_a_read_only_dataset_can_be_searched_and_gains_no_files(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "r.db"
    assert _cli("ingest", str(SEED), "--db", str(db), "--quiet").returncode == 0
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    for extra in (f"{db}-wal", f"{db}-shm"):
        Path(extra).unlink(missing_ok=True)
    before = sorted(p.name for p in folder.iterdir())
    if not _read_only([db, folder], True):
        pytest.skip("cannot make a file read-only for this user here (chattr)")
    try:
        for args in (("search", "招商引资", "--json"), ("stats", "--format", "json")):
            proc = _cli(*args, "--db", str(db))
            assert proc.returncode == 0, proc.stderr
            assert proc.stdout.strip() and "attempt to write" not in proc.stderr
        assert sorted(p.name for p in folder.iterdir()) == before      # no -wal/-shm created
    finally:
        _read_only([db, folder], False)


# ------------------------------------------------------------------------------- concurrency

def test_two_ingests_into_one_database_at_once(tmp_path):
    a = _reports(tmp_path / "a", 12)
    b = tmp_path / "b"
    b.mkdir()
    for f in a.iterdir():      # half the same files, half new ones
        if int(f.stem[1:]) % 2:
            (b / f.name).write_bytes(f.read_bytes())
    _reports(tmp_path / "c", 0)
    text = SEED.read_text(encoding="utf-8")
    for i in range(6):
        (b / f"new{i}.txt").write_text(text.replace("兰州新区经济合作局", f"新{i}局"), encoding="utf-8")
    db = tmp_path / "two.db"
    env = _env(tmp_path / "tmp")
    procs = [_ingest(folder, db, env, "--workers", "1", "--json") for folder in (a, b)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    _ok(db)
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 18
    assert con.execute("SELECT count(*) FROM (SELECT report_id FROM amounts GROUP BY report_id)").fetchone()[0] == 18


def test_search_while_an_ingest_writes(tmp_path):
    folder = _reports(tmp_path / "in", 30)
    db = tmp_path / "live.db"
    assert _cli("ingest", str(SEED), "--db", str(db), "--quiet").returncode == 0
    proc = _ingest(folder, db, _env(tmp_path / "tmp"), "--workers", "2", "--quiet")
    searches = 0
    while proc.poll() is None:
        out = _cli("search", "招商引资", "--db", str(db), "--json", "--limit", "3")
        assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
        searches += 1
    assert proc.wait() == 0 and searches >= 1
    _ok(db)
    assert _stored(db) == 31


# ------------------------------------------------------------------------------- poison files

def test_a_value_beyond_the_decimal_context_does_not_stop_the_batch(tmp_path):
    folder = _reports(tmp_path / "in", 6)
    (folder / "poison.txt").write_text("预算资金100000000000000000000000000000元。\n执行率99999999999999999999999999999%。\n",
                                       encoding="utf-8")
    (folder / "huge_number.txt").write_text("支出" + "9" * 100000 + "万元。\n", encoding="utf-8")
    db = tmp_path / "p.db"
    proc = _cli("ingest", str(folder), "--db", str(db), "--json", "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ingested"] == 8
    proc = _cli("extract", str(folder / "poison.txt"))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["amounts"] == []


def test_a_file_over_the_time_limit_becomes_an_error_row(tmp_path):
    """The parent holds the clock and stops the worker: nothing is raised into the extraction's code, so
    no `__del__` or `except Exception` can swallow the limit (it once did, under load)."""
    folder = _reports(tmp_path / "in", 3)
    text = SEED.read_text(encoding="utf-8")
    (folder / "slow.txt").write_text(text * 200, encoding="utf-8")     # seconds of work, over a 1 s limit
    db = tmp_path / "t.db"
    for workers in ("1", "2"):
        proc = _cli("ingest", str(folder), "--db", str(db), "--workers", workers, "--timeout", "1", "--json",
                    "--force")
        summary = json.loads(proc.stdout)
        assert proc.returncode == 1 and summary["failed"] == 1, proc.stderr
        assert summary["errors"][0]["code"] == "E016" and "slow.txt" in summary["errors"][0]["path"]
        assert summary["ingested"] == 3
        assert "Traceback" not in proc.stderr and "ignored" not in proc.stderr
    _ok(db)


def test_extract_with_a_time_limit_stops_the_slow_file_and_prints_the_rest(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    slow, quick = tmp_path / "slow.txt", tmp_path / "quick.txt"
    slow.write_text(text * 200, encoding="utf-8")
    quick.write_text(text, encoding="utf-8")
    proc = _cli("extract", str(slow), str(quick), "--timeout", "1")
    assert proc.returncode == 1
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["source"] for r in records] == [str(quick)]
    assert "[E016]" in proc.stderr and "slow.txt" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.skipif(not LINUX, reason="the memory meter reads /proc")
def test_a_file_over_the_memory_limit_becomes_an_error_row_and_the_rest_goes_on(tmp_path):
    """A worker after warm-up holds ~140 MB; a 2.7 MB report needs ~450 MB. With a 260 MB limit the
    parent stops the worker holding it, records E018 and gives the other files to a fresh worker."""
    folder = _reports(tmp_path / "in", 4)
    (folder / "large.txt").write_text(SEED.read_text(encoding="utf-8") * 400, encoding="utf-8")
    db = tmp_path / "m.db"
    proc = _cli("ingest", str(folder), "--db", str(db), "--workers", "2", "--worker-memory", "260M", "--json")
    summary = json.loads(proc.stdout)
    assert proc.returncode == 1, proc.stderr
    assert summary["ingested"] == 4 and summary["failed"] == 1
    assert summary["errors"][0]["code"] == "E018" and "large.txt" in summary["errors"][0]["path"]
    assert "260 MiB" in summary["errors"][0]["message"]
    _ok(db)
    proc = _cli("extract", str(folder / "large.txt"), "--worker-memory", "260M")
    assert proc.returncode == 1 and proc.stdout == "" and "[E018]" in proc.stderr


def test_a_bad_memory_limit_is_a_usage_error(tmp_path):
    proc = _cli("ingest", str(SEED), "--db", str(tmp_path / "x.db"), "--worker-memory", "lots")
    assert proc.returncode == 2 and "not a size" in proc.stderr and not (tmp_path / "x.db").exists()


@pytest.mark.skipif(not LINUX, reason="reads /proc to find the processes")
def test_kill_9_in_the_first_second_leaves_no_process_and_no_temporary_folder(tmp_path):
    """Ten times, at random moments of start-up (workers being spawned, loading, taking their first
    file): the ingest's parent gets SIGKILL, and nothing of it is left running or on disk."""
    import random

    folder = _reports(tmp_path / "in", 40)
    tmp = tmp_path / "tmp"
    rng = random.Random(19)
    for i in range(10):
        db = tmp_path / f"k{i}.db"
        proc = _ingest(folder, db, _env(tmp), "--workers", "2", "--quiet")
        time.sleep(rng.uniform(0.0, 1.0))
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        assert _gone(proc.pid) == [], f"a process of the ingest outlived it (try {i})"
        assert _left(tmp) == [], f"a temporary file was left (try {i})"
