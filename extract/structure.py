"""Title, department, year, report kind, section tree and sentences of a normalized text.

All positions here are indexes into the normalized text; the pipeline maps them back.

Metadata is read from where real pages put it: the page shell (索引号 / 发布机构 rows, breadcrumbs),
the title (possibly wrapped over lines, or run into one long line by a document site), the fields of
a self-evaluation form (部门:, 单位名称, 实施单位, 主管部门, a code before the unit), part headings
(第一部分 XX局概况). The department is taken from the strongest source that names a unit
(patterns/structure.yaml `department_sources`, by rank); no source, no department: a wrong name is
worse than none.

Numbering slips are tolerated: a Chinese-numbered heading is always top level (the seed has 四、
after 五、), and an Arabic `N、` that cannot continue the current `1、 2、 3、` run but does continue
the top-level count is promoted to top level (the seed's `5、 绩效自评结果…` after `四、`). A numbered
list sentence (`1.基本支出1,026.04万元，其中…`) is not a heading.
"""

from __future__ import annotations

import bisect
import functools
from collections import Counter
from dataclasses import dataclass, field

import regex

from . import departments, patterns
from .numbers import parse_number


_NAME = regex.compile(r"[\p{Han}A-Za-z（）()]{2,40}")       # a unit's name, nothing else
_NAME_RUN = regex.compile(r"[\p{Han}（）()]{2,60}")          # a field value before it is cut
_TITLE_PART = regex.compile(r"[\p{Han}A-Za-z0-9（）()“”\s]+")
_NOT_DIGIT = regex.compile(r"[^0-9一二三四五六七八九十]")   # 第一部分 / （十二） -> its number
_BULLETS = regex.compile(r"^[\s\-•·*|《“]+")
# Patterns anchored at the end are searched backwards ((?r)): a forward search would retry a long
# run of spaces from each of its characters (quadratic: 146 s for a 100,000-space label row).
_TRAILING = regex.compile(r"(?r)[\s|》”]+$")
_PARENTHETICAL = regex.compile(r"[(（][^()（）]{1,40}[)）]")
_TRAILING_PAREN = regex.compile(r"(?r)\s*[(（][^()（）]{1,40}[)）]\s*$")
_HAN = regex.compile(r"\p{Han}")
_UNIT_NOTE = regex.compile(r"(?r)[(（](?P<inner>[\p{Han}]{2,30})[)）]$")    # 档案馆(本级)
_LABEL_ROW = regex.compile(r"^(?P<label>(?:[^\s:：|\d]\s*){1,6}?)[:：]\s*")  # 名称: / 标  题：
_HEAD_LINES = 100         # the title and the page shell sit in the first lines...
_HEAD_CHARS = 10000       # ...and the first characters (accessibility menus can be long)
_NAME_LINES = 6           # a unit's name alone on a line counts only this close to the title


@dataclass(slots=True)
class Heading:
    label: str
    title: str
    level: int
    number: int | None
    start: int          # start of the heading line
    end: int = 0        # end of the section (next heading of the same or higher level)
    path: str = ""


@dataclass(slots=True)
class Structure:
    title: str | None = None
    title_span: tuple[int, int] | None = None
    department: str | None = None
    year: int | None = None
    report_kind: str | None = None
    headings: list[Heading] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)

    def section_at(self, pos: int) -> str:
        """The path of the innermost section containing normalized position `pos` ('' before any)."""
        i = bisect.bisect_right(self._starts, pos) - 1
        while i >= 0:
            h = self.headings[i]
            if h.start <= pos < h.end:
                return h.path
            i -= 1
        return ""


@dataclass(slots=True)
class _Candidate:
    """A unit's name found somewhere, with the rank of the place it was found in."""
    rank: int
    pos: int
    name: str
    source: str


def _words(words) -> str:
    return patterns.alternation(list(words))


def _spaced(words) -> str:
    """An alternation of words that may be spaced out on a page (`标  题`, `发 布 机 构`)."""
    return "|".join(r"\s*".join(regex.escape(ch) for ch in w) for w in sorted(words, key=len, reverse=True))


