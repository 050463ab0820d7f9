"""The segmenter: one pipeline per process, our words kept whole, the dictionary cache faithful."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from extract.nlp import pipeline, segmenter

SCRIPT = """
import json, sys
from extract.nlp import pipeline
print(json.dumps([t.text for t in pipeline()(sys.argv[1])], ensure_ascii=False))
"""
TEXT = "上年度结转经费60.28万元全年调整预算数160.28万元，参加药博会、兰州科博会。"


def test_pipeline_is_built_once():
    assert pipeline() is pipeline()
    assert pipeline().tokenizer.segmenter is segmenter()


def test_tokens_cover_the_text_exactly():
    text = "  全年支出\n156.99 万元，\u3000执行率97.94%。 "
    doc = pipeline()(text)
    assert doc.text == text
    assert "".join(t.text for t in doc) == text
    assert all(text[t.idx:t.idx + len(t.text)] == t.text for t in doc)


def test_lexicon_words_are_single_tokens():
    tokens = [t.text for t in pipeline()(TEXT)]
    for word in ("上年度结转", "调整预算", "药博会", "科博会"):
        assert word in tokens, tokens


def test_span_ruler_labels_lexicon_words():
    doc = pipeline()("成功举办第26届兰洽会及南京招商引资推介座谈会")
    labels = {(s.text, s.label_) for s in doc.spans["lex"]}
    assert ("兰洽会", "EVENT") in labels and ("举办", "STOP") in labels and ("招商引资", "GENERIC") in labels


def test_dictionary_cache_gives_the_same_tokens(tmp_path):
    env = {**os.environ, "REPORTX_CACHE": str(tmp_path), "REPORTX_SEGMENTER": "jieba"}   # the jieba cache
    cold = subprocess.run([sys.executable, "-c", SCRIPT, TEXT], env=env, capture_output=True, text=True, check=True)
    assert list(tmp_path.glob("jieba-*.pickle")), "the first run should write the cache"
    warm = subprocess.run([sys.executable, "-c", SCRIPT, TEXT], env=env, capture_output=True, text=True, check=True)
    assert json.loads(cold.stdout) == json.loads(warm.stdout)
    assert "Traceback" not in cold.stderr + warm.stderr


def test_unwritable_cache_still_works(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    env = {**os.environ, "REPORTX_CACHE": str(blocker / "sub")}
    proc = subprocess.run([sys.executable, "-c", SCRIPT, TEXT], env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and "药博会" in proc.stdout


def test_both_segmenters_give_the_same_facts_on_every_corpus():
    """rjieba (default) and jieba differ only on runs of digits and dashes (2023-04-20 as one token):
    recognizers read numbers on characters, so every fact of every committed corpus text is the same."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    texts = sorted(str(p) for p in (root / "corpora").rglob("*.txt")
                   if "generated" not in p.parts and p.with_name(p.stem + ".gold.json").exists())
    out = {}
    for name in ("rjieba", "jieba"):
        env = {**os.environ, "REPORTX_SEGMENTER": name}
        proc = subprocess.run([sys.executable, "-m", "extract", "extract", *texts], capture_output=True, text=True,
                              env=env, cwd=root, timeout=600)
        assert proc.returncode == 0, proc.stderr
        out[name] = proc.stdout.splitlines()
    assert len(out["rjieba"]) == len(texts)
    assert out["rjieba"] == out["jieba"]


def test_the_segmenter_is_chosen_by_environment():
    import os
    import subprocess
    import sys

    code = "from extract import nlp; print(type(nlp.segmenter()).__name__)"
    for name, want in (("rjieba", "_RustSegmenter"), ("jieba", "Tokenizer")):
        got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env={**os.environ, "REPORTX_SEGMENTER": name}).stdout.strip()
        assert got == want


def test_the_pipeline_is_renewed_so_a_long_run_does_not_grow(monkeypatch):
    """spaCy's string store keeps every word seen: nlp.parse starts a fresh pipeline every RENEW_EVERY
    texts, and a fresh one has forgotten the words of the texts before."""
    from extract import nlp

    monkeypatch.setattr(nlp, "RENEW_EVERY", 3)
    monkeypatch.setattr(nlp, "_parsed", 0)
    first = nlp.parse("报告zqxjkvbw").vocab
    for i in range(2):
        assert nlp.parse(f"第{i}份报告").vocab is first
    assert "zqxjkvbw" in first.strings
    renewed = nlp.parse("第三份报告").vocab
    assert renewed is not first and "zqxjkvbw" not in renewed.strings
