"""Report figures: the report's own budget, expenditure, execution rate, total score and grade.

Each figure is null or taken from one stated fact, which it names (list, seq, text, offsets, rule) with
the reason it was chosen. The words before a fact decide whether it can be one (patterns/figures.yaml):
a share of a total (其中：当年财政拨款), a target (指标值, 未达到90%), planned spending (支出预算), a weight
(分值 | 100) or another project's figure never is. Then the report's own arithmetic decides:

| check                                   | when it fails                                        |
|-----------------------------------------|------------------------------------------------------|
| rate = expenditure ÷ budget             | another stated reading that passes, else conflict    |
| expenditure and budgets of one order    | conflict (a glued cell, a figure in 元 among 万元)      |
| 0 ≤ total score ≤ full mark             | conflict                                             |
| grade agrees with the total score       | the grade is a conflict                              |

A conflict keeps the fact and says why, and is left out of statistics unless asked for.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from decimal import Decimal

import regex

from . import checks, patterns, tables
from .context import Context
from .models import Figure, Project, ReportFigures
from .numbers import matches_stated

_MONEY = frozenset({"budget_initial", "budget_adjusted", "expenditure"})   # the roles of money figures


def budget_changed(text: str) -> bool:
    """The report says its budget was changed during the year (追加, 调减 …): a budget check whose sum
    misses a change it cannot see the amount of is unknown, not failed."""
    return _data()["budget_change_words"].search(text) is not None


@functools.cache
def _data() -> dict:
    d = patterns.load("figures")
    words = {k: regex.compile(_after(d[k].get("not_after")) + f"(?:{patterns.alternation(d[k]['words'])})") for k in
             ("part_words", "item_words", "target_words", "planned_words", "project_words", "gross_words",
              "covered_words", "budget_change_words")}
    s = d["scope"]
    return {**words, "weight_headers": tuple(d["weight_headers"]), "scope": s,
            "item_tables": tuple(d["item_table_headers"]), "item_table_lead": d["item_table_lead"],
            "score_headers": tuple(d["weight_headers"]) + tuple(d["score_headers"]),
            "part_roles": frozenset(d["part_roles"]), "share_opener": d["share_opener"],
            **{k: regex.compile(d[k]) for k in ("other_period", "target_label", "full_mark_then", "overall",
                                                 "this_project", "project_item")},
            "threshold_after": regex.compile(patterns.load("scores")["threshold_after"]),
            "weight_before": regex.compile(d["weight_before"]),
            "multi_words": regex.compile(patterns.alternation(s["multi_words"])),
            "department_words": regex.compile(patterns.alternation(s["department_words"])),
            "other_words": regex.compile(patterns.alternation(s["other_words"])),
            "multi_body": regex.compile(s["multi_body"]),
            "multi_forms": regex.compile(s["multi_forms"]),
            "project_heading": regex.compile(s["project_heading"]),
            "name_reject": regex.compile(s["project_name_reject"]),
            "rate_max": Decimal(str(d["plausible"]["execution_rate_max"])),
            "ratio_max": Decimal(str(d["plausible"]["ratio_max"])),
            "score_max": Decimal(str(patterns.load("scores")["full_mark"]))}


def _after(words: list[str] | None) -> str:
    return "".join(f"(?<!{regex.escape(w)})" for w in words or ())


class _Found(list):
    """The candidates of a text, sorted by start, with the ones in a span found by bisection."""

    _starts: list[int] | None = None

    def within(self, a: int, b: int) -> list:
        if self._starts is None:
            self._starts = [c.nstart for c in self]
        return self[bisect.bisect_left(self._starts, a):bisect.bisect_left(self._starts, b)]


@dataclass(eq=False)
class _Cand:
    name: str            # the figure it can be
    fact_type: str
    seq: int
    fact: object
    nstart: int          # normalized offsets
    nend: int
    lead: str
    level: str = "total"  # total | part | other
    why: str = ""


def scope_of(title: str | None, report_kind: str | None, text: str) -> str | None:
    """department, project, multi or other, from the title's words, the body, then the report kind."""
    d = _data()
    head = title or text[:300]
    if d["other_words"].search(head) or report_kind in d["scope"]["other_kinds"]:
        return "other"   # a budget draft or a target form, one or several: no actual figures
    forms = [m for m in d["multi_forms"].finditer(text) if not _header_word(m.group("name"))]
    names = {m.group("name") for m in forms if m.group("name")}
    if len(names) >= 2 or (len(forms) >= 2 and not names):
        return "multi"   # several forms on one page, each with its own 项目名称
    if d["multi_words"].search(head) or (report_kind in d["scope"]["project_kinds"] + [None, "self_eval"]
                                         and d["multi_body"].search(text[:3000])
                                         and not d["this_project"].search(text[:3000])):
        return "multi"
    if d["department_words"].search(head) or report_kind in d["scope"]["department_kinds"]:
        return "department"
    if report_kind in d["scope"]["project_kinds"] or d["scope"]["project_word"] in head or (
            forms and forms[0].start() < 1500):
        return "project"   # a project's form (项目名称: …) near the top
    return "department" if report_kind == "self_eval" else None


