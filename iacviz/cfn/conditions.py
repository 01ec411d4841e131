"""Evaluate a template's Conditions with the parameter values known offline.

Three-valued: True, False, or None where the answer depends on something unknown (a
parameter without a value, the account id). And/Or/Not follow Kleene logic, so
``Fn::Or`` of an unknown and a True is True.

>>> evaluate_conditions({"Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
...                      "Dev": {"Fn::Not": [{"Condition": "Prod"}]}},
...                     Context("s", parameters={"Env": "prod"}))
{'Prod': True, 'Dev': False}
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from .intrinsics import Context, placeholder_names, resolve_value
from .pointer import unescape


def evaluate_conditions(conditions: dict[str, Any], ctx: Context) -> dict[str, bool | None]:
    """Value of every condition; cycles and malformed conditions evaluate to None."""
    results: dict[str, bool | None] = {}
    visiting: set[str] = set()

    def condition(name: str) -> bool | None:
        if name in results:
            return results[name]
        if name in visiting or name not in conditions:
            return None  # a cycle or a missing condition: the loader reports it elsewhere
        visiting.add(name)
        results[name] = _evaluate(conditions[name], condition, ctx)
        visiting.discard(name)
        return results[name]

    for name in conditions:
        condition(name)
    return results


def _evaluate(expr: Any, condition, ctx: Context) -> bool | None:
    if type(expr) is not dict or len(expr) != 1:
        return None
    key, arg = next(iter(expr.items()))
    if key == "Condition" and type(arg) is str:
        return condition(arg)
    if key == "Fn::Not" and type(arg) is list and len(arg) == 1:
        value = _evaluate(arg[0], condition, ctx)
        return None if value is None else not value
    if key in ("Fn::And", "Fn::Or") and type(arg) is list:
        values = [_evaluate(a, condition, ctx) for a in arg]
        decisive = key == "Fn::Or"  # Or is decided by any True, And by any False
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    if key == "Fn::Equals" and type(arg) is list and len(arg) == 2:
        scoped = Context(ctx.stack, ctx.region, ctx.account, ctx.parameters, ctx.mappings, condition)
        left, right = (resolve_value(a, scoped) for a in arg)
        if left is None or right is None or _unknown(left) or _unknown(right):
            return None
        return canonical(left) == canonical(right)
    return None


def _unknown(value: Any) -> bool:
    if isinstance(value, str):
        return bool(placeholder_names(value))
    if isinstance(value, list):
        return any(_unknown(v) for v in value)
    return False


def canonical(value: Any) -> Any:
    """A value as CloudFormation compares it: parameter values are strings, so "true" equals
    true and "1" equals 1.

    >>> canonical([1, True, "a"])
    ['1', 'true', 'a']
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def branches_on_path(value: Any, path: str) -> list[tuple[str, bool]]:
    """The ``Fn::If`` branches taken on the way from `value` down to the JSON pointer `path`:
    ``(condition, True)`` inside a true branch, ``(condition, False)`` inside a false one.

    >>> v = {"VpcId": {"Fn::If": ["HasVpc", {"Fn::ImportValue": "net-VpcId"}, {"Ref": "AWS::NoValue"}]}}
    >>> branches_on_path(v, "/VpcId/Fn::If/1")
    [('HasVpc', True)]
    """
    if "Fn::If" not in path:
        return []
    found: list[tuple[str, bool]] = []
    node = value
    segments = path.split("/")[1:]
    for n, seg in enumerate(segments):
        seg = unescape(seg)
        if type(node) is dict and seg == "Fn::If" and len(node) == 1 and "Fn::If" in node:
            arg = node["Fn::If"]
            nxt = segments[n + 1] if n + 1 < len(segments) else ""
            if type(arg) is list and len(arg) == 3 and type(arg[0]) is str and nxt in ("1", "2"):
                found.append((arg[0], nxt == "1"))
            node = arg
        elif type(node) is dict and seg in node:
            node = node[seg]
        elif type(node) is list and seg.isdigit() and int(seg) < len(node):
            node = node[int(seg)]
        else:
            break
    return found


def all_of(values: Iterable[bool | None]) -> bool | None:
    """The Kleene AND of three-valued facts: False if one is False, else None (unknown) if one
    is None, else True.

    >>> all_of([True, None]), all_of([None, False]), all_of([True, True]), all_of([])
    (None, False, True, True)
    """
    result: bool | None = True
    for v in values:
        if v is False:
            return False
        if v is None:
            result = None
    return result


def active_under(guards: Iterable[tuple[str | None, bool]], values: Callable[[str], bool | None]) -> bool | None:
    """Whether something guarded by conditions is evaluated: the Kleene AND of each guard
    (a condition that must be true, or false for an ``Fn::If`` false branch). True with no
    guard; None (unknown) when a guard's condition is unknown and none is decidedly unmet.

    >>> active_under([("Prod", True), ("HasVpc", False)], {"Prod": True, "HasVpc": None}.get)
    >>> active_under([("Prod", False), ("HasVpc", True)], {"Prod": True, "HasVpc": None}.get)
    False
    """
    result: bool | None = True
    for condition, wanted in guards:
        if condition is None:
            continue
        value = values(condition)
        if value is None:
            result = None
        elif value != wanted:
            return False
    return result
