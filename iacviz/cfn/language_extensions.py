"""The ``AWS::LanguageExtensions`` transform's ``Fn::ForEach``, expanded offline.

``Fn::ForEach::LoopName: [Identifier, Collection, {OutputKey: OutputValue}]`` repeats the
fragment once per item of the collection: ``${Identifier}`` and ``&{Identifier}`` (the item
with non-alphanumeric characters dropped) are replaced in keys and strings, and
``{"Ref": Identifier}`` becomes the item. Loops nest. The collection is a list, or a ``Ref``
to a ``CommaDelimitedList`` parameter (its value, else its default); a ``Fn::FindInMap`` whose
keys are literal or ``Ref`` parameters with a value is looked up too. A collection that cannot be known offline leaves the loop out,
with a warning. Inside a loop, a ``Fn::FindInMap`` whose keys became literal is looked up
(with its ``DefaultValue`` when the keys are missing), as the transform does.

What CloudFormation refuses is an error row, never a crash or a runaway: a fragment that
produces the same key twice, and output beyond its quotas (:mod:`iacviz.cfn.quotas`: the
quotas "apply to the resultant template"), where expansion stops.

>>> body = {"Resources": {"Fn::ForEach::Topics": ["Name", ["Orders", "Refunds"],
...          {"Topic${Name}": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "Name"}}}}]}}
>>> expanded, problems = expand_foreach(body, {})
>>> sorted(expanded["Resources"]), expanded["Resources"]["TopicRefunds"]["Properties"], problems
(['TopicOrders', 'TopicRefunds'], {'TopicName': 'Refunds'}, [])
"""

from __future__ import annotations

import re
from typing import Any

from .quotas import MAX_RESOURCES, MAX_TEMPLATE_BYTES

TRANSFORM = "AWS::LanguageExtensions"
_PREFIX = "Fn::ForEach::"


def uses_language_extensions(template: dict[str, Any]) -> bool:
    """True when the template declares the ``AWS::LanguageExtensions`` transform.

    >>> uses_language_extensions({"Transform": ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]})
    True
    """
    transform = template.get("Transform")
    return TRANSFORM in (transform if isinstance(transform, list) else [transform])


class _TooBig(Exception):
    pass


class _Expansion:
    """One expansion: parameter values, mappings, problems found and the output budget."""

    def __init__(self, parameters: dict[str, Any], mappings: Any, budget: int):
        self.parameters = parameters
        self.mappings = mappings if isinstance(mappings, dict) else {}
        self.problems: list[tuple[str, str]] = []
        self.budget = budget  # bytes (about JSON's) that loops may still produce


