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
# Containers promoted since the last full collection above which the next long pause ends with
# a full collection instead: promoted garbage cycles are freed only by one, and promoting does
# not count towards the collector's own trigger for one (~a quarter of a 2,000-stack estate's
# ~4 million containers).
COLLECT_AFTER = 1_000_000
_promoted = 0


def _full_collection_done(phase: str, info: dict) -> None:
    global _promoted
    if phase == "stop" and info.get("generation") == 2:
        _promoted = 0


gc.callbacks.append(_full_collection_done)


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
    looks at them as at everything else. Garbage cycles among them (made in the pause, or
    young when it ended) are freed only by a full collection, and promoting does not count
    towards the collector's own trigger for one: so once :data:`COLLECT_AFTER` containers
    were promoted since the last, the pause ends with a full collection instead. Not done
    while anything else is frozen (a server that froze before forking): its frozen objects
    stay frozen. Another thread freezing between the two calls would see its freeze undone.

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
            _end_pause()


def _end_pause() -> None:
    global _promoted
    young = gc.get_count()[0]
    if young > PROMOTE_ABOVE and gc.get_freeze_count() == 0:
        if _promoted + young > COLLECT_AFTER:
            gc.enable()
            gc.collect()  # what promoting put off; the callback starts the count again
            return
        gc.freeze()
        gc.unfreeze()
        _promoted += young
    gc.enable()
