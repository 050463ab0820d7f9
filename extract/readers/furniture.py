"""Page furniture shared by the readers of laid-out pages (pdf.py, ofd.py): page numbers in the margins.

The forms are language data, in patterns/readers.yaml (`page_numbers`), each with examples.

| line in a margin | page | at the foot | page number? |
|------------------|------|-------------|--------------|
| - 3 -            | any  | either      | yes          |
| 第3页 共5页       | any  | either      | yes          |
| 3                | 3    | yes         | yes          |
| 100              | 2    | no (top)    | no: a total that ran over the page |
"""

from __future__ import annotations

import functools

import regex

from .. import patterns


@functools.cache
def _forms() -> tuple[regex.Pattern, regex.Pattern]:
    """(every form, the bare-number forms), each anchored to the whole line."""
    forms = patterns.load("readers")["page_numbers"]
    every = "|".join(f"(?:{f['pattern']})" for f in forms)
    bare = "|".join(f"(?:{f['pattern']})" for f in forms if f.get("bare"))
    return regex.compile(rf"^\s*(?:{every})\s*$"), regex.compile(rf"^\s*(?:{bare})\s*$")


def page_number(line: str, page: int, at_foot: bool) -> bool:
    """Whether a margin line of the 1-based `page` is its page number (see the module's table)."""
    every, bare = _forms()
    text = " ".join(line.split())
    if not every.match(text):
        return False
    if bare.match(text):
        return at_foot and 0 <= page - int(text) <= 2
    return True


def form_id(line: str) -> str | None:
    """The id of the page-number form a line is written in (for the pattern tests), or None."""
    for f in patterns.load("readers")["page_numbers"]:
        if regex.fullmatch(rf"\s*(?:{f['pattern']})\s*", " ".join(line.split())):
            return f["id"]
    return None
