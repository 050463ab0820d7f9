"""A short human summary of extracted reports (what `make demo` prints)."""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from .models import FACT_TYPES, Report


def summarize(reports: Iterable[Report]) -> str:
    lines: list[str] = []
    totals: Counter = Counter()
    roles: Counter = Counter()
    failed_checks = 0
    n = 0
    for r in reports:
        n += 1
        counts = {t: len(getattr(r, t)) for t in FACT_TYPES}
        totals.update(counts)
        roles.update(a.role for a in r.amounts)
        failed_checks += sum(1 for c in r.checks if not c.passed)
        s = r.budget_summary
        lines.append(f"- {r.source}")
        lines.append(f"    {r.department or '?'} | {r.year or '?'} | {r.report_kind or '?'} | grade {r.grade or '-'}")
        lines.append("    " + ", ".join(f"{t} {c}" for t, c in counts.items()))
        if any(v is not None for v in s.model_dump().values()):
            lines.append(
                f"    budget {_yuan(s.budget_initial_yuan)} + carryover {_yuan(s.carryover_yuan)}"
                f" -> adjusted {_yuan(s.budget_adjusted_yuan)}; spent {_yuan(s.expenditure_yuan)}"
                f" ({s.execution_rate if s.execution_rate is not None else '?'}%)"
            )
        f = r.figures
        shown = [(n, getattr(f, n)) for n in ("budget_initial", "budget_adjusted", "expenditure", "execution_rate",
                                              "total_score", "grade") if getattr(f, n) is not None]
        if shown or f.scope:
            lines.append(f"    figures ({f.scope or 'scope unknown'}): " + ("; ".join(
                f"{n} {_figure(n, x)}" + (" [conflict]" if x.status == "conflict" else "") for n, x in shown) or "none stated")
                + (f"; {len(r.projects)} projects" if r.projects else ""))
        if r.indicators:
            met = Counter(i.met for i in r.indicators)
            missed = [i.name for i in r.indicators if i.met is False]
            lines.append(f"    indicators met {met[True]}, missed {met[False]}, unknown {met[None]}"
                         + (f" (missed: {', '.join(missed)})" if missed else ""))
        for c in r.checks:
            lines.append(f"    check {'ok  ' if c.passed else 'FAIL'} {c.name}")
    head = [f"{n} report(s): " + ", ".join(f"{t} {totals[t]}" for t in FACT_TYPES),
            "amount roles: " + ", ".join(f"{k} {v}" for k, v in roles.most_common()),
            f"failed consistency checks: {failed_checks}"]
    return "\n".join(head + lines)


def _figure(name: str, f) -> str:
    if f.label is not None:
        return f.label
    if name.endswith("rate"):
        return f"{f.value}%"
    if name == "total_score":
        return f"{f.value}分"
    return _yuan(f.value)


def _yuan(v) -> str:
    if v is None:
        return "?"
    return f"{v / 10000:,.2f}万元"