def build(ctx: Context, text: str, facts: dict[str, list], nspans: dict[str, list[tuple[int, int]]],
          title: str | None, report_kind: str | None, grade: tuple[str, int, int, str] | None,
          year: int | None = None) -> tuple[ReportFigures, list[Project], dict[int, str], dict[int, str]]:
    """The report figures, the projects of a multi-project document, each amount's level by seq, and the
    scores whose kind the figures correct (a weight column's 合计 is a max; a project's total in a
    document about several projects is a project_total)."""
    scope = scope_of(title, report_kind, ctx.text)
    cands = _candidates(ctx, facts, nspans, scope, year)
    if scope in ("project", None) and _several_projects(ctx, cands):
        scope = "multi"
        cands = _candidates(ctx, facts, nspans, scope, year)
    if scope == "department":
        # a section about one project (二、重点项目绩效自评情况 > (一)招商引资推介活动经费) holds that project's figures
        for h in _project_sections(ctx):
            for c in cands.within(h.start, h.end):
                if c.level == "total":
                    c.level, c.why = "part", f"in the section of one project ({h.title})"
    if scope == "department":
        # a project's form appended to a department's report: from its 项目名称 on, the figures are the project's
        form = next(iter(_forms(ctx.text)), None)
        if form is not None and _names_whole_department(form.group("name") or ""):
            form = None   # 项目名称: 北沙河县档案馆整体支出 on the cover names the department's own spending
        if form is not None:
            for c in cands:
                if c.nstart >= form.start() and c.level == "total":
                    c.level, c.why = "part", "in a project's form appended to the report"
    levels = {c.seq: ("part" if c.level == "part" else "other") for c in cands if c.fact_type == "amounts"}
    kinds = {c.seq: "max" for c in cands if c.fact_type == "scores" and c.why == _WEIGHT_COLUMN}
    kinds.update((c.seq, "indicator") for c in cands if c.fact_type == "scores" and c.why == _INDICATOR_SCORE)
    kinds.update((c.seq, "project_total") for c in cands if c.fact_type == "scores" and c.level == "part")
    if scope == "multi":
        kinds.update((c.seq, "project_total") for c in cands if c.fact_type == "scores" and c.seq not in kinds)
    figs = ReportFigures(scope=scope)
    if scope == "project" and (form := next(iter(_forms(ctx.text)), None)) is not None:
        a, b = ctx.norm.span(form.start("name"), form.end("name"))
        figs.subject = text[a:b]
    if scope == "other":
        return figs, [], levels, kinds
    pool = [c for c in cands if c.level == "total"]
    if scope == "multi":
        # a figure for all the projects: stated as such, before the first project's form or section
        first = min([m.start() for m in _forms(ctx.text)] + [h.start for h in _project_sections(ctx)]
                    + [len(ctx.text)])
        pool = [c for c in pool if c.fact_type == "amounts" and c.nstart < first and _data()["overall"].search(c.lead)]
    chosen, status, notes = _choose(pool, cands, facts)
    for name, c in chosen.items():
        setattr(figs, name, _figure(c, status, notes))
    if grade is not None and scope != "multi":
        label, start, end, rule = grade
        gstatus, gnote = _grade_check(label, figs.total_score)
        # the label as written (優 on a traditional page) without a PDF's spaces (优 秀); checked on one scale
        figs.grade = Figure(label="".join(text[start:end].split()), status=gstatus, fact_type="grade", text=text[start:end], start=start,
                            end=end, rule=rule, reason="the stated grade" + (f"; {gnote}" if gnote else ""))
    for name, c in chosen.items():
        if c.fact_type == "amounts" and status.get(name, "ok") == "ok":   # a conflict adds to no total
            levels[c.seq] = "total"
            for o in cands:
                if (o.fact_type == "amounts" and o.seq != c.seq and o.level == "total" and o.name == name
                        and o.fact.value_yuan == c.fact.value_yuan):
                    levels[o.seq] = "repeat"
    projects = _projects(ctx, text, cands, facts, levels) if scope == "multi" else []
    return figs, projects, levels, kinds