def _field_regex(fields: list[dict], tail: str, contacts: str) -> regex.Pattern | None:
    """`label [(盖章)] [:|\\s]* value`; a label that needs a colon must not sit inside a longer word
    (主管部门: is not 部门:). A label paired with a contact's (实施单位/项目负责人 某中心/韩志远) is read
    with its pair in group `pair`."""
    if not fields:
        return None
    loose = [f["label"] for f in fields if not f.get("colon")]
    strict = [f["label"] for f in fields if f.get("colon")]
    alts = []
    if loose:
        alts.append(r"(?:" + _words(loose) + r")" + tail + r"[\s:：|•·\-]{0,12}")
    if strict:
        alts.append(r"(?<![\p{Han}])(?:" + _words(strict) + r")" + tail + r"\s*[:：][\s|]{0,6}")
    return regex.compile(r"(?:" + "|".join(alts) + r")(?:/(?P<pair>" + contacts + r")[\s:：|]{0,6})?")


@functools.cache
def _compiled():
    data = patterns.load("structure")
    heads = [
        (h["level"], h["id"], regex.compile(r"[ \t]*(" + h["label"] + r")"))
        for h in data["headings"]
    ]
    kinds = []
    for kind, kws in data["report_kinds"].items():
        for kw in kws:
            kinds.append((kind, tuple(kw) if isinstance(kw, list) else (kw,)))
    org = _words(data["org_suffixes"])
    region = _words(data["region_suffixes"])
    followers = _words(data["department_followers"])
    tail = data["field_label_tail"]
    contacts = _words(data["contact_labels"])
    sources = []
    for s in data["department_sources"]:
        sources.append({
            "id": s["id"], "rank": int(s["rank"]),
            "fields": _field_regex(s.get("fields") or [], tail, contacts),
            "contact": bool(s.get("contact")),
            "pattern": regex.compile(s["pattern"], regex.M) if s.get("pattern") else None,
            "kinds": tuple(s.get("kinds") or ()),
            "levels": tuple(s.get("levels") or ()),
            "written_as": tuple(s.get("written_as") or ()),
            "places": bool(s.get("places")),
        })
    organizers = data["department_organizers"]
    selfref = data["self_reference"]
    return {
        "organizers": {"fields": _field_regex([{"label": f} for f in organizers["fields"]], tail, contacts),
                       "pattern": regex.compile(organizers["pattern"]),
                       "min_rank": int(organizers["min_rank"])},
        "self_reference": {
            "rx": regex.compile(r"我(?P<kind>" + _words(selfref["words"]) + r")"),
            "ends": {k: tuple(v) for k, v in selfref["words"].items()},
            "min_count": int(selfref["min_count"]), "min_rank": int(selfref["min_rank"]),
        },
        "heads": heads,
        "kinds": kinds,
        "body_cues": data["report_kind_body_cues"],
        "org_end": regex.compile(r"(?:" + org + r")$"),
        # places written before a unit's name: 岷峪县|城东镇社区卫生服务中心, 安平市城南区|财政局
        "places": regex.compile(r"(?:\p{Han}{1," + str(int(data["place_name_max"])) + r"}?(?:" + region + r")){1,3}"),
        "places_reach": 3 * (int(data["place_name_max"]) + 3),
        "region_end": regex.compile(r"(?:" + region + r")$"),
        # a unit (or a place) leading a piece of a title, up to a word that follows names there
        "title_unit": regex.compile(
            r"(?P<dept>[\p{Han}A-Za-z（）()]{2,40}?(?:" + org + r"|" + region + r"))"
            r"(?=" + followers + r"|[“\"《]|$)"
        ),
        "rejects": regex.compile(data["department_rejects"]),
        "scope_notes": frozenset(data["unit_scope_notes"]),
        "contact_next": regex.compile(r"[\s|:：/]{0,6}(?:" + contacts + r")"),
        "site_separator": regex.compile(data["title_site_separator"]),
        "posts": regex.compile(_words(data["person_posts"])),
        "cuts": regex.compile(_words(data["field_value_cuts"])),
        "code": regex.compile(data["unit_code"]),
        "sources": sources,
        "year": regex.compile(data["year_pattern"]),
        "form_year": regex.compile(data["form_year"]),
        "body_year": regex.compile(data["body_year"]),
        "body_year_min": int(data["body_year_min_count"]),
        "body_year_strong": regex.compile(data["body_year_strong"]),
        "date": regex.compile(data["date"]),
        "body_year_window": int(data["body_year_window"]),
        "meta": regex.compile(r"^(?:" + _spaced(data["metadata_prefixes"]) + r")"
                              r"|^(?:" + _words(data["metadata_stubs"]) + r")\s*[:：]"),
        "crumb": regex.compile(data["crumb_separator"]),
        "title_fields": frozenset(data["title_fields"]),
        "title_cuts": regex.compile(data["title_cuts"]),
        "title_endings": tuple(data["title_endings"]),
        "title_rejects": regex.compile(data["title_rejects"]),
        "title_lead": regex.compile(data["title_lead"]),
        "max_title_lines": int(data["max_title_lines"]),
        "title_year_line": regex.compile(data["title_year_line"]),
        "run_in": regex.compile(data["run_in_title"]),
        "title_kw": regex.compile(_words(data["title_keywords"])),
        "title_stop": regex.compile(data["title_stops"]),
        "max_title": int(data["max_title"]),
        "heading_sentence": regex.compile(data["heading_sentence"]),
        "duty": regex.compile(r"(?:" + _words(data["duty_verbs"]) + r")"),
        "duty_end": regex.compile(data["duty_end"]),
        "sentence_end": regex.compile(data["sentence_end"]),
    }


def lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without its newline."""
    out, pos = [], 0
    for part in text.split("\n"):
        out.append((pos, pos + len(part)))
        pos += len(part) + 1
    return out


def analyze(text: str) -> Structure:
    """Title, kind, year, department and section tree of one normalized text."""
    c = _compiled()
    spans = lines(text)
    st = Structure()
    head = [(a, b) for a, b in spans if text[a:b].strip() and a < _HEAD_CHARS][:_HEAD_LINES]
    _title(text, head, st, c)
    st.report_kind = _kind(text, st.title, c)
    st.year = _year(text, st.title, c)
    st.department = _department(text, spans, head, st, c)
    st.headings = _headings(text, spans, st, c)
    st._starts = [h.start for h in st.headings]
    return st


# ---------------------------------------------------------------- lines of the page head

def _line_kind(line: str, c) -> str:
    """'shell' (page metadata), 'crumb' (首页 > …), 'label' (a short `label: value` row),
    'heading' (a numbered section) or 'text'."""
    s = _BULLETS.sub("", line)
    parts = [p for p in c["crumb"].split(s) if p.strip()]
    if len(parts) >= 3 or (len(parts) == 2 and "首页" in s):
        return "crumb"
    if c["meta"].match(s):
        return "shell"
    if _LABEL_ROW.match(s):
        return "label"
    if _heading_match(line, c):
        return "heading"
    return "text"


def _heading_match(line: str, c):
    for level, _id, rx in c["heads"]:
        m = rx.match(line)
        if m and m.end() < len(line.rstrip()):
            return level, m
    return None


# ---------------------------------------------------------------- title

def _title(text: str, head, st: Structure, c) -> None:
    """The first line (or run of up to max_title_lines short lines) that reads as a title."""
    kinds = _Kinds(text, head, c)
    for n, (a, b, kind) in enumerate(kinds):
        if kind == "heading" and _heading_match(text[a:b], c)[0] == 1:
            return  # the body has begun (一、 / 第一部分) and no title came before it
        if kind == "shell" and _title_field(text[a:b], c):
            kind = "label"  # `称: X`, a 名称 row cut short
        if kind in ("shell", "crumb", "heading"):
            continue
        seg = _segment(text, a, b, kind, c)
        if seg is None:
            continue
        s0, e0 = seg
        if e0 - s0 > 80 or c["title_rejects"].search(text, s0, e0):
            m = c["run_in"].search(text, s0, e0)
            if m and _valid_title(m.group("title"), c):
                _set_title(st, text, m.start("title"), m.end("title"))
                return
            continue
        # a title wrapped over lines: 遵义市投资促进局 / 2023年度招商引资工作经费 / 项目支出绩效自评报告
        parts = [(s0, e0)]
        while _title_piece(text[parts[-1][0]:parts[-1][1]], c):
            joined = "".join(text[s:e] for s, e in parts)
            if _complete(joined, c):
                if _valid_title(joined, c) and (len(parts) == 1 or _title_lead(text[s0:e0], c)):
                    k = n + len(parts)
                    if k < len(kinds):
                        nxt = _segment(text, kinds[k][0], kinds[k][1], "text", c)
                        if nxt and c["title_year_line"].match(text[nxt[0]:nxt[1]]):
                            parts.append(nxt)  # 项目支出绩效自评表 / (2022年度)
                    _set_title(st, text, s0, parts[-1][1], parts)
                    return
                break
            k = n + len(parts)
            if len(parts) >= c["max_title_lines"] or k >= len(kinds) or kinds[k][2] != "text":
                break
            nxt = _segment(text, kinds[k][0], kinds[k][1], "text", c)
            if nxt is None or _starts_with_unit(text[nxt[0]:nxt[1]], c):
                break  # the next line is a title of its own (a unit's name starts it)
            parts.append(nxt)


class _Kinds:
    """(start, end, _line_kind) of each line of the page head, worked out when first asked for: the
    title is usually found in the first lines, and a page head can have a hundred."""

    def __init__(self, text: str, head, c):
        self.text, self.head, self.c = text, head, c
        self.memo: dict[int, tuple[int, int, str]] = {}

    def __len__(self) -> int:
        return len(self.head)

    def __getitem__(self, k: int) -> tuple[int, int, str]:
        hit = self.memo.get(k)
        if hit is None:
            a, b = self.head[k]
            hit = self.memo[k] = (a, b, _line_kind(self.text[a:b], self.c))
        return hit

    def __iter__(self):
        return (self[k] for k in range(len(self.head)))


def _title_field(line: str, c) -> bool:
    m = _LABEL_ROW.match(_BULLETS.sub("", line))
    return bool(m and "".join(m.group("label").split()) in c["title_fields"])


def _segment(text: str, a: int, b: int, kind: str, c) -> tuple[int, int] | None:
    """The part of a line that can be a title: bullets, table cells, file names and glued form
    fields cut off; for `名称: X` rows, X."""
    line = text[a:b]
    lead = len(line) - len(_BULLETS.sub("", line))
    s = a + lead
    if kind == "label":
        m = _LABEL_ROW.match(text[s:b])
        if not m or "".join(m.group("label").split()) not in c["title_fields"]:
            return None
        s += m.end()
    body = text[s:b]
    cut = c["title_cuts"].search(body)
    if cut and cut.start() > 0:
        body = body[: cut.start()]
    body = _TRAILING.sub("", body)
    if len(body.strip()) < 4:
        return None
    return s, s + len(body)


def _title_piece(line: str, c) -> bool:
    return bool(line.strip()) and not c["title_rejects"].search(line) and not c["date"].search(line)


def _complete(title: str, c) -> bool:
    """Does the title end as titles end (`…自评报告`, `…自评表(2016年度)`)?"""
    core = _TRAILING_PAREN.sub("", title).rstrip()
    return core.endswith(c["title_endings"])


def _valid_title(title: str, c) -> bool:
    t = "".join(title.split())
    if not 4 <= len(t) <= 80 or c["title_rejects"].search(t) or not c["title_kw"].search(t):
        return False
    return bool(_kind_of(t, c) or c["year"].search(t))


def _title_lead(line: str, c) -> bool:
    """A short line that can head a wrapped title: the unit's name, a year, or 关于…"""
    line = line.strip()
    if len(line) > 40 or not _TITLE_PART.fullmatch(line) or c["date"].search(line):
        return False
    return bool(c["org_end"].search(line) or c["year"].search(line) or c["title_lead"].search(line))


