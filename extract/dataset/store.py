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

import hashlib
import json
import os
import re
import sqlite3
import types
import typing
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

from pydantic import BaseModel

from ..errors import DatabaseError
from ..models import FACT_TYPES, BudgetSummary, Report
from ..numbers import INT64, normalize_decimal

# 2: the `indicators` table; 3: `points`, directions; 4: typed numbers, report_id everywhere,
# content_id/duplicate_of, grade_level. A database of another version is refused with what to do.
SCHEMA_VERSION = 4

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
REPORT_COLUMNS = ["report_id", "content_id", "duplicate_of", "source", "format", "encoding", "title", "department",
                  "year", "report_kind", "grade", "grade_level", *SUMMARY_COLUMNS, "chars", "text", "ingested_at",
                  "extractor_version"]
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


def _ddl() -> list[str]:
    summary = set(SUMMARY_COLUMNS)
    out = [
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS reports (" + ", ".join(
            f"{c} {_type(c, _INTEGER, summary)}{' PRIMARY KEY' if c == 'report_id' else ''}"
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
        # keep both indexes in step with the sentences table (external content)
        "CREATE TRIGGER IF NOT EXISTS sentences_ai AFTER INSERT ON sentences BEGIN "
        "INSERT INTO sentences_fts(rowid, tokens) VALUES (new.sentence_id, new.tokens); "
        "INSERT INTO sentences_trigram(rowid, text) VALUES (new.sentence_id, new.text); END",
        "CREATE TRIGGER IF NOT EXISTS sentences_ad AFTER DELETE ON sentences BEGIN "
        "INSERT INTO sentences_fts(sentences_fts, rowid, tokens) VALUES ('delete', old.sentence_id, old.tokens); "
        "INSERT INTO sentences_trigram(sentences_trigram, rowid, text) "
        "VALUES ('delete', old.sentence_id, old.text); END",
        "CREATE TABLE IF NOT EXISTS errors (error_id INTEGER PRIMARY KEY, path TEXT NOT NULL, stage TEXT NOT NULL, "
        "code TEXT, message TEXT NOT NULL, at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS errors_path ON errors(path)",
    ]
    return out


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
        db.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as e:
        db.close()
        raise DatabaseError(f"not a reportx database ({e})", str(p)) from None
    except DatabaseError:
        db.close()
        raise
    return db


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
    elif version < SCHEMA_VERSION:
        raise DatabaseError(f"made by an older reportx (schema {version}); re-ingest into a new file", str(p))


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
    if version == SCHEMA_VERSION:
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


def write_report(db: sqlite3.Connection, report: Report, text: str, fmt: str, sentences: Iterable[SentenceRow],
                 version: str, replace: bool = False) -> bool:
    """Write one report with all its facts in ONE transaction; False if it was already there.

    A process killed at any moment leaves either the whole report or nothing of it.
    """
    report_id = report.sha256
    db.execute("BEGIN IMMEDIATE")
    try:
        if has_report(db, report_id):
            if not replace:
                db.execute("ROLLBACK")
                return False
            db.execute("DELETE FROM sentences WHERE report_id=?", (report_id,))  # fires the FTS triggers
            db.execute("DELETE FROM reports WHERE report_id=?", (report_id,))
        summary = report.budget_summary
        cid = content_id(text)
        first = db.execute("SELECT report_id FROM reports WHERE content_id=? AND duplicate_of IS NULL "
                           "AND report_id<>? LIMIT 1", (cid, report_id)).fetchone()
        row = {
            "report_id": report_id, "content_id": cid, "duplicate_of": first[0] if first else None,
            "source": report.source, "format": fmt, "encoding": report.encoding,
            "title": report.title, "department": report.department, "year": report.year,
            "report_kind": report.report_kind, "grade": report.grade, "grade_level": report.grade_level,
            **{c: _cell(getattr(summary, c)) for c in SUMMARY_COLUMNS},
            "chars": len(text), "text": text, "ingested_at": _now(), "extractor_version": version,
        }
        db.execute(f"INSERT INTO reports ({', '.join(REPORT_COLUMNS)}) VALUES ({', '.join('?' * len(REPORT_COLUMNS))})",
                   [row[c] for c in REPORT_COLUMNS])
        for name, cols in FACT_COLUMNS.items():
            facts = getattr(report, name)
            if not facts:
                continue
            columns = fact_columns(name)
            paths = FACT_COLUMN_PATHS[name]
            quoted = ", ".join(f'"{c}"' for c in columns)
            sql = f"INSERT INTO {name} ({quoted}) VALUES ({', '.join('?' * len(columns))})"
            rows = []
            for seq, fact in enumerate(facts):
                values = [report_id, seq, *(_cell(_attribute(fact, paths[c])) for c in cols)]
                if name == "amounts":
                    values.append(_cents(fact.value_yuan))
                rows.append(values)
            db.executemany(sql, rows)
        db.executemany(
            "INSERT INTO checks (report_id, seq, name, passed, values_json, message) VALUES (?, ?, ?, ?, ?, ?)",
            [(report_id, i, c.name, int(c.passed),
              json.dumps({k: _cell(v) for k, v in c.values.items()}, ensure_ascii=False), c.message)
             for i, c in enumerate(report.checks)])
        db.executemany(
            'INSERT INTO sentences (report_id, seq, "start", "end", section, text, tokens) VALUES (?, ?, ?, ?, ?, ?, ?)',
            [(report_id, i, s.start, s.end, s.section, s.text, s.tokens) for i, s in enumerate(sentences)])
        db.execute("DELETE FROM errors WHERE path=?", (report.source,))
        db.execute("COMMIT")
    except BaseException:
        _rollback(db)
        raise
    return True


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
        db.execute("DELETE FROM errors WHERE path=?", (path,))
        db.execute("INSERT INTO errors (path, stage, code, message, at) VALUES (?, ?, ?, ?, ?)",
                   (path, stage, code, message, _now()))
        db.execute("COMMIT")
    except BaseException:
        _rollback(db)
        raise


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
    if department:
        where.append(f"{alias}.department LIKE ? ESCAPE '\\'")
        args.append(f"%{like_escape(department)}%")
    return " AND ".join(where) or "1", args
