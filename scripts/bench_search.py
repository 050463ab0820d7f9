"""Benchmark search with fact filters on a big dataset: queries that match nothing, a few and many.

    .venv/bin/python scripts/bench_search.py [--n 10000] [--workdir /tmp/reportx-bench-search]
                                             [--db FILE] [--rounds 3] [--baseline DIR] [--timeout S] [--json]

The dataset is made once and reused: N reports written from the seed report
(corpora/seed/000_bcae26400f7d3644.txt) with another department, year, numbers and satisfaction figures
each (report i is drawn from random.Random(i): every digit after a number's first is redrawn, so values
vary but keep their size), under --workdir, and ingested there with two workers (about twelve minutes for
10,000 on two cores). --db times an existing dataset instead, as it is (read only: a dataset made before
the search indexes is timed without them).

Each query is timed `--rounds` times in this process (the best is printed, with the number of hits).
--baseline DIR times the same queries with the reportx checked out in DIR (e.g. `git archive <commit> |
tar -x -C DIR`), each in a subprocess stopped after --timeout seconds: the before of a before/after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"
SEED_DEPARTMENT = "兰州新区经济合作局"
PLACES = ["兰州新区", "天水市", "白银市", "酒泉市", "张掖市", "武威市", "定西市", "陇南市", "平凉市", "庆阳市",
          "金昌市", "嘉峪关市", "临夏州", "甘南州", "榆中县", "永登县", "皋兰县", "会宁县", "靖远县", "景泰县"]
OFFICES = ["经济合作局", "财政局", "教育局", "卫生健康委员会", "农业农村局", "交通运输局", "水务局", "商务局",
           "文化和旅游局", "自然资源局", "生态环境局", "民政局", "司法局", "应急管理局", "市场监督管理局"]
# The seed states no satisfaction figure: each report gets one of each kind (percentages and points), after
# the seed's own words on satisfaction, so --role satisfaction has facts to select.
SATISFACTION_AT = "3、 满意度指标完成情况分析。"
SATISFACTION = "服务对象满意度达到{rate}%，群众满意度较上年提升{points}个百分点。"
# A year where the seed writes 2020 (2020年, 2020年度); no other number is a year.
YEAR = re.compile(r"20\d\d(?=年)")
DIGITS = re.compile(r"\d+")

# (label, expected size of the answer, search() keyword arguments). "none" queries are the ones issue 19
# measured in minutes: a filter no fact meets.
QUERIES: list[tuple[str, str, dict]] = [
    ("role satisfaction, min 200", "none", {"role": "satisfaction", "min_value": Decimal(200)}),
    ("role expenditure, 100万 to 1 yuan", "none",
     {"role": "expenditure", "min_yuan": Decimal(1_000_000), "max_yuan": Decimal(1)}),
    ("min-yuan 1e20", "none", {"min_yuan": Decimal("1e20")}),
    ("role execution_rate, min 101", "none", {"role": "execution_rate", "min_value": Decimal(101)}),
    ("text 执行率 + role satisfaction min 200", "none",
     {"query": "执行率", "role": "satisfaction", "min_value": Decimal(200)}),
    ("number 60.28 + min-yuan 1e20", "none", {"query": "60.28", "min_yuan": Decimal("1e20")}),
    ("year 1999 + min-yuan 1", "none", {"year": 1999, "min_yuan": Decimal(1)}),
    ("role satisfaction, min 99.9", "few", {"role": "satisfaction", "min_value": Decimal("99.9")}),
    ("role expenditure, min-yuan 199万", "few", {"role": "expenditure", "min_yuan": Decimal(1_990_000)}),
    ("text 执行率 + role expenditure, min-yuan 199万", "few",
     {"query": "执行率", "role": "expenditure", "min_yuan": Decimal(1_990_000)}),
    ("number 60.28 + role expenditure", "few", {"query": "60.28", "role": "expenditure"}),
    ("department 白银市财政局 + role satisfaction, min 90", "few",
     {"department": "白银市财政局", "role": "satisfaction", "min_value": Decimal(90)}),
    ("role satisfaction, min 90", "many", {"role": "satisfaction", "min_value": Decimal(90)}),
    ("min-yuan 1", "many", {"min_yuan": Decimal(1)}),
    ("role budget_initial", "many", {"role": "budget_initial"}),
    ("text 执行率 + role execution_rate", "many", {"query": "执行率", "role": "execution_rate"}),
    ("year 2023 + role budget_initial", "many", {"year": 2023, "role": "budget_initial"}),
    ("department 嘉峪关市 + min-yuan 1", "many", {"department": "嘉峪关市", "min_yuan": Decimal(1)}),
]


def report_text(seed: str, i: int) -> str:
    """Report i: the seed with another department, year, numbers (each digit after a number's first
    redrawn) and satisfaction figures, drawn from random.Random(i)."""
    rng = random.Random(i)
    department = rng.choice(PLACES) + rng.choice(OFFICES)
    year = str(rng.randint(2018, 2023))
    text = seed.replace(SEED_DEPARTMENT, department)
    text = text.replace(SATISFACTION_AT, SATISFACTION_AT + SATISFACTION.format(
        rate=f"{rng.uniform(80, 100):.1f}", points=f"{rng.uniform(0.1, 5):.1f}"), 1)
    parts, at = [], 0
    for m in DIGITS.finditer(text):
        parts.append(text[at:m.start()])
        digits = m.group()
        if YEAR.match(text, m.start()) and m.end() - m.start() == 4:
            parts.append(year)
        else:
            parts.append(digits[0] + "".join(rng.choice("0123456789") for _ in digits[1:]))
        at = m.end()
    parts.append(text[at:])
    return "".join(parts)


def make_dataset(n: int, workdir: Path) -> Path:
    """The dataset of n generated reports under workdir (made once: reused when it holds n reports)."""
    from extract.dataset import store
    from extract.dataset.ingest import ingest

    texts, db = workdir / "texts", workdir / "search.db"
    if db.exists():
        conn = store.connect(db)   # as a writer: a dataset made before the search indexes gets them
        try:
            have = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        finally:
            conn.close()
        if have >= n:
            return db
    texts.mkdir(parents=True, exist_ok=True)
    seed = SEED.read_text(encoding="utf-8")
    for i in range(n):
        path = texts / f"{i:05d}.txt"
        if not path.exists():
            path.write_text(report_text(seed, i), encoding="utf-8")
    started = time.perf_counter()
    summary = ingest([str(texts / f"{i:05d}.txt") for i in range(n)], db, workers=2)
    print(f"ingested {summary.ingested} reports ({summary.failed} errors) in "
          f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    return db


def time_queries(db: Path, rounds: int) -> list[dict]:
    """Best time of `rounds` runs of each query here, with its hit count (limit 20, as the CLI)."""
    from extract.dataset.search import search

    out = []
    for label, size, kwargs in QUERIES:
        args = {"query": "", **kwargs}
        best, hits = float("inf"), 0
        for _ in range(rounds):
            started = time.perf_counter()
            hits = len(search(db, **args))
            best = min(best, time.perf_counter() - started)
        out.append({"query": label, "expect": size, "hits": hits, "ms": round(best * 1000, 1)})
    return out


# One query in a baseline checkout, after a warm-up query (lexicons loaded, as in the rounds here): prints
# {"hits": n, "ms": t}, or {"error": "OverflowError"}.
_BASELINE_CODE = """
import json, sys, time
from decimal import Decimal
from extract.dataset.search import search
search(sys.argv[1], "兰洽会", limit=1)
args = {k: (Decimal(v) if k.endswith(("_value", "_yuan")) else v) for k, v in json.loads(sys.argv[2]).items()}
started = time.perf_counter()
try:
    hits = len(search(sys.argv[1], **args))
