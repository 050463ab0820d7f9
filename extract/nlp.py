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
import re
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


# The longest text the pipeline takes, in characters (nlp.max_length). The reader accepts files of
# up to 50 MiB (pipeline.DEFAULT_MAX_BYTES); every encoding we decode spends at least one byte a
# character, so no text read from an accepted file is longer than this, and spaCy's E088 can no
# longer surface as an internal error after all the work. spaCy's default (1,000,000) guards the
# memory of its parser and NER (about 1 GB per 100,000 characters); this pipeline has neither, only
# the tokenizer below and a span ruler (a PhraseMatcher over token ids), both linear, holding one
# TokenC per token. The real bound is memory: measured 2026-11-27, a 1,500,000-character text made
# of the corpus reports took 15 s and about 330 bytes a character at peak for the whole extraction
# (Doc, word list, recognizers), so ~6.5 GB at 20 million characters and ~16 GB at this limit.
# A str longer than this (extract_text called directly) still gets spaCy's E088.
MAX_CHARS = 50 * 1024 * 1024

# jieba cuts a text into blocks of these characters (jieba.re_han_default) and segments each block
# on its own; everything else becomes one token a character (a CR LF pair: one token). Its HMM
# (finalseg.viterbi copies the path at every step) is quadratic in a block's length: 2 s for
# 25,000 repeated 的, 35 s for 100,000. So a block longer than MAX_BLOCK is segmented window by
# window (see `_cut_long`); a text with no such block (every real report) goes to jieba whole
# and comes out exactly as jieba alone would cut it.
_BLOCK_CHARS = r"\u4E00-\u9FD5a-zA-Z0-9+#&._%\-"
MAX_BLOCK = 400
_WINDOW_KEEP = 300        # of a window's tokens, those ending in its first 300 characters are kept
_LONG_BLOCK = re.compile(f"(?<![{_BLOCK_CHARS}])[{_BLOCK_CHARS}]{{{MAX_BLOCK + 1},}}")


def segment(segmenter, text: str) -> list[str]:
    """jieba's words for `text`, in linear time; they tile the text exactly.

    Blocks of at most MAX_BLOCK characters (all of them, in real reports) are cut by jieba as it
    always cuts them: the text is only split where jieba itself splits it (at the edges of a long
    block, which are never inside a block nor inside a CR LF pair).
    """
    words: list[str] = []
    pos = 0
    # the look-behind makes the search start only at a block's first character: linear
    for m in _LONG_BLOCK.finditer(text):
        if m.start() > pos:
            words.extend(segmenter.lcut(text[pos:m.start()]))
        words.extend(_cut_long(segmenter, m.group()))
        pos = m.end()
    if pos < len(text):
        words.extend(segmenter.lcut(text[pos:] if pos else text))
    return words


def _cut_long(segmenter, block: str) -> list[str]:
    """One long block, cut window by window: each window of MAX_BLOCK characters is segmented,
    and its words that end in its first _WINDOW_KEEP characters are kept (away from the window's
    cut end, where the cut changes jieba's choices); the next window starts after them. Every
    window moves at least MAX_BLOCK / 2 characters on, so the cost is linear in the block."""
    words: list[str] = []
    pos, n = 0, len(block)
    while n - pos > MAX_BLOCK:
        cut = segmenter.lcut(block[pos:pos + MAX_BLOCK])
        kept, end = 0, 0
        for i, w in enumerate(cut):
            if end + len(w) > _WINDOW_KEEP:
                break
            end += len(w)
            kept = i + 1
        if end < MAX_BLOCK // 2:
            kept, end = len(cut), MAX_BLOCK   # a long word straddles the mark: keep the window
        words.extend(cut[:kept])
        pos += end
    words.extend(segmenter.lcut(block[pos:]))
    return words


SEGMENTERS = ("rjieba", "jieba")
# Doc.user_data key of the segmenter's words (they tile the text: Context derives offsets from them)
WORDS_KEY = "reportx.words"


@functools.cache
def segmenter():
    """What cuts the text into words: jieba-rs through rjieba (the same algorithm and dictionary as
    jieba, in Rust: ~20x faster), with our user dictionary and words added; or jieba itself with
    REPORTX_SEGMENTER=jieba (or when rjieba is not installed), to compare.

    The two differ only where jieba-rs keeps a run of digits and dashes or dots together (2023-04-20,
    0931-8888888, 560.00612.40598 as one token where jieba gives 2023 / - / 04 …): every recognizer
    matches numbers on characters, never on tokens, and the corpora and forms score the same with
    both (tests/test_nlp.py compares them), so the fast one is the default.
    """
    name = os.environ.get("REPORTX_SEGMENTER", "rjieba").strip().lower() or "rjieba"
    if name not in SEGMENTERS:
        from .errors import UsageError

        raise UsageError(f"REPORTX_SEGMENTER must be one of {', '.join(SEGMENTERS)}, not {name!r}")
    if name == "rjieba":
        try:
            return _RustSegmenter()
        except ImportError:
            pass   # rjieba is an accelerator: without it, jieba gives the same words (digit runs aside)
    return tokenizer()


