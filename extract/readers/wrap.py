"""A paragraph that office software wrapped over several printed lines, read back as the one line it is.

A report dumped from a web page is sometimes a whole form on one line of single-spaced words
(`项目名称 通村公路 主管部门 交通运输局 … 分值 执行率 得分 …`). Printed, that line wraps over a
dozen lines, and a wrap can fall inside a word (`执行` / `率`). The table stage reads such a form
only as one line, and extract.normalize cannot tell a wrapped line of single-spaced words from the
rows of a table (it will not join `40` to `10` across a break). The reader can: it knows where the
lines end on the page. A line is a wrap of the one before when

- the line before is full: the first word of this line would not have fitted after it (a CJK
  character is a word of its own, since a line may break between any two of them);
- this line starts at the left edge of the text (not indented, as a new paragraph is);
- the two are one line pitch apart, in the same font size;
- neither has a gap of a cell boundary (a run of spaces) in it: rows of a table aligned with
  spaces are never joined.

Only runs of at least MIN_LINES such lines are joined (a paragraph, not two rows that happen to
reach the margin), or two lines without spaces of which the first is CJK prose (a comma or
semicolon of running text: a scoring note wrapped inside a table, `…按B/A或A/B*该指标分值` / `计分。`). What goes between the two:

- between two CJK characters, nothing when the break may have fallen inside a word (the first
  character of the next line did not fit: the likelier case), a space when it did fit;
- between a CJK character and a digit or letter, a space in text of spaced words (a dumped form:
  `本年财政拨款 120`), nothing in text without spaces (CJK prose: `支出1` / `20万元`);
- between digits or Latin letters in text without spaces, nothing when less than a digit's room
  was left (a writer that puts no spaces breaks lines anywhere, `1` / `00万元` too);
- between digits or Latin letters in text of spaced words, one space when the line had room for
  another digit (it did not break inside a number: Word, WPS and LibreOffice break only at a
  space there);
- otherwise the line break stays (extract.normalize decides, as for any break), so that neither are
  `40` and `10` glued into `4010` nor `1284` / `53.7` (a scan's prose) parted into two numbers.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from itertools import pairwise

from .. import patterns

# A paragraph of at least this many printed lines is joined; two full lines may be two table rows.
MIN_LINES = 3
# Room for a space at the end of a full line, in ems (a space is 0.25–0.5 em in CJK and Latin fonts).
SPACE_EMS = 0.6
# How far from the left edge of the text a wrapped line may start, in ems.
LEFT_EMS = 0.3
# The widest digit or Latin letter, in ems: a line with more room than that left did not break
# inside a number.
NARROW_EMS = 0.6
# Baselines of two lines of one paragraph are at most this many font sizes apart (single to 1.5
# spacing is 1.2–1.8 em).
PITCH_EMS = 2.0


@dataclass(frozen=True)
class Line:
    """A printed line: its text and where its ink is."""

    text: str
    x0: float     # left edge of its first glyph
    x1: float     # right edge of its last glyph
    y: float      # baseline (or bottom), growing down the page
    size: float   # font size
    first: float  # width of its first word: to the first space, or its first glyph when that is CJK


def wide(ch: str) -> bool:
    """A full-width character (CJK, full-width punctuation): a line may break on either side of it."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


@functools.cache
def _breaking() -> tuple[frozenset, frozenset, frozenset]:
    """(no line starts with, no line ends with, marks of running text): patterns/readers.yaml
    `line_breaking` (UAX #14 as office software applies it to Chinese)."""
    d = patterns.load("readers")["line_breaking"]
    return frozenset(d["no_break_before"]), frozenset(d["no_break_after"]), frozenset(d["prose_marks"])


def first_word_end(text: str) -> int:
    """Index of the last character of a line's first unbreakable run (see Line.first): a line may
    break at a space and beside a CJK character, but not before a closing mark or a comma, nor after
    an opening mark; a run of Latin letters and digits breaks only at a space."""
    no_break_before, no_break_after, _ = _breaking()
    for i in range(1, len(text)):
        ch, before = text[i], text[i - 1]
        if ch == " ":
            return i - 1
        if ch in no_break_before or before in no_break_after:
            continue
        if wide(ch) or wide(before):
            return i - 1
    return len(text) - 1


def join_wraps(lines: list[Line | None], page_width: float) -> list[str | None]:
    """The lines' texts, a paragraph's wrapped lines joined into one; None (a blank line) is kept
    as None and ends a paragraph, as does a line of size 0 (a table row).

    The right edge of the text is where the lines end, and not left of where the left margin puts
    it (page_width less the left edge: office software's margins are the same on both sides, or
    narrower on the right), so that lines all of one length well short of it are not taken for
    full ones."""
    usable = [ln for ln in lines if ln is not None and ln.text.strip() and "  " not in ln.text and ln.size > 0]
    if len(usable) < MIN_LINES:
        return [None if ln is None else ln.text for ln in lines]
    left = min(ln.x0 for ln in usable)
    right = max(max(ln.x1 for ln in usable), page_width - left)
    if sum(ln.x1 >= right - ln.size for ln in usable) < MIN_LINES - 1:
        return [None if ln is None else ln.text for ln in lines]
    ok = {id(ln) for ln in usable}
    joints = [_joint(a, b, left, right) if id(a) in ok and id(b) in ok else None
              for a, b in pairwise(lines)]
    out: list[str | None] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(joints) and joints[j] is not None:
            j += 1
        if j - i + 1 >= MIN_LINES or j == i + 1 and _prose(lines[i]) and _unspaced(lines[j]):
            text = lines[i].text
            for k in range(i, j):
                text += joints[k] + lines[k + 1].text
            out.append(text)
        else:
            out.extend(None if ln is None else ln.text for ln in lines[i:j + 1])
        i = j + 1
    return out


def _unspaced(line: Line) -> bool:
    """No space and no bar: a row of a table has them between its cells."""
    return " " not in line.text and "|" not in line.text


def _prose(line: Line) -> bool:
    """A line of CJK prose: unspaced, with a comma, semicolon or colon of running text."""
    marks = _breaking()[2]
    return _unspaced(line) and any(ch in marks for ch in line.text)


def _joint(a: Line, b: Line, left: float, right: float) -> str | None:
    """What stands between a and b when b is a wrap of a; None when it is not."""
    size = max(a.size, b.size)
    if abs(a.size - b.size) > 0.1 * size or not 0 < b.y - a.y <= PITCH_EMS * size:
        return None
    if b.x0 > left + LEFT_EMS * size:
        return None
    room = right - a.x1
    if room >= b.first + SPACE_EMS * size:
        return None   # the first word of b would have fitted on a's line: a ended its paragraph
    spaced = (a.text + b.text).count(" ") >= 2   # words parted by spaces, as a dumped form is
    if wide(a.text[-1]) and wide(b.text[0]):
        # a line may break between any two CJK characters: nothing between them when b's first
        # character did not fit (a break inside a word, the likelier), a space when it did
        return "" if room < b.first else " "
    if wide(a.text[-1]) or wide(b.text[0]):
        # a CJK character beside a digit or letter: spaced text puts a space there (本年财政拨款 120)
        return " " if spaced or room >= b.first else ""
    if not spaced:
        # text without spaces (CJK prose): its writer breaks lines anywhere, 1|00万元 too; with room
        # left for another digit the break may have been at a space all the same: left broken
        return "" if room < NARROW_EMS * size else "\n"
    if room >= NARROW_EMS * size:
        return " "    # another digit would have fitted: the line did not break inside a number
    return "\n"      # two digits or letters with no telling whether a space was between: left broken
