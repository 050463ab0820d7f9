"""Defects found trying reportx as a new user and as an attacker would (issue 19): each test failed
before its fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"


def _cli(*args: str, prefix: tuple[str, ...] = (), **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "extract", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, **kw)


def _without_root_powers() -> tuple[str, ...]:
    """A command prefix under which file permissions apply (root reads everything otherwise)."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be made to apply")
    caps = "-dac_override,-dac_read_search"
    return ("setpriv", "--bounding-set", caps, "--inh-caps", caps)


# ------------------------------------------------------------------------------------------ files

def test_unreadable_files_and_folders_and_link_loops_are_error_rows(tmp_path):
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    shutil.copy(SEED, folder / "ok.txt")
    shutil.copy(SEED, folder / "locked" / "hidden.txt")
    (folder / "secret.txt").write_text("x", encoding="utf-8")
    (folder / "loop1.txt").symlink_to("loop2.txt")
    (folder / "loop2.txt").symlink_to("loop1.txt")
    os.chmod(folder / "locked", 0)
    os.chmod(folder / "secret.txt", 0)
    try:
        proc = _cli("ingest", str(folder), "--db", str(tmp_path / "p.db"), "--json", "--workers", "1",
                    prefix=_without_root_powers())
    finally:
        os.chmod(folder / "locked", 0o755)
        os.chmod(folder / "secret.txt", 0o644)
    summary = json.loads(proc.stdout)
    codes = {Path(e["path"]).name: e["code"] for e in summary["errors"]}
    assert codes == {"locked": "E022", "secret.txt": "E022", "loop1.txt": "E015", "loop2.txt": "E015"}
    assert summary["ingested"] == 1 and proc.returncode == 1


def test_a_newline_in_a_file_name_cannot_fake_an_output_line(tmp_path):
    name = tmp_path / "a\nreportx: ingested 999.txt"
    name.write_bytes(b"")   # an empty file: a failure line names it
    proc = _cli("extract", str(name))
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert not any(line.startswith("reportx: ingested") for line in lines)
    assert any("a\\nreportx: ingested 999.txt" in line for line in lines)
