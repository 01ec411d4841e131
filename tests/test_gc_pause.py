"""iacviz.gc_pause: the collector paused over a step, and what a long pause made promoted."""

from __future__ import annotations

import gc
import weakref

import pytest

from iacviz.gc_pause import PROMOTE_ABOVE, paused_gc


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def _generation(objs: list) -> set[int]:
    ids = {id(o) for o in objs}
    return {g for g in range(3) for o in gc.get_objects(g) if id(o) in ids}


@pytest.fixture
def collector():
    enabled = gc.isenabled()
    gc.enable()
    gc.collect()
    yield
    if not enabled:
        gc.disable()


def test_a_long_pause_leaves_what_it_made_in_the_oldest_generation(collector):
    with paused_gc():
        made = [[i] for i in range(PROMOTE_ABOVE + 1000)]
    assert gc.isenabled()
    assert _generation(made[:50] + made[-50:]) == {2}  # no young collection will scan them


def test_a_short_pause_leaves_what_it_made_young(collector):
    with paused_gc():
        made = [[i] for i in range(100)]
    assert 2 not in _generation(made)


def test_cycles_made_in_a_long_pause_are_still_collected(collector):
    with paused_gc():
        made = [[i] for i in range(PROMOTE_ABOVE + 1000)]
        node = weakref.ref(_Node())
    assert node() is not None and made
    gc.collect()
    assert node() is None


def test_objects_frozen_by_the_caller_stay_frozen(collector):
    kept = [[1], [2]]
    gc.freeze()  # as a server does before forking
    try:
        with paused_gc():
            made = [[i] for i in range(PROMOTE_ABOVE + 1000)]
        assert gc.get_freeze_count() > 0 and not _generation(kept)  # frozen: in no generation
        assert 2 not in _generation(made[:50])
    finally:
        gc.unfreeze()


def test_an_outer_pause_is_left_to_its_owner(collector):
    gc.disable()
    with paused_gc():
        made = [[i] for i in range(PROMOTE_ABOVE + 1000)]
    assert not gc.isenabled()
    assert 2 not in _generation(made[:50])
    gc.enable()


def test_promoting_ends_in_a_full_collection_that_frees_promoted_cycles(collector, monkeypatch):
    # Promoted garbage cycles wait for a full collection, which promoting does not bring
    # closer: after COLLECT_AFTER promoted containers a long pause ends with one.
    from iacviz import gc_pause

    monkeypatch.setattr(gc_pause, "COLLECT_AFTER", PROMOTE_ABOVE * 3)
    gc.collect()  # the count starts again
    nodes = []
    for _ in range(6):
        with paused_gc():
            made = [[i] for i in range(PROMOTE_ABOVE + 1000)]
            nodes.append(weakref.ref(_Node()))
        del made
    assert sum(node() is not None for node in nodes) < len(nodes)  # some were collected
    assert gc_pause._promoted <= PROMOTE_ABOVE * 3
