"""An OFD writer (GB/T 33190-2016) for tests: stands for the outside programs that make .ofd files.

It imports nothing from extract/: what it writes is judged by the reader as a file from elsewhere.

- `pdf_to_ofd(pdf_bytes)`: a PDF (e.g. printed by LibreOffice) as an OFD the way converters such as
  the 数科/福昕 OFD printers lay one out: one TextObject per run of characters on one baseline in
  one font and size (Boundary in mm, TextCode X/Y relative to it, DeltaX with the "g N d" repeat
  notation), a PathObject per ruling line or rectangle, and a TemplatePage per page holding its
  page-number footer (第N页 共M页).
- `text_to_ofd(text)`: one TextObject per line on A4 pages.

Units are millimetres (PDF points × 25.4/72); y grows downwards and TextCode Y is the baseline.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from itertools import pairwise
from xml.sax.saxutils import escape, quoteattr

NS = "http://www.ofdspec.org/2016"
MM_PER_PT = 25.4 / 72
A4 = (210.0, 297.0)


def _num(v: float) -> str:
    """A coordinate as OFD files write it: at most 3 decimals, no trailing zeros."""
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def delta_list(deltas: list[float]) -> str:
    """DeltaX/DeltaY values with runs of 2 or more equal ones written "g N d".

    | deltas                 | written            |
    |------------------------|--------------------|
    | [3.5, 3.5, 3.5, 1.9]   | g 3 3.5 1.9        |
    | [1, 2]                 | 1 2                |
    """
    words: list[str] = []
    values = [_num(d) for d in deltas]
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        run = j - i + 1
        if run >= 2:
            words += ["g", str(run), values[i]]
        else:
            words.append(values[i])
        i = j + 1
    return " ".join(words)


def advance(ch: str, size: float) -> float:
    """An estimated advance width: 1 em for wide (CJK) characters, about half an em otherwise. A PDF
    glyph may stand for several characters (a ligature, 'ﬁ' read as 'fi'): their widths add up."""
    if len(ch) != 1:
        return sum(advance(c, size) for c in ch)
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return size
    if ch == " ":
        return size * 0.25
    return size * 0.55


@dataclass
class _Text:
    x0: float
    top: float
    x1: float
    bottom: float
    baseline: float
    size: float
    font: int
    chars: list[tuple[float, str]]  # (x, character), x from the page's left edge


@dataclass
class _Page:
    width: float
    height: float
    texts: list[_Text] = field(default_factory=list)
    segments: list[list[tuple[float, float]]] = field(default_factory=list)  # polylines; closed when first == last


class _Ids:
    def __init__(self) -> None:
        self.last = 0

    def next(self) -> int:
        self.last += 1
        return self.last


def _text_object(t: _Text, ids: _Ids) -> str:
    """One TextObject: Boundary from the run's box; a new TextCode after a gap wider than one em."""
    bx, by = t.x0, t.top
    w, h = max(t.x1 - t.x0, 0.01), max(t.bottom - t.top, 0.01)
    codes: list[list[tuple[float, str]]] = []
    for x, ch in t.chars:
        if codes:
            px, pch = codes[-1][-1]
            if x - (px + advance(pch, t.size)) > t.size:
                codes.append([])
        else:
            codes.append([])
        codes[-1].append((x, ch))
    parts = [(f'<ofd:TextObject ID="{ids.next()}" Boundary="{_num(bx)} {_num(by)} {_num(w)} {_num(h)}" '
              f'Font="{t.font}" Size="{_num(t.size)}">')]
    for code in codes:
        text = "".join(ch for _, ch in code)
        deltas = [b[0] - a[0] for a, b in pairwise(code)]
        dx = f' DeltaX="{delta_list(deltas)}"' if deltas else ""
        parts.append(f'<ofd:TextCode X="{_num(code[0][0] - bx)}" Y="{_num(t.baseline - by)}"{dx}>'
                     f'{escape(text)}</ofd:TextCode>')
    parts.append("</ofd:TextObject>")
    return "".join(parts)


