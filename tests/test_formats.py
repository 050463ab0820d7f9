"""scripts/formats.py and scripts/officegen: reference forms turned into every office format by the
real programs (python-docx, openpyxl, LibreOffice), read back by reportx, facts compared.

The writers are checked on their own first (fast, no LibreOffice). Then three short forms with "|"
tables (f01: amounts, rates and scores of a project form; f09: a cell-per-line form in 万元; f15: an
info-box table above prose amounts) go through docx, pdf, doc, wps, xlsx, xls, et, ods and ofd, one
soffice call per conversion kind for all three, and each format must keep >= 95% (F1) of the amounts,
percentages and scores that the text itself gives. Scans (png, scanpdf) are the OCR reader's tests.

Not f33: its empty "|" lines hold the column cycle of a cell-per-line flattening; in a one-column
Word table they are all-empty rows, which every reader drops by contract, so the table stage loses
the cycle and reads the 序号 column as 万元 amounts in EVERY format. That is the flattened text's
shape, not a format's loss (scripts/formats.py still measures it).
"""

from __future__ import annotations

import importlib.util
import io
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FORMS = ("f01", "f09", "f15")
MIN_F1 = 0.95


@pytest.fixture(scope="module")
def fm():
    """scripts/formats.py as a module (it puts scripts/ on sys.path for officegen)."""
    spec = importlib.util.spec_from_file_location("formats_harness", ROOT / "scripts" / "formats.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["formats_harness"] = module      # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("formats_harness", None)


# ---------------------------------------------------------------- officegen.docx

TABLE_TEXT = "标题\n| 项目 | 金额 |\n| 甲 || 1.5 | 98% |\n|\n正文 12.5万元"


def _docx_xml(fm, text: str) -> str:
    from officegen.docx import text_to_docx
    with zipfile.ZipFile(io.BytesIO(text_to_docx(text))) as z:
        return z.read("word/document.xml").decode("utf-8")


def test_docx_one_table_per_run_of_bar_lines(fm):
    xml = _docx_xml(fm, TABLE_TEXT)
    assert xml.count("<w:tbl>") == 1
    assert xml.count("<w:tr") == 2   # the bare "|" line holds no cell of text: a paragraph as written
    assert 'w:val="TableGrid"' in xml


def test_docx_narrow_rows_merge_their_last_cell_across_the_grid(fm):
    import docx

    from officegen.docx import text_to_docx
    table = docx.Document(io.BytesIO(text_to_docx(TABLE_TEXT))).tables[0]
    tcs = [row._tr.tc_lst for row in table.rows]
    assert [len(r) for r in tcs] == [2, 4]        # "项目|金额": its last cell spans 3 grid columns
    assert tcs[0][1].grid_span == 3


def test_docx_reads_back_as_bar_rows_with_interior_empty_cells(fm):
    from extract.readers import read_bytes

    from officegen.docx import text_to_docx
    text = read_bytes("t.docx", text_to_docx(TABLE_TEXT)).text
    assert text.split("\n") == ["标题", "项目|金额", "甲||1.5|98%", "|", "正文 12.5万元"]


def test_docx_is_a4_with_a_cjk_east_asian_font(fm):
    xml = _docx_xml(fm, TABLE_TEXT)
    assert 'w:w="11906"' in xml and 'w:h="16838"' in xml   # 210 x 297 mm in twips
    assert 'w:eastAsia="Noto Sans CJK SC"' in xml


def test_docx_bytes_are_the_same_on_every_run(fm):
    from officegen.docx import text_to_docx
    assert text_to_docx(TABLE_TEXT) == text_to_docx(TABLE_TEXT)


# ---------------------------------------------------------------- officegen.sheet

@pytest.mark.parametrize("written, value, number_format", [
    ("412958.46", Decimal("412958.46"), "0.00"),
    ("1,234.50", Decimal("1234.5"), "#,##0.00"),
    ("10", Decimal("10"), "0"),
    ("-3.5", Decimal("-3.5"), "0.0"),
    ("98.5%", Decimal("0.985"), "0.0%"),
    ("100%", Decimal("1"), "0%"),
])
def test_xlsx_numbers_are_numbers_shown_as_written(fm, written, value, number_format):
    import openpyxl

    from officegen.sheet import text_to_xlsx
    ws = openpyxl.load_workbook(io.BytesIO(text_to_xlsx(f"名称|{written}"))).active
    cell = ws["B1"]
    assert isinstance(cell.value, (int, float)) and Decimal(str(cell.value)) == value
    assert cell.number_format == number_format


@pytest.mark.parametrize("written", ["07365550123", "1,23", "12345678901234567", "１２", "=1+1", "约10"])
def test_xlsx_other_cells_stay_strings(fm, written):
    import openpyxl

    from officegen.sheet import text_to_xlsx
    ws = openpyxl.load_workbook(io.BytesIO(text_to_xlsx(f"名称|{written}"))).active
    assert ws["B1"].value == written and ws["B1"].data_type == "s"


def test_xlsx_rows_follow_lines_and_prose_sits_in_column_a(fm):
    import openpyxl

    from officegen.sheet import text_to_xlsx
    ws = openpyxl.load_workbook(io.BytesIO(text_to_xlsx("说明 a|b\n\n| x || y |"))).active
    assert ws["A1"].value == "说明 a" and ws["B1"].value == "b"
    assert ws["A2"].value is None
    assert [ws["A3"].value, ws["B3"].value, ws["C3"].value] == ["x", None, "y"]
    assert text_to_xlsx("a|1") == text_to_xlsx("a|1")


# ---------------------------------------------------------------- officegen.office

def test_convert_without_soffice_says_so(fm, tmp_path, monkeypatch):
    from officegen import office
    source = tmp_path / "a.docx"
    source.write_bytes(b"x")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    with pytest.raises(office.OfficeError, match="soffice"):
        office.convert([source], "pdf", tmp_path / "out")


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_convert_reports_the_files_it_could_not_convert(fm, tmp_path):
    from officegen import office
    from officegen.docx import text_to_docx
    good, bad = tmp_path / "good.docx", tmp_path / "bad.docx"
    good.write_bytes(text_to_docx("一|二"))
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(office.OfficeError) as caught:
        office.convert([good, bad], "pdf", tmp_path / "out")
    assert caught.value.missing == [bad]
    assert caught.value.done[good].read_bytes().startswith(b"%PDF")


# ---------------------------------------------------------------- the harness's arithmetic

def test_compare_counts_multisets(fm):
    cmp = fm.compare({"amounts": ["10", "10", "20"], "scores": ["5"]}, {"amounts": ["10", "30"], "scores": ["5"]})
    assert fm.asdict(cmp["amounts"]["counts"]) == {"tp": 1, "fp": 1, "fn": 2}
    assert cmp["amounts"]["missing"] == ["10", "20"] and cmp["amounts"]["extra"] == ["30"]
    assert cmp["scores"]["counts"].f1 == 1.0
    assert cmp["percentages"]["counts"].f1 is None


def test_an_unreadable_file_is_an_error_row_with_its_code(fm, tmp_path):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 damaged")
    m = fm.measure(("t", "src.txt", "docx", str(broken)))
    assert m.error_code == "E007" and m.facts == {}


# ---------------------------------------------------------------- three forms through every office format

@pytest.fixture(scope="module")
def built(fm, tmp_path_factory):
    if not (SHARED / "forms").is_dir():
        pytest.skip("../shared/forms is not beside this checkout")
    srcs = [s for s in fm.sources("forms") if s.stem in FORMS]
    assert [s.stem for s in srcs] == list(FORMS)
    out = tmp_path_factory.mktemp("formats")
    unavailable, failed = fm.build(srcs, list(fm.OFFICE_FORMATS), out)
    reference = {s.stem: fm.measure((s.set, str(s.path), "txt", str(s.path))) for s in srcs}
    for m in reference.values():
        assert m.error is None, m.error
    return fm, srcs, out, unavailable, failed, reference


@pytest.mark.parametrize("fmt", ["docx", "pdf", "doc", "wps", "xlsx", "xls", "et", "ods", "ofd"])
def test_three_forms_keep_their_facts(built, fmt):
    fm, srcs, out, unavailable, failed, reference = built
    if fmt in unavailable:
        pytest.skip(f"{fmt}: {unavailable[fmt]}")
    total = fm.Counts()
    problems = []
    for s in srcs:
        if (str(s.path), fmt) in failed:
            problems.append(f"{s.stem}: could not be made: {failed[(str(s.path), fmt)]}")
            cmp = fm.compare(reference[s.stem].facts, {})
        else:
            m = fm.measure((s.set, str(s.path), fmt, str(fm.target(out, s, fmt))))
            if m.error:
                problems.append(f"{s.stem}: [{m.error_code}] {m.error}")
            cmp = fm.compare(reference[s.stem].facts, m.facts)
        for t in fm.TYPES:
            total.add(cmp[t]["counts"])
            if cmp[t]["missing"] or cmp[t]["extra"]:
                problems.append(f"{s.stem} {t}: missing {cmp[t]['missing']}, extra {cmp[t]['extra']}")
    assert total.tp > 0 or total.fn > 0, "the three forms gave no facts to compare"
    assert total.f1 >= MIN_F1, f"{fmt}: F1 {total.f1:.3f} < {MIN_F1}\n" + "\n".join(problems)
