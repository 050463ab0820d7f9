"""OFD (GB/T 33190-2016, the Chinese fixed-layout format): the positioned text of every page (lxml).

An .ofd is a zip of XML: OFD.xml -> DocBody/DocRoot (a Document.xml) -> Pages/Page (BaseLoc of
each page's Content.xml, relative to the document's folder) -> Content/Layer/TextObject, whose
TextCode elements place characters: X, Y (the baseline) relative to the object's Boundary "x y w h",
then DeltaX/DeltaY between characters ("g 3 3.5" is 3.5 three times), all through the object's CTM.
PageBlocks nest objects. The page's Template (a TemplatePage of Document.xml's CommonData, its
layers Background/Body/Foreground) is the page shell and is read with the page. The namespace
http://www.ofdspec.org/2016 is optional (some writers use none, or a prefix-less default); paths may
be absolute ("/Doc_0/Pages/Page_0/Content.xml") or relative, in any case.

Text is laid out as the PDF reader lays out a text layer: characters on one baseline make a line,
lines top to bottom, pieces left to right; a gap of at least 1.5 font sizes between two pieces is a
cell boundary, widened to a run of spaces (about one per half em) as pdf.py's `_gap` does. A table
ruled by PathObject lines ("M x y L x y …") comes out as the .docx reader writes one: one line per
row, cells joined by "|", a horizontally merged cell (no rule between) one cell, the empty half of a
vertical merge an empty cell, a cell's wrapped lines joined; a paragraph wrapped over full lines is
one line again (wrap.py, as in pdf.py). Running headers and footers are left
out: a line at the same place on every page (often from the template) and a bare page number at
the top or bottom of a page ("- 3 -", "第3页 共5页", "3/5").

Errors: a damaged zip, no OFD.xml or damaged XML is CorruptInput (E007); an encrypted package
(OFD.xml lists Encryptions, or an Encryptions.xml is inside) EncryptedInput (E008); pages that hold
only images (ImageObject: a scanned OFD) NeedsOCR (E009) — OCR of the images inside an OFD is not
built, so such a file needs its text layer or a PDF/.docx version; no text at all EmptyInput (E002).
Signatures (Signs/) are not read. XML is parsed without DTDs, entities or network access.
"""

from __future__ import annotations

import io
import math
import posixpath
import unicodedata
import zipfile
from dataclasses import dataclass
from itertools import pairwise

from ..errors import CorruptInput, EmptyInput, EncryptedInput, NeedsOCR, ReportxError
from . import MAX_UNPACKED_BYTES, describe
from .furniture import page_number
from .wrap import Line, first_word_end, join_wraps
from .zipcheck import check_zip

# A gap between two pieces of one line at least this many font sizes wide separates cells (as in pdf.py).
CELL_GAP_EMS = 1.5
# A gap of this many font sizes or more (but less than a cell gap) is a space between words.
WORD_GAP_EMS = 0.35
# Rules closer than this (mm) are one rule; text this far outside a cell still belongs to it.
_SNAP = 0.8
# A running header or footer sits within this share of the page's height from its top or bottom.
_MARGIN = 0.15
# Above this many horizontal × vertical rules on a page, tables are not looked for (a drawing, not a form).
_MAX_RULE_PAIRS = 4_000_000

@dataclass(slots=True)
class _Glyph:
    x: float      # left edge, mm from the page's left
    y: float      # baseline, mm from the page's top
    size: float   # font size in mm
    ch: str
    width: float  # estimated advance


@dataclass(slots=True)
class _Page:
    height: float
    glyphs: list[_Glyph]
    segments: list[tuple[float, float, float, float]]  # straight rules x0 y0 x1 y1
    images: int
    width: float = 210.0


