"""The report view and the charts (issue 12): pages checked in a real headless Chromium (the DOM after its
scripts ran, and a screenshot), as written by `reportx view` and as served by `reportx serve`.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, SEED, running_datasette
from lxml import html as lxml_html

from extract import extract_text
from extract.models import FACT_TYPES, FIGURE_NAMES
from extract.view import page

CORPORA = sorted(p for p in (ROOT / "corpora").glob("*/*.txt") if "generated" not in p.parts)
HOSTILE = ("兰州新区经济合作局2020年度绩效自评报告\n<script>document.body.dataset.pwned='script'</script>\n"
           "<img src=x onerror=\"document.body.dataset.pwned='img'\">全年支出100万元，执行率97.94%。\n"
           "\"><svg onload=\"document.body.dataset.pwned='svg'\">得分98分。&amp;&lt;b&gt;\n")


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


CHROMIUM = _chromium()
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (make test installs it as root: "
                                   "apt-get install chromium)")


def _browser(url: str, *args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        out = subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                              f"--user-data-dir={profile}", "--hide-scrollbars", *args, url],
                             capture_output=True, text=True, timeout=120)
    return out.stdout


def dom(url: str) -> lxml_html.HtmlElement:
    """The document as Chromium has it after loading the page and running its scripts."""
    return lxml_html.fromstring(_browser(url, "--virtual-time-budget=3000", "--dump-dom"))


def screenshot(url: str, path: Path, width: int = 1280, height: int = 900) -> Path:
    _browser(url, f"--window-size={width},{height}", f"--screenshot={path}")
    assert path.exists(), "Chromium wrote no screenshot"
    return path


def _not_blank(path: Path) -> None:
    from PIL import Image

    image = Image.open(path).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 22) or []
    top = max((n for n, _ in colours), default=0)
    share = top / (image.size[0] * image.size[1])
    assert image.size[0] >= 300 and len(colours) >= 8 and share < 0.97, \
        f"{path} looks blank ({len(colours)} colours, the commonest on {share:.0%} of it)"


def _check_marks(doc, report, text: str) -> None:
    """One highlighted element per fact (and for the grade figure), with the fact's text and offsets."""
    marks = doc.xpath("//mark[contains(concat(' ', @class, ' '), ' fact ')]")
    expected = sorted([(t, f.start, f.end, f.text) for t in FACT_TYPES for f in getattr(report, t)]
                      + [("grade", g.start, g.end, g.text) for g in [report.figures.grade] if g is not None])
    got = sorted((m.get("data-type"), int(m.get("data-start")), int(m.get("data-end")), m.text_content())
                 for m in marks)
    assert got == expected
    assert all(text[s:e] == t for _, s, e, t in got)


# ------------------------------------------------------------------------------- the page itself

@pytest.mark.parametrize("path", CORPORA, ids=lambda p: p.name)
def test_every_fact_is_one_mark_with_its_text_and_offsets(path):
    text = path.read_text(encoding="utf-8-sig")
    report = extract_text(text, source=str(path))
    _check_marks(lxml_html.fromstring(page(report, text)), report, text)


def test_report_text_is_escaped_everywhere():
    report = extract_text(HOSTILE, source="<b>evil</b>.txt")
    out = page(report, HOSTILE)
    assert "<script>document" not in out and "<img src=x" not in out and "<svg onload" not in out
    assert "&lt;script&gt;document.body.dataset.pwned" in out and "&lt;b&gt;evil&lt;/b&gt;.txt" in out
    assert out.count("<script>") == 1   # ours, inline


CONFLICT = ("西河县农业农村局2021年度部门整体支出绩效自评报告\n一、部门基本情况\n"
            "2021年度全年预算数120万元，全年执行数11035800万元，预算执行率98.5%。\n二、自评结论\n自评得分95分，自评等级为优。\n")


