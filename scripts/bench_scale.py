"""How extraction cost grows with a report's size: seconds per MB and peak memory at 0.1, 1, 10 and 50 MB.

    .venv/bin/python scripts/bench_scale.py [--sizes 0.1,1,10,50] [--json]

Each size is the seed report (and the indicator-table shapes of tests/test_adversarial_text.py)
repeated to that many MB of UTF-8, extracted in a fresh process (`reportx extract`'s own code path),
so the peak resident memory (ru_maxrss) is that one report's. The baseline, in the same run on the
same text, is plain `jieba.lcut` in a fresh process. Flat s/MB means linear time; memory per MB
that stays flat means memory linear in the text (and the worker's memory limit, --worker-memory,
says how large a report one worker can take: 4 GiB by default).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"
TABLE = ("一级指标|二级指标|三级指标|年度指标值|实际完成值|分值|得分\n"
         + "产出指标|数量指标|培训人次|≥100人次|120人次|10|9\n" * 20)

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
text = Path(sys.argv[1]).read_text(encoding="utf-8")
mode = sys.argv[2]
if mode == "jieba":
    import jieba
    jieba.initialize()
    warm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter(); n = len(jieba.lcut(text)); s = time.perf_counter() - t
else:
    from extract.dataset.ingest import _warm_up, process
    _warm_up()
    warm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    out = process("bench.txt", text.encode("utf-8"))   # what an ingest worker does with one file
    s = time.perf_counter() - t
    n = "error" in out and out["code"] or len(out["record"].sentences)
print(json.dumps({"seconds": s, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "warm_kb": warm,
                  "n": n}))
"""


def text_of(mb: float) -> str:
    unit = SEED.read_text(encoding="utf-8") + "\n" + TABLE
    size = len(unit.encode("utf-8"))
    return unit * max(1, round(mb * 1024 * 1024 / size))


def run(path: Path, mode: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(path), mode], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="0.1,1,10,50", help="MB, comma-separated")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="reportx-bench-") as tmp:
        for mb in (float(x) for x in args.sizes.split(",")):
            path = Path(tmp) / f"{mb}.txt"
            path.write_text(text_of(mb), encoding="utf-8")
            real_mb = path.stat().st_size / 1024 / 1024
            ours, base = run(path, "reportx"), run(path, "jieba")
            rows.append({"mb": round(real_mb, 2), "s_per_mb": ours["seconds"] / real_mb,
                         "jieba_s_per_mb": base["seconds"] / real_mb, "x_jieba": ours["seconds"] / base["seconds"],
                         "peak_mb": ours["peak_kb"] / 1024, "warm_mb": ours["warm_kb"] / 1024,
                         "mb_per_mb": (ours["peak_kb"] - ours["warm_kb"]) / 1024 / real_mb, "result": ours["n"]})
            path.unlink()
            if not args.json:
                r = rows[-1]
                print(f"{r['mb']:7.2f} MB  {r['s_per_mb']:6.2f} s/MB  (jieba.lcut {r['jieba_s_per_mb']:5.2f} s/MB, "
                      f"x{r['x_jieba']:.1f})  peak {r['peak_mb']:7.0f} MB  (+{r['mb_per_mb']:.0f} MB per MB of text)",
                      flush=True)
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
