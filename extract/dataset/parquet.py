"""The dataset as a folder of Parquet files, written batch by batch by whoever extracts (a Dask worker),
read with DuckDB (`reportx stats --parquet`, `reportx search --parquet`), pandas or Spark.

    OUTDIR/<table>/part-<hash>.parquet      one file per batch per table

Tables and columns are the SQLite dataset's (`reportx export`), except the row ids that mean nothing
outside one database (sentences.sentence_id, errors.error_id), plus `files` (each file ingested, as
listed: path, size, mtime, report_id). Decimals are decimal128(38, 18) in every file (Spark's
default decimal), so every file of a table has one schema and DuckDB sums them exactly; a value that
needs more than 18 places or 20 integer digits (none the extractor keeps) is left NULL rather than
rounded.

A batch is named by the hash of its content (its files and the reports they hold), and its `files`
part is written last, each part to a temporary name first and then renamed: a batch whose `files`
part exists is complete, and readers see complete batches only. A batch written twice (a task retried
on another worker, a rerun) overwrites itself. The same report in two batches (the same bytes under
two names) is kept once, from its first source in path order (as SQLite keeps the first file) and,
re-extracted (--force), its latest extraction; a file's latest stamp is its `files` row; and
`duplicate_of` (another file's report with the same content) is worked out when read.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from datetime import datetime, timezone
from decimal import Context, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

from ..errors import DatabaseError
from . import store

SCALE = 18
_STEP = Decimal(1).scaleb(-SCALE)
_WIDE = Context(prec=38)

FACT_TABLES = tuple(store.FACT_COLUMNS)
CHECK_COLUMNS = ["report_id", "seq", "name", "passed", "values_json", "message"]
SENTENCE_COLUMNS = ["report_id", "seq", "start", "end", "section", "text", "tokens"]
ERROR_COLUMNS = ["path", "stage", "code", "message", "at"]
TABLES = ("reports", *FACT_TABLES, "checks", "figures", "projects", "sentences", "errors",
          "files")   # files last: the commit mark


def columns(table: str) -> list[str]:
    if table == "reports":
        return list(store.REPORT_COLUMNS)
    if table in store.FACT_COLUMNS:
        return store.fact_columns(table)
    return {"checks": CHECK_COLUMNS, "sentences": SENTENCE_COLUMNS, "errors": ERROR_COLUMNS,
            "files": store.FILES_COLUMNS, "figures": store.FIGURE_COLUMNS, "projects": store.PROJECT_COLUMNS}[table]


def _kinds(table: str) -> dict[str, str]:
    """column -> "int", "decimal" or "str", as the SQLite column types say."""
    if table == "reports":
        integer, decimal = {"year", "chars"}, store.REPORT_DECIMAL_COLUMNS
    elif table == "figures":
        integer, decimal = store.FIGURE_INTEGERS, store.FIGURE_DECIMALS
    elif table == "projects":
        integer, decimal = store.PROJECT_INTEGERS, store.PROJECT_DECIMALS
    elif table in store.FACT_COLUMNS:
        integer = {"seq", "start", "end", "value_cents", *store.FACT_INTEGER_COLUMNS[table]}
        decimal = store.FACT_DECIMAL_COLUMNS[table]
    else:
        integer, decimal = {"seq", "passed", "start", "end", "size"}, set()
    return {c: "int" if c in integer else "decimal" if c in decimal else "str" for c in columns(table)}


def schema(table: str):
    import pyarrow as pa

    types = {"int": pa.int64(), "decimal": pa.decimal128(38, SCALE), "str": pa.string()}
    return pa.schema([pa.field(c, types[k]) for c, k in _kinds(table).items()])


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        d = Decimal(str(value))
        q = d.quantize(_STEP, context=_WIDE)
    except InvalidOperation:
        return None   # more digits than decimal128(38, 18) holds: left out, never rounded
    return q if q == d else None


def _table(table: str, rows: list[list]):
    import pyarrow as pa

    sch = schema(table)
    kinds = list(_kinds(table).values())
    cols = list(zip(*rows)) if rows else [()] * len(kinds)
    arrays = []
    for kind, field, values in zip(kinds, sch, cols):
        if kind == "decimal":
            values = [_decimal(v) for v in values]
        elif kind == "str":
            values = [None if v is None else str(v) for v in values]
        arrays.append(pa.array(list(values), type=field.type))
    return pa.Table.from_arrays(arrays, schema=sch)


def batch_rows(entries: Iterable[tuple[tuple, dict]], version: str | None = None) -> dict[str, list[list]]:
    """Rows per table for a batch of (stamp, result): results of ingest.process (a record, or an error)."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    out: dict[str, list[list]] = {t: [] for t in TABLES}
    for stamp, result in entries:
        source = stamp[0]
        if "error" in result:
            out["errors"].append([source, result["stage"], result["code"], result["error"], now])
            continue
        rec: store.Record = result["record"]
        row = {**rec.report, "duplicate_of": None, "ingested_at": now, "extractor_version": version or rec.version}
        out["reports"].append([row[c] for c in store.REPORT_COLUMNS])
        for name, rows in rec.facts.items():
            out[name].extend([rec.report_id, *r] for r in rows)
        out["checks"].extend([rec.report_id, *c] for c in rec.checks)
        out["figures"].extend([rec.report_id, *f] for f in rec.figures)
        out["projects"].extend([rec.report_id, *p] for p in rec.projects)
        out["sentences"].extend([rec.report_id, *s] for s in rec.sentences)
        if stamp[1] is not None and stamp[2] is not None:
            out["files"].append([*stamp, rec.report_id])
    return out


