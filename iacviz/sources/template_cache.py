"""Parsed templates remembered by the content hash of their bytes, in memory and, when given a
folder, on disk: a template read again unchanged is not parsed again.

An entry is ``(body, lines)`` as :func:`iacviz.sources.template_text.parse_template` returns
them, stored with :mod:`marshal` (plain dicts, lists and scalars, ~2x faster to load than to
parse) and loaded fresh on every hit, so no two readers share a mutable body. Only
successful parses are kept; a template that fails is parsed again and fails the same way.

>>> cache = TemplateCache()
>>> data = b"Resources: {Q: {Type: AWS::SQS::Queue}}"
>>> key = content_hash(data)
>>> cache.get(key) is None
True
>>> cache.put(key, ({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, {"Resources/Q": 1}))
>>> cache.get(key)[0]["Resources"]["Q"]["Type"]
'AWS::SQS::Queue'
"""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path
from typing import Any

from ..recent import Recent

_MEMORY_ENTRIES = 20_000  # ~a 10,000-stack estate twice over; marshalled bodies are compact


def content_hash(data: bytes) -> str:
    """A short hex digest of a file's bytes (BLAKE2b, 128 bits).

    >>> len(content_hash(b"x"))
    32
    """
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class TemplateCache:
    """``content hash -> (body, lines)``; `folder`, when given, keeps entries across processes.

    The key must cover everything the parse depends on besides the bytes: callers mix the
    iacviz code version into the folder (see :mod:`iacviz.model.cache`).
    """

    def __init__(self, folder: str | os.PathLike | None = None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.memory: Recent = Recent(_MEMORY_ENTRIES)

    def get(self, key: str) -> tuple[dict[str, Any], dict[str, int]] | None:
        blob = self.memory.get(key)
        if blob is None and self.folder is not None:
            try:
                blob = (self.folder / f"{key}.marshal").read_bytes()
            except OSError:
                blob = None
        if blob is None:
            return None
        try:
            body, lines = marshal.loads(blob)
        except (ValueError, EOFError, TypeError):  # a damaged entry is a miss, never an error
            return None
        self.memory[key] = blob
        return body, lines

    def put(self, key: str, parsed: tuple[dict[str, Any], dict[str, int]]) -> None:
        try:
            blob = marshal.dumps(tuple(parsed))
        except ValueError:  # a value marshal cannot hold: simply not cached
            return
        self.memory[key] = blob
        if self.folder is not None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                write_atomic(self.folder / f"{key}.marshal", blob)
            except OSError:  # a full disk or a read-only folder only means the entry is not cached
                pass


def write_atomic(path: Path, blob: bytes) -> None:
    """Write `blob` to `path` beside it and rename: a reader never sees half a file.

    A failed write leaves no temporary file behind and raises the OSError: the caller decides
    (for both caches, the entry is simply not cached).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "entry"
    >>> write_atomic(path, b"body")
    >>> path.read_bytes(), [p.name for p in path.parent.iterdir()]
    (b'body', ['entry'])
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(blob)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
