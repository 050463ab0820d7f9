"""Two layers, imports one way: extraction (text -> Report) never imports the dataset layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "extract"
EXTRACTION = sorted(p for p in PACKAGE.rglob("*.py") if "dataset" not in p.parts and p.name != "cli.py")


def _imports(path: Path) -> list[str]:
    """Absolute names of the modules a file imports (relative imports resolved against its package)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            out += [base, *(f"{base}.{a.name}" for a in node.names)]
    return out


@pytest.mark.parametrize("path", EXTRACTION, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_extraction_does_not_import_the_dataset(path):
    bad = [m for m in _imports(path) if m == "extract.dataset" or m.startswith("extract.dataset.")]
    assert not bad, f"{path.name} imports {bad}"


def test_the_dataset_layer_is_a_subpackage():
    for name in ("store", "ingest", "sentences", "search", "stats", "export", "serve"):
        assert (PACKAGE / "dataset" / f"{name}.py").exists()
        assert not (PACKAGE / f"{name}.py").exists()
