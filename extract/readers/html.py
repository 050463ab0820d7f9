"""HTML pages (lxml.html): the body text a reader sees, without the site's navigation.

Dropped: script, style, noscript, nav, aside, form and the like, header/footer outside an <article>
(an article's own <header> holds its title), hidden elements, and elements whose class or id names a
navigation bar, menu, breadcrumb trail or footer. Block elements become lines; a table row becomes
one line with cells joined by "|", like the .docx reader, so the table recognizer reads both alike.
"""

from __future__ import annotations

import codecs

import regex

from ..decode import decode
from ..errors import BinaryInput, EmptyInput

# Tags whose content is never report text.
_DROP = frozenset("""script style noscript nav aside form template iframe object embed svg canvas
                     select button input textarea head title""".split())
_PAGE_FURNITURE = frozenset({"header", "footer"})
# Tags that start a new line (HTML block-level and list/definition elements).
_BLOCK = frozenset("""address article blockquote body center dd details dialog dir div dl dt fieldset
                      figcaption figure h1 h2 h3 h4 h5 h6 header footer hgroup hr li main menu ol p pre
                      section summary ul caption legend""".split())
# class/id words of site furniture: nav, navbar, subnav, topmenu, menu-list, breadcrumbs, page_footer …
_FURNITURE_WORD = regex.compile(r"^(?:.*(?:nav|menu|breadcrumbs?|footer)|(?:nav|menu|breadcrumb|footer).*)$")
_WORD_SPLIT = regex.compile(r"[\s\-_]+|(?<=[a-z])(?=[A-Z])")
_HIDDEN_STYLE = regex.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", regex.I)
# <meta charset="gbk">, <meta http-equiv="Content-Type" content="text/html; charset=gb2312">, <?xml encoding=…?>
_DECLARED = regex.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)""",
                          regex.I)
_SPACES = regex.compile(r"[ \t\r\n\f]+")  # HTML collapses ASCII whitespace only; &nbsp; and U+3000 stay
# Pages that declare GB2312 or GBK routinely contain GBK-only characters; GB18030 is their superset.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "big5": "big5hkscs",
              "iso8859-1": "cp1252", "ascii": "cp1252"}


def read(name: str, data: bytes, max_unpacked: int = 0) -> tuple[str, str]:
    """(text, encoding) of the page's visible body text."""
    import lxml.html  # imported here so reading .txt stays fast

    text, encoding = decode_html(name, data)
    sample = text[:4096]
    if sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f\v") > max(8, len(sample) // 50):
        raise BinaryInput("binary data (control characters), not a web page", name)
    # lxml refuses str input that carries an XML encoding declaration; hand it UTF-8 bytes instead.
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except Exception:  # lxml.etree.ParserError "Document is empty" on markup without content
        raise EmptyInput("the page has no text", name) from None
    body = root.find("body")
    out = _Lines()
    _walk(body if body is not None else root, out)
    page = "\n".join(out.done())
    if not page.strip():
        raise EmptyInput("the page has no body text (only navigation, scripts or markup)", name)
    return page, encoding


def decode_html(name: str, data: bytes) -> tuple[str, str]:
    """(text, encoding): BOM, else strict UTF-8, else the declared charset, else detection.

    Valid UTF-8 wins over the declaration because pages re-saved as UTF-8 often keep their old
    <meta charset=gb2312>, and Chinese UTF-8 also decodes, wrongly but without error, as GB18030.

    | bytes                                  | encoding  |
    |----------------------------------------|-----------|
    | UTF-8, any or no meta charset          | utf-8     |
    | GBK with <meta charset="gb2312">       | gb18030   |
    | GBK without a declaration              | gb18030 (charset-normalizer) |
    """
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(data, name)
    if b"\x00" in data[:4096]:  # NUL is valid UTF-8 but never in a web page
        raise BinaryInput("binary data (NUL bytes), not a web page", name)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data[:4096])
    if declared:
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        encoding = _SUPERSETS.get(codecs.lookup(best.encoding).name, codecs.lookup(best.encoding).name)
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            pass
    return decode(data, name)


def _declared_charset(head: bytes) -> str | None:
    m = _DECLARED.search(head)
    if not m:
        return None
    label = (m.group(1) or m.group(2)).decode("ascii", "replace").lower()
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None  # charset="hex" / "base64" are codecs, not text encodings
    name = info.name
    if name.startswith("utf-16") or name.startswith("utf-32"):  # a lie once we are here: no BOM, not UTF-16 text
        return None
    return _SUPERSETS.get(name, name)


class _Lines:
    """Collects inline text and breaks it into stripped, whitespace-collapsed lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.buffer: list[str] = []

    def add(self, text: str | None) -> None:
        if text:
            self.buffer.append(text)

    def add_line(self, line: str) -> None:
        self.newline()
        if line.strip():
            self.lines.append(line.strip())

    def newline(self) -> None:
        if self.buffer:
            line = _SPACES.sub(" ", "".join(self.buffer)).strip()
            if line:
                self.lines.append(line)
            self.buffer = []

    def done(self) -> list[str]:
        self.newline()
        return self.lines


def _walk(el, out: _Lines, in_article: bool = False, pre: bool = False) -> None:
    _add(out, el.text, pre)
    for child in el:
        tag = child.tag.lower() if isinstance(child.tag, str) else None
        if tag is not None and not _dropped(child, tag, in_article):
            if tag == "br":
                out.newline()
            elif tag == "table":
                out.newline()
                for row in _rows(child):
                    out.add_line(row)
            elif tag in _BLOCK:
                out.newline()
                _walk(child, out, in_article or tag in ("article", "main"), pre or tag == "pre")
                out.newline()
            else:
                _walk(child, out, in_article, pre)
        _add(out, child.tail, pre)


def _add(out: _Lines, text: str | None, pre: bool) -> None:
    if not text:
        return
    if not pre:
        out.add(text)
        return
    first, *rest = text.split("\n")
    out.add(first)
    for line in rest:
        out.newline()
        out.add(line)


def _dropped(el, tag: str, in_article: bool) -> bool:
    if tag in _DROP or (tag in _PAGE_FURNITURE and not in_article):
        return True
    if el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style", "")):
        return True
    names = f"{el.get('class', '')} {el.get('id', '')}"
    return any(_FURNITURE_WORD.match(w.lower()) for w in _WORD_SPLIT.split(names) if w)


def _rows(table):
    """One "a|b|c" line per row of this table (nested tables are flattened into their cell)."""
    for child in table:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        if tag == "caption":
            yield _cell(child)
        elif tag == "tr":
            yield from _row(child)
        elif tag in ("thead", "tbody", "tfoot"):
            for tr in child:
                if isinstance(tr.tag, str) and tr.tag.lower() == "tr":
                    yield from _row(tr)


def _row(tr):
    cells = [_cell(td) for td in tr if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")
             and not _dropped(td, td.tag.lower(), True)]
    if any(cells):
        yield "|".join(cells)


def _cell(el) -> str:
    out = _Lines()
    _walk(el, out, in_article=True)
    return " ".join(out.done())
