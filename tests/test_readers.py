"""Readers: real .docx, .pdf, .html and .doc files made in tmp_path; every failure is a coded error."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from extract import extract_file
from extract.errors import (BinaryInput, ConverterMissing, CorruptInput, EmptyInput, EncryptedInput,
                            InputTooLarge, NeedsOCR, ReportxError, UnsupportedFormat)
from extract.pipeline import read_text
from extract.readers import Document, read_bytes, read_file

ROOT = Path(__file__).resolve().parent.parent
TITLE = "兰州新区经济合作局2020年度部门预算执行情况绩效自评报告"


# ------------------------------------------------------------------------------------------ makers

def make_docx(path: Path) -> Path:
    """Paragraph, paragraph, a 2×3 table, paragraph: the order the reader must keep."""
    d = docx.Document()
    d.add_paragraph(TITLE)
    d.add_paragraph("一、项目资金使用情况")
    table = d.add_table(rows=2, cols=3)
    for r, row in enumerate([["项目", "年初预算", "全年执行"], ["办公经费", "160万元", "88.5万元"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_paragraph("二、绩效目标完成情况良好。")
    d.save(path)
    return path


def make_pdf(path: Path, pages: list[list[str]], **canvas_args) -> Path:
    """A PDF with a real Chinese text layer (reportlab's built-in CID font, nothing downloaded)."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), **canvas_args)
    for lines in pages:
        c.setFont("STSong-Light", 12)
        for i, line in enumerate(lines):
            c.drawString(72, 780 - 20 * i, line)
        c.showPage()
    c.save()
    return path


def make_scan_pdf(path: Path) -> Path:
    """Only drawn shapes, like a scanned page: nothing to read without OCR."""
    c = canvas.Canvas(str(path))
    c.rect(72, 400, 300, 200, fill=1)
    c.circle(300, 700, 40)
    c.showPage()
    c.save()
    return path


def break_xref(data: bytes) -> bytes:
    """The same PDF with every cross-reference offset unparsable (00x0000061), as in a mangled download."""
    at = data.index(b"\nxref\n")
    return data[:at] + re.sub(rb"\n\d{3}(\d{7}) 00000 n", rb"\n00x\1 00000 n", data[at:])


PDF_PAGES = [[TITLE, "全年支出156.99万元，预算执行率98.12%。"], ["二、绩效目标完成情况"]]

HTML_PAGE = """<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>网站标题 - 不是正文</title>
<style>.content {{ font-size: 16px }}</style>
<script>var hits = "访问量999万元";</script>
</head><body>
<div id="topMenu"><a href="/">首页</a><a href="/gk">政务公开</a></div>
<nav><ul><li>财政预决算</li><li>部门预算</li></ul></nav>
<header>某某县人民政府门户网站</header>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开</div>
<article>
<h1>{title}</h1>
<p>一、部门基本情况</p>
<p>　　全年支出<b>156.99</b>万元。</p>
<table>
<thead><tr><th>项目</th><th>预算数（万元）</th><th>执行数（万元）</th></tr></thead>
<tbody><tr><td>办公经费</td><td>160.00</td><td><p>156.99</p></td></tr></tbody>
</table>
<p>二、绩效目标<br>完成情况良好</p>
</article>
<noscript>请开启浏览器脚本</noscript>
<aside>热点新闻</aside>
<div class="page-footer">版权所有 ICP备12345号</div>
<footer>联系我们</footer>
</body></html>
"""

HTML_TEXT = "\n".join([
    TITLE,
    "一、部门基本情况",
    "全年支出156.99万元。",
    "项目|预算数（万元）|执行数（万元）",
    "办公经费|160.00|156.99",
    "二、绩效目标",
    "完成情况良好",
])


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extract", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})})


# ------------------------------------------------------------------------------------------ .docx

def test_docx_keeps_paragraphs_and_table_rows_in_order(tmp_path):
    doc = read_file(make_docx(tmp_path / "r.docx"), 10_000_000)
    assert doc.format == "docx" and doc.encoding is None
    assert doc.text.splitlines() == [TITLE, "一、项目资金使用情况", "项目|年初预算|全年执行",
                                     "办公经费|160万元|88.5万元", "二、绩效目标完成情况良好。"]


def test_docx_amount_in_a_table_row_is_extracted_with_offsets_into_the_text(tmp_path):
    path = make_docx(tmp_path / "r.docx")
    report = extract_file(path)
    text, data, encoding = read_text(path)
    assert encoding is None and report.encoding is None
    row_start = text.index("办公经费|")
    row_end = text.index("\n", row_start)
    in_row = [a for a in report.amounts if row_start <= a.start < row_end]
    assert [(a.text, a.value_yuan) for a in in_row] == [("160万元", Decimal("1600000")),
                                                        ("88.5万元", Decimal("885000"))]
    assert all(text[a.start:a.end] == a.text for a in report.amounts)


def test_docx_merged_cells_are_not_repeated(tmp_path):
    d = docx.Document()
    d.add_paragraph("合并单元格")
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 1)).text = "资金来源"        # one cell across two columns
    t.cell(0, 2).text = "金额"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "财政拨款"        # one cell down two rows
    t.cell(1, 1).text = "当年"
    t.cell(1, 2).text = "612.35"
    t.cell(2, 1).text = "结转"
    t.cell(2, 2).text = "80.00"
    d.save(tmp_path / "m.docx")
    text = read_file(tmp_path / "m.docx", 10_000_000).text
    assert text.splitlines()[1:] == ["资金来源|金额", "财政拨款|当年|612.35", "|结转|80.00"]


