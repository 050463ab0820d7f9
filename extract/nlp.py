"""The spaCy pipeline: blank("zh") with our own jieba tokenizer and a span ruler from patterns/.

Built once per process (`pipeline()` is cached). We never touch jieba's module-level default
tokenizer: a dedicated `jieba.Tokenizer` gets the user dictionary in patterns/ plus every lexicon
word the rulers look for, so those words come out as single tokens.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import pickle
from pathlib import Path

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


def user_words() -> list[str]:
    """Words jieba must keep whole: lexicon entries the ruler and the role cues look for."""
    words = [w for w in lexicon_words() if len(w) > 1]
    for kind in ("amounts", "percentages"):
        for spec in patterns.load("roles")[kind].values():
            words.extend(c for c in spec["cues"] if len(c) > 1)
    return words


def _cache_path(jieba_version: str) -> Path | None:
    """Where the prepared dictionary is kept, keyed by everything that goes into it (None: no cache)."""
    home = os.path.expanduser("~")
    root = os.environ.get("REPORTX_CACHE") or (
        os.path.join(os.environ["XDG_CACHE_HOME"], "reportx") if os.environ.get("XDG_CACHE_HOME")
        else os.path.join(home, ".cache", "reportx") if home != "~" else None)
    if root is None:
        return None
    digest = hashlib.sha256()
    digest.update(jieba_version.encode())
    digest.update((patterns.PATTERNS_DIR / "jieba_userdict.txt").read_bytes())
    digest.update("\n".join(user_words()).encode("utf-8"))
    return Path(root) / f"jieba-{digest.hexdigest()[:16]}.pickle"


@functools.cache
def tokenizer():
    """A private jieba.Tokenizer with our user dictionary loaded.

    jieba's own cache is a marshal file that takes ~0.8 s to load; we keep the finished
    dictionary (jieba's words plus ours) as a pickle, which loads in ~0.25 s. The cache is only
    an accelerator: when it is missing, stale or unwritable, the dictionary is built as usual.
    """
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    cache = _cache_path(getattr(jieba, "__version__", "?"))
    if cache is not None and _trusted(cache):
        try:
            with cache.open("rb") as f:
                tk.FREQ, tk.total = pickle.load(f)
            tk.initialized = True
            return tk
        except Exception:
            pass  # stale or damaged: rebuilt below
    tk.initialize()
    tk.load_userdict(str(patterns.PATTERNS_DIR / "jieba_userdict.txt"))
    for word in user_words():
        tk.add_word(word)
    if cache is not None:
        _save(cache, (tk.FREQ, tk.total))
    return tk


def _trusted(path: Path) -> bool:
    """Only unpickle a file this user wrote and nobody else can change (pickle can run code)."""
    try:
        st = path.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _save(path: Path, data) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for stale in path.parent.glob("jieba-*.pickle"):  # dictionaries of older pattern files
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):  # the cache only speeds things up
            tmp.unlink()


class JiebaTokenizer:
    """A spaCy tokenizer over our private jieba.Tokenizer.

    spaCy's own zh tokenizer (segmenter="jieba") would load jieba's global default dictionary
    (a second ~1 s load) and re-align every word to the text in Python. jieba never drops a
    character, so its words, whitespace included, are the Doc's tokens as they are: token.idx
    is an exact offset into the text, with no alignment step.
    """

    def __init__(self, vocab, segmenter):
        self.vocab = vocab
        self.segmenter = segmenter

    def __call__(self, text: str):
        from spacy.tokens import Doc

        words = self.segmenter.lcut(text)
        return Doc(self.vocab, words=words, spaces=[False] * len(words))


@functools.cache
def pipeline():
    """The shared spaCy Language object (blank zh, jieba segmenter, span ruler under spans['lex'])."""
    import spacy

    nlp = spacy.blank("zh")
    nlp.tokenizer = JiebaTokenizer(nlp.vocab, tokenizer())
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": "lex", "overwrite": False})
    ruler.add_patterns([{"label": label, "pattern": word, "id": word} for word, label in lexicon_words().items()])
    return nlp
