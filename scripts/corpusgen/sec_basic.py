"""Report section 一: the unit's duties and staffing."""

from __future__ import annotations

from decimal import Decimal

from . import phrases
from .numerals import ystr

DUTIES = phrases.load("units")["duties"]
T = phrases.load("basic")


class BasicSection:
    def basic(self) -> None:
        r = self.r
        project = self.kind in ("project_self_eval", "performance_evaluation")
        self.top(r.choice(T["heading"]) if not project else T["heading_project"])
        self.sub(r.choice(T["duties_heading"]))
        duties = DUTIES.get(self.type, DUTIES["office"])
        picked = r.sample(duties, k=min(len(duties), r.randint(2, 4)))
        self.line_start()
        self.doc.w(T["duties_lead"].format(me=self.me) if r.random() < 0.5 else "")
        self.doc.w(T["duties_joiner"].join(picked) + "。")
        self.end_line()
        self.sub(r.choice(T["staffing_heading"]))
        self.staffing()
        if project:
            self.sub(r.choice(T["project_heading"]))
            self.line_start()
            self.doc.w(T["project_sentence"].format(project=self.project, me=self.me))
            self.end_line()

    def staffing(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        # internal units
        self.line_start()
        if r.random() < 0.7:
            v = r.random()
            if v < 0.6:
                wr.staff("内设机构", self.units, "internal_units", unit="个", before=f"{self.me}")
                d.w("。" if r.random() < 0.5 else T["internal_units_tail"])
            else:
                d.w(T["set_up"].format(me=self.me))
                wr.staff("内设机构", self.units, "internal_units", unit="个", number_first=True)
                d.w("。")
            if self.sub_units and r.random() < 0.5:
                wr.count(self.sub_units, "个", "下属事业单位", before="下属事业单位", after="。")
        v = r.random()
        I, R, Tot = self.I, self.R, self.Tot
        if v < 0.3:
            # 共有干部28人，其中县级干部4人，科级干部12人，科员10人，工勤2人
            a = r.randint(1, 6)
            b = r.randint(2, max(3, I // 3))
            w_ = r.randint(1, max(1, I // 10))
            c = I - a - b - w_
            if c <= 0:
                c, b = 1, max(1, I - a - w_ - 1)
            wr.staff("共有干部", I, "total", before=f"{self.me}", link=r.choice(["", ""]))
            d.w("，其中")
            wr.staff("县级干部", a, "county_level")
            d.w("，")
            wr.staff("科级干部", b, "section_level", link=r.choice(["", "", "有"]))
            d.w("，")
            wr.staff("科员", c, "clerk")
            d.w("，")
            wr.staff(r.choice(T["workers"]), w_, "worker")
            d.w("。")
            if self.contract and r.random() < 0.6:
                wr.staff(r.choice(T["contract_cadres"]), self.contract, "contract", before="另有", after="。")
            if r.random() < 0.5:
                wr.staff("财政全额拨款供养人数", I, "funded", after="。")
        elif v < 0.65:
            a = r.randint(0, self.Est)
            z = r.randint(0, min(5, self.Est - a))
            b = self.Est - a - z
            unit = r.choice(["个", "名"])
            wr.staff(r.choice(T["establishment"]), self.Est, "establishment", unit=unit, before=f"{self.me}")
            d.w("，其中")
            career = r.choice(T["career_establishment"])
            admin = "政法专项编制" if self.type == "police" and r.random() < 0.6 else "行政编制"
            parts = [(admin, a), (career, b), ("工勤编制", z)]
            parts = [p for p in parts if p[1] > 0] or [("事业编制", b)]
            for i, (label, n) in enumerate(parts):
                if i:
                    d.w("，")
                wr.staff(label, n, "establishment", unit=unit)
            d.w("。")
            wr.staff(r.choice(T["total"]), Tot, "total", link=r.choice(["", "为"]))
            d.w("，其中")
            wr.staff(r.choice(T["in_service"]), I, "in_service")
            d.w(r.choice(["、", "，"]))
            if R >= 2 and r.random() < 0.25:
                lx = r.randint(1, min(3, R - 1))
                wr.staff("离休人员", lx, "retired")
                d.w("，")
                wr.staff("退休人员", R - lx, "retired")
            else:
                wr.staff(r.choice(T["retired"]), R, "retired")
            d.w("。")
            m = r.randint(1, max(1, I // 4))
            w_ = r.randint(0, max(1, I // 10))
            p = I - m - w_
            if p > 0 and r.random() < 0.7:
                d.w(T["in_service_lead"])
                wr.staff("管理人员", m, "management")
                d.w("，")
                wr.staff("专业技术人员", p, "professional")
                if w_:
                    d.w("，")
                    wr.staff("工勤人员", w_, "worker")
                d.w("。")
            if self.contract and r.random() < 0.6:
                wr.staff(r.choice(T["contract_staff"]), self.contract, "contract", before="另有", after="。")
        else:
            wr.staff(r.choice(T["establishment3"]), self.Est, "establishment", unit="名", before=f"{self.me}")
            d.w("，")
            wr.staff(r.choice(T["total"]), Tot, "total", link=r.choice(["", "为", "共"]))
            d.w("，其中")
            wr.staff(r.choice(T["in_service3"]), I, "in_service")
            d.w("，")
            wr.staff(r.choice(T["retired3"]), R, "retired")
            d.w("。")
            if self.type == "police":
                wr.staff("辅警", r.randint(20, 300), "contract", unit="名", before="另有")
                d.w("。")
            elif self.type in ("market", "transport") and r.random() < 0.7:
                wr.staff("协管员", r.randint(5, 60), "contract", unit="名", before="聘用")
                d.w(T["assistants_tail"])
            elif self.contract:
                wr.staff(r.choice(T["contract3"]), self.contract, "contract", before="另有", after="")
                if r.random() < 0.5:
                    d.w(T["pay_lead"])
                    self.per_unit_rate("人/月")
                    d.w(T["pay_tail"])
                d.w("。")
        self.end_line()

    def per_unit_rate(self, per: str) -> None:
        r, st = self.r, self.st
        v = Decimal(r.choice([800, 1200, 1500, 1800, 2000, 2500, 3000]))
        n = st.num(v, 0, sep=False)
        if per == "人/月":
            self.doc.fact("amounts", n + "元/人/月", value_yuan=ystr(v), qualifier="exact", role="other", per="人/月")

    # ---- budget