def _starts_with_unit(line: str, c) -> bool:
    m = c["title_unit"].match(c["year"].split(line.strip())[0])
    return bool(m and c["org_end"].search(m.group("dept")) and not c["rejects"].search(m.group("dept")))


def _set_title(st: Structure, text: str, start: int, end: int, parts=None) -> None:
    raw = "".join(text[s:e] for s, e in parts) if parts else text[start:end]
    st.title = "".join(raw.split())  # PDF line breaks and spaces inside a title carry nothing
    st.title_span = (start, end)


# ---------------------------------------------------------------- kind and year

def _kind_of(title: str, c) -> str | None:
    for kind, words in c["kinds"]:
        if all(w in title for w in words):
            return kind
    return None


def _kind(text: str, title: str | None, c) -> str | None:
    """From the title; with no title, from the words the body uses most."""
    if title:
        return _kind_of(title, c)
    counts = Counter()
    for kind, cues in c["body_cues"].items():
        counts[kind] = sum(text.count(cue) for cue in cues)
    best = max(counts.values(), default=0)
    if not best:
        return None
    return next(k for k in c["body_cues"] if counts[k] == best)


def _year(text: str, title: str | None, c) -> int | None:
    """The fiscal year reported on: the title's, the form's (`(2023年度)`, `预算年度:2024`), else the
    year the body names most often (dates, range ends and comparisons `比2016年` aside)."""
    if title:
        m = c["year"].search(title)
        if m:
            return int(m.group(1)) if m.group(1) else int(parse_number(m.group(2)))
    m = c["form_year"].search(text, 0, min(len(text), 3000))
    if m:
        return int(m.group(1) or m.group(2))
    years = Counter()
    for m in c["body_year"].finditer(text, 0, min(len(text), c["body_year_window"])):
        years[m.group(1)] += 2 if c["body_year_strong"].match(text, m.end(1)) else 1
    if not years:
        return None
    year, count = max(years.items(), key=lambda kv: kv[1])
    return int(year) if count >= c["body_year_min"] else None


