"""`open_estate`: the one opener of "any source", shared by the CLI, `plan_changes` and the notebooks.

A source is an :class:`~iacviz.Estate` (returned as it is), a folder or file of templates
(a CDK ``cdk.out`` and ``.ebextensions`` included), a snapshot folder (recognised by its
manifest, :data:`iacviz.model.snapshot.MANIFEST`), ``"live:PROFILE/REGION"`` (either part may
be empty: ``"live:/eu-west-1"``) or an endpoint URL such as the local demo account's
(``http://127.0.0.1:PORT``). Live sources are only read, never written.

>>> import iacviz
>>> estate = open_estate(iacviz.data.sample_estate())
>>> open_estate(estate) is estate
True
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Union

from ..errors import IacvizError
from ..sources.parameter_values import ParameterValues
from .estate import Estate
from .snapshot import MANIFEST

__all__ = ["Source", "open_estate", "is_snapshot"]

Source = Union[Estate, str, os.PathLike]
"""What :func:`open_estate` accepts."""

_LOOPBACK = ("http://127.0.0.1", "http://localhost", "https://127.0.0.1", "https://localhost")


def is_snapshot(path: str | os.PathLike) -> bool:
    """Whether `path` is a snapshot folder written by ``iacviz snapshot`` / ``to_parquet``.

    >>> import iacviz
    >>> is_snapshot(iacviz.data.sample_estate())
    False
    """
    return (Path(path) / MANIFEST).is_file()


def open_estate(
    source: Source,
    *more: str | os.PathLike,
    parameters: Mapping[str, Any] | ParameterValues | None = None,
    region: str | None = None,
    strict: bool = False,
    progress: bool = False,
) -> Estate:
    """The estate behind `source` (and `more` paths of templates read with it).

    Parameters
    ----------
    source : Estate, str or os.PathLike
        See the module docstring for the forms; an estate is returned as it is.
    *more : str or os.PathLike
        Further template files or folders, read into one estate with `source`.
    parameters : mapping, optional
        Parameter values for templates read from files, in the shapes of
        :mod:`iacviz.sources.parameter_values` (as :func:`iacviz.load` takes them).
    region : str, optional
        The region of a live source or endpoint URL (default: the profile's, and
        ``us-east-1`` for an endpoint URL), or the region templates assume (default
        ``us-east-1``).
    strict : bool
        Raise on the first template that cannot be read instead of keeping it as a row of
        ``estate.errors``.
    progress : bool
        Show progress while a live account is read.

    Returns
    -------
    Estate

    Raises
    ------
    IacvizError
        When a path does not exist, or `source` is of no known form.

    Examples
    --------
    >>> import iacviz
    >>> estate = open_estate(iacviz.data.sample_estate())
    >>> len(estate.stacks) > 0
    True
    >>> open_estate("no/such/folder")
    Traceback (most recent call last):
    ...
    iacviz.errors.IacvizError: no such file or folder: no/such/folder
    """
    if isinstance(source, Estate):
        if more:
            raise IacvizError("open_estate: an Estate cannot be combined with more paths")
        return source
    if not isinstance(source, (str, os.PathLike)):
        raise IacvizError(f"expected a path, a live source or an Estate, not {type(source).__name__}")
    text = os.fspath(source)
    if text.startswith("live:") and not more:
        from .live import load_live

        profile, _, reg = text[5:].partition("/")
        return load_live(
            profile=profile or None, regions=[reg or region] if (reg or region) else None, progress=progress
        )
    if text.startswith(("http://", "https://")) and not more:
        return _open_endpoint(text, region or "us-east-1", progress)
    paths = [source, *more]
    missing = [os.fspath(p) for p in paths if not Path(p).exists()]
    if missing:
        raise IacvizError(f"no such file or folder: {', '.join(missing)}")
    if not more and is_snapshot(source):
        from .load import read_snapshot

        return read_snapshot(Path(text))
    from .load import load

    return load(*paths, parameters=parameters, region=region or "us-east-1", strict=strict)


def _open_endpoint(url: str, region: str, progress: bool) -> Estate:
    import boto3

    from .live import load_live

    session = None
    if url.startswith(_LOOPBACK):  # a local moto account: its fake credentials, never real ones
        session = boto3.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            aws_session_token="testing",
            region_name=region,
        )
    return load_live(session=session, endpoint_url=url, regions=[region], progress=progress)
