"""Find and read every stack below some paths: templates, SAM, CDK assemblies, .ebextensions,
nested stacks, and an optional ``iacviz-estate.yaml`` naming stacks and their parameters.

>>> stacks, errors = read_paths([])
>>> stacks, errors
([], [])
"""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ..cfn.intrinsics import Context, resolve_value
from ..errors import TemplateError
from . import cdk, ebextensions, environments
from .raw import ErrorRow, RawStack
from .transforms import apply_transforms, parameter_defaults
from .template_text import parse_template

ESTATE_FILE = "iacviz-estate.yaml"
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
_SKIP_DIRS = {"node_modules", ".venv", "venv", "__pycache__", ".aws-sam", ".git", ".tox", ".mypy_cache"}


@dataclass
class _Template:
    path: Path
    body: dict[str, Any]
    lines: dict[str, int]
    name: str | None = None  # from the estate file
    parameters: dict[str, Any] = field(default_factory=dict)
    deployments: list | None = None  # estate-file environments: one stack per Deployment


def read_paths(paths: Iterable[str | os.PathLike], *, parameters: dict[str, dict] | None = None,
               region: str = "us-east-1") -> tuple[list[RawStack], list[ErrorRow]]:
    """Read every stack below `paths` (files or folders).

    `parameters` ({stack: {key: value}}) is used to expand SAM templates and to resolve
    the parameters parents pass to nested stacks.
    """
    reader = _Reader(parameters or {}, region)
    for path in paths:
        reader.read_root(Path(path))
    return reader.finish()


class _Reader:
    def __init__(self, parameters: dict[str, dict], region: str):
        self.parameters = parameters
        self.region = region
        self.stacks: list[RawStack] = []
        self.errors: list[ErrorRow] = []
        self.templates: list[_Template] = []
        self.base = Path.cwd()
        self._real: dict[Path, Path] = {}

    def real(self, path: Path) -> Path:
        """``path.resolve()``, once per path: resolving stats every component of the path, and
        each template's path is resolved several times (names, nesting, display)."""
        real = self._real.get(path)
        if real is None:
            real = self._real[path] = path.resolve()
        return real

    # -- discovery -------------------------------------------------------------------------
    def display(self, path: Path) -> str:
        try:
            return self.real(path).relative_to(self.real(self.base)).as_posix()
        except ValueError:
            return path.as_posix()

    def read_root(self, root: Path) -> None:
        if not root.exists():
            self.errors.append(ErrorRow(str(root), 0, "error", "no such file or folder"))
            return
        self.base = root if root.is_dir() else root.parent
        if root.is_file():
            self._read_template(root)
            return
        named, ignore = self._estate_file(root)
        for folder, dirs, files in os.walk(root):
            here = Path(folder)
            rel = here.relative_to(root).as_posix()
            if here.name == ".ebextensions":
                stack, errs = ebextensions.read_ebextensions(here, self.display, self._parse)
                self.errors.extend(errs)
                if stack:
                    self.stacks.append(stack)
                dirs[:] = []
                continue
            if cdk.is_assembly(here):
                stacks, errs, _ = cdk.read_assembly(here, self.display, self._parse)
                self.stacks.extend(stacks)
                self.errors.extend(errs)
                dirs[:] = []
                continue
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("asset.")
                             and (not d.startswith(".") or d == ".ebextensions"))
            for name in sorted(files):
                path = here / name
                rel_file = f"{rel}/{name}" if rel != "." else name
                if name == ESTATE_FILE or not name.endswith(TEMPLATE_SUFFIXES):
                    continue
                if any(fnmatch.fnmatch(rel_file, pattern) for pattern in ignore):
                    continue
                self._read_template(path, named.get(self.real(path)))

    def _estate_file(self, root: Path) -> tuple[dict[Path, tuple], list[str]]:
        path = root / ESTATE_FILE
        if not path.is_file():
            return {}, []
        try:
            body, _ = self._parse(path)
        except TemplateError as exc:
            self.errors.append(ErrorRow(exc.source, exc.line, "error", exc.message))
            return {}, []
        named = {}
        source = self.display(path)
        lines = environments.key_lines(path.read_text("utf-8", errors="replace"), source) \
            if "environments" in body else {}
        envs, errs = environments.parse_environments(body.get("environments"), source, lines)
        self.errors.extend(errs)
        for stack, spec in (body.get("stacks") or {}).items():
            spec = spec if isinstance(spec, dict) else {"template": spec}
            template = root / str(spec.get("template", ""))
            if not template.is_file():
                self.errors.append(ErrorRow(source, lines.get(f"stacks/{stack}", 0), "error",
                                            f"stack {stack}: template {spec.get('template')!r} not found"))
                continue
            where, errs = environments.deployments(str(stack), spec, envs, source, lines)
            self.errors.extend(errs)
            named[template.resolve()] = (str(stack), dict(spec.get("parameters") or {}), where)
        return named, [str(g) for g in body.get("ignore") or []]

    def _parse(self, path: Path) -> tuple[dict, dict]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TemplateError(self.display(path), 0, f"cannot read: {exc.strerror}") from None
        return parse_template(data, self.display(path))

    def _read_template(self, path: Path, named: tuple | None = None) -> None:
        try:
            body, lines = self._parse(path)
        except TemplateError as exc:
            if named or _looks_like_template(path):
                self.errors.append(ErrorRow(exc.source, exc.line, exc.severity, exc.message))
            return
        if not _is_template(body):
            if named:
                self.errors.append(ErrorRow(self.display(path), 0, "error", "not a CloudFormation template "
                                            "(no Resources)"))
            return
        name, params, where = named if named else (None, {}, None)
        self.templates.append(_Template(path, body, lines, name, params, where))

    # -- stacks ----------------------------------------------------------------------------
    def finish(self) -> tuple[list[RawStack], list[ErrorRow]]:
        by_path = {self.real(t.path): t for t in self.templates}
        children: dict[Path, list[tuple[_Template, str, dict]]] = {}
        for t in self.templates:
            for logical_id, child_path, passed in _nested(t):
                if child_path in by_path and child_path != self.real(t.path):
                    children.setdefault(self.real(t.path), []).append((by_path[child_path], logical_id, passed))
        nested = {self.real(c.path) for kids in children.values() for c, _, _ in kids}
        taken = {s.name for s in self.stacks}
        roots = [t for t in self.templates if self.real(t.path) not in nested]
        names = _unique_names(roots, taken, self.base, self.real)
        for t in roots:
            if t.deployments is None:
                self._add(t, names[id(t)], None, None, t.parameters, "estate-file", children, depth=0)
                continue
            for d in t.deployments:  # estate-file environments: one stack per environment and region
                self._add(t, names[id(t)], None, None, d.parameters, "estate-file", children, depth=0, where=d)
        return self.stacks, self.errors

    def _add(self, t: _Template, name: str, parent: str | None, parent_resource: str | None,
             values: dict, values_source: str, children, depth: int, where=None) -> None:
        if depth > 10:
            self.errors.append(ErrorRow(self.display(t.path), 0, "error",
                                        "nested stacks deeper than 10 levels (a cycle of TemplateURLs?)", name))
            return
        user = {**values, **self.parameters.get(name, {})}
        region = (where.region if where else None) or self.region
        account = where.account if where else None
        body, raw_body, generated_by, errors = apply_transforms(t.body, user, region, self.display(t.path), name)
        self.errors.extend(errors)
        self.stacks.append(RawStack(
            name=name, source=self.display(t.path), format="json" if t.path.suffix == ".json" else "yaml",
            template=body, lines=t.lines, raw_template=raw_body,
            generated_by=generated_by, parent_stack=parent, parent_resource=parent_resource,
            parameter_values=values, parameter_values_source=values_source,
            stack_dependencies=[parent] if parent else [],
            account=account, region=where.region if where else None,
            environment=where.environment if where else None))
        ctx = Context(name, region, account, {**parameter_defaults(t.body), **user})
        for child, logical_id, passed in children.get(self.real(t.path), []):
            resolved = {k: _resolved_or_expr(v, ctx) for k, v in passed.items()}
            self._add(child, f"{name}-{logical_id}", name, logical_id, resolved, "parent", children, depth + 1,
                      where=where)