# ---------------------------------------------------------------- department

def _unit(value: str, c, allow_region: bool = False) -> str | None:
    """`value` as a unit's name (code before it dropped), or None. Brackets at its end stay when they
    are part of the name as written: 档案馆(本级), 文化和旅游局(广播电视新闻出版局)."""
    name = c["code"].sub("", value).strip()
    if not _NAME.fullmatch(name) or c["rejects"].search(name):
        return None
    if name.count("(") + name.count("（") != name.count(")") + name.count("）"):
        return None
    note = _UNIT_NOTE.search(name)
    if note and note.start() >= 2:
        inner = note.group("inner")
        if inner not in c["scope_notes"] and not (c["org_end"].search(inner) and not c["rejects"].search(inner)):
            return None
        if _unit(name[: note.start()], c, allow_region) is None:
            return None
        return name
    if c["org_end"].search(name) or (allow_region and c["region_end"].search(name)):
        return name
    return None


def _field_value(text: str, pos: int, c, allow_region: bool) -> str | None:
    """The unit written at `pos` (after a field label): a code, then a name up to the next field."""
    m = c["code"].match(text[pos:pos + 24])  # the pattern is anchored at ^: match on a slice
    if m:
        pos += m.end()
    run = _NAME_RUN.match(text, pos)
    if not run:
        return None
    value = run.group()
    if regex.match(r"\s*[、，,]\s*\p{Han}", text[run.end():run.end() + 4]):
        return None  # a list of units (某县第一中学、某县第二中学) names none of them
    cut = c["cuts"].search(value)
    if cut and cut.start() >= 2:
        value = value[: cut.start()]
    post = c["posts"].search(value)
    if post and post.start() >= 2:
        value = value[: post.start()]
    return _unit(value, c, allow_region)