def read(name: str, data: bytes, max_unpacked: int = MAX_UNPACKED_BYTES) -> tuple[str, None]:
    """(text, None); CorruptInput, EncryptedInput, NeedsOCR, EmptyInput or UnsafeArchive (a zip bomb,
    checked before anything is inflated) instead of any zipfile or lxml exception."""
    members = check_zip(name, data, max_unpacked, None, ".ofd", "an OFD editor")
    package = _Package(name, data, members)
    if package.find("OFD.xml") is None:
        raise CorruptInput("not an OFD document (no OFD.xml inside the zip); open it in an OFD reader and save it "
                           "again", name)
    if any(m.lower().rsplit("/", 1)[-1] == "encryptions.xml" for m in members):
        raise _encrypted(name)
    try:
        pages = package.pages()
    except ReportxError:
        raise
    except Exception as e:  # lxml, zipfile, float() on a damaged attribute …
        raise CorruptInput(f"not a readable OFD ({describe(e)}); open it in an OFD reader and save it again",
                           name) from None
    texts = _layout(pages)
    text = "\n".join(t for t in texts if t).strip("\n")
    if not text.strip():
        images = sum(p.images for p in pages)
        if images:
            count = f"{len(pages)} page{'s' if len(pages) != 1 else ''}"
            raise NeedsOCR(f"a scanned OFD: its {count} hold only images ({images}) and no text; OCR of OFD images is "
                           "not built, so give a text version (.docx, .pdf with text, .txt) of the report", name)
        raise EmptyInput("the OFD document has no text", name)
    return text, None


def _encrypted(name: str) -> EncryptedInput:
    return EncryptedInput("the OFD is encrypted; open it in an OFD reader with its key and save an unencrypted "
                          "copy", name)


class _Package:
    """The zip's members by lower-cased path, and each XML member parsed with namespaces dropped."""

    def __init__(self, name: str, data: bytes, members: list[str]):
        self.name = name
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.members = {m.lower().lstrip("/"): m for m in members}

    def find(self, path: str) -> str | None:
        return self.members.get(path.lower().lstrip("/"))

    def resolve(self, base: str, loc: str | None) -> str | None:
        """The member a BaseLoc/DocRoot names: absolute from the package root, else relative to `base`
        (a folder), else (as some writers mean it) relative to the root."""
        if not loc or not loc.strip():
            return None
        loc = loc.strip().replace("\\", "/")
        tries = [loc] if loc.startswith("/") else [posixpath.join(base, loc), loc]
        for t in tries:
            path = posixpath.normpath("/" + t).lstrip("/")
            found = self.find(path)
            if found is not None:
                return found
        return None

    def xml(self, member: str):
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                                 remove_comments=True, remove_pis=True)
        try:
            root = etree.fromstring(self.zip.read(member), parser)
        except etree.XMLSyntaxError as e:
            raise CorruptInput(f"{member} is damaged XML ({describe(e)}); open the OFD in an OFD reader and save it "
                               "again", self.name) from None
        for el in root.iter():
            if isinstance(el.tag, str) and el.tag.startswith("{"):
                el.tag = el.tag.split("}", 1)[1]
        return root

    def need(self, base: str, loc: str | None, what: str) -> str:
        member = self.resolve(base, loc)
        if member is None:
            raise CorruptInput(f"{what} {loc!r} is not in the OFD package; the file is incomplete, get it again",
                               self.name)
        return member

    def pages(self) -> list[_Page]:
        root = self.xml(self.find("OFD.xml"))
        if next(root.iter("Encryptions"), None) is not None:
            raise _encrypted(self.name)
        bodies = root.findall("DocBody")
        roots = [b.findtext("DocRoot") for b in bodies]
        if not any(r and r.strip() for r in roots):
            raise CorruptInput("OFD.xml names no document (no DocBody/DocRoot); the file is damaged, open it in an "
                               "OFD reader and save it again", self.name)
        pages: list[_Page] = []
        for loc in roots:
            if loc and loc.strip():
                pages += self._document(self.need("", loc, "the document"))
        return pages

    def _document(self, member: str) -> list[_Page]:
        doc = self.xml(member)
        folder = posixpath.dirname(member)
        common = doc.find("CommonData")
        default_size = (210.0, 297.0)
        templates: dict[str, str] = {}
        if common is not None:
            default_size = _box_size(common.findtext("PageArea/PhysicalBox"), default_size)
            for tp in common.iter("TemplatePage"):
                templates[tp.get("ID", "")] = tp.get("BaseLoc", "")
        pages = []
        for entry in doc.iterfind("Pages/Page"):
            content = self.xml(self.need(folder, entry.get("BaseLoc"), "the page"))
            width, height = _box_size(content.findtext("Area/PhysicalBox"), default_size)
            page = _Page(height, [], [], 0, width)
            for ref in content.iterfind("Template"):
                loc = templates.get(ref.get("TemplateID", ""))
                member = self.resolve(folder, loc) if loc else None
                if member is not None:
                    _collect(self.xml(member).find("Content"), page)
            _collect(content.find("Content"), page)
            pages.append(page)
        return pages


