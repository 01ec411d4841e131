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

from ..limits import inside, read_regular_file
from .raw import ErrorRow, RawStack
from .template_text import MAX_TEMPLATE_BYTES

STACK_ARTIFACT = "aws:cloudformation:stack"
NESTED_ASSEMBLY = "cdk:cloud-assembly"


def is_assembly(folder: Path) -> bool:
    """True when `folder` holds a cloud assembly manifest with artifacts."""
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        return False
    try:
        return isinstance(_read_json(manifest).get("artifacts"), dict)
    except (ValueError, OSError, AttributeError):
        return False


def _read_json(path: Path):
    # A regular file of bounded size only: a FIFO or /dev/zero named manifest.json must not hang.
    return json.loads(read_regular_file(path, MAX_TEMPLATE_BYTES).decode("utf-8"))


def read_assembly(
    folder: Path, display: Callable[[Path], str], parse, *, follow_outside: bool = False
) -> tuple[list[RawStack], list[ErrorRow], set[Path]]:
    """Stacks of the assembly in `folder`; also returns every file it consumed.

    `parse(path) -> (body, lines)` reads one template (raising TemplateError); `display`
    turns a path into the name shown in `source`. A ``templateFile``, ``directoryName`` or
    ``additionalMetadataFile`` leading out of `folder` is an error row unless `follow_outside`.
    A manifest of the wrong shape is an error row naming the manifest, never an exception.
    """
    stacks: list[RawStack] = []
    errors: list[ErrorRow] = []
    used: set[Path] = set()
    _read(folder, display, parse, stacks, errors, used, set(), folder, follow_outside)
    return stacks, errors, used


def _read(folder, display, parse, stacks, errors, used, seen, top, follow_outside) -> None:
    manifest_path = folder / "manifest.json"
    used.add(manifest_path)
    if folder.resolve() in seen:
        return
    seen.add(folder.resolve())
    source = display(manifest_path)

    def bad(message: str, stack: str | None = None) -> None:
        errors.append(ErrorRow(source, 0, "error", message, stack))

    def confined(path: Path, what: str, aid: str) -> bool:
        if follow_outside or inside(path, top):
            return True
        bad(f"artifact {aid}: {what} {display(path)!r} is outside the assembly (follow_outside=True reads it)")
        return False

    try:
        manifest = _read_json(manifest_path)
    except (ValueError, OSError) as exc:
        bad(f"unreadable CDK manifest: {exc}")
        return
    artifacts = manifest.get("artifacts") if isinstance(manifest, dict) else None
    if not isinstance(artifacts, dict):
        bad(f"CDK manifest: artifacts must be a mapping, found {type(artifacts).__name__}")
        return
    arts = {}
    for aid, art in artifacts.items():
        if not isinstance(art, dict):
            bad(f"artifact {aid}: must be a mapping, found {type(art).__name__}")
            continue
        props = art.get("properties", {})
        if not isinstance(props, dict):
            bad(f"artifact {aid}: properties must be a mapping, found {type(props).__name__}")
            continue
        arts[aid] = (art, props)
    stack_ids = [aid for aid, (art, _) in arts.items() if art.get("type") == STACK_ARTIFACT]
    names = {}
    for aid in stack_ids:
        name = arts[aid][1].get("stackName", aid)
        if not isinstance(name, str) or not name:
            bad(f"artifact {aid}: stackName must be a string, found {name!r:.80}")
            name = aid
        names[aid] = name
    for aid, (art, props) in arts.items():
        if art.get("type") == NESTED_ASSEMBLY and props.get("directoryName"):
            if not isinstance(props["directoryName"], str):
                bad(f"artifact {aid}: directoryName must be a string")
                continue
            sub = folder / props["directoryName"]
            if confined(sub, "directoryName", aid) and (sub / "manifest.json").is_file():
                _read(sub, display, parse, stacks, errors, used, seen, top, follow_outside)
            continue
        if aid not in names:
            continue
        template_file = props.get("templateFile", f"{aid}.template.json")
        if not isinstance(template_file, str) or not template_file:
            bad(f"artifact {aid}: templateFile must be a file name, found {template_file!r:.80}", names[aid])
            continue
        template_path = folder / template_file
        if not confined(template_path, "templateFile", aid):
            continue
        used.add(template_path)
        try:
            body, lines = parse(template_path)
        except Exception as exc:  # a TemplateError names file and line already
            errors.append(
                ErrorRow(
                    getattr(exc, "source", display(template_path)),
                    getattr(exc, "line", 0),
                    "error",
                    getattr(exc, "message", str(exc)),
                    names[aid],
                )
            )
            continue
        cdk_paths = _construct_paths(
            folder,
            art,
            body,
            used,
            lambda p, aid=aid: confined(p, "additionalMetadataFile", aid),
            lambda m, aid=aid: bad(f"artifact {aid}: {m}", names[aid]),
        )
        deps = art.get("dependencies") or []
        if not isinstance(deps, list):
            bad(f"artifact {aid}: dependencies must be a list, found {type(deps).__name__}", names[aid])
            deps = []
        deps = [names[d] for d in deps if isinstance(d, str) and d in names]
        stacks.append(
            RawStack(
                name=names[aid],
                source=display(template_path),
                format="cdk",
                template=body,
                lines=lines,
                cdk_paths=cdk_paths,
                stack_dependencies=deps,
            )
        )


def _construct_paths(folder: Path, artifact: dict, body: dict, used: set[Path], confined, bad) -> dict[str, str]:
    paths: dict[str, str] = {}
    resources = body.get("Resources")
    for logical_id, res in resources.items() if isinstance(resources, dict) else ():
        meta = res.get("Metadata") if isinstance(res, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get("aws:cdk:path"), str):
            paths[logical_id] = meta["aws:cdk:path"]
    # Templates synthesised with path metadata off still carry it in the manifest.
    metadata = artifact.get("metadata") or {}
    if not isinstance(metadata, dict):
        bad(f"metadata must be a mapping, found {type(metadata).__name__}")
        metadata = {}
    extra = artifact.get("additionalMetadataFile")
    if isinstance(extra, str) and extra and confined(folder / extra) and (folder / extra).is_file():
        used.add(folder / extra)
        try:
            more = _read_json(folder / extra)
        except (ValueError, OSError) as exc:
            bad(f"additionalMetadataFile {extra!r} unreadable: {exc}")
            more = {}
        if isinstance(more, dict):
            metadata = {**metadata, **more}
        else:
            bad(f"additionalMetadataFile {extra!r} must hold a mapping, found {type(more).__name__}")
    for construct_path, entries in metadata.items():
        for entry in entries if isinstance(entries, list) else ():
            if (
                isinstance(entry, dict)
                and entry.get("type") == "aws:cdk:logicalId"
                and isinstance(entry.get("data"), str)
            ):
                paths.setdefault(entry["data"], str(construct_path).lstrip("/"))
    return paths
