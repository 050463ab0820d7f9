"""Report section 三 (events and effects): event names, event sentences, effects and satisfaction."""

from __future__ import annotations

from decimal import Decimal

from . import phrases
from .numerals import cn_int, q, ystr

_EVENTS = phrases.load("events")
EXPO_BODIES = _EVENTS["expo_bodies"]
EXPO_SUFFIX = _EVENTS["expo_suffixes"]
ABBREVS = _EVENTS["abbrevs"]
EDITION_ABBREVS = _EVENTS["edition_abbrevs"]
CITIES = _EVENTS["cities"]
CITIES2 = _EVENTS["cities2"]
REGIONS = _EVENTS["regions"]
CAMPAIGNS = _EVENTS["campaigns"]
FORUM_BODIES = _EVENTS["forum_bodies"]
MEETING_BODIES = _EVENTS["meeting_bodies"]
FESTIVALS = _EVENTS["festivals"]
_COUNTS = phrases.load("counts")
OTHER_RATES = _COUNTS["other_rates"]
GROWTH = _COUNTS["growth"]
GROWTH_GENERIC = _COUNTS["growth_generic"]
NAMES = _EVENTS["names"]
E = _EVENTS  # the words of event sentences
T = phrases.load("effects")


class EventsSection:
    def event_name(self) -> tuple[str, str, int | None]:
        r = self.r
        v = r.random()
        y = self.year
        if v < 0.22:
            ed = r.randint(2, 30)
            edt = str(ed) if r.random() < 0.5 else cn_int(ed)
            return NAMES["expo"].format(edition=edt, body=r.choice(EXPO_BODIES), suffix=r.choice(EXPO_SUFFIX)), "expo", ed
        if v < 0.3:
            ed = r.randint(2, 12)
            return NAMES["expo_year"].format(year=y, edition=cn_int(ed), body=r.choice(EXPO_BODIES)), "expo", ed
        if v < 0.36:
            ed = r.randint(2, 12)
            return NAMES["expo_year_edition"].format(year=y, edition=cn_int(ed), body=r.choice(EXPO_BODIES)), "expo", ed
        if v < 0.40 and r.random() < 0.15:
            ed = r.randint(10, 20)
            return NAMES["asean"].format(edition=ed), "expo", ed
        if v < 0.48:
            ab = r.choice(ABBREVS)
            if ab in EDITION_ABBREVS and r.random() < 0.6:
                ed = r.randint(*EDITION_ABBREVS[ab])
                return NAMES["abbrev_edition"].format(edition=ed, abbrev=ab), "expo", ed
            return ab, "expo", None
        if v < 0.56:
            c1, c2 = r.choice(CITIES), r.choice(CITIES2)
            tail = r.choice(NAMES["promotion_tails"])
            return NAMES["promotion"].format(city=c1, city2=c2, tail=tail), "promotion", None
        if v < 0.62:
            return NAMES["symposium"].format(city2=r.choice(CITIES2)), "symposium", None
        if v < 0.68:
            ed = r.randint(2, 9)
            return NAMES["forum"].format(edition=cn_int(ed), body=r.choice(FORUM_BODIES)), "forum", ed
        if v < 0.73:
            return NAMES["matchmaking"].format(region=r.choice(REGIONS)), "matchmaking", None
        if v < 0.78:
            return NAMES["signing"].format(city=r.choice(CITIES)), "signing", None
        if v < 0.83:
            ed = r.randint(2, 6)
            return NAMES["meeting"].format(edition=cn_int(ed), body=r.choice(MEETING_BODIES)), "meeting", ed
        if v < 0.88:
            ed = r.randint(2, 12)
            name = NAMES["expo_meeting"].format(year=y, body=r.choice(NAMES["expo_meeting_bodies"]), edition=cn_int(ed),
                                               meeting=r.choice(MEETING_BODIES))
            return name, "expo", None
        if v < 0.93:
            return r.choice(FESTIVALS), "festival", None
        return NAMES["expo_plain"].format(body=r.choice(NAMES["expo_plain_bodies"])), "expo", None

    def events(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        self.line_start()
        v = r.random()
        names = []
        while len(names) < 3:
            e = self.event_name()
            if e[0] not in [n[0] for n in names] and e[1] != "festival":
                names.append(e)
        if v < 0.35:
            wr.event(*names[0], before=r.choice(E["hosted"]))
            d.w(E["joined"])
            wr.event(*names[1])
            d.w("、")
            wr.event(*names[2])
            if r.random() < 0.5:
                d.w("、")
                camp, follow = r.choice(CAMPAIGNS)
                d.w("“")
                wr.event(camp, "campaign", None)
                d.w("”")
            d.w(E["big_events"])
            wr.count(r.randint(4, 15), "个", "大型活动", "", after="。")
            d.w("")
        elif v < 0.65:
            k = r.randint(10, 80)
            wr.count(k, "家", "企业", "", before=E["organised"])
            wr.event(*names[0], before=E["companies_joined"])
            d.w(E["signed_on_site"])
            wr.count(r.randint(3, 40), "个", "签约项目", "")
            d.w("，")
            val = Decimal(str(round(r.uniform(1, 300), 2)))
            wr.amount(val * 10 ** 8, "contract_signed", unit="亿元", before=r.choice(E["signed_amount"]))
            d.w("。")
        elif v < 0.85:
            camp, follow = r.choice(CAMPAIGNS)
            d.w(E["campaign_lead"])
            wr.event(camp, "campaign", None)
            d.w("”" + (follow or E["campaign_default_tail"]))
            wr.count(r.randint(3, 40), "场", "活动", "c")
            d.w("，")
            wr.event(*names[0], before=E["held"])
            d.w("。")
        else:
            fest = r.choice(FESTIVALS)
            wr.event(fest, "festival", None)
            d.w(E["festival_checks"])
            wr.count(r.randint(2, 20), "次", "食品安全专项检查", "c")
            d.w("。")
        self.end_line()
        if self.type == "commerce" or (names and r.random() < 0.4):
            self.line_start()
            ev = names[0]
            wr.event(*ev, before="" if r.random() < 0.5 else E["of_which"])
            d.w(E["invited"])
            wr.count(r.randint(10, 60), "个", "团组", "", force_qual="多", after=E["delegations"])
            d.w("、")
            wr.count(r.randint(50, 500), "名", "宾客", "", force_qual="多", after=E["guests"])
            d.w(E["attended_signed"])
            wr.count(r.randint(10, 200), "个", "签约项目", "")
            d.w("、")
            val = Decimal(r.randint(10, 900))
            wr.amount(val * 10 ** 8, "contract_signed", unit="亿元", before=E["signed_total"])
            d.w(E["growth_each"])
            wr.pct(q(Decimal(str(r.uniform(1, 40))), 1), "growth_yoy")
            d.w("、")
            wr.pct(q(Decimal(str(r.uniform(1, 40))), 1), "growth_yoy")
            d.w(E["drove"])
            wr.count(r.randint(2, 12), "家", "企业", "")
            d.w(E["settled"])
            v2 = r.random()
            inv = Decimal(r.randint(5, 80))
            if v2 < 0.5:
                wr.amount(inv * 10 ** 8, "investment", unit="亿元", before=E["investment"],
                          qual=("以上", "post", "at_least"), space=False)
            else:
                wr.amount(inv * 10 ** 8, "investment", unit="亿元", before=E["investment"], space=False)
            d.w("。")
            self.end_line()

    def effects(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        self.sub(r.choice(T["heading"]))
        self.line_start()
        name = r.choice(GROWTH.get(self.type, GROWTH_GENERIC))
        wr.pct(q(Decimal(str(r.uniform(0.5, 25))), 1), "growth_yoy", before=name)
        d.w("，")
        rate_name = r.choice(OTHER_RATES)
        d.w(T["rate_up"].format(name=rate_name))
        d.w(self.st.num(Decimal(str(round(r.uniform(0.1, 5), 1))), 1, sep=False) + T["points"])
        d.w("。")
        if r.random() < 0.4:
            d.w(T["full_year"])
            wr.pct(q(Decimal(str(r.uniform(100, 160))), 0), "completion_rate", before=T["target_completion"])
            d.w(T["above_target"])
        if r.random() < 0.3:
            d.w(T["funds_received"])
            v = Decimal(str(round(r.uniform(20, 2000), 2)))
            text = self.st.num(v, 2, sep=False) + "万"
            d.fact("amounts", text, value_yuan=ystr(v * 10000), qualifier="exact", role="funds_received")
            d.w("，")
            wr.pct(Decimal(100), "other", before=T["funds_rate"])
            d.w("。")
        self.end_line()
        # satisfaction
        self.sub(r.choice(T["satisfaction_heading"]))
        self.line_start()
        if r.random() < 0.65:
            n = r.randint(100, 900)
            k = r.randint(int(n * 0.85), n)
            s = r.randint(int(k * 0.85), k)
            d.w(T["survey_lead"].format(me=self.me))
            wr.count(n, "份", "满意度调查问卷", "", before=T["questionnaires"])
            d.w("，")
            wr.count(k, "份", "有效问卷", "", before=T["valid"])
            d.w(T["satisfied"])
            wr.count(s, "份", "满意问卷", "")
            d.w("，")
            wr.pct(q(Decimal(s) / Decimal(k) * 100, 2), "satisfaction", before=r.choice(T["satisfaction"]))
            d.w("。")
        else:
            t = Decimal(r.choice([85, 90, 95]))
            wr.pct(t, "satisfaction", before=T["target"],
                   qual=r.choice([("≥", "pre", "at_least"), ("不低于", "pre", "at_least")]))
            d.w(T["actual"])
            a = q(Decimal(str(r.uniform(float(t) + 0.2, 99.5))), 1)
            wr.pct(a, "satisfaction", before=T["actual_rate"])
            d.w("，")
            if r.random() < 0.5:
                d.w(T["above_by"] + self.st.num(a - t, 1, sep=False) + T["points"] + "。")
            else:
                d.w(T["vs_last_year_up"] + self.st.num(Decimal(str(round(r.uniform(0.2, 6), 1))), 1, sep=False)
                    + T["points"] + "。")
        self.end_line()

    # ---- self-evaluation work, scores, grade
