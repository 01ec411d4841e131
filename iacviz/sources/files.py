"""Find and read every stack below some paths: templates, SAM, CDK assemblies, .ebextensions,
nested stacks, Amplify projects, and an optional ``iacviz-estate.yaml`` naming stacks and their
parameters.

>>> stacks, errors = read_paths([])
>>> stacks, errors
([], [])
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from ..cfn import parameters as _parameters
from ..cfn.conditions import evaluate_conditions
from ..cfn.intrinsics import Context, resolve_string, resolve_value
from ..cfn.secrets import mask_values, masked_if_derived, no_echo_names
from ..cfn.stack_names import as_stack_name
from ..errors import TemplateError
from ..limits import LimitError, below, read_regular_file
from . import amplify, cdk, ebextensions, environments
from .parameter_values import ParameterShapeError, ParameterValues
from .raw import ErrorRow, RawStack
from .transforms import apply_transforms
from .template_cache import TemplateCache, content_hash
from .template_text import MAX_TEMPLATE_BYTES, parse_template

ESTATE_FILE = "iacviz-estate.yaml"
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
_SKIP_DIRS = {
    "node_modules": "installed npm packages",
    ".venv": "a Python environment",
    "venv": "a Python environment",
    "__pycache__": "Python byte code",
    ".aws-sam": "SAM build output",
    ".git": "version control data",
    ".tox": "a tox environment",
    ".mypy_cache": "a mypy cache",
    ".github": "GitHub configuration (workflows are not CloudFormation)",
}
# Files that are clearly not CloudFormation, whatever they hold: skipped by rule, listed as info.
_NOT_CLOUDFORMATION = (
    ("package.json", "an npm package manifest"),
    ("package-lock.json", "an npm lock file"),
    ("tsconfig*.json", "TypeScript configuration"),
    ("jsconfig.json", "JavaScript configuration"),
    ("cdk.json", "CDK app configuration"),
    ("cdk.context.json", "the CDK context cache"),
    ("composer.json", "a PHP package manifest"),
    (".eslintrc*", "ESLint configuration"),
    (".prettierrc*", "Prettier configuration"),
    ("docker-compose*.y*ml", "a Docker Compose file"),
    ("compose.y*ml", "a Docker Compose file"),
    (".gitlab-ci.yml", "a GitLab CI pipeline"),
    (".travis.yml", "a Travis CI pipeline"),
    (".pre-commit-config.yaml", "pre-commit configuration"),
    ("mkdocs.yml", "MkDocs configuration"),
    ("*.code-workspace", "an editor workspace"),
    (".cfnlintrc*", "cfn-lint configuration"),
    ("serverless.y*ml", "a Serverless Framework service file"),
)


@dataclass
class _Template:
    path: Path
    body: dict[str, Any]
    lines: dict[str, int]
    name: str | None = None  # from the estate file
    parameters: dict[str, Any] = field(default_factory=dict)
    deployments: list | None = None  # estate-file environments: one stack per Deployment
    estate_wide: dict[str, Any] = field(default_factory=dict)  # the estate file's top-level parameters
    # Amplify: one file modelled as a root per environment needs an identity of its own; its
    # children (and an API's model stacks) are known files, not URLs to match.
    key: Path | None = None
    nested_files: dict[str, Path] = field(default_factory=dict)
    values_source: str = "estate-file"  # where the deployments' parameter values come from
    app: str | None = None
    generated_by: str | None = None  # what generated every resource of the template
    format: str | None = None  # stacks.format, when not the file's own (json or yaml)
    base: Path | None = None  # the folder its path is shown relative to (the reader's base when read)


def read_paths(
    paths: Iterable[str | os.PathLike],
    *,
    parameters: ParameterValues | dict | None = None,
    region: str = "us-east-1",
    follow_outside: bool = False,
    templates: TemplateCache | None = None,
    kinds: Sequence[bool | None] | None = None,
) -> tuple[list[RawStack], list[ErrorRow]]:
    """Read every stack below `paths` (files or folders).

    `parameters` (``{Key: value}`` and/or ``{stack: {Key: value}}``, see
    :mod:`iacviz.sources.parameter_values`) is used to expand SAM templates and to resolve
    the parameters parents pass to nested stacks. A file reached through the folder given
    (a symlink, an estate-file ``template:``, a CDK ``templateFile``) that lies outside it is
    an error row, unless `follow_outside` is True. `templates`, when given, remembers parsed
    templates by content hash, so an unchanged file is not parsed again. `kinds`, when the
    caller has looked already, is :func:`path_kinds` of `paths`.
    """
    reader = _Reader(ParameterValues.of(parameters), region, follow_outside, templates)
    paths = list(paths)
    roots = list(zip(map(Path, paths), path_kinds(paths) if kinds is None else kinds))
    files_base = _shared_folder([root.parent for root, is_dir in roots if is_dir is False])
    for root, is_dir in roots:
        reader.read_root(root, is_dir, files_base)
    return reader.finish()


def path_kinds(paths: Iterable[str | os.PathLike]) -> list[bool | None]:
    """Whether each path is a folder (True), another file (False) or missing (None): one stat
    each, which :func:`read_paths` takes from a caller that needed them first.

    >>> path_kinds([".", "no-such-file"])
    [True, None]
    """
    return [_is_dir(Path(path)) for path in paths]  # as Path reads it: "x.yaml/" is x.yaml


def _shared_folder(folders: list[Path]) -> Path | None:
    """The deepest folder holding all of `folders` (absolute), or None (none, or no such folder).

    Files given one by one are shown relative to it, as a folder's files are relative to the
    folder: ``a/vpc.yaml`` and ``b/vpc.yaml`` stay told apart, one file shows as its name.

    >>> _shared_folder([Path("/srv/e/a"), Path("/srv/e/b/c")]).as_posix(), _shared_folder([])
    ('/srv/e', None)
    """
    try:
        return Path(os.path.commonpath([os.path.abspath(f) for f in folders])) if folders else None
    except ValueError:  # relative and absolute mixed cannot happen here; drives on Windows can
        return None


def walk_candidates(root: str | os.PathLike) -> Iterable[Path]:
    """Every file below `root` that reading it could open, in a stable order: the folders the
    reader walks (the same folders skipped), every file in them, whatever its name.

    >>> list(walk_candidates("no-such-folder"))
    []
    """
    root = Path(root)
    if root.is_file():
        yield root
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in _SKIP_DIRS
            and not d.startswith("asset.")
            and (
                not d.startswith(".")
                or d in (".ebextensions", ".amplify")
                or (d == ".config" and folder.endswith("amplify"))
            )
        )
        here = Path(folder)
        for name in sorted(files):
            yield here / name


class _Reader:
    def __init__(
        self,
        parameters: ParameterValues,
        region: str,
        follow_outside: bool = False,
        templates: TemplateCache | None = None,
    ):
        self.parameters = parameters
        self.follow_outside = follow_outside
        self.templates_cache = templates
        self.root = self.base = Path.cwd()
        self.estate_wide: dict[str, Any] = {}  # the current root's estate-file parameters
        self.file_per_stack: dict[str, dict[str, Any]] = {}  # `parameters: {stack: {...}}` there
        self.region = region
        self.stacks: list[RawStack] = []
        self.errors: list[ErrorRow] = []
        self.templates: list[_Template] = []
        self._real: dict[str, Path] = {}
        self._idents: dict[int, Path] = {}
        self._paths = _RealPaths()
        self._shown: dict[tuple[str, str], str] = {}
        self._abs: dict[str, str] = {}

    def real(self, path: Path) -> Path:
        """``path.resolve()``, once per path: each template's path is needed resolved several
        times (names, nesting, display)."""
        key = os.fspath(path)
        real = self._real.get(key)
        if real is None:
            real = self._real[key] = Path(self._paths.real(key))
        return real

    def _inside(self, path: Path) -> bool:
        # limits.inside, on the paths resolved once per reader (it resolved both per file); a
        # path no file system takes (a NUL byte from an estate file) is outside, as there
        try:
            return below(self._paths.real(os.fspath(path)), self._paths.real(os.fspath(self.root))) is not None
        except (OSError, RuntimeError, ValueError):
            return False

    def _absolute(self, path: str) -> str:
        absolute = self._abs.get(path)
        if absolute is None:
            absolute = self._abs[path] = os.path.abspath(path)
        return absolute

    def _below_base(self, t: _Template) -> str | None:
        # self.real(t.path).relative_to(self.real(t.base)), without pathlib or its ValueError
        return below(self._paths.real(os.fspath(t.path)), self._paths.real(os.fspath(t.base or self.base)))

    # -- discovery -------------------------------------------------------------------------
    def display(self, path: Path, base: Path | None = None) -> str:
        # The path as found below the folder given (`base`, else the root being read; a symlink
        # keeps its own name), else resolved. Once per path and folder: every row names its file.
        key = (os.fspath(path), os.fspath(base or self.base))
        shown = self._shown.get(key)
        if shown is None:
            shown = below(self._absolute(key[0]), self._absolute(key[1]))
            if shown is None:
                shown = below(self._paths.real(key[0]), self._paths.real(key[1]))
            if shown is None:
                shown = path.as_posix()
            self._shown[key] = shown
        return shown

    def read_root(self, root: Path, is_dir: bool | None, files_base: Path | None = None) -> None:
        # is_dir: _is_dir(root); files_base: where files given one by one are shown from
        if is_dir is None:
            self.errors.append(ErrorRow(str(root), 0, "error", "no such file or folder"))
            return
        self.root = root if is_dir else root.parent  # what nothing read may lead out of
        self.base = root if is_dir else files_base or self.root
        self.estate_wide = {}
        if not is_dir:
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
                stacks, errs, _ = cdk.read_assembly(here, self.display, self._parse, follow_outside=self.follow_outside)
                self.stacks.extend(self._estate_wide_into(s) for s in stacks)
                self.errors.extend(errs)
                dirs[:] = []
                continue
            if amplify.is_gen1(here):
                self._read_amplify_gen1(here)
                dirs[:] = [d for d in dirs if d != "amplify"]  # read as the CLI deploys it, above
            elif amplify.is_gen2(here):
                read = self._read_amplify_gen2(here)
                dirs[:] = [d for d in dirs if d not in read]
            kept = []
            for d in sorted(dirs):
                why = _skipped_folder(d)
                if why is None:
                    kept.append(d)
                else:
                    self.errors.append(ErrorRow(self.display(here / d), 0, "info", f"folder skipped: {why}"))
            dirs[:] = kept
            for name in sorted(files):
                path = here / name
                rel_file = f"{rel}/{name}" if rel != "." else name
                if name == ESTATE_FILE or not name.lower().endswith(TEMPLATE_SUFFIXES) or _build_spec(name):
                    continue
                pattern = next((g for g in ignore if fnmatch.fnmatch(rel_file, g)), None)
                if pattern is not None:
                    self.errors.append(
                        ErrorRow(
                            self.display(path),
                            0,
                            "info",
                            f"skipped: matches ignore pattern {pattern!r} of {ESTATE_FILE}",
                        )
                    )
                    continue
                why = _not_cloudformation(name)
                if why:
                    self.errors.append(ErrorRow(self.display(path), 0, "info", f"skipped: {why}, not CloudFormation"))
                    continue
                self._read_template(path, named.get(self.real(path)))

    def _read_amplify_gen1(self, here: Path) -> None:
        project = amplify.read_gen1(here, self.display, self._parse)
        self.errors.extend(project.errors)
        for t in project.templates:
            self.templates.append(
                _Template(
                    t.path,
                    t.body,
                    t.lines,
                    nested_files=t.nested,
                    app=project.app,
                    generated_by=amplify.GENERATOR,
                    format=amplify.GENERATOR,
                    base=self.base,
                )
            )
        for root in project.roots:
            where = environments.Deployment(root.environment, root.account, root.region, root.parameters)
            self.templates.append(
                _Template(
                    root.path,
                    root.body,
                    root.lines,
                    name=root.name,
                    deployments=[where],
                    key=root.key,
                    nested_files=root.nested,
                    values_source="amplify",
                    app=project.app,
                    generated_by=amplify.GENERATOR,
                    format=amplify.GENERATOR,
                    base=self.base,
                )
            )

    def _read_amplify_gen2(self, here: Path) -> set[str]:
        """Read a Gen 2 project's cloud assembly (or say how to make one); returns the folders
        of `here` the walk must not enter again."""
        found = amplify.gen2_assembly(here)
        if found is None:
            self.errors.append(ErrorRow(self.display(here / amplify.GEN2_ENTRY), 0, "warning", amplify.GEN2_HOW))
            return {"amplify"}
        stacks, errs, _ = cdk.read_assembly(found, self.display, self._parse, follow_outside=self.follow_outside)
        self.errors.extend(errs)
        for stack in stacks:
            app, env = amplify.live_identity(stack.name, {}) or (None, None)
            stack.app, stack.environment = app, env
            resources = stack.template.get("Resources")
            stack.generated_by = {
                **dict.fromkeys(resources if isinstance(resources, dict) else (), amplify.GENERATOR),
                **stack.generated_by,
            }
            self.stacks.append(self._estate_wide_into(stack))
        return {"amplify", found.relative_to(here).parts[0]}

    def _estate_file(self, root: Path) -> tuple[dict[Path, tuple], list[str]]:
        path = root / ESTATE_FILE
        if not path.is_file():
            return {}, []
        try:
            body, _ = self._parse(path)
        except TemplateError as exc:
            self.errors.append(ErrorRow(exc.source, exc.line, "error", exc.message))
            return {}, []
        source = self.display(path)

        def bad(message: str, line: int = 0) -> None:
            self.errors.append(ErrorRow(source, line, "error", message))

        named = {}
        stacks = body.get("stacks")
        if stacks is not None and not isinstance(stacks, dict):
            bad(f"stacks must be a mapping of stack name to template, found {type(stacks).__name__}")
            stacks = {}
        lines = (
            environments.key_lines(path.read_text("utf-8", errors="replace"), source) if "environments" in body else {}
        )
        envs, errs = environments.parse_environments(body.get("environments"), source, lines)
        self.errors.extend(errs)
        for stack, spec in (stacks or {}).items():
            spec = spec if isinstance(spec, dict) else {"template": spec}
            line = lines.get(f"stacks/{stack}", 0)
            if not isinstance(spec.get("template"), str) or not spec["template"]:
                bad(f"stack {stack}: template must be a file path, found {spec.get('template')!r:.80}", line)
                continue
            template = root / spec["template"]
            if not self.follow_outside and not self._inside(template):  # self.root is `root` here
                bad(
                    f"stack {stack}: template {spec['template']!r} is outside the folder being read "
                    "(follow_outside=True reads it)",
                    line,
                )
                continue
            if not template.is_file():
                bad(f"stack {stack}: template {spec.get('template')!r} not found", line)
                continue
            values = spec.get("parameters")
            if values is not None and not isinstance(values, dict):
                bad(f"stack {stack}: parameters must be a mapping, found {type(values).__name__}", line)
                spec = {**spec, "parameters": {}}
            where, errs = environments.deployments(str(stack), spec, envs, source, lines)
            self.errors.extend(errs)
            named[self.real(template)] = (str(stack), dict(spec.get("parameters") or {}), where)
        wide = body.get("parameters") or {}
        try:
            given = ParameterValues.of(wide)
        except ParameterShapeError as exc:
            bad(str(exc), lines.get("parameters", 0))
            given = ParameterValues()
        # Top-level `parameters:` are estate-wide: every stack declaring the key gets the value
        # unless its own entry (or its parent) gives one. `stack: {Key: v}` in there is per stack.
        self.estate_wide = given.estate_wide
        for stack, values in given.per_stack.items():
            self.file_per_stack.setdefault(stack, {}).update(values)
        ignore = body.get("ignore")
        if ignore is not None and not isinstance(ignore, (list, str)):
            bad(f"ignore must be a list of glob patterns, found {type(ignore).__name__}")
            ignore = None
        ignore = [ignore] if isinstance(ignore, str) else ignore
        return named, [str(g) for g in ignore or []]

    def _estate_wide_into(self, stack: RawStack) -> RawStack:
        """A stack read whole (a CDK assembly's) with the estate file's estate-wide values for
        the parameters it declares and has no value for."""
        declared = stack.template.get("Parameters") if isinstance(stack.template.get("Parameters"), dict) else {}
        wide = {k: v for k, v in self.estate_wide.items() if k in declared and k not in stack.parameter_values}
        if wide:
            stack.parameter_values = {**wide, **stack.parameter_values}
            stack.parameter_value_sources = {**stack.parameter_value_sources, **dict.fromkeys(wide, "estate-file")}
        return stack

    def _parse(self, path: Path) -> tuple[dict, dict]:
        if not self.follow_outside and not self._inside(path):
            raise TemplateError(
                self.display(path),
                0,
                "outside the folder being read (symlink or path leading out); pass follow_outside=True to read it",
            )
        try:
            data = read_regular_file(path, MAX_TEMPLATE_BYTES)
        except LimitError as exc:
            raise TemplateError(self.display(path), 0, f"cannot read: {exc}") from None
        except OSError as exc:
            raise TemplateError(self.display(path), 0, f"cannot read: {exc.strerror or exc}") from None
        # CloudFormation reads .json as JSON only: NaN or a trailing comma is an error, not YAML.
        fmt = "json" if path.suffix.lower() == ".json" else None
        if self.templates_cache is None:
            return parse_template(data, self.display(path), fmt)
        key = f"{content_hash(data)}-{fmt or 'any'}"
        parsed = self.templates_cache.get(key)
        if parsed is None:
            parsed = parse_template(data, self.display(path), fmt)
            self.templates_cache.put(key, parsed)
        return parsed

    def _read_template(self, path: Path, named: tuple | None = None) -> None:
        try:
            body, lines = self._parse(path)
        except TemplateError as exc:
            self.errors.append(ErrorRow(exc.source, exc.line, exc.severity, exc.message))
            return
        if not _is_template(body):
            keys = [str(k) for k in body][:5]
            if named or set(map(str, body)) & _TEMPLATE_KEYS:
                self.errors.append(
                    ErrorRow(
                        self.display(path),
                        0,
                        "error",
                        f"not a CloudFormation template: no Resources section (top-level keys: {', '.join(keys)})",
                    )
                )
            else:
                self.errors.append(
                    ErrorRow(
                        self.display(path),
                        0,
                        "info",
                        f"skipped: not a CloudFormation template (top-level keys: {', '.join(keys) or 'none'})",
                    )
                )
            return
        name, params, where = named if named else (None, {}, None)
        self.templates.append(_Template(path, body, lines, name, params, where, self.estate_wide, base=self.base))

    # -- stacks ----------------------------------------------------------------------------
    def ident(self, t: _Template) -> Path:
        """What tells templates apart: the resolved file, or an Amplify root's own key."""
        here = self._idents.get(id(t))  # self.templates keeps every t alive: ids stay theirs
        if here is None:
            here = self._idents[id(t)] = t.key if t.key is not None else self.real(t.path)
        return here

    def finish(self) -> tuple[list[RawStack], list[ErrorRow]]:
        by_path = {self.ident(t): t for t in self.templates}
        children: dict[Path, list[tuple[_Template, str, dict]]] = {}
        by_file: dict[str, list[_Template]] = {}
        for t in self.templates:
            by_file.setdefault(t.path.name, []).append(t)
        for t in self.templates:
            for logical_id, url, passed in _nested(t):
                if isinstance(url, Path):
                    child_path = self.real(url)
                else:
                    child = self._by_url(t, logical_id, url, by_file)
                    child_path = self.ident(child) if child else None
                if child_path in by_path and child_path != self.ident(t):
                    children.setdefault(self.ident(t), []).append((by_path[child_path], logical_id, passed))
        nested = {self.ident(c) for kids in children.values() for c, _, _ in kids}
        taken = {s.name for s in self.stacks}
        roots = [t for t in self.templates if self.ident(t) not in nested]
        names = _unique_names(roots, taken, self._below_base)
        reached: set[Path] = set()
        for t in roots:
            self._start(t, names[id(t)], children, reached)
        # Templates only reachable through a cycle of TemplateURLs (a -> b -> a) have no root:
        # each cycle is read from its first template, so none vanishes, and reported once.
        for t in self.templates:
            if self.ident(t) not in reached:
                name = _unique_names([t], taken | {s.name for s in self.stacks}, self._below_base)[id(t)]
                self._start(t, name, children, reached)
        return self.stacks, self.errors

    def _by_url(self, t: _Template, logical_id: str, url: Any, by_file: dict[str, list[_Template]]) -> _Template | None:
        """The template of the estate folder an S3/HTTPS TemplateURL points at: the one sharing
        the longest path suffix with the URL (``templates/buckets.template.yaml``). Nothing is
        fetched; an ambiguous or missing match is a warning row."""
        ctx = Context(
            as_stack_name(t.path.stem), self.region, None, _parameters.values(t.body, t.parameters, t.estate_wide)
        )
        conditions = t.body.get("Conditions")
        ctx.condition = evaluate_conditions(conditions if isinstance(conditions, dict) else {}, ctx).get
        found = _url_path(url, ctx)
        where = f"nested stack {logical_id}"
        line = t.lines.get(f"Resources/{logical_id}", 0)
        if found is None:
            self.errors.append(
                ErrorRow(
                    self.display(t.path, t.base),
                    line,
                    "warning",
                    f"{where}: TemplateURL cannot be resolved offline; the child is not linked",
                )
            )
            return None
        segments, partial = found
        text = "/".join(segments)
        pool = (
            by_file.get(segments[-1], [])
            if not (partial and len(segments) == 1)
            else [c for name, ts in by_file.items() if name.endswith(segments[-1]) for c in ts]
        )
        scored = [
            (_common_suffix(segments, partial, Path(self.display(c.path, c.base)).parts), c) for c in pool if c is not t
        ]
        best = max((n for n, _ in scored), default=0)
        matches = [c for n, c in scored if n == best and n > 0]
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = ", ".join(sorted(self.display(c.path, c.base) for c in matches))
            self.errors.append(
                ErrorRow(
                    self.display(t.path, t.base),
                    line,
                    "warning",
                    f"{where}: TemplateURL path '{text}' matches {len(matches)} templates "
                    f"equally ({names}); the child is not linked",
                )
            )
        else:
            self.errors.append(
                ErrorRow(
                    self.display(t.path, t.base),
                    line,
                    "warning",
                    f"{where}: TemplateURL path '{text}' matches no template in the estate "
                    f"folder (nothing is fetched); the child is not linked",
                )
            )
        return None

    def _start(self, t: _Template, name: str, children, reached: set[Path]) -> None:
        if t.deployments is None:
            self._add(t, name, None, None, t.parameters, "estate-file", children, (), reached)
            return
        for d in t.deployments:  # estate-file environments: one stack per environment and region
            self._add(t, name, None, None, d.parameters, t.values_source, children, (), reached, where=d)

    def _add(
        self,
        t: _Template,
        name: str,
        parent: str | None,
        parent_resource: str | None,
        values: dict,
        values_source: str,
        children,
        ancestors: tuple[Path, ...],
        reached: set[Path],
        where=None,
    ) -> None:
        here = self.ident(t)
        if here in ancestors:
            cycle = " -> ".join(self.display(p, t.base) for p in (*ancestors[ancestors.index(here) :], here))
            self.errors.append(
                ErrorRow(
                    self.display(t.path, t.base),
                    0,
                    "error",
                    f"nested-stack cycle: {cycle} (CloudFormation cannot create it)",
                    parent,
                )
            )
            return
        reached.add(here)
        declared = t.body.get("Parameters") if isinstance(t.body.get("Parameters"), dict) else {}
        # The stack's own values (estate-file entry or parent) win over the estate file's
        # estate-wide ones, and what the user passes wins over both.
        file_own = self.file_per_stack.get(name, {})
        own = {**file_own, **values}
        wide = {k: v for k, v in t.estate_wide.items() if k in declared and k not in own}
        sources = {k: "estate-file" for k in [*wide, *(k for k in file_own if k not in values)]}
        # NoEcho values are masked here, where they enter: nothing below ever holds one.
        secret = no_echo_names(t.body)
        values = mask_values({**wide, **own}, secret=secret)
        user = mask_values({**values, **self.parameters.for_stack(name, declared)}, secret=secret)
        region = (where.region if where else None) or self.region
        account = where.account if where else None
        body, raw_body, generated_by, errors = apply_transforms(
            t.body, user, region, self.display(t.path, t.base), name, checked=True
        )
        self.errors.extend(errors)
        if t.generated_by:  # an origin SAM names wins: it says more
            resources = body.get("Resources") if isinstance(body.get("Resources"), dict) else {}
            generated_by = {**dict.fromkeys(resources, t.generated_by), **generated_by}
        self.stacks.append(
            RawStack(
                name=name,
                source=self.display(t.path, t.base),
                format=t.format or ("json" if t.path.suffix == ".json" else "yaml"),
                template=body,
                lines=t.lines,
                raw_template=raw_body,
                generated_by=generated_by,
                parent_stack=parent,
                parent_resource=parent_resource,
                parameter_values=values,
                parameter_values_source=values_source,
                parameter_value_sources=sources,
                stack_dependencies=[parent] if parent else [],
                account=account,
                region=where.region if where else None,
                environment=where.environment if where else None,
                app=t.app,
            )
        )
        kids = children.get(here)
        # what a parent passes its children is resolved with its values: made only for a parent
        ctx = Context(name, region, account, _parameters.values(t.body, user)) if kids else None
        for child, logical_id, passed in kids or ():
            resolved = {k: masked_if_derived(_resolved_or_expr(v, ctx), v, secret) for k, v in passed.items()}
            self._add(
                child,
                f"{name}-{logical_id}",
                name,
                logical_id,
                resolved,
                "parent",
                children,
                (*ancestors, here),
                reached,
                where=where,
            )


def _is_dir(path: str | os.PathLike) -> bool | None:
    """``path.is_dir()``, or None where ``path.exists()`` is False: one stat for both, raising
    what they raise."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError as exc:
        if getattr(exc, "errno", None) in _MISSING or getattr(exc, "winerror", None) in _MISSING_WINDOWS:
            return None
        raise
    except ValueError:  # a path the file system cannot encode: missing, as for Path.exists
        return None


# The errors for which Path.exists is False rather than raising (pathlib's own list).
_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
_MISSING_WINDOWS = (21, 123, 1921)


class _RealPaths:
    """``str(Path(path).resolve())``, falling back to ``Path(path).absolute()`` on a symlink
    loop, for many paths sharing folders: realpath lstats every component of every path, so a
    folder's resolved form is remembered and a file in it costs one lstat.

    >>> import tempfile
    >>> folder = os.path.realpath(tempfile.mkdtemp())
    >>> _RealPaths().real(os.path.join(folder, "x.yaml")) == os.path.join(folder, "x.yaml")
    True
    """

    def __init__(self) -> None:
        self.paths: dict[str, str] = {}
        # folder as given -> its real path, or None where resolving it met a symlink loop
        self.folders: dict[str, str | None] = {}

    def real(self, path: str) -> str:
        real = self.paths.get(path) or self.folders.get(path)
        if real is None:
            real = self.paths[path] = self._step(path, True) or path  # never None when absolute
        return real

    def _step(self, path: str, absolute: bool) -> str | None:
        # realpath("a/b") is realpath("a") joined with "b", b resolved there: the same walk of
        # components, cut at the last separator. The folder's part is remembered.
        folder, name = os.path.split(path)
        if name in ("", ".", "..") or os.sep != "/":  # elsewhere, drives and junctions: pathlib
            return _resolved(path, absolute)
        if folder not in self.folders:
            if folder in ("/", "//"):  # the root is itself (realpath keeps no "//")
                self.folders[folder] = "/"
            elif not folder.strip("/"):  # "": the current folder
                self.folders[folder] = _resolved(folder, False)
            else:
                self.folders[folder] = self._step(folder, False)
        real_folder = self.folders[folder]
        if real_folder is None:  # a symlink loop on the way: resolved whole, as before
            return _resolved(path, absolute)
        joined = os.path.join(real_folder, name)
        try:
            if stat.S_ISLNK(os.lstat(joined).st_mode):
                return _resolved(path, absolute)
        except OSError:  # missing or unreadable: realpath keeps the name as it is
            pass
        return joined


def _resolved(path: str, absolute: bool) -> str | None:
    """``str(Path(path).resolve())``; on a symlink loop (or a failing realpath) ``absolute()``,
    as the reader always used, when `absolute`, else None."""
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return str(Path(path).absolute()) if absolute else None


def _url_path(url: Any, ctx: Context) -> tuple[list[str], bool] | None:
    """The path segments of an S3 or HTTPS TemplateURL that are known offline, and whether the
    first one is only the end of a segment (a ``${Prefix}`` stood before it). None: not a URL."""
    text = resolve_string(url, ctx)
    if (
        text is None
        and isinstance(url, dict)
        and isinstance(url.get("Fn::Sub"), list)
        and len(url["Fn::Sub"]) == 2
        and isinstance(url["Fn::Sub"][1], dict)
    ):
        # A bucket chosen by Fn::If on an unknown condition: only the path matters, keep it open.
        text_, local = url["Fn::Sub"]
        known = {k: v for k, v in local.items() if resolve_string(v, ctx) is not None}
        text = resolve_string({"Fn::Sub": [text_, {**{k: "${" + k + "}" for k in local}, **known}]}, ctx)
    if text is None:
        return None
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in ("s3", "https", "http"):
        return None
    path = rest.partition("/")[2].split("?")[0]  # the host (bucket or endpoint) is no part of the path
    partial = "}" in path
    path = path.rpartition("}")[2]
    segments = [seg for seg in path.split("/")]
    partial = partial and not path.startswith("/")
    segments = [seg for seg in segments if seg] if not partial else [segments[0]] + [s for s in segments[1:] if s]
    return (segments, partial) if segments and segments[-1] else None


def _common_suffix(segments: list[str], partial: bool, candidate: tuple[str, ...]) -> int:
    """How many trailing path segments `candidate` shares with a URL's path."""
    n = 0
    for i in range(1, min(len(segments), len(candidate)) + 1):
        mine, theirs = segments[-i], candidate[-i]
        first = i == len(segments)
        if mine == theirs or (first and partial and theirs.endswith(mine)):
            n += 1
        else:
            break
    return n


def _resolved_or_expr(value: Any, ctx: Context) -> Any:
    resolved = resolve_value(value, ctx)
    if resolved is None or (isinstance(resolved, str) and "${" in resolved):
        return value  # kept as written: the parameters frame shows what the parent passes
    return resolved


def _nested(t: _Template) -> Iterable[tuple[str, Path | str | dict, dict]]:
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
        passed = passed if isinstance(passed, dict) else {}
        if logical_id in t.nested_files:
            yield logical_id, t.nested_files[logical_id], passed
        elif isinstance(url, str) and not url.startswith(("http://", "https://", "s3://")):
            yield logical_id, (t.path.parent / url).resolve(), passed
        elif isinstance(url, str) or (
            isinstance(url, dict) and len(url) == 1 and str(next(iter(url))).startswith("Fn::")
        ):
            yield logical_id, url, passed  # an S3/HTTPS URL, literal or built with Fn::Sub/Fn::Join


def _unique_names(
    templates: list[_Template], taken: set[str], below: Callable[[_Template], str | None]
) -> dict[int, str]:
    # A stack is named after its file stem; where stems collide (vpc.yaml beside vpc.json,
    # or two folders with a template.yaml) the relative path tells them apart. Either is made a
    # name CloudFormation accepts (no '+', '.', '_', ...): AWS::StackName resolves to it.
    stems: dict[str, int] = {}
    own: dict[int, str] = {id(t): as_stack_name(t.path.stem) for t in templates if not t.name}
    for stem in own.values():
        stems[stem] = stems.get(stem, 0) + 1
    names: dict[int, str] = {}
    used = set(taken) | {t.name for t in templates if t.name}
    for t in templates:
        if t.name:
            names[id(t)] = t.name
            continue
        name = own[id(t)]
        if stems[name] > 1 or name in used or name in ("template", "main"):
            found = below(t)  # resolved, below its folder resolved; None: elsewhere
            rel = Path(found) if found is not None else Path(t.path.name)
            name = as_stack_name(rel.with_suffix("").as_posix())
            if name in used:
                name = as_stack_name(rel.as_posix())
            n, first = 2, name
            while name in used:  # a+b.yaml beside a-b.yaml: both would be a-b
                name, n = f"{first}-{n}", n + 1
        used.add(name)
        names[id(t)] = name
    return names


def _is_template(body: Any) -> bool:
    return isinstance(body, dict) and ("Resources" in body or "AWSTemplateFormatVersion" in body)


# Top-level keys of a template (and a common misspelling): a file with one of them but no
# Resources is a broken template, not some other YAML.
_TEMPLATE_KEYS = {
    "Parameters",
    "Outputs",
    "Conditions",
    "Mappings",
    "Transform",
    "Rules",
    "Resource",
    "resources",
    "Globals",
}


def _build_spec(name: str) -> bool:
    """A CodeBuild buildspec or CodeDeploy appspec: no template, read by the script scan
    (iacviz.sources.scripts), so skipped without a row."""
    lower = name.lower()
    return lower.startswith("buildspec") or lower in ("appspec.yml", "appspec.yaml")


def _skipped_folder(name: str) -> str | None:
    """Why a folder is not read (listed as an info row), or None to read it."""
    if name in _SKIP_DIRS:
        return _SKIP_DIRS[name]
    if name.startswith("asset."):
        return "a CDK asset"
    if name.startswith(".") and name != ".ebextensions":
        return "a hidden folder (editor or tool state)"
    return None


def _not_cloudformation(name: str) -> str | None:
    # one regex for every pattern answers "none" (nearly every file) in one match, not 18
    if _ANY_NOT_CLOUDFORMATION.match(os.path.normcase(name)) is None:
        return None
    return next((why for pattern, why in _NOT_CLOUDFORMATION if fnmatch.fnmatch(name, pattern)), None)


_ANY_NOT_CLOUDFORMATION = re.compile(
    "|".join(fnmatch.translate(os.path.normcase(pattern)) for pattern, _ in _NOT_CLOUDFORMATION)
)
