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
Direction = Literal["increase", "decrease"]
_DIRECTION = "the change written before the number: 增长/增加/提高 … increase, 下降/减少/节约 … decrease; " \
    "null when it is not a change (a written minus sign stays the value's sign)"


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
    direction: Direction | None = Field(None, description=_DIRECTION)
    role: str = "other"


class Percentage(Fact):
    value: Dec = Field(description="the rate in percent (97.94 for 97.94%); for a range, the low end")
    low: Dec | None = Field(None, description="a range's low end (90 in 90%-95%)")
    high: Dec | None = Field(None, description="a range's high end (95 in 90%-95%)")
    qualifier: Qualifier = "exact"
    direction: Direction | None = Field(None, description=_DIRECTION)
    role: str = "other"


class Points(Fact):
    """A change of a rate in percentage points (提高2.6个百分点): never a percentage."""

    value: Dec = Field(description="the number of points, signed as written")
    qualifier: Qualifier = "exact"
    direction: Direction | None = Field(None, description=_DIRECTION)
    role: str = Field("other", description="the rate that changed: execution_rate, completion_rate …")


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


Op = Literal["=", "≥", "≤", ">", "<"]


class IndicatorValue(BaseModel):
    """A target or actual value of an indicator row as written, and what it says."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="the cell or phrase as written: source[start:end]")
    start: int
    end: int
    op: Op | None = Field(None, description="the comparison of a target (≥95% -> ≥); null when none is written")
    value: Dec | None = Field(None, description="the number; null for a qualitative value (有效提升)")
    unit: str | None = Field(None, description="the unit after the number (%, 人次, 万元) or from a 度量单位 cell")


class Indicator(Fact):
    """One performance-indicator row (三级指标) of a 绩效自评表 or its prose form.

    `text`/`start`/`end` are the span of the indicator's name; `name` is that text without the
    spaces and line breaks a PDF or OCR put into it.
    """

    name: str
    level1: str | None = Field(None, description="一级指标: 产出指标, 效益指标, 满意度指标 …")
    level2: str | None = Field(None, description="二级指标: 数量指标, 质量指标 …")
    target: IndicatorValue | None = Field(None, description="指标值 / 年度指标值 / 目标值")
    actual: IndicatorValue | None = Field(None, description="实际完成值 / 全年实际值")
    weight: Dec | None = Field(None, description="分值 / 权重: the points the indicator is worth")
    score: Dec | None = Field(None, description="得分: the points it was given")
    deviation: str | None = Field(None, description="偏差原因分析及改进措施, as written")
    met: bool | None = Field(None, description="whether the actual value meets the target (≥, ≤, = …); "
                             "null when either is qualitative or their units differ")


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
    points: list[Points] = []
    counts: list[Count] = []
    staffing: list[Staffing] = []
    events: list[Event] = []
    scores: list[Score] = []
    indicators: list[Indicator] = []
    checks: list[Check] = []
    budget_summary: BudgetSummary = BudgetSummary()
    sections: list[Section] = []


FACT_TYPES: dict[str, type[Fact]] = {
    "amounts": Amount,
    "percentages": Percentage,
    "points": Points,
    "counts": Count,
    "staffing": Staffing,
    "events": Event,
    "scores": Score,
    "indicators": Indicator,
}
