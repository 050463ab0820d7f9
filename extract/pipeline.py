"""decode -> normalize -> structure -> segment -> recognize -> roles -> checks -> Report."""

from __future__ import annotations

import bisect
import hashlib
import os
from decimal import Decimal

import regex

from . import checks, departments, figures, roles
from .context import Candidate, Context, most_common, resolve_overlaps
from .errors import InputTooLarge, InvalidText
from .models import FACT_TYPES, BudgetSummary, Ocr, Report, Section
from .nlp import parse
from .normalize import normalize
from .numbers import storable
from .readers import read_file
from .recognizers import (
    counts,
    direction_of,
    events,
    funding,
    indicators,
    money,
    percentages,
    points,
    scores,
    staffing,
    tables,
)
from .structure import analyze

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Where numeric facts overlap, the longest wins; on equal length, this order (staffing first).
_NUMERIC = (
    ("staffing", staffing.recognize),
    ("amounts", money.recognize),
    ("percentages", percentages.recognize),
    ("points", points.recognize),
    ("scores", scores.recognize),
    ("counts", counts.recognize),
    ("tables", tables.recognize),
)

_SURROGATE = regex.compile(r"[\ud800-\udfff]")

# Facts that can be a change (同比下降6.4%) and so carry a direction.
_CHANGES = frozenset({"amounts", "percentages", "points"})


def extract_text(text: str, source: str = "<text>", data: bytes | None = None, encoding: str | None = None,
                 ocr=None) -> Report:
    """Extract every fact of one decoded report text. Pure: same text, same Report.

    `ocr` is the reader's OcrInfo (extract.readers) when some of the text came from OCR."""
    return extract_with_context(text, source, data, encoding, ocr)[0]


def extract_document(document, source: str) -> Report:
    """The Report of a read file (an extract.readers.Document)."""
    return extract_text(document.text, source=source, data=document.data, encoding=document.encoding,
                        ocr=document.ocr)


def extract_with_context(text: str, source: str = "<text>", data: bytes | None = None,
                         encoding: str | None = None, ocr=None) -> tuple[Report, Context]:
    """The Report and the analysed text behind it (normalized text, tokens, structure), so that
    the dataset can index sentences without segmenting the text a second time.

    Raises InvalidText [E014] for a text with a lone surrogate (no file holds one) and InputTooLarge
    [E005] for one over nlp.MAX_CHARS characters; any other string gives a Report."""
    if not isinstance(text, str):
        raise InvalidText(f"expected a str of report text, got {type(text).__name__}", source)
    from .nlp import MAX_CHARS

    if len(text) > MAX_CHARS:
        raise InputTooLarge(f"{len(text)} characters is over the limit of {MAX_CHARS} characters per report", source)
    bad = _SURROGATE.search(text)
    if bad:
        raise InvalidText(f"lone surrogate U+{ord(bad.group()):04X} at position {bad.start()}: "
                          "decode the file with a real encoding", source)
    norm = normalize(text)
    structure = analyze(norm.text)
    doc = parse(norm.text)
    ctx = Context.build(norm, doc, structure)

    numeric: list[Candidate] = []
    # The header-driven table readers go first: where they and a plain rule read the same cell,
    # the table's column says what it is (97.78% under 执行率 is the execution rate).
    rows = indicators.recognize(ctx)   # indicator records, and the scores of their tables
    numeric.extend(c for c in rows if c.type != "indicators")
    numeric.extend(funding.recognize(ctx))
    for priority, (_, recognize) in enumerate(_NUMERIC):
        for c in recognize(ctx):
            c.order += priority * 100
            numeric.append(c)
    numeric = resolve_overlaps(_without_straddlers(numeric))
    glued = funding.run_together(ctx, numeric)
    if glued:
        numeric = sorted([c for c in numeric if not any(c.start < g.end and g.start < c.end for g in glued)] + glued,
                         key=lambda c: c.start)
    for c in numeric:
        if c.type in _CHANGES:
            c.data["direction"] = direction_of(ctx.text, c.start)
    roles.assign(ctx, numeric, "amounts")
    roles.assign(ctx, numeric, "percentages")
    roles.assign(ctx, numeric, "points")
    found = numeric + events.recognize(ctx) + [c for c in rows if c.type == "indicators"]

    facts: dict[str, list] = {name: [] for name in FACT_TYPES}
    nspans: dict[str, list[tuple[int, int]]] = {name: [] for name in FACT_TYPES}
    for c in sorted(found, key=lambda c: c.start):
        if not _storable(c.data):
            continue   # a number beyond 15 significant digits: no report states one; leave it out
        start, end = norm.span(c.start, c.end)
        model = FACT_TYPES[c.type]
        if c.type == "indicators":
            c.data = {**c.data, **{k: _ground(text, norm, c.data[k]) for k in ("target", "actual")}}
        facts[c.type].append(model(text=text[start:end], start=start, end=end, rule=c.rule,
                                   section=structure.section_at(c.start), **c.data))
        nspans[c.type].append((c.start, c.end))

    stated_grade = scores.grade_span(ctx)
    grade = stated_grade[0] if stated_grade else None
    if stated_grade is not None:
        stated_grade = (grade, *norm.span(stated_grade[1], stated_grade[2]), stated_grade[3])
    figs, projects, levels, kinds = figures.build(ctx, text, facts, nspans, structure.title, structure.report_kind,
                                                  stated_grade, structure.year)
    facts["amounts"] = [a.model_copy(update={"level": levels.get(i, "other")}) for i, a in enumerate(facts["amounts"])]
    facts["scores"] = [s.model_copy(update={"kind": kinds[i]}) if i in kinds else s
                       for i, s in enumerate(facts["scores"])]
    summary = _summary(facts, figs)
    stated = _summary(facts, figs, accepted_only=False)   # the checks look at what the report states
    own_grade = figs.grade.label if figs.grade is not None and figs.grade.status == "ok" else None
    sections = []
    for h in structure.headings:
        s, e = norm.span(h.start, h.end)
        sections.append(Section(label=h.label, title=h.title, level=h.level, start=s, end=e, path=h.path))
    return Report(
        source=source,
        sha256=hashlib.sha256(data if data is not None else text.encode("utf-8")).hexdigest(),
        encoding=encoding,
        ocr=_ocr(ocr),
        title=_as_written(ctx, text, structure.title),
        department=_as_written(ctx, text, structure.department),
        department_key=departments.key(structure.department),   # the key from the simplified form
        year=structure.year,
        report_kind=structure.report_kind,
        grade=own_grade,
        grade_level=scores.grade_level(grade) if own_grade is not None else None,
        checks=checks.run(stated, facts["scores"], grade if figs.grade is not None else None,
                          changed=figures.budget_changed(ctx.text)),
        budget_summary=summary,
        figures=figs,
        projects=projects,
        sections=sections,
        **facts,
    ), ctx