def _check_figures(doc, report) -> None:
    """The report figures panel: each stated figure once, with its status and reason, linking to its fact's mark."""
    items = doc.xpath("//ul[@id='report-figures']/li[@data-figure]")
    assert [li.get("data-figure") for li in items] == [n for n in FIGURE_NAMES if getattr(report.figures, n)]
    for li in items:
        f = getattr(report.figures, li.get("data-figure"))
        assert li.get("data-status") == f.status and f.reason in li.text_content()
        links = li.xpath(".//a/@href")
        if f.fact_type in FACT_TYPES:
            assert links == [f"#f-{f.fact_type}-{f.fact_seq}"]
            (mark,) = doc.xpath(f"//mark[@id='{links[0][1:]}']")
            assert (int(mark.get("data-start")), int(mark.get("data-end")), mark.text_content()) == (f.start, f.end, f.text)


@pytest.mark.parametrize("text", [SEED.read_text(encoding="utf-8-sig"), CONFLICT], ids=["seed", "conflict"])
def test_the_figures_panel_shows_status_and_reason_and_links_to_the_fact(text):
    report = extract_text(text, source="r.txt")
    doc = lxml_html.fromstring(page(report, text))
    _check_figures(doc, report)
    conflicts = doc.xpath("//ul[@id='report-figures']/li[@data-status='conflict']")
    assert len(conflicts) == sum(1 for n in FIGURE_NAMES if getattr(report.figures, n)
                                 and getattr(report.figures, n).status == "conflict")
    assert all("conflict" in li.get("class") for li in conflicts)


