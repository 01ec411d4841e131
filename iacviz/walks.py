"""The C walks of template values (``iacviz/_walks.c``), when built for this source.

A build walks every value of every template several times: the depth check of a JSON
template (:func:`iacviz.limits.too_deep`), the leaves of each resource's Properties
(``model.build._walk``) and its references with their shapes checked
(:func:`iacviz.cfn.shapes.checked_sections`); the properties frame loops over every leaf
(``model.build._properties`` and ``_driven_by``). The Python functions are the definition; the C
module does the same walks 2-3x faster (they are bound by reading memory and making the
pointer strings, not by the loop) and is used only when it is built with the INTERFACE this
code expects. Without it (no compiler at install, a stale build in a checkout, or
``IACVIZ_PURE_WALKS=1`` in the environment, read at import) the Python walks run.

>>> FAST is None or FAST.too_deep({"a": [{"b": 1}]}, 2)
True
"""

from __future__ import annotations

from typing import Any

from iacviz.native import fast_module

# The C module's INTERFACE this code is written for: a module built from older or newer source
# is not used.
_INTERFACE = 4


def _fast_walks() -> Any:
    return fast_module("iacviz._walks", _INTERFACE, "IACVIZ_PURE_WALKS")


FAST: Any = _fast_walks()
