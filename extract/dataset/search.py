"""Search the dataset's sentences: jieba-token FTS5 first, then trigram, then LIKE for short queries.

| query    | how it is found                                                    |
|----------|--------------------------------------------------------------------|
| 招商引资  | tokens index: the query's jieba words, all required (AND)          |
| 兰洽会    | tokens index (a user-dictionary word); trigram if tokens find none |
| 引资      | tokens index (search mode indexes 引资); LIKE if nothing           |
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal

import regex

from ..errors import UsageError
from ..nlp import tokenizer
from ..normalize import normalize
from . import store

_WORD = regex.compile(r"[\p{Han}\p{L}\p{N}]")
_SPLIT = regex.compile(r"[^\p{L}\p{N}\p{M}]+")
# Ranking a term found in half the dataset costs more than it tells: bm25 ranks at most this many
# matching sentences (the first found); rarer terms are ranked over all their matches.
RANK_CAP = 1000


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


def query_terms(query: str) -> list[str]:
    """The words of a query as the index has them: jieba words, lower-cased, split where SQLite's
    unicode61 tokenizer splits (60.28 -> 60, 28), punctuation dropped."""
    text = normalize(query).text
    words = [w.lower() for w in tokenizer().lcut(text)]
    return [part for w in words for part in _SPLIT.split(w) if part and _WORD.search(part)]


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def search(db_path, query: str, year: int | None = None, department: str | None = None,
           kind: str | None = None, role: str | None = None, min_yuan: Decimal | None = None,
           max_yuan: Decimal | None = None, limit: int = 20) -> list[Hit]:
    """Ranked sentences matching `query`, with the filters applied in SQL."""
    for bound in (min_yuan, max_yuan):
        if bound is not None and not Decimal(bound).is_finite():
            raise UsageError("--min-yuan/--max-yuan must be finite numbers of yuan")
    db = store.connect(db_path, create=False)
    try:
        terms = query_terms(query)
        needle = normalize(query).text.strip()
        attempts = []
        if terms:
            attempts.append(("tokens", "sentences_fts", " AND ".join(_fts_phrase(t) for t in terms)))
        if len(needle) >= 3:
            attempts.append(("trigram", "sentences_trigram", _fts_phrase(needle)))
        for method, table, match in attempts:
            hits = _run(db, method, table, match, year, department, kind, role, min_yuan, max_yuan, limit)
            if hits:
                return _marked(hits, needle, terms)
        if needle:
            return _marked(_run(db, "like", None, needle, year, department, kind, role, min_yuan, max_yuan, limit),
                           needle, terms)
        return []
    finally:
        db.close()


def _run(db: sqlite3.Connection, method: str, table: str | None, match: str, year, department, kind, role,
         min_yuan, max_yuan, limit) -> list[Hit]:
    where, args = [], []
    columns = 's.report_id, r.source, r.department, r.year, r.report_kind, s.section, s.text, s."start", s."end"'
    if table:
        sql = (f"SELECT {columns}, bm25({table}) AS score FROM {table} JOIN sentences s ON s.id = {table}.rowid "
               f"JOIN reports r ON r.id = s.report_id")
        where.append(f"{table} MATCH ?")
        args.append(match)
    else:
        sql = f"SELECT {columns}, s.id AS score FROM sentences s JOIN reports r ON r.id = s.report_id"
        where.append("s.text LIKE ? ESCAPE '\\'")
        args.append("%" + match.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    if year is not None:
        where.append("r.year = ?")
        args.append(year)
    if department:
        where.append("r.department LIKE ?")
        args.append(f"%{department}%")
    if kind:
        where.append("r.report_kind = ?")
        args.append(kind)
    if role or min_yuan is not None or max_yuan is not None:
        # the sentence itself holds an amount (or a percentage, for a rate role) that qualifies
        conds, cargs = [], []
        if role:
            conds.append("f.role = ?")
            cargs.append(role)
        money = ['a.report_id = s.report_id', 'a."start" >= s."start"', 'a."end" <= s."end"']
        if min_yuan is not None:
            money.append("a.value_cents >= ?")
            cargs_min = [int(Decimal(min_yuan) * 100)]
        else:
            cargs_min = []
        if max_yuan is not None:
            money.append("a.value_cents <= ?")
            cargs_max = [int(Decimal(max_yuan) * 100)]
        else:
            cargs_max = []
        amount_sql = ("EXISTS (SELECT 1 FROM amounts a WHERE " + " AND ".join(money)
                      + (" AND a.role = ?" if role else "") + ")")
        amount_args = cargs_min + cargs_max + ([role] if role else [])
        if role and min_yuan is None and max_yuan is None:
            rate_sql = ('EXISTS (SELECT 1 FROM percentages p WHERE p.report_id = s.report_id '
                        'AND p."start" >= s."start" AND p."end" <= s."end" AND p.role = ?)')
            where.append(f"({amount_sql} OR {rate_sql})")
            args.extend(amount_args + [role])
        else:
            where.append(amount_sql)
            args.extend(amount_args)
    sql += " WHERE " + " AND ".join(where)
    if table:
        # rank within the first RANK_CAP matches (filters applied), best first
        sql = f"SELECT * FROM ({sql} LIMIT {RANK_CAP}) ORDER BY score LIMIT ?"
    else:
        sql += " ORDER BY s.id LIMIT ?"   # scan order: stops at the first `limit` hits
    args.append(limit)
    try:
        rows = db.execute(sql, args).fetchall()
    except sqlite3.OperationalError as e:
        if "fts5" in str(e) or "syntax error" in str(e):
            return []   # a query FTS5 cannot parse: the next method gets its turn
        raise
    return [Hit(*row[:-1], method=method) for row in rows]


def _marked(hits: list[Hit], needle: str, terms: list[str]) -> list[Hit]:
    """Mark where the query occurs in each sentence: the whole query if present, else each word."""
    for h in hits:
        norm = normalize(h.text)
        low = norm.text.lower()
        spans = _find(low, needle.lower()) or [s for t in terms for s in _find(low, t)]
        spans = [norm.span(s, e) for s, e in spans]   # back to the sentence as stored
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