def _path_object(points: list[tuple[float, float]], ids: _Ids) -> str:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    bx, by = min(xs), min(ys)
    w, h = max(max(xs) - bx, 0.01), max(max(ys) - by, 0.01)
    closed = len(points) > 2 and points[0] == points[-1]
    pts = points[:-1] if closed else points
    data = f"M {_num(pts[0][0] - bx)} {_num(pts[0][1] - by)}"
    data += "".join(f" L {_num(x - bx)} {_num(y - by)}" for x, y in pts[1:])
    if closed:
        data += " C"
    return (f'<ofd:PathObject ID="{ids.next()}" Boundary="{_num(bx)} {_num(by)} {_num(w)} {_num(h)}" '
            f'LineWidth="0.25" Stroke="true" Fill="false"><ofd:AbbreviatedData>{data}</ofd:AbbreviatedData>'
            "</ofd:PathObject>")


def _xml(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")


def _package(pages: list[_Page], fonts: list[str], footer: bool) -> bytes:
    """The zip: OFD.xml, Doc_0/Document.xml, PublicRes.xml, one Content.xml per page (and template)."""
    ids = _Ids()
    font_ids = [ids.next() for _ in fonts]
    footer_font = font_ids[0] if font_ids else None
    width, height = pages[0].width, pages[0].height
    members: dict[str, bytes] = {}
    page_refs: list[str] = []
    template_refs: list[str] = []
    for n, page in enumerate(pages):
        template_id = None
        if footer:
            template_id = ids.next()
            label = f"第{n + 1}页 共{len(pages)}页"
            size = 3.175
            lw = sum(advance(c, size) for c in label)
            x = (page.width - lw) / 2
            t = _Text(x, page.height - 12 - size, x + lw, page.height - 12 + size * 0.2, page.height - 12, size,
                      footer_font or 0, [])
            for ch in label:
                t.chars.append((x, ch))
                x += advance(ch, size)
            layer = f'<ofd:Layer ID="{ids.next()}" Type="Foreground">{_text_object(t, ids)}</ofd:Layer>'
            members[f"Doc_0/Tpls/Tpl_{n}/Content.xml"] = _xml(
                f'<ofd:Page xmlns:ofd="{NS}"><ofd:Content>{layer}</ofd:Content></ofd:Page>')
            template_refs.append(f'<ofd:TemplatePage ID="{template_id}" Name="footer {n + 1}" ZOrder="Foreground" '
                                 f'BaseLoc="Tpls/Tpl_{n}/Content.xml"/>')
        body = [_text_object(t, ids) for t in page.texts]
        body += [_path_object(s, ids) for s in page.segments]
        area = ""
        if (round(page.width, 1), round(page.height, 1)) != (round(width, 1), round(height, 1)):
            area = f"<ofd:Area><ofd:PhysicalBox>0 0 {_num(page.width)} {_num(page.height)}</ofd:PhysicalBox></ofd:Area>"
        template = f'<ofd:Template TemplateID="{template_id}" ZOrder="Foreground"/>' if template_id else ""
        members[f"Doc_0/Pages/Page_{n}/Content.xml"] = _xml(
            f'<ofd:Page xmlns:ofd="{NS}">{template}{area}<ofd:Content><ofd:Layer ID="{ids.next()}" Type="Body">'
            + "".join(body) + "</ofd:Layer></ofd:Content></ofd:Page>")
        page_refs.append(f'<ofd:Page ID="{ids.next()}" BaseLoc="Pages/Page_{n}/Content.xml"/>')
    font_xml = "".join(f'<ofd:Font ID="{i}" FontName={quoteattr(f)} FamilyName={quoteattr(f)}/>'
                       for i, f in zip(font_ids, fonts))
    members["Doc_0/PublicRes.xml"] = _xml(
        f'<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts>{font_xml}</ofd:Fonts></ofd:Res>')
    members["Doc_0/Document.xml"] = _xml(
        f'<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData><ofd:MaxUnitID>{ids.last}</ofd:MaxUnitID>'
        f"<ofd:PageArea><ofd:PhysicalBox>0 0 {_num(width)} {_num(height)}</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes>" + "".join(template_refs) + "</ofd:CommonData>"
        "<ofd:Pages>" + "".join(page_refs) + "</ofd:Pages></ofd:Document>")
    members["OFD.xml"] = _xml(
        f'<ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
        "<ofd:DocID>6f1a0d7c2b3e4f5a8b9c0d1e2f3a4b5c</ofd:DocID><ofd:Creator>reportx officegen</ofd:Creator>"
        "<ofd:CreationDate>2024-01-01</ofd:CreationDate></ofd:DocInfo>"
        "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ["OFD.xml", "Doc_0/Document.xml", "Doc_0/PublicRes.xml"] + sorted(
                m for m in members if m.count("/") > 1):
            zf.writestr(name, members[name])
    return out.getvalue()


def _font_name(fontname: str) -> str:
    """"BAAAAA+NotoSansCJKsc-Regular" -> "NotoSansCJKsc-Regular" (drop the subset tag)."""
    head, plus, rest = fontname.partition("+")
    return rest if plus and len(head) == 6 else fontname


def pdf_to_ofd(pdf_bytes: bytes) -> bytes:
    """The PDF's text (runs per baseline, font and size), ruling lines and rectangles as an OFD."""
    import pdfplumber

    fonts: list[str] = []
    pages: list[_Page] = []
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        for p in pdf.pages:
            page = _Page(float(p.width) * MM_PER_PT, float(p.height) * MM_PER_PT)
            chars = []
            for c in p.chars:
                if not c.get("upright", True):
                    continue
                name = _font_name(str(c.get("fontname", "")))
                if name not in fonts:
                    fonts.append(name)
                baseline = float(p.height) - float(c["matrix"][5])  # pdfplumber's top is the glyph box, not the baseline
                chars.append((round(baseline, 1), float(c["x0"]), c))
            chars.sort(key=lambda t: (t[0], t[1]))
            run: list = []
            for baseline, x0, c in chars:
                key = (baseline, fonts.index(_font_name(str(c.get("fontname", "")))) + 1, round(float(c["size"]), 2))
                if run and run[0][0] != key:
                    page.texts.append(_run(run))
                    run = []
                run.append((key, c))
            if run:
                page.texts.append(_run(run))
            for ln in p.lines:
                # pdfplumber gives a line's points as (x, top): already measured from the page's top
                pts = [(float(x) * MM_PER_PT, float(top) * MM_PER_PT) for x, top in ln.get("pts") or ()]
                if len(pts) >= 2:
                    page.segments.append(pts)
            for r in p.rects:
                x0, x1 = float(r["x0"]) * MM_PER_PT, float(r["x1"]) * MM_PER_PT
                t, b = float(r["top"]) * MM_PER_PT, float(r["bottom"]) * MM_PER_PT
                if b - t < 0.7:      # a hairline drawn as a filled rectangle: a horizontal rule
                    page.segments.append([(x0, (t + b) / 2), (x1, (t + b) / 2)])
                elif x1 - x0 < 0.7:  # a vertical rule
                    page.segments.append([((x0 + x1) / 2, t), ((x0 + x1) / 2, b)])
                else:
                    page.segments.append([(x0, t), (x1, t), (x1, b), (x0, b), (x0, t)])
            pages.append(page)
            p.close()
    if not pages:
        pages = [_Page(*A4)]
    return _package(pages, fonts or ["SimSun"], footer=True)


def _run(run: list) -> _Text:
    (baseline, font, _), first = run[0]
    size = float(first["size"]) * MM_PER_PT
    cs = [c for _, c in run]
    return _Text(
        x0=min(float(c["x0"]) for c in cs) * MM_PER_PT,
        top=min(float(c["top"]) for c in cs) * MM_PER_PT,
        x1=max(float(c["x1"]) for c in cs) * MM_PER_PT,
        bottom=max(float(c["bottom"]) for c in cs) * MM_PER_PT,
        baseline=baseline * MM_PER_PT, size=size, font=font,
        chars=[(float(c["x0"]) * MM_PER_PT, c["text"]) for c in cs],
    )


def text_to_ofd(text: str, lines_per_page: int = 50, size: float = 3.5) -> bytes:
    """Each non-blank line of `text` as one TextObject, top to bottom, `lines_per_page` to an A4 page."""
    lines = [line for line in text.splitlines() if line.strip()]
    pages: list[_Page] = []
    for start in range(0, max(len(lines), 1), lines_per_page):
        page = _Page(*A4)
        for i, line in enumerate(lines[start:start + lines_per_page]):
            baseline = 20 + (i + 1) * size * 1.5
            x = 20.0
            t = _Text(x, baseline - size, x, baseline + size * 0.2, baseline, size, 1, [])
            for ch in line:
                t.chars.append((x, ch))
                x += advance(ch, size)
            t.x1 = x
            page.texts.append(t)
        pages.append(page)
    return _package(pages, ["SimSun"], footer=False)
