"""Amplify projects: Gen 1 modelled the way the Amplify CLI deploys it, Gen 2 through its cloud assembly.

**Gen 1** (a folder holding ``amplify/backend/backend-config.json``). ``amplify push`` deploys
one *root stack* per environment (its name is ``StackName`` in ``amplify/team-provider-info.json``,
else ``amplify-<project>-<env>``) with a deployment bucket, the auth and unauth roles, and one
``AWS::CloudFormation::Stack`` per category resource, logical id ``<category><resourceName>``
(``storageNotes``, ``functionReader``). Each resource's template is the file of its folder
``amplify/backend/<category>/<resource>/`` whose name holds ``template`` (``.json``, ``.yml``,
``.yaml``), taken from its ``build/`` folder when that has one (GraphQL APIs, and auth and
storage since CLI 7, build there; ``build/stacks/*`` are the API's own nested stacks). The
parameters the root passes are, later ones winning: ``parameters.json`` (``build/parameters.json``
when present), the environment's ``categories.<category>.<resource>`` in team-provider-info,
one ``<category><resourceName><attribute>`` per attribute of each ``dependsOn`` entry of
backend-config, valued ``!GetAtt <category><resourceName>.Outputs.<attribute>``, and ``env``.
These are the Amplify CLI's rules (``formNestedStack`` and ``getCfnFiles`` of its
CloudFormation provider, ``loadResourceParameters``); so a change to the storage table reaches
the function that reads its name, across nested stacks, as it does when deployed. An
environment's account and region come from its ``StackId`` ARN (or the role ARNs) and
``Region``. Resources that are imported (``serviceType: imported``) or not deployed by
CloudFormation (no ``providerPlugin``) have no stack.

**Gen 2** (``amplify/backend.ts``) is TypeScript on CDK: what it deploys is known once it is
synthesized. The cloud assembly of ``npx ampx sandbox`` (``.amplify/artifacts/cdk.out``) or a
``cdk.out`` beside ``amplify/`` is read; without one, one warning row says how to make it.

**Live**: :func:`live_identity` recognises the stacks Amplify creates by their tags (Gen 1
``user:Application`` and ``user:Stack``; Gen 2 ``amplify:app-id``, ``amplify:branch-name``,
``amplify:deployment-type``) or, for nested stacks and older projects, their names.

>>> live_identity("amplify-notes-dev-123456-storageNotes-1ABC", {})
('notes', 'dev')
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import TemplateError
from ..limits import LimitError, read_regular_file
from .environments import key_lines
from .raw import ErrorRow
from .template_text import MAX_TEMPLATE_BYTES

GEN1_CONFIG = Path("amplify", "backend", "backend-config.json")
GEN2_ENTRY = Path("amplify", "backend.ts")
# Where a synthesized Gen 2 backend lies, in the order they are looked for: the sandbox's
# (``npx ampx sandbox``) and a plain ``cdk synth`` beside the project.
GEN2_ASSEMBLIES = (Path(".amplify", "artifacts", "cdk.out"), Path("cdk.out"))
GEN2_HOW = (
    "Amplify Gen 2 backend (amplify/backend.ts): the TypeScript is not read, and no synthesized "
    "cloud assembly was found (.amplify/artifacts/cdk.out or cdk.out). `npx ampx sandbox --once` "
    "deploys a sandbox and leaves one in .amplify/artifacts/cdk.out; without deploying, "
    "`npx cdk synth --app 'npx tsx amplify/backend.ts' -c amplify-backend-namespace=APP_ID "
    "-c amplify-backend-name=BRANCH -c amplify-backend-type=branch` writes cdk.out"
)
GENERATOR = "amplify"  # resources.generated_by of what Amplify generates
_TEMPLATE_SUFFIXES = (".json", ".yml", ".yaml")
_NOT_CATEGORIES = {"parameters"}  # backend-config's env-parameter index (CLI 10+), no category
_ARN = re.compile(r"^arn:aws[a-z-]*:(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):(?P<account>\d{12}):")
# Gen 1 stack names: amplify-<project>-<env>-<digits>[-<nested>] (project alphanumeric, env
# lowercase letters, both enforced by the CLI); Gen 2: amplify-<appId>-<branch>-branch-<hash>
# and amplify-<app>-<user>-sandbox-<hash>, nested stacks adding -<id>.
_GEN1_NAME = re.compile(r"^amplify-(?P<app>[A-Za-z0-9]+)-(?P<env>[a-z]+)-\d+(?:-.*)?$")
_GEN2_NAME = re.compile(r"^amplify-(?P<app>[A-Za-z0-9]+)-(?P<env>.+)-(?P<kind>branch|sandbox)-[0-9a-f]{10}(?:-.*)?$")


@dataclass
class Template:
    """A template of the project: a category resource's, or one its template nests."""

    path: Path
    body: dict[str, Any]
    lines: dict[str, int]
    nested: dict[str, Path] = field(default_factory=dict)  # logical id -> local child template
    parameters: dict[str, Any] = field(default_factory=dict)  # to resolve its children's URLs


