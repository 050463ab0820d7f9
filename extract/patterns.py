"""Load the language data in `patterns/` (rules, lexicons, examples) and compose regex fragments.

Python holds the engine only: every cue word, measure word and rule lives in a YAML file there.
Files are read once per process (`functools.cache`).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import regex
import yaml

from .errors import PatternError

def _patterns_dir() -> Path:
    """Where the language data is: $REPORTX_PATTERNS; else the repository's patterns/ beside this package
    (a checkout or an editable install, where it is edited); else the copy installed with the package
    (extract/_patterns in a wheel)."""
    if os.environ.get("REPORTX_PATTERNS"):
        return Path(os.environ["REPORTX_PATTERNS"])
    here = Path(__file__).resolve().parent
    checkout = here.parent / "patterns"
    if (checkout / "numerals.yaml").exists():
        return checkout
    return here / "_patterns"


PATTERNS_DIR = _patterns_dir()


# libyaml's safe loader when PyYAML was built with it (about ten times faster: it is most of the cold
# start's pattern loading), else the pure-Python one; both read the same safe subset of YAML.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def load(name: str) -> dict[str, Any]:
    """The parsed YAML file `patterns/<name>.yaml`."""
    path = PATTERNS_DIR / f"{name}.yaml"
    try:
        with path.open(encoding="utf-8") as f:
            data = yaml.load(f, Loader=_LOADER)
    except FileNotFoundError:
        raise PatternError("pattern file missing; set REPORTX_PATTERNS to the patterns/ folder", str(path)) from None
    except yaml.YAMLError as e:
        raise PatternError(f"invalid YAML: {e}".replace("\n", " "), str(path)) from None
    if not isinstance(data, dict):
        raise PatternError("a pattern file must be a mapping", str(path))
    return data


_FIELD = regex.compile(r"\{([A-Z][A-Z_0-9]*)\}")


@functools.cache
def fragments() -> dict[str, str]:
    """All named regex fragments, each with its {NAME} references expanded.

    The shared ones come from numerals.yaml ({NUM}, {QUAL_PRE} ...); a rule file may add its own
    `fragments`, visible to its rules only (see `local_fragments`).
    """
    return _resolve(load("numerals").get("fragments") or {}, {}, "numerals")


def _resolve(raw: dict[str, str], base: dict[str, str], where: str) -> dict[str, str]:
    resolved = dict(base)
    for key, pattern in raw.items():
        resolved[key] = expand(str(pattern), resolved, where=f"{where}.{key}")
    return resolved


@functools.cache
def local_fragments(name: str) -> dict[str, str]:
    """Shared fragments plus the `fragments` of patterns/<name>.yaml.

    A file with a `labels` mapping (meaning -> words) also gets {LABELS}, and one with `suffixes`
    gets {SUFFIXES}: alternations of those words, longest first.
    """
    data = load(name)
    base = dict(fragments())
    if isinstance(data.get("labels"), dict):
        base["LABELS"] = alternation([w for words in data["labels"].values() for w in words])
    if isinstance(data.get("suffixes"), dict):
        base["SUFFIXES"] = alternation(list(data["suffixes"]))
    return _resolve(data.get("fragments") or {}, base, name)


def lookup(mapping: dict[str, list[str]]) -> dict[str, str]:
    """Invert meaning -> words into word -> meaning (the first meaning listing a word keeps it)."""
    out: dict[str, str] = {}
    for meaning, words in mapping.items():
        for w in words:
            out.setdefault(w, meaning)
    return out


def expand(pattern: str, table: dict[str, str] | None = None, where: str = "") -> str:
    """Replace {NAME} with the fragment NAME (wrapped in a non-capturing group)."""
    table = fragments() if table is None else table

    def sub(m: regex.Match) -> str:
        key = m.group(1)
        if key not in table:
            raise PatternError(f"unknown fragment {{{key}}} in {where or pattern!r}")
        return f"(?:{table[key]})"

    # {2,3} style quantifiers are left alone: only UPPER_CASE names are fragments.
    return _FIELD.sub(sub, pattern)


def compile_rule(pattern: str, where: str, table: dict[str, str] | None = None) -> regex.Pattern:
    try:
        return regex.compile(expand(pattern, table, where=where), regex.VERBOSE)
    except regex.error as e:
        raise PatternError(f"rule {where}: {e}") from None


def alternation(words: list[str]) -> str:
    """A regex alternation of literal words, longest first so 上年结转资金 wins over 上年结转."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))


class LazyPattern:
    """A rule's regex compiled when first used: a rule behind a `requires` gate that finds nothing
    (most reports have no 角/分, ¥ or 个百分点) is never compiled, which keeps a cold start short."""

    __slots__ = ("_source", "_where", "_flags", "_rx")

    def __init__(self, source: str, where: str, flags: int = regex.VERBOSE):
        self._source, self._where, self._flags, self._rx = source, where, flags, None

    def compiled(self) -> regex.Pattern:
        if self._rx is None:
            try:
                self._rx = regex.compile(self._source, self._flags)
            except regex.error as e:
                raise PatternError(f"rule {self._where}: {e}") from None
        return self._rx

    def finditer(self, *args, **kwargs):
        return self.compiled().finditer(*args, **kwargs)

    def __getattr__(self, name: str):   # search, match, fullmatch, pattern …
        if name.startswith("_"):   # copy/pickle probe these before __init__ ran: never recurse
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __reduce__(self):
        return LazyPattern, (self._source, self._where, self._flags)


@functools.cache
def compiled_rules(name: str) -> tuple[tuple[dict[str, Any], regex.Pattern], ...]:
    """The `rules` of patterns/<name>.yaml with their compiled regexes, in file order (a gated
    rule's regex is compiled when its gate first finds something: LazyPattern)."""
    table = local_fragments(name)
    out = []
    for r in load(name).get("rules") or []:
        if "id" not in r or "pattern" not in r:
            raise PatternError(f"every rule needs an id and a pattern: {r!r}", f"patterns/{name}.yaml")
        if r.get("requires"):
            out.append((r, LazyPattern(expand(r["pattern"], table, where=r["id"]), r["id"])))
        else:
            out.append((r, compile_rule(r["pattern"], r["id"], table)))
    return tuple(out)


@functools.cache
def compiled_requires(name: str) -> dict[str, regex.Pattern]:
    """rule id -> its `requires` regex: a cheap search that must succeed somewhere in the text before
    the rule is run at all (百分点 for points.change), so a rare form costs nothing in most reports."""
    table = local_fragments(name)
    return {r["id"]: compile_rule(r["requires"], f"{r['id']}.requires", table)
            for r in load(name).get("rules") or [] if r.get("requires")}
