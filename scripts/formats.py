"""How many of a report's facts survive each file format an archive holds: the reference forms
(plain-text reports) turned into every format by the real programs, then read back by reportx.

    python scripts/formats.py [forms|forms2|all] [--formats docx,pdf,...] [--out out/formats]
                              [--jobs 2] [--json FILE] [--fresh] [-v]

Each /work/shared/<set>/*.txt (the shared folder is ../shared beside the repository) becomes:

| format  | file          | made by                                                                    |
|---------|---------------|----------------------------------------------------------------------------|
| docx    | f01.docx      | officegen.docx.text_to_docx (python-docx): "|" runs as bordered tables      |
| pdf     | f01.pdf       | LibreOffice from the .docx (Export as PDF)                                 |
| doc     | f01.doc       | LibreOffice from the .docx (Word 97-2003)                                  |
| wps     | f01.wps       | the .doc bytes, renamed: LibreOffice cannot write Kingsoft's format, and    |
|         |               | the .wps that WPS Writer saves is the same Word 97 binary (OLE, WordDocument) |
| xlsx    | f01.xlsx      | officegen.sheet.text_to_xlsx (openpyxl): numbers stored as numbers          |
| xls     | f01.xls       | LibreOffice from the .xlsx (Excel 97-2003)                                 |
| et      | f01.et        | the .xls bytes, renamed: WPS Spreadsheets' .et is the same Excel 97 binary   |
| ods     | f01.ods       | LibreOffice from the .xlsx                                                 |
| ofd     | f01.ofd       | officegen.ofd.pdf_to_ofd of the LibreOffice PDF                            |
| png     | f01.tif       | officegen.scan.render_pages of the text (200 dpi, noise, a slight rotation), |
|         |               | the pages as ONE multi-page TIFF so that one file is one report              |
| scanpdf | f01.scan.pdf  | the same rendered pages as an image-only PDF (Pillow), no text layer        |

Converted files are cached under --out in a folder named by the source file's sha256, so a second
run only measures (--fresh rebuilds). LibreOffice is started once per conversion kind for all files.
A writer that is not there yet (officegen.scan, officegen.ofd) or a missing soffice marks the
format "not available"; a file that fails to convert, read or extract is an error row (its code:
E0xx for reportx's coded errors, BUILD for a conversion failure, the exception's name otherwise)
and counts as zero facts found.

What is compared: `read_bytes` + `extract_text` of each converted file against `extract_text` of the
original text, as multisets of (type, value) per file:
- amounts by `value_yuan` (the model has a value in yuan for every amount, so the unit as written
  does not matter: 41.29万元 in one and 412900元 in the other are the same fact);
- percentages by `value` (in percent); scores by `value` (points).
F1 is micro over the set (true positives, extras and misses summed over files), per type and for
the three types pooled. Seconds per file is the read + extract time of one file in a worker.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SETS = ("forms", "forms2")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))            # extract/
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))  # officegen/

FORMATS = ("docx", "pdf", "doc", "wps", "xlsx", "xls", "et", "ods", "ofd", "png", "scanpdf")
OFFICE_FORMATS = FORMATS[:9]
SCAN_FORMATS = ("png", "scanpdf")
FILE_SUFFIX = {"docx": ".docx", "pdf": ".pdf", "doc": ".doc", "wps": ".wps", "xlsx": ".xlsx", "xls": ".xls",
               "et": ".et", "ods": ".ods", "ofd": ".ofd", "png": ".tif", "scanpdf": ".scan.pdf"}
NEEDS_SOFFICE = ("pdf", "doc", "wps", "xls", "et", "ods", "ofd")
TYPES = ("amounts", "percentages", "scores")
SCAN_DPI = 200


@dataclass
class Source:
    set: str
    path: Path
    sha: str

    @property
    def stem(self) -> str:
        return self.path.stem


@dataclass
class Measure:
    """One file of one format read back: the facts found, or the error that stopped it."""

    set: str
    source: str
    format: str
    file: str = ""
    facts: dict[str, list[str]] = field(default_factory=dict)
    error_code: str | None = None
    error: str | None = None
    seconds: float = 0.0


# ---------------------------------------------------------------- building the files

def sources(which: str) -> list[Source]:
    """The reference texts of a set (forms, forms2) or of all sets, sorted by name."""
    out = []
    for name in (SETS if which == "all" else (which,)):
        for path in sorted((SHARED / name).glob("*.txt")):
            out.append(Source(name, path, hashlib.sha256(path.read_bytes()).hexdigest()))
    return out


def target(out: Path, src: Source, fmt: str) -> Path:
    """Where the file of `src` in `fmt` is cached: <out>/<sha256 prefix>/<stem><suffix>."""
    return out / src.sha[:24] / (src.stem + FILE_SUFFIX[fmt])


def build(srcs: list[Source], formats: list[str], out: Path, jobs: int = 1,
          log=lambda msg: None) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Make every missing file; (formats not available -> why, (source path, format) -> build error)."""
    from officegen import office

    unavailable: dict[str, str] = {}
    failed: dict[tuple[str, str], str] = {}
    want = set(formats)
    # what each format is made from
    if want & {"pdf", "doc", "wps", "ofd"}:
        want.add("docx")
    if want & {"xls", "et", "ods"}:
        want.add("xlsx")
    if "ofd" in want:
        want.add("pdf")
    if "wps" in want:
        want.add("doc")
    if "et" in want:
        want.add("xls")
    if office.soffice() is None:
        for fmt in NEEDS_SOFFICE:
            if fmt in want:
                unavailable[fmt] = "LibreOffice (soffice) is not installed"
    for src in srcs:
        target(out, src, "docx").parent.mkdir(parents=True, exist_ok=True)

    def fail(src: Source, fmt: str, why: str) -> None:
        failed[(str(src.path), fmt)] = why

    def derived_fail(fmt: str, parent: str) -> None:
        for src in srcs:
            if (str(src.path), parent) in failed:
                fail(src, fmt, f"no .{parent} to make it from: {failed[(str(src.path), parent)]}")

    text_writers = {}
    if "docx" in want:
        from officegen.docx import text_to_docx
        text_writers["docx"] = text_to_docx
    if "xlsx" in want:
        from officegen.sheet import text_to_xlsx
        text_writers["xlsx"] = text_to_xlsx
    for fmt, writer in text_writers.items():
        for src in srcs:
            path = target(out, src, fmt)
            if not path.exists():
                try:
                    _write(path, writer(src.path.read_text(encoding="utf-8-sig")))
                except Exception as e:  # a writer bug must not stop the other files
                    fail(src, fmt, f"{type(e).__name__}: {e}")

    for fmt, parent in (("pdf", "docx"), ("doc", "docx"), ("xls", "xlsx"), ("ods", "xlsx")):
        if fmt in want and fmt not in unavailable:
            derived_fail(fmt, parent)
            todo = [s for s in srcs if not target(out, s, fmt).exists() and (str(s.path), parent) not in failed]
            if todo:
                log(f"soffice --convert-to {fmt}: {len(todo)} files")
                _soffice_batch(todo, parent, fmt, out, fail)
    for fmt, parent in (("wps", "doc"), ("et", "xls")):
        if fmt in want and fmt not in unavailable:
            derived_fail(fmt, parent)
            for src in srcs:
                path, origin = target(out, src, fmt), target(out, src, parent)
                if not path.exists() and origin.exists():
                    _write(path, origin.read_bytes())

    if "ofd" in want and "ofd" not in unavailable:
        try:
            from officegen.ofd import pdf_to_ofd
        except ImportError as e:
            unavailable["ofd"] = f"officegen.ofd is not there yet ({e})"
        else:
            derived_fail("ofd", "pdf")
            for src in srcs:
                path, origin = target(out, src, "ofd"), target(out, src, "pdf")
                if not path.exists() and origin.exists():
                    try:
                        _write(path, pdf_to_ofd(origin.read_bytes()))
                    except Exception as e:
                        fail(src, "ofd", f"pdf_to_ofd: {type(e).__name__}: {e}")

    scans = [f for f in SCAN_FORMATS if f in want]
    if scans:
        try:
            from officegen.scan import render_pages  # noqa: F401  (the workers import it again)
        except ImportError as e:
            for fmt in scans:
                unavailable[fmt] = f"officegen.scan is not there yet ({e})"
        else:
            todo = [s for s in srcs if any(not target(out, s, f).exists() for f in scans)]
            if todo:
                log(f"rendering scans: {len(todo)} files")
            tasks = [(str(s.path), {f: str(target(out, s, f)) for f in scans}) for s in todo]
            for (path, _), error in zip(tasks, _map(_render_scan, tasks, jobs)):
                if error:
                    src = next(s for s in todo if str(s.path) == path)
                    for fmt in scans:
                        fail(src, fmt, error)
    return unavailable, failed