@dataclass
class Root:
    """The root stack of one environment, as ``amplify push`` builds it."""

    name: str
    key: Path  # a unique identity among the reader's templates (one root file, many envs)
    path: Path  # the file it is modelled from (backend-config.json)
    body: dict[str, Any]
    lines: dict[str, int]
    environment: str | None
    account: str | None
    region: str | None
    parameters: dict[str, Any]
    nested: dict[str, Path]


@dataclass
class Project:
    """One Gen 1 project: its name, a root per environment, the category templates, the problems."""

    app: str
    roots: list[Root] = field(default_factory=list)
    templates: list[Template] = field(default_factory=list)
    errors: list[ErrorRow] = field(default_factory=list)


def is_gen1(folder: Path) -> bool:
    """Whether `folder` is the top of an Amplify Gen 1 project.

    >>> is_gen1(Path("no-such-folder"))
    False
    """
    return (folder / GEN1_CONFIG).is_file()


def is_gen2(folder: Path) -> bool:
    """Whether `folder` is the top of an Amplify Gen 2 project (and not a Gen 1 one).

    >>> is_gen2(Path("no-such-folder"))
    False
    """
    return (folder / GEN2_ENTRY).is_file() and not is_gen1(folder)


def read_gen1(folder: Path, display: Callable[[Path], str], parse: Callable[[Path], tuple[dict, dict]]) -> Project:
    """The Gen 1 project in `folder`: a root stack per environment and the templates it nests.

    `parse(path) -> (body, lines)` reads a template or JSON file (raising TemplateError);
    `display` names a path in rows. Every problem is a row of ``errors``, never an exception.

    Examples
    --------
    >>> import tempfile
    >>> top = Path(tempfile.mkdtemp())
    >>> _ = (top / "amplify" / "backend").mkdir(parents=True)
    >>> _ = (top / GEN1_CONFIG).write_text('{}')
    >>> from .template_text import parse_template
    >>> p = read_gen1(top, str, lambda path: parse_template(path.read_bytes(), str(path), "json"))
    >>> [r.name for r in p.roots], p.errors[0].message[:40]
    (['amplify-...'], 'no amplify/team-provider-info.json: envi')
    """
    amplify = folder / "amplify"
    app = _project_name(folder, parse)
    project = Project(app)
    config, config_lines = _json(folder / GEN1_CONFIG, display, parse, project.errors)
    if not isinstance(config, dict):
        config = {}
    source = display(folder / GEN1_CONFIG)
    envs = _environments(amplify, app, display, parse, project.errors)

    # The category resources and their templates, read once for every environment.
    resources: list[tuple[str, str, dict, Template, dict, int]] = []
    seen: dict[Path, Template] = {}
    for category, entries in config.items():
        if category in _NOT_CATEGORIES:
            continue
        if not isinstance(entries, dict):
            project.errors.append(
                ErrorRow(
                    source,
                    config_lines.get(str(category), 0),
                    "error",
                    f"category {category}: expected a mapping of resources",
                )
            )
            continue
        for name, spec in entries.items():
            line = config_lines.get(f"{category}/{name}", 0)
            where = f"{category}/{name}"
            if not isinstance(spec, dict):
                project.errors.append(ErrorRow(source, line, "error", f"{where}: expected a mapping"))
                continue
            if spec.get("serviceType") == "imported":
                project.errors.append(
                    ErrorRow(source, line, "info", f"{where}: imported into the project, so no stack of it deploys it")
                )
                continue
            if not spec.get("providerPlugin"):
                project.errors.append(
                    ErrorRow(source, line, "info", f"{where}: no providerPlugin, so CloudFormation does not deploy it")
                )
                continue
            resource_dir = amplify / "backend" / str(category) / str(name)
            template = _category_template(resource_dir, display, parse, project.errors, seen, where)
            if template is None:
                continue
            params = _parameters_json(resource_dir, display, parse, project.errors)
            resources.append((str(category), str(name), spec, template, params, line))
    project.templates = list(seen.values())
    keys = {category + name for category, name, *_ in resources}

    for env in envs:
        body, lines, nested = _root_body(app, env.name, source)
        for category, name, spec, template, params, line in resources:
            key = category + name
            passed = dict(params)
            passed.update(_env_category_parameters(env.categories, category, name))
            passed.update(_wiring(category, name, spec, config, keys, source, config_lines, project.errors))
            declared = template.body.get("Parameters") if isinstance(template.body.get("Parameters"), dict) else {}
            if category == "api":  # the CLI gives every API the root's role names (if it takes them)
                for param, ref in (("authRoleName", "AuthRoleName"), ("unauthRoleName", "UnauthRoleName")):
                    if param in declared:
                        passed.setdefault(param, {"Ref": ref})
            if env.name is not None:
                passed["env"] = env.name
            # CloudFormation takes a parameter value as a string: the CLI joins lists with commas.
            passed = {k: ",".join(map(str, v)) if isinstance(v, list) else v for k, v in passed.items()}
            body["Resources"][key] = {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {
                    "TemplateURL": {
                        "Fn::Sub": "https://s3.amazonaws.com/${DeploymentBucketName}/amplify-cfn-templates/"
                        f"{category}/{template.path.name}"
                    },
                    "Parameters": passed,
                },
            }
            lines[f"Resources/{key}"] = line
            nested[key] = template.path
        project.roots.append(
            Root(
                name=env.stack_name,
                key=(folder / GEN1_CONFIG).with_name(f"backend-config.json#{env.name or ''}"),
                path=folder / GEN1_CONFIG,
                body=body,
                lines=lines,
                environment=env.name,
                account=env.account,
                region=env.region,
                parameters=env.root_parameters,
                nested=nested,
            )
        )
    return project


