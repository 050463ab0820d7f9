"""Cross-report statistics, exact: reports grouped by one or more keys, one fact type's values, indicators
met or missed, one indicator over time.

Every aggregate is computed on Decimals: count, sum, mean (rounded to MEAN_PLACES decimal places),
median, min and max. Reports are filtered by kind, year and department; a report that duplicates
another file's content (reports.duplicate_of) is counted once unless `duplicates=True`. Grades are
counted as written and on one scale (grade_level: 优/良/中/差).

Report statistics add each report once, from its own figures (the `figures` rows of the report itself,
not of its projects): budget (the adjusted budget, else the initial one), expenditure, execution rate
and total score. A figure whose status is `conflict` (it fails the report's own arithmetic) is left
out unless `include_conflicts=True`; every row says how many were left out and of which reports.

`--by department` groups by `department_key` (short forms of one unit together) and shows the names
as written. In fact mode (`fact="amounts"`, optionally a `role` and a `level`), the values are the
facts' own — mentions, not reports: a figure stated in prose and again in a table counts twice; for
amounts, exact single amounts only (no ranges, no approximate or per-unit amounts).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from ..errors import UsageError
from ..numbers import normalize_decimal
from . import store

GROUP_KEYS = ("year", "department", "report_kind", "grade", "grade_level", "format", "scope")
LOW_RATE = Decimal(90)
MEAN_PLACES = 4
FACT_VALUE = store.VALUE_COLUMNS
NAMES_SEPARATOR = "、"
# The figures report statistics use (the grade is counted from reports.grade, unless its figure conflicts)
STAT_FIGURES = ("budget_initial", "budget_adjusted", "expenditure", "execution_rate", "total_score", "grade")


def _keys(by, allowed=GROUP_KEYS, option="--by") -> list[str]:
    keys = [k.strip() for k in (by.split(",") if isinstance(by, str) else by) if k.strip()]
    if not keys or any(k not in allowed for k in keys):
        raise UsageError(f"{option} must be one or more of {', '.join(allowed)}, e.g. --by department,year")
    return keys


def _key_sql(key: str, alias: str = "r") -> str:
    """The SQL of a report key: department groups by its key (…人民政府 and …政府 alike), else the name."""
    if key == "department":
        return f"COALESCE({alias}.department_key, {alias}.department)"
    return f"{alias}.{key}"


def _key_row(keys: list[str], values: tuple, names: set) -> dict:
    """A group's keys as a row: department as the key it was grouped by (department_key) and the names
    written in its reports (department)."""
    out = {}
    for k, v in zip(keys, values):
        if k == "department":
            out["department_key"] = v
            out["department"] = NAMES_SEPARATOR.join(sorted(n for n in names if n)) or None
        else:
            out[k] = v
    return out


def _plain(v) -> str | None:
    return None if v is None else normalize_decimal(Decimal(v))


def summarize(values: list[Decimal], prefix: str, unit: str = "") -> dict:
    """count, sum, mean, median, min, max of exact values, as decimal strings (None when empty)."""
    n = len(values)
    mean = (sum(values) / n).quantize(Decimal(1).scaleb(-MEAN_PLACES), ROUND_HALF_EVEN) if n else None
    return {
        f"{prefix}_count": n,
        f"{prefix}_sum{unit}": _plain(sum(values)) if n else None,
        f"{prefix}_mean{unit}": _plain(mean),
        f"{prefix}_median{unit}": _plain(statistics.median(values)) if n else None,
        f"{prefix}_min{unit}": _plain(min(values)) if n else None,
        f"{prefix}_max{unit}": _plain(max(values)) if n else None,
    }


def _share(part: int, whole: int) -> str | None:
    return _plain((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))) if whole else None


@dataclass
class Group:
    key: tuple
    names: set = field(default_factory=set)
    reports: int = 0
    budgets: list[Decimal] = field(default_factory=list)
    spending: list[Decimal] = field(default_factory=list)
    rates: list[Decimal] = field(default_factory=list)
    scores: list[Decimal] = field(default_factory=list)
    grades: Counter = field(default_factory=Counter)
    levels: Counter = field(default_factory=Counter)
    failed_checks: int = 0
    left_out: int = 0                                        # conflict figures not counted
    included: int = 0                                        # conflict figures counted (include_conflicts)
    conflict_reports: set = field(default_factory=set)       # sources of the reports with a conflict figure
    scope_other: int = 0                                     # budget drafts, notices: no figures of their own
    unread: int = 0                                          # no scope, no figures: stored before schema 6?

    def row(self, keys: list[str]) -> dict:
        return {
            **_key_row(keys, self.key, self.names),
            "reports": self.reports,
            **summarize(self.budgets, "budget", "_yuan"),
            **summarize(self.spending, "expenditure", "_yuan"),
            **summarize(self.rates, "execution_rate"),
            "share_rate_under_90": _share(sum(r < LOW_RATE for r in self.rates), len(self.rates)),
            **summarize(self.scores, "score"),
            "grades": dict(self.grades),
            "grade_levels": dict(self.levels),
            "failed_checks": self.failed_checks,
            "conflicts_left_out": self.left_out,
            "conflicts_included": self.included,
            "conflict_reports": sorted(self.conflict_reports),
            "scope_other": self.scope_other,
            "no_scope_no_figures": self.unread,
        }


def _sorted(groups: dict) -> list:
    return [groups[k] for k in sorted(groups, key=lambda k: [(v is None, str(v)) for v in k])]


def stats(db_path, by="year", kind: str | None = None, year: int | None = None, department: str | None = None,
          fact: str | None = None, role: str | None = None, duplicates: bool = False,
          include_conflicts: bool = False, level: str | None = None) -> list[dict]:
    """One row per combination of the `by` keys (e.g. "department,year"), each report counted once, from
    its own figures; reports without a key's value are grouped under None. Figures in conflict are left
    out (counted in conflicts_left_out, their reports in conflict_reports) unless `include_conflicts`.
    With `fact`, aggregates that fact type's values (mentions, of one `role` and `level`) instead."""
    keys = _keys(by)
    if fact is not None:
        return fact_stats(db_path, fact, keys, kind, year, department, role, duplicates, level)
    if role is not None or level is not None:
        raise UsageError("--role and --level filter facts: give --fact too, e.g. --fact amounts --role expenditure")
    where, args = store.report_filter(kind, year, department, duplicates)
    db = store.open_reader(db_path)
    try:
        figures: dict[str, dict[str, tuple]] = defaultdict(dict)
        for rid, name, value, label, status in db.execute(
                "SELECT f.report_id, f.name, f.value, f.label, f.status FROM figures f "
                f"JOIN reports r ON r.report_id = f.report_id WHERE f.project_seq IS NULL AND {where}", args):
            figures[rid][name] = (value, label, status)
        failed = defaultdict(int, db.execute(
            "SELECT report_id, count(*) FROM checks WHERE passed = 0 GROUP BY report_id").fetchall())
        columns = ", ".join(_key_sql(k) for k in keys)
        rows = db.execute(f"SELECT r.report_id, r.source, r.department, r.grade, r.grade_level, r.scope, {columns} "
                          f"FROM reports r WHERE {where}", args)
        groups: dict[tuple, Group] = {}
        for rid, source, name, grade, level_, scope, *key in rows:
            g = groups.setdefault(tuple(key), Group(tuple(key)))
            g.names.add(name)
            g.reports += 1
            g.scope_other += scope == "other"
            g.unread += scope is None and rid not in figures
            g.failed_checks += failed[rid]
            usable = {}
            for figure, (value, label, status) in figures.get(rid, {}).items():
                if status != "ok":
                    g.conflict_reports.add(source)
                    if not include_conflicts:
                        g.left_out += 1
                        continue
                    g.included += 1
                usable[figure] = label if figure == "grade" else Decimal(value) if value is not None else None
            budget = usable.get("budget_adjusted") if "budget_adjusted" in figures.get(rid, {}) \
                else usable.get("budget_initial")
            for target, value in ((g.budgets, budget), (g.spending, usable.get("expenditure")),
                                  (g.rates, usable.get("execution_rate")), (g.scores, usable.get("total_score"))):
                if value is not None:
                    target.append(value)
            if "grade" in figures.get(rid, {}) and "grade" not in usable:
                continue   # the grade conflicts with the score: not counted
            if grade:
                g.grades[grade] += 1
            if level_:
                g.levels[level_] += 1
        return [g.row(keys) for g in _sorted(groups)]
    finally:
        db.close()


