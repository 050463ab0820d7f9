"""Staffing: the unit's own headcounts by label (编制数, 实有人数, 县级干部 …) and internal units.

Labels are composed on characters from patterns/staffing.yaml: qualifiers* + head + suffix?
(`参照公务员管理的事业编制人数`, `实有事业人员`, `行政编`). The role is read back from the
composed label (`role_of`). Categories (`公务员`, `行政人员`, `局长`) are staffing only in a sentence
that holds another staffing label, and a service verb right before a label (`慰问退休人员`) makes
the people a count, not staff.
"""

from __future__ import annotations

import functools
from typing import Any

import regex

from .. import patterns
from ..context import Candidate, Context, resolve_overlaps
from . import number_of, rule_matches


_NAME_SEP = regex.compile(r"[、，,]")   # 办公室、联络协作科、…


@functools.cache
def _data() -> dict[str, Any]:
    return patterns.load("staffing")


@functools.cache
def _labels() -> dict[str, str]:
    return patterns.lookup(_data()["labels"])


@functools.cache
def _qualifier_roles() -> tuple[tuple[str, str], ...]:
    """(word, role) for the qualifiers that give a generic head its role (实有 -> total)."""
    return tuple((w, role) for role, words in _data()["qualifiers"].items() if role != "neutral" for w in words)


@functools.cache
def _categories() -> dict[str, str | None]:
    """Category word -> its own role, or None when it takes the role of the label it belongs to."""
    out: dict[str, str | None] = {}
    for role, words in _data()["categories"].items():
        for w in words:
            out.setdefault(w, None if role == "inherit" else role)
    return out


@functools.cache
def _table() -> dict[str, str]:
    """The rule fragments: the file's own plus the composed {LABEL} and {CATEGORY}."""
    d = _data()
    table = dict(patterns.local_fragments("staffing"))
    quals = patterns.alternation([w for words in d["qualifiers"].values() for w in words])
    labels = patterns.alternation([w for words in d["labels"].values() for w in words])
    generic = patterns.alternation(list(d["generic_heads"]))
    suffixes = patterns.alternation(d["suffixes"])
    # a generic head (人员, 人数, 编) needs a qualifier before it; a real label may stand alone
    table["LABEL"] = f"(?:(?:{quals})*(?:{labels})|(?:{quals})+(?:{generic}))(?:{suffixes})?"
    table["CATEGORY"] = patterns.alternation(list(_categories()))
    return table


@functools.cache
def _rules() -> tuple[tuple[dict, regex.Pattern, regex.Pattern | None], ...]:
    """(rule, its regex, its `requires` gate or None), in file order."""
    table = _table()
    return tuple((r, patterns.LazyPattern(patterns.expand(r["pattern"], table, r["id"]), r["id"]),
                  patterns.compile_rule(r["requires"], f"{r['id']}.requires", table))
                 if r.get("requires") else (r, patterns.compile_rule(r["pattern"], r["id"], table), None)
                 for r in _data()["rules"])


@functools.cache
def _label_rx() -> regex.Pattern:
    return patterns.compile_rule("{LABEL}", "staffing.LABEL", _table())


@functools.cache
def _served_rx() -> regex.Pattern:
    """A service verb or a served noun ending right where a label starts (慰问|退休人员, 参会|总人数)."""
    words = [w for group in _data()["served_cues"].values() for w in group]
    return regex.compile(r"(?:" + patterns.alternation(words) + r")\s?$")


@functools.cache
def _sentence_end() -> regex.Pattern:
    return regex.compile(patterns.load("structure")["sentence_end"])


@functools.cache
def _names_rxs() -> tuple[regex.Pattern, regex.Pattern]:
    """Names after an internal-unit count: with an intro (分别为：…), or straight after the noun."""
    intro = patterns.local_fragments("staffing")["NAMES_INTRO"]
    names = r"(?P<names>[^。；;\n]{2,200})"
    return regex.compile(r"(?:" + intro + r")\s?" + names), regex.compile(r"(?=\p{Han})" + names)


