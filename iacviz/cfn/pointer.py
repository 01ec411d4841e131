"""JSON pointers (RFC 6901) as CloudFormation's resource schemas and iacviz's frames write them.

A key holding ``~`` or ``/`` is escaped (``~0``, ``~1``) so that it stays one segment of the
pointer: ``/properties/Tags/a~1b`` is the key ``a/b`` under ``Tags``.

>>> join("/properties", "a/b"), unescape("a~1b")
('/properties/a~1b', 'a/b')
"""

from __future__ import annotations

from typing import Any

__all__ = ["escape", "unescape", "join"]


def escape(key: Any) -> str:
    """One pointer segment for a key: ``~`` becomes ``~0``, then ``/`` becomes ``~1``.

    >>> escape("a/b~c"), escape(3)
    ('a~1b~0c', '3')
    """
    key = str(key)
    if "~" in key or "/" in key:
        return key.replace("~", "~0").replace("/", "~1")
    return key


def unescape(segment: str) -> str:
    """The key a pointer segment stands for (``~1`` first, then ``~0``, as RFC 6901 says).

    >>> unescape("a~1b~0c"), unescape("~01")
    ('a/b~c', '~1')
    """
    if "~" not in segment:
        return segment
    return segment.replace("~1", "/").replace("~0", "~")


def join(path: str, key: Any) -> str:
    """`path` extended by one escaped key.

    >>> join("/properties/Tags", 0)
    '/properties/Tags/0'
    """
    return f"{path}/{escape(key)}"
