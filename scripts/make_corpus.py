"""Generate a synthetic corpus of budget-performance reports (绩效自评报告) with gold facts.

    .venv/bin/python scripts/make_corpus.py N OUTDIR [--seed S] [--formats txt,gbk,docx,pdf,html]

Writes OUTDIR/NNNNN.<ext> and OUTDIR/NNNNN.gold.json for N reports, one at a time (nothing is
kept in memory between reports), and prints a one-line summary.

Every report is composed piece by piece: plain text and facts are appended to one list while the
position is tracked, so each gold fact carries the exact `start`/`end` of the text as written
(asserted before writing). The gold format and the vocabularies are those of corpora/README.md;
only the forms described there and in /work/shared/FIELD-NOTES.md are written as facts.

Formats:
  txt   UTF-8 text, NNNNN.txt
  gbk   the same text GBK-encoded, NNNNN.txt (gold: "format": "gbk")
  docx  python-docx, one paragraph per line ("format": "docx")
  pdf   reportlab with the CID font STSong-Light, like a printed report: paragraphs wrapped at the
        page width anywhere (inside numbers, between a number and its unit, inside names), tables
        drawn cell by cell in aligned columns; margins and font size vary ("format": "pdf")
  html  a page with <nav>, <script> and the report in <div class="content">, one <p> per line of
        prose, tables as <table> ("format": "html")

The gold of docx, pdf and html is in the coordinates of the text the project's reader returns for
the file (extract.readers): the file is read back, aligned with the composed text (the readers
change only whitespace) and every span moved; a fact split by a PDF line wrap keeps the break in
its `text` (`97.9\n4%`), as `source[start:end]` has it.

Deterministic: report i is drawn from random.Random(seed * 1_000_003 + i), so a report does not
depend on the others (nor on --formats, except for its format).
"""

from __future__ import annotations

import argparse
import html
import json
import math
import random
import re
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

FACT_TYPES = ("amounts", "percentages", "counts", "staffing", "events", "scores")
FORMATS = ("txt", "gbk", "docx", "pdf", "html")
DEFAULT_MIX = {"txt": 0.84, "gbk": 0.10, "docx": 0.02, "pdf": 0.02, "html": 0.02}
EXT = {"txt": ".txt", "gbk": ".txt", "docx": ".docx", "pdf": ".pdf", "html": ".html"}

# --------------------------------------------------------------------------- units and vocabulary

# (name, type). The type chooses duties, projects, output counts and events.
DEPARTMENTS = [
    ("甘肃省商务厅", "commerce"), ("兰州新区经济合作局", "commerce"), ("遵义市投资促进局", "commerce"),
    ("怀化市商务局", "commerce"), ("西安市投资合作局", "commerce"), ("赣州市商务局", "commerce"),
    ("大理州商务局", "commerce"),
    ("会同县农业农村局", "agri"), ("漳州市农业农村局", "agri"), ("临夏州农业农村局", "agri"),
    ("宝鸡市农业农村局", "agri"), ("赣州市章贡区农业农村局", "agri"), ("庆阳市林业和草原局", "agri"),
    ("黔东南州农业农村局", "agri"),
    ("天水市教育局", "edu"), ("昆明市教育体育局", "edu"), ("德阳市旌阳区教育局", "edu"),
    ("临沂市河东区教育和体育局", "edu"),
    ("寿光市第二中学", "school"), ("凯里市第一中学", "school"), ("曲靖市第一中学", "school"),
    ("兰州市盲聋哑学校", "school"), ("酒泉市实验幼儿园", "school"), ("兰州市城关区第一小学", "school"),
    ("成都市疾病预防控制中心", "health"), ("宁乡市卫生健康局", "health"), ("丽江市古城区卫生健康局", "health"),
    ("兰州市卫生健康委员会", "health"), ("潍坊市妇幼保健院", "hospital"),
    ("榆中县人民医院", "hospital"), ("定西市第一人民医院", "hospital"), ("咸阳市中心医院", "hospital"),
    ("甘南州人民医院", "hospital"),
    ("武威市财政局", "finance"), ("淄博市博山区财政局", "finance"), ("渭南市审计局", "finance"),
    ("张掖市民政局", "civil"), ("毕节市民族宗教事务委员会", "civil"), ("延安市退役军人事务局", "civil"),
    ("兰州市文化和旅游局", "culture"), ("泸州市文化广播电视和旅游局", "culture"),
    ("楚雄州文化和旅游局", "culture"),
    ("甘肃省科学技术厅", "science"), ("绵阳市科学技术局", "science"), ("贵阳市大数据发展管理局", "science"),
    ("白银市交通运输局", "transport"), ("吉安市交通运输局", "transport"),
    ("嘉峪关市生态环境局", "env"), ("酒泉市水务局", "env"), ("平凉市自然资源局", "env"),
    ("陇南市市场监督管理局", "market"), ("金昌市人力资源和社会保障局", "hr"),
    ("湖南省住房和城乡建设厅", "housing"), ("株洲市公安局", "police"), ("岳阳县公安局", "police"),
    ("长沙市发展和改革委员会", "office"), ("宜宾市翠屏区人民政府办公室", "office"),
    ("静宁县乡村振兴局", "agri"), ("六盘水市应急管理局", "office"), ("天水市公共资源交易中心", "office"),
    ("榆中县人大常委会办公室", "office"), ("四川省统计局", "office"),
]

SELF = [("委员会", "我委"), ("办公室", "我办"), ("中心", "我中心"), ("学校", "我校"), ("中学", "我校"),
        ("小学", "我校"), ("幼儿园", "我园"), ("医院", "我院"), ("保健院", "我院"), ("厅", "我厅"),
        ("局", "我局")]

REPORT_KINDS = [
    ("dept_budget_execution_self_eval", "部门预算执行情况绩效自评报告", 0.25),
    ("dept_overall_self_eval", "部门整体支出绩效自评报告", 0.35),
    ("project_self_eval", "项目支出绩效自评报告", 0.25),
    ("performance_evaluation", "绩效评价报告", 0.15),
]

PROJECTS = {
    "commerce": ["招商引资工作经费", "会展业发展专项资金", "外贸发展专项资金", "电子商务进农村综合示范项目"],
    "agri": ["耕地地力保护补贴", "农机购置补贴", "高标准农田建设项目", "农业品牌建设与市场营销专项资金",
             "动物疫病防控经费"],
    "edu": ["义务教育公用经费", "学生资助经费", "教师培训经费", "校舍维修改造项目"],
    "school": ["学生资助经费", "校舍维修改造项目", "教学设备购置经费", "学生宿舍楼改造项目"],
    "health": ["基本公共卫生服务项目", "重大传染病防控经费", "家庭医生签约服务经费", "妇幼健康项目"],
    "hospital": ["医疗设备购置项目", "重点专科建设经费", "公立医院综合改革补助资金", "住院楼改造项目"],
    "finance": ["财政信息化建设经费", "预算绩效管理工作经费", "政府采购监管经费"],
    "civil": ["城乡居民最低生活保障资金", "特困人员救助供养资金", "养老服务体系建设资金"],
    "culture": ["公共文化服务体系建设资金", "文化旅游宣传推广经费", "非物质文化遗产保护经费"],
    "science": ["科技创新平台建设资金", "科技成果转化专项资金", "大数据产业发展专项资金"],
    "transport": ["农村公路养护工程", "危桥改造项目", "城乡客运一体化补助资金"],
    "env": ["大气污染防治专项资金", "农村饮水安全工程", "地质灾害防治经费"],
    "market": ["食品安全抽检经费", "市场监管执法装备经费", "特种设备安全监察经费"],
    "hr": ["就业补助资金", "职业技能提升行动资金", "人才引进专项经费"],
    "housing": ["农村危房改造补助资金", "城镇老旧小区改造资金", "建筑市场监管经费"],
    "police": ["公安业务装备经费", "道路交通安全管理经费", "辅警经费保障项目"],
    "office": ["政务信息化运维经费", "机关运行保障经费", "应急物资储备经费"],
}

DUTIES = {
    "commerce": ["负责贯彻执行国家及省、市对外开放、经济技术合作和招商引资的方针政策",
                 "拟订招商引资、经济技术合作和对外开放的政策措施并组织实施",
                 "负责招商引资项目库建设和管理，承担重点项目的推介、洽谈和跟踪服务工作",
                 "负责会展活动的组织协调和外来投资企业的投诉受理工作"],
    "agri": ["统筹研究和组织实施三农工作的发展战略、中长期规划和重大政策",
             "负责种植业、畜牧业、渔业、农业机械化等农业各产业的监督管理",
             "负责农产品质量安全监督管理和耕地质量保护工作",
             "指导农村集体资产管理、农村宅基地改革和农村人居环境整治等工作"],
    "edu": ["贯彻落实国家教育方针政策，统筹规划全市教育事业发展",
            "负责各级各类学校的教育教学管理和教师队伍建设",
            "负责教育经费的统筹管理和学生资助工作",
            "指导学校安全、后勤保障和校园文化建设工作"],
    "school": ["主要承担学历教育，贯彻执行国家教育方针，组织实施教育教学活动",
               "开展学生思想政治教育、德育工作和学生资助工作",
               "负责学校安全管理及后勤保障等工作"],
    "health": ["贯彻执行卫生健康工作方针政策，组织拟订卫生健康事业发展规划",
               "负责疾病预防控制和突发公共卫生事件应急处置工作",
               "组织实施基本公共卫生服务项目和妇幼健康工作",
               "负责医疗机构、医疗服务行业的监督管理"],
    "hospital": ["承担辖区群众的基本医疗服务、急危重症救治和疑难病症诊治工作",
                 "承担医学教育、临床科研和基层医疗机构业务指导工作",
                 "负责突发公共卫生事件医疗救治和公共卫生服务工作"],
    "finance": ["贯彻执行财税方针政策，拟订财政发展规划和改革方案",
                "负责编制年度预决算草案并组织执行，推进预算绩效管理",
                "负责政府采购、国有资产和财政监督管理工作"],
    "civil": ["贯彻执行民政工作方针政策，负责社会救助和社会福利工作",
              "负责城乡居民最低生活保障和特困人员救助供养工作",
              "统筹推进养老服务体系建设和社会组织管理工作"],
    "culture": ["贯彻落实文化和旅游工作方针政策，统筹规划文化和旅游事业发展",
                "负责公共文化服务体系建设和非物质文化遗产保护工作",
                "负责文化旅游宣传推广和文化市场综合执法工作"],
    "science": ["贯彻落实创新驱动发展战略，拟订科技发展规划和政策",
                "负责科技创新平台建设和科技成果转化工作",
                "统筹推进产学研合作和高新技术企业培育工作"],
    "transport": ["贯彻执行交通运输方针政策，拟订综合交通运输发展规划",
                  "负责公路、水路交通行业管理和农村公路建设养护工作",
                  "负责城乡客运和道路运输市场监督管理工作"],
    "env": ["贯彻执行生态环境保护方针政策，拟订并组织实施相关规划",
            "负责大气、水、土壤污染防治的监督管理工作",
            "负责生态环境监测和环境执法检查工作"],
    "market": ["负责市场综合监督管理，组织实施质量强市战略",
               "负责食品安全监督管理和特种设备安全监察工作",
               "负责市场主体登记注册和价格监督检查工作"],
    "hr": ["贯彻执行人力资源和社会保障工作方针政策",
           "负责促进就业创业和职业技能培训工作",
           "统筹推进社会保险制度建设和劳动关系协调工作"],
    "housing": ["贯彻执行住房和城乡建设方针政策，拟订行业发展规划",
                "负责农村危房改造和城镇老旧小区改造工作",
                "负责建筑市场和工程质量安全监督管理工作"],
    "police": ["负责维护社会治安秩序，预防、制止和侦查违法犯罪活动",
               "负责道路交通安全管理和户籍、出入境管理工作",
               "指导、监督机关、团体和企业事业单位的治安保卫工作"],
    "office": ["负责机关日常运转和综合协调工作",
               "负责重要会议、重大活动的组织筹备和督查督办工作",
               "负责政务信息化建设和政务公开工作"],
}

