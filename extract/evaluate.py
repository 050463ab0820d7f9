"""Score extraction against gold files: precision/recall/F1 per fact type, role and metadata accuracy.

A predicted fact matches a gold fact of the same type when their spans overlap and their values
are equal (Decimal equality; event names for events). Each gold fact matches at most one prediction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .models import FACT_TYPES, Report
from .pipeline import extract_file

VALUE_KEY = {"amounts": "value_yuan", "percentages": "value", "counts": "value",
             "staffing": "value", "events": "name", "scores": "value"}
ROLE_KEY = {"amounts": "role", "percentages": "role", "staffing": "role", "events": "kind", "scores": "kind"}
METADATA = ("title", "department", "year", "report_kind", "grade")


def _same_value(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except ArithmeticError:
        return str(a) == str(b)
    except Exception:
        return str(a) == str(b)


def match_facts(pred: list[dict], gold: list[dict], value_key: str) -> list[tuple[int, int]]:
    """Pairs (pred index, gold index): overlapping spans and equal values, each used once."""
    pairs, used = [], set()
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if pi in used:
                continue
            if p["start"] < g["end"] and g["start"] < p["end"] and _same_value(p.get(value_key), g.get(value_key)):
                pairs.append((pi, gi))
                used.add(pi)
                break
    return pairs


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    role_right: int = 0
    role_total: int = 0

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

    @property
    def role_accuracy(self) -> float | None:
        return self.role_right / self.role_total if self.role_total else None


@dataclass
class Evaluation:
    documents: int = 0
    types: dict[str, Tally] = field(default_factory=lambda: {t: Tally() for t in FACT_TYPES})
    metadata: dict[str, list[int]] = field(default_factory=lambda: {k: [0, 0] for k in METADATA})
    errors: list[dict] = field(default_factory=list)   # every miss and false alarm, for reading

    def as_dict(self) -> dict:
        return {
            "documents": self.documents,
            "facts": {
                t: {"tp": s.tp, "fp": s.fp, "fn": s.fn, "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                    "role_accuracy": None if s.role_accuracy is None else round(s.role_accuracy, 4)}
                for t, s in self.types.items()
            },
            "metadata_accuracy": {k: (round(r / n, 4) if n else None) for k, (r, n) in self.metadata.items()},
            "errors": self.errors,
        }


def score_report(report: Report, gold: dict, ev: Evaluation) -> None:
    ev.documents += 1
    data = json.loads(report.model_dump_json())
    for t, tally in ev.types.items():
        pred, want = data[t], gold.get(t, [])
        pairs = match_facts(pred, want, VALUE_KEY[t])
        tally.tp += len(pairs)
        tally.fp += len(pred) - len(pairs)
        tally.fn += len(want) - len(pairs)
        matched_p = {p for p, _ in pairs}
        matched_g = {g for _, g in pairs}
        key = ROLE_KEY.get(t)
        for p, g in pairs:
            if key and want[g].get(key) is not None:
                tally.role_total += 1
                if pred[p].get(key) == want[g][key]:
                    tally.role_right += 1
                else:
                    ev.errors.append({"source": report.source, "type": t, "error": f"wrong {key}",
                                      "text": want[g]["text"], "start": want[g]["start"],
                                      "gold": want[g][key], "predicted": pred[p].get(key)})
        for i, p in enumerate(pred):
            if i not in matched_p:
                ev.errors.append({"source": report.source, "type": t, "error": "false positive",
                                  "text": p["text"], "start": p["start"], "predicted": p.get(VALUE_KEY[t])})
        for i, g in enumerate(want):
            if i not in matched_g:
                ev.errors.append({"source": report.source, "type": t, "error": "missed",
                                  "text": g["text"], "start": g["start"], "gold": g.get(VALUE_KEY[t])})
    for k in METADATA:
        if k in gold.get("metadata", {}):
            ev.metadata[k][1] += 1
            if getattr(report, k) == gold["metadata"][k]:
                ev.metadata[k][0] += 1
            else:
                ev.errors.append({"source": report.source, "type": "metadata", "error": f"wrong {k}",
                                  "gold": gold["metadata"][k], "predicted": getattr(report, k)})


def gold_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.gold.json")) if root.is_dir() else [root]


def text_for(gold_path: Path, gold: dict) -> Path:
    if gold.get("source"):
        candidate = gold_path.parent / gold["source"]
        if candidate.exists():
            return candidate
    return gold_path.with_name(gold_path.name.removesuffix(".gold.json") + ".txt")


def evaluate(roots: str | Path | list) -> Evaluation:
    """Score every gold file under one folder or several."""
    ev = Evaluation()
    roots = [roots] if isinstance(roots, (str, Path)) else roots
    for gp in [g for root in roots for g in gold_files(Path(root))]:
        gold = json.loads(gp.read_text(encoding="utf-8"))
        report = extract_file(text_for(gp, gold))
        score_report(report, gold, ev)
    return ev
