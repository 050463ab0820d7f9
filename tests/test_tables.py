"""The tables stage and the readers built on it: cell streams from every flattening, indicator rows,
the funding block, OCR-glued tables; every span grounded in the source.

The texts here are written for these tests, in the layouts real pages use (see FIELD-NOTES.md);
documents shaped like real archives are read from ../shared/forms when it is there.
"""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from extract import extract_text
from extract.context import Context
from extract.models import FACT_TYPES
from extract.nlp import pipeline
from extract.normalize import normalize
from extract.recognizers.indicators import met
from extract.tables import split_points
from extract.structure import analyze
from extract.tables import column_of, stream

FORMS = Path(__file__).resolve().parents[2] / "shared" / "forms"


def _ctx(text: str) -> Context:
    norm = normalize(text)
    return Context.build(norm, pipeline()(norm.text), analyze(norm.text))


def _cells(text: str) -> list[str]:
    return [c.text for c in stream(_ctx(text))]


@pytest.mark.parametrize("text,cells", [
    ("| 质量指标 | 覆盖率 | ≧ | 100 | % | 95% |", ["质量指标", "覆盖率", "≧", "100", "%", "95%"]),
    ("一级指标 |\n二级指标 |\n|\n得分 |", ["一级指标", "二级指标", "得分"]),
    ("投入\n\n20\n\n16.42", ["投入", "20", "16.42"]),
    ("年度资金总额 184.41 236.22 199.87 10 84.61 8.46",
     ["年度资金总额", "184.41", "236.22", "199.87", "10", "84.61", "8.46"]),
    ("二级指标 三级指标 指标值 完成值", ["二级指标", "三级指标", "指标值", "完成值"]),
    ("数量指标 指标1.药品抽检品种 ≥4 6\n时效指标 任务完成时限 2022年底 2022年底",
     ["数量指标", "指标1.药品抽检品种", "≥4", "6", "时效指标", "任务完成时限", "2022年底", "2022年底"]),
], ids=["pipe-row", "cell-per-line", "blank-separated", "space-aligned", "space-header", "space-words-row"])
def test_stream_reads_every_flattening(text, cells):
    assert _cells(text) == cells


def test_stream_keeps_prose_whole():
    line = "本单位严格执行预算管理制度，年初预算 612.35 万元，全年执行率达到较高水平，资金使用规范有效。"
    assert _cells(line) == [normalize(line).text]


def test_stream_counts_empty_cells():
    cells = stream(_ctx("6 |\n|\n|\n|\n特困供养对象 |"))
    assert [(c.text, c.gap) for c in cells] == [("6", 0), ("特困供养对象", 3)]


@pytest.mark.parametrize("header,column", [
    ("全年实际值(B)", "actual"), ("年度指标值", "target"), ("分值", "weight"), ("得分", "score"),
    ("偏差原因分析及改进措施", "deviation"), ("未完成原因及拟采取的改进措施", "deviation"),
    ("三级指标", "name"), ("度量单位", "unit"), ("指标性质", "op"), ("实际完成值 (B)", "actual"),
    ("项目名称", None), ("资金总额", None),
])
def test_column_of_header_words(header, column):
    assert column_of(header) == column


@pytest.mark.parametrize("digits,cap,expected", [
    ("22", 6, (2, 2)), ("109", 40, (10, 9)), ("32.5", 8, (3, Decimal("2.5"))), ("1010", 40, (10, 10)),
    ("2", 6, None), ("23", 6, None),
])
def test_split_points(digits, cap, expected):
    got = split_points(digits, Decimal(cap))
    assert (got[:2] if got else None) == expected


def _v(op, value, unit):
    return {"op": op, "value": None if value is None else Decimal(value), "unit": unit}


