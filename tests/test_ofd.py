"""The OFD reader on real files: OFDs written by scripts/officegen/ofd.py from PDFs that LibreOffice
printed from .docx files python-docx wrote, and handwritten OFD XML for the parser's corners."""

from __future__ import annotations

import io
import pathlib
import shutil
import subprocess
import zipfile
from collections import Counter

import pytest

from extract.errors import (
    CorruptInput,
    EmptyInput,
    EncryptedInput,
    NeedsOCR,
    UnsafeArchive,
)
from extract.readers import read_bytes
from extract.readers.ofd import expand_deltas
from scripts.officegen.ofd import delta_list, pdf_to_ofd, text_to_ofd

SHARED = pathlib.Path(__file__).resolve().parents[2] / "shared"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
NS = "http://www.ofdspec.org/2016"


def _print_pdfs(docs: dict[str, bytes], tmp: pathlib.Path) -> dict[str, bytes]:
    """Each .docx printed to PDF by LibreOffice, all in one soffice call (it is slow to start)."""
    paths = []
    for name, data in docs.items():
        path = tmp / f"{name}.docx"
        path.write_bytes(data)
        paths.append(str(path))
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp), *paths],
                   check=True, timeout=300, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {name: (tmp / f"{name}.pdf").read_bytes() for name in docs}


def _a4_document():
    import docx
    from docx.shared import Mm

    d = docx.Document()
    section = d.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    return d


def _save(d) -> bytes:
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


# --- text_to_ofd round trip ----------------------------------------------------------------------

def test_text_round_trip_keeps_lines_in_order_across_pages():
    lines = [f"第{i}行 项目资金 {i * 3}.5万元,执行率 9{i % 10}%" for i in range(120)]
    data = text_to_ofd("\n".join(lines), lines_per_page=50)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert sum(n.endswith("Content.xml") for n in zf.namelist()) == 3  # three pages
    doc = read_bytes("report.ofd", data)
    assert doc.format == "ofd"
    assert doc.text.splitlines() == lines


# --- a table printed by LibreOffice --------------------------------------------------------------

@pytest.fixture(scope="module")
def table_ofd(tmp_path_factory) -> str:
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    d = _a4_document()
    d.sections[0].header.paragraphs[0].text = "松林县青岚中学项目支出绩效自评报告"  # on every page
    d.add_paragraph("一、项目资金情况")
    rows = [["项目资金(万元)", "", "", "", ""],
            ["年初预算数", "全年预算数", "全年执行数", "执行率", "得分"],
            ["412.96", "412.96", "400.00", "96.86%", "10"],
            ["其中:财政拨款", "300.00", "300.00", "100%", "5"],
            ["", "112.96", "100.00", "88.53%", "5"]]
    table = d.add_table(rows=len(rows), cols=5)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(0, 0).merge(table.cell(0, 4))  # horizontally merged across the whole row
    table.cell(0, 0).text = "项目资金(万元)"
    table.cell(3, 0).merge(table.cell(4, 0))  # vertically merged over two rows
    table.cell(3, 0).text = "其中:财政拨款"
    for i in range(70):  # enough prose for three pages, each with its footer
        d.add_paragraph(f"第{i + 1}项工作按计划完成,说明文字用于占据版面。")
    tmp = tmp_path_factory.mktemp("ofd_table")
    pdf = _print_pdfs({"table": _save(d)}, tmp)["table"]
    return read_bytes("table.ofd", pdf_to_ofd(pdf)).text


