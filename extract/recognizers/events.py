"""Events: 第N届 names, names ending with an event suffix, quoted campaign names.

Where a name starts is decided on jieba tokens: walk back from the suffix over name tokens until a
stop token (举办, 参加, 、 …). A name whose modifiers are all generic (项目洽谈会, 经贸展会) is not
an event, nor one right after 等 (A、B等展会). Names joined by 暨 are one event whose kind and edition
come from the first part that has them. A quoted name is a campaign when something around it says it
is an activity (“X”活动, “X”24场, 举办“X”合唱比赛活动); an event that names a fund (X博览会专项资金)
counts once, however often the fund is mentioned.
"""

from __future__ import annotations

import bisect
import functools

import regex

from .. import patterns
from ..context import Candidate, Context, resolve_overlaps
from ..numbers import parse_number

_NAME_TOKEN = regex.compile(r"[\p{Han}A-Za-z·（）()]+|(?:19|20)\d{2}|—")  # 中国—东盟博览会
_OPEN, _CLOSE = "“\"「『", "”\"」』"
_PAIRS = dict(zip(_CLOSE, _OPEN))
_QUOTE_INNER = regex.compile(r"\p{Han}[\p{Han}·—\s‘’]*")  # 青川好物 山货飘香, ‘秦’约青川·春风有信
_JI = "暨"
_MAX_NAME = 40
_MAX_QUOTE_HEAD = 3   # “青川好物”美食展: a bare head after a quote takes the quote as its name
_TAIL = 30            # how far after a quoted name its activity may end (…文艺汇演活动)
_MIN_SLOGAN = 4       # a quoted name known only from what surrounds it is a slogan: 书香青川, not 七五
_LIST_GAP = regex.compile(r"[、，,和及与“”\"「」『』\s]*")
_LIST_SEP = regex.compile(r"[、，,和及与]")
_EDITION = regex.compile(r"第 ?([0-9零〇一二两三四五六七八九十百]+) ?届|首届")
_YEAR_START = regex.compile(r"(?:19|20)\d{2}年?")
_YEAR_BEFORE = regex.compile(r"(?:19|20)\d{2}年?\s*$")
# jieba's HMM glues 暨 to a neighbour (美食/展暨/第二届): a suffix may end there, not only on a token end
_INNER_SPACE = regex.compile(r"(?<=[\p{Han}\d])\s+(?=[\p{Han}\d])")
_WORD_END = regex.compile(r"[^\p{Han}A-Za-z0-9]|暨")


@functools.cache
def _data():
    d = patterns.load("events")
    suffixes = dict(d["suffixes"])
    by_length = sorted(suffixes, key=len, reverse=True)
    return {
        "suffixes": suffixes,
        "by_length": by_length,
        "edition_kinds": d["edition_kinds"],
        "not_events": tuple(d["not_events"]),
        "names": d["names"],
        "stops": frozenset(d["stops"]),
        "generic": frozenset(d["generic"]),
        "category_after": frozenset(d["category_after"]),
        "category_first": frozenset(d["category_first"]),
        "meeting_internal": tuple(d["meeting_internal"]),
        "meeting_studied": tuple(d["meeting_studied"]),
        "campaign": tuple(d["campaign_suffixes"]),
        "followers": tuple(d["campaign_followers"]),
        "count": regex.compile(d["campaign_count"]),
        "cues": tuple(d["campaign_cues"]),
        "heads": regex.compile("|".join(map(regex.escape, d["activity_heads"]))),
        "not_activity": tuple(d["not_activity"]),
        "title_cues": tuple(d["title_cues"]),
        "fund_after": regex.compile(d["fund_after"]),
        "clause_end": regex.compile(patterns.load("structure")["clause_end"]),
    }


def _clean(name: str) -> str:
    """The name without the spaces a PDF text layer leaves in it: 第 31届… -> 第31届…."""
    return _INNER_SPACE.sub("", name)


