"""OCR of scanned pages: real pages printed and "scanned" by scripts/officegen/scan.py, read by the real
engine (RapidOCR). Each page costs seconds, so pages are shared by module fixtures: about 9 in all."""

from __future__ import annotations

import io
import pathlib
import struct
import subprocess
import sys
import zlib
from collections import Counter

import pytest
from PIL import Image

pytest.importorskip("rapidocr_onnxruntime")

from extract.errors import CorruptInput, EmptyInput, InputTooLarge
from extract.pipeline import extract_text
from extract.readers import read_bytes
from extract.readers.ocr import _Box, engine_name, layout
from scripts.officegen.scan import render_pages

ROOT = pathlib.Path(__file__).resolve().parent.parent
FORMS = ROOT.parent / "shared" / "forms"

HEADER = "年初预算数|全年预算数|全年执行数|分值|执行率|得分"
NUMBERS = "412958.46|412958.46|412958.46|10|100%|10"
PROSE = ("全年共实施项目12个，经调整后项目预算为648.25万元，实际到位资金297.41万元，资金到位率为45.88%，"
         "各项工作均按计划有序推进，项目实施总体达到预期目标。")
PAGE = "\n".join(["2022年度项目支出绩效自评表", HEADER, NUMBERS, "总分|100|98|优", PROSE])


def png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def straight():
    return read_bytes("page.png", png(render_pages(PAGE, dpi=200, seed=3, rotate=0.0)[0]))


@pytest.fixture(scope="module")
def rotated():
    return read_bytes("rotated.png", png(render_pages(PAGE, dpi=200, seed=4, rotate=1.2)[0]))


def test_ruled_table_row_reads_back_as_cells(straight):
    lines = straight.text.splitlines()
    assert HEADER in lines
    assert NUMBERS in lines
    assert "总分|100|98|优" in lines


def test_prose_reads_back_without_cell_bars(straight):
    prose = [line for line in straight.text.splitlines() if "648.25万元" in line or "预期目标" in line]
    assert prose, straight.text
    assert all("|" not in line for line in prose)
    assert "经调整后项目预算为648.25万元" in straight.text.replace("\n", "")


def test_image_document_carries_ocr_info(straight):
    assert straight.format == "image"
    assert straight.ocr.pages == (1,)
    assert straight.ocr.engine == engine_name() and engine_name().startswith("rapidocr-onnxruntime ")
    assert 0.8 <= straight.ocr.confidence <= 1.0


def test_rotated_page_still_groups_rows(rotated):
    lines = rotated.text.splitlines()
    assert HEADER in lines and NUMBERS in lines
    assert lines.index(HEADER) + 1 == lines.index(NUMBERS)


def facts(text: str, source: str) -> Counter:
    r = extract_text(text, source=source)
    return Counter([("amount", a.value_yuan) for a in r.amounts] + [("percentage", p.value) for p in r.percentages]
                   + [("score", s.value) for s in r.scores])


def f1(gold: Counter, got: Counter) -> float:
    hit = sum((gold & got).values())
    if not hit:
        return 0.0
    precision, recall = hit / sum(got.values()), hit / sum(gold.values())
    return 2 * precision * recall / (precision + recall)


# f01: a project self-assessment table (41 facts, 2 pages); f15: a notice header table and prose (1 page).
@pytest.mark.skipif(not FORMS.is_dir(), reason="../shared/forms is not beside this checkout")
@pytest.mark.parametrize("form", ["f01", "f15"])
def test_scanned_form_keeps_its_facts(form):
    text = (FORMS / f"{form}.txt").read_text(encoding="utf-8")
    gold = facts(text, form)
    pages = render_pages(text, dpi=200, seed=11)  # noisy, rotated by a seeded ±0.3–1.5°
    read = [read_bytes(f"{form}-{i}.png", png(page)).text for i, page in enumerate(pages, 1)]
    got = facts("\n".join(read), form)
    assert sum(gold.values()) >= 5
    assert f1(gold, got) >= 0.9, (gold - got, got - gold)


def test_multi_page_tiff_is_pages_in_order(tmp_path):
    first = render_pages("第一页：全年预算数|412958.46", seed=5, rotate=0.0)[0]
    second = render_pages("第二页：总分|98", seed=6, rotate=0.0)[0]
    path = tmp_path / "scan.tif"
    first.save(path, "TIFF", save_all=True, append_images=[second], compression="tiff_deflate")
    doc = read_bytes("scan.tif", path.read_bytes())
    assert doc.ocr.pages == (1, 2)
    assert "412958.46" in doc.text and "98" in doc.text
    assert doc.text.index("第一页") < doc.text.index("第二页")


