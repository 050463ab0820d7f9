"""One report: its style, its consistent numbers, headings, header, title, footer and composition."""

from __future__ import annotations

import random
from decimal import Decimal

from . import phrases
from .numerals import cn_int, q
from .sec_basic import BasicSection
from .sec_budget import BudgetSection
from .sec_events import EventsSection
from .sec_outputs import OutputsSection
from .sec_scores import ScoresSection
from .style import FACT_TYPES, Doc, Style, money_value, round_to
from .writer import Writer

_UNITS = phrases.load("units")
DEPARTMENTS = _UNITS["departments"]
SELF = _UNITS["self_reference"]
PROJECTS = _UNITS["projects"]
PROVINCE_ABBR = phrases.load("filler")["province_abbr"]
PAGE = phrases.load("page")
# report kind and its share of the corpus (the titles are in phrases/units.yaml)
KIND_WEIGHTS = (("dept_budget_execution_self_eval", 0.25), ("dept_overall_self_eval", 0.35),
                ("project_self_eval", 0.25), ("performance_evaluation", 0.15))
REPORT_KINDS = [(kind, _UNITS["report_kinds"][kind], p) for kind, p in KIND_WEIGHTS]


def pick_kind(rng: random.Random):
    x, acc = rng.random(), 0.0
    for kind, title, p in REPORT_KINDS:
        acc += p
        if x < acc:
            return kind, title
    return REPORT_KINDS[-1][:2]


def self_ref(dept: str) -> str:
    for suffix, ref in SELF:
        if dept.endswith(suffix):
            return ref
    return PAGE["self_default"]