def gen2_assembly(folder: Path) -> Path | None:
    """The synthesized cloud assembly of the Gen 2 project in `folder`, if there is one.

    >>> gen2_assembly(Path("no-such-folder")) is None
    True
    """
    for rel in GEN2_ASSEMBLIES:
        if (folder / rel / "manifest.json").is_file():
            return folder / rel
    return None


def live_identity(stack_name: str, tags: dict[str, str] | None) -> tuple[str, str | None] | None:
    """``(app, environment)`` of a stack Amplify created, from its tags or else its name; None
    for any other stack.

    Gen 1 tags its stacks ``user:Application`` (project) and ``user:Stack`` (environment);
    Gen 2 ``amplify:app-id``, ``amplify:branch-name`` and ``amplify:deployment-type``. A
    sandbox's environment is ``sandbox-<user>``.

    >>> live_identity("amplify-d1abc-main-branch-0123456789-auth1A2B-XYZ", {})
    ('d1abc', 'main')
    >>> live_identity("net", {"user:Application": "notes", "user:Stack": "prod"})
    ('notes', 'prod')
    >>> live_identity("amplify-shop-anna-sandbox-0123456789", {}), live_identity("net", {})
    (('shop', 'sandbox-anna'), None)
    """
    tags = tags or {}
    named = _GEN2_NAME.match(stack_name) or _GEN1_NAME.match(stack_name)
    if tags.get("amplify:app-id") or tags.get("amplify:deployment-type"):
        kind = tags.get("amplify:deployment-type")
        env = tags.get("amplify:branch-name")
        if kind == "sandbox" and named and "kind" in named.groupdict():
            env = f"sandbox-{named['env']}"
        app = tags.get("amplify:app-id") or (named["app"] if named else None)
        return (app, env or (named["env"] if named else None)) if app else None
    if tags.get("user:Application"):
        return tags["user:Application"], tags.get("user:Stack")
    if named is None:
        return None
    if named.groupdict().get("kind") == "sandbox":
        return named["app"], f"sandbox-{named['env']}"
    return named["app"], named["env"]


