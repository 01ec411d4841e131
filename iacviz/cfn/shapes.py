"""The shapes CloudFormation requires of intrinsic functions and resource entries.

CloudFormation refuses a template whose ``Ref`` names a list, whose ``Fn::GetAtt`` has one
element, whose resource has an empty ``Type`` or ``Properties`` that are not a mapping. Left
unchecked, such values are read as something they are not (or crash a later step); here each
one is a problem with the JSON pointer where it stands. Functions not listed are not checked.

>>> list(intrinsic_problems({"A": {"Ref": ["a", "b"]}, "B": {"Fn::GetAtt": ["Q"]}}))
[('/A', 'Ref takes a name (a string), not a list of 2'), ('/B', 'Fn::GetAtt takes [resource, attribute] or "resource.attribute"')]
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from iacviz.cfn.intrinsics import Reference, _sub_names, is_intrinsic, walk_references
from iacviz.cfn.pointer import join
from iacviz.walks import FAST as _FAST

_SCALARS = (str, int, float, bool)


def _text(value: Any) -> bool:  # a string, or a function that gives one
    return type(value) is str or is_intrinsic(value)


def _list(value: Any) -> bool:  # a list, or a function that gives one
    return type(value) is list or is_intrinsic(value)


# The functions _check has a rule for: any other is never a problem, and is not checked.
_CHECKED = frozenset(
    {
        "Ref",
        "Fn::GetAtt",
        "Fn::Sub",
        "Fn::Join",
        "Fn::Select",
        "Fn::Split",
        "Fn::FindInMap",
        "Fn::If",
        "Fn::ImportValue",
        "Fn::Equals",
        "Fn::Not",
        "Fn::And",
        "Fn::Or",
    }
)


def _check(key: str, arg: Any) -> str | None:  # one rule per function
    if key == "Ref":
        return None if type(arg) is str and arg else f"Ref takes a name (a string), not {_a(arg)}"
    if key == "Fn::GetAtt":
        ok = (type(arg) is str and "." in arg.strip(".")) or (
            type(arg) is list and len(arg) == 2 and _text(arg[0]) and _text(arg[1])
        )
        return None if ok else 'Fn::GetAtt takes [resource, attribute] or "resource.attribute"'
    if key == "Fn::Sub":
        ok = type(arg) is str or (
            type(arg) is list
            and len(arg) in (1, 2)
            and _text(arg[0])
            and (len(arg) == 1 or type(arg[1]) is dict or is_intrinsic(arg[1]))
        )
        return None if ok else f"Fn::Sub takes a string or [string, {{variables}}], not {_a(arg)}"
    if key == "Fn::Join":
        ok = type(arg) is list and len(arg) == 2 and _text(arg[0]) and _list(arg[1])
        return None if ok else f"Fn::Join takes [delimiter, [values]], not {_a(arg)}"
    if key == "Fn::Select":
        ok = (
            type(arg) is list
            and len(arg) == 2
            and (type(arg[0]) in (str, int) or is_intrinsic(arg[0]))
            and _list(arg[1])
        )
        return None if ok else f"Fn::Select takes [index, [values]], not {_a(arg)}"
    if key == "Fn::Split":
        ok = type(arg) is list and len(arg) == 2 and _text(arg[0]) and _text(arg[1])
        return None if ok else f"Fn::Split takes [delimiter, string], not {_a(arg)}"
    if key == "Fn::FindInMap":
        ok = (
            type(arg) is list and len(arg) in (3, 4) and all(_text(a) or type(a) in (int, float, bool) for a in arg[:3])
        )
        return None if ok else f"Fn::FindInMap takes [map, key, key], not {_a(arg)}"
    if key == "Fn::If":
        ok = type(arg) is list and len(arg) == 3 and type(arg[0]) is str
        return None if ok else "Fn::If takes [condition name, value if true, value if false]"
    if key == "Fn::ImportValue":
        return None if _text(arg) else f"Fn::ImportValue takes an export name (a string), not {_a(arg)}"
    if key in ("Fn::Equals",):
        return None if type(arg) is list and len(arg) == 2 else f"{key} takes [value, value], not {_a(arg)}"
    if key == "Fn::Not":
        return None if type(arg) is list and len(arg) == 1 else f"{key} takes [condition], not {_a(arg)}"
    if key in ("Fn::And", "Fn::Or"):
        ok = type(arg) is list and 2 <= len(arg) <= 10
        return None if ok else f"{key} takes a list of 2 to 10 conditions, not {_a(arg)}"
    return None


def _a(value: Any) -> str:
    if type(value) is list:
        return f"a list of {len(value)}"
    if type(value) is dict and len(value) == 1 and str(next(iter(value))).startswith("Rain::"):
        return f"rain's {next(iter(value))} (a preprocessor directive: package the template with rain first)"
    return {
        dict: "a mapping",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def intrinsic_problems(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """``(pointer, message)`` for each intrinsic function of the wrong shape inside `value`.

    >>> list(intrinsic_problems({"A": [{"Ref": 5}], "B": {"Ref": "X"}}, "/properties"))
    [('/properties/A/0', 'Ref takes a name (a string), not a number')]
    """
    # Every resource and output is checked and almost none has a problem: a first walk without
    # pointers (a string per node) answers "none" ~2x faster; only then are pointers made.
    if _any_problem(value):
        yield from _located_problems(value, path)


def checked_references(value: Any, path: str, left: list) -> Iterator[Reference]:
    """:func:`~iacviz.cfn.intrinsics.find_references` of `value`, checking shapes on the way.

    A function of a bad shape, and each part of `value` the walk for references does not
    enter, is put in `left`: once the walk is done, ``any_problem(left)`` is
    ``bool(list(intrinsic_problems(value)))``, found without a second walk of the whole value
    (a build walks every resource for both).

    >>> left: list = []
    >>> [r.target for r in checked_references({"A": {"Ref": "Vpc"}, "B": {"Fn::GetAtt": ["Q"]}}, "", left)]
    ['Vpc', 'Q']
    >>> any_problem(left)
    True
    """
    if _FAST is not None and type(path) is str:  # the same walk in C (iacviz.walks)
        start = len(left)
        found = _FAST.references(value, path, True, _check, _CHECKED, left, True, _sub_names, join, Reference)
        if found is not NotImplemented:
            return iter(found)
        del left[start:]  # the Python walk decides (a mapping's key that is not plain data)
    return walk_references(value, path, True, _check, _CHECKED, left)


def checked_sections(
    res: dict, sections: tuple[tuple[str, str], ...], names: frozenset
) -> tuple[list[tuple[str, str, list[Reference]]], list]:
    """``(found, left)`` of a resource: its references and what is left to check for shapes.

    `found` holds ``(section, prefix, references)`` for each ``(section, prefix)`` of
    `sections` whose value in `res` is a mapping or a list (:func:`checked_references` of it,
    pointers starting at `prefix`); `left` gets what those walks leave, then every other
    mapping or list of `res` whose key is not in `names`. With every section's name in `names`,
    ``any_problem(left)`` then tells whether :func:`intrinsic_problems` finds one in `res`.

    >>> found, left = checked_sections(
    ...     {"Type": "T", "Properties": {"A": {"Ref": "B"}}, "Other": [{"Ref": 1}]},
    ...     (("Properties", "/properties"), ("Metadata", "/metadata")), frozenset({"Properties", "Metadata"}))
    >>> [(section, prefix, [r.target for r in refs]) for section, prefix, refs in found], left
    ([('Properties', '/properties', ['B'])], [[{'Ref': 1}]])
    """
    if _FAST is not None:  # the same walks in C (iacviz.walks), one call a resource
        done = _FAST.sections(res, sections, names, _check, _CHECKED, _sub_names, join, Reference)
        if done is not NotImplemented:
            return done
    left: list = []
    found = [
        (section, prefix, list(checked_references(res[section], prefix, left)))
        for section, prefix in sections
        if section in res and type(res[section]) in (dict, list)
    ]
    for k, v in res.items():
        if (type(v) is dict or type(v) is list) and k not in names:
            left.append(v)
    return found, left


def any_problem(values: Iterable[Any]) -> bool:
    """Whether :func:`intrinsic_problems` finds a problem in any of `values`.

    >>> any_problem([{"Ref": "X"}, [{"Fn::Join": "a"}]]), any_problem([])
    (True, False)
    """
    return any(_any_problem(v) for v in values)


def _any_problem(value: Any) -> bool:
    # The same nodes as _located_problems visits (it skips below a bad function; this stops).
    stack = [value]
    pop, extend = stack.pop, stack.extend
    while stack:
        node = pop()
        kind = type(node)
        if kind is dict:
            if len(node) == 1:
                ((key, arg),) = node.items()
                if type(key) is str and (key == "Ref" or key.startswith("Fn::")) and _check(key, arg):
                    return True
            extend(node.values())
        elif kind is list:
            extend(node)
    return False


def _located_problems(value: Any, path: str) -> Iterator[tuple[str, str]]:
    stack = [(value, path)]
    while stack:
        node, here = stack.pop()
        if type(node) is list:
            stack.extend((v, f"{here}/{i}") for i, v in reversed(list(enumerate(node))))
        elif type(node) is dict:
            if len(node) == 1:
                key, arg = next(iter(node.items()))
                if type(key) is str and (key == "Ref" or key.startswith("Fn::")):
                    problem = _check(key, arg)
                    if problem:
                        yield here or "/", problem
                        continue
            stack.extend((v, f"{here}/{k}") for k, v in reversed(list(node.items())))


def resource_problems(logical_id: Any, resource: Any) -> list[str]:
    """What CloudFormation refuses in one entry of ``Resources`` (its functions aside).

    >>> resource_problems("Q", {"Type": "", "Properties": [1], "DependsOn": 5})
    ['Type must be a non-empty string', 'Properties must be a mapping, not a list of 1', 'DependsOn must be a logical id or a list of them, not a number']
    """
    if type(resource) is dict and type(logical_id) is str and logical_id.strip():
        # the usual entry, answered without building a list of what it lacks
        kind, props, depends = resource.get("Type"), resource.get("Properties"), resource.get("DependsOn")
        if (
            type(kind) is str
            and kind.strip()
            and (props is None or type(props) is dict)
            and (depends is None or type(depends) is str)
        ):
            return []
    problems = []
    if not isinstance(logical_id, str) or not logical_id.strip():
        problems.append("a resource has an empty logical id")
    if not isinstance(resource, dict):
        return [*problems, f"a resource must be a mapping, not {_a(resource)}"]
    if not isinstance(resource.get("Type"), str) or not resource["Type"].strip():
        problems.append("Type must be a non-empty string")
    if "Properties" in resource and resource["Properties"] is not None and not isinstance(resource["Properties"], dict):
        problems.append(f"Properties must be a mapping, not {_a(resource['Properties'])}")
    depends = resource.get("DependsOn")
    if (
        depends is not None
        and not isinstance(depends, str)
        and not (isinstance(depends, list) and all(isinstance(d, str) for d in depends))
    ):
        problems.append(f"DependsOn must be a logical id or a list of them, not {_a(depends)}")
    return problems
