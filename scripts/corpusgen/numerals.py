"""Numbers as reports write them: Chinese numerals, plain decimal strings, rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CN_DIGITS = "零一二三四五六七八九"
CAP_DIGITS = "零壹贰叁肆伍陆柒捌玖"
FW = str.maketrans("0123456789", "０１２３４５６７８９")


def _cn_section(n: int, digits: str, units: str, lead_ten: bool) -> str:
    """0 < n < 10000 in Chinese numerals."""
    out, zero = "", False
    for value, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero and out:
                out += digits[0]
            zero = False
            if value == 10 and d == 1 and not out and lead_ten:
                out += unit
            else:
                out += digits[d] + unit
        elif out:
            zero = True
    return out


def cn_int(n: int, capital: bool = False) -> str:
    """Chinese (or financial-capital) numeral for 0 <= n < 10**8."""
    digits, units = (CAP_DIGITS, "拾佰仟") if capital else (CN_DIGITS, "十百千")
    if n == 0:
        return digits[0]
    high, low = divmod(n, 10000)
    s = ""
    if high:
        s = _cn_section(high, digits, units, not capital) + "万"
        if low and low < 1000:
            s += digits[0]
    if low:
        s += _cn_section(low, digits, units, not capital and not high)
    return s


def dstr(d: Decimal) -> str:
    """A plain decimal string without exponent (trailing zeros kept as they are)."""
    return format(d, "f")


def ystr(d: Decimal) -> str:
    """An amount in yuan as a plain decimal string: no exponent, no trailing fraction zeros."""
    d = Decimal(d)
    if d == d.to_integral():
        return str(int(d))
    return format(d.normalize(), "f")


def q(d: Decimal, places: int) -> Decimal:
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
