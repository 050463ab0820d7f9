"""Export every table of the dataset to Parquet, CSV or JSON Lines, streaming in batches.

Numbers stay exact and numeric where the format has numbers: Parquet gets decimal128 columns whose
scale fits the data (money in yuan to the fen at least; rates, scores and counts to the most places
written), CSV and JSON Lines get plain decimal strings (602800, 97.94; no exponent, no float). CSV is
UTF-8 with a byte-order mark, so Excel on Chinese Windows opens it correctly (`bom=False` for
tools that dislike one). One file per table, fact tables named as in the JSON output; the data
dictionary (DATA_DICTIONARY.md and data_dictionary.json) is written beside them.

Filters select reports (kind, year, department; duplicates of another file's content are left out
unless asked for) and, with `role`, the fact rows of that role; every table then holds only rows of
the selected reports.
"""

from __future__ import annotations

import csv
import json
from decimal import Context, Decimal
from pathlib import Path

from ..errors import UsageError
from ..numbers import normalize_decimal
from . import dictionary, store

TABLES = ("reports", *store.FACT_COLUMNS, "checks", "figures", "projects", "sentences", "errors", "files")
DECIMAL_COLUMNS = {"reports": store.REPORT_DECIMAL_COLUMNS, **store.FACT_DECIMAL_COLUMNS,
                   "figures": store.FIGURE_DECIMALS, "projects": store.PROJECT_DECIMALS}
BATCH = 5000
_WIDE = Context(prec=38)   # decimal128's precision: quantizing never rounds what fits
FORMATS = ("parquet", "csv", "jsonl")


def export(db_path, out_dir, fmt: str = "parquet", kind: str | None = None, year: int | None = None,
           department: str | None = None, role: str | None = None, duplicates: bool = True,
           bom: bool = True) -> dict[str, int]:
    """Write OUT_DIR/<table>.<ext> for every table and the data dictionary; returns rows per table."""
    if fmt not in FORMATS:
        raise UsageError("--format must be parquet, csv or jsonl")
    from . import dictionary

    dictionary.check_value(role, dictionary.known_roles(), "--role")   # before the folder is made
    db = store.connect(db_path, create=False)   # before the folder: a missing database creates nothing
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    try:
        where, args = store.report_filter(kind, year, department, duplicates)
        for table in TABLES:
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            if not columns:
                continue   # `files` in a database of schema 4 (read as it is)
            sql, params = _select(table, columns, where, args, role)
            decimals = DECIMAL_COLUMNS.get(table, set()) & set(columns)
            writer = {"parquet": _parquet, "csv": _csv, "jsonl": _jsonl}[fmt]
            path = out / f"{table}.{fmt}"
            if fmt == "parquet":
                counts[table] = _parquet(db, sql, params, table, columns, decimals, path)
            else:
                counts[table] = writer(db.execute(sql, params), columns, path, bom)
        dictionary.write(out)
    finally:
        db.close()
    return counts


def _select(table: str, columns: list[str], where: str, args: list, role: str | None) -> tuple[str, list]:
    quoted = ", ".join(f't."{c}"' for c in columns)
    if table == "reports":
        return f"SELECT {quoted} FROM reports t WHERE {where.replace('r.', 't.')}", list(args)
    if table in ("errors", "files"):
        return f"SELECT {quoted} FROM {table} t", []
    sql = f"SELECT {quoted} FROM {table} t JOIN reports r ON r.report_id = t.report_id WHERE {where}"
    params = list(args)
    if role and "role" in columns:
        sql += " AND t.role = ?"
        params.append(role)
    return sql + " ORDER BY t.report_id, t.seq", params


def _plain(value):
    return normalize_decimal(value) if isinstance(value, Decimal) else value


def _batches(cur):
    while rows := cur.fetchmany(BATCH):
        yield rows


def _csv(cur, columns, path: Path, bom: bool) -> int:
    n = 0
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for rows in _batches(cur):
            w.writerows([_plain(v) for v in row] for row in rows)
            n += len(rows)
    return n


def _jsonl(cur, columns, path: Path, bom: bool) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for rows in _batches(cur):
            for row in rows:
                f.write(json.dumps({c: _plain(v) for c, v in zip(columns, row)}, ensure_ascii=False) + "\n")
            n += len(rows)
    return n


def decimal_type(values, money: bool):
    """The decimal128 type that holds every value exactly: the most places written (at least 2 for money,
    to the fen) and the most integer digits; None when the values need more than 38 digits."""
    import pyarrow as pa

    scale, whole = (2 if money else 0), 1
    for v in values:
        if v is None:
            continue
        _, digits, exponent = Decimal(v).normalize(_WIDE).as_tuple()
        scale = max(scale, -exponent)
        whole = max(whole, len(digits) + exponent)
    if whole + scale > 38:
        return None
    return pa.decimal128(whole + scale, scale)


def _parquet(db, sql: str, params: list, table: str, columns: list[str], decimals: set[str], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {row[1]: row[2] for row in db.execute(f"PRAGMA table_info({table})")}
    fields = []
    for c in columns:
        if c in decimals:   # a first pass over the column: the precision and scale its values need
            values = (row[0] for row in db.execute(f'SELECT t."{c}" FROM ({sql}) t', params))
            arrow = decimal_type(values, money=c.endswith("_yuan")) or pa.string()
        elif types.get(c) == "INTEGER":
            arrow = pa.int64()
        else:
            arrow = pa.string()
        description = dictionary.describe(table, c)
        fields.append(pa.field(c, arrow, metadata={"description": description} if description else None))
    schema = pa.schema(fields, metadata={"description": dictionary.table_description(table)})
    n = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        for rows in _batches(db.execute(sql, params)):
            arrays = []
            for c, values in zip(columns, zip(*rows)):
                kind = schema.field(c).type
                if pa.types.is_decimal(kind):
                    step = Decimal(1).scaleb(-kind.scale)
                    values = [None if v is None else Decimal(v).quantize(step, context=_WIDE) for v in values]
                elif pa.types.is_string(kind):
                    values = [None if v is None else _plain(v) if isinstance(v, Decimal) else str(v)
                              for v in values]
                arrays.append(pa.array(values, type=kind))
            writer.write_batch(pa.record_batch(arrays, schema=schema))
            n += len(rows)
        if n == 0:
            writer.write_table(schema.empty_table())
    return n