@pytest.mark.parametrize("target,actual,level2,expected", [
    (_v("≥", "90", "%"), _v(None, "96", "%"), None, True),
    (_v("≤", "4800", "元/户"), _v(None, "5160", "元/户"), None, False),
    (_v(None, "100", "%"), _v(None, "95", "%"), None, None),      # no sign: is less better? not said
    (_v(None, "100", "%"), _v(None, "100", "%"), None, True),      # ... but the target itself is met
    (_v("≤", "500", "万元"), _v(None, "480", "万元"), "成本指标", True),
    (_v(None, "5", "%"), _v(None, "2", "%"), None, None),
    (_v(None, None, None), _v(None, "1", "项"), None, None),
    (_v("≥", "90", "%"), _v(None, "96", "人"), None, None),
    (_v("≥", "3", "个"), _v(None, "2", "个月"), None, None),      # units must be equal, not alike
])
def test_met(target, actual, level2, expected):
    assert met(target, actual, level2) is expected


PIPE_TABLE = """项目支出绩效自评表
| 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施 |
| 产出指标 | 数量指标 | 培训人次 | ≥500人次 | 620人次 | 10 | 10 | |
| | 质量指标 | 培训合格率 | ≥95% | 98% | 10 | 10 | |
| 满意度指标 | 服务对象满意度指标 | 学员满意度 | ≥90% | 85% | 10 | 8 | 部分学员反映课时偏短 |
| 总分 | 100 | 98 | 优 |
"""

CELL_PER_LINE = """一级指标 |
二级指标 |
三级指标 |
分值 |
年度指标值 |
全年实际值 |
得分 |
未完成原因及拟采取的改进措施 |
|
产出指标(50分) |
数量指标 |
农村低保对象人数 |
6 |
>=1846人 |
1853人 |
6 |
|
|
|
|
特困供养人员人数 |
5 |
>=391人 |
386人 |
4 |
动态调整退出12人 |
|
|
|
效益指标(30分) |
社会效益指标 |
受益人数 |
30 |
>=90人 |
96人 |
30 |
"""


def _indicators(text):
    return json.loads(extract_text(text).model_dump_json())["indicators"]


def test_pipe_table_rows_become_indicators():
    rows = _indicators(PIPE_TABLE)
    assert [(r["name"], r["level1"], r["level2"], r["weight"], r["score"]) for r in rows] == [
        ("培训人次", "产出指标", "数量指标", "10", "10"),
        ("培训合格率", "产出指标", "质量指标", "10", "10"),
        ("学员满意度", "满意度指标", "服务对象满意度指标", "10", "8"),
    ]
    first, last = rows[0], rows[2]
    assert first["target"]["op"] == "≥" and first["target"]["value"] == "500" and first["target"]["unit"] == "人次"
    assert first["actual"]["value"] == "620" and first["met"] is True
    assert last["met"] is False and last["deviation"] == "部分学员反映课时偏短"
    scores = json.loads(extract_text(PIPE_TABLE).model_dump_json())["scores"]
    assert ("100", "max") in {(s["value"], s["kind"]) for s in scores}
    assert ("98", "total") in {(s["value"], s["kind"]) for s in scores}


def test_cell_per_line_rows_with_empty_cells_and_deviation():
    rows = _indicators(CELL_PER_LINE)
    assert [(r["name"], r["weight"], r["score"], r["deviation"]) for r in rows] == [
        ("农村低保对象人数", "6", "6", None),
        ("特困供养人员人数", "5", "4", "动态调整退出12人"),
        ("受益人数", "30", "30", None),
    ]
    assert rows[2]["level1"] == "效益指标" and rows[2]["level2"] == "社会效益指标"
    weights = [s for s in json.loads(extract_text(CELL_PER_LINE).model_dump_json())["scores"]
               if s["rule"] == "indicator.level_weight"]
    assert [s["text"] for s in weights] == ["50分", "30分"]


def test_two_level_header_with_op_and_unit_columns():
    text = ("| 绩效指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施 | 一级指标 | 二级指标 | 三级指标 "
            "| 指标性质 | 指标值 | 度量单位 | 产出指标 | 时效指标 | 补助资金拨付及时率 | ≧ | 100 | % | 95% | 5 | 4 |\n")
    [row] = _indicators(text)
    assert row["name"] == "补助资金拨付及时率"
    assert (row["target"]["op"], row["target"]["value"], row["target"]["unit"]) == ("≥", "100", "%")
    assert (row["weight"], row["score"], row["met"]) == ("5", "4", False)