def _box_size(box: str | None, default: tuple[float, float]) -> tuple[float, float]:
    """(width, height) of a PhysicalBox "x y w h"."""
    try:
        values = [float(v) for v in (box or "").split()]
    except ValueError:
        return default
    return (values[2], values[3]) if len(values) == 4 and values[2] > 0 and values[3] > 0 else default


def _floats(s: str | None) -> list[float]:
    return [float(v) for v in (s or "").replace(",", " ").split()]


def expand_deltas(s: str | None, limit: int = 1_000_000) -> list[float]:
    """DeltaX/DeltaY as a list: "g N d" stands for d written N times.

    | written            | values                 |
    |--------------------|------------------------|
    | 1 2 3              | [1, 2, 3]              |
    | g 3 3.5 1.9        | [3.5, 3.5, 3.5, 1.9]   |
    | 2 g 2 1 4          | [2, 1, 1, 4]           |
    """
    words = (s or "").replace(",", " ").split()
    out: list[float] = []
    i = 0
    while i < len(words) and len(out) < limit:  # no more than the characters it places: "g 99999999 1" is cheap
        if words[i] == "g" and i + 2 < len(words):
            out += [float(words[i + 2])] * max(min(int(float(words[i + 1])), limit - len(out)), 0)
            i += 3
        else:
            out.append(float(words[i]))
            i += 1
    return out


def _advance(ch: str, size: float) -> float:
    """An estimate of a character's advance when the file does not give it: 1 em for wide (CJK)
    characters, less for Latin ones by their usual width in common fonts (% and W about 1 em, i and
    the period under ⅓). Only the gap after a glyph is judged by it, so a generous width errs
    towards no space, never towards a space inside a word or a number."""
    if unicodedata.east_asian_width(ch) in ("W", "F", "A"):   # ambiguous (≥ ± × ° …): full width in CJK fonts
        return size
    for chars, ems in _LATIN_WIDTHS:
        if ch in chars:
            return size * ems
    return size * (0.7 if ch.isupper() else 0.6)


_LATIN_WIDTHS = ((" ", 0.25), ("ijl.,:;'|!`", 0.3), ("ftrI()[]{}-/\\\"", 0.4), ("%@MWmw", 0.95))


def _collect(content, page: _Page) -> None:
    """Glyphs, rules and images of every layer (and nested PageBlock) of a Content element."""
    if content is None:
        return
    for layer in content.iterfind("Layer"):
        _objects(layer, page)


def _objects(parent, page: _Page) -> None:
    for obj in parent.iterchildren():
        if obj.tag == "TextObject":
            _text_object(obj, page)
        elif obj.tag == "PathObject":
            _path_object(obj, page)
        elif obj.tag == "ImageObject":
            page.images += 1
        elif obj.tag == "PageBlock":
            _objects(obj, page)


