"""Shared by the tests: where the bundled data and the shared corpus are, and how to write a
small estate of templates into a temporary folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample-estate"
CORPUS = ROOT.parent / "shared" / "corpus"


def write(root: Path, rel: str, text: str) -> Path:
    """Write `text` (dedented) to root/rel, creating folders; returns the path."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path
