"""The forms comparison of scripts/bench.py --forms: reportx, JioNLP and Microsoft Recognizers-Text
on the rows of corpora/number_forms.yaml, value-exact, family by family.

A system gives, for a row, the list of values it reads in the input, in text order: a Decimal, a
(low, high) pair for one range amount, or None for a fact with no value in yuan (another currency).
It passes the row iff that list equals the expected list exactly (Decimal equality, sign included).
An exception on a row fails the row and is recorded; it never stops the run. A kind a system has no
reader for (JioNLP has no general numeral or percentage parser) is n/a for it.
"""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable

import yaml

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "corpora" / "number_forms.yaml"
INSTALL_HINT = ".venv/bin/pip install -e '.[compare]'"    # as in bench.py
KINDS = ("number", "money", "percent")
OURS = "reportx"
COLUMNS = (OURS, "JioNLP", "Recognizers-Text")           # table columns, in order

Value = Decimal | tuple[Decimal, Decimal] | None
Reader = Callable[[str], list[Value]]


# ------------------------------------------------------------------------------------------ table

@dataclass
class Row:
    text: str
    expected: list[Value]


@dataclass
class Family:
    id: str
    kind: str
    rows: list[Row]


def parse_expected(s: str) -> Value:
    """A decimal string, or "LOW~HIGH" for one range."""
    low, sep, high = str(s).partition("~")
    return (Decimal(low), Decimal(high)) if sep else Decimal(low)


def load_forms(path: Path = FORMS) -> list[Family]:
    """The families of the forms table, expected values parsed."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Family(f["id"], f["kind"], [Row(text, [parse_expected(v) for v in expected])
                                        for text, expected in f["rows"]])
            for f in data["families"]]


def fmt_value(v: Value) -> str:
    """A value as written in the table: plain decimal, LOW~HIGH, or ? for no yuan value."""
    plain = lambda d: format(d.normalize(), "f")
    if v is None:
        return "?"
    if isinstance(v, tuple):
        return f"{plain(v[0])}~{plain(v[1])}"
    return plain(v)


def fmt_values(vs: list[Value]) -> str:
    return "[" + ", ".join(fmt_value(v) for v in vs) + "]"


# ---------------------------------------------------------------------------------------- systems

@dataclass
class FormSystem:
    """A reader per kind; a kind absent from `readers` is n/a for this system."""
    name: str
    readers: dict[str, Reader] = field(default_factory=dict)


def dec(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def ours_forms() -> FormSystem:
    """reportx: parse_number for a whole numeral; extract_text's amounts and percentages."""
    from extract import extract_text
    from extract.numbers import parse_number

    def number(text: str) -> list[Value]:
        v = parse_number(text)
        return [] if v is None else [v]

    def money(text: str) -> list[Value]:
        return [a.value_yuan if a.low_yuan is None else (a.low_yuan, a.high_yuan)
                for a in extract_text(text).amounts]

    def percent(text: str) -> list[Value]:
        return [p.value if p.low is None else (p.low, p.high) for p in extract_text(text).percentages]

    return FormSystem(OURS, {"number": number, "money": money, "percent": percent})


def jionlp_forms() -> FormSystem:
    """JioNLP: jionlp.ner.extract_money with parsing (see bench.jionlp_system); a [low, high] num
    is one range. It has no public Chinese-numeral or percentage parser (only the time parsers'
    private _char_num2num), so number and percent are n/a."""
    with contextlib.redirect_stdout(sys.stderr):      # it prints a banner on import
        import jionlp

    def money(text: str) -> list[Value]:
        values: list[Value] = []
        for e in jionlp.ner.extract_money(text, with_parsing=True):
            detail = e.get("detail") or {}
            num = detail.get("num")
            if detail.get("case") != "元":             # another currency: no value in yuan
                values.append(None)
            elif isinstance(num, list):
                low, high = dec(num[0]), dec(num[1])
                values.append((low, high) if low is not None and high is not None else None)
            else:
                values.append(dec(num))
        return values

    return FormSystem("JioNLP", {"money": money})


# Recognizers-Text currency units in yuan, as in bench.py. Chinese 分/角 are Fen/Jiao.
_RT_YUAN = {"CNY": Decimal(1), "Chinese yuan": Decimal(1), "Yuan": Decimal(1),
            "Jiao": Decimal("0.1"), "Fen": Decimal("0.01")}


def recognizers_forms() -> FormSystem:
    """Recognizers-Text, Chinese number, currency and percentage models, built once. Each result is
    one value, so a range comes out as two values (and fails a range row, as it should). A currency
    result with no value (a bare 人民币) is dropped, as in bench.recognizers_system."""
    from recognizers_number import NumberRecognizer
    from recognizers_number_with_unit import NumberWithUnitRecognizer
    from recognizers_text import Culture

    numbers = NumberRecognizer(Culture.Chinese)
    number_model, percentage_model = numbers.get_number_model(), numbers.get_percentage_model()
    currency_model = NumberWithUnitRecognizer(Culture.Chinese).get_currency_model()

    def number(text: str) -> list[Value]:
        return [dec((r.resolution or {}).get("value")) for r in number_model.parse(text)]

    def money(text: str) -> list[Value]:
        values: list[Value] = []
        for r in currency_model.parse(text):
            res = r.resolution or {}
            if res.get("value") is None:
                continue
            value = dec(res["value"])
            factor = _RT_YUAN.get(res.get("isoCurrency") or "") or _RT_YUAN.get(res.get("unit") or "")
            values.append(value * factor if value is not None and factor is not None else None)
        return values

    def percent(text: str) -> list[Value]:
        return [dec(str((r.resolution or {}).get("value", "")).rstrip("%")) for r in percentage_model.parse(text)]

    return FormSystem("Recognizers-Text", {"number": number, "money": money, "percent": percent})


