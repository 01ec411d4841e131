"""The bounds iacviz keeps on whatever it is given: nesting depth, bytes read, bytes
decompressed, pages fetched. One place, so every reader and every walker shares them.

Hostile or broken input (a FIFO named ``x.yaml``, a symlink to ``/dev/zero``, JSON nested a
thousand deep, a gzip bomb, an endpoint that never stops paging) must end in an error naming
the input, never in a hang, a memory blow-up or a ``RecursionError`` deep in a walker.

>>> too_deep({"a": [{"b": 1}]}, limit=3)
False
>>> too_deep({"a": [{"b": 1}]}, limit=2)
True
"""

from __future__ import annotations

import io
import os
import stat
import zlib
from pathlib import Path
from typing import Any

from iacviz.walks import FAST as _FAST

# Deepest real template in the shared corpus of 620: 17 levels. Walkers recurse (deepcopy in
# SAM, the intrinsic resolver): 100 keeps them far below Python's recursion limit.
MAX_DEPTH = 100
MAX_GUNZIP_BYTES = 512 * 1024 * 1024  # a snapshot's raw stacks; real estates need a few MB
MAX_PAGES = 10_000  # pages of one paginated API call (100 items a page: a million items)
# Scripts scanned for export reads (buildspecs, shell scripts, workflows): a script is a few
# KB; a file past this is no script a person wrote. The file count bounds a huge checkout.
MAX_SCRIPT_BYTES = 1024 * 1024
MAX_SCRIPT_FILES = 20_000


class LimitError(ValueError):
    """Input beyond one of the bounds; the message says which and by how much."""


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when `value` nests dicts/lists more than `limit` levels (the value itself is 1).

    Safe on any input a parser accepted: the C walk (:mod:`iacviz.walks`) goes no deeper than
    `limit`, the Python one (the definition) is iterative.

    >>> too_deep([[[]]], limit=3), too_deep([[[]]], limit=2)
    (False, True)
    """
    if _FAST is not None and type(limit) is int and limit <= _FAST.MAX_LIMIT:
        return _FAST.too_deep(value, limit)
    return _too_deep(value, limit)


def _too_deep(value: Any, limit: int) -> bool:
    # Level by level: one list per level instead of a (node, depth) pair per node (~1.8x faster
    # on real templates, and every template read is checked).
    level = [value]
    depth = 1
    while level:
        if depth > limit:
            return True
        below = []
        for node in level:
            kind = type(node)
            if kind is dict:
                children = node.values()
            elif kind is list:
                children = node
            else:
                continue
            for child in children:
                kind = type(child)
                if kind is dict or kind is list:
                    below.append(child)
        level = below
        depth += 1
    return False


def lone_surrogate(value: Any) -> str | None:
    """The first string of `value` (keys included) holding a lone UTF-16 surrogate such as
    JSON's ``"\\ud800"``: text no encoder can write, so it must be refused where it is read.

    >>> lone_surrogate({"a": ["ok", "bad\\ud800"]})
    'bad\\ud800'
    """
    stack = [value]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is str:
            if not node.isascii():
                try:
                    node.encode("utf-8")
                except UnicodeEncodeError:
                    return node
        elif kind is dict:
            stack.extend(node.keys())
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
    return None


def read_regular_file(path: str | os.PathLike, limit: int) -> bytes:
    """At most `limit` bytes of the regular file `path`.

    Raises OSError for a missing or unreadable file, and LimitError for anything that is not a
    regular file (a FIFO would block forever, ``/dev/zero`` never ends) or holds more than
    `limit` bytes. Only ``limit + 1`` bytes are ever read.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(delete=False) as f:
    ...     _ = f.write(b"Resources: {}")
    >>> read_regular_file(f.name, 100)
    b'Resources: {}'
    """
    # O_NONBLOCK: opening a FIFO without a writer would otherwise block before any check.
    fd = os.open(os.fspath(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise LimitError(f"not a regular file ({_kind(st.st_mode)})")
        # A read of limit + 1 bytes allocates that much first (~70 us for 5 MB, per template):
        # the file's size + 1 shows its end. A file that says 0 bytes (/proc) is read as before.
        want = min(st.st_size, limit) + 1 if st.st_size else limit + 1
        with io.FileIO(fd, "rb", closefd=False) as f:
            data = f.read(want)
            if len(data) == want <= limit:  # it grew since fstat: read on up to the limit
                data += f.read(limit + 1 - want)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise LimitError(f"larger than {limit} bytes")
    return data


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "a special file"


def gunzip(path: str | os.PathLike, limit: int = MAX_GUNZIP_BYTES) -> bytes:
    """The decompressed content of the gzip file `path`, refusing more than `limit` bytes.

    Raises LimitError past the limit (a gzip bomb), ValueError for a file that is not gzip or
    is truncated, OSError when it cannot be read.

    >>> import gzip, tempfile
    >>> with tempfile.NamedTemporaryFile(suffix=".gz", delete=False) as f:
    ...     _ = f.write(gzip.compress(b"x" * 1000))
    >>> len(gunzip(f.name))
    1000
    >>> gunzip(f.name, limit=999)
    Traceback (most recent call last):
    iacviz.limits.LimitError: decompresses to more than 999 bytes
    """
    data = read_regular_file(path, limit)  # deflate never makes data larger than ~0.1%
    inflate = zlib.decompressobj(wbits=31)  # 31: gzip header and trailer
    out = bytearray()
    pending = data
    while True:
        try:
            out += inflate.decompress(pending, limit + 1 - len(out))
        except zlib.error as exc:
            raise ValueError(f"not a valid gzip file: {exc}") from None
        if len(out) > limit:
            raise LimitError(f"decompresses to more than {limit} bytes")
        if inflate.eof:
            break
        pending = inflate.unconsumed_tail
        if not pending:
            raise ValueError("truncated gzip file")
    return bytes(out)


def inside(path: str | os.PathLike, root: str | os.PathLike) -> bool:
    """True when `path`, symlinks resolved, lies in the folder `root` (symlinks resolved).

    >>> inside("/srv/estate/net/vpc.yaml", "/srv/estate"), inside("/srv/estate/../x", "/srv/estate")
    (True, False)
    """
    try:
        real, base = os.path.realpath(path), os.path.realpath(root)
    except (OSError, RuntimeError, ValueError):
        return False
    return below(real, base) is not None


def below(path: str, base: str) -> str | None:
    """``Path(path).relative_to(base).as_posix()`` for two absolute paths in Path's own form
    (what abspath and realpath give), or None where that raises: `path` is not `base` or below it.

    >>> below("/srv/estate/net/vpc.yaml", "/srv/estate"), below("/srv/estate2/x", "/srv/estate")
    ('net/vpc.yaml', None)
    """
    if os.sep != "/" or os.altsep:  # drives, case and two separators: left to pathlib
        try:
            return Path(path).relative_to(base).as_posix()
        except ValueError:
            return None
    if path == base:
        return "."
    # POSIX keeps exactly two leading slashes as a root of their own ("//x" is not below "/").
    if (path[:2] == "//") != (base[:2] == "//"):
        return None
    prefix = base if base.endswith("/") else base + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None
