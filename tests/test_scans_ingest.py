"""Scans in a batch: OCR runs inside the ingest workers (the process pool and a real Dask LocalCluster),
the record says which pages were OCR'd and how sure the engine was, and a scan that cannot be read is
one coded error row while the rest of the batch is stored."""

from __future__ import annotations

import io
import sqlite3
import sys
from decimal import Decimal

import pytest

from conftest import ROOT

pytest.importorskip("rapidocr_onnxruntime", reason="the OCR extra (reportx[ocr]) is not installed")
sys.path.insert(0, str(ROOT / "scripts"))
scan = pytest.importorskip("officegen.scan", reason="the scan renderer needs Pillow and the Noto CJK font")

from extract.dataset.ingest import ingest  # noqa: E402

PAGE_ONE = """2022年度部门整体支出绩效自评报告
一、部门基本情况
本单位年初预算数为1256.80万元，全年预算数为1302.45万元。
二、预算执行情况
全年执行数1288.16万元，预算执行率为98.90%。
项目|分值|得分
预算执行率|10|9.8
总分|100|96.5"""

PAGE_TWO = """三、绩效目标完成情况
全年培训基层干部362人次，群众满意度达到96%。
四、自评结论
综合评定自评得分96.5分，等级为优。"""


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _mixed_pdf(text_page: str, scanned) -> bytes:
    """Page 1 with a text layer (reportlab, CJK font), page 2 a scanned image, page 3 blank: only page 2
    gives text by OCR."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setFont("STSong-Light", 11)
    y = A4[1] - 72
    for line in text_page.split("\n"):
        c.drawString(72, y, line)
        y -= 18
    c.showPage()
    c.drawImage(ImageReader(scanned), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
    c.showPage()   # a blank last page: OCR'd, nothing found, so not listed
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scans")
    one = scan.render_pages(PAGE_ONE, dpi=200, seed=3)
    two = scan.render_pages(PAGE_TWO, dpi=200, seed=4)
    (folder / "scan.png").write_bytes(_png(one[0]))
    (folder / "mixed.pdf").write_bytes(_mixed_pdf(PAGE_ONE, two[0]))
    (folder / "broken.png").write_bytes(_png(two[0])[:3000])   # cut off mid-image, as a failed download is
    return folder


def _rows(db):
    con = sqlite3.connect(db, detect_types=sqlite3.PARSE_DECLTYPES)
    reports = {r[0].rsplit("/", 1)[1]: r[1:] for r in con.execute(
        "SELECT source, format, ocr_pages, ocr_confidence, ocr_engine, figure_total_score FROM reports")}
    errors = {r[0].rsplit("/", 1)[1]: r[1] for r in con.execute("SELECT path, code FROM errors")}
    return reports, errors


@pytest.mark.parametrize("scheduler", [None, "local"], ids=["process-pool", "dask-local-cluster"])
def test_scans_are_read_by_ocr_in_the_workers(scans, tmp_path, scheduler):
    if scheduler:
        pytest.importorskip("distributed")
    db = tmp_path / "scans.db"
    summary = ingest([str(scans)], db, workers=2, scheduler=scheduler)
    assert (summary.ingested, summary.failed) == (2, 1)
    # the workers (the pool's processes, the cluster's) say each page they OCR: scan.png's, mixed.pdf's two
    assert summary.ocr_pages == 3
    reports, errors = _rows(db)
    assert errors == {"broken.png": "E007"}
    fmt, pages, confidence, engine, total = reports["scan.png"]
    assert (fmt, pages) == ("image", "1")
    assert Decimal("0.8") < confidence <= 1 and engine.startswith("rapidocr")
    assert total == Decimal("96.5")
    fmt, pages, confidence, engine, total = reports["mixed.pdf"]
    assert (fmt, pages) == ("pdf", "2")   # only the page without a text layer that had text to read
    assert Decimal("0.8") < confidence <= 1


def test_a_parquet_only_cluster_ingest_counts_the_pages_too(scans, tmp_path):
    """Without a database the workers send back slim results: the pages' count must survive that."""
    pytest.importorskip("distributed")
    seen = []
    summary = ingest([str(scans)], None, workers=2, scheduler="local", parquet=tmp_path / "ds",
                     progress=lambda s, source: seen.append(s.ocr_pages))
    assert (summary.ingested, summary.failed) == (2, 1)
    assert summary.ocr_pages == 3 and max(seen) == 3


def test_the_ocr_text_is_what_the_facts_index(scans):
    from extract.pipeline import extract_document
    from extract.readers import read_bytes

    data = (scans / "scan.png").read_bytes()
    doc = read_bytes("scan.png", data)
    report = extract_document(doc, "scan.png")
    assert report.ocr is not None and report.ocr.pages == [1]
    amounts = {f.text: f.value_yuan for f in report.amounts}
    assert amounts.get("1256.80万元") == Decimal("12568000")
    for fact in [*report.amounts, *report.percentages, *report.scores]:
        assert doc.text[fact.start:fact.end] == fact.text
