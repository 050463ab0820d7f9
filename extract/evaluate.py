"""Score extraction against gold files: precision/recall/F1 per fact type, field and metadata accuracy.

The matching rule is the one the project is measured by (`../shared/tools/score.py`):

| type | a prediction matches a gold item when the spans overlap and … |
|---|---|
| amounts | `value_yuan` is equal (Decimal equality: `602800` = `602800.00`) |
| percentages, counts, staffing, scores | `value` is equal |
| events | nothing more: overlap alone (a wrong name is reported as a field error) |
| indicators | `weight` and `score` are equal where the gold has them (null in gold: not compared) |

Gold items are taken in file order; each takes the first unused overlapping prediction with equal
values. A gold item marked `"optional": true` is never missed, and the prediction it takes is not a
false positive. A gold file without a list for a type does not score that type (so reports annotated
before indicators existed are not charged with false indicators). Staffing gold is read from
`staffing`, or from the legacy key `headcount`. Metadata gold is read from the nested `metadata` object
and from top-level `title`/`department`/`year`/`report_kind`/`grade` (the nested value wins).

Per-report figures (`ID.summary.json` beside `ID.txt`, format in `../shared/forms2/README.md`) are scored
as `../shared/tools/score_summary.py` scores them, from the tool's `Report.figures`:

| gold | tool (a `conflict` figure is not stated) | counts as |
|---|---|---|
| stated | the same value (Decimal equality; grade without whitespace) | agree |
| stated | null | missing |
| stated | another value | wrong |
| null | stated | extra |
| null | null | nothing |

A field listed in the gold file's `optional` counts neither way. The shares are agree / gold and
(wrong + extra) / stated, stated = agree + wrong + extra.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .errors import GoldError, InputNotFound, ReportxError, UsageError
from .models import FACT_TYPES, Report
from .pipeline import extract_file


@dataclass(frozen=True)
class MatchRule:
    """How gold items of one type are found in the predictions."""

    values: tuple[str, ...] = ()      # keys whose values must be equal
    gold_null_is_any: bool = False    # a null gold value is not compared (indicators' weight/score)
    fields: tuple[str, ...] = ()      # attributes scored on matched pairs (role, kind, indicator cells)
    gold_keys: tuple[str, ...] = ()   # where the gold file keeps the list, first found wins


RULES: dict[str, MatchRule] = {
    "amounts": MatchRule(("value_yuan",), fields=("role",)),
    "percentages": MatchRule(("value",), fields=("role",)),
    "points": MatchRule(("value",), fields=("role",)),
    "counts": MatchRule(("value",)),
    "staffing": MatchRule(("value",), fields=("role",), gold_keys=("staffing", "headcount")),
    "events": MatchRule((), fields=("kind", "name")),
    "scores": MatchRule(("value",), fields=("kind",)),
    "indicators": MatchRule(("weight", "score"), gold_null_is_any=True,
                            fields=("level1", "level2", "target", "actual", "deviation")),
}
METADATA = ("title", "department", "year", "report_kind", "grade")
# summary.json field -> Report.figures attribute
FIGURE_FIELDS: dict[str, str] = {
    "budget_initial_yuan": "budget_initial",
    "budget_adjusted_yuan": "budget_adjusted",
    "expenditure_yuan": "expenditure",
    "execution_rate": "execution_rate",
    "total_score": "total_score",
    "grade": "grade",
}


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def _same_value(gold: Any, pred: Any) -> bool:
    """Decimal equality; None only equals None; text that is no number compares as text.

    | gold | pred | same |
    |---|---|---|
    | "602800" | "602800.00" | yes |
    | None | None | yes |
    | None | "5" | no |
    """
    if gold is None or pred is None:
        return gold is pred
    a, b = _decimal(gold), _decimal(pred)
    if a is None or b is None:
        return str(gold) == str(pred)
    return a == b


def span(item: dict) -> tuple[int | None, int | None]:
    """(start, end) of a gold or predicted item; a missing end is start + the length of its text or name."""
    start, end = item.get("start"), item.get("end")
    label = item.get("text") if item.get("text") is not None else item.get("name")
    if end is None and start is not None and label is not None:
        end = start + len(label)
    return start, end


def _overlaps(a: dict, b: dict) -> bool:
    (s1, e1), (s2, e2) = span(a), span(b)
    return None not in (s1, e1, s2, e2) and s1 < e2 and s2 < e1


def _values_agree(gold: dict, pred: dict, rule: MatchRule) -> bool:
    for key in rule.values:
        g = gold.get(key)
        if rule.gold_null_is_any and g in (None, ""):
            continue
        if not _same_value(g, pred.get(key)):
            return False
    return True


def match_facts(pred: list[dict], gold: list[dict], rule: MatchRule | str) -> list[tuple[int, int]]:
    """Pairs (pred index, gold index): overlapping spans and agreeing values, each prediction used once.

    Pairs with optional gold items are included; the caller decides what they count for.
    `rule` may be a value key (the single-value rule of the older API).
    """
    if isinstance(rule, str):
        rule = MatchRule((rule,))
    pairs, used = [], set()
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if pi in used or not _overlaps(g, p) or not _values_agree(g, p, rule):
                continue
            pairs.append((pi, gi))
            used.add(pi)
            break
    return pairs


def _field_text(value: Any) -> Any:
    """A field as compared: an IndicatorValue by its text; text without the spaces PDF/OCR put in."""
    if isinstance(value, dict):
        value = value.get("text")
    if isinstance(value, str):
        return "".join(value.split())
    return value


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    optional: int = 0    # optional gold items (never missed) and the predictions they took
    fields: dict[str, list[int]] = field(default_factory=dict)   # field -> [right, total]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def field_accuracy(self, name: str) -> float | None:
        right, total = self.fields.get(name, (0, 0))
        return right / total if total else None

    @property
    def role_accuracy(self) -> float | None:
        """Accuracy of the type's first field (role or kind; level1 for indicators)."""
        return self.field_accuracy(next(iter(self.fields), ""))


