"""Intrinsic functions: find what an expression references, and resolve what can be known offline.

Templates reach the model in long form only (``{"Ref": x}``, ``{"Fn::Sub": ...}``), so the
walkers here handle one spelling of each function.

>>> [r.target for r in find_references({"Fn::Sub": "${Vpc}-${AWS::Region}-${!Literal}"})]
['Vpc', 'AWS::Region']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Container, Iterator, NamedTuple

from ..walks import FAST as _FAST
from .pointer import join

PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)

# ${Name}, ${Res.Attr}; ${!Literal} is CloudFormation's escape and references nothing.
_SUB_VAR = re.compile(r"\$\{([^!}][^}]*)\}")


class Reference(NamedTuple):
    """One reference found inside an expression: `kind` is Ref, GetAtt, Sub, ImportValue,
    FindInMap or Condition; `path` is the JSON pointer below the walked value."""

    # A named tuple, not a dataclass: builds of large estates make one per reference, and a
    # tuple is made ~4x faster than a frozen dataclass.
    kind: str
    target: str
    attribute: str | None
    path: str
    value: Any = None  # for ImportValue: the name expression


def is_intrinsic(value: Any) -> bool:
    """True for a one-key mapping that is an intrinsic function or a condition reference.

    >>> is_intrinsic({"Ref": "X"}), is_intrinsic({"Fn::If": ["C", 1, 2]}), is_intrinsic({"a": 1})
    (True, True, False)
    """
    if type(value) is not dict or len(value) != 1:
        return False
    key = next(iter(value))
    # a key YAML or JSON never gives (a dict built in Python) makes the mapping plain data
    return type(key) is str and (key == "Ref" or key.startswith("Fn::") or key == "Condition")


def sub_variables(text: str) -> list[str]:
    """Variable names used by a ``Fn::Sub`` string, escapes ``${!X}`` excluded.

    >>> sub_variables("arn:${AWS::Partition}:s3:::${Bucket}/${!Key} ${Db.Endpoint.Address}")
    ['AWS::Partition', 'Bucket', 'Db.Endpoint.Address']
    """
    return [m.strip() for m in _SUB_VAR.findall(text)]


def _split_sub_var(name: str) -> tuple[str, str | None]:
    if name.startswith("AWS::"):
        return name, None
    target, dot, attribute = name.partition(".")
    return target, (attribute if dot else None)


def find_references(value: Any, path: str = "", *, pointers: bool = True) -> Iterator[Reference]:
    """Every reference inside `value`, depth first, with the JSON pointer where it stands.

    ``Fn::Sub`` strings are parsed; names bound by the list form of ``Fn::Sub`` are local
    and not reported; ``Fn::If`` reports its condition. With ``pointers=False`` the same
    references come in the same order, but plain lists and mappings do not extend the
    pointer (``path`` may then be short): for callers that read only kinds and targets,
    which then skip building a string per value.

    >>> [(r.kind, r.target, r.attribute, r.path) for r in
    ...  find_references({"A": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}, "B": [{"Ref": "P"}]})]
    [('GetAtt', 'Db', 'Endpoint.Address', '/A'), ('Ref', 'P', None, '/B/0')]
    >>> [(r.kind, r.target, r.path) for r in find_references({"B": [{"Ref": "P"}]}, pointers=False)]
    [('Ref', 'P', '')]
    """
    if _FAST is not None and type(path) is str:  # the same walk in C (iacviz.walks)
        found = _FAST.references(value, path, pointers, None, (), [], False, _sub_names, join, Reference)
        if found is not NotImplemented:
            return iter(found)
    return walk_references(value, path, pointers)


def walk_references(
    value: Any,
    path: str = "",
    pointers: bool = True,
    check: Callable[[str, Any], Any] | None = None,
    checked: Container[str] = (),
    unchecked: list | None = None,
) -> Iterator[Reference]:
    """:func:`find_references`, which can also check each function's shape on the way.

    With `check` (``check(key, arg)``, truthy for a bad shape: see
    :mod:`iacviz.cfn.shapes`), each function whose name is in `checked` is checked, and
    `unchecked` gets every function whose check failed and every container the walk does
    not enter (``Fn::GetAtt``'s computed resource, ``Fn::Sub``'s computed variables): a
    checker then walks only those, instead of walking all of `value` a second time.

    >>> left: list = []
    >>> not_a_name = lambda key, arg: type(arg) is not str
    >>> [r.target for r in walk_references({"A": {"Ref": ["a"]}, "B": {"Ref": "P"}}, "", True, not_a_name, {"Ref"}, left)]
    ['P']
    >>> left
    [{'Ref': ['a']}]
    """
    # Only mappings and lists are pushed: scalars (most of a template) reference nothing, and
    # skipping them first saves making a pointer string for each.
    stack: list[tuple[Any, str]] = [(value, path)]
    push, pop = stack.append, stack.pop
    if unchecked is None:
        unchecked = []
    while stack:
        node, here = pop()
        kind = type(node)
        if kind is list:
            for i in range(len(node) - 1, -1, -1):
                v = node[i]
                t = type(v)
                if t is dict or t is list:
                    push((v, f"{here}/{i}" if pointers else here))
            continue
        if kind is not dict:
            continue
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key in checked and type(key) is str and check(key, arg):
                unchecked.append(node)
            if key == "Ref":
                if type(arg) is str:
                    yield Reference("Ref", arg, None, here)
                else:
                    push((arg, f"{here}/Ref"))
                continue
            if key == "Fn::GetAtt":
                if type(arg) is str:
                    target, _, attribute = arg.partition(".")
                    yield Reference("GetAtt", target, attribute or None, here)
                elif type(arg) is list and arg and type(arg[0]) is str:
                    if len(arg) > 1 and type(arg[1]) is not str:
                        yield Reference("GetAtt", arg[0], None, here)
                        push((arg[1], f"{here}/Fn::GetAtt/1"))
                    else:
                        yield Reference("GetAtt", arg[0], arg[1] if len(arg) > 1 else None, here)
                elif check is not None:
                    unchecked.append(arg)
                continue
            if key == "Fn::Sub":
                local: Any = ()
                text = arg
                if type(arg) is list and arg:
                    text = arg[0]
                    if len(arg) > 1:
                        if type(arg[1]) is dict:
                            local = arg[1]
                            push((local, f"{here}/Fn::Sub/1"))
                        elif check is not None:
                            unchecked.append(arg[1:])
                if type(text) is str:
                    for name, target, attribute in _sub_names(text):
                        if target not in local and name not in local:
                            yield Reference("Sub", target, attribute, here)
                elif text is not arg:
                    push((text, f"{here}/Fn::Sub/0"))
                elif check is not None:
                    unchecked.append(arg)
                continue
            if key == "Fn::ImportValue":
                yield Reference("ImportValue", "", None, here, arg)
                push((arg, f"{here}/Fn::ImportValue"))
                continue
            if key == "Fn::FindInMap":
                if type(arg) is list and arg and type(arg[0]) is str:
                    yield Reference("FindInMap", arg[0], None, here)
                    for i in range(1, len(arg)):  # pushed in order, so walked last to first
                        push((arg[i], f"{here}/Fn::FindInMap/{i}"))
                else:
                    push((arg, f"{here}/Fn::FindInMap"))
                continue
            if key == "Fn::If":
                if type(arg) is list and arg and type(arg[0]) is str:
                    yield Reference("Condition", arg[0], None, here)
                    for i in range(len(arg) - 1, 0, -1):
                        push((arg[i], f"{here}/Fn::If/{i}"))
                    continue
            if key == "Condition" and type(arg) is str:
                yield Reference("Condition", arg, None, here)
                continue
        for k, v in reversed(node.items()):
            t = type(v)
            if t is dict or t is list:
                if not pointers:
                    push((v, here))
                # pointer.join, inlined for the common key that needs no escaping
                elif type(k) is str and "~" not in k and "/" not in k:
                    push((v, f"{here}/{k}"))
                else:
                    push((v, join(here, k)))


@lru_cache(maxsize=4096)
def _sub_parts(text: str) -> tuple[str, ...]:
    # A Fn::Sub string cut at its variables: text, name, text, ..., text (names stripped).
    parts = _SUB_VAR.split(text)
    return tuple(p.strip() if i % 2 else p for i, p in enumerate(parts))


@lru_cache(maxsize=4096)
def _sub_names(text: str) -> tuple[tuple[str, str, str | None], ...]:
    # (name, target, attribute) per variable of a Fn::Sub string: templates repeat the same
    # strings (ARNs, names) so often that parsing each once pays.
    return tuple((name, *_split_sub_var(name)) for name in sub_variables(text))


# --------------------------------------------------------------------------------------------
# Offline resolution


@dataclass
class Context:
    """What is known about a stack offline: parameter values, its name, region, conditions."""

    stack: str
    region: str = "us-east-1"
    account: str | None = None
    parameters: dict[str, Any] | None = None
    mappings: dict[str, Any] | None = None
    condition: Callable[[str], bool | None] | None = None
    resolve_getatt: Callable[[str, str], str | None] | None = None


class _Unknown(Exception):
    pass


def placeholder_names(text: str) -> list[str]:
    """Names left unresolved in a string produced by :func:`resolve_string`.

    >>> placeholder_names("${Env}-VpcId")
    ['Env']
    """
    return sub_variables(text)


def resolve_string(expr: Any, ctx: Context) -> str | None:
    """Resolve an expression to a string, keeping what is unknown offline as ``${Name}``.

    Parameters without a value, ``AWS::AccountId`` and attributes of resources stay as
    placeholders, so a name built from them can still be matched as a pattern. Returns None
    when the expression cannot be rendered as one string (e.g. a list, or ``Fn::If`` on a
    condition of unknown value).

    >>> resolve_string({"Fn::Sub": "${AWS::StackName}-${Env}-VpcId"}, Context("net"))
    'net-${Env}-VpcId'
    >>> resolve_string({"Fn::Join": ["-", [{"Ref": "Env"}, "db"]]}, Context("x", parameters={"Env": "prod"}))
    'prod-db'
    """
    try:
        value = _resolve(expr, ctx)
    except _Unknown:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value if isinstance(value, str) else None


def resolve_value(expr: Any, ctx: Context) -> Any:
    """Like :func:`resolve_string` but lists are allowed; raises nothing, returns None if unknown.

    >>> resolve_value({"Fn::Split": [",", "a,b"]}, Context("s"))
    ['a', 'b']
    """
    try:
        return _resolve(expr, ctx)
    except _Unknown:
        return None


def _pseudo(name: str, ctx: Context) -> Any:
    if name == "AWS::StackName":
        return ctx.stack
    if name == "AWS::Region":
        return ctx.region
    if name == "AWS::Partition":
        return (
            "aws-cn" if ctx.region.startswith("cn-") else ("aws-us-gov" if ctx.region.startswith("us-gov-") else "aws")
        )
    if name == "AWS::URLSuffix":
        return "amazonaws.com.cn" if ctx.region.startswith("cn-") else "amazonaws.com"
    if name == "AWS::AccountId" and ctx.account:
        return ctx.account
    return "${" + name + "}"


def _ref(name: str, ctx: Context) -> Any:
    if name in PSEUDO_PARAMETERS:
        return _pseudo(name, ctx)
    params = ctx.parameters or {}
    if name in params and params[name] is not None and type(params[name]) is not dict:
        return params[name]
    return "${" + name + "}"


def _resolve(expr: Any, ctx: Context) -> Any:  # one dispatch over the functions
    kind = type(expr)
    if kind in (str, int, float, bool):
        return expr
    if kind is list:
        return [_resolve(x, ctx) for x in expr]
    if kind is not dict or len(expr) != 1:
        raise _Unknown
    key, arg = next(iter(expr.items()))
    if key == "Ref" and type(arg) is str:
        return _ref(arg, ctx)
    if key == "Fn::Sub":
        if type(arg) is list and not 1 <= len(arg) <= 2:
            raise _Unknown
        text, local = (arg[0], arg[1] if len(arg) > 1 else {}) if type(arg) is list else (arg, {})
        if type(text) is not str or type(local) is not dict:
            raise _Unknown

        parts = _sub_parts(text)
        if len(parts) == 1:  # no variable
            return text.replace("${!", "${")
        out = []
        for i, part in enumerate(parts):
            if not i % 2:
                out.append(part)
            elif part in local:
                out.append(_as_text(_resolve(local[part], ctx)))
            else:
                target, attribute = _split_sub_var(part)
                value = _ref(target, ctx) if attribute is None else _getatt_value(target, attribute, ctx)
                out.append(_as_text(value))
        return "".join(out).replace("${!", "${")
    if key == "Fn::Join" and type(arg) is list and len(arg) == 2:
        sep, items = _resolve(arg[0], ctx), _resolve(arg[1], ctx)
        if type(items) is not list or type(sep) is not str:
            raise _Unknown
        return sep.join(_as_text(i) for i in items)
    if key == "Fn::GetAtt":
        target, attribute = arg.partition(".")[::2] if type(arg) is str else (arg + [None])[:2]
        if type(target) is not str or type(attribute) is not str:
            raise _Unknown
        return _getatt_value(target, attribute, ctx)
    if key == "Fn::Select" and type(arg) is list and len(arg) == 2:
        index, items = _resolve(arg[0], ctx), _resolve(arg[1], ctx)
        if type(items) is not list:
            raise _Unknown
        try:
            return items[int(index)]
        except (ValueError, IndexError, TypeError):
            raise _Unknown from None
    if key == "Fn::Split" and type(arg) is list and len(arg) == 2:
        sep, text = _resolve(arg[0], ctx), _resolve(arg[1], ctx)
        if type(sep) is not str or type(text) is not str or "${" in text:
            raise _Unknown
        return text.split(sep)
    if key == "Fn::FindInMap" and type(arg) is list and len(arg) >= 3:
        names = [_resolve(a, ctx) for a in arg[:3]]
        try:
            return (ctx.mappings or {})[names[0]][names[1]][names[2]]
        except (KeyError, TypeError):
            raise _Unknown from None
    if key == "Fn::If" and type(arg) is list and len(arg) == 3 and ctx.condition:
        value = ctx.condition(arg[0])
        if value is None:
            raise _Unknown
        return _resolve(arg[1] if value else arg[2], ctx)
    if key == "Fn::ImportValue":
        name = _resolve(arg, ctx)
        return "${ImportValue:" + _as_text(name) + "}"
    raise _Unknown


def _getatt_value(target: str, attribute: str, ctx: Context) -> Any:
    if ctx.resolve_getatt:
        value = ctx.resolve_getatt(target, attribute)
        if value is not None:
            return value
    return "${" + f"{target}.{attribute}" + "}"


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list):
        return ",".join(_as_text(v) for v in value)
    raise _Unknown
