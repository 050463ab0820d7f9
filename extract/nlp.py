"""The spaCy pipeline: blank("zh") with our own jieba tokenizer and a span ruler from patterns/.

Built once per process (`pipeline()` is cached). We never touch jieba's module-level default
tokenizer: a dedicated `jieba.Tokenizer` gets the user dictionary in patterns/ plus every lexicon
word the rulers look for, so those words come out as single tokens.
"""

from __future__ import annotations

import functools
import logging

from . import patterns


def lexicon_words() -> dict[str, str]:
    """Words the span ruler matches, with their labels: known event names, stop and generic tokens."""
    ev = patterns.load("events")
    words: dict[str, str] = {}
    for w in ev["generic"]:
        words[w] = "GENERIC"
    for w in ev["stops"]:
        words[w] = "STOP"
    for w in ev["names"]:
        words[w] = "EVENT"
    return words


@functools.cache
def tokenizer():
    """A private jieba.Tokenizer with our user dictionary loaded."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    tk.load_userdict(str(patterns.PATTERNS_DIR / "jieba_userdict.txt"))
    for word in lexicon_words():
        if len(word) > 1:
            tk.add_word(word)
    for kind_words in (patterns.load("roles")["amounts"], patterns.load("roles")["percentages"]):
        for spec in kind_words.values():
            for cue in spec["cues"]:
                if len(cue) > 1:
                    tk.add_word(cue)
    return tk


@functools.cache
def pipeline():
    """The shared spaCy Language object (blank zh, jieba segmenter, span ruler under spans['lex'])."""
    import spacy
    from spacy.lang.zh import Segmenter

    # blank("zh") with segmenter=jieba would initialize jieba's global default tokenizer (a second
    # dictionary load, ~1 s); we build the char segmenter and plug our own tokenizer in instead.
    nlp = spacy.blank("zh")
    nlp.tokenizer.jieba_seg = tokenizer()
    nlp.tokenizer.segmenter = Segmenter.jieba
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": "lex", "overwrite": False})
    ruler.add_patterns([{"label": label, "pattern": word, "id": word} for word, label in lexicon_words().items()])
    return nlp