def _choose(pool: list[_Cand], cands: list[_Cand], facts) -> tuple[dict[str, _Cand], dict, dict]:
    """The first statement of each figure in `pool`, then the checks."""
    chosen: dict[str, _Cand] = {}
    for c in pool:
        if c.name in _FIGURES:
            chosen.setdefault(c.name, c)
    return (chosen, *_check(chosen, pool, facts))


_FIGURES = ("budget_initial", "budget_adjusted", "expenditure", "execution_rate", "total_score")


def _figure(c: _Cand, status: dict, notes: dict) -> Figure:
    fact = c.fact
    return Figure(value=fact.value_yuan if c.fact_type == "amounts" else fact.value,
                  status=status.get(c.name, "ok"), fact_type=c.fact_type, fact_seq=c.seq, text=fact.text,
                  start=fact.start, end=fact.end, rule=fact.rule,
                  reason="; ".join(x for x in (c.why, notes.get(c.name, "")) if x))


def _projects(ctx: Context, text: str, cands: list[_Cand], facts, levels: dict[int, str]) -> list[Project]:
    """One row per project of a document about several: each form's 项目名称, or each heading that names a
    project (（一）数据平台运维项目), with the figures stated between it and the next."""
    d = _data()
    heads = [(m.start("name"), m.end("name")) for m in _forms(ctx.text)]
    if len(heads) < 2:
        heads = []
        for h in ctx.structure.headings:
            if h.level >= 2 and d["project_heading"].search(h.title):
                a = ctx.text.find(h.title, h.start)
                if a >= 0:
                    heads.append((a, a + len(h.title)))
    out: list[Project] = []
    for i, (a, b) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else len(ctx.text)
        pool = [c for c in cands.within(a, end) if c.level == "total"]
        chosen, status, notes = _choose(pool, cands, facts)
        s, e = ctx.norm.span(a, b)
        p = Project(name=text[s:e], start=s, end=e)
        for name, c in chosen.items():
            setattr(p, name, _figure(c, status, notes))
            if c.fact_type == "amounts":
                levels[c.seq] = "part"   # one of several projects
        out.append(p)
    return out


_WEIGHT_COLUMN = "a weight column"
_INDICATOR_SCORE = "the score of one indicator: its weight is stated just before it"


def _project_sections(ctx: Context) -> list:
    """Sections titled with a project's name under a heading about projects (二、项目实施及绩效情况 >
    (一)群众文化活动经费); not the line items of an accounts section (1、公务用车购置和维护经费)."""
    d = _data()
    return [h for h in ctx.structure.headings if h.level >= 2 and d["project_heading"].search(h.title)
            and d["scope"]["project_word"] in h.path.rsplit(" > ", 1)[0] and " > " in h.path]


