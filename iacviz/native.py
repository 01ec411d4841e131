"""Picking one of iacviz's optional C extensions, the rule all three share.

Each C module (the YAML fast path, the JSON token walk, the per-value walks) has a Python twin
that is its definition. A module is used only when it is built, was built from the source this
code expects (its ``INTERFACE`` constant), and is not turned off by its environment variable
(``IACVIZ_PURE_YAML``, ``IACVIZ_PURE_JSON``, ``IACVIZ_PURE_WALKS``, read at import): a stale
build left in a checkout is never trusted with what it does not do.

>>> fast_module("iacviz.no_such_module", 1, "IACVIZ_PURE_NOTHING") is None
True
"""

from __future__ import annotations

import importlib
import os
from typing import Any

__all__ = ["fast_module"]


def fast_module(name: str, interface: int, off: str) -> Any:
    """The C module `name` when built with `interface` and not turned off by `off`, else None."""
    if os.environ.get(off, "") not in ("", "0"):
        return None
    try:  # by name: a checkout without the built module type-checks the same
        module = importlib.import_module(name)
    except ImportError:
        return None
    return module if getattr(module, "INTERFACE", None) == interface else None