def _soffice_batch(todo: list[Source], parent: str, fmt: str, out: Path, fail) -> None:
    """One soffice call for all of `todo`: inputs copied as <sha>.<parent> so that stems never clash
    (a symbolic link would not do: LibreOffice names its output after the link's target)."""
    from officegen import office

    staging = out / ".staging" / f"{parent}-to-{fmt}"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "in").mkdir(parents=True)
    inputs = []
    for src in todo:
        link = staging / "in" / f"{src.sha[:24]}.{parent}"
        shutil.copyfile(target(out, src, parent), link)
        inputs.append(link)
    try:
        done = dict(zip(inputs, office.convert(inputs, fmt, staging / "out", timeout=120 + 10 * len(inputs))))
        why = ""
    except office.OfficeError as e:
        done, why = e.done, str(e)
    for src, link in zip(todo, inputs):
        if link in done:
            os.replace(done[link], target(out, src, fmt))
        else:
            fail(src, fmt, f"soffice: {why or 'no output'}")
    shutil.rmtree(staging, ignore_errors=True)


def _render_scan(task: tuple[str, dict[str, str]]) -> str | None:
    """Render one text as scanned pages and save them as a multi-page TIFF and/or an image-only PDF;
    None, or the error."""
    path, outputs = task
    try:
        from officegen.scan import render_pages

        pages = render_pages(Path(path).read_text(encoding="utf-8-sig"), dpi=SCAN_DPI, seed=0, rotate=None, noise=True)
        if not pages:
            return "render_pages gave no page"
        pages = [p.convert("L") if p.mode not in ("1", "L", "RGB") else p for p in pages]
        if "png" in outputs:
            tmp = outputs["png"] + ".part"
            pages[0].save(tmp, format="TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate",
                          dpi=(SCAN_DPI, SCAN_DPI))
            os.replace(tmp, outputs["png"])
        if "scanpdf" in outputs:
            tmp = outputs["scanpdf"] + ".part"
            rgb = [p.convert("RGB") for p in pages]
            rgb[0].save(tmp, format="PDF", save_all=True, append_images=rgb[1:], resolution=float(SCAN_DPI))
            os.replace(tmp, outputs["scanpdf"])
        return None
    except Exception as e:
        return f"{type(e).__name__}: {e}"


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)   # never a half-written file in the cache