def _several_projects(ctx: Context, cands: list[_Cand]) -> bool:
    """Sections named after projects ((一)群众文化活动经费, (二)旅游宣传推介经费), at least two of them
    stating a total score or an expenditure of their own, and those differ: a document about several."""
    heads = _project_sections(ctx)
    if len(heads) < 2:
        # or top-level sections each named after a fund (一、中央自然灾害救灾资金(航空消防租机补助经费))
        d = _data()
        heads = [h for h in ctx.structure.headings if h.level == 1 and d["project_heading"].search(h.title)]
    if len(heads) < 2:
        return False
    for name in ("total_score", "expenditure"):
        own = {}
        for h in heads:
            c = next((c for c in cands.within(h.start, h.end) if c.name == name and c.level == "total"), None)
            if c is not None:
                own[h.start] = c.fact.value_yuan if c.fact_type == "amounts" else c.fact.value
        if len(own) >= 2 and len(set(own.values())) >= 2:
            return True
    return False


def _names_whole_department(name: str) -> bool:
    """Whether a form's 项目名称 names a department's spending as a whole (整体支出)."""
    return bool(_data()["scope"]["department_words"]) and any(w in name for w in _data()["scope"]["department_words"])


def _header_word(name: str | None) -> bool:
    return name is not None and bool(_data()["name_reject"].search(name))


def _forms(text: str) -> list:
    """The 项目名称 fields of project forms, with a name that is no other header."""
    return [m for m in _data()["multi_forms"].finditer(text) if m.group("name") and not _header_word(m.group("name"))]


def _elsewhere(ctx: Context, ns: int, ne: int, year: int | None) -> str | None:
    """Why a number is no figure of this report's year whatever its role, or None: another period's, a
    target sentence's, a threshold of a scale."""
    d = _data()
    clause = ctx.text[max(ctx.clause_start(ns), ns - 20):ns]
    if d["other_period"].search(clause):
        return "another period's figure"
    if year is not None and any(int(y) != year for y in _YEAR.findall(clause)):
        return "another year's figure"
    if d["target_label"].search(ctx.text[ctx.sentence_start(ns):ns]):
        return "in a sentence of targets"
    if d["threshold_after"].search(ctx.text[ne:ne + 16]):
        return "a threshold of a scale or an instruction"
    return None


def _one_project(ctx: Context, ns: int, cell, scope: str | None, clause: str) -> str | None:
    """Why a number is one project's or one item's among several, or None: a row of a table of tasks or
    projects, or in a department's report a clause or paragraph that names a project
    (1.农村公路养护项目：全年预算860,000.00元，…自评得分96分)."""
    d = _data()
    if cell is not None and _item_table(ctx.text, ns, cell.header):
        return "a row of a table of tasks or projects"
    if scope == "department" and (d["project_words"].search(clause)
                                  or (cell is None and d["project_item"].search(_line_head(ctx.text, ns, 40)))):
        return "a named project's, in a department's report"
    return None


_YEAR = regex.compile(r"((?:19|20)\d{2})\s?年(?!\s?\d{1,2}\s?月)")   # a year, not a date (截至2023年6月30日)


class _Within:
    """Half-open spans, merged and sorted: `i in spans` is a binary search, not a scan of every span (a
    report of thousands of indicator rows made the scan quadratic)."""

    def __init__(self, spans):
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            elif s < e:
                merged.append([s, e])
        self.starts = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]

    def __contains__(self, i: int) -> bool:
        import bisect

        k = bisect.bisect_right(self.starts, i) - 1
        return k >= 0 and i < self.ends[k]


