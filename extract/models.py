"""The output contract: pydantic records, one `Report` per input document.

Money and rates are Decimal in Python and decimal strings in JSON (never floats). Every fact
carries `text`, `start`, `end` into the original decoded text, the `rule` that produced it and the
`section` it sits in. Field names are stable: other tools read them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from .numbers import normalize_decimal

Dec = Annotated[Decimal, PlainSerializer(normalize_decimal, return_type=str, when_used="json")]

Qualifier = Literal["exact", "approx", "more_than", "at_least", "at_most", "less_than"]


class Fact(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str = Field(description="the raw substring: source[start:end]")
    start: int
    end: int
    rule: str = Field(description="id of the pattern that fired, e.g. money.wan_yuan")
    section: str = Field("", description="section path, headings joined by ' > '")


class Amount(Fact):
    value_yuan: Dec = Field(description="value in yuan; for a range, the low end")
    low_yuan: Dec | None = None
    high_yuan: Dec | None = None
    unit: str = Field(description="the unit as written: 元, 万元, 亿元, 万 …")
    qualifier: Qualifier = "exact"
    per: str | None = Field(None, description="what a rate is per: 人/月 in 1500元/人/月")
    role: str = "other"


class Percentage(Fact):
    value: Dec
    qualifier: Qualifier = "exact"
    role: str = "other"


class Count(Fact):
    value: Dec
    unit: str
    qualifier: Qualifier = "exact"
    noun: str | None = None


class Staffing(Fact):
    value: Dec
    unit: str = "人"
    role: str
    names: list[str] | None = Field(None, description="listed names, e.g. of internal units")


class Event(Fact):
    name: str
    kind: str
    edition: int | None = None


class Score(Fact):
    value: Dec
    kind: Literal["total", "indicator", "max"]


class Check(BaseModel):
    name: str
    passed: bool
    values: dict[str, Dec] = Field(description="the numbers the check used")
    message: str = ""


class Section(BaseModel):
    label: str = Field(description="the numbering as written: 一、 （一） 1、")
    title: str
    level: int
    start: int
    end: int
    path: str


class BudgetSummary(BaseModel):
    budget_initial_yuan: Dec | None = None
    carryover_yuan: Dec | None = None
    budget_addition_yuan: Dec | None = Field(None, description="mid-year addition (追加)")
    appropriation_yuan: Dec | None = Field(None, description="current-year appropriation (当年财政拨款)")
    budget_adjusted_yuan: Dec | None = None
    expenditure_yuan: Dec | None = None
    execution_rate: Dec | None = None


class Report(BaseModel):
    source: str
    sha256: str
    encoding: str | None = None
    title: str | None = None
    department: str | None = None
    year: int | None = None
    report_kind: str | None = None
    grade: str | None = None
    amounts: list[Amount] = []
    percentages: list[Percentage] = []
    counts: list[Count] = []
    staffing: list[Staffing] = []
    events: list[Event] = []
    scores: list[Score] = []
    checks: list[Check] = []
    budget_summary: BudgetSummary = BudgetSummary()
    sections: list[Section] = []


FACT_TYPES: dict[str, type[Fact]] = {
    "amounts": Amount,
    "percentages": Percentage,
    "counts": Count,
    "staffing": Staffing,
    "events": Event,
    "scores": Score,
}
