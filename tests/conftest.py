from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8-sig")


@pytest.fixture(scope="session")
def seed_report():
    from extract import extract_file

    return extract_file(SEED)


@contextlib.contextmanager
def running_datasette(db: Path, env: dict | None = None):
    """`reportx serve` on a free loopback port, as a user starts it; yields the base URL; stopped after."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "extract", "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                            env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise AssertionError(proc.stdout.read().decode(errors="replace") if proc.poll() is not None
                                         else "datasette did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def stored_reports(db: Path) -> int:
    """Reports committed so far by a running ingest (0 while the database is being created or locked)."""
    import sqlite3

    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("SELECT count(*) FROM reports").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def readme_block(lang: str, after: str, nth: int = 0) -> str:
    """The nth ```lang block of the README after the words `after`."""
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    at = text.index(after)
    for _ in range(nth + 1):
        start = text.index(f"```{lang}\n", at) + len(lang) + 4
        at = start
    return text[start:text.index("```", start)]


def readme_answers(after: str) -> list:
    """What the README's python lines after `after` give, run as a user would (imports and assignments,
    then one expression a line)."""
    scope: dict = {}
    answers = []
    for line in readme_block("python", after).splitlines():
        code = line.split("  #")[0].strip()
        if code.startswith(("import", "r =", "i =")):
            exec(code, scope)
        elif code:
            answers.append(eval(code, scope))
    return answers
