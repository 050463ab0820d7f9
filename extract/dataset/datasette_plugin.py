"""reportx's Datasette plugin, registered by `reportx serve`: each report's highlighted view, and charts.

    /-/reportx/report/<report_id>   the report as `reportx view` shows it (extract/view.py)
    /-/reportx/charts               the dataset's charts (extract/dataset/charts.py), SVG rendered here

Every `report_id` cell in Datasette's tables links to its report's view, and a fact's or a figure's text
to the fact's place in it. The view is rebuilt from the
stored text by the extractor serving (the same facts as the dataset's, from the same reportx version).
"""

from __future__ import annotations

import asyncio
from html import escape

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup

REPORT_ROUTE = "/-/reportx/report/"
CHARTS_ROUTE = "/-/reportx/charts"


def _database(datasette):
    """The served dataset (not Datasette's internal database)."""
    return next(db for name, db in datasette.databases.items() if not name.startswith("_") and db.path)


@hookimpl
def register_routes():
    return [(r"^/-/reportx/report/(?P<report_id>[0-9a-f]{64})$", report_view),
            (r"^/-/reportx/charts$", charts_page)]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Links to the view: a report's title, a fact's text (to its place in the report), a report_id."""
    def link(report_id, label, anchor: str = "") -> Markup:
        if isinstance(report_id, dict):   # a foreign key Datasette has expanded: {"value": …, "label": …}
            report_id = report_id.get("value")
        return Markup(f'<a href="{REPORT_ROUTE}{escape(report_id)}{anchor}" '
                      f'title="the report with its facts highlighted">{escape(label)}</a>')

    if column == "report_id" and isinstance(value, str) and len(value) == 64:
        return link(value, value[:12] + "…")
    keys = row.keys() if hasattr(row, "keys") else ()
    if table == "reports" and column == "title" and value and "report_id" in keys:
        return link(row["report_id"], value)
    if table in _FACT_TABLES and column == "text" and value and {"report_id", "seq"} <= set(keys):
        return link(row["report_id"], value, f"#f-{table}-{escape(str(row['seq']))}")
    if table == "figures" and column == "text" and value and {"report_id", "fact_type", "fact_seq"} <= set(keys) \
            and row["fact_type"] in _FACT_TABLES and row["fact_seq"] is not None:   # a figure: to its fact
        return link(row["report_id"], value, f"#f-{escape(row['fact_type'])}-{escape(str(row['fact_seq']))}")
    return None


_FACT_TABLES = {"amounts", "percentages", "points", "counts", "staffing", "events", "scores", "indicators"}


@hookimpl
def menu_links(datasette, actor, request):
    return [{"href": CHARTS_ROUTE, "label": "reportx charts"}]


async def report_view(datasette, request):
    report_id = request.url_vars["report_id"]
    db = _database(datasette)
    row = (await db.execute("SELECT source, text FROM reports WHERE report_id = ?", [report_id])).first()
    if row is None:
        return Response.html("<!doctype html><title>not found</title><p>No report with this id.</p>", status=404)

    def build() -> str:
        from ..pipeline import extract_text
        from ..view import page

        report = extract_text(row["text"], source=row["source"])
        return page(report, row["text"])

    return Response.html(await asyncio.get_running_loop().run_in_executor(None, build))


async def charts_page(datasette, request):
    db = _database(datasette)

    def build() -> str:
        from . import charts

        return charts.page(db.path)

    return Response.html(await asyncio.get_running_loop().run_in_executor(None, build))
