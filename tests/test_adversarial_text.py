"""Hostile text shapes stay linear: a long run of one Han character (jieba's HMM is quadratic in a
block), heading-dense text, long runs of spaces before a line's end, digits, table bars.

Nothing is timed (CI machines are shared and noisy): each test counts the work of the same shape at
n and 4n characters — Python lines executed and C functions called, a figure that is the same on
every run — and checks the ratio stays under 6 (linear ~4, quadratic ~16). What the count cannot
see is work inside one C call (a regex backtracking within one match); those shapes are kept by
the rules' own examples and by scripts/bench_scale.py, which times them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jieba
import pytest

from extract import nlp
from extract.pipeline import extract_text
from extract.structure import analyze

ROOT = Path(__file__).resolve().parent.parent


def work(fn, *args) -> int:
    """Python lines executed plus C functions called while fn(*args) runs: a count of work that does not
    depend on the machine or its load."""
    n = 0

    def line(frame, event, arg):
        nonlocal n
        n += 1
        return line

    def c_call(frame, event, arg):
        nonlocal n
        if event == "c_call":
            n += 1

    trace, profile = sys.gettrace(), sys.getprofile()
    sys.settrace(line)
    sys.setprofile(c_call)
    try:
        fn(*args)
    finally:
        sys.settrace(trace)
        sys.setprofile(profile)
    return n


def _assert_linear(fn, shape, n):
    fn(shape(n // 4))  # warm-up (dictionary, compiled patterns, caches)
    small, large = work(fn, shape(n)), work(fn, shape(4 * n))
    ratio = large / max(small, 1)
    assert ratio < 6, f"4x the text took {ratio:.1f}x the work ({small} -> {large} steps)"


def test_the_work_count_sees_a_quadratic_loop():
    def quadratic(text):
        return sum(1 for i in range(len(text)) for j in range(i) if text[j] == text[i])

    def linear(text):
        return sum(1 for ch in text if ch == "的")

    with pytest.raises(AssertionError, match="the work"):
        _assert_linear(quadratic, lambda n: "的" * n, 200)
    _assert_linear(linear, lambda n: "的" * n, 200)


def _segment(text):
    words = nlp.segment(nlp.tokenizer(), text)
    assert "".join(words) == text


def _doc(text):
    doc = nlp.pipeline()(text)
    assert len(doc.text) == len(text)


SEGMENT_SHAPES = {
    "one_han_char": lambda n: "的" * n,
    "han_then_bars": lambda n: "的" * (n // 2) + "|" * (n // 2),
    "digits": lambda n: "1" * n,
    "cn_heading_marks": lambda n: "一、" * (n // 2),
    "table_bars": lambda n: "|" * n,
}


@pytest.mark.parametrize("shape", SEGMENT_SHAPES)
def test_segmentation_is_linear(shape):
    _assert_linear(_segment if shape.startswith(("one", "han")) else _doc, SEGMENT_SHAPES[shape], 25_000)


STRUCTURE_SHAPES = {
    "heading_lines": lambda n: "一、项目概况\n" * (n // 7),
    "nested_heading_lines": lambda n: "（一）项目概况\n1.资金安排\n" * (n // 15),
    "label_row_spaces": lambda n: "名称" + " " * n + "：x",
    "newlines": lambda n: "\n" * n,
    "title_then_spaces": lambda n: "（x）" + " " * n + "z",          # title_cuts
    "heading_digit_run": lambda n: "一、" + "1" * n + "年",            # heading_sentence
}


@pytest.mark.parametrize("shape", STRUCTURE_SHAPES)
def test_structure_is_linear(shape):
    _assert_linear(analyze, STRUCTURE_SHAPES[shape], 50_000)


EXTRACTION_SHAPES = {
    "bracketed_cells": lambda n: "指标名称|分值\n" + "（一）" * (n // 3),   # tables.stream.clean
    # the table readers of issue 18: a form on one line, bar lines, glued lines, a money table one cell
    # per line, a line of spaces ending in a bar
    "one_line_table": lambda n: "一级指标 二级指标 三级指标 分值 得分 " + "数量指标 培训人次 10 9 " * (n // 17),
    "bar_lines": lambda n: "三级指标 |\n分值 |\n得分 |\n||||\n" + "培训人次 |\n10 |\n9 |\n||||\n" * (n // 21),
    "glued_lines": lambda n: "评价指标指标名称指标说明目标值分值备注\n" + "培训人次达到目标值96%10\n" * (n // 16),
    "one_cell_money": lambda n: "经费控制情况(万元)\n2022年决算数\n2023年预算数\n" + "三公经费\n3.26\n2.80\n" * (n // 15),
    "spaces_then_bar": lambda n: " " * n + "|",
    # every amount of a report looked up among the indicator targets (figures._candidates)
    "money_targets": lambda n: "一级指标|二级指标|三级指标|年度指标值|实际完成值|分值|得分\n"
                               + "产出指标|数量指标|补助资金|≥100万元|120万元|10|9\n" * (n // 60)
                               + "本年支出12万元，用于培训。\n" * (n // 26),
}


@pytest.mark.parametrize("shape", ["one_han_char", "heading_lines", *EXTRACTION_SHAPES])
def test_extraction_is_linear(shape):
    make = {**SEGMENT_SHAPES, **STRUCTURE_SHAPES, **EXTRACTION_SHAPES}[shape]
    _assert_linear(extract_text, make, 20_000)


def test_spaced_thousands_normalize_linearly():
    from extract.normalize import normalize

    _assert_linear(normalize, lambda n: "1" + " 000" * (n // 4), 40_000)


def test_heading_sections_end_at_the_next_heading_of_their_level():
    text = "一、甲\n（一）乙\n1.丙\n（二）丁\n二、戊\n"
    heads = analyze(text).headings
    ends = {h.title: text[h.start:h.end] for h in heads}
    assert ends["甲"] == "一、甲\n（一）乙\n1.丙\n（二）丁\n"
    assert ends["乙"] == "（一）乙\n1.丙\n"
    assert ends["丁"] == "（二）丁\n"
    assert ends["戊"] == "二、戊\n"
    assert [h.path for h in heads][2] == "一、甲 > （一）乙 > 1.丙"


def test_block_characters_are_jiebas():
    """nlp cuts only where jieba cuts: its block pattern must be jieba's."""
    ours = re.compile(f"[{nlp._BLOCK_CHARS}]")
    for ch in map(chr, range(0x10000)):
        assert bool(ours.fullmatch(ch)) == bool(jieba.re_han_default.fullmatch(ch)), repr(ch)


