"""A report's text printed on A4 and scanned: page images for testing OCR.

It stands for the outside world (a printer and a scanner), so it imports nothing from extract/.

- A line without "|" is prose, wrapped at the page width; a line of columns aligned with runs of spaces
  prints them apart; an empty line takes a line's room.
- Consecutive lines with "|" are a table: each row is drawn as ruled cells whose widths follow the
  cells' text lengths; a long cell wraps inside its cell, and a row with more cells than fit is
  continued on a second ruled row. "| a | b |" and "a|b" are the same row; an all-empty row is left out.
- Then the scan: a slight rotation (±0.3–1.5°, seeded), a grey paper level, gaussian and salt noise
  and a slight blur. The same text, dpi and seed give the same pixels.

    >>> pages = render_pages("总分|100|98", dpi=200, seed=1)
    >>> pages[0].size
    (1654, 2338)
"""

from __future__ import annotations

import random
import re

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_INDEX = 2          # Noto Sans CJK SC: simplified Chinese glyph forms
A4_INCHES = (8.27, 11.69)
MARGIN_INCHES = 0.8
FONT_POINTS = 11
LINE_SPACING = 1.5      # line pitch, in font sizes
CELL_PAD = 0.35         # padding inside a cell, in font sizes
MIN_CELL_CHARS = 3
# Line-breaking rules of Chinese typesetting (as Word and WPS apply them): no line starts with
# closing punctuation, none ends with an opening bracket.
_NO_LINE_START = set(")）]】」』〉》,，.。、;；:：!！?？%％")
_NO_LINE_END = set("(（[【「『〈《")      # a cell narrower than this many characters would be unreadable: continue the row


def render_pages(text: str, dpi: int = 200, seed: int = 0, rotate: float | None = None,
                 noise: bool = True) -> list[Image.Image]:
    """The text as scanned A4 pages (greyscale "L" images, `info["dpi"]` set); `rotate` in degrees
    overrides the seeded rotation (0 for none), `noise=False` leaves the page clean (still rotated)."""
    pages = _Printer(dpi).print(text)
    rng = random.Random(seed)
    out = []
    for i, page in enumerate(pages):
        angle = rotate if rotate is not None else rng.choice((-1, 1)) * rng.uniform(0.3, 1.5)
        out.append(_scan(page, angle, dpi, seed * 1000 + i, noise))
    return out


