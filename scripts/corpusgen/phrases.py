"""The generator's language: the YAML files in phrases/ beside this module, loaded once each.

Each file is a mapping; `load("units")["departments"]` is the list in phrases/units.yaml. The engine
draws from these lists in their order, so reordering a list changes the corpus (as editing it does).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

PHRASES = Path(__file__).resolve().parent / "phrases"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load(name: str) -> dict:
    """The mapping in phrases/<name>.yaml."""
    with open(PHRASES / f"{name}.yaml", encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=_Loader)
    if not isinstance(data, dict):
        raise TypeError(f"{PHRASES / name}.yaml: expected a mapping at the top")
    return data