def _transform(obj):
    """(boundary origin, CTM) of an object; the CTM maps object space before the origin is added."""
    box = _floats(obj.get("Boundary"))
    ox, oy = (box[0], box[1]) if len(box) >= 2 else (0.0, 0.0)
    ctm = _floats(obj.get("CTM"))
    if len(ctm) != 6:
        ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    a, b, c, d, e, f = ctm

    def point(x: float, y: float) -> tuple[float, float]:
        return ox + a * x + c * y + e, oy + b * x + d * y + f

    return point, math.sqrt(abs(a * d - b * c)) or 1.0


def _text_object(obj, page: _Page) -> None:
    point, scale = _transform(obj)
    size = (_floats(obj.get("Size"))[:1] or [3.5])[0]
    shown = size * scale
    x = y = 0.0
    for code in obj.iterfind("TextCode"):
        if code.get("X") is not None:
            x = float(code.get("X"))
        if code.get("Y") is not None:
            y = float(code.get("Y"))
        # an entity reference (never resolved) is a child node: only the text around it is read
        raw = (code.text or "") + "".join(child.tail or "" for child in code)
        text = [ch for ch in raw if ch not in "\r\n\t"]
        dx, dy = expand_deltas(code.get("DeltaX"), len(text)), expand_deltas(code.get("DeltaY"), len(text))
        for i, ch in enumerate(text):
            px, py = point(x, y)
            step = dx[i] if i < len(dx) else _advance(ch, size)
            width = _advance(ch, size)
            if i + 1 < len(text) and 0 < step < width:
                width = step  # the file says how far the next character is: never wider than that
            page.glyphs.append(_Glyph(px, py, shown, ch, width * scale))
            x += step
            y += dy[i] if i < len(dy) else 0.0


def _path_object(obj, page: _Page) -> None:
    """Straight horizontal and vertical strokes of AbbreviatedData (M/S move, L line, C close)."""
    point, _ = _transform(obj)
    words = (obj.findtext("AbbreviatedData") or "").split()
    arity = {"M": 2, "S": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}
    start = here = None
    i = 0
    while i < len(words):
        op = words[i]
        n = arity.get(op)
        if n is None:
            i += 1
            continue
        args = [float(w) for w in words[i + 1:i + 1 + n]]
        i += 1 + n
        if len(args) < n:
            break
        if op in ("M", "S"):
            start = here = point(*args)
        elif op == "L" and here is not None:
            to = point(*args)
            page.segments.append((*here, *to))
            here = to
        elif op == "C" and here is not None and start is not None:
            page.segments.append((*here, *start))
            here = start
        elif n:
            here = point(*args[-2:])


# --- layout -----------------------------------------------------------------------------------

@dataclass(slots=True)
class _Table:
    x0: float
    x1: float
    rows: list[tuple[float, float, list[float]]]  # (top, bottom, cell boundaries x) per band


# Baselines further apart than this many font sizes have an empty paragraph between them (a paragraph's
# lines are 1.2–1.7 em apart, paragraphs up to about 2.7 em; an empty paragraph adds a line or more).
BLANK_LINE_EMS = 3.5


def _layout(pages: list[_Page]) -> list[str]:
    """Each page's text, running headers/footers and bare page numbers left out, a paragraph's
    wrapped lines joined (wrap.py)."""
    items = [_page_items(p) for p in pages]
    repeated = _repeated(items, pages)
    out = []
    for n, (page, lines) in enumerate(zip(pages, items)):
        keep: list[Line | None] = []
        last = None   # the last prose line kept
        for i, line in enumerate(lines):
            top = i == 0 and line.y < page.height * _MARGIN
            bottom = i == len(lines) - 1 and line.y > page.height * (1 - _MARGIN)
            if (top or bottom) and page_number(line.text, n + 1, at_foot=bottom):
                continue
            if (n, i) in repeated:
                continue
            if line.size and last is not None and line.y - last.y > BLANK_LINE_EMS * max(line.size, last.size):
                keep.append(None)   # an empty paragraph between: kept as a blank line, as pdf.py does
            last = line if line.size else None
            keep.append(line)
        out.append("\n".join("" if text is None else text for text in join_wraps(keep, page.width)))
    return out