# -- the pieces ---------------------------------------------------------------------------


@dataclass
class _Env:
    name: str | None
    stack_name: str
    account: str | None
    region: str | None
    root_parameters: dict[str, Any]
    categories: dict[str, Any]


def _json(path: Path, display, parse, errors: list[ErrorRow]) -> tuple[Any, dict[str, int]]:
    """A JSON file's content and the lines of its keys (``dev``, ``function/reader``...);
    (None, {}) with an error row when it cannot be read."""
    try:
        body, _ = parse(path)
    except TemplateError as exc:
        errors.append(ErrorRow(exc.source, exc.line, "error", exc.message))
        return None, {}
    try:
        text = read_regular_file(path, MAX_TEMPLATE_BYTES).decode("utf-8", errors="replace")
    except (OSError, LimitError):  # read a moment ago; lines are a courtesy
        return body, {}
    return body, key_lines(text, display(path))


def _project_name(folder: Path, parse) -> str:
    """``projectName`` of ``amplify/.config/project-config.json``, else the folder's name."""
    path = folder / "amplify" / ".config" / "project-config.json"
    if path.is_file():
        try:
            body, _ = parse(path)
        except TemplateError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("projectName"), str) and body["projectName"]:
            return body["projectName"]
    return folder.resolve().name


def _environments(amplify: Path, app: str, display, parse, errors: list[ErrorRow]) -> list[_Env]:
    path = amplify / "team-provider-info.json"
    if not path.is_file():
        local = amplify / ".config" / "local-env-info.json"
        name = None
        if local.is_file():
            try:
                body, _ = parse(local)
                name = body.get("envName") if isinstance(body, dict) and isinstance(body.get("envName"), str) else None
            except TemplateError:
                pass
        errors.append(
            ErrorRow(
                display(amplify),
                0,
                "info",
                "no amplify/team-provider-info.json: environments, accounts and regions unknown; "
                f"one root stack modelled{f' for environment {name}' if name else ''}",
            )
        )
        return [_Env(name, f"amplify-{app}-{name}" if name else f"amplify-{app}", None, None, {}, {})]
    info, lines = _json(path, display, parse, errors)
    source = display(path)
    if not isinstance(info, dict) or not info:
        if info is not None:
            errors.append(ErrorRow(source, 0, "error", "expected a mapping of environment name to its settings"))
        return [_Env(None, f"amplify-{app}", None, None, {}, {})]
    envs = []
    for name, spec in info.items():
        if not isinstance(spec, dict):
            errors.append(ErrorRow(source, lines.get(str(name), 0), "error", f"environment {name}: expected a mapping"))
            continue
        cfn = spec.get("awscloudformation") if isinstance(spec.get("awscloudformation"), dict) else {}
        account = region = None
        for key in ("StackId", "AuthRoleArn", "UnauthRoleArn"):
            arn = _ARN.match(str(cfn.get(key) or ""))
            if arn:
                account = account or arn["account"]
                region = region or arn["region"] or None
        region = cfn.get("Region") if isinstance(cfn.get("Region"), str) and cfn.get("Region") else region
        stack = cfn.get("StackName") if isinstance(cfn.get("StackName"), str) and cfn.get("StackName") else None
        root_parameters = {
            k: cfn[k] for k in ("DeploymentBucketName", "AuthRoleName", "UnauthRoleName") if isinstance(cfn.get(k), str)
        }
        categories = spec.get("categories") if isinstance(spec.get("categories"), dict) else {}
        envs.append(_Env(str(name), stack or f"amplify-{app}-{name}", account, region, root_parameters, categories))
    return envs or [_Env(None, f"amplify-{app}", None, None, {}, {})]


def _templates_in(folder: Path, pattern: str = "*template*") -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.suffix.lower() in _TEMPLATE_SUFFIXES
        and fnmatch.fnmatch(p.name, pattern)
        and p.name != "parameters.json"
    )


