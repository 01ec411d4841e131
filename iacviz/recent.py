"""A mapping that keeps the entries last used and forgets the oldest first.

One place for the bounded memory the caches share (parsed templates, loaded estates, built
stacks): below the sources and the model, so each can use it.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

__all__ = ["Recent"]


class Recent(OrderedDict):
    """At most `size` entries; reading (``get``) or writing one makes it the most recent.

    >>> r = Recent(2)
    >>> r["a"], r["b"] = 1, 2
    >>> r.get("a"), r.get("z")
    (1, None)
    >>> r["c"] = 3
    >>> list(r)
    ['a', 'c']
    """

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get(self, key: Any, default: Any = None) -> Any:
        found = super().get(key, default)
        if found is not default:
            try:
                self.move_to_end(key)
            except KeyError:  # forgotten meanwhile by another thread: still a valid answer
                pass
        return found

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