def test_glued_ocr_table():
    text = ("经评价，具体情况见下表:一级指标二级指标三级指标分值得分项目决策(20分)绩效目标(6分)目标内容22"
            "进度计划21决策依据(8分)政策依据22实施规划33\n")
    rows = _indicators(text)
    assert [(r["name"], r["level1"], r["level2"], r["weight"], r["score"]) for r in rows] == [
        ("目标内容", "项目决策", "绩效目标", "2", "2"),
        ("进度计划", "项目决策", "绩效目标", "2", "1"),
        ("政策依据", "项目决策", "决策依据", "2", "2"),
        ("实施规划", "项目决策", "决策依据", "3", "3"),
    ]


def test_funding_block_cell_per_line():
    text = ("资金情况(万元) |\n|\n全年预算数(A) |\n全年执行数(B) |\n分值 |\n执行率(B/A) |\n得分 |\n||\n|\n"
            "年度资金总额: |\n45 |\n44 |\n10 |\n97.78% |\n9.78 |\n")
    report = extract_text(text)
    assert [(a.value_yuan, a.role) for a in report.amounts] == [
        (Decimal("450000"), "budget_adjusted"), (Decimal("440000"), "expenditure")]
    assert [(p.value, p.role) for p in report.percentages] == [(Decimal("97.78"), "execution_rate")]
    assert [(s.value, s.kind) for s in report.scores] == [(Decimal("10"), "max"), (Decimal("9.78"), "indicator")]


@pytest.mark.parametrize("text,rows", [
    ("三级指标 | 指标值 | 实际完成值 | 分值 | 得分\n培训合格率 | ≥95% | | 10 | 8",
     [("培训合格率", None, "10", "8")]),
    ("一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分\n"
     "履职效能 | 重点工作 | 工作完成率 | 100% | 98% | 10 | 9\n| | 儿童覆盖率 | ≥90% | 92% | 10 | 10",
     [("工作完成率", "98%", "10", "9"), ("儿童覆盖率", "92%", "10", "10")]),
    ("一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分\n"
     "产出指标 | 时效指标 | 2022年完成项目验收 | 按期完成 | 已完成 | 10 | 10",
     [("2022年完成项目验收", "已完成", "10", "10")]),
    ("一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分\n指标性质 | 指标值 | 度量单位\n"
     "产出指标 | 质量指标 | 覆盖率 | ≧ | 100 | % | 95% | 5 | 4",
     [("覆盖率", "95%", "5", "4")]),
    ("一级指标 二级指标 三级指标 分值 指标值 实际值 得分\n产出指标 数量指标 培训期数 10 培训8期 培训8期 8",
     [("培训期数", "培训8期", "10", "8")]),
    ("一级指标 | 二级指标 | 三级指标 | 指标解释 | 分值 | 自评分数 | 扣分原因\n"
     "投入 | 预算编制 | 预算编制准确率 | 年初预算与决算差异率 | 5 | 4 | 追加较多\n"
     "过程 | 预算执行 | 预算执行率 | 实际支出/预算数 | 10 | 9.5 |",
     [("预算编制准确率", None, "5", "4"), ("预算执行率", None, "10", "9.5")]),
], ids=["empty-cell", "levels-not-in-lexicon", "name-starting-with-a-year", "sub-header-after", "spaced-header",
        "criteria-column-and-empty-last-cell"])
def test_rows_keep_their_columns(text, rows):
    got = _indicators(text)
    assert [(r["name"], r["actual"] and r["actual"]["text"], r["weight"], r["score"]) for r in got] == rows


def _aligned(rows: list[list[str]], widths: list[int]) -> str:
    """Rows with cells padded to display columns (an ideograph is two wide), as a PDF text layer aligns them."""
    def pad(cell: str, width: int) -> str:
        shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in cell)
        return cell + " " * max(2, width - shown)
    return "".join("".join(pad(c, w) for c, w in zip(row, widths)).rstrip() + "\n" for row in rows)