class Report(BasicSection, BudgetSection, OutputsSection, EventsSection, ScoresSection):
    def __init__(self, rng: random.Random):
        self.r = rng
        self.st = Style(rng)
        self.doc = Doc(self.st)
        self.wr = Writer(self.doc, self.st, rng)
        self.dept, self.type = rng.choice(DEPARTMENTS)
        self.me = self_ref(self.dept) if rng.random() < 0.85 else PAGE["self_default"]
        self.year = rng.randint(2015, 2024)
        self.kind, self.kind_title = pick_kind(rng)
        self.project = rng.choice(PROJECTS[self.type if self.type in PROJECTS else "office"])
        self.top_n = 0
        self.sub_n = 0
        self.slip_at = rng.choice([None, None, None, 4, 5])
        self.slip_kind = rng.choice(["arabic", "arabic", "repeat", "skip"])
        self.item_style = rng.choice(PAGE["item_styles"])
        self.numbers()

    # ---- consistent numbers
    def numbers(self) -> None:
        r, st = self.r, self.st
        scale = {"school": (300, 6000), "hospital": (2000, 60000), "office": (100, 3000)}.get(self.type, (150, 20000))
        if self.kind in ("project_self_eval", "performance_evaluation"):
            scale = (20, 3000)
        self.B = money_value(r, st, *scale)
        self.C = Decimal(0) if r.random() < 0.3 else round_to(self.B * Decimal(str(r.uniform(0.01, 0.3))), st)
        self.X = Decimal(0) if r.random() < 0.4 else round_to(self.B * Decimal(str(r.uniform(0.02, 0.4))), st)
        self.P = self.B + self.X
        self.A = self.P + self.C
        rate = Decimal(1) if r.random() < 0.12 else Decimal(str(r.uniform(0.78, 0.999)))
        self.E = min(self.A, round_to(self.A * rate, st))
        self.places_rate = r.choice([2, 2, 2, 1])
        self.rate = q(self.E / self.A * 100, self.places_rate)
        self.Bal = self.A - self.E
        # expenditure from carryover and from this year's appropriation
        self.EC = min(self.C, round_to(self.C * Decimal(str(r.uniform(0.7, 1.0))), st))
        self.EP = self.E - self.EC
        if self.EP > self.P:
            self.EP, self.EC = self.P, self.E - self.P
        # basic/project split (department reports) and personnel/public
        self.Eb = round_to(self.E * Decimal(str(r.uniform(0.25, 0.75))), st)
        self.Ep = self.E - self.Eb
        self.Epers = round_to(self.Eb * Decimal(str(r.uniform(0.7, 0.93))), st)
        self.Epub = self.Eb - self.Epers
        self.Bb = round_to(self.B * Decimal(str(r.uniform(0.25, 0.75))), st)
        self.Bp = self.B - self.Bb
        # 三公经费
        t = lambda lo, hi: round_to(Decimal(str(r.uniform(lo, hi))) * 10000, st)
        self.T_recv = t(0.2, 4)
        self.T_car = t(0.5, 12) if r.random() < 0.8 else Decimal(0)
        self.T_abroad = Decimal(0) if r.random() < 0.8 else t(1, 8)
        self.T = self.T_recv + self.T_car + self.T_abroad
        self.T_change = t(0.05, 2)
        self.T_down = r.random() < 0.7
        last = self.T + self.T_change if self.T_down else self.T - self.T_change
        if last <= 0:
            self.T_down, last = True, self.T + self.T_change
        self.T_pct = q(self.T_change / last * 100, 2)
        # staffing
        self.units = r.randint(3, 15)
        self.sub_units = r.randint(0, 6)
        self.I = r.randint(12, 260)
        self.R = r.randint(0, max(1, self.I // 3))
        self.Tot = self.I + self.R
        self.Est = self.I + r.randint(-3, 8)
        self.contract = r.randint(0, 30)
        # scores
        self.grade_family = r.choice(["short", "long"])
        self.questions = None

    # ---- headings
    def top(self, title: str) -> None:
        self.top_n += 1
        self.sub_n = 0
        n = self.top_n
        if self.slip_at and n >= self.slip_at and self.slip_kind == "arabic":
            label = PAGE["top_arabic"].format(n=n)
        else:
            shown = n
            if self.slip_at and n == self.slip_at:
                shown = n - 1 if self.slip_kind == "repeat" else n + 1  # 四、 twice, or 五、 for 四、
            label = cn_int(shown) + self.r.choice(PAGE["top_marks"])
        self.doc.w(label + title)
        self.doc.nl()

    def sub(self, title: str) -> None:
        self.sub_n += 1
        self.doc.w(PAGE["sub_heading"].format(n=cn_int(self.sub_n), title=title))
        self.doc.nl()

    def item_label(self, n: int) -> str:
        return self.item_style.format(n=n)

    def line_start(self) -> None:
        self.doc.para()

    def end_line(self) -> None:
        self.doc.nl()

    # ---- header, title
    def header(self) -> None:
        d, r, h = self.doc, self.r, PAGE["header"]
        self.web = self.st.source == "web"
        self.pub_date = f"{self.year + 1}-{r.randint(3, 9):02d}-{r.randint(1, 28):02d}"
        if self.web:
            if r.random() < 0.6:
                d.raw(h["breadcrumb"] + "\n")
            d.raw(h["index_number"].format(a=r.randint(100000, 659999), b=r.randint(1, 9999), year=self.year + 1,
                                           c=r.randint(1, 99999)) + "\n")
            d.raw(h["publisher"].format(dept=self.dept) + "\n")
            d.raw(h["date"].format(date=self.pub_date) + "\n")
            if r.random() < 0.7:
                d.raw(h["validity"] + "\n")
            if r.random() < 0.4:
                d.raw(h["doc_number"] + "\n")
            if r.random() < 0.4:
                d.raw(h["category"] + "\n")

    def title(self) -> None:
        d, r, y, t = self.doc, self.r, self.year, PAGE["title"]
        year_text = t["year"].format(y=y) if r.random() < 0.85 else t["year_short"].format(y=y)
        if r.random() < 0.03:
            year_text = "".join(t["year_digits"][int(ch)] for ch in str(y)) + t["year_digits_suffix"]
        if self.kind in ("project_self_eval", "performance_evaluation"):
            name = self.project
            if self.kind == "project_self_eval" and name.endswith(t["project_ending"]):
                name = name[:-len(t["project_ending"])]  # 基本公共卫生服务项目支出绩效自评报告
            body = year_text + name + self.kind_title
        else:
            body = year_text + self.kind_title
        with_dept = not self.web or r.random() < 0.5
        layout = r.random()
        if self.kind == "performance_evaluation" and with_dept and layout < 0.3:
            line = t["about"].format(dept=self.dept, year=year_text, project=self.project, kind=self.kind_title)
            d.raw(line + "\n")
            self.meta_title = line
        elif with_dept and layout < 0.45:
            line = self.dept + body
            d.raw(line + "\n")
            self.meta_title = line
        elif with_dept and self.kind == "project_self_eval" and layout < 0.75:
            d.raw(self.dept + "\n" + year_text + self.project + "\n" + self.kind_title + "\n")
            self.meta_title = self.dept + year_text + self.project + self.kind_title  # the lines joined
        elif with_dept:
            d.raw(self.dept + "\n" + body + "\n")
            self.meta_title = self.dept + body
        else:
            d.raw(body + "\n")
            self.meta_title = body
        if self.web and r.random() < 0.5:
            d.raw(t["web_line"].format(dept=self.dept, date=self.pub_date, hour=r.randint(8, 17),
                                       minute=r.randint(0, 59), views=r.randint(50, 5000))
                  + "\n" + t["font_size"] + "\n")
        elif r.random() < 0.5:
            d.raw("\n")

    def footer(self) -> None:
        d, r, foot = self.doc, self.r, PAGE["footer"]
        d.raw("\n" if r.random() < 0.5 else "")
        d.raw(self.dept + "\n")
        d.raw(foot["date"].format(year=self.year + 1, month=r.randint(2, 8), day=r.randint(1, 28)) + "\n")
        if self.web:
            d.raw(foot["links"] + "\n")
            d.raw(foot["previous"].format(dept=self.dept, year=self.year) + "\n")
            d.raw(foot["host"].format(dept=self.dept, area=r.randint(900, 999), number=r.randint(2000000, 8999999)) + "\n")
            d.raw(foot["icp"].format(province=r.choice(PROVINCE_ABBR), number=r.randint(10000000, 99999999)) + "\n")

    def compose(self) -> tuple[str, dict]:
        self.table_used = False
        self.header()
        self.title()
        self.scores_model()
        self.basic()
        self.budget()
        if self.r.random() < 0.7:
            self.work()
        self.outputs()
        self.effects()
        self.conclusion()
        self.closing()
        self.footer()
        text = self.doc.text()
        gold = {
            "metadata": {"title": self.meta_title, "department": self.dept, "year": self.year,
                         "report_kind": self.kind, "grade": self.grade},
        }
        for t in FACT_TYPES:
            for f in self.doc.facts[t]:
                assert text[f["start"]:f["end"]] == f["text"], (t, f, text[f["start"]:f["end"]])
            gold[t] = self.doc.facts[t]
        return text, gold
