"""Template parameters: which value each one takes, and which are secret.

CloudFormation gives a parameter the value passed for it (by the user, a parent stack, the
live stack), else its ``Default``; with neither, the stack cannot be created ("Parameters: [X]
must have values"). ``List<...>`` and ``CommaDelimitedList`` parameters take a comma-separated
string as a list. ``NoEcho: true`` parameters are never shown (the API masks them as ``****``).

``value_source`` says where a value came from: ``user``, ``parent``, ``live`` (as passed),
``default`` or ``missing``.

>>> t = {"Parameters": {"Env": {"Type": "String", "Default": "dev"}, "Azs": {"Type": "CommaDelimitedList"}}}
>>> resolve(declared(t), ({"Azs": "a, b"}, "user"))
({'Env': 'dev', 'Azs': ['a', 'b']}, {'Env': 'default', 'Azs': 'user'})
"""

from __future__ import annotations

from typing import Any, Mapping

__all__ = ["declared", "defaults", "values", "resolve", "is_no_echo", "is_list_type", "is_ssm_type"]

_LIST_TYPES = ("List<", "CommaDelimitedList")


def declared(template: Any) -> dict[str, dict]:
    """``{name: spec}`` of a template's Parameters section (a spec that is not a mapping is ``{}``).

    >>> declared({"Parameters": {"Env": {"Type": "String"}, "Bad": 3}})
    {'Env': {'Type': 'String'}, 'Bad': {}}
    """
    params = template.get("Parameters") if isinstance(template, dict) else None
    if not isinstance(params, dict):
        return {}
    return {name: spec if isinstance(spec, dict) else {} for name, spec in params.items()}


def defaults(template: Any) -> dict[str, Any]:
    """``{name: Default}`` of the template's parameters that have one.

    >>> defaults({"Parameters": {"Env": {"Type": "String", "Default": "dev"}, "X": {}}})
    {'Env': 'dev'}
    """
    return {k: v["Default"] for k, v in declared(template).items() if "Default" in v}


def is_list_type(parameter_type: Any) -> bool:
    """Whether a parameter type takes a comma-separated list.

    >>> is_list_type("List<AWS::EC2::Subnet::Id>"), is_list_type("String")
    (True, False)
    """
    return str(parameter_type or "").startswith(_LIST_TYPES)


def is_ssm_type(parameter_type: Any) -> bool:
    """Whether a parameter is an ``AWS::SSM::Parameter::Value<...>`` type: its value names an SSM
    parameter, whose content CloudFormation reads at every deployment.

    >>> is_ssm_type("AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"), is_ssm_type("String")
    (True, False)
    """
    return str(parameter_type or "").startswith("AWS::SSM::Parameter::Value<")


def is_no_echo(spec: Any) -> bool:
    """Whether a parameter spec is ``NoEcho`` (``true`` in any case, as text or a boolean).

    >>> is_no_echo({"NoEcho": "True"}), is_no_echo({"NoEcho": False}), is_no_echo(None)
    (True, False, False)
    """
    return isinstance(spec, dict) and str(spec.get("NoEcho", "false")).lower() == "true"


def resolve(specs: Mapping[str, Any], *given: tuple[Mapping[str, Any], str | Mapping[str, str]]) -> tuple[dict, dict]:
    """The value of each declared parameter and where it came from.

    Parameters
    ----------
    specs : mapping
        ``{name: spec}`` as :func:`declared` returns.
    *given : (mapping, str or mapping)
        Values passed, each with its ``value_source`` word (or a word per name), first wins:
        e.g. ``(user_values, "user"), (parent_values, "parent")``.

    Returns
    -------
    (dict, dict)
        ``{name: value}`` (None when missing; list types split) and ``{name: value_source}``.

    Examples
    --------
    >>> resolve({"A": {"Default": 1}, "B": {}, "C": {}}, ({"C": "x"}, "user"))
    ({'A': 1, 'B': None, 'C': 'x'}, {'A': 'default', 'B': 'missing', 'C': 'user'})
    """
    out, sources = {}, {}
    for name, spec in specs.items():
        spec = spec if isinstance(spec, dict) else {}
        for passed, source in given:
            if name in passed:
                out[name], sources[name] = passed[name], source if isinstance(source, str) else source[name]
                break
        else:
            if "Default" in spec:
                out[name], sources[name] = spec["Default"], "default"
            else:
                out[name], sources[name] = None, "missing"
        if isinstance(out[name], str) and is_list_type(spec.get("Type")):
            out[name] = [v.strip() for v in out[name].split(",")]
    return out, sources


def values(template: Any, *given: Mapping[str, Any]) -> dict[str, Any]:
    """Each parameter's Default overlaid with the values passed (the first of `given` wins).

    Values stay as passed (a list parameter's text is not split): this is the
    ``parameter_values`` shape that transforms and CloudFormation's own API take. Parameters
    with neither a value nor a Default are left out, so what cannot be known stays unresolved.

    >>> values({"Parameters": {"Env": {"Default": "dev"}, "Size": {}}}, {"Env": "prod"}, {"Env": "x", "Y": 1})
    {'Env': 'prod', 'Y': 1}
    """
    out = defaults(template)
    for passed in reversed(given):
        out.update(passed)
    return out
