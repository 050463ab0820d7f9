"""OCR cost and quality per page, per core: forms printed and scanned (scripts/officegen/scan.py) at
150, 200 and 300 dpi, read by extract.readers.ocr in this process (onnxruntime on one thread).

Prints a markdown table: seconds per page, the facts' F1 against the form's own text (amounts,
percentages, scores as (type, value) multisets), the engine's mean confidence, the peak RSS so far;
then the engine load time and, as a baseline in the same run, jieba.lcut over the same OCR'd text.

    .venv/bin/python scripts/bench_ocr.py            # 10 pages of ../shared/forms
    .venv/bin/python scripts/bench_ocr.py --pages 4 --dpi 200
    .venv/bin/python scripts/bench_ocr.py --ingest --pages 8 --workers 2   # ingest of scans: pool, LocalCluster

With --ingest, the forms are written as scanned PNG pages (200 dpi) and ingested with `reportx ingest`'s
library call twice, on the process pool and on a Dask LocalCluster of the same number of workers, each
into a fresh database: seconds per page of the whole run (wall clock, all workers) and pages per
second, beside jieba.lcut over the same OCR'd text.
"""

from __future__ import annotations

import argparse
import pathlib
import resource
import sys
import time
from collections import Counter

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.pipeline import extract_text
from extract.readers import ocr
from scripts.officegen.scan import render_pages


def _jieba_seconds(texts: list[str]) -> float:
    """The baseline: seconds plain jieba.lcut takes over the same texts (dictionary loaded first)."""
    import jieba

    jieba.initialize()
    t = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    return time.perf_counter() - t


def facts(text: str) -> Counter:
    r = extract_text(text, source="bench")
    return Counter([("amount", a.value_yuan) for a in r.amounts] + [("percentage", p.value) for p in r.percentages]
                   + [("score", s.value) for s in r.scores])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=10, help="at least this many pages, whole forms (default 10)")
    ap.add_argument("--dpi", type=int, nargs="+", default=[150, 200, 300])
    ap.add_argument("--forms", default=str(ROOT.parent / "shared" / "forms"))
    ap.add_argument("--ingest", action="store_true", help="time ingest of scans on the pool and a LocalCluster")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if args.ingest:
        bench_ingest(args)
        return

    forms = []
    total = 0
    for path in sorted(pathlib.Path(args.forms).glob("f*.txt")):
        if total >= args.pages:
            break
        text = path.read_text(encoding="utf-8")
        pages = len(render_pages(text, dpi=72, noise=False))
        forms.append((path.stem, text))
        total += pages
    print(f"{len(forms)} forms, {total} pages: {' '.join(name for name, _ in forms)}")

    t = time.perf_counter()
    ocr._get_engine("bench")
    load = time.perf_counter() - t

    rows, texts = [], []
    for dpi in args.dpi:
        seconds, pages, chars, hit, gold_n, got_n, conf, boxes = 0.0, 0, 0, 0, 0, 0, 0.0, 0
        for seed, (name, text) in enumerate(forms):
            read = []
            for image in render_pages(text, dpi=dpi, seed=seed):
                t = time.perf_counter()
                page = ocr.ocr_image(image, name)
                seconds += time.perf_counter() - t
                pages += 1
                read.append(page.text)
                conf += page.confidence * page.lines
                boxes += page.lines
            joined = "\n".join(read)
            chars += len(joined)
            texts.append(joined)
            gold, got = facts(text), facts(joined)
            hit += sum((gold & got).values())
            gold_n += sum(gold.values())
            got_n += sum(got.values())
        p, r = hit / max(got_n, 1), hit / max(gold_n, 1)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        rows.append((dpi, pages, seconds / pages, chars / pages, f1, gold_n, conf / max(boxes, 1), peak_rss_mb()))
        print(f"  {dpi} dpi done: {seconds / pages:.2f} s/page", flush=True)

    jieba_s = _jieba_seconds(texts)
    all_pages = sum(r[1] for r in rows)

    print()
    print(f"engine: {ocr.engine_name()}, one onnxruntime thread; load {load:.2f} s")
    print()
    print("| dpi | pages | s/page (1 core) | chars/page | facts F1 (of gold n) | mean confidence | peak RSS MB |")
    print("|----:|------:|----------------:|-----------:|---------------------:|----------------:|------------:|")
    for dpi, pages, sp, cp, f1, n, c, rss in rows:
        print(f"| {dpi} | {pages} | {sp:.2f} | {cp:.0f} | {f1:.3f} ({n}) | {c:.3f} | {rss:.0f} |")
    print(f"| jieba.lcut, same OCR'd text | {all_pages} | {jieba_s / all_pages:.4f} | | | | |")


def bench_ingest(args) -> None:
    import sqlite3
    import tempfile

    from extract.dataset.ingest import ingest

    with tempfile.TemporaryDirectory(prefix="reportx-bench-ocr-") as tmp:
        folder = pathlib.Path(tmp) / "scans"
        folder.mkdir()
        pages = 0
        for seed, path in enumerate(sorted(pathlib.Path(args.forms).glob("f*.txt"))):
            if pages >= args.pages:
                break
            for i, image in enumerate(render_pages(path.read_text(encoding="utf-8"), dpi=200, seed=seed)):
                image.save(folder / f"{path.stem}-p{i + 1}.png")
                pages += 1
        print(f"{pages} scanned pages (200 dpi PNG, one file each), {args.workers} workers")
        rows = []
        texts: list[str] = []
        for label, scheduler in (("process pool", None), ("Dask LocalCluster", "local")):
            db = pathlib.Path(tmp) / f"{label.split()[0]}.db"
            t = time.perf_counter()
            # a scan takes seconds: one file per cluster task (the default batch of 16 would put them all on one worker)
            summary = ingest([str(folder)], db, workers=args.workers, scheduler=scheduler,
                             batch_size=1 if scheduler else None)
            seconds = time.perf_counter() - t
            con = sqlite3.connect(db)
            texts = [r[0] for r in con.execute("SELECT text FROM reports")]
            con.close()
            rows.append((label, summary.ingested, summary.failed, seconds))
            print(f"  {label}: {seconds:.1f} s", flush=True)
    jieba_s = _jieba_seconds(texts)
    print()
    print("| ingest of scans | workers | pages | read | failed | s/page (wall) | pages/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, ok, failed, seconds in rows:
        print(f"| {label} | {args.workers} | {pages} | {ok} | {failed} | {seconds / pages:.2f} | {pages / seconds:.3f} |")
    print(f"| jieba.lcut, same OCR'd text | 1 | {pages} | | | {jieba_s / pages:.4f} | |")


if __name__ == "__main__":
    main()