def left_out(rows: list[dict]) -> tuple[int, list[str]]:
    """How many conflict figures the rows left out, and of which reports (their sources)."""
    n = sum(r.get("conflicts_left_out", 0) for r in rows)
    reports = sorted({s for r in rows if r.get("conflicts_left_out") for s in r.get("conflict_reports", [])})
    return n, reports


def note(rows: list[dict], include_conflicts: bool = False) -> str:
    """What report statistics left out, in words: figures in conflict (and of which reports), reports with
    no figures of their own (scope other: a budget draft, a notice)."""
    other = sum(r.get("scope_other", 0) for r in rows)
    tail = (f"; {other} report{'s' if other != 1 else ''} of scope other (a budget draft, a notice) "
            f"add{'s' if other == 1 else ''} no figures") if other else ""
    unread = sum(r.get("no_scope_no_figures", 0) for r in rows)
    if unread:
        tail += (f"; {unread} report{'s' if unread != 1 else ''} with no scope and no figures add nothing "
                 "(stored before report figures? `reportx ingest --force` re-extracts them)")
    if include_conflicts:
        n = sum(r.get("conflicts_included", 0) for r in rows)
        return f"note: {n} report figure{'s' if n != 1 else ''} in conflict included (--include-conflicts){tail}."
    n, sources = left_out(rows)
    if not n:
        return f"note: 0 report figures in conflict left out{tail}."
    shown = ", ".join(sources[:10]) + (f" and {len(sources) - 10} more" if len(sources) > 10 else "")
    return (f"note: {n} report figure{'s' if n != 1 else ''} in conflict left out, of {len(sources)} "
            f"report{'s' if len(sources) != 1 else ''}: {shown} (--include-conflicts counts them){tail}.")


