"""Cross-report statistics: reports by year or department, indicators met or missed, one indicator over time.

Reports are grouped by year, department or another report key; indicators (rows of 绩效自评表) are
counted met, missed or unknown by level1/level2 (or a report key); one indicator, found by part of
its name, is listed with its target and actual value in every report.

Budget figures come from each report's budget_summary (adjusted budget, else the initial one);
every sum and median is computed on Decimals, so totals are exact.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import UsageError
from . import store

GROUP_KEYS = ("year", "department", "report_kind", "grade", "format")
LOW_RATE = Decimal(90)


@dataclass
class Group:
    key: object
    reports: int = 0
    budgets: list[Decimal] = field(default_factory=list)
    spending: list[Decimal] = field(default_factory=list)
    rates: list[Decimal] = field(default_factory=list)
    scores: list[Decimal] = field(default_factory=list)
    grades: Counter = field(default_factory=Counter)
    failed_checks: int = 0

    def row(self) -> dict:
        def med(v):
            return _plain(statistics.median(v)) if v else None

        return {
            "key": self.key,
            "reports": self.reports,
            "budget_total_yuan": _plain(sum(self.budgets)) if self.budgets else None,
            "budget_median_yuan": med(self.budgets),
            "expenditure_total_yuan": _plain(sum(self.spending)) if self.spending else None,
            "expenditure_median_yuan": med(self.spending),
            "execution_rate_median": med(self.rates),
            "execution_rate_min": _plain(min(self.rates)) if self.rates else None,
            "share_rate_under_90": (round(sum(r < LOW_RATE for r in self.rates) / len(self.rates), 4)
                                    if self.rates else None),
            "score_min": _plain(min(self.scores)) if self.scores else None,
            "score_median": med(self.scores),
            "score_max": _plain(max(self.scores)) if self.scores else None,
            "grades": dict(self.grades),
            "failed_checks": self.failed_checks,
        }


def _plain(v: Decimal) -> str:
    from ..numbers import normalize_decimal

    return normalize_decimal(Decimal(v))


def stats(db_path, by: str = "year") -> list[dict]:
    """One row per value of `by` (reports without that value are grouped under None)."""
    if by not in GROUP_KEYS:
        raise UsageError(f"--by must be one of {', '.join(GROUP_KEYS)}")
    db = store.connect(db_path, create=False)
    try:
        groups: dict[object, Group] = {}
        score_of = dict(db.execute(
            "SELECT report_id, value FROM scores s WHERE kind = 'total' AND seq = "
            "(SELECT min(seq) FROM scores t WHERE t.report_id = s.report_id AND t.kind = 'total')"))
        failed = defaultdict(int, db.execute(
            "SELECT report_id, count(*) FROM checks WHERE passed = 0 GROUP BY report_id").fetchall())
        rows = db.execute(f"SELECT id, {by}, budget_adjusted_yuan, budget_initial_yuan, expenditure_yuan, "
                          f"execution_rate, grade FROM reports")
        for rid, key, adjusted, initial, spent, rate, grade in rows:
            g = groups.setdefault(key, Group(key))
            g.reports += 1
            budget = adjusted or initial
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
            g.failed_checks += failed[rid]
        return [g.row() for g in sorted(groups.values(), key=lambda g: (g.key is None, str(g.key)))]
    finally:
        db.close()


# ------------------------------------------------------------------------------- indicators

INDICATOR_GROUP_KEYS = ("level1", "level2", "name", *GROUP_KEYS)


@dataclass
class IndicatorGroup:
    key: object
    report_ids: set = field(default_factory=set)
    met: int = 0
    missed: int = 0
    unknown: int = 0       # qualitative target or actual, units that differ: met is NULL
    weights: list[Decimal] = field(default_factory=list)
    scores: list[Decimal] = field(default_factory=list)

    def row(self) -> dict:
        judged = self.met + self.missed
        return {
            "key": self.key,
            "indicators": self.met + self.missed + self.unknown,
            "reports": len(self.report_ids),
            "met": self.met,
            "missed": self.missed,
            "unknown": self.unknown,
            "share_met": round(self.met / judged, 4) if judged else None,
            "weight_total": _plain(sum(self.weights)) if self.weights else None,
            "score_total": _plain(sum(self.scores)) if self.scores else None,
        }


def indicator_stats(db_path, by: str = "level1") -> list[dict]:
    """Indicators met, missed and unknown (met is NULL) per value of `by`, with their points.

    `by` is an indicator column (level1, level2, name) or a report key (year, department …);
    indicators without that value are grouped under None. Points are summed as Decimals.
    """
    if by not in INDICATOR_GROUP_KEYS:
        raise UsageError(f"--by must be one of {', '.join(INDICATOR_GROUP_KEYS)} with --indicators")
    column = f"i.{by}" if by in ("level1", "level2", "name") else f"r.{by}"
    db = store.connect(db_path, create=False)
    try:
        groups: dict[object, IndicatorGroup] = {}
        rows = db.execute(f"SELECT {column}, i.report_id, i.met, i.weight, i.score "
                          "FROM indicators i JOIN reports r ON r.id = i.report_id")
        for key, report_id, met, weight, score in rows:
            g = groups.setdefault(key, IndicatorGroup(key))
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
        return [g.row() for g in sorted(groups.values(), key=lambda g: (g.key is None, str(g.key)))]
    finally:
        db.close()


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
    db = store.connect(db_path, create=False)
    try:
        cur = db.execute(
            "SELECT r.id, r.source, r.department, r.year, i.name, i.level1, i.level2, "
            "i.target_text, i.target_op, i.target_value, i.target_unit, "
            "i.actual_text, i.actual_value, i.actual_unit, i.met, i.weight, i.score, i.deviation "
            "FROM indicators i JOIN reports r ON r.id = i.report_id "
            "WHERE i.name LIKE ? ESCAPE '\\' "
            "ORDER BY r.year IS NULL, r.year, r.department IS NULL, r.department, r.source, i.seq",
            (f"%{_like_escape(name.strip())}%",))
        columns = ["report_id", "source", "department", "year", "name", "level1", "level2",
                   "target", "target_op", "target_value", "target_unit",
                   "actual", "actual_value", "actual_unit", "met", "weight", "score", "deviation"]
        out = []
        for row in cur:
            record = dict(zip(columns, row))
            record["met"] = None if record["met"] is None else bool(record["met"])
            record["target_stated"] = _stated(record["target"], record["target_op"], record["target_unit"])
            out.append(record)
        return out
    finally:
        db.close()