def forms_competitors() -> tuple[list[FormSystem], dict[str, str]]:
    """Each competitor that imports, and for each that does not, why."""
    systems, missing = [], {}
    for name, make in (("JioNLP", jionlp_forms), ("Recognizers-Text", recognizers_forms)):
        try:
            systems.append(make())
        except ImportError as e:
            missing[name] = str(e)
    return systems, missing


# ---------------------------------------------------------------------------------------- scoring

def run_row(reader: Reader, row: Row) -> dict:
    """One system on one row: its values, pass/fail, and the exception if it raised."""
    try:
        # a value in another currency (None) is no amount in yuan: neither right nor wrong here
        got = [v for v in reader(row.text) if v is not None]
    except Exception as e:       # any failure of a system is that system's miss on this row
        return {"values": None, "pass": False, "error": f"{type(e).__name__}: {e}"}
    return {"values": [fmt_value(v) for v in got], "pass": got == row.expected, "error": None}


def compare(families: list[Family], systems: list[FormSystem]) -> dict:
    """Every system on every row of its kinds. Per family and per kind: rows and passes per system
    (a system without a reader for the kind is absent there: n/a)."""
    out_families: list[dict] = []
    totals: dict[str, dict] = {k: {"rows": 0, "pass": {}} for k in KINDS}
    for fam in families:
        rows, passes = [], {s.name: 0 for s in systems if fam.kind in s.readers}
        for row in fam.rows:
            results = {s.name: run_row(s.readers[fam.kind], row) for s in systems if fam.kind in s.readers}
            for name, r in results.items():
                passes[name] += r["pass"]
            rows.append({"input": row.text, "expected": [fmt_value(v) for v in row.expected], "results": results})
        total = totals.setdefault(fam.kind, {"rows": 0, "pass": {}})
        total["rows"] += len(fam.rows)
        for name, n in passes.items():
            total["pass"][name] = total["pass"].get(name, 0) + n
        out_families.append({"id": fam.id, "kind": fam.kind, "rows": len(fam.rows), "pass": passes, "details": rows})
    return {"families": out_families, "kinds": {k: t for k, t in totals.items() if t["rows"]}}


# ----------------------------------------------------------------------------------------- report

def cell(passes: dict[str, int], rows: int, name: str, missing: dict[str, str]) -> str:
    if name in missing:
        return "not installed"
    if name not in passes:
        return "n/a"
    return f"{passes[name]}/{rows} ({100 * passes[name] / rows:.0f}%)" if rows else "0/0"


def md(s: str) -> str:
    """Text safe inside a markdown table cell."""
    return s.replace("|", "\\|").replace("`", "'")


def render(result: dict, verbose: bool = False) -> str:
    """The markdown table, notes on missing or failing competitors, and (verbose) every row some
    system fails with what each system gave. result["missing"]: competitor -> why not importable."""
    missing = result.get("missing", {})
    table = result.get("table", FORMS.name)
    lines = [f"## Number, money and percentage forms (value-exact, corpora/{table})", "",
             "| " + " | ".join(["family", "rows", *COLUMNS]) + " |", "|---|---:|" + "---:|" * len(COLUMNS)]
    for f in result["families"]:
        lines.append(f"| {f['id']} | {f['rows']} | "
                     + " | ".join(cell(f["pass"], f["rows"], n, missing) for n in COLUMNS) + " |")
    for kind, t in result["kinds"].items():
        lines.append(f"| **all {kind}** | **{t['rows']}** | "
                     + " | ".join(f"**{cell(t['pass'], t['rows'], n, missing)}**" for n in COLUMNS) + " |")

    notes = [f"- {name} not installed ({why}); install the competitors with: `{INSTALL_HINT}`"
             for name, why in missing.items()]
    errors: dict[str, list[str]] = {}
    for f in result["families"]:
        for row in f["details"]:
            for name, r in row["results"].items():
                if r["error"]:
                    errors.setdefault(name, []).append(f"{row['input']!r}: {r['error']}")
    notes += [f"- {name} raised on {len(errs)} row(s) (counted as failures), e.g. {errs[0]}"
              for name, errs in errors.items()]
    if notes:
        lines += ["", *notes]

    if verbose:
        lines += ["", "### Rows some system fails", "",
                  "| family | input | expected | " + " | ".join(COLUMNS) + " |", "|---|---|---|" + "---|" * len(COLUMNS)]
        for f in result["families"]:
            for row in f["details"]:
                if all(r["pass"] for r in row["results"].values()):
                    continue
                cells = [outcome(row["results"].get(name), name in missing) for name in COLUMNS]
                lines.append(f"| {f['id']} | `{md(row['input'])}` | [{', '.join(row['expected'])}] | "
                             + " | ".join(md(c) for c in cells) + " |")
    return "\n".join(lines)


def outcome(r: dict | None, not_installed: bool) -> str:
    """One system on one row, for the failing-rows table."""
    if not_installed:
        return "not installed"
    if r is None:
        return "n/a"
    if r["pass"]:
        return "✓"
    return f"✗ {r['error']}" if r["error"] else f"✗ [{', '.join(r['values'])}]"


def main(as_json: bool = False, verbose: bool = False, path: Path = FORMS) -> int:
    """bench.py --forms: print the table (markdown), or JSON on stdout with the table on stderr."""
    systems, missing = forms_competitors()
    result = compare(load_forms(path), [ours_forms(), *systems])
    result["missing"] = missing
    result["table"] = path.name
    text = render(result, verbose)
    if as_json:
        print(text, file=sys.stderr)
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(text)
    return 0
