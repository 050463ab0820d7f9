"""Serve the dataset with Datasette: column descriptions from the data dictionary, saved queries for the
first questions, and the sentences search box on the trigram index (any 3+ Chinese characters); the
plugin (datasette_plugin.py) adds each report's view and the charts, built once (pages.py)."""

from __future__ import annotations

from pathlib import Path

from . import store

# The questions users ask first, as Datasette canned queries: each report counted once, from its own figures
# (reports.figure_*: accepted figures only, so figures in conflict are left out, and counted).
QUERIES = {
    "expenditure_by_department_and_year": {
        "title": "Total expenditure by department and year",
        "description": "Sum of each report's own expenditure (its expenditure figure, status ok), in yuan, once per "
                       "report (duplicates counted once); departments grouped by department_key, with the names as "
                       "written. conflicts_left_out: reports whose expenditure figure fails their own arithmetic. "
                       "Not a sum of mentions: amounts?role=expenditure lists every mention.",
        "sql": "SELECT department_key, group_concat(DISTINCT department) AS departments, year, "
               "count(figure_expenditure_yuan) AS reports, sum(figure_expenditure_yuan) AS expenditure_yuan, "
               "sum(figure_expenditure_status = 'conflict') AS conflicts_left_out "
               "FROM reports WHERE duplicate_of IS NULL AND figure_expenditure_status IS NOT NULL "
               "GROUP BY department_key, year ORDER BY department_key, year",
    },
    "execution_rate_by_year": {
        "title": "Average execution rate by year",
        "description": "Mean, min and max of the reports' own budget execution rates (%, status ok), per year; "
                       "conflicts_left_out: rates that fail the report's expenditure ÷ budget.",
        "sql": "SELECT year, count(figure_execution_rate) AS reports, round(avg(figure_execution_rate), 2) AS mean_rate, "
               "min(figure_execution_rate) AS min_rate, max(figure_execution_rate) AS max_rate, "
               "sum(figure_execution_rate_status = 'conflict') AS conflicts_left_out FROM reports "
               "WHERE duplicate_of IS NULL GROUP BY year ORDER BY year",
    },
    "total_score_by_year": {
        "title": "Average total score by year",
        "description": "Mean, min and max of the reports' own self-evaluation total scores (status ok), per year; "
                       "conflicts_left_out: scores that fail their range or the sum of indicator scores (a glued "
                       "cell such as 100100).",
        "sql": "SELECT year, count(figure_total_score) AS reports, round(avg(figure_total_score), 2) AS mean_score, "
               "min(figure_total_score) AS min_score, max(figure_total_score) AS max_score, "
               "sum(figure_total_score_status = 'conflict') AS conflicts_left_out FROM reports "
               "WHERE duplicate_of IS NULL GROUP BY year ORDER BY year",
    },
    "figures_in_conflict": {
        "title": "Report figures left out of the statistics",
        "description": "Every report figure whose status is conflict: its value, the text it was read from and "
                       "why it fails the report's own arithmetic. The statistics leave these out.",
        "sql": "SELECT r.department, r.year, r.source, f.name, f.value, f.label, f.text, f.reason, f.report_id, "
               "f.fact_type, f.fact_seq FROM figures f JOIN reports r ON r.report_id = f.report_id "
               "WHERE f.status = 'conflict' AND f.project_seq IS NULL AND r.duplicate_of IS NULL "
               "ORDER BY r.department_key, r.year, f.name",
    },
    "satisfaction_rates_with_targets": {
        "title": "Satisfaction rates with their targets",
        "description": "Every satisfaction indicator (满意度) with its target and actual value, and whether it was met.",
        "sql": "SELECT r.department_key, r.department, r.year, i.name, i.target_text, i.target_value, i.actual_text, "
               "i.actual_value, i.met FROM indicators i JOIN reports r ON r.report_id = i.report_id "
               "WHERE i.name LIKE '%满意%' AND r.duplicate_of IS NULL ORDER BY r.department_key, r.year, i.seq",
    },
    "search_sentences": {
        "title": "Search sentences for any text",
        "description": "Every sentence containing the text, of any length (the table's search box needs three "
                       "or more characters); the CLI's `reportx search` ranks and understands numbers too.",
        "sql": "SELECT r.department, r.year, s.section, s.text, s.report_id FROM sentences s "
               "JOIN reports r ON r.report_id = s.report_id WHERE instr(s.text, :text) > 0 "
               "ORDER BY s.sentence_id LIMIT 500",
    },
    "failed_budget_checks": {
        "title": "Reports whose budget check fails",
        "description": "Reports where the budget arithmetic or the execution rate does not add up.",
        "sql": "SELECT r.department, r.year, r.title, c.name, c.message, c.values_json FROM checks c "
               "JOIN reports r ON r.report_id = c.report_id WHERE c.passed = 0 AND c.name NOT LIKE '%score%' "
               "AND c.name NOT LIKE '%grade%' AND r.duplicate_of IS NULL ORDER BY r.department, r.year",
    },
}