def _category_template(
    resource_dir: Path, display, parse, errors: list[ErrorRow], seen: dict[Path, Template], where: str
) -> Template | None:
    """The template the CLI uploads for one resource: ``build/`` first, else the folder's own."""
    found = _templates_in(resource_dir / "build") or _templates_in(resource_dir)
    if not found:
        errors.append(
            ErrorRow(
                display(resource_dir),
                0,
                "warning",
                f"{where}: no CloudFormation template in this folder or its build/ folder "
                "(`amplify build` writes it); the resource is left out of its environments' root stacks",
            )
        )
        return None
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        errors.append(
            ErrorRow(
                display(found[0].parent), 0, "warning", f"{where}: several templates ({names}); {found[0].name} read"
            )
        )
    path = found[0]
    if path in seen:
        return seen[path]
    try:
        body, lines = parse(path)
    except TemplateError as exc:
        errors.append(ErrorRow(exc.source, exc.line, exc.severity, exc.message))
        return None
    if not isinstance(body, dict) or "Resources" not in body:
        errors.append(ErrorRow(display(path), 0, "error", f"{where}: not a CloudFormation template (no Resources)"))
        return None
    template = Template(path, body, lines)
    seen[path] = template
    _api_stacks(template, display, parse, errors, seen)
    return template


def _api_stacks(template: Template, display, parse, errors: list[ErrorRow], seen: dict[Path, Template]) -> None:
    """The nested stacks a built API template creates from its ``stacks/`` folder (one per model)."""
    stacks = template.path.parent / "stacks"
    if not stacks.is_dir():
        return
    resources = template.body.get("Resources")
    for logical_id, res in resources.items() if isinstance(resources, dict) else ():
        if not isinstance(res, dict) or res.get("Type") != "AWS::CloudFormation::Stack":
            continue
        url = (res.get("Properties") or {}).get("TemplateURL") if isinstance(res.get("Properties"), dict) else None
        leaf = _last_segment(url)
        child = stacks / leaf if leaf else None
        if child is None or not child.is_file():
            continue
        if child not in seen:
            try:
                body, lines = parse(child)
            except TemplateError as exc:
                errors.append(ErrorRow(exc.source, exc.line, exc.severity, exc.message))
                continue
            if not isinstance(body, dict):
                continue
            seen[child] = Template(child, body, lines)
        template.nested[logical_id] = child


def _last_segment(url: Any) -> str | None:
    """The file name a TemplateURL ends with, however it is built (Fn::Join, Fn::Sub, literal)."""
    parts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("Fn::Join", "Fn::Sub"):
            walk(next(iter(value.values())))

    walk(url)
    for text in reversed(parts):
        leaf = text.rstrip("/").rpartition("/")[2]
        if leaf.lower().endswith(_TEMPLATE_SUFFIXES):
            return leaf
    return None


def _parameters_json(resource_dir: Path, display, parse, errors: list[ErrorRow]) -> dict[str, Any]:
    for path in (resource_dir / "build" / "parameters.json", resource_dir / "parameters.json"):
        if path.is_file():
            try:
                body, _ = parse(path)
            except TemplateError as exc:
                errors.append(ErrorRow(exc.source, exc.line, "error", exc.message))
                return {}
            if not isinstance(body, dict):
                errors.append(ErrorRow(display(path), 0, "error", "parameters.json must hold a mapping"))
                return {}
            return dict(body)
    return {}


def _env_category_parameters(categories: dict[str, Any], category: str, name: str) -> dict[str, Any]:
    values = (categories.get(category) or {}).get(name) if isinstance(categories.get(category), dict) else None
    return dict(values) if isinstance(values, dict) else {}