# Output counts: (template with {N}, measure word, low, high, noun, flags); flags: w = 万 allowed,
# c = Chinese numeral allowed, q = qualifier allowed.
COUNTS_GENERIC = [
    ("全年开展专项督查检查{N}", "次", 3, 40, "专项督查检查", "cq"),
    ("发放宣传资料{N}", "份", 500, 60000, "宣传资料", "wq"),
    ("举办业务培训班{N}", "期", 2, 20, "业务培训班", "c"),
    ("累计培训{N}", "人次", 50, 3000, None, "q"),
    ("召开{N}专题会议", "次", 1, 6, "专题会议", "c"),
    ("吸引{N}参与", "人", 1000, 9000, None, "cq"),
    ("检查单位{N}", "家", 10, 200, "单位", "q"),
    ("发现问题{N}", "个", 3, 60, "问题", ""),
    ("开展专题调研{N}", "次", 2, 20, "专题调研", "c"),
    ("建成{N}示范点", "个", 2, 30, "示范点", ""),
    ("受理群众来信来访{N}", "件", 20, 900, "群众来信来访", "q"),
    ("办理人大代表建议和政协委员提案{N}", "件", 5, 80, "人大代表建议和政协委员提案", ""),
    ("组织应急演练{N}", "场", 2, 30, "应急演练", "c"),
    ("印发制度文件{N}", "份", 3, 30, "制度文件", ""),
    ("完成重点工作任务{N}", "项", 5, 60, "重点工作任务", "q"),
]
COUNTS_BY_TYPE = {
    "commerce": [("全年完成{N}外出招商", "次", 10, 80, "外出招商", "q"),
                 ("签约项目{N}", "个", 5, 150, "签约项目", ""),
                 ("搜集有效项目线索{N}", "条", 20, 300, "有效项目线索", "q"),
                 ("对接企业{N}", "家", 20, 400, "对接企业", "q"),
                 ("新增落地项目{N}", "个", 5, 60, "新增落地项目", ""),
                 ("组织{N}团组赴外招商", "个", 10, 60, "团组", "q"),
                 ("参展企业{N}", "家次", 50, 600, "参展企业", "q")],
    "agri": [("惠及农户{N}", "户", 1000, 90000, "农户", "wq"),
             ("补贴机具{N}", "台", 100, 3000, "补贴机具", ""),
             ("受益农户和农业经营主体{N}", "户", 100, 2000, "受益农户和农业经营主体", "q"),
             ("举办高素质农民培训班{N}", "期", 3, 30, "高素质农民培训班", "c"),
             ("开展农产品质量安全抽检{N}", "批次", 100, 3000, "农产品质量安全抽检", ""),
             ("带动周边农户{N}增收", "户", 500, 9000, "周边农户", "q")],
    "edu": [("资助家庭经济困难学生{N}", "人次", 500, 30000, "家庭经济困难学生", "wq"),
            ("培训中小学教师{N}", "人次", 200, 8000, "中小学教师", "q"),
            ("改造薄弱学校{N}", "所", 3, 40, "薄弱学校", ""),
            ("新建标准化实验室{N}", "间", 0, 0, None, "")],
    "school": [("全校共有教学班{N}", "个", 12, 90, "教学班", ""),
               ("在校学生{N}", "人", 300, 5000, "在校学生", ""),
               ("新增图书{N}", "册", 10000, 50000, "图书", "wq"),
               ("受助学生{N}", "人次", 100, 3000, "受助学生", ""),
               ("购置教学设备{N}", "台", 20, 400, "教学设备", "")],
    "health": [("建立居民电子健康档案{N}", "份", 20000, 900000, "居民电子健康档案", "wq"),
               ("开展义诊活动{N}", "场", 5, 60, "义诊活动", "cq"),
               ("完成老年人健康体检{N}", "人", 2000, 60000, "老年人健康体检", "wq"),
               ("家庭医生签约服务{N}", "户", 2000, 80000, "家庭医生签约服务", "wq")],
    "hospital": [("全年完成门诊{N}", "人次", 50000, 900000, "门诊", "wq"),
                 ("收治住院患者{N}", "人次", 3000, 60000, "住院患者", "wq"),
                 ("开展手术{N}", "台", 1000, 20000, "手术", "q"),
                 ("新购医疗设备{N}", "台", 5, 120, "医疗设备", ""),
                 ("派出医疗队{N}", "支", 2, 20, "医疗队", "")],
    "civil": [("救助困难群众{N}", "人次", 500, 80000, "困难群众", "wq"),
              ("新建农村互助幸福院{N}", "所", 3, 40, "农村互助幸福院", ""),
              ("走访慰问困难家庭{N}", "户", 100, 5000, "困难家庭", "q")],
    "culture": [("举办文艺演出{N}", "场", 10, 300, "文艺演出", "cq"),
                ("接待游客{N}", "人次", 100000, 9000000, "游客", "wq"),
                ("开展送戏下乡{N}", "场", 10, 200, "送戏下乡", "q"),
                ("新增非遗代表性项目{N}", "项", 2, 20, "非遗代表性项目", "")],
    "science": [("认定高新技术企业{N}", "家", 10, 200, "高新技术企业", "q"),
                ("实施科技项目{N}", "项", 10, 150, "科技项目", ""),
                ("登记技术合同{N}", "份", 50, 2000, "技术合同", "q")],
    "transport": [("改造危桥{N}", "座", 3, 40, "危桥", ""),
                  ("新增城乡公交车辆{N}", "辆", 10, 200, "城乡公交车辆", ""),
                  ("开展路政巡查{N}", "次", 50, 900, "路政巡查", "q")],
    "env": [("开展执法检查{N}", "次", 50, 900, "执法检查", "q"),
            ("办结信访投诉{N}", "件", 20, 600, "信访投诉", ""),
            ("建成农村饮水安全工程{N}", "处", 5, 80, "农村饮水安全工程", "")],
    "market": [("检查市场主体{N}", "户次", 500, 20000, "市场主体", "wq"),
               ("抽检食品{N}", "批次", 200, 5000, "食品", ""),
               ("立案查处违法案件{N}", "件", 10, 300, "违法案件", "")],
    "hr": [("开展职业技能培训{N}", "人次", 1000, 60000, "职业技能培训", "wq"),
           ("举办招聘会{N}", "场", 5, 80, "招聘会", "cq"),
           ("新增城镇就业{N}", "人", 1000, 50000, "城镇就业", "wq")],
    "housing": [("完成农村危房改造{N}", "户", 100, 5000, "农村危房改造", "q"),
                ("改造城镇老旧小区{N}", "个", 5, 80, "城镇老旧小区", "")],
    "police": [("开展治安巡逻{N}", "次", 200, 6000, "治安巡逻", "q"),
               ("查处交通违法行为{N}", "起", 1000, 90000, "交通违法行为", "wq"),
               ("新建视频监控点位{N}", "个", 50, 900, "视频监控点位", "")],
}

OTHER_RATES = ["项目验收合格率", "群众知晓率", "档案资料规范率", "资金支付及时率", "政策宣传覆盖率",
               "问题整改率", "信息公开及时率"]
GROWTH = {
    "commerce": ["实际利用外资同比增长", "全市外贸进出口总额同比增长"],
    "agri": ["农村居民人均可支配收入同比增长", "粮食总产量同比增长"],
    "culture": ["旅游综合收入同比增长", "接待游客人次同比增长"],
    "hospital": ["门诊量同比增长", "出院人次同比增长"],
    "science": ["技术合同成交额同比增长", "高新技术产业产值同比增长"],
    "hr": ["城镇新增就业人数同比增长"],
}
GROWTH_GENERIC = ["服务对象数量同比增长", "业务办理量同比增长"]

# Events: bodies for edition names and the suffix of each kind.
EXPO_BODIES = ["中国（甘肃）国际农产品", "贵州国际茶产业", "海峡两岸（漳州）花卉", "西安文化旅游",
               "中国西部国际投资贸易", "中国（成都）国际医药健康", "丝绸之路（敦煌）国际文化",
               "中国中部投资贸易", "湖南国际矿物宝石", "赣州国际农产品", "中国（贵州）国际酒类",
               "漳州优质农产品", "中国（昆明）南亚", "云南高原特色农产品"]
EXPO_SUFFIX = ["博览会", "交易会", "博览会", "洽谈会", "展览会"]
ABBREVS = ["兰洽会", "药博会", "农博会", "科博会", "广交会", "进博会", "服贸会", "数博会", "文博会", "消博会"]
EDITION_ABBREVS = {"兰洽会": (20, 30), "广交会": (118, 134), "进博会": (1, 6), "服贸会": (1, 9), "数博会": (1, 8)}
CITIES = ["兰州市", "遵义市", "漳州市", "赣州市", "天水市", "酒泉市", "怀化市", "大理州", "宝鸡市", "绵阳市"]
CITIES2 = ["北京", "上海", "深圳", "广州", "南京", "杭州", "天津", "厦门", "成都", "重庆"]
REGIONS = ["甘粤", "陇浙", "津陇", "湘粤", "黔沪", "川渝"]
CAMPAIGNS = [("津企陇上行", ""), ("漳州好物进万家", "活动"), ("百企兴百村", "行动"), ("万企帮万村", "行动"),
             ("科技下乡行", ""), ("送法进万家", "活动"), ("诚信兴商宣传月", ""), ("文明交通行", "")]
FORUM_BODIES = ["丝绸之路中医药发展", "西部数字经济", "中国农业品牌", "黄河流域生态保护", "大数据产业"]
MEETING_BODIES = ["赣商", "陇商", "黔商", "湘商"]
FESTIVALS = ["火把节", "泼水节", "桃花旅游文化节", "乡村美食节"]

FILLER_WORK = [
    "按照预算绩效管理工作要求，{self}成立了由主要负责同志任组长的绩效自评工作领导小组，对照年初设定的绩效目标，采取资料核查、数据比对、实地查看等方式开展自评",
    "{self}对支出项目实际产出与年初绩效目标进行比较，主要从项目实施管理过程、资金使用是否合规等方面进行分析评价",
    "经核查，本年度预算项目按照相关规定执行，资金使用均按照计划方案组织实施，内控制度较为完整，项目监督程序健全，有效保障项目资金专款专用",
]
# Sentences with numbers that are none of the six fact types (areas, minutes, slogans, articles).
NEGATIVES = [
    "新建标准化业务用房{n}㎡，改造办公用房{n}平方米，办公条件明显改善。",
    "“十四五”期间，{self_}将持续推进业务流程再造，业务办理时间压缩至{m}分钟。",
    "牢固树立“四个意识”，坚定“四个自信”，做到“两个维护”，此项工作十分重要。",
    "依据《中华人民共和国预算法》第三十二条规定，部分单位预算执行进度偏慢的问题已督促整改。",
]

FILLER_PROBLEMS = [
    "一是部分项目资金下达较晚，预算执行进度有待加快；二是绩效目标设置还不够细化，部分指标难以量化",
    "个别项目前期论证不够充分，实施过程中进行了调整，绩效目标与实际执行存在一定偏差",
    "绩效管理专业人员不足，绩效评价结果运用还不够充分",
    "资金执行进度不均衡，前松后紧现象较为明显",
]
FILLER_MEASURES = [
    "下一步，{self}将提前谋划项目，加快资金支付进度，进一步提高绩效目标编制质量，强化绩效评价结果运用",
    "{self}将进一步健全预算绩效管理制度，加强项目全过程跟踪监控，确保财政资金安全高效使用",
    "今后将加强业务培训，提升绩效管理水平，做到花钱必问效、无效必问责",
]
PROVINCE_ABBR = ["甘", "湘", "黔", "川", "陕", "鲁", "闽", "赣", "滇"]

GRADES = {  # family -> [(floor, grade)] from the top
    "short": [(90, "优"), (80, "良"), (60, "中"), (0, "差")],
    "long": [(90, "优秀"), (80, "良好"), (60, "合格"), (0, "不合格")],
}

# --------------------------------------------------------------------------- numbers

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
        s = _cn_section(high, digits, units, not capital) + ("万" if not capital else "万")
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


# --------------------------------------------------------------------------- style and document

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


# --------------------------------------------------------------------------- fact writers

