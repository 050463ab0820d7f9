"""Spreadsheet reader (extract/readers/sheet.py): real workbooks written by openpyxl and LibreOffice."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from extract.errors import (
    CorruptInput,
    EmptyInput,
    EncryptedInput,
    InputTooLarge,
    UnsafeArchive,
)
from extract.pipeline import extract_text
from extract.readers import read_bytes, sheet
from extract.readers.sheet import display

SHARED = Path(__file__).resolve().parents[2] / "shared"
SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not on PATH: the .xls/.ods/"
                                                            "LibreOffice .xlsx copies cannot be made")


# ------------------------------------------------------------------------------------------ makers

def make_workbook(path: Path) -> Path:
    """A 绩效自评表-like workbook: merged title, formats, a vertical merge, a formula, a hidden sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效自评表"
    ws["A1"] = "2022年度项目支出绩效自评表"
    ws.merge_cells("A1:F1")
    ws.append(["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    ws.append([412958.46, 412958.46, 412958.46, 10, 1.0, 10])
    for cell in ("A3", "B3", "C3"):
        ws[cell].number_format = "#,##0.00"
    ws["E3"].number_format = "0.00%"
    ws.append(["资金规模", 60.28])
    ws["B4"].number_format = '0.00"万元"'
    ws.append(["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "偏差原因分析\n及改进措施"])
    ws.append(["产出指标", "数量指标", "享受补助学生人数", 652, 652])
    ws.append([None, "质量指标", "膳食补助政策覆盖率", 1, 1])
    ws.append([None, "时效指标", "补助资金拨付及时率", 1, 0.95])
    for cell in ("D7", "E7", "D8", "E8"):
        ws[cell].number_format = "0%"
    ws.merge_cells("A6:A8")
    ws.append(["合计", "=A3*2"])                 # openpyxl stores no cached value; LibreOffice computes one
    ws["B9"].number_format = "#,##0.00"
    ws.append(["结余", -1234.5])
    ws["B10"].number_format = "#,##0.00_);(#,##0.00)"
    ws.append([None, "备注"])
    ws.append(["填报日期", dt.datetime(2023, 1, 15)])
    ws["B12"].number_format = 'yyyy"年"m"月"d"日"'
    ws.append([2.675, None, True])
    ws["A13"].number_format = "0.00"
    ws.append(["其他需要说明事项", None, "无", "总分", 98])
    ws.merge_cells("A14:B14")
    second = wb.create_sheet("说明")
    second.append(["二、绩效目标完成情况良好。"])
    second.append(["全年执行率", 0.9812])
    second["B2"].number_format = "0.00%"
    hidden = wb.create_sheet("隐藏")
    hidden.append(["不应出现的文字", "999万元"])
    hidden.sheet_state = "hidden"
    wb.save(path)
    return path


def expected_lines(formula: str | None) -> list[str]:
    """What the workbook above reads as; `formula` is the cached value of B9 (None: never computed)."""
    return [
        "2022年度项目支出绩效自评表",
        "年初预算数|全年预算数|全年执行数|分值|执行率|得分",
        "412,958.46|412,958.46|412,958.46|10|100.00%|10",
        "资金规模|60.28万元",
        "一级指标|二级指标|三级指标|指标值|实际完成值|偏差原因分析 及改进措施",
        "产出指标|数量指标|享受补助学生人数|652|652",
        "|质量指标|膳食补助政策覆盖率|100%|100%",
        "|时效指标|补助资金拨付及时率|100%|95%",
        "合计" + (f"|{formula}" if formula else ""),
        "结余|(1,234.50)",
        "|备注",
        "填报日期|2023年1月15日",
        "2.68||TRUE",
        "其他需要说明事项|无|总分|98",
        "二、绩效目标完成情况良好。",
        "全年执行率|98.12%",
    ]


def soffice_convert(src: Path, fmt: str, outdir: Path) -> Path:
    """`src` saved by LibreOffice as `fmt` (xls, ods, xlsx) in `outdir`, with a private profile."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir.parent / "lo-profile"
    proc = subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                           "--convert-to", fmt, "--outdir", str(outdir), str(src)],
                          capture_output=True, text=True, timeout=300, check=False)
    out = outdir / f"{src.stem}.{fmt}"
    assert out.is_file(), (proc.stdout, proc.stderr)
    return out


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    return make_workbook(tmp_path_factory.mktemp("xlsx") / "form.xlsx")


@pytest.fixture(scope="module")
def libreoffice_copies(workbook, tmp_path_factory) -> dict[str, bytes]:
    """The workbook saved by LibreOffice as .xls, .ods and .xlsx (formulas recalculated)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not on PATH")
    root = tmp_path_factory.mktemp("lo")
    return {fmt: soffice_convert(workbook, fmt, root / fmt).read_bytes() for fmt in ("xls", "ods", "xlsx")}


def facts(text: str) -> Counter:
    r = extract_text(text)
    return Counter([("amount", a.value_yuan) for a in r.amounts] + [("percent", p.value) for p in r.percentages]
                   + [("score", s.value) for s in r.scores])


# ------------------------------------------------------------------------------------------ .xlsx by openpyxl

def test_openpyxl_xlsx_rows_as_displayed(workbook):
    doc = read_bytes("form.xlsx", workbook.read_bytes())
    assert doc.format == "xlsx" and doc.encoding is None
    assert doc.text.splitlines() == expected_lines(formula=None)


def test_hidden_sheet_and_sheet_names_are_not_read(workbook):
    text = read_bytes("form.xlsx", workbook.read_bytes()).text
    assert "不应出现" not in text and "999万元" not in text
    assert "绩效自评表|" not in text and "说明" not in text.splitlines()


def test_xlsx_amounts_and_rates_are_found(workbook):
    found = facts(read_bytes("form.xlsx", workbook.read_bytes()).text)
    assert found[("percent", Decimal("98.12"))] == 1
    assert ("amount", Decimal("602800")) in found   # 60.28万元, written as the format shows it


# ------------------------------------------------------------------------------------------ LibreOffice copies

@needs_soffice
@pytest.mark.parametrize("fmt", ["xls", "ods", "xlsx"])
def test_libreoffice_copy_reads_the_same(libreoffice_copies, fmt):
    doc = read_bytes(f"form.{fmt}", libreoffice_copies[fmt])
    assert doc.format == fmt
    assert doc.text.splitlines() == expected_lines(formula="825,916.92")


@needs_soffice
@pytest.mark.parametrize("fmt", ["xls", "ods", "xlsx"])
def test_libreoffice_copy_gives_the_same_facts(workbook, libreoffice_copies, fmt):
    """The same facts as the openpyxl .xlsx, plus only the formula's value (never computed there)."""
    ours = facts(read_bytes("form.xlsx", workbook.read_bytes()).text)
    theirs = facts(read_bytes(f"form.{fmt}", libreoffice_copies[fmt]).text)
    assert ours and not ours - theirs
    assert set(theirs - ours) <= {("amount", Decimal("825916.92"))}


@needs_soffice
def test_et_is_read_like_xls(libreoffice_copies):
    doc = read_bytes("report.et", libreoffice_copies["xls"])
    assert doc.format == "et"
    assert doc.text == read_bytes("form.xls", libreoffice_copies["xls"]).text


@needs_soffice
def test_password_protected_xls_is_encrypted_input(libreoffice_copies):
    """LibreOffice's .xls with a FILEPASS record where its first record after BOF was: what Excel writes
    first in the globals of a workbook saved with a password to open it."""
    data = libreoffice_copies["xls"]
    bof = b"\x09\x08\x10\x00\x00\x06\x05\x00"        # BIFF8 BOF of the workbook globals, 16 bytes of data
    after = data.index(bof) + 4 + 16
    locked = data[:after] + b"\x2f\x00" + data[after + 2:]   # FILEPASS (0x002F)
    with pytest.raises(EncryptedInput) as e:
        read_bytes("locked.xls", locked)
    assert e.value.code == "E008" and "locked.xls" in str(e.value) and "password" in str(e.value)


# ------------------------------------------------------------------------------------------ .ods by hand

ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"')


def make_ods(tables: str, styles: str = "") -> bytes:
    """An OpenDocument spreadsheet zip (mimetype first, stored) around these table:table elements."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2">'
               f"<office:automatic-styles>{styles}</office:automatic-styles>"
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
               "</office:document-content>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
    return buf.getvalue()


def cell(text: str, extra: str = "") -> str:
    return f"<table:table-cell {extra}><text:p>{text}</text:p></table:table-cell>"


def test_ods_repeats_spans_spaces_and_hidden_tables():
    hidden_style = ('<style:style style:name="ta2" style:family="table">'
                    '<style:table-properties table:display="false"/></style:style>')
    title = cell("绩效自评表", 'table:number-columns-spanned="3"')
    level = cell("产出指标", 'table:number-rows-spanned="2"')
    rate = cell("100%", 'table:number-columns-repeated="2"')
    spaced = cell('质量<text:s text:c="3"/>指标')
    broken = cell("第一行<text:line-break/>第二行")
    rows = "".join([
        f'<table:table-row>{title}<table:covered-table-cell table:number-columns-repeated="2"/></table:table-row>',
        ('<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
         'table:number-columns-repeated="16384"/></table:table-row>'),
        (f'<table:table-row>{level}{cell("数量指标")}{rate}<table:table-cell table:number-columns-repeated="9000"/>'
         "</table:table-row>"),
        f"<table:table-row><table:covered-table-cell/>{spaced}{broken}</table:table-row>",
        f'<table:table-row><table:table-cell table:number-columns-repeated="2"/>{cell("尾")}</table:table-row>',
    ])
    data = make_ods(f'<table:table table:name="Sheet1">{rows}</table:table>'
                    f'<table:table table:name="隐藏" table:style-name="ta2"><table:table-row>{cell("不应出现")}'
                    "</table:table-row></table:table>", hidden_style)
    assert read_bytes("t.ods", data).text.splitlines() == [
        "绩效自评表", "",   # the million empty rows: one blank line
        "产出指标|数量指标|100%|100%", "|质量   指标|第一行 第二行", "||尾"]


def test_ods_with_no_cells_is_empty_input():
    data = make_ods('<table:table table:name="Sheet1"><table:table-row table:number-rows-repeated="1048576">'
                    '<table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>')
    with pytest.raises(EmptyInput) as e:
        read_bytes("blank.ods", data)
    assert e.value.code == "E002" and "blank.ods" in str(e.value)


def test_ods_row_repeated_past_the_row_limit_is_too_large():
    data = make_ods('<table:table table:name="Sheet1"><table:table-row table:number-rows-repeated="1000000">'
                    f'{cell("1")}</table:table-row></table:table>')
    with pytest.raises(InputTooLarge) as e:
        read_bytes("huge.ods", data)
    assert e.value.code == "E005" and "huge.ods" in str(e.value) and str(sheet.MAX_ROWS) in str(e.value)


# ------------------------------------------------------------------------------------------ size

def test_xlsx_with_a_far_corner_cell_reads_only_its_cells(tmp_path):
    """A used range of a million rows by 16,384 columns, two cells in it: two lines, nothing built between."""
    wb = Workbook()
    wb.active["A1"] = "首"
    wb.active["XFD1048576"] = "末"
    wb.save(tmp_path / "corner.xlsx")
    lines = read_bytes("corner.xlsx", (tmp_path / "corner.xlsx").read_bytes()).text.splitlines()
    assert lines == ["首", "", "|" * 16383 + "末"]   # the empty rows between: one blank line


def test_xlsx_past_the_row_limit_is_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(sheet, "MAX_ROWS", 50)
    wb = Workbook()
    for i in range(60):
        wb.active.append([f"第{i}行"])
    wb.save(tmp_path / "rows.xlsx")
    with pytest.raises(InputTooLarge) as e:
        read_bytes("rows.xlsx", (tmp_path / "rows.xlsx").read_bytes())
    assert "rows.xlsx" in str(e.value) and "50 non-empty rows" in str(e.value)


# ------------------------------------------------------------------------------------------ errors

def test_truncated_xlsx_is_corrupt(workbook):
    data = workbook.read_bytes()
    with pytest.raises(CorruptInput) as e:
        read_bytes("cut.xlsx", data[: len(data) // 2])
    assert e.value.code == "E007" and "cut.xlsx" in str(e.value) and "\n" not in str(e.value)


def test_random_bytes_named_xls_are_corrupt():
    data = random.Random(7).randbytes(4096)
    with pytest.raises(CorruptInput) as e:
        read_bytes("noise.xls", data)
    assert e.value.code == "E007" and "noise.xls" in str(e.value)


def test_xlsx_zip_bomb_is_refused_before_openpyxl():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", bytes(64 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(UnsafeArchive) as e:
        read_bytes("bomb.xlsx", data, max_unpacked=16 * 1024 * 1024)
    assert e.value.code == "E012" and "bomb.xlsx" in str(e.value)


def test_xlsx_without_values_is_empty(tmp_path):
    Workbook().save(tmp_path / "blank.xlsx")
    with pytest.raises(EmptyInput) as e:
        read_bytes("blank.xlsx", (tmp_path / "blank.xlsx").read_bytes())
    assert "blank.xlsx" in str(e.value)


# ------------------------------------------------------------------------------------------ display()

@pytest.mark.parametrize("value,code,shown", [
    (412958.46, "General", "412958.46"),
    (10.0, "General", "10"),
    (0.1 + 0.2, "General", "0.3"),
    (1e20, "General", "1E+20"),
    (412958.46, "#,##0.00", "412,958.46"),
    (1234567, "#,##0", "1,234,567"),
    (123.456, "0", "123"),
    (2.675, "0.00", "2.68"),             # half up on the written decimal; float formatting gives 2.67
    (1.005, "0.00", "1.01"),
    (1.0, "0.00%", "100.00%"),
    (0.9812, "0.00%", "98.12%"),
    (0.955, "0%", "96%"),
    (60.28, '0.00"万元"', "60.28万元"),
    (1234.5, "#,##0.00\\元", "1,234.50元"),
    (-5, "#,##0.00;[Red]\\-#,##0.00", "-5.00"),
    (-5, "0.00_);(0.00)", "(5.00)"),
    (-5, "0.00", "-5.00"),
    (-0.001, "0.00", "0.00"),
    (0, '#,##0;-#,##0;"—"', "—"),
    (0, '_ * #,##0.00_ ;_ * \\-#,##0.00_ ;_ * "-"??_ ;_ @_ ', "-"),
    (-1234.5, '_ * #,##0.00_ ;_ * \\-#,##0.00_ ;_ * "-"??_ ;_ @_ ', "-1,234.50"),
    (5, "[$¥-804]#,##0.00", "¥5.00"),
    (5, "[DBNum1][$-804]General", "5"),
    (1234567, "#,##0,", "1,235"),
    (0.5, "#.00", ".50"),
    ("说明", "@", "说明"),
    (dt.datetime(2023, 1, 15), 'yyyy"年"m"月"d"日"', "2023年1月15日"),
    (44260, "yyyy-mm-dd", "2021-03-05"),
    (44260, "yyyy/m/d", "2021/3/5"),
    (dt.datetime(2021, 3, 5, 14, 7, 9), "yyyy-mm-dd hh:mm:ss", "2021-03-05 14:07:09"),
    (dt.datetime(2021, 3, 5, 14, 7, 9), "h:mm AM/PM", "2:07 PM"),
    (dt.datetime(2021, 3, 5), "General", "2021-03-05"),
    (True, "General", "TRUE"),
    (False, "0.00", "FALSE"),
    ("#DIV/0!", "0.00", "#DIV/0!"),
    (None, "0.00", ""),
    (3, "0.00E+00", "3"),                # not understood: General
    (150, "[>100]0;0.0", "150"),         # conditions: General
])
def test_display(value, code, shown):
    assert display(value, code) == shown


# ------------------------------------------------------------------------------------------ facts of forms

NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(%?)")


def as_cell(text: str):
    """(value, number_format) for a cell that is a plain number, so that display() must give `text` back."""
    m = NUMBER.fullmatch(text)
    if not m:
        return text, None
    decimals, percent = m.group(1) or "", m.group(2)
    value = Decimal(text.rstrip("%").replace(",", ""))
    code = ("#,##0" if "," in text else "0") + ("." + "0" * len(decimals) if decimals else "") + percent
    return float(value / 100 if percent else value), code


def form_workbook(text: str, path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    for r, line in enumerate(text.splitlines(), start=1):
        cells = [c.strip() for c in line.split("|")] if "|" in line else [line]
        for c, part in enumerate(cells, start=1):
            if part:
                value, code = as_cell(part)
                ws.cell(r, c, value)
                if code:
                    ws.cell(r, c).number_format = code
    wb.save(path)
    return path


def f1(gold: Counter, found: Counter) -> float:
    hit = sum((gold & found).values())
    if not hit:
        return 0.0
    p, r = hit / sum(found.values()), hit / sum(gold.values())
    return 2 * p * r / (p + r)


@pytest.mark.parametrize("form", ["forms/f01", "forms/f09", "forms/f15", "forms2/q07", "forms2/q15"])
def test_form_rebuilt_as_xlsx_gives_the_same_facts(form, tmp_path):
    """Forms whose tables are |-rows, one spreadsheet row per line. (f33 is left out: it is a PDF dump with
    one cell per line and bare "|" lines between rows, a layout no spreadsheet has.)"""
    path = SHARED / f"{form}.txt"
    if not path.is_file():
        pytest.skip(f"../shared/{form}.txt is not beside this checkout")
    original = path.read_text(encoding="utf-8")
    data = form_workbook(original, tmp_path / "form.xlsx").read_bytes()
    gold, found = facts(original), facts(read_bytes("form.xlsx", data).text)
    assert sum(gold.values()) >= 5
    assert f1(gold, found) >= 0.95, (gold - found, found - gold)
