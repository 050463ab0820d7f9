"""Ingest on a Dask cluster and the Parquet dataset (issue 11), with a real LocalCluster, a real
`dask scheduler` with two `dask worker` processes on loopback (one killed mid-ingest), and DuckDB
reading the Parquet parts the workers wrote.

The measure of a cluster ingest is the local one: the same files give exactly the same rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("distributed")
duckdb = pytest.importorskip("duckdb")

from conftest import ROOT, SEED, stored_reports

from extract.dataset import parquet, store
from extract.dataset.ingest import ingest

VOLATILE = {"ingested_at", "sentence_id", "error_id", "at"}
TABLES = ("reports", *store.FACT_COLUMNS, "checks", "sentences", "errors", "files")


def _rows(db: Path, table: str) -> list[tuple]:
    """Every row of a table but the columns that differ between two runs (times, row ids), sorted."""
    con = sqlite3.connect(db)
    cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})") if r[1] not in VOLATILE]
    rows = sorted(tuple("" if v is None else str(v) for v in row)
                  for row in con.execute(f"SELECT {', '.join(repr(c) for c in cols)} FROM {table}"))
    con.close()
    return rows


def _same_rows(a: Path, b: Path) -> None:
    for table in TABLES:
        assert _rows(a, table) == _rows(b, table), table


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """A generated corpus in every format, a zip of reports, and a file that cannot be read."""
    root = tmp_path_factory.mktemp("mixed")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_corpus.py"), "10", str(root / "docs"),
                    "--formats", "txt,gbk,docx,pdf,html", "--seed", "4"], check=True, stdout=subprocess.DEVNULL)
    with zipfile.ZipFile(root / "docs" / "archive.zip", "w") as z:
        text = SEED.read_text(encoding="utf-8")
        for i in range(3):
            z.writestr(f"zipped/r{i}.txt", text + f"\n附注{i}。\n")
    (root / "docs" / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    for gold in (root / "docs").glob("*.gold.json"):
        gold.unlink()
    return root / "docs"


@pytest.fixture(scope="module")
def local_db(mixed, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("local") / "local.db"
    summary = ingest([str(mixed)], db, workers=1)
    assert summary.ingested == 13 and summary.failed == 1
    return db


def test_a_local_cluster_gives_exactly_the_rows_of_the_local_ingest(mixed, local_db, tmp_path):
    db, out = tmp_path / "cluster.db", tmp_path / "pq"
    summary = ingest([str(mixed)], db, workers=2, scheduler="local", parquet=out, batch_size=3)
    assert (summary.ingested, summary.failed) == (13, 1)
    _same_rows(local_db, db)
    # a rerun lists the files, finds their stamps and reads none of them
    again = ingest([str(mixed)], db, workers=2, scheduler="local", parquet=out, batch_size=3)
    assert (again.ingested, again.skipped, again.failed) == (0, 13, 1)   # the unreadable file is tried again
    _same_rows(local_db, db)


def test_the_parquet_dataset_reads_back_with_the_counts_and_exact_sums_of_sqlite(mixed, local_db, tmp_path):
    out = tmp_path / "pq"
    summary = ingest([str(mixed)], None, workers=2, scheduler="local", parquet=out, batch_size=4)
    assert (summary.ingested, summary.failed) == (13, 1)
    con = sqlite3.connect(local_db)
    con.row_factory = None
    reader = parquet.connect(out)
    for table in TABLES:
        assert reader.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == \
            con.execute(f"SELECT count(*) FROM {table}").fetchone()[0], table
    for table, column in store.VALUE_COLUMNS.items():   # exact: Decimal sums on both sides
        expected = sum((Decimal(v) for (v,) in con.execute(f"SELECT CAST({column} AS TEXT) FROM {table} "
                                                            f"WHERE {column} IS NOT NULL")), Decimal(0))
        got = reader.execute(f"SELECT sum({column}) FROM {table}").fetchone()[0] or Decimal(0)
        assert isinstance(got, Decimal) and got == expected, table
    cents = con.execute("SELECT sum(value_cents) FROM amounts").fetchone()[0]
    assert reader.execute("SELECT sum(value_yuan) FROM amounts").fetchone()[0] == Decimal(cents) / 100
    # DuckDB straight on the files, as a user would (the README's query)
    raw = duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/amounts/*.parquet')").fetchall()[0][0]
    assert raw == con.execute("SELECT count(*) FROM amounts").fetchone()[0]
    # the README's pandas query (Decimal values: exact sums)
    pd = pytest.importorskip("pandas")
    a, r = pd.read_parquet(out / "amounts"), pd.read_parquet(out / "reports")
    spent = (a[a.role.eq("expenditure") & a.qualifier.eq("exact")].merge(r, on="report_id")
             .groupby(["department", "year"]).value_yuan.sum())
    expected = con.execute("SELECT sum(a.value_cents) FROM amounts a WHERE a.role = 'expenditure' "
                           "AND a.qualifier = 'exact'").fetchone()[0]
    assert sum(spent.tolist(), Decimal(0)) == Decimal(expected) / 100
    # statistics and search answer from it as from SQLite
    from extract.dataset.search import search_parquet
    from extract.dataset.stats import stats

    assert stats(out, by="year") == stats(local_db, by="year")
    assert stats(out, by="department", fact="amounts") == stats(local_db, by="department", fact="amounts")
    hits = search_parquet(out, "招商引资", limit=1000)
    assert len(hits) == con.execute("SELECT count(*) FROM sentences WHERE instr(text, '招商引资') > 0").fetchone()[0] > 0
    # a rerun reads only the file that failed (no stamp), and duplicates nothing
    again = ingest([str(mixed)], None, workers=2, scheduler="local", parquet=out, batch_size=4)
    assert (again.ingested, again.skipped, again.failed) == (0, 13, 1)
    reader = parquet.connect(out)
    for table in TABLES:
        assert reader.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == \
            con.execute(f"SELECT count(*) FROM {table}").fetchone()[0], table


def test_a_partial_batch_is_invisible_until_its_files_part_is_written(mixed, tmp_path):
    out = tmp_path / "pq"
    ingest([str(mixed / "archive.zip")], None, workers=1, parquet=out)
    reader = parquet.connect(out)
    assert reader.execute("SELECT count(*) FROM reports").fetchone()[0] == 3
    stray = out / "reports" / "part-0123456789abcdef0123456789abcdef.parquet"
    shutil.copy(next((out / "reports").glob("part-*.parquet")), stray)   # a batch killed before its `files` part
    assert parquet.connect(out).execute("SELECT count(*) FROM reports").fetchone()[0] == 3


# ------------------------------------------------------------------------------- a real cluster

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dask_cluster(workers: int = 2, *worker_options: str):
    """`dask scheduler` and `dask worker` processes on loopback, as an operator starts them; yields
    (address, worker processes); every process is killed after."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1", "PYTHONPATH": str(ROOT)}
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs = [subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        from distributed import Client

        deadline = time.time() + 60
        while True:
            try:
                Client(address, timeout="2s").close()
                break
            except OSError:
                if time.time() > deadline:
                    raise AssertionError("the scheduler did not start") from None
                time.sleep(0.3)
        started = []
        for _ in range(workers):
            started.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                 "--no-dashboard", *(worker_options or ("--no-nanny",))], cwd=ROOT, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True))
        procs += started
        client = Client(address, timeout="10s")
        client.wait_for_workers(workers, timeout=60)
        client.close()
        yield address, started
    finally:
        for p in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=30)