def metadata(db_path) -> dict:
    from . import dictionary

    name = Path(db_path).stem
    tables = {table: {"description": dictionary.table_description(table),
                      "columns": {e["column"]: e["meaning"] + (f" [{e['unit']}]" if e["unit"] else "")
                                  for e in rows}}
              for table, rows in dictionary.entries().items()}
    # The search box: the trigram index finds any 3+ character Chinese substring, several with spaces.
    tables["sentences"].update({"fts_table": "sentences_trigram", "fts_pk": "sentence_id", "label_column": "text"})
    tables["reports"]["label_column"] = "title"
    return {
        "title": "reportx dataset",
        "description": "Facts extracted from budget-performance reports. Numbers are numbers (sort and filter "
                       "them); every column is described in its table's header. Search sentences with the box "
                       "on the sentences table (any three or more characters). Each report_id links to the report "
                       "with its facts highlighted; charts of the dataset: /-/reportx/charts.",
        "databases": {name: {"tables": tables, "queries": QUERIES}},
    }


# Seconds a stopping server lets requests in flight finish: uvicorn then cancels them (a page being built
# stops with its request), and SIGTERM ends the process well within a second.
GRACE = 0.5


def serve(db_path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Run Datasette in this process until interrupted (SIGINT or SIGTERM); returns an exit status.

    In-process, so no child outlives the command and no temporary file is written: the metadata is
    handed to Datasette as a dict, and uvicorn stops on either signal, giving requests in flight GRACE
    seconds; the plugin then stops its page builds and interrupts the queries still running.
    """
    import asyncio

    import uvicorn
    from datasette.app import Datasette

    from datasette.plugins import pm

    from . import datasette_plugin

    db = store.connect(db_path, create=False)   # a clear error for a missing or foreign file
    version = int(db.execute("SELECT value FROM main.meta WHERE key = 'schema_version'").fetchone()[0])
    db.close()
    if version < store.SCHEMA_VERSION:   # read as it is: Datasette sees the file's own tables
        print(f"reportx: {db_path}: schema {version}, written before report figures: the saved queries on "
              f"figures fail until `reportx ingest SOURCES --db {db_path} --force` upgrades and re-extracts it",
              flush=True)
    plugin = datasette_plugin.Plugin()   # report views and charts, with this server's page cache
    pm.register(plugin, name="reportx")
    try:
        ds = Datasette(files=[str(db_path)], metadata=metadata(db_path), settings={"sql_time_limit_ms": 5000})
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(ds.invoke_startup())
        finally:
            loop.close()
        config = uvicorn.Config(ds.app(), host=host, port=port, log_level="warning", lifespan="on",
                                timeout_graceful_shutdown=GRACE)

        class Server(uvicorn.Server):
            def handle_exit(self, sig, frame):   # SIGINT or SIGTERM: stop the page builds at once
                super().handle_exit(sig, frame)
                try:
                    asyncio.get_running_loop().call_soon_threadsafe(plugin.stop)
                except RuntimeError:   # not serving yet
                    plugin.stop()

        server = Server(config)
        print(f"Datasette on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
        try:
            server.run()   # after a SIGTERM, uvicorn raises it again once stopped: the process ends there
        except KeyboardInterrupt:
            pass
        finally:
            plugin.stop()
    finally:
        pm.unregister(plugin)
    return 0
