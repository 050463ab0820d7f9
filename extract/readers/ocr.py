"""OCR of scanned pages (RapidOCR: PP-OCR Chinese models run by onnxruntime) and the layout of the
recognized boxes into the text the table stage reads.

The engine gives boxes (four corners, text, confidence) in no useful order. The layout:

1. **Skew.** A scan is rotated by a degree or two; over a page width that moves a line by dozens of
   pixels, more than a row's height. The skew is the median angle of the top edges of wide boxes;
   box corners (and, for the rules, the page) are rotated back by it.
2. **Ruled tables.** Printed forms draw their cells. With the text boxes blanked out, a morphological
   opening keeps the long horizontal and vertical strokes: the rules. Between two consecutive
   horizontal rules, a band crossed by at least two vertical rules is one table row; its cells are
   the spans between those vertical rules. A cell's boxes (a wrapped cell has several lines) are
   joined into one cell text; a cell with no text is an empty cell; cells are joined by "|".
3. **Everything else** is grouped into rows by vertical overlap of the deskewed box centres, sorted
   by x; two boxes of one row are joined by "|" when the gap between them is a cell boundary of an
   unruled table (at least CELL_GAP box heights), else by "" (Chinese) or " " (between two Latin
   words or numbers). One line per row, rows in page order, a blank line where the page has an
   empty line, and a paragraph wrapped over full rows joined into one line (wrap.py, as pdf.py
   does; the font size is estimated from the row's width and its characters).

| what the page shows                          | line                               |
|----------------------------------------------|------------------------------------|
| ruled row 年初预算数 / 全年预算数 / 得分       | `年初预算数|全年预算数|得分`        |
| ruled cell wrapped over two lines 农村义务 / 教育学生 | `…|农村义务教育学生|…`        |
| prose split by the detector into two boxes   | `全年支出156.99万元，预算执行率98.12%。` |
| unruled: 总分  (wide gap)  100  (wide gap)  98 | `总分|100|98`                    |

The engine is built once per process with onnxruntime limited to one thread, so a pool of N workers
uses N cores and the time per page is a per-core figure (scripts/bench_ocr.py measures it).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from dataclasses import dataclass
from statistics import median

from .. import patterns
from ..errors import CorruptInput, InputTooLarge, NeedsOCR
from . import describe
from .wrap import Line, first_word_end, join_wraps, wide

ENGINE_PACKAGE = "rapidocr-onnxruntime"
MISSING = "scanned pages need OCR: pip install 'reportx[ocr]'"

# Pillow's decompression-bomb limit (Image.MAX_IMAGE_PIXELS, 89,478,485: a 250 MB RGB image). A
# larger image is refused from its header, before its pixels are decoded.
MAX_PIXELS = 89_478_485
# The long side a page is brought down to before OCR: an A4 page at 300 dpi is 3508 px; more detail
# only costs time and memory.
MAX_SIDE = 3500
# A gap between two boxes of an unruled row at least this many box heights wide is a cell boundary.
# A box is about 1.3 font sizes tall, so this is about 1.5 em (pdf.py's CELL_GAP_EMS).
CELL_GAP = 1.2
MAX_SKEW_DEGREES = 5.0

# The recognizer reads 一 (one) as a dash now and then: "—级指标" for 一级指标, which hides a table's
# header. A single dash straight before a Chinese character is 一 (a Chinese dash is doubled, ——).
_DASH_FOR_ONE = re.compile(r"(?<![—－-])[—－](?=[\u4e00-\u9fff])")

_engine = None


@dataclass
class OcrPage:
    """One page's text and how sure the engine was (mean confidence over its boxes, 0..1)."""

    text: str
    confidence: float
    lines: int


def engine_name() -> str:
    """The engine and its installed version: "rapidocr-onnxruntime 1.4.4"."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{ENGINE_PACKAGE} {version(ENGINE_PACKAGE)}"
    except PackageNotFoundError:
        return ENGINE_PACKAGE


def _get_engine(name: str):
    """The process's one RapidOCR engine (models load once: ~0.4 s); NeedsOCR (E009) without the extra."""
    global _engine
    if _engine is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError:
            raise NeedsOCR(MISSING, name) from None
        # One onnxruntime thread per process: workers scale by processes. The angle classifier is
        # off: scanned report pages are upright, and it costs time and sometimes flips a short box.
        # max_side_len: our own MAX_SIDE has already been applied; do not shrink pages again.
        _engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, use_cls=False,
                           max_side_len=MAX_SIDE, print_verbose=False)
    return _engine


