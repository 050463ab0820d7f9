"""A built wheel carries the language data: installed into a fresh venv outside the checkout, `reportx
extract` reads the seed from another directory with the patterns shipped inside the package (issue 10).

Built offline (no build isolation: setuptools and wheel come with the test extra); the fresh venv gets
only the wheel, and sees the dependencies (spaCy, jieba …) through a path entry to this venv's
site-packages, so nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"


def test_a_built_wheel_runs_outside_the_checkout(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for folder in ("extract", "patterns"):
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "-w", str(dist), str(src)], check=True, cwd=tmp_path, capture_output=True)
    wheel = next(dist.glob("reportx-*.whl"))
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(n).name for n in names if n.startswith("extract/_patterns/")}
    assert shipped == {p.name for p in (ROOT / "patterns").iterdir() if p.suffix in (".yaml", ".txt")}

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "--quiet", str(wheel)], check=True, capture_output=True)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]        # the dependencies, as a plain path (its .pth files unread)
    Path(purelib, "reportx_test_deps.pth").write_text(ours + "\n", encoding="utf-8")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "REPORTX_PATTERNS", "VIRTUAL_ENV")}
    where = subprocess.run([str(python), "-c", "import extract, extract.patterns as p; "
                            "print(extract.__file__); print(p.PATTERNS_DIR)"],
                           check=True, capture_output=True, text=True, cwd=elsewhere, env=env).stdout.split()
    assert all(str(venv) in w for w in where), where           # the installed package and its own patterns
    assert where[1].endswith("_patterns")
    proc = subprocess.run([str(venv / "bin" / "reportx"), "extract", str(SEED)], capture_output=True, text=True,
                          cwd=elsewhere, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["amounts"] and report["year"] == 2020
