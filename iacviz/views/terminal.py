"""Tables for a terminal: identifiers never cut, the width of the terminal (or ``COLUMNS``) respected.

A name cut to ``StorefrontNetworkStack:ExportsOutput…`` cannot be copied into the next
command, so every cell *folds* onto more lines instead of being cut; when the table has more
columns than fit, the low-value columns are left out first (the footer names them) rather
than squeezing the identifiers into slivers.

>>> import pandas as pd
>>> df = pd.DataFrame({"export_name": ["Storefront:ExportsOutputFnGetAttVpcCidrBlock5AC2C2D9"],
...                    "stack": ["Storefront"], "note": ["x" * 30]})
>>> print(table_text(df, width=40, drop_first=["note"]))  # doctest: +NORMALIZE_WHITESPACE
┏━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┓
┃ export_name             ┃ stack      ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━┩
│ Storefront:ExportsOutpu │ Storefront │
│ tFnGetAttVpcCidrBlock5A │            │
│ C2C2D9                  │            │
└─────────────────────────┴────────────┘
 left out for width: note (--format csv
     or a wider terminal shows them)
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from typing import Any, Iterable, Sequence

import pandas as pd

__all__ = ["terminal_width", "table_text", "cell_text"]

MIN_COLUMN = 8  # a column narrower than this is unreadable: drop low-value columns instead
DEFAULT_WIDTH = 160  # piped output with no COLUMNS: wide enough for most tables, stable for tests


def terminal_width(stream: Any = None) -> int:
    """Columns to draw in: ``COLUMNS`` when set (also when piped), else the terminal's, else 160.

    >>> import os
    >>> os.environ["COLUMNS"] = "100"; terminal_width(); del os.environ["COLUMNS"]
    100
    """
    env = os.environ.get("COLUMNS", "")
    if env.strip().isdigit() and int(env) > 0:
        return int(env)
    stream = stream or sys.stdout
    try:
        if stream.isatty():
            return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    except (AttributeError, ValueError, OSError):
        pass
    return DEFAULT_WIDTH


def cell_text(value: Any) -> str:
    """A cell as plain text: NA empty, lists comma-joined, everything else ``str``.

    >>> cell_text(["a", "b"]), cell_text(None), cell_text(float("nan"))
    ('a, b', '', '')
    """
    if value is None or (not isinstance(value, (list, tuple, dict, set)) and bool(pd.isna(value))):
        return ""
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, default=str, sort_keys=True)
    return str(value)


def _fits(columns: Sequence[str], rows: list[list[str]], width: int) -> bool:
    # rich needs 3 characters per column for borders and padding, plus one
    room = width - 3 * len(columns) - 1
    if room < MIN_COLUMN * len(columns):
        return False
    # each column needs at least its longest word (or MIN_COLUMN) to fold without mid-word breaks everywhere
    need = 0
    for i, name in enumerate(columns):
        longest = max([len(w) for r in rows[:500] for w in r[i].split()] + [len(name)], default=0)
        need += min(max(longest, 1), MIN_COLUMN * 3)
    return need <= room


def table_text(
    df: pd.DataFrame,
    *,
    title: str | None = None,
    width: int | None = None,
    drop_first: Iterable[str] = (),
    styles: Sequence[str | None] | None = None,
    color: bool = False,
) -> str:
    """`df` as a rich table in `width` columns (default :func:`terminal_width`); nothing is cut.

    Cells fold onto more lines; when the columns do not fit, those of `drop_first` are left
    out in that order until they do, and a footer says which (use ``--format csv`` or a wider
    terminal for all). `styles`: a rich style per row.
    """
    from rich.console import Console
    from rich.table import Table

    width = width or terminal_width()
    columns = [str(c) for c in df.columns]
    rows = [[cell_text(v) for v in rec] for rec in df.itertuples(index=False)]
    dropped: list[str] = []
    for name in drop_first:
        if _fits(columns, rows, width) or name not in columns:
            continue
        i = columns.index(name)
        columns.pop(i)
        for r in rows:
            r.pop(i)
        dropped.append(name)
    caption = (
        f"left out for width: {', '.join(dropped)} (--format csv or a wider terminal shows them)" if dropped else None
    )
    table = Table(title=title, caption=caption, header_style="bold", show_lines=False)
    for name in columns:
        table.add_column(name, overflow="fold")
    for i, row in enumerate(rows):
        table.add_row(*row, style=styles[i] if styles else None)
    buffer = io.StringIO()
    Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="auto" if color else None,
        highlight=False,
        soft_wrap=False,
    ).print(table)
    return buffer.getvalue()


def blast_summary(blast: pd.DataFrame) -> str:
    """One line about a blast radius: how many resources in how many stacks, counts by impact
    (worst first), and how many changes CloudFormation would refuse.

    >>> b = pd.DataFrame({"stack": ["net", "app", "app"], "impact": ["replaced", "updated", "updated"],
    ...                   "blocked": ["", "Export net-VpcId is in use", ""]})
    >>> blast_summary(b)
    '3 affected in 2 stacks: 1 replaced, 2 updated; 1 blocked'
    """
    from ._palette import IMPACT_ORDER

    if blast.empty:
        return "nothing affected"
    counts = blast.impact.value_counts()
    known = [i for i in IMPACT_ORDER if i in counts] + sorted(set(counts.index) - set(IMPACT_ORDER))
    n_blocked = int(sum(isinstance(b, str) and bool(b) for b in blast.blocked)) if "blocked" in blast else 0
    return (
        f"{len(blast)} affected in {blast['stack'].nunique()} stack{'s' if blast['stack'].nunique() != 1 else ''}: "
        + ", ".join(f"{counts[i]} {i}" for i in known)
        + f"; {n_blocked} blocked"
    )