@needs_soffice
def test_table_rows_come_back_as_cells(table_ofd):
    lines = table_ofd.splitlines()
    assert "项目资金(万元)" in lines  # the merged cell is one cell
    assert "年初预算数|全年预算数|全年执行数|执行率|得分" in lines
    assert "412.96|412.96|400.00|96.86%|10" in lines
    assert lines.index("年初预算数|全年预算数|全年执行数|执行率|得分") == lines.index("412.96|412.96|400.00|96.86%|10") - 1
    assert lines[0] == "一、项目资金情况"
    # a vertical merge: the text in the band it sits in, the other band's cell empty
    rows = {lines.index("其中:财政拨款|300.00|300.00|100%|5"), lines.index("|112.96|100.00|88.53%|5")}
    assert rows == {lines.index("412.96|412.96|400.00|96.86%|10") + 1, lines.index("412.96|412.96|400.00|96.86%|10") + 2}


@needs_soffice
def test_running_header_is_left_out(table_ofd):
    assert "松林县青岚中学" not in table_ofd


@needs_soffice
def test_footer_page_numbers_are_left_out(table_ofd):
    assert "第70项工作按计划完成,说明文字用于占据版面。" in table_ofd.splitlines()
    assert "页" not in table_ofd


# --- facts of reference forms through docx -> PDF -> OFD -----------------------------------------

FORMS = ["f01", "f09", "f15"]