def fact_stats(db_path, fact: str, by, kind=None, year=None, department=None, role=None,
               duplicates: bool = False, level: str | None = None) -> list[dict]:
    """count/sum/mean/median/min/max of one fact type's values per group of reports, exact. These are
    mentions: a figure stated twice counts twice (`level="total"` keeps each report's totals only)."""
    if fact not in FACT_VALUE:
        raise UsageError(f"--fact must be one of {', '.join(FACT_VALUE)}")
    keys = _keys(by)
    where, args = store.report_filter(kind, year, department, duplicates)
    column = FACT_VALUE[fact]
    conds = [where]
    from . import dictionary

    if role is not None:
        label = "role" if "role" in store.FACT_COLUMNS[fact] else "kind"
        dictionary.check_value(role, dictionary.known_values(fact, label), "--role")
        conds.append(f"f.{label} = ?")
        args.append(role)
    if level is not None:
        if "level" not in store.FACT_COLUMNS[fact]:
            raise UsageError("--level filters amounts: give --fact amounts, e.g. --fact amounts --level total")
        dictionary.check_value(level, dictionary.known_values(fact, "level"), "--level")
        conds.append("f.level = ?")
        args.append(level)
    if fact == "amounts":
        conds.append("f.low_yuan IS NULL AND f.per IS NULL AND f.qualifier = 'exact'")
    db = store.open_reader(db_path)
    try:
        groups: dict[tuple, dict] = {}
        rows = db.execute(f"SELECT f.{column}, f.report_id, r.department, {', '.join(_key_sql(k) for k in keys)} "
                          f"FROM {fact} f JOIN reports r ON r.report_id = f.report_id WHERE {' AND '.join(conds)}",
                          args)
        for value, rid, name, *key in rows:
            g = groups.setdefault(tuple(key), {"key": tuple(key), "values": [], "reports": set(), "names": set()})
            g["values"].append(Decimal(value))
            g["reports"].add(rid)
            g["names"].add(name)
        unit = "_yuan" if fact == "amounts" else ""
        return [{**_key_row(keys, g["key"], g["names"]), "reports": len(g["reports"]),
                 **summarize(g["values"], fact, unit)}
                for g in (groups[k] for k in sorted(groups, key=lambda k: [(v is None, str(v)) for v in k]))]
    finally:
        db.close()


# ------------------------------------------------------------------------------- indicators

INDICATOR_GROUP_KEYS = ("level1", "level2", "name", *GROUP_KEYS)


@dataclass
class IndicatorGroup:
    key: tuple
    report_ids: set = field(default_factory=set)
    names: set = field(default_factory=set)
    met: int = 0
    missed: int = 0
    unknown: int = 0       # qualitative target or actual, units that differ: met is NULL
    weights: list[Decimal] = field(default_factory=list)
    scores: list[Decimal] = field(default_factory=list)

    def row(self, keys: list[str]) -> dict:
        judged = self.met + self.missed
        return {
            **_key_row(keys, self.key, self.names),
            "indicators": self.met + self.missed + self.unknown,
            "reports": len(self.report_ids),
            "met": self.met,
            "missed": self.missed,
            "unknown": self.unknown,
            "share_met": _share(self.met, judged),
            "weight_total": _plain(sum(self.weights)) if self.weights else None,
            "score_total": _plain(sum(self.scores)) if self.scores else None,
        }


