"""A spy on the estate builder: the stacks a load built, and those whose properties it walked.

Shared by the in-process cache tests (through monkeypatch) and the new-process ones (run as
a script with this folder on the path)."""

from __future__ import annotations

from typing import Any, Callable


def spy_on_builds(setattr: Callable[[Any, str, Any], None] = setattr) -> dict[str, list[str]]:
    """Wrap the builder's per-stack step and its properties walk; the lists fill as loads run."""
    from iacviz.model import build

    seen: dict[str, list[str]] = {"stacks": [], "properties": []}
    add_stack, properties = build._add_stack, build._properties

    def stack_spy(acc, raw, *rest):
        seen["stacks"].append(raw.name)
        return add_stack(acc, raw, *rest)

    def properties_spy(resources):
        seen["properties"].extend(stack for stack, *_ in resources)
        return properties(resources)

    setattr(build, "_add_stack", stack_spy)
    setattr(build, "_properties", properties_spy)
    return seen
