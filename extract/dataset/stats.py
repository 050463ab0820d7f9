"""Cross-report statistics, exact: reports grouped by one or more keys, one fact type's values, indicators
met or missed, one indicator over time.

Every aggregate is computed on Decimals: count, sum, mean (rounded to MEAN_PLACES decimal places),
median, min and max. Reports are filtered by kind, year and department; a report that duplicates
another file's content (reports.duplicate_of) is counted once unless `duplicates=True`. Grades are
counted as written and on one scale (grade_level: 优/良/中/差).

Budget figures come from each report's budget_summary (adjusted budget, else the initial one). In fact
mode (`fact="amounts"`, optionally a `role`), the values are the facts' own: for amounts, exact single
amounts only (no ranges, no approximate or per-unit amounts), which are the ones a sum means anything for.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from ..errors import UsageError
from ..numbers import normalize_decimal
from . import store

GROUP_KEYS = ("year", "department", "report_kind", "grade", "grade_level", "format")
LOW_RATE = Decimal(90)
MEAN_PLACES = 4
FACT_VALUE = store.VALUE_COLUMNS


def _keys(by) -> list[str]:
    keys = [k.strip() for k in (by.split(",") if isinstance(by, str) else by) if k.strip()]
    if not keys or any(k not in GROUP_KEYS for k in keys):
        raise UsageError(f"--by must be one or more of {', '.join(GROUP_KEYS)}, e.g. --by department,year")
    return keys


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
    key: dict
    reports: int = 0
    budgets: list[Decimal] = field(default_factory=list)
    spending: list[Decimal] = field(default_factory=list)
    rates: list[Decimal] = field(default_factory=list)
    scores: list[Decimal] = field(default_factory=list)
    grades: Counter = field(default_factory=Counter)
    levels: Counter = field(default_factory=Counter)
    failed_checks: int = 0

    def row(self) -> dict:
        return {
            **self.key,
            "reports": self.reports,
            **summarize(self.budgets, "budget", "_yuan"),
            **summarize(self.spending, "expenditure", "_yuan"),
            **summarize(self.rates, "execution_rate"),
            "share_rate_under_90": _share(sum(r < LOW_RATE for r in self.rates), len(self.rates)),
            **summarize(self.scores, "score"),
            "grades": dict(self.grades),
            "grade_levels": dict(self.levels),
            "failed_checks": self.failed_checks,
        }


def _sorted(groups: dict, keys: list[str]) -> list:
    return [groups[k] for k in sorted(groups, key=lambda k: [(v is None, str(v)) for v in k])]


def stats(db_path, by="year", kind: str | None = None, year: int | None = None, department: str | None = None,
          fact: str | None = None, role: str | None = None, duplicates: bool = False) -> list[dict]:
    """One row per combination of the `by` keys (e.g. "department,year"); reports without a key's value are
    grouped under None. With `fact`, aggregates that fact type's values (of one `role`) instead."""
    keys = _keys(by)
    if fact is not None:
        return fact_stats(db_path, fact, keys, kind, year, department, role, duplicates)
    if role is not None:
        raise UsageError("--role filters facts: give --fact too, e.g. --fact amounts --role expenditure")
    where, args = store.report_filter(kind, year, department, duplicates)
    db = store.open_reader(db_path)
    try:
        groups: dict[tuple, Group] = {}
        score_of = dict(db.execute(
            "SELECT report_id, value FROM scores s WHERE kind = 'total' AND seq = "
            "(SELECT min(seq) FROM scores t WHERE t.report_id = s.report_id AND t.kind = 'total')"))
        failed = defaultdict(int, db.execute(
            "SELECT report_id, count(*) FROM checks WHERE passed = 0 GROUP BY report_id").fetchall())
        columns = ", ".join(f"r.{k}" for k in keys)
        rows = db.execute(f"SELECT r.report_id, r.budget_adjusted_yuan, r.budget_initial_yuan, r.expenditure_yuan, "
                          f"r.execution_rate, r.grade, r.grade_level, {columns} FROM reports r WHERE {where}", args)
        for rid, adjusted, initial, spent, rate, grade, level, *key in rows:
            g = groups.setdefault(tuple(key), Group(dict(zip(keys, key))))
            g.reports += 1
            budget = adjusted if adjusted is not None else initial
            if budget is not None:
                g.budgets.append(Decimal(budget))
            if spent is not None:
                g.spending.append(Decimal(spent))
            if rate is not None:
                g.rates.append(Decimal(rate))
            if rid in score_of:
                g.scores.append(Decimal(score_of[rid]))
            if grade:
                g.grades[grade] += 1
            if level:
                g.levels[level] += 1
            g.failed_checks += failed[rid]
        return [g.row() for g in _sorted(groups, keys)]
    finally:
        db.close()