def batch_hash(entries: list[tuple[tuple, dict]]) -> str:
    """The batch's name: the hash of what it holds (each file's stamp and its report or error)."""
    h = hashlib.sha256()
    for stamp, result in sorted(entries, key=lambda e: e[0][0]):
        held = result["record"].report_id if "record" in result else f"error:{result.get('code')}"
        h.update(json.dumps([*stamp, held], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()[:32]


def write_batch(out_dir: str | os.PathLike, entries: list[tuple[tuple, dict]]) -> str | None:
    """Write one batch's parts, every table (empty ones too: each batch has the full schema), `files`
    last; returns the batch's hash (None for an empty batch)."""
    import pyarrow.parquet as pq

    if not entries:
        return None
    name = batch_hash(entries)
    rows = batch_rows(entries)
    root = Path(out_dir)
    for table in TABLES:
        folder = root / table
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"part-{name}.parquet"
        tmp = folder / f".part-{name}.{uuid.uuid4().hex}.tmp"
        pq.write_table(_table(table, rows[table]), tmp)
        os.replace(tmp, final)
    return name


# ------------------------------------------------------------------------------------------ reading

def committed(out_dir: str | os.PathLike) -> list[str]:
    """Hashes of the complete batches (those whose `files` part was written), in name order."""
    folder = Path(out_dir) / "files"
    if not folder.is_dir():
        return []
    return sorted(p.name[len("part-"):-len(".parquet")] for p in folder.glob("part-*.parquet"))


def parts(out_dir: str | os.PathLike, table: str) -> list[str]:
    root = Path(out_dir) / table
    return [str(root / f"part-{h}.parquet") for h in committed(out_dir)]


def known_stamps(out_dir: str | os.PathLike) -> set[tuple]:
    """(path, size, mtime) of every file a complete batch holds: a rerun skips them unread."""
    import pyarrow.parquet as pq

    stamps = set()
    for path in parts(out_dir, "files"):
        t = pq.read_table(path, columns=["path", "size", "mtime"])
        stamps.update(zip(*(t.column(c).to_pylist() for c in ("path", "size", "mtime"))))
    return stamps


def is_dataset(path: str | os.PathLike) -> bool:
    return Path(path).is_dir() and (Path(path) / "files").is_dir()


def _files_literal(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def connect(out_dir: str | os.PathLike):
    """A DuckDB connection over the dataset's complete batches: one view per table, as in SQLite
    (reports deduplicated by report_id, duplicate_of filled in), behind a DB-API-like adapter."""
    import duckdb

    root = Path(out_dir)
    if not is_dataset(root):
        raise DatabaseError("not a reportx Parquet dataset (no files/ folder); write one with "
                            "`reportx ingest PATH --parquet DIR`", str(root))
    batches = committed(root)
    if not batches:
        raise DatabaseError("the Parquet dataset has no complete batch yet", str(root))
    con = duckdb.connect()
    batch = r"regexp_extract(filename, 'part-([0-9a-f]+)\.parquet$', 1)"

    def source(table: str) -> str:
        """The table's complete parts, with every column of this version: a dataset written by an older
        reportx (no figures/ parts, no amounts.level) reads the newer columns as NULL, the tables empty."""
        files = [f for f in parts(root, table) if os.path.exists(f)]
        if not files:
            con.register(f"_empty_{table}", schema(table).empty_table())
            return f"(SELECT *, NULL::VARCHAR AS filename FROM _empty_{table})"
        raw = f"read_parquet({_files_literal(files)}, filename=true, union_by_name=true)"
        have = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {raw}").fetchall()}
        types = {"int": "BIGINT", "decimal": f"DECIMAL(38, {SCALE})", "str": "VARCHAR"}
        missing = [f'NULL::{types[k]} AS "{c}"' for c, k in _kinds(table).items() if c not in have]
        return f"(SELECT *{''.join(', ' + m for m in missing)} FROM {raw})"

    con.execute(f"CREATE VIEW _one AS SELECT * EXCLUDE (filename), {batch} AS _batch FROM {source('reports')} "
                "QUALIFY row_number() OVER (PARTITION BY report_id ORDER BY source, ingested_at DESC, _batch) = 1")
    con.execute("CREATE VIEW _first AS SELECT content_id, arg_min(report_id, source) AS first_id FROM _one "
                "GROUP BY content_id")
    con.execute("CREATE VIEW reports AS SELECT o.* EXCLUDE (_batch) REPLACE (CASE WHEN o.report_id = f.first_id "
                "THEN NULL ELSE f.first_id END AS duplicate_of) FROM _one o JOIN _first f ON f.content_id = o.content_id")
    for table in (*FACT_TABLES, "checks", "figures", "projects", "sentences"):
        con.execute(f"CREATE VIEW {table} AS SELECT t.* EXCLUDE (filename) FROM {source(table)} t "
                    f"JOIN _one k ON k.report_id = t.report_id AND k._batch = {batch.replace('filename', 't.filename')}")
    con.execute(f"CREATE VIEW files AS SELECT * EXCLUDE (filename) FROM {source('files')} "
                "QUALIFY row_number() OVER (PARTITION BY path ORDER BY try_cast(mtime AS BIGINT) DESC NULLS LAST, "
                "mtime DESC, filename) = 1")
    # as in SQLite: a file's latest error, and none once the file has given a report
    con.execute(f"CREATE VIEW errors AS SELECT * EXCLUDE (filename) FROM {source('errors')} e "
                "WHERE NOT EXISTS (SELECT 1 FROM _one o WHERE o.source = e.path) "
                "QUALIFY row_number() OVER (PARTITION BY path ORDER BY \"at\" DESC, filename) = 1")
    return Reader(con)


class Reader:
    """The DB-API calls the statistics and search code make on SQLite (execute with ? parameters,
    iterate, fetchone, fetchall, close), on DuckDB. Results are fetched whole: a query may run while
    the rows of another are being read."""

    def __init__(self, con):
        self.con = con

    def execute(self, sql: str, params: Iterable = ()):
        return _Rows(self.con.execute(sql, list(params)).fetchall())

    def close(self) -> None:
        self.con.close()


class _Rows:
    def __init__(self, rows: list[tuple]):
        self.rows = rows
        self.pos = 0

    def __iter__(self):
        while self.pos < len(self.rows):
            self.pos += 1
            yield self.rows[self.pos - 1]

    def fetchone(self):
        if self.pos >= len(self.rows):
            return None
        self.pos += 1
        return self.rows[self.pos - 1]

    def fetchall(self) -> list[tuple]:
        rest, self.pos = self.rows[self.pos:], len(self.rows)
        return rest

    def fetchmany(self, n: int) -> list[tuple]:
        rest = self.rows[self.pos:self.pos + n]
        self.pos += len(rest)
        return rest
