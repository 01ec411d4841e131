"""The analyses that allocate ~10^5 containers hold the cyclic collector, and resume it as found
(counted as :mod:`gc_counting` counts)."""

from __future__ import annotations

import gc

import iacviz
from gc_counting import collector_runs, leaves_an_outer_pause

SAMPLE = iacviz.data.sample_estate()


def _estate() -> iacviz.Estate:
    estate = iacviz.load(SAMPLE, cache=False)
    estate.frames()
    assert len(estate.exports) and len(estate.imports)  # linked under a pause of their own
    return estate


def test_export_problems_hold_the_collector_and_leave_it_as_found():
    assert len(_estate().export_problems)  # imports the modules it needs: not what is counted
    estate, again = _estate(), _estate()
    # unpaused: ~1,600 collections on the sample estate; paused: ~5
    assert collector_runs(lambda: estate.export_problems) < 400
    assert gc.isenabled()
    leaves_an_outer_pause(lambda: again.export_problems)
    assert len(estate.export_problems) > 0


def test_plan_changes_holds_the_collector_and_leaves_it_as_found():
    before, after = _estate(), _estate()
    iacviz.plan_changes(before, after)  # first use: imports and per-type rules, not counted
    before, after = _estate(), _estate()
    assert len(before.references) and len(after.references)  # built before counting
    # unpaused: ~4,300 collections on the sample estate against itself; paused: ~80
    assert collector_runs(lambda: iacviz.plan_changes(before, after)) < 1_000
    assert gc.isenabled()
    leaves_an_outer_pause(lambda: iacviz.plan_changes(before, after))
