"""Charts of the dataset: Vega-Lite specs built with Altair, rendered without a network by vl-convert
(SVG or PNG on the server, or an HTML file with the Vega JavaScript bundled in).

    reportx chart KIND --db reports.db -o chart.svg|png|html      (KIND: one of CHARTS, or all -o FOLDER)

Each report is counted once (files whose content duplicates another's are left out). Values are
plotted as numbers: the chart's JSON carries them as floats, which is fine for a picture; the exact
Decimals stay in the dataset (`reportx stats`).
"""

from __future__ import annotations

import functools
import signal
import sys
from pathlib import Path

from ..errors import UsageError
from . import store

CHARTS = {
    "execution_rates": "How budget execution rates spread (reports per 2-point bin)",
    "budget_vs_expenditure": "Budget against expenditure, per report (万元), by year",
    "spending_by_department": "Budget and expenditure of the 25 largest departments, all years (万元)",
    "scores_by_year": "Self-evaluation total scores by year",
    "grades_by_year": "Grades by year",
    "facts_by_kind": "Facts per report, by report kind and fact type",
    "indicators_met": "Indicators met, missed and unknown, by first-level indicator",
}
FORMATS = ("svg", "png", "html")


def _num(v):
    return None if v is None else float(v)


def _rows(db, sql: str, names: list[str]) -> list[dict]:
    return [dict(zip(names, row)) for row in db.execute(sql).fetchall()]


def spec(kind: str, db_path) -> dict:
    """The Vega-Lite spec (a dict) of one chart of the dataset at db_path (SQLite or a Parquet folder)."""
    import altair as alt

    if kind not in CHARTS:
        raise UsageError(f"no chart {kind!r}; one of: {', '.join(CHARTS)}")
    db = store.open_reader(db_path)
    try:
        chart = _CHARTS[kind](alt, db)
    finally:
        db.close()
    return chart.properties(title=CHARTS[kind], width=560, height=320).configure(font=FONT).to_dict()


def _execution_rates(alt, db):
    rows = [{"rate": _num(r)} for (r,) in db.execute(
        "SELECT execution_rate FROM reports WHERE duplicate_of IS NULL AND execution_rate IS NOT NULL").fetchall()]
    return alt.Chart(alt.Data(values=rows)).mark_bar(color="#3a6ea5").encode(
        alt.X("rate:Q", bin=alt.Bin(step=2), title="execution rate (%)"),
        alt.Y("count():Q", title="reports"))


def _budget_vs_expenditure(alt, db):
    rows = [{"department": d, "year": str(y) if y else "?", "budget": _num(b) / 10000, "spent": _num(e) / 10000}
            for d, y, b, e in db.execute(
                "SELECT department, year, coalesce(budget_adjusted_yuan, budget_initial_yuan), expenditure_yuan "
                "FROM reports WHERE duplicate_of IS NULL AND expenditure_yuan > 0 "
                "AND coalesce(budget_adjusted_yuan, budget_initial_yuan) > 0").fetchall()]
    low = min([min(r["budget"], r["spent"]) for r in rows] or [0.01])
    top = max([max(r["budget"], r["spent"]) for r in rows] or [1])
    points = alt.Chart(alt.Data(values=rows)).mark_circle(size=60, opacity=0.8).encode(
        alt.X("budget:Q", title="budget (万元, log scale)", scale=alt.Scale(type="log")),
        alt.Y("spent:Q", title="expenditure (万元, log scale)", scale=alt.Scale(type="log")),
        alt.Color("year:N", scale=alt.Scale(scheme="category10")), tooltip=["department:N", "year:N", "budget:Q", "spent:Q"])
    line = alt.Chart(alt.Data(values=[{"x": low, "y": low}, {"x": top, "y": top}])).mark_line(
        color="#999", strokeDash=[4, 4]).encode(x="x:Q", y="y:Q")   # spent = budget
    return alt.layer(line, points)


def _spending_by_department(alt, db):
    rows = []
    for d, y, b, e in db.execute(
            "SELECT department_key, year, sum(coalesce(budget_adjusted_yuan, budget_initial_yuan)), "
            "sum(expenditure_yuan) FROM reports WHERE duplicate_of IS NULL AND department_key IN "
            "(SELECT department_key FROM reports WHERE duplicate_of IS NULL AND department_key IS NOT NULL "
            "GROUP BY department_key ORDER BY sum(coalesce(budget_adjusted_yuan, budget_initial_yuan, 0)) DESC "
            "LIMIT 25) GROUP BY department_key, year").fetchall():   # one unit under its short and full names
        rows += [{"department": d, "year": str(y) if y else "?", "what": "budget", "wan": _num(b) / 10000 if b else None},
                 {"department": d, "year": str(y) if y else "?", "what": "expenditure", "wan": _num(e) / 10000 if e else None}]
    return alt.Chart(alt.Data(values=[r for r in rows if r["wan"] is not None])).mark_bar().encode(
        alt.Y("department:N", title=None, sort="-x"), alt.X("sum(wan):Q", title="万元 (all years)"),
        alt.YOffset("what:N"), alt.Color("what:N", title=None), tooltip=["department:N", "year:N", "what:N", "wan:Q"])


def _scores_by_year(alt, db):
    rows = [{"year": str(y), "score": _num(v)} for y, v in db.execute(
        "SELECT year, figure_total_score FROM reports WHERE duplicate_of IS NULL AND year IS NOT NULL "
        "AND figure_total_score IS NOT NULL").fetchall()]   # each report's own total (report figures)
    return alt.Chart(alt.Data(values=rows)).mark_boxplot(extent="min-max").encode(
        alt.X("year:O"), alt.Y("score:Q", scale=alt.Scale(zero=False), title="total score"))


