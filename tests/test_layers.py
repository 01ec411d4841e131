"""Data flows one way: cfn -> sources -> model -> analysis -> rules/views -> lab -> cli.

A module may import from its own layer and the layers below it, never from a layer above.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "iacviz"
# Layer of each top-level part of the package; shared leaves (errors, schema, data) sit at 0.
LAYERS = {
    "_version": 0,
    "errors": 0,
    "schema": 0,
    "data": 0,
    "limits": 0,
    "walks": 0,
    "native": 0,
    "gc_pause": 0,
    "recent": 0,
    "cfn": 1,
    "sources": 2,
    "model": 3,
    "analysis": 4,
    "rules": 5,
    "views": 5,
    "lab": 6,
    "cli": 7,
    "__main__": 7,
    "__init__": 8,
}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "iacviz" else parts[0]


def _imports(path: Path) -> list[tuple[int, str]]:
    here = "iacviz." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = here.split(".")[: -node.level]
                target = ".".join(base + ([node.module] if node.module else []))
                names = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
            else:
                names = [node.module or ""]
            found += [(node.lineno, n) for n in names if n.startswith("iacviz")]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("iacviz")]
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_from_its_layer_or_below(path):
    rel = path.relative_to(PACKAGE)
    own = rel.parts[0].removesuffix(".py")
    assert own in LAYERS, f"{rel}: new top-level module, give it a layer in tests/test_layers.py"
    for line, module in _imports(path):
        target = _part(module)
        if target in ("iacviz", ""):
            continue
        assert LAYERS.get(target, 99) <= LAYERS[own], (
            f"{rel}:{line} imports {module} ({target}, layer {LAYERS.get(target)}) from layer {LAYERS[own]} ({own})"
        )
