"""Pausing Python's cyclic garbage collector while a step allocates many small containers.

One place for the pause that reading, the load cache and the analyses share: below the model
and the analyses, so each layer can use it.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

__all__ = ["paused_gc"]

# Young containers left by a pause above which they are moved to the oldest generation unscanned.
PROMOTE_ABOVE = 10_000


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building many small containers.

    With an estate's millions of live objects, each full collection rescans them all, and the
    10^5 dicts and sets of a graph trigger many: building took 3-4x longer. Callers build
    nothing that forms reference cycles, so collection can wait until the end. A pause found
    in place (another thread's, or an outer one) is left alone: whoever paused resumes.

    What a long pause made stays (an estate's bodies, rows and frames): the first young
    collection after it would scan every one of them to free nothing (~15 ms after loading
    326 corpus templates), and the middle generation again later. So when more than
    :data:`PROMOTE_ABOVE` young containers are left, they go straight to the oldest
    generation (``gc.freeze()`` then ``gc.unfreeze()``), where the next full collection
    looks at them as at everything else. Not done while anything else is frozen (a server
    that froze before forking): its frozen objects stay frozen.

    >>> import gc
    >>> with paused_gc():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_count()[0] > PROMOTE_ABOVE and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()
