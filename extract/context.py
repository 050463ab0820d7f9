"""What every recognizer sees: the normalized text, its tokens, its structure, and clause windows."""

from __future__ import annotations

import bisect
import functools
import itertools
from array import array
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Any

import regex

from .nlp import WORDS_KEY
from .normalize import Normalized
from .structure import Structure

LOOK_BACK = 200   # characters a clause or sentence start is looked for before a position


@functools.cache
def _boundaries() -> tuple[regex.Pattern, regex.Pattern]:
    """Clause and sentence ends (patterns/structure.yaml): where cue look-back stops."""
    from . import patterns

    data = patterns.load("structure")
    return regex.compile(data["clause_end"]), regex.compile(data["sentence_end"])


@dataclass(slots=True)
class Candidate:
    """A recognized fact before it becomes a model: positions are in the normalized text."""

    type: str
    start: int
    end: int
    rule: str
    data: dict[str, Any]
    order: int = 0


@dataclass
class Context:
    norm: Normalized
    doc: Any                       # spacy Doc over norm.text
    structure: Structure
    tok_starts: Sequence[int] = field(default_factory=list)
    tok_ends: Sequence[int] = field(default_factory=list)
    lex: dict[int, str] = field(default_factory=dict)   # token index -> span-ruler label
    cache: dict[str, Any] = field(default_factory=dict)  # per-text results shared by stages

    @property
    def text(self) -> str:
        return self.norm.text

    @classmethod
    def build(cls, norm: Normalized, doc, structure: Structure) -> "Context":
        ctx = cls(norm, doc, structure)
        # the tokens tile the text (nlp.JiebaTokenizer), so their offsets are running sums of their
        # lengths: far cheaper than a Token object per word or doc.to_array(...).tolist()
        lengths = [len(t) for t in doc.user_data.get(WORDS_KEY) or (t.text for t in doc)]
        # arrays: 8 bytes a token, not a Python int each (millions of tokens in a long report)
        ctx.tok_ends = array("q", itertools.accumulate(lengths))
        ctx.tok_starts = array("q", (e - n for e, n in zip(ctx.tok_ends, lengths)))
        for span in doc.spans.get("lex", []):
            for i in range(span.start, span.end):
                ctx.lex[i] = span.label_
        return ctx

    def cue(self, table: dict[str, str], lo: int, hi: int) -> tuple[str, int, int] | None:
        """nearest_cue(self.text, lo, hi, table), from one scan of the whole text per table."""
        found = self.cache.get(id(table))
        if found is None:
            rx = cue_matcher(table)
            hits = sorted((m.end(), m.end() - m.start(), m.start(), m.group())
                          for m in rx.finditer(self.text, overlapped=True))
            found = self.cache[id(table)] = ([h[0] for h in hits], hits)
        ends, hits = found
        best = None
        i = bisect.bisect_right(ends, hi) - 1
        while i >= 0 and ends[i] > lo:
            end, length, start, word = hits[i]
            if best is not None and end < best[0]:
                break
            if start >= lo and (best is None or (end, length) > best[:2]):
                best = (end, length, start, word)
            i -= 1
        if best is None:
            return None
        return table[best[3]], best[2], best[0]

    def clause_start(self, pos: int, floor: int = 0) -> int:
        """Start of the clause that `pos` is in (after the last ，。；： or line end), not before floor."""
        return max(self._last(0, pos), floor)

    def sentence_start(self, pos: int) -> int:
        return self._last(1, pos)

    def _last(self, kind: int, pos: int) -> int:
        """Index just after the last clause (kind 0) or sentence (1) end in text[:pos], looking back
        LOOK_BACK characters at most (pos - LOOK_BACK when there is none), from one scan per text."""
        key = ("boundaries", kind)
        ends = self.cache.get(key)
        if ends is None:   # the boundaries are single characters: a match ends right after its start
            ends = self.cache[key] = [m.end() for m in _boundaries()[kind].finditer(self.text)]
        i = bisect.bisect_right(ends, pos) - 1
        return max(ends[i] if i >= 0 else 0, pos - LOOK_BACK, 0)

    def token_text(self, i: int) -> str:
        return self.text[self.tok_starts[i] : self.tok_ends[i]]


def resolve_overlaps(cands: list[Candidate]) -> list[Candidate]:
    """Keep the longest candidate where candidates overlap; on equal length, the lower `order`."""
    ranked = sorted(cands, key=lambda c: (-(c.end - c.start), c.order, c.start))
    kept: list[Candidate] = []
    starts: list[int] = []   # kept spans, sorted by start; they never overlap each other
    ends: list[int] = []
    for c in ranked:
        i = bisect.bisect_left(starts, c.end)  # kept spans starting before c ends: indexes < i
        if i and ends[i - 1] > c.start:
            continue
        starts.insert(i, c.start)
        ends.insert(i, c.end)
        kept.append(c)
    return sorted(kept, key=lambda c: c.start)


_MATCHERS: dict[int, tuple[dict[str, str], regex.Pattern]] = {}


def cue_matcher(table: dict[str, str]) -> regex.Pattern:
    """One compiled alternation per cue table (tables are built once per process, so keyed by identity;
    the table is kept alongside so an id is never reused for another table)."""
    hit = _MATCHERS.get(id(table))
    if hit is None or hit[0] is not table:
        from .patterns import alternation

        hit = _MATCHERS[id(table)] = (table, regex.compile(alternation(list(table))))
    return hit[1]


def most_common(values: list):
    """The most often stated value; the first stated one on a tie (reports repeat their key figures)."""
    if not values:
        return None
    counts: dict = {}
    first: dict = {}
    for i, v in enumerate(values):
        counts[v] = counts.get(v, 0) + 1
        first.setdefault(v, i)
    return max(counts, key=lambda v: (counts[v], -first[v]))


def nearest_cue(text: str, lo: int, hi: int, table: dict[str, str]) -> tuple[str, int, int] | None:
    """(meaning, start, end) of the cue in text[lo:hi] whose end is nearest hi; longest on a tie.

    Cues are found at every start position (overlapping), so 上年结转 inside 上年结转资金 is seen.
    """
    rx = cue_matcher(table)
    best = None
    for m in rx.finditer(text, lo, hi, overlapped=True):
        key = (m.end(), m.end() - m.start())
        if best is None or key > best[0]:
            best = (key, m)
    if best is None:
        return None
    m = best[1]
    return table[m.group()], m.start(), m.end()
