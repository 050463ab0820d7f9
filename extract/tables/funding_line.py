"""A funding block whose cells ran together: the header words in order, then one run of values.

    资金情况(万元)全年预算数(A)全年执行数(B)分值执行率(B/A)得分年度资金总额:161610100.00%10
    -> budget_adjusted 16 | expenditure 16 | weight 10 | rate 100.00% | score 10

The run is split into one number per column in every way the columns allow (the rate is the number
before %); a split is kept only when expenditure ÷ budget gives the stated rate and the score is at most
the weight. The one split that passes is read; none, or two that disagree, and nothing is read: a glued
cell is split by the row's own arithmetic or dropped, never read as one number.
"""

from __future__ import annotations

import functools
from decimal import Decimal

import regex

from .. import patterns
from ..context import Context
from ..numbers import matches_stated
from .funding_block import FundingRow
from .stream import Cell

_NUMBER = regex.compile(r"(?:0|[1-9]\d*)(?:\.\d{1,4})?")


@functools.cache
def _data():
    d = patterns.load("tables")["funding_line"]
    cols = d["columns"]
    word = "|".join(f"(?P<{k}>{v})" for k, v in cols.items())
    return {
        "word": regex.compile(word),
        "gap": d["header_gap"],
        "header": regex.compile(f"(?:{'|'.join(cols.values())})(?:{d['header_gap']}(?:{'|'.join(cols.values())})){{2,6}}"),
        "row": regex.compile(d["row_label"]),
        "tail": regex.compile(d["header_tail"]),
        "unit": regex.compile(d["unit"]),
        "values": regex.compile(d["values"]),
        "reach": int(d["labelled_reach"]),
        "labelled": regex.compile(d["labelled_value"]),
        "unit_ocr": d["unit_ocr"],
        "ocr": str.maketrans(d["ocr_digits"]),
    }


def funding_lines(ctx: Context) -> list[FundingRow]:
    """The 年度资金总额 row of every run-together funding block."""
    d = _data()
    text = ctx.text
    out: list[FundingRow] = []
    for h in d["header"].finditer(text):
        cols = [next(k for k, v in m.groupdict().items() if v) for m in d["word"].finditer(h.group())]
        if len(set(cols)) != len(cols) or "rate" not in cols or "expenditure" not in cols:
            continue
        pos = h.end()
        row = d["row"].match(text, pos) or d["row"].match(text, _skip(text, pos))
        if row is None and not d["row"].search(text, max(0, h.start() - 12), h.start()):
            continue
        at = row.end() if row else _skip(text, pos)
        vm = d["values"].match(text, at)
        unit = _unit(text, h.start())
        run = _run(text, vm) if vm is not None else None
        if run is None:
            cells = _labelled(text, at, cols)
        else:
            cells = _read(text, run[0], run[1], cols)
        if cells is not None:
            out.append(FundingRow("年度资金总额", cells, unit))
    return out


def _labelled(text: str, at: int, cols: list[str]) -> dict[str, Cell] | None:
    """Labels first, values after, each value with its unit (全年预算数(A)…执行率(B/A)其中中央补助…260万元
    231.66万元 89.1%): the money columns and the rate, in header order, a little after the header."""
    money = [c for c in cols if c in ("budget_initial", "budget_adjusted", "expenditure")]
    want = money + ["rate"]
    found = []
    for m in _data()["labelled"].finditer(text, at, min(len(text), at + _data()["reach"])):
        found.append(m)
        if len(found) == len(want):
            break
    if len(found) != len(want) or any((m.group("unit") == "%") != (c == "rate") for m, c in zip(found, want)):
        return None
    if any(regex.search(r"[。；;]", text[a.end():b.start()]) for a, b in zip(found, found[1:])):
        return None
    vals = {c: (m.start("num"), m.end("num"), Decimal(m.group("num").replace(",", ""))) for c, m in zip(want, found)}
    if not _passes(vals):
        return None
    return {c: Cell(s, e, text[s:e] + ("%" if c == "rate" else ""), 0, 0, 1) for c, (s, e, _) in vals.items()}


def _skip(text: str, pos: int) -> int:
    """Past a bracketed note after the header (得分(20分*执行率)) and spaces."""
    return _data()["tail"].match(text, pos).end()


def _unit(text: str, pos: int) -> str | None:
    found = [m for m in _data()["unit"].finditer(text, max(0, pos - 300), pos)]
    if not found:
        return None
    u = found[-1].group("unit") or found[-1].group("unit2")
    return _data()["unit_ocr"].get(u, u)


_CELL = regex.compile(r"[\d.,]*\d[\d.,%]*")


