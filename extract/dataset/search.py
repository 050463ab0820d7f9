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

A fact filter (and a number's facts) is answered from the facts' side when few facts meet it: their
index (role and value) finds them, each is placed in its sentence through sentences(report_id, start),
and the query reads those sentences alone. When more than FACT_SET_CAP facts meet it, the sentences are
walked in order, each checked against its report's own facts, and the first hits end the walk; a walk
that runs past WALK_STEPS (the hits are few, or far down the order) gives way to collecting every
matching fact's sentence. Either way a filter costs what its facts or its first hits cost, never
sentences × facts: checked per sentence through the role index, a filter no fact met took minutes.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal

import regex

from ..errors import UsageError
from ..normalize import normalize
from ..numbers import INT64, parse_number
from . import store

# Ranking a part found in half the dataset costs more than it tells: bm25 ranks at most this many
# matching sentences (the first found); rarer parts are ranked over all their matches.
RANK_CAP = 1000
# More facts than this meeting a filter: the sentences are walked in order (matches are then common, so
# the first sentences hold them) instead of collecting every fact's sentence.
FACT_SET_CAP = 5000
# The walk's allowance, in thousands of SQLite VM steps (tens of ms; a walk to the first 20 hits takes 30
# to 800 on 10,000 reports): beyond it the hits are rare in the order, and collecting every matching fact's
# sentence costs less than walking on.
WALK_STEPS = 1000
# Report filters that let at most this many reports through: their facts are read report by report (a few
# dozen each) rather than walking every sentence to find theirs.
FEW_REPORTS = 200
# Parts of one query: each is a condition of the SQL, whose expression depth SQLite bounds (1,000).
MAX_PARTS = 100
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
    parts = _checked_parts(query)
    tests = _fact_tests(role, min_yuan, max_yuan, min_value, max_value)
    if tests is None:   # a bound no stored amount can meet
        return []
    if not parts and not tests:
        return []
    q = _Query(parts, tests, (year, department, kind))
    db = store.connect(db_path, create=False)
    try:
        found = {t: _sentences_holding(db, t, None, FACT_SET_CAP) for t in q.fact_checks}
        if any(found[t] == [] for t in tests):
            return []
        chosen = None   # the reports the report filters let through (a JSON list), when facts are many
        if None in found.values() and (year is not None or department or kind):
            chosen, count = _chosen_reports(db, year, department, kind)
            if not count:
                return []
            if count <= FEW_REPORTS:
                found = _every_sentence_holding(db, found, chosen)
        walk = None in found.values()
        hits = _run(db, *q.statement(found), q, limit, steps=WALK_STEPS if walk else None)
        if hits is None:   # the walk ran long: the hits are rare, collect every matching fact's sentence
            hits = _run(db, *q.statement(_every_sentence_holding(db, found, chosen)), q, limit)
        return _marked(hits, parts, q.numbers)
    finally:
        db.close()


_MATERIALIZED = "MATERIALIZED " if sqlite3.sqlite_version_info >= (3, 35) else ""
# A list handed to SQL as one JSON argument (report ids, sentence ids): no variable each, no quoting.
_JSON_LIST = "(SELECT value FROM json_each(?))"


def _checked_parts(query: str) -> list[str]:
    """The parts of a query, refused when there are more than SQL can hold as conditions."""
    parts = query_parts(query)
    if len(parts) > MAX_PARTS:
        raise UsageError(f"too many search terms ({len(parts):,}): a query takes at most {MAX_PARTS}; "
                         "quote a phrase (\"绩效 自评\") to search for it as one term")
    return parts


class _Query:
    """One search: its parts sorted by how they are found, the fact tests, the report filters."""

    def __init__(self, parts: list[str], tests: list[FactTest], report_filters: tuple):
        self.numbers = {p: v for p in parts if (v := _number_value(p)) is not None}
        self.short = [p for p in parts if len(p) < 3 and p not in self.numbers]
        self.text = [p for p in parts if len(p) >= 3 and p not in self.numbers]
        self.method = "trigram" if self.text else "scan" if parts else "facts"
        self.tests = tests
        self.number_tests = {p: _number_test(v) for p, v in self.numbers.items()}
        self.fact_checks = [*tests, *self.number_tests.values()]
        self.report_filters = report_filters

    def statement(self, found: dict[FactTest, list[int] | None]) -> tuple[str, list]:
        """The SQL of the search and its arguments, given the sentences found from the facts of each test
        (None: checked per sentence)."""
        where, args = [], []
        if self.method == "trigram":
            where.append("sentences_trigram MATCH ?")
            args.append(" AND ".join(_fts_phrase(p) for p in self.text))
        sets = [ids for t in self.tests if (ids := found[t]) is not None]
        if sets:
            kept = sorted(set(sets[0]).intersection(*sets[1:]))
            # +rowid: read from the trigram index's own row, before the sentence's row is looked up
            column = "+sentences_trigram.rowid" if self.method == "trigram" else "s.sentence_id"
            where.append(f"{column} IN {_JSON_LIST}")
            args.append(json.dumps(kept))
        _report_filters(where, args, *self.report_filters)
        for p in self.short:
            where.append("instr(s.text, ?) > 0")
            args.append(p)
        for p, value in self.numbers.items():
            spellings = _spellings(value)
            held, held_args = _holding(self.number_tests[p], found[self.number_tests[p]])
            where.append(f"({' OR '.join(['instr(s.text, ?) > 0'] * len(spellings))} OR {held})")
            args += [*spellings, *held_args]
        for t in self.tests:
            if found[t] is None:
                condition, condition_args = _exists(t)
                where.append(condition)
                args += condition_args
        columns = 's.report_id, r.source, r.department, r.year, r.report_kind, s.section, s.text, s."start", s."end"'
        if self.method == "trigram":
            sql = (f"SELECT {columns}, s.sentence_id, bm25(sentences_trigram) AS score FROM sentences_trigram "
                   "JOIN sentences s ON s.sentence_id = sentences_trigram.rowid "
                   "JOIN reports r ON r.report_id = s.report_id")
        else:
            # with facts to check, the sentences come first, in order (from the facts' sentences, or walked
            # until the first hits), even where a report filter would have SQLite start from the reports
            # and sort all their sentences
            join = "CROSS JOIN" if self.fact_checks else "JOIN"
            sql = (f"SELECT {columns}, s.sentence_id, s.sentence_id AS score FROM sentences s "
                   f"{join} reports r ON r.report_id = s.report_id")
        sql += " WHERE " + (" AND ".join(where) or "1")
        if self.method == "trigram":
            # MATERIALIZED: ranked as a subquery SQLite flattens, a phrase found in most reports took
            # 135 ms on 10,000 reports; materialized first, 8 ms
            return f"WITH hits AS {_MATERIALIZED}({sql} LIMIT {RANK_CAP}) SELECT * FROM hits ORDER BY score", args
        return sql + " ORDER BY s.sentence_id", args


def _run(db: sqlite3.Connection, sql: str, args: list, q: _Query, limit: int,
         steps: int | None = None) -> list[Hit] | None:
    """The first `limit` hits of the statement; None when it ran past `steps` thousand VM steps."""
    used = 0

    def over() -> bool:
        nonlocal used
        used += 1
        return used > steps

    if steps is not None:
        db.set_progress_handler(over, 1000)
    hits: list[Hit] = []
    try:
        for row in db.execute(sql, args):
            hit = Hit(*row[:9], method=q.method)
            if q.numbers and not _numbers_hold(db, hit, q.numbers):
                continue
            hits.append(hit)
            if len(hits) >= limit:
                break
    except sqlite3.OperationalError as e:
        if steps is not None and used > steps:
            return None
        if "fts5" in str(e) or "syntax error" in str(e):
            return []
        raise
    finally:
        db.set_progress_handler(None, 0)
    return hits


def search_parquet(path, query: str, year: int | None = None, department: str | None = None,
                   kind: str | None = None, limit: int = 20) -> list[Hit]:
    """Sentences of a Parquet dataset (ingest --parquet) containing every part of `query`, through DuckDB:
    substrings only (no index, no ranking, no number or fact filters), in report and sentence order."""
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    from . import dictionary, parquet

    dictionary.check_value(kind, dictionary.known_values("reports", "report_kind"), "--kind")
    parts = _checked_parts(query)
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


# A number query also finds a fact of that value, in any fact table with a value.
_VALUE_TABLES = tuple(store.VALUE_COLUMNS.items())


@dataclass(frozen=True)
class FactTest:
    """What a sentence must hold: a fact of one of `tables` (each with the value column compared), of
    `role` (any role when None), whose value meets every (operator, bound) of `bounds`."""

    tables: tuple[tuple[str, str], ...]
    role: str | None
    bounds: tuple[tuple[str, object], ...]

    def conditions(self, column: str, correlated: bool) -> tuple[list[str], list]:
        """The test on one table's fact `f`. Correlated (the facts of one report at a time), the role is
        written +f.role, so that SQLite never goes through an index on the role (every report's facts of
        that role, read again for each report or sentence). A value is compared as a bare column (its
        numeric affinity turns the bound's text into a number; +f.value would compare a number with text)."""
        conds, args = [], []
        if self.role is not None:
            conds.append("+f.role = ?" if correlated else "f.role = ?")
            args.append(self.role)
        for op, bound in self.bounds:
            conds.append(f"f.{column} {op} ?")
            args.append(bound)
        return conds, args


def _fact_tests(role, min_yuan, max_yuan, min_value, max_value) -> list[FactTest] | None:
    """What --role/--min/--max/--min-yuan/--max-yuan ask of a sentence, each test met by a fact of its own:
    an amount for --min-yuan/--max-yuan (compared in whole fen, value_cents), any fact with a role and a
    value (amounts, percentages, points, staffing) for --min/--max or a role alone. None when no amount
    can meet them (a bound beyond SQLite's integers on the wrong side)."""
    if role is None and all(b is None for b in (min_yuan, max_yuan, min_value, max_value)):
        return []
    tests = []
    if min_yuan is not None or max_yuan is not None:
        bounds: list[tuple[str, object]] = []
        if min_yuan is not None:
            cents = _cents(min_yuan)
            if cents > INT64:
                return None
            bounds.append((">=", max(cents, -INT64 - 1)))
        if max_yuan is not None:
            cents = _cents(max_yuan)
            if cents < -INT64 - 1:
                return None
            bounds.append(("<=", min(cents, INT64)))
        tests.append(FactTest((("amounts", "value_cents"),), role, tuple(bounds)))
        if min_value is None and max_value is None:
            return tests
    bounds = [(op, str(b)) for op, b in ((">=", min_value), ("<=", max_value)) if b is not None]
    tests.append(FactTest(tuple(ROLE_VALUE_COLUMNS.items()), role, tuple(bounds)))
    return tests


def _cents(yuan: Decimal) -> int:
    """A bound in yuan as whole fen, toward zero (as value_cents is compared); a bound beyond SQLite's
    integers stays beyond them, on its side, without building a number of a million digits.

    | yuan       | fen                 |
    |------------|---------------------|
    | 100.005    | 10000               |
    | -0.005     | 0                   |
    | 1e28       | 2**63 (beyond)      |
    """
    yuan = Decimal(yuan)
    if abs(yuan) > INT64:
        return INT64 + 1 if yuan > 0 else -INT64 - 2
    return int(yuan * 100)


def _number_test(value: Decimal) -> FactTest:
    """A fact whose value is `value`, in any fact table with a value."""
    return FactTest(_VALUE_TABLES, None, (("=", str(value)),))


# Met by every fact (seq is a NOT NULL integer), it makes the report's own facts (the primary key, report_id
# and seq) the cheapest way in for SQLite's planner, ahead of an index on a value.
_EVERY_SEQ = f"f.seq BETWEEN {-INT64 - 1} AND {INT64}"


def _exists(test: FactTest) -> tuple[str, list]:
    """The test as a condition on the sentence `s` of the report `r`: it holds such a fact between its
    offsets, looked up among the report's own facts (a few dozen), whatever the filter. Tied to r (the
    sentence's report), it is checked after the report filters, so a sentence they leave out costs no
    lookup."""
    options, args = [], []
    for table, column in test.tables:
        conds, cargs = test.conditions(column, correlated=True)
        options.append(f"EXISTS (SELECT 1 FROM {table} f WHERE f.report_id = r.report_id AND {_EVERY_SEQ} "
                       f'AND f."start" >= s."start" AND f."end" <= s."end" AND {" AND ".join(conds)})')
        args += cargs
    return "(" + " OR ".join(options) + ")", args


def _holding(test: FactTest, ids: list[int] | None) -> tuple[str, list]:
    """A condition on the sentence `s`: it holds a fact meeting `test` (one of `ids`, the sentences found
    from the facts; looked up per sentence when None)."""
    if ids is None:
        return _exists(test)
    return f"s.sentence_id IN {_JSON_LIST}", [json.dumps(ids)]


def _chosen_reports(db: sqlite3.Connection, year, department, kind) -> tuple[str, int]:
    """The reports the report filters let through, as a JSON list, and how many they are."""
    where, args = [], []
    _report_filters(where, args, year, department, kind)
    ids = [r[0] for r in db.execute("SELECT r.report_id FROM reports r WHERE " + " AND ".join(where), args)]
    return json.dumps(ids), len(ids)


def _every_sentence_holding(db: sqlite3.Connection, found: dict[FactTest, list[int] | None],
                            chosen: str | None) -> dict[FactTest, list[int]]:
    """`found` with the tests that had too many facts to collect collected all the same, from the
    `chosen` reports' own facts when there are report filters."""
    return {t: ids if ids is not None else _sentences_holding(db, t, chosen, None) for t, ids in found.items()}


def _sentences_holding(db: sqlite3.Connection, test: FactTest, chosen: str | None,
                       cap: int | None) -> list[int] | None:
    """The sentences holding a fact that meets `test`, found from the facts' side, in order; None when
    more than `cap` facts meet it. The facts come through their own index (role and value), or, for the
    `chosen` reports (a JSON list), through each report's own facts; each fact's sentence through
    sentences(report_id, start).

    A report's sentences never overlap (sentence_rows cuts the text in order), so the one sentence that
    can hold a fact is the last to start at or before it; it holds it when it ends at or after it."""
    def facts(columns: str) -> tuple[str, list]:
        branches, args = [], []
        for table, column in test.tables:
            if chosen is None:
                conds, cargs = test.conditions(column, correlated=False)
                branches.append(f'SELECT {columns} FROM {table} f WHERE {" AND ".join(conds)}')
            else:
                conds, cargs = test.conditions(column, correlated=True)
                branches.append(f"SELECT {columns} FROM json_each(?) j CROSS JOIN {table} f "
                                f'ON f.report_id = j.value WHERE {" AND ".join([_EVERY_SEQ, *conds])}')
                cargs = [chosen, *cargs]
            args += cargs
        return " UNION ALL ".join(branches) + (f" LIMIT {cap + 1}" if cap is not None else ""), args

    if cap is not None:   # counted first, in the index alone (no row read): a common filter costs no more
        sql, args = facts("1")
        if db.execute(f"SELECT count(*) FROM ({sql})", args).fetchone()[0] > cap:
            return None
    sql, args = facts('f.report_id, f."start", f."end"')
    rows = db.execute(
        f"WITH f AS {_MATERIALIZED}({sql}) SELECT DISTINCT c.sentence_id FROM f JOIN sentences c "
        'ON c.sentence_id = (SELECT s.sentence_id FROM sentences s WHERE s.report_id = f.report_id '
        'AND s."start" <= f."start" ORDER BY s."start" DESC LIMIT 1) AND c."end" >= f."end" '
        "ORDER BY c.sentence_id", args).fetchall()
    return [r[0] for r in rows]


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