def _with_contact(text: str, m, name: str, c) -> bool:
    """Whether the unit of field `m` is given with its contact person (实施单位 某馆 项目负责人 …, or the
    pair 实施单位/项目负责人): the unit that filled in the form."""
    if m.group("pair"):
        return True
    at = text.find(name, m.end())
    return at >= 0 and c["contact_next"].match(text, at + len(name)) is not None


def _title_unit(title: str, c) -> tuple[str, bool] | None:
    """(name, is_place) of the unit leading the title or its part after the year."""
    t = title.removeprefix("关于")
    cuts = [0] + [x for m in c["year"].finditer(t) for x in m.span()] + [len(t)]
    pieces = [t[cuts[i]:cuts[i + 1]] for i in range(0, len(cuts), 2)]   # the text around the years
    for piece in [p for p in pieces if p.strip()][:2]:
        parts = [p for p in c["site_separator"].split(piece.strip()) if p]
        piece = (parts[-1] if parts else "").removeprefix("关于")   # site - article: the article's part
        m = c["title_unit"].match(piece)
        if not m:
            continue
        name = m.group("dept")
        if c["rejects"].search(name):
            continue
        if c["org_end"].search(name):
            return name, False
        return name, True
    return None


def _department(text: str, spans, head, st: Structure, c) -> str | None:
    """The reporting unit from the strongest source that names one (patterns: department_sources)."""
    window = min(len(text), _HEAD_CHARS)
    found: list[_Candidate] = []
    region = None
    if st.title:
        unit = _title_unit(st.title, c)
        if unit and not unit[1]:
            found.append(_Candidate(2, st.title_span[0], unit[0], "department.title"))
        elif unit:
            region = unit[0]
    hooks = {"department.crumb": _crumbs, "department.byline": _byline, "department.name_line": _name_lines}
    body = _body_start(text, head, st, c)
    weakest = max(src["rank"] for src in c["sources"])
    for src in c["sources"]:
        rank, sid = src["rank"], src["id"]
        if src["fields"] is not None:
            for m in src["fields"].finditer(text, 0, window):
                name = _field_value(text, m.end(), c, src["places"])
                if name and src["contact"] and not _with_contact(text, m, name, c):
                    continue
                if name:
                    # a form's header precedes its body; 单位名称 in a body table lists other units
                    found.append(_Candidate(rank if m.start() < body else weakest, m.start(), name, sid))
        if src["pattern"] is not None:
            for m in src["pattern"].finditer(text, 0, window, overlapped=True):
                name = _unit(m.group("name"), c, src["places"])
                if name:
                    found.append(_Candidate(rank, m.start(), name, sid))
        if sid in hooks:
            found.extend(_Candidate(rank, pos, name, sid) for pos, name in hooks[sid](text, spans, head, st, region, c))
        if region and (st.report_kind in src["kinds"] or region.endswith(src["levels"])):
            name = region
            if region.endswith(src["levels"]):   # a township: its government, as the text writes it
                name = next((region + gov for gov in src["written_as"] if region + gov in text), region)
            found.append(_Candidate(rank, st.title_span[0], name, sid))
    found = _not_organizers(found, text, window, c)
    if not found:
        return None
    best = min(found, key=lambda x: (x.rank, x.pos))
    best = _agreeing(best, found, text, c)
    if best is None:
        return None
    return _fullest(best, found, text, c)


def _not_organizers(found: list[_Candidate], text: str, window: int, c) -> list[_Candidate]:
    """The candidates less those of weak sources (the page shell and below) named as who organized or
    commissioned an evaluation (组织单位: 某县财政局; 接受某县财政局委托): that body is not the unit
    reported on, unless nothing else is named. A title naming it stays (a bureau commissions the
    evaluation of its own funds: 漳州市农业农村局…绩效评价报告 / 受漳州市农业农村局委托)."""
    org = c["organizers"]
    names = set()
    if org["fields"] is not None:
        for m in org["fields"].finditer(text, 0, window):
            name = _field_value(text, m.end(), c, False)
            if name:
                names.add(departments.key(name))
    for m in org["pattern"].finditer(text, 0, window):
        name = _unit(m.group("name"), c)
        if name:
            names.add(departments.key(name))
    rest = [f for f in found if f.rank < org["min_rank"] or departments.key(f.name) not in names]
    return rest or found


