"""The data dictionary: every table and column of the dataset with its meaning, type, unit and
allowed values — generated from the pydantic models (field descriptions, Literal types) and the
pattern vocabularies (roles, kinds, grades), so it cannot drift from what is stored.

Written beside every export (DATA_DICTIONARY.md, data_dictionary.json), shown by
`reportx dictionary`, given to Datasette as column descriptions, and to Parquet as field metadata.
"""

from __future__ import annotations

import json
import typing
from functools import cache
from pathlib import Path

from .. import patterns
from ..models import FACT_TYPES, BudgetSummary, Check, IndicatorValue, Report
from . import store

TABLE_DESCRIPTIONS = {
    "reports": "one row per file read; report_id is the sha256 of its bytes. Statistics count the rows whose "
               "duplicate_of is NULL (the same report in another format or encoding is a duplicate).",
    "amounts": "money: every amount of a report, in yuan (元).",
    "percentages": "rates and shares in percent (97.94 for 97.94%).",
    "points": "changes of a rate in percentage points (提高2.6个百分点); never percentages.",
    "counts": "counted things: number + measure word (50次, 30多个团组).",
    "staffing": "staff establishment and headcounts, internal units and posts.",
    "events": "named events: expos, promotion meetings, forums, signings, campaigns.",
    "scores": "self-evaluation scores: the total, the points of each indicator and what it was worth.",
    "indicators": "performance-indicator rows (三级指标) of a 绩效自评表 or its prose form.",
    "checks": "consistency checks of each report's own numbers (budget arithmetic, execution rate, score, grade).",
    "sentences": "the report text by sentence, with its section path and jieba search tokens (full-text search).",
    "errors": "files that could not be read or stored, with a coded reason.",
    "files": "each file ingested, as listed (path, size, modification time), and the report it holds: "
             "a rerun skips it unread.",
}

# Columns the store adds beyond the models.
_STORE_COLUMNS = {
    "report_id": ("TEXT", "the report: sha256 of the file's bytes (reports.report_id)", None),
    "seq": ("INTEGER", "position of the row within its report (0, 1, …); (report_id, seq) is the row's key", None),
    "value_cents": ("INTEGER", "the amount in integer fen (0.01 yuan): SUM(value_cents) / 100 is exact in SQL; "
                    "NULL when not whole fen", "fen"),
}
_REPORT_COLUMNS = {
    "report_id": ("TEXT", "sha256 of the file's bytes; every other table refers to it", None),
    "content_id": ("TEXT", "sha256 of the report's text without spaces or line breaks (NFKC): the same report "
                   "in two formats or encodings has one content_id", None),
    "duplicate_of": ("TEXT", "report_id of the first file with the same content_id; NULL for the first (count "
                     "these rows only)", None),
    "format": ("TEXT", "the file format the text was read from", None),
    "chars": ("INTEGER", "length of the extracted text in characters", "characters"),
    "text": ("TEXT", "the extracted text; every fact's start/end index into it", None),
    "ingested_at": ("TEXT", "when the report was stored (UTC, ISO 8601)", None),
    "extractor_version": ("TEXT", "the reportx version that extracted it", None),
}
_OTHER_TABLES = {
    "checks": {
        "values_json": ("TEXT", "the numbers the check used, as a JSON object of decimal strings", None),
    },
    "sentences": {
        "sentence_id": ("INTEGER", "the sentence's key (the full-text indexes' rowid)", None),
        "start": ("INTEGER", "offset of the sentence's first character in reports.text", "characters"),
        "end": ("INTEGER", "offset after its last character in reports.text", "characters"),
        "section": ("TEXT", "the section path: headings joined by ' > '", None),
        "text": ("TEXT", "the sentence as written", None),
        "tokens": ("TEXT", "its jieba search-mode tokens, space-separated (indexed by sentences_fts)", None),
    },
    "errors": {
        "error_id": ("INTEGER", "the error's key", None),
        "path": ("TEXT", "the file (or zip member) that failed", None),
        "stage": ("TEXT", "where it failed: read, extract or write", None),
        "code": ("TEXT", "the reportx error code (E001 …, E999 for an internal error)", None),
        "message": ("TEXT", "what went wrong and what to do", None),
        "at": ("TEXT", "when (UTC, ISO 8601)", None),
    },
    "files": {
        "path": ("TEXT", "the file (or zip member, archive.zip!member) as listed", None),
        "size": ("INTEGER", "its size when ingested", "bytes"),
        "mtime": ("TEXT", "its modification time when ingested (a file's st_mtime_ns; a zip member's date/CRC)",
                  None),
        "report_id": ("TEXT", "the report it holds (reports.report_id)", None),
    },
}


