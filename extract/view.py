"""One report as a self-contained HTML page: its text with every fact highlighted where it was read.

`page(report, text)` returns the page: no network (CSS and the little script are inline), opens from
disk. Each fact is a <mark> carrying data-type, data-start and data-end (offsets into the text) and,
as its content, exactly the fact's text; hovering or focusing it shows value, unit, qualifier, role and
rule. Beside the text: the metadata, the report's own figures (each with its status and the reason it
was chosen or fails, linking to the fact it was taken from) and those of each project, the budget
summary, the checks (failed ones flagged), the indicator table and the list of facts, each linking to
its place; filters show one type or one role (also from the address: page.html?type=amounts&role=expenditure).

`pieces(report, text, check)` yields the same page in pieces, calling `check()` as it goes: a server
writes (or compresses) each piece as it comes and stops a build nobody waits for any more by raising from
`check` (extract/dataset/pages.py). A report of millions of characters is a page of hundreds of MB.

The report text is untrusted: every piece of it is HTML-escaped, so a report holding `<script>` or
`onerror=` shows those characters and runs nothing. Facts that nest (a score inside an indicator row)
are nested marks; a fact that crosses another's edge is listed but not highlighted (its entry says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Callable, Iterator

from .models import FACT_TYPES, FIGURE_NAMES, Figure, Report
from .numbers import normalize_decimal

# One colour per fact type (the legend shows them); chosen for contrast on white.
COLOURS = {
    "amounts": "#ffd27a", "percentages": "#9fd8ff", "points": "#c9b8ff", "counts": "#b5e8a8",
    "staffing": "#ffb3c7", "events": "#ffe08a", "scores": "#ffa98f", "indicators": "#d6d6d6",
}
LABELS = {"amounts": "money", "percentages": "percentages", "points": "percentage points", "counts": "counts",
          "staffing": "staffing", "events": "events", "scores": "scores", "indicators": "indicators",
          "grade": "grade"}
_DETAIL_FIELDS = ("value_yuan", "value", "low_yuan", "high_yuan", "low", "high", "unit", "per", "qualifier",
                  "direction", "role", "kind", "name", "noun", "edition", "weight", "score", "met", "rule", "section")


@dataclass
class _Fact:
    type: str
    index: int | None
    start: int
    end: int
    text: str
    role: str
    detail: str
    shown: bool = True

    @property
    def anchor(self) -> str:
        return f"f-{self.type}-{self.index}" if self.index is not None else f"f-{self.type}"


def _plain(v) -> str:
    if isinstance(v, Decimal):
        return normalize_decimal(v)
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


# How many facts a loop handles between two calls of `check` (a large report has hundreds of thousands)
_EVERY = 2000


def _nothing() -> None:
    return None


def _facts(report: Report, check: Callable[[], None] = _nothing) -> list[_Fact]:
    out = []
    for t, model in FACT_TYPES.items():
        # only the fields this type has: asking a pydantic model for a missing one costs an exception
        fields = [k for k in _DETAIL_FIELDS if k in model.model_fields]
        role_fields = [k for k in ("role", "kind") if k in model.model_fields]
        for i, f in enumerate(getattr(report, t)):
            if i % _EVERY == 0:
                check()
            parts = [f"{k}: {_plain(v)}" for k in fields for v in [getattr(f, k)] if v not in (None, "", [])]
            if t == "indicators":
                for side in ("target", "actual"):
                    v = getattr(f, side)
                    if v is not None:
                        parts.append(f"{side}: {v.text}")
            role = next((r for k in role_fields if (r := getattr(f, k))), "")
            out.append(_Fact(t, i, f.start, f.end, f.text, role, f"{LABELS[t]} · " + " · ".join(parts)))
    g = report.figures.grade   # the grade is no fact list: its figure is marked where it is stated
    if g is not None:
        out.append(_Fact("grade", None, g.start, g.end, g.text, "grade",
                         f"grade · label: {g.label} · status: {g.status} · rule: {g.rule}"))
    return out


def _layout(facts: list[_Fact]) -> list[_Fact]:
    """Facts in text order, outer before inner; one that crosses another's edge is not highlighted."""
    ordered = sorted(facts, key=lambda f: (f.start, -(f.end - f.start), f.type))
    stack: list[_Fact] = []
    for f in ordered:
        while stack and stack[-1].end <= f.start:
            stack.pop()
        if stack and f.end > stack[-1].end:   # starts inside the open fact, ends outside it
            f.shown = False
            continue
        if f.end > f.start:
            stack.append(f)
        else:
            f.shown = False
    return ordered


