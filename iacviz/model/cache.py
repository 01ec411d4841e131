"""Re-loading an unchanged estate without reading or building it again.

:func:`iacviz.load` of a folder asks this module first. The **key** of a load is a hash of
everything its result depends on:

* the content of every file the reader could read below the paths (the same folders the
  reader walks; a file's bytes, not its time stamp), and the set of those files;
* the parameters, the region and the paths as given;
* the iacviz code (a hash of the package's own files, so an upgrade or an edit invalidates)
  and the versions of Python, pandas, pyarrow and cfn-lint (its schemas give update behaviour).

Same key, same estate:

* **in this process**, the estate's frames are shared with the last loads (frames are
  read-only; a user's change to a frame stays local under pandas' copy-on-write);
* **in a folder** (``cache=`` a folder, or the ``IACVIZ_CACHE`` environment variable), each
  frame is written once it has been built and read back only when first accessed, and the
  raw stacks (templates as parsed) are loaded on first use. An entry missing a frame rebuilds
  it from the cached raw stacks, without reading a file.

On a miss, templates whose bytes did not change are not parsed again
(:class:`iacviz.sources.template_cache.TemplateCache`), and only the stacks that changed are
built again: each stack's rows (a *piece*, :mod:`iacviz.model.build`) are kept in this
process under a hash of everything they are built from (the stack as read, the parameter
values the user gives it, the region), one store per iacviz code version (:func:`pieces`).
In a folder, pieces are kept too (:class:`_FolderPieces`, marshal of plain lists, checked
by a hash): a new process builds again only the stacks no earlier load built.

The folder holds pickles (frames) and marshal files (templates, pieces): only a folder the
user owns, not writable by group or others, is used (created with mode 0700); anything else is
ignored and the estate is read as usual. A damaged entry or piece is a miss.

>>> key1 = load_key(["no-such-folder"], None, "us-east-1")
>>> key1 == load_key(["no-such-folder"], {"net": {"Env": "prod"}}, "us-east-1")
False
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import pickle
import platform
import shutil
import stat
import sys
import threading
import time
from collections.abc import MutableMapping
from dataclasses import asdict, fields, is_dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pandas as pd

from ..gc_pause import paused_gc
from ..recent import Recent
from ..limits import LimitError, inside, read_regular_file
from ..sources.files import walk_candidates
from ..sources.template_text import MAX_TEMPLATE_BYTES
from ..sources.raw import ErrorRow, RawStack
from ..sources.template_cache import TemplateCache
from ..sources.template_cache import write_atomic as _write_atomic
from .estate import BASE_FRAMES

ENV = "IACVIZ_CACHE"
_MEMORY_ESTATES = 4  # the last loads (a notebook's estate, plan_changes' two versions, ...)
_MEMORY_PIECES = 10_000  # built stacks: a 2,000-stack estate in five versions
_DISK_PIECES = 10_000  # the same in a cache folder (~35 kB a stack of 50 resources, walked)
_memory: Recent = Recent(_MEMORY_ESTATES)
_templates: dict[str | None, TemplateCache] = {}
_pieces: dict[str, Recent] = {}
_folders: dict[Path, "_FolderPieces"] = {}
_setup_lock = threading.Lock()  # a cache folder is made and pruned by one thread, once
_code: list[str] = []


def clear() -> None:
    """Forget every estate, template and built stack remembered in this process (folders are left alone).

    >>> clear()
    """
    _memory.clear()
    _templates.clear()
    _pieces.clear()
    _folders.clear()


def code_version() -> str:
    """A hash of the iacviz package's files and of the library versions the result depends on.

    >>> len(code_version())
    32
    """
    if not _code:
        h = hashlib.blake2b(digest_size=16)
        root = Path(__file__).resolve().parents[1]
        for path in sorted(root.rglob("*")):
            if (
                path.is_file()
                # .c/.so: the YAML reader's C fast path parses what the template cache keeps
                and path.suffix in (".py", ".json", ".yaml", ".yml", ".gz", ".c", ".so")
                and "__pycache__" not in path.parts
            ):
                h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        for dist in ("pandas", "pyarrow", "cfn-lint", "aws-sam-translator"):
            try:
                h.update(f"{dist}={metadata.version(dist)}\0".encode())
            except metadata.PackageNotFoundError:
                h.update(f"{dist}=-\0".encode())
        h.update(f"{platform.python_implementation()} {sys.version}".encode())
        # the fast path switched off (IACVIZ_PURE_YAML) must parse again, not reuse its parses
        from ..sources import cfn_yaml

        h.update(b"yaml-fast-path" if cfn_yaml._FAST is not None else b"yaml-python-path")
        _code.append(h.hexdigest())
    return _code[0]


def load_key(paths: Iterable[str | os.PathLike], parameters: Any, region: str, follow_outside: bool = False) -> str:
    """The key of ``iacviz.load(*paths, parameters=..., region=...)``: equal keys, equal estates.

    Files are read as the reader reads them (regular files only, bounded); a symlink counts by
    where it points, and by its content only where the reader would follow it.
    """
    h = hashlib.blake2b(digest_size=20)
    h.update(code_version().encode())
    if is_dataclass(parameters) and not isinstance(parameters, type):  # ParameterValues
        parameters = asdict(parameters)
    h.update(json.dumps([parameters or {}, region, bool(follow_outside)], sort_keys=True, default=repr).encode())
    for path in paths:
        path = Path(path)
        root = path if path.is_dir() else path.parent
        h.update(b"\0root\0" + str(path.resolve()).encode() + b"\0" + str(path).encode())
        for file in walk_candidates(path):
            h.update(b"\0file\0" + str(file).encode() + b"\0")
            if file.is_symlink():
                h.update(b"link\0" + os.fsencode(os.readlink(file)) + b"\0")
                if not follow_outside and not inside(file, root):
                    continue  # the reader refuses it: its content is not part of the answer
            try:
                data = read_regular_file(file, MAX_TEMPLATE_BYTES)
            except (OSError, LimitError) as exc:  # unreadable, too big, not a file: so is the answer
                try:
                    st = file.stat()
                    seen = f"{st.st_size}/{st.st_mtime_ns}"
                except OSError:
                    seen = "-"
                data = f"<{type(exc).__name__} {exc} {seen}>".encode()
            h.update(hashlib.blake2b(data, digest_size=16).digest())
    return h.hexdigest()


def folder_from(cache: bool | str | os.PathLike | None) -> Path | None:
    """The cache folder `cache` names: a path, else ``$IACVIZ_CACHE`` when set, else none."""
    if cache is not None and cache is not True and cache is not False:
        return Path(cache)
    env = os.environ.get(ENV)
    return Path(env) if env else None


def templates(folder: Path | None) -> TemplateCache:
    """The parsed-template cache of this process (kept in `folder` too when given)."""
    key = str(folder) if folder else None
    if key not in _templates:
        _templates[key] = TemplateCache(folder / "templates" / code_version() if folder else None)
    return _templates[key]


def pieces(folder: Path | None = None) -> MutableMapping[str, Any]:
    """The stacks built before (``build_estate(..., pieces=)``), for this code version.

    Kept in this process and, given a `folder` (one :func:`usable` said yes to), in its
    ``pieces/<code version>`` folder too: a new process re-uses the stacks an earlier one built.
    A piece's key covers what the stack is built from, not the code that builds it: pieces
    built by another version are dropped with their store (and their folder).

    >>> pieces() is pieces()
    True
    """
    version = code_version()
    if version not in _pieces:
        _pieces.clear()
        _folders.clear()
        _pieces[version] = Recent(_MEMORY_PIECES)
    memory = _pieces[version]
    if folder is None:
        return memory
    where = folder / "pieces" / version
    if where not in _folders:
        _folders[where] = _FolderPieces(memory, where)
    return _folders[where]


class _FolderPieces(MutableMapping[str, Any]):
    """Pieces in this process's store, backed by a folder: one file per piece, named by its key.

    A piece is written when it is built (marshal of plain lists, :func:`build.dump_piece`;
    one that marshal cannot write exactly stays in memory only), its walked properties when
    they are first walked, beside it. A file is checked against a hash of this code version,
    the key and its bytes before it is read: a damaged or foreign file is a miss, built again.
    The folder keeps the last :data:`_DISK_PIECES` pieces used (file times), pruned once per
    process; other code versions' folders are removed then.
    """

    def __init__(self, memory: Recent, where: Path) -> None:
        self.memory, self.ready = memory, False
        self.where: Path | None = where

    def _folder(self) -> Path | None:
        if not self.ready:
            with _setup_lock:  # ready only once set up: another thread waits, never half-made
                if not self.ready:
                    try:
                        self.where.mkdir(parents=True, exist_ok=True, mode=0o700)
                    except OSError:
                        self.where = None  # not writable: memory only
                    else:
                        _prune(self.where)
                    self.ready = True
        return self.where

    def get(self, key: Any, default: Any = None) -> Any:
        piece = self.memory.get(key)
        if piece is None:
            piece = self._read(key)
            if piece is not None:
                self.memory[key] = piece
        return default if piece is None else piece

    def __getitem__(self, key: str) -> Any:
        piece = self.get(key)
        if piece is None:
            raise KeyError(key)
        return piece

    def __setitem__(self, key: str, piece: Any) -> None:
        self.memory[key] = piece
        where = self._folder()
        if where is None:
            return
        from .build import dump_piece

        blob = dump_piece(piece)
        if blob is not None and _write_checked(where / f"{key}.piece", key, blob):
            piece.stored = _Walked(where / f"{key}.walked", key)

    def __delitem__(self, key: str) -> None:
        del self.memory[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.memory)

    def __len__(self) -> int:
        return len(self.memory)

    def _read(self, key: str) -> Any:
        where = self._folder()
        if where is None:
            return None
        from .build import load_piece

        path = where / f"{key}.piece"
        blob = _read_checked(path, key)
        if blob is None:
            return None
        try:
            with paused_gc():
                piece = load_piece(blob)
        except Exception:  # checked yet not a piece of this code: built again
            return None
        try:
            os.utime(path)  # used: the last to be pruned
        except OSError:
            pass
        piece.stored = _Walked(where / f"{key}.walked", key)
        return piece


class _Walked:
    """Where one piece's walked properties columns are kept (``build._Columns.walked``)."""

    __slots__ = ("path", "key")

    def __init__(self, path: Path, key: str) -> None:
        self.path, self.key = path, key

    def read(self) -> dict[str, list] | None:
        from .build import load_walked

        blob = _read_checked(self.path, self.key)
        if blob is None:
            return None
        try:
            with paused_gc():
                return load_walked(blob)
        except Exception:  # checked yet not columns of this code: walked again
            return None

    def write(self, cols: dict[str, list]) -> None:
        from .build import dump_walked

        blob = dump_walked(cols)
        if blob is not None:
            _write_checked(self.path, self.key, blob)