def _kind(name: str) -> str | None:
    """The kind of the first part (split on 暨) that has one: 交易会暨第二届赣商大会 -> expo."""
    d = _data()
    if name in d["names"]:
        return d["names"][name]
    for part in name.split(_JI):
        part = part.rstrip("”\"」』")
        for suffix in d["by_length"]:
            if part.endswith(suffix):
                return d["suffixes"][suffix]
        for suffix, kind in d["edition_kinds"].items():
            if part.endswith(suffix):
                return kind
    return None


def _edition(name: str) -> int | None:
    """The first edition in the name: 第26届 -> 26, 首届 -> 1."""
    ed = _EDITION.search(name)
    if ed is None:
        return None
    if ed.group(1) is None:
        return 1
    value = parse_number(ed.group(1))
    return int(value) if value is not None else None


def _edition_event(ctx: Context, rule: dict, m: regex.Match) -> Candidate | None:
    name = m.group()
    return Candidate("events", m.start(), m.end(), rule["id"],
                     {"name": _clean(name), "kind": _kind(name) or "meeting", "edition": _edition(name)})


def _suffix_event(ctx: Context, rule: dict, m: regex.Match) -> Candidate | None:
    d = _data()
    text = ctx.text
    s, e = m.start("suffix"), m.end("suffix")
    starts, ends = ctx.tok_starts, ctx.tok_ends
    last = bisect.bisect_left(ends, e)
    if last >= len(ends):
        return None
    if ends[last] != e and not _WORD_END.match(text, e):
        return None  # the suffix does not end a word: 展会活动 as one word
    first = bisect.bisect_right(starts, s) - 1
    start = starts[first]
    modifiers: list[str] = []
    if start < s:
        modifiers.append(text[start:s])  # 科博会: 科
    start, stopped_at, ji_at = _walk_back(ctx, first - 1, start, e, modifiers)
    if ji_at is not None and not _all_generic(modifiers):
        x_start = _before_ji(ctx, ji_at, e)
        if x_start is not None:
            start = x_start
    name = text[start:e]
    if name.endswith(d["not_events"]):  # 重要环节, 春节期间: words, not events
        return None
    quoted = start > 0 and text[start - 1] in _OPEN and e < len(text) and text[e] in _CLOSE
    known = name in d["names"]
    generic = not known and not quoted and (
        _all_generic(modifiers)
        or stopped_at in d["category_after"]
        or bool(modifiers) and modifiers[0] in d["category_first"]
        # 来/青/推介会: one character of its own names nothing before a full suffix (the short
        # abbreviation suffixes take one: 渝/洽会)
        or s - start == 1 and s == starts[first] and e - s >= 3
    )
    head = text[start:s]
    if d["suffixes"].get(m.group("suffix")) == "meeting" and (
        any(w in head for w in d["meeting_internal"]) or text.startswith(d["meeting_studied"], e)
    ):
        return None  # 全县经济工作大会, 职工代表大会: internal meetings; …大会精神: a policy studied
    if start > 0 and text[start - 1] in _CLOSE and len(head) <= _MAX_QUOTE_HEAD and not regex.search(r"\d", head):
        q = _quote_before(text, start - 1)
        if q is not None:  # “青川好物 山货飘香”美食展: the quote is the show's name
            start, generic = q, False
            name = text[start:e]
    return Candidate("events", start, e, rule["id"],
                     {"name": _clean(name), "kind": _kind(name) or "expo",
                      "edition": _edition(name), "_generic": generic})


def _all_generic(modifiers: list[str]) -> bool:
    """No modifier names anything: 项目洽谈会, 2023年经贸展会."""
    generic = _data()["generic"]
    return all(t in generic or t.isdigit() or _YEAR_START.fullmatch(t) for t in modifiers)