def test_docx_without_text_is_empty_input(tmp_path):
    docx.Document().save(tmp_path / "blank.docx")
    with pytest.raises(EmptyInput):
        read_file(tmp_path / "blank.docx", 10_000_000)


# ------------------------------------------------------------------------------------------ .pdf

def test_pdf_text_layer_comes_back_page_by_page(tmp_path):
    doc = read_file(make_pdf(tmp_path / "r.pdf", PDF_PAGES), 10_000_000)
    assert doc.format == "pdf" and doc.encoding is None
    assert doc.text.splitlines() == [TITLE, "全年支出156.99万元，预算执行率98.12%。", "二、绩效目标完成情况"]


def test_pdf_amount_is_extracted(tmp_path):
    report = extract_file(make_pdf(tmp_path / "r.pdf", PDF_PAGES))
    found = [a for a in report.amounts if a.text == "156.99万元"]
    assert len(found) == 1 and found[0].value_yuan == Decimal("1569900")
    assert report.encoding is None


def test_pdf_without_text_layer_needs_ocr_when_the_ocr_extra_is_missing(tmp_path):
    path = make_scan_pdf(tmp_path / "scan.pdf")
    code = ("import sys; sys.modules['rapidocr_onnxruntime'] = None\n"   # as if reportx[ocr] were not installed
            "from extract.readers import read_file\n"
            f"read_file({str(path)!r}, 10_000_000)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert "NeedsOCR" in last and "[E009]" in last and "scan.pdf" in last and "reportx[ocr]" in last


def test_pdf_without_text_layer_and_nothing_to_recognize_is_empty(tmp_path):
    pytest.importorskip("rapidocr_onnxruntime", reason="the OCR extra (reportx[ocr]) is not installed")
    with pytest.raises(EmptyInput) as e:
        read_file(make_scan_pdf(tmp_path / "scan.pdf"), 10_000_000)   # drawn shapes only: no text to recognize
    assert e.value.code == "E002"
    assert "scan.pdf" in str(e.value) and "OCR" in str(e.value) and "\n" not in str(e.value)


def test_pdf_with_user_password_is_encrypted_input(tmp_path):
    path = make_pdf(tmp_path / "locked.pdf", PDF_PAGES, encrypt="secret")
    with pytest.raises(EncryptedInput) as e:
        read_file(path, 10_000_000)
    assert e.value.code == "E008" and "locked.pdf" in str(e.value) and "password" in str(e.value)


def test_pdf_with_only_an_owner_password_is_read(tmp_path):
    """Opens without a password (copying forbidden); pdfminer loses the CID mapping, PDFium does not."""
    path = make_pdf(tmp_path / "owner.pdf", PDF_PAGES, encrypt=StandardEncryption("", ownerPassword="owner", canCopy=0))
    text = read_file(path, 10_000_000).text
    assert "全年支出156.99万元" in text and "(cid:" not in text


def test_pdf_with_damaged_xref_is_repaired(tmp_path):
    data = make_pdf(tmp_path / "r.pdf", PDF_PAGES).read_bytes()
    broken = break_xref(data)
    assert broken != data and len(broken) == len(data)
    assert read_bytes("broken.pdf", broken).text.splitlines()[:2] == PDF_PAGES[0]


@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_truncated_file_is_corrupt_input(tmp_path, suffix):
    whole = make_docx(tmp_path / "w.docx") if suffix == ".docx" else make_pdf(tmp_path / "w.pdf", PDF_PAGES)
    data = whole.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptInput) as e:
        read_file(cut, 10_000_000)
    assert e.value.code == "E007" and f"cut{suffix}" in str(e.value) and "\n" not in str(e.value)


