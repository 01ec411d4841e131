"""Plan against what is deployed: the change sets CloudFormation would compute for new templates.

:func:`plan_live` reads the stacks deployed under the names of the templates in AFTER (an
estate file's names, file stems...) in one account and region, read-only, and compares them
with :func:`iacviz.plan_changes`, the way ``aws cloudformation deploy`` would update them:

* a template with no deployed stack of its name is a new stack (every resource an Add);
* a parameter not given keeps its deployed value (CloudFormation's ``UsePreviousValue``); a
  parameter the deployed stack does not have takes its default;
* an SSM-typed parameter (``AWS::SSM::Parameter::Value<...>``) is resolved through the account
  with ``ssm:GetParameters`` (a read; never ``WithDecryption``, and CloudFormation refuses
  SecureString for these types), and compared with the value CloudFormation resolved at the last
  deployment (``ResolvedValue`` of DescribeStacks): a changed SSM value shows as the Modify
  CloudFormation's change set shows. Where either side is unknown, the parameter stays
  ``unknowable``, with its reason;
* what cannot be known read-only (macros, ``{{resolve:...}}`` dynamic references) stays
  ``unknowable`` with the reason, as offline.

>>> plan = plan_live(["after/"], profile="prod-readonly", region="eu-west-1")  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import dataclasses
import os
from typing import Any, Iterable, Mapping

import pandas as pd

from ..cfn.parameters import is_ssm_type
from ..errors import IacvizError
from ..model.build import build_estate
from ..sources.files import read_paths
from ..sources.live import CALL_ERRORS, Clients, ReadOnlyGuard, explain, read_live
from ..sources.raw import ErrorRow, RawStack
from .changes import plan_changes

__all__ = ["plan_live"]


def plan_live(
    after: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    session=None,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    client_config=None,
) -> pd.DataFrame:
    """The change sets that deploying the templates of `after` over the deployed stacks would make.

    Parameters
    ----------
    after : path or paths
        Template files or folders (an ``iacviz-estate.yaml`` names the stacks; with
        ``environments:``, the stacks of `region` are taken).
    session, profile, region, endpoint_url :
        The account and region to compare with (read-only; ``ssm:GetParameters`` is the one
        read of a value, for SSM-typed parameters).
    parameters : mapping, optional
        ``{Key: value}`` for every stack declaring Key, or ``{stack: {Key: value}}``; what is
        not given keeps its deployed value.

    Returns
    -------
    DataFrame
        Frame ``plan`` (see :func:`iacviz.plan_changes`).

    Examples
    --------
    >>> plan_live("after/", region="eu-west-1", endpoint_url="http://127.0.0.1:5000")  # doctest: +SKIP
    """
    import boto3
    from botocore.config import Config

    paths = [after] if isinstance(after, (str, os.PathLike)) else list(after)
    if session is None:
        session = boto3.Session(profile_name=profile) if profile else boto3.Session()
    region = region or session.region_name or "us-east-1"
    raws, errors = read_paths(paths, region=region)
    raws = [r for r in raws if r.region in (None, region)]
    names = sorted({r.name for r in raws if not r.parent_stack})
    if not names:
        raise IacvizError(f"plan --live: no templates in {', '.join(map(str, paths))}")
    # Every stack of the region: a nested stack is found through its parent's resources (its
    # name is CloudFormation's), which a filter on the names would leave out.
    read = read_live(
        session,
        regions=[region],
        include=("templates", "resources"),
        progress=False,
        endpoint_url=endpoint_url,
        client_config=client_config,
    )
    deployed = {r.name: r for r in read.raw_stacks if not r.parent_stack}
    problems = [e for e in read.errors if e.severity == "error"]
    if problems and not read.raw_stacks:
        raise IacvizError(f"plan --live: cannot read {problems[0].source}: {problems[0].message}")
    given = _per_stack(parameters or {}, names)
    config = Config(retries={"mode": "adaptive", "max_attempts": 10}, user_agent_extra="iacviz")
    if client_config is not None:
        config = config.merge(client_config)
    # GetParameters is refused by default (it reads values); here it reads what CloudFormation
    # itself reads for SSM-typed parameters, so it is allowed for this one client.
    ssm = Clients(session, endpoint_url, config, ReadOnlyGuard(extra=frozenset({"GetParameters"})))("ssm", region)
    after_raws, before_raws, notes = [], [], []
    # CloudFormation names a nested stack <parent>-<logical id>-<suffix>; the files reader
    # <parent>-<logical id>: they are matched by parent and logical id instead.
    nested = {(r.parent_stack, r.parent_resource): r for r in read.raw_stacks if r.parent_stack}
    for raw in raws:
        if raw.parent_stack:
            after_raws.append(dataclasses.replace(raw, account=None, region=None, environment=None))
            child = nested.get((raw.parent_stack, raw.parent_resource))
            if child is not None:
                before_raws.append(dataclasses.replace(child, name=raw.name, account=None, region=None))
            continue
        old = deployed.get(raw.name)
        new = _with_values(raw, old, given.get(raw.name, {}))
        if old is not None:
            old = dataclasses.replace(old, account=None, region=None)
            new, old, why = _resolve_ssm(new, old, ssm, given.get(raw.name, {}), raw)
            notes += why
            before_raws.append(old)
        after_raws.append(new)
    user = {r.name: dict(r.parameter_values) for r in after_raws}
    before = build_estate(before_raws, [], region=region)
    after_estate = build_estate(after_raws, errors + notes, region=region)
    return plan_changes(
        before,
        after_estate,
        before_parameters={r.name: dict(r.parameter_values) for r in before_raws},
        after_parameters=user,
    )


def _per_stack(params: Mapping[str, Any], names: list[str]) -> dict[str, dict]:
    if params and all(isinstance(v, Mapping) for v in params.values()):
        return {k: dict(v) for k, v in params.items()}
    return {n: dict(params) for n in names}


def _with_values(raw: RawStack, deployed: RawStack | None, given: dict) -> RawStack:
    """The new template's parameter values: given, else deployed (UsePreviousValue), else as read."""
    declared = raw.template.get("Parameters") if isinstance(raw.template.get("Parameters"), dict) else {}
    previous = dict(deployed.parameter_values) if deployed is not None else {}
    values = {}
    for name in declared:
        if name in given:
            values[name] = given[name]
        elif name in previous:
            values[name] = previous[name]
        elif name in raw.parameter_values:
            values[name] = raw.parameter_values[name]
    return dataclasses.replace(
        raw, parameter_values=values, parameter_values_source="user", account=None, region=None, environment=None
    )


