"""The dataset layer: many Reports in, storage, search and statistics out.

Extraction (`extract`: text -> Report) knows nothing of this package; this package builds on it.

| module      | what                                                                 |
|-------------|----------------------------------------------------------------------|
| store       | the SQLite schema, writing one report per transaction, reading      |
| sources     | listing files, folders, globs, zips, URLs and stdin; reading them     |
| ingest      | files and archives -> worker processes -> the one writer            |
| workers     | worker processes whose time and memory limits the parent holds      |
| worker      | one worker process (python -m extract.dataset.worker)               |
| cluster     | the same extraction on a Dask cluster                                |
| sentences   | sentence rows with jieba search tokens, for full-text search        |
| search      | sentences by words, substrings, numbers and fact filters            |
| stats       | grouped counts, sums and means of facts, exact decimals             |
| export      | CSV, JSON Lines and Parquet                                          |
| serve       | Datasette over a dataset                                             |
| pages       | serve's report views and charts, built once per version of the data |
"""