def _repeated(items: list[list[Line]], pages: list[_Page]) -> set[tuple[int, int]]:
    """(page, line) of lines in a page margin found at the same place on every page (of two or more)."""
    if len(items) < 2:
        return set()
    found: set[tuple[int, int]] = set()
    for i, line in enumerate(items[0]):
        if pages[0].height * _MARGIN <= line.y <= pages[0].height * (1 - _MARGIN):
            continue
        hits = [(0, i)]
        for n in range(1, len(items)):
            match = next((j for j, other in enumerate(items[n])
                          if other.text == line.text and abs(other.y - line.y) <= 1.0), None)
            if match is None:
                break
            hits.append((n, match))
        else:
            found.update(hits)
    return found


def _page_items(page: _Page) -> list[Line]:
    """The page's prose lines and table rows (font size 0), top to bottom."""
    glyphs = _dedupe(page.glyphs)
    tables = _tables(page.segments)
    cells: dict[tuple[int, int, int], list[_Glyph]] = {}
    prose: list[_Glyph] = []
    for g in glyphs:
        where = _cell_of(g, tables)
        if where is None:
            prose.append(g)
        else:
            cells.setdefault(where, []).append(g)
    items = [_prose(line) for line in _lines(prose)]
    for t, table in enumerate(tables):
        for r, (top, _, bounds) in enumerate(table.rows):
            texts = []
            for c in range(len(bounds) - 1):
                texts.append(_cell_text(cells.get((t, r, c), []), bounds[c + 1]))
            if any(texts):
                items.append(Line("|".join(texts), 0.0, 0.0, top, 0.0, 0.0))   # a table row: size 0
    items = [it for it in items if it.text.strip()]
    items.sort(key=lambda it: it.y)
    return items


def _dedupe(glyphs: list[_Glyph]) -> list[_Glyph]:
    """Drop a glyph drawn twice at (nearly) the same place, as fake bold does."""
    seen = set()
    out = []
    for g in glyphs:
        key = (g.ch, round(g.x / 0.2), round(g.y / 0.2))
        if key not in seen:
            seen.add(key)
            out.append(g)
    return out


def _lines(glyphs: list[_Glyph]) -> list[list[_Glyph]]:
    """Glyphs grouped by baseline, top to bottom, each line left to right."""
    lines: list[list[_Glyph]] = []
    for g in sorted(glyphs, key=lambda g: (g.y, g.x)):
        if lines and abs(g.y - lines[-1][0].y) <= 0.3 * min(g.size, lines[-1][0].size):
            lines[-1].append(g)
        else:
            lines.append([g])
    for line in lines:
        line.sort(key=lambda g: g.x)
    return lines


def _join(line: list[_Glyph], wide_gap, owners: list | None = None) -> str:
    """A line's glyphs as text, with a space at a word gap and wide_gap(gap, size) at a cell gap;
    owners, when given, gets each character's glyph (None for a space put in)."""
    out: list[str] = []
    prev = None
    for g in line:
        if prev is not None:
            size = max(prev.size, g.size, 0.1)
            gap = g.x - (prev.x + prev.width)
            put = ""
            if gap >= CELL_GAP_EMS * size:
                put = wide_gap(gap, size)
            elif gap >= WORD_GAP_EMS * size and prev.ch != " " and g.ch != " ":
                put = " "
            out.append(put)
            if owners is not None:
                owners.extend([None] * len(put))
        out.append(g.ch)
        if owners is not None:
            owners.extend([g] * len(g.ch))
        prev = g
    return "".join(out)


def _gap(gap: float, size: float) -> str:
    """A cell boundary outside a ruled table: a run of about one space per half em (pdf.py's `_gap`)."""
    return " " * max(2, round(gap / (size / 2)))