def _marked_text(text: str, facts: list[_Fact]) -> str:
    """The text, escaped, with a <mark> around each shown fact (nested where facts nest)."""
    return "".join(_marked(text, facts))


def _marked(text: str, facts: list[_Fact]) -> Iterator[str]:
    """_marked_text in pieces of about _EVERY facts each."""
    out, pos, open_ends = [], 0, []
    for n, f in enumerate(f for f in facts if f.shown):
        if n % _EVERY == _EVERY - 1:
            yield "".join(out)
            out.clear()
        while open_ends and open_ends[-1] <= f.start:
            end = open_ends.pop()
            out.append(escape(text[pos:end]) + "</mark>")
            pos = end
        out.append(escape(text[pos:f.start]))
        out.append(f'<mark id="{f.anchor}" class="fact" tabindex="0" data-type="{f.type}" data-start="{f.start}" '
                   f'data-end="{f.end}" data-role="{escape(f.role)}" data-tip="{escape(f.detail)}" '
                   f'title="{escape(f.detail)}">')
        pos = f.start
        open_ends.append(f.end)
    while open_ends:
        end = open_ends.pop()
        out.append(escape(text[pos:end]) + "</mark>")
        pos = end
    out.append(escape(text[pos:]))
    yield "".join(out)


def _money(v: Decimal | None) -> str:
    return "—" if v is None else f"{normalize_decimal(v)} 元 ({v / 10000:,.2f} 万元)"


_FIGURE_LABELS = {"budget_initial": "initial budget", "budget_adjusted": "adjusted budget",
                  "expenditure": "expenditure", "execution_rate": "execution rate", "total_score": "total score",
                  "grade": "grade"}


def _figure_value(name: str, f: Figure) -> str:
    if name == "grade":
        return f.label or "—"
    if f.value is None:
        return "—"
    if name in ("budget_initial", "budget_adjusted", "expenditure"):
        return _money(f.value)
    return normalize_decimal(f.value) + (" %" if name == "execution_rate" else " 分")


def _figure_item(name: str, f: Figure, shown: set[str]) -> str:
    """One figure: its value linking to the highlighted fact it was taken from, its status and reason."""
    anchor = f"f-{f.fact_type}-{f.fact_seq}" if f.fact_seq is not None else f"f-{f.fact_type}"
    value = escape(_figure_value(name, f))
    if anchor in shown:
        value = f'<a href="#{anchor}" data-fact="{escape(anchor)}">{value}</a>'
    where = f'<span class="at">“{escape(f.text)}” at {f.start}–{f.end}, {escape(f.rule)}</span>'
    return (f'<li data-figure="{name}" data-status="{escape(f.status)}" class="figure {escape(f.status)}">'
            f'<span class="name">{_FIGURE_LABELS[name]}</span> <span class="value">{value}</span> '
            f'<span class="status">{"✓ ok" if f.status == "ok" else "✗ " + escape(f.status)}</span>'
            f'<div class="reason">{escape(f.reason)}</div>{where}</li>')


def _figures(report: Report, facts: list[_Fact]) -> str:
    """The report's own figures (what statistics add) and each project's, beside the text."""
    shown = {f.anchor for f in facts if f.shown}
    own = report.figures
    scope = " · ".join(escape(x) for x in (own.scope, own.subject) if x) or "—"
    items = "".join(_figure_item(n, getattr(own, n), shown) for n in FIGURE_NAMES if getattr(own, n) is not None)
    out = (f'<h2>Report figures</h2><p class="scope" data-scope="{escape(own.scope or "")}">scope: {scope}</p>'
           f'<ul class="figures" id="report-figures">{items or "<li>none stated</li>"}</ul>')
    for i, project in enumerate(report.projects):
        items = "".join(_figure_item(n, getattr(project, n), shown) for n in FIGURE_NAMES
                        if getattr(project, n) is not None)
        out += (f'<h3 class="project" data-project="{i}">{escape(project.name)}</h3>'
                f'<ul class="figures project-figures">{items or "<li>none stated</li>"}</ul>')
    return out


def _panel(report: Report, facts: list[_Fact]) -> str:
    return "".join(_panel_pieces(report, facts))