def _walk_back(ctx: Context, j: int, start: int, end: int, modifiers: list[str]) -> tuple[int, str | None, int | None]:
    """Extend a name ending at `end` leftwards over name tokens from token j down; returns its start,
    the token it stopped at, and where the 暨 it stopped at is (None: not at a 暨). Fills `modifiers`."""
    d = _data()
    text, starts = ctx.text, ctx.tok_starts
    while j >= 0:
        tok = ctx.token_text(j)
        if _JI in tok:  # 暨 alone, or glued by jieba (展暨, 暨春): the name starts after it
            ji_at = starts[j] + tok.rindex(_JI)
            if ji_at + 1 < start:
                modifiers.insert(0, text[ji_at + 1:start])
                start = ji_at + 1
            return start, _JI, ji_at
        if (
            ctx.lex.get(j) == "STOP"
            or tok in d["stops"]
            or not _NAME_TOKEN.fullmatch(tok)
            or end - starts[j] > _MAX_NAME
        ):
            return start, tok, None
        if len(tok) > 1 and tok[0] in d["stops"] and not _known_word(tok):
            # jieba's HMM glued a function word to an unknown name (来青, 在宁): the name starts after it
            modifiers.insert(0, tok[1:])
            return starts[j] + 1, tok[0], None
        modifiers.insert(0, tok)
        start = starts[j]
        j -= 1
    return start, None, None


def _before_ji(ctx: Context, ji_at: int, end: int) -> int | None:
    """Start of X in X暨Y when X names an event without a suffix of its own, as its year or edition
    shows (2023青川文化创意暨春季文旅产品推介会); None when X is not such a name."""
    if ji_at == 0:
        return None
    starts, ends = ctx.tok_starts, ctx.tok_ends
    jp = bisect.bisect_right(starts, ji_at - 1) - 1
    modifiers: list[str] = []
    if ends[jp] > ji_at:  # glued to 暨: 意暨
        start, j = starts[jp], jp - 1
        modifiers.append(ctx.text[start:ji_at])
    else:
        start, j = ji_at, jp
    start, _, _ = _walk_back(ctx, j, start, end, modifiers)
    part = ctx.text[start:ji_at]
    if not (_YEAR_START.match(part) or _EDITION.search(part)):
        return None
    if _all_generic(modifiers):
        return None
    return start


def _known_word(word: str) -> bool:
    """A word of the segmenter's dictionary (not one its HMM made up)."""
    from ..nlp import is_word

    return is_word(word)


def _quote_before(text: str, close: int) -> int | None:
    """Start of the quoted name whose closing mark is at `close` (None: no plausible name there)."""
    at = text.rfind(_PAIRS[text[close]], max(0, close - 24), close)
    if at < 0 or not _QUOTE_INNER.fullmatch(text, at + 1, close):
        return None
    return at + 1


def _quoted_event(ctx: Context, rule: dict, m: regex.Match) -> Candidate | None:
    d = _data()
    text = ctx.text
    name = m.group("name")
    if any(name.endswith(suf) for suf in d["suffixes"]) or name in d["not_events"]:
        return None  # the suffix rule sees it
    before = text[ctx.clause_start(m.start()):m.start()]
    if before.rstrip().endswith(d["title_cues"]):
        return None  # 被评定为“合格工程”: a rating, not an event
    after = text[m.end():m.end() + _TAIL]
    cued = (
        name.endswith(d["campaign"])
        or after.startswith(d["followers"])
        or len(name) >= _MIN_SLOGAN and (d["count"].match(after) is not None or _activity_after(before, after, d))
    )
    return Candidate("events", m.start("name"), m.end("name"), rule["id"],
                     {"name": name, "kind": "campaign", "edition": None, "_lonely": not cued})


def _activity_after(before: str, after: str, d: dict) -> bool:
    """举办“奋进百年·逐梦青川”合唱比赛活动: an organizing verb (or a year) just before the quote, and
    the clause after it ends in an activity that is not study or inspection."""
    window = before[-8:]
    if not (any(c in window for c in d["cues"]) or _YEAR_BEFORE.search(before)):
        return False
    end = d["clause_end"].search(after)
    tail = after[: end.start()] if end else after
    head = d["heads"].search(tail)
    if head is None:
        return False
    return not any(w in tail[: head.end()] for w in d["not_activity"])


