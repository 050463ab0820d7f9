"""The CLI as a user and a hostile archive meet it (issue 9): every user error one coded line naming the
file or option with a non-zero exit, no silent no-op, nothing printed raw to the terminal."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"


def cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "extract", *args], capture_output=True, cwd=ROOT, timeout=300,
                          input=stdin)
    proc.stdout, proc.stderr = proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    return proc


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "r.db"
    assert cli("ingest", str(SEED), "--db", str(path), "--quiet").returncode == 0
    return path


def test_version():
    proc = cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("reportx ")


def test_flags_are_shown_as_flags():
    assert "<bool>" not in cli("ingest", "--help").stdout
    assert cli("ingest", str(SEED), "--json", "true").returncode != 0   # a flag takes no value


@pytest.mark.parametrize("command", ["extract", "ingest", "evaluate", "summarize"])
def test_an_empty_folder_is_not_a_silent_success(tmp_path, command):
    empty = tmp_path / "empty"
    empty.mkdir()
    args = [command, str(empty)] + (["--db", str(tmp_path / "x.db")] if command == "ingest" else [])
    proc = cli(*args)
    assert proc.returncode == 1 and "[E001]" in proc.stderr and str(empty) in proc.stderr


def test_extract_reads_stdin_and_zips(tmp_path):
    proc = cli("extract", "-", stdin="全年支出156.99万元，执行率97.94%。".encode())
    assert proc.returncode == 0 and json.loads(proc.stdout)["amounts"][0]["value_yuan"] == "1569900"
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(SEED, "报告/seed.txt")
    lines = cli("extract", str(archive)).stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["source"].endswith("!报告/seed.txt")


def test_a_path_that_exists_is_not_a_glob(tmp_path):
    odd = tmp_path / "report[1].txt"
    odd.write_bytes(SEED.read_bytes())
    assert cli("extract", str(odd)).returncode == 0


def test_evaluate_names_what_is_wrong(tmp_path):
    proc = cli("evaluate", str(SEED))
    assert proc.returncode == 1 and "[E013]" in proc.stderr and "gold" in proc.stderr
    bad = tmp_path / "g"
    bad.mkdir()
    (bad / "x.gold.json").write_text("{not json", encoding="utf-8")
    proc = cli("evaluate", str(bad))
    assert proc.returncode == 1 and "[E017]" in proc.stderr and "x.gold.json" in proc.stderr
    assert "E999" not in proc.stderr


@pytest.mark.parametrize("args, says", [
    (("search", "招商", "--role", "nosuchrole"), "--role 'nosuchrole'"),
    (("search", "招商", "--kind", "nosuchkind"), "--kind 'nosuchkind'"),
    (("stats", "--kind", "nosuchkind"), "--kind 'nosuchkind'"),
    (("stats", "--fact", "amounts", "--role", "nosuchrole"), "--role 'nosuchrole'"),
    (("search", "招商", "--limit", "-5"), "--limit"),
    (("search", "招商", "--year", "99999999999999999999"), "--year"),
    (("search", "招商", "--min-yuan", "1e17"), "--min-yuan"),
    (("search", "招商", "--limit", "99999999999999999999"), "--limit"),
])
def test_option_values_are_checked(db, args, says):
    proc = cli(*args, "--db", str(db))
    assert proc.returncode == 2 and says in proc.stderr and "E999" not in proc.stderr and "Traceback" not in proc.stderr


def test_workers_must_be_positive(tmp_path):
    for n in ("0", "-1"):
        proc = cli("ingest", str(SEED), "--db", str(tmp_path / "w.db"), "--workers", n)
        assert proc.returncode == 2 and "--workers" in proc.stderr


def test_min_yuan_understands_wan(db):
    proc = cli("search", "万元", "--db", str(db), "--min-yuan", "100万", "--json")
    assert proc.returncode == 0 and proc.stdout.strip()


def test_like_wildcards_are_text(db):
    assert cli("search", "招商", "--db", str(db), "--department", "%", "--json").stdout == ""
    assert cli("search", "招商", "--db", str(db), "--department", "合作", "--json").stdout


def test_export_to_a_missing_database_creates_nothing(tmp_path):
    out = tmp_path / "out"
    proc = cli("export", str(out), "--db", str(tmp_path / "missing.db"))
    assert proc.returncode == 2 and "[E020]" in proc.stderr and not out.exists()


def test_quiet_hides_progress_never_failures(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "in" / "bad.txt").write_bytes(bytes(range(256)) * 4)
    proc = cli("ingest", str(tmp_path / "in"), "--db", str(tmp_path / "q.db"), "--quiet")
    assert proc.returncode == 1 and proc.stdout == ""
    assert "bad.txt" in proc.stderr and "[E004]" in proc.stderr


def test_control_characters_and_markup_never_reach_the_terminal(tmp_path, db):
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "a\x1b]0;pwned\x07.txt").write_bytes(bytes(range(256)) * 4)   # a name that would retitle a terminal
    proc = cli("ingest", str(evil), "--db", str(tmp_path / "e.db"))
    assert "\x1b" not in proc.stderr + proc.stdout and "\\x1b" in proc.stderr
    proc = cli("search", "[/]", "--db", str(db))
    assert proc.returncode == 0 and "no sentence matches '[/]'" in proc.stdout and "Traceback" not in proc.stderr
    proc = cli("search", "[link=http://x.example]a[/link]", "--db", str(db))
    assert "\x1b]8;" not in proc.stdout   # no terminal hyperlink
