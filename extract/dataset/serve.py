"""Serve the dataset with Datasette, its search box wired to the Chinese token index."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from . import store


def metadata(db_path) -> dict:
    name = Path(db_path).stem
    return {
        "title": "reportx dataset",
        "description": "Facts extracted from budget-performance reports. Search sentences by Chinese "
                       "words: the index holds jieba search-mode tokens.",
        "databases": {name: {"tables": {
            "sentences": {"fts_table": "sentences_fts", "fts_pk": "id", "label_column": "text"},
            "reports": {"label_column": "title"},
        }}},
    }


def command(db_path, host: str = "127.0.0.1", port: int = 8001, metadata_path: str | None = None) -> list[str]:
    return [sys.executable, "-m", "datasette", "serve", str(db_path), "--host", host, "--port", str(port),
            "--metadata", metadata_path or "", "--setting", "sql_time_limit_ms", "5000"]


def serve(db_path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Run Datasette in the foreground until interrupted; returns its exit status."""
    store.connect(db_path, create=False).close()   # a clear error for a missing or foreign file
    with tempfile.TemporaryDirectory() as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(db_path), ensure_ascii=False), encoding="utf-8")
        try:
            return subprocess.call(command(db_path, host, port, str(meta)))
        except KeyboardInterrupt:
            return 0