class _Printer:
    def __init__(self, dpi: int):
        self.dpi = dpi
        self.width, self.height = round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi)
        self.margin = round(MARGIN_INCHES * dpi)
        self.size = round(FONT_POINTS / 72 * dpi)
        self.font = ImageFont.truetype(FONT_PATH, self.size, index=FONT_INDEX)
        self.pitch = round(self.size * LINE_SPACING)
        self.pad = round(self.size * CELL_PAD)
        self.rule = max(1, round(dpi / 100))
        self.pages: list[Image.Image] = []
        self._new_page()

    def _new_page(self) -> None:
        self.page = Image.new("L", (self.width, self.height), 255)
        self.draw = ImageDraw.Draw(self.page)
        self.pages.append(self.page)
        self.y = self.margin

    def _room(self, height: int) -> None:
        if self.y + height > self.height - self.margin and self.y > self.margin:
            self._new_page()

    def print(self, text: str) -> list[Image.Image]:
        lines = text.splitlines()
        i = 0
        while i < len(lines):
            j = i
            while j < len(lines) and "|" in lines[j]:
                j += 1
            if j > i:
                self._table(lines[i:j])
                self.y += self.pitch // 2
                i = j
            else:
                self._prose(lines[i])
                i += 1
        return self.pages

    def _prose(self, line: str) -> None:
        segments = [" ".join(seg.split()) for seg in re.split(r" {2,}|\t", line.strip())]
        line = " ".join(line.split())
        if not line:
            self.y += self.pitch   # an empty line takes a line's room, as a printer gives it
            return
        if len(segments) > 1 and self._aligned(segments):
            return
        for part in self._wrap(line, self.width - 2 * self.margin):
            self._room(self.pitch)
            self.draw.text((self.margin, self.y), part, font=self.font, fill=0)
            self.y += self.pitch

    def _aligned(self, segments: list[str]) -> bool:
        """A line of columns aligned with runs of spaces (a text table): printed on one line with a gap
        of two ems between its columns, as the spaces set them apart; False when it does not fit."""
        gap = 2 * self.size
        widths = [self.draw.textlength(seg, font=self.font) for seg in segments]
        if sum(widths) + gap * (len(segments) - 1) > self.width - 2 * self.margin:
            return False
        self._room(self.pitch)
        x = self.margin
        for seg, w in zip(segments, widths):
            self.draw.text((x, self.y), seg, font=self.font, fill=0)
            x += w + gap
        self.y += self.pitch
        return True

    def _wrap(self, text: str, width: int) -> list[str]:
        """Lines of at most `width` pixels, broken between characters (as Chinese text is), closing
        punctuation kept at the end of the line before."""
        out, current = [], ""
        for ch in text:
            if current and self.font.getlength(current + ch) > width and ch not in _NO_LINE_START:
                carry = ""
                while current and current[-1] in _NO_LINE_END:  # "(" goes down with what it opens
                    carry, current = current[-1] + carry, current[:-1]
                if current.strip():
                    out.append(current.rstrip())
                    current = (carry + ch).lstrip()
                else:
                    current = carry + ch
            else:
                current += ch  # closing punctuation hangs past the edge rather than open a line
        if current or not out:
            out.append(current)
        return out

    def _table(self, rows: list[str]) -> None:
        usable = self.width - 2 * self.margin
        for row in rows:
            cells = [" ".join(c.split()) for c in row.split("|")]
            if row.strip().startswith("|"):
                cells = cells[1:]
            if row.strip().endswith("|") and cells:
                cells = cells[:-1]
            if not any(cells):
                continue
            floor = MIN_CELL_CHARS * self.size + 2 * self.pad
            per_row = max(1, usable // floor)
            for k in range(0, len(cells), per_row):
                self._row(cells[k:k + per_row], usable)

    def _row(self, cells: list[str], usable: int) -> None:
        widths = _fit([self.font.getlength(c) + 2 * self.pad + self.size // 2 for c in cells], usable)
        wrapped = [self._wrap(c, w - 2 * self.pad) for c, w in zip(cells, widths)]
        height = max(len(w) for w in wrapped) * self.pitch + 2 * self.pad
        self._room(height)
        x = self.margin
        for parts, w in zip(wrapped, widths):
            self.draw.rectangle((x, self.y, x + w, self.y + height), outline=0, width=self.rule)
            top = self.y + (height - len(parts) * self.pitch) // 2 + (self.pitch - self.size) // 2
            for n, part in enumerate(parts):
                left = x + self.pad if len(parts) > 1 else x + (w - self.font.getlength(part)) / 2
                self.draw.text((left, top + n * self.pitch - self.size // 8), part, font=self.font, fill=0)
            x += w
        self.y += height


def _fit(natural: list[float], usable: int) -> list[int]:
    """Column widths: natural widths stretched to the usable width, or, when they do not fit, the
    narrow ones kept and the rest sharing what is left equally (water-filling)."""
    total = sum(natural)
    if total <= usable:
        return [int(w * usable / total) for w in natural]
    widths = [0.0] * len(natural)
    left, open_ = float(usable), sorted(range(len(natural)), key=lambda i: natural[i])
    while open_:
        share = left / len(open_)
        i = open_[0]
        if natural[i] <= share:
            widths[i] = natural[i]
            left -= natural[i]
            open_.pop(0)
        else:
            for i in open_:
                widths[i] = share
            break
    return [int(w) for w in widths]


def _scan(page: Image.Image, angle: float, dpi: int, seed: int, noise: bool) -> Image.Image:
    scale = dpi / 200
    img = page.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    if noise:
        img = img.filter(ImageFilter.GaussianBlur(radius=0.6 * scale))
        rng = np.random.default_rng(seed)
        a = np.asarray(img, dtype=np.float32)
        paper, ink = 236.0 + rng.uniform(-8, 8), 28.0 + rng.uniform(-8, 8)
        a = ink + (paper - ink) * a / 255.0
        a += rng.normal(0.0, 7.0, a.shape)
        salt = rng.random(a.shape)
        a[salt < 0.0004] = 20.0
        a[salt > 0.9996] = 255.0
        img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")
    img.info["dpi"] = (dpi, dpi)
    return img