def _candidates(ctx: Context, facts, nspans, scope, year: int | None = None) -> _Found:
    d = _data()
    out: list[_Cand] = []
    prev_end = 0
    target_spans = _Within((v.start, v.end) for i in facts["indicators"] for v in (i.target,) if v is not None)
    amounts = list(zip(facts["amounts"], nspans["amounts"]))
    for seq, (a, (ns, ne)) in enumerate(amounts):
        lo = max(ctx.sentence_start(ns), prev_end if prev_end <= ns else 0)
        lead = ctx.text[lo:ns]
        prev_end = ne
        cell = tables.cell_at(ctx, ns)
        if cell is not None:
            lead = f"{cell.row_label}|{cell.header}|{lead}"
        elif a.rule.startswith(_TOTAL_ROW_RULES):
            lead = ""   # a cell of the 年度资金总额 row, which its reader split by the row's arithmetic
        name = a.role if a.role in _MONEY else None
        c = _Cand(name or a.role, "amounts", seq, a, ns, ne, lead)
        # the clause says what the number is; 其中 a little before it makes it a share of what came before
        clause = ctx.text[max(ctx.clause_start(ns), ns - 20):ns] if cell is None else lead
        if cell is None and d["share_opener"] in lead[-20:]:
            clause = lead[-20:]
        if name is None:
            c.level, c.why = ("part" if a.role in d["part_roles"] else "other"), f"an amount of role {a.role}"
        elif (why := _elsewhere(ctx, ns, ne, year)) is not None:
            c.level, c.why = "other", why
        elif a.low_yuan is not None or a.qualifier != "exact" or a.per is not None or a.direction is not None:
            c.level, c.why = "other", "a range, bound, rate or change"
        elif not a.value_yuan:
            c.level, c.why = "other", "zero: a form's unfilled total row, not a total"
        elif a.rule.startswith(_TOTAL_ROW_RULES):
            c.why = "the 年度资金总额 row of the funding table, split by its own arithmetic"
        elif a.start in target_spans or d["target_words"].search(clause):
            c.level, c.why = "other", "a target or plan"
        elif d["covered_words"].search(clause[-12:]):
            c.level, c.why = "other", "the funds an evaluation covered"
        elif d["planned_words"].search(ctx.text[ctx.sentence_start(ns):ns]):
            c.level, c.why = "other", "planned spending"
        elif name == "expenditure" and d["gross_words"].search(lead[-8:]):
            c.level, c.why = "other", "a gross total with the year-end balance"
        elif d["part_words"].search(_row_or_lead(cell, clause)):
            c.level, c.why = "part", "a share of a total (its row or clause)"
        elif d["item_words"].search(_heading(a.section)):
            c.level, c.why = "part", "in a section about one line item"
        elif cell is None and d["item_words"].search(_line_head(ctx.text, ns)):
            c.level, c.why = "part", "in a paragraph about one line item"
        elif (why := _one_project(ctx, ns, cell, scope, clause)) is not None:
            c.level, c.why = "part", why
        else:
            c.why = _reason(name, cell, lead)
        out.append(c)
    for seq, (p, (ns, ne)) in enumerate(zip(facts["percentages"], nspans["percentages"])):
        if p.role != "execution_rate":
            continue
        lead = ctx.text[ctx.sentence_start(ns):ns]
        cell = tables.cell_at(ctx, ns)
        if cell is not None:
            lead = f"{cell.row_label}|{cell.header}|{lead}"
        elif p.rule.startswith(_TOTAL_ROW_RULES):
            lead = ""
        c = _Cand("execution_rate", "percentages", seq, p, ns, ne, lead)
        if p.qualifier != "exact" or p.low is not None or p.direction is not None:
            c.level, c.why = "other", "a bound, range or change"
        elif (why := _elsewhere(ctx, ns, ne, year)) is not None:
            c.level, c.why = "other", why
        elif p.rule.startswith(_TOTAL_ROW_RULES):
            c.why = "the 年度资金总额 row of the funding table, split by its own arithmetic"
        elif cell is not None and cell.header.endswith(d["score_headers"]):
            c.level, c.why = "other", "a rate in a scoring table: an indicator's value"
        elif "%" not in p.text and (cell is None or "%" not in cell.header):
            c.level, c.why = "other", "a bare number under a rate header: as likely a weight or a score"
        elif d["item_words"].search(_heading(p.section)):
            c.level, c.why = "part", "the rate of one line (五、一般公共预算财政拨款支出决算情况说明 … 118.53%)"
        elif (why := _one_project(ctx, ns, cell, scope, ctx.text[max(ctx.clause_start(ns), ns - 20):ns])):
            c.level, c.why = "part", why
        elif p.start in target_spans or d["target_words"].search(lead[-24:]):
            c.level = "other"
        elif d["part_words"].search(_row_or_lead(cell, ctx.text[ctx.clause_start(ns):ns])):
            c.level = "part"
        else:
            c.why = _reason("execution_rate", cell, lead)
        out.append(c)
    for seq, (s, (ns, ne)) in enumerate(zip(facts["scores"], nspans["scores"])):
        if s.kind != "total":
            continue
        cell = tables.cell_at(ctx, ns)
        lead = ctx.text[ctx.sentence_start(ns):ns]
        c = _Cand("total_score", "scores", seq, s, ns, ne, lead)
        if cell is not None and cell.header.endswith(d["weight_headers"]):
            c.level, c.why = "other", _WEIGHT_COLUMN
        elif (why := _elsewhere(ctx, ns, ne, year)) is not None:
            c.level, c.why = "other", why
        elif d["weight_before"].search(ctx.text[max(ctx.sentence_start(ns), ns - 30):ns]):
            c.level, c.why = "other", _INDICATOR_SCORE
        elif s.value == d["score_max"] and _score_after(ctx.text, ne, s.value):
            c.level, c.why = "other", _WEIGHT_COLUMN   # 总分 | 100 | 95.2: the full mark, then the score
        elif (why := _one_project(ctx, ns, cell, scope, ctx.text[max(ctx.clause_start(ns), ns - 20):ns])):
            c.level, c.why = "part", why   # a project's score: its kind becomes project_total
        else:
            c.why = _reason("total_score", cell, lead)
        out.append(c)
    out.sort(key=lambda c: c.nstart)
    return _Found(out)


