"""The one numeral layer: Arabic, Chinese, financial-capital and mixed numerals -> Decimal.

| text          | value       |
|---------------|-------------|
| 1,234.5       | 1234.5      |
| 一百二十万    | 1200000     |
| 两千万点五    | 20000000.5  |
| 1.5亿         | 150000000   |
| 贰拾捌        | 28          |
| 二〇二〇      | 2020        |
| 万 / 点 / ""  | None        |

Tables live in patterns/numerals.yaml; this module holds only the algorithm.
"""

from __future__ import annotations

import functools
from decimal import Decimal

import regex

from . import patterns


@functools.cache
def _tables() -> tuple[dict[str, int], dict[str, int], dict[str, int], regex.Pattern]:
    data = patterns.load("numerals")
    arabic = regex.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
    return data["digits"], data["small_units"], data["large_units"], arabic


_FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")


def parse_number(text: str) -> Decimal | None:
    """The value of a whole numeral string, or None when it is not one numeral."""
    if not text:
        return None
    digits, small, large, arabic = _tables()
    s = text.strip().translate(_FULLWIDTH)
    # Split off an Arabic prefix (1.5亿, 3千万, 1,234.5) and read the rest as Chinese units.
    m = arabic.match(s)
    tokens: list[tuple[str, Decimal]] = []
    i = 0
    if m:
        tokens.append(("num", Decimal(m.group().replace(",", ""))))
        i = m.end()
        if i < len(s) and s[i] in "0123456789.,":
            return None
    fraction = ""
    scale_after = Decimal(1)
    while i < len(s):
        c = s[i]
        if c == "点" and tokens:
            fraction = s[i + 1 :]
            if fraction and fraction[-1] in large:   # 三点五万 = 3.5 × 万
                scale_after = Decimal(large[fraction[-1]])
                fraction = fraction[:-1]
            if not fraction or any(ch not in digits for ch in fraction):
                return None
            fraction = "".join(str(digits[ch]) for ch in fraction)
            break
        if c in digits:
            tokens.append(("num", Decimal(digits[c])))
        elif c in small:
            tokens.append(("small", Decimal(small[c])))
        elif c in large:
            tokens.append(("large", Decimal(large[c])))
        else:
            return None
        i += 1
    value = _combine(tokens, s)
    if value is None:
        return None
    if fraction:
        value += Decimal("0." + fraction)
    return value * scale_after


def _combine(tokens: list[tuple[str, Decimal]], s: str) -> Decimal | None:
    if not tokens:
        return None
    kinds = [k for k, _ in tokens]
    if "num" not in kinds and not (kinds[0] == "small" and tokens[0][1] == 10):
        return None  # 万, 百 alone are not numbers; 十 is
    if all(k == "num" for k in kinds):
        if len(tokens) == 1:
            return tokens[0][1]
        # 二〇二〇: digit by digit (only single Chinese digits qualify)
        if any(v >= 10 or v != v.to_integral_value() for _, v in tokens):
            return None
        return Decimal("".join(str(int(v)) for _, v in tokens))
    total = Decimal(0)
    section = Decimal(0)
    number: Decimal | None = None
    for kind, v in tokens:
        if kind == "num":
            if number is not None and number != 0:
                return None  # two digits in a row inside a unit numeral: 二三百 is not parsed
            number = v
        elif kind == "small":
            section += (number if number is not None else Decimal(1)) * v
            number = None
        else:  # large
            if v == 100000000:
                total = (total + section + (number or 0)) * v
                section = Decimal(0)
            else:
                section = (section + (number or 0)) * v
            number = None
    return total + section + (number or 0)


def normalize_decimal(value: Decimal) -> str:
    """A plain decimal string with no exponent and no trailing zeros: 602800, 97.94, 0."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    text = format(value.normalize(), "f")
    return text
