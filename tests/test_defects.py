"""Defects found trying reportx as a new user and as an attacker would (issue 19): each test failed
before its fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpora" / "seed" / "000_bcae26400f7d3644.txt"


def _cli(*args: str, prefix: tuple[str, ...] = (), **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "extract", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, **kw)


def _without_root_powers() -> tuple[str, ...]:
    """A command prefix under which file permissions apply (root reads everything otherwise)."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be made to apply")
    caps = "-dac_override,-dac_read_search"
    return ("setpriv", "--bounding-set", caps, "--inh-caps", caps)


# ------------------------------------------------------------------------------------------ files

def test_unreadable_files_and_folders_and_link_loops_are_error_rows(tmp_path):
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    shutil.copy(SEED, folder / "ok.txt")
    shutil.copy(SEED, folder / "locked" / "hidden.txt")
    (folder / "secret.txt").write_text("x", encoding="utf-8")
    (folder / "loop1.txt").symlink_to("loop2.txt")
    (folder / "loop2.txt").symlink_to("loop1.txt")
    os.chmod(folder / "locked", 0)
    os.chmod(folder / "secret.txt", 0)
    try:
        proc = _cli("ingest", str(folder), "--db", str(tmp_path / "p.db"), "--json", "--workers", "1",
                    prefix=_without_root_powers())
    finally:
        os.chmod(folder / "locked", 0o755)
        os.chmod(folder / "secret.txt", 0o644)
    summary = json.loads(proc.stdout)
    codes = {Path(e["path"]).name: e["code"] for e in summary["errors"]}
    assert codes == {"locked": "E022", "secret.txt": "E022", "loop1.txt": "E015", "loop2.txt": "E015"}
    assert summary["ingested"] == 1 and proc.returncode == 1


def test_a_newline_in_a_file_name_cannot_fake_an_output_line(tmp_path):
    name = tmp_path / "a\nreportx: ingested 999.txt"
    name.write_bytes(b"")   # an empty file: a failure line names it
    proc = _cli("extract", str(name))
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert not any(line.startswith("reportx: ingested") for line in lines)
    assert any("a\\nreportx: ingested 999.txt" in line for line in lines)


# ------------------------------------------------------------------------------------------ commands

