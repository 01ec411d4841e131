"""Where the estate file says templates are deployed: its ``environments:`` section.

An estate read from git then has the shape of the live one: one stack per environment and
region a template is deployed in, each with its account, region and environment::

    environments:
      prod: {account: "111111111111", regions: [eu-west-1, us-east-1], parameters: {Env: prod}}
      dev:  {account: "222222222222", regions: [eu-west-1], parameters: {Env: dev}}
    stacks:
      net: {template: net.json}                        # every environment and region
      app: {template: app.json, environments: [prod]}  # only prod (both regions)

A stack's ``environments`` is a list of names or a mapping of name to parameters. Parameter
values merge in this order, later winning: the environment's, the stack's own, then the
environment-and-stack entry. Every mistake is an `ErrorRow` naming the estate file's line.

>>> envs, errors = parse_environments({"prod": {"account": "111111111111", "regions": ["eu-west-1"]}},
...                                   "iacviz-estate.yaml", {})
>>> envs["prod"].account, envs["prod"].regions, errors
('111111111111', ['eu-west-1'], [])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .raw import ErrorRow

_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


@dataclass
class Environment:
    """One environment of the estate file: an account, its regions and parameter values."""

    name: str
    account: str | None
    regions: list[str]
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass
class Deployment:
    """One place a template is deployed: environment, account, region and merged parameters."""

    environment: str
    account: str | None
    region: str | None
    parameters: dict[str, Any]


def key_lines(text: str, source: str) -> dict[str, int]:
    """1-based lines of the estate file's keys, by path: ``environments/prod``,
    ``stacks/app/environments``... (three levels deep; empty when the text is not YAML).

    >>> key_lines("stacks:\\n  app:\\n    environments: [prod]\\n", "e.yaml")["stacks/app/environments"]
    3
    """
    from .cfn_yaml import _compose  # the reader's own composer: same limits on hostile text

    try:
        root = _compose(text, source)
    except Exception:  # lines are a courtesy; the parse error is reported elsewhere
        return {}
    lines: dict[str, int] = {}

    def walk(node, prefix: str, depth: int) -> None:
        if depth > 3 or not hasattr(node, "value") or not isinstance(node.value, list):
            return
        for pair in node.value:
            if not isinstance(pair, tuple):
                return
            key, value = pair
            path = f"{prefix}/{key.value}" if prefix else str(key.value)
            lines.setdefault(path, key.start_mark.line + 1)
            walk(value, path, depth + 1)

    walk(root, "", 1)
    return lines


def parse_environments(
    section: Any, source: str, lines: dict[str, int]
) -> tuple[dict[str, Environment], list[ErrorRow]]:
    """The ``environments:`` mapping as `Environment` records, and an error row per mistake."""
    errors: list[ErrorRow] = []

    def err(path: str, message: str) -> None:
        errors.append(ErrorRow(source, lines.get(path, lines.get("environments", 0)), "error", message))

    if section is None:
        return {}, []
    if not isinstance(section, dict):
        err(
            "environments",
            f"environments must be a mapping of name to {{account, regions, parameters}}, "
            f"found {type(section).__name__}",
        )
        return {}, errors
    out: dict[str, Environment] = {}
    for name, spec in section.items():
        where = f"environments/{name}"
        if not isinstance(spec, dict):
            err(where, f"environment {name}: expected a mapping with account and regions, found {type(spec).__name__}")
            continue
        unknown = set(spec) - {"account", "regions", "parameters"}
        if unknown:
            err(
                where,
                f"environment {name}: unknown keys {sorted(map(str, unknown))} (allowed: account, regions, parameters)",
            )
        account = spec.get("account")
        if account is not None:
            account = str(account)
            if not _ACCOUNT.match(account):
                err(
                    where,
                    f"environment {name}: account {account!r} is not a 12-digit AWS account id "
                    f"(quote it in YAML, or leading zeros are lost)",
                )
        regions = spec.get("regions")
        if isinstance(regions, str):
            regions = [regions]
        if not isinstance(regions, list) or not regions or not all(isinstance(r, str) for r in regions):
            err(where, f"environment {name}: regions must be a non-empty list of region names")
            regions = [r for r in regions if isinstance(r, str)] if isinstance(regions, list) else []
        for r in regions:
            if not _REGION.match(r):
                err(where, f"environment {name}: {r!r} is not an AWS region name (e.g. eu-west-1)")
        params = spec.get("parameters") or {}
        if not isinstance(params, dict):
            err(where, f"environment {name}: parameters must be a mapping")
            params = {}
        out[str(name)] = Environment(str(name), account, list(dict.fromkeys(regions)), dict(params))
    return out, errors


def deployments(
    stack: str, spec: dict, environments: dict[str, Environment], source: str, lines: dict[str, int]
) -> tuple[list[Deployment] | None, list[ErrorRow]]:
    """Where one estate-file stack is deployed (None: no environments, the stack stands alone).

    >>> envs = {"prod": Environment("prod", "111111111111", ["eu-west-1"], {"Env": "prod", "A": 1})}
    >>> [(d.environment, d.region, d.parameters) for d in deployments(
    ...     "app", {"parameters": {"A": 2}, "environments": {"prod": {"B": 3}}}, envs, "e.yaml", {})[0]]
    [('prod', 'eu-west-1', {'Env': 'prod', 'A': 2, 'B': 3})]
    """
    errors: list[ErrorRow] = []
    where = f"stacks/{stack}/environments"
    line = lines.get(where, lines.get(f"stacks/{stack}", 0))
    wanted = spec.get("environments")
    if not environments:
        if wanted is not None:
            errors.append(
                ErrorRow(
                    source,
                    line,
                    "error",
                    f"stack {stack}: environments {_names(wanted)} named, "
                    f"but the estate file has no environments section",
                )
            )
        return None, errors
    own = {}
    if wanted is None:
        names = list(environments)
    elif isinstance(wanted, str):
        names = [wanted]
    elif isinstance(wanted, list):
        names = [str(n) for n in wanted]
    elif isinstance(wanted, dict):
        names = [str(n) for n in wanted]
        for n, params in wanted.items():
            if params is not None and not isinstance(params, dict):
                errors.append(
                    ErrorRow(source, line, "error", f"stack {stack}: parameters for environment {n} must be a mapping")
                )
            own[str(n)] = params if isinstance(params, dict) else {}
    else:
        errors.append(
            ErrorRow(
                source,
                line,
                "error",
                f"stack {stack}: environments must be a list of environment names or a mapping of name to parameters",
            )
        )
        return [], errors
    stack_params = spec.get("parameters") or {}
    stack_params = stack_params if isinstance(stack_params, dict) else {}
    out = []
    for n in names:
        env = environments.get(n)
        if env is None:
            errors.append(
                ErrorRow(
                    source,
                    line,
                    "error",
                    f"stack {stack}: unknown environment {n!r} (the file defines {', '.join(environments)})",
                )
            )
            continue
        params = {**env.parameters, **stack_params, **own.get(n, {})}
        for region in env.regions or [None]:
            out.append(Deployment(n, env.account, region, dict(params)))
    return out, errors


def _names(value: Any) -> str:
    if isinstance(value, (list, dict)):
        return ", ".join(map(str, value))
    return str(value)
