"""The dataset: reports, their facts and sentences in SQLite, with Chinese full-text search.

One row per report in `reports` (`report_id`: the sha256 of the file's bytes), one table per fact type
named as in the JSON output, `checks`, `sentences` (the extracted text by sentence, with its section
path), `errors` (files that could not be read) and `meta` (the schema version). Every table refers to a
report by `report_id`; a fact's own key is (`report_id`, `seq`), its position in the report.

Numbers are numbers: every Decimal of the model is a DECIMAL column (NUMERIC affinity), so SQL and
Datasette sort, filter and sum it numerically, and it stays exact — the extractor keeps only numbers
SQLite holds exactly (integers within int64, other values of at most 15 significant digits:
`numbers.storable`), and `connect` reads DECIMAL columns back as Python Decimals. `amounts.value_cents`
is the amount in integer fen, for sums that must be exact in SQL itself (SUM(value_cents) / 100).

One report, once: `content_id` is the sha256 of the report's text with every space and line break
removed (NFKC), so the same report saved as .docx and .pdf, or in UTF-8 and GBK, has one content_id;
the second and later files get `duplicate_of` = the first one's report_id. Statistics count reports
whose duplicate_of is NULL; every file stays in the dataset and findable.

A nested record is flattened into prefixed columns: an indicator's `target` becomes `target_text`,
`target_start`, `target_end`, `target_op`, `target_value`, `target_unit` (all NULL when the row has no
target); booleans are INTEGER 0/1/NULL.

Chinese full-text search: SQLite's tokenizers do not segment Chinese, so each sentence also stores
its jieba search-mode tokens separated by spaces (`sentences.tokens`), indexed by the FTS5 table
`sentences_fts`; a trigram index (`sentences_trigram`) finds any substring of three or more
characters, and shorter queries fall back to LIKE.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import sqlite3
import time
import types
import typing
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import quote

from pydantic import BaseModel

from ..errors import DatabaseError
from ..models import FACT_TYPES, FIGURE_NAMES, BudgetSummary, Figure, Report
from ..numbers import INT64, normalize_decimal

# 2: the `indicators` table; 3: `points`, directions; 4: typed numbers, report_id everywhere,
# content_id/duplicate_of, grade_level; 5: the search indexes are filled by the writer, one statement
# per report, instead of a trigger per sentence (a third of the writer's time); 6: report figures
# (`figures`, `projects`, the accepted figures and their status on `reports`, department_key, scope),
# amounts.level. A database of another version is refused with what to do, except a 4 or a 5, which
# is read as it is (the newer columns and tables read as NULL and empty) and upgraded when written.
# 7: which pages were read by OCR (reports.ocr_pages, ocr_confidence, ocr_engine).
SCHEMA_VERSION = 7
# version -> statements that make it the next one (the 5 -> 6 and 6 -> 7 lists are filled in below)
MIGRATIONS: dict[int, list[str]] = {4: ["DROP TRIGGER IF EXISTS sentences_ai"], 5: [], 6: []}
# (the `files` table, added with 5, is created by every writer that opens a database without one)

# DECIMAL columns come back as Decimal: SQLite renders the stored number as text (%!.15g), which is
# exactly the value written (numbers.storable).
sqlite3.register_converter("DECIMAL", lambda raw: Decimal(raw.decode()))


def _inner_types(annotation: Any) -> tuple:
    """The types inside Optional[...] / X | None / Annotated[...]: `IndicatorValue | None` -> (IndicatorValue,)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return tuple(t for a in typing.get_args(annotation) if a is not type(None) for t in _inner_types(a))
    return (annotation,)


def _paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], tuple]]:
    """(attribute path, types) per column; a nested record contributes one column per field."""
    out = []
    for name, info in model.model_fields.items():
        inner = _inner_types(info.annotation)
        nested = next((t for t in inner if typing.get_origin(t) is None and isinstance(t, type)
                       and issubclass(t, BaseModel)), None)
        out += _paths(nested, (*prefix, name)) if nested else [((*prefix, name), inner)]
    return out