def test_truncated_png_is_corrupt():
    data = png(Image.new("L", (400, 300), 128))
    with pytest.raises(CorruptInput) as e:
        read_bytes("cut.png", data[: len(data) // 2])
    assert e.value.code == "E007" and "cut.png" in str(e.value)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_image_over_the_pixel_cap_is_refused_from_its_header():
    # 60000×60000 greyscale would be 3.6 GB decoded; the file holds no pixel data at all, so only a
    # refusal from the header can give InputTooLarge (decoding would fail as corrupt).
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0))
    data = b"\x89PNG\r\n\x1a\n" + header + _chunk(b"IDAT", zlib.compress(b"")) + _chunk(b"IEND", b"")
    with pytest.raises(InputTooLarge) as e:
        read_bytes("huge.png", data)
    assert e.value.code == "E005" and "huge.png" in str(e.value) and "pixels" in str(e.value)


def test_blank_page_is_empty():
    with pytest.raises(EmptyInput) as e:
        read_bytes("blank.png", png(Image.new("L", (1654, 2338), 255)))
    assert e.value.code == "E002" and "no text was recognized" in str(e.value)


def test_missing_ocr_extra_names_it(tmp_path):
    path = tmp_path / "page.png"
    Image.new("L", (200, 100), 255).save(path)
    code = ("import sys; sys.modules['rapidocr_onnxruntime'] = None\n"
            "from extract.readers import read_bytes\n"
            "from extract.errors import ReportxError\n"
            "try:\n"
            f"    read_bytes('page.png', open({str(path)!r}, 'rb').read())\n"
            "except ReportxError as e:\n"
            "    print(e); sys.exit(3)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 3, run.stderr
    assert "[E009]" in run.stdout and "reportx[ocr]" in run.stdout and "page.png" in run.stdout


def box(x0: float, y0: float, x1: float, y1: float, text: str) -> _Box:
    return _Box.of([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], text, 0.99)


@pytest.mark.parametrize("gap, joined", [
    (4, "全年支出156.99万元，预算执行率98.12%。"),     # prose split by the detector: no bar
    (120, "全年支出156.99万元，|预算执行率98.12%。"),  # three box heights apart: a cell boundary
])
def test_unruled_boxes_join_by_their_gap(gap, joined):
    left = box(100, 100, 500, 140, "全年支出156.99万元，")
    right = box(500 + gap, 101, 900 + gap, 141, "预算执行率98.12%。")
    assert layout([left, right]) == [joined]


def test_rows_far_apart_have_the_empty_line_between():
    lines = layout([box(100, 100, 300, 140, "第一行"), box(100, 400, 300, 440, "第二行"), box(320, 102, 400, 141, "续")])
    assert lines == ["第一行续", "", "第二行"]   # seven line heights of paper between: an empty line there


def test_rows_a_line_apart_have_no_blank_between():
    lines = layout([box(100, 100, 300, 140, "第一行"), box(100, 160, 300, 200, "第二行")])
    assert lines == ["第一行", "第二行"]


def test_spaces_inside_a_box_come_back_from_its_characters_boxes():
    from extract.readers.ocr import _spaced

    def at(x0, x1):
        return [[x0, 0], [x1, 0], [x1, 33], [x0, 33]]

    # `38 38 10`: digits 13 px wide, touching inside a number, 14 px apart between numbers
    chars = [at(0, 13), at(13, 26), at(40, 53), at(53, 66), at(80, 93), at(93, 106)]
    assert _spaced("383810", chars) == "38 38 10"
    # ideographs 27 px wide, 6 px apart: no space; full-width punctuation leaves its own gap
    assert _spaced("分值，得分", [at(0, 27), at(33, 60), at(66, 75), at(99, 126), at(132, 159)]) == "分值，得分"
    assert _spaced("383810", chars[:5]) == "383810"   # boxes that do not match the text: as read


# --- a whole form dumped on one line of single-spaced words, printed and scanned ------------------

@pytest.fixture(scope="module")
def one_line_form():
    from test_printed_wraps import FORM

    text = f"附件:\n{FORM}"
    return text, read_bytes("form.png", png(render_pages(text, dpi=200, seed=5)[0])).text


def test_a_scanned_one_line_form_is_one_line_of_spaced_words_again(one_line_form):
    text, read = one_line_form
    lines = [line for line in read.splitlines() if line.strip()]
    assert len(lines) <= 3, read          # 附件: and the form (a doubtful break may stay), not a dozen rows
    # the spaces between ideographs and between numbers come back from the page: the form's header
    # words and values are apart, so its table is read
    assert "年初预算数 全年预算数 全年执行数" in read
    assert "120 118.5 116.2" in read
    gold, got = facts(text, "form"), facts(read, "form")
    assert sum(v for (kind, _), v in gold.items() if kind == "score") >= 10
    assert not got - gold, got - gold     # no value the text does not give
    assert f1(gold, got) >= 0.9, (gold - got, got - gold)


def test_a_sign_keeps_its_number_and_numbers_keep_their_digits():
    from extract.readers.ocr import _spaced

    def at(x0, x1):
        return [[x0, 0], [x1, 0], [x1, 33], [x0, 33]]

    # ≥ is drawn narrow in a full-width box: the gap after it is no space (≥40, not ≥ 40)
    assert _spaced("≥40", [at(0, 15), at(40, 53), at(53, 66)]) == "≥40"
    assert _spaced("98%", [at(0, 13), at(13, 26), at(45, 60)]) == "98%"


@pytest.mark.parametrize("read, expect", __import__("extract.patterns", fromlist=["load"]).load("readers")
                         ["ocr_spacing"]["examples"])
def test_ocr_spacing_examples(read, expect):
    """patterns/readers.yaml ocr_spacing: the characters touch, but for a gap of 25 px (a space's
    width anywhere else) beside each sign."""
    from extract.readers.ocr import _binding, _spaced

    binds_next, binds_before = _binding()
    boxes, x = [], 0
    for i, ch in enumerate(read):
        boxes.append([[x, 0], [x + 13, 0], [x + 13, 33], [x, 33]])
        x += 13 + (25 if ch in binds_next or read[i + 1:i + 2] in binds_before and i + 1 < len(read) else 0)
    assert _spaced(read, boxes) == expect
    assert _spaced(read.replace("≥", "x").replace("%", "y"), boxes) != expect.replace("≥", "x").replace("%", "y")


def _strip(paper: int, ink: int, gaps: list[int], width: int = 17):
    """A strip 34 px high: characters `width` px wide of solid `ink` on `paper`, `gaps` px apart;
    and each character's box."""
    import numpy as np

    total = len(gaps) * width + width + sum(gaps)
    gray = np.full((34, total + 4), paper, dtype=np.uint8)
    boxes, x = [], 2
    for gap in [*gaps, 0]:
        gray[4:30, x + 2:x + width - 2] = ink
        boxes.append([[x, 0], [x + width, 0], [x + width, 34], [x, 34]])
        x += width + gap
    return gray, boxes


@pytest.mark.parametrize("paper, ink", [(235, 60), (235, 150), (200, 120)], ids=["black", "faint", "grey"])
def test_spaces_are_read_from_the_page_whatever_the_toner(paper, ink):
    from extract.readers.ocr import _spaced, ink_level

    # 118.5 | 116.2: touching digits, one space (10 px) between the two numbers
    gray, boxes = _strip(paper, ink, [0, 0, 0, 0, 10, 0, 0, 0, 0])
    assert _spaced("118.5116.2", boxes, gray, ink_level(gray)) == "118.5 116.2"


def test_no_space_is_read_where_the_page_shows_nothing():
    import numpy as np

    from extract.readers.ocr import _spaced, ink_level

    # a blank page: too little contrast to read anything from
    gray = np.full((34, 120), 230, dtype=np.uint8)
    boxes = [[[x, 0], [x + 17, 0], [x + 17, 34], [x, 34]] for x in (-10, 7, 24, 41)]
    assert ink_level(gray) is None and _spaced("甲乙丙丁", boxes, gray, None) == "甲乙丙丁"
    # ink elsewhere on the page, the boxes over blank paper and partly off it: no evidence, no space
    gray[0:4, 100:120] = 20
    assert _spaced("甲乙丙丁", boxes, gray, ink_level(gray)) == "甲乙丙丁"