# ---------------------------------------------------------------- measuring

def fact_keys(report) -> dict[str, list[str]]:
    """The facts compared, per type, as canonical decimal strings (sorted)."""
    def canon(d: Decimal) -> str:
        d = Decimal(d)
        return format(d.normalize(), "f") if d else "0"
    return {
        "amounts": sorted(canon(a.value_yuan) for a in report.amounts),
        "percentages": sorted(canon(p.value) for p in report.percentages),
        "scores": sorted(canon(s.value) for s in report.scores),
    }


def measure(task: tuple[str, str, str, str]) -> Measure:
    """Read one file and extract its facts; errors recorded, never raised."""
    set_name, source, fmt, path = task
    m = Measure(set_name, source, fmt, file=path)
    start = time.perf_counter()
    try:
        from extract.errors import ReportxError
        from extract.pipeline import extract_text
        from extract.readers import read_bytes

        data = Path(path).read_bytes()
        name = Path(path).name
        doc = read_bytes(name, data)
        m.facts = fact_keys(extract_text(doc.text, source=name, data=data))
    except ReportxError as e:
        m.error_code, m.error = e.code, str(e)
    except Exception as e:  # a reader that lets a library exception out: a bug, still one row
        m.error_code, m.error = type(e).__name__, f"{type(e).__name__}: {e}"
    m.seconds = time.perf_counter() - start
    return m


