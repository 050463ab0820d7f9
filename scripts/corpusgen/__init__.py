"""The synthetic-corpus generator behind scripts/make_corpus.py.

Language (vocabularies, phrase tables, sentence templates, headings) is in phrases/*.yaml; the
modules here hold the engine:

  cli.py          the command line, one report per file, format choice
  report.py       one report: style, consistent numbers, headings, header, title, footer, compose
  sec_*.py        the report's sections (basic, budget, outputs, events and effects, scores)
  writer.py       fact writers (amounts, percentages, counts, staffing, scores, events) with gold
  style.py        the surface style of a report and the Doc the text and facts are composed in
  numerals.py     Chinese numerals, decimal strings, rounding
  formats.py      docx, pdf and html writers
  gold.py         gold offsets moved to CRLF text and to the text the project's reader returns
  phrases.py      the YAML loader
"""