_FACT_PATHS = {name: _paths(model) for name, model in FACT_TYPES.items()}
# column name -> attribute path, per fact table: target_value -> ("target", "value")
FACT_COLUMN_PATHS: dict[str, dict[str, tuple[str, ...]]] = {
    name: {"_".join(path): path for path, _ in paths} for name, paths in _FACT_PATHS.items()
}
FACT_COLUMNS: dict[str, list[str]] = {name: list(cols) for name, cols in FACT_COLUMN_PATHS.items()}
# Decimal columns per fact table (stored as text; exports restore the decimal type)
FACT_DECIMAL_COLUMNS: dict[str, set[str]] = {
    name: {"_".join(path) for path, inner in paths if Decimal in inner} for name, paths in _FACT_PATHS.items()
}
# INTEGER columns per fact table: offsets, editions, booleans (0/1/NULL)
FACT_INTEGER_COLUMNS: dict[str, set[str]] = {
    name: {"_".join(path) for path, inner in paths if inner and set(inner) <= {int, bool}}
    for name, paths in _FACT_PATHS.items()
}
CHECK_COLUMNS = ["name", "passed", "values_json", "message"]
SUMMARY_COLUMNS = list(BudgetSummary.model_fields)

# Report figures (Report.figures, Report.projects). A figure's value column is named with its unit, as the
# budget summary's are: budget_initial_yuan, execution_rate (percent), total_score (points), grade (text).
MONEY_FIGURES = ("budget_initial", "budget_adjusted", "expenditure")


def figure_column(name: str) -> str:
    """The value column of a figure: expenditure -> expenditure_yuan, execution_rate -> execution_rate."""
    return f"{name}_yuan" if name in MONEY_FIGURES else name


# On `reports`, the accepted (status ok) figures, prefixed so they stand apart from the budget summary's
# columns, and each figure's status (ok, conflict; NULL when the report states none): a plain SUM of a
# figure column adds each report once and leaves conflicts out.
REPORT_FIGURE_COLUMNS = [c for n in FIGURE_NAMES for c in (f"figure_{figure_column(n)}", f"figure_{n}_status")]
REPORT_FIGURE_DECIMALS = {f"figure_{figure_column(n)}" for n in FIGURE_NAMES if n != "grade"}
REPORT_COLUMNS = ["report_id", "content_id", "duplicate_of", "source", "format", "encoding", "title", "department",
                  "department_key", "year", "report_kind", "grade", "grade_level", *SUMMARY_COLUMNS, "scope",
                  "subject", *REPORT_FIGURE_COLUMNS, "ocr_pages", "ocr_confidence", "ocr_engine", "chars", "text",
                  "ingested_at", "extractor_version"]
REPORT_DECIMAL_COLUMNS = {*SUMMARY_COLUMNS, *REPORT_FIGURE_DECIMALS, "ocr_confidence"}
# One row per figure of a report (project_seq NULL) or of one of its projects (projects.seq), every status,
# with the fact it was taken from: joins amounts/percentages/scores on (report_id, fact_type, fact_seq).
FIGURE_COLUMNS = ["report_id", "seq", "project_seq", "name", "value", "value_cents", "label", "status", "fact_type",
                  "fact_seq", "text", "start", "end", "rule", "reason"]
FIGURE_DECIMALS = {"value"}
FIGURE_INTEGERS = {"seq", "project_seq", "value_cents", "fact_seq", "start", "end"}
# One row per project of a document about several projects: its accepted figures, their status and fact seq.
PROJECT_COLUMNS = ["report_id", "seq", "name", "start", "end",
                   *(c for n in FIGURE_NAMES for c in (figure_column(n), f"{n}_status", f"{n}_fact_seq"))]
PROJECT_DECIMALS = {figure_column(n) for n in FIGURE_NAMES if n != "grade"}
PROJECT_INTEGERS = {"seq", "start", "end", *(f"{n}_fact_seq" for n in FIGURE_NAMES)}
# The numeric value column of each fact table that has one (events and indicators have none).
VALUE_COLUMNS: dict[str, str] = {name: "value_yuan" if name == "amounts" else "value"
                                 for name, cols in FACT_COLUMNS.items() if {"value", "value_yuan"} & set(cols)}
# Every table refers to a report by this column; a fact's key is (report_id, seq).
KEY_COLUMNS = ["report_id", "seq"]

# Column types: Decimal fields DECIMAL (NUMERIC affinity, exact); offsets, integers and booleans INTEGER.
_INTEGER = {"start", "end", "year", "chars", "edition", "passed", "seq", "value_cents"}


def _type(column: str, integer: set[str], decimal: set[str]) -> str:
    if column in integer:
        return "INTEGER"
    return "DECIMAL" if column in decimal else "TEXT"


def fact_columns(name: str) -> list[str]:
    """Every column of a fact table, in order: the key, the model's fields, then value_cents (amounts)."""
    return [*KEY_COLUMNS, *FACT_COLUMNS[name], *(["value_cents"] if name == "amounts" else [])]


