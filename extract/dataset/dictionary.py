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
from ..models import FACT_TYPES, FIGURE_NAMES, BudgetSummary, Check, Figure, IndicatorValue, Project, Report, \
    ReportFigures
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
    "figures": "each report's own figures (budget, expenditure, execution rate, total score, grade) and those of "
               "each project of a document about several projects, every status, with the fact each was taken "
               "from: join amounts/percentages/scores ON (report_id, fact_type, fact_seq) = (report_id, <table>, "
               "seq). Statistics use status ok and project_seq NULL (reports.figure_* hold those).",
    "projects": "one row per project of a document about several projects (scope multi): its accepted figures "
                "(value columns NULL unless the status is ok), their status and the seq of their fact.",
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
    "ocr_pages": ("TEXT", "the pages (1-based, comma-separated) whose text was read by OCR from a scan; NULL when "
                  "none was", None),
    "ocr_confidence": ("DECIMAL", "the OCR engine's mean confidence over the lines it read, 0–1; NULL without OCR",
                       None),
    "ocr_engine": ("TEXT", "the OCR engine and version that read those pages", None),
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


_FIGURE_UNITS = {"budget_initial": "yuan (元)", "budget_adjusted": "yuan (元)", "expenditure": "yuan (元)",
                 "execution_rate": "percent", "total_score": "points (分)", "grade": None}
_STATUS = "the figure's status: ok (taken, not contradicted by the report's own arithmetic), conflict (fails a " \
    "check, see figures.reason; left out of statistics unless asked for); NULL when the report states none"


def _figure_entries(table: str, entry) -> list[dict]:
    """The columns of `figures`, described from the Figure model."""
    fields = Figure.model_fields
    extra = {
        "report_id": ("TEXT", _STORE_COLUMNS["report_id"][1], None),
        "seq": ("INTEGER", "position of the figure among the report's figure rows; (report_id, seq) is the key", None),
        "project_seq": ("INTEGER", "the project (projects.seq) the figure belongs to; NULL for the report's own "
                        "figures, the ones statistics add", None),
        "name": ("TEXT", "which figure: " + ", ".join(FIGURE_NAMES), None),
        "value": ("DECIMAL", fields["value"].description + " (yuan for budget_*/expenditure, percent for "
                  "execution_rate, points for total_score)", "as named"),
        "value_cents": ("INTEGER", "a money figure in integer fen: SUM(value_cents) / 100 is exact in SQL; NULL for "
                        "the other figures", "fen"),
        "fact_type": ("TEXT", fields["fact_type"].description + "; with fact_seq, the fact's key in that table", None),
        "start": ("INTEGER", fields["start"].description + " (reports.text)", "characters"),
        "end": ("INTEGER", fields["end"].description, "characters"),
    }
    rows = []
    for c in store.FIGURE_COLUMNS:
        if c in extra:
            t, meaning, unit = extra[c]
            values = list(FIGURE_NAMES) if c == "name" else None
            rows.append(entry(table, c, t, meaning, unit, values))
        else:
            info = fields[c]
            rows.append(entry(table, c, "INTEGER" if c == "fact_seq" else "TEXT", info.description or "",
                              values=_literal(info.annotation)))
    return rows


def _project_entries(table: str, entry) -> list[dict]:
    fields = Project.model_fields
    rows = [entry(table, "report_id", *_STORE_COLUMNS["report_id"]),
            entry(table, "seq", "INTEGER", "the project's position in the report (figures.project_seq)"),
            *(entry(table, c, "INTEGER" if c != "name" else "TEXT", fields[c].description or "",
                    "characters" if c != "name" else None) for c in ("name", "start", "end"))]
    for n in FIGURE_NAMES:
        what = ReportFigures.model_fields[n].description
        rows += [entry(table, store.figure_column(n), "TEXT" if n == "grade" else "DECIMAL",
                       f"the project's {n} ({what}), when its status is ok; NULL otherwise",
                       _FIGURE_UNITS[n]),
                 entry(table, f"{n}_status", "TEXT", _STATUS, values=["ok", "conflict"]),
                 entry(table, f"{n}_fact_seq", "INTEGER", f"seq of the fact the project's {n} was taken from, in "
                       "the table its figures row names (figures.fact_type: amounts, percentages, scores)")]
    return rows


def _report_figure_entry(c: str, entry) -> dict:
    """A figure column of `reports`: figure_<value column> or figure_<name>_status."""
    if c.endswith("_status"):
        return entry("reports", c, "TEXT", _STATUS, values=["ok", "conflict"])
    name = next(n for n in FIGURE_NAMES if c == f"figure_{store.figure_column(n)}")
    what = ReportFigures.model_fields[name].description
    return entry("reports", c, "TEXT" if name == "grade" else "DECIMAL",
                 f"the report's own {name} ({what}) when its status is ok, else NULL: sum or "
                 "average this to count each report once (provenance in figures)", _FIGURE_UNITS[name])


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


# A rule of each fact table, as its `rule` column's example (tests/test_defects.py checks each one fires)
RULE_EXAMPLES = {"amounts": "money.wan_yuan", "percentages": "percent.sign", "points": "points.change",
                 "counts": "count.measure", "staffing": "staffing.label_number", "events": "event.quoted",
                 "scores": "indicator.table_score", "indicators": "indicator.table_row"}


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
        elif c in store.REPORT_FIGURE_COLUMNS:
            rows.append(_report_figure_entry(c, entry))
        elif c in ("scope", "subject"):
            info = ReportFigures.model_fields[c]
            rows.append(entry("reports", c, "TEXT", info.description or "", values=_literal(info.annotation)))
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
            if c == "rule":
                meaning = f"id of the rule that produced the fact, e.g. {RULE_EXAMPLES[name]}"
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
    out["figures"] = _figure_entries("figures", entry)
    out["projects"] = _project_entries("projects", entry)
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
