"""Gold offsets for a written file: CRLF line ends, and alignment with the text the reader returns."""

from __future__ import annotations

import sys
from pathlib import Path

from .style import FACT_TYPES


def crlf(text: str, gold: dict) -> str:
    """text with CRLF line ends; the gold offsets of `gold` are moved to match (and checked)."""
    import bisect
    ends = [k for k, ch in enumerate(text) if ch == "\n"]
    out = text.replace("\n", "\r\n")
    for t in FACT_TYPES:
        for f in gold[t]:
            f["start"] += bisect.bisect_left(ends, f["start"])
            f["end"] += bisect.bisect_left(ends, f["end"])
            assert out[f["start"]:f["end"]] == f["text"], (t, f)
    return out


def read_back(path: Path) -> str:
    """The text the project's reader returns for `path` (this repository's `extract`, not an installed one)."""
    root = str(Path(__file__).resolve().parents[2])  # the repository (scripts/corpusgen/gold.py)
    if sys.path[0] != root:
        sys.path.insert(0, root)
    from extract.readers import read_file
    return read_file(path, 1 << 30).text


def align(composed: str, read: str, dropped: str = "", skip: frozenset[int] = frozenset()) -> list[int]:
    """For each character of `composed`, its index in `read` (-1 for whitespace the reader dropped).

    A reader changes only whitespace: it breaks lines (PDF wraps, table rows), widens or drops
    spaces (PDF cells, HTML), drops indents and blank lines; the characters in `dropped` (the "|"
    between cells) may go or come (a PDF draws cells as columns, an HTML table row is read as cells
    joined by "|"), and so may the composed characters at the indexes in `skip` (what the writer
    left out). Every other character must come back in order, or the format writer is wrong
    (ValueError).
    """
    where = [-1] * len(composed)
    j = 0
    for i, ch in enumerate(composed):
        if i in skip:
            continue
        if ch.isspace() or ch in dropped:
            if j < len(read) and read[j] == ch:
                where[i] = j
                j += 1
            continue
        while j < len(read) and (read[j].isspace() or read[j] in dropped):
            j += 1
        if j >= len(read) or read[j] != ch:
            got = read[j:j + 10] if j < len(read) else "the end"
            raise ValueError(f"reader text differs at composed index {i} ({composed[i:i + 10]!r}): {got!r}")
        where[i] = j
        j += 1
    return where


def gold_for_reader(path: Path, text: str, gold: dict, dropped: str = "",
                    skip: frozenset[int] = frozenset()) -> None:
    """Move every gold span of `gold` (on the composed `text`) onto the text the reader returns."""
    read = read_back(path)
    where = align(text, read, dropped, skip)
    for t in FACT_TYPES:
        for f in gold[t]:
            start, end = where[f["start"]], where[f["end"] - 1] + 1
            if start < 0 or end <= 0:
                raise ValueError(f"{path.name}: {t} fact {f['text']!r} starts or ends with whitespace")
            seen = read[start:end]
            if "".join(seen.split()) != "".join(f["text"].split()):
                raise ValueError(f"{path.name}: {t} fact {f['text']!r} reads back as {seen!r}")
            f.update(text=seen, start=start, end=end)
