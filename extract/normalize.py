"""Normalize text for matching, keeping a map from every normalized index to the original.

Only two kinds of edit are allowed: replacing one character by one character (full-width digits,
％, ideographic spaces) and deleting characters (conversion artefacts, spaces inside numbers, the
line breaks a paragraph PDF puts anywhere in a sentence). So `Normalized.span(s, e)` maps any
normalized span back to the original text exactly.
"""

from __future__ import annotations

import functools
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from . import patterns


@dataclass(frozen=True, slots=True, eq=False)
class Normalized:
    original: str
    text: str
    # offsets[i] = index in `original` of normalized character i; offsets[len(text)] = len(original)
    offsets: Sequence[int] | None  # None when nothing was deleted: indexes are equal

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original (start, end) of the normalized span [start, end)."""
        if self.offsets is None:
            return start, end
        if end <= start:
            o = self.offsets[start]
            return o, o
        return self.offsets[start], self.offsets[end - 1] + 1

    def index(self, i: int) -> int:
        return i if self.offsets is None else self.offsets[i]


@dataclass(frozen=True, slots=True)
class _WrapRules:
    full_ratio: float
    overflow: float
    min_width: int
    max_width: int
    min_full_lines: int
    min_full_share: float
    hard_end: regex.Pattern
    hard_start: regex.Pattern
    table_row: regex.Pattern
    number_cell: regex.Pattern
    min_cells: int
    prose: regex.Pattern
    gloss: regex.Pattern   # a pinyin gloss (一(yī)、): read past when a line's start is judged


# East Asian wide and full-width characters take two columns on a page, Latin letters and digits one:
# a line's display width, not its length, says whether it reached the right margin.
_WIDE = regex.compile(r"[\p{Han}\u3000-\u303f\uff01-\uff60\uffe0-\uffe6\u2e80-\u2fdf\u3040-\u31ff"
                      r"\uac00-\ud7a3\u2018\u2019\u201c\u201d\u2014\u2026]")
_LINE = regex.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


@functools.cache
def _wrap_rules() -> _WrapRules:
    w = patterns.load("normalize")["wrap"]
    starts = "|".join(f"(?:{d['pattern']})" for d in w["hard_start"])
    return _WrapRules(
        full_ratio=float(w["full_ratio"]), overflow=float(w["overflow"]), min_width=int(w["min_width"]),
        max_width=int(w["max_width"]), min_full_lines=int(w["min_full_lines"]),
        min_full_share=float(w["min_full_share"]), hard_end=regex.compile(w["hard_end"]),
        hard_start=regex.compile(starts), table_row=regex.compile(w["table_row"]),
        number_cell=regex.compile(w["number_cell"]), min_cells=int(w["min_cells"]), prose=regex.compile(w["prose"]),
        gloss=regex.compile(next(d["pattern"] for d in patterns.load("normalize")["delete"]
                                 if d["id"] == "artefact.pinyin_gloss")))


def display_width(line: str) -> int:
    """Columns `line` takes on a page: 2 per ideograph or full-width sign, 1 per other character.

    | line            | width |
    |-----------------|-------|
    | 执行率97.94%    | 12    |
    | 100万元         | 7     |
    """
    return len(line) + len(_WIDE.findall(line))


def full_width(widths: list[int]) -> int | None:
    """The width of a full line of a wrapped text: the top of the densest cluster of long lines.

    None when the text has no such cluster: one paragraph per line (widths all over the place),
    short texts, tables of one cell per line.
    """
    rules = _wrap_rules()
    ws = sorted(w for w in widths if rules.min_width * rules.full_ratio <= w)
    best, best_count, lo = None, 0, 0
    for hi, w in enumerate(ws):  # lines in [full_ratio * w, w], the top at each line's width
        while ws[lo] < rules.full_ratio * w:
            lo += 1
        if rules.min_width <= w <= rules.max_width and hi - lo + 1 >= best_count:
            best, best_count = w, hi - lo + 1
    if best is None or best_count < rules.min_full_lines:
        return None
    long = sum(1 for w in ws if w >= best / 2)
    return best if best_count >= rules.min_full_share * long else None


def _is_table_row(line: str, rules: _WrapRules) -> bool:
    if rules.table_row.search(line.strip()):
        return True
    if rules.prose.search(line):
        return False
    cells = line.split()
    return len(cells) >= rules.min_cells or (len(cells) >= 2 and bool(rules.number_cell.match(cells[-1])))


def _wrap_cuts(original: str, replaced: str) -> list[tuple[int, int]]:
    """Spans to delete where a full line was wrapped: its trailing spaces, the break, one leading space.

    Patterns are read on `replaced` (full-width digits already ASCII); widths and line breaks on
    `original`, where CR LF is still one break (the indexes of both are the same).
    """
    if original.count("\n") + original.count("\r") < 3:
        return []
    rules = _wrap_rules()
    lines = []  # (start, end of content, end with the break)
    for m in _LINE.finditer(original):
        if m.start() == len(original) and lines:
            break
        body = m.group().rstrip("\r\n")
        lines.append((m.start(), m.start() + len(body), m.end()))
    texts = [replaced[a:b] for a, b, _ in lines]
    tables = [_is_table_row(t, rules) for t in texts]
    # on the original: a full-width digit is as wide as an ideograph on the page
    widths = [display_width(original[a:b].rstrip()) for a, b, _ in lines]
    top = full_width([w for w, table in zip(widths, tables) if not table])
    if top is None:
        return []
    cuts = []
    for i in range(len(lines) - 1):
        line, nxt = texts[i], texts[i + 1]
        # the line reached the margin, and the next one fits on the same page (a line of many
        # digits and ASCII signs counts a little wider than it is printed: hence the slack)
        widest = top * rules.overflow
        if not rules.full_ratio * top <= widths[i] <= widest or not nxt.strip() or widths[i + 1] > widest:
            continue
        if tables[i] or tables[i + 1] or rules.hard_end.search(line.rstrip()):
            continue
        original_next = original[lines[i + 1][0]:lines[i + 1][1]]
        plain = rules.gloss.sub("", nxt.lstrip())   # 一(yī)、收入… starts a numbered line too
        if any(rules.hard_start.search(s) for s in (nxt, nxt.lstrip(), original_next, plain)):
            continue
        lead = len(nxt) - len(nxt.lstrip(" \t"))
        cuts.append((lines[i][0] + len(line.rstrip(" \t")), lines[i][2] + lead))
    return cuts


@functools.cache
def _compiled() -> tuple[dict[int, str], regex.Pattern, regex.Pattern | None]:
    data = patterns.load("normalize")
    table = {ord(k): v for k, v in data["replace"].items()}
    trad = data.get("traditional") or {}
    if trad.get("to_simplified"):
        keep = {ord(ch) for ch in trad.get("keep") or ()}
        table = {**{k: v for k, v in _traditional().items() if k not in keep}, **table}
    for c in range(ord("Ａ"), ord("Ｚ") + 1):
        table[c] = chr(c - 0xFEE0)
    for c in range(ord("ａ"), ord("ｚ") + 1):
        table[c] = chr(c - 0xFEE0)
    for k, v in table.items():
        if len(v) != 1:
            raise patterns.PatternError(f"replacement for {chr(k)!r} must be one character", "patterns/normalize.yaml")
    on_replaced = "|".join(f"(?:{d['pattern']})" for d in data["delete"] if d.get("scope") != "original")
    on_original = "|".join(f"(?:{d['pattern']})" for d in data["delete"] if d.get("scope") == "original")
    return table, regex.compile(on_replaced), regex.compile(on_original) if on_original else None


@functools.cache
def _traditional() -> dict[int, str]:
    """Traditional -> simplified, one character for one: OpenCC's character table (TSCharacters, its first
    reading), without the few characters that are simplified ones too (OpenCC's STCharacters keys)."""
    from importlib.resources import files

    def table(name: str) -> list[list[str]]:
        text = files("opencc").joinpath("dictionary", name).read_text(encoding="utf-8")
        return [line.split() for line in text.splitlines() if line.split()]

    simplified = {parts[0] for parts in table("STCharacters.txt")}
    return {ord(p[0]): p[1] for p in table("TSCharacters.txt")
            if len(p) >= 2 and len(p[0]) == 1 and len(p[1]) == 1 and p[0] != p[1] and p[0] not in simplified}


# A decimal digit other than 0-9 (Arabic-Indic, Devanagari, and digits of a Unicode version newer than
# Python's, which `regex` knows and Decimal() does not): each becomes its ASCII digit, so no rule's \d
# can hand Decimal() a character it cannot read.
_OTHER_DIGIT = regex.compile(r"[^\P{Nd}0-9]")


def _digit_value(ch: str) -> str:
    import unicodedata

    value = unicodedata.decimal(ch, None)
    if value is None:   # Unicode puts every digit run 0..9 at consecutive code points
        first = ord(ch)
        while first > 0 and _OTHER_DIGIT.match(chr(first - 1)):
            first -= 1
        value = (ord(ch) - first) % 10
    return str(value)


def normalize(original: str) -> Normalized:
    """Normalize `original`; see patterns/normalize.yaml for every edit."""
    table, deletions, original_deletions = _compiled()
    replaced = original.translate(table)
    if _OTHER_DIGIT.search(replaced):
        replaced = _OTHER_DIGIT.sub(lambda m: _digit_value(m.group()), replaced)
    # Deletions are found on the replaced text, whose indexes equal the original's (a few rules,
    # marked `scope: original`, need the characters before replacement).
    cuts = [(m.start(), m.end()) for m in deletions.finditer(replaced) if m.end() > m.start()]
    extra = _wrap_cuts(original, replaced)
    if original_deletions is not None:
        extra += [(m.start(), m.end()) for m in original_deletions.finditer(original) if m.end() > m.start()]
    if extra:
        merged: list[tuple[int, int]] = []
        for a, b in sorted(cuts + extra):
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((a, b))
        cuts = merged
    if not cuts:
        return Normalized(original, replaced, None)
    pieces: list[str] = []
    offsets = array("q")   # 8 bytes an index, not a Python int each (a report of millions of characters)
    pos = 0
    for a, b in cuts:
        pieces.append(replaced[pos:a])
        offsets.extend(range(pos, a))
        pos = b
    pieces.append(replaced[pos:])
    offsets.extend(range(pos, len(replaced)))
    offsets.append(len(original))
    return Normalized(original, "".join(pieces), offsets)
