"""Report sections 四 to 六: scores, indicator table, self-evaluation work, conclusion, problems."""

from __future__ import annotations

from decimal import Decimal

from . import phrases
from .numerals import dstr, q, ystr

_COUNTS = phrases.load("counts")
COUNTS_GENERIC = _COUNTS["counts_generic"]
COUNTS_BY_TYPE = _COUNTS["counts_by_type"]
OTHER_RATES = _COUNTS["other_rates"]
_FILLER = phrases.load("filler")
FILLER_WORK = _FILLER["work"]
FILLER_PROBLEMS = _FILLER["problems"]
FILLER_MEASURES = _FILLER["measures"]
PROVINCE_ABBR = _FILLER["province_abbr"]
GRADES = _FILLER["grades"]
T = phrases.load("evaluation")
IND = T["indicators"]


class ScoresSection:
    def scores_model(self) -> None:
        r = self.r
        x = r.random()
        target = (Decimal(str(round(r.uniform(90, 99.5), 1))) if x < 0.72 else
                  Decimal(str(round(r.uniform(80, 89.9), 1))) if x < 0.9 else
                  Decimal(str(round(r.uniform(60, 79.9), 1))) if x < 0.98 else
                  Decimal(str(round(r.uniform(45, 59.9), 1))))
        groups = r.choice(T["score_groups"])
        loss = int((Decimal(100) - target) * 10)  # tenths
        comps = []
        caps = [w * 10 for _, w in groups]
        losses = [0] * len(groups)
        for _ in range(loss):
            choices = [i for i in range(len(groups)) if losses[i] < caps[i] * 0.6]
            i = r.choice(choices) if choices else 0
            losses[i] += 1
        for (name, w), l in zip(groups, losses):
            comps.append((name, Decimal(w), Decimal(w * 10 - l) / 10))
        self.exec_score = q(Decimal(10) * self.rate / 100, 2)
        if groups[0][0] == T["execution_group"]:
            comps[0] = (comps[0][0], comps[0][1], self.exec_score)
        self.ind_rows = None
        if r.random() < 0.25:
            comps = self.indicator_model()
        self.comps = comps
        self.S = sum(s for _, _, s in comps)
        for floor, g in GRADES[self.grade_family]:
            if self.S >= floor:
                self.grade = g
                break

    def indicator_model(self) -> list[tuple[str, Decimal, Decimal]]:
        """Rows of a 项目支出绩效自评表 indicator table; returns the score groups they add up to."""
        r = self.r
        k = r.choice([3, 4, 5])
        out_w = {3: [20, 15, 15], 4: [15, 15, 10, 10], 5: [10, 10, 10, 10, 10]}[k]
        eff_w = r.choice([[30], [15, 15]])
        pool = [c for c in COUNTS_BY_TYPE.get(self.type, []) + COUNTS_GENERIC if c[3] > 0 and c[4] != IND["not_a_target"]]
        rows = []

        def deduct(w: int) -> Decimal:
            if r.random() < 0.3:
                return Decimal(r.choice([5, 10, 15, 20, 30])) / 10
            return Decimal(0)

        kinds = ["count", "count", "quality", "time", "cost"]
        r.shuffle(kinds)
        for w in out_w:
            kind = kinds.pop()
            loss = deduct(w)
            if kind == "count":
                _tmpl, mw, lo, hi, noun, _ = r.choice(pool)
                t = r.randint(lo, max(lo, min(hi, lo * 4)))
                a = t + r.randint(0, max(1, t // 3)) if not loss else max(0, t - r.randint(1, max(1, t // 5)))
                rows.append((IND["outputs"], IND["quantity"], (noun or IND["no_noun"]) + (IND["times"] if mw == "次" else IND["amount"]),
                             ("count", t, mw, "≥"), ("count", a, mw, ""), w, w - loss))
            elif kind == "quality":
                t = r.choice([85, 90, 95])
                a = q(Decimal(str(r.uniform(t, 100))), 1) if not loss else q(Decimal(str(r.uniform(t - 10, t - 0.5))), 1)
                rows.append((IND["outputs"], IND["quality"], r.choice(OTHER_RATES[:3] + OTHER_RATES[4:]),
                             ("pct", Decimal(t), "≥", "other"), ("pct", a, "", "other"), w, w - loss))
            elif kind == "time":
                rows.append((IND["outputs"], IND["timeliness"], IND["payment"],
                             ("pct", Decimal(100), r.choice(["", "="]), "other"), ("pct", Decimal(100), "", "other"),
                             w, w - loss))
            else:
                t = r.choice([1, 2, 3, 5])
                a = q(Decimal(str(r.uniform(t * 0.6, t * 0.99))), 2) if not loss else q(Decimal(str(r.uniform(t * 1.01, t * 1.3))), 2)
                rows.append((IND["outputs"], IND["cost"], r.choice(IND["costs"]),
                             ("money", Decimal(t), "≤"), ("money", a, ""), w, w - loss))
        for w in eff_w:
            loss = deduct(w)
            if r.random() < 0.5:
                name = r.choice(IND["social_names"])
                rows.append((IND["effects"], IND["social"], name + IND["improved"], ("text", IND["improved_target"]),
                             ("text", IND["improved_target"] if not loss else IND["improved_partly"]), w, w - loss))
            else:
                t = r.choice([3, 5, 8])
                a = q(Decimal(str(r.uniform(t, t + 10))), 1) if not loss else q(Decimal(str(r.uniform(0.5, t - 0.1))), 1)
                rows.append((IND["effects"], IND["economic"], r.choice(IND["economic_names"]),
                             ("pct", Decimal(t), "≥", "growth_yoy"), ("pct", a, "", "growth_yoy"), w, w - loss))
        loss = deduct(10)
        t = r.choice([85, 90, 95])
        a = q(Decimal(str(r.uniform(t, 99.5))), 1) if not loss else q(Decimal(str(r.uniform(t - 8, t - 0.5))), 1)
        rows.append((IND["satisfaction"], IND["satisfaction2"], IND["satisfaction_name"], ("pct", Decimal(t), "≥", "satisfaction"),
                     ("pct", a, "", "satisfaction"), 10, 10 - loss))
        self.ind_rows = rows
        groups: dict[str, list[Decimal]] = {}
        for row in rows:
            g = groups.setdefault(row[0], [Decimal(0), Decimal(0)])
            g[0] += row[5]
            g[1] += Decimal(row[6])
        return [(T["execution_group"], Decimal(10), self.exec_score)] + [(k, v[0], v[1]) for k, v in groups.items()]

    def indicator_table(self) -> None:
        d, r = self.doc, self.r
        sep = "|"
        d.w(sep.join(IND["header"]))
        d.nl()

        def cell(spec) -> None:
            kind = spec[0]
            if kind == "count":
                _, n, mw, sign = spec
                d.fact("counts", f"{sign}{n}{mw}", value=str(n), unit=mw,
                       qualifier="at_least" if sign else "exact", noun=None)
            elif kind == "pct":
                _, v, sign, role = spec
                d.fact("percentages", f"{sign}{dstr(v)}%", value=dstr(v),
                       qualifier="at_least" if sign == "≥" else "exact", role=role)
            elif kind == "money":
                _, v, sign = spec
                d.fact("amounts", f"{sign}{dstr(v)}万元", value_yuan=ystr(v * 10000),
                       qualifier="at_most" if sign else "exact", role="other")
            else:
                d.w(spec[1])

        for l1, l2, name, target, actual, w, s in self.ind_rows:
            d.w(sep.join([l1, l2, name]) + sep)
            cell(target)
            d.raw(sep)
            cell(actual)
            d.raw(sep)
            d.fact("scores", dstr(Decimal(w)), value=dstr(Decimal(w)), kind="max")
            d.raw(sep)
            d.fact("scores", dstr(Decimal(s)), value=dstr(Decimal(s)), kind="indicator")
            d.raw(sep)
            if s != w:
                d.w(r.choice(IND["shortfall"]))
            d.nl()
        d.w(IND["total"] + sep * 5)
        d.fact("scores", "100", value="100", kind="max")
        d.raw(sep)
        d.fact("scores", dstr(self.S), value=dstr(self.S), kind="total")
        d.raw(sep)
        d.nl()

    def work(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        self.top(r.choice(T["work_heading"]))
        self.line_start()
        abbr = r.choice(PROVINCE_ABBR)
        d.w(T["notice"].format(year=self.year, abbr=abbr, next_year=self.year + 1, number=r.randint(1, 30)))
        d.w(FILLER_WORK[0].format(self=self.me)[len(T["work_lead"]):])
        d.w(T["work_period"].format(year=self.year + 1, start=r.randint(2, 4), end=r.randint(5, 6)))
        if r.random() < 0.6:
            n = r.randint(10, 40)
            k = r.randint(int(n * 0.75), n)
            wr.count(n, "项", "绩效指标", "", before=T["indicators_set"])
            d.w("，")
            wr.count(k, "项", "完成指标", "", before=T["indicators_done"])
            d.w("，")
            wr.pct(q(Decimal(k) / Decimal(n) * 100, 2), "completion_rate", before=T["indicators_rate"])
            d.w("。")
        self.end_line()
        if r.random() < 0.5:
            self.line_start()
            d.w(r.choice(FILLER_WORK[1:]).format(self=self.me) + "。")
            self.end_line()

    def conclusion(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        self.top(r.choice(T["conclusion_heading"]))
        self.line_start()
        S = self.S
        v = r.random()
        if v < 0.3:
            d.w(T["self_evaluated"].format(me=self.me, year=self.year, kind=self.kind_title.replace(T["title_drop"], "")))
            wr.score(S, "total", before=r.choice(T["score_is"]))
            d.w("。")
        elif v < 0.55:
            d.w(T["by_standard"])
            wr.score(Decimal(100), "max", before=T["full_marks"])
            d.w("，")
            wr.score(S, "total", before=r.choice(T["self_score"]))
            d.w("，其中")
            for i, (name, w, s) in enumerate(self.comps):
                if i:
                    d.w("；")
                wr.score(w, "max", before=T["group_weight"].format(name=name))
                d.w("，")
                wr.score(s, "indicator", before=T["scored"])
            d.w("。")
        elif v < 0.8:
            project = self.kind in ("project_self_eval", "performance_evaluation")
            wr.score(S, "total", before=T["project_total"] if project else r.choice(T["dept_total"]))
            d.w("，其中")
            for i, (name, w, s) in enumerate(self.comps):
                if i:
                    d.w("，")
                wr.score(s, "indicator", before=T["group_scored"].format(name=name))
            d.w("。")
        elif v < 0.87:
            self.end_line()
            self.score_table()
            self.line_start()
            wr.score(S, "total", before=r.choice(T["total_after_table"]))
            d.w("。")
        elif v < 0.94:
            wr.score(S, "total", before=r.choice(T["evaluated"]))
            d.w(T["each_group"])
            for i, (name, w, s) in enumerate(self.comps):
                if i:
                    d.w("；")
                d.w(T["group_weight_colon"].format(name=name))
                d.fact("scores", dstr(w), value=dstr(w), kind="max")
                d.w(T["comma_scored"])
                d.fact("scores", dstr(s), value=dstr(s), kind="indicator")
            d.w("。")
        else:
            self.end_line()
            if r.random() < 0.5:
                sep = r.choice(["|", "\t"])
                d.w(sep.join(T["summary_header"]))
                d.nl()
                d.w(sep.join([self.project, self.dept]) + sep)
                d.fact("scores", dstr(S), value=dstr(S), kind="total")
                d.nl()
            else:
                d.w(T["summary_line"])
                d.fact("scores", dstr(S), value=dstr(S), kind="total")
                d.nl()
            self.line_start()
            name, w, s = self.comps[-1]
            wr.score(w, "max", before=T["last_group_weight"].format(name=name))
            d.w("，")
            wr.score(s, "indicator", before=T["actual_score"])
            d.w("。")
        g = self.grade
        if self.st.source == "pdf" and len(g) == 2 and r.random() < 0.5:
            g_text = g[0] + " " + g[1]
        else:
            g_text = g
        form = r.choice(T["grade_forms"])
        d.w(form.format(g=g_text) + "。")
        self.end_line()

    def score_table(self) -> None:
        r, d = self.r, self.doc
        sep = "\t" if r.random() < 0.6 else "|"
        d.w(sep.join(T["score_table_header"]))
        d.nl()
        for name, w, s in self.comps:
            d.w(name + sep)
            d.fact("scores", dstr(w), value=dstr(w), kind="max")
            d.raw(sep)
            d.fact("scores", dstr(s), value=dstr(s), kind="indicator")
            d.raw(sep)
            p = q(s / w * 100, 2)
            d.fact("percentages", f"{p:.2f}%", value=dstr(p), qualifier="exact", role="other")
            d.nl()
        d.w(T["score_table_total"] + sep)
        d.fact("scores", "100", value="100", kind="max")
        d.raw(sep)
        d.fact("scores", dstr(self.S), value=dstr(self.S), kind="total")
        d.raw(sep)
        p = q(self.S, 2)
        d.fact("percentages", f"{p:.2f}%", value=dstr(p), qualifier="exact", role="other")
        d.nl()

    def closing(self) -> None:
        r, d = self.r, self.doc
        self.top(r.choice(T["closing_heading"]))
        self.line_start()
        d.w(r.choice(FILLER_PROBLEMS) + "。" + r.choice(FILLER_MEASURES).format(self=self.me) + "。")
        self.end_line()
        if r.random() < 0.4:
            self.top(T["other_heading"])
            d.w(T["nothing"])
            d.nl()