def _form_docx(text: str) -> bytes:
    """Prose lines as paragraphs; each run of lines holding "|" as one table, rows padded to the widest.

    Landscape A4 in 9 pt, as such forms are printed, so that wide tables keep usable columns."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    d = _a4_document()
    section = d.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(15)
    d.styles["Normal"].font.size = Pt(9)
    block: list[list[str]] = []

    def flush():
        if not block:
            return
        width = max(len(r) for r in block) or 1
        table = d.add_table(rows=len(block), cols=width)
        table.style = "Table Grid"
        for r, row in enumerate(block):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
        block.clear()

    for line in text.splitlines():
        if "|" in line:
            cells = [c.strip() for c in line.split("|")]
            while cells and not cells[0]:
                cells.pop(0)
            while cells and not cells[-1]:
                cells.pop()
            if cells:  # an all-empty row shows nothing
                block.append(cells)
        else:
            flush()
            if line.strip():
                d.add_paragraph(line)
    flush()
    return _save(d)


def _facts(text: str, source: str) -> Counter:
    from extract.pipeline import extract_text

    r = extract_text(text, source=source)
    return Counter([("amount", a.value_yuan) for a in r.amounts] + [("percent", p.value) for p in r.percentages]
                   + [("score", s.value) for s in r.scores])


@pytest.fixture(scope="module")
def form_ofds(tmp_path_factory) -> dict[str, str]:
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    if not (SHARED / "forms").is_dir():
        pytest.skip("../shared/forms is not beside this checkout")
    tmp = tmp_path_factory.mktemp("ofd_forms")
    docs = {f: _form_docx((SHARED / "forms" / f"{f}.txt").read_text(encoding="utf-8")) for f in FORMS}
    pdfs = _print_pdfs(docs, tmp)
    return {f: read_bytes(f"{f}.ofd", pdf_to_ofd(pdfs[f])).text for f in FORMS}


@needs_soffice
@pytest.mark.parametrize("form", FORMS)
def test_form_facts_survive_ofd(form, form_ofds):
    original = _facts((SHARED / "forms" / f"{form}.txt").read_text(encoding="utf-8"), f"{form}.txt")
    got = _facts(form_ofds[form], f"{form}.ofd")
    common = sum((original & got).values())
    precision = common / max(sum(got.values()), 1)
    recall = common / max(sum(original.values()), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    print(f"{form}: {sum(original.values())} facts, {sum(got.values())} from the OFD, P={precision:.3f} "
          f"R={recall:.3f} F1={f1:.3f}; missing {sorted((original - got).items())[:8]} extra "
          f"{sorted((got - original).items())[:8]}")
    assert sum(original.values()) > 5
    assert f1 >= 0.95


# --- handwritten XML: namespaces, paths, DeltaX --------------------------------------------------

def _ofd(members: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return out.getvalue()


def _package(content: str, *, ns: str = "ofd", doc_root: str = "Doc_0/Document.xml",
             page_loc: str = "Pages/Page_0/Content.xml", page_member: str = "Doc_0/Pages/Page_0/Content.xml",
             extra: dict | None = None, ofd_extra: str = "") -> bytes:
    """A one-page OFD; `ns` "ofd" (prefixed), "default" (xmlns=) or "" (no namespace at all)."""
    if ns == "ofd":
        decl, p = f' xmlns:ofd="{NS}"', "ofd:"
    elif ns == "default":
        decl, p = f' xmlns="{NS}"', ""
    else:
        decl, p = "", ""
    body = content.replace("<", f"<{p}").replace(f"<{p}/", f"</{p}")
    members = {
        "OFD.xml": f'<{p}OFD{decl} Version="1.0" DocType="OFD"><{p}DocBody>{ofd_extra}<{p}DocRoot>{doc_root}'
                   f"</{p}DocRoot></{p}DocBody></{p}OFD>",
        "Doc_0/Document.xml": f"<{p}Document{decl}><{p}CommonData><{p}MaxUnitID>9</{p}MaxUnitID><{p}PageArea>"
                              f"<{p}PhysicalBox>0 0 210 297</{p}PhysicalBox></{p}PageArea></{p}CommonData><{p}Pages>"
                              f'<{p}Page ID="1" BaseLoc="{page_loc}"/></{p}Pages></{p}Document>',
        page_member: f"<{p}Page{decl}><{p}Content><{p}Layer>{body}</{p}Layer></{p}Content></{p}Page>",
    }
    members.update(extra or {})
    return _ofd(members)


TWO_LINES = ('<TextObject Boundary="20 20 100 10" Size="4"><TextCode X="0" Y="4">甲乙</TextCode></TextObject>'
             '<PageBlock><TextObject Boundary="20 32 100 10" Size="4"><TextCode X="0" Y="4" DeltaX="g 2 2.2">123'
             "</TextCode></TextObject></PageBlock>")


@pytest.mark.parametrize("ns", ["ofd", "default", ""])
def test_namespace_variants(ns):
    assert read_bytes("a.ofd", _package(TWO_LINES, ns=ns)).text == "甲乙\n123"


@pytest.mark.parametrize("doc_root, page_loc", [
    ("Doc_0/Document.xml", "Pages/Page_0/Content.xml"),            # relative to the document's folder
    ("/Doc_0/Document.xml", "/Doc_0/Pages/Page_0/Content.xml"),    # absolute from the package root
    ("doc_0/DOCUMENT.xml", "pages/page_0/content.XML"),            # another case
    ("./Doc_0/Document.xml", "../Doc_0/Pages/Page_0/Content.xml"),
])
def test_path_variants(doc_root, page_loc):
    assert read_bytes("a.ofd", _package(TWO_LINES, doc_root=doc_root, page_loc=page_loc)).text == "甲乙\n123"


@pytest.mark.parametrize("written, values", [
    ("1 2 3", [1, 2, 3]),
    ("g 3 3.5 1.9", [3.5, 3.5, 3.5, 1.9]),
    ("2 g 2 1 4", [2, 1, 1, 4]),
    ("", []),
])
def test_delta_notation_expands(written, values):
    assert expand_deltas(written) == values
    if values:
        assert expand_deltas(delta_list(values)) == values


def test_delta_repeat_counts_stop_at_the_characters_placed():
    assert expand_deltas("g 999999999 1 2", limit=3) == [1, 1, 1]
    content = ('<TextObject Boundary="10 10 150 10" Size="4"><TextCode X="0" Y="4" DeltaX="'
               + "g 999999999 4 " * 1000 + '">甲乙丙</TextCode></TextObject>')
    assert read_bytes("a.ofd", _package(content)).text == "甲乙丙"


def test_delta_g_places_characters():
    """'g 3 2.2' steps three narrow digits, then one wide step of 20 mm: a cell boundary (spaces)."""
    content = ('<TextObject Boundary="10 10 150 10" Size="4"><TextCode X="0" Y="4" DeltaX="g 3 2.2 20 g 3 2.2">'
               "12345678</TextCode></TextObject>")
    line = read_bytes("a.ofd", _package(content)).text
    assert line.startswith("1234 ") and line.endswith(" 5678")
    assert line.count(" ") == round((20 - 2.2) / 2)  # one space per half em (2 mm) of the gap
    # the same characters, stepped one em apart with no gap, stay one word
    tight = '<TextObject Boundary="10 10 150 10" Size="4"><TextCode X="0" Y="4" DeltaX="g 7 2.2">12345678</TextCode></TextObject>'
    assert read_bytes("a.ofd", _package(tight)).text == "12345678"


def test_ctm_and_text_codes_without_x_continue():
    content = ('<TextObject Boundary="0 0 200 20" Size="2" CTM="2 0 0 2 10 0"><TextCode X="0" Y="5">项目</TextCode>'
               '<TextCode>资金</TextCode></TextObject>'
               '<TextObject Boundary="0 0 200 20" Size="4"><TextCode X="5" Y="20">下一行</TextCode></TextObject>')
    assert read_bytes("a.ofd", _package(content)).text == "项目资金\n下一行"


def test_template_running_header_repeated_on_every_page_is_left_out():
    page = ('<Page xmlns="{ns}"><Template TemplateID="7"/><Content><Layer><TextObject Boundary="20 50 100 10" '
            'Size="4"><TextCode X="0" Y="4">正文{n}</TextCode></TextObject></Layer></Content></Page>')
    template = (f'<Page xmlns="{NS}"><Content><Layer Type="Background"><TextObject Boundary="20 10 150 10" Size="4">'
                '<TextCode X="0" Y="4">某某县财政局绩效报告</TextCode></TextObject></Layer></Content></Page>')
    data = _ofd({
        "OFD.xml": f'<OFD xmlns="{NS}"><DocBody><DocRoot>Doc_0/Document.xml</DocRoot></DocBody></OFD>',
        "Doc_0/Document.xml": f'<Document xmlns="{NS}"><CommonData><TemplatePage ID="7" BaseLoc="Tpl/T.xml"/>'
                              '</CommonData><Pages><Page ID="1" BaseLoc="P1.xml"/><Page ID="2" BaseLoc="P2.xml"/>'
                              "</Pages></Document>",
        "Doc_0/Tpl/T.xml": template,
        "Doc_0/P1.xml": page.format(ns=NS, n=1),
        "Doc_0/P2.xml": page.format(ns=NS, n=2),
    })
    assert read_bytes("a.ofd", data).text == "正文1\n正文2"
    # one page: nothing repeats, so the template's line is text like any other
    one = _package('<TextObject Boundary="20 10 150 10" Size="4"><TextCode X="0" Y="4">某某县财政局绩效报告</TextCode>'
                   "</TextObject>")
    assert read_bytes("a.ofd", one).text == "某某县财政局绩效报告"


@pytest.mark.parametrize("footer", ["- 3 -", "第3页 共5页", "3/5", "1"])   # a bare number: this page's own
def test_bare_page_numbers_are_left_out(footer):
    content = (f'<TextObject Boundary="20 20 100 10" Size="4"><TextCode X="0" Y="4">正文</TextCode></TextObject>'
               f'<TextObject Boundary="90 280 30 10" Size="4"><TextCode X="0" Y="4">{footer}</TextCode></TextObject>')
    assert read_bytes("a.ofd", _package(content)).text == "正文"


def test_a_number_in_the_body_is_kept():
    content = ('<TextObject Boundary="20 20 100 10" Size="4"><TextCode X="0" Y="4">正文</TextCode></TextObject>'
               '<TextObject Boundary="20 120 30 10" Size="4"><TextCode X="0" Y="4">45</TextCode></TextObject>'
               '<TextObject Boundary="20 200 30 10" Size="4"><TextCode X="0" Y="4">末行</TextCode></TextObject>')
    assert read_bytes("a.ofd", _package(content)).text == "正文\n\n45\n\n末行"   # far apart: blank lines between


# --- errors ---------------------------------------------------------------------------------------

def test_damaged_zip_is_corrupt():
    data = _package(TWO_LINES)
    with pytest.raises(CorruptInput) as e:
        read_bytes("broken.ofd", data[: len(data) // 2])
    assert e.value.path == "broken.ofd"


def test_ofd_xml_without_docroot_is_corrupt():
    data = _ofd({"OFD.xml": f'<ofd:OFD xmlns:ofd="{NS}"><ofd:DocBody><ofd:DocInfo/></ofd:DocBody></ofd:OFD>'})
    with pytest.raises(CorruptInput, match="DocRoot") as e:
        read_bytes("nodoc.ofd", data)
    assert e.value.path == "nodoc.ofd"


def test_damaged_xml_is_corrupt():
    data = _package(TWO_LINES, extra={"Doc_0/Pages/Page_0/Content.xml": "<Page><Content><Layer>"})
    with pytest.raises(CorruptInput, match="Content.xml") as e:
        read_bytes("bad.ofd", data)
    assert e.value.path == "bad.ofd"


def test_missing_page_is_corrupt():
    data = _package(TWO_LINES, page_loc="Pages/Page_9/Content.xml")
    with pytest.raises(CorruptInput, match="Page_9") as e:
        read_bytes("short.ofd", data)
    assert e.value.path == "short.ofd"


def test_entities_are_not_expanded():
    content = '<!DOCTYPE Page [<!ENTITY x SYSTEM "file:///etc/passwd">]><Page><Content><Layer><TextObject ' \
              'Boundary="0 0 9 9" Size="4"><TextCode X="0" Y="4">&x;正文</TextCode></TextObject></Layer></Content></Page>'
    data = _package("", ns="", extra={"Doc_0/Pages/Page_0/Content.xml": content})
    assert "root" not in read_bytes("xxe.ofd", data).text


def test_image_only_pages_need_ocr():
    content = '<ImageObject ID="5" Boundary="0 0 210 297" CTM="210 0 0 297 0 0" ResourceID="4"/>'
    with pytest.raises(NeedsOCR, match="scanned OFD") as e:
        read_bytes("scan.ofd", _package(content))
    assert e.value.path == "scan.ofd" and e.value.code == "E009"


def test_no_text_is_empty():
    with pytest.raises(EmptyInput) as e:
        read_bytes("blank.ofd", _package('<PathObject Boundary="0 0 9 9"><AbbreviatedData>M 0 0 L 9 0'
                                         "</AbbreviatedData></PathObject>"))
    assert e.value.path == "blank.ofd"


@pytest.mark.parametrize("how", ["listed", "member"])
def test_encrypted_ofd(how):
    if how == "listed":
        data = _package(TWO_LINES, ofd_extra="<Encryptions>Doc_0/Encrypt.xml</Encryptions>")
    else:
        data = _package(TWO_LINES, extra={"Encryptions.xml": f'<Encryptions xmlns="{NS}"/>'})
    with pytest.raises(EncryptedInput) as e:
        read_bytes("secret.ofd", data)
    assert e.value.path == "secret.ofd"


def test_zip_bomb_is_refused():
    bomb = _package(TWO_LINES, extra={"Doc_0/Res/big.bin": b"\0" * (40 * 1024 * 1024)})
    assert len(bomb) < 200_000
    with pytest.raises(UnsafeArchive) as e:
        read_bytes("bomb.ofd", bomb, max_unpacked=16 * 1024 * 1024)
    assert e.value.path == "bomb.ofd"