def _figure_ddl() -> list[str]:
    """The tables and indexes of report figures (schema 6): part of a new database and of the 5 -> 6 upgrade."""
    def body(columns, integer, decimal):
        return ", ".join(f'"{c}" {_type(c, integer, decimal)}' for c in columns[2:])

    ref = "report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE, seq INTEGER NOT NULL"
    return [
        f"CREATE TABLE IF NOT EXISTS figures ({ref}, {body(FIGURE_COLUMNS, FIGURE_INTEGERS, FIGURE_DECIMALS)}, "
        "PRIMARY KEY (report_id, seq))",
        "CREATE INDEX IF NOT EXISTS figures_name ON figures(name, status)",
        f"CREATE TABLE IF NOT EXISTS projects ({ref}, {body(PROJECT_COLUMNS, PROJECT_INTEGERS, PROJECT_DECIMALS)}, "
        "PRIMARY KEY (report_id, seq))",
        "CREATE INDEX IF NOT EXISTS reports_department_key ON reports(department_key)",
        "CREATE INDEX IF NOT EXISTS amounts_level ON amounts(level)",
    ]


# Columns added by schema 6 to tables of schema 5, with their types
_ADDED_IN_6 = {
    "reports": ["department_key", "scope", "subject", *REPORT_FIGURE_COLUMNS],
    "amounts": ["level"],
}


def _added_type(table: str, column: str) -> str:
    if table == "reports":
        return _type(column, _INTEGER, REPORT_DECIMAL_COLUMNS)
    return _type(column, _INTEGER | FACT_INTEGER_COLUMNS[table], FACT_DECIMAL_COLUMNS[table])


MIGRATIONS[5] = [*(f'ALTER TABLE {t} ADD COLUMN "{c}" {_added_type(t, c)}' for t, cols in _ADDED_IN_6.items()
                   for c in cols), *_figure_ddl()]
_ADDED_IN_7 = {"reports": ["ocr_pages", "ocr_confidence", "ocr_engine"]}
MIGRATIONS[6] = [f'ALTER TABLE {t} ADD COLUMN "{c}" {_added_type(t, c)}' for t, cols in _ADDED_IN_7.items()
                 for c in cols]


def _ddl() -> list[str]:
    out = [
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS reports (" + ", ".join(
            f"{c} {_type(c, _INTEGER, REPORT_DECIMAL_COLUMNS)}{' PRIMARY KEY' if c == 'report_id' else ''}"
            for c in REPORT_COLUMNS) + ")",
        "CREATE INDEX IF NOT EXISTS reports_year ON reports(year)",
        "CREATE INDEX IF NOT EXISTS reports_department ON reports(department)",
        "CREATE INDEX IF NOT EXISTS reports_kind ON reports(report_kind)",
        "CREATE INDEX IF NOT EXISTS reports_content ON reports(content_id)",
    ]
    for name, cols in FACT_COLUMNS.items():
        integer = _INTEGER | FACT_INTEGER_COLUMNS[name]
        body = ", ".join(f'"{c}" {_type(c, integer, FACT_DECIMAL_COLUMNS[name])}'
                         for c in fact_columns(name)[2:])
        out.append(f"CREATE TABLE IF NOT EXISTS {name} ("
                   f"report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE, seq INTEGER NOT NULL, "
                   f"{body}, PRIMARY KEY (report_id, seq))")
        if "role" in cols:
            out.append(f"CREATE INDEX IF NOT EXISTS {name}_role ON {name}(role)")
        if "kind" in cols:
            out.append(f"CREATE INDEX IF NOT EXISTS {name}_kind ON {name}(kind)")
        if "value" in cols:
            out.append(f"CREATE INDEX IF NOT EXISTS {name}_value ON {name}(value)")
        if name == "indicators":   # stats look indicators up by name and group them by level
            out.append("CREATE INDEX IF NOT EXISTS indicators_name ON indicators(name)")
            out.append("CREATE INDEX IF NOT EXISTS indicators_level1 ON indicators(level1)")
    out += [
        "CREATE INDEX IF NOT EXISTS amounts_value ON amounts(value_yuan)",
        "CREATE INDEX IF NOT EXISTS amounts_cents ON amounts(value_cents)",
        "CREATE TABLE IF NOT EXISTS checks ("
        "report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE, seq INTEGER NOT NULL, "
        "name TEXT, passed INTEGER, values_json TEXT, message TEXT, PRIMARY KEY (report_id, seq))",
        "CREATE TABLE IF NOT EXISTS sentences (sentence_id INTEGER PRIMARY KEY, "
        "report_id TEXT NOT NULL REFERENCES reports(report_id) ON DELETE CASCADE, seq INTEGER, "
        '"start" INTEGER, "end" INTEGER, section TEXT, text TEXT, tokens TEXT)',
        "CREATE INDEX IF NOT EXISTS sentences_report ON sentences(report_id)",
        "CREATE VIRTUAL TABLE IF NOT EXISTS sentences_fts USING fts5("
        "tokens, content='sentences', content_rowid='sentence_id', tokenize='unicode61')",
        "CREATE VIRTUAL TABLE IF NOT EXISTS sentences_trigram USING fts5("
        "text, content='sentences', content_rowid='sentence_id', tokenize='trigram')",
        # both indexes follow the sentences table (external content): write_record adds a report's
        # sentences to them, this trigger takes deleted ones out
        "CREATE TRIGGER IF NOT EXISTS sentences_ad AFTER DELETE ON sentences BEGIN "
        "INSERT INTO sentences_fts(sentences_fts, rowid, tokens) VALUES ('delete', old.sentence_id, old.tokens); "
        "INSERT INTO sentences_trigram(sentences_trigram, rowid, text) "
        "VALUES ('delete', old.sentence_id, old.text); END",
        "CREATE TABLE IF NOT EXISTS errors (error_id INTEGER PRIMARY KEY, path TEXT NOT NULL, stage TEXT NOT NULL, "
        "code TEXT, message TEXT NOT NULL, at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS errors_path ON errors(path)",
        FILES_DDL,
        *_figure_ddl(),
        *_search_ddl(),
    ]
    return out