def _blank(value: Any) -> bool:
    return value is None or value == ""


def figure_value(figure: Any) -> Any:
    """What a figure states: the grade's label, the others' value; None for no figure or a conflict."""
    if figure is None or getattr(figure, "status", "ok") == "conflict":
        return None
    value = figure.label if figure.label is not None else figure.value
    return None if _blank(value) else value


def same_figure(name: str, gold: Any, pred: Any) -> bool:
    """The independent scorer's equality: grade as text without whitespace, the rest as Decimals."""
    if name == "grade":
        return "".join(str(gold).split()) == "".join(str(pred).split())
    g = _decimal(gold)
    return g is not None and g == _decimal(pred)


@dataclass
class FigureTally:
    gold: int = 0
    agree: int = 0
    missing: int = 0
    wrong: int = 0
    extra: int = 0
    conflict: int = 0   # figures the tool marked conflict (counted as not stated)
    optional: int = 0   # fields gold lists as optional (counted neither way)

    def as_dict(self) -> dict:
        return {"gold": self.gold, "agree": self.agree, "missing": self.missing, "wrong": self.wrong,
                "extra": self.extra, "conflict": self.conflict, "optional": self.optional}


@dataclass
class FigureEvaluation:
    documents: int = 0
    fields: dict[str, FigureTally] = field(default_factory=lambda: {f: FigureTally() for f in FIGURE_FIELDS})
    errors: list[dict] = field(default_factory=list)   # every missing, wrong and extra figure

    @property
    def agree(self) -> int:
        return sum(t.agree for t in self.fields.values())

    @property
    def gold(self) -> int:
        return sum(t.gold for t in self.fields.values())

    @property
    def stated(self) -> int:
        return sum(t.agree + t.wrong + t.extra for t in self.fields.values())

    @property
    def bad(self) -> int:
        return sum(t.wrong + t.extra for t in self.fields.values())

    @property
    def agree_share_of_gold(self) -> float | None:
        return round(self.agree / self.gold, 4) if self.gold else None

    @property
    def wrong_or_extra_share_of_stated(self) -> float | None:
        return round(self.bad / self.stated, 4) if self.stated else None

    def as_dict(self) -> dict:
        return {"documents": self.documents,
                "fields": {f: t.as_dict() for f, t in self.fields.items()},
                "agree": self.agree, "gold": self.gold, "stated": self.stated, "wrong_or_extra": self.bad,
                "agree_share_of_gold": self.agree_share_of_gold,
                "wrong_or_extra_share_of_stated": self.wrong_or_extra_share_of_stated,
                "errors": self.errors}


def _plain(value: Any) -> Any:
    """A value for JSON and for reading: Decimals as their digits."""
    if isinstance(value, Decimal):
        from .numbers import normalize_decimal

        return normalize_decimal(value)
    return value


