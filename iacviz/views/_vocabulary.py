"""The keyword vocabulary of iacviz's figures: every parameter name, documented once.

Every public figure function takes frames first and then keywords from this dictionary,
and its docstring's ``Parameters`` section is written by :func:`document` from it (as
plotly.express does with its ``docs`` map). Unlike plotly, a parameter missing from the
vocabulary is an error at import time, not a "(documentation missing)" line, and
``tests/test_figures.py`` checks every public figure against it as well.

>>> @document
... def f(stacks, *, title=None):
...     '''Draw.
...
...     {parameters}
...     '''
>>> print(f.__doc__.split("Parameters")[1].splitlines()[2].strip())
stacks : DataFrame
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Callable

# name -> (type, description). Frames first, then keywords, in the order a reader meets them.
VOCABULARY: dict[str, tuple[str, str]] = {
    # -- frames -------------------------------------------------------------------------------
    "stacks": (
        "DataFrame",
        "``estate.stacks``: one row per stack. Uses ``stack`` and, when present, "
        "``modality``, ``parent_stack``, ``n_resources``, ``account`` and ``region`` (several "
        "account-regions: each stack's text names its own, :func:`iacviz.views.grouping.stack_labels`).",
    ),
    "imports": (
        "DataFrame",
        "``estate.imports``: one row per ``Fn::ImportValue``. Uses ``stack``, ``source``, "
        "``path``, ``export_name``, ``export_stack``, ``export_output``, ``link`` and, for "
        "ambiguous links, ``candidate_stacks``.",
    ),
    "exports": (
        "DataFrame or None",
        "``estate.exports``: one row per export. Uses ``export_name``, ``stack``, "
        "``output`` and ``n_importers``; exports nobody imports are marked. None: "
        "unused exports are not shown.",
    ),
    "resources": (
        "DataFrame",
        "``estate.resources``: one row per resource. Uses ``stack``, ``logical_id``, ``type`` and ``modality``.",
    ),
    "properties": (
        "DataFrame",
        "``estate.properties``: one row per property leaf. Uses ``stack``, "
        "``logical_id``, ``path`` and ``update_behavior``.",
    ),
    "blast": (
        "DataFrame",
        "result of :func:`iacviz.blast_radius`: one row per affected resource with "
        "``stack``, ``logical_id``, ``type``, ``depth``, ``path``, ``stateful``, "
        "``protected``, ``impact`` and ``blocked``.",
    ),
    "graph": (
        "networkx.DiGraph or Estate",
        "the resource graph of :func:`iacviz.resource_graph` (or an estate, whose resource graph is then computed).",
    ),
    "plan": (
        "DataFrame",
        "result of :func:`iacviz.plan_changes`: one row per resource change with "
        "``stack``, ``logical_id``, ``resource_type``, ``action``, ``replacement``, "
        "``details``, ``data_loss`` and ``blocked``.",
    ),
    "replacement": (
        "DataFrame",
        "result of :func:`iacviz.replacement_prone`: one row per create-only "
        "property whose value comes from a parameter, mapping or import.",
    ),
    "coverage": (
        "DataFrame",
        "result of :func:`iacviz.iac_coverage`: one row per service with ``managed``, "
        "``unmanaged`` (click-ops), ``service_managed``, ``aws_default`` and ``coverage_pct``.",
    ),
    "estate": ("Estate", "an estate, e.g. from :func:`iacviz.load`."),
    # -- keywords -----------------------------------------------------------------------------
    "title": ("str or None", "figure title; None: a title saying what is drawn."),
    "height": ("int or None", "figure height in pixels; None: sized to the content."),
    "collapse_by_service": (
        "bool, dict, callable or None",
        "group stacks into services to keep large estates "
        "readable. True: nested stacks join their root parent and a stack name is cut at "
        "its first ``-``, ``_`` or ``.`` (``orders-api`` -> ``orders``); a dict maps stack "
        "-> group (unlisted stacks stay as they are); a callable takes a stack name and "
        "returns its group. None or False: one node per stack.",
    ),
    "edges": (
        "{'export', 'stack'} or None",
        "``export``: one edge per export and importing stack (width: "
        "number of importing resources); ``stack``: one edge per pair of "
        "stacks (width: number of exports); None: ``export``, or ``stack`` "
        "when stacks are grouped.",
    ),
    "focus": (
        "str or None",
        "draw this stack and its direct neighbours (the stacks it imports from, those "
        "importing from it, also ambiguously, its parent and children) one by one, and "
        "group all other stacks.",
    ),
    "max_nodes": (
        "int or None",
        "past this many stacks, group them so the figure stays readable: by name "
        "prefix, folder or modality (split by account:region when there are several), "
        "whichever first gives 2 to max_nodes groups (:func:`iacviz.views.grouping."
        "auto_groups`); the title says how. None: never group.",
    ),
    "order": (
        "list of str or None",
        "stack names in deployment order (e.g. :func:`iacviz.deployment_order`); None: derived from the imports.",
    ),
    "labels": ("bool or None", "write names next to the nodes; None: only when there are at most 60 nodes."),
    "seed": ("int", "seed of the graph layout, so the same graph is always drawn the same way."),
    "context": ("int", "also draw the unaffected resources up to this many edges away from an affected one (grey)."),
    "max_rows": ("int or None", "show at most this many rows (a note says how many were left out)."),
}


def vocabulary_entry(name: str) -> str:
    """The numpydoc entry of one keyword.

    >>> vocabulary_entry("seed").splitlines()[0]
    'seed : int'
    """
    kind, text = VOCABULARY[name]
    body = textwrap.fill(text, width=88, initial_indent="    ", subsequent_indent="    ")
    return f"{name} : {kind}\n{body}"


def document(fn: Callable) -> Callable:
    """Write the ``{parameters}`` placeholder of `fn`'s docstring from :data:`VOCABULARY`.

    Raises ``KeyError`` (at import) for a parameter the vocabulary does not document.
    """
    names = [p for p in inspect.signature(fn).parameters]
    missing = [n for n in names if n not in VOCABULARY]
    if missing:
        raise KeyError(f"{fn.__qualname__}: parameters {missing} are not in the figure vocabulary")
    doc = inspect.cleandoc(fn.__doc__ or "")
    section = "Parameters\n----------\n" + "\n".join(vocabulary_entry(n) for n in names)
    fn.__doc__ = doc.replace("{parameters}", section)
    return fn