def test_segmentation_of_real_reports_is_jiebas():
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(ROOT.glob("corpora/**/*.txt"))]
    assert texts
    tk = nlp.tokenizer()
    for text in texts:
        assert nlp.segment(tk, text) == tk.lcut(text)


def test_long_blocks_tile_and_keep_words():
    tk = nlp.tokenizer()
    for text in ["中华人民共和国" * 300, "a\r\n" + "的" * 1000 + "，" + "1" * 999, "x" * 401, "预算" * 250 + "\r\n"]:
        words = nlp.segment(tk, text)
        assert "".join(words) == text
        assert all(words)
    assert set(nlp.segment(tk, "中华人民共和国" * 300)) == {"中华人民共和国"}


def test_a_text_over_spacys_default_limit_extracts():
    """spaCy's default max_length is 1,000,000 characters (E088); ours covers the reader's limit."""
    assert nlp.pipeline().max_length >= nlp.MAX_CHARS
    text = "一、项目概况\n全年支出100万元，执行率97.94%。\n" + ("\u3000" * 99 + "\n") * 15_000
    assert len(text) > 1_500_000
    report = extract_text(text)
    assert [s.title for s in report.sections] == ["项目概况"]
    assert report.amounts and report.amounts[0].text == "100万元"


@pytest.mark.parametrize("zero", [0x10D40, 0x0660, 0x0966, 0xFF10, 0x1D7CE])
def test_digits_of_any_script_are_read_as_their_values(zero):
    """Garay digits (Unicode 16: `regex` knows them, Python's Decimal does not), Arabic-Indic, Devanagari,
    full-width and mathematical digits: the seed written in each gives the seed's values, and never
    an InvalidOperation from Decimal()."""
    seed = (ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt").read_text(encoding="utf-8")
    other = seed.translate({ord(str(d)): chr(zero + d) for d in range(10)})
    want, got = extract_text(seed), extract_text(other)

    def values(report):
        return ([a.value_yuan for a in report.amounts], [p.value for p in report.percentages],
                [s.value for s in report.scores])

    assert values(got) == values(want)
    assert all(other[a.start:a.end] == a.text for a in got.amounts)
