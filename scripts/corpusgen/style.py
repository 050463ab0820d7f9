"""The surface style of one report and the document its text and gold facts are composed in."""

from __future__ import annotations

import math
import random
from decimal import ROUND_HALF_UP, Decimal

from .numerals import FW, q

FACT_TYPES = ("amounts", "percentages", "counts", "staffing", "events", "scores")


class Style:
    """Surface choices of one report: punctuation, digits, PDF spaces, money unit."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        r = rng.random()
        self.source = "web" if r < 0.30 else "pdf" if r < 0.45 else "word" if r < 0.60 else "plain"
        self.ascii = rng.random() < (0.5 if self.source == "pdf" else 0.12)
        self.fw_rate = {"word": rng.choice([0.0, 0.4, 1.0]), "plain": rng.choice([0.0, 0.0, 0.0, 0.15])}.get(
            self.source, 0.0)
        self.space_rate = 0.7 if self.source == "pdf" else 0.0
        self.money = rng.choices(["wan2", "wan4", "yuan"], [0.7, 0.15, 0.15])[0]
        self.sep = rng.random() < 0.35            # thousands separators
        self.indent = "　　" if self.source == "word" and rng.random() < 0.6 else ""
        self.bookmark = self.source == "word" and rng.random() < 0.5
        table = {}
        if self.ascii:
            table = str.maketrans({"，": ",", "：": ":", "；": ";", "（": "(", "）": ")"})
        self.table = table

    # -- numbers
    def digits(self, s: str, allow_fw: bool = True) -> str:
        if allow_fw and self.fw_rate and self.rng.random() < self.fw_rate:
            s = s.translate(FW)
            if self.rng.random() < 0.5:
                s = s.replace(".", "．")
        return s

    def num(self, d: Decimal, places: int, sep: bool | None = None, allow_fw: bool = True) -> str:
        d = q(d, places) if places else d.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        use_sep = self.sep if sep is None else sep
        s = f"{d:,.{places}f}" if use_sep else f"{d:.{places}f}"
        return self.digits(s, allow_fw)

    def sp(self) -> str:
        """A PDF space between a number and its unit, or nothing."""
        if self.space_rate and self.rng.random() < self.space_rate:
            return " "
        if self.source == "word" and self.rng.random() < 0.05:
            return "\u3000"
        return ""

    def pre(self) -> str:
        """A PDF space before a number (outside the fact)."""
        return " " if self.space_rate and self.rng.random() < self.space_rate * 0.7 else ""

    def pct_sign(self, s: str) -> str:
        return "％" if any("０" <= ch <= "９" for ch in s) or (self.fw_rate and self.rng.random() < self.fw_rate * 0.5) else "%"

    def c(self, s: str) -> str:
        return s.translate(self.table) if self.table else s


class Doc:
    """Text composed piece by piece with its gold facts."""

    def __init__(self, st: Style):
        self.st = st
        self.parts: list[str] = []
        self.pos = 0
        self.facts: dict[str, list[dict]] = {t: [] for t in FACT_TYPES}

    def w(self, *pieces: str) -> None:
        for s in pieces:
            s = self.st.c(s)
            self.parts.append(s)
            self.pos += len(s)

    def raw(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)

    def fact(self, typ: str, text: str, **attrs) -> None:
        text = self.st.c(text)
        start = self.pos
        self.raw(text)
        self.facts[typ].append({"text": text, "start": start, "end": self.pos, **attrs})

    def nl(self) -> None:
        self.raw("\n")

    def para(self) -> None:
        """Start a paragraph (after a newline)."""
        if self.st.bookmark and self.st.rng.random() < 0.04:
            self.raw("[bookmark: _GoBack]")
        if self.st.indent:
            self.raw(self.st.indent)

    def text(self) -> str:
        return "".join(self.parts)


def money_value(rng: random.Random, st: Style, lo_wan: float, hi_wan: float) -> Decimal:
    """A random amount in yuan, log-uniform between lo and hi 万元, at the style's granularity."""
    wan = math.exp(rng.uniform(math.log(lo_wan), math.log(hi_wan)))
    yuan = int(wan * 10000)
    if st.money == "wan2":
        yuan = yuan // 100 * 100
    return Decimal(max(yuan, 100))


def round_to(value: Decimal, st: Style) -> Decimal:
    v = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if st.money == "wan2":
        v = (v / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 100
    return v
