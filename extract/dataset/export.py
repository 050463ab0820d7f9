"""Export every table of the dataset to Parquet, CSV or JSON Lines, streaming in batches.

Decimal columns (value_yuan, rates, scores, indicators' weight, score, target_value and actual_value …)
stay exact: Parquet gets decimal128(38, 10), CSV and JSON Lines get the decimal strings as stored.
One file per table, fact tables named as in the JSON output (indicators.parquet …).
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

from ..errors import UsageError
from . import store

TABLES = ("reports", *store.FACT_COLUMNS, "checks", "sentences", "errors")
DECIMAL_COLUMNS = {"reports": set(store.SUMMARY_COLUMNS), **store.FACT_DECIMAL_COLUMNS}
BATCH = 5000


def export(db_path, out_dir, fmt: str = "parquet") -> dict[str, int]:
    """Write OUT_DIR/<table>.<ext> for every table; returns rows written per table."""
    if fmt not in ("parquet", "csv", "jsonl"):
        raise UsageError("--format must be parquet, csv or jsonl")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = store.connect(db_path, create=False)
    counts = {}
    try:
        for table in TABLES:
            declared = {row[1]: row[2] for row in db.execute(f"PRAGMA table_info({table})")}
            cur = db.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cur.description]
            types = {c: "DECIMAL" if c in DECIMAL_COLUMNS.get(table, ()) else declared.get(c, "TEXT")
                     for c in columns}
            writer = {"parquet": _parquet, "csv": _csv, "jsonl": _jsonl}[fmt]
            counts[table] = writer(cur, columns, types, out / f"{table}.{fmt}")
    finally:
        db.close()
    return counts


def _batches(cur):
    while rows := cur.fetchmany(BATCH):
        yield rows


def _csv(cur, columns, types, path: Path) -> int:
    n = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for rows in _batches(cur):
            w.writerows(rows)
            n += len(rows)
    return n


def _jsonl(cur, columns, types, path: Path) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for rows in _batches(cur):
            for row in rows:
                f.write(json.dumps(dict(zip(columns, row)), ensure_ascii=False) + "\n")
            n += len(rows)
    return n


def _parquet(cur, columns, types, path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = {"DECIMAL": pa.decimal128(38, 10), "INTEGER": pa.int64()}
    schema = pa.schema([(c, arrow.get(types[c], pa.string())) for c in columns])
    n = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        for rows in _batches(cur):
            cols = list(zip(*rows))
            arrays = []
            for c, values in zip(columns, cols):
                if types[c] == "DECIMAL":
                    values = [None if v is None else Decimal(v) for v in values]
                arrays.append(pa.array(values, type=schema.field(c).type))
            writer.write_batch(pa.record_batch(arrays, schema=schema))
            n += len(rows)
    return n
