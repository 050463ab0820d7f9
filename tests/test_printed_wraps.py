"""A paragraph wrapped over printed lines is read back as one line (extract/readers/wrap.py), and
nothing else is: rows of a table, lines of one length short of the margin, a new paragraph.

Lines are placed as a page of A4 with 2.5 cm margins and 10.5 pt type places them: the left edge at
71 pt, the right at 524 pt, a CJK character 10.5 pt wide, a digit or Latin letter 5.25 pt.
"""

from __future__ import annotations

import pytest

from extract import patterns
from extract.readers.wrap import Line, first_word_end, join_wraps

PAGE = 595.0
LEFT, RIGHT, EM = 71.0, 524.0, 10.5


def width(text: str) -> float:
    return sum(EM if ord(ch) > 0x2e80 else EM / 2 for ch in text)


def line(text: str, n: int, x0: float = LEFT, pitch: float = 1.5) -> Line:
    """The n-th line of a page, its ink from x0 on."""
    first = width(text[:first_word_end(text) + 1])
    return Line(text, x0, x0 + width(text), 100.0 + n * pitch * EM, EM, first)


def printed(text: str) -> list[str]:
    """`text` broken as office software breaks it: at a space, or between two CJK characters (the
    space a line broke at is dropped)."""
    lines, cur = [], ""
    for ch in text:
        if LEFT + width(cur + ch) > RIGHT and ch != " ":
            cut = len(cur)
            if not (ord(ch) > 0x2e80 and ord(cur[-1]) > 0x2e80):
                cut = cur.rfind(" ")   # digits and letters break only at a space
            lines.append(cur[:cut])
            cur = cur[cut:].lstrip(" ")
        cur += ch
    return lines + [cur]


FORM = ("项目支出绩效自评表 (2023年度) 项目名称 乡村道路养护项目 主管部门 青松县交通运输局 实施单位 青松县公路养护中心 "
        "项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 年度资金总额: 120 118.5 116.2 10 98.06% 9.8 "
        "其中:本年财政拨款 120 118.5 116.2 上年结转资金 其他资金 绩效指标 一级指标 二级指标 三级指标 年度指标值 实际完成值 "
        "分值 得分 产出指标 数量指标 养护里程 ≥320公里 326公里 20 20 质量指标 路面完好率 ≥85% 88% 15 15 时效指标 "
        "完成及时率 100% 100% 10 10 成本指标 每公里养护成本 ≤0.4万元 0.36万元 5 5 效益指标 社会效益指标 群众出行条件 "
        "明显改善 明显改善 15 14 满意度指标 服务对象满意度指标 沿线群众满意度 ≥90% 93% 10 10 总分 100 97.8")


def test_a_one_line_form_printed_over_many_lines_is_one_line_again():
    lines = printed(FORM)
    assert len(lines) >= 5
    joined = join_wraps([line(t, i) for i, t in enumerate(lines)], PAGE)
    assert len(joined) == 1
    text = joined[0]
    # every number of the form comes back whole and apart from its neighbours
    assert "\n" not in text or text.count("\n") <= 1
    for number in ("118.5", "116.2", "98.06%", "326公里", "0.36万元", "97.8"):
        assert f" {number}" in text
    assert text.replace(" ", "").replace("\n", "") == FORM.replace(" ", "")


def test_two_numbers_parted_at_a_line_end_are_never_glued():
    head = "分值 得分 养护里程 路面完好率 完成及时率 每公里养护成本 群众出行条件 满意度 40"
    tail = "10 完成 养护里程 路面完好率 完成及时率 每公里养护成本 群众出行条件 满意度 分值"

    def read(room: float) -> str:
        lines = [Line(head, LEFT, RIGHT - room, 100.0, EM, EM),
                 Line(tail, LEFT, RIGHT - 0.5 * EM, 100 + 1.5 * EM, EM, EM),
                 Line("完成", LEFT, LEFT + 2 * EM, 100 + 3 * EM, EM, EM)]
        return "\n".join(join_wraps(lines, PAGE))

    # room for another digit: the line did not break inside a number, so a space was there
    assert "40 10 完成" in read(room=1.0 * EM)
    # too little room to tell whether `4010` broke inside: the break stays
    assert "40\n10 完成" in read(room=0.2 * EM)


