"""Read a CDK cloud assembly (a ``cdk.out`` folder with ``manifest.json``).

One stack per ``aws:cloudformation:stack`` artifact, named by its ``stackName`` (the name
CloudFormation sees) or else the artifact id; nested assemblies (CDK stages) are followed;
dependencies between stack artifacts come from the manifest, asset manifests left out.

>>> is_assembly(Path("no-such-folder"))
False
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from .raw import ErrorRow, RawStack

STACK_ARTIFACT = "aws:cloudformation:stack"
NESTED_ASSEMBLY = "cdk:cloud-assembly"


def is_assembly(folder: Path) -> bool:
    """True when `folder` holds a cloud assembly manifest with artifacts."""
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        return False
    try:
        return isinstance(json.loads(manifest.read_text("utf-8")).get("artifacts"), dict)
    except (ValueError, OSError, AttributeError):
        return False


def read_assembly(folder: Path, display: Callable[[Path], str], parse) -> tuple[list[RawStack], list[ErrorRow], set[Path]]:
    """Stacks of the assembly in `folder`; also returns every file it consumed.

    `parse(path) -> (body, lines)` reads one template (raising TemplateError); `display`
    turns a path into the name shown in `source`.
    """
    stacks: list[RawStack] = []
    errors: list[ErrorRow] = []
    used: set[Path] = set()
    _read(folder, display, parse, stacks, errors, used, seen=set())
    return stacks, errors, used


def _read(folder, display, parse, stacks, errors, used, seen) -> None:
    manifest_path = folder / "manifest.json"
    used.add(manifest_path)
    if folder.resolve() in seen:
        return
    seen.add(folder.resolve())
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except (ValueError, OSError) as exc:
        errors.append(ErrorRow(display(manifest_path), 0, "error", f"unreadable CDK manifest: {exc}"))
        return
    artifacts = manifest.get("artifacts") or {}
    stack_ids = {aid for aid, a in artifacts.items() if isinstance(a, dict) and a.get("type") == STACK_ARTIFACT}
    names = {aid: (artifacts[aid].get("properties") or {}).get("stackName") or aid for aid in stack_ids}
    for aid, art in artifacts.items():
        if not isinstance(art, dict):
            continue
        props = art.get("properties") or {}
        if art.get("type") == NESTED_ASSEMBLY and props.get("directoryName"):
            sub = folder / props["directoryName"]
            if (sub / "manifest.json").is_file():
                _read(sub, display, parse, stacks, errors, used, seen)
            continue
        if aid not in stack_ids:
            continue
        template_path = folder / str(props.get("templateFile", f"{aid}.template.json"))
        used.add(template_path)
        try:
            body, lines = parse(template_path)
        except Exception as exc:  # a TemplateError names file and line already
            errors.append(ErrorRow(getattr(exc, "source", display(template_path)), getattr(exc, "line", 0),
                                   "error", getattr(exc, "message", str(exc)), names[aid]))
            continue
        cdk_paths = _construct_paths(folder, art, body, used)
        deps = [names[d] for d in art.get("dependencies") or [] if d in stack_ids]
        stacks.append(RawStack(
            name=names[aid], source=display(template_path), format="cdk", template=body, lines=lines,
            cdk_paths=cdk_paths, stack_dependencies=deps,
        ))


def _construct_paths(folder: Path, artifact: dict, body: dict, used: set[Path]) -> dict[str, str]:
    paths: dict[str, str] = {}
    for logical_id, res in (body.get("Resources") or {}).items():
        meta = res.get("Metadata") if isinstance(res, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get("aws:cdk:path"), str):
            paths[logical_id] = meta["aws:cdk:path"]
    # Templates synthesised with path metadata off still carry it in the manifest.
    metadata = artifact.get("metadata") or {}
    extra = artifact.get("additionalMetadataFile")
    if extra and (folder / extra).is_file():
        used.add(folder / extra)
        try:
            metadata = {**metadata, **json.loads((folder / extra).read_text("utf-8"))}
        except ValueError:
            pass
    for construct_path, entries in metadata.items():
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict) and entry.get("type") == "aws:cdk:logicalId" and isinstance(entry.get("data"), str):
                paths.setdefault(entry["data"], construct_path.lstrip("/"))
    return paths
