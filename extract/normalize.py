"""Normalize text for matching, keeping a map from every normalized index to the original.

Only two kinds of edit are allowed: replacing one character by one character (full-width digits,
％, ideographic spaces) and deleting characters (conversion artefacts, spaces inside numbers).
So `Normalized.span(s, e)` maps any normalized span back to the original text exactly.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import regex

from . import patterns


@dataclass(frozen=True, slots=True)
class Normalized:
    original: str
    text: str
    # offsets[i] = index in `original` of normalized character i; offsets[len(text)] = len(original)
    offsets: tuple[int, ...] | None  # None when nothing was deleted: indexes are equal

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


@functools.cache
def _compiled() -> tuple[dict[int, str], regex.Pattern, regex.Pattern | None]:
    data = patterns.load("normalize")
    table = {ord(k): v for k, v in data["replace"].items()}
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


def normalize(original: str) -> Normalized:
    """Normalize `original`; see patterns/normalize.yaml for every edit."""
    table, deletions, original_deletions = _compiled()
    replaced = original.translate(table)
    # Deletions are found on the replaced text, whose indexes equal the original's (a few rules,
    # marked `scope: original`, need the characters before replacement).
    cuts = [(m.start(), m.end()) for m in deletions.finditer(replaced) if m.end() > m.start()]
    if original_deletions is not None:
        extra = [(m.start(), m.end()) for m in original_deletions.finditer(original) if m.end() > m.start()]
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
    offsets: list[int] = []
    pos = 0
    for a, b in cuts:
        pieces.append(replaced[pos:a])
        offsets.extend(range(pos, a))
        pos = b
    pieces.append(replaced[pos:])
    offsets.extend(range(pos, len(replaced)))
    offsets.append(len(original))
    return Normalized(original, "".join(pieces), tuple(offsets))