# Cells an OCR indicator row was split into by its arithmetic (weight 20 | target 100% | … in
# 合格率20100%100%20): a plain rule's match across a cell's edge (20100%) reads two cells as one.
_GLUED_CELLS = frozenset({"indicator.glued_weight", "indicator.glued_score"})


def _without_straddlers(cands: list[Candidate]) -> list[Candidate]:
    """The candidates less those that run across the edge of a glued indicator row's cell."""
    cells = sorted((c.start, c.end) for c in cands if c.rule in _GLUED_CELLS)
    if not cells:
        return cands
    starts = [s for s, _ in cells]

    def straddles(c: Candidate) -> bool:
        # the cells that can overlap c start before its end; glued cells are short and never overlap
        # each other, so the few just before c.end are the ones to look at
        i = bisect.bisect_left(starts, c.end)
        return any(c.start < e and s < c.end and (c.start < s or c.end > e) for s, e in cells[max(0, i - 8):i])

    return [c for c in cands if c.rule in _GLUED_CELLS or not straddles(c)]


def _as_written(ctx: Context, text: str, value: str | None) -> str | None:
    """A title or department as the original text writes it (瀾州市第二人民醫院 on a traditional page),
    from the first place the normalized text holds it; the normalized form where it is not held whole."""
    if not value:
        return value
    at = ctx.text.find(value)
    if at < 0:
        return value
    s, e = ctx.norm.span(at, at + len(value))
    written = text[s:e]
    return written if "".join(written.split()) and len(written) <= 2 * len(value) else value


def _storable(data: dict) -> bool:
    """Every number of a fact can be kept exactly (numbers.storable); an indicator's target or actual
    that cannot loses its value (it stays as text), any other fact is dropped."""
    for key, v in list(data.items()):
        if isinstance(v, Decimal) and not storable(v):
            return False
        if isinstance(v, dict) and isinstance(v.get("value"), Decimal) and not storable(v["value"]):
            data[key] = {**v, "value": None}
    return True


def _ground(text: str, norm, value: dict | None) -> dict | None:
    """An indicator's target or actual with its span mapped back to the original text."""
    if value is None:
        return None
    start, end = norm.span(value["start"], value["end"])
    return {**value, "start": start, "end": end, "text": text[start:end]}


def _summary(facts: dict[str, list], figs, accepted_only: bool = True) -> BudgetSummary:
    """The budget figures: the report figures that passed their checks (Report.figures), and the
    make-up of the budget (carryover, additions, appropriation) where the report states it once."""
    by_role: dict[str, list[Decimal]] = {}
    for a in facts["amounts"]:
        if a.low_yuan is None and a.qualifier == "exact" and a.per is None and a.direction is None:
            by_role.setdefault(a.role, []).append(a.value_yuan)

    def ok(f):
        return f.value if f is not None and (f.status == "ok" or not accepted_only) else None

    return BudgetSummary(
        budget_initial_yuan=ok(figs.budget_initial),
        carryover_yuan=most_common(by_role.get("carryover", [])) if figs.scope not in ("other", "multi") else None,
        budget_addition_yuan=most_common(by_role.get("budget_addition", [])) if figs.scope != "other" else None,
        appropriation_yuan=most_common(by_role.get("appropriation", [])) if figs.scope != "other" else None,
        budget_adjusted_yuan=ok(figs.budget_adjusted),
        expenditure_yuan=ok(figs.expenditure),
        execution_rate=ok(figs.execution_rate),
    )


def _ocr(info) -> Ocr | None:
    if info is None:
        return None
    return Ocr(pages=list(info.pages), confidence=Decimal(str(info.confidence)).quantize(Decimal("0.0001")),
               engine=info.engine)


def read_text(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, bytes, str | None]:
    """(text, raw bytes, encoding) of a .txt/.docx/.pdf/.html/.doc report; ReportxError naming the file.

    `encoding` is the text encoding for .txt and .html, None for the other formats.
    """
    document = read_file(path, max_bytes)
    return document.text, document.data, document.encoding


def extract_file(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> Report:
    """Read one report file (any format extract.readers knows) and extract it; offsets index its text."""
    return extract_document(read_file(path, max_bytes), str(path))
