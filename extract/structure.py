"""Title, department, year, report kind, section tree and sentences of a normalized text.

All positions here are indexes into the normalized text; the pipeline maps them back.
Numbering slips are tolerated: a Chinese-numbered heading is always top level (the seed has 四、
after 五、), and an Arabic `N、` that cannot continue the current `1、 2、 3、` run but does continue
the top-level count is promoted to top level (the seed's `5、 绩效自评结果…` after `四、`).
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field

import regex

from . import patterns
from .numbers import parse_number


_NAME_LINE = regex.compile(r"[\p{Han}（）()]+")             # a signature line: the unit's name alone
_TITLE_PART = regex.compile(r"[\p{Han}A-Za-z0-9（）()“”\s]+")
_NOT_DIGIT = regex.compile(r"[^0-9一二三四五六七八九十]")   # 第一部分 / （十二） -> its number


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


@functools.cache
def _compiled():
    data = patterns.load("structure")
    heads = [
        (h["level"], h["id"], regex.compile(r"[ \t]*(" + h["label"] + r")"))
        for h in data["headings"]
    ]
    kinds = [(kind, kw) for kind, kws in data["report_kinds"].items() for kw in kws]
    org = patterns.alternation(data["org_suffixes"])
    dept = regex.compile(
        r"(?P<dept>[\p{Han}A-Za-z（）()]{2,40}?(?:" + org + r"))"
        r"(?=" + patterns.alternation(data["department_followers"]) + r"|$)"
    )
    return {
        "heads": heads,
        "kinds": kinds,
        "org_end": regex.compile(r"(?:" + org + r")$"),
        "dept": dept,
        "year": regex.compile(data["year_pattern"]),
        "meta": tuple(data["metadata_prefixes"]),
        "field": regex.compile(r"^\s*(?:" + patterns.alternation(data["department_fields"])
                               + r")\s*[|:：\t]\s*(?P<v>[^|\t\n]{2,40})", regex.M),
        "publisher": regex.compile(r"^\s*(?:" + patterns.alternation(data["publisher_prefixes"]) + r")\s*[:：]\s*(\S+)"),
        "title_kw": regex.compile(patterns.alternation(data["title_keywords"])),
        "title_stop": regex.compile(data["title_stops"]),
        "max_title": int(data["max_title"]),
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
    c = _compiled()
    spans = lines(text)
    st = Structure()
    _title(text, spans, st, c)
    st.headings = _headings(text, spans, st, c)
    st._starts = [h.start for h in st.headings]
    return st


def _is_meta(line: str, c) -> bool:
    return line.lstrip().startswith(c["meta"])


def _title(text: str, spans, st: Structure, c) -> None:
    nonempty = [(a, b) for a, b in spans if text[a:b].strip()]
    for n, (a, b) in enumerate(nonempty[:25]):
        line = text[a:b].strip()
        if _is_meta(line, c) or len(line) > 80 or not c["title_kw"].search(line):
            continue
        if not any(kw in line for _, kw in c["kinds"]) and not c["year"].search(line):
            continue
        title, start = line, a + (len(text[a:b]) - len(text[a:b].lstrip()))
        # a title broken over lines: 遵义市投资促进局 / 2023年度招商引资工作经费 / 项目支出绩效自评报告
        for pa, pb in reversed(nonempty[max(0, n - 2):n]):
            prev = text[pa:pb].strip()
            if not _title_part(prev, c) or (c["year"].search(prev) and c["year"].search(title)):
                break
            title, start = prev + title, pa + (len(text[pa:pb]) - len(text[pa:pb].lstrip()))
            if c["org_end"].search(prev):
                break  # the unit's name starts the title
        st.title = "".join(title.split())  # PDF line breaks and spaces inside a title carry nothing
        st.title_span = (start, b)
        break
    if st.title:
        for kind, kw in c["kinds"]:
            if kw in st.title:
                st.report_kind = kind
                break
        m = c["year"].search(st.title)
        if m:
            st.year = int(m.group(1)) if m.group(1) else int(parse_number(m.group(2)))
        st.department = _department(st.title, c)
    if st.year is None:
        m = c["year"].search(text[:600])
        if m and m.group(1):
            st.year = int(m.group(1))
    if st.department is None:
        for m in c["field"].finditer(text, 0, spans[min(len(spans), 60) - 1][1]):
            value = m.group("v").strip()
            if c["org_end"].search(value):
                st.department = value
                break
    if st.department is None:
        for a, b in spans[:40]:
            m = c["publisher"].match(text[a:b])
            if m and c["org_end"].search(m.group(1)):
                st.department = m.group(1)
                break
    if st.department is None:
        # a signature line at the end: the unit's name alone on a line
        tail = [(a, b) for a, b in spans if text[a:b].strip()][-3:]
        for a, b in reversed(tail):
            line = text[a:b].strip()
            if 3 <= len(line) <= 30 and c["org_end"].search(line) and _NAME_LINE.fullmatch(line):
                st.department = line
                break


def _title_part(line: str, c) -> bool:
    """A short line that can head a title: the unit's name, or a year with the project's name."""
    if len(line) > 40 or _is_meta(line, c) or line.endswith(("：", ":", "。", "，", "；")):
        return False
    if not _TITLE_PART.fullmatch(line):
        return False
    return bool(c["org_end"].search(line) or c["year"].search(line))


def _department(title: str, c) -> str | None:
    t = title.removeprefix("关于")
    pieces = [p for p in c["year"].split(t) if p]
    for piece in pieces:
        piece = piece.strip().removeprefix("关于")
        m = c["dept"].match(piece)
        if m:
            return m.group("dept")
    return None


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
            label = m.group(1).strip()
            digits = _NOT_DIGIT.sub("", label.replace("第", ""))
            number = parse_number(digits)
            number = int(number) if number is not None else None
            if level == 3 and number is not None:
                expected_child = (last_number.get(3) or 0) + 1
                top = last_number.get(1)
                if number != expected_child and number != 1 and top is not None and number == top + 1:
                    level = 1  # slip: an Arabic number continuing the top-level count
            rest = line[m.end():].strip()
            stop = c["title_stop"].search(rest)
            title = rest[: stop.start()] if stop else rest
            title = title[: c["max_title"]].strip()
            out.append(Heading(label=label, title=title, level=level, number=number, start=a))
            last_number[level] = number
            for deeper in range(level + 1, 6):
                last_number.pop(deeper, None)
            break
    # ends and paths
    stack: list[Heading] = []
    for i, h in enumerate(out):
        while stack and stack[-1].level >= h.level:
            stack.pop()
        stack.append(h)
        h.path = " > ".join(f"{x.label}{x.title}" for x in stack)
        h.end = len(text)
        for later in out[i + 1 :]:
            if later.level <= h.level:
                h.end = later.start
                break
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
