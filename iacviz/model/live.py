"""`load_live`: a deployed AWS account (or a local moto server) as an `Estate`.

The estate has the usual frames, with the live columns filled (stacks.stack_status,
last_updated, drift_status, account, region; resources.physical_id, resource_status,
drift_status), plus three live frames: ``unmanaged`` (resources no stack owns),
``live_exports`` (ListExports) and ``live_imports`` (ListImports). It keeps its raw
stacks, so it can be refreshed (``since=estate``) and snapshotted.

>>> estate = load_live(profile="prod-readonly", regions=["eu-west-1"])  # doctest: +SKIP
>>> estate.stacks[["stack", "stack_status", "last_updated"]]  # doctest: +SKIP
>>> estate = load_live(since=estate)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any, Iterable

from .. import schema
from ..sources.live import DEFAULT_INCLUDE, LiveRead, read_live
from .build import build_estate
from .estate import Estate


def load_live(
    session=None,
    *,
    regions: Iterable[str] | None = None,
    stack_names: Iterable[str] | None = None,
    include: Iterable[str] = DEFAULT_INCLUDE,
    max_workers: int = 8,
    progress: bool = True,
    since: Any = None,
    endpoint_url: str | None = None,
    detect_drift: bool = False,
    profile: str | None = None,
    client_config=None,
    sessions: Iterable[Any] | None = None,
    accounts: Iterable[str] | str | None = None,
    role_name: str | None = None,
) -> Estate:
    """Read stacks of one or many AWS accounts, read-only, into an `Estate`.

    Several accounts: ``sessions=[s1, s2]`` (one session per account), or
    ``session=s, accounts=[...], role_name="ReadOnly"`` (the role is assumed in each account
    through sts:AssumeRole, the one call that is not a Describe/List/Get, and changes nothing),
    or ``accounts="organization"`` (the organisation's active accounts, organizations:ListAccounts).
    Every account x region is read concurrently with one progress bar; an account or region
    that is denied becomes error rows and the others still load. The same stack name in
    several places gets a qualified stack key (``net@111111111111:eu-west-1``, see
    :mod:`iacviz.model.identity`).

    Parameters
    ----------
    session : boto3.Session, optional
        Default: one for `profile` (or the default credentials). The only positional
        parameter; every option below is keyword-only.
    regions : iterable of str, optional
        Regions to read (default: the session's region); rows carry account and region.
    stack_names : iterable of str, optional
        Only these stacks (and their nested stacks).
    include : iterable of str
        What to read: templates, resources, exports, imports, drift, unmanaged.
    max_workers : int
        Stacks read concurrently.
    progress : bool
        Show a progress bar (tqdm; notebook-aware).
    since : Estate, optional
        A previous live estate (or LiveRead): only stacks whose LastUpdatedTime or status
        changed are fetched again.
    endpoint_url : str, optional
        E.g. the local account of ``iacviz demo-account``.
    detect_drift : bool
        Run DetectStackDrift first (the only call that is not a read; off by default,
        results of the last detection are read either way).
    profile : str, optional
        The AWS profile when no `session` is given.
    client_config : botocore.config.Config, optional
        Merged over iacviz's (adaptive retries).
    sessions : iterable of boto3.Session, optional
        Several sessions, each one account (instead of `session`).
    accounts : iterable of str or "organization", optional
        Account ids to assume `role_name` in, from `session`.
    role_name : str, optional
        The role to assume in each of `accounts` (e.g. a read-only audit role).

    Returns
    -------
    Estate

    Raises
    ------
    LiveError
        When no account can be read at all (a stack, region or account that cannot be read
        is a row of ``estate.errors`` instead).

    Examples
    --------
    Read one region of a profile, then refresh only what changed since:

    >>> estate = load_live(profile="prod-readonly", regions=["eu-west-1"])  # doctest: +SKIP
    >>> estate = load_live(profile="prod-readonly", regions=["eu-west-1"], since=estate)  # doctest: +SKIP
    """
    # What to read and how, the same for one session or many accounts.
    options: dict[str, Any] = dict(
        regions=regions,
        stack_names=stack_names,
        include=include,
        max_workers=max_workers,
        progress=progress,
        since=since,
        endpoint_url=endpoint_url,
        detect_drift=detect_drift,
        client_config=client_config,
    )
    if sessions is not None or accounts is not None:
        read = read_many(
            session=session, profile=profile, sessions=sessions, accounts=accounts, role_name=role_name, **options
        )
    else:
        read = read_live_session(session, profile, **options)
    return estate_from_read(read)


def read_many(
    *,
    session=None,
    profile: str | None = None,
    sessions=None,
    accounts=None,
    role_name=None,
    regions=None,
    endpoint_url: str | None = None,
    client_config=None,
    **kwargs: Any,
) -> LiveRead:
    """The LiveRead of several accounts (see :func:`load_live`): sessions, or a role assumed in accounts."""
    from ..errors import IacvizError
    from ..sources.live import account_sessions, merge_reads, read_accounts

    errors: list = []
    sessions = list(sessions or [])
    regions = list(regions) if regions is not None else None
    if accounts is not None:
        if not role_name:
            raise IacvizError("load_live(accounts=...) needs role_name=, the role to assume in each account")
        assumed, errors = account_sessions(
            _profile_session(session, profile),
            accounts,
            role_name,
            endpoint_url=endpoint_url,
            regions=regions,
            client_config=client_config,
        )
        sessions += [s for _, s in assumed]
    read = read_accounts(sessions, regions=regions, endpoint_url=endpoint_url, client_config=client_config, **kwargs)
    if errors:
        read = merge_reads([read, LiveRead(errors=errors)])
    return read


def read_live_session(session, profile: str | None, **kwargs: Any) -> LiveRead:
    """`read_live` with a session made from `profile` when none is given."""
    return read_live(_profile_session(session, profile), **kwargs)


def _profile_session(session: Any, profile: str | None) -> Any:
    """`session`, or one made from `profile` when none is given (None: read_live's default)."""
    if session is None and profile is not None:
        import boto3

        return boto3.Session(profile_name=profile)
    return session


def estate_from_read(read: LiveRead) -> Estate:
    """The `Estate` of a `LiveRead`: build_estate plus the live-only frames."""
    estate = build_estate(read.raw_stacks, read.errors, region=(read.regions or ["us-east-1"])[0])
    exports = [
        {
            "account": e["account"],
            "region": e["region"],
            "export_name": e["name"],
            "value": e["value"],
            "stack": e["exporting_stack"],
            "stack_id": e["exporting_stack_id"],
        }
        for e in read.exports
    ]
    # the API names stacks by their CloudFormation name; every frame holds the estate's stack keys
    st = estate.stacks
    key = {(a, r, n): k for k, n, a, r in zip(st["stack"], st["stack_name"], st["account"], st["region"])}

    def keyed(rows: list[dict], *columns: str) -> list[dict]:
        return [
            {**row, **{c: key.get((row["account"], row["region"], row.get(c)), row.get(c)) for c in columns}}
            for row in rows
        ]

    return estate.replace(
        unmanaged=schema.frame("unmanaged", keyed(read.unmanaged, "owner_stack")),
        live_exports=schema.frame("live_exports", keyed(exports, "stack")),
        live_imports=schema.frame("live_imports", keyed(read.imports, "exporting_stack", "importing_stack")),
    )
