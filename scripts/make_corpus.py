"""Generate a synthetic corpus of budget-performance reports (绩效自评报告) with gold facts.

    .venv/bin/python scripts/make_corpus.py N OUTDIR [--seed S] [--formats txt,gbk,docx,pdf,html]

Writes OUTDIR/NNNNN.<ext> and OUTDIR/NNNNN.gold.json for N reports, one at a time (nothing is
kept in memory between reports), and prints a one-line summary.

Every report is composed piece by piece: plain text and facts are appended to one list while the
position is tracked, so each gold fact carries the exact `start`/`end` of the text as written
(asserted before writing). The gold format and the vocabularies are those of corpora/README.md;
only the forms described there and in ../shared/FIELD-NOTES.md (relative to the repository) are
written as facts.

Formats:
  txt   UTF-8 text, NNNNN.txt
  gbk   the same text GBK-encoded, NNNNN.txt (gold: "format": "gbk")
  docx  python-docx, one paragraph per line ("format": "docx")
  pdf   reportlab with the CID font STSong-Light, like a printed report: paragraphs wrapped at the
        page width anywhere (inside numbers, between a number and its unit, inside names), tables
        drawn cell by cell in aligned columns; margins and font size vary ("format": "pdf")
  html  a page with <nav>, <script> and the report in <div class="content">, one <p> per line of
        prose, tables as <table> ("format": "html")

The gold of docx, pdf and html is in the coordinates of the text the project's reader returns for
the file (extract.readers): the file is read back, aligned with the composed text (the readers
change only whitespace) and every span moved; a fact split by a PDF line wrap keeps the break in
its `text` (`97.9\n4%`), as `source[start:end]` has it.

Deterministic: report i is drawn from random.Random(seed * 1_000_003 + i), so a report does not
depend on the others (nor on --formats, except for its format).

This file is the entry point only. The engine is the package scripts/corpusgen/ beside it (one
module per concern: report sections, fact writers, numerals, file formats, gold alignment, the
command line) and the language it writes (vocabularies, phrase tables, sentence templates,
headings, filler) is in scripts/corpusgen/phrases/*.yaml. The lists there are drawn from in order:
editing or reordering one changes the corpus.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The engine is the package beside this file: importable when this is run as a script from anywhere
# and when it is loaded by file path (tests/test_generated_gold.py).
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

# What the old single-file generator offered, still reachable as attributes of this module (tests use
# printable, write_pdf and gold_for_reader to print the seed as a PDF).
from corpusgen.cli import DEFAULT_MIX, EXT, FORMATS, choose_format, generate, main
from corpusgen.formats import (
    pdf_wrap,
    printable,
    table_cells,
    write_docx,
    write_html,
    write_pdf,
)
from corpusgen.gold import align, crlf, gold_for_reader, read_back
from corpusgen.numerals import cn_int, dstr, q, ystr
from corpusgen.report import Report
from corpusgen.style import FACT_TYPES, Doc, Style
from corpusgen.writer import Writer

__all__ = ["DEFAULT_MIX", "EXT", "FACT_TYPES", "FORMATS", "Doc", "Report", "Style", "Writer", "align",
           "choose_format", "cn_int", "crlf", "dstr", "generate", "gold_for_reader", "main", "pdf_wrap",
           "printable", "q", "read_back", "table_cells", "write_docx", "write_html", "write_pdf", "ystr"]

if __name__ == "__main__":
    sys.exit(main())