@cache
def _vocabularies() -> dict[tuple[str, str], list[str]]:
    """(table, column) -> allowed values, from patterns/."""
    roles = patterns.load("roles")
    out: dict[tuple[str, str], list[str]] = {
        (t, "role"): [*roles[t], "other"] for t in ("amounts", "percentages", "points")}
    out[("staffing", "role")] = list(patterns.load("staffing")["labels"])
    out[("events", "kind")] = sorted(set(patterns.load("events")["suffixes"].values()) | {"campaign"})
    out[("reports", "report_kind")] = list(patterns.load("structure")["report_kinds"])
    levels = patterns.load("scores")["grade_levels"]
    out[("reports", "grade")] = list(levels)
    return out


def known_values(table: str, column: str) -> list[str]:
    """The allowed values of a vocabulary column (roles, kinds), from patterns/ and the models."""
    for e in entries().get(table, []):
        if e["column"] == column:
            return list(e["values"] or [])
    return []


def known_roles() -> list[str]:
    """Every fact role of the dataset (amounts, percentages, points, staffing)."""
    return sorted({v for t in ("amounts", "percentages", "points", "staffing") for v in known_values(t, "role")})


def check_value(value: str | None, allowed: list[str], option: str) -> None:
    """A UsageError naming the option and the allowed values when `value` is not one of them."""
    from ..errors import UsageError

    if value is not None and allowed and value not in allowed:
        raise UsageError(f"{option} {value!r} is not one reportx knows; one of: {', '.join(allowed)}")


def _literal(annotation) -> list[str] | None:
    for arg in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(arg) is typing.Literal:
            return [str(v) for v in typing.get_args(arg)]
    return None


def _unit(table: str, column: str) -> str | None:
    if column.endswith("_yuan"):
        return "yuan (元)"
    if column in ("start", "end") or column.endswith(("_start", "_end")):
        return "characters"
    if table == "percentages" and column in ("value", "low", "high") or column == "execution_rate":
        return "percent"
    if table == "points" and column == "value":
        return "percentage points"
    if table == "scores" and column == "value" or table == "indicators" and column in ("weight", "score"):
        return "points (分)"
    if table == "indicators" and column in ("target_value", "actual_value"):
        return "as in target_unit / actual_unit"
    return None


def _model_column(model, path: tuple[str, ...]) -> tuple[str, list[str] | None]:
    """The description and Literal values of a (possibly nested) model field."""
    info = model.model_fields[path[0]]
    if len(path) == 1:
        return info.description or "", _literal(info.annotation)
    nested = IndicatorValue   # the only nested record of a fact
    inner, values = _model_column(nested, path[1:])
    return f"{path[0]}: {inner}", values


