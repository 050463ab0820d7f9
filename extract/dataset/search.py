"""Search the dataset's sentences: a query means what it says.

| query               | finds                                                                 |
|---------------------|-----------------------------------------------------------------------|
| 招商引资推介会       | every sentence containing it (trigram index: any 3+ characters)       |
| 招商 推介会          | sentences containing both (each part a substring)                     |
| "绩效 自评"          | the quoted phrase, spaces and all                                     |
| 引资                | every sentence containing it (short parts: a LIKE scan)               |
| 60.28               | sentences with that number (not 160.28, not 60 and 28 apart), and     |
|                     | sentences holding a fact of that value (602800 finds 60.28万元)        |
| "" --role satisfaction --min 90 | sentences holding such a fact, no text needed             |

A part of three or more characters is looked up in the trigram index (ranked by bm25), so a word
jieba split differently is still found: recall equals a LIKE scan of the same sentences. Shorter parts
are checked with instr. Filters (year, department, report kind, a fact's role and value range) are SQL.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal

import regex

from ..errors import UsageError
from ..normalize import normalize
from ..numbers import parse_number
from . import store

# Ranking a part found in half the dataset costs more than it tells: bm25 ranks at most this many
# matching sentences (the first found); rarer parts are ranked over all their matches.
RANK_CAP = 1000
_PARTS = regex.compile(r'"([^"]*)"|(\S+)')
_NUMBER = regex.compile(r"[+\-−－]?\d[\d,，]*(?:\.\d+)?%?")
# Fact tables whose rows carry a role and a numeric value (for --role/--min/--max), and that value's column.
ROLE_VALUE_COLUMNS = {t: c for t, c in store.VALUE_COLUMNS.items() if "role" in store.FACT_COLUMNS[t]}


@dataclass
class Hit:
    report_id: str
    source: str
    department: str | None
    year: int | None
    report_kind: str | None
    section: str
    text: str
    start: int
    end: int
    method: str
    marks: list[tuple[int, int]] = field(default_factory=list)   # spans of `text` that matched

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("report_id", "source", "department", "year", "report_kind",
                                               "section", "text", "start", "end", "method", "marks")}


def query_parts(query: str) -> list[str]:
    """The parts of a query: quoted phrases whole, the rest split on spaces; normalized like the text."""
    parts = []
    for m in _PARTS.finditer(query or ""):
        part = normalize(m.group(1) if m.group(1) is not None else m.group(2)).text.strip()
        if part:
            parts.append(part)
    return parts


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


# A number as written in a sentence: 1,206.27 and 1206.27 are one number; never a piece of a longer one.
NUMBER_IN_TEXT = regex.compile(r"(?<![\d.])(?<!\d[,，])(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?(?![\d])(?!\.\d)")


def _number_value(part: str) -> Decimal | None:
    """The value of a numeric query part (60.28, 1,206.27, 97.94%), None for any other part."""
    if not _NUMBER.fullmatch(part):
        return None
    return parse_number(part.rstrip("%"))


def numbers_in(text: str) -> list[tuple[int, int, Decimal]]:
    """Every Arabic number written in `text`, with its span and value."""
    out = []
    for m in NUMBER_IN_TEXT.finditer(text):
        value = parse_number(m.group())
        if value is not None:
            out.append((m.start(), m.end(), value))
    return out


def _spellings(value: Decimal) -> list[str]:
    """How a number may be written: 1206.27 and 1,206.27 (candidates for instr; values are compared after)."""
    plain = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    whole, _, frac = plain.partition(".")
    grouped = f"{int(whole):,}" + (f".{frac}" if frac else "")
    return list(dict.fromkeys([plain.lstrip("-"), grouped.lstrip("-")]))


def search(db_path, query: str, year: int | None = None, department: str | None = None,
           kind: str | None = None, role: str | None = None, min_yuan: Decimal | None = None,
           max_yuan: Decimal | None = None, min_value: Decimal | None = None, max_value: Decimal | None = None,
           limit: int = 20) -> list[Hit]:
    """Sentences matching every part of `query` and the filters; ranked when the trigram index was used."""
    for bound in (min_yuan, max_yuan, min_value, max_value):
        if bound is not None and not Decimal(bound).is_finite():
            raise UsageError("--min/--max and --min-yuan/--max-yuan must be finite numbers")
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    from . import dictionary

    dictionary.check_value(role, dictionary.known_roles(), "--role")
    dictionary.check_value(kind, dictionary.known_values("reports", "report_kind"), "--kind")
    parts = query_parts(query)
    facts = role is not None or any(b is not None for b in (min_yuan, max_yuan, min_value, max_value))
    if not parts and not facts:
        return []
    db = store.connect(db_path, create=False)
    try:
        where, args = [], []
        long_parts = [p for p in parts if len(p) >= 3]
        numbers = {p: v for p in parts if (v := _number_value(p)) is not None}
        for p in parts:
            if len(p) < 3 and p not in numbers:
                where.append("instr(s.text, ?) > 0")
                args.append(p)
        columns = 's.report_id, r.source, r.department, r.year, r.report_kind, s.section, s.text, s."start", s."end"'
        text_parts = [p for p in long_parts if p not in numbers]
        if text_parts:
            sql = (f"SELECT {columns}, s.sentence_id, bm25(sentences_trigram) AS score FROM sentences_trigram "
                   "JOIN sentences s ON s.sentence_id = sentences_trigram.rowid "
                   "JOIN reports r ON r.report_id = s.report_id")
            where.insert(0, "sentences_trigram MATCH ?")
            args.insert(0, " AND ".join(_fts_phrase(p) for p in text_parts))
            method = "trigram"
        else:
            sql = (f"SELECT {columns}, s.sentence_id, s.sentence_id AS score FROM sentences s "
                   "JOIN reports r ON r.report_id = s.report_id")
            method = "scan" if parts else "facts"
        for p, value in numbers.items():
            spellings = _spellings(value)
            where.append(_number_condition(len(spellings)))
            args += [*spellings, *[str(value)] * len(_VALUE_TABLES)]
        _report_filters(where, args, year, department, kind)
        _fact_filters(where, args, role, min_yuan, max_yuan, min_value, max_value)
        sql += " WHERE " + (" AND ".join(where) or "1")
        if method == "trigram":
            # MATERIALIZED: ranked as a subquery SQLite flattens, a phrase found in most reports took
            # 135 ms on 10,000 reports; materialized first, 8 ms
            materialized = "MATERIALIZED " if sqlite3.sqlite_version_info >= (3, 35) else ""
            sql = f"WITH hits AS {materialized}({sql} LIMIT {RANK_CAP}) SELECT * FROM hits ORDER BY score"
        else:
            sql += " ORDER BY s.sentence_id"
        hits: list[Hit] = []
        try:
            cursor = db.execute(sql, args)
        except sqlite3.OperationalError as e:
            if "fts5" in str(e) or "syntax error" in str(e):
                return []
            raise
        for row in cursor:
            hit = Hit(*row[:9], method=method)
            if numbers and not _numbers_hold(db, hit, numbers):
                continue
            hits.append(hit)
            if len(hits) >= limit:
                break
        return _marked(hits, parts, numbers)
    finally:
        db.close()


def search_parquet(path, query: str, year: int | None = None, department: str | None = None,
                   kind: str | None = None, limit: int = 20) -> list[Hit]:
    """Sentences of a Parquet dataset (ingest --parquet) containing every part of `query`, through DuckDB:
    substrings only (no index, no ranking, no number or fact filters), in report and sentence order."""
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    from . import dictionary, parquet

    dictionary.check_value(kind, dictionary.known_values("reports", "report_kind"), "--kind")
    parts = query_parts(query)
    if not parts:
        return []
    db = parquet.connect(path)
    try:
        where = ["instr(s.text, ?) > 0"] * len(parts)
        args: list = list(parts)
        _report_filters(where, args, year, department, kind)
        rows = db.execute(
            'SELECT s.report_id, r.source, r.department, r.year, r.report_kind, s.section, s.text, s."start", s."end" '
            "FROM sentences s JOIN reports r ON r.report_id = s.report_id WHERE " + " AND ".join(where)
            + " ORDER BY s.report_id, s.seq LIMIT ?", [*args, limit]).fetchall()
    finally:
        db.close()
    return _marked([Hit(*row, method="substring") for row in rows], parts, {})


def _number_condition(spellings: int) -> str:
    """The sentence contains one of the number's spellings, or holds a fact whose value is the number."""
    texts = " OR ".join(["instr(s.text, ?) > 0"] * spellings)
    facts = " OR ".join(
        f'EXISTS (SELECT 1 FROM {table} f WHERE f.report_id = s.report_id AND f."start" >= s."start" '
        f'AND f."end" <= s."end" AND f.{column} = ?)'
        for table, column in _VALUE_TABLES)
    return f"({texts} OR {facts})"


