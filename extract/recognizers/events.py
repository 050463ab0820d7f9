"""Events: 第N届 names, names ending with an event suffix, quoted campaign names.

Where a name starts is decided on jieba tokens: walk back from the suffix over name tokens until a
stop token (举办, 参加, 、 …). A name whose modifiers are all generic (项目洽谈会, 经贸展会) is not
an event; names joined by 暨 are one event whose kind and edition come from the first part.
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
_MAX_NAME = 40
_LIST_GAP = regex.compile(r"[、，,和及与“”\"「」『』\s]*")
_EDITION = regex.compile(r"第([0-9零〇一二两三四五六七八九十百]+)届")


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
        "campaign": tuple(d["campaign_suffixes"]),
        "followers": tuple(d["campaign_followers"]),
    }


def _kind(name: str) -> str | None:
    d = _data()
    if name in d["names"]:
        return d["names"][name]
    for suffix in d["by_length"]:
        if name.endswith(suffix):
            return d["suffixes"][suffix]
    for suffix, kind in d["edition_kinds"].items():
        if name.endswith(suffix):
            return kind
    return None


def _edition_event(ctx: Context, rule: dict, m: regex.Match) -> Candidate | None:
    edition = parse_number(m.group("edition"))
    name = m.group()
    return Candidate("events", m.start(), m.end(), rule["id"],
                     {"name": name, "kind": _kind(name) or "meeting",
                      "edition": int(edition) if edition is not None else None})


def _suffix_event(ctx: Context, rule: dict, m: regex.Match) -> Candidate | None:
    d = _data()
    s, e = m.start("suffix"), m.end("suffix")
    starts, ends = ctx.tok_starts, ctx.tok_ends
    last = bisect.bisect_left(ends, e)
    if last >= len(ends) or ends[last] != e:
        return None  # the suffix does not end a token: 展会活动 as one word
    first = last
    while first > 0 and starts[first] > s:
        first -= 1
    start = starts[first]
    modifiers: list[str] = []
    if start < s:
        modifiers.append(ctx.text[start:s])  # 科博会: 科
    j = first - 1
    while j >= 0:
        tok = ctx.token_text(j)
        if (
            ctx.lex.get(j) == "STOP"
            or tok in d["stops"]
            or not _NAME_TOKEN.fullmatch(tok)
            or e - starts[j] > _MAX_NAME
        ):
            break
        modifiers.insert(0, tok)
        start = starts[j]
        j -= 1
    name = ctx.text[start:e]
    if name.endswith(d["not_events"]):  # 重要环节, 春节期间: words, not events
        return None
    quoted = start > 0 and ctx.text[start - 1] in _OPEN and e < len(ctx.text) and ctx.text[e] in _CLOSE
    known = name in d["names"]
    generic = not known and not quoted and all(
        t in d["generic"] or t.isdigit() for t in modifiers
    )
    ed = _EDITION.search(name)
    edition = parse_number(ed.group(1)) if ed else None
    return Candidate("events", start, e, rule["id"],
                     {"name": name, "kind": _kind(name) or "expo",
                      "edition": int(edition) if edition is not None else None, "_generic": generic})


def _quoted_event(ctx: Context, rule: dict, m: regex.Match) -> Candidate | None:
    d = _data()
    name = m.group("name")
    if any(name.endswith(suf) for suf in d["suffixes"]) or name in d["not_events"]:
        return None  # the suffix rule sees it
    after = ctx.text[m.end():m.end() + 6]
    lonely = not name.endswith(d["campaign"]) and not after.startswith(d["followers"])
    return Candidate("events", m.start("name"), m.end("name"), rule["id"],
                     {"name": name, "kind": "campaign", "edition": None, "_lonely": lonely})


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
    # a quoted name that is an event once is an event every time it is mentioned
    named = {c.data["name"] for c, ok in zip(cands, real) if ok and c.rule == "event.quoted"}
    return [c for c, ok in zip(cands, real) if ok or (c.rule == "event.quoted" and c.data["name"] in named)]


def _merge_ji(ctx: Context, cands: list[Candidate]) -> list[Candidate]:
    """A暨B is one event: 兰州市（北京）招商引资推介会暨项目签约仪式."""
    out: list[Candidate] = []
    for c in cands:
        if out and ctx.text[out[-1].end : c.start] == "暨" and not out[-1].data.get("_generic"):
            a = out[-1]
            a.end = c.end
            a.data["name"] = ctx.text[a.start : a.end]
            continue
        out.append(c)
    return out


def _beside_event(ctx: Context, cands: list[Candidate], real: list[bool], i: int) -> bool:
    """A quoted name counts as an event when it stands in a list right beside another event."""
    for j in (i - 1, i + 1):
        if 0 <= j < len(cands) and real[j]:
            a, b = sorted((cands[i], cands[j]), key=lambda c: c.start)
            if _LIST_GAP.fullmatch(ctx.text, a.end, b.start):
                return True
    return False