def _map(fn, tasks: list, jobs: int) -> list:
    if jobs <= 1 or len(tasks) <= 1:
        return [fn(t) for t in tasks]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(fn, tasks, chunksize=1))


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def f1(self) -> float | None:
        """None when neither side has a fact (nothing to score)."""
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None


def compare(reference: dict[str, list[str]], found: dict[str, list[str]]) -> dict[str, dict]:
    """Per type: counts, and the facts missing from / extra in `found`, as multisets."""
    out = {}
    for t in TYPES:
        ref, got = Counter(reference.get(t, [])), Counter(found.get(t, []))
        both = ref & got
        out[t] = {"counts": Counts(sum(both.values()), sum((got - ref).values()), sum((ref - got).values())),
                  "missing": sorted((ref - got).elements()), "extra": sorted((got - ref).elements())}
    return out


def run(which: str, formats: list[str], out: Path, jobs: int = 1, fresh: bool = False,
        log=lambda msg: None, srcs: list[Source] | None = None) -> dict:
    """Build and measure; a dict with every number (what --json writes)."""
    srcs = sources(which) if srcs is None else srcs
    if fresh:
        for src in srcs:
            shutil.rmtree(out / src.sha[:24], ignore_errors=True)
    t0 = time.perf_counter()
    unavailable, failed = build(srcs, formats, out, jobs, log)
    build_seconds = time.perf_counter() - t0

    tasks = [(s.set, str(s.path), "txt", str(s.path)) for s in srcs]
    for fmt in formats:
        if fmt in unavailable:
            continue
        for s in srcs:
            if (str(s.path), fmt) not in failed:
                tasks.append((s.set, str(s.path), fmt, str(target(out, s, fmt))))
    log(f"measuring {len(tasks)} files with {jobs} worker(s)")
    measured = _map(measure, tasks, jobs)
    reference = {m.source: m for m in measured if m.format == "txt"}
    by_key = {(m.source, m.format): m for m in measured if m.format != "txt"}
    for (source, fmt), why in failed.items():
        if fmt in formats and fmt not in unavailable:
            s = next(x for x in srcs if str(x.path) == source)
            by_key[(source, fmt)] = Measure(s.set, source, fmt, str(target(out, s, fmt)), error_code="BUILD", error=why)

    result = {"set": which, "files": len(srcs), "build_seconds": round(build_seconds, 1),
              "reference_errors": {k: v.error for k, v in reference.items() if v.error},
              "formats": {}}
    for fmt in formats:
        if fmt in unavailable:
            result["formats"][fmt] = {"available": False, "why": unavailable[fmt]}
            continue
        totals = {t: Counts() for t in (*TYPES, "all")}
        rows, seconds = [], []
        for s in srcs:
            m = by_key[(str(s.path), fmt)]
            ref = reference[str(s.path)].facts
            cmp = compare(ref, m.facts)
            file_all = Counts()
            for t in TYPES:
                totals[t].add(cmp[t]["counts"])
                file_all.add(cmp[t]["counts"])
            totals["all"].add(file_all)
            if m.error_code != "BUILD":
                seconds.append(m.seconds)
            rows.append({"set": s.set, "source": s.path.name, "file": m.file, "error_code": m.error_code,
                         "error": m.error, "seconds": round(m.seconds, 3), "f1": file_all.f1,
                         **{t: {**asdict(cmp[t]["counts"]), "missing": cmp[t]["missing"], "extra": cmp[t]["extra"]}
                            for t in TYPES}})
        result["formats"][fmt] = {
            "available": True,
            "f1": {t: totals[t].f1 for t in totals},
            "counts": {t: asdict(totals[t]) for t in totals},
            "read": sum(1 for r in rows if not r["error_code"]),
            "failed": sum(1 for r in rows if r["error_code"]),
            "seconds_per_file": round(sum(seconds) / len(seconds), 3) if seconds else None,
            "files": rows,
        }
    return result