def score_figures(report: Report, summary: dict, doc: str, fe: FigureEvaluation) -> None:
    """Tally one report's figures against its summary gold (see the module's table)."""
    fe.documents += 1
    optional = set(summary.get("optional") or [])
    figures = report.figures
    for name, attr in FIGURE_FIELDS.items():
        tally = fe.fields[name]
        figure = getattr(figures, attr, None)
        if figure is not None and figure.status == "conflict":
            tally.conflict += 1
        if name in optional:
            tally.optional += 1
            continue
        gv, pv = summary.get(name), figure_value(figure)
        if not _blank(gv):
            tally.gold += 1
            if _blank(pv):
                tally.missing += 1
                kind = "missing"
            elif same_figure(name, gv, pv):
                tally.agree += 1
                kind = None
            else:
                tally.wrong += 1
                kind = "wrong"
        elif not _blank(pv):
            tally.extra += 1
            kind = "extra"
        else:
            kind = None
        if kind is None:
            continue
        error = {"doc": doc, "source": report.source, "field": name, "error": kind,
                 "gold": _plain(gv), "tool": _plain(pv)}
        evidence = (summary.get("evidence") or {}).get(name)
        if isinstance(evidence, dict):
            error["gold_text"], error["gold_start"] = evidence.get("text"), evidence.get("start")
        if figure is not None:
            error.update({"text": figure.text, "start": figure.start, "end": figure.end, "rule": figure.rule,
                          "status": figure.status, "reason": figure.reason})
            if figure.status == "conflict":
                error["conflict_value"] = _plain(figure.label if figure.label is not None else figure.value)
        fe.errors.append(error)


def gold_metadata(gold: dict) -> dict:
    """Metadata gold from both layouts: top-level title/department/year/report_kind/grade, then the
    nested `metadata` object over them."""
    meta = {k: gold[k] for k in METADATA if k in gold}
    nested = gold.get("metadata")
    if isinstance(nested, dict):
        meta.update({k: nested[k] for k in METADATA if k in nested})
    return meta


@dataclass
class Evaluation:
    documents: int = 0
    types: dict[str, Tally] = field(default_factory=lambda: {
        t: Tally(fields={f: [0, 0] for f in RULES.get(t, MatchRule()).fields}) for t in FACT_TYPES})
    metadata: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0] for k in METADATA})
    errors: list[dict] = field(default_factory=list)   # every miss and false alarm, for reading
    unreadable: list[str] = field(default_factory=list)   # texts that could not be extracted (all missed)
    figures: FigureEvaluation = field(default_factory=FigureEvaluation)   # against ID.summary.json

    def as_dict(self) -> dict:
        def r(v):
            return None if v is None else round(v, 4)

        return {
            "documents": self.documents,
            "facts": {
                t: {"tp": s.tp, "fp": s.fp, "fn": s.fn, "optional": s.optional,
                    "precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                    "role_accuracy": r(s.role_accuracy),
                    "field_accuracy": {f: r(s.field_accuracy(f)) for f in s.fields}}
                for t, s in self.types.items()
            },
            "metadata_accuracy": {k: (round(ok / n, 4) if n else None) for k, (ok, n) in self.metadata.items()},
            "figures": self.figures.as_dict(),
            "unreadable": self.unreadable,
            "errors": self.errors,
        }


def gold_items(gold: dict, fact_type: str) -> list[dict] | None:
    """The gold list of a type, or None when the file does not annotate that type."""
    rule = RULES.get(fact_type, MatchRule())
    for key in rule.gold_keys or (fact_type,):
        if isinstance(gold.get(key), list):
            return gold[key]
    return None


def _label(item: dict) -> Any:
    return item.get("text") if item.get("text") is not None else item.get("name")


def _shown(item: dict, rule: MatchRule) -> Any:
    values = [item.get(k) for k in rule.values]
    return values[0] if len(values) == 1 else (values or None)


def score_report(report: Report, gold: dict, ev: Evaluation) -> None:
    ev.documents += 1
    data = json.loads(report.model_dump_json())
    for t, tally in ev.types.items():
        want = gold_items(gold, t)
        if want is None:
            continue
        rule = RULES.get(t, MatchRule(("value",)))
        pred = data.get(t) or []
        pairs = match_facts(pred, want, rule)
        matched_p = {p for p, _ in pairs}
        matched_g = {g for _, g in pairs}
        optional = {i for i, g in enumerate(want) if g.get("optional")}
        tally.tp += sum(1 for _, g in pairs if g not in optional)
        tally.optional += len(optional)
        tally.fp += len(pred) - len(pairs)
        tally.fn += sum(1 for i in range(len(want)) if i not in matched_g and i not in optional)
        for p, g in pairs:
            if g in optional:
                continue
            for name in rule.fields:
                if name not in want[g]:
                    continue
                if t != "indicators" and want[g][name] is None:  # role: null means not annotated
                    continue
                right = tally.fields[name]
                right[1] += 1
                if _field_text(pred[p].get(name)) == _field_text(want[g][name]):
                    right[0] += 1
                else:
                    ev.errors.append({"source": report.source, "type": t, "error": f"wrong {name}",
                                      "text": _label(want[g]), "start": want[g].get("start"),
                                      "gold": want[g][name], "predicted": pred[p].get(name)})
        for i, p in enumerate(pred):
            if i not in matched_p:
                ev.errors.append({"source": report.source, "type": t, "error": "false positive",
                                  "text": _label(p), "start": p.get("start"), "predicted": _shown(p, rule)})
        for i, g in enumerate(want):
            if i not in matched_g and i not in optional:
                ev.errors.append({"source": report.source, "type": t, "error": "missed",
                                  "text": _label(g), "start": g.get("start"), "gold": _shown(g, rule)})
    meta = gold_metadata(gold)
    for k in METADATA:
        if k in meta:
            ev.metadata[k][1] += 1
            if getattr(report, k) == meta[k]:
                ev.metadata[k][0] += 1
            else:
                ev.errors.append({"source": report.source, "type": "metadata", "error": f"wrong {k}",
                                  "gold": meta[k], "predicted": getattr(report, k)})


