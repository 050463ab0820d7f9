"""Bytes -> str: UTF-8 (± BOM), UTF-16 (± BOM, LE or BE), GB18030/GBK and Big5; nothing silent.

Undecodable input is an error naming the file, never text with replacement characters, and never
mojibake: a legacy-encoding guess is only returned when the decoded text reads like Chinese.

| bytes                                          | encoding returned            |
|------------------------------------------------|------------------------------|
| valid UTF-8 (the common case: no guessing)     | utf-8, utf-8-sig with a BOM  |
| UTF-16 byte-order mark                         | utf-16                       |
| NUL bytes all on odd (even) positions          | utf-16-le (utf-16-be)        |
| GBK/GB18030 (Simplified)                       | gb18030                      |
| Big5 (Traditional)                             | big5                         |

Guessing between GB18030 and Big5 (almost every Big5 byte string is also valid GB18030, as
garbage) and judging a guess use one measure, `plausibility`: the share of non-ASCII characters
that are common Chinese characters (GB2312 level 1 or Big5 level 1, about 6800 characters) or
punctuation and symbols reports use. Real reports score above 0.98; Big5 read as GB18030, or random
high bytes, score 0.35 to 0.6. (A byte salad of only common characters would pass: this judges
characters, not words.) A guess under `MIN_PLAUSIBILITY` is UndecodableInput naming the
encoding tried.
"""

from __future__ import annotations

import codecs
import functools

from .errors import BinaryInput, EmptyInput, UndecodableInput

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))

# A legacy-encoding guess below this share of likely characters is mojibake, not a report. The reports
# in corpora/ score 0.989 or more; random GB2312-range bytes 0.60, Big5 read as GB18030 about 0.35.
MIN_PLAUSIBILITY = 0.8
# ... judged only when the text has at least this many non-ASCII characters (a UTF-16 guess always is).
_MIN_JUDGED = 8
# Characters judged: this many from the start, the middle and the end of the text.
_WINDOW = 4000

# Non-CJK-ideograph ranges a Chinese report plausibly uses: Latin-1 symbols (° ± × ÷ ¥), general
# punctuation (— … “ ”), letterlike and number forms (℃ Ⅱ), arrows, maths (≥ ≤ √), enclosed
# numbers (① ⑴), box drawing (text tables), shapes (■ ● ○ ★), CJK punctuation (、。《》〇),
# enclosed CJK and CJK compatibility (㈠ ㎡), fullwidth forms (，：（）％).
_LIKELY_RANGES = (
    (0x00A0, 0x00FF), (0x2000, 0x206F), (0x2100, 0x21FF), (0x2200, 0x22FF), (0x2460, 0x24FF),
    (0x2500, 0x257F), (0x25A0, 0x26FF), (0x3000, 0x303F), (0x3200, 0x33FF), (0xFF00, 0xFFEF),
)


def decode(data: bytes, path: str | None = None) -> tuple[str, str]:
    """(text, encoding) of `data`; raises a ReportxError subclass that names `path`."""
    if not data.strip():
        raise EmptyInput("the file is empty", path)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), path), encoding
            except UnicodeDecodeError as e:
                raise UndecodableInput(f"starts with a {encoding} byte-order mark but is not {encoding} at byte {e.start}", path) from None
    if b"\x00" in data[:4096]:
        return _utf16_without_bom(data, path)
    try:
        return _checked(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError:
        pass
    return _legacy(data, path)


def _utf16_without_bom(data: bytes, path: str | None) -> tuple[str, str]:
    """UTF-16 that lost its BOM: the high byte of every ASCII character is a NUL, all on one side."""
    binary = BinaryInput("binary data (NUL bytes), not a text report; convert it to .txt, .docx, .pdf or .html", path)
    head = data[:4096]
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    if len(data) % 2 or max(even, odd) < 0.9 * (even + odd):
        raise binary
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise binary from None
    sample = _sample(text)
    if any(ord(c) < 32 and c not in "\n\r\t\f" for c in sample) or plausibility(sample)[0] < MIN_PLAUSIBILITY:
        raise binary
    return _checked(text, path), encoding


def _legacy(data: bytes, path: str | None) -> tuple[str, str]:
    """Not UTF-8: GB18030 or Big5, whichever reads as Chinese; an error if neither does."""
    candidates = []
    first_error = None
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as e:
            first_error = first_error or e
            continue
        score, judged = plausibility(_sample(text))
        candidates.append((score, encoding == "gb18030", judged, encoding, text))  # ties go to gb18030
    if not candidates:
        e = first_error
        raise UndecodableInput(
            f"not UTF-8, UTF-16, GB18030/GBK or Big5 (bad byte 0x{data[e.start]:02x} at offset {e.start}); "
            "re-save it as UTF-8",
            path,
        ) from None
    score, _, judged, encoding, text = max(candidates)
    if judged >= _MIN_JUDGED and score < MIN_PLAUSIBILITY:
        raise UndecodableInput(
            f"not UTF-8, and read as {encoding} it is mojibake: only {score:.0%} of {judged} non-ASCII characters "
            f"are common Chinese characters or punctuation; the file is in another encoding or is not text; "
            "re-save it as UTF-8",
            path,
        )
    return _checked(text, path), encoding


def plausibility(text: str) -> tuple[float, int]:
    """(share of likely characters among the non-ASCII ones, how many non-ASCII ones); (1.0, 0) for ASCII."""
    common = _common_hanzi()
    judged = likely = 0
    for c in text:
        o = ord(c)
        if o < 0x80:
            continue
        judged += 1
        if c in common or any(lo <= o <= hi for lo, hi in _LIKELY_RANGES):
            likely += 1
    return (likely / judged if judged else 1.0), judged


def _sample(text: str) -> str:
    if len(text) <= 3 * _WINDOW:
        return text
    middle = len(text) // 2
    return text[:_WINDOW] + text[middle:middle + _WINDOW] + text[-_WINDOW:]


@functools.cache
def _common_hanzi() -> frozenset[str]:
    """GB2312 level 1 (3755 Simplified) and Big5 level 1 (5401 Traditional): the everyday characters."""
    chars = set()
    for encoding, leads, trails in (
        ("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF)),
        ("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)]),
    ):
        for lead in leads:
            for trail in trails:
                if encoding == "big5" and lead == 0xC6 and trail > 0x7E:
                    break  # level 1 ends at C67E
                try:
                    chars.add(bytes((lead, trail)).decode(encoding))
                except UnicodeDecodeError:
                    pass
    return frozenset(chars)


def _checked(text: str, path: str | None) -> str:
    """Reject text that decoded but is not prose: control characters dominate binary junk."""
    if not text.strip():
        raise EmptyInput("the file has no text", path)
    sample = text[:4096]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f\v")
    if controls > max(8, len(sample) // 50):
        raise BinaryInput("binary data (control characters), not a text report", path)
    return text