def _search_ddl() -> list[str]:
    """Indexes of search's fact filters (search.py): a fact by its role and value, and a fact's sentence
    by its report and offset. They change no row, so they take no schema version: every writer that opens
    a database without them adds them (a few seconds on 10,000 reports, once), and a database without
    them is searched alike, only slower."""
    out = ['CREATE INDEX IF NOT EXISTS sentences_span ON sentences(report_id, "start")',
           "CREATE INDEX IF NOT EXISTS amounts_role_cents ON amounts(role, value_cents)"]
    for name, column in VALUE_COLUMNS.items():
        if "role" in FACT_COLUMNS[name]:
            out.append(f"CREATE INDEX IF NOT EXISTS {name}_role_value ON {name}(role, {column})")
    return out


# Each file ingested, as listed (path, size, modification time), with the report it holds: a rerun
# skips a file whose stamp is here without reading it (a cluster's client never reads report bytes).
FILES_DDL = ("CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime TEXT, "
             "report_id TEXT NOT NULL)")
FILES_COLUMNS = ["path", "size", "mtime", "report_id"]


def connect(path: str | Path, create: bool = True) -> sqlite3.Connection:
    """Open (and create or check) a reportx database. Raises DatabaseError with a clear reason."""
    p = Path(path)
    if not create and not p.exists():
        raise DatabaseError("no such database; create it with `reportx ingest PATH --db FILE`", str(p))
    if create and not p.parent.is_dir():
        raise DatabaseError("its folder does not exist", str(p))
    try:
        # readers open read-only: a foreign file is never modified; a dataset we may not write (a
        # read-only file or folder) is opened immutable, so SQLite creates no -wal/-shm beside it
        target = str(p)
        if not create:
            writable = os.access(p, os.W_OK) and os.access(p.resolve().parent, os.W_OK)
            target = f"file:{quote(str(p.resolve()))}?{'mode=ro' if writable else 'immutable=1'}"
        db = sqlite3.connect(target, timeout=30, isolation_level=None, uri=not create,
                             detect_types=sqlite3.PARSE_DECLTYPES)
    except sqlite3.Error as e:
        raise DatabaseError(f"cannot open ({e})", str(p)) from None
    try:
        version = _version(db)
        _check_version(db, p, version, create)
        if create:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(FILES_DDL)
            for statement in _search_ddl():
                db.execute(statement)
        db.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as e:
        db.close()
        raise DatabaseError(f"not a reportx database ({e})", str(p)) from None
    except DatabaseError:
        db.close()
        raise
    return db


def open_reader(path: str | Path):
    """A dataset to read: a SQLite database, or a Parquet folder written by `ingest --parquet` (through
    DuckDB, with the same tables and the DB-API calls the statistics make)."""
    from . import parquet

    if parquet.is_dataset(path):
        return parquet.connect(path)
    return connect(path, create=False)


