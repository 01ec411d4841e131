"""Scripts of an estate folder that read exports or stack outputs through the AWS CLI or SDK.

Build specs, deployment hooks, shell scripts, Makefiles and CI workflows often read what a
stack exports rather than importing it: ``aws cloudformation list-exports --query
"Exports[?Name=='shop-data-AssetsBucketName'].Value"`` in a ``buildspec.yml``. CloudFormation
does not know about such a reader, yet the export is in use. :func:`scan_scripts` finds them,
one :class:`ScriptRead` per read, with the file and line.

The scan only reads text (never runs anything), file by file within the bounds of
:mod:`iacviz.limits`; a file it cannot read is an info row, never a failure of the load.

Recognised, in any of those files (a shell command may continue over ``\\`` line ends):

- ``aws cloudformation list-exports`` with a ``--query`` filtering ``Name=='X'`` (single,
  double or back-tick quotes, escaped or not) or a ``jq`` filter ``select(.Name=="X")``;
- ``aws cloudformation describe-stacks --stack-name S`` with ``OutputKey=='K'`` in its query
  (or no key: every output of S);
- Python with boto3: ``list_exports`` and a comparison ``["Name"] == "X"``;
  ``describe_stacks(StackName="S")`` and ``["OutputKey"] == "K"``.

Shell variables in names (``shop-$ENV-VpcId``, ``${ENV}``) become ``${ENV}`` placeholders,
matched as patterns as template names are.

>>> reads, errors = scan_scripts("no-such-folder")
>>> reads, errors
([], [])
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ..limits import MAX_SCRIPT_BYTES, MAX_SCRIPT_FILES, LimitError, inside, read_regular_file
from .raw import ErrorRow

__all__ = ["ScriptRead", "scan_scripts", "reads_in_text", "is_script"]

# File names (fnmatch, lower case) holding commands; workflow files only below .github/workflows.
SCRIPT_NAMES = (
    "buildspec*.yml",
    "buildspec*.yaml",
    "appspec.yml",
    "appspec.yaml",
    "*.sh",
    "*.bash",
    "makefile",
    "gnumakefile",
    "*.mk",
    ".gitlab-ci.yml",
    "jenkinsfile",
    "*.py",
)
_WORKFLOWS = ("*.yml", "*.yaml")
_SKIP_DIRS = {"node_modules", ".venv", "venv", "__pycache__", ".aws-sam", ".git", ".tox", ".mypy_cache", "cdk.out"}


@dataclass(frozen=True)
class ScriptRead:
    """One read of an export (``export_name``) or of a stack's output (``stack_name``,
    ``output_key``; no key: all its outputs) by a script."""

    file: str  # relative to the folder scanned
    line: int
    tool: str  # aws-cli | boto3
    call: str  # list-exports | describe-stacks
    export_name: str | None = None
    stack_name: str | None = None
    output_key: str | None = None
    text: str = ""  # the line, trimmed


def is_script(rel_path: str) -> bool:
    """True for a file (path relative to the estate folder) that the scan reads.

    >>> is_script("ci/buildspec.yml"), is_script(".github/workflows/deploy.yml"), is_script("net.yaml")
    (True, True, False)
    """
    parts = rel_path.split("/")
    name = parts[-1].lower()
    if len(parts) >= 3 and parts[-3] == ".github" and parts[-2] == "workflows":
        return any(fnmatch.fnmatch(name, p) for p in _WORKFLOWS)
    return any(fnmatch.fnmatch(name, p) for p in SCRIPT_NAMES)


def scan_scripts(*roots: str | os.PathLike) -> tuple[list[ScriptRead], list[ErrorRow]]:
    """Every export or output read by a script below the folders `roots`.

    Parameters
    ----------
    roots : path
        Estate folders (a file given is scanned when it is a script).

    Returns
    -------
    (list of ScriptRead, list of ErrorRow)
        The reads, and info rows for files that could not be read or were past the bounds.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "deploy.sh").write_text(
    ...     "aws cloudformation list-exports --query \\"Exports[?Name=='net-VpcId'].Value\\" --output text\\n")
    >>> [(r.file, r.line, r.export_name) for r in scan_scripts(root)[0]]
    [('deploy.sh', 1, 'net-VpcId')]
    """
    reads: list[ScriptRead] = []
    errors: list[ErrorRow] = []
    for root in roots:
        root = Path(root)
        files = _files(root, errors) if root.is_dir() else ([root] if root.is_file() and is_script(root.name) else [])
        base = root if root.is_dir() else root.parent
        for path in files:
            rel = path.relative_to(base).as_posix()
            try:
                data = read_regular_file(path, MAX_SCRIPT_BYTES)
            except (OSError, LimitError) as exc:
                errors.append(ErrorRow(rel, 0, "info", f"script not scanned: {exc}"))
                continue
            text = data.decode("utf-8", errors="replace")
            reads.extend(reads_in_text(text, rel))
            if path.name.lower() in ("appspec.yml", "appspec.yaml"):
                for hook in _appspec_hooks(text, path, base):
                    if hook not in files and hook.is_file():
                        files.append(hook)  # a hook script with no known extension
    return reads, errors


def _files(root: Path, errors: list[ErrorRow]) -> list[Path]:
    out: list[Path] = []
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        rel = here.relative_to(root).as_posix()
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in _SKIP_DIRS and not d.startswith("asset.") and (not d.startswith(".") or d == ".github")
        )
        for name in sorted(names):
            path = here / name
            if not is_script((path.relative_to(root)).as_posix()) or not inside(path, root):
                continue
            if len(out) >= MAX_SCRIPT_FILES:
                errors.append(ErrorRow(rel, 0, "info", f"script scan stopped after {MAX_SCRIPT_FILES} files"))
                return out
            out.append(path)
    return out


_APPSPEC_LOCATION = re.compile(r"^\s*-?\s*location:\s*['\"]?([^'\"#\s]+)", re.M)


def _appspec_hooks(text: str, path: Path, base: Path) -> list[Path]:
    # appspec.yml `hooks: - BeforeInstall: - location: scripts/x` names scripts of the bundle,
    # relative to the appspec's folder (the bundle root).
    out = []
    for m in _APPSPEC_LOCATION.finditer(text):
        hook = path.parent / m.group(1).lstrip("/")
        if inside(hook, base):
            out.append(hook)
    return out


# -- patterns -------------------------------------------------------------------------------------

_Q = r"""\\?['"`]"""  # a quote, maybe escaped: 'X', "X", `X` (JMESPath literal), \"X\"
_NAME_EQ = re.compile(rf"""(?:\bName|\.Name|\[['"]Name['"]\])\s*==\s*{_Q}([^'"`\\\s]+){_Q}""")
_EQ_NAME = re.compile(rf"""{_Q}([^'"`\\\s]+){_Q}\s*==\s*(?:\w+\s*\[['"]Name['"]\]|\w*\.?Name\b)""")
_KEY_EQ = re.compile(rf"""(?:\bOutputKey|\.OutputKey|\[['"]OutputKey['"]\])\s*==\s*{_Q}([^'"`\\\s]+){_Q}""")
_STACK_OPT = re.compile(r"""--stack-name[=\s]+(['"]?)([^'"\s]+)\1""")
_STACK_KW = re.compile(r"""StackName\s*=\s*['"]([^'"]+)['"]""")
_SHELL_VAR = re.compile(r"\$\{(\w+)(?::?[-=?+][^}]*)?\}|\$\((\w+)\)|\$\$?(\w+)")
_LIST_EXPORTS = ("list-exports", "list_exports", "ListExports")
_DESCRIBE = ("describe-stacks", "describe_stacks", "DescribeStacks")


def _name(raw: str) -> str:
    """A name as the script writes it, its shell (and make) variables as ``${VAR}`` placeholders.

    >>> _name("shop-$ENV-VpcId"), _name("shop-$(ENV)-x"), _name("shop-${ENV:-prod}-x")
    ('shop-${ENV}-VpcId', 'shop-${ENV}-x', 'shop-${ENV}-x')
    """
    return _SHELL_VAR.sub(lambda m: "${" + (m.group(1) or m.group(2) or m.group(3)) + "}", raw)


def _commands(text: str) -> Iterable[tuple[int, str]]:
    """(first line, command text): physical lines joined where a shell line ends with ``\\``."""
    pending: list[str] = []
    start = 0
    for n, line in enumerate(text.splitlines(), 1):
        if not pending:
            start = n
        stripped = line.rstrip()
        if stripped.endswith("\\") and len(pending) < 50:
            pending.append(stripped[:-1])
            continue
        pending.append(line)
        yield start, " ".join(pending)
        pending = []
    if pending:
        yield start, " ".join(pending)


def reads_in_text(text: str, file: str) -> list[ScriptRead]:
    """The reads in one script's text (see the module docstring for the patterns).

    >>> q = 'aws cloudformation describe-stacks --stack-name shop-data --query "Stacks[0].Outputs[?OutputKey==`DbPort`].OutputValue"'
    >>> [(r.call, r.stack_name, r.output_key) for r in reads_in_text(q, "b.sh")]
    [('describe-stacks', 'shop-data', 'DbPort')]
    """
    out: list[ScriptRead] = []
    python = file.lower().endswith(".py")
    lists = python and any(k in text for k in _LIST_EXPORTS)
    described = _STACK_KW.search(text) if python else None
    for line, command in _commands(text):
        shown = command.strip()[:200]
        tool = "boto3" if python else "aws-cli"
        if python:
            if lists:
                for m in (*_NAME_EQ.finditer(command), *_EQ_NAME.finditer(command)):
                    out.append(ScriptRead(file, line, tool, "list-exports", export_name=m.group(1), text=shown))
            if described:
                for m in _KEY_EQ.finditer(command):
                    out.append(
                        ScriptRead(
                            file,
                            line,
                            tool,
                            "describe-stacks",
                            stack_name=described.group(1),
                            output_key=m.group(1),
                            text=shown,
                        )
                    )
            continue
        if any(k in command for k in _LIST_EXPORTS):
            for m in _NAME_EQ.finditer(command):
                out.append(ScriptRead(file, line, tool, "list-exports", export_name=_name(m.group(1)), text=shown))
        if any(k in command for k in _DESCRIBE):
            stack = _STACK_OPT.search(command)
            if stack is None:
                continue
            keys = [m.group(1) for m in _KEY_EQ.finditer(command)]
            outputs_read = keys or ("Outputs" in command and [None])
            for key in outputs_read or ():
                out.append(
                    ScriptRead(
                        file,
                        line,
                        tool,
                        "describe-stacks",
                        stack_name=_name(stack.group(2)),
                        output_key=key,
                        text=shown,
                    )
                )
    return out


def as_rows(reads: Iterable[ScriptRead]) -> list[dict[str, Any]]:
    """The reads as rows of the ``script_reads`` frame.

    >>> as_rows([ScriptRead("b.sh", 3, "aws-cli", "list-exports", export_name="x")])[0]["line"]
    3
    """
    return [
        {
            "file": r.file,
            "line": r.line,
            "tool": r.tool,
            "call": r.call,
            "export_name": r.export_name,
            "stack_name": r.stack_name,
            "output_key": r.output_key,
            "text": r.text,
        }
        for r in reads
    ]