# Called after each page is OCR'd (a worker process sets it: the parent counts pages and restarts the
# file's clock, so a long scan is limited per page). None: nothing to tell.
on_page = None


def ocr_image(image, name: str = "") -> OcrPage:
    """The text of one page image (a PIL image of any mode), laid out in lines (see the module doc)."""
    import numpy as np

    if image.width * image.height > MAX_PIXELS:
        raise InputTooLarge(f"the image is {image.width}×{image.height} pixels, over the limit of {MAX_PIXELS:,} "
                            "(Pillow's decompression-bomb limit); scan it at 300 dpi or less", name)
    engine = _get_engine(name)
    try:
        image = _prepared(image)
        rgb = np.asarray(image.convert("RGB"))
        gray = np.asarray(image.convert("L"))
        result, _ = engine(rgb, return_word_box=True)
    except MemoryError:
        raise InputTooLarge("the image needs more memory than is available to read; scan it at 300 dpi or less",
                            name) from None
    except Exception as e:  # onnxruntime and OpenCV raise their own errors on odd images
        raise CorruptInput(f"the image could not be recognized ({describe(e)}); save it again as PNG or JPEG", name) from None
    level = ink_level(gray)
    boxes = [_Box.of(item[0], _spaced(item[1], item[3] if len(item) > 3 else None, gray, level), float(item[2]))
             for item in (result or []) if item[1].strip()]
    lines = layout(boxes, gray)
    confidence = sum(b.score for b in boxes) / len(boxes) if boxes else 0.0
    if on_page is not None:
        on_page()
    return OcrPage(text="\n".join(lines), confidence=confidence, lines=len(lines))


# The engine reads a line of text as one box and drops the spaces inside it: `38 38 10 100%` comes back
# `383810100%`. Each character's own box (return_word_box) shows them again: a gap wider than this
# share of the characters' height, beside a Latin letter, digit or sign and between two characters that
# are not punctuation, is a space.
SPACE_GAP = 0.35
# The characters' boxes are coarse (they step by about a sixth of an em), so the page itself is looked
# at too: the widest run of ink-free pixel columns between the two characters' centres. Two characters
# of one word or number stand at most about a fifth (digits) to a quarter (ideographs) of their height
# apart, side bearings and all; a space, even a narrow one (Noto Sans CJK's is 0.22 em), adds more.
# Measured on 200 dpi scans: 2–7 px inside numbers and 3–8 px inside words, 9–14 px across a space,
# characters 33 px high. A form dumped as single-spaced words (`分值 执行率 得分 … 0 0 0 10`) needs
# those spaces to be read as a table, and two numbers glued (`75 74.986` as `7574.986`) are wrong.
INK_SPACE_GAP = 0.26
# Ink is what is darker than INK_SHARE of the way from the page's ink to its paper (ink_level: a faint
# scan's grey toner too; halfway would count the grey rim a glyph's edges leave and close real gaps),
# and a column with fewer than two such pixels is blank (a speck of noise is not a stroke); below this
# much contrast between ink and paper no space is read from the page.
INK_SHARE = 0.4
MIN_CONTRAST = 60


def _spaced(text: str, chars, gray=None, level: float | None = None) -> str:
    """`text` with the spaces its characters' boxes (and, between ideographs, the page) show; as it is
    when the boxes do not match it."""
    if not chars or len(chars) != len(text):
        return text
    try:
        xs = [(min(p[0] for p in box), max(p[0] for p in box), min(p[1] for p in box), max(p[1] for p in box))
              for box in chars]
    except (TypeError, IndexError, ValueError):
        return text
    out = [text[0]]
    for i in range(1, len(text)):
        left, right = xs[i - 1], xs[i]
        a, b = text[i - 1], text[i]
        height = max(left[3] - left[2], right[3] - right[2], 1)
        binds_next, binds_before = _binding()
        if _spaceable(a) and _spaceable(b) and a not in binds_next and b not in binds_before:
            boxes_apart = (a.isascii() or b.isascii()) and right[0] - left[1] > SPACE_GAP * height
            page_apart = level is not None and _blank_run(gray, left, right, level) > INK_SPACE_GAP * height
            if boxes_apart or page_apart:
                out.append(" ")
        out.append(b)
    return "".join(out)