# ------------------------------------------------------------------------------------------ .html

def test_html_gbk_page_gives_only_body_text_with_table_rows(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(HTML_PAGE.format(title=TITLE).encode("gbk"))
    doc = read_file(path, 10_000_000)
    assert doc.format == "html" and doc.encoding == "gb18030"
    assert doc.text == HTML_TEXT


def test_html_report_keeps_its_encoding_and_finds_facts(tmp_path):
    path = tmp_path / "page.htm"
    path.write_bytes(HTML_PAGE.format(title=TITLE).encode("gbk"))
    report = extract_file(path)
    assert report.encoding == "gb18030"
    assert "156.99万元" in [a.text for a in report.amounts]
    assert "999万元" not in [a.text for a in report.amounts]   # from the <script>


@pytest.mark.parametrize("page,encoding", [
    pytest.param(HTML_PAGE.format(title=TITLE).encode("utf-8"), "utf-8", id="utf8-page-with-stale-gbk-meta"),
    pytest.param(HTML_PAGE.replace("; charset=gbk", "").format(title=TITLE).encode("gbk"), "gb18030",
                 id="gbk-without-meta"),
])
def test_html_charset(page, encoding):
    doc = read_bytes("page.html", page)
    assert (doc.text, doc.encoding) == (HTML_TEXT, encoding)


@pytest.mark.parametrize("page,error", [
    (b"<html><body><script>var a = 1;</script><nav>menu</nav></body></html>", EmptyInput),
    (b"<html>\x00\x01\x02\x03" * 50, BinaryInput),
])
def test_html_without_body_text(page, error):
    with pytest.raises(error):
        read_bytes("bad.html", page)


# ------------------------------------------------------------------------------------------ .doc

def test_doc_without_a_converter_on_path_says_how_to_fix_it(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)  # a compound-file header
    with pytest.raises(ConverterMissing) as e:
        read_file(path, 10_000_000)
    message = str(e.value)
    assert e.value.code == "E011" and "old.doc" in message
    assert "antiword" in message and "soffice" in message and ".docx" in message


# ------------------------------------------------------------------------------------------ dispatch

def test_txt_that_is_really_a_pdf_is_read_as_pdf(tmp_path):
    fake = tmp_path / "report.txt"
    fake.write_bytes(make_pdf(tmp_path / "r.pdf", PDF_PAGES).read_bytes())
    doc = read_file(fake, 10_000_000)
    assert doc.format == "pdf" and "156.99万元" in doc.text


def test_txt_that_is_really_a_docx_is_read_as_docx(tmp_path):
    fake = tmp_path / "report.txt"
    fake.write_bytes(make_docx(tmp_path / "r.docx").read_bytes())
    doc = read_file(fake, 10_000_000)
    assert doc.format == "docx" and doc.text.startswith(TITLE + "\n")


def test_plain_text_still_decodes(tmp_path):
    path = tmp_path / "r.txt"
    path.write_bytes(f"{TITLE}\n全年支出156.99万元。".encode("gbk"))
    assert read_file(path, 10_000_000) == Document(f"{TITLE}\n全年支出156.99万元。", "txt", "gb18030",
                                                  path.read_bytes())


def test_read_bytes_never_opens_the_name(tmp_path):
    """Archive members have names that are not paths; an unrelated file at that path is ignored."""
    data = make_docx(tmp_path / "r.docx").read_bytes()
    decoy = tmp_path / "member.docx"
    decoy.write_bytes(b"not a docx")
    assert read_bytes(str(decoy), data).text.startswith(TITLE)
    assert read_bytes("archive.zip!reports/missing.docx", data).format == "docx"


@pytest.mark.parametrize("name,data,error", [
    ("table.xlsx", b"PK\x03\x04" + b"\x00" * 64, CorruptInput),   # a zip, damaged
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, CorruptInput),
    ("sheet.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, CorruptInput),
    # Word keeps a password-protected .docx in a compound file holding an "EncryptedPackage" stream
    ("locked.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le"),
     EncryptedInput),
])
def test_unreadable_kinds(name, data, error):
    with pytest.raises(error) as e:
        read_bytes(name, data)
    assert name in str(e.value)


