"""Money: 元/千元/万元/亿元, bare 万/亿 in money context, qualifiers, ranges, per-unit rates."""

from __future__ import annotations

import functools
from decimal import Decimal

import regex

from .. import patterns
from ..context import Candidate, Context
from ..numbers import parse_number
from . import group, has_cue, number_of, qualifier_of, run_rules, strip_spaces

_SCALE_TAIL = regex.compile(r"[十百千万亿]+$")
_LARGE_TAIL = regex.compile(r"[万亿萬億]+$")
_PER_PREFIX = regex.compile(r"^年|[每均]")
@functools.cache
def _scales() -> dict[str, Decimal]:
    """十 百 千 万 亿 … -> their values, from the numeral tables in patterns/numerals.yaml."""
    data = patterns.load("numerals")
    return {c: Decimal(v) for c, v in {**data["small_units"], **data["large_units"]}.items()}


@functools.cache
def _ceiling() -> Decimal:
    return Decimal(patterns.load("money")["ceiling"])


@functools.cache
def _sub_digits() -> dict[str, int]:
    """角/分 digits: Arabic and the Chinese digits of patterns/numerals.yaml."""
    return {**{str(d): d for d in range(10)}, **patterns.load("numerals")["digits"]}


@functools.cache
def _money_cues() -> dict[str, str]:
    return {w: "money" for w in patterns.load("money")["context_cues"]}


def _in_money_context(ctx: Context, m: regex.Match) -> bool:
    return has_cue(ctx, m.start(), _money_cues()) is not None


def _scale(chars: str | None) -> Decimal:
    value = Decimal(1)
    scales = _scales()
    for c in chars or "":
        value *= scales[c]
    return value


def _trailing_scale(num: str) -> str:
    """The 万/亿 (and 千万 …) written at the end of a numeral: 60.28万 -> 万, 一百万 -> 万, 五 -> ''.

    For a Chinese numeral only the large units count (一百 ends in a digit's unit, not a scale)."""
    num = num.lstrip("-−﹣负負")
    if not num:
        return ""
    if num[0].isdigit():
        m = _SCALE_TAIL.search(num)
    else:
        m = _LARGE_TAIL.search(num)
        if m and m.start() == 0:
            return ""
    return m.group() if m else ""


def build(ctx: Context, rule: dict, m: regex.Match) -> dict | None:
    value = number_of(m)
    if value is None:
        return None
    num = strip_spaces(m.group("num"))
    scale_text = group(m, "scale") or ""
    unit_text = strip_spaces(group(m, "unit") or "")
    # 100余万元: 万 after 余; 3-5千万元: 千万 inside the unit group
    multiplier = _scale(scale_text) * _scale(unit_text[:-1] if unit_text.endswith(("元", "圆")) else "")
    value *= multiplier
    if unit_text in ("毛", "角"):   # 五毛钱, 三角钱
        value /= 10
    value += _cents(m, value < 0)
    if abs(value) >= _ceiling():
        return None  # no report states such a sum: digits run together, not an amount
    data = {
        "value_yuan": value,
        # the unit as written: scale carried by the numeral + scale after 多/余 + 元 (or ¥, 块 …)
        "unit": _trailing_scale(num) + scale_text + (unit_text or group(m, "cur") or "元"),
        "qualifier": qualifier_of(m),
        "per": _per(m),
    }
    low_text = group(m, "low")
    if low_text is not None:
        low = parse_number(strip_spaces(low_text))
        if low is None or low < 0:
            return None
        low_unit = strip_spaces(group(m, "lowunit") or "")
        if low_unit:                 # 1万元--5万元, 3千元-1万元: the low end has its own unit
            low *= _scale(low_unit[:-1])
        else:
            tail = _trailing_scale(num)
            if tail and not _trailing_scale(strip_spaces(low_text)) and (
                    low * _scale(tail) < value / multiplier):
                # 3-5万元, 一百二十到一百五十万元, 一千到两千万元: the low end takes the high end's 万 —
                # unless that would not make it the lower (8000-1万元, 三千到一万元: the low end is yuan)
                low *= _scale(tail)
            low *= multiplier
        if low >= value:
            return None  # not an increasing range: 2019-2020元 is no amount of money
        data.update(value_yuan=low, low_yuan=low, high_yuan=value)
    return data


def _cents(m: regex.Match, negative: bool) -> Decimal:
    """角 and 分 written after 元 (一角七分 = 0.17); negative for a negative amount."""
    cents = Decimal(0)
    for name, weight in (("jiao", Decimal("0.1")), ("fen", Decimal("0.01"))):
        digit = group(m, name)
        if digit:
            cents += _sub_digits()[digit] * weight
    return -cents if negative else cents


def _per(m: regex.Match) -> str | None:
    """What a rate is per: 人/月 (1500元/人/月), 生 (生均800元), 亩 (每亩1200元)."""
    post = group(m, "per")
    if post:
        return post.strip("/")
    pre = group(m, "perpre")
    if pre:
        return _PER_PREFIX.sub("", pre) or pre
    return None


def recognize(ctx: Context) -> list[Candidate]:
    return run_rules(ctx, "money", "amounts", build, {"money": _in_money_context})