def _agreeing(best: _Candidate, found: list[_Candidate], text: str, c) -> _Candidate | None:
    """`best`, unless a weak source's name disagrees with what the text calls itself (我办 three times,
    never 我局, under a page shell naming a 局): then the strongest candidate that agrees, else None."""
    sr = c["self_reference"]
    if best.rank < sr["min_rank"]:
        return best
    kinds = Counter(m.group("kind") for m in sr["rx"].finditer(text))
    if len(kinds) != 1:
        return best
    kind, n = kinds.most_common(1)[0]
    if n < sr["min_count"]:
        return best
    ends = sr["ends"][kind]
    if best.name.endswith(ends):
        return best
    agree = [f for f in found if f.name.endswith(ends)]
    return min(agree, key=lambda x: (x.rank, x.pos)) if agree else None


def _body_start(text: str, head, st: Structure, c) -> int:
    """Where the body begins: the first top-level heading (一、 / 第一部分) after the title."""
    after = st.title_span[1] if st.title_span else 0
    for a, b in head:
        if a >= after:
            m = _heading_match(text[a:b], c)
            if m and m[0] == 1:
                return a
    return len(text)


def _crumbs(text: str, spans, head, st: Structure, region, c):
    """Units named in breadcrumbs: 首页 >> 部门信息公开 >> XX局 >> 正文."""
    for a, b in head:
        line = text[a:b]
        if _line_kind(line, c) == "crumb":
            for part in c["crumb"].split(_BULLETS.sub("", line)):
                name = _unit(part.strip(), c)
                if name:
                    yield a, name


def _byline(text: str, spans, head, st: Structure, region, c):
    """When the title names only a place, a unit of that place in the short lines under the title
    (安平市城南区财政局局长)."""
    if not region or not st.title_span:
        return
    for a, b in [(a, b) for a, b in head if a >= st.title_span[1]][:6]:
        line = text[a:b].strip()
        if len(line) > 40 or _line_kind(line, c) == "heading":
            return
        i = line.find(region)
        if i >= 0:
            name = _field_value(line, i, c, allow_region=False)
            if name:
                yield a, name


def _name_lines(text: str, spans, head, st: Structure, region, c):
    """A unit's name alone on a line (a table cell) just after the title, or a signature at the end."""
    after = st.title_span[0] if st.title_span else 0
    tail = [(a, b) for a, b in spans if text[a:b].strip()][-3:]
    for a, b in [(a, b) for a, b in head if a >= after][:_NAME_LINES] + list(reversed(tail)):
        line = _TRAILING.sub("", _BULLETS.sub("", text[a:b])).strip()
        if _heading_match(line, c):
            continue  # an item of a list ((6)某乡农业农村综合服务中心) names one unit of many
        if 3 <= len(line) <= 34:
            name = _unit(line, c)
            if name:
                yield a, name


def _fullest(best: _Candidate, found: list[_Candidate], text: str, c) -> str:
    """The fullest written form of the chosen unit: a candidate that only adds places before it
    (青竹县实验小学 -> 石门市青竹县实验小学); a candidate, or the text, with the same join key written
    out (柳坪镇政府 -> 柳坪镇人民政府); the name as the text writes it after its places
    (城东镇社区卫生服务中心 -> 岷峪县城东镇社区卫生服务中心); for a page-shell name, a longer name in
    the text that spells it out (平溪县工信局 -> 平溪县工业和信息化局)."""
    name = best.name
    for other in found:
        extra = other.name[: len(other.name) - len(name)]
        if other.name.endswith(name) and extra and c["region_end"].search(extra) and len(other.name) > len(name):
            name = other.name
    name = _same_key_longest(name, [o.name for o in found], text)
    name = _placed(name, text, c)
    if best.source != "department.shell" or len(name) < 4:
        return name
    longer = set()
    for m in regex.finditer(regex.escape(name[:3]) + r"\p{Han}{1,20}", text):
        run = m.group()
        for end in range(len(name) + 1, len(run) + 1):
            cand = run[:end]
            if cand[-1] == name[-1] and not cand.startswith(name) and _subsequence(name, cand):
                if _unit(cand, c):
                    longer.add(cand)
                break
    return min(longer, key=len) if longer else name


