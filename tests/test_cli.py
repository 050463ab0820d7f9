"""The reportx command, run for real in a subprocess: JSON Lines out, one clear line per bad file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extract", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    d = tmp_path_factory.mktemp("batch")
    (d / "gbk.txt").write_bytes(SEED.read_text(encoding="utf-8").encode("gbk"))
    (d / "empty.txt").write_bytes(b"")
    (d / "garbage.txt").write_bytes(bytes(range(256)) * 8)
    (d / "latin.txt").write_bytes(b"\x81\x30\xff\xff\xff\xff plain")
    (d / "big.txt").write_bytes("全年支出100万元。".encode("utf-8") * 1000)
    files = [str(SEED), str(d / "missing.txt"), str(d)]   # the folder is walked
    return run("extract", "--max-bytes", "20000", *files), d


def test_good_files_are_printed_despite_bad_ones(batch):
    proc, _ = batch
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [Path(r["source"]).name for r in records] == ["000_bcae26400f7d3644.txt", "gbk.txt"]
    assert records[1]["encoding"] == "gb18030"
    assert records[0]["amounts"] == records[1]["amounts"]  # same text, same facts and offsets
    assert records[0]["sha256"] != records[1]["sha256"]


def test_each_bad_file_gets_one_line_naming_it(batch):
    proc, d = batch
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    expected = {"missing.txt": "E001", "empty.txt": "E002", "garbage.txt": "E004",
                "latin.txt": "E003", "big.txt": "E005"}
    for name, code in expected.items():
        hits = [line for line in lines if name in line]
        assert len(hits) == 1 and code in hits[0], (name, lines)
    assert lines[-1] == "reportx: 5 of 7 file(s) failed"


def test_all_good_exits_zero():
    proc = run("extract", str(SEED))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["department"] == "兰州新区经济合作局"


def test_console_script_matches_module(tmp_path):
    exe = Path(sys.executable).parent / "reportx"
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    a = subprocess.run([str(exe), "extract", str(SEED)], capture_output=True, text=True, timeout=300)
    assert a.returncode == 0
    assert json.loads(a.stdout) == json.loads(run("extract", str(SEED)).stdout)


def test_schema_describes_the_report():
    proc = run("schema")
    schema = json.loads(proc.stdout)
    props = schema["properties"]
    for key in ("source", "sha256", "title", "department", "year", "report_kind", "grade", "amounts",
                "percentages", "counts", "staffing", "events", "scores", "checks", "budget_summary"):
        assert key in props
    amount = schema["$defs"]["Amount"]["properties"]
    assert amount["value_yuan"]["type"] == "string"


def test_evaluate_json():
    proc = run("evaluate", "corpora/seed", "--json")
    result = json.loads(proc.stdout)
    assert result["documents"] == 1
    assert all(v["f1"] == 1.0 for v in result["facts"].values())


def test_evaluate_missing_dir_is_a_clear_error():
    proc = run("evaluate", "no/such/dir")
    assert proc.returncode == 2 and "no such file" in proc.stderr and "Traceback" not in proc.stderr


def _commands():
    from extract.cli import app

    return [c.name or c.callback.__name__ for c in app.registered_commands]


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_documented_with_an_example(command):
    proc = run(command, "--help")
    assert proc.returncode == 0
    assert "Example:" in proc.stdout
