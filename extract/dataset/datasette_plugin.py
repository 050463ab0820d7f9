"""reportx's Datasette plugin, registered by `reportx serve`: each report's highlighted view, and charts.

    /-/reportx/report/<report_id>   the report as `reportx view` shows it (extract/view.py), from its stored rows
    /-/reportx/charts               the dataset's charts (extract/dataset/charts.py), SVG rendered here
    /-/reportx/pages.json           what the page cache did: pages built, served from the cache, cancelled …

Every `report_id` cell in Datasette's tables links to its report's view, and a fact's or a figure's text
to the fact's place in it. Both pages are built once per version of the data and kept compressed
(extract/dataset/pages.py): a report's view is read back from the facts the dataset stores, never by
extracting its text again. A request whose client disconnects stops the build it started, unless
another request waits for the same page; a stopping server stops every build and interrupts every
running query (`stop`).

Every path nobody serves is a 404 (Datasette 0.65's own error page calls rich's print_exception outside
an except block, which rich 15 refuses: every unmatched path was a 500): client errors get the same
page from `handle_exception` here, without a traceback in the log.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
from html import escape

from datasette import hookimpl
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400, NotFound, Response
from markupsafe import Markup

from . import pages

REPORT_ROUTE = "/-/reportx/report/"
CHARTS_ROUTE = "/-/reportx/charts"
PAGES_ROUTE = "/-/reportx/pages.json"
_REPORT_ID = re.compile(r"[0-9a-f]{64}")
_FACT_TABLES = {"amounts", "percentages", "points", "counts", "staffing", "events", "scores", "indicators"}


def _database(datasette):
    """The served dataset (not Datasette's internal database)."""
    return next(db for name, db in datasette.databases.items() if not name.startswith("_") and db.path)


def _accepts_gzip(request) -> bool:
    """Whether the client takes Content-Encoding: gzip (`gzip`, `gzip;q=0.5`, `*`; not `gzip;q=0`)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().lower().removeprefix("q=")
            return not params or q.replace(".", "").strip("0") != ""
    return False


class _Unzipped(Response):
    """A kept page sent uncompressed, a megabyte at a time (the whole HTML may be hundreds of MB)."""

    def __init__(self, page: pages.Page):
        super().__init__(b"", content_type="text/html; charset=utf-8", headers={"vary": "Accept-Encoding"})
        self.page = page

    async def asgi_send(self, send):
        headers = [[k.encode(), v.encode()] for k, v in {**self.headers, "content-type": self.content_type,
                                                           "content-length": str(self.page.size)}.items()]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        for chunk in pages.unzipped(self.page):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await asyncio.sleep(0)   # a fast client never pauses the writes: let other requests in between
        await send({"type": "http.response.body", "body": b""})


def _response(page: pages.Page, request) -> Response:
    if _accepts_gzip(request):
        return Response(page.gzip, content_type="text/html; charset=utf-8",
                        headers={"content-encoding": "gzip", "vary": "Accept-Encoding"})
    return _Unzipped(page)


async def _gone(receive) -> None:
    """Returns when the client has disconnected (the request of a GET has no body to wait for)."""
    while (await receive())["type"] != "http.disconnect":
        pass


class Plugin:
    """The plugin with its page cache (one per server): `reportx serve` registers an instance."""

    def __init__(self, cache: pages.Pages | None = None):
        self.__name__ = __name__   # Datasette lists plugins (and looks for their templates) by module name
        self.pages = cache or pages.Pages()
        self.stopping = False
        self._data_version: pages.DataVersion | None = None   # of the served database, for the charts
        # Datasette's connections (a few per database: one per query thread, kept for the server's life)
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def stop(self) -> None:
        """The server is stopping: stop every build and interrupt every query still running, so no thread
        holds the process (Datasette's query threads are joined when Python exits)."""
        self.stopping = True
        self.pages.stop()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.interrupt()
            except sqlite3.Error:   # closed
                pass

    @hookimpl
    def prepare_connection(self, conn):
        with self._lock:   # called from Datasette's query threads
            self._connections.append(conn)

    @hookimpl
    def register_routes(self):
        return [(r"^/-/reportx/report/(?P<report_id>[^/]*)$", self.report_view),
                (r"^/-/reportx/charts$", self.charts_page),
                (r"^/-/reportx/pages\.json$", self.pages_json)]

    @hookimpl
    def menu_links(self, datasette, actor, request):
        return [{"href": CHARTS_ROUTE, "label": "reportx charts"}]

    @hookimpl(hookwrapper=True)
    def handle_exception(self, datasette, request, exception):
        """Client errors (404 and the like) answered here: Datasette's default handler fails on them."""
        outcome = yield
        if isinstance(exception, Base400):
            outcome.force_result([_client_error(datasette, request, exception)])

    @hookimpl
    def render_cell(self, row, value, column, table, database, datasette):
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

    async def _serve(self, key: tuple, build, request, receive):
        """The page of `key` as a response; None when the client went away before it was ready."""
        try:
            page = await self.pages.get(key, build, lambda: _gone(receive))
        except pages.Cancelled:
            if self.stopping:
                return Response.text("The server is stopping.", status=503)
            return None   # the client has gone: nobody to answer
        if page is None:
            raise NotFound("No report with this id.")
        return _response(page, request)

    async def report_view(self, datasette, request, receive):
        report_id = request.url_vars["report_id"]
        if not _REPORT_ID.fullmatch(report_id):
            raise NotFound("A report_id is 64 lowercase hexadecimal digits (the sha256 of the report's file).")
        db = _database(datasette)
        row = (await db.execute(pages.REPORT_KEY_SQL, [report_id])).first()
        if row is None:
            raise NotFound("No report with this id.")
        path = db.path
        return await self._serve(pages.report_key(report_id, tuple(row)),
                                 lambda cancel: pages.report_page(path, report_id, cancel), request, receive)

    async def charts_page(self, datasette, request, receive):
        path, home = _database(datasette).path, datasette.urls.instance()
        if self._data_version is None:
            self._data_version = pages.DataVersion(path)
        return await self._serve(pages.charts_key(self._data_version()),
                                 lambda cancel: pages.charts_page(path, cancel, home), request, receive)

    async def pages_json(self):
        return Response.json(self.pages.stats())


def _client_error(datasette, request, exception):
    """Datasette's error page (or JSON) for a client error, as its default handler makes it, without
    printing a traceback."""
    async def inner():
        status = exception.status
        info = {"ok": False, "error": exception.args[0] if exception.args else "", "status": status, "title": None}
        headers = {}
        if datasette.cors:
            add_cors_headers(headers)
        if request.path.split("?")[0].endswith(".json"):
            return Response.json(info, status=status, headers=headers)
        template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
        return Response.html(await template.render_async(dict(info, urls=datasette.urls,
                                                              app_css_hash=datasette.app_css_hash(),
                                                              menu_links=list)),
                             status=status, headers=headers)

    return inner

