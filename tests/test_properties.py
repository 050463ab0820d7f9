"""Property tests: numerals round-trip, and offsets survive any noise inserted into the text."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract import extract_text, parse_number

DIGITS = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """A plain Chinese numeral for 0 <= n < 10**12 (the inverse of parse_number, written simply)."""
    if n == 0:
        return "零"

    def four(x: int) -> str:
        out, zero = "", False
        for unit, div in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
            d = x // div % 10
            if d:
                if zero:
                    out += "零"
                out += DIGITS[d] + unit
                zero = False
            elif out:
                zero = True
        return out

    parts = []
    for unit, div in (("亿", 10**8), ("万", 10**4), ("", 1)):
        chunk = n // div % 10**4 if div < 10**8 else n // div
        if chunk:
            text = four(chunk)
            if parts and chunk < 1000:
                text = "零" + text
            parts.append(text + unit)
    return "".join(parts)


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_chinese_numerals_round_trip(n):
    assert parse_number(to_chinese(n)) == n


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_arabic_numerals_round_trip(d):
    assert parse_number(str(d)) == d
    assert parse_number(f"{d:,}") == d
    assert parse_number(f"{d:,}".replace(",", "，")) == d  # full-width comma as thousands separator


CAPITALS = str.maketrans("零一二三四五六七八九十百千万亿", "零壹贰叁肆伍陆柒捌玖拾佰仟万亿")
TRADITIONAL = str.maketrans("两万亿点", "兩萬億點")


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_financial_capitals_and_traditional_round_trip(n):
    assert parse_number(to_chinese(n).translate(CAPITALS)) == n
    assert parse_number(to_chinese(n).translate(TRADITIONAL)) == n


@given(st.integers(min_value=1, max_value=10**12 - 1), st.sampled_from(["负", "負", "-", "－", "−"]))
def test_a_sign_survives(n, minus):
    assert parse_number(minus + to_chinese(n)) == -n
    assert parse_number(minus + str(n)) == -n


@given(st.decimals(min_value=-10**15, max_value=10**15, places=4, allow_nan=False, allow_infinity=False))
def test_any_decimal_string_round_trips(d):
    assert parse_number(str(d)) == d


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="0123456789０１２３４５６７８９,，.．点點-－负負+零〇一二两三四五六七八九十百千万亿兆廿卅壹贰拾佰仟萬億 ")))
def test_parse_number_never_raises(text):
    value = parse_number(text)
    assert value is None or isinstance(value, Decimal)


FULLWIDTH = str.maketrans("0123456789%.", "０１２３４５６７８９％．")
NOISE = st.sampled_from(["\u3000", " ", "\u00a0", "[bookmark: _GoBack]", "\u200b", "\ufeff", "\t", "\n", "\r\n", "\r"])

SENTENCES = [
    "全年共计安排项目预算100万元，其中当年财政拨款100万元，上年结转资金60.28万元，全年支出156.99万元，执行率97.94%。",
    "共有干部28人，其中县级干部4人，科级干部12人。",
    "成功举办第26届兰洽会，签约项目100个、签约总额451亿元，分别同比增长32%、3.5%。",
    "确定绩效自评得分为98.9分，自评结果为“优”。对接企业200多家，搜集有效项目线索65条。",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SENTENCES),
    st.lists(st.tuples(st.integers(min_value=0, max_value=200), NOISE), max_size=6),
    st.booleans(),
)
def test_offsets_point_into_the_original(sentence, inserts, fullwidth):
    text = sentence.translate(FULLWIDTH) if fullwidth else sentence
    for pos, noise in sorted(inserts, reverse=True):
        pos = min(pos, len(text))
        text = text[:pos] + noise + text[pos:]
    report = extract_text(text)
    facts = [f for kind in ("amounts", "percentages", "counts", "staffing", "events", "scores")
             for f in getattr(report, kind)]
    assert facts, "noise must not hide every fact"
    for f in facts:
        assert text[f.start:f.end] == f.text
        assert f.text[0] not in " \t\n\u3000\u00a0\u200b\ufeff", f  # spans start on the fact, not the noise


@pytest.mark.parametrize("sentence", SENTENCES)
def test_fullwidth_digits_give_the_same_values(sentence):
    plain = extract_text(sentence)
    wide = extract_text(sentence.translate(FULLWIDTH))
    assert [a.value_yuan for a in plain.amounts] == [a.value_yuan for a in wide.amounts]
    assert [p.value for p in plain.percentages] == [p.value for p in wide.percentages]
    assert all(isinstance(a.value_yuan, Decimal) for a in wide.amounts)


REPORTISH = st.text(alphabet="0123456789０１２３４５６７８９,，.．%％-－−负+零〇一二两三四五六七八九十百千万亿廿壹贰拾佰仟萬億點"
                             "元圆块毛角分人个次年月日增长下降减少提高百分之点约近超过以上不低于（）()|:：，。、\n\t ¥￥人民币含至到~～—",
                    max_size=60)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(REPORTISH, st.text(max_size=40)))
def test_extract_text_never_raises_but_the_documented_error(text):
    from extract.errors import InvalidText

    try:
        report = extract_text(text)
    except InvalidText:
        assert any("\ud800" <= c <= "\udfff" for c in text)
        return
    for kind in ("amounts", "percentages", "points", "counts", "staffing", "scores"):
        for f in getattr(report, kind):
            assert text[f.start:f.end] == f.text
    report.model_dump_json()   # every value serializes (no Decimal beyond the context)