def ink_level(gray) -> float | None:
    """The grey level between the page's ink and its paper (INK_SHARE of the way from the 1st
    percentile to the 95th, on every fourth pixel), so that grey paper and faint toner are told apart
    as black on white is; None when the page has too little contrast to tell them apart."""
    import numpy as np

    sample = gray[::4, ::4]
    if sample.size == 0:
        return None
    ink, paper = np.percentile(sample, (1, 95))
    return None if paper - ink < MIN_CONTRAST else float(ink + INK_SHARE * (paper - ink))


def _blank_run(gray, left, right, level: float) -> int:
    """The widest run of ink-free pixel columns between the centres of two characters' boxes (ink:
    darker than `level`); 0 when the strip between them shows no ink at all (boxes over nothing)."""
    height, width = gray.shape[:2]
    x0 = max(int((left[0] + left[1]) / 2), 0)
    x1 = min(int((right[0] + right[1]) / 2), width)
    y0 = max(int(min(left[2], right[2])), 0)
    y1 = min(int(max(left[3], right[3])) + 1, height)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return 0
    ink = (gray[y0:y1, x0:x1] < level).sum(axis=0) >= 2
    if not ink.any():
        return 0
    best = run = 0
    for has_ink in ink.tolist():
        run = 0 if has_ink else run + 1
        best = max(best, run)
    return best


@functools.cache
def _binding() -> tuple[frozenset, frozenset]:
    """Signs that belong to the number after them (≥40: the ink of ≥ is narrow in a full-width box, so
    the gap after it looks like a space) and before them (98%): patterns/readers.yaml `ocr_spacing`."""
    d = patterns.load("readers")["ocr_spacing"]
    return frozenset(d["binds_next"]), frozenset(d["binds_before"])


def _spaceable(ch: str) -> bool:
    """A character a space may stand beside: not a space, and not full-width punctuation (whose ink is
    narrower than its advance: 。，：（ leave a wide gap of their own; % and . are not such)."""
    return not ch.isspace() and not (not ch.isascii() and unicodedata.category(ch).startswith("P"))


