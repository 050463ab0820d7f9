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
_QUALIFIER = "how the number is bounded: exact, approx (约/左右), more_than (多/余/超过/高于), at_least (以上/不低于/≥), " \
    "at_most (以下/不超过/≤), less_than (不足/低于/<)"
_DIRECTION = "the change written before the number: 增长/增加/提高 … increase, 下降/减少/节约 … decrease; " \
    "null when it is not a change (a written minus sign stays the value's sign)"


AmountLevel = Literal["total", "part", "repeat", "other"]
_LEVEL = ("how the amount stands to the report's own figures: total (the report's budget or expenditure as a whole, "
          "its first statement, when the figure passed its checks), repeat (the same figure stated again), part (one share of a total: by source "
          "当年财政拨款/上年结转, by kind 基本支出/项目支出, a line item, one of several projects), other (not a budget "
          "or expenditure figure of the report's subject: a target, planned spending, anything else). Sum totals "
          "only, or better the report figures (Report.figures)")


class Fact(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str = Field(description="the raw substring: source[start:end]")
    start: int = Field(description="offset of the first character in the original decoded text")
    end: int = Field(description="offset after the last character in the original decoded text")
    rule: str = Field(description="id of the pattern that fired, e.g. money.wan_yuan")
    section: str = Field("", description="section path, headings joined by ' > '")


class Amount(Fact):
    value_yuan: Dec = Field(description="value in yuan; for a range, the low end")
    low_yuan: Dec | None = Field(None, description="a range's low end in yuan (10000 in 1万元--5万元); null otherwise")
    high_yuan: Dec | None = Field(None, description="a range's high end in yuan (50000 in 1万元--5万元); null otherwise")
    unit: str = Field(description="the unit as written: 元, 万元, 亿元, 万 …")
    qualifier: Qualifier = Field("exact", description=_QUALIFIER)
    per: str | None = Field(None, description="what a rate is per: 人/月 in 1500元/人/月")
    direction: Direction | None = Field(None, description=_DIRECTION)
    role: str = Field("other", description="what the amount is, from the cue words before it "
                      "(patterns/roles.yaml): budget_initial, expenditure, carryover …")
    level: AmountLevel = Field("other", description=_LEVEL)


class Percentage(Fact):
    value: Dec = Field(description="the rate in percent (97.94 for 97.94%); for a range, the low end")
    low: Dec | None = Field(None, description="a range's low end (90 in 90%-95%)")
    high: Dec | None = Field(None, description="a range's high end (95 in 90%-95%)")
    qualifier: Qualifier = Field("exact", description=_QUALIFIER)
    direction: Direction | None = Field(None, description=_DIRECTION)
    role: str = Field("other", description="what the rate is (patterns/roles.yaml): execution_rate, "
                      "growth_yoy, completion_rate, satisfaction …")


class Points(Fact):
    """A change of a rate in percentage points (提高2.6个百分点): never a percentage."""

    value: Dec = Field(description="the number of points, signed as written")
    qualifier: Qualifier = Field("exact", description=_QUALIFIER)
    direction: Direction | None = Field(None, description=_DIRECTION)
    role: str = Field("other", description="the rate that changed: execution_rate, completion_rate …")


class Count(Fact):
    value: Dec = Field(description="how many (50 in 50次)")
    unit: str = Field(description="the measure word as written: 次, 个, 人次, 家 …")
    qualifier: Qualifier = Field("exact", description=_QUALIFIER)
    noun: str | None = Field(None, description="what is counted, when named before the number (团组 in 30多个团组)")


class Staffing(Fact):
    value: Dec = Field(description="how many people, posts or units")
    unit: str = Field("人", description="人, 名 or 个 as written")
    role: str = Field(description="what is counted (patterns/staffing.yaml): establishment, total, in_service, "
                      "retired, contract, internal_units, posts …")
    names: list[str] | None = Field(None, description="listed names, e.g. of internal units")


class Event(Fact):
    name: str = Field(description="the event's name without quote marks (第26届兰洽会)")
    kind: str = Field(description="the kind of event, from its suffix (patterns/events.yaml): expo, promotion, "
                      "symposium, forum, matchmaking, signing, meeting, festival, contest, performance, campaign")
    edition: int | None = Field(None, description="the edition number (26 in 第26届); null when none is written")


class Score(Fact):
    value: Dec = Field(description="the points (分)")
    kind: Literal["total", "project_total", "indicator", "max"] = Field(
        description="total: the report's self-evaluation score; project_total: the total score of one project "
                    "of a document about several (Report.projects); indicator: the points one indicator got; "
                    "max: the points it was worth (分值, 满分, a 合计 of weights)")


Op = Literal["=", "≥", "≤", ">", "<"]


class IndicatorValue(BaseModel):
    """A target or actual value of an indicator row as written, and what it says."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="the cell or phrase as written: source[start:end]")
    start: int = Field(description="offset of its first character in the original decoded text")
    end: int = Field(description="offset after its last character in the original decoded text")
    op: Op | None = Field(None, description="the comparison written before the value (≥95% -> ≥); null when none "
                                            "is written")
    value: Dec | None = Field(None, description="the number; null for a qualitative value (有效提升)")
    unit: str | None = Field(None, description="the unit after the number (%, 人次, 万元) or from a 度量单位 cell")


class Indicator(Fact):
    """One performance-indicator row (三级指标) of a 绩效自评表 or its prose form.

    `text`/`start`/`end` are the span of the indicator's name; `name` is that text without the
    spaces and line breaks a PDF or OCR put into it.
    """

    name: str = Field(description="the indicator's name (三级指标) without PDF spaces and line breaks")
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
    name: str = Field(description="budget_initial_plus_carryover_equals_adjusted, "
                      "execution_rate_matches_expenditure_over_budget, total_score_within_range, "
                      "grade_consistent_with_score")
    passed: bool = Field(description="whether the report's own numbers agree")
    values: dict[str, Dec] = Field(description="the numbers the check used")
    message: str = Field("", description="what was compared and what was found, in words")


class Section(BaseModel):
    label: str = Field(description="the numbering as written: 一、 （一） 1、")
    title: str
    level: int
    start: int
    end: int
    path: str


class BudgetSummary(BaseModel):
    budget_initial_yuan: Dec | None = Field(None, description="initial budget (年初预算), yuan")
    carryover_yuan: Dec | None = Field(None, description="carried over from last year (上年结转), yuan")
    budget_addition_yuan: Dec | None = Field(None, description="mid-year addition (追加)")
    appropriation_yuan: Dec | None = Field(None, description="current-year appropriation (当年财政拨款)")
    budget_adjusted_yuan: Dec | None = Field(
        None, description="the full-year budget after adjustments (调整后预算, 全年预算数), yuan")
    expenditure_yuan: Dec | None = Field(None, description="spent (支出, 执行数), yuan")
    execution_rate: Dec | None = Field(None, description="budget execution rate (执行率), percent")


Scope = Literal["department", "project", "multi", "other"]
FigureStatus = Literal["ok", "conflict"]
FIGURE_NAMES = ("budget_initial", "budget_adjusted", "expenditure", "execution_rate", "total_score", "grade")


class Figure(BaseModel):
    """One of a report's own figures, taken from one stated fact."""

    value: Dec | None = Field(None, description="the figure: yuan for money, percent for a rate, points for a "
                              "score; null for the grade")
    label: str | None = Field(None, description="the grade as written (优秀, 良); null for the other figures")
    status: FigureStatus = Field("ok", description="ok: taken, and the report's own arithmetic does not contradict "
                                 "it; conflict: it fails a check (see `reason`) and is left out of statistics "
                                 "unless asked for")
    fact_type: str = Field(description="the list the fact is in: amounts, percentages, scores, grade")
    fact_seq: int | None = Field(None, description="the fact's position in that list of the report (the "
                                 "dataset's seq); null for the grade, which is not a fact list")
    text: str = Field(description="the fact as written: source[start:end]")
    start: int = Field(description="offset of the fact in the original decoded text")
    end: int = Field(description="offset after the fact in the original decoded text")
    rule: str = Field(description="the rule that produced the fact")
    reason: str = Field(description="why this fact was chosen (and, for a conflict, what failed)")


class Figures(BaseModel):
    """Six figures, each null or taken from one stated fact."""

    budget_initial: Figure | None = Field(None, description="年初预算数, yuan")
    budget_adjusted: Figure | None = Field(None, description="全年预算数 / 调整后预算, yuan")
    expenditure: Figure | None = Field(None, description="全年执行数 / 实际支出, yuan")
    execution_rate: Figure | None = Field(None, description="预算执行率, percent")
    total_score: Figure | None = Field(None, description="the self-evaluation's total score (总分 / 自评得分)")
    grade: Figure | None = Field(None, description="the stated grade (自评等级)")


class ReportFigures(Figures):
    """The report's own figures: what a statistician adds up across reports."""

    scope: Scope | None = Field(None, description="what the report is about: department (the unit as a whole), "
                                "project (one project), multi (several projects), other (a budget draft, a notice)")
    subject: str | None = Field(None, description="the project's name for scope project (its 项目名称), as written")


class Project(Figures):
    """One project of a document about several projects (scope multi): its own figures, each with its fact."""

    name: str = Field(description="the project's name as written")
    start: int = Field(description="offset of the name in the original decoded text")
    end: int = Field(description="offset after the name")


class Ocr(BaseModel):
    """Which pages of the file were read by OCR (a scan): their text, and every offset into it, is the OCR's."""

    pages: list[int] = Field(description="1-based numbers of the pages (or images) read by OCR")
    confidence: Dec = Field(description="the OCR engine's mean confidence over the lines it recognized, 0–1")
    engine: str = Field(description="the OCR engine and its version")


class Report(BaseModel):
    source: str = Field(description="the file (or zip member) the report was read from")
    sha256: str = Field(description="sha256 of the file's bytes (the dataset's report_id)")
    encoding: str | None = Field(None, description="the text encoding of a .txt/.html file: utf-8, gb18030 …")
    ocr: Ocr | None = Field(None, description="set when some of the text was read by OCR: which pages, how sure")
    title: str | None = Field(None, description="the report's title")
    department: str | None = Field(None, description="the department (or unit) that reports, its fullest name as written")
    department_key: str | None = Field(None, description="the department normalized to join short forms of one unit "
                                       "(…人民政府 and …政府 alike; patterns/departments.yaml): group by this")
    year: int | None = Field(None, description="the budget year reported on")
    report_kind: str | None = Field(None, description="the kind of report, from its title or body "
                                    "(patterns/structure.yaml report_kinds)")
    grade: str | None = Field(None, description="the report's own grade as written (优, 优秀, 良好, 合格 …): "
                              "figures.grade when it passed its check; null for a document about several projects")
    grade_level: Literal["优", "良", "中", "差"] | None = Field(
        None, description="the grade on one scale: 优秀 -> 优, 良好 -> 良, 合格 -> 中, 不合格 -> 差")
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
    figures: ReportFigures = Field(ReportFigures(), description="the report's own figures with their facts")
    projects: list[Project] = Field([], description="one row per project of a document about several projects")
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
