"""Sentences of a document with their section paths and search tokens (for the dataset's FTS)."""

from __future__ import annotations

import bisect
import functools

from ..context import Context
from ..nlp import is_word
from ..structure import sentences
from .store import SentenceRow


def search_words(words: list[str]) -> list[str]:
    """jieba's search mode from already-segmented words: each word, preceded by its 2- and 3-character
    parts that are dictionary words (招商引资 -> 招商, 引资, 招商引资), as Tokenizer.cut_for_search does."""
    out: list[str] = []
    for w in words:
        out.extend(_search_parts(w) if len(w) > 2 else (w,))
    return out


@functools.lru_cache(maxsize=1 << 16)
def _search_parts(w: str) -> tuple[str, ...]:
    """The search tokens of one word (reports repeat their words: each is looked up once)."""
    parts = [w[i:i + 2] for i in range(len(w) - 1) if is_word(w[i:i + 2])]
    if len(w) > 3:
        parts += [w[i:i + 3] for i in range(len(w) - 2) if is_word(w[i:i + 3])]
    return (*parts, w)


def sentence_rows(ctx: Context) -> list[SentenceRow]:
    """Each sentence: offsets into the original text, section path, the text, search tokens.

    Tokens are the pipeline's own jieba tokens (a sentence never splits a jieba block, so they are
    the sentence's tokens), expanded as in search mode, lower-cased and joined by spaces for SQLite's
    unicode61 tokenizer.
    """
    norm, text = ctx.norm, ctx.norm.original
    rows = []
    for s, e in sentences(norm.text):
        start, end = norm.span(s, e)
        raw = text[start:end]
        stripped = raw.strip()
        if not stripped:
            continue
        start += len(raw) - len(raw.lstrip())
        end = start + len(stripped)
        lo = bisect.bisect_left(ctx.tok_starts, s)
        hi = bisect.bisect_left(ctx.tok_starts, e)
        words = [ctx.text[ctx.tok_starts[i]:ctx.tok_ends[i]] for i in range(lo, hi)]
        words = [w.strip().lower() for w in search_words(words)]
        rows.append(SentenceRow(start, end, ctx.structure.section_at(s), stripped, " ".join(w for w in words if w)))
    return rows
