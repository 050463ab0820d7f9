"""Cross-report statistics from the dataset, grouped by year, department or another report key.

Budget figures come from each report's budget_summary (adjusted budget, else the initial one);
every sum and median is computed on Decimals, so totals are exact.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from . import store
from .errors import UsageError

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
    from .numbers import normalize_decimal

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
