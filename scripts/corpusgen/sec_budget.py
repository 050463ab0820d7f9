"""Report section 二: budget, execution, income, expenditure breakdown, 三公经费, funding tables."""

from __future__ import annotations

from decimal import Decimal

from . import phrases
from .numerals import dstr, q, ystr
from .style import round_to

T = phrases.load("budget")


class BudgetSection:
    def budget(self) -> None:
        r, wr, d, y = self.r, self.wr, self.doc, self.year
        project = self.kind in ("project_self_eval", "performance_evaluation")
        self.top(r.choice(T["heading"]) if not project else r.choice(T["heading_project"]))
        self.sub(r.choice(T["budget_heading"]))
        self.line_start()
        v = r.random()
        if v < 0.35 and not project:
            d.w(T["lead_year"].format(year=y, me=self.me))
            wr.amount(self.B, "budget_initial", before="年初预算")
            d.w("，其中")
            wr.amount(self.Bb, "basic_expenditure", before="基本支出")
            d.w("，")
            wr.amount(self.Bp, "project_expenditure", before="项目支出")
            d.w("。")
            if self.A != self.B:
                d.w(T["adjusted_lead"])
                wr.amount(self.A, "budget_adjusted", before=r.choice(T["adjusted1"]))
                d.w("，其中")
                wr.amount(self.P, "appropriation", before=r.choice(T["appropriation1"]))
                if self.C:
                    d.w("，")
                    wr.amount(self.C, "carryover", before=r.choice(T["carryover1"]))
                d.w("。")
        elif v < 0.7:
            d.w(T["lead_year_comma"].format(year=y, who=self.project if project else self.me))
            wr.amount(self.B, "budget_initial", before=r.choice(T["initial2"]))
            if self.X:
                d.w(T["addition2"])
                wr.amount(self.X, "budget_addition")
            if self.C:
                d.w("，")
                wr.amount(self.C, "carryover", before=r.choice(T["carryover2"]))
            if self.A != self.B:
                d.w("，")
                wr.amount(self.A, "budget_adjusted", before=r.choice(T["adjusted2"]))
            d.w("。")
        else:
            d.w(T["lead_year"].format(year=y, me=T["this_project"] if project else self.me))
            wr.amount(self.B, "budget_initial", before="年初预算")
            d.w("，")
            wr.amount(self.A, "budget_adjusted", before=r.choice(T["adjusted3"]))
            if self.C:
                d.w("（")
                wr.amount(self.P, "appropriation", before="其中当年财政拨款")
                d.w("，")
                wr.amount(self.C, "carryover", before="上年结转资金")
                d.w("）")
            d.w("，")
            wr.amount(self.E, "expenditure", before=r.choice(T["expenditure3"]))
            d.w("，")
            wr.pct(self.rate, "execution_rate", before="执行率")
            d.w("。")
        if project and r.random() < 0.4:
            d.w(T["funds_all_issued"])
            wr.amount(self.A, "funds_received", before="实际到位资金")
            d.w("，")
            wr.pct(Decimal(100), "other", before="资金到位率")
            d.w("。")
        self.end_line()
        self.sub(r.choice(T["execution_heading"]))
        self.line_start()
        v = r.random()
        if v < 0.45:
            d.w(T["as_of"].format(year=y, me=self.me))
            wr.amount(self.E, "expenditure", before=r.choice(T["expenditure1"]))
            d.w("，")
            wr.pct(self.rate, "execution_rate", before=r.choice(T["rate1"]))
            if r.random() < 0.4:
                d.w(T["vs_last_year"] + r.choice(T["up_down"]))
                d.w(self.st.num(Decimal(str(round(r.uniform(0.1, 9.9), 2))), 2, sep=False) + self.st.sp() + T["points"])
            if self.Bal:
                d.w("，")
                wr.amount(self.Bal, "balance", before="年末结余")
                d.w(T["balance_carried"] if r.random() < 0.5 else "")
            d.w("。")
        elif v < 0.75:
            wr.amount(self.E, "expenditure", before=T["expenditure2"].format(year=y))
            d.w("，")
            wr.pct(self.rate, "execution_rate", before="执行率为")
            d.w("。")
            if self.C and self.EP >= 0:
                d.w(T["expenditure2_split"])
                wr.amount(self.EP, "expenditure", before="当年财政拨款支出")
                d.w("，")
                wr.amount(self.EC, "expenditure", before="上年结转资金支出")
                d.w("。")
        else:
            wr.amount(self.A, "budget_adjusted", before="全年预算数")
            d.w("，")
            wr.amount(self.E, "expenditure", before="实际支出")
            d.w("，")
            wr.pct(self.rate, "execution_rate", before="预算执行率达到")
            d.w("。")
            if self.Bal and r.random() < 0.6:
                wr.amount(self.Bal, "balance", before="结余资金", after=T["balance_tail"])
        self.end_line()
        if not project and r.random() < 0.3:
            self.income()
        if not project:
            self.breakdown()
            if r.random() < 0.75:
                self.three_public()
        elif r.random() < 0.5:
            self.line_start()
            d.w(T["structure_lead"])
            parts = self.split(self.E, r.randint(2, 4))
            names = r.sample(T["structure_items"], len(parts))
            for i, (nm, val) in enumerate(zip(names, parts)):
                if i:
                    d.w("，")
                wr.amount(val, "expenditure", before=nm)
            d.w("。")
            self.end_line()
        if r.random() < 0.35:
            self.funding_table()
        elif r.random() < 0.15:
            self.unit_line_table()

    def income(self) -> None:
        r, wr, d, st = self.r, self.wr, self.doc, self.st
        other_name = T["income_other_school"] if self.type in ("school", "hospital") else T["income_other"]
        S1 = round_to(self.P * Decimal(str(r.uniform(0.005, 0.12))), st)
        I = self.P + S1
        self.line_start()
        wr.amount(I, "income", before=r.choice(T["income_total"]).format(year=self.year))
        d.w("，其中：")
        wr.amount(self.P, "appropriation", before="财政拨款收入")
        p1 = q(self.P / I * 100, 2)
        wr.pct(p1, "other", before="，占")
        d.w("；")
        wr.amount(S1, "income", before=other_name)
        wr.pct(Decimal(100) - p1, "other", before="，占")
        d.w("。")
        if r.random() < 0.6:
            wr.amount(self.C, "carryover", before="年初结转和结余")
            d.w("，")
            wr.amount(self.Bal, "balance", before="年末结转和结余")
            d.w("。")
        self.end_line()

    def split(self, total: Decimal, k: int) -> list[Decimal]:
        cuts = sorted(round_to(total * Decimal(str(self.r.uniform(0.1, 0.9))), self.st) for _ in range(k - 1))
        vals, prev = [], Decimal(0)
        for c in cuts + [total]:
            vals.append(c - prev)
            prev = c
        return [v for v in vals if v > 0] or [total]

    def breakdown(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        self.line_start()
        v = r.random()
        if v < 0.4:
            d.w(self.item_label(1))
            wr.amount(self.Eb, "basic_expenditure", before="基本支出")
            d.w("，其中")
            wr.amount(self.Epers, "personnel_expenditure", before="人员经费")
            d.w(T["personnel_use"])
            wr.amount(self.Epub, "public_expenditure", before="公用经费")
            d.w(T["public_use"])
            self.end_line()
            self.line_start()
            d.w(self.item_label(2))
            wr.amount(self.Ep, "project_expenditure", before="项目支出")
            d.w(T["project_use"].format(project=self.project))
        elif v < 0.75:
            d.w(T["by_nature"])
            wr.amount(self.Eb, "basic_expenditure", before="基本支出")
            pb = q(self.Eb / self.E * 100, 2)
            wr.pct(pb, "other", before="，占")
            d.w("；")
            wr.amount(self.Ep, "project_expenditure", before="项目支出")
            wr.pct(Decimal(100) - pb, "other", before="，占")
            d.w("。")
            if r.random() < 0.7:
                d.w(T["within_basic"])
                wr.amount(self.Epers, "personnel_expenditure", before="人员经费")
                d.w("，")
                wr.amount(self.Epub, "public_expenditure", before="公用经费")
                d.w("。")
        else:
            wr.amount(self.Eb, "basic_expenditure", before="全年基本支出")
            d.w("（")
            wr.amount(self.Epers, "personnel_expenditure", before="人员经费")
            d.w("、")
            wr.amount(self.Epub, "public_expenditure", before="公用经费")
            d.w("），")
            wr.amount(self.Ep, "project_expenditure", before="项目支出")
            d.w("。")
        self.end_line()

    def three_public(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        self.line_start()
        label = r.choice(T["three_public"])
        wr.amount(self.T, "three_public", before=label)
        d.w("，其中")
        wr.amount(self.T_recv, "three_public", before="公务接待费")
        d.w("，")
        wr.amount(self.T_car, "three_public", before=r.choice(T["vehicles"]))
        d.w("，")
        wr.amount(self.T_abroad, "three_public", before="因公出国（境）费")
        d.w("。")
        if r.random() < 0.8:
            word = T["decrease"] if self.T_down else T["increase"]
            d.w(r.choice(T["three_public_vs"]))
            wr.amount(self.T_change, "change", before=word)
            d.w("，")
            wr.pct(self.T_pct, "growth_yoy", before=T["down"] if self.T_down else T["up"])
            d.w(T["reason_down"] if self.T_down else T["reason_up"])
        self.end_line()

    def funding_table(self) -> None:
        r, d, st = self.r, self.doc, self.st
        sep = "|" if r.random() < 0.7 else "\t"
        unit = "元" if st.money == "yuan" else "万元"
        div = Decimal(1) if unit == "元" else Decimal(10000)
        places = 0 if unit == "元" else (4 if st.money == "wan4" else 2)

        def cell(yuan: Decimal, role: str) -> None:
            s = f"{yuan / div:.{places}f}" if yuan else "0"
            d.fact("amounts", s, value_yuan=ystr(yuan), qualifier="exact", role=role)

        def rate_cell(a: Decimal, b: Decimal) -> None:
            if not b:
                d.raw("-")
                return
            v = q(a / b * 100, 2)
            d.fact("percentages", f"{v:.2f}", value=dstr(v), qualifier="exact", role="execution_rate")

        d.w(sep.join(h.format(unit=unit) for h in T["funding_header"]))
        d.nl()
        rows = T["funding_rows"]
        d.w(rows[0] + sep)
        cell(self.B, "budget_initial"); d.raw(sep)
        cell(self.A, "budget_adjusted"); d.raw(sep)
        cell(self.E, "expenditure"); d.raw(sep)
        d.fact("scores", "10", value="10", kind="max"); d.raw(sep)
        rate_cell(self.E, self.A); d.raw(sep)
        d.fact("scores", dstr(self.exec_score), value=dstr(self.exec_score), kind="indicator")
        d.nl()
        d.w(rows[1] + sep)
        cell(self.B, "appropriation"); d.raw(sep)
        cell(self.P, "appropriation"); d.raw(sep)
        cell(self.EP, "expenditure"); d.raw(sep + "-" + sep)
        rate_cell(self.EP, self.P); d.raw(sep + "-")
        d.nl()
        d.w(rows[2] + sep)
        cell(Decimal(0), "carryover"); d.raw(sep)
        cell(self.C, "carryover"); d.raw(sep)
        cell(self.EC, "expenditure"); d.raw(sep + "-" + sep)
        rate_cell(self.EC, self.C); d.raw(sep + "-")
        d.nl()
        self.table_used = True

    def unit_line_table(self) -> None:
        d, st, r = self.doc, self.st, self.r
        unit = "元" if st.money == "yuan" else "万元"
        div = Decimal(1) if unit == "元" else Decimal(10000)
        places = 0 if unit == "元" else (4 if st.money == "wan4" else 2)
        sep = r.choice(["\t", "|"])
        d.w(T["unit_line"].format(unit=unit))
        d.nl()
        d.w(sep.join(T["unit_table_header"]))
        labels = T["unit_table_rows"]
        d.nl()
        rows = [(labels[0], (self.B, "appropriation"), (self.P, "appropriation"), (self.EP, "expenditure"))]
        if self.C:
            rows.append((labels[1], (Decimal(0), "carryover"), (self.C, "carryover"), (self.EC, "expenditure")))
        rows.append((labels[2], (self.B, "budget_initial"), (self.A, "budget_adjusted"), (self.E, "expenditure")))
        for label, *cells in rows:
            d.w(label)
            for yuan, role in cells:
                d.raw(sep)
                text = f"{yuan / div:.{places}f}" if yuan else "0"
                d.fact("amounts", text, value_yuan=ystr(yuan), qualifier="exact", role=role)
            d.nl()
        if r.random() < 0.5:
            d.w(T["unit_table_rate"] + sep)
            d.fact("percentages", dstr(self.rate), value=dstr(self.rate), qualifier="exact", role="execution_rate")
            d.raw(sep + "%")
            d.nl()

    # ---- outputs, events, effects
