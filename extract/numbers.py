"""The one numeral layer: Arabic, Chinese, financial-capital and mixed numerals -> Decimal.

| text             | value       |
|------------------|-------------|
| 1,234.5 / 82，225 | 1234.5 / 82225 |
| 一百二十万       | 1200000     |
| 两千万点五       | 20000000.5  |
| 两千四百五       | 2450 (the last digit takes the next lower unit) |
| 7万5千4百        | 75400       |
| 1.5亿 / 1.2万亿  | 150000000 / 1200000000000 |
| 贰拾捌 / 廿三    | 28 / 23     |
| 二〇二〇         | 2020        |
| 负五 / －１２２  | -5 / -122   |
| 万 / 点 / 二三百 | None        |

`parse_number` takes one whole numeral (spaces a PDF or OCR put inside it are ignored) and returns
its exact value, or None when the string is not one numeral or cannot be read without guessing.
It never raises for any string. Tables live in patterns/numerals.yaml; this module holds only the
algorithm.
"""

from __future__ import annotations

import decimal
import functools
from dataclasses import dataclass
from decimal import Decimal

import regex

from . import patterns

# Longer strings are not one numeral of a report; refusing them bounds the work per call.
MAX_LENGTH = 64
# A value must fit the default decimal context exactly, or later arithmetic would round it.
MAX_DIGITS = 28

_ARABIC = regex.compile(r"\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", regex.ASCII)
_FULLWIDTH = str.maketrans("０１２３４５６７８９．＋", "0123456789.+")
_POINTS = frozenset("点點.")
# Enough precision for MAX_LENGTH characters times the largest units.
_CONTEXT = decimal.Context(prec=MAX_LENGTH + 40, traps=[decimal.InvalidOperation, decimal.Overflow])


@dataclass(frozen=True)
class _Tables:
    digits: dict[str, int]
    tens: dict[str, int]
    small: dict[str, int]
    large: dict[str, int]
    minus: frozenset[str]


@functools.cache
def _tables() -> _Tables:
    data = patterns.load("numerals")
    return _Tables(data["digits"], data.get("tens") or {}, data["small_units"], data["large_units"],
                   frozenset(data.get("minus") or ()))


# A token: ("num", value) for an Arabic number or a Chinese digit, ("zero", 0) for 零/〇,
# ("small", 10/100/1000), ("large", 10^4/10^8/10^12).
Token = tuple[str, Decimal]


_PLAIN = regex.compile(r"-?\d+(?:\.\d+)?", regex.ASCII)


def parse_number(text: str) -> Decimal | None:
    """The value of a whole numeral string, or None when it is not one numeral."""
    if not isinstance(text, str) or not text or len(text) > MAX_LENGTH:
        return None
    if len(text) <= MAX_DIGITS and _PLAIN.fullmatch(text):
        return Decimal(text)   # the common case: 97.94, 602800
    return _parse(text)


@functools.lru_cache(maxsize=8192)
def _parse(text: str) -> Decimal | None:
    """parse_number beyond plain Arabic; cached, as reports repeat their numbers (Decimal is immutable)."""
    t = _tables()
    s = "".join(text.split()).translate(_FULLWIDTH)
    sign = 1
    if s and s[0] in t.minus:
        sign, s = -1, s[1:]
    elif s[:1] == "+":
        s = s[1:]
    if not s:
        return None
    try:
        with decimal.localcontext(_CONTEXT):
            value = _parse_unsigned(s, t)
    except (decimal.DecimalException, ArithmeticError):
        return None
    if value is None:
        return None
    if len(value.as_tuple().digits) > MAX_DIGITS and value != 0:
        stripped = value.normalize(_CONTEXT)
        if len(stripped.as_tuple().digits) > MAX_DIGITS:
            return None
    return -value if sign < 0 else value


def _parse_unsigned(s: str, t: _Tables) -> Decimal | None:
    tokens = _tokenize(s, t)
    if tokens is None:
        return None
    # A Chinese decimal point: 三点一四, 两千万点五, 三点五万 (the fraction may end in large units).
    for i, (kind, _) in enumerate(tokens):
        if kind == "point":
            return _with_fraction(tokens[:i], tokens[i + 1:])
    return _integer(tokens, t)