def _prose(line: list[_Glyph]) -> Line:
    """A printed line of text outside tables, with where its ink is (for wrap.join_wraps)."""
    owners: list = []
    text = _join(line, _gap, owners).rstrip()
    end = first_word_end(text)
    while end > 0 and owners[end] is None:
        end -= 1
    ink = [g for g in line if g.ch.strip()] or line   # a space drawn at either end is not ink
    last = owners[end] if text else ink[0]
    return Line(text, ink[0].x, ink[-1].x + ink[-1].width, line[0].y, max(g.size for g in line),
                last.x + last.width - ink[0].x)


def _cell_text(glyphs: list[_Glyph], right: float) -> str:
    """A cell's lines on one line. A wrap (a line reaching the cell's right edge) next to a wide
    character, or inside a number too long for a narrow column (412958.|46), joins directly; anything
    else with one space, as the .docx reader joins a cell's paragraphs."""
    text = ""
    prev = None
    for line in _lines(glyphs):
        part = " ".join(_join(line, lambda gap, size: " ").split())
        if not part:
            continue
        if text:
            last = prev[-1]
            wrapped = right - (last.x + last.width) < 2 * last.size
            a, b = text[-1], part[0]
            glued = _wide(a) or _wide(b) or (a in _NUMERIC and b in _NUMERIC)
            text += part if wrapped and glued else " " + part
        else:
            text = part
        prev = line
    return text


_NUMERIC = frozenset("0123456789.,%")


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _cell_of(g: _Glyph, tables: list[_Table]) -> tuple[int, int, int] | None:
    cx = g.x + g.width / 2
    cy = g.y - g.size * 0.35  # the middle of a character, above its baseline
    for t, table in enumerate(tables):
        if not table.x0 <= cx <= table.x1:
            continue
        for r, (top, bottom, bounds) in enumerate(table.rows):
            if top <= cy <= bottom:
                for c in range(len(bounds) - 1):
                    if bounds[c] <= cx <= bounds[c + 1]:
                        return t, r, c
    return None


def _cluster(values: list[float]) -> list[float]:
    """Sorted values with those within _SNAP of the previous merged (their mean)."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= _SNAP:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


def _tables(segments) -> list[_Table]:
    """Ruled tables: groups of touching horizontal and vertical rules with two or more columns."""
    hs, vs = [], []
    for x0, y0, x1, y1 in segments:
        if abs(y1 - y0) <= 0.3 and abs(x1 - x0) > 1:
            hs.append((y0 + (y1 - y0) / 2, min(x0, x1), max(x0, x1)))
        elif abs(x1 - x0) <= 0.3 and abs(y1 - y0) > 1:
            vs.append((x0 + (x1 - x0) / 2, min(y0, y1), max(y0, y1)))
    if len(hs) < 2 or len(vs) < 2 or len(hs) * len(vs) > _MAX_RULE_PAIRS:
        return []
    parent = list(range(len(hs) + len(vs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (y, hx0, hx1) in enumerate(hs):
        for j, (x, vy0, vy1) in enumerate(vs):
            if hx0 - _SNAP <= x <= hx1 + _SNAP and vy0 - _SNAP <= y <= vy1 + _SNAP:
                parent[root(i)] = root(len(hs) + j)
    groups: dict[int, tuple[list, list]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(root(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(root(len(hs) + j), ([], []))[1].append(v)
    tables = []
    for gh, gv in groups.values():
        ys = _cluster([h[0] for h in gh])
        if len(ys) < 2 or len(gv) < 2:
            continue
        rows = []
        for top, bottom in pairwise(ys):
            mid = (top + bottom) / 2
            bounds = _cluster([x for x, vy0, vy1 in gv if vy0 - _SNAP <= mid <= vy1 + _SNAP])
            if len(bounds) >= 2:
                rows.append((top, bottom, bounds))
        if rows and any(len(b) >= 3 for _, _, b in rows):
            xs = [v[0] for v in gv]
            tables.append(_Table(min(xs) - _SNAP, max(xs) + _SNAP, rows))
    return tables