class _RustSegmenter:
    """rjieba.Jieba with the words of patterns/jieba_userdict.txt (frequency and tag as written there)
    and the cue words of patterns/ (nlp.user_words), as tokenizer() gives jieba."""

    def __init__(self):
        import rjieba

        # rjieba builds a default instance when imported (0.1 s: the dictionary); a second one would
        # cost a cold start as much again, so our words go into that one. A program that calls
        # rjieba.cut itself alongside reportx gets them too (they are real words; jieba's own
        # dictionary is unchanged).
        self.jieba = getattr(rjieba, "_DEFAULT_JIEBA", None) or rjieba.Jieba()
        with (patterns.PATTERNS_DIR / "jieba_userdict.txt").open(encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if not parts or parts[0].startswith("#"):
                    continue
                freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                tag = parts[2] if len(parts) > 2 else (parts[1] if len(parts) == 2 and freq is None else None)
                self.jieba.add_word(parts[0], freq, tag)
        for word in user_words():
            self.jieba.add_word(word, None, None)
        self.lcut = self.jieba.cut


def is_word(word: str) -> bool:
    """A word of the segmenter's dictionary (jieba's words plus ours), not one its HMM made up."""
    seg = segmenter()
    if isinstance(seg, _RustSegmenter):
        return seg.jieba.has_word(word)
    return bool(seg.FREQ.get(word))


class JiebaTokenizer:
    """A spaCy tokenizer over our private jieba.Tokenizer.

    spaCy's own zh tokenizer (segmenter="jieba") would load jieba's global default dictionary
    (a second ~1 s load) and re-align every word to the text in Python. jieba never drops a
    character, so its words, whitespace included, are the Doc's tokens as they are: token.idx
    is an exact offset into the text, with no alignment step. `segment` keeps that true while
    bounding the length of what jieba sees at once.
    """

    def __init__(self, vocab, segmenter):
        self.vocab = vocab
        self.segmenter = segmenter

    def __call__(self, text: str):
        from spacy.tokens import Doc

        words = segment(self.segmenter, text)
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        doc.user_data[WORDS_KEY] = words
        return doc


class LexiconRuler:
    """A spaCy phrase ruler for the lexicon (event names, stop and generic words): the tokens each
    word covers, labelled, under doc.spans['lex']. spaCy's span_ruler does the same with the same
    PhraseMatcher (every match kept, as span_ruler keeps them under a spans key), but its span
    bookkeeping (pattern ids, sorting, deduplication) cost 3x the matching itself (0.30 vs 0.10 ms
    a report)."""

    def __init__(self, nlp, words: dict[str, str]):
        from spacy.matcher import PhraseMatcher

        self.matcher = PhraseMatcher(nlp.vocab)
        by_label: dict[str, list[str]] = {}
        for word, label in words.items():
            by_label.setdefault(label, []).append(word)
        for label, group in by_label.items():
            self.matcher.add(label, list(nlp.tokenizer.pipe(group)) if hasattr(nlp.tokenizer, "pipe")
                             else [nlp.make_doc(w) for w in group])

    def __call__(self, doc):
        from spacy.tokens import Span

        doc.spans["lex"] = [Span(doc, start, end, label=label) for label, start, end in self.matcher(doc)]
        return doc


# spaCy's Vocab keeps every word it has ever seen, so a process that goes through an archive would
# grow with it: parse() starts a fresh pipeline every RENEW_EVERY texts (about 40 ms), which keeps
# memory flat without replacing the process.
RENEW_EVERY = 1500
_parsed = 0


def parse(text: str):
    """The spaCy Doc of `text` through the shared pipeline, renewed every RENEW_EVERY texts."""
    global _parsed
    _parsed += 1
    if _parsed > RENEW_EVERY:
        pipeline.cache_clear()
        _parsed = 1
    return pipeline()(text)


@functools.cache
def pipeline():
    """The shared spaCy Language object (blank zh, jieba segmenter, the lexicon ruler under spans['lex'])."""
    import spacy
    from spacy.language import Language

    nlp = spacy.blank("zh")
    nlp.max_length = MAX_CHARS  # see MAX_CHARS: no component here needs spaCy's memory guard
    nlp.tokenizer = JiebaTokenizer(nlp.vocab, segmenter())
    if "reportx_lexicon" not in Language.factories:
        Language.factory("reportx_lexicon", func=lambda nlp, name: LexiconRuler(nlp, lexicon_words()))
    nlp.add_pipe("reportx_lexicon")
    return nlp
