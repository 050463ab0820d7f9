"""Files as office software makes them: a .docx with ruled, merged-cell tables, running header and page
numbers, printed to PDF and saved as .doc/.wps by LibreOffice (the real program), then read back."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from extract.pipeline import extract_document
from extract.readers import read_bytes

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: `make test` "
                                   "installs it when run as root")

HEADER = "松林县教育体育局2022年度部门整体支出绩效自评报告"
PARAGRAPHS = [f"（{i}）第{i}项工作全年支出{100 + i}.5万元，较上年增长{i}.2%，完成年度目标任务。" for i in range(1, 41)]


def _docx(path: Path) -> Path:
    """Two ruled tables (a horizontal and a vertical merge), forty paragraphs in between (three pages),
    a running header and a centred page number `- N -` in the footer."""
    from docx import Document
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = Document()
    section = d.sections[0]
    section.header.paragraphs[0].text = HEADER
    footer = section.footer.paragraphs[0]
    footer._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">- </w:t></w:r>'))
    footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    footer._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve"> -</w:t></w:r>'))
    d.add_paragraph("2022年度项目支出绩效自评表")
    t = d.add_table(rows=4, cols=4)
    t.style = "Table Grid"
    for i, text in enumerate(["项目资金(万元)", "年初预算数", "全年预算数", "执行率"]):
        t.cell(0, i).text = text
    for i, text in enumerate(["年度资金总额", "412958.46", "412958.46", "100%"]):
        t.cell(1, i).text = text
    t.cell(2, 0).merge(t.cell(3, 0)).text = "其中:当年财政拨款"
    t.cell(2, 1).text = "12.5"
    t.cell(2, 2).merge(t.cell(2, 3)).text = "合并单元格里的说明文字很长很长需要在单元格内换行显示成两行"
    for i, text in enumerate(["3", "4", "5"], start=1):
        t.cell(3, i).text = text
    for p in PARAGRAPHS:
        d.add_paragraph(p)
    t2 = d.add_table(rows=2, cols=3)
    t2.style = "Table Grid"
    for i, text in enumerate(["一级指标", "分值", "得分"]):
        t2.cell(0, i).text = text
    for i, text in enumerate(["产出指标", "50", "48.5"]):
        t2.cell(1, i).text = text
    d.add_page_break()
    d.add_paragraph("100")   # a bare number at the top of a page: the body, not a page number
    d.add_paragraph("以上为本单位自评结果。")
    d.save(path)
    return path


def _soffice(tmp: Path, to: str, src: Path) -> Path:
    out = tmp / to
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
                    "--convert-to", to, "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=300, start_new_session=True)
    return out / f"{src.stem}.{to}"


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, bytes]:
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    tmp = tmp_path_factory.mktemp("office")
    src = _docx(tmp / "report.docx")
    return {"docx": src.read_bytes(), "pdf": _soffice(tmp, "pdf", src).read_bytes(),
            "doc": _soffice(tmp, "doc", src).read_bytes()}


TABLE = ["项目资金(万元)|年初预算数|全年预算数|执行率",
         "年度资金总额|412958.46|412958.46|100%",
         "其中:当年财政拨款|12.5|合并单元格里的说明文字很长很长需要在单元格内换行显示成两行",
         "|3|4|5"]


@needs_soffice
def test_a_printed_ruled_table_reads_as_rows_of_cells_with_merges_carried(printed):
    text = read_bytes("report.pdf", printed["pdf"]).text
    lines = text.split("\n")
    start = lines.index(TABLE[0])
    assert lines[start:start + 4] == TABLE   # the merged cell's wrapped line joined, the vertical merge an empty cell
    assert lines[start - 1] == "2022年度项目支出绩效自评表"   # reading order: the title, then the table
    assert "一级指标|分值|得分" in lines and "产出指标|50|48.5" in lines


@needs_soffice
def test_no_table_text_is_read_twice(printed):
    text = read_bytes("report.pdf", printed["pdf"]).text
    assert text.count("412958.46") == 2 and text.count("年初预算数") == 1


@needs_soffice
def test_running_header_and_page_numbers_are_left_out_and_the_body_kept(printed):
    doc = read_bytes("report.pdf", printed["pdf"])
    text = doc.text
    assert HEADER not in text
    for n in (1, 2, 3):
        assert f"- {n} -" not in text
    squeezed = "".join(text.split())
    for p in PARAGRAPHS:   # every paragraph, including those at the top and bottom of a page
        assert p in squeezed, p
    assert text.rstrip().endswith("\n100\n以上为本单位自评结果。")


@needs_soffice
def test_printed_pdf_gives_the_facts_of_the_docx(printed):
    def facts(name):
        r = extract_document(read_bytes(name, printed[name.split(".")[1]]), name)
        return sorted((t, str(f.value_yuan if t == "amounts" else f.value)) for t in ("amounts", "percentages", "scores")
                      for f in getattr(r, t))

    assert facts("report.pdf") == facts("report.docx")


@needs_soffice
@pytest.mark.parametrize("name", ["report.doc", "report.wps"])
def test_doc_and_wps_saved_by_libreoffice_keep_their_tables(printed, name):
    doc = read_bytes(name, printed["doc"])
    assert doc.format == name.split(".")[1]
    lines = doc.text.split("\n")
    assert "年度资金总额|412958.46|412958.46|100%" in lines
    assert "产出指标|50|48.5" in lines
    assert doc.text == read_bytes("report.docx", printed["docx"]).text


def test_wps_without_libreoffice_names_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    from extract.errors import ConverterMissing

    with pytest.raises(ConverterMissing) as e:
        read_bytes("report.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + "WordDocument".encode("utf-16-le"))
    assert "report.wps" in str(e.value) and "LibreOffice" in str(e.value) and "[E011]" in str(e.value)


# --- a whole form on one line (a web page's dump), printed: it wraps over many lines -------------

@pytest.fixture(scope="module")
def one_line_form(tmp_path_factory) -> dict[str, bytes]:
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from docx import Document
    from test_printed_wraps import FORM

    from scripts.officegen.ofd import pdf_to_ofd

    tmp = tmp_path_factory.mktemp("one_line")
    d = Document()
    d.add_paragraph("附件:")
    d.add_paragraph(FORM)
    d.save(tmp / "form.docx")
    pdf = _soffice(tmp, "pdf", tmp / "form.docx").read_bytes()
    return {"txt": f"附件:\n{FORM}\n".encode(), "pdf": pdf, "ofd": pdf_to_ofd(pdf)}


@needs_soffice
@pytest.mark.parametrize("fmt", ["pdf", "ofd"])
def test_a_one_line_form_printed_over_many_lines_gives_the_facts_of_its_text(one_line_form, fmt):
    def facts(name):
        r = extract_document(read_bytes(name, one_line_form[name.split(".")[1]]), name)
        return sorted((t, str(f.value_yuan if t == "amounts" else f.value)) for t in ("amounts", "percentages", "scores")
                      for f in getattr(r, t))

    printed = read_bytes(f"form.{fmt}", one_line_form[fmt]).text
    assert printed.strip().count("\n") <= 2, printed   # 附件: and the form, not the dozen printed lines
    want, got = Counter(facts("form.txt")), Counter(facts(f"form.{fmt}"))
    assert sum(n for (t, _), n in want.items() if t == "scores") >= 10   # the form's indicator rows are read
    assert not got - want                                                # no value the text does not give
    # a wrap at a space between two words (群众出行条件 / 明显改善) cannot always be told from one
    # inside a word, and may cost a row
    assert sum((got & want).values()) >= 0.9 * sum(want.values())