except Exception as e:
    print(json.dumps({"error": type(e).__name__}))
else:
    print(json.dumps({"hits": hits, "ms": round((time.perf_counter() - started) * 1000, 1)}))
"""


def time_baseline(db: Path, checkout: Path, timeout: float) -> list[dict]:
    """Each query once with the reportx in `checkout`, in a subprocess stopped after `timeout` s."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = []
    for label, size, kwargs in QUERIES:
        args = {"query": "", **{k: str(v) if isinstance(v, Decimal) else v for k, v in kwargs.items()}}
        try:
            done = subprocess.run([sys.executable, "-c", _BASELINE_CODE, str(db), json.dumps(args)], env=env,
                                  cwd=checkout, capture_output=True, text=True, timeout=timeout, check=True)
            row = json.loads(done.stdout)
        except subprocess.TimeoutExpired:
            row = {"over_s": timeout}
        out.append({"query": label, "expect": size, **row})
    return out


def _was(b: dict | None) -> str:
    """A baseline cell: its time (and hits), what it raised, or the time it was stopped at."""
    if b is None:
        return ""
    if "over_s" in b:
        return f" > {b['over_s']:.0f} s (stopped) |"
    if "error" in b:
        return f" {b['error']} |"
    return f" {b['ms']} ({b['hits']}) |"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/reportx-bench-search"))
    ap.add_argument("--db", type=Path, help="time this dataset instead of the generated one")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline", type=Path, help="a checkout of an older reportx to time too")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per baseline query")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    db = a.db or make_dataset(a.n, a.workdir)
    result = {"db": str(db), "after": time_queries(db, a.rounds)}
    if a.baseline:
        result["before"] = time_baseline(db, a.baseline.resolve(), a.timeout)
    if a.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    before = {r["query"]: r for r in result.get("before", [])}
    print(f"{db}")
    print(f"| query | expect | hits | ms |{' before: ms (hits) |' if before else ''}")
    print(f"|---|---|---|---|{'---|' if before else ''}")
    for r in result["after"]:
        print(f"| {r['query']} | {r['expect']} | {r['hits']} | {r['ms']} |{_was(before.get(r['query']))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
