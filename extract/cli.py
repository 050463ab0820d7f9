"""The `reportx` command: a thin layer over the library (parse arguments, call, print, exit code)."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .errors import ReportxError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="Exact, grounded facts from Chinese budget-performance reports (绩效自评报告).")


_CONTROLS = None


def safe(text: object, newlines: bool = False) -> str:
    """Text for a terminal: control characters (ESC sequences, carriage returns, line breaks, C1 codes)
    shown as escapes, so a file name or a report line cannot retitle the window or fake a line.
    `newlines`: text of our own whose line breaks are meant (a note of several lines)."""
    global _CONTROLS
    if _CONTROLS is None:
        import regex

        _CONTROLS = regex.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
    if newlines:
        return "\n".join(safe(line) for line in str(text).split("\n"))
    return _CONTROLS.sub(lambda m: repr(m.group())[1:-1], str(text))


def _fail(path: str, message: str) -> None:
    path = safe(path)
    typer.echo(f"reportx: {path}: {safe(message)}" if path else f"reportx: {safe(message)}", err=True)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"reportx {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="print the version and exit")) -> None:
    """Exact, grounded facts from Chinese budget-performance reports (绩效自评报告)."""


@contextlib.contextmanager
def _user_errors(code: int = 2):
    """Errors a user can act on (bad database, bad option, unwritable folder) become one line and an
    exit code; anything else is our bug, said in one line too."""
    try:
        yield
    except ReportxError as e:
        typer.echo(f"reportx: {safe(e)}", err=True)
        raise typer.Exit(code)
    except KeyboardInterrupt:
        _fail("", "interrupted; what was stored stays stored, and the same command finishes the job")
        raise typer.Exit(130)
    except OSError as e:
        _fail(e.filename or "", f"[E000] {e.strerror or e}")
        raise typer.Exit(code)
    except sqlite3.Error as e:
        _fail("", f"[E020] database error: {e}")
        raise typer.Exit(code)
    except Exception as e:
        _fail("", f"[E999] internal error ({type(e).__name__}: {e}); please report it")
        raise typer.Exit(code)


@app.command()
def extract(
    files: List[str] = typer.Argument(..., help="report files (.txt in UTF-8, GBK/GB18030 or UTF-16; .docx, .pdf, "
                                           ".html, .doc, .wps, .xlsx, .xls, .et, .ods, .ofd; scans as .png, .jpg, "
                                           ".tif), folders (walked) or globs"),
    max_bytes: int = typer.Option(50 * 1024 * 1024, "--max-bytes", help="skip files larger than this"),
    indent: Optional[int] = typer.Option(None, help="pretty-print each record (not JSON Lines then)"),
    timeout: Optional[int] = typer.Option(None, "--timeout", min=1, max=86400,
                                          help="seconds one file may take (extracted in a worker process the "
                                          "command stops when it overruns: [E016])"),
    worker_memory: Optional[str] = typer.Option(None, "--worker-memory",
                                                help="memory the worker may hold, e.g. 2G (extracted in a worker "
                                                "process the command stops when it passes it: [E018])"),
) -> None:
    """Extract facts; one JSON object per file on stdout (JSON Lines). `-` reads one report from
    standard input; a .zip gives one record per report inside.

    Example: reportx extract corpora/seed/*.txt > facts.jsonl
    """
    from .dataset.ingest import Limits, iter_items
    from .pipeline import extract_text
    from .readers import read_bytes

    failed = done = 0
    limits = Limits(max_bytes=max_bytes)
    items = _stdin_or_items(files, limits, iter_items)
    if timeout is not None or worker_memory is not None:
        from .dataset import workers

        memory = _size(worker_memory, "--worker-memory") if worker_memory is not None else None

        def readable():
            nonlocal done, failed
            for item in items:
                done += 1
                if item.error is not None:
                    failed += 1
                    typer.echo(f"reportx: {safe(item.error)}", err=True)
                    continue
                yield item.source, item.source, item.data

        def finish(source: str, result: dict) -> None:
            nonlocal failed
            if "report" in result:
                sys.stdout.write(result["report"].model_dump_json(indent=indent) + "\n")
                sys.stdout.flush()
            else:
                failed += 1
                _fail(source, f"[{result['code']}] {result['error']}")

        with _user_errors():
            workers.run(readable(), 1, finish, seconds=timeout or 0, memory=memory, job="report")
        items = iter(())
    for item in items:
        done += 1
        try:
            if item.error is not None:
                raise item.error
            doc = read_bytes(item.source, item.data)
            report = extract_text(doc.text, source=item.source, data=item.data, encoding=doc.encoding, ocr=doc.ocr)
        except ReportxError as e:
            failed += 1
            typer.echo(f"reportx: {safe(e)}", err=True)
            continue
        except Exception as e:  # a bug of ours: say so in one line, keep the batch going
            failed += 1
            _fail(item.source, f"[E999] internal error ({type(e).__name__}: {e}); please report it")
            continue
        sys.stdout.write(report.model_dump_json(indent=indent) + "\n")
        sys.stdout.flush()
    if not done:
        _fail(", ".join(files), "[E001] no report files here: nothing to extract")
        raise typer.Exit(1)
    if failed:
        _fail("", f"{failed} of {done} file(s) failed")
        raise typer.Exit(1)


def _size(text: str, option: str) -> int:
    from .dataset.workers import parse_size

    try:
        return parse_size(text)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint=option) from None


def _stdin_or_items(files: list[str], limits, iter_items):
    """`-` is standard input (one report, read up to the size limit); the rest as ingest reads them."""
    from .dataset.ingest import Item
    from .errors import InputTooLarge

    rest = [f for f in files if f != "-"]
    if len(rest) < len(files):
        data = sys.stdin.buffer.read(limits.max_bytes + 1)
        if len(data) > limits.max_bytes:
            yield Item("<stdin>", error=InputTooLarge(f"over the limit of {limits.max_bytes} bytes", "<stdin>"))
        else:
            yield Item("<stdin>.txt", data)
    if rest:
        yield from iter_items(rest, limits)


@app.command()
def summarize(
    paths: List[Path] = typer.Argument(..., help="report files or folders (every readable file inside, recursively)"),
) -> None:
    """Extract and print a short summary per report: facts found, budget figures, checks.

    Example: reportx summarize corpora/
    """
    from .dataset.ingest import expand_paths
    from .pipeline import extract_file
    from .summary import summarize as summary

    files = [Path(f) for f in expand_paths([str(p) for p in paths])]
    if not files:
        _fail(", ".join(str(p) for p in paths), "[E001] no report files here: nothing to summarize")
        raise typer.Exit(1)
    reports, failed = [], 0
    for f in files:
        try:
            reports.append(extract_file(f))
        except ReportxError as e:
            failed += 1
            typer.echo(f"reportx: {safe(e)}", err=True)
        except Exception as e:  # a bug of ours: one line, the other files go on
            failed += 1
            _fail(str(f), f"[E999] internal error ({type(e).__name__}: {e}); please report it")
    if reports:
        typer.echo(summary(reports))
    if failed:
        _fail("", f"{failed} of {len(files)} file(s) failed" + ("; nothing to summarize" if not reports else ""))
        raise typer.Exit(1)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the records `extract` writes.

    Example: reportx schema > report.schema.json
    """
    from .models import Report

    typer.echo(json.dumps(Report.model_json_schema(mode="serialization"), ensure_ascii=False, indent=2))


def _figure_line(e: dict) -> str:
    """One missing, wrong or extra report figure: doc, field, gold and tool values, the tool figure's place."""
    line = f"  {e['error'].upper():7} {e['doc']} {e['field']}: gold {e['gold']} tool {e['tool']}"
    if e.get("text") is not None:
        status = "" if e.get("status") == "ok" else f", {e.get('status')} {e.get('conflict_value')}"
        line += f"  [{json.dumps(e['text'], ensure_ascii=False)} @{e['start']}-{e['end']} {e.get('rule')}{status}]"
    if e.get("gold_text") is not None:
        line += f"  gold at {json.dumps(e['gold_text'], ensure_ascii=False)} @{e.get('gold_start')}"
    return safe(line)


@app.command()
def evaluate(
    gold_dirs: List[Path] = typer.Argument(..., help="folders with NAME.gold.json (and ID.summary.json) beside NAME.txt"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
    show_errors: bool = typer.Option(False, "--errors", help="list every miss, false positive and wrong role "
                                     "(and every missing, wrong and extra report figure)"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="list every missing, wrong and extra report figure "
                                 "with the document, the gold and tool values and the tool figure's text and offsets"),
) -> None:
    """Precision, recall and F1 per fact type (indicators included), role and field accuracy, metadata accuracy;
    and the per-report figures (budget, expenditure, execution rate, total score, grade) against ID.summary.json.

    A match: overlapping spans, equal values (indicators: weight and score); "optional" gold is never missed.
    A report figure agrees, is missing, wrong, or extra (stated where gold has none); a figure marked
    conflict counts as not stated; fields in a summary's "optional" count neither way.

    Example: reportx evaluate corpora/ ../shared/forms --json

    Example: reportx evaluate ../shared/forms ../shared/forms2 -v
    """
    from .evaluate import evaluate as run

    for gold_dir in gold_dirs:
        if not gold_dir.exists():
            _fail(str(gold_dir), "[E001] no such file or folder")
            raise typer.Exit(2)
    with _user_errors(1):
        ev = run(gold_dirs)
    result = ev.as_dict()
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    typer.echo(f"documents: {result['documents']}")
    typer.echo(f"{'type':<12} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>4} {'fn':>4}  role/kind acc")
    for t, s in result["facts"].items():
        if not (s["tp"] or s["fp"] or s["fn"] or s["optional"]):
            continue   # no gold file annotates this type (points, so far)
        acc = "-" if s["role_accuracy"] is None else f"{s['role_accuracy']:.3f}"
        typer.echo(f"{t:<12} {s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f} {s['tp']:>5} {s['fp']:>4} {s['fn']:>4}  {acc}")
    for t, s in result["facts"].items():
        if len(s["field_accuracy"]) > 1:   # role/kind alone is the column above
            fields = ", ".join(f"{k} {'-' if v is None else f'{v:.3f}'}" for k, v in s["field_accuracy"].items())
            typer.echo(f"{t} field accuracy: {fields}")
    meta = ", ".join(f"{k} {'-' if v is None else f'{v:.3f}'}" for k, v in result["metadata_accuracy"].items())
    typer.echo(f"metadata accuracy: {meta}")
    fig = result["figures"]
    if fig["documents"]:
        typer.echo(f"per-report figures ({fig['documents']} ID.summary.json; wrong and extra are the costly errors):")
        typer.echo(f"{'field':<22} {'gold':>5} {'agree':>6} {'missing':>8} {'wrong':>6} {'extra':>6} {'conflict':>9}")
        for f, c in fig["fields"].items():
            typer.echo(f"{f:<22} {c['gold']:>5} {c['agree']:>6} {c['missing']:>8} {c['wrong']:>6} {c['extra']:>6} "
                       f"{c['conflict']:>9}")
        share = fig["agree_share_of_gold"]
        bad = fig["wrong_or_extra_share_of_stated"]
        typer.echo(f"agree/gold {'-' if share is None else share} ({fig['agree']}/{fig['gold']})  "
                   f"(wrong+extra)/stated {'-' if bad is None else bad} ({fig['wrong_or_extra']}/{fig['stated']})")
    for reason in result["unreadable"]:
        typer.echo(f"  unreadable (all its facts missed): {safe(reason)}", err=True)
    if show_errors:
        for e in result["errors"]:
            typer.echo("  " + safe(json.dumps(e, ensure_ascii=False)))
    if verbose or show_errors:
        for e in fig["errors"]:
            typer.echo(_figure_line(e))


@app.command()
def ingest(
    paths: List[str] = typer.Argument(..., help="files, folders (recursive), globs or .zip archives"),
    db: Optional[Path] = typer.Option(None, "--db", help="the SQLite dataset (created if missing; "
                                      "default reports.db, none with --parquet alone)"),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, max=256,
                                          help="worker processes (default: CPUs); with --scheduler local, "
                                          "the local cluster's worker processes"),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="extract on a Dask cluster: a scheduler's address (tcp://HOST:8786) or "
        "`local` (a LocalCluster of --workers processes on this machine); workers read the files "
        "themselves, so paths must be reachable from them (shared storage or URLs such as s3://bucket/prefix/). "
        "Needs pip install 'reportx\\[dask]'"),
    parquet: Optional[Path] = typer.Option(
        None, "--parquet", help="also (or, without --db, only) write the dataset as a Parquet folder, one file per "
        "batch per table, written by the workers on a cluster; read it with `reportx stats/search --parquet`, "
        "DuckDB, pandas or Spark"),
    force: bool = typer.Option(False, "--force", help="re-extract reports already in the dataset"),
    max_bytes: int = typer.Option(50 * 1024 * 1024, "--max-bytes", min=1, help="skip files larger than this"),
    zip_max_total: int = typer.Option(2 * 1024 ** 3, "--zip-max-total", min=1, help="cap on bytes unpacked per zip"),
    zip_max_members: int = typer.Option(20_000, "--zip-max-members", min=1, help="cap on members per zip"),
    timeout: int = typer.Option(300, "--timeout", min=1, max=86400,
                                help="seconds one file may take (a scan: one page of OCR); the worker holding a "
                                "slower file is stopped and the file becomes an error row [E016]"),
    worker_memory: Optional[str] = typer.Option(
        None, "--worker-memory", help="memory one worker may hold, e.g. 2G; a file that needs more becomes an "
        "error row [E018] (default: 4G, or less so that all workers fit in 80% of RAM; 0: no limit). With "
        "--scheduler local, each Dask worker's memory limit"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar, no summary (failures still shown)"),
    as_json: bool = typer.Option(False, "--json", help="print the summary as JSON"),
) -> None:
    """Ingest reports into a searchable SQLite dataset (and/or a Parquet folder); re-running finishes an
    interrupted job, skipping files already ingested without reading them.

    Example: reportx ingest downloads/ archive.zip --db reports.db

    Example: reportx ingest /shared/reports/ --db reports.db --scheduler tcp://10.0.0.5:8786

    Example: reportx ingest s3://bucket/reports/ --parquet dataset/ --scheduler local --workers 8
    """
    import signal

    from .dataset.ingest import Limits
    from .dataset.ingest import ingest as run

    def stop(signum, frame):   # SIGTERM/SIGHUP: stop the workers, keep what is stored, remove temp files
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
    limits = Limits(max_bytes=max_bytes, zip_max_total=zip_max_total, zip_max_members=zip_max_members,
                    file_seconds=timeout,
                    worker_memory=_size(worker_memory, "--worker-memory") if worker_memory is not None else None)
    if db is None and parquet is None:
        db = Path("reports.db")
    options = {"workers": workers, "force": force, "limits": limits, "scheduler": scheduler, "parquet": parquet}
    with _user_errors():
        if quiet or as_json:
            summary = run(list(paths), db, **options)
        else:
            summary = _ingest_with_progress(run, list(paths), db, options)
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    else:
        for path, code, message in summary.errors:   # failures are shown even with --quiet
            typer.echo(f"  failed: {safe(path)}: [{code}] {safe(message)}", err=True)
    if not quiet and not as_json:
        facts = ", ".join(f"{k} {v}" for k, v in summary.facts.items())
        where = " and ".join(safe(str(x)) for x in (db, parquet) if x is not None)
        typer.echo(f"ingested {summary.ingested}, skipped {summary.skipped} (already in {where}), "
                   f"failed {summary.failed} in {summary.seconds:.1f} s; facts: {facts or 'none'}")
    if summary.ingested + summary.skipped + summary.failed == 0:
        _fail(", ".join(paths), "[E001] no report files here: nothing to ingest")
        raise typer.Exit(1)
    if summary.failed:
        raise typer.Exit(1)


def _ingest_with_progress(run, paths, db, options):
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  transient=False) as bar:
        task = bar.add_task("starting workers …", total=None)

        def update(s, source):
            done = s.ingested + s.skipped + s.failed
            rate = done / max(bar.tasks[0].elapsed or 1e-9, 1e-9)
            bar.update(task, description=(f"{done} files ({rate:.1f}/s)  ingested {s.ingested}  "
                                          f"skipped {s.skipped}  errors {s.failed}  "
                                          f"facts {sum(s.facts.values())}"
                                          + (f"  OCR pages {s.ocr_pages}" if s.ocr_pages else "")))

        return run(paths, db, progress=update, **options)


@app.command()
def search(
    words: Optional[List[str]] = typer.Argument(
        None, metavar="[QUERY]...", help='Chinese words, any substring, a number or a "quoted phrase", one or '
        "several (all must match); none to list the sentences holding a fact that --role/--min/--max select"),
    db: Path = typer.Option(Path("reports.db"), "--db"),
    parquet: Optional[Path] = typer.Option(None, "--parquet", help="search a Parquet dataset (ingest --parquet) "
                                           "instead, with DuckDB: substrings only"),
    year: Optional[int] = typer.Option(None, "--year", min=1900, max=2200),
    department: Optional[str] = typer.Option(None, "--department", help="part of the department's name"),
    kind: Optional[str] = typer.Option(None, "--kind", help="report kind, e.g. project_self_eval"),
    role: Optional[str] = typer.Option(None, "--role", help="the sentence holds a fact with this role"),
    min_value: Optional[str] = typer.Option(None, "--min", help="… a fact (of --role) of at least this value, "
                                            "e.g. --role satisfaction --min 90"),
    max_value: Optional[str] = typer.Option(None, "--max", help="… a fact (of --role) of at most this value"),
    min_yuan: Optional[str] = typer.Option(None, "--min-yuan", help="… an amount of at least this many yuan "
                                           "(100万 and 1.5亿 are understood)"),
    max_yuan: Optional[str] = typer.Option(None, "--max-yuan", help="… an amount of at most this many yuan"),
    limit: int = typer.Option(20, "--limit", min=1, max=1_000_000),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Search sentences across reports; hits ranked, the match highlighted.

    Example: reportx search 招商引资 --db reports.db --year 2020 --role expenditure

    Example: reportx search '"预算 安排"' 60.28 --db reports.db

    Example: reportx search --role satisfaction --min 90 --db reports.db
    """
    from .dataset.search import search as run
    from .numbers import parse_number

    query = " ".join(words or [])
    bounds = {}
    for name, raw in (("--min", min_value), ("--max", max_value), ("--min-yuan", min_yuan), ("--max-yuan", max_yuan)):
        value = None if raw is None else parse_number(raw.strip().rstrip("元%"))
        if raw is not None and value is None:
            _fail("", f"[E013] {name} takes a number, e.g. 90, 1000000 or 100万")
            raise typer.Exit(2)
        bounds[name] = value
    if limit < 1:
        _fail("", "[E013] --limit must be at least 1")
        raise typer.Exit(2)
    if parquet is not None and (role is not None or any(v is not None for v in bounds.values())):
        _fail("", "[E013] --parquet searches text only: --role, --min, --max, --min-yuan and --max-yuan need --db")
        raise typer.Exit(2)
    with _user_errors():
        if parquet is not None:
            from .dataset.search import search_parquet

            hits = search_parquet(parquet, query, year=year, department=department, kind=kind, limit=limit)
        else:
            hits = run(db, query, year=year, department=department, kind=kind, role=role,
                       min_value=bounds["--min"], max_value=bounds["--max"],
                       min_yuan=bounds["--min-yuan"], max_yuan=bounds["--max-yuan"], limit=limit)
    if as_json:
        for h in hits:
            typer.echo(json.dumps(h.as_dict(), ensure_ascii=False))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, width=_width(), soft_wrap=True)   # the terminal wraps; no break inside 156.99
    if not hits:
        console.print(Text(f"no sentence matches {safe(query)!r}"))
    for n, h in enumerate(hits, 1):
        console.print(Text(safe(f"{n}. {h.department or '?'} | {h.year or '?'} | {h.section or '-'}"), style="bold"))
        text = h.text.replace("\n", " ").replace("\r", " ").replace("\t", " ")   # one for one: marks stay put
        if safe(text) != text:   # control characters in the report: shown escaped, unmarked
            line = Text("   " + safe(text))
        else:
            line = Text("   " + text)
            for s, e in h.marks:
                line.stylize("bold yellow reverse", s + 3, e + 3)
        console.print(line)
        console.print(Text(f"   {safe(h.source)}  [{h.method}]", style="dim"))


@app.command()
def stats(
    db: Path = typer.Option(Path("reports.db"), "--db", help="the dataset, e.g. --db reports.db"),
    parquet: Optional[Path] = typer.Option(None, "--parquet", help="a Parquet dataset (ingest --parquet) "
                                           "instead of --db, read with DuckDB"),
    by: Optional[str] = typer.Option(
        None, "--by", help="group keys, comma-separated: year (default), department (its key: short forms of one "
        "unit together; the names are shown), report_kind, grade, grade_level, format, scope; with --indicators "
        "also level1 (default), level2, name. e.g. --by department,year"),
    kind: Optional[str] = typer.Option(None, "--kind", help="only reports of this report_kind"),
    year: Optional[int] = typer.Option(None, "--year", min=1900, max=2200, help="only reports of this year"),
    department: Optional[str] = typer.Option(None, "--department", help="only departments containing this text"),
    fact: Optional[str] = typer.Option(
        None, "--fact", help="aggregate one fact type's values instead of report budgets: amounts, percentages, "
        "points, counts, staffing, scores. e.g. --fact amounts --role expenditure"),
    role: Optional[str] = typer.Option(None, "--role", help="with --fact: only facts of this role (or kind)"),
    level: Optional[str] = typer.Option(
        None, "--level", help="with --fact amounts: only amounts of this level: total (a report's own budget or "
        "expenditure, first statement), part, repeat, other. e.g. --level total"),
    duplicates: bool = typer.Option(False, "--include-duplicates",
                                    help="count files whose content duplicates another file's too"),
    conflicts: bool = typer.Option(False, "--include-conflicts",
                                   help="count report figures whose status is conflict too (left out by default)"),
    indicators: bool = typer.Option(
        False, "--indicators", help="count performance indicators met, missed and unknown (and their points) "
        "per group instead of reports, e.g. reportx stats --indicators --by level1"),
    indicator: Optional[str] = typer.Option(
        None, "--indicator", help="list one indicator's target and actual in every report: part of its name, "
        "e.g. --indicator 满意度"),
    fmt: str = typer.Option("table", "--format", help="table, csv or json, e.g. --format csv"),
) -> None:
    """Aggregate across reports, exactly: count, sum, mean, median, min and max of each report's own
    figures (budget, expenditure, execution rate, total score), grades, failed checks; or of one fact
    type's values (mentions); or indicators met vs missed; or one indicator's targets vs actuals. Each
    report is counted once; figures in conflict with the report's own arithmetic are left out (and
    counted) unless --include-conflicts.

    Example: reportx stats --db reports.db --by department,year --kind dept_overall_self_eval --format csv

    Example: reportx stats --db reports.db --by year --include-conflicts

    Example: reportx stats --db reports.db --fact amounts --role expenditure --level total --by department

    Example: reportx stats --db reports.db --indicators --by level1
    """
    from .dataset import stats as lib

    if fmt not in ("table", "csv", "json"):
        _fail("", "[E013] --format must be table, csv or json")
        raise typer.Exit(2)
    if indicator is not None and (indicators or by is not None or fact is not None):
        _fail("", "[E013] --indicator lists one indicator; use it without --indicators, --fact and --by")
        raise typer.Exit(2)
    if indicators and fact is not None:
        _fail("", "[E013] --indicators and --fact are two different aggregations; give one")
        raise typer.Exit(2)
    if (level is not None or conflicts) and (indicators or indicator is not None):
        _fail("", "[E013] --level and --include-conflicts go with report or fact statistics, not indicators")
        raise typer.Exit(2)
    filters = {"kind": kind, "year": year, "department": department, "duplicates": duplicates}
    if parquet is not None:
        from .dataset.parquet import is_dataset

        if not is_dataset(parquet):
            _fail(str(parquet), "[E020] not a reportx Parquet dataset (no files/ folder); write one with "
                                "`reportx ingest PATH --parquet DIR`")
            raise typer.Exit(2)
        db = parquet
    with _user_errors():
        if indicator is not None:
            rows = lib.indicator_history(db, indicator)
        elif indicators:
            rows = lib.indicator_stats(db, by=by or "level1", **filters)
        else:
            rows = lib.stats(db, by=by or "year", fact=fact, role=role, level=level, include_conflicts=conflicts,
                             **filters)
    keys = [k.strip() for k in (by or ("level1" if indicators else "year")).split(",")]
    keys = [k for key in keys for k in (("department_key", "department") if key == "department" else (key,))]
    note = _stats_note(rows, fact, role, level, conflicts, indicators or indicator is not None)
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import csv

        w = csv.writer(sys.stdout)
        w.writerow(rows[0].keys() if rows else keys)
        for r in rows:
            w.writerow([json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v for v in r.values()])
    elif indicator is not None:
        heads = [("department", "department"), ("year", "year"), ("name", "indicator"), ("target_stated", "target"),
                 ("actual", "actual"), ("met", "met"), ("weight", "weight"), ("score", "score")]
        _table(f"indicators whose name contains {indicator!r} ({len(rows)} rows)", heads, rows,
               wrap={"department", "name"})
    elif indicators:
        heads = [*((k, k) for k in keys), ("indicators", "indicators"), ("reports", "reports"), ("met", "met"),
                 ("missed", "missed"), ("unknown", "unknown"), ("share_met", "share met"),
                 ("weight_total", "weight total"), ("score_total", "score total")]
        _table(f"indicators by {', '.join(keys)} (unknown: qualitative or different units)", heads, rows,
               wrap=set(keys))
    elif fact is not None:
        unit = "_yuan" if fact == "amounts" else ""
        heads = [*((k, k) for k in keys), ("reports", "reports"), (f"{fact}_count", "count"),
                 *((f"{fact}_{a}{unit}", a) for a in ("sum", "mean", "median", "min", "max"))]
        _table(f"{fact}{' (' + role + ')' if role else ''}{' level ' + level if level else ''} by {', '.join(keys)}: "
               f"mentions, not reports{' (money in 万元; exact figures with --format csv/json)' if unit else ''}",
               heads, rows, wrap=set(keys))
    else:
        heads = [*((k, k) for k in keys), ("reports", "reports"), ("budget_sum_yuan", "budget total"),
                 ("budget_median_yuan", "budget median"), ("expenditure_sum_yuan", "spent total"),
                 ("execution_rate_mean", "rate mean %"), ("execution_rate_min", "rate min %"),
                 ("share_rate_under_90", "share <90%"), ("score_mean", "score mean"),
                 ("grade_levels", "grades"), ("failed_checks", "failed checks")]
        _table(f"reports by {', '.join(keys)}: each report's own figures, once (money in 万元; exact figures "
               f"with --format csv/json)", heads, rows, wrap={*keys, "grade_levels"})
    if note:   # with the table on stdout; beside csv/json on stderr, so they stay machine-readable
        typer.echo(safe(note, newlines=True), err=fmt != "table")


def _stats_note(rows: list[dict], fact, role, level, conflicts: bool, indicators: bool) -> str | None:
    """What the numbers are: mentions (fact mode), or report figures with the conflicts left out or included."""
    if indicators:
        return None
    if fact is not None:
        what = f"{fact}{' of role ' + role if role else ''}{' at level ' + level if level else ''}"
        return (f"note: these add mentions ({what}), not reports: a figure stated twice counts twice. Each report's "
                f"own figures, once: reportx stats --by … (without --fact)"
                f"{'; or --level total' if fact == 'amounts' and level is None else ''}.")
    from .dataset.stats import note

    return note(rows, conflicts)


def _table(title: str, heads: list[tuple[str, str]], rows: list[dict], wrap: set[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title)
    for key, h in heads:
        t.add_column(h, no_wrap=key not in wrap, justify="left" if key in wrap else "right")
    for r in rows:
        t.add_row(*[_wan(r[k]) if k.endswith("_yuan") else _show(r[k]) for k, _ in heads])
    Console(width=_width()).print(t)


def _width() -> int | None:
    """Columns for rich: the terminal's, or $COLUMNS; piped without $COLUMNS, as wide as the output needs
    (nothing cut, nothing wrapped inside a number)."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    return None if sys.stdout.isatty() else 100_000


def _wan(v) -> str:
    from decimal import Decimal

    return "-" if v is None else f"{Decimal(v) / 10000:,.2f}"


def _show(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, dict):
        return " ".join(f"{k}:{n}" for k, n in v.items()) or "-"
    return str(v)


@app.command()
def export(
    out_dir: Path = typer.Argument(..., help="folder to write one file per table into"),
    db: Path = typer.Option(Path("reports.db"), "--db"),
    fmt: str = typer.Option("parquet", "--format", help="parquet, csv or jsonl, e.g. --format csv"),
    kind: Optional[str] = typer.Option(None, "--kind", help="only reports of this report_kind"),
    year: Optional[int] = typer.Option(None, "--year", min=1900, max=2200, help="only reports of this year"),
    department: Optional[str] = typer.Option(None, "--department", help="only departments containing this text"),
    role: Optional[str] = typer.Option(None, "--role", help="only fact rows of this role"),
    no_duplicates: bool = typer.Option(False, "--no-duplicates",
                                       help="leave out files whose content duplicates another file's"),
    bom: bool = typer.Option(True, "--bom/--no-bom", help="CSV: start with a UTF-8 byte-order mark (Excel)"),
) -> None:
    """Write every table of the dataset (reports, amounts … indicators, checks, sentences, errors) as
    Parquet (exact decimals), CSV (UTF-8 with BOM, for Excel) or JSON Lines, with the data dictionary
    (DATA_DICTIONARY.md, data_dictionary.json) beside them.

    Example: reportx export out/ --db reports.db --format parquet

    Example: reportx export out/ --db reports.db --format csv --year 2023 --no-duplicates
    """
    from .dataset.export import export as run

    with _user_errors():
        counts = run(db, out_dir, fmt, kind=kind, year=year, department=department, role=role,
                     duplicates=not no_duplicates, bom=bom)
    for table, n in counts.items():
        typer.echo(f"{out_dir}/{table}.{fmt}: {n} rows")
    typer.echo(f"{out_dir}/DATA_DICTIONARY.md, {out_dir}/data_dictionary.json")


@app.command()
def dictionary(
    fmt: str = typer.Option("markdown", "--format", help="markdown or json"),
) -> None:
    """Print the data dictionary: every table and column of the dataset, with meaning, type, unit and
    allowed values (generated from the models and patterns/).

    Example: reportx dictionary --format json
    """
    from .dataset import dictionary as lib

    if fmt not in ("markdown", "json"):
        _fail("", "[E013] --format must be markdown or json")
        raise typer.Exit(2)
    typer.echo(lib.markdown() if fmt == "markdown" else json.dumps(lib.as_json(), ensure_ascii=False, indent=2))


@app.command()
def serve(
    db: Path = typer.Option(Path("reports.db"), "--db"),
    host: str = typer.Option("127.0.0.1", "--host", help="interface to bind (loopback by default)"),
    port: int = typer.Option(8001, "--port"),
) -> None:
    """Browse the dataset in Datasette: numbers sort and filter as numbers, columns are described, saved
    queries answer the first questions, and the sentences search box finds any 3+ Chinese characters.

    Example: reportx serve --db reports.db --port 8001
    """
    from .dataset.serve import serve as run

    with _user_errors():
        status = run(db, host=host, port=port)
    raise typer.Exit(status)


@app.command()
def view(
    files: List[Path] = typer.Argument(..., help="report files (.txt, .docx, .pdf, .html, .doc, .xlsx, .ofd, "
                                                     "scans …)"),
    out: Path = typer.Option(Path("views"), "-o", "--out", help="the folder for the pages (NAME.html each), "
                             "or a file NAME.html when one report is given"),
) -> None:
    """Write one self-contained HTML page per report: its text with every fact highlighted by type
    (hover or focus one for its value, unit, role and rule), the metadata, budget, checks, indicators and
    the list of facts beside it, and filters by type and role. Opens from disk, no network.

    Example: reportx view corpora/seed/000_bcae26400f7d3644.txt -o views/
    """
    from .pipeline import DEFAULT_MAX_BYTES, extract_document
    from .readers import read_file
    from .view import page

    single = len(files) == 1 and out.suffix.lower() == ".html"
    if out.suffix.lower() == ".html" and not single:
        _fail(str(out), f"[E013] -o NAME.html takes one report, and {len(files)} were given: give a folder, "
                        "e.g. -o views/")
        raise typer.Exit(2)
    failed = 0
    names: set[str] = set()
    for f in files:
        try:
            document = read_file(f, DEFAULT_MAX_BYTES)
            text = document.text
            report = extract_document(document, str(f))
        except ReportxError as e:
            _fail(str(f), f"[{e.code}] {e.args[0] if e.args else e}")
            failed += 1
            continue
        name, n = f.stem, 1
        while name in names:   # two reports with one file name (a/r.txt, b/r.txt): r.html, r-2.html
            n += 1
            name = f"{f.stem}-{n}"
        names.add(name)
        target = out if single else out / (name + ".html")
        with _user_errors(1):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(page(report, text), encoding="utf-8")
        typer.echo(str(target))
    if failed:
        raise typer.Exit(1)


@app.command()
def chart(
    kind: str = typer.Argument(..., help="execution_rates, budget_vs_expenditure, spending_by_department, "
                               "scores_by_year, grades_by_year, facts_by_kind, indicators_met, or all"),
    db: Path = typer.Option(Path("reports.db"), "--db", help="the dataset (SQLite, or a Parquet folder)"),
    out: Path = typer.Option(..., "-o", "--out", help="FILE.svg, FILE.png or FILE.html (Vega bundled, no "
                             "network); with `all`, a folder of SVGs"),
) -> None:
    """Draw a chart of the dataset (Vega-Lite through Altair, rendered by vl-convert), for papers and slides.

    Example: reportx chart execution_rates --db reports.db -o rates.svg

    Example: reportx chart all --db reports.db -o charts/
    """
    from .dataset import charts

    if kind == "all" and out.suffix.lower() in (".svg", ".png", ".html"):
        _fail(str(out), "[E013] `chart all` writes a folder of SVGs: give a folder, e.g. -o charts/")
        raise typer.Exit(2)
    with _user_errors():
        for path in charts.write(kind, db, out):
            typer.echo(str(path))


def main() -> None:
    app()
