"""`Estate`: one immutable object holding an estate as tidy pandas frames.

The model builds the base frames (stacks, resources, properties, ...); a live estate also
holds its live frames (unmanaged, live_exports, live_imports). Analyses add frames of their
own (exports, imports, ...) by registering a function with :func:`derived_frame`; the estate
computes such a frame on first access and keeps it. That way the model never imports the
analyses above it, yet ``estate.exports`` just works. Any other name raises AttributeError:
an estate never makes up a frame (``estate.plan`` is :func:`iacviz.plan_changes`' job).

>>> from iacviz.schema import frame
>>> e = Estate({"stacks": frame("stacks", [{"stack": "net"}])})
>>> e.stacks["stack"].tolist(), len(e.resources)
(['net'], 0)
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import pandas as pd

from .. import schema
from ..sources.raw import RawStack
from .identity import resolve_stack
from .snapshot import sql as _sql, to_parquet as _to_parquet

BASE_FRAMES = (
    "stacks",
    "resources",
    "properties",
    "parameters",
    "outputs",
    "conditions",
    "mappings",
    "references",
    "option_settings",
    "blue_green",
    "script_reads",
    "errors",
)

_DERIVED: dict[str, Callable[["Estate"], pd.DataFrame]] = {}
# Derived frames whose module is imported only when one of them is first asked for: the
# package names them (iacviz/__init__.py), so loading an estate never imports the analyses,
# their graph library or cfn-lint's rules it does not use.
_LATER: dict[str, Callable[[], Any]] = {}


def derived_frame(name: str) -> Callable:
    """Register ``fn(estate) -> DataFrame`` as the estate frame `name`, computed lazily.

    >>> @derived_frame("n_stacks")
    ... def _n(estate): return pd.DataFrame({"n": [len(estate.stacks)]})
    >>> Estate({}).n_stacks.n.tolist()
    [0]
    >>> del _DERIVED["n_stacks"]  # an example, not a frame of iacviz
    """

    def register(fn: Callable[["Estate"], pd.DataFrame]) -> Callable:
        _DERIVED[name] = fn
        return fn

    return register


def derived_frame_later(name: str, load: Callable[[], Any]) -> None:
    """Declare the derived frame `name`, registered by whatever ``load()`` imports.

    ``load`` runs on the first access to `name` (or to every derived frame), and must register
    it with :func:`derived_frame`.

    >>> derived_frame_later("n_stacks", lambda: derived_frame("n_stacks")(lambda e: pd.DataFrame({"n": [1]})))
    >>> Estate({}).n_stacks.n.tolist()
    [1]
    >>> del _DERIVED["n_stacks"]  # an example, not a frame of iacviz
    """
    if name not in _DERIVED:
        _LATER[name] = load


def _derived(name: str) -> Callable[["Estate"], pd.DataFrame] | None:
    if name not in _DERIVED and name in _LATER:
        _LATER.pop(name)()
    return _DERIVED.get(name)


def _derived_names() -> list[str]:
    return list(_DERIVED) + [n for n in _LATER if n not in _DERIVED]


class Estate:
    """An estate: every stack read from files, a cloud assembly, a live account or a snapshot.

    Attributes are DataFrames whose columns are documented in :mod:`iacviz.schema`
    (``iacviz.schema.describe("resources")``). Frames are shared, not copied: treat them as
    read-only, as pandas' copy-on-write makes any change you do make local to you.
    """

    __slots__ = ("_frames", "_raw_stacks", "region", "_cache")

    def __init__(
        self,
        frames: Mapping[str, pd.DataFrame | Callable[[], pd.DataFrame]],
        raw_stacks: list[RawStack] | Callable[[], list[RawStack]] | None = None,
        region: str = "us-east-1",
    ):
        # A frame may be given as a function that builds it: it is called on first access and
        # its result kept (see _built), so an estate pays only for the frames it is asked for.
        object.__setattr__(self, "_frames", dict(frames))
        object.__setattr__(self, "_raw_stacks", raw_stacks if callable(raw_stacks) else list(raw_stacks or []))
        object.__setattr__(self, "region", region)
        object.__setattr__(self, "_cache", {})

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_"):
            raise AttributeError(name)
        frames = object.__getattribute__(self, "_frames")
        if name in frames:
            return self._built(name)
        cache = object.__getattribute__(self, "_cache")
        if name in cache:
            return cache[name]
        derive = _derived(name)
        if derive is not None:
            cache[name] = derive(self)
            return cache[name]
        if name in BASE_FRAMES:  # every estate has them; one made without a base frame has no such rows
            cache[name] = schema.frame(name, [])
            return cache[name]
        # Nothing else is invented: an empty frame of an analysis result (findings, plan) or of a
        # live estate (unmanaged) would read as "none found" where nothing was looked for.
        known = sorted(set(BASE_FRAMES) | set(frames) | set(_derived_names()))
        raise AttributeError(f"Estate has no frame {name!r}; its frames: {', '.join(known)}")

    @property
    def raw_stacks(self) -> list[RawStack]:
        """The stacks as read (templates after transforms), one `RawStack` each."""
        raws = object.__getattribute__(self, "_raw_stacks")
        if callable(raws):  # loaded on first use (a cached estate's templates)
            raws = list(raws())
            object.__setattr__(self, "_raw_stacks", raws)
        return raws

    def _pending_frames(self) -> dict[str, pd.DataFrame | Callable[[], pd.DataFrame]]:
        # The base frames as held: built, or the function that builds each (for the cache).
        return dict(object.__getattribute__(self, "_frames"))

    def _built(self, name: str) -> pd.DataFrame:
        frames = object.__getattribute__(self, "_frames")
        df = frames[name]
        if not isinstance(df, pd.DataFrame):
            df = frames[name] = df()
        return df

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Estate is immutable; build a new one with Estate.replace(...)")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._frames) | set(_derived_names()))

    def __repr__(self) -> str:
        counts = ", ".join(f"{n}={len(self._built(n))}" for n in ("stacks", "resources", "errors") if n in self._frames)
        return f"<Estate {counts}>"

    def frames(self, derived: bool = False) -> dict[str, pd.DataFrame]:
        """The base frames by name (and every derived frame too when `derived`).

        >>> sorted(Estate({}).frames())[:3]
        ['blue_green', 'conditions', 'errors']
        """
        out = {name: getattr(self, name) for name in BASE_FRAMES}
        out.update({k: self._built(k) for k in self._frames if k not in out})
        if derived:
            out.update({name: getattr(self, name) for name in _derived_names()})
        return out

    def replace(self, **frames: pd.DataFrame) -> "Estate":
        """A new estate with some frames swapped (derived frames are recomputed).

        >>> Estate({}).replace(errors=schema.frame("errors", [{"message": "x"}])).errors.message[0]
        'x'
        """
        merged = {**self._frames, **frames}
        return Estate(merged, object.__getattribute__(self, "_raw_stacks"), self.region)

    def stack(self, name: str) -> "Estate":
        """The same estate reduced to one stack's rows (analyses across stacks then see one).

        `name` is a stack key, or anything :func:`iacviz.model.identity.resolve_stack` reads
        (a unique stack name, ``net@prod``...).

        >>> Estate({}).stack("net").resources.empty
        True
        """
        stacks = self._frames.get("stacks")
        if stacks is not None and len(stacks):
            name = resolve_stack(stacks, name)
        out = {}
        for key in self._frames:
            df = self._built(key)
            col = "stack" if "stack" in df.columns else ("source_stack" if "source_stack" in df.columns else None)
            out[key] = df[df[col] == name].reset_index(drop=True) if col else df
        return Estate(out, [r for r in self.raw_stacks if r.name == name], self.region)

    def to_parquet(self, folder: str) -> None:
        """Write a snapshot of this estate (see :func:`iacviz.read_snapshot`)."""
        _to_parquet(self, folder)

    def sql(self, query: str) -> pd.DataFrame:
        """Run DuckDB SQL over the frames, each a table named after it.

        >>> Estate({}).sql("select count(*) as n from resources").n[0]  # doctest: +SKIP
        0
        """
        return _sql(self, query)
