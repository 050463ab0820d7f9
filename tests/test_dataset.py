"""The dataset: ingest, idempotence, kill-and-resume, Chinese search, stats, export, Datasette."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import running_datasette, stored_reports

from extract.dataset import store
from extract.dataset.ingest import Limits, ingest
from extract.dataset.search import search

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"
VARIED = ROOT / "corpora" / "varied"


def cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extract", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "reports.db"
    summary = ingest([str(SEED), str(VARIED)], db, workers=2)
    assert summary.failed == 0, summary.errors
    return db, summary


def test_ingest_stores_every_report_and_fact(dataset):
    db, summary = dataset
    assert summary.ingested == 5
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 5
    seed_id = con.execute("SELECT report_id FROM reports WHERE source LIKE '%000_bcae%'").fetchone()[0]
    from extract import extract_file

    report = extract_file(SEED)
    assert seed_id == report.sha256
    for table in ("amounts", "percentages", "counts", "staffing", "events", "scores", "checks"):
        n = con.execute(f"SELECT count(*) FROM {table} WHERE report_id=?", (seed_id,)).fetchone()[0]
        assert n == len(getattr(report, table)), table
    # exact money, and offsets into the stored text
    text = con.execute("SELECT text FROM reports WHERE report_id=?", (seed_id,)).fetchone()[0]
    rows = con.execute('SELECT text, "start", "end", value_yuan, value_cents FROM amounts WHERE report_id=? '
                       "ORDER BY seq", (seed_id,)).fetchall()
    assert rows[2][3] == 602800 and rows[2][4] == 60280000   # numbers, not text
    for fact_text, start, end, _, _ in rows:
        assert text[start:end] == fact_text
    sentences = con.execute('SELECT text, "start", "end", section FROM sentences WHERE report_id=?',
                            (seed_id,)).fetchall()
    assert all(text[s:e] == t for t, s, e, _ in sentences)
    assert any(sec.startswith("5、绩效自评结果") for *_, sec in sentences)


def test_reingest_is_a_no_op_and_force_replaces(dataset, tmp_path):
    db, _ = dataset
    again = ingest([str(SEED), str(VARIED)], db, workers=1)
    assert (again.ingested, again.skipped, again.failed) == (0, 5, 0)
    con = sqlite3.connect(db)
    before = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("reports", "amounts", "sentences", "sentences_fts")}
    forced = ingest([str(SEED)], db, workers=1, force=True)
    assert forced.ingested == 1
    after = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in before}
    assert after == before
    # the external-content indexes really hold the rows (count(*) alone reads the content table)
    con.execute("INSERT INTO sentences_fts(sentences_fts, rank) VALUES('integrity-check', 1)")
    con.execute("INSERT INTO sentences_trigram(sentences_trigram, rank) VALUES('integrity-check', 1)")
    hits = con.execute("SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH '兰洽会'").fetchone()[0]
    assert hits == con.execute("SELECT count(*) FROM sentences WHERE tokens LIKE '%兰洽会%'").fetchone()[0] > 0


# ------------------------------------------------------------------------------- search

SEED_TERMS = ["招商引资", "兰洽会", "执行率", "上年结转", "签约项目", "津企陇上行", "推介座谈会", "满意度",
              "内设机构", "绩效自评", "经济技术合作", "药博会"]


@pytest.mark.parametrize("term", SEED_TERMS)
def test_search_finds_every_seed_sentence_with_the_term(dataset, term):
    db, _ = dataset
    con = sqlite3.connect(db)
    seed_id = con.execute("SELECT report_id FROM reports WHERE source LIKE '%000_bcae%'").fetchone()[0]
    expected = {r[0] for r in con.execute("SELECT sentence_id FROM sentences WHERE report_id=? AND instr(text, ?) > 0",
                                          (seed_id, term))}
    assert expected, term
    hits = search(db, term, limit=1000)
    found = {(h.report_id, h.start) for h in hits}
    starts = {r[0]: r[1] for r in con.execute('SELECT sentence_id, "start" FROM sentences WHERE report_id=?', (seed_id,))}
    assert {(seed_id, starts[i]) for i in expected} <= found
    for h in hits:
        assert h.marks, h.text
        assert term in "".join(h.text[s:e] for s, e in h.marks) or h.method == "tokens"


def test_default_unicode61_index_cannot_do_chinese(tmp_path):
    """Why the token index exists: unicode61 over raw Chinese text finds words only by whole runs."""
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(text)")
    con.execute("INSERT INTO t VALUES (?)", ("全年完成50次外出招商，成功举办第26届兰洽会及南京招商引资推介座谈会。",))
    assert con.execute("SELECT count(*) FROM t WHERE t MATCH '兰洽会'").fetchone()[0] == 0


def test_search_filters(dataset):
    db, _ = dataset
    assert search(db, "执行率", year=2020)
    assert all(h.year == 2020 for h in search(db, "执行率", year=2020))
    assert not search(db, "执行率", year=1999)
    hits = search(db, "签约", min_yuan=Decimal("10000000000"))
    assert hits and all("亿元" in h.text for h in hits)
    lanzhou = search(db, "执行率", department="兰州新区")
    assert lanzhou and all("兰州新区" in (h.department or "") for h in lanzhou)
    rate_hits = search(db, "执行率", role="execution_rate")
    assert rate_hits and all("%" in h.text or "％" in h.text for h in rate_hits)


def test_short_query_falls_back_to_substring(dataset):
    db, _ = dataset
    hits = search(db, "洽", limit=50)
    assert hits and all("洽" in h.text for h in hits)


def test_search_cli_json(dataset):
    db, _ = dataset
    proc = cli("search", "兰洽会", "--db", str(db), "--json", "--limit", "3")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(lines) == 3 and all("兰洽会" in x["text"] for x in lines)
    human = cli("search", "兰洽会", "--db", str(db))
    assert "兰州新区经济合作局" in human.stdout and "2020" in human.stdout


# ------------------------------------------------------------------------------- stats, export

def test_stats_by_year(dataset):
    from extract.dataset.stats import stats

    rows = {r["year"]: r for r in stats(dataset[0], by="year")}
    seed = rows[2020]
    assert seed["reports"] == 1
    assert seed["budget_sum_yuan"] == "1602800" and seed["expenditure_sum_yuan"] == "1569900"
    assert seed["execution_rate_median"] == "97.94" and seed["share_rate_under_90"] == "0"
    assert seed["grades"] == {"优": 1} and seed["grade_levels"] == {"优": 1} and seed["score_median"] == "98.9"
    proc = cli("stats", "--db", str(dataset[0]), "--by", "department", "--format", "json")
    assert proc.returncode == 0 and len(json.loads(proc.stdout)) == 5
    csv_out = cli("stats", "--db", str(dataset[0]), "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("year,reports,budget_count,budget_sum_yuan")


def test_export_parquet_keeps_exact_decimals(dataset, tmp_path):
    import pyarrow.parquet as pq

    proc = cli("export", str(tmp_path / "out"), "--db", str(dataset[0]), "--format", "parquet")
    assert proc.returncode == 0, proc.stderr
    table = pq.read_table(tmp_path / "out" / "amounts.parquet")
    kind = table.schema.field("value_yuan").type
    assert str(kind).startswith("decimal128") and kind.scale == 2     # money to the fen, not 10 places
    assert table.schema.field("value_yuan").metadata[b"description"].decode().startswith("value in yuan")
    rates = pq.read_table(tmp_path / "out" / "percentages.parquet").schema.field("value").type
    assert rates.scale == 2                                           # 97.94: the most places written
    values = table.column("value_yuan").to_pylist()
    assert Decimal("602800") in values and all(isinstance(v, Decimal) for v in values)
    for fmt in ("csv", "jsonl"):
        assert cli("export", str(tmp_path / fmt), "--db", str(dataset[0]), "--format", fmt).returncode == 0
    first = json.loads((tmp_path / "jsonl" / "amounts.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert isinstance(first["value_yuan"], str)      # exact decimal strings, as in the JSON output
    assert (tmp_path / "csv" / "amounts.csv").read_bytes().startswith(b"\xef\xbb\xbf")   # BOM for Excel
    assert (tmp_path / "csv" / "DATA_DICTIONARY.md").exists()


# ------------------------------------------------------------------------------- bad input

def test_bad_files_in_a_mixed_batch_lose_nothing(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "good.txt").write_bytes(SEED.read_bytes())
    (batch / "good_gbk.txt").write_bytes(SEED.read_text(encoding="utf-8").encode("gbk"))
    (batch / "empty.txt").write_bytes(b"")
    (batch / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (batch / "huge.txt").write_bytes("全年支出100万元。".encode() * 5000)
    db = tmp_path / "x.db"
    proc = cli("ingest", str(batch), str(tmp_path / "missing.txt"), "--db", str(db), "--workers", "2",
               "--max-bytes", "50000")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == 2
    errors = dict(con.execute("SELECT path, code FROM errors").fetchall())
    assert {Path(p).name: c for p, c in errors.items()} == {
        "empty.txt": "E002", "binary.txt": "E004", "huge.txt": "E005", "missing.txt": "E001"}
    assert "failed 4" in proc.stdout


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_zip_members_are_ingested_safely(tmp_path):
    seed = SEED.read_bytes()
    inner = _zip(tmp_path / "inner.zip", {"a.txt": seed})
    archive = _zip(tmp_path / "a.zip", {
        "reports/seed.txt": seed,
        "reports/other.txt": seed + "\n附：2021年全年支出200万元。".encode(),
        "../escape.txt": seed + b"x",
        "/abs.txt": seed + b"y",
        "nested.zip": inner.read_bytes(),
        "picture.png": b"\x89PNG",
    })
    db = tmp_path / "z.db"
    summary = ingest([str(archive)], db, workers=1)
    assert summary.ingested == 2
    con = sqlite3.connect(db)
    sources = {r[0] for r in con.execute("SELECT source FROM reports")}
    assert sources == {f"{archive}!reports/seed.txt", f"{archive}!reports/other.txt"}
    codes = {Path(p.split("!")[1]).name: c for p, c in con.execute("SELECT path, code FROM errors")}
    assert codes == {"escape.txt": "E012", "abs.txt": "E012", "nested.zip": "E006",
                     "picture.png": "E007"}   # an image is a page to OCR: this one is damaged


def test_zip_limits(tmp_path):
    seed = SEED.read_bytes()
    many = _zip(tmp_path / "many.zip", {f"r{i}.txt": seed + str(i).encode() for i in range(5)})
    s = ingest([str(many)], tmp_path / "m.db", workers=1, limits=Limits(zip_max_members=3))
    assert (s.ingested, s.failed) == (0, 1) and "over the limit of 3" in s.errors[0][2]
    s = ingest([str(many)], tmp_path / "t.db", workers=1, limits=Limits(zip_max_total=len(seed) * 2 + 10))
    assert s.ingested == 2 and s.failed == 1 and "uncompressed total" in s.errors[0][2]
    bomb = _zip(tmp_path / "bomb.zip", {"big.txt": "全年支出100万元。".encode() * 200_000})
    s = ingest([str(bomb)], tmp_path / "b.db", workers=1, limits=Limits(max_bytes=100_000))
    assert s.failed == 1 and s.ingested == 0


# ------------------------------------------------------------------------------- kill and resume

def _many_reports(folder: Path, n: int) -> None:
    text = SEED.read_text(encoding="utf-8")
    folder.mkdir()
    for i in range(n):
        (folder / f"r{i:03d}.txt").write_text(text + f"\n附注{i}：补充说明第{i}号。\n", encoding="utf-8")


_stored = stored_reports


def _start_ingest(folder: Path, db: Path, *options: str, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "extract", "ingest", str(folder), "--db", str(db),
                             "--workers", "2", *options], cwd=ROOT, **popen)


def test_kill_9_mid_run_then_resume_finishes_without_duplicates(tmp_path):
    n = 240   # several commits (store.Batch: every 100 reports or 0.25 s) before the kill
    folder = tmp_path / "many"
    _many_reports(folder, n)
    db = tmp_path / "k.db"
    proc = _start_ingest(folder, db, "--quiet", start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    stored = 0
    while time.time() < deadline and stored < 5:
        time.sleep(0.2)
        stored = _stored(db)
    os.killpg(proc.pid, signal.SIGKILL)     # the writer and its workers, mid-run
    proc.wait()
    assert 5 <= stored < n, "the run should have been killed part-way"
    con = sqlite3.connect(db)
    partial = con.execute("SELECT count(*) FROM reports").fetchone()[0]
    # no half report: every stored report has all its rows
    for table in ("amounts", "sentences", "checks"):
        missing = con.execute(f"SELECT count(*) FROM reports r WHERE NOT EXISTS "
                              f"(SELECT 1 FROM {table} t WHERE t.report_id = r.report_id)").fetchone()[0]
        assert missing == 0, table
    con.close()
    resumed = ingest([str(folder)], db, workers=2)
    assert resumed.failed == 0
    assert resumed.skipped == partial and resumed.ingested == n - partial
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == n
    assert con.execute("SELECT count(*) FROM amounts").fetchone()[0] == 13 * n
    assert con.execute("SELECT count(DISTINCT report_id || seq) FROM amounts").fetchone()[0] == 13 * n
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _worker_pids(parent: int) -> list[int]:
    """The pool's worker processes under `parent` (python -m extract.dataset.worker)."""
    try:
        with open(f"/proc/{parent}/task/{parent}/children") as f:
            kids = [int(x) for x in f.read().split()]
    except OSError:
        return []
    out = []
    for pid in kids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"extract.dataset.worker" in f.read():
                    out.append(pid)
        except OSError:
            pass
    return out


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc to find the workers")
def test_a_worker_killed_mid_batch_loses_no_file(tmp_path):
    n = 200   # several batch commits (store.Batch) before the kill
    folder = tmp_path / "many"
    _many_reports(folder, n)
    db = tmp_path / "w.db"
    proc = _start_ingest(folder, db, "--json", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = None
    stored = 0
    deadline = time.time() + 120
    while killed is None and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
        stored = _stored(db)
        workers = _worker_pids(proc.pid)
        if stored >= 3 and workers:
            killed = workers[0]
            os.kill(killed, signal.SIGKILL)
    out, err = proc.communicate(timeout=600)
    assert killed is not None and stored < n, "the worker should have been killed mid-batch"
    assert "Traceback" not in err
    summary = json.loads(out)
    assert summary["ingested"] + summary["failed"] == n
    con = sqlite3.connect(db)
    stored_now = con.execute("SELECT count(*) FROM reports").fetchone()[0]
    errors = con.execute("SELECT count(*) FROM errors").fetchone()[0]
    assert stored_now + errors == n and stored_now == summary["ingested"]


# ------------------------------------------------------------------------------- schema versions

def test_newer_or_foreign_databases_are_refused(tmp_path):
    newer = tmp_path / "newer.db"
    store.connect(newer).close()
    con = sqlite3.connect(newer)
    con.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    con.commit()
    con.close()
    with pytest.raises(store.DatabaseError, match="newer reportx"):
        store.connect(newer)
    foreign = tmp_path / "foreign.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE x (a)")
    con.commit()
    con.close()
    with pytest.raises(store.DatabaseError, match="not a reportx database"):
        store.connect(foreign)
    proc = cli("search", "x", "--db", str(tmp_path / "none.db"))
    assert proc.returncode == 2 and "no such database" in proc.stderr and "Traceback" not in proc.stderr


# ------------------------------------------------------------------------------- datasette

def test_datasette_round_trip(dataset):
    db, _ = dataset
    with running_datasette(db) as base:
        name = db.stem
        q = urllib.parse.quote("招商引资")
        rows = json.loads(urllib.request.urlopen(
            f"{base}/{name}/sentences.json?_search={q}&_shape=array", timeout=10).read())
        assert rows and all("招商引资" in r["text"] for r in rows)
        sql = urllib.parse.quote("select count(*) as n from reports")
        n = json.loads(urllib.request.urlopen(f"{base}/{name}.json?sql={sql}&_shape=array", timeout=10).read())
        assert n == [{"n": 5}]