@cache
def entries() -> dict[str, list[dict]]:
    """table -> one entry per column, in the table's column order: name, type, meaning, unit, values."""
    vocab = _vocabularies()
    out: dict[str, list[dict]] = {}

    def entry(table, name, sql_type, meaning, unit=None, values=None):
        return {"column": name, "type": sql_type, "meaning": meaning, "unit": unit or _unit(table, name),
                "values": values or vocab.get((table, name))}

    report_fields = Report.model_fields
    rows = []
    for c in store.REPORT_COLUMNS:
        if c in _REPORT_COLUMNS:
            t, meaning, unit = _REPORT_COLUMNS[c]
            rows.append(entry("reports", c, t, meaning, unit))
        elif c in BudgetSummary.model_fields:
            rows.append(entry("reports", c, "DECIMAL", "budget summary: " + BudgetSummary.model_fields[c].description))
        else:
            info = report_fields[c]
            sql_type = "INTEGER" if c == "year" else "TEXT"
            rows.append(entry("reports", c, sql_type, info.description or "", values=_literal(info.annotation)))
    out["reports"] = rows

    for name, model in FACT_TYPES.items():
        rows = []
        decimals, integers = store.FACT_DECIMAL_COLUMNS[name], store.FACT_INTEGER_COLUMNS[name]
        for c in store.fact_columns(name):
            if c in _STORE_COLUMNS:
                t, meaning, unit = _STORE_COLUMNS[c]
                rows.append(entry(name, c, t, meaning, unit))
                continue
            meaning, values = _model_column(model, store.FACT_COLUMN_PATHS[name][c])
            sql_type = "DECIMAL" if c in decimals else "INTEGER" if c in integers or c in ("start", "end") else "TEXT"
            rows.append(entry(name, c, sql_type, meaning, values=values))
        out[name] = rows

    checks = [entry("checks", c, *_STORE_COLUMNS[c][:2]) for c in store.KEY_COLUMNS]
    for c in store.CHECK_COLUMNS:
        if c in _OTHER_TABLES["checks"]:
            t, meaning, unit = _OTHER_TABLES["checks"][c]
            checks.append(entry("checks", c, t, meaning, unit))
        else:
            checks.append(entry("checks", c, "INTEGER" if c == "passed" else "TEXT", Check.model_fields[c].description))
    out["checks"] = checks
    sentences = _OTHER_TABLES["sentences"]
    out["sentences"] = [entry("sentences", "sentence_id", *sentences["sentence_id"]),
                        entry("sentences", "report_id", *_STORE_COLUMNS["report_id"]),
                        entry("sentences", "seq", *_STORE_COLUMNS["seq"]),
                        *(entry("sentences", c, *sentences[c]) for c in ("start", "end", "section", "text", "tokens"))]
    out["errors"] = [entry("errors", c, *spec) for c, spec in _OTHER_TABLES["errors"].items()]
    out["files"] = [entry("files", c, *spec) for c, spec in _OTHER_TABLES["files"].items()]
    return out


def describe(table: str, column: str) -> str | None:
    for e in entries().get(table, []):
        if e["column"] == column:
            return e["meaning"] + (f" [{e['unit']}]" if e["unit"] else "")
    return None


def table_description(table: str) -> str:
    return TABLE_DESCRIPTIONS.get(table, "")


def markdown() -> str:
    lines = ["# reportx data dictionary", "",
             "Generated from the models and the pattern vocabularies (`reportx dictionary`). DECIMAL columns are",
             "numbers in SQL (NUMERIC affinity) and exact: integers within int64, other values of at most 15",
             "significant digits. Every table refers to a report by `report_id`; a fact's key is (`report_id`, `seq`).",
             ""]
    for table, rows in entries().items():
        lines += [f"## {table}", "", table_description(table), "",
                  "| column | type | meaning | unit | values |", "|---|---|---|---|---|"]
        for e in rows:
            values = ", ".join(e["values"]) if e["values"] else ""
            lines.append(f"| `{e['column']}` | {e['type']} | {e['meaning'].replace('|', '/')} | {e['unit'] or ''} "
                         f"| {values} |")
        lines.append("")
    return "\n".join(lines)


def as_json() -> dict:
    return {table: {"description": table_description(table), "columns": rows} for table, rows in entries().items()}


def write(out_dir: Path) -> None:
    """DATA_DICTIONARY.md and data_dictionary.json in `out_dir`."""
    (Path(out_dir) / "DATA_DICTIONARY.md").write_text(markdown(), encoding="utf-8")
    (Path(out_dir) / "data_dictionary.json").write_text(json.dumps(as_json(), ensure_ascii=False, indent=2),
                                                        encoding="utf-8")
