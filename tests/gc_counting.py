"""Counting the cyclic collector's runs over a step, for the tests that check a step pauses it.

With a collection due on every allocation (threshold 1), a step that did not pause the
collector runs one per container it keeps; paused, only the few steps outside the pause run any.
"""

from __future__ import annotations

import gc
from typing import Any, Callable


def collector_runs(fn: Callable[[], Any]) -> int:
    """How many collections `fn` runs with one due on every allocation."""
    runs: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            runs.append(info["generation"])

    threshold = gc.get_threshold()
    gc.callbacks.append(count)
    try:
        gc.set_threshold(1)
        fn()
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(count)
    return len(runs)


def leaves_an_outer_pause(fn: Callable[[], Any]) -> None:
    """Run `fn` with the collector paused by the caller, and check it stays paused."""
    gc.disable()
    try:
        fn()
        assert not gc.isenabled()  # an outer pause is the caller's to end
    finally:
        gc.enable()