def test_prose_without_spaces_joins_a_number_broken_inside():
    # a writer that puts no spaces (CJK prose) breaks lines anywhere, inside 100 too
    texts = ["本项目年初预算" * 6 + "为1", "00万元，全年支出" + "九十八万元整，" * 5, "执行率为98%。"]
    lines = [Line(texts[0], LEFT, RIGHT - 1, 100.0, EM, EM),
             Line(texts[1], LEFT, RIGHT - 3, 100 + 1.5 * EM, EM, EM),
             line(texts[2], 2)]
    assert join_wraps(lines, PAGE) == ["".join(texts)]


def test_lines_of_one_length_short_of_the_margin_are_separate_paragraphs():
    rows = [f"第{i}行 项目资金 {i * 3}.5万元,执行率 9{i % 10}%" for i in range(10, 20)]
    assert join_wraps([line(t, i) for i, t in enumerate(rows)], PAGE) == rows


def test_rows_of_a_table_aligned_with_spaces_are_not_joined():
    rows = ["项目名称    年初预算数    全年预算数    全年执行数    执行率    得分" + "  备注说明" * 6,
            "办公经费    120.00    118.50    116.20    98.06%    9.8" + "  无" * 30,
            "培训经费    40.00    40.00    39.00    97.50%    9.7" + "  无" * 30]
    assert join_wraps([Line(t, LEFT, RIGHT, 100 + i * 16.0, EM, EM) for i, t in enumerate(rows)], PAGE) == rows


def test_two_full_lines_are_not_enough_and_an_indented_line_starts_a_paragraph():
    a = Line("一" * 43, LEFT, RIGHT, 100.0, EM, EM)
    b = Line("二" * 43, LEFT, RIGHT, 100 + 1.5 * EM, EM, EM)
    assert join_wraps([a, b], PAGE) == [a.text, b.text]
    c = Line("三" * 41, LEFT + 2 * EM, RIGHT, 100 + 3 * EM, EM, EM)   # first-line indent
    d = Line("四" * 43, LEFT, RIGHT, 100 + 4.5 * EM, EM, EM)
    e = Line("五" * 10, LEFT, LEFT + 10 * EM, 100 + 6 * EM, EM, EM)
    assert join_wraps([a, b, c, d, e], PAGE) == [a.text, b.text, c.text + d.text + e.text]


def test_a_blank_line_or_a_table_row_ends_the_paragraph():
    full = [Line(ch * 43, LEFT, RIGHT, 100 + i * 1.5 * EM, EM, EM) for i, ch in enumerate("一二三")]
    row = Line("分值|得分", 0, 0, 200, 0, 0)
    assert join_wraps(full + [None] + full, PAGE) == ["一" * 43 + "二" * 43 + "三" * 43, None] + \
        ["一" * 43 + "二" * 43 + "三" * 43]
    assert join_wraps(full[:2] + [row] + full[2:], PAGE) == [full[0].text, full[1].text, row.text, full[2].text]


@pytest.mark.parametrize("line, run", patterns.load("readers")["line_breaking"]["examples"])
def test_the_first_word_follows_line_breaking_rules(line, run):
    # patterns/readers.yaml line_breaking: no line starts with a comma or 、, ( stays with 30, a
    # break may come before 分 and between any two CJK characters
    assert line[:first_word_end(line) + 1] == run


def test_two_numbers_at_a_break_in_text_of_few_spaces_are_not_glued():
    a = "甲" * 39 + "得分 40"
    lines = [Line(a, LEFT, RIGHT - 0.64 * EM, 100.0, EM, EM),
             Line("10分" + "乙" * 40, LEFT, RIGHT - 0.5 * EM, 100 + 1.5 * EM, EM, EM),
             Line("丙" * 43, LEFT, RIGHT, 100 + 3 * EM, EM, EM)]
    joined = "\n".join(join_wraps(lines, PAGE))
    # few spaces: no telling whether 40|10 broke at a space or inside 4010; the break stays
    assert "得分 40\n10分" in joined and "4010" not in joined
