"""NoEcho parameters: CloudFormation shows their values as ``****`` ("Parameters" in the
template reference: "the parameter value is masked with asterisks (*****) for any calls that
describe the stack"). iacviz masks them the same way, at the source, so no frame, report or
snapshot ever holds one: the value given (estate file, ``parameters=``, a parent stack, a live
endpoint that does not mask) and every value derived from it (``!Sub "conn-${Secret}"``).

>>> t = {"Parameters": {"Pw": {"Type": "String", "NoEcho": True}, "Env": {"Type": "String"}}}
>>> mask_values({"Pw": "hunter2", "Env": "dev"}, t)
{'Pw': '****', 'Env': 'dev'}
>>> derives_from_secret({"Fn::Sub": "conn-${Pw}"}, no_echo_names(t))
True
"""

from __future__ import annotations

from typing import Any, Iterable

from .intrinsics import find_references
from .parameters import declared, is_no_echo

MASK = "****"


def no_echo_names(*templates: Any) -> set[str]:
    """Names of the NoEcho parameters declared by any of `templates`."""
    return {name for template in templates for name, spec in declared(template).items() if is_no_echo(spec)}


def mask_values(values: dict[str, Any], *templates: Any, secret: set[str] | None = None) -> dict[str, Any]:
    """`values` with the value of every NoEcho parameter of `templates` replaced by ``****``
    (`secret`: their names, when the caller has them already).

    >>> mask_values({"Password": "hunter2", "Env": "prod"}, secret={"Password"})
    {'Password': '****', 'Env': 'prod'}
    """
    if secret is None:
        secret = no_echo_names(*templates)
    if not secret:
        return dict(values)
    return {k: (MASK if k in secret and v is not None else v) for k, v in values.items()}


def derives_from_secret(expr: Any, secret: Iterable[str]) -> bool:
    """True when `expr` references one of the `secret` parameter names (Ref, Sub, anywhere)."""
    secret = set(secret)
    if not secret or not isinstance(expr, (dict, list)):
        return False
    return any(r.kind in ("Ref", "Sub") and r.target in secret for r in find_references(expr))


def masked_if_derived(value: Any, expr: Any, secret: Iterable[str]) -> Any:
    """``****`` in place of `value` when `expr` (what it was resolved from) uses a secret."""
    return MASK if value is not None and derives_from_secret(expr, secret) else value