def _same_key_longest(name: str, others: list[str], text: str) -> str:
    """The longest of the names with `name`'s join key among `others` and its key itself when the
    text writes it (柳坪镇政府 beside 柳坪镇人民政府 -> 柳坪镇人民政府)."""
    k = departments.key(name)
    forms = [o for o in others if len(o) > len(name) and departments.key(o) == k]
    if k and len(k) > len(name) and k in text:
        forms.append(k)
    return max(forms, key=len) if forms else name


def _placed(name: str, text: str, c) -> str:
    """`name` as the text writes it after the places it belongs to, the longest such form, where the
    places start a phrase (a line, a cell, after punctuation): 岷峪县城东镇社区卫生服务中心 for
    城东镇社区卫生服务中心. A place glued to prose (二是对岷峪县城东镇…) is not read."""
    if len(name) < 4:
        return name
    best = name
    reach = c["places_reach"]
    at = text.find(name)
    while at >= 0:
        # the places are short: try each phrase start in the few characters before (no backtracking
        # over a long run of text)
        for start in range(max(0, at - reach), at):
            if start and _HAN.match(text, start - 1):
                continue
            cand = text[start:at + len(name)]
            if len(cand) > len(best) and c["places"].fullmatch(text, start, at) and _unit(cand, c) == cand:
                best = cand
                break
        at = text.find(name, at + 1)
    return best


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


# ---------------------------------------------------------------- sections

def _headings(text: str, spans, st: Structure, c) -> list[Heading]:
    out: list[Heading] = []
    last_number: dict[int, int | None] = {}
    body_from = st.title_span[1] if st.title_span else 0
    for a, b in spans:
        if a < body_from:
            continue
        line = text[a:b]
        for level, _id, rx in c["heads"]:
            m = rx.match(line)
            if not m or m.end() >= len(line.rstrip()):
                continue
            rest = line[m.end():].strip()
            stop = c["title_stop"].search(rest)
            title = rest[: stop.start()] if stop else rest
            if c["heading_sentence"].search(_PARENTHETICAL.sub("", title)) or (
                    c["duty"].match(title) and c["duty_end"].search(line)):
                break  # a numbered list sentence, not a heading
            label = m.group(1).strip()
            digits = _NOT_DIGIT.sub("", label.replace("第", ""))
            number = parse_number(digits)
            number = int(number) if number is not None else None
            if level == 3 and number is not None:
                expected_child = (last_number.get(3) or 0) + 1
                top = last_number.get(1)
                if number != expected_child and number != 1 and top is not None and number == top + 1:
                    level = 1  # slip: an Arabic number continuing the top-level count
            title = title[: c["max_title"]].strip()
            out.append(Heading(label=label, title=title, level=level, number=number, start=a))
            last_number[level] = number
            for deeper in range(level + 1, 6):
                last_number.pop(deeper, None)
            break
    # ends and paths, in one pass: the stack holds the open sections, levels strictly rising; a
    # heading closes every open section of its level or deeper (the first later heading of the same
    # or a higher level ends a section), and those still open at the end run to the end of the text
    stack: list[Heading] = []
    for h in out:
        while stack and stack[-1].level >= h.level:
            stack.pop().end = h.start
        stack.append(h)
        h.path = " > ".join(f"{x.label}{x.title}" for x in stack)
    for h in stack:
        h.end = len(text)
    return out


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split at 。！？；, and at line ends (flattened tables)."""
    c = _compiled()
    out, pos = [], 0
    for m in c["sentence_end"].finditer(text):
        end = m.end() if m.group() != "\n" else m.start()
        if text[pos:end].strip():
            out.append((pos, end))
        pos = m.end()
    if text[pos:].strip():
        out.append((pos, len(text)))
    return out