_BUILDERS = {"event.edition": _edition_event, "event.suffix": _suffix_event, "event.quoted": _quoted_event}


def recognize(ctx: Context) -> list[Candidate]:
    cands: list[Candidate] = []
    for order, (rule, rx) in enumerate(patterns.compiled_rules("events")):
        build = _BUILDERS[rule["id"]]
        for m in rx.finditer(ctx.text):
            c = build(ctx, rule, m)
            if c is not None:
                c.order = order
                cands.append(c)
    cands = resolve_overlaps(cands)
    cands = _merge_ji(ctx, cands)
    flags = [(c.data.pop("_generic", False), c.data.pop("_lonely", False)) for c in cands]
    real = [not g and not lonely for g, lonely in flags]
    for i, (generic, lonely) in enumerate(flags):
        if lonely and not generic and _beside_event(ctx, cands, real, i):
            real[i] = True
    return _once_per_fund(ctx, _not_slogans([c for c, ok in zip(cands, real) if ok]))


def _squeeze(name: str) -> str:
    return regex.sub(r"[\s·”“\"]", "", name)


def _not_slogans(cands: list[Candidate]) -> list[Candidate]:
    """A quoted name first seen inside a longer event name is that event's slogan when it comes back
    (“青川好物 山货飘香”美食展 … 开展“青川好物·山货飘香”展销活动): not a new event."""
    out: list[Candidate] = []
    longer: list[str] = []
    for c in cands:
        name = _squeeze(c.data["name"])
        if c.rule == "event.quoted" and any(name in other and name != other for other in longer):
            continue
        longer.append(name)
        out.append(c)
    return out


def _once_per_fund(ctx: Context, cands: list[Candidate]) -> list[Candidate]:
    """Keep only the first mention of an event that names a fund (茶叶博览会专项资金 …)."""
    fund_after = _data()["fund_after"]
    seen: list[str] = []
    out = []
    for c in cands:
        if fund_after.match(ctx.text, c.end):
            name = _squeeze(c.data["name"])
            # 青川县茶叶博览会专项资金 in the title, 茶叶博览会专项资金 in the text: the same fund
            if any(name.endswith(other) or other.endswith(name) for other in seen):
                continue
            seen.append(name)
        out.append(c)
    return out


def _merge_ji(ctx: Context, cands: list[Candidate]) -> list[Candidate]:
    """A暨B is one event: 兰州市（北京）招商引资推介会暨项目签约仪式."""
    out: list[Candidate] = []
    for c in cands:
        if out and ctx.text[out[-1].end : c.start] == _JI and not out[-1].data.get("_generic"):
            a = out[-1]
            a.end = c.end
            a.data["name"] = _clean(ctx.text[a.start : a.end])
            a.data["kind"] = _kind(a.data["name"]) or a.data["kind"]
            a.data["edition"] = _edition(a.data["name"])
            a.data["_generic"] = False
            a.data.pop("_lonely", None)
            continue
        out.append(c)
    return out


def _beside_event(ctx: Context, cands: list[Candidate], real: list[bool], i: int) -> bool:
    """A quoted name counts as an event when it stands in a list right beside another event."""
    for j in (i - 1, i + 1):
        if 0 <= j < len(cands) and real[j]:
            a, b = sorted((cands[i], cands[j]), key=lambda c: c.start)
            # a list needs a separator: right after the closing quote, the name is the theme of
            # the event that follows (“秦岭有约”2023青川文旅推介会), not an event of its own
            if _LIST_GAP.fullmatch(ctx.text, a.end, b.start) and _LIST_SEP.search(ctx.text, a.end, b.start):
                return True
    return False