class Writer:
    """Fact writers bound to one report's Doc and Style."""

    def __init__(self, doc: Doc, st: Style, rng: random.Random):
        self.d, self.st, self.r = doc, st, rng

    # ---- money
    def money_text(self, yuan: Decimal, unit: str | None = None) -> tuple[str, str]:
        """(number text, unit text) of an amount in the report's money style."""
        st, r = self.st, self.r
        unit = unit or ("元" if st.money == "yuan" else "万元")
        if unit == "元":
            places = 0 if yuan == yuan.to_integral() else 2
            return st.num(yuan, places), "元"
        if unit == "亿元":
            v = yuan / Decimal(10 ** 8)
            places = 0 if v == v.to_integral() else 2
            return st.num(v, places, sep=False), "亿元"
        v = yuan / Decimal(10000)
        if st.money == "wan4":
            places = 4
        elif v == v.to_integral() and r.random() < 0.6:
            places = 0
        else:
            places = 2
        return st.num(v, places), "万元"

    def amount(self, yuan, role: str, unit: str | None = None, qual: tuple[str, str, str] | None = None,
               before: str = "", after: str = "", space: bool = True) -> None:
        """An amount fact; qual is (word, position, qualifier) e.g. ("约", "pre", "approx")."""
        yuan = Decimal(yuan)
        st, r = self.st, self.r
        n, u = self.money_text(yuan, unit)
        gap = st.sp() if space else ""
        if gap == " " and u in ("万元", "亿元") and r.random() < 0.08:
            body = n + u[0] + " " + u[1:]          # 2000万 元
        elif gap == " " and "." in n and u == "亿元" and r.random() < 0.3:
            i = n.index(".")
            body = n[: i + 1] + " " + n[i + 1:] + u  # 287. 60亿元
        else:
            body = n + gap + u
        qualifier = "exact"
        if qual:
            word, where, qualifier = qual
            if where == "pre":
                body = word + body
            elif where == "post":
                body = body + word
            elif where == "mid":  # 300多万元, 2000余元
                body = n + word + u
        self.d.w(before)
        if before:
            self.d.raw(st.pre())
        self.d.fact("amounts", body, value_yuan=ystr(yuan), qualifier=qualifier, role=role)
        self.d.w(after)

    # ---- percentages
    def pct(self, value: Decimal | str, role: str, places: int | None = None, qual=None,
            before: str = "", after: str = "") -> None:
        st = self.st
        v = Decimal(value)
        if places is None:
            places = -v.as_tuple().exponent if v.as_tuple().exponent < 0 else 0
        n = st.num(v, places, sep=False)
        sign = st.pct_sign(n)
        gap = " " if st.space_rate and self.r.random() < 0.25 else ""
        body = n + gap + sign
        qualifier = "exact"
        if qual:
            word, where, qualifier = qual
            body = word + body if where == "pre" else body + word
        self.d.w(before)
        if before:
            self.d.raw(st.pre())
        self.d.fact("percentages", body, value=dstr(q(v, places) if places else v.quantize(Decimal(1))),
                    qualifier=qualifier, role=role)
        self.d.w(after)

    # ---- integers (staffing, counts)
    def int_text(self, n: int, cn_ok: bool = False, sep_ok: bool = True) -> str:
        if cn_ok and n < 100 and self.r.random() < 0.12:
            return "两" if n == 2 else cn_int(n)
        if cn_ok and n >= 1000 and n % 1000 == 0 and n < 10000 and self.r.random() < 0.5:
            return cn_int(n).replace("二千", "两千")
        return self.st.num(Decimal(n), 0, sep=(self.st.sep and sep_ok and n >= 1000))

    def staff(self, label: str, n: int, role: str, unit: str = "人", link: str = "",
              before: str = "", after: str = "", number_first: bool = False) -> None:
        sp = self.st.sp()
        num = self.int_text(n, cn_ok=not sp)
        if number_first:
            text = num + unit + label
        else:
            lead = " " if sp == " " and not link else ""
            text = label + link + lead + num + sp + unit
        self.d.w(before)
        self.d.fact("staffing", text, value=str(n), role=role)
        self.d.w(after)

    def count(self, n: int, mw: str, noun: str | None, flags: str = "", before: str = "",
              after: str = "", force_qual: str | None = None) -> int:
        """A count fact; returns the value written (rounded when a qualifier like 多 is used)."""
        r, st = self.r, self.st
        qual = force_qual
        if "c" in flags and "q" in flags and n >= 1000 and r.random() < 0.2:
            n, qual = n // 1000 * 1000, "近"
        if qual is None and "q" in flags and r.random() < 0.3:
            qual = r.choice(["多", "余", "近", "超过", "不少于", "以上", "约"])
        use_wan = "w" in flags and n >= 10000 and r.random() < 0.6
        qualifier = "exact"
        if qual in ("多", "余"):
            step = 10000 if use_wan and r.random() < 0.5 else (10 if n < 1000 else 100)
            n = max(step, n // step * step)
        unit_text = mw
        if mw == "人次" and r.random() < 0.15:
            unit_text = st.c("人（次）")
        if use_wan:
            v = Decimal(n) / Decimal(10000)
            if qual in ("多", "余") and v != v.to_integral():
                n = int(v) * 10000
                v = Decimal(int(v))
            places = 0 if v == v.to_integral() else (2 if (v * 100) == (v * 100).to_integral() else 4)
            if places == 4:
                n = n // 100 * 100
                v = Decimal(n) / Decimal(10000)
                places = 0 if v == v.to_integral() else 2
            num = st.num(v, places, sep=False) + "万"
        else:
            num = self.int_text(n, cn_ok="c" in flags)
        sp = st.sp() if not use_wan else ""
        if qual in ("多", "余"):
            body = num + qual + unit_text
            qualifier = "more_than"
        else:
            body = num + sp + unit_text
            if qual in ("近", "约"):
                body, qualifier = qual + body, "approx"
            elif qual == "超过":
                body, qualifier = qual + body, "more_than"
            elif qual == "不少于":
                body, qualifier = qual + body, "at_least"
            elif qual == "以上":
                body, qualifier = body + qual, "at_least"
            elif qual == "≥":
                body, qualifier = "≥" + body, "at_least"
        self.d.w(before)
        if before:
            self.d.raw(st.pre())
        self.d.fact("counts", body, value=str(n), unit=mw, qualifier=qualifier, noun=noun)
        self.d.w(after)
        return n

    def score(self, value: Decimal, kind: str, before: str = "", after: str = "", unit: bool = True) -> None:
        st = self.st
        n = st.digits(dstr(value), allow_fw=True)
        body = n + (st.sp() + "分" if unit else "")
        self.d.w(before)
        if before:
            self.d.raw(st.pre())
        self.d.fact("scores", body, value=dstr(value), kind=kind)
        self.d.w(after)

    def event(self, name: str, kind: str, edition: int | None, before: str = "", after: str = "") -> None:
        self.d.w(before)
        self.d.fact("events", name, name=self.st.c(name), kind=kind, edition=edition)
        self.d.w(after)


# --------------------------------------------------------------------------- the report

def pick_kind(rng: random.Random):
    x, acc = rng.random(), 0.0
    for kind, title, p in REPORT_KINDS:
        acc += p
        if x < acc:
            return kind, title
    return REPORT_KINDS[-1][:2]


def self_ref(dept: str) -> str:
    for suffix, ref in SELF:
        if dept.endswith(suffix):
            return ref
    return "本单位"


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


class Report:
    def __init__(self, rng: random.Random):
        self.r = rng
        self.st = Style(rng)
        self.doc = Doc(self.st)
        self.wr = Writer(self.doc, self.st, rng)
        self.dept, self.type = rng.choice(DEPARTMENTS)
        self.me = self_ref(self.dept) if rng.random() < 0.85 else "本单位"
        self.year = rng.randint(2015, 2024)
        self.kind, self.kind_title = pick_kind(rng)
        self.project = rng.choice(PROJECTS[self.type if self.type in PROJECTS else "office"])
        self.top_n = 0
        self.sub_n = 0
        self.slip_at = rng.choice([None, None, None, 4, 5])
        self.slip_kind = rng.choice(["arabic", "arabic", "repeat", "skip"])
        self.item_style = rng.choice(["{n}.", "{n}、", "{n}、 ", "{n}．"])
        self.numbers()

    # ---- consistent numbers
    def numbers(self) -> None:
        r, st = self.r, self.st
        scale = {"school": (300, 6000), "hospital": (2000, 60000), "office": (100, 3000)}.get(self.type, (150, 20000))
        if self.kind in ("project_self_eval", "performance_evaluation"):
            scale = (20, 3000)
        self.B = money_value(r, st, *scale)
        self.C = Decimal(0) if r.random() < 0.3 else round_to(self.B * Decimal(str(r.uniform(0.01, 0.3))), st)
        self.X = Decimal(0) if r.random() < 0.4 else round_to(self.B * Decimal(str(r.uniform(0.02, 0.4))), st)
        self.P = self.B + self.X
        self.A = self.P + self.C
        rate = Decimal(1) if r.random() < 0.12 else Decimal(str(r.uniform(0.78, 0.999)))
        self.E = min(self.A, round_to(self.A * rate, st))
        self.places_rate = r.choice([2, 2, 2, 1])
        self.rate = q(self.E / self.A * 100, self.places_rate)
        self.Bal = self.A - self.E
        # expenditure from carryover and from this year's appropriation
        self.EC = min(self.C, round_to(self.C * Decimal(str(r.uniform(0.7, 1.0))), st))
        self.EP = self.E - self.EC
        if self.EP > self.P:
            self.EP, self.EC = self.P, self.E - self.P
        # basic/project split (department reports) and personnel/public
        self.Eb = round_to(self.E * Decimal(str(r.uniform(0.25, 0.75))), st)
        self.Ep = self.E - self.Eb
        self.Epers = round_to(self.Eb * Decimal(str(r.uniform(0.7, 0.93))), st)
        self.Epub = self.Eb - self.Epers
        self.Bb = round_to(self.B * Decimal(str(r.uniform(0.25, 0.75))), st)
        self.Bp = self.B - self.Bb
        # 三公经费
        t = lambda lo, hi: round_to(Decimal(str(r.uniform(lo, hi))) * 10000, st)  # noqa: E731
        self.T_recv = t(0.2, 4)
        self.T_car = t(0.5, 12) if r.random() < 0.8 else Decimal(0)
        self.T_abroad = Decimal(0) if r.random() < 0.8 else t(1, 8)
        self.T = self.T_recv + self.T_car + self.T_abroad
        self.T_change = t(0.05, 2)
        self.T_down = r.random() < 0.7
        last = self.T + self.T_change if self.T_down else self.T - self.T_change
        if last <= 0:
            self.T_down, last = True, self.T + self.T_change
        self.T_pct = q(self.T_change / last * 100, 2)
        # staffing
        self.units = r.randint(3, 15)
        self.sub_units = r.randint(0, 6)
        self.I = r.randint(12, 260)
        self.R = r.randint(0, max(1, self.I // 3))
        self.Tot = self.I + self.R
        self.Est = self.I + r.randint(-3, 8)
        self.contract = r.randint(0, 30)
        # scores
        self.grade_family = r.choice(["short", "long"])
        self.questions = None

    # ---- headings
    def top(self, title: str) -> None:
        self.top_n += 1
        self.sub_n = 0
        n = self.top_n
        if self.slip_at and n >= self.slip_at and self.slip_kind == "arabic":
            label = f"{n}、 "
        else:
            shown = n
            if self.slip_at and n == self.slip_at:
                shown = n - 1 if self.slip_kind == "repeat" else n + 1  # 四、 twice, or 五、 for 四、
            label = cn_int(shown) + self.r.choice(["、", "、", "、", "．"])
        self.doc.w(label + title)
        self.doc.nl()

    def sub(self, title: str) -> None:
        self.sub_n += 1
        self.doc.w("（" + cn_int(self.sub_n) + "）" + title)
        self.doc.nl()

    def item_label(self, n: int) -> str:
        return self.item_style.format(n=n)

    def line_start(self) -> None:
        self.doc.para()

    def end_line(self) -> None:
        self.doc.nl()

    # ---- header, title
    def header(self) -> None:
        d, r = self.doc, self.r
        self.web = self.st.source == "web"
        self.pub_date = f"{self.year + 1}-{r.randint(3, 9):02d}-{r.randint(1, 28):02d}"
        if self.web:
            if r.random() < 0.6:
                d.raw("首页 > 政务公开 > 财政预决算 > 部门预决算\n")
            d.raw(f"索引号：{r.randint(100000, 659999)}-{r.randint(1, 9999):04d}/{self.year + 1}-{r.randint(1, 99999):05d}\n")
            d.raw(f"发布机构：{self.dept}\n")
            d.raw(f"发布日期：{self.pub_date}\n")
            if r.random() < 0.7:
                d.raw("时效性：有效\n")
            if r.random() < 0.4:
                d.raw("文号：无\n")
            if r.random() < 0.4:
                d.raw("主题分类：财政、预决算\n")

    def title(self) -> None:
        d, r, y = self.doc, self.r, self.year
        year_text = f"{y}年度" if r.random() < 0.85 else f"{y}年"
        if r.random() < 0.03:
            year_text = "".join("〇一二三四五六七八九"[int(ch)] for ch in str(y)) + "年度"
        if self.kind in ("project_self_eval", "performance_evaluation"):
            name = self.project
            if self.kind == "project_self_eval" and name.endswith("项目"):
                name = name[:-2]  # 基本公共卫生服务项目支出绩效自评报告
            body = year_text + name + self.kind_title
        else:
            body = year_text + self.kind_title
        with_dept = not self.web or r.random() < 0.5
        layout = r.random()
        if self.kind == "performance_evaluation" and with_dept and layout < 0.3:
            line = f"{self.dept}关于{year_text}{self.project}的{self.kind_title}"
            d.raw(line + "\n")
            self.meta_title = line
        elif with_dept and layout < 0.45:
            line = self.dept + body
            d.raw(line + "\n")
            self.meta_title = line
        elif with_dept and self.kind == "project_self_eval" and layout < 0.75:
            d.raw(self.dept + "\n" + year_text + self.project + "\n" + self.kind_title + "\n")
            self.meta_title = self.dept + year_text + self.project + self.kind_title  # the lines joined
        elif with_dept:
            d.raw(self.dept + "\n" + body + "\n")
            self.meta_title = self.dept + body
        else:
            d.raw(body + "\n")
            self.meta_title = body
        if self.web and r.random() < 0.5:
            d.raw(f"来源：{self.dept}　发布时间：{self.pub_date} {r.randint(8, 17)}:{r.randint(0, 59):02d}"
                  f"　浏览次数：{r.randint(50, 5000)}\n字号：[大 中 小]\n")
        elif r.random() < 0.5:
            d.raw("\n")

    def footer(self) -> None:
        d, r = self.doc, self.r
        d.raw("\n" if r.random() < 0.5 else "")
        d.raw(self.dept + "\n")
        d.raw(f"{self.year + 1}年{r.randint(2, 8)}月{r.randint(1, 28)}日\n")
        if self.web:
            d.raw("【我要纠错】　【打印本页】　【关闭窗口】\n")
            d.raw(f"上一篇：{self.dept}{self.year}年度部门决算公开\n")
            d.raw(f"主办：{self.dept}　联系电话：0{r.randint(900, 999)}-{r.randint(2000000, 8999999)}\n")
            d.raw(f"{r.choice(PROVINCE_ABBR)}ICP备{r.randint(10000000, 99999999)}号\n")

    # ---- sections
    def basic(self) -> None:
        r = self.r
        project = self.kind in ("project_self_eval", "performance_evaluation")
        self.top(r.choice(["部门基本情况", "基本情况", "部门概况"]) if not project else "项目基本情况")
        self.sub(r.choice(["部门职能", "主要职责", "职能职责"]))
        duties = DUTIES.get(self.type, DUTIES["office"])
        picked = r.sample(duties, k=min(len(duties), r.randint(2, 4)))
        self.line_start()
        self.doc.w(f"{self.me}主要职责是：" if r.random() < 0.5 else "")
        self.doc.w("；".join(picked) + "。")
        self.end_line()
        self.sub(r.choice(["机构设置及人员情况", "机构设置和人员编制", "人员构成情况"]))
        self.staffing()
        if project:
            self.sub(r.choice(["项目概况", "项目资金安排情况"]))
            self.line_start()
            self.doc.w(f"{self.project}主要用于保障{self.me}相关业务工作开展，项目实施内容包括方案制定、组织实施、监督检查和绩效评价等环节。")
            self.end_line()

    def staffing(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        # internal units
        self.line_start()
        if r.random() < 0.7:
            v = r.random()
            if v < 0.6:
                wr.staff("内设机构", self.units, "internal_units", unit="个", before=f"{self.me}")
                d.w("。" if r.random() < 0.5 else "，分别负责综合协调、业务管理和监督检查等工作。")
            else:
                d.w(f"{self.me}下设")
                wr.staff("内设机构", self.units, "internal_units", unit="个", number_first=True)
                d.w("。")
            if self.sub_units and r.random() < 0.5:
                wr.count(self.sub_units, "个", "下属事业单位", before="下属事业单位", after="。")
        v = r.random()
        I, R, Tot = self.I, self.R, self.Tot
        if v < 0.3:
            # 共有干部28人，其中县级干部4人，科级干部12人，科员10人，工勤2人
            a = r.randint(1, 6)
            b = r.randint(2, max(3, I // 3))
            w_ = r.randint(1, max(1, I // 10))
            c = I - a - b - w_
            if c <= 0:
                c, b = 1, max(1, I - a - w_ - 1)
            wr.staff("共有干部", I, "total", before=f"{self.me}", link=r.choice(["", ""]))
            d.w("，其中")
            wr.staff("县级干部", a, "county_level")
            d.w("，")
            wr.staff("科级干部", b, "section_level", link=r.choice(["", "", "有"]))
            d.w("，")
            wr.staff("科员", c, "clerk")
            d.w("，")
            wr.staff(r.choice(["工勤", "工勤人员"]), w_, "worker")
            d.w("。")
            if self.contract and r.random() < 0.6:
                wr.staff(r.choice(["聘用人员", "临聘人员", "编外人员"]), self.contract, "contract", before="另有", after="。")
            if r.random() < 0.5:
                wr.staff("财政全额拨款供养人数", I, "funded", after="。")
        elif v < 0.65:
            a = r.randint(0, self.Est)
            z = r.randint(0, min(5, self.Est - a))
            b = self.Est - a - z
            unit = r.choice(["个", "名"])
            wr.staff(r.choice(["编制数", "核定编制"]), self.Est, "establishment", unit=unit, before=f"{self.me}")
            d.w("，其中")
            career = r.choice(["事业编制", "事业编制", "参照公务员管理事业编制"])
            admin = "政法专项编制" if self.type == "police" and r.random() < 0.6 else "行政编制"
            parts = [(admin, a), (career, b), ("工勤编制", z)]
            parts = [p for p in parts if p[1] > 0] or [("事业编制", b)]
            for i, (label, n) in enumerate(parts):
                if i:
                    d.w("，")
                wr.staff(label, n, "establishment", unit=unit)
            d.w("。")
            wr.staff(r.choice(["年末实有人数", "实有人数"]), Tot, "total", link=r.choice(["", "为"]))
            d.w("，其中")
            wr.staff(r.choice(["在职", "在职人员"]), I, "in_service")
            d.w(r.choice(["、", "，"]))
            if R >= 2 and r.random() < 0.25:
                lx = r.randint(1, min(3, R - 1))
                wr.staff("离休人员", lx, "retired")
                d.w("，")
                wr.staff("退休人员", R - lx, "retired")
            else:
                wr.staff(r.choice(["退休", "退休人员", "离退休人员"]), R, "retired")
            d.w("。")
            m = r.randint(1, max(1, I // 4))
            w_ = r.randint(0, max(1, I // 10))
            p = I - m - w_
            if p > 0 and r.random() < 0.7:
                d.w("在职人员中，")
                wr.staff("管理人员", m, "management")
                d.w("，")
                wr.staff("专业技术人员", p, "professional")
                if w_:
                    d.w("，")
                    wr.staff("工勤人员", w_, "worker")
                d.w("。")
            if self.contract and r.random() < 0.6:
                wr.staff(r.choice(["编外聘用人员", "聘用人员", "临聘人员"]), self.contract, "contract", before="另有", after="。")
        else:
            wr.staff(r.choice(["核定编制", "编制数"]), self.Est, "establishment", unit="名", before=f"{self.me}")
            d.w("，")
            wr.staff(r.choice(["年末实有人数", "实有人数"]), Tot, "total", link=r.choice(["", "为", "共"]))
            d.w("，其中")
            wr.staff(r.choice(["在职在编", "在职人员"]), I, "in_service")
            d.w("，")
            wr.staff(r.choice(["退休人员", "离退休人员"]), R, "retired")
            d.w("。")
            if self.type == "police":
                wr.staff("辅警", r.randint(20, 300), "contract", unit="名", before="另有")
                d.w("。")
            elif self.type in ("market", "transport") and r.random() < 0.7:
                wr.staff("协管员", r.randint(5, 60), "contract", unit="名", before="聘用")
                d.w("，经费由财政统筹保障。")
            elif self.contract:
                wr.staff(r.choice(["临聘人员", "聘用人员"]), self.contract, "contract", before="另有", after="")
                if r.random() < 0.5:
                    d.w("，经费按")
                    self.per_unit_rate("人/月")
                    d.w("的标准保障")
                d.w("。")
        self.end_line()

    def per_unit_rate(self, per: str) -> None:
        r, st = self.r, self.st
        v = Decimal(r.choice([800, 1200, 1500, 1800, 2000, 2500, 3000]))
        n = st.num(v, 0, sep=False)
        if per == "人/月":
            self.doc.fact("amounts", n + "元/人/月", value_yuan=ystr(v), qualifier="exact", role="other", per="人/月")

    # ---- budget
    def budget(self) -> None:
        r, wr, d, y = self.r, self.wr, self.doc, self.year
        project = self.kind in ("project_self_eval", "performance_evaluation")
        self.top(r.choice(["部门预算执行情况", "预算安排及执行情况", "部门整体支出情况"]) if not project
                 else r.choice(["项目资金情况", "项目资金安排及使用情况"]))
        self.sub(r.choice(["预算安排及调整情况", "资金安排情况"]))
        self.line_start()
        v = r.random()
        if v < 0.35 and not project:
            d.w(f"{y}年{self.me}")
            wr.amount(self.B, "budget_initial", before="年初预算")
            d.w("，其中")
            wr.amount(self.Bb, "basic_expenditure", before="基本支出")
            d.w("，")
            wr.amount(self.Bp, "project_expenditure", before="项目支出")
            d.w("。")
            if self.A != self.B:
                d.w("年度执行中，根据上级追加资金进行了预算调整，")
                wr.amount(self.A, "budget_adjusted", before=r.choice(["全年调整预算为", "调整后预算", "全年预算数为"]))
                d.w("，其中")
                wr.amount(self.P, "appropriation", before=r.choice(["当年财政拨款", "本年财政拨款"]))
                if self.C:
                    d.w("，")
                    wr.amount(self.C, "carryover", before=r.choice(["上年结转", "上年结转资金"]))
                d.w("。")
        elif v < 0.7:
            d.w(f"{y}年，" + (f"{self.project}" if project else f"{self.me}"))
            wr.amount(self.B, "budget_initial", before=r.choice(["年初预算", "预算安排", "年初预算数为", "年初批复预算"]))
            if self.X:
                d.w("，年中追加")
                wr.amount(self.X, "budget_addition")
            if self.C:
                d.w("，")
                wr.amount(self.C, "carryover", before=r.choice(["上年结转资金", "上年结转"]))
            if self.A != self.B:
                d.w("，")
                wr.amount(self.A, "budget_adjusted", before=r.choice(["调整后预算", "全年预算数", "调整预算"]))
            d.w("。")
        else:
            d.w(f"{y}年" + ("该项目" if project else f"{self.me}"))
            wr.amount(self.B, "budget_initial", before="年初预算")
            d.w("，")
            wr.amount(self.A, "budget_adjusted", before=r.choice(["调整预算", "全年预算数"]))
            if self.C:
                d.w("（")
                wr.amount(self.P, "appropriation", before="其中当年财政拨款")
                d.w("，")
                wr.amount(self.C, "carryover", before="上年结转资金")
                d.w("）")
            d.w("，")
            wr.amount(self.E, "expenditure", before=r.choice(["全年执行数", "全年支出"]))
            d.w("，")
            wr.pct(self.rate, "execution_rate", before="执行率")
            d.w("。")
        if project and r.random() < 0.4:
            d.w("项目资金已全部下达，")
            wr.amount(self.A, "funds_received", before="实际到位资金")
            d.w("，")
            wr.pct(Decimal(100), "other", before="资金到位率")
            d.w("。")
        self.end_line()
        self.sub(r.choice(["预算执行情况", "资金使用情况"]))
        self.line_start()
        v = r.random()
        if v < 0.45:
            d.w(f"截至{y}年12月31日，{self.me}")
            wr.amount(self.E, "expenditure", before=r.choice(["全年实际支出", "全年执行数", "累计支出"]))
            d.w("，")
            wr.pct(self.rate, "execution_rate", before=r.choice(["预算执行率", "执行率为", "预算执行率为"]))
            if r.random() < 0.4:
                d.w("，较上年" + r.choice(["提高", "下降"]))
                d.w(self.st.num(Decimal(str(round(r.uniform(0.1, 9.9), 2))), 2, sep=False) + self.st.sp() + "个百分点")
            if self.Bal:
                d.w("，")
                wr.amount(self.Bal, "balance", before="年末结余")
                d.w("，已按规定结转下年使用" if r.random() < 0.5 else "")
            d.w("。")
        elif v < 0.75:
            wr.amount(self.E, "expenditure", before=f"{y}年全年支出")
            d.w("，")
            wr.pct(self.rate, "execution_rate", before="执行率为")
            d.w("。")
            if self.C and self.EP >= 0:
                d.w("其中：")
                wr.amount(self.EP, "expenditure", before="当年财政拨款支出")
                d.w("，")
                wr.amount(self.EC, "expenditure", before="上年结转资金支出")
                d.w("。")
        else:
            wr.amount(self.A, "budget_adjusted", before="全年预算数")
            d.w("，")
            wr.amount(self.E, "expenditure", before="实际支出")
            d.w("，")
            wr.pct(self.rate, "execution_rate", before="预算执行率达到")
            d.w("。")
            if self.Bal and r.random() < 0.6:
                wr.amount(self.Bal, "balance", before="结余资金", after="，主要为项目尾款。")
        self.end_line()
        if not project and r.random() < 0.3:
            self.income()
        if not project:
            self.breakdown()
            if r.random() < 0.75:
                self.three_public()
        elif r.random() < 0.5:
            self.line_start()
            d.w("从支出结构看，")
            parts = self.split(self.E, r.randint(2, 4))
            names = r.sample(["宣传推广支出", "设备购置支出", "劳务费支出", "培训支出", "差旅费支出", "委托业务费支出"], len(parts))
            for i, (nm, val) in enumerate(zip(names, parts)):
                if i:
                    d.w("，")
                wr.amount(val, "expenditure", before=nm)
            d.w("。")
            self.end_line()
        if r.random() < 0.35:
            self.funding_table()
        elif r.random() < 0.15:
            self.unit_line_table()

    def income(self) -> None:
        r, wr, d, st = self.r, self.wr, self.doc, self.st
        other_name = "事业收入" if self.type in ("school", "hospital") else "其他收入"
        S1 = round_to(self.P * Decimal(str(r.uniform(0.005, 0.12))), st)
        I = self.P + S1
        self.line_start()
        wr.amount(I, "income", before=r.choice(["本年收入合计", f"{self.year}年度本年收入合计"]))
        d.w("，其中：")
        wr.amount(self.P, "appropriation", before="财政拨款收入")
        p1 = q(self.P / I * 100, 2)
        wr.pct(p1, "other", before="，占")
        d.w("；")
        wr.amount(S1, "income", before=other_name)
        wr.pct(Decimal(100) - p1, "other", before="，占")
        d.w("。")
        if r.random() < 0.6:
            wr.amount(self.C, "carryover", before="年初结转和结余")
            d.w("，")
            wr.amount(self.Bal, "balance", before="年末结转和结余")
            d.w("。")
        self.end_line()

    def split(self, total: Decimal, k: int) -> list[Decimal]:
        cuts = sorted(round_to(total * Decimal(str(self.r.uniform(0.1, 0.9))), self.st) for _ in range(k - 1))
        vals, prev = [], Decimal(0)
        for c in cuts + [total]:
            vals.append(c - prev)
            prev = c
        return [v for v in vals if v > 0] or [total]

    def breakdown(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        self.line_start()
        v = r.random()
        if v < 0.4:
            d.w(self.item_label(1))
            wr.amount(self.Eb, "basic_expenditure", before="基本支出")
            d.w("，其中")
            wr.amount(self.Epers, "personnel_expenditure", before="人员经费")
            d.w("，主要用于在职人员工资福利、离退休人员生活补助及社会保障缴费；")
            wr.amount(self.Epub, "public_expenditure", before="公用经费")
            d.w("，主要用于办公费、水电费、差旅费、维修费等日常运转支出。")
            self.end_line()
            self.line_start()
            d.w(self.item_label(2))
            wr.amount(self.Ep, "project_expenditure", before="项目支出")
            d.w(f"，主要用于{self.project}等项目。")
        elif v < 0.75:
            d.w("按支出性质分，")
            wr.amount(self.Eb, "basic_expenditure", before="基本支出")
            pb = q(self.Eb / self.E * 100, 2)
            wr.pct(pb, "other", before="，占")
            d.w("；")
            wr.amount(self.Ep, "project_expenditure", before="项目支出")
            wr.pct(Decimal(100) - pb, "other", before="，占")
            d.w("。")
            if r.random() < 0.7:
                d.w("基本支出中，")
                wr.amount(self.Epers, "personnel_expenditure", before="人员经费")
                d.w("，")
                wr.amount(self.Epub, "public_expenditure", before="公用经费")
                d.w("。")
        else:
            wr.amount(self.Eb, "basic_expenditure", before="全年基本支出")
            d.w("（")
            wr.amount(self.Epers, "personnel_expenditure", before="人员经费")
            d.w("、")
            wr.amount(self.Epub, "public_expenditure", before="公用经费")
            d.w("），")
            wr.amount(self.Ep, "project_expenditure", before="项目支出")
            d.w("。")
        self.end_line()

    def three_public(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        self.line_start()
        label = r.choice(["“三公”经费支出", "三公经费支出", "“三公”经费"])
        wr.amount(self.T, "three_public", before=label)
        d.w("，其中")
        wr.amount(self.T_recv, "three_public", before="公务接待费")
        d.w("，")
        wr.amount(self.T_car, "three_public", before=r.choice(["公务用车运行维护费", "公务用车购置及运行维护费"]))
        d.w("，")
        wr.amount(self.T_abroad, "three_public", before="因公出国（境）费")
        d.w("。")
        if r.random() < 0.8:
            word = "减少" if self.T_down else "增加"
            d.w(r.choice(["“三公”经费较上年", "与上年相比", "比上年"]))
            wr.amount(self.T_change, "change", before=word)
            d.w("，")
            wr.pct(self.T_pct, "growth_yoy", before="下降" if self.T_down else "增长")
            d.w("，主要是严格落实中央八项规定精神，压减了公务接待支出。" if self.T_down else "，主要是业务量增加。")
        self.end_line()

    def funding_table(self) -> None:
        r, d, st = self.r, self.doc, self.st
        sep = "|" if r.random() < 0.7 else "\t"
        unit = "元" if st.money == "yuan" else "万元"
        div = Decimal(1) if unit == "元" else Decimal(10000)
        places = 0 if unit == "元" else (4 if st.money == "wan4" else 2)

        def cell(yuan: Decimal, role: str) -> None:
            s = f"{yuan / div:.{places}f}" if yuan else "0"
            d.fact("amounts", s, value_yuan=ystr(yuan), qualifier="exact", role=role)

        def rate_cell(a: Decimal, b: Decimal) -> None:
            if not b:
                d.raw("-")
                return
            v = q(a / b * 100, 2)
            d.fact("percentages", f"{v:.2f}", value=dstr(v), qualifier="exact", role="execution_rate")

        d.w(f"项目资金({unit}){sep}年初预算数({unit}){sep}全年预算数({unit}){sep}全年执行数({unit}){sep}分值{sep}执行率(%){sep}得分")
        d.nl()
        d.w("年度资金总额" + sep)
        cell(self.B, "budget_initial"); d.raw(sep)
        cell(self.A, "budget_adjusted"); d.raw(sep)
        cell(self.E, "expenditure"); d.raw(sep)
        d.fact("scores", "10", value="10", kind="max"); d.raw(sep)
        rate_cell(self.E, self.A); d.raw(sep)
        d.fact("scores", dstr(self.exec_score), value=dstr(self.exec_score), kind="indicator")
        d.nl()
        d.w("其中:当年财政拨款" + sep)
        cell(self.B, "appropriation"); d.raw(sep)
        cell(self.P, "appropriation"); d.raw(sep)
        cell(self.EP, "expenditure"); d.raw(sep + "-" + sep)
        rate_cell(self.EP, self.P); d.raw(sep + "-")
        d.nl()
        d.w("上年结转资金" + sep)
        cell(Decimal(0), "carryover"); d.raw(sep)
        cell(self.C, "carryover"); d.raw(sep)
        cell(self.EC, "expenditure"); d.raw(sep + "-" + sep)
        rate_cell(self.EC, self.C); d.raw(sep + "-")
        d.nl()
        self.table_used = True

    def unit_line_table(self) -> None:
        d, st, r = self.doc, self.st, self.r
        unit = "元" if st.money == "yuan" else "万元"
        div = Decimal(1) if unit == "元" else Decimal(10000)
        places = 0 if unit == "元" else (4 if st.money == "wan4" else 2)
        sep = r.choice(["\t", "|"])
        d.w(f"单位：{unit}")
        d.nl()
        d.w(sep.join(["资金来源", "年初预算数", "全年预算数", "全年执行数"]))
        d.nl()
        rows = [("当年财政拨款", (self.B, "appropriation"), (self.P, "appropriation"), (self.EP, "expenditure"))]
        if self.C:
            rows.append(("上年结转资金", (Decimal(0), "carryover"), (self.C, "carryover"), (self.EC, "expenditure")))
        rows.append(("合计", (self.B, "budget_initial"), (self.A, "budget_adjusted"), (self.E, "expenditure")))
        for label, *cells in rows:
            d.w(label)
            for yuan, role in cells:
                d.raw(sep)
                text = f"{yuan / div:.{places}f}" if yuan else "0"
                d.fact("amounts", text, value_yuan=ystr(yuan), qualifier="exact", role=role)
            d.nl()
        if r.random() < 0.5:
            d.w("预算执行率" + sep)
            d.fact("percentages", dstr(self.rate), value=dstr(self.rate), qualifier="exact", role="execution_rate")
            d.raw(sep + "%")
            d.nl()

    # ---- outputs, events, effects
    def outputs(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        self.top(r.choice(["绩效目标完成情况", "部门整体支出绩效情况", "各项指标完成情况分析", "绩效目标实现情况"]))
        if self.ind_rows:
            self.sub("绩效指标完成情况")
            self.indicator_table()
        self.sub(r.choice(["产出情况", "产出指标完成情况"]))
        pool = COUNTS_BY_TYPE.get(self.type, []) + COUNTS_GENERIC
        pool = [c for c in pool if c[3] > 0]
        chosen = r.sample(pool, k=min(len(pool), r.randint(3, 6)))
        n_items = r.randint(1, 3)
        groups = [chosen[i::n_items] for i in range(n_items)]
        labelled = n_items > 1 and r.random() < 0.7
        for gi, group in enumerate(groups):
            if not group:
                continue
            self.line_start()
            d.w(self.item_label(gi + 1) if labelled else "")
            d.w(r.choice(["本年度", f"{self.year}年，", ""]) if group[0][0].startswith("全年") else
                r.choice(["全年", "本年度", f"{self.year}年，", ""]))
            for i, (tmpl, mw, lo, hi, noun, flags) in enumerate(group):
                if i:
                    d.w("，")
                n = r.randint(lo, hi)
                before, after = tmpl.split("{N}")
                wr.count(n, mw, noun, flags, before=before, after=after)
            if r.random() < 0.5:
                d.w("，")
                self.other_rate()
            d.w("。")
            self.end_line()
        if r.random() < 0.5:
            self.line_start()
            self.amount_misc()
            self.end_line()
        if r.random() < 0.4:
            self.line_start()
            d.w(r.choice(NEGATIVES).format(n=r.randint(2, 30) * 50, m=r.randint(2, 9), self_=self.me))
            self.end_line()
        if self.type in ("commerce", "agri", "culture", "science") or r.random() < 0.25:
            self.events()
        if "人大" in self.dept:
            self.line_start()
            n, m = r.randint(10, 18), r.randint(1, 6)
            wr.event(f"第{cn_int(n)}届人民代表大会第{cn_int(m)}次会议", "meeting", n,
                     before=r.choice(["全力保障", "圆满完成"]), after="的服务保障工作，")
            wr.count(r.randint(100, 400), "人次", "代表", "q", before="服务代表")
            d.w("。")
            self.end_line()
        if self.st.source == "pdf" and r.random() < 0.3:
            self.line_start()
            d.w("质量指标实际值：")
            for _ in range(3):
                v = Decimal(100) if r.random() < 0.4 else q(Decimal(str(r.uniform(80, 99.9))), r.choice([0, 2]))
                d.fact("percentages", f"{dstr(v)}%", value=dstr(v), qualifier="exact", role="other")
            self.end_line()

    def other_rate(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        name = r.choice(OTHER_RATES)
        v = r.random()
        if v < 0.12:
            d.w(name + "达到")
            n = r.choice([60, 70, 75, 80, 85, 90, 95])
            if r.random() < 0.3:
                dec = r.randint(1, 9)
                d.fact("percentages", "百分之" + cn_int(n) + "点" + CN_DIGITS[dec], value=f"{n}.{dec}",
                       qualifier="exact", role="other")
            else:
                d.fact("percentages", "百分之" + cn_int(n), value=str(n), qualifier="exact", role="other")
        elif v < 0.24:
            wr.pct(Decimal(r.choice([85, 90, 95])), "other", before=name + "达到", qual=("以上", "post", "at_least"))
        elif v < 0.29:
            wr.pct(Decimal(r.choice([70, 80])), "other", before="覆盖", qual=("近", "pre", "approx"), after="的行政村")
        elif v < 0.34:
            wr.pct(Decimal(r.choice([1, 2])), "other", before="投诉率", qual=("<", "pre", "less_than"))
            wr.pct(Decimal(r.choice([85, 90])), "other", before="，好评率", qual=(">", "pre", "more_than"))
        elif v < 0.38:
            wr.pct(Decimal(5), "other", before="预算调整率", qual=("≤", "pre", "at_most"))
        elif v < 0.42:
            wr.pct(q(Decimal(str(r.uniform(101, 260))), 2), "completion_rate", before="招商引资到位资金完成率")
        else:
            val = Decimal(100) if r.random() < 0.4 else q(Decimal(str(r.uniform(85, 99.9))), 1)
            wr.pct(val, "other", before=name + r.choice(["", "为", "达"]))

    def amount_misc(self) -> None:
        """One sentence with a per-unit rate, a qualified amount, a range or a Chinese-numeral amount."""
        r, wr, d, st = self.r, self.wr, self.doc, self.st

        def lit(before: str, text: str, yuan, qualifier: str, role: str, after: str, **extra) -> None:
            d.w(before)
            d.fact("amounts", text, value_yuan=ystr(Decimal(yuan)), qualifier=qualifier, role=role, **extra)
            d.w(after)

        def n_(v, places=0) -> str:
            return st.num(Decimal(v), places, sep=False)

        v = r.randrange(25)
        if v == 0:
            val = Decimal(r.choice(["110.5", "120", "80", "150", "200.5"]))
            lit("补贴标准为", "每亩" + n_(val, 1 if val != val.to_integral() else 0) + "元", val, "exact", "other",
                "，资金通过一卡通直接兑付到户", per="亩")
        elif v == 1:
            val = r.choice([600, 650, 800, 1000, 1200])
            lit("按", "生均" + n_(val) + "元", val, "exact", "other", "的标准拨付公用经费", per="生")
        elif v == 2:
            lo = r.choice([1, 2, 3, 5])
            hi = lo + r.choice([2, 3, 5])
            text = f"{lo}-{hi}万元" if r.random() < 0.5 else f"{lo}万至{hi}万元"
            lit("对入选项目给予", text, lo * 10000, "exact", "other", "补助",
                low_yuan=str(lo * 10000), high_yuan=str(hi * 10000))
        elif v == 3:
            n = r.choice([1, 2, 3, 5, 10, 20, 50, 100, 120, 200])
            lit("合计拨付奖励资金人民币", cn_int(n, capital=True) + "万元", n * 10000, "exact", "other", "整")
        elif v == 4:
            n = r.choice([5, 8, 12, 15, 30, 50, 80])
            d.w("通过集中采购节约资金")
            wr.amount(Decimal(n * 10000), "other", unit="万元", qual=("近", "pre", "approx"), space=False)
        elif v == 5:
            n = r.choice([100, 200, 300, 500, 800])
            d.w("累计投入")
            wr.amount(Decimal(n * 10000), "other", unit="万元", qual=("多", "mid", "more_than"), space=False)
        elif v == 6:
            n = r.choice([1000, 2000, 3000, 5000])
            d.w("为群众节省开支")
            wr.amount(Decimal(n), "other", unit="元", qual=("余", "mid", "more_than"), space=False)
        elif v == 7:
            val = q(Decimal(str(r.uniform(1, 60))), 2)
            lit("预计实现交易额", "约" + n_(val, 2) + "亿元", val * 10 ** 8, "approx", "other", "")
        elif v == 8:
            n = r.choice([20, 30, 50, 80])
            lit("平台运维费用", n_(n) + "万元左右", n * 10000, "approx", "other", "")
        elif v == 9:
            n = r.choice([100, 500, 1000])
            lit("单笔支出", "超过" + n_(n) + "万元", n * 10000, "more_than", "other", "的事项须集体研究决定")
        elif v == 10:
            n = r.choice([1, 2, 5])
            lit("项目结余资金", "不足" + n_(n) + "万元", n * 10000, "less_than", "balance", "，已按规定收回")
        elif v == 11:
            n = r.choice([50, 100, 150, 200])
            lit("年度目标值：招商引资到位资金", "≥" + n_(n) + "亿元", n * 10 ** 8, "at_least", "funds_received", "")
        elif v == 12:
            n = r.choice([50, 100, 150, 260])
            lit("年度目标为签约金额", "不低于" + n_(n) + "亿元", n * 10 ** 8, "at_least", "contract_signed", "")
        elif v == 13:
            n = r.choice([2, 3, 5])
            lit("全年争取上级资金", n_(n) + "千万元", n * 10 ** 7, "exact", "other", "")
        elif v == 14:
            val = Decimal(r.choice(["1.5", "2.3", "1.2", "3.6"]))
            lit("项目总投资", n_(val, 1) + "亿元", val * 10 ** 8, "exact", "investment", "")
        elif v == 15:
            n = r.choice([12, 50, 120, 300])
            lit("发放奖补资金", cn_int(n) + "万元", n * 10000, "exact", "other", "")
        elif v == 16:
            n = r.choice([500, 1000, 2000])
            lit("一次性发放慰问金", cn_int(n).replace("二千", "两千") + "元", n, "exact", "other", "")
        elif v == 17:
            n = r.choice([800, 1200, 1500, 2000])
            lit("公益性岗位补贴标准为", "每人每月" + n_(n) + "元", n, "exact", "other", "", per="人/月")
        elif v == 18:
            n = r.choice([1000, 2000, 3000])
            lit("脱贫户产业奖补", "年人均" + n_(n) + "元", n, "exact", "other", "")
        elif v == 19:
            n = r.choice([80, 150, 620, 900])
            lit("上级下达资金", n_(n) + "万", n * 10000, "exact", "funds_received", "")
        elif v == 20:
            n = r.choice([300, 1000, 3000])
            lit("实际到位资金", n_(n) + "余万", n * 10000, "more_than", "funds_received", "")
        elif v == 21:
            val = Decimal(r.choice(["1.2", "2.5", "0.8", "3"]))
            lit("签约金额达", n_(val, 0 if val == val.to_integral() else 1) + "亿", val * 10 ** 8, "exact",
                "contract_signed", "")
        elif v == 22:
            lit("本年度机关运行经费支出", "0元", 0, "exact", "expenditure", "")
        elif v == 23:
            d.w(f"截至{self.year}年12月31日，{self.me}共有车辆")
            k = r.randint(0, 6)
            d.fact("counts", f"{k}辆", value=str(k), unit="辆", qualifier="exact", noun="车辆")
            d.w("；单价")
            lit("", "50万元以上", 500000, "at_least", "other", "通用设备")
            n = r.randint(0, 9)
            d.fact("counts", f"{n}台（套）", value=str(n), unit="台（套）", qualifier="exact", noun="通用设备")
        else:
            a, b = r.choice([(10, 5000), (20, 0), (5, 800), (100, 0)])
            text = cn_int(a * 10000 + b, capital=True) + "元"
            lit("中标金额人民币", text, a * 10000 + b, "exact", "other", "整")
        d.w("。")

    def event_name(self) -> tuple[str, str, int | None]:
        r = self.r
        v = r.random()
        y = self.year
        if v < 0.22:
            ed = r.randint(2, 30)
            edt = str(ed) if r.random() < 0.5 else cn_int(ed)
            return f"第{edt}届{r.choice(EXPO_BODIES)}{r.choice(EXPO_SUFFIX)}", "expo", ed
        if v < 0.3:
            ed = r.randint(2, 12)
            return f"{y}第{cn_int(ed)}届{r.choice(EXPO_BODIES)}博览会", "expo", ed
        if v < 0.36:
            ed = r.randint(2, 12)
            return f"{y}年（第{cn_int(ed)}届）{r.choice(EXPO_BODIES)}交易会", "expo", ed
        if v < 0.40 and r.random() < 0.15:
            ed = r.randint(10, 20)
            return f"第{ed}届中国—东盟博览会", "expo", ed
        if v < 0.48:
            ab = r.choice(ABBREVS)
            if ab in EDITION_ABBREVS and r.random() < 0.6:
                ed = r.randint(*EDITION_ABBREVS[ab])
                return f"第{ed}届{ab}", "expo", ed
            return ab, "expo", None
        if v < 0.56:
            c1, c2 = r.choice(CITIES), r.choice(CITIES2)
            tail = r.choice(["招商引资推介会", "产业招商推介会", "文化旅游推介会", "招商引资推介会暨项目签约仪式"])
            return f"{c1}（{c2}）{tail}", "promotion", None
        if v < 0.62:
            return f"{r.choice(CITIES2)}招商引资推介座谈会", "symposium", None
        if v < 0.68:
            ed = r.randint(2, 9)
            return f"第{cn_int(ed)}届{r.choice(FORUM_BODIES)}论坛", "forum", ed
        if v < 0.73:
            return f"{r.choice(REGIONS)}产业合作对接会", "matchmaking", None
        if v < 0.78:
            return f"{r.choice(CITIES)}重大项目集中签约仪式", "signing", None
        if v < 0.83:
            ed = r.randint(2, 6)
            return f"第{cn_int(ed)}届{r.choice(MEETING_BODIES)}大会", "meeting", ed
        if v < 0.88:
            ed = r.randint(2, 12)
            return f"{y}{r.choice(['赣州国际农产品', '漳州优质农产品', '贵州国际茶产业'])}交易会暨第{cn_int(ed)}届{r.choice(MEETING_BODIES)}大会", "expo", None
        if v < 0.93:
            return r.choice(FESTIVALS), "festival", None
        return f"{r.choice(['医疗辅助器械', '绿色食品', '高原特色农产品', '民族文化用品'])}博览会", "expo", None

    def events(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        self.line_start()
        v = r.random()
        names = []
        while len(names) < 3:
            e = self.event_name()
            if e[0] not in [n[0] for n in names] and e[1] != "festival":
                names.append(e)
        if v < 0.35:
            wr.event(*names[0], before=r.choice(["成功举办", "承办"]))
            d.w("，组团参加")
            wr.event(*names[1])
            d.w("、")
            wr.event(*names[2])
            if r.random() < 0.5:
                d.w("、")
                camp, follow = r.choice(CAMPAIGNS)
                d.w("“")
                wr.event(camp, "campaign", None)
                d.w("”")
            d.w("等大型活动")
            wr.count(r.randint(4, 15), "个", "大型活动", "", after="。")
            d.w("")
        elif v < 0.65:
            k = r.randint(10, 80)
            wr.count(k, "家", "企业", "", before="组织")
            wr.event(*names[0], before="企业参加")
            d.w("，现场签约项目")
            wr.count(r.randint(3, 40), "个", "签约项目", "")
            d.w("，")
            val = Decimal(str(round(r.uniform(1, 300), 2)))
            wr.amount(val * 10 ** 8, "contract_signed", unit="亿元", before=r.choice(["签约金额", "签约总额"]))
            d.w("。")
        elif v < 0.85:
            camp, follow = r.choice(CAMPAIGNS)
            d.w("开展“")
            wr.event(camp, "campaign", None)
            d.w("”" + (follow or "系列活动"))
            wr.count(r.randint(3, 40), "场", "活动", "c")
            d.w("，")
            wr.event(*names[0], before="举办")
            d.w("。")
        else:
            fest = r.choice(FESTIVALS)
            wr.event(fest, "festival", None)
            d.w("期间开展食品安全专项检查")
            wr.count(r.randint(2, 20), "次", "食品安全专项检查", "c")
            d.w("。")
        self.end_line()
        if self.type == "commerce" or (names and r.random() < 0.4):
            self.line_start()
            ev = names[0]
            wr.event(*ev, before="" if r.random() < 0.5 else "其中，")
            d.w("邀请到")
            wr.count(r.randint(10, 60), "个", "团组", "", force_qual="多", after="团组")
            d.w("、")
            wr.count(r.randint(50, 500), "名", "宾客", "", force_qual="多", after="宾客")
            d.w("参展参会，线上线下签约项目")
            wr.count(r.randint(10, 200), "个", "签约项目", "")
            d.w("、")
            val = Decimal(r.randint(10, 900))
            wr.amount(val * 10 ** 8, "contract_signed", unit="亿元", before="签约总额")
            d.w("，分别同比增长")
            wr.pct(q(Decimal(str(r.uniform(1, 40))), 1), "growth_yoy")
            d.w("、")
            wr.pct(q(Decimal(str(r.uniform(1, 40))), 1), "growth_yoy")
            d.w("；推动")
            wr.count(r.randint(2, 12), "家", "企业", "")
            d.w("企业落户，")
            v2 = r.random()
            inv = Decimal(r.randint(5, 80))
            if v2 < 0.5:
                wr.amount(inv * 10 ** 8, "investment", unit="亿元", before="项目总投资",
                          qual=("以上", "post", "at_least"), space=False)
            else:
                wr.amount(inv * 10 ** 8, "investment", unit="亿元", before="项目总投资", space=False)
            d.w("。")
            self.end_line()

    def effects(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        self.sub(r.choice(["效益情况", "效益指标完成情况"]))
        self.line_start()
        name = r.choice(GROWTH.get(self.type, GROWTH_GENERIC))
        wr.pct(q(Decimal(str(r.uniform(0.5, 25))), 1), "growth_yoy", before=name)
        d.w("，")
        rate_name = r.choice(OTHER_RATES)
        d.w(f"{rate_name}较上年提高")
        d.w(self.st.num(Decimal(str(round(r.uniform(0.1, 5), 1))), 1, sep=False) + "个百分点")
        d.w("。")
        if r.random() < 0.4:
            d.w("全年")
            wr.pct(q(Decimal(str(r.uniform(100, 160))), 0), "completion_rate", before="完成目标值的")
            d.w("，超额完成年度目标。")
        if r.random() < 0.3:
            d.w("实际到位资金")
            v = Decimal(str(round(r.uniform(20, 2000), 2)))
            text = self.st.num(v, 2, sep=False) + "万"
            d.fact("amounts", text, value_yuan=ystr(v * 10000), qualifier="exact", role="funds_received")
            d.w("，")
            wr.pct(Decimal(100), "other", before="资金到位率")
            d.w("。")
        self.end_line()
        # satisfaction
        self.sub(r.choice(["满意度情况", "满意度指标完成情况"]))
        self.line_start()
        if r.random() < 0.65:
            n = r.randint(100, 900)
            k = r.randint(int(n * 0.85), n)
            s = r.randint(int(k * 0.85), k)
            d.w(f"{self.me}通过线上线下相结合的方式")
            wr.count(n, "份", "满意度调查问卷", "", before="发放满意度调查问卷")
            d.w("，")
            wr.count(k, "份", "有效问卷", "", before="回收有效问卷")
            d.w("，其中表示满意的")
            wr.count(s, "份", "满意问卷", "")
            d.w("，")
            wr.pct(q(Decimal(s) / Decimal(k) * 100, 2), "satisfaction", before=r.choice(["服务对象满意度为", "群众满意度达", "满意率为"]))
            d.w("。")
        else:
            t = Decimal(r.choice([85, 90, 95]))
            wr.pct(t, "satisfaction", before="年初设定服务对象满意度目标为",
                   qual=r.choice([("≥", "pre", "at_least"), ("不低于", "pre", "at_least")]))
            d.w("，实际")
            a = q(Decimal(str(r.uniform(float(t) + 0.2, 99.5))), 1)
            wr.pct(a, "satisfaction", before="满意度为")
            d.w("，")
            if r.random() < 0.5:
                d.w("高于目标值" + self.st.num(a - t, 1, sep=False) + "个百分点。")
            else:
                d.w("较上年提高" + self.st.num(Decimal(str(round(r.uniform(0.2, 6), 1))), 1, sep=False) + "个百分点。")
        self.end_line()

    # ---- self-evaluation work, scores, grade
    def scores_model(self) -> None:
        r = self.r
        x = r.random()
        target = (Decimal(str(round(r.uniform(90, 99.5), 1))) if x < 0.72 else
                  Decimal(str(round(r.uniform(80, 89.9), 1))) if x < 0.9 else
                  Decimal(str(round(r.uniform(60, 79.9), 1))) if x < 0.98 else
                  Decimal(str(round(r.uniform(45, 59.9), 1))))
        groups = r.choice([[("预算执行率", 10), ("产出指标", 50), ("效益指标", 30), ("满意度指标", 10)],
                           [("决策", 15), ("过程", 25), ("产出", 35), ("效益", 25)],
                           [("决策指标", 20), ("过程指标", 20), ("产出指标", 40), ("效益指标", 20)]])
        loss = int((Decimal(100) - target) * 10)  # tenths
        comps = []
        caps = [w * 10 for _, w in groups]
        losses = [0] * len(groups)
        for _ in range(loss):
            choices = [i for i in range(len(groups)) if losses[i] < caps[i] * 0.6]
            i = r.choice(choices) if choices else 0
            losses[i] += 1
        for (name, w), l in zip(groups, losses):
            comps.append((name, Decimal(w), Decimal(w * 10 - l) / 10))
        self.exec_score = q(Decimal(10) * self.rate / 100, 2)
        if groups[0][0] == "预算执行率":
            comps[0] = (comps[0][0], comps[0][1], self.exec_score)
        self.ind_rows = None
        if r.random() < 0.25:
            comps = self.indicator_model()
        self.comps = comps
        self.S = sum(s for _, _, s in comps)
        for floor, g in GRADES[self.grade_family]:
            if self.S >= floor:
                self.grade = g
                break

    def indicator_model(self) -> list[tuple[str, Decimal, Decimal]]:
        """Rows of a 项目支出绩效自评表 indicator table; returns the score groups they add up to."""
        r = self.r
        k = r.choice([3, 4, 5])
        out_w = {3: [20, 15, 15], 4: [15, 15, 10, 10], 5: [10, 10, 10, 10, 10]}[k]
        eff_w = r.choice([[30], [15, 15]])
        pool = [c for c in COUNTS_BY_TYPE.get(self.type, []) + COUNTS_GENERIC if c[3] > 0 and c[4] != "问题"]
        rows = []

        def deduct(w: int) -> Decimal:
            if r.random() < 0.3:
                return Decimal(r.choice([5, 10, 15, 20, 30])) / 10
            return Decimal(0)

        kinds = ["count", "count", "quality", "time", "cost"]
        r.shuffle(kinds)
        for w in out_w:
            kind = kinds.pop()
            loss = deduct(w)
            if kind == "count":
                tmpl, mw, lo, hi, noun, _ = r.choice(pool)
                t = r.randint(lo, max(lo, min(hi, lo * 4)))
                a = t + r.randint(0, max(1, t // 3)) if not loss else max(0, t - r.randint(1, max(1, t // 5)))
                rows.append(("产出指标", "数量指标", (noun or "培训") + ("次数" if mw == "次" else "数量"),
                             ("count", t, mw, "≥"), ("count", a, mw, ""), w, w - loss))
            elif kind == "quality":
                t = r.choice([85, 90, 95])
                a = q(Decimal(str(r.uniform(t, 100))), 1) if not loss else q(Decimal(str(r.uniform(t - 10, t - 0.5))), 1)
                rows.append(("产出指标", "质量指标", r.choice(OTHER_RATES[:3] + OTHER_RATES[4:]),
                             ("pct", Decimal(t), "≥", "other"), ("pct", a, "", "other"), w, w - loss))
            elif kind == "time":
                rows.append(("产出指标", "时效指标", "资金支付及时率",
                             ("pct", Decimal(100), r.choice(["", "="]), "other"), ("pct", Decimal(100), "", "other"),
                             w, w - loss))
            else:
                t = r.choice([1, 2, 3, 5])
                a = q(Decimal(str(r.uniform(t * 0.6, t * 0.99))), 2) if not loss else q(Decimal(str(r.uniform(t * 1.01, t * 1.3))), 2)
                rows.append(("产出指标", "成本指标", r.choice(["单次活动平均费用", "人均培训成本", "单位服务成本"]),
                             ("money", Decimal(t), "≤"), ("money", a, ""), w, w - loss))
        for w in eff_w:
            loss = deduct(w)
            if r.random() < 0.5:
                name = r.choice(["服务水平", "群众获得感", "行业发展质量", "社会影响力"])
                rows.append(("效益指标", "社会效益指标", name + "提升情况", ("text", "有效提升"),
                             ("text", "有效提升" if not loss else "基本达到"), w, w - loss))
            else:
                t = r.choice([3, 5, 8])
                a = q(Decimal(str(r.uniform(t, t + 10))), 1) if not loss else q(Decimal(str(r.uniform(0.5, t - 0.1))), 1)
                rows.append(("效益指标", "经济效益指标", r.choice(["业务收入增长率", "服务量增长率"]),
                             ("pct", Decimal(t), "≥", "growth_yoy"), ("pct", a, "", "growth_yoy"), w, w - loss))
        loss = deduct(10)
        t = r.choice([85, 90, 95])
        a = q(Decimal(str(r.uniform(t, 99.5))), 1) if not loss else q(Decimal(str(r.uniform(t - 8, t - 0.5))), 1)
        rows.append(("满意度指标", "服务对象满意度指标", "服务对象满意度", ("pct", Decimal(t), "≥", "satisfaction"),
                     ("pct", a, "", "satisfaction"), 10, 10 - loss))
        self.ind_rows = rows
        groups: dict[str, list[Decimal]] = {}
        for row in rows:
            g = groups.setdefault(row[0], [Decimal(0), Decimal(0)])
            g[0] += row[5]
            g[1] += Decimal(row[6])
        return [("预算执行率", Decimal(10), self.exec_score)] + [(k, v[0], v[1]) for k, v in groups.items()]

    def indicator_table(self) -> None:
        d, r = self.doc, self.r
        sep = "|"
        d.w(sep.join(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]))
        d.nl()

        def cell(spec) -> None:
            kind = spec[0]
            if kind == "count":
                _, n, mw, sign = spec
                d.fact("counts", f"{sign}{n}{mw}", value=str(n), unit=mw,
                       qualifier="at_least" if sign else "exact", noun=None)
            elif kind == "pct":
                _, v, sign, role = spec
                d.fact("percentages", f"{sign}{dstr(v)}%", value=dstr(v),
                       qualifier="at_least" if sign == "≥" else "exact", role=role)
            elif kind == "money":
                _, v, sign = spec
                d.fact("amounts", f"{sign}{dstr(v)}万元", value_yuan=ystr(v * 10000),
                       qualifier="at_most" if sign else "exact", role="other")
            else:
                d.w(spec[1])

        for l1, l2, name, target, actual, w, s in self.ind_rows:
            d.w(sep.join([l1, l2, name]) + sep)
            cell(target)
            d.raw(sep)
            cell(actual)
            d.raw(sep)
            d.fact("scores", dstr(Decimal(w)), value=dstr(Decimal(w)), kind="max")
            d.raw(sep)
            d.fact("scores", dstr(Decimal(s)), value=dstr(Decimal(s)), kind="indicator")
            d.raw(sep)
            if s != w:
                d.w(r.choice(["受客观因素影响未完全达到预期", "部分工作推进较慢"]))
            d.nl()
        d.w("总分" + sep * 5)
        d.fact("scores", "100", value="100", kind="max")
        d.raw(sep)
        d.fact("scores", dstr(self.S), value=dstr(self.S), kind="total")
        d.raw(sep)
        d.nl()

    def work(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        self.top(r.choice(["绩效自评工作组织开展情况", "绩效自评工作开展情况", "绩效评价工作开展情况"]))
        self.line_start()
        abbr = r.choice(PROVINCE_ABBR)
        d.w(f"按照《关于开展{self.year}年度预算绩效自评工作的通知》（{abbr}财绩〔{self.year + 1}〕{r.randint(1, 30)}号）要求，")
        d.w(FILLER_WORK[0].format(self=self.me)[len("按照预算绩效管理工作要求，"):])
        d.w(f"，于{self.year + 1}年{r.randint(2, 4)}月至{r.randint(5, 6)}月开展了自评。")
        if r.random() < 0.6:
            n = r.randint(10, 40)
            k = r.randint(int(n * 0.75), n)
            wr.count(n, "项", "绩效指标", "", before="本次自评共设置绩效指标")
            d.w("，")
            wr.count(k, "项", "完成指标", "", before="完成")
            d.w("，")
            wr.pct(q(Decimal(k) / Decimal(n) * 100, 2), "completion_rate", before="指标完成率")
            d.w("。")
        self.end_line()
        if r.random() < 0.5:
            self.line_start()
            d.w(r.choice(FILLER_WORK[1:]).format(self=self.me) + "。")
            self.end_line()

    def conclusion(self) -> None:
        r, wr, d = self.r, self.wr, self.doc
        self.top(r.choice(["绩效自评结果", "自评结论", "评价结论", "绩效自评结果拟应用和公开情况"]))
        self.line_start()
        S = self.S
        v = r.random()
        if v < 0.3:
            d.w(f"经自评，{self.me}{self.year}年度{self.kind_title.replace('报告', '')}")
            wr.score(S, "total", before=r.choice(["得分为", "总分为"]))
            d.w("。")
        elif v < 0.55:
            d.w("对照评分标准，")
            wr.score(Decimal(100), "max", before="满分")
            d.w("，")
            wr.score(S, "total", before=r.choice(["自评得分", "自评总分"]))
            d.w("，其中")
            for i, (name, w, s) in enumerate(self.comps):
                if i:
                    d.w("；")
                wr.score(w, "max", before=f"{name}分值")
                d.w("，")
                wr.score(s, "indicator", before="得分")
            d.w("。")
        elif v < 0.8:
            project = self.kind in ("project_self_eval", "performance_evaluation")
            wr.score(S, "total", before="该项目综合得分" if project else r.choice(["部门整体支出综合得分", "综合得分"]))
            d.w("，其中")
            for i, (name, w, s) in enumerate(self.comps):
                if i:
                    d.w("，")
                wr.score(s, "indicator", before=f"{name}得分")
            d.w("。")
        elif v < 0.87:
            self.end_line()
            self.score_table()
            self.line_start()
            wr.score(S, "total", before=r.choice(["综合得分", "自评得分", "综合得分为"]))
            d.w("。")
        elif v < 0.94:
            wr.score(S, "total", before=r.choice(["经自评，该项目自评得分", "经评价，综合得分为"]))
            d.w("。各项指标得分情况为：")
            for i, (name, w, s) in enumerate(self.comps):
                if i:
                    d.w("；")
                d.w(f"{name}：分值")
                d.fact("scores", dstr(w), value=dstr(w), kind="max")
                d.w("，得分")
                d.fact("scores", dstr(s), value=dstr(s), kind="indicator")
            d.w("。")
        else:
            self.end_line()
            if r.random() < 0.5:
                sep = r.choice(["|", "\t"])
                d.w(sep.join(["项目名称", "主管部门", "自评总分(分)"]))
                d.nl()
                d.w(sep.join([self.project, self.dept]) + sep)
                d.fact("scores", dstr(S), value=dstr(S), kind="total")
                d.nl()
            else:
                d.w("自评总分(分) ")
                d.fact("scores", dstr(S), value=dstr(S), kind="total")
                d.nl()
            self.line_start()
            name, w, s = self.comps[-1]
            wr.score(w, "max", before=f"其中{name}权重为")
            d.w("，")
            wr.score(s, "indicator", before="实际得分")
            d.w("。")
        g = self.grade
        if self.st.source == "pdf" and len(g) == 2 and r.random() < 0.5:
            g_text = g[0] + " " + g[1]
        else:
            g_text = g
        form = r.choice(["自评等级为“{g}”", "自评结果为“{g}”", "评价等级为{g}", "绩效等级：{g}", "评价等级为“{g}”",
                         "评定为{g}", "评价结论为“{g}”", "评价等级：{g}", "自评结论为{g}"])
        d.w(form.format(g=g_text) + "。")
        self.end_line()

    def score_table(self) -> None:
        r, d = self.r, self.doc
        sep = "\t" if r.random() < 0.6 else "|"
        d.w(f"评价指标{sep}权重（分）{sep}得分（分）{sep}得分率")
        d.nl()
        for name, w, s in self.comps:
            d.w(name + sep)
            d.fact("scores", dstr(w), value=dstr(w), kind="max")
            d.raw(sep)
            d.fact("scores", dstr(s), value=dstr(s), kind="indicator")
            d.raw(sep)
            p = q(s / w * 100, 2)
            d.fact("percentages", f"{p:.2f}%", value=dstr(p), qualifier="exact", role="other")
            d.nl()
        d.w("合计" + sep)
        d.fact("scores", "100", value="100", kind="max")
        d.raw(sep)
        d.fact("scores", dstr(self.S), value=dstr(self.S), kind="total")
        d.raw(sep)
        p = q(self.S, 2)
        d.fact("percentages", f"{p:.2f}%", value=dstr(p), qualifier="exact", role="other")
        d.nl()

    def closing(self) -> None:
        r, d = self.r, self.doc
        self.top(r.choice(["存在的问题及改进措施", "存在问题及原因分析", "下一步工作打算"]))
        self.line_start()
        d.w(r.choice(FILLER_PROBLEMS) + "。" + r.choice(FILLER_MEASURES).format(self=self.me) + "。")
        self.end_line()
        if r.random() < 0.4:
            self.top("其他需要说明的问题")
            d.w("无")
            d.nl()

    def compose(self) -> tuple[str, dict]:
        self.table_used = False
        self.header()
        self.title()
        self.scores_model()
        self.basic()
        self.budget()
        if self.r.random() < 0.7:
            self.work()
        self.outputs()
        self.effects()
        self.conclusion()
        self.closing()
        self.footer()
        text = self.doc.text()
        gold = {
            "metadata": {"title": self.meta_title, "department": self.dept, "year": self.year,
                         "report_kind": self.kind, "grade": self.grade},
        }
        for t in FACT_TYPES:
            for f in self.doc.facts[t]:
                assert text[f["start"]:f["end"]] == f["text"], (t, f, text[f["start"]:f["end"]])
            gold[t] = self.doc.facts[t]
        return text, gold


# --------------------------------------------------------------------------- writers per format

def write_docx(path: Path, text: str) -> None:
    import io
    import zipfile
    from docx import Document
    doc = Document()
    for line in text.split("\n"):
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    # the same bytes on every run: rewrite the package with fixed member timestamps
    buf.seek(0)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))


_PDF_READY = False
PDF_FONT = "STSong-Light"
WORD_ARTEFACT = re.compile(r"\[bookmark:[^\]\n]*\]")
# A line may not start with closing punctuation (Word and WPS push the character before it down).
NO_LINE_START = set("，。、；：？！）》」』”’,.;:?!)")


def pdf_wrap(line: str, avail: float, size: float) -> list[str]:
    """`line` broken at the page width like a paragraph PDF: anywhere, inside numbers and names too."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    out: list[str] = []
    current, width = "", 0.0
    for ch in line:
        w = stringWidth(ch, PDF_FONT, size)
        if current and width + w > avail:
            if ch in NO_LINE_START and len(current) > 1:
                out.append(current[:-1])
                current = current[-1]
                width = stringWidth(current, PDF_FONT, size)
            else:
                out.append(current)
                current, width = "", 0.0
        current += ch
        width += w
    return out + [current]


def table_cells(line: str) -> list[str] | None:
    """The cells of a table row as composed ("|" or tab between cells), None for prose."""
    for sep in ("|", "\t"):
        if sep in line:
            return line.split(sep)
    return None


def printable(text: str) -> tuple[str, frozenset[int]]:
    """(what a PDF of `text` shows, the indexes of `text` it leaves out).

    A PDF is printed, not converted from Word: it shows no `[bookmark: _GoBack]`.
    """
    left_out = frozenset(k for m in WORD_ARTEFACT.finditer(text) for k in range(*m.span()))
    return WORD_ARTEFACT.sub("", text), left_out


def write_pdf(path: Path, text: str, rng: random.Random) -> None:
    """A paragraph PDF: prose wrapped at the page width, tables drawn as columns of cells.

    Page margins and font size vary between documents, so lines break at different places. A table
    row is drawn cell by cell at its column's position, as Word or WPS print a table: its text layer
    is a line of cells apart by wide gaps (the reader gives runs of spaces), never "|".
    """
    global _PDF_READY
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    if not _PDF_READY:
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
        _PDF_READY = True
    width, height = A4
    margin = rng.choice([56, 72, 90])
    base = rng.choice([10.5, 12.0, 14.0])
    left, top, bottom = margin, 64, 56
    avail = width - 2 * margin
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    y = height - top

    def advance(lead: float) -> None:
        nonlocal y
        if y - lead < bottom:
            c.showPage()
            y = height - top
        y -= lead

    lines = text.split("\n")
    k = 0
    while k < len(lines):
        rows = []
        while k < len(lines) and table_cells(lines[k]) is not None:
            rows.append(table_cells(lines[k]))
            k += 1
        if rows:  # one table: column widths from its widest cells, shrunk to the page if need be
            ncol = max(len(r) for r in rows)
            cols = [max((pdfmetrics.stringWidth(r[j], PDF_FONT, base) for r in rows if j < len(r)), default=0.0)
                    for j in range(ncol)]
            gap = 2 * base
            total = sum(cols) + gap * (ncol - 1)
            scale = min(1.0, avail / total) if total else 1.0
            size = base * scale
            for r in rows:
                advance(max(size * 1.6, 6.0))
                x = left
                for j, cell in enumerate(r):
                    if cell.strip():
                        c.setFont(PDF_FONT, size)
                        c.drawString(x, y, cell)
                    x += (cols[j] + gap) * scale
            continue
        for piece in pdf_wrap(lines[k], avail, base):
            advance(base * 1.5)
            if piece:
                c.setFont(PDF_FONT, base)
                c.drawString(left, y, piece)
        k += 1
    c.showPage()
    c.save()


def write_html(path: Path, text: str, title: str) -> None:
    """A page: one <p> per line of prose, a <table> for each run of table rows."""
    blocks, rows = [], []
    for line in text.split("\n") + [""]:
        cells = table_cells(line)
        if cells is not None:
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
            continue
        if rows:
            blocks.append("<table border=\"1\">\n" + "\n".join(rows) + "\n</table>")
            rows = []
        blocks.append(f"<p>{html.escape(line)}</p>")
    body = "\n".join(blocks[:-1])  # the last is the sentinel line
    page = (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n"
        "<script>var _hmt = _hmt || []; (function () { var hm = document.createElement('script'); "
        "hm.src = '/stat.js'; document.head.appendChild(hm); })();</script>\n</head>\n<body>\n"
        "<nav><a href=\"/\">首页</a> &gt; <a href=\"/zwgk/\">政务公开</a> &gt; <a href=\"/zwgk/czyjs/\">财政预决算</a></nav>\n"
        f"<div class=\"content\">\n{body}\n</div>\n"
        "<footer><a href=\"/about/\">关于我们</a> | <a href=\"/map/\">网站地图</a></footer>\n</body>\n</html>\n"
    )
    path.write_text(page, encoding="utf-8")


# --------------------------------------------------------------------------- main

def choose_format(rng: random.Random, mix: dict[str, float]) -> str:
    x, acc = rng.random() * sum(mix.values()), 0.0
    for fmt, p in mix.items():
        acc += p
        if x < acc:
            return fmt
    return next(iter(mix))


def crlf(text: str, gold: dict) -> str:
    """text with CRLF line ends; the gold offsets of `gold` are moved to match (and checked)."""
    import bisect
    ends = [k for k, ch in enumerate(text) if ch == "\n"]
    out = text.replace("\n", "\r\n")
    for t in FACT_TYPES:
        for f in gold[t]:
            f["start"] += bisect.bisect_left(ends, f["start"])
            f["end"] += bisect.bisect_left(ends, f["end"])
            assert out[f["start"]:f["end"]] == f["text"], (t, f)
    return out


def read_back(path: Path) -> str:
    """The text the project's reader returns for `path` (this repository's `extract`, not an installed one)."""
    root = str(Path(__file__).resolve().parent.parent)
    if sys.path[0] != root:
        sys.path.insert(0, root)
    from extract.readers import read_file
    return read_file(path, 1 << 30).text


def align(composed: str, read: str, dropped: str = "", skip: frozenset[int] = frozenset()) -> list[int]:
    """For each character of `composed`, its index in `read` (-1 for whitespace the reader dropped).

    A reader changes only whitespace: it breaks lines (PDF wraps, table rows), widens or drops
    spaces (PDF cells, HTML), drops indents and blank lines; the characters in `dropped` (the "|"
    between cells) may go or come (a PDF draws cells as columns, an HTML table row is read as cells
    joined by "|"), and so may the composed characters at the indexes in `skip` (what the writer
    left out). Every other character must come back in order, or the format writer is wrong
    (ValueError).
    """
    where = [-1] * len(composed)
    j = 0
    for i, ch in enumerate(composed):
        if i in skip:
            continue
        if ch.isspace() or ch in dropped:
            if j < len(read) and read[j] == ch:
                where[i] = j
                j += 1
            continue
        while j < len(read) and (read[j].isspace() or read[j] in dropped):
            j += 1
        if j >= len(read) or read[j] != ch:
            got = read[j:j + 10] if j < len(read) else "the end"
            raise ValueError(f"reader text differs at composed index {i} ({composed[i:i + 10]!r}): {got!r}")
        where[i] = j
        j += 1
    return where


def gold_for_reader(path: Path, text: str, gold: dict, dropped: str = "",
                    skip: frozenset[int] = frozenset()) -> None:
    """Move every gold span of `gold` (on the composed `text`) onto the text the reader returns."""
    read = read_back(path)
    where = align(text, read, dropped, skip)
    for t in FACT_TYPES:
        for f in gold[t]:
            start, end = where[f["start"]], where[f["end"] - 1] + 1
            if start < 0 or end <= 0:
                raise ValueError(f"{path.name}: {t} fact {f['text']!r} starts or ends with whitespace")
            seen = read[start:end]
            if "".join(seen.split()) != "".join(f["text"].split()):
                raise ValueError(f"{path.name}: {t} fact {f['text']!r} reads back as {seen!r}")
            f.update(text=seen, start=start, end=end)


def generate(i: int, seed: int, mix: dict[str, float], out: Path) -> tuple[str, int]:
    rng = random.Random(seed * 1_000_003 + i)
    frng = random.Random(seed * 7_919 + i * 31 + 1)
    fmt = choose_format(frng, mix)
    text, gold = Report(rng).compose()
    stem = f"{i:05d}"
    if fmt in ("txt", "gbk") and frng.random() < 0.05:
        text = crlf(text, gold)  # Windows line ends: offsets move by one per earlier line end
    path = out / (stem + EXT[fmt])
    if fmt == "gbk":
        try:
            data = text.encode("gbk")
        except UnicodeEncodeError:
            fmt, data = "txt", text.encode("utf-8")
        path.write_bytes(data)
    elif fmt == "txt":
        bom = b"\xef\xbb\xbf" if frng.random() < 0.05 else b""  # a BOM does not move offsets
        path.write_bytes(bom + text.encode("utf-8"))
    elif fmt == "docx":
        write_docx(path, text)
    elif fmt == "pdf":
        printed, left_out = printable(text)
        write_pdf(path, printed, random.Random(seed * 104_729 + i * 17 + 3))
        gold_for_reader(path, text, gold, dropped="|", skip=left_out)
    else:
        write_html(path, text, gold["metadata"]["title"])
    if fmt in ("docx", "html"):
        gold_for_reader(path, text, gold, dropped="|" if fmt == "html" else "")
    record = {"source": path.name, **gold}
    if fmt != "txt":
        record = {"source": path.name, "format": fmt, **gold}
    gpath = out / (stem + ".gold.json")
    gdata = json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")
    gpath.write_bytes(gdata)
    return fmt, path.stat().st_size + len(gdata)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of reports")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--formats", default=",".join(FORMATS),
                    help="comma-separated subset of txt,gbk,docx,pdf,html (default mix: mostly txt)")
    a = ap.parse_args(argv)
    wanted = [f.strip() for f in a.formats.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        ap.error(f"unknown format(s): {', '.join(bad) or '(none)'}; choose from {','.join(FORMATS)}")
    mix = {f: DEFAULT_MIX[f] for f in FORMATS if f in wanted}
    a.outdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    counts = {f: 0 for f in FORMATS}
    total = 0
    for i in range(a.n):
        fmt, size = generate(i, a.seed, mix, a.outdir)
        counts[fmt] += 1
        total += size
    dt = time.perf_counter() - t0
    per = ", ".join(f"{f} {counts[f]}" for f in FORMATS if counts[f] or f in wanted)
    print(f"{a.n} reports in {a.outdir}: {per}; {total / 1e6:.1f} MB (reports + gold); {dt:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