def _tokenize(s: str, t: _Tables) -> list[Token] | None:
    out: list[Token] = []
    i = 0
    while i < len(s):
        c = s[i]
        if c.isdigit() and c.isascii():
            m = _ARABIC.match(s, i)
            end = m.end()
            if end < len(s) and (s[end] in ",，" or s[end].isdigit()):
                return None  # 1,23 or 1234,567: not one Arabic number
            if out and out[-1][0] in ("num", "zero", "point"):
                return None  # a digit right after a number: 3五, 1.2.3
            out.append(("num", Decimal(m.group().replace(",", "").replace("，", ""))))
            i = end
            continue
        if c in _POINTS:
            out.append(("point", Decimal(0)))
        elif c in t.digits:
            v = t.digits[c]
            out.append(("zero", Decimal(0)) if v == 0 else ("digit", Decimal(v)))
        elif c in t.tens:
            out.append(("digit", Decimal(t.tens[c] // 10)))
            out.append(("small", Decimal(10)))
        elif c in t.small:
            out.append(("small", Decimal(t.small[c])))
        elif c in t.large:
            out.append(("large", Decimal(t.large[c])))
        else:
            return None
        i += 1
    return out


def _with_fraction(whole: list[Token], rest: list[Token]) -> Decimal | None:
    """三点一四 (whole 三, fraction digits 一四), 三点五万 (then a scale of large units)."""
    if not whole or any(k == "point" for k, _ in rest):
        return None
    if len(whole) == 1 and whole[0][0] == "num" and rest and rest[0][0] == "num":
        return None  # 1点5 in Arabic is not a form reports use
    t = _tables()
    integer = _integer(whole, t)
    if integer is None or integer != integer.to_integral_value():
        return None
    digits = []
    i = 0
    while i < len(rest) and rest[i][0] in ("digit", "zero"):
        digits.append(str(int(rest[i][1])))
        i += 1
    if not digits:
        return None
    scale = Decimal(1)
    for kind, v in rest[i:]:
        if kind != "large":
            return None
        scale *= v
    if scale != 1 and any(k in ("small", "large") for k, _ in whole):
        return None  # 一百点五万: a unit numeral with a decimal and a scale is not a form
    return (integer + Decimal("0." + "".join(digits))) * scale


def _integer(tokens: list[Token], t: _Tables) -> Decimal | None:
    if not tokens:
        return None
    kinds = [k for k, _ in tokens]
    if "small" not in kinds and "large" not in kinds:
        # 二〇二〇, 一二三: digit by digit; one Arabic number; 零
        if len(tokens) == 1:
            return tokens[0][1]
        if "num" in kinds:
            return None
        return Decimal("".join(str(int(v)) for _, v in tokens))
    if all(k in ("small", "large") for k in kinds) and kinds != ["small"]:
        return None  # 万, 百万: units with no digit
    if kinds == ["small"] and tokens[0][1] != 10:
        return None  # 百, 千 alone are not numbers; 十 is
    return _section(tokens, abbreviate_below=None)


def _section(tokens: list[Token], abbreviate_below: Decimal | None) -> Decimal | None:
    """The value of tokens, split at their largest unit (its last occurrence): left × unit + right.

    `abbreviate_below` is the unit just before these tokens when they are a lone digit right after
    it (两千四百五: 五 after 百 means 50; 一万三 means 3000)."""
    if not tokens:
        return Decimal(0)
    units = [(v, i) for i, (k, v) in enumerate(tokens) if k in ("small", "large")]
    if not units:
        if len(tokens) != 1 or tokens[0][0] == "zero":
            return None
        value = tokens[0][1]
        if abbreviate_below is not None and tokens[0][0] in ("digit", "num") and value < 10 \
                and value == value.to_integral_value() and abbreviate_below >= 100:
            return value * abbreviate_below / 10
        return value
    unit = max(v for v, _ in units)
    at = max(i for v, i in units if v == unit)
    left, right = tokens[:at], tokens[at + 1:]
    if tokens[at][0] == "small":
        if not left:
            if unit != 10 and not right:
                return None  # 百 alone
            lvalue = Decimal(1)  # 十五, 百三
        elif len(left) == 1 and left[0][0] in ("digit", "num"):
            lvalue = left[0][1]
        else:
            return None  # 二三百, 一百二百
    else:
        if not left:
            return None  # 万三
        if any(k in ("small", "large") and v >= unit for k, v in left):
            return None  # 一万二万
        lvalue = _section(left, None)
        if lvalue is None:
            return None
    zero = bool(right) and right[0][0] == "zero"
    while right and right[0][0] == "zero":
        right = right[1:]
    if zero and not right:
        return None  # 一百零
    rvalue = _section(right, None if zero else unit)
    if rvalue is None or rvalue >= unit:
        return None
    return lvalue * unit + rvalue


# What SQLite (and a double) holds exactly: integers within int64, other numbers of up to 15 significant
# digits. Facts beyond it are not extracted: no report states one, and the dataset could not keep it.
EXACT_DIGITS = 15
INT64 = 2 ** 63 - 1   # SQLite's largest integer


def storable(value: Decimal) -> bool:
    """True when `value` is kept exactly as a number by SQLite: an int64 integer, or ≤ 15 significant digits."""
    if not value.is_finite():
        return False
    if value == value.to_integral_value():
        return abs(value) <= INT64
    digits = value.as_tuple().digits
    significant = len("".join(map(str, digits)).strip("0"))
    return significant <= EXACT_DIGITS and abs(value.adjusted()) < 300


def normalize_decimal(value: Decimal) -> str:
    """A plain decimal string with no exponent and no trailing zeros: 602800, 97.94, 0, -3.2.

    Exact for any finite Decimal (no context rounding: 10^30 stays 31 digits)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        return "0"
    return text


def matches_stated(computed: Decimal, stated: Decimal) -> bool:
    """True when `stated` is `computed` rounded or truncated to the stated number of decimals
    (a rate of 97.94 for 97.9413…, 89.1 for 89.1…): how reports write a quotient."""
    exp = stated.as_tuple().exponent
    quantum = Decimal(1).scaleb(exp if isinstance(exp, int) else 0)
    try:
        return stated in (computed.quantize(quantum, decimal.ROUND_HALF_UP),
                          computed.quantize(quantum, decimal.ROUND_DOWN))
    except decimal.InvalidOperation:
        return False   # a quotient too long to round to the stated places (0.0000000001 of 10^25): no match
