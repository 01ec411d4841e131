"""The ``AWS::LanguageExtensions`` transform's ``Fn::ForEach``, expanded offline.

``Fn::ForEach::LoopName: [Identifier, Collection, {OutputKey: OutputValue}]`` repeats the
fragment once per item of the collection: ``${Identifier}`` and ``&{Identifier}`` (the item
with non-alphanumeric characters dropped) are replaced in keys and strings, and
``{"Ref": Identifier}`` becomes the item. Loops nest. A collection that cannot be known
offline (a parameter without a value) leaves the loop out, with a warning.

>>> body = {"Resources": {"Fn::ForEach::Topics": ["Name", ["Orders", "Refunds"],
...          {"Topic${Name}": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "Name"}}}}]}}
>>> expanded, warnings = expand_foreach(body, {})
>>> sorted(expanded["Resources"]), expanded["Resources"]["TopicRefunds"]["Properties"]
(['TopicOrders', 'TopicRefunds'], {'TopicName': 'Refunds'})
"""
from __future__ import annotations

import re
from typing import Any

TRANSFORM = "AWS::LanguageExtensions"
_PREFIX = "Fn::ForEach::"


def uses_language_extensions(template: dict[str, Any]) -> bool:
    """True when the template declares the ``AWS::LanguageExtensions`` transform.

    >>> uses_language_extensions({"Transform": ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]})
    True
    """
    transform = template.get("Transform")
    return TRANSFORM in (transform if isinstance(transform, list) else [transform])


def expand_foreach(template: dict[str, Any], parameters: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Expand every ``Fn::ForEach`` of `template`; returns (new template, warnings).

    `parameters` gives the values of parameters a collection may ``Ref``.
    """
    warnings: list[str] = []
    return _expand(template, {}, parameters, warnings), warnings


def _expand(node: Any, bound: dict[str, str], parameters: dict[str, Any], warnings: list[str]) -> Any:
    if isinstance(node, list):
        return [_expand(v, bound, parameters, warnings) for v in node]
    if isinstance(node, str):
        return _substitute(node, bound) if bound else node
    if not isinstance(node, dict):
        return node
    if len(node) == 1 and "Ref" in node and node["Ref"] in bound:
        return bound[node["Ref"]]
    if bound and len(node) == 1 and isinstance(node.get("Fn::Sub"), str):
        text = _substitute(node["Fn::Sub"], bound)
        # A Sub left with no variable is its text: how `!GetAtt [!Sub 'Bucket${Id}', Arn]` names a resource.
        return text if "${" not in text else {"Fn::Sub": text}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if isinstance(key, str) and key.startswith(_PREFIX):
            out.update(_loop(key, value, bound, parameters, warnings))
        else:
            out[_substitute(key, bound) if bound and isinstance(key, str) else key] = _expand(
                value, bound, parameters, warnings)
    return out


def _loop(key: str, spec: Any, bound, parameters, warnings) -> dict[str, Any]:
    if not (isinstance(spec, list) and len(spec) == 3 and isinstance(spec[0], str) and isinstance(spec[2], dict)):
        warnings.append(f"{key}: expected [Identifier, Collection, {{OutputKey: OutputValue}}]")
        return {}
    identifier, collection, fragment = spec
    items = _collection(_expand(collection, bound, parameters, warnings), parameters)
    if items is None:
        warnings.append(f"{key}: its collection is not known offline ({collection!r}); the loop is left out")
        return {}
    out: dict[str, Any] = {}
    for item in items:
        out.update(_expand(fragment, {**bound, identifier: str(item)}, parameters, warnings))
    return out


def _collection(value: Any, parameters: dict[str, Any]) -> list[Any] | None:
    if isinstance(value, dict) and set(value) == {"Ref"}:
        value = parameters.get(value["Ref"])
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",")]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return value
    return None


def _substitute(text: str, bound: dict[str, str]) -> str:
    for name, item in bound.items():
        if name in text:
            text = text.replace("${" + name + "}", item)
            text = text.replace("&{" + name + "}", re.sub(r"[^A-Za-z0-9]", "", item))
    return text