# ---------------------------------------------------------------- reporting

def table(result: dict) -> str:
    """The markdown table: format x F1 of amounts, percentages, scores and the three pooled."""
    def pct(x):
        return "—" if x is None else f"{100 * x:.1f}"
    lines = [f"{result['set']}: {result['files']} reports",
             "",
             "| format | amounts F1 | percentages F1 | scores F1 | all three F1 | read | failed | s/file |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for fmt, r in result["formats"].items():
        if not r["available"]:
            lines.append(f"| {fmt} | not available: {r['why']} | | | | | | |")
            continue
        f1 = r["f1"]
        spf = "—" if r["seconds_per_file"] is None else f"{r['seconds_per_file']:.2f}"
        lines.append(f"| {fmt} | {pct(f1['amounts'])} | {pct(f1['percentages'])} | {pct(f1['scores'])} | "
                     f"{pct(f1['all'])} | {r['read']} | {r['failed']} | {spf} |")
    return "\n".join(lines)


def failures(result: dict) -> str:
    """Errors grouped by format and code, one example each."""
    out = []
    for fmt, r in result["formats"].items():
        if not r["available"]:
            continue
        groups: dict[str, list[dict]] = {}
        for row in r["files"]:
            if row["error_code"]:
                groups.setdefault(row["error_code"], []).append(row)
        for code, rows in sorted(groups.items()):
            out.append(f"- {fmt} {code} × {len(rows)}: {rows[0]['error']}")
    return "\n".join(out)


def worst(result: dict, n: int = 3) -> str:
    """The n worst files per format, with what they missed and added."""
    out = []
    for fmt, r in result["formats"].items():
        if not r["available"]:
            continue
        rows = sorted((x for x in r["files"] if x["f1"] is not None and x["f1"] < 1), key=lambda x: x["f1"])[:n]
        for x in rows:
            out.append(f"- {fmt} {x['source']}: F1 {100 * x['f1']:.1f}" + (f" [{x['error_code']}]" if x["error_code"] else ""))
            for t in TYPES:
                if x[t]["missing"] or x[t]["extra"]:
                    out.append(f"    {t}: missing {_short(x[t]['missing'])}; extra {_short(x[t]['extra'])}")
    return "\n".join(out)


def _short(values: list[str], n: int = 8) -> str:
    return "[" + ", ".join(values[:n]) + (f", … {len(values) - n} more" if len(values) > n else "") + "]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="example: python scripts/formats.py forms --formats docx,pdf,xlsx --jobs 2 -v")
    parser.add_argument("set", nargs="?", default="forms", choices=(*SETS, "all"))
    parser.add_argument("--formats", default=",".join(FORMATS), help=f"comma-separated, of {','.join(FORMATS)}")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "formats", help="the cache of converted files")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes reading files (OCR is slow)")
    parser.add_argument("--json", type=Path, help="write every number to this file")
    parser.add_argument("--fresh", action="store_true", help="rebuild the converted files")
    parser.add_argument("-v", "--verbose", action="store_true", help="the worst files per format, and progress")
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        parser.error(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    if not (SHARED / SETS[0]).is_dir():
        print(f"no reference forms at {SHARED}: ../shared beside the repository", file=sys.stderr)
        return 2
    log = (lambda msg: print(msg, file=sys.stderr, flush=True)) if args.verbose else (lambda msg: None)
    result = run(args.set, formats, args.out, args.jobs, args.fresh, log)
    print(table(result))
    problems = failures(result)
    if problems:
        print("\nfailures:\n" + problems)
    if args.verbose:
        print("\nworst files:\n" + (worst(result) or "(none below 100)"))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