def fact_stats(db_path, fact: str, by, kind=None, year=None, department=None, role=None,
               duplicates: bool = False) -> list[dict]:
    """count/sum/mean/median/min/max of one fact type's values per group of reports, exact."""
    if fact not in FACT_VALUE:
        raise UsageError(f"--fact must be one of {', '.join(FACT_VALUE)}")
    keys = _keys(by)
    where, args = store.report_filter(kind, year, department, duplicates)
    column = FACT_VALUE[fact]
    conds = [where]
    if role is not None:
        from . import dictionary

        label = "role" if "role" in store.FACT_COLUMNS[fact] else "kind"
        dictionary.check_value(role, dictionary.known_values(fact, label), "--role")
        conds.append(f"f.{label} = ?")
        args.append(role)
    if fact == "amounts":
        conds.append("f.low_yuan IS NULL AND f.per IS NULL AND f.qualifier = 'exact'")
    db = store.open_reader(db_path)
    try:
        groups: dict[tuple, dict] = {}
        rows = db.execute(f"SELECT f.{column}, f.report_id, {', '.join(f'r.{k}' for k in keys)} FROM {fact} f "
                          f"JOIN reports r ON r.report_id = f.report_id WHERE {' AND '.join(conds)}", args)
        for value, rid, *key in rows:
            g = groups.setdefault(tuple(key), {"key": dict(zip(keys, key)), "values": [], "reports": set()})
            g["values"].append(Decimal(value))
            g["reports"].add(rid)
        unit = "_yuan" if fact == "amounts" else ""
        return [{**g["key"], "reports": len(g["reports"]), **summarize(g["values"], fact, unit)}
                for g in _sorted(groups, keys)]
    finally:
        db.close()


# ------------------------------------------------------------------------------- indicators

INDICATOR_GROUP_KEYS = ("level1", "level2", "name", *GROUP_KEYS)


@dataclass
class IndicatorGroup:
    key: dict
    report_ids: set = field(default_factory=set)
    met: int = 0
    missed: int = 0
    unknown: int = 0       # qualitative target or actual, units that differ: met is NULL
    weights: list[Decimal] = field(default_factory=list)
    scores: list[Decimal] = field(default_factory=list)

    def row(self) -> dict:
        judged = self.met + self.missed
        return {
            **self.key,
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
    columns = ", ".join(f"i.{k}" if k in ("level1", "level2", "name") else f"r.{k}" for k in keys)
    where, args = store.report_filter(kind, year, department, duplicates)
    db = store.open_reader(db_path)
    try:
        groups: dict[tuple, IndicatorGroup] = {}
        rows = db.execute(f"SELECT i.report_id, i.met, i.weight, i.score, {columns} "
                          f"FROM indicators i JOIN reports r ON r.report_id = i.report_id WHERE {where}", args)
        for report_id, met, weight, score, *key in rows:
            g = groups.setdefault(tuple(key), IndicatorGroup(dict(zip(keys, key))))
            g.report_ids.add(report_id)
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
        return [g.row() for g in _sorted(groups, keys)]
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


def indicator_history(db_path, name: str) -> list[dict]:
    """Target against actual of every indicator row whose name contains `name`, across reports.

    One row per indicator row (a report naming 学员满意度 and 家长满意度 gives two rows for 满意度),
    ordered by year, department and position in the report. Numbers are decimal strings as stored.
    """
    if not name.strip():
        raise UsageError("--indicator needs part of an indicator's name, e.g. 满意度")
    db = store.open_reader(db_path)
    try:
        cur = db.execute(
            "SELECT r.report_id, r.source, r.department, r.year, i.name, i.level1, i.level2, "
            "i.target_text, i.target_op, i.target_value, i.target_unit, "
            "i.actual_text, i.actual_value, i.actual_unit, i.met, i.weight, i.score, i.deviation "
            "FROM indicators i JOIN reports r ON r.report_id = i.report_id "
            "WHERE i.name LIKE ? ESCAPE '\\' "
            "ORDER BY r.year IS NULL, r.year, r.department IS NULL, r.department, r.source, i.seq",
            (f"%{store.like_escape(name.strip())}%",))
        columns = ["report_id", "source", "department", "year", "name", "level1", "level2",
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