def expand_foreach(
    template: dict[str, Any], parameters: dict[str, Any], *, max_bytes: int = MAX_TEMPLATE_BYTES
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Expand every ``Fn::ForEach`` of `template`; returns (new template, problems).

    `parameters` gives the values of parameters a collection may ``Ref``. Each problem is
    ``(severity, message)``. Output past CloudFormation's template size stops the expansion:
    every loop is then left out, with one error.

    >>> forty = [str(i) for i in range(40)]
    >>> many = {"Resources": {"Fn::ForEach::A": ["X", forty, {"Fn::ForEach::B": ["Y", forty, {
    ...     "Fn::ForEach::C": ["Z", forty, {"Q${X}x${Y}x${Z}": {"Type": "AWS::SQS::Queue"}}]}]}]}}
    >>> body, problems = expand_foreach(many, {})
    >>> len(body["Resources"]), problems[0][0]
    (0, 'error')
    """
    run = _Expansion(parameters, template.get("Mappings"), max_bytes)
    try:
        out = _expand(template, {}, run)
    except _TooBig:
        run = _Expansion(parameters, template.get("Mappings"), -1)  # -1: every loop left out
        out = _expand(template, {}, run)
        return out, [
            (
                "error",
                f"Fn::ForEach expands the template past {max_bytes} bytes, the largest "
                "template CloudFormation accepts; the loops are left out",
            )
        ]
    resources = out.get("Resources")
    if isinstance(resources, dict) and len(resources) > MAX_RESOURCES:
        run.problems.append(
            (
                "error",
                f"Fn::ForEach expands to {len(resources)} resources; CloudFormation "
                f"accepts at most {MAX_RESOURCES} in one template",
            )
        )
    return out, run.problems


def _expand(node: Any, bound: dict[str, str], run: _Expansion) -> Any:
    kind = type(node)
    if kind is list:
        return [_expand(v, bound, run) for v in node]
    if kind is str:
        if bound:
            node = _substitute(node, bound)
            _spend(run, len(node) + 3)
        return node
    if kind is not dict:
        if bound:
            _spend(run, 8)
        return node
    if len(node) == 1 and bound:
        ((key, arg),) = node.items()
        if key == "Ref" and type(arg) is str and arg in bound:
            return bound[arg]
        if key == "Fn::Sub" and type(arg) is str:
            text = _substitute(arg, bound)
            _spend(run, len(text) + 12)
            # A Sub left with no variable is its text: how `!GetAtt [!Sub 'Bucket${Id}', Arn]` names a resource.
            return text if "${" not in text else {"Fn::Sub": text}
        if key == "Fn::FindInMap":
            return _find_in_map(_expand(arg, bound, run), run)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if isinstance(key, str) and key.startswith(_PREFIX):
            for new_key, new_value in _loop(key, value, bound, run).items():
                if new_key in out or new_key in node:
                    run.problems.append(
                        ("error", f"{key}: produces the key {new_key!r} twice; CloudFormation rejects the template")
                    )
                out[new_key] = new_value
        else:
            new_key = _substitute(key, bound) if bound and isinstance(key, str) else key
            if bound:
                _spend(run, len(str(new_key)) + 4)
            if new_key in out:
                run.problems.append(
                    (
                        "error",
                        f"the key {new_key!r} appears twice after Fn::ForEach; CloudFormation rejects the template",
                    )
                )
            out[new_key] = _expand(value, bound, run)
    return out


def _spend(run: _Expansion, size: int) -> None:
    run.budget -= size
    if run.budget < 0:
        raise _TooBig


def _loop(key: str, spec: Any, bound: dict[str, str], run: _Expansion) -> dict[str, Any]:
    if run.budget < 0:
        return {}
    if not (isinstance(spec, list) and len(spec) == 3 and isinstance(spec[0], str) and isinstance(spec[2], dict)):
        run.problems.append(("error", f"{key}: expected [Identifier, Collection, {{OutputKey: OutputValue}}]"))
        return {}
    identifier, collection, fragment = spec
    items = _collection(_expand(collection, bound, run), run)
    if items is None:
        run.problems.append(
            ("warning", f"{key}: its collection is not known offline ({collection!r:.200}); the loop is left out")
        )
        return {}
    out: dict[str, Any] = {}
    for item in items:
        for new_key, value in _expand(fragment, {**bound, identifier: _text(item)}, run).items():
            if new_key in out:
                run.problems.append(
                    ("error", f"{key}: produces the key {new_key!r} twice; CloudFormation rejects the template")
                )
            out[new_key] = value
    return out


def _collection(value: Any, run: _Expansion) -> list[Any] | None:
    if type(value) is dict and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref" and type(arg) is str:
            value = run.parameters.get(arg)
            if isinstance(value, str):
                value = [v.strip() for v in value.split(",")]
        elif key == "Fn::FindInMap":
            value = _find_in_map(arg, run)
    if isinstance(value, list) and all(type(v) in (str, int, float) for v in value):
        return value
    return None


def _find_in_map(arg: Any, run: _Expansion) -> Any:
    """The mapped value when the map, top-level and second-level keys are literal (else the
    function as written); a missing key takes ``DefaultValue`` when one is given."""
    unresolved = {"Fn::FindInMap": arg}
    if type(arg) is list and len(arg) in (3, 4):
        # A key given by a parameter (`!FindInMap [Sizes, !Ref Env, Names]`) takes its value.
        keys = [_parameter_value(a, run) for a in arg[:3]]
        if all(type(k) is str for k in keys):
            arg = [*keys, *arg[3:]]
    if type(arg) is not list or len(arg) not in (3, 4) or not all(type(a) is str for a in arg[:3]):
        return unresolved
    default = arg[3].get("DefaultValue", unresolved) if len(arg) == 4 and type(arg[3]) is dict else unresolved
    table = run.mappings.get(arg[0])
    inner = table.get(arg[1]) if type(table) is dict else None
    value = inner.get(arg[2], default) if type(inner) is dict else default
    return value


def _parameter_value(key: Any, run: _Expansion) -> Any:
    if type(key) is dict and len(key) == 1 and type(key.get("Ref")) is str:
        value = run.parameters.get(key["Ref"])
        return value if type(value) is str else key
    return key


def _text(item: Any) -> str:
    return item if type(item) is str else str(item)


def _substitute(text: str, bound: dict[str, str]) -> str:
    for name, item in bound.items():
        if name in text:
            text = text.replace("${" + name + "}", item)
            text = text.replace("&{" + name + "}", re.sub(r"[^A-Za-z0-9]", "", item))
    return text