def _many(folder: Path, n: int) -> Path:
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8")
    for i in range(n):
        (folder / f"r{i:03d}.txt").write_text(text + f"\n附注{i}：补充说明第{i}号。\n", encoding="utf-8")
    return folder


def test_a_worker_killed_mid_ingest_loses_and_duplicates_nothing(tmp_path):
    folder = _many(tmp_path / "many", 160)
    local = tmp_path / "local.db"
    assert ingest([str(folder)], local, workers=1).ingested == 160
    db = tmp_path / "cluster.db"
    with dask_cluster(2) as (address, workers):
        proc = subprocess.Popen([sys.executable, "-m", "extract", "ingest", str(folder), "--db", str(db),
                                 "--scheduler", address, "--json"], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 120
        while stored_reports(db) < 10 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert proc.poll() is None, "the ingest ended before a worker could be killed"
        os.kill(workers[0].pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    summary = json.loads(out)
    assert (summary["ingested"], summary["failed"]) == (160, 0)
    _same_rows(local, db)


def test_a_file_that_kills_workers_becomes_an_error_row_not_a_failed_job(tmp_path):
    """A report so large that extracting it passes the workers' memory limit: each worker that takes it is
    killed by its nanny and replaced. Its batch is split, the other files are stored, and the file itself
    ends as an E998 row after killing a worker twice on its own."""
    folder = _many(tmp_path / "files", 6)
    (folder / "huge.txt").write_text(SEED.read_text(encoding="utf-8") * 1200, encoding="utf-8")   # ~3.7 M chars
    local = tmp_path / "local.db"
    assert ingest([str(folder)], local, workers=1, limits=_no_huge()).ingested == 6
    db = tmp_path / "cluster.db"
    with dask_cluster(2, "--memory-limit", "600MB") as (address, _):
        proc = subprocess.run([sys.executable, "-m", "extract", "ingest", str(folder), "--db", str(db),
                               "--scheduler", address, "--json"], cwd=ROOT, capture_output=True, text=True,
                              timeout=900)
    summary = json.loads(proc.stdout)
    assert (summary["ingested"], summary["failed"]) == (6, 1), proc.stderr[-2000:]
    assert summary["errors"][0]["code"] == "E998" and summary["errors"][0]["path"].endswith("huge.txt")
    for table in TABLES:
        if table != "errors":
            assert _rows(local, table) == _rows(db, table), table


def _no_huge():
    from extract.dataset.sources import Limits

    return Limits(max_bytes=1_000_000)   # the local reference leaves the huge file out (an E005 row)


def test_ingest_help_documents_the_cluster_options():
    out = subprocess.run([sys.executable, "-m", "extract", "ingest", "--help"], cwd=ROOT, capture_output=True,
                         text=True, env={**os.environ, "COLUMNS": "200"}).stdout
    for option in ("--scheduler", "--workers", "--parquet"):
        assert option in out


def test_parquet_without_a_cluster_has_the_same_rows(mixed, local_db, tmp_path):
    """--parquet with the process pool: the parent writes the parts (as it writes SQLite)."""
    out = tmp_path / "pq"
    summary = ingest([str(mixed)], None, workers=2, parquet=out)
    assert (summary.ingested, summary.failed) == (13, 1)
    con = sqlite3.connect(local_db)
    reader = parquet.connect(out)
    for table in TABLES:
        assert reader.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == \
            con.execute(f"SELECT count(*) FROM {table}").fetchone()[0], table


def test_a_dataset_added_later_gets_every_file_and_force_keeps_one_copy(mixed, local_db, tmp_path):
    """A file is skipped only when every dataset asked for holds it; --force re-extracts into Parquet
    without doubling a report."""
    db, out = tmp_path / "both.db", tmp_path / "pq"
    assert ingest([str(mixed)], db, workers=1).ingested == 13
    later = ingest([str(mixed)], db, workers=1, parquet=out)          # SQLite has them all, Parquet none
    assert later.ingested == 0 and later.skipped == 13                # counted against SQLite: stored already
    assert parquet.connect(out).execute("SELECT count(*) FROM reports").fetchone()[0] == 13
    again = ingest([str(mixed)], db, workers=1, parquet=out)
    assert again.skipped == 13                                        # now both hold them: read nothing
    forced = ingest([str(mixed)], db, workers=1, parquet=out, force=True)
    assert forced.ingested == 13
    reader = parquet.connect(out)
    for table in ("reports", "amounts", "sentences"):
        assert reader.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == \
            sqlite3.connect(local_db).execute(f"SELECT count(*) FROM {table}").fetchone()[0], table