def test_view_writes_a_page_per_file(tmp_path):
    out = subprocess.run([sys.executable, "-m", "extract", "view", str(SEED), str(CORPORA[-1]), "-o",
                          str(tmp_path / "views")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    pages = sorted((tmp_path / "views").glob("*.html"))
    assert [p.name for p in pages] == sorted([SEED.stem + ".html", CORPORA[-1].stem + ".html"])
    assert all("http://" not in p.read_text() and "https://" not in p.read_text() for p in pages)   # no network


# ------------------------------------------------------------------------------- in a real browser

@needs_browser
def test_the_view_in_chromium_highlights_every_fact_and_runs_nothing_from_the_report(tmp_path):
    text = SEED.read_text(encoding="utf-8-sig")
    report = extract_text(text, source=str(SEED))
    path = tmp_path / "seed.html"
    path.write_text(page(report, text), encoding="utf-8")
    doc = dom(path.as_uri())
    _check_marks(doc, report, text)
    _check_figures(doc, report)
    assert doc.xpath("//ul[@id='report-figures']/li[@data-figure='expenditure']//a")   # the seed's expenditure
    cells = {td.get("data-field"): td.text_content() for td in doc.xpath("//aside//td[@data-field]")}
    assert cells["budget_adjusted_yuan"].startswith("1602800 元") and cells["expenditure_yuan"].startswith("1569900 元")
    assert cells["execution_rate"] == "97.94 %"
    assert len(doc.xpath("//ul[@class='checks']/li")) == len(report.checks)
    links = doc.xpath("//ol[@class='facts']//a/@href")
    assert len(links) == sum(len(getattr(report, t)) for t in FACT_TYPES)
    assert all(doc.xpath(f"//*[@id='{h[1:]}']") for h in links)   # each entry links to its place
    filtered = dom(path.as_uri() + "?type=amounts&role=expenditure")   # the filters, set from the address
    on = filtered.xpath("//mark[contains(concat(' ', @class, ' '), ' on ')]")
    assert "filtered" in filtered.xpath("//body/@class")[0]
    assert on and {(m.get("data-type"), m.get("data-role")) for m in on} == {("amounts", "expenditure")}
    assert len(on) == sum(1 for a in report.amounts if a.role == "expenditure")
    shown = filtered.xpath("//ol[@class='facts']/li[not(contains(@class, 'hide'))]")
    assert len(shown) == len(on)
    _not_blank(screenshot(path.as_uri(), tmp_path / "seed.png"))
    _not_blank(screenshot(path.as_uri(), tmp_path / "phone.png", 390, 844))   # a phone's width

    hostile = tmp_path / "hostile.html"
    report = extract_text(HOSTILE, source="hostile.txt")
    hostile.write_text(page(report, HOSTILE), encoding="utf-8")
    doc = dom(hostile.as_uri())
    assert doc.xpath("//body/@data-pwned") == [], "a script from the report text ran"
    assert "<script>document.body.dataset.pwned='script'</script>" in doc.xpath("//pre[@id='text']")[0].text_content()
    _check_marks(doc, report, HOSTILE)


@pytest.fixture(scope="module")
def served_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("served") / "v.db"
    subprocess.run([sys.executable, "-m", "extract", "ingest", str(SEED), *map(str, CORPORA[:6]), "--db", str(db),
                    "--quiet"], cwd=ROOT, check=True, timeout=600)
    return db


def test_served_pages_link_each_report_to_its_view_and_show_charts(served_db):
    report_id, text, source = sqlite3.connect(served_db).execute(
        "SELECT report_id, text, source FROM reports WHERE source LIKE '%000_bcae%'").fetchone()
    with running_datasette(served_db) as base:
        view = urllib.request.urlopen(f"{base}/-/reportx/report/{report_id}", timeout=60).read().decode()
        table = urllib.request.urlopen(f"{base}/v/reports", timeout=60).read().decode()
        amounts = urllib.request.urlopen(f"{base}/v/amounts?_size=1000", timeout=60).read().decode()
        charts = urllib.request.urlopen(f"{base}/-/reportx/charts", timeout=120).read().decode()
        missing = urllib.request.Request(f"{base}/-/reportx/report/{'0' * 64}")
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(missing, timeout=60)
        assert e.value.code == 404
        if CHROMIUM:
            doc = dom(f"{base}/-/reportx/report/{report_id}")
            _check_marks(doc, extract_text(text, source=source), text)
            chart_doc = dom(f"{base}/-/reportx/charts")
            assert len(chart_doc.xpath("//figure[@data-chart]//*[local-name()='svg']")) == 7
            with tempfile.TemporaryDirectory() as tmp:
                _not_blank(screenshot(f"{base}/-/reportx/charts", Path(tmp) / "charts.png"))
    _check_marks(lxml_html.fromstring(view), extract_text(text, source=source), text)
    assert f'href="/-/reportx/report/{report_id}"' in table   # the report's title links to its view
    assert f'href="/-/reportx/report/{report_id}#f-amounts-' in amounts   # a fact's text to its place
    assert charts.count("<figure") == 7 and "<svg" in charts and "<script src=\"http" not in charts


@pytest.mark.parametrize("suffix", [".svg", ".png", ".html"])
def test_chart_writes_each_format(served_db, tmp_path, suffix):
    out = tmp_path / f"rates{suffix}"
    run = subprocess.run([sys.executable, "-m", "extract", "chart", "execution_rates", "--db", str(served_db),
                          "-o", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    data = out.read_bytes()
    if suffix == ".svg":
        assert data.lstrip().startswith(b"<svg") and b"execution rate" in data
    elif suffix == ".png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        _not_blank(out)
    else:
        assert b"vega" in data and b'<script src="http' not in data   # Vega bundled in, no network


def test_chart_all_and_bad_kinds(served_db, tmp_path):
    run = subprocess.run([sys.executable, "-m", "extract", "chart", "all", "--db", str(served_db), "-o",
                          str(tmp_path / "charts")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and len(list((tmp_path / "charts").glob("*.svg"))) == 7
    bad = subprocess.run([sys.executable, "-m", "extract", "chart", "pie", "--db", str(served_db), "-o",
                          str(tmp_path / "x.svg")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert bad.returncode != 0 and "execution_rates" in bad.stderr and "Traceback" not in bad.stderr


def test_view_names_two_reports_of_one_file_name_apart(tmp_path):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        shutil.copy(SEED, tmp_path / d / "r.txt")
    out = subprocess.run([sys.executable, "-m", "extract", "view", str(tmp_path / "a" / "r.txt"),
                          str(tmp_path / "b" / "r.txt"), "-o", str(tmp_path / "v")], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0 and sorted(p.name for p in (tmp_path / "v").iterdir()) == ["r-2.html", "r.html"]
    blocked = tmp_path / "afile"
    blocked.write_text("x")
    out = subprocess.run([sys.executable, "-m", "extract", "view", str(SEED), "-o", str(blocked)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode != 0 and "Traceback" not in out.stderr
