"""Sentences of a document with their section paths and search tokens (for the dataset's FTS)."""

from __future__ import annotations

from .nlp import tokenizer
from .normalize import normalize
from .store import SentenceRow
from .structure import analyze, sentences


def sentence_rows(text: str) -> list[SentenceRow]:
    """Each sentence of `text`: offsets into `text`, section path, the text, jieba search tokens.

    Tokens come from jieba's search mode on the normalized sentence (so 招商引资 is indexed as
    招商, 引资 and 招商引资), lower-cased and joined by spaces for SQLite's unicode61 tokenizer.
    """
    norm = normalize(text)
    structure = analyze(norm.text)
    tk = tokenizer()
    rows = []
    for s, e in sentences(norm.text):
        start, end = norm.span(s, e)
        raw = text[start:end]
        stripped = raw.strip()
        if not stripped:
            continue
        start += len(raw) - len(raw.lstrip())
        end = start + len(stripped)
        words = [w.strip().lower() for w in tk.cut_for_search(norm.text[s:e])]
        rows.append(SentenceRow(start, end, structure.section_at(s), stripped, " ".join(w for w in words if w)))
    return rows