def _wiring(
    category: str,
    name: str,
    spec: dict,
    config: dict,
    keys: set[str],
    source: str,
    lines: dict[str, int],
    errors: list[ErrorRow],
) -> dict[str, Any]:
    """The parameters the root passes for `spec`'s ``dependsOn``: ``<category><resourceName><attribute>``
    valued ``!GetAtt <category><resourceName>.Outputs.<attribute>``; ``exports`` as ImportValue."""
    out: dict[str, Any] = {}
    deps = spec.get("dependsOn") or []
    line = lines.get(f"{category}/{name}/dependsOn", lines.get(f"{category}/{name}", 0))
    for dep in deps if isinstance(deps, list) else []:
        if (
            not isinstance(dep, dict)
            or not isinstance(dep.get("category"), str)
            or not isinstance(dep.get("resourceName"), str)
        ):
            _once(
                errors,
                ErrorRow(
                    source,
                    line,
                    "error",
                    f"{category}/{name}: dependsOn entry {dep!r:.80} needs category and resourceName",
                ),
            )
            continue
        dcat, dname = dep["category"], dep["resourceName"]
        target = config.get(dcat, {}).get(dname) if isinstance(config.get(dcat), dict) else None
        if target is None:
            _once(
                errors,
                ErrorRow(
                    source,
                    line,
                    "error",
                    f"{category}/{name} depends on {dcat}/{dname}, which backend-config.json does not define "
                    "(amplify push stops: cannot get the resource)",
                ),
            )
            continue
        # The CLI leaves these out of the root: an AppSync API reads its user pool from its own
        # parameters, and a Cognito trigger function is wired by the auth trigger stack.
        if (spec.get("service") == "AppSync" and dcat == "auth") or dep.get("triggerProvider") == "Cognito":
            continue
        for key, value in (dep.get("exports") or {}).items() if isinstance(dep.get("exports"), dict) else ():
            out[str(key)] = {"Fn::ImportValue": value}
        if dcat + dname not in keys:
            continue  # its stack is not modelled (imported, no template): a row says why
        attributes = dep.get("attributes") or []
        for attribute in attributes if isinstance(attributes, list) else []:
            if isinstance(attribute, str):
                out[f"{dcat}{dname}{attribute}"] = {"Fn::GetAtt": [dcat + dname, f"Outputs.{attribute}"]}
    return out


def _once(errors: list[ErrorRow], row: ErrorRow) -> None:
    """Add `row` unless the same row is there (wiring is built once per environment)."""
    if row not in errors:
        errors.append(row)


def _root_body(app: str, env: str | None, source: str) -> tuple[dict[str, Any], dict[str, int], dict[str, Path]]:
    """The root stack the CLI deploys for an environment, before its category stacks: a
    deployment bucket (kept on delete and replace), the auth and unauth roles Cognito identity
    pools assume, and outputs exported as ``<stack>-Region`` and the like."""

    def exported(value: Any, name: str) -> dict[str, Any]:
        return {"Value": value, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-" + name}}}

    def role(name_param: str) -> dict[str, Any]:
        return {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": {"Ref": name_param},
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Deny",
                            "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                            "Action": "sts:AssumeRoleWithWebIdentity",
                        }
                    ],
                },
            },
        }

    where = f" environment {env}" if env else ""
    body: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Root stack of the Amplify project {app}{where}, as amplify push deploys it from {source}",
        "Parameters": {
            "DeploymentBucketName": {"Type": "String", "Default": "DeploymentBucket"},
            "AuthRoleName": {"Type": "String", "Default": "AuthRoleName"},
            "UnauthRoleName": {"Type": "String", "Default": "UnauthRoleName"},
        },
        "Resources": {
            "DeploymentBucket": {
                "Type": "AWS::S3::Bucket",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {"BucketName": {"Ref": "DeploymentBucketName"}},
            },
            "AuthRole": role("AuthRoleName"),
            "UnauthRole": role("UnauthRoleName"),
        },
        "Outputs": {
            "Region": exported({"Ref": "AWS::Region"}, "Region"),
            "StackName": exported({"Ref": "AWS::StackName"}, "StackName"),
            "StackId": exported({"Ref": "AWS::StackId"}, "StackId"),
            "DeploymentBucketName": exported({"Ref": "DeploymentBucketName"}, "DeploymentBucketName"),
            "AuthRoleArn": {"Value": {"Fn::GetAtt": ["AuthRole", "Arn"]}},
            "UnauthRoleArn": {"Value": {"Fn::GetAtt": ["UnauthRole", "Arn"]}},
            "AuthRoleName": {"Value": {"Ref": "AuthRole"}},
            "UnauthRoleName": {"Value": {"Ref": "UnauthRole"}},
        },
    }
    return body, {}, {}