_TOTAL_ROW_RULES = ("funding_line.",)
def _score_after(text: str, pos: int, mark: Decimal) -> bool:
    """A smaller number follows the full mark as its score (总分 | 100 | 95.2, 总分100分，得分91分)."""
    m = _data()["full_mark_then"].search(text[pos:pos + 24])
    return m is not None and Decimal(m.group("num")) < mark


def _line_head(text: str, pos: int, width: int = 24) -> str:
    """The start of the paragraph a number is in: its subject (国内公务接待支出… is about one line item)."""
    a = text.rfind("\n", 0, pos) + 1
    return text[a:min(pos, a + width)]


def _item_table(text: str, pos: int, header: str) -> bool:
    """The cell's table lists items: its header row opens with 项目名称 / 任务名称 (after a 序号)."""
    line = _header_line(text, pos, header)
    lead = _data()["item_table_lead"]
    if line.startswith(lead):
        line = line[len(lead):].lstrip(" |\t")
    return line.startswith(_data()["item_tables"])


def _header_line(text: str, pos: int, header: str) -> str:
    """The line of a table's column headers above a cell (its header's last line), without frames."""
    last = header.split("\n")[-1].strip() or header
    i = text.rfind(last, 0, pos) if last else -1
    if i < 0:
        return ""
    a = text.rfind("\n", 0, i) + 1
    return text[a:text.find("\n", i) if "\n" in text[i:] else len(text)].lstrip("| \t")


def _heading(section: str) -> str:
    """The innermost heading's title: a section about 三公经费 is about a line item."""
    return section.rsplit(" > ", 1)[-1]


def _row_or_lead(cell, lead: str) -> str:
    if cell is not None:
        return cell.row_label
    return lead


def _reason(name: str, cell, lead: str) -> str:
    if cell is not None:
        return f"the first {name} stated: the cell under {cell.header!r} in the row {cell.row_label!r}"
    words = lead.strip()[-16:]
    return f"the first {name} stated, after {words!r}" if words else f"the first {name} stated"


