"""Consistency checks on one report: budget arithmetic, execution rate, score range and grade."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal

from . import patterns
from .models import BudgetSummary, Check, Score
from .numbers import matches_stated


@functools.cache
def _grade_floors() -> dict[str, Decimal]:
    return {g: Decimal(str(v)) for g, v in patterns.load("scores")["grade_floors"].items()}


def run(summary: BudgetSummary, scores: list[Score], grade: str | None, changed: bool = False) -> list[Check]:
    """The checks a report's own figures allow, each with what it compared in words. `changed`: the report
    says its budget was changed during the year (figures.budget_changed); a budget sum that misses a
    change of no stated amount is then unknown, and left out rather than failed."""
    out: list[Check] = []
    s = summary
    if s.budget_initial_yuan is not None and s.carryover_yuan is not None and s.budget_adjusted_yuan is not None:
        addition = s.budget_addition_yuan or Decimal(0)
        total = s.budget_initial_yuan + s.carryover_yuan + addition
        values = {"budget_initial": s.budget_initial_yuan, "carryover": s.carryover_yuan}
        if s.budget_addition_yuan is not None:
            values["budget_addition"] = addition
        values.update(sum=total, budget_adjusted=s.budget_adjusted_yuan)
        passed = total == s.budget_adjusted_yuan
        parts = "initial + carryover" + (" + mid-year additions (追加)" if s.budget_addition_yuan is not None else "")
        message = f"{parts} = {_yuan(total)}, the adjusted budget {_yuan(s.budget_adjusted_yuan)}" + (
            "" if passed else f": {_yuan(abs(s.budget_adjusted_yuan - total))} apart")
        # a report may state the adjusted budget's make-up instead: 当年财政拨款 + 上年结转
        if not passed and s.appropriation_yuan is not None:
            by_source = s.appropriation_yuan + s.carryover_yuan
            values.update(appropriation=s.appropriation_yuan, appropriation_plus_carryover=by_source)
            if by_source == s.budget_adjusted_yuan:
                passed = True
                message = "the adjusted budget equals appropriation + carryover (the initial budget was changed)"
        if passed or s.budget_addition_yuan is not None or not changed:
            out.append(Check(name="budget_initial_plus_carryover_equals_adjusted", passed=passed, values=values,
                             message=message))
    budgets = [(n, b) for n, b in (("budget_adjusted", s.budget_adjusted_yuan), ("budget_initial", s.budget_initial_yuan))
               if b]
    if s.expenditure_yuan is not None and budgets and s.execution_rate is not None:
        # against the adjusted budget, or the initial one (完成年初预算的104.18%): as the figures read it
        computed = {n: s.expenditure_yuan / b * 100 for n, b in budgets}
        values = {"expenditure": s.expenditure_yuan, **{n: b for n, b in budgets},
                  **{f"computed_rate_{n}": c.quantize(Decimal("0.0001"), ROUND_HALF_UP) for n, c in computed.items()},
                  "stated_rate": s.execution_rate}
        passed = any(matches_stated(c, s.execution_rate) for c in computed.values())
        shown = ", ".join(f"{c.quantize(Decimal('0.01'), ROUND_HALF_UP)}% over the {n.split('_')[1]} budget"
                          for n, c in computed.items())
        out.append(Check(
            name="execution_rate_matches_expenditure_over_budget",
            passed=passed,
            values=values,
            message=(f"the stated rate {s.execution_rate}% " + ("matches" if passed else "matches neither")
                     + f" expenditure ÷ budget ({shown}), rounded or truncated"),
        ))
    totals = [x for x in scores if x.kind == "total"]
    if totals:
        score = totals[0].value
        maxima = [x.value for x in scores if x.kind == "max" and x.value >= score]
        top = max(maxima) if maxima else Decimal(100)
        passed = Decimal(0) <= score <= top
        out.append(Check(name="total_score_within_range", passed=passed, values={"score": score, "max": top},
                         message=f"the total score {score} is {'within' if passed else 'outside'} 0–{top}"))
        span = grade_range(grade)
        if span is not None:
            floor, ceiling = span
            passed = grade_agrees(grade, score)
            upper = f"below {ceiling}" if ceiling is not None else "and above"
            out.append(Check(
                name="grade_consistent_with_score",
                passed=passed,
                values={"score": score, "grade_floor": floor, "next_grade_floor": ceiling or top + 1},
                message=f"grade {grade} stands for {floor} {upper}; the total score {score} "
                        + ("agrees" if passed else "does not"),
            ))
    return out


def _yuan(v: Decimal) -> str:
    return f"{v.normalize():f}元" if v == v.to_integral_value() else f"{v}元"


def grade_range(grade: str | None) -> tuple[Decimal, Decimal | None] | None:
    """The scores a grade stands for: (its floor, the next grade's floor or None), from
    patterns/scores.yaml grade_floors; None for a grade the table does not know."""
    floors = _grade_floors()
    if grade not in floors:
        return None
    higher = sorted(v for v in set(floors.values()) if v > floors[grade])
    return floors[grade], (higher[0] if higher else None)


def grade_agrees(grade: str, score: Decimal) -> bool:
    """Whether `score` lies in the grade's range (True for a grade the table does not know)."""
    span = grade_range(grade)
    return span is None or (span[0] <= score and (span[1] is None or score < span[1]))
