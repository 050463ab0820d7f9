"""Fact writers: amounts, percentages, staffing, counts, scores and events, each with its gold."""

from __future__ import annotations

import random
from decimal import Decimal

from .numerals import cn_int, dstr, q, ystr
from .style import Doc, Style


class Writer:
    """Fact writers bound to one report's Doc and Style."""

    def __init__(self, doc: Doc, st: Style, rng: random.Random):
        self.d, self.st, self.r = doc, st, rng

    # ---- money
    def money_text(self, yuan: Decimal, unit: str | None = None) -> tuple[str, str]:
        """(number text, unit text) of an amount in the report's money style."""
        st, r = self.st, self.r
        unit = unit or ("元" if st.money == "yuan" else "万元")
        if unit == "元":
            places = 0 if yuan == yuan.to_integral() else 2
            return st.num(yuan, places), "元"
        if unit == "亿元":
            v = yuan / Decimal(10 ** 8)
            places = 0 if v == v.to_integral() else 2
            return st.num(v, places, sep=False), "亿元"
        v = yuan / Decimal(10000)
        if st.money == "wan4":
            places = 4
        elif v == v.to_integral() and r.random() < 0.6:
            places = 0
        else:
            places = 2
        return st.num(v, places), "万元"

    def amount(self, yuan, role: str, unit: str | None = None, qual: tuple[str, str, str] | None = None,
               before: str = "", after: str = "", space: bool = True) -> None:
        """An amount fact; qual is (word, position, qualifier) e.g. ("约", "pre", "approx")."""
        yuan = Decimal(yuan)
        st, r = self.st, self.r
        n, u = self.money_text(yuan, unit)
        gap = st.sp() if space else ""
        if gap == " " and u in ("万元", "亿元") and r.random() < 0.08:
            body = n + u[0] + " " + u[1:]          # 2000万 元
        elif gap == " " and "." in n and u == "亿元" and r.random() < 0.3:
            i = n.index(".")
            body = n[: i + 1] + " " + n[i + 1:] + u  # 287. 60亿元
        else:
            body = n + gap + u
        qualifier = "exact"
        if qual:
            word, where, qualifier = qual
            if where == "pre":
                body = word + body
            elif where == "post":
                body = body + word
            elif where == "mid":  # 300多万元, 2000余元
                body = n + word + u
        self.d.w(before)
        if before:
            self.d.raw(st.pre())
        self.d.fact("amounts", body, value_yuan=ystr(yuan), qualifier=qualifier, role=role)
        self.d.w(after)

    # ---- percentages
    def pct(self, value: Decimal | str, role: str, places: int | None = None, qual=None,
            before: str = "", after: str = "") -> None:
        st = self.st
        v = Decimal(value)
        if places is None:
            places = -v.as_tuple().exponent if v.as_tuple().exponent < 0 else 0
        n = st.num(v, places, sep=False)
        sign = st.pct_sign(n)
        gap = " " if st.space_rate and self.r.random() < 0.25 else ""
        body = n + gap + sign
        qualifier = "exact"
        if qual:
            word, where, qualifier = qual
            body = word + body if where == "pre" else body + word
        self.d.w(before)
        if before:
            self.d.raw(st.pre())
        self.d.fact("percentages", body, value=dstr(q(v, places) if places else v.quantize(Decimal(1))),
                    qualifier=qualifier, role=role)
        self.d.w(after)

    # ---- integers (staffing, counts)
    def int_text(self, n: int, cn_ok: bool = False, sep_ok: bool = True) -> str:
        if cn_ok and n < 100 and self.r.random() < 0.12:
            return "两" if n == 2 else cn_int(n)
        if cn_ok and n >= 1000 and n % 1000 == 0 and n < 10000 and self.r.random() < 0.5:
            return cn_int(n).replace("二千", "两千")
        return self.st.num(Decimal(n), 0, sep=(self.st.sep and sep_ok and n >= 1000))

    def staff(self, label: str, n: int, role: str, unit: str = "人", link: str = "",
              before: str = "", after: str = "", number_first: bool = False) -> None:
        sp = self.st.sp()
        num = self.int_text(n, cn_ok=not sp)
        if number_first:
            text = num + unit + label
        else:
            lead = " " if sp == " " and not link else ""
            text = label + link + lead + num + sp + unit
        self.d.w(before)
        self.d.fact("staffing", text, value=str(n), role=role)
        self.d.w(after)

    def count(self, n: int, mw: str, noun: str | None, flags: str = "", before: str = "",
              after: str = "", force_qual: str | None = None) -> int:
        """A count fact; returns the value written (rounded when a qualifier like 多 is used)."""
        r, st = self.r, self.st
        qual = force_qual
        if "c" in flags and "q" in flags and n >= 1000 and r.random() < 0.2:
            n, qual = n // 1000 * 1000, "近"
        if qual is None and "q" in flags and r.random() < 0.3:
            qual = r.choice(["多", "余", "近", "超过", "不少于", "以上", "约"])
        use_wan = "w" in flags and n >= 10000 and r.random() < 0.6
        qualifier = "exact"
        if qual in ("多", "余"):
            step = 10000 if use_wan and r.random() < 0.5 else (10 if n < 1000 else 100)
            n = max(step, n // step * step)
        unit_text = mw
        if mw == "人次" and r.random() < 0.15:
            unit_text = st.c("人（次）")
        if use_wan:
            v = Decimal(n) / Decimal(10000)
            if qual in ("多", "余") and v != v.to_integral():
                n = int(v) * 10000
                v = Decimal(int(v))
            places = 0 if v == v.to_integral() else (2 if (v * 100) == (v * 100).to_integral() else 4)
            if places == 4:
                n = n // 100 * 100
                v = Decimal(n) / Decimal(10000)
                places = 0 if v == v.to_integral() else 2
            num = st.num(v, places, sep=False) + "万"
        else:
            num = self.int_text(n, cn_ok="c" in flags)
        sp = st.sp() if not use_wan else ""
        if qual in ("多", "余"):
            body = num + qual + unit_text
            qualifier = "more_than"
        else:
            body = num + sp + unit_text
            if qual in ("近", "约"):
                body, qualifier = qual + body, "approx"
            elif qual == "超过":
                body, qualifier = qual + body, "more_than"
            elif qual == "不少于":
                body, qualifier = qual + body, "at_least"
            elif qual == "以上":
                body, qualifier = body + qual, "at_least"
            elif qual == "≥":
                body, qualifier = "≥" + body, "at_least"
        self.d.w(before)
        if before:
            self.d.raw(st.pre())
        self.d.fact("counts", body, value=str(n), unit=mw, qualifier=qualifier, noun=noun)
        self.d.w(after)
        return n

    def score(self, value: Decimal, kind: str, before: str = "", after: str = "", unit: bool = True) -> None:
        st = self.st
        n = st.digits(dstr(value), allow_fw=True)
        body = n + (st.sp() + "分" if unit else "")
        self.d.w(before)
        if before:
            self.d.raw(st.pre())
        self.d.fact("scores", body, value=dstr(value), kind=kind)
        self.d.w(after)

    def event(self, name: str, kind: str, edition: int | None, before: str = "", after: str = "") -> None:
        self.d.w(before)
        self.d.fact("events", name, name=self.st.c(name), kind=kind, edition=edition)
        self.d.w(after)