def _check_version(db: sqlite3.Connection, p: Path, version: int | None, create: bool) -> None:
    if version is None:
        if not create:
            raise DatabaseError("not a reportx database (no meta table)", str(p))
        db.execute("BEGIN")
        for statement in _ddl():
            db.execute(statement)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('created_at', ?)", (_now(),))
        db.execute("COMMIT")
    elif version > SCHEMA_VERSION:
        raise DatabaseError(f"made by a newer reportx (schema {version}, this one reads up to "
                            f"{SCHEMA_VERSION}); upgrade reportx", str(p))
    elif version in MIGRATIONS and create:
        db.execute("BEGIN IMMEDIATE")
        for v in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[v]:
                try:
                    db.execute(statement)
                except sqlite3.OperationalError as e:   # a column a newer writer already added
                    if "duplicate column name" not in str(e):
                        raise
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        db.execute("COMMIT")
    elif version < min(MIGRATIONS, default=SCHEMA_VERSION):
        raise DatabaseError(f"made by an older reportx (schema {version}); re-ingest into a new file", str(p))
    elif version < SCHEMA_VERSION:
        _read_as_is(db)


def _read_as_is(db: sqlite3.Connection) -> None:
    """An older database opened to read: temporary views (which SQLite looks up before the file's own
    tables) give it the newer columns, as NULL, and the newer tables, empty, so every query of this
    version runs on it and the file is not touched. Its reports have no figures until re-extracted
    (`reportx ingest … --force`)."""
    added_since: dict[str, list[str]] = {}
    for added_in in (_ADDED_IN_6, _ADDED_IN_7):
        for table, columns in added_in.items():
            added_since.setdefault(table, []).extend(columns)
    for table, added in added_since.items():
        have = {r[1] for r in db.execute(f"PRAGMA main.table_info({table})")}
        missing = [c for c in added if c not in have]
        if missing:
            extra = ", ".join(f'NULL AS "{c}"' for c in missing)
            db.execute(f"CREATE TEMP VIEW {table} AS SELECT *, {extra} FROM main.{table}")
    for table, columns in (("figures", FIGURE_COLUMNS), ("projects", PROJECT_COLUMNS)):
        if not db.execute("SELECT 1 FROM main.sqlite_master WHERE name = ?", (table,)).fetchone():
            cols = ", ".join(f'NULL AS "{c}"' for c in columns)
            db.execute(f"CREATE TEMP VIEW {table} AS SELECT {cols} WHERE 0")


def _version(db: sqlite3.Connection) -> int | None:
    has_meta = db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
    if not has_meta:
        tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        if tables:
            raise sqlite3.DatabaseError("it has tables but no reportx meta table")
        return None
    row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    if row is None:   # somebody else's meta table: never adopt their database
        raise sqlite3.DatabaseError("it has a meta table but no reportx schema_version")
    try:
        version = int(row[0])
    except (TypeError, ValueError):
        raise sqlite3.DatabaseError(f"its schema_version {row[0]!r} is not a number") from None
    if version == SCHEMA_VERSION or version in MIGRATIONS:
        columns = {r[1] for r in db.execute("PRAGMA table_info(reports)")}
        if not {"report_id", "content_id", "text"} <= columns:
            raise sqlite3.DatabaseError("its tables are not reportx's (no reports.report_id)")
    return version


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def has_report(db: sqlite3.Connection, report_id: str) -> bool:
    return db.execute("SELECT 1 FROM reports WHERE report_id=?", (report_id,)).fetchone() is not None


_SPACE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


