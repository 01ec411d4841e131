"""The review's opt-in pre-flight lint: cfn-lint's own rules on every template of an estate.

cfn-lint runs through its Python API (``cfnlint.api.lint`` with ``ManualArgs``) on the template
each stack keeps as read (``RawStack.raw_template`` for SAM, before expansion, else
``RawStack.template``), with the schemas iacviz pins for update behaviour
(:func:`iacviz.cfn.update_behavior.pinned_global_schemas`). Nothing leaves the process: cfn-lint's
rules read local schemas only, and the SAM transform is aws-sam-translator, run locally.

The estate keeps templates parsed, not their text, so a finding's ``line`` is the source line of
the resource, output or parameter it is about (``RawStack.lines``), NA for a live stack or for a
finding about the template as a whole. ``.ebextensions`` are no CloudFormation template and are
not linted.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..cfn.update_behavior import pinned_global_schemas

if TYPE_CHECKING:
    from ..sources.raw import RawStack

__all__ = ["PREFIX", "SAME_AS", "lint_rows"]

PREFIX = "cfn-lint:"
# cfn-lint rule -> the iacviz rule that says the same thing about the same resource. W3011
# (a resource with only one of DeletionPolicy/UpdateReplacePolicy) is the one-sided case of
# W3001 (a stateful resource whose policies keep neither it nor a snapshot).
SAME_AS = {"W3011": "W3001"}
_SEVERITY = {"error": "error", "warning": "warning", "informational": "info"}
_NOT_TEMPLATES = {"ebextension"}


def _line(raw: RawStack, path: list[Any]) -> int | None:
    if len(path) >= 2 and path[0] in ("Resources", "Outputs", "Parameters"):
        return raw.lines.get(f"{path[0]}/{path[1]}")
    return None


def _logical_id(path: list[Any]) -> str | None:
    if len(path) >= 2 and path[0] == "Resources":
        return str(path[1])
    if len(path) >= 2 and path[0] == "Outputs":
        return f"Outputs.{path[1]}"
    return None


@lru_cache(maxsize=1)
def _rules() -> Any:
    # Building cfn-lint's rule set imports and instantiates every rule (seconds): once a process.
    from cfnlint.core import get_rules

    return get_rules([], [], [])


def lint_rows(raw_stacks: list[RawStack], region: str | None = None) -> list[dict[str, Any]]:
    """cfn-lint's findings on each stack's template, as rows of the ``findings`` frame.

    Parameters
    ----------
    raw_stacks : list of RawStack
        The stacks as the estate keeps them (``estate.raw_stacks``).
    region : str, optional
        Region to lint for where a stack has none (default ``us-east-1``).

    Returns
    -------
    list of dict
        One row per cfn-lint match: ``rule_id`` ``cfn-lint:<id>``, severity, stack,
        logical_id, message, fix, title, line.

    Examples
    --------
    >>> import iacviz
    >>> t = {"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketNam": "x"}}}}
    >>> [r["rule_id"] for r in lint_rows(iacviz.load_template(t, stack="s").raw_stacks)]
    ['cfn-lint:E3002']
    """
    from cfnlint.api import ManualArgs, lint

    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], list[Any]] = {}  # one lint per distinct (template, region)
    with pinned_global_schemas():
        for raw in raw_stacks:
            if raw.format in _NOT_TEMPLATES:
                continue
            body = raw.raw_template if raw.raw_template is not None else raw.template
            text = json.dumps(body, default=str)
            where = raw.region or region or "us-east-1"
            key = (text, where)
            if key not in seen:
                seen[key] = lint(text, rules=_rules(), config=ManualArgs(regions=[where]))
            for m in seen[key]:
                path = list(getattr(m, "path", None) or [])
                rule = m.rule
                rows.append(
                    {
                        "rule_id": PREFIX + rule.id,
                        "severity": _SEVERITY.get(rule.severity, "warning"),
                        "stack": raw.name,
                        "logical_id": _logical_id(path),
                        "message": m.message,
                        "fix": f"See cfn-lint rule {rule.id}: {rule.description}"
                        + (f" ({rule.source_url})" if rule.source_url else ""),
                        "title": rule.shortdesc,
                        "line": _line(raw, path),
                    }
                )
    return rows
