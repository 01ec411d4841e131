"""`load`: read templates from files into an `Estate` (the file-based entry point).

>>> estate = load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, stack="jobs")
>>> estate.resources[["stack", "logical_id", "type"]].values.tolist()
[['jobs', 'Q', 'AWS::SQS::Queue']]
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from typing import Any, Mapping

from ..cfn.secrets import mask_values
from ..errors import TemplateError
from ..sources.transforms import apply_transforms
from ..sources.files import path_kinds, read_paths
from ..sources.parameter_values import ParameterShapeError, ParameterValues
from ..sources.raw import ErrorRow, RawStack
from ..sources.scripts import as_rows, scan_scripts
from .. import schema
from . import cache as _cache
from ..gc_pause import paused_gc
from .build import build_estate
from .estate import Estate
from .snapshot import read_frames


def load(
    *paths: str | os.PathLike,
    parameters: Mapping[str, Any] | ParameterValues | None = None,
    region: str = "us-east-1",
    strict: bool = False,
    follow_outside: bool = False,
    cache: bool | str | os.PathLike | None = None,
) -> Estate:
    """Read every stack below `paths` into an `Estate`.

    Parameters
    ----------
    paths: template files or folders (read recursively; CDK ``cdk.out`` folders,
        ``.ebextensions`` folders and an ``iacviz-estate.yaml`` file are recognised).
    parameters: ``{Key: value}`` for every stack that declares ``Key``, and/or
        ``{stack: {Key: value}}`` for one stack, which wins (the shapes are described once, in
        :mod:`iacviz.sources.parameter_values`). They win over the estate file's values and
        the values a parent stack passes; other parameters take their default.
    region: the region pseudo parameters and SAM expansion assume.
    strict: raise one :class:`iacviz.TemplateError` for the first error instead of
        returning it as a row of ``estate.errors``.
    follow_outside: read files that symlinks, the estate file or a CDK manifest name
        outside the folder given (by default each is an error row; docs/security.md).
    cache: re-use an unchanged estate (see :mod:`iacviz.model.cache`). ``None`` (the default):
        on when a path is a folder, kept in this process (and in the folder named by the
        ``IACVIZ_CACHE`` environment variable, when set); ``True``: on for files too;
        a folder: on, and kept in that folder across processes; ``False``: off.

    Examples
    --------
    >>> import iacviz
    >>> estate = iacviz.load(iacviz.data.sample_estate())
    >>> len(estate.stacks) > 5, "AWS::EC2::VPC" in set(estate.resources.type)
    (True, True)
    """
    values = _values(parameters)
    # one stat per path, for the cache's default, the script scan and the reading
    kinds = path_kinds(paths)
    folders = [p for p, is_dir in zip(paths, kinds) if is_dir]
    if cache is False or (cache is None and not folders):
        # Paused over reading as over the build (build_estate says why): the bodies read are
        # acyclic dicts and lists that all stay, so collections while they pile up find
        # nothing, and rescan them: ~50 young and a few older collections for the corpus's
        # 326 templates, against one young collection of them all when the pause ends.
        with paused_gc():
            raw, errors = read_paths(
                paths, parameters=values, region=region, follow_outside=follow_outside, kinds=kinds
            )
            _check(errors, strict)
            estate = build_estate(raw, errors, parameters=values, region=region)
    else:
        folder = _cache.usable(_cache.folder_from(cache))
        estate = _cached_load(paths, values, region, strict, follow_outside, folder, kinds)
    if strict:  # only then: the errors frame is built on first access
        _check([ErrorRow(r.source, r.line, r.severity, r.message) for r in estate.errors.itertuples()], strict)
    return _with_scripts(estate, folders)


def _with_scripts(estate: Estate, folders: list) -> Estate:
    # Scripts are scanned at every load (a bounded walk that reads only script files), so a
    # cached estate never shows a script's old reads.
    reads, notes = scan_scripts(*folders)
    if not reads and not notes:
        return estate
    frames: dict = {"script_reads": schema.frame("script_reads", as_rows(reads))}
    if notes:
        frames["errors"] = schema.frame(
            "errors",
            pd.concat([estate.errors, schema.frame("errors", [vars(n) for n in notes])], ignore_index=True),
        )
    return estate.replace(**frames)


def _values(parameters: Any) -> ParameterValues:
    try:
        return ParameterValues.of(parameters)
    except ParameterShapeError as exc:
        raise TypeError(str(exc)) from None


def _cached_load(
    paths: tuple,
    parameters: ParameterValues,
    region: str,
    strict: bool,
    follow_outside: bool,
    folder: Path | None,
    kinds: list[bool | None],
) -> Estate:
    key = _cache.load_key(paths, parameters, region, follow_outside)
    hit = _cache.lookup(key, folder, parameters)
    if hit is None:
        with paused_gc():  # as in load
            raw, errors = read_paths(
                paths,
                parameters=parameters,
                region=region,
                follow_outside=follow_outside,
                templates=_cache.templates(folder),
                kinds=kinds,
            )
            _check(errors, strict)
            # only the stacks that changed since an earlier load are built again (the build
            # pauses the collector once around them all, pieces read back from a folder included)
            fresh = build_estate(raw, errors, parameters=parameters, region=region, pieces=_cache.pieces(folder))
        hit = _cache.store(key, folder, fresh._pending_frames(), fresh.raw_stacks, errors, region, parameters)
    return Estate(_cache.frames_of(hit), hit["raw_stacks"], region)


def load_template(
    template: Mapping[str, Any],
    stack: str = "stack",
    *,
    parameters: Mapping[str, Any] | None = None,
    region: str = "us-east-1",
    strict: bool = False,
) -> Estate:
    """An `Estate` of one template given as a mapping (already in long form), named `stack`.

    Transforms (Fn::ForEach, SAM) are expanded as when read from a file.

    Parameters
    ----------
    template : mapping
        The template as CloudFormation's JSON form (``{"Ref": ...}``, not ``!Ref``).
    stack : str
        The stack's name in the estate.
    parameters : mapping, optional
        The shapes :func:`load` takes (``{Key: value}`` is this stack's).
    region : str
        The region pseudo parameters and SAM expansion assume.
    strict : bool
        Raise :class:`iacviz.TemplateError` on the first error instead of keeping it in
        ``estate.errors``.

    Returns
    -------
    Estate

    Examples
    --------
    >>> import iacviz
    >>> t = {"Parameters": {"Env": {"Type": "String"}},
    ...      "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${Env}-jobs"}}}}}
    >>> estate = iacviz.load_template(t, stack="jobs", parameters={"Env": "prod"})
    >>> estate.resources[["stack", "logical_id", "type"]].values.tolist()
    [['jobs', 'Q', 'AWS::SQS::Queue']]
    """
    declared = template.get("Parameters") if isinstance(template.get("Parameters"), dict) else None
    values = mask_values(_values(parameters).for_stack(stack, declared), template)  # NoEcho stops here
    body, raw_body, generated_by, errors = apply_transforms(dict(template), values, region, f"<{stack}>", stack)
    raw = RawStack(stack, f"<{stack}>", "mapping", body, raw_template=raw_body, generated_by=generated_by)
    estate = build_estate([raw], errors, parameters={stack: values}, region=region)
    if strict:
        _check([ErrorRow(r.source, r.line, r.severity, r.message) for r in estate.errors.itertuples()], strict)
    return estate


def _check(errors: list[ErrorRow], strict: bool) -> None:
    if not strict:
        return
    bad = [e for e in errors if e.severity == "error"]
    if bad:
        first = bad[0]
        more = f" (and {len(bad) - 1} more errors)" if len(bad) > 1 else ""
        raise TemplateError(first.source, first.line, first.message + more)


def read_snapshot(folder: str | Path) -> Estate:
    """The estate a snapshot folder holds (written by ``Estate.to_parquet`` or ``iacviz snapshot``).

    Frames come back with their dtypes and row order, live frames included, and the raw
    stacks with them, so every analysis runs on a snapshot as on the estate it was taken of.
    A folder written by several scans (one per account, on separate machines) reads as one
    estate, each account-region from the latest scan of it, stack keys made unique across them.

    Parameters
    ----------
    folder : path
        The snapshot folder.

    Returns
    -------
    Estate
        One scan: the same frames, with the same dtypes and row order, as the estate written.
        Several: their rows in scan order.

    Raises
    ------
    IacvizError
        When `folder` is not a snapshot or one of its files is damaged.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, stack="jobs").to_parquet(folder)
    >>> read_snapshot(folder).resources.logical_id.tolist()
    ['Q']
    """
    frames, raws, region = read_frames(folder)
    return Estate(frames, raws, region)
