"""Generate a synthetic corpus of budget-performance reports (绩效自评报告) with gold facts."""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from .formats import printable, write_docx, write_html, write_pdf
from .gold import crlf, gold_for_reader
from .report import Report

FORMATS = ("txt", "gbk", "docx", "pdf", "html")
DEFAULT_MIX = {"txt": 0.84, "gbk": 0.10, "docx": 0.02, "pdf": 0.02, "html": 0.02}
EXT = {"txt": ".txt", "gbk": ".txt", "docx": ".docx", "pdf": ".pdf", "html": ".html"}


def choose_format(rng: random.Random, mix: dict[str, float]) -> str:
    x, acc = rng.random() * sum(mix.values()), 0.0
    for fmt, p in mix.items():
        acc += p
        if x < acc:
            return fmt
    return next(iter(mix))


def generate(i: int, seed: int, mix: dict[str, float], out: Path) -> tuple[str, int]:
    rng = random.Random(seed * 1_000_003 + i)
    frng = random.Random(seed * 7_919 + i * 31 + 1)
    fmt = choose_format(frng, mix)
    text, gold = Report(rng).compose()
    stem = f"{i:05d}"
    if fmt in ("txt", "gbk") and frng.random() < 0.05:
        text = crlf(text, gold)  # Windows line ends: offsets move by one per earlier line end
    path = out / (stem + EXT[fmt])
    if fmt == "gbk":
        try:
            data = text.encode("gbk")
        except UnicodeEncodeError:
            fmt, data = "txt", text.encode("utf-8")
        path.write_bytes(data)
    elif fmt == "txt":
        bom = b"\xef\xbb\xbf" if frng.random() < 0.05 else b""  # a BOM does not move offsets
        path.write_bytes(bom + text.encode("utf-8"))
    elif fmt == "docx":
        write_docx(path, text)
    elif fmt == "pdf":
        printed, left_out = printable(text)
        write_pdf(path, printed, random.Random(seed * 104_729 + i * 17 + 3))
        gold_for_reader(path, text, gold, dropped="|", skip=left_out)
    else:
        write_html(path, text, gold["metadata"]["title"])
    if fmt in ("docx", "html"):
        gold_for_reader(path, text, gold, dropped="|" if fmt == "html" else "")
    record = {"source": path.name, **gold}
    if fmt != "txt":
        record = {"source": path.name, "format": fmt, **gold}
    gpath = out / (stem + ".gold.json")
    gdata = json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")
    gpath.write_bytes(gdata)
    return fmt, path.stat().st_size + len(gdata)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of reports")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--formats", default=",".join(FORMATS),
                    help="comma-separated subset of txt,gbk,docx,pdf,html (default mix: mostly txt)")
    a = ap.parse_args(argv)
    wanted = [f.strip() for f in a.formats.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        ap.error(f"unknown format(s): {', '.join(bad) or '(none)'}; choose from {','.join(FORMATS)}")
    mix = {f: DEFAULT_MIX[f] for f in FORMATS if f in wanted}
    a.outdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    counts = {f: 0 for f in FORMATS}
    total = 0
    for i in range(a.n):
        fmt, size = generate(i, a.seed, mix, a.outdir)
        counts[fmt] += 1
        total += size
    dt = time.perf_counter() - t0
    per = ", ".join(f"{f} {counts[f]}" for f in FORMATS if counts[f] or f in wanted)
    print(f"{a.n} reports in {a.outdir}: {per}; {total / 1e6:.1f} MB (reports + gold); {dt:.1f} s")
    return 0
