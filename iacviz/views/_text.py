"""Text from the estate as plotly shows it: escaped, once, before any figure sees it.

plotly renders a subset of HTML in every text it draws (trace text, hover text, table cells,
axis labels, annotations): an export named ``<a href="https://evil.example/">x</a>`` would be
a live link in the export map. Names come from templates anybody may have written, so every
public figure gets its frames through :func:`escaped`, which escapes each string cell with
:func:`esc`; the markup a figure adds itself (``<b>``, ``<br>``) is added afterwards and stays.
plotly turns ``&lt;`` back into ``<`` for display, so the reader sees the name as written.

>>> esc('<a href="https://evil.example/">x</a> & co')
'&lt;a href="https://evil.example/"&gt;x&lt;/a&gt; &amp; co'
"""

from __future__ import annotations

import functools
import html
import inspect
from typing import Any, Callable

import pandas as pd

_SPECIAL = ("<", ">", "&")


def esc(text: Any) -> str:
    """`text` as a string plotly shows literally (``< > &`` escaped)."""
    return html.escape(str(text), quote=False)


def _needs(value: Any) -> bool:
    if type(value) is str:
        return "<" in value or ">" in value or "&" in value
    if isinstance(value, dict):
        return any(_needs(k) or _needs(v) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_needs(v) for v in value)
    return False


def _escape_value(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return esc(value) if ("<" in value or ">" in value or "&" in value) else value
    if kind is list:
        return [_escape_value(v) for v in value]
    if kind is tuple:
        return tuple(_escape_value(v) for v in value)
    if kind is dict:
        return {_escape_value(k): _escape_value(v) for k, v in value.items()}
    if kind is set:
        return {_escape_value(v) for v in value}
    if kind is frozenset:
        return frozenset(_escape_value(v) for v in value)
    return value


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with every string (also inside list and dict cells) escaped; `df` itself when
    nothing needs it. The index is escaped too: figures draw index labels.

    >>> escape_frame(pd.DataFrame({"stack": ["a<b>", "ok"], "n": [1, 2]}))["stack"].tolist()
    ['a&lt;b&gt;', 'ok']
    """
    out = None
    for col in df.columns:
        s = df[col]
        if s.dtype != object and not isinstance(s.dtype, pd.StringDtype):
            continue
        values = s.tolist()
        shown = repr(values)  # one C-speed pass: most columns hold no < > & at all
        if ("<" in shown or ">" in shown or "&" in shown) and any(_needs(v) for v in values):
            if out is None:
                out = df.copy()
            out[col] = pd.Series([_escape_value(v) for v in values], index=df.index, dtype=s.dtype)
    if df.index.dtype == object and any(_needs(v) for v in df.index):
        out = df.copy() if out is None else out
        out.index = [_escape_value(v) for v in df.index]
    return df if out is None else out


def _escape_graph(graph: Any) -> Any:
    """A copy of a networkx graph with node names and string attributes escaped (the graph
    itself when nothing needs it)."""
    import networkx as nx

    if not isinstance(graph, nx.Graph):
        return graph
    if not (
        any(_needs(n) or any(map(_needs, d.values())) for n, d in graph.nodes(data=True))
        or any(any(map(_needs, d.values())) for _, _, d in graph.edges(data=True))
    ):
        return graph
    out = graph.__class__()
    out.graph.update(_escape_value(dict(graph.graph)))
    out.add_nodes_from((_escape_value(n), _escape_value(dict(d))) for n, d in graph.nodes(data=True))
    out.add_edges_from(
        (_escape_value(a), _escape_value(b), _escape_value(dict(d))) for a, b, d in graph.edges(data=True)
    )
    return out


def _escape_argument(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        return escape_frame(value)
    if isinstance(value, str):
        return _escape_value(value)
    if isinstance(value, (list, tuple, dict)):
        return _escape_value(value)
    if type(value).__module__.startswith("networkx"):
        return _escape_graph(value)
    return value


def escaped(figure: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a public figure function: every frame, graph, string and list it is given
    reaches it escaped (:func:`esc`), so no text from an estate is ever read as markup."""
    signature = inspect.signature(figure)

    @functools.wraps(figure)
    def draw(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        for name, value in bound.arguments.items():
            bound.arguments[name] = _escape_argument(value)
        return figure(*bound.args, **bound.kwargs)

    draw.__signature__ = signature  # type: ignore[attr-defined]
    return draw
