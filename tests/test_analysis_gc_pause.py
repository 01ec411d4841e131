"""The analyses that allocate ~10^5 containers hold the cyclic collector, and resume it as found.

With a collection due on every allocation (threshold 1), an analysis that did not pause the
collector runs one per container it keeps; paused, only the few steps outside the pause run any.
"""

from __future__ import annotations

import gc
from typing import Any, Callable

import iacviz

SAMPLE = iacviz.data.sample_estate()


def _collections(fn: Callable[[], Any]) -> int:
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


def _estate() -> iacviz.Estate:
    estate = iacviz.load(SAMPLE, cache=False)
    estate.frames()
    assert len(estate.exports) and len(estate.imports)  # linked under a pause of their own
    return estate


def _leaves_an_outer_pause(fn: Callable[[], Any]) -> None:
    gc.disable()
    try:
        fn()
        assert not gc.isenabled()  # an outer pause is the caller's to end
    finally:
        gc.enable()


def test_export_problems_hold_the_collector_and_leave_it_as_found():
    assert len(_estate().export_problems)  # imports the modules it needs: not what is counted
    estate, again = _estate(), _estate()
    # unpaused: ~1,600 collections on the sample estate; paused: ~5
    assert _collections(lambda: estate.export_problems) < 400
    assert gc.isenabled()
    _leaves_an_outer_pause(lambda: again.export_problems)
    assert len(estate.export_problems) > 0


def test_plan_changes_holds_the_collector_and_leaves_it_as_found():
    before, after = _estate(), _estate()
    iacviz.plan_changes(before, after)  # first use: imports and per-type rules, not counted
    before, after = _estate(), _estate()
    assert len(before.references) and len(after.references)  # built before counting
    # unpaused: ~4,300 collections on the sample estate against itself; paused: ~80
    assert _collections(lambda: iacviz.plan_changes(before, after)) < 1_000
    assert gc.isenabled()
    _leaves_an_outer_pause(lambda: iacviz.plan_changes(before, after))
