"""The `reportx` command: a thin layer over the library (parse arguments, call, print, exit code)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .errors import ReportxError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="Exact, grounded facts from Chinese budget-performance reports (绩效自评报告).")


def _fail(path: str, message: str) -> None:
    typer.echo(f"reportx: {path}: {message}" if path else f"reportx: {message}", err=True)


@app.command()
def extract(
    files: List[str] = typer.Argument(..., help="report files (.txt in UTF-8, GBK/GB18030 or UTF-16)"),
    max_bytes: int = typer.Option(50 * 1024 * 1024, "--max-bytes", help="skip files larger than this"),
    indent: Optional[int] = typer.Option(None, help="pretty-print each record (not JSON Lines then)"),
) -> None:
    """Extract facts; one JSON object per file on stdout (JSON Lines).

    Example: reportx extract corpora/seed/*.txt > facts.jsonl
    """
    from .pipeline import extract_file

    failed = 0
    for path in files:
        try:
            report = extract_file(path, max_bytes=max_bytes)
        except ReportxError as e:
            failed += 1
            typer.echo(f"reportx: {e}", err=True)
            continue
        except Exception as e:  # a bug of ours: say so in one line, keep the batch going
            failed += 1
            _fail(path, f"[E999] internal error ({type(e).__name__}: {e}); please report it")
            continue
        sys.stdout.write(report.model_dump_json(indent=indent) + "\n")
        sys.stdout.flush()
    if failed:
        _fail("", f"{failed} of {len(files)} file(s) failed")
        raise typer.Exit(1)


@app.command()
def summarize(
    paths: List[Path] = typer.Argument(..., help="report files or folders (every .txt inside, recursively)"),
) -> None:
    """Extract and print a short summary per report: facts found, budget figures, checks.

    Example: reportx summarize corpora/
    """
    from .pipeline import extract_file
    from .summary import summarize as summary

    files = [f for p in paths for f in (sorted(p.rglob("*.txt")) if p.is_dir() else [p])]
    reports, failed = [], 0
    for f in files:
        try:
            reports.append(extract_file(f))
        except ReportxError as e:
            failed += 1
            typer.echo(f"reportx: {e}", err=True)
    typer.echo(summary(reports))
    if failed:
        raise typer.Exit(1)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the records `extract` writes.

    Example: reportx schema > report.schema.json
    """
    from .models import Report

    typer.echo(json.dumps(Report.model_json_schema(mode="serialization"), ensure_ascii=False, indent=2))


@app.command()
def evaluate(
    gold_dir: Path = typer.Argument(..., help="folder with NAME.gold.json beside NAME.txt"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
    show_errors: bool = typer.Option(False, "--errors", help="list every miss, false positive and wrong role"),
) -> None:
    """Precision, recall and F1 per fact type, role accuracy and metadata accuracy against gold files.

    Example: reportx evaluate corpora/
    """
    from .evaluate import evaluate as run

    if not gold_dir.exists():
        _fail(str(gold_dir), "[E001] no such file or folder")
        raise typer.Exit(2)
    try:
        ev = run(gold_dir)
    except ReportxError as e:
        typer.echo(f"reportx: {e}", err=True)
        raise typer.Exit(1)
    result = ev.as_dict()
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    typer.echo(f"documents: {result['documents']}")
    typer.echo(f"{'type':<12} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>4} {'fn':>4}  role/kind acc")
    for t, s in result["facts"].items():
        acc = "-" if s["role_accuracy"] is None else f"{s['role_accuracy']:.3f}"
        typer.echo(f"{t:<12} {s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f} {s['tp']:>5} {s['fp']:>4} {s['fn']:>4}  {acc}")
    meta = ", ".join(f"{k} {'-' if v is None else f'{v:.3f}'}" for k, v in result["metadata_accuracy"].items())
    typer.echo(f"metadata accuracy: {meta}")
    if show_errors:
        for e in result["errors"]:
            typer.echo("  " + json.dumps(e, ensure_ascii=False))


def main() -> None:
    app()
