"""The department as a join key: one key for the short and full forms of one unit (patterns/departments.yaml).

The key is the unit's fullest usual name, still readable: each rule there rewrites a short form into
its full form, in file order, after full-width characters and spaces are normalized.

| name                               | key                                  |
|------------------------------------|--------------------------------------|
| 柳坪镇政府                         | 柳坪镇人民政府                       |
| 平溪县政府办                       | 平溪县人民政府办公室                 |
| 中共柳坪镇委                       | 中国共产党柳坪镇委员会               |
| 平溪县发改委                       | 平溪县发展和改革委员会               |
| 江州市滨河区档案馆（本级）         | 江州市滨河区档案馆                   |
| 平溪县农业局                       | 平溪县农业局 (not 农业农村局: another unit) |
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import regex

from . import patterns

_SPACE = regex.compile(r"\s+")
_FIELD = regex.compile(r"\{([A-Z][A-Z_0-9]*)\}")


@dataclass(frozen=True)
class Rule:
    """One rewrite of a short form into the full form, with its id from the pattern file."""
    id: str
    pattern: regex.Pattern | None
    replace: str | None = None
    table: tuple[tuple[str, str], ...] = ()
    builtin: str | None = None

    def apply(self, name: str) -> str:
        """`name` with this rule applied once (a rule is written to be idempotent)."""
        if self.builtin == "width":
            return _width(name)
        if self.table:
            full = dict(self.table)
            return self.pattern.sub(lambda m: full[m.group("short")], name)
        return self.pattern.sub(self.replace, name)


def _width(name: str) -> str:
    """Full-width letters, digits and brackets as half-width (NFKC); whitespace dropped."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", name))


def _compose(text: str, fragments: dict[str, str]) -> str:
    return _FIELD.sub(lambda m: fragments[m.group(1)], text)


@functools.cache
def rules() -> tuple[Rule, ...]:
    """The rules of patterns/departments.yaml, in order."""
    data = patterns.load("departments")
    frags = data.get("fragments") or {}
    out = []
    for r in data["rules"]:
        if r.get("builtin"):
            out.append(Rule(r["id"], None, builtin=r["builtin"]))
        elif r.get("table"):
            table = tuple(r["table"].items())
            shorts = "|".join(regex.escape(s) for s, _ in sorted(table, key=lambda kv: -len(kv[0])))
            after = _compose(r.get("after") or "", frags)
            rx = (r"(?<=" + after + r")" if after else "") + r"(?P<short>" + shorts + r")$"
            out.append(Rule(r["id"], regex.compile(rx), table=table))
        else:
            out.append(Rule(r["id"], regex.compile(_compose(r["pattern"], frags)), replace=r.get("replace", "")))
    return tuple(out)


def rule(rule_id: str) -> Rule:
    """The rule with this id (KeyError when there is none)."""
    for r in rules():
        if r.id == rule_id:
            return r
    raise KeyError(rule_id)


def key(name: str | None) -> str | None:
    """The normalized key of a department name (柳坪镇政府 and 柳坪镇人民政府 alike); None for None."""
    if not name:
        return None
    for r in rules():
        name = r.apply(name)
    return name or None