def _panel_pieces(report: Report, facts: list[_Fact], check: Callable[[], None] = _nothing) -> Iterator[str]:
    """The panel beside the text; the list of facts one type at a time, in pieces of _EVERY facts."""
    meta = [("title", report.title), ("department", report.department), ("year", report.year),
            ("kind", report.report_kind), ("grade", report.grade), ("source", report.source)]
    rows = "".join(f"<dt>{k}</dt><dd>{escape(_plain(v)) if v is not None else '—'}</dd>" for k, v in meta)
    s = report.budget_summary
    budget = "".join(
        f"<tr><th>{escape(label)}</th><td data-field=\"{field}\">{escape(_money(getattr(s, field)))}</td></tr>"
        for field, label in (("budget_initial_yuan", "initial budget"), ("carryover_yuan", "carried over"),
                             ("budget_addition_yuan", "added"), ("budget_adjusted_yuan", "adjusted budget"),
                             ("expenditure_yuan", "spent")))
    rate = s.execution_rate
    budget += (f'<tr><th>execution rate</th><td data-field="execution_rate">'
               f'{"—" if rate is None else escape(normalize_decimal(rate)) + " %"}</td></tr>')
    checks = "".join(
        f'<li class="{"ok" if c.passed else "failed"}" data-check="{escape(c.name)}">'
        f'{"✓" if c.passed else "✗ failed:"} {escape(c.name)} — {escape(c.message)} '
        f'<span class="nums">{escape(", ".join(f"{k} {normalize_decimal(v)}" for k, v in c.values.items()))}</span></li>'
        for c in report.checks) or "<li>none</li>"
    indicators = ""
    if report.indicators:
        body = "".join(
            f'<tr><td><a href="#f-indicators-{i}">{escape(x.name)}</a></td><td>{escape(x.target.text if x.target else "—")}</td>'
            f'<td>{escape(x.actual.text if x.actual else "—")}</td><td>{escape(_plain(x.weight)) if x.weight is not None else "—"}</td>'
            f'<td>{escape(_plain(x.score)) if x.score is not None else "—"}</td>'
            f'<td class="met-{"unknown" if x.met is None else "yes" if x.met else "no"}">{"?" if x.met is None else "met" if x.met else "missed"}</td></tr>'
            for i, x in enumerate(report.indicators))
        indicators = ("<h2>Indicators</h2><table class=\"indicators\"><thead><tr><th>indicator</th><th>target</th>"
                      f"<th>actual</th><th>weight</th><th>score</th><th>met</th></tr></thead><tbody>{body}</tbody></table>")
    yield (f"<h2>Report</h2><dl>{rows}</dl>{_figures(report, facts)}"
           f"<h2>Budget summary</h2><table class=\"budget\">{budget}</table>"
           f"<h2>Checks</h2><ul class=\"checks\">{checks}</ul>{indicators}<h2>Facts</h2>")
    by_type: dict[str, list[_Fact]] = {t: [] for t in FACT_TYPES}
    for f in facts:
        if f.type in by_type:
            by_type[f.type].append(f)
    for t, mine in by_type.items():
        if not mine:
            continue
        mine.sort(key=lambda f: f.index)
        yield (f'<details open><summary><span class="swatch t-{t}"></span>{LABELS[t]} ({len(mine)})</summary>'
               f'<ol class="facts">')
        for at in range(0, len(mine), _EVERY):
            check()
            yield "".join(
                f'<li data-type="{t}" data-role="{escape(f.role)}"><a href="#{f.anchor}">{escape(f.text)}</a> '
                f'<span class="role">{escape(f.role)}</span>{"" if f.shown else " <em>(overlaps another fact: not highlighted)</em>"}</li>'
                for f in mine[at:at + _EVERY])
        yield "</ol></details>"


