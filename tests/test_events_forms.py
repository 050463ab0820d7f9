"""Event forms seen in real reports that single-sentence pattern examples cannot show: a name's
mentions across a passage (fund lines, slogans that come back), names joined with 暨, quoted names
that head a show, and lists of events. Every sentence here is written for the test."""

from __future__ import annotations

import pytest

from extract import extract_text


def _events(text: str) -> list[tuple[str, str, int | None]]:
    report = extract_text(text)
    for e in report.events:
        assert text[e.start:e.end] == e.text
    return [(e.text, e.kind, e.edition) for e in report.events]


# text -> every event it holds (text, kind, edition), in order
PASSAGES = {
    "fund_line_counts_once": (
        "青川县茶叶博览会专项资金绩效自评报告\n茶叶博览会专项资金年初预算50万元，"
        "茶叶博览会专项资金实际支出48万元，茶叶博览会专项资金执行率96%。",
        [("青川县茶叶博览会", "expo", None)],
    ),
    "fund_line_and_the_event_itself": (
        "茶叶博览会专项资金全年支出48万元，成功举办第五届青川茶叶博览会，签约项目6个。",
        [("茶叶博览会", "expo", None), ("第五届青川茶叶博览会", "expo", 5)],
    ),
    "campaign_fund_then_campaign": (
        "年中追加“青商回乡·共建家园”活动经费30万元。开展“青商回乡·共建家园”活动，走访企业20家。",
        [("青商回乡·共建家园", "campaign", None), ("青商回乡·共建家园", "campaign", None)],
    ),
    "slogan_mentioned_later_is_not_new": (
        "开展招商引资“赛马比拼”活动，各乡镇在“赛马比拼”中比进度、比质量，我县在“赛马比拼”中排名第二。",
        [("赛马比拼", "campaign", None)],
    ),
    "slogan_of_a_show_is_not_a_new_event": (
        "举办“青川好物 山货飘香”美食展暨第二届青川年货节；开展“青川好物·山货飘香”展示展销活动。",
        [("青川好物 山货飘香”美食展暨第二届青川年货节", "expo", 2)],
    ),
    "ji_year_led_first_part": (
        "举办“秦岭有约·春暖青川”2023青川文化创意暨春季文旅产品(西安)推介会；",
        [("2023青川文化创意暨春季文旅产品(西安)推介会", "promotion", None)],
    ),
    "ji_edition_in_second_part": (
        "举办青川云雾草甸音乐节暨首届青年民谣歌手大赛、首届(四川青川)蜀道文化交流周，",
        [("青川云雾草甸音乐节暨首届青年民谣歌手大赛", "festival", 1),
         ("首届(四川青川)蜀道文化交流周", "festival", 1)],
    ),
    "list_of_events": (
        "参加第12届中国西部文化和旅游博览会、“川人游川·畅游蜀道”宣传推广活动、绵阳文旅融合发展大会、"
        "2023海峡两岸(四川)旅游客商大会、2023年中国(重庆)国际文旅城市发展论坛、中国国际旅游商品交易会等活动。",
        [("第12届中国西部文化和旅游博览会", "expo", 12), ("川人游川·畅游蜀道", "campaign", None),
         ("绵阳文旅融合发展大会", "meeting", None), ("2023海峡两岸(四川)旅游客商大会", "meeting", None),
         ("2023年中国(重庆)国际文旅城市发展论坛", "forum", None), ("中国国际旅游商品交易会", "expo", None)],
    ),
    "quoted_activities_in_a_culture_report": (
        "1.顺利举办“青山作证—万众同心颂党恩”全县专场文艺汇演活动，2.举办我馆 “奋进百年·逐梦青川”"
        "合唱比赛活动4场。3.全年实施文化惠民工程“戏曲进乡村”30场，该活动参与群众3000人次。",
        [("青山作证—万众同心颂党恩", "campaign", None), ("奋进百年·逐梦青川", "campaign", None),
         ("戏曲进乡村", "campaign", None)],
    ),
    "places_before_a_generic_promotion": (
        "在绵阳市、广元市、汉中市等地来青推介会上，开展“畅游青川”城市推介。",
        [],
    ),
    "generic_phrases_and_ratings": (
        "组织企业参加展会5次，举办文旅推介会3场；项目被评定为“合格工程”；召开全县经济工作大会。",
        [],
    ),
}


@pytest.mark.parametrize("text,expected", list(PASSAGES.values()), ids=list(PASSAGES))
def test_events_in_passage(text, expected):
    assert _events(text) == expected