def role_of(label: str) -> str | None:
    """The role a composed label names; None for a bare category (行政人员) that takes it from context.

    | label                      | role          |
    |----------------------------|---------------|
    | 在职人员总数                | in_service    |
    | 参照公务员管理的事业编制人数 | establishment |
    | 行政编制财政供养人员         | funded        |
    | 实有事业人员                | total         |
    | 行政编                      | establishment |
    | 行政人员                    | None          |
    """
    labels = _labels()
    d = _data()
    cores = [label] + [label[: -len(s)] for s in sorted(d["suffixes"], key=len, reverse=True)
                       if label.endswith(s) and len(label) > len(s)]
    for core in cores:
        for i in range(len(core)):  # the longest label the core ends with
            if core[i:] in labels:
                return labels[core[i:]]
    for core in cores:
        for head, role in d["generic_heads"].items():
            if core.endswith(head) and len(core) > len(head):
                return role or _last_qualifier_role(core[: -len(head)])
    return None


def cell_label_role(text: str) -> str | None:
    """The role of a table cell that is a staffing label alone (人员编制, 实有人数), else None."""
    return role_of(text) if _label_rx().fullmatch(text) else None


def _last_qualifier_role(quals: str) -> str | None:
    """The role of the qualifier that ends last (现有在编在岗 -> in_service), None if all are neutral."""
    best: tuple[int, int, str] | None = None
    for word, role in _qualifier_roles():
        i = quals.rfind(word)
        if i >= 0 and (best is None or (i + len(word), len(word)) > best[:2]):
            best = (i + len(word), len(word), role)
    return best[2] if best else None


def _sentence(ctx: Context, pos: int) -> tuple[int, int]:
    start = ctx.sentence_start(pos)
    m = _sentence_end().search(ctx.text, pos)
    return start, m.start() if m else len(ctx.text)


def context_role(ctx: Context, start: int, end: int) -> str | None:
    """The role of the nearest staffing label in the same sentence (before the span first, then after).

    `其中公务员18名` takes `establishment` from `核定人员编制21名，…`; None when the sentence has no label.
    """
    lo, hi = _sentence(ctx, start)
    before = after = None
    for m in _label_rx().finditer(ctx.text, lo, hi):
        if m.end() > start and m.start() < end:
            continue
        role = role_of(m.group())
        if role is None:
            continue
        if m.end() <= start:
            before = role
        elif after is None:
            after = role
    return before or after


def _served(ctx: Context, pos: int) -> bool:
    return bool(_served_rx().search(ctx.text, max(0, pos - 6), pos))


def build(ctx: Context, rule: dict, m: regex.Match) -> dict | None:
    value = number_of(m)
    if value is None or _served(ctx, m.start()):
        return None
    label = m.groupdict().get("label") or ""
    if rule.get("role"):
        role = rule["role"]
    elif label in _categories():
        own = _categories()[label]
        inherited = context_role(ctx, m.start(), m.end())
        if inherited is None:      # no staffing label in the sentence: 接待局长18名 is not staffing
            return None
        role = own or inherited
    else:
        role = role_of(label)
        if role is None:           # 行政人员19人: a category, staffing only beside a real label
            role = context_role(ctx, m.start(), m.end())
            if role is None:
                return None
    data: dict[str, Any] = {"value": value, "role": role}
    unit = m.groupdict().get("unit")
    if unit:
        data["unit"] = unit
    if role == "internal_units":
        names = _names(ctx, m.end(), int(value))
        if names:
            data["names"] = names
    return data


def _names(ctx: Context, pos: int, count: int) -> list[str] | None:
    """The unit names listed right after the count, kept only when there are exactly `count` of them."""
    for rx in _names_rxs():
        n = rx.match(ctx.text, pos)
        if not n:
            continue
        names = [x.strip(" ：:，,") for x in _NAME_SEP.split(n.group("names"))]
        names = [x for x in names if 1 < len(x) <= 20]
        if names and len(names) == count:
            return names
    return None


def recognize(ctx: Context) -> list[Candidate]:
    """Every staffing rule over the whole text, on characters; overlaps keep the longest match."""
    out: list[Candidate] = []
    for order, (rule, rx, gate) in enumerate(_rules()):
        for m in rule_matches(ctx.text, rule, rx, gate, ctx.cache):
            if m.end() == m.start():
                continue
            data = build(ctx, rule, m)
            if data is None:
                continue
            out.append(Candidate("staffing", m.start(), m.end(), rule["id"], data, order))
    return resolve_overlaps(out)