def test_zip_that_is_not_a_docx_is_unsupported(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "a.zip", "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(UnsupportedFormat):
        read_bytes("a.txt", (tmp_path / "a.zip").read_bytes())


def test_size_limit_is_checked_before_reading(tmp_path):
    path = make_pdf(tmp_path / "r.pdf", PDF_PAGES)
    with pytest.raises(InputTooLarge):
        read_file(path, path.stat().st_size - 1)
    assert read_file(path, path.stat().st_size).format == "pdf"


def test_document_is_frozen(tmp_path):
    doc = read_bytes("r.txt", "全年支出156.99万元。".encode("utf-8"))
    with pytest.raises(AttributeError):
        doc.text = "changed"  # type: ignore[misc]


# ------------------------------------------------------------------------------------------ CLI

def test_cli_extracts_a_docx_as_one_json_line(tmp_path):
    path = make_docx(tmp_path / "r.docx")
    proc = run_cli("extract", str(path))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["source"] == str(path) and record["encoding"] is None
    assert "88.5万元" in [a["text"] for a in record["amounts"]]


def test_cli_reports_each_bad_document_on_one_line(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    good = make_docx(tmp_path / "good.docx")
    locked = make_pdf(tmp_path / "locked.pdf", PDF_PAGES, encrypt="secret")
    scan = make_scan_pdf(tmp_path / "scan.pdf")
    cut = tmp_path / "cut.docx"
    cut.write_bytes(good.read_bytes()[:500])
    old = tmp_path / "old.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    mangled = tmp_path / "mangled.pdf"   # read, and pdfminer's warnings about it stay off stderr
    mangled.write_bytes(break_xref(make_pdf(tmp_path / "r.pdf", PDF_PAGES).read_bytes()))
    files = (good, locked, scan, cut, old, mangled)
    proc = run_cli("extract", *map(str, files), env={"PATH": str(bin_dir)})
    assert proc.returncode == 1
    printed = [Path(json.loads(line)["source"]).name for line in proc.stdout.splitlines()]
    assert printed == ["good.docx", "mangled.pdf"]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 5, lines   # one per bad file and the total: no tracebacks, no library warnings
    scan = "E002" if _has_ocr() else "E009"   # drawn shapes only: OCR finds no text; without OCR it is needed
    for name, code in {"locked.pdf": "E008", "scan.pdf": scan, "cut.docx": "E007", "old.doc": "E011"}.items():
        hits = [line for line in lines if name in line]
        assert len(hits) == 1 and f"[{code}]" in hits[0], (name, lines)
    assert lines[-1] == "reportx: 4 of 6 file(s) failed"


def _has_ocr() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def test_error_codes_are_unique():
    import extract.errors as errors

    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, ReportxError)]
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes)), sorted(codes)
    assert {c.code for c in (CorruptInput, EncryptedInput, NeedsOCR, ConverterMissing)} == {"E007", "E008", "E009", "E011"}