SUMMARY_SUFFIX = ".summary.json"


def gold_files(root: Path) -> list[Path]:
    """The gold files under a folder, or the one gold file named; anything else is a coded error."""
    if root.is_dir():
        return sorted(root.rglob("*.gold.json"))
    if not root.exists():
        raise InputNotFound("no such file or folder", str(root))
    if root.name.endswith(SUMMARY_SUFFIX):
        return []   # a per-report figures file alone: scored by summary_files
    if not root.name.endswith(".gold.json"):
        raise UsageError("evaluate takes folders of NAME.gold.json files (or a .gold.json file), "
                         "not a report; extract a report with `reportx extract`", str(root))
    return [root]


def summary_files(root: Path) -> list[Path]:
    """The per-report figures files (ID.summary.json) under a folder, beside a gold file named, or named."""
    if root.is_dir():
        return sorted(root.rglob("*" + SUMMARY_SUFFIX))
    if root.name.endswith(SUMMARY_SUFFIX):
        return [root]
    beside = root.with_name(root.name.removesuffix(".gold.json") + SUMMARY_SUFFIX)
    return [beside] if beside.is_file() else []


def summary_doc(path: Path) -> str:
    """The document id of a summary file: its name without .summary.json (q07.summary.json -> q07)."""
    return path.name.removesuffix(SUMMARY_SUFFIX)


def _load_gold(path: Path) -> dict:
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise GoldError(f"not a valid gold file ({type(e).__name__}: {e})", str(path)) from None
    if not isinstance(gold, dict):
        raise GoldError("a gold file holds one JSON object (see corpora/README.md)", str(path))
    return gold


def text_for(gold_path: Path, gold: dict) -> Path:
    if gold.get("source"):
        candidate = gold_path.parent / gold["source"]
        if candidate.exists():
            return candidate
    return gold_path.with_name(gold_path.name.removesuffix(".gold.json") + ".txt")


def evaluate(roots: str | Path | list) -> Evaluation:
    """Score every gold file under one folder or several, and the per-report figures of every
    ID.summary.json there (each text is extracted once for both).

    A text that cannot be read (a ReportxError) is scored as an empty report: all its facts and
    figures are missed, and its path is listed in `unreadable`.
    """
    ev = Evaluation()
    roots = [roots] if isinstance(roots, (str, Path)) else roots
    files = [g for root in roots for g in gold_files(Path(root))]
    summaries = list(dict.fromkeys(s for root in roots for s in summary_files(Path(root))))
    if not files and not summaries:
        raise InputNotFound("no gold files (NAME.gold.json) here: nothing to evaluate",
                            ", ".join(str(r) for r in roots))
    reports: dict[Path, Report] = {}

    def report_for(path: Path) -> Report:
        key = path.resolve() if path.exists() else path
        if key not in reports:
            try:
                reports[key] = extract_file(path)
            except ReportxError as e:
                ev.unreadable.append(str(e))
                reports[key] = Report(source=str(path), sha256="")
        return reports[key]

    texts: dict[Path, Path] = {}   # gold file -> its text
    for gp in files:
        gold = _load_gold(gp)
        path = texts[gp.resolve()] = text_for(gp, gold)
        score_report(report_for(path), gold, ev)
    for sp in summaries:
        summary = _load_gold(sp)
        doc = summary_doc(sp)
        gp = sp.with_name(doc + ".gold.json")
        path = texts.get(gp.resolve()) or (text_for(gp, _load_gold(gp)) if gp.is_file() else sp.with_name(doc + ".txt"))
        score_figures(report_for(path), summary, doc, ev.figures)
    return ev