_MAGIC = b"iacviz-piece\0"


def _digest(key: str, blob: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    h.update(code_version().encode() + b"\0" + key.encode() + b"\0")
    h.update(blob)
    return h.digest()


def _write_checked(path: Path, key: str, blob: bytes) -> bool:
    try:
        _write_atomic(path, _MAGIC + _digest(key, blob) + blob)
    except OSError:
        return False
    return True


def _read_checked(path: Path, key: str) -> bytes | None:
    # None when missing, truncated, damaged, or written for another key or code version.
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + 16
    if data[: len(_MAGIC)] != _MAGIC or len(data) < head:
        return None
    blob = data[head:]
    return blob if _digest(key, blob) == data[len(_MAGIC) : head] else None


def _prune(where: Path) -> None:
    # Other code versions' pieces can never be read again; of this version's, the least
    # recently used go past the bound (with their walked properties), and so do walked files
    # whose piece is gone and temporary files a killed writer left an hour ago. Housekeeping
    # only: another process pruning at the same time makes entries vanish, which is fine.
    try:
        for other in where.parent.iterdir():
            if other != where and other.is_dir() and not other.is_symlink():
                shutil.rmtree(other, ignore_errors=True)
        entries = {}
        with os.scandir(where) as found:
            for entry in found:
                try:
                    if entry.is_file(follow_symlinks=False):
                        entries[entry.name] = entry.stat(follow_symlinks=False).st_mtime_ns
                except OSError:
                    continue
    except OSError:
        return
    pieces = sorted((t, name) for name, t in entries.items() if name.endswith(".piece"))
    over = len(pieces) - _DISK_PIECES * 9 // 10 if len(pieces) > _DISK_PIECES else 0
    doomed = [name for _, name in pieces[:over]]
    doomed += [name[: -len(".piece")] + ".walked" for name in doomed]
    doomed += [n for n in entries if n.endswith(".walked") and n[: -len(".walked")] + ".piece" not in entries]
    stale = time.time_ns() - 3600 * 10**9
    doomed += [n for n, t in entries.items() if n.endswith(".tmp") and t < stale]
    for name in doomed:
        try:
            (where / name).unlink()
        except OSError:
            pass


def usable(folder: Path | None) -> Path | None:
    """`folder`, created if need be, when it is safe to keep pickles in; else None."""
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = folder.stat()
    except OSError:
        return None
    if st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return folder


# -- estates ----------------------------------------------------------------------------------------


def lookup(key: str, folder: Path | None, parameters: Any = None) -> dict[str, Any] | None:
    """``{"frames": {name: frame or builder}, "raw_stacks": list or loader, "errors": [...]}``.

    `parameters` are the load's (the key covers them): a frame missing from a folder entry is
    rebuilt from the cached raw stacks with them.
    """
    hit = _memory.get(key)
    if hit is not None:
        return hit
    if folder is None:
        return None
    entry = folder / "estates" / key
    try:
        meta = json.loads((entry / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    if meta.get("code") != code_version():
        return None
    errors = [ErrorRow(**e) for e in meta.get("errors", [])]
    raw = _Once(lambda: _read_raw(entry / "raw_stacks.marshal"))
    hit = {"raw_stacks": raw, "errors": errors, "region": meta.get("region"), "entry": entry, "parameters": parameters}
    frames: dict[str, Any] = {}
    for name in meta.get("frames", BASE_FRAMES):
        frames[name] = _Once(_frame_reader(entry, name, hit))
    hit["frames"] = frames
    _memory[key] = hit
    return hit


def store(
    key: str,
    folder: Path | None,
    frames: dict[str, Any],
    raw_stacks: list[RawStack],
    errors: list[ErrorRow],
    region: str,
    parameters: Any,
) -> dict[str, Any]:
    """Remember a fresh estate's parts under `key`; frames reach the folder as they are built."""
    entry = folder / "estates" / key if folder is not None else None
    hit = {"raw_stacks": raw_stacks, "errors": errors, "region": region, "entry": entry, "parameters": parameters}
    if entry is not None:
        try:
            entry.mkdir(parents=True, exist_ok=True, mode=0o700)
            _write_atomic(entry / "raw_stacks.marshal", _dump_raw(raw_stacks))
            _write_atomic(
                entry / "meta.json",
                json.dumps(
                    {
                        "code": code_version(),
                        "region": region,
                        "frames": list(frames),
                        "errors": [asdict(e) for e in errors],
                    }
                ).encode(),
            )
        except OSError:
            entry = hit["entry"] = None
    hit["frames"] = {
        name: _Once(_writing(build if callable(build) else _constant(build), entry, name))
        for name, build in frames.items()
    }
    _memory[key] = hit
    return hit


def frames_of(hit: dict[str, Any]) -> dict[str, Callable[[], pd.DataFrame]]:
    """Builders of an estate's own frames from an entry: each a shallow copy of the shared
    frame (~40 us), so a column a user adds to one estate never shows in another."""
    return {name: _shallow(once) for name, once in hit["frames"].items()}


def _shallow(once: Callable[[], pd.DataFrame]) -> Callable[[], pd.DataFrame]:
    return lambda: once().copy(deep=False)


def _constant(df: pd.DataFrame) -> Callable[[], pd.DataFrame]:
    return lambda: df


class _Once:
    """``fn()``, called at most once and remembered (frames and raw stacks shared by every
    estate loaded from the same entry)."""

    __slots__ = ("fn", "value")

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.fn, self.value = fn, None

    def __call__(self) -> Any:
        if self.fn is not None:
            self.value, self.fn = self.fn(), None
        return self.value


def _writing(build: Callable[[], pd.DataFrame], entry: Path | None, name: str) -> Callable[[], pd.DataFrame]:
    def go() -> pd.DataFrame:
        df = build()
        if entry is not None:
            try:
                _write_atomic(entry / f"{name}.pickle", pickle.dumps(df, protocol=pickle.HIGHEST_PROTOCOL))
            except (OSError, pickle.PicklingError, TypeError, AttributeError):
                pass  # not cached; the estate is unaffected
        return df

    return go


def _frame_reader(entry: Path, name: str, hit: dict[str, Any]) -> Callable[[], pd.DataFrame]:
    def go() -> pd.DataFrame:
        try:
            with paused_gc():
                df = pickle.loads((entry / f"{name}.pickle").read_bytes())
            if isinstance(df, pd.DataFrame):
                return df
        except Exception:  # missing or damaged: rebuilt below from the raw stacks
            pass
        df = _rebuilt(hit)[name]()
        try:
            _write_atomic(entry / f"{name}.pickle", pickle.dumps(df, protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, pickle.PicklingError):
            pass
        return df

    return go


def _rebuilt(hit: dict[str, Any]) -> dict[str, Any]:
    # Frames the entry lacks come from its raw stacks (already keyed, parsed and expanded).
    if "rebuilt" not in hit:
        from .build import build_estate

        raw = hit["raw_stacks"]
        estate = build_estate(
            raw() if callable(raw) else raw,
            hit["errors"],
            region=hit.get("region") or "us-east-1",
            parameters=hit.get("parameters"),
            pieces=pieces(hit["entry"].parent.parent if hit.get("entry") else None),
        )
        hit["rebuilt"] = {name: (lambda n=name: getattr(estate, n)) for name in BASE_FRAMES}
    return hit["rebuilt"]


_RAW_FIELDS = [f.name for f in fields(RawStack)]


def _dump_raw(raw_stacks: list[RawStack]) -> bytes:
    rows = [tuple(getattr(r, f) for f in _RAW_FIELDS) for r in raw_stacks]
    try:
        return b"M" + marshal.dumps((_RAW_FIELDS, rows))
    except ValueError:  # a value marshal cannot hold (a date from a live scan...): pickle
        return b"P" + pickle.dumps((_RAW_FIELDS, rows), protocol=pickle.HIGHEST_PROTOCOL)


def _read_raw(path: Path) -> list[RawStack]:
    blob = path.read_bytes()
    with paused_gc():
        names, rows = marshal.loads(blob[1:]) if blob[:1] == b"M" else pickle.loads(blob[1:])
    return [RawStack(**dict(zip(names, row))) for row in rows]