def indicator_stats(db_path, by="level1", kind: str | None = None, year: int | None = None,
                    department: str | None = None, duplicates: bool = False) -> list[dict]:
    """Indicators met, missed and unknown (met is NULL) per combination of the `by` keys, with their points.

    A key is an indicator column (level1, level2, name) or a report key (year, department …);
    indicators without that value are grouped under None. Points are summed as Decimals.
    """
    keys = [k.strip() for k in (by.split(",") if isinstance(by, str) else by) if k.strip()]
    if not keys or any(k not in INDICATOR_GROUP_KEYS for k in keys):
        raise UsageError(f"--by must be one of {', '.join(INDICATOR_GROUP_KEYS)} with --indicators")
    columns = ", ".join(f"i.{k}" if k in ("level1", "level2", "name") else _key_sql(k) for k in keys)
    where, args = store.report_filter(kind, year, department, duplicates)
    db = store.open_reader(db_path)
    try:
        groups: dict[tuple, IndicatorGroup] = {}
        rows = db.execute(f"SELECT i.report_id, r.department, i.met, i.weight, i.score, {columns} "
                          f"FROM indicators i JOIN reports r ON r.report_id = i.report_id WHERE {where}", args)
        for report_id, department_name, met, weight, score, *key in rows:
            g = groups.setdefault(tuple(key), IndicatorGroup(tuple(key)))
            g.report_ids.add(report_id)
            g.names.add(department_name)
            if met is None:
                g.unknown += 1
            elif met:
                g.met += 1
            else:
                g.missed += 1
            if weight is not None:
                g.weights.append(Decimal(weight))
            if score is not None:
                g.scores.append(Decimal(score))
        return [g.row(keys) for g in _sorted(groups)]
    finally:
        db.close()


def _stated(text: str | None, op: str | None, unit: str | None) -> str | None:
    """A target as read, with the comparison and unit its own cells gave (≧ | 90 | % -> ≥90%)."""
    if text is None:
        return None
    shown = text
    if op and not shown.lstrip().startswith(("≥", "≤", ">", "<", "=", "≧", "≦", "═")):
        shown = op + shown
    if unit and not shown.rstrip().endswith(unit):
        shown += unit
    return shown


def indicator_history(db_path, name: str, duplicates: bool = True) -> list[dict]:
    """Target against actual of every indicator row whose name contains `name`, across reports.

    One row per indicator row (a report naming 学员满意度 and 家长满意度 gives two rows for 满意度),
    of every file (`duplicates=False`: each report once, as the saved query counts), ordered by year,
    department key and position in the report. Numbers are decimal strings as stored.
    """
    if not name.strip():
        raise UsageError("--indicator needs part of an indicator's name, e.g. 满意度")
    db = store.open_reader(db_path)
    try:
        cur = db.execute(
            "SELECT r.report_id, r.source, r.department, r.department_key, r.year, i.name, i.level1, i.level2, "
            "i.target_text, i.target_op, i.target_value, i.target_unit, "
            "i.actual_text, i.actual_value, i.actual_unit, i.met, i.weight, i.score, i.deviation "
            "FROM indicators i JOIN reports r ON r.report_id = i.report_id "
            f"WHERE i.name LIKE ? ESCAPE '\\'{'' if duplicates else ' AND r.duplicate_of IS NULL'} "
            "ORDER BY r.year IS NULL, r.year, r.department_key IS NULL, r.department_key, r.department, r.source, "
            "i.seq",
            (f"%{store.like_escape(name.strip())}%",))
        columns = ["report_id", "source", "department", "department_key", "year", "name", "level1", "level2",
                   "target", "target_op", "target_value", "target_unit",
                   "actual", "actual_value", "actual_unit", "met", "weight", "score", "deviation"]
        out = []
        for row in cur:
            record = dict(zip(columns, row))
            record["met"] = None if record["met"] is None else bool(record["met"])
            record.update({k: _plain(v) for k, v in record.items() if isinstance(v, Decimal)})
            record["target_stated"] = _stated(record["target"], record["target_op"], record["target_unit"])
            out.append(record)
        return out
    finally:
        db.close()
