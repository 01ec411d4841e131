"""Where the bundled sample estate and scenarios live, and package data (type tables).

>>> sample_estate().name
'sample-estate'
"""
from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_REPO_DATA = _HERE.parents[1] / "data"


def sample_estate() -> Path:
    """Folder of the bundled sample estate (the "shop" application)."""
    return _REPO_DATA / "sample-estate"


def scenario(name: str) -> Path:
    """Folder of a change scenario, e.g. ``scenario("release-2")``: the estate after a release.

    >>> scenario("release-2").name
    'release-2'
    """
    return _REPO_DATA / "scenarios" / name


def package_file(name: str) -> Path:
    """A data file shipped inside the package (e.g. ``resource_types.csv``)."""
    return _HERE / name