def content_id(text: str) -> str:
    """The identity of a report's content: sha256 of its NFKC text without spaces or line breaks, so
    the same report as .docx and .pdf, or in UTF-8 and GBK, has one content_id."""
    flat = _SPACE.sub("", unicodedata.normalize("NFKC", text))
    return hashlib.sha256(flat.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class SentenceRow:
    start: int
    end: int
    section: str
    text: str
    tokens: str


def _attribute(fact: BaseModel, path: tuple[str, ...]) -> Any:
    """fact.target.value for ("target", "value"); None when a record on the way is None."""
    value: Any = fact
    for name in path:
        if value is None:
            return None
        value = getattr(value, name)
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return normalize_decimal(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _cents(value: Decimal) -> int | None:
    """Exact integer cents for range filters; None when not whole cents or beyond SQLite's int64."""
    cents = value * 100
    if cents != cents.to_integral_value() or abs(cents) > INT64:
        return None
    return int(cents)


@dataclass(slots=True)
class Record:
    """One report as SQL-ready rows, built where it was extracted (in a worker), so the one writer
    only inserts: no model to unpickle, no value to convert. Rows leave out report_id (added when
    written); `report` leaves duplicate_of, ingested_at and extractor_version to the writer."""

    report_id: str
    content_id: str
    source: str
    version: str
    report: dict[str, Any]
    facts: dict[str, list[list]]
    checks: list[tuple]
    sentences: list[tuple]
    figures: list[tuple] = dataclasses.field(default_factory=list)    # FIGURE_COLUMNS without report_id
    projects: list[tuple] = dataclasses.field(default_factory=list)   # PROJECT_COLUMNS without report_id

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.facts.items()}


def record(report: Report, text: str, fmt: str, sentences: Iterable[SentenceRow], version: str) -> Record:
    """The rows of one report (raises OverflowError/ValueError/ArithmeticError for a value SQLite
    cannot hold; the extractor keeps none such, numbers.storable)."""
    summary, own = report.budget_summary, report.figures
    row = {
        "report_id": report.sha256, "content_id": content_id(text), "source": report.source, "format": fmt,
        "encoding": report.encoding, "title": report.title, "department": report.department,
        "department_key": report.department_key, "year": report.year,
        "report_kind": report.report_kind, "grade": report.grade, "grade_level": report.grade_level,
        **{c: _cell(getattr(summary, c)) for c in SUMMARY_COLUMNS},
        "scope": own.scope, "subject": own.subject,
        "ocr_pages": ",".join(map(str, report.ocr.pages)) if report.ocr else None,
        "ocr_confidence": _cell(report.ocr.confidence) if report.ocr else None,
        "ocr_engine": report.ocr.engine if report.ocr else None,
        "chars": len(text), "text": text,
    }
    for name in FIGURE_NAMES:
        f = getattr(own, name)
        row[f"figure_{figure_column(name)}"] = _accepted(name, f)
        row[f"figure_{name}_status"] = f.status if f else None
    facts: dict[str, list[list]] = {}
    for name, cols in FACT_COLUMNS.items():
        paths = FACT_COLUMN_PATHS[name]
        rows = []
        for seq, fact in enumerate(getattr(report, name)):
            values = [seq, *(_cell(_attribute(fact, paths[c])) for c in cols)]
            if name == "amounts":
                values.append(_cents(fact.value_yuan))
            rows.append(values)
        facts[name] = rows
    checks = [(i, c.name, int(c.passed), json.dumps({k: _cell(v) for k, v in c.values.items()}, ensure_ascii=False),
               c.message) for i, c in enumerate(report.checks)]
    sents = [(i, s.start, s.end, s.section, s.text, s.tokens) for i, s in enumerate(sentences)]
    figures: list[tuple] = []
    for project_seq, holder in [(None, own), *enumerate(report.projects)]:
        for name in FIGURE_NAMES:
            f = getattr(holder, name)
            if f is not None:
                figures.append(_figure_row(len(figures), project_seq, name, f))
    projects = [(i, p.name, p.start, p.end,
                 *(v for n in FIGURE_NAMES for f in [getattr(p, n)]
                   for v in (_accepted(n, f), f.status if f else None, f.fact_seq if f else None)))
                for i, p in enumerate(report.projects)]
    return Record(report.sha256, row["content_id"], report.source, version, row, facts, checks, sents,
                  figures, projects)


def _accepted(name: str, f: Figure | None) -> Any:
    """A figure's value for the columns that hold accepted figures: NULL unless its status is ok."""
    if f is None or f.status != "ok":
        return None
    return f.label if name == "grade" else _cell(f.value)


def _figure_row(seq: int, project_seq: int | None, name: str, f: Figure) -> tuple:
    cents = _cents(f.value) if f.value is not None and name in MONEY_FIGURES else None
    return (seq, project_seq, name, _cell(f.value), cents, f.label, f.status, f.fact_type, f.fact_seq, f.text,
            f.start, f.end, f.rule, f.reason)


@functools.cache
def _insert_sql(name: str) -> str:
    columns = fact_columns(name)
    quoted = ", ".join(f'"{c}"' for c in columns)
    return f"INSERT INTO {name} ({quoted}) VALUES ({', '.join('?' * len(columns))})"


_REPORT_SQL = f"INSERT INTO reports ({', '.join(REPORT_COLUMNS)}) VALUES ({', '.join('?' * len(REPORT_COLUMNS))})"


def _rows_sql(table: str, columns: list[str]) -> str:
    return (f"INSERT INTO {table} ({', '.join(chr(34) + c + chr(34) for c in columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})")


_FIGURE_SQL = _rows_sql("figures", FIGURE_COLUMNS)
_PROJECT_SQL = _rows_sql("projects", PROJECT_COLUMNS)


def known_file(db: sqlite3.Connection, stamp: tuple[str, int | None, str | None]) -> bool:
    """A file with this (path, size, mtime) was ingested and its report is stored."""
    path, size, mtime = stamp
    if size is None or mtime is None:
        return False
    return db.execute("SELECT 1 FROM files f JOIN reports r ON r.report_id = f.report_id "
                      "WHERE f.path = ? AND f.size = ? AND f.mtime = ?", (path, size, mtime)).fetchone() is not None


def _write_file(db: sqlite3.Connection, stamp: tuple[str, int | None, str | None] | None, report_id: str) -> None:
    if stamp is not None and stamp[1] is not None and stamp[2] is not None:
        db.execute("INSERT OR REPLACE INTO files (path, size, mtime, report_id) VALUES (?, ?, ?, ?)",
                   (*stamp, report_id))


def write_record(db: sqlite3.Connection, rec: Record, replace: bool = False,
                 stamp: tuple[str, int | None, str | None] | None = None) -> bool:
    """Write one report's rows, all or nothing (a savepoint: inside the caller's transaction, or its
    own); False if the report was already there and `replace` is off. `stamp` (path, size, mtime)
    records the file it came from, so a rerun can skip that file unread."""
    report_id = rec.report_id
    db.execute("SAVEPOINT report")
    try:
        _write_file(db, stamp, report_id)
        if has_report(db, report_id):
            if not replace:
                db.execute("RELEASE report")
                return False
            db.execute("DELETE FROM sentences WHERE report_id=?", (report_id,))  # fires the FTS triggers
            db.execute("DELETE FROM reports WHERE report_id=?", (report_id,))
        first = db.execute("SELECT report_id FROM reports WHERE content_id=? AND duplicate_of IS NULL "
                           "AND report_id<>? LIMIT 1", (rec.content_id, report_id)).fetchone()
        row = {**rec.report, "duplicate_of": first[0] if first else None, "ingested_at": _now(),
               "extractor_version": rec.version}
        db.execute(_REPORT_SQL, [row[c] for c in REPORT_COLUMNS])
        for name, rows in rec.facts.items():
            if rows:
                db.executemany(_insert_sql(name), [(report_id, *r) for r in rows])
        db.executemany(
            "INSERT INTO checks (report_id, seq, name, passed, values_json, message) VALUES (?, ?, ?, ?, ?, ?)",
            [(report_id, *c) for c in rec.checks])
        if rec.figures:
            db.executemany(_FIGURE_SQL, [(report_id, *r) for r in rec.figures])
        if rec.projects:
            db.executemany(_PROJECT_SQL, [(report_id, *r) for r in rec.projects])
        db.executemany(
            'INSERT INTO sentences (report_id, seq, "start", "end", section, text, tokens) VALUES (?, ?, ?, ?, ?, ?, ?)',
            [(report_id, *r) for r in rec.sentences])
        # one statement per index, not a trigger per sentence: 2.7 instead of 5.2 ms a report
        db.execute("INSERT INTO sentences_fts(rowid, tokens) SELECT sentence_id, tokens FROM sentences "
                   "WHERE report_id=?", (report_id,))
        db.execute("INSERT INTO sentences_trigram(rowid, text) SELECT sentence_id, text FROM sentences "
                   "WHERE report_id=?", (report_id,))
        db.execute("DELETE FROM errors WHERE path=?", (rec.source,))
        db.execute("RELEASE report")
    except BaseException:
        if db.in_transaction:
            try:
                db.execute("ROLLBACK TO report")
                db.execute("RELEASE report")
            except sqlite3.Error:
                pass   # SQLite already rolled the transaction back (a full disk): the error says why
        raise
    return True


def write_report(db: sqlite3.Connection, report: Report, text: str, fmt: str, sentences: Iterable[SentenceRow],
                 version: str, replace: bool = False) -> bool:
    """Write one report with all its facts in ONE transaction; False if it was already there.

    A process killed at any moment leaves either the whole report or nothing of it.
    """
    rec = record(report, text, fmt, sentences, version)
    db.execute("BEGIN IMMEDIATE")
    try:
        written = write_record(db, rec, replace)
        db.execute("COMMIT")
    except BaseException:
        _rollback(db)
        raise
    return written


class Batch:
    """Reports and errors written in one transaction, committed every `size` reports or `seconds`
    (and at the end): a commit costs about as much as writing a report, so one per report would
    cost the writer a fifth of its speed. Each report is still all-or-nothing (write_record's
    savepoint); a process killed mid-batch loses the uncommitted reports whole, and a rerun writes
    them. When the disk fills up, SQLite drops the open transaction: its reports are then written
    again one per transaction, so every report that fits is kept, before the error is raised."""

    def __init__(self, db: sqlite3.Connection, size: int = 100, seconds: float = 0.25):
        self.db, self.size, self.seconds = db, size, seconds
        self.pending: list[Callable[[], object]] = []   # what the open transaction holds, to redo
        self.opened = 0.0

    def write(self, rec: Record, replace: bool = False, stamp: tuple | None = None) -> bool:
        return self._do(lambda: write_record(self.db, rec, replace, stamp))

    def error(self, path: str, stage: str, code: str | None, message: str) -> None:
        self._do(lambda: _write_error(self.db, path, stage, code, message))

    def file(self, stamp: tuple, report_id: str) -> None:
        """Record that the file `stamp` holds the stored report `report_id` (a rerun skips it unread)."""
        self._do(lambda: _write_file(self.db, stamp, report_id))

    def commit_if_due(self) -> None:
        """Commit when the open transaction is `seconds` old: called before waiting, so that finished
        reports are not held uncommitted (and the write lock not kept) while nothing arrives."""
        if self.pending and time.monotonic() - self.opened >= self.seconds:
            self.commit()

    def commit(self) -> None:
        if self.db.in_transaction:
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error as e:
                if storage_failed(e):
                    self._salvage()
                raise
        self.pending.clear()

    def _do(self, step: Callable[[], Any]) -> Any:
        if not self.db.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")
            self.pending.clear()
            self.opened = time.monotonic()
        try:
            result = step()
        except sqlite3.Error as e:
            if storage_failed(e):
                self._salvage()
            raise
        self.pending.append(step)
        if len(self.pending) >= self.size or time.monotonic() - self.opened >= self.seconds:
            self.commit()
        return result

    def _salvage(self) -> None:
        """The disk is full: keep what fits of the open transaction, one step per transaction."""
        _rollback(self.db)
        steps, self.pending = self.pending, []
        for step in steps:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                step()
                self.db.execute("COMMIT")
            except sqlite3.Error:
                _rollback(self.db)
                return


def _rollback(db: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open (SQLite may already have, e.g. on a full disk), without
    hiding the error that caused it."""
    if db.in_transaction:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def storage_failed(e: sqlite3.Error) -> bool:
    """The database could not be written at all: a full disk, a file size limit, an I/O error."""
    text = str(e).lower()
    return any(w in text for w in ("disk is full", "disk i/o error", "file too large", "readonly database",
                                   "read-only"))


def write_error(db: sqlite3.Connection, path: str, stage: str, code: str | None, message: str) -> None:
    """Record a file that could not be ingested (replacing older errors for the same path)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        _write_error(db, path, stage, code, message)
        db.execute("COMMIT")
    except BaseException:
        _rollback(db)
        raise


def _write_error(db: sqlite3.Connection, path: str, stage: str, code: str | None, message: str) -> None:
    db.execute("DELETE FROM errors WHERE path=?", (path,))
    db.execute("INSERT INTO errors (path, stage, code, message, at) VALUES (?, ?, ?, ?, ?)",
               (path, stage, code, message, _now()))


def like_escape(text: str) -> str:
    """`text` as a literal inside LIKE ... ESCAPE '\\' (% and _ are not wildcards)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def report_filter(kind: str | None = None, year: int | None = None, department: str | None = None,
                  duplicates: bool = False, alias: str = "r") -> tuple[str, list]:
    """SQL conditions on `reports` (as `alias`) for the common filters, and their arguments."""
    from . import dictionary

    dictionary.check_value(kind, dictionary.known_values("reports", "report_kind"), "--kind")
    where, args = [], []
    if not duplicates:
        where.append(f"{alias}.duplicate_of IS NULL")
    if kind:
        where.append(f"{alias}.report_kind = ?")
        args.append(kind)
    if year is not None:
        where.append(f"{alias}.year = ?")
        args.append(year)
    if department:   # the name as written or its key (…人民政府 and …政府 alike)
        where.append(f"({alias}.department LIKE ? ESCAPE '\\' OR {alias}.department_key LIKE ? ESCAPE '\\')")
        args += [f"%{like_escape(department)}%"] * 2
    return " AND ".join(where) or "1", args