_CSS = """
*{box-sizing:border-box}body{margin:0;font:15px/1.6 system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#1d1d1d;background:#fafafa}
header{padding:.6rem 1rem;background:#23395d;color:#fff}header h1{font-size:1.1rem;margin:0}
.bar{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;padding:.5rem 1rem;background:#eef1f6;border-bottom:1px solid #d5dae3}
.legend{display:flex;flex-wrap:wrap;gap:.4rem}.legend span{padding:0 .4rem;border-radius:3px;font-size:.85rem}
main{display:grid;grid-template-columns:minmax(0,3fr) minmax(18rem,2fr);gap:1rem;padding:1rem}
@media (max-width:900px){main{grid-template-columns:1fr}}
#text{white-space:pre-wrap;word-break:break-all;background:#fff;border:1px solid #ddd;padding:1rem;margin:0;font:inherit}
aside{background:#fff;border:1px solid #ddd;padding:0 1rem 1rem;overflow-wrap:anywhere}
aside h2{font-size:1rem;margin:1rem 0 .3rem;border-bottom:1px solid #eee}
dl{display:grid;grid-template-columns:auto 1fr;gap:.1rem .6rem;margin:0}dt{color:#666}dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:.15rem .3rem;border-bottom:1px solid #eee;vertical-align:top}
.checks{padding-left:1rem}.checks .failed{color:#a40000;font-weight:600}.nums{color:#555;font-weight:400;font-size:.85rem}
.met-no{color:#a40000}.met-yes{color:#176117}
.figures{list-style:none;padding:0;margin:.2rem 0}.figures li{padding:.15rem 0;border-bottom:1px solid #eee}
.figures .name{color:#666;display:inline-block;min-width:7.5em}.figures .status{font-size:.8rem;margin-left:.3rem}
.figures .ok .status{color:#176117}.figures .conflict .status,.figures .conflict .value{color:#a40000;font-weight:600}
.figures .reason,.figures .at{color:#555;font-size:.8rem}.figures .at{display:block;color:#777}
aside h3{font-size:.92rem;margin:.6rem 0 .1rem}
mark.fact{position:relative;border-radius:2px;padding:0 1px;cursor:help;color:inherit}
mark.fact:focus{outline:2px solid #23395d}
mark.fact:hover::after,mark.fact:focus::after{content:attr(data-tip);position:absolute;left:0;top:1.5em;z-index:10;width:max-content;max-width:22rem;
 white-space:normal;background:#23395d;color:#fff;font-size:.8rem;line-height:1.3;padding:.3rem .5rem;border-radius:4px}
body.filtered mark.fact{background:transparent!important}body.filtered mark.fact.on{background:var(--c)!important}
.facts{padding-left:1.4rem;margin:.2rem 0}.facts .role{color:#666;font-size:.8rem}.facts li.hide{display:none}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.3em;border-radius:2px}
select,button{font:inherit}
"""

_SCRIPT = """
(function(){
  var type=document.getElementById('type-filter'), role=document.getElementById('role-filter');
  function apply(){
    var t=type.value, r=role.value, on=t||r;
    document.body.classList.toggle('filtered', !!on);
    document.querySelectorAll('mark.fact').forEach(function(m){
      m.classList.toggle('on', (!t||m.dataset.type===t)&&(!r||m.dataset.role===r));});
    document.querySelectorAll('.facts li').forEach(function(li){
      li.classList.toggle('hide', !!on && !((!t||li.dataset.type===t)&&(!r||li.dataset.role===r)));});
  }
  type.addEventListener('change', apply); role.addEventListener('change', apply);
  var q=new URLSearchParams(location.search);   // ?type=amounts&role=expenditure: a filtered link
  if(q.get('type')!==null){type.value=q.get('type');} if(q.get('role')!==null){role.value=q.get('role');}
  apply();
})();
"""


def page(report: Report, text: str) -> str:
    """The HTML page of one report; `text` is the decoded text its facts' offsets index."""
    return "".join(pieces(report, text))


def pieces(report: Report, text: str, check: Callable[[], None] = _nothing) -> Iterator[str]:
    """The page of `page` in pieces, calling `check` every _EVERY facts (it may raise to stop)."""
    facts = _facts(report, check)
    check()
    facts = _layout(facts)
    check()
    types = [t for t in FACT_TYPES if any(f.type == t for f in facts)]
    roles = sorted({f.role for f in facts if f.role})
    colours = "".join(f"mark.fact[data-type={t}],.t-{t}{{--c:{c};background:{c}}}" for t, c in COLOURS.items())
    legend = "".join(f'<span class="t-{t}">{LABELS[t]}</span>' for t in types)
    type_options = "".join(f'<option value="{t}">{LABELS[t]}</option>' for t in types)
    role_options = "".join(f'<option value="{escape(r)}">{escape(r)}</option>' for r in roles)
    title = escape(report.title or report.source)
    yield f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title} — reportx</title><style>{_CSS}{colours}</style></head>
<body><header><h1>{title}</h1></header>
<div class="bar"><div class="legend" aria-label="colours">{legend}</div>
<label>type <select id="type-filter"><option value="">all</option>{type_options}</select></label>
<label>role <select id="role-filter"><option value="">all</option>{role_options}</select></label></div>
<main><pre id="text" aria-label="report text">"""
    for piece in _marked(text, facts):
        check()
        yield piece
    yield '</pre><aside id="panel">'
    yield from _panel_pieces(report, facts, check)
    yield f"""</aside></main>
<script>{_SCRIPT}</script></body></html>
"""