# A number query also finds a fact of that value, in any fact table with a value.
_VALUE_TABLES = tuple(store.VALUE_COLUMNS.items())


def _numbers_hold(db: sqlite3.Connection, hit: Hit, numbers: dict[str, Decimal]) -> bool:
    """Every numeric part is written in the sentence as that number (not a piece of a longer one), or is
    the value of a fact in it."""
    written = {v for _, _, v in numbers_in(hit.text)}
    for value in numbers.values():
        if value in written:
            continue
        found = db.execute(" UNION ALL ".join(
            f'SELECT 1 FROM {table} f WHERE f.report_id = ? AND f."start" >= ? AND f."end" <= ? AND f.{column} = ?'
            for table, column in _VALUE_TABLES),
            [x for _ in _VALUE_TABLES for x in (hit.report_id, hit.start, hit.end, str(value))]).fetchone()
        if found is None:
            return False
    return True


def _report_filters(where: list, args: list, year, department, kind) -> None:
    if year is not None:
        where.append("r.year = ?")
        args.append(year)
    if department:
        where.append("r.department LIKE ? ESCAPE '\\'")
        args.append(f"%{store.like_escape(department)}%")
    if kind:
        where.append("r.report_kind = ?")
        args.append(kind)


def _fact_filters(where: list, args: list, role, min_yuan, max_yuan, min_value, max_value) -> None:
    """The sentence holds a fact of the role, within the value bounds: an amount for --min-yuan/--max-yuan,
    any fact with a role and a value (amounts, percentages, points, staffing) for --min/--max."""
    if role is None and all(b is None for b in (min_yuan, max_yuan, min_value, max_value)):
        return
    inside = 'f.report_id = s.report_id AND f."start" >= s."start" AND f."end" <= s."end"'
    if min_yuan is not None or max_yuan is not None:
        conds, cargs = [inside], []
        if min_yuan is not None:
            conds.append("f.value_cents >= ?")
            cargs.append(int(Decimal(min_yuan) * 100))
        if max_yuan is not None:
            conds.append("f.value_cents <= ?")
            cargs.append(int(Decimal(max_yuan) * 100))
        if role is not None:
            conds.append("f.role = ?")
            cargs.append(role)
        where.append(f"EXISTS (SELECT 1 FROM amounts f WHERE {' AND '.join(conds)})")
        args.extend(cargs)
        if min_value is None and max_value is None:
            return
    options = []
    for table, column in ROLE_VALUE_COLUMNS.items():
        conds, cargs = [inside], []
        if role is not None:
            conds.append("f.role = ?")
            cargs.append(role)
        if min_value is not None:
            conds.append(f"f.{column} >= ?")
            cargs.append(str(min_value))
        if max_value is not None:
            conds.append(f"f.{column} <= ?")
            cargs.append(str(max_value))
        options.append(f"EXISTS (SELECT 1 FROM {table} f WHERE {' AND '.join(conds)})")
        args.extend(cargs)
    where.append("(" + " OR ".join(options) + ")")


def _marked(hits: list[Hit], parts: list[str], numbers: dict[str, Decimal]) -> list[Hit]:
    """Mark where each part occurs in each sentence (a number only where it stands as that number)."""
    for h in hits:
        norm = normalize(h.text)
        low = norm.text.lower()
        spans = []
        for p in parts:
            if p not in numbers:
                spans += [norm.span(s, e) for s, e in _find(low, p.lower())]   # back to the sentence as stored
        spans += [(s, e) for p, value in numbers.items() for s, e, v in numbers_in(h.text) if v == value]
        merged: list[tuple[int, int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        h.marks = merged
    return hits


def _find(text: str, term: str) -> list[tuple[int, int]]:
    out, i = [], text.find(term) if term else -1
    while i >= 0:
        out.append((i, i + len(term)))
        i = text.find(term, i + len(term))
    return out
