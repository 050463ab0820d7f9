"""The dataset layer: many Reports in, storage, search and statistics out.

Extraction (`extract`: text -> Report) knows nothing of this package; this package builds on it.

| module      | what                                                                 |
|-------------|----------------------------------------------------------------------|
| store       | the SQLite schema, writing one report per transaction, reading      |
| ingest      | files and archives -> worker processes -> the one writer            |
| sentences   | sentence rows with jieba search tokens, for full-text search        |
| search      | sentences by words, substrings, numbers and fact filters            |
| stats       | grouped counts, sums and means of facts, exact decimals             |
| export      | CSV, JSON Lines and Parquet                                          |
| serve       | Datasette over a dataset                                             |
"""
