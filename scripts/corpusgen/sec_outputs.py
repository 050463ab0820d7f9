"""Report section 三 (outputs): output counts, other rates, miscellaneous amounts."""

from __future__ import annotations

from decimal import Decimal

from . import phrases
from .numerals import CN_DIGITS, cn_int, dstr, q, ystr

_COUNTS = phrases.load("counts")
COUNTS_GENERIC = _COUNTS["counts_generic"]
COUNTS_BY_TYPE = _COUNTS["counts_by_type"]
OTHER_RATES = _COUNTS["other_rates"]
NEGATIVES = phrases.load("filler")["negatives"]
T = phrases.load("outputs")


class OutputsSection:
    def outputs(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        self.top(r.choice(T["heading"]))
        if self.ind_rows:
            self.sub(T["indicators_heading"])
            self.indicator_table()
        self.sub(r.choice(T["outputs_heading"]))
        pool = COUNTS_BY_TYPE.get(self.type, []) + COUNTS_GENERIC
        pool = [c for c in pool if c[3] > 0]
        chosen = r.sample(pool, k=min(len(pool), r.randint(3, 6)))
        n_items = r.randint(1, 3)
        groups = [chosen[i::n_items] for i in range(n_items)]
        labelled = n_items > 1 and r.random() < 0.7
        for gi, group in enumerate(groups):
            if not group:
                continue
            self.line_start()
            d.w(self.item_label(gi + 1) if labelled else "")
            leads = T["leads_after_full_year"] if group[0][0].startswith(T["full_year"]) else T["leads"]
            d.w(r.choice(leads).format(year=self.year))
            for i, (tmpl, mw, lo, hi, noun, flags) in enumerate(group):
                if i:
                    d.w("，")
                n = r.randint(lo, hi)
                before, after = tmpl.split("{N}")
                wr.count(n, mw, noun, flags, before=before, after=after)
            if r.random() < 0.5:
                d.w("，")
                self.other_rate()
            d.w("。")
            self.end_line()
        if r.random() < 0.5:
            self.line_start()
            self.amount_misc()
            self.end_line()
        if r.random() < 0.4:
            self.line_start()
            d.w(r.choice(NEGATIVES).format(n=r.randint(2, 30) * 50, m=r.randint(2, 9), self_=self.me))
            self.end_line()
        if self.type in ("commerce", "agri", "culture", "science") or r.random() < 0.25:
            self.events()
        if T["npc"] in self.dept:
            self.line_start()
            n, m = r.randint(10, 18), r.randint(1, 6)
            wr.event(T["npc_session"].format(n=cn_int(n), m=cn_int(m)), "meeting", n,
                     before=r.choice(T["npc_lead"]), after=T["npc_after"])
            wr.count(r.randint(100, 400), "人次", "代表", "q", before=T["npc_served"])
            d.w("。")
            self.end_line()
        if self.st.source == "pdf" and r.random() < 0.3:
            self.line_start()
            d.w(T["quality_lead"])
            for _ in range(3):
                v = Decimal(100) if r.random() < 0.4 else q(Decimal(str(r.uniform(80, 99.9))), r.choice([0, 2]))
                d.fact("percentages", f"{dstr(v)}%", value=dstr(v), qualifier="exact", role="other")
            self.end_line()

    def other_rate(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        name = r.choice(OTHER_RATES)
        v = r.random()
        if v < 0.12:
            d.w(name + T["reach"])
            n = r.choice([60, 70, 75, 80, 85, 90, 95])
            if r.random() < 0.3:
                dec = r.randint(1, 9)
                d.fact("percentages", "百分之" + cn_int(n) + "点" + CN_DIGITS[dec], value=f"{n}.{dec}",
                       qualifier="exact", role="other")
            else:
                d.fact("percentages", "百分之" + cn_int(n), value=str(n), qualifier="exact", role="other")
        elif v < 0.24:
            wr.pct(Decimal(r.choice([85, 90, 95])), "other", before=name + T["reach"], qual=("以上", "post", "at_least"))
        elif v < 0.29:
            wr.pct(Decimal(r.choice([70, 80])), "other", before=T["cover"], qual=("近", "pre", "approx"), after=T["cover_after"])
        elif v < 0.34:
            wr.pct(Decimal(r.choice([1, 2])), "other", before=T["complaints"], qual=("<", "pre", "less_than"))
            wr.pct(Decimal(r.choice([85, 90])), "other", before=T["praise"], qual=(">", "pre", "more_than"))
        elif v < 0.38:
            wr.pct(Decimal(5), "other", before=T["budget_adjustment"], qual=("≤", "pre", "at_most"))
        elif v < 0.42:
            wr.pct(q(Decimal(str(r.uniform(101, 260))), 2), "completion_rate", before=T["investment_completion"])
        else:
            val = Decimal(100) if r.random() < 0.4 else q(Decimal(str(r.uniform(85, 99.9))), 1)
            wr.pct(val, "other", before=name + r.choice(T["rate_links"]))

    def amount_misc(self) -> None:
        """One sentence with a per-unit rate, a qualified amount, a range or a Chinese-numeral amount."""
        r, wr, d, st = self.r, self.wr, self.doc, self.st

        def lit(before: str, text: str, yuan, qualifier: str, role: str, after: str, **extra) -> None:
            d.w(before)
            d.fact("amounts", text, value_yuan=ystr(Decimal(yuan)), qualifier=qualifier, role=role, **extra)
            d.w(after)

        def n_(v, places=0) -> str:
            return st.num(Decimal(v), places, sep=False)

        v = r.randrange(25)
        if v == 0:
            val = Decimal(r.choice(["110.5", "120", "80", "150", "200.5"]))
            lit("补贴标准为", "每亩" + n_(val, 1 if val != val.to_integral() else 0) + "元", val, "exact", "other",
                "，资金通过一卡通直接兑付到户", per="亩")
        elif v == 1:
            val = r.choice([600, 650, 800, 1000, 1200])
            lit("按", "生均" + n_(val) + "元", val, "exact", "other", "的标准拨付公用经费", per="生")
        elif v == 2:
            lo = r.choice([1, 2, 3, 5])
            hi = lo + r.choice([2, 3, 5])
            text = f"{lo}-{hi}万元" if r.random() < 0.5 else f"{lo}万至{hi}万元"
            lit("对入选项目给予", text, lo * 10000, "exact", "other", "补助",
                low_yuan=str(lo * 10000), high_yuan=str(hi * 10000))
        elif v == 3:
            n = r.choice([1, 2, 3, 5, 10, 20, 50, 100, 120, 200])
            lit("合计拨付奖励资金人民币", cn_int(n, capital=True) + "万元", n * 10000, "exact", "other", "整")
        elif v == 4:
            n = r.choice([5, 8, 12, 15, 30, 50, 80])
            d.w("通过集中采购节约资金")
            wr.amount(Decimal(n * 10000), "other", unit="万元", qual=("近", "pre", "approx"), space=False)
        elif v == 5:
            n = r.choice([100, 200, 300, 500, 800])
            d.w("累计投入")
            wr.amount(Decimal(n * 10000), "other", unit="万元", qual=("多", "mid", "more_than"), space=False)
        elif v == 6:
            n = r.choice([1000, 2000, 3000, 5000])
            d.w("为群众节省开支")
            wr.amount(Decimal(n), "other", unit="元", qual=("余", "mid", "more_than"), space=False)
        elif v == 7:
            val = q(Decimal(str(r.uniform(1, 60))), 2)
            lit("预计实现交易额", "约" + n_(val, 2) + "亿元", val * 10 ** 8, "approx", "other", "")
        elif v == 8:
            n = r.choice([20, 30, 50, 80])
            lit("平台运维费用", n_(n) + "万元左右", n * 10000, "approx", "other", "")
        elif v == 9:
            n = r.choice([100, 500, 1000])
            lit("单笔支出", "超过" + n_(n) + "万元", n * 10000, "more_than", "other", "的事项须集体研究决定")
        elif v == 10:
            n = r.choice([1, 2, 5])
            lit("项目结余资金", "不足" + n_(n) + "万元", n * 10000, "less_than", "balance", "，已按规定收回")
        elif v == 11:
            n = r.choice([50, 100, 150, 200])
            lit("年度目标值：招商引资到位资金", "≥" + n_(n) + "亿元", n * 10 ** 8, "at_least", "funds_received", "")
        elif v == 12:
            n = r.choice([50, 100, 150, 260])
            lit("年度目标为签约金额", "不低于" + n_(n) + "亿元", n * 10 ** 8, "at_least", "contract_signed", "")
        elif v == 13:
            n = r.choice([2, 3, 5])
            lit("全年争取上级资金", n_(n) + "千万元", n * 10 ** 7, "exact", "other", "")
        elif v == 14:
            val = Decimal(r.choice(["1.5", "2.3", "1.2", "3.6"]))
            lit("项目总投资", n_(val, 1) + "亿元", val * 10 ** 8, "exact", "investment", "")
        elif v == 15:
            n = r.choice([12, 50, 120, 300])
            lit("发放奖补资金", cn_int(n) + "万元", n * 10000, "exact", "other", "")
        elif v == 16:
            n = r.choice([500, 1000, 2000])
            lit("一次性发放慰问金", cn_int(n).replace("二千", "两千") + "元", n, "exact", "other", "")
        elif v == 17:
            n = r.choice([800, 1200, 1500, 2000])
            lit("公益性岗位补贴标准为", "每人每月" + n_(n) + "元", n, "exact", "other", "", per="人/月")
        elif v == 18:
            n = r.choice([1000, 2000, 3000])
            lit("脱贫户产业奖补", "年人均" + n_(n) + "元", n, "exact", "other", "")
        elif v == 19:
            n = r.choice([80, 150, 620, 900])
            lit("上级下达资金", n_(n) + "万", n * 10000, "exact", "funds_received", "")
        elif v == 20:
            n = r.choice([300, 1000, 3000])
            lit("实际到位资金", n_(n) + "余万", n * 10000, "more_than", "funds_received", "")
        elif v == 21:
            val = Decimal(r.choice(["1.2", "2.5", "0.8", "3"]))
            lit("签约金额达", n_(val, 0 if val == val.to_integral() else 1) + "亿", val * 10 ** 8, "exact",
                "contract_signed", "")
        elif v == 22:
            lit("本年度机关运行经费支出", "0元", 0, "exact", "expenditure", "")
        elif v == 23:
            d.w(f"截至{self.year}年12月31日，{self.me}共有车辆")
            k = r.randint(0, 6)
            d.fact("counts", f"{k}辆", value=str(k), unit="辆", qualifier="exact", noun="车辆")
            d.w("；单价")
            lit("", "50万元以上", 500000, "at_least", "other", "通用设备")
            n = r.randint(0, 9)
            d.fact("counts", f"{n}台（套）", value=str(n), unit="台（套）", qualifier="exact", noun="通用设备")
        else:
            a, b = r.choice([(10, 5000), (20, 0), (5, 800), (100, 0)])
            text = cn_int(a * 10000 + b, capital=True) + "元"
            lit("中标金额人民币", text, a * 10000 + b, "exact", "other", "整")
        d.w("。")