def _run(text: str, m: regex.Match) -> tuple[int, int] | None:
    """The values' span: the leading cells that are numbers once the OCR letters are read (a word after
    the run, `10 Intro`, is not one), if one of them holds %."""
    end = m.start()
    for cell in regex.finditer(r"[^\s|]+", m.group()):
        if not _CELL.fullmatch(cell.group().translate(_data()["ocr"])):
            break
        end = m.start() + cell.end()
    run = text[m.start():end]
    if "%" not in run or not any(ch.isdigit() for ch in run):
        return None
    return m.start(), end


def _read(text: str, a: int, b: int, cols: list[str]) -> dict[str, Cell] | None:
    """The one split of text[a:b] into a number per column that the row's arithmetic accepts."""
    run = text[a:b].translate(_data()["ocr"])   # one character for one: offsets stay
    tokens = [(m.start() + a, m.group()) for m in regex.finditer(r"[^\s|]+", run)]
    readings = []
    for split in _splits(tokens, cols):
        vals = {c: (s, e, Decimal(t.rstrip("%").replace(",", ""))) for c, (s, e, t) in zip(cols, split)}
        if _passes(vals):
            readings.append(vals)
    if not readings and "expenditure" in cols and cols.index("expenditure") > 0 \
            and cols[cols.index("expenditure") - 1] in ("budget_adjusted", "budget_initial"):
        # one value for A and B, a merged cell: only a rate of 100% says so (部门整体支出总额 | 731.6 | 100%)
        merged = [c for c in cols if c != "expenditure"]
        budget = cols[cols.index("expenditure") - 1]
        for split in _splits(tokens, merged):
            vals = {c: (s, e, Decimal(t.rstrip("%").replace(",", ""))) for c, (s, e, t) in zip(merged, split)}
            if vals["rate"][2] == 100 and _passes({**vals, "expenditure": vals[budget]}):
                readings.append(vals)
    if not readings or any({c: v[2] for c, v in r.items()} != {c: v[2] for c, v in readings[0].items()}
                           for r in readings):
        return None
    r = readings[0]
    return {c: Cell(s, e, text[s:e].translate(_data()["ocr"]), 0, 0, 1) for c, (s, e, _) in r.items()}


_MAX_RUN = 80        # characters of a run of values: a row of at most 7 numbers
_MAX_READINGS = 2000  # splits of a run tried; more, and the run is not one row's values


def _splits(tokens, cols):
    """Every way to cut the tokens into len(cols) numbers, never across a space, % only on the rate;
    [] when the run is longer than a row or splits too many ways to be read."""
    if sum(len(t) for _, t in tokens) > _MAX_RUN:
        return []
    pieces: list[list[tuple[int, int, str]]] = [[]]
    for start, tok in tokens:
        cuts = _cuts_of(tok, len(cols))
        if cuts is None:
            return []
        pieces = [p + [(start + a, start + b, tok[a:b]) for a, b in cut] for p in pieces for cut in cuts
                  if len(p) + len(cut) <= len(cols)]
        if len(pieces) > _MAX_READINGS:
            return []
    return [p for p in pieces if len(p) == len(cols)
            and all(t.endswith("%") == (c == "rate") or (c == "rate" and "%" not in t) for (_, _, t), c in zip(p, cols))
            and any(t.endswith("%") for (_, _, t) in p)]


@functools.lru_cache(maxsize=256)
def _cuts_of(tok: str, most: int) -> tuple[tuple[tuple[int, int], ...], ...] | None:
    """The ways to cut one token into at most `most` numbers (a % ends the number before it); None when
    there are more than _MAX_READINGS."""
    out: list[tuple[tuple[int, int], ...]] = []

    def go(i: int, acc: list[tuple[int, int]]) -> bool:
        if i == len(tok):
            out.append(tuple(acc))
            return len(out) <= _MAX_READINGS
        if len(acc) >= most or len(tok) - i > (most - len(acc)) * 13:
            return True   # no room left for the rest of the token
        for end in _prefixes(tok, i):
            step = (i, end + 1) if end < len(tok) and tok[end] == "%" else (i, end)
            if not go(step[1], acc + [step]):
                return False
        return True

    return tuple(out) if go(0, []) else None


def _prefixes(tok: str, i: int):
    for j in range(i + 1, min(len(tok), i + 12) + 1):
        if _NUMBER.fullmatch(tok, i, j) and (j == len(tok) or tok[j] != "."):
            yield j


def _passes(vals) -> bool:
    v = {c: x[2] for c, x in vals.items()}
    rate = v.get("rate")
    spent = v.get("expenditure")
    # the rate is B/A with A the adjusted budget where the row has one
    budgets = [v[c] for c in ("budget_adjusted", "budget_initial") if v.get(c)][:1]
    if rate is None or spent is None or not budgets or not (0 < rate <= 200) or spent <= 0:
        return False   # a 0 in a run is as likely the end of the number before it
    if not any(matches_stated(spent / b * 100, rate) for b in budgets):
        return False
    if "weight" in v and "score" in v and v["score"] > v["weight"]:
        return False
    if "weight" in v and not (0 < v["weight"] <= 100):
        return False
    return True