def _resolve_ssm(
    new: RawStack, old: RawStack, ssm, given: dict, read: RawStack
) -> tuple[RawStack, RawStack, list[ErrorRow]]:
    """Both sides with their SSM-typed parameters turned into plain String values where both the
    deployed resolved value and the current SSM value are known (a change then shows as a change)."""
    specs = new.template.get("Parameters") or {}
    typed = {k: s for k, s in specs.items() if isinstance(s, dict) and is_ssm_type(s.get("Type"))}
    if not typed:
        return new, old, []
    resolved_before = old.live.get("resolved_parameters")
    if resolved_before is None:
        # An endpoint that reports no ResolvedValue at all (moto) answers the resolved value as
        # ParameterValue: that is the deployed value, and the name is the template's.
        resolved_before = {k: old.parameter_values.get(k) for k in typed}
        names = {k: _ssm_name(k, s, given if k in given else read.parameter_values) for k, s in typed.items()}
    else:
        names = {k: _ssm_name(k, s, new.parameter_values) for k, s in typed.items()}
    wanted = sorted({n for n in names.values() if n})
    current: dict[str, str] = {}
    notes: list[ErrorRow] = []
    for i in range(0, len(wanted), 10):  # GetParameters takes at most 10 names
        try:
            page = ssm.get_parameters(Names=wanted[i : i + 10], WithDecryption=False)
        except CALL_ERRORS as exc:
            notes.append(
                ErrorRow(
                    f"live:{old.account or ''}/{old.region or ''}/GetParameters",
                    0,
                    "warning",
                    f"SSM parameters of {new.name} stay unknowable: {explain(exc)}",
                    new.name,
                )
            )
            return new, old, notes
        current.update({p["Name"]: p.get("Value") for p in page.get("Parameters") or []})
    new_t, old_t = copy.deepcopy(new.template), copy.deepcopy(old.template)
    new_values, old_values = dict(new.parameter_values), dict(old.parameter_values)
    for key, spec in typed.items():
        name, before_value = names[key], resolved_before.get(key)
        if name not in current or before_value is None:
            continue  # stays SSM-typed: unknowable, with the reason plan_changes gives
        kind = "CommaDelimitedList" if "List<" in str(spec.get("Type")) else "String"
        for template, values, value in ((new_t, new_values, current[name]), (old_t, old_values, before_value)):
            params = template.get("Parameters") or {}
            if key in params and isinstance(params[key], dict):
                params[key] = {**params[key], "Type": kind}
                params[key].pop("Default", None)
                values[key] = value
    return (
        dataclasses.replace(new, template=new_t, parameter_values=new_values),
        dataclasses.replace(old, template=old_t, parameter_values=old_values),
        notes,
    )


def _ssm_name(key: str, spec: dict, values: dict) -> str | None:
    value = values.get(key, spec.get("Default"))
    return value if isinstance(value, str) and value else None