def _check(chosen: dict[str, _Cand], cands: list[_Cand], facts) -> tuple[dict[str, str], dict[str, str]]:
    d = _data()
    status: dict[str, str] = {}
    notes: dict[str, str] = {}

    def value(name):
        c = chosen.get(name)
        if c is None:
            return None
        return c.fact.value_yuan if c.fact_type == "amounts" else c.fact.value

    def conflict(name, why):
        if name in chosen:
            status[name] = "conflict"
            notes[name] = why

    spent, adjusted, initial, rate = value("expenditure"), value("budget_adjusted"), value("budget_initial"), \
        value("execution_rate")
    base = adjusted or initial
    if rate is not None and not (Decimal(0) <= rate <= d["rate_max"]):
        conflict("execution_rate", f"a rate of {rate}% is not a budget execution rate")
    if spent is not None and base and rate is not None and status.get("execution_rate") is None:
        bases = [b for b in (adjusted, initial) if b]
        if any(matches_stated(spent / b * 100, rate) for b in bases):
            notes["execution_rate"] = "expenditure ÷ budget gives the stated rate"
        else:
            # another stated reading that passes: a rate among the other candidates
            alt = next((c for c in cands if c.name == "execution_rate" and c.level == "total"
                        and any(matches_stated(spent / b * 100, c.fact.value) for b in bases)), None)
            # or the one stated expenditure (and budget) that gives the rate: the first was another's
            pairs = {(e.fact.value_yuan, b.fact.value_yuan): (e, b) for e in cands if e.name == "expenditure"
                     and e.level == "total" for b in cands if b.name in ("budget_adjusted", "budget_initial")
                     and b.level == "total" and b.fact.value_yuan and matches_stated(
                         e.fact.value_yuan / b.fact.value_yuan * 100, rate)}
            if alt is not None:
                chosen["execution_rate"] = alt
                notes["execution_rate"] = "expenditure ÷ budget gives this stated rate (the first one did not)"
            elif len(pairs) == 1:
                (e, b), = pairs.values()
                chosen["expenditure"], chosen[b.name] = e, b
                for n in ("expenditure", b.name, "execution_rate"):
                    notes[n] = "the stated expenditure and budget that give the stated rate (the first ones did not)"
            else:
                why = f"expenditure ÷ budget is {(spent / base * 100).quantize(Decimal('0.01'))}%, not {rate}%"
                for n in ("execution_rate", "expenditure", "budget_adjusted", "budget_initial"):
                    conflict(n, why)   # which of them is not the report's, the arithmetic cannot say
    r = d["ratio_max"]
    for a, b in (("expenditure", "budget_adjusted"), ("expenditure", "budget_initial"),
                 ("budget_adjusted", "budget_initial")):
        va, vb = value(a), value(b)
        if va and vb and not (1 / r <= va / vb <= r):
            conflict(a, f"{a} is {va / vb:.4g} × {b}: not one report's figures")
    if spent is not None and base is None and rate is None and spent == 0:
        conflict("expenditure", "an expenditure of 0 with no budget")
    score = value("total_score")
    rows = [i for i in facts["indicators"] if i.weight is not None and i.score is not None]
    if score is not None and rows and sum(i.weight for i in rows) == d["score_max"]:
        # a complete table (its weights add to the full mark): its scores add to the total
        got = sum(i.score for i in rows)
        if abs(got - score) > Decimal("0.05") * len(rows):
            alt = next((c for c in cands if c.name == "total_score" and c.level == "total"
                        and abs(got - c.fact.value) <= Decimal("0.05") * len(rows)), None)
            if alt is not None:
                chosen["total_score"] = alt
                notes["total_score"] = f"the indicator scores add to {got}"
                score = alt.fact.value
            else:
                conflict("total_score", f"the indicator scores add to {got}, not {score}")
        else:
            notes["total_score"] = f"the indicator scores add to {got}"
    if score is not None:
        top = max([s.value for s in facts["scores"] if s.kind == "max" and s.value >= score and s.value <= 200]
                  or [d["score_max"]])
        if not (Decimal(0) < score <= top):
            conflict("total_score", f"a total of {score} is not within 0–{top}")
    return status, notes


def _grade_check(label: str, total: Figure | None) -> tuple[str, str]:
    if total is None or total.status != "ok" or checks.grade_range(label) is None:
        return "ok", ""
    if checks.grade_agrees(label, total.value):
        return "ok", f"agrees with the total score {total.value}"
    return "conflict", f"the total score {total.value} is not in this grade's range"