def test_level_weight_columns_in_a_space_aligned_table():
    text = _aligned([["一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "得分", "扣分原因"],
                     ["投入", "15", "预算配置", "15", "在职人员控制率", "5", "5"],
                     ["", "", "", "", "重点支出安排率", "5", "4.5", "个别支出未列入"]],
                    [10, 6, 10, 6, 18, 6, 6, 16])
    rows = _indicators(text)
    assert [(r["name"], r["level1"], r["level2"], r["weight"], r["score"]) for r in rows] == [
        ("在职人员控制率", "投入", "预算配置", "5", "5"), ("重点支出安排率", "投入", "预算配置", "5", "4.5")]
    maxes = [s["text"] for s in json.loads(extract_text(text).model_dump_json())["scores"] if s["kind"] == "max"]
    assert maxes[:2] == ["15", "15"]


def test_weight_before_the_name_and_a_row_number_column():
    text = ("序号 | 一级指标 | 二级指标 | 指标分值 | 三级指标 | 评分要点 | 指标得分 | 得分率\n"
            "1 | 决策 | 项目立项 | 4 | 立项依据充分性 | 立项依据是否符合政策规定 | 4 | 100%\n"
            "2 |  | 绩效目标 | 4 | 绩效目标明确性 | 目标是否细化量化 | 3 | 75%\n")
    rows = _indicators(text)
    assert [(r["name"], r["level1"], r["weight"], r["score"]) for r in rows] == [
        ("立项依据充分性", "决策", "4", "4"), ("绩效目标明确性", "决策", "4", "3")]


def test_levels_written_as_numbered_section_rows():
    text = ("绩效指标名称\t指标值\t实际完成值\t权重\t自评得分\t偏差原因及改进措施\n"
            "一、产出指标（50分）\n（一）数量指标\n"
            "新建改造乡镇商贸中心数量\t≥8个\t9个\t10\t10\t\n"
            "（二）时效指标\n项目完工及时率\t≥90%\t87.5%\t10\t8\t2个项目受汛期影响\n")
    rows = _indicators(text)
    assert [(r["name"], r["level1"], r["level2"], r["weight"], r["score"], r["deviation"]) for r in rows] == [
        ("新建改造乡镇商贸中心数量", "产出指标", "数量指标", "10", "10", None),
        ("项目完工及时率", "产出指标", "时效指标", "10", "8", "2个项目受汛期影响")]


def test_prose_row_with_its_weight_before_the_score():
    [row] = _indicators("1.数量指标：特困人员救助供养人数目标值≥420人，实际完成436人，分值15分，得15分。")
    assert (row["name"], row["weight"], row["score"], row["met"]) == ("特困人员救助供养人数", "15", "15", True)


def test_total_row_number_in_the_weight_column_is_full_marks():
    text = "三级指标 | 指标值 | 实际完成值 | 分值 | 得分\n培训合格率 | ≥95% | 96% | 10 | 8\n合计 | | | 100 |"
    scores = json.loads(extract_text(text).model_dump_json())["scores"]
    assert ("100", "max") in {(s["value"], s["kind"]) for s in scores}
    assert "total" not in {s["kind"] for s in scores}


def _score_facts(text: str) -> set[tuple[str, str, str]]:
    return {(s["text"], s["value"], s["kind"]) for s in json.loads(extract_text(text).model_dump_json())["scores"]}


def test_a_level_cell_with_only_its_weight_left_is_a_weight():
    text = ("一级\n指标\n二级\n指标\n三级指标 预期指标值(A) 实际完成指标值(B) 分值 得分 未完成原因\n(50分)\n"
            "数量指标 免费开放天数 300天 306天 15 15\n(30分)\n社会效益指标 受益人次 2万人次 2.3万人次 15 15")
    facts = _score_facts(text)
    assert {("50", "max"), ("30", "max")} <= {(value, kind) for _, value, kind in facts}


def test_a_glued_total_row_is_full_marks_then_the_total():
    text = ("绩效指标一级指标二级指标三级指标分值年度指标值全年实际值得分产出指标(70分)数量指标安装量水标尺12≥312米≥312米12"
            "质量指标项目(工程)验收合格率20100%100%20……总分10098")
    facts = _score_facts(text)
    assert ("100", "100", "max") in facts and ("98", "98", "total") in facts
    # the weight 20 and the target 100% are two cells, not one percentage 20100%
    percents = {p["value"] for p in json.loads(extract_text(text).model_dump_json())["percentages"]}
    assert "20100" not in percents


def test_a_weight_without_a_score_where_the_table_scores_rows_is_no_indicator():
    text = ("三级指标 | 分值 | 得分\n决策依据 | 3 | 3\n1、建立单位财务管理制度 | 1 |\n财务制度 | 3 | 3")
    assert [i["name"] for i in _indicators(text)] == ["决策依据", "财务制度"]


@pytest.mark.parametrize("text", ["人员编制 |\n① |", "一级指标二级指标三级指标分值得分项目决策(20分 )目标内容22",
                                  "分值\n" * 3000, "| | | |\n" * 50, "三级指标 | 得分"])
def test_odd_tables_end_cleanly(text):
    extract_text(text)


def test_no_indicators_without_a_header():
    assert _indicators("| 产出指标 | 数量指标 | 培训人次 | ≥500人次 | 620人次 | 10 | 10 |") == []


def _grounded(text: str, report) -> list:
    bad = []
    for kind in FACT_TYPES:
        for f in getattr(report, kind):
            if text[f.start:f.end] != f.text or not f.text:
                bad.append((kind, f.text))
            if kind == "indicators":
                for v in (f.target, f.actual):
                    if v is not None and text[v.start:v.end] != v.text:
                        bad.append(("indicator value", v.text))
    return bad


@pytest.mark.parametrize("text", [PIPE_TABLE, CELL_PER_LINE], ids=["pipe", "cell-per-line"])
def test_indicator_spans_are_grounded(text):
    assert _grounded(text, extract_text(text)) == []


@pytest.mark.skipif(not FORMS.is_dir(), reason="../shared/forms is not here")
def test_every_fact_of_the_forms_is_grounded():
    from extract import extract_file

    bad = {}
    for path in sorted(FORMS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        wrong = _grounded(text, extract_file(path))
        if wrong:
            bad[path.name] = wrong
    assert bad == {}


def test_a_score_summary_by_dimension_gives_level_weights_and_scores_not_indicators():
    text = "一级指标\n分值\n得分\n投入\n20\n18\n过程\n20\n19\n产出\n40\n38\n效益\n20\n18\n合计\n100\n93"
    report = json.loads(extract_text(text).model_dump_json())
    got = {(s["value"], s["kind"]) for s in report["scores"]}
    assert {("20", "max"), ("18", "indicator"), ("38", "indicator"), ("100", "max"), ("93", "total")} <= got
    assert report["indicators"] == []


# ------------------------------------------------------------------ a review's findings (issue 18)

def test_two_numbers_under_target_and_actual_stay_target_and_actual_in_an_unscored_table():
    text = ("| 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |\n"
            "| 数量指标 | 新建泵站数量 | 12 | 12 |\n| 质量指标 | 验收合格率 | 100 | 98 |")
    rows = _indicators(text)
    assert [(r["target"]["text"], r["actual"]["text"], r["weight"], r["score"]) for r in rows] == [
        ("12", "12", None, None), ("100", "98", None, None)]


@pytest.mark.parametrize("text", [
    "三级指标\n年度指标值\n实际完成值\n偏差原因\n培训人次\n500人次\n480人次\n20\n合格率\n100%\n98%\n2",
    "| 三级指标 | 年度指标值 | 实际完成值 | 偏差值 |\n| 培训人次 | 500 | 480 | 20 |"])
def test_a_number_after_the_actual_is_no_score_where_a_column_follows_it(text):
    report = json.loads(extract_text(text).model_dump_json())
    assert report["scores"] == [] and all(r["score"] is None for r in report["indicators"])


def test_a_one_cell_money_table_ends_at_a_row_that_counts_people_or_things():
    text = ("经费控制情况(万元)\n2022年决算数\n2023年预算数\n2023年决算数\n三公经费\n3.26\n2.80\n2.64\n"
            "在职人数\n12\n12\n11\n车辆数\n3\n3")
    amounts = json.loads(extract_text(text).model_dump_json())["amounts"]
    assert [a["text"] for a in amounts] == ["3.26", "2.80", "2.64"]


@pytest.mark.parametrize("text", [
    "资金情况(万元) | 年初预算数 | 全年预算数 | 全年执行数 | 执行率\n年度资金总额 | 100万元 | 95 | 95%",
    "资金情况(万元) | 年初预算数 | 全年预算数 | 全年执行数 | 执行率\n年度资金总额 | 0.0000000001 | 99999999999999999999999999 | 100.00%",
    "项目资金 | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分\n年度资金总额 | 100万元 | 100万元 | 100万元 | 100% | 10"])
def test_odd_funding_rows_give_no_error(text):
    extract_text(text)


def test_a_money_cell_is_never_the_funding_weight():
    text = "项目资金 | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分\n年度资金总额 | 100 | 100 | 100 | 100% | 10"
    assert ("100", "max") not in _score_facts_kinds(text)


def _score_facts_kinds(text: str) -> set[tuple[str, str]]:
    return {(s["text"], s["kind"]) for s in json.loads(extract_text(text).model_dump_json())["scores"]}


def test_a_right_aligned_reading_never_puts_a_score_above_its_weight():
    text = ("| 一级指标 | 二级指标 | 三级指标 | 年初目标值(A) | 实际完成值(B) | 分值 | 得分 | |||\n"
            "| 日效性指标 | 群众诉求办结时间 | 3 | 4 | 10 | |||||")
    rows = _indicators(text)
    assert [r["name"] for r in rows] == ["群众诉求办结时间"] and rows[0]["score"] is None


def test_a_total_word_before_a_count_in_a_glued_table_is_no_total_row():
    text = ("一级指标二级指标三级指标分值年度指标值全年实际值得分产出指标(70分)数量指标安装量水标尺12≥312米≥312米12"
            "社会效益指标受益人口合计1510人")
    assert ("10", "total") not in _score_facts_kinds(text) and ("0", "total") not in _score_facts_kinds(text)


def test_spans_answer_overlaps_by_binary_search():
    from extract.recognizers.indicators import _Spans

    spans = _Spans()
    for s, e in [(10, 20), (30, 40), (0, 5)]:
        assert not spans.overlaps(s, e)
        spans.add(s, e)
    assert spans.overlaps(15, 16) and spans.overlaps(38, 50) and spans.overlaps(4, 11)
    assert not spans.overlaps(5, 10) and not spans.overlaps(20, 30) and not spans.overlaps(40, 90)


def test_a_table_of_thousands_of_rows_gives_every_row():
    rows = "".join(f"| 数量指标 | 指标{n}人次 | ≥{n}人次 | {n}人次 | 5 | 5 |\n" for n in range(3000))
    report = extract_text("| 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |\n" + rows)
    assert len(report.indicators) == 3000


@pytest.mark.parametrize("header", ["预期指标值(A) 实际完成指标值(B) 分值 得分",
                                    "预期指标值（A）实际完成指标值（B）分值 得分",   # as OCR reads it: spaces lost
                                    "预期指标值实际完成指标值分值得分"])
def test_header_words_written_together_are_read_apart(header):
    from extract.pipeline import extract_text

    text = ("绩效指标完成情况\n一级指标 二级指标 三级指标 " + header + " 未完成原因\n"
            "产出指标 数量指标 免费开放服务全覆盖 100% 100% 15 15\n质量指标 服务规范达标率 100% 98% 10 9\n"
            "时效指标 按时开放率 100% 100% 12.5 12.5\n")
    rows = [(i.name, str(i.weight), str(i.score)) for i in extract_text(text).indicators]
    assert rows == [("免费开放服务全覆盖", "15", "15"), ("服务规范达标率", "10", "9"), ("按时开放率", "12.5", "12.5")]