def _grades_by_year(alt, db):
    rows = _rows(db, "SELECT year, grade_level, count(*) FROM reports WHERE duplicate_of IS NULL "
                     "AND grade_level IS NOT NULL AND year IS NOT NULL GROUP BY year, grade_level",
                 ["year", "grade", "reports"])
    for r in rows:
        r["year"] = str(r["year"])
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        alt.X("year:O"), alt.Y("reports:Q"),
        alt.Color("grade:N", sort=["优", "良", "中", "差"], scale=alt.Scale(domain=["优", "良", "中", "差"],
                                                                        range=["#2e7d32", "#7cb342", "#f9a825", "#c62828"])))


def _facts_by_kind(alt, db):
    rows = []
    for table in store.FACT_COLUMNS:
        for kind, n, reports in db.execute(
                f"SELECT coalesce(r.report_kind, 'unknown'), count(f.report_id), count(DISTINCT r.report_id) "
                f"FROM reports r LEFT JOIN {table} f ON f.report_id = r.report_id WHERE r.duplicate_of IS NULL "
                f"GROUP BY 1").fetchall():
            rows.append({"kind": kind, "fact": table, "per_report": n / reports if reports else 0})
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        alt.Y("kind:N", title=None), alt.X("per_report:Q", title="facts per report"), alt.Color("fact:N"),
        tooltip=["kind:N", "fact:N", alt.Tooltip("per_report:Q", format=".1f")])


def _indicators_met(alt, db):
    rows = [{"level1": lv or "(none)", "met": {1: "met", 0: "missed"}.get(m, "unknown") if m is not None else "unknown",
             "n": n}
            for lv, m, n in db.execute(
                "SELECT i.level1, CAST(i.met AS INTEGER), count(*) FROM indicators i JOIN reports r "
                "ON r.report_id = i.report_id WHERE r.duplicate_of IS NULL GROUP BY 1, 2").fetchall()]
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        alt.Y("level1:N", title=None), alt.X("n:Q", title="indicators"),
        alt.Color("met:N", scale=alt.Scale(domain=["met", "missed", "unknown"], range=["#2e7d32", "#c62828", "#9e9e9e"])))


_CHARTS = {"execution_rates": _execution_rates, "budget_vs_expenditure": _budget_vs_expenditure,
           "spending_by_department": _spending_by_department, "scores_by_year": _scores_by_year,
           "grades_by_year": _grades_by_year, "facts_by_kind": _facts_by_kind, "indicators_met": _indicators_met}


# Where a system keeps its fonts: vl-convert draws text with the fonts it is given, and PNGs of Chinese
# labels need a CJK font (Debian: fonts-noto-cjk, installed by the Makefile's set-up).
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts", "C:/Windows/Fonts")
FONT = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Zen Hei, Microsoft YaHei, PingFang SC, sans-serif"


@functools.cache
def _fonts() -> None:
    import vl_convert as vlc

    for folder in FONT_DIRS:
        if Path(folder).is_dir():
            vlc.register_font_directory(folder)


def render(chart: dict, fmt: str) -> bytes:
    """A spec as SVG, PNG or a self-contained HTML page (Vega bundled in, no network)."""
    import json

    import vl_convert as vlc

    _fonts()

    if fmt == "svg":
        return vlc.vegalite_to_svg(json.dumps(chart)).encode("utf-8")
    if fmt == "png":
        return vlc.vegalite_to_png(json.dumps(chart), scale=2)
    if fmt == "html":
        return vlc.vegalite_to_html(json.dumps(chart), bundle=True).encode("utf-8")
    raise UsageError(f"-o must end in .{', .'.join(FORMATS)}")


def write(kind: str, db_path, out: str | Path) -> list[Path]:
    """Write one chart (`kind`) to the file `out`, or every chart (`all`) into the folder `out` as SVG."""
    out = Path(out)
    if kind == "all":
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name in CHARTS:
            path = out / f"{name}.svg"
            path.write_bytes(render(spec(name, db_path), "svg"))
            written.append(path)
        return written
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UsageError(f"-o must end in .{', .'.join(FORMATS)} (or give `all` and a folder)")
    data = render(spec(kind, db_path), fmt)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return [out]


def page(db_path, home: str = "/") -> str:
    """Every chart of the dataset on one HTML page, as inline SVG (no script, no network)."""
    from html import escape

    figures = []
    for kind, title in CHARTS.items():
        svg = render(spec(kind, db_path), "svg").decode("utf-8")
        figures.append(f'<figure id="{kind}" data-chart="{kind}" aria-label="{escape(title)}">{svg}</figure>')
    return ("<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>reportx charts</title>"
            "<style>body{font:15px system-ui,'Noto Sans CJK SC',sans-serif;margin:1rem;background:#fafafa}"
            "figure{background:#fff;border:1px solid #ddd;padding:.5rem;margin:0 0 1rem;overflow-x:auto}"
            "svg{max-width:100%;height:auto}</style></head>"
            f"<body><h1>reportx charts</h1><p><a href=\"{escape(home)}\">the dataset</a></p>{''.join(figures)}</body></html>")


def main(argv: list[str]) -> None:
    """`python -m extract.dataset.charts DB HOME PARENT`: the charts page on stdout, for `reportx serve`
    (PARENT), which draws it in such a child: vl-convert holds the GIL while it draws (up to 1.5 s a
    chart, with every request of the server waiting) and keeps its JavaScript runtime (130 MB) loaded
    for good; a child is stopped at once when nobody waits for the page, and dies with the server."""
    from .worker import _die_with

    _die_with(int(argv[3]))
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the server's; it stops us
    sys.stdout.buffer.write(page(argv[1], argv[2]).encode("utf-8"))


if __name__ == "__main__":
    main(sys.argv)