def _resolved_or_expr(value: Any, ctx: Context) -> Any:
    resolved = resolve_value(value, ctx)
    if resolved is None or (isinstance(resolved, str) and "${" in resolved):
        return value  # kept as written: the parameters frame shows what the parent passes
    return resolved



def _nested(t: _Template) -> Iterable[tuple[str, Path, dict]]:
    resources = t.body.get("Resources")
    for logical_id, res in resources.items() if isinstance(resources, dict) else ():
        if not isinstance(res, dict) or not isinstance(res.get("Properties"), dict):
            continue
        props = res["Properties"]
        if res.get("Type") == "AWS::CloudFormation::Stack":
            url, passed = props.get("TemplateURL"), props.get("Parameters")
        elif res.get("Type") == "AWS::Serverless::Application":
            url, passed = props.get("Location"), props.get("Parameters")
        else:
            continue
        if isinstance(url, str) and not url.startswith(("http://", "https://", "s3://")):
            yield logical_id, (t.path.parent / url).resolve(), passed if isinstance(passed, dict) else {}


def _unique_names(templates: list[_Template], taken: set[str], base: Path,
                  real: Callable[[Path], Path] = Path.resolve) -> dict[int, str]:
    # A stack is named after its file stem; where stems collide (vpc.yaml beside vpc.json,
    # or two folders with a template.yaml) the relative path tells them apart.
    stems: dict[str, int] = {}
    for t in templates:
        if not t.name:
            stems[t.path.stem] = stems.get(t.path.stem, 0) + 1
    names: dict[int, str] = {}
    used = set(taken) | {t.name for t in templates if t.name}
    for t in templates:
        if t.name:
            names[id(t)] = t.name
            continue
        name = t.path.stem
        if stems[name] > 1 or name in used or name in ("template", "main"):
            try:
                rel = real(t.path).relative_to(real(base))
            except ValueError:
                rel = Path(t.path.name)
            name = rel.with_suffix("").as_posix().replace("/", "-")
            if name in used:
                name = rel.as_posix().replace("/", "-")
        used.add(name)
        names[id(t)] = name
    return names


def _is_template(body: Any) -> bool:
    return isinstance(body, dict) and ("Resources" in body or "AWSTemplateFormatVersion" in body)


def _looks_like_template(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            head = f.read(65536)
    except OSError:
        return False
    return b"Resources" in head or b"AWSTemplateFormatVersion" in head
