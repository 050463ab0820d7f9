"""Serve the dataset with Datasette: column descriptions from the data dictionary, saved queries for the
first questions, and the sentences search box on the trigram index (any 3+ Chinese characters)."""

from __future__ import annotations

from pathlib import Path

from . import store

# The questions users ask first, as Datasette canned queries (each report counted once).
QUERIES = {
    "expenditure_by_department_and_year": {
        "title": "Total expenditure by department and year",
        "description": "Sum of each report's expenditure (budget summary), in yuan; duplicates counted once.",
        "sql": "SELECT department, year, count(*) AS reports, sum(expenditure_yuan) AS expenditure_yuan "
               "FROM reports WHERE duplicate_of IS NULL AND expenditure_yuan IS NOT NULL "
               "GROUP BY department, year ORDER BY department, year",
    },
    "execution_rate_by_year": {
        "title": "Average execution rate by year",
        "description": "Mean, min and max of the reports' budget execution rates (%), per year.",
        "sql": "SELECT year, count(execution_rate) AS reports, round(avg(execution_rate), 2) AS mean_rate, "
               "min(execution_rate) AS min_rate, max(execution_rate) AS max_rate FROM reports "
               "WHERE duplicate_of IS NULL GROUP BY year ORDER BY year",
    },
    "satisfaction_rates_with_targets": {
        "title": "Satisfaction rates with their targets",
        "description": "Every satisfaction indicator (满意度) with its target and actual value, and whether it was met.",
        "sql": "SELECT r.department, r.year, i.name, i.target_text, i.target_value, i.actual_text, i.actual_value, "
               "i.met FROM indicators i JOIN reports r ON r.report_id = i.report_id "
               "WHERE i.name LIKE '%满意%' AND r.duplicate_of IS NULL ORDER BY r.department, r.year",
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


def serve(db_path, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Run Datasette in this process until interrupted (SIGINT or SIGTERM); returns an exit status.

    In-process, so no child outlives the command and no temporary file is written: the metadata is
    handed to Datasette as a dict, and uvicorn stops cleanly on either signal.
    """
    import asyncio

    import uvicorn
    from datasette.app import Datasette

    from datasette.plugins import pm

    from . import datasette_plugin

    store.connect(db_path, create=False).close()   # a clear error for a missing or foreign file
    if not pm.is_registered(datasette_plugin):
        pm.register(datasette_plugin, name="reportx")   # report views and charts (datasette_plugin.py)
    ds = Datasette(files=[str(db_path)], metadata=metadata(db_path), settings={"sql_time_limit_ms": 5000})
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(ds.invoke_startup())
    finally:
        loop.close()
    config = uvicorn.Config(ds.app(), host=host, port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    print(f"Datasette on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    return 0