def _prepared(image):
    """Greyscale or RGB (palette, alpha over white, CMYK, 16-bit handled), long side ≤ MAX_SIDE."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda v: v / 256).convert("L")
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    long_side = max(image.size)
    if long_side > MAX_SIDE:
        ratio = MAX_SIDE / long_side
        image = image.resize((max(1, round(image.width * ratio)), max(1, round(image.height * ratio))), Image.LANCZOS)
    return image


def ocr_pdf_pages(name: str, data: bytes, pages: list[int], dpi: int = 200, progress=None) -> list[OcrPage]:
    """OCR of the given 0-based pages of a PDF, rendered by PDFium at `dpi` (less for a page so large
    that it would pass MAX_SIDE); `progress(done, total)` after each page."""
    import pypdfium2 as pdfium

    _get_engine(name)  # say the extra is missing before rendering anything
    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as e:
        raise CorruptInput(f"not a readable PDF ({describe(e)}); download it again", name) from None
    out: list[OcrPage] = []
    try:
        for done, index in enumerate(pages, 1):
            try:
                page = pdf[index]
                width, height = page.get_size()  # points
                scale = dpi / 72
                if max(width, height) * scale > MAX_SIDE:
                    scale = MAX_SIDE / max(width, height)
                image = page.render(scale=scale, grayscale=True).to_pil()
                page.close()
            except Exception as e:
                raise CorruptInput(f"page {index + 1} of the PDF could not be rendered ({describe(e)})", name) from None
            out.append(ocr_image(image, name))
            if progress is not None:
                progress(done, len(pages))
    finally:
        pdf.close()
    return out


@dataclass
class _Box:
    points: list[tuple[float, float]]   # corners as the engine gives them: TL, TR, BR, BL
    text: str
    score: float
    x0: float = 0.0
    y0: float = 0.0
    x1: float = 0.0
    y1: float = 0.0

    @classmethod
    def of(cls, points, text: str, score: float) -> _Box:
        pts = [(float(x), float(y)) for x, y in points]
        box = cls(pts, _DASH_FOR_ONE.sub("一", unicodedata.normalize("NFC", text.strip())), score)
        box.place(0.0, (0.0, 0.0))
        return box

    def place(self, angle: float, centre: tuple[float, float]) -> None:
        """Axis-aligned extent after rotating the page back by `angle` radians about `centre`."""
        xs, ys = zip(*(_unrotate(x, y, angle, centre) for x, y in self.points))
        self.x0, self.x1, self.y0, self.y1 = min(xs), max(xs), min(ys), max(ys)

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def _unrotate(x: float, y: float, angle: float, centre: tuple[float, float]) -> tuple[float, float]:
    c, s = math.cos(angle), math.sin(angle)
    dx, dy = x - centre[0], y - centre[1]
    return centre[0] + c * dx + s * dy, centre[1] - s * dx + c * dy


def skew(boxes: list[_Box]) -> float:
    """The page's rotation in radians, from the top edges of wide boxes: their median slope, refined
    by a width-weighted mean of the slopes near it (a wide box's slope is the most precise); 0 with
    fewer than three wide boxes or beyond MAX_SKEW_DEGREES (not a scan's tilt)."""
    edges = []
    for b in boxes:
        (x0, y0), (x1, y1) = b.points[0], b.points[1]
        width, height = math.hypot(x1 - x0, y1 - y0), math.hypot(b.points[3][0] - x0, b.points[3][1] - y0)
        if width >= 3 * max(height, 1.0):
            edges.append((math.atan2(y1 - y0, x1 - x0), width))
    if len(edges) < 3:
        return 0.0
    middle = median(a for a, _ in edges)
    near = [(a, w) for a, w in edges if abs(a - middle) <= math.radians(0.5)]
    angle = sum(a * w for a, w in near) / sum(w for _, w in near)
    return angle if abs(math.degrees(angle)) <= MAX_SKEW_DEGREES else 0.0


def layout(boxes: list[_Box], gray=None) -> list[str]:
    """Lines of text from recognized boxes; `gray` (the page as a 2-D uint8 array) lets ruled tables
    be found, without it every row is laid out by gaps alone."""
    if not boxes:
        return []
    height, width = (gray.shape[:2] if gray is not None else
                     (max(y for b in boxes for _, y in b.points), max(x for b in boxes for x, _ in b.points)))
    centre = (width / 2, height / 2)
    angle = skew(boxes)
    for b in boxes:
        b.place(angle, centre)
    unit = median(b.height for b in boxes)
    rows: list[tuple] = []   # (top y, line, bottom y and boxes of a prose row; None, None for a table row)
    free = boxes
    if gray is not None:
        bands = _ruled_rows(gray, boxes, angle, centre, unit)
        free = []
        cells: dict[tuple[int, int], list[_Box]] = {}
        for b in boxes:
            spot = _find_cell(bands, b)
            if spot is None:
                free.append(b)
            else:
                cells.setdefault(spot, []).append(b)
        for i, (top, _bottom, seps) in enumerate(bands):
            texts = [_cell_text(cells.get((i, j), [])) for j in range(len(seps) - 1)]
            if any(texts):
                rows.append((top, "|".join(texts), None, None))
    for group in _group_rows(free, unit):
        rows.append((min(b.y0 for b in group), _row_text(group), max(b.y1 for b in group), group))
    rows.sort(key=lambda r: r[0])
    lines: list[Line | None] = []
    bottom = None   # of the prose row before
    for top, line, row_bottom, group in rows:
        if not line.strip():
            continue
        if row_bottom is not None and bottom is not None and top - bottom > BLANK_LINE_UNITS * unit:
            lines.append(None)   # an empty line between two prose rows: kept, as pdf.py keeps it
        lines.append(_line(line, group) if row_bottom is not None else Line(line, 0, 0, top, 0, 0))
        bottom = row_bottom
    return ["" if text is None else text for text in join_wraps(lines, width)]


def _line(text: str, group: list[_Box] | None) -> Line:
    """A prose row with where its ink is, for wrap.join_wraps; the font size is the row's width over
    its width in ems (a CJK character is one em, anything else half), and a row read apart at a
    wide gap ("|") is never joined (size 0)."""
    if group is None or "|" in text:
        return Line(text, 0, 0, 0, 0, 0)
    x0, x1 = group[0].x0, max(b.x1 for b in group)
    ems = sum(1.0 if wide(ch) else 0.5 for ch in text)
    em = (x1 - x0) / ems if ems else 0.0
    first = sum(1.0 if wide(ch) else 0.5 for ch in text[:first_word_end(text) + 1]) * em
    return Line(text, x0, x1, max(b.y1 for b in group), em, first)


# A gap between two prose rows wider than this many line heights is an empty line of the page (a line's
# own spacing is about half a line height); the text keeps it as a blank line.
BLANK_LINE_UNITS = 1.5


def _group_rows(boxes: list[_Box], unit: float) -> list[list[_Box]]:
    """Boxes whose deskewed centres lie within half a box height of a row's centre form that row."""
    rows: list[list[_Box]] = []
    centre = 0.0
    for b in sorted(boxes, key=lambda b: b.cy):
        if rows and abs(b.cy - centre) <= 0.5 * max(unit, 1.0):
            rows[-1].append(b)
            centre = sum(x.cy for x in rows[-1]) / len(rows[-1])
        else:
            rows.append([b])
            centre = b.cy
    return [sorted(r, key=lambda b: b.x0) for r in rows]


def _row_text(row: list[_Box]) -> str:
    """One unruled row: "|" across a wide gap, else the boxes joined as one text."""
    unit = median(b.height for b in row)
    out = row[0].text
    for left, right in itertools.pairwise(row):
        gap = right.x0 - left.x1
        out += "|" + right.text if gap >= CELL_GAP * unit else _join(out, right.text) + right.text
    return out


def _cell_text(boxes: list[_Box]) -> str:
    """A ruled cell's boxes as one line: its lines top to bottom, each left to right."""
    if not boxes:
        return ""
    unit = median(b.height for b in boxes)
    out = ""
    for row in _group_rows(boxes, unit):
        for b in row:
            out += _join(out, b.text) + b.text
    return " ".join(out.replace("|", " ").split())


def _join(left: str, right: str) -> str:
    """" " between two Latin words or two numbers (`100 98`), "" otherwise (Chinese never spaces)."""
    if not left or not right:
        return ""
    a, b = left[-1], right[0]
    return " " if a.isascii() and b.isascii() and a.isalnum() and b.isalnum() else ""


def _find_cell(bands, box: _Box) -> tuple[int, int] | None:
    for i, (top, bottom, seps) in enumerate(bands):
        if top <= box.cy < bottom and seps[0] <= box.cx <= seps[-1]:
            for j in range(len(seps) - 1):
                if seps[j] <= box.cx < seps[j + 1]:
                    return i, j
            return i, len(seps) - 2
    return None


def _ruled_rows(gray, boxes: list[_Box], angle: float, centre, unit: float):
    """[(top, bottom, column separators x)] for each band between two horizontal rules that at least
    two vertical rules cross: the rows of ruled tables, in the deskewed coordinates of the boxes."""
    import cv2
    import numpy as np

    c, s = math.cos(angle), math.sin(angle)
    matrix = np.array([[c, s, centre[0] - c * centre[0] - s * centre[1]],
                       [-s, c, centre[1] + s * centre[0] - c * centre[1]]], dtype=np.float64)
    h, w = gray.shape[:2]
    page = cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255) if angle else gray
    _, ink = cv2.threshold(page, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    shrink = 0.15 * unit
    for b in boxes:  # blank the text, so only strokes outside it (the rules) are left
        ink[max(0, int(b.y0 + shrink)):max(0, int(b.y1 - shrink)), max(0, int(b.x0 + 2)):max(0, int(b.x1 - 2))] = 0
    long_h = max(20, int(3 * unit))
    long_v = max(8, int(0.6 * unit))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (long_h, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, long_v)))
    # A thin rule, slightly off horizontal, breaks into pieces: close small gaps along it.
    vertical = cv2.morphologyEx(vertical, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(3, int(0.3 * unit)))))

    rule_rows = np.flatnonzero((horizontal > 0).sum(axis=1) >= long_h)
    rules: list[float] = []
    run: list[int] = []
    for y in rule_rows:
        if run and y - run[-1] > 2:
            rules.append(sum(run) / len(run))
            run = []
        run.append(int(y))
    if run:
        rules.append(sum(run) / len(run))

    # A long rule left a few pixels off vertical by the skew estimate drifts sideways: widen the
    # strokes, then a separator is a column inked over nearly the whole height of a band.
    drift = max(3, int(0.1 * unit))
    vertical = cv2.dilate(vertical, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * drift + 1, 1))) > 0

    bands = []
    for top, bottom in itertools.pairwise(rules):
        if bottom - top < 0.8 * unit:
            continue  # a double rule, or a rule and its shadow
        tol = 0.2 * (bottom - top)
        strip = vertical[int(top + tol):int(bottom - tol) + 1]
        if strip.shape[0] == 0:
            continue
        inked = np.flatnonzero(strip.mean(axis=0) >= 0.9)
        seps: list[float] = []
        run = []
        for x in inked:
            if run and x - run[-1] > 1:
                seps.append(sum(run) / len(run))
                run = []
            run.append(int(x))
        if run:
            seps.append(sum(run) / len(run))
        if len(seps) >= 2:
            bands.append((top, bottom, seps))
    return bands
