"""Every `reportx` command line of the README runs, as a new user would type it, against a small demo
dataset: once as written without its optional [parts], once with all of them (placeholders filled in,
the first of a|b alternatives). Only lines that need what a test cannot have are left out: a Dask
cluster at tcp://, an s3:// bucket, `serve` (a server that does not end; tests/test_serve.py and
tests/test_faults.py run it)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"
SKIP = ("tcp://", "s3://", "reportx serve")

# placeholders of the README's usage lines -> what a user would type here
FILL = {"FILE...": str(SEED), "FILE": str(SEED), "OUTDIR": "out", "N": "2", "K": "project_self_eval", "Y": "2020",
        "D": "局", "KIND": "execution_rates", "FILE.svg": "chart.svg", "views/": "views/"}


def readme_lines() -> list[str]:
    """The README's command lines that start with `reportx` (a `$ ` prompt allowed), continuation lines
    joined, comments and pipes dropped."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out: list[str] = []
    for block in re.findall(r"```[^\n]*\n(.*?)```", text, re.S):
        for line in block.splitlines():
            body = re.sub(r"^\$ ", "", line)
            if body.startswith("reportx "):
                out.append(body)
            elif out and re.match(r"\s+\[", line) and out[-1].startswith("reportx "):
                out[-1] += " " + line.strip()    # a usage line continued on the next line
    cleaned = []
    for line in out:
        line = re.split(r"\s{2,}#", line)[0]     # a comment after two spaces
        line = line.split(" | ")[0]              # a pipe into jq
        if not any(s in line for s in SKIP):
            cleaned.append(line.strip())
    return cleaned


def variant(line: str, optional: bool) -> list[str]:
    def fill(group: str) -> str:
        if "…" in group:
            return ""
        return group
    line = re.sub(r"\[([^\]]*)\]", (lambda m: fill(m.group(1))) if optional else "", line)
    words = []
    for w in shlex.split(line):
        if "|" in w and not w.startswith('"'):
            w = w.split("|")[0]
        words.append(FILL.get(w, w))
    return words[1:]   # without the program's name


LINES = readme_lines()


def test_the_readme_has_the_command_lines_this_test_runs():
    assert len(LINES) >= 20
    assert any(line.startswith("reportx ingest") for line in LINES)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A folder as a new user would have it: downloads/, more/*.docx, archive.zip, corpora/ (the
    project's), reports.db ingested from them, and dataset/ (a Parquet dataset)."""
    import zipfile

    from docx import Document

    home = tmp_path_factory.mktemp("demo")
    (home / "downloads").mkdir()
    text = SEED.read_text(encoding="utf-8")
    (home / "downloads" / "a.txt").write_text(text, encoding="utf-8")
    (home / "report.txt").write_text(text, encoding="utf-8")
    (home / "more").mkdir()
    doc = Document()
    for para in text.replace("兰州新区经济合作局", "某县商务局").splitlines():
        doc.add_paragraph(para)
    doc.save(home / "more" / "b.docx")
    with zipfile.ZipFile(home / "archive.zip", "w") as z:
        z.writestr("c.txt", text.replace("兰州新区经济合作局", "某市招商局"))
    (home / "corpora").symlink_to(ROOT / "corpora")
    for args in (["ingest", "corpora/seed", "corpora/heldout", "--db", "reports.db", "--quiet"],
                 ["ingest", "corpora/seed", "corpora/heldout", "--parquet", "dataset/", "--quiet"]):
        subprocess.run([sys.executable, "-m", "extract", *args], cwd=home, check=True, timeout=600,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    return home


@pytest.mark.parametrize("optional", [False, True], ids=["as-written", "with-options"])
@pytest.mark.parametrize("line", LINES)
def test_a_readme_command_line_runs(demo, line, optional):
    args = variant(line, optional)
    work = demo / ("o" if optional else "w") / re.sub(r"\W+", "_", line)[:60]
    work.mkdir(parents=True, exist_ok=True)
    for name in ("downloads", "more", "archive.zip", "corpora", "dataset", "report.txt"):
        if not (work / name).exists():
            (work / name).symlink_to(demo / name)
    if not (work / "reports.db").exists():
        shutil.copy(demo / "reports.db", work / "reports.db")
    proc = subprocess.run([sys.executable, "-m", "extract", *args], cwd=work, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"})
    assert proc.returncode == 0, f"{args}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr
    # something printed, but where nothing is the answer (a JSON search whose filters all apply at once)
    assert proc.stdout.strip() or "--json" in args or args[0] in ("ingest", "export", "view", "chart")