def _seeds(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = SEED.read_text(encoding="utf-8")
    for i in range(n):
        (folder / f"r{i:02d}.txt").write_text(text.replace("兰州新区经济合作局", f"第{i}测试局"), encoding="utf-8")
    return folder


def test_ingest_reads_one_report_from_standard_input_as_extract_does(tmp_path):
    db = tmp_path / "s.db"
    proc = _cli("ingest", "-", "--db", str(db), "--json", input=SEED.read_text(encoding="utf-8"))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ingested"] == 1
    other = SEED.read_text(encoding="utf-8").replace("兰州新区经济合作局", "另一个局")
    proc = _cli("ingest", "-", "--db", str(db), "--json", input=other)   # same name, new content: ingested
    assert json.loads(proc.stdout)["ingested"] == 1


def test_export_of_an_unknown_role_is_refused_before_anything_is_written(tmp_path):
    db = tmp_path / "e.db"
    assert _cli("ingest", str(SEED), "--db", str(db), "--quiet").returncode == 0
    proc = _cli("export", str(tmp_path / "out"), "--db", str(db), "--role", "nonexistent")
    assert proc.returncode == 2 and "[E013]" in proc.stderr and "expenditure" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_stats_of_a_missing_parquet_dataset_names_parquet(tmp_path):
    proc = _cli("stats", "--parquet", str(tmp_path / "missing"))
    assert proc.returncode == 2 and "Parquet" in proc.stderr and "--db FILE" not in proc.stderr


def test_a_full_disk_under_parquet_says_so_with_a_code_and_a_rerun_completes(tmp_path):
    import resource

    folder = _seeds(tmp_path / "in", 30)
    out = tmp_path / "pq"

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    proc = _cli("ingest", str(folder), "--parquet", str(out), "--workers", "1", "--quiet", preexec_fn=small_files)
    assert proc.returncode == 2 and "[E020] cannot write the Parquet dataset" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = _cli("ingest", str(folder), "--parquet", str(out), "--workers", "1", "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["ingested"] + summary["skipped"] == 30
    proc = _cli("stats", "--parquet", str(out), "--format", "json")
    assert sum(r["reports"] for r in json.loads(proc.stdout)) == 30


@pytest.mark.parametrize("tables", [["CREATE TABLE stuff (a)"],
                                    ["CREATE TABLE reports (report_id, content_id, text)"]])
def test_a_foreign_database_with_a_schema_version_is_refused_untouched(tmp_path, tables):
    import hashlib
    import sqlite3

    db = tmp_path / "foreign.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    con.execute("INSERT INTO meta VALUES ('schema_version', '5')")
    for t in tables:
        con.execute(t)
    con.commit()
    con.close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    proc = _cli("ingest", str(SEED), "--db", str(db), "--quiet")
    assert proc.returncode == 2 and "[E020]" in proc.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foreign.db"]


def test_no_help_text_loses_words_to_rich_markup():
    """`[dask]` in a help text was read as a style tag and vanished ("pip install 'reportx'")."""
    import typer.main
    from rich.markup import render

    from extract.cli import app

    group = typer.main.get_command(app)
    texts = [(name, p.name, p.help) for name, cmd in group.commands.items() for p in cmd.params
             if getattr(p, "help", None)]
    texts += [(name, "(doc)", cmd.help) for name, cmd in group.commands.items() if cmd.help]
    assert len(texts) > 50
    for name, param, text in texts:
        assert render(text).plain == text.replace("\\[", "["), (name, param)
    proc = _cli("ingest", "--help", env={**os.environ, "COLUMNS": "300"})
    assert "reportx[dask]" in proc.stdout


def test_search_takes_a_phrase_and_a_number_as_the_readme_shows(tmp_path):
    db = tmp_path / "q.db"
    assert _cli("ingest", str(SEED), "--db", str(db), "--quiet").returncode == 0
    proc = _cli("search", '"预算 安排"', "60.28", "--db", str(db), "--json")
    assert proc.returncode == 0, proc.stderr
    hits = [json.loads(line) for line in proc.stdout.splitlines()]
    assert hits and all("60.28" in h["text"] and "预算安排" in h["text"] for h in hits)


def test_summarize_of_only_failed_files_says_so_and_prints_no_empty_summary(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    proc = _cli("summarize", str(empty))
    assert proc.returncode == 1 and proc.stdout == ""
    assert "[E002]" in proc.stderr and "1 of 1 file(s) failed; nothing to summarize" in proc.stderr


def test_an_html_name_for_several_views_or_all_charts_is_refused_not_made_a_folder(tmp_path):
    other = tmp_path / "other.txt"
    other.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    proc = _cli("view", str(SEED), str(other), "-o", str(tmp_path / "two.html"))
    assert proc.returncode == 2 and "[E013]" in proc.stderr and not (tmp_path / "two.html").exists()
    proc = _cli("chart", "all", "--db", str(tmp_path / "none.db"), "-o", str(tmp_path / "charts" / "all.png"))
    assert proc.returncode == 2 and "[E013]" in proc.stderr and not (tmp_path / "charts").exists()


# ------------------------------------------------------------------------------------------ records

def test_every_check_says_in_words_what_it_compared_and_found():
    from extract import extract_text

    text = ("2021年度项目支出绩效自评报告\n一、预算执行情况\n年初预算100万元，上年结转20万元，全年预算130万元，"
            "全年支出117万元，执行率95%。\n二、自评结论\n自评得分88分，等级为优。\n")
    checks = {c.name: c for c in extract_text(text).checks}
    assert set(checks) == {"budget_initial_plus_carryover_equals_adjusted",
                           "execution_rate_matches_expenditure_over_budget", "total_score_within_range",
                           "grade_consistent_with_score"}
    assert all(c.message for c in checks.values())
    budget = checks["budget_initial_plus_carryover_equals_adjusted"]
    assert not budget.passed and "100000元 apart" in budget.message
    assert not checks["execution_rate_matches_expenditure_over_budget"].passed
    assert "matches neither" in checks["execution_rate_matches_expenditure_over_budget"].message
    assert checks["total_score_within_range"].message == "the total score 88 is within 0–100"
    grade = checks["grade_consistent_with_score"]
    assert not grade.passed and grade.message == "grade 优 stands for 90 and above; the total score 88 does not"


def test_a_budget_change_without_an_amount_leaves_the_budget_check_unknown():
    from extract import extract_text

    text = ("2021年度项目支出绩效自评报告\n一、预算执行情况\n年初预算100万元，上年结转20万元，年中追加预算后全年预算130万元，"
            "全年支出117万元，执行率90%。\n")
    names = [c.name for c in extract_text(text).checks]
    assert "budget_initial_plus_carryover_equals_adjusted" not in names
    assert "execution_rate_matches_expenditure_over_budget" in names


def test_the_dictionary_names_only_checks_that_exist_and_says_each_column_once():
    from extract import extract_text
    from extract.dataset import dictionary

    text = dictionary.markdown() if hasattr(dictionary, "markdown") else _cli("dictionary").stdout
    for wrong in ("budget_sum", "execution_rate_consistent", "score_in_range"):
        assert wrong not in text
    assert "actual: the comparison of a target" not in text
    fired = set()
    for path in sorted((ROOT / "corpora").glob("heldout11/*.txt")) + [SEED]:
        report = extract_text(path.read_text(encoding="utf-8"))
        for table in dictionary.RULE_EXAMPLES:
            fired |= {(table, f.rule) for f in getattr(report, table)}
    for table, rule in dictionary.RULE_EXAMPLES.items():
        assert (table, rule) in fired, (table, rule)


def test_markup_before_a_number_is_no_comparison():
    from extract import extract_text

    got = {a.text: a.qualifier for a in extract_text("var a=1;</script>12.5万元。支出>3万元。").amounts}
    assert got == {"12.5万元": "exact", ">3万元": "more_than"}


def test_a_dimension_subtotal_row_is_no_indicator_but_a_lone_dimension_row_is():
    from extract import extract_text

    text = ("2021年度项目支出绩效自评报告\n一级指标|二级指标|三级指标|分值|得分\n决策指标|20|18\n"
            "决策|项目立项|立项依据充分性|5|5\n决策|绩效目标|目标明确性|15|13\n过程指标 20 19\n"
            "过程|资金管理|资金到位率|20|19\n合计|100|95\n")
    report = extract_text(text)
    assert [(i.name, i.level1) for i in report.indicators] == [
        ("立项依据充分性", "决策"), ("目标明确性", "决策"), ("资金到位率", "过程")]
    assert {(s.rule, s.value) for s in report.scores if s.rule.startswith("indicator.level")} == {
        ("indicator.level_weight", 20), ("indicator.level_score", 18), ("indicator.level_score", 19)}
    lone = "评价准则|分值|实际得分\n投入|20|16.42\n过程|45|35.6\n产出|25|21\n效果|10|8.7\n评价结果|100|81.72\n"
    assert [i.name for i in extract_text(lone).indicators] == ["投入", "过程", "产出", "效果"]


def test_a_killed_local_clusters_scratch_folder_is_removed_by_the_next_run(tmp_path, monkeypatch):
    """kill -9 leaves a local Dask cluster's scratch folder (nothing can run after SIGKILL); the next
    `--scheduler local` run removes every one whose command is gone, and none of a live one."""
    import tempfile

    from extract.dataset import cluster

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    (tmp_path / f"reportx-dask-{dead}-abc").mkdir()
    (tmp_path / f"reportx-dask-{dead}-abc" / "x").write_text("x")
    (tmp_path / f"reportx-dask-{os.getpid()}-def").mkdir()
    (tmp_path / "reportx-dask-notapid").mkdir()
    cluster._remove_stale_scratch()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"reportx-dask-{os.getpid()}-def", "reportx-dask-notapid"]
