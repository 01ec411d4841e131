"""Read deployed CloudFormation stacks (AWS or a local moto server) into `RawStack` records.

Read-only by construction: every client iacviz creates carries a botocore event hook
(:class:`ReadOnlyGuard`, on ``before-parameter-build``, emitted before every call) that
raises :class:`iacviz.errors.LiveError` for any operation whose name does not start with
Describe/List/Get (plus ``DetectStackDrift`` when ``detect_drift=True``) and for the few
reads that would reveal secrets (``GetSecretValue``, ``GetParameter``...). NoEcho
parameter values are stored as ``"****"`` and dynamic references (``{{resolve:...}}``)
are kept as written, never resolved.

A failed call (denied, throttled after retries, region not enabled, endpoint down) becomes
an `ErrorRow` with source ``live:<account>/<region>/<stack or operation>`` and the scan goes
on. Each stack's work (resources, templates, drift) runs in a thread pool.

>>> read = read_live(endpoint_url="http://127.0.0.1:5000", progress=False)  # doctest: +SKIP
>>> sorted(s.name for s in read.raw_stacks)  # doctest: +SKIP
['network', 'orders-api', ...]
"""

from __future__ import annotations

import collections
import dataclasses
import json
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timezone
from typing import Any, Iterable

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, PaginationError
from botocore.parsers import ResponseParserError

from iacviz import limits
from iacviz.cfn.secrets import MASK, no_echo_names  # MASK re-exported for the live readers
from iacviz.errors import IacvizError, LiveError, TemplateError
from iacviz.sources.raw import ErrorRow, RawStack

DEFAULT_INCLUDE = ("templates", "resources", "exports", "imports", "drift", "unmanaged")
READ_PREFIXES = ("Describe", "List", "Get")
DRIFT_DETECTION_CALLS = frozenset({"DetectStackDrift", "DescribeStackDriftDetectionStatus"})
# The one call that is neither Describe, List nor Get and is always allowed: sts:AssumeRole hands
# back temporary credentials of a role in another account (load_live(accounts=..., role_name=...))
# and changes nothing in any account.
ALWAYS_ALLOWED = frozenset({"AssumeRole"})
# Reads that would return secret or data contents: iacviz reviews infrastructure, never data.
SECRET_READS = frozenset(
    {
        "GetSecretValue",
        "GetParameter",
        "GetParameters",
        "GetParametersByPath",
        "GetParameterHistory",
        "Decrypt",
        "GetObject",
        "GetObjectAttributes",
    }
)
DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess", "AuthorizationError"}
THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "ThrottledException",
    "SlowDown",
}
REGION_OFF = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "AuthFailure",
    "OptInRequired",
    "SignatureDoesNotMatch",
}
UNSUPPORTED = {"NotImplemented", "InvalidAction", "UnknownOperationException"}
# what one failed call can raise (a refused write, LiveError, is never caught: it is a bug)
CALL_ERRORS = (ClientError, BotoCoreError, ResponseParserError, TemplateError)


@dataclasses.dataclass
class LiveRead:
    """What :func:`read_live` found: stacks for the model plus the account-level facts.

    ``exports``: dicts account, region, name, value, exporting_stack, exporting_stack_id.
    ``imports``: dicts account, region, export_name, exporting_stack, importing_stack.
    ``unmanaged``: dicts account, region, service, type, id, arn, tags, managed_by and, for
    service-managed ones, owner_stack, owner_logical_id, owner_service (see live_unmanaged).
    ``api_calls``: operation name -> number of calls made (pages included, retries not).
    """

    raw_stacks: list[RawStack] = dataclasses.field(default_factory=list)
    errors: list[ErrorRow] = dataclasses.field(default_factory=list)
    exports: list[dict] = dataclasses.field(default_factory=list)
    imports: list[dict] = dataclasses.field(default_factory=list)
    unmanaged: list[dict] = dataclasses.field(default_factory=list)
    api_calls: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    account: str | None = None
    regions: list[str] = dataclasses.field(default_factory=list)


class ReadOnlyGuard:
    """botocore event hook: refuses writes and secret reads before they are sent, counts every call.

    >>> from types import SimpleNamespace as NS
    >>> guard = ReadOnlyGuard()
    >>> guard(model=NS(name="DescribeStacks")); guard.calls["DescribeStacks"]
    1
    >>> guard(model=NS(name="CreateStack"))
    Traceback (most recent call last):
    iacviz.errors.LiveError: iacviz is read-only: refusing CreateStack
    >>> guard(model=NS(name="AssumeRole")); guard.calls["AssumeRole"]
    1

    Allowed besides Describe/List/Get: ``AssumeRole`` (:data:`ALWAYS_ALLOWED`, temporary
    credentials, no change) and, when asked for, the drift detection calls. An allow-list
    given as `extra` adds reads that the secret list refuses by default (``GetParameters``
    for ``plan --live``, which needs the values of SSM-typed parameters, as CloudFormation does).
    """

    def __init__(self, allow_drift_detection: bool = False, extra: frozenset[str] = frozenset()):
        self.calls: collections.Counter = collections.Counter()
        self.allowed = DRIFT_DETECTION_CALLS if allow_drift_detection else frozenset()
        self.extra = frozenset(extra)
        self._lock = threading.Lock()  # Counter += is not atomic across worker threads

    def __call__(self, model, **_: Any) -> None:
        name = model.name
        if name in self.extra:
            pass
        elif name in SECRET_READS or not (
            name.startswith(READ_PREFIXES) or name in self.allowed or name in ALWAYS_ALLOWED
        ):
            raise LiveError(f"iacviz is read-only: refusing {name}")
        with self._lock:
            self.calls[name] += 1

    def attach(self, client) -> Any:
        """Register on one client (every operation of it) and return the client.

        The hook sits on ``before-parameter-build``, the first event of every call: unlike
        ``before-call`` it is emitted to all handlers, so no other handler answering the
        call (a cache, a test stub) can skip the check or the count.
        """
        client.meta.events.register("before-parameter-build", self, unique_id=f"iacviz-readonly-{id(self)}")
        return client


class Clients:
    """One guarded client per (service, region), created on demand (thread-safe)."""

    def __init__(self, session, endpoint_url: str | None, config: Config, guard: ReadOnlyGuard):
        self.session, self.endpoint_url, self.config, self.guard = session, endpoint_url, config, guard
        self._cache: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()  # boto3 sessions are not thread-safe; clients are

    def __call__(self, service: str, region: str):
        with self._lock:
            key = (service, region)
            if key not in self._cache:
                client = self.session.client(
                    service, region_name=region, endpoint_url=self.endpoint_url, config=self.config
                )
                self._cache[key] = self.guard.attach(client)
            return self._cache[key]


def iso(value: Any) -> str | None:
    """A botocore timestamp as an ISO 8601 UTC string.

    >>> iso(datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc))
    '2024-05-01T12:00:00+00:00'
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    return str(value)


def explain(exc: BaseException) -> str:
    """A one-line cause for a failed call, naming the operation and what to do about it."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code, text, op = err.get("Code", "?"), err.get("Message", ""), exc.operation_name
        tries = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0) + 1
        if code in DENIED:
            return f"{op}: access denied ({code}): {text}"
        if code in THROTTLED:
            return f"{op}: throttled ({code}) after {tries} attempts: {text}"
        if code in REGION_OFF:
            return f"{op}: region not enabled for this account or credentials not valid there ({code}): {text}"
        if code in UNSUPPORTED:
            return f"{op}: not implemented by this endpoint ({code})"
        return f"{op}: {code}: {text}"
    if isinstance(exc, EndpointConnectionError):
        return f"cannot reach {exc.kwargs.get('endpoint_url')}: region not enabled, no network or wrong endpoint"
    if isinstance(exc, ResponseParserError):
        return "the endpoint answered with a non-AWS response (operation not implemented there?)"
    return f"{type(exc).__name__}: {exc}"


def unsupported(exc: BaseException) -> bool:
    """True when the endpoint does not implement the call (moto answers such calls with a 500 page)."""
    if isinstance(exc, ResponseParserError):
        return True
    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in UNSUPPORTED


def paginate(client, operation: str, key: str, **params) -> list:
    """All items under `key` across the pages of `operation`.

    Bounded (:data:`iacviz.limits.MAX_PAGES`), and a token seen before ends the walk: an
    endpoint that hands out a new (or a recycled) token on every page would otherwise never
    stop. Either raises botocore's PaginationError, which callers report as a failed call.
    """
    out: list = []
    seen: set[str] = set()

    def next_page(page: dict) -> bool:
        out.extend(page.get(key) or [])
        token = next((page[k] for k in _TOKEN_KEYS if page.get(k)), None)
        if token is None:
            return False
        if len(seen) + 1 >= limits.MAX_PAGES:
            raise PaginationError(message=f"{operation}: more than {limits.MAX_PAGES} pages; stopped")
        marker = json.dumps(token, sort_keys=True, default=str)
        if marker in seen:
            raise PaginationError(message=f"{operation}: the endpoint repeated a page token; stopped")
        seen.add(marker)
        return True

    if client.can_paginate(operation):
        for page in client.get_paginator(operation).paginate(**params):
            if not next_page(page):
                break
        return out
    call, token = getattr(client, operation), None  # e.g. DescribeStackResourceDrifts: no paginator
    while True:
        page = call(**params, **({"NextToken": token} if token else {}))
        if not next_page(page):
            return out
        token = page.get("NextToken")
        if not token:
            return out


_TOKEN_KEYS = ("NextToken", "nextToken", "Marker", "NextMarker", "PaginationToken")


def parse_body(body: Any, source: str) -> tuple[dict, dict]:
    """(template, lines) from GetTemplate's TemplateBody: botocore already decodes JSON to a dict,
    YAML stays text and goes through the same reader as files (short forms -> long forms).
    Whatever an endpoint answers, the body passes the checks every template passes
    (depth, text), or this raises TemplateError."""
    from iacviz.sources.template_text import check_body, parse_template  # the reader of the files side

    try:
        template = json.loads(json.dumps(body)) if isinstance(body, dict) else json.loads(body)
    except RecursionError:
        raise TemplateError(source, 0, f"template nested deeper than {limits.MAX_DEPTH} levels") from None
    except (TypeError, ValueError):
        return parse_template(body, source, fmt="yaml")
    if not isinstance(template, dict):
        raise TemplateError(source, 0, f"top level is a {type(template).__name__}, not a mapping")
    check_body(template, source)
    return template, {}


def mask_parameters(values: dict[str, Any], *templates: dict | None) -> dict[str, Any]:
    """Replace the value of every NoEcho parameter by ``"****"`` (moto does not mask them).

    >>> mask_parameters({"Pw": "hunter2", "Env": "dev"}, {"Parameters": {"Pw": {"NoEcho": "true"}}})
    {'Pw': '****', 'Env': 'dev'}
    """
    secret = no_echo_names(*templates)  # the one NoEcho rule, in iacviz.cfn.secrets
    return {k: (MASK if k in secret else v) for k, v in values.items()}


def stack_facts(summary: dict, account: str, region: str) -> dict[str, Any]:
    """The live-only facts of a DescribeStacks entry (parameter values still unmasked)."""
    drift = summary.get("DriftInformation") or {}
    return {
        "stack_id": summary["StackId"],
        "stack_status": summary.get("StackStatus"),
        "status_reason": summary.get("StackStatusReason"),
        "creation_time": iso(summary.get("CreationTime")),
        # moto never sets LastUpdatedTime; CreationTime is then the last change
        "last_updated": iso(summary.get("LastUpdatedTime") or summary.get("CreationTime")),
        "drift_status": drift.get("StackDriftStatus"),
        "drift_checked": iso(drift.get("LastCheckTimestamp")),
        "account": account,
        "region": region,
        "parent_id": summary.get("ParentId"),
        "root_id": summary.get("RootId"),
        "description": summary.get("Description"),
        "parameters": {p["ParameterKey"]: p.get("ParameterValue") for p in summary.get("Parameters") or []},
        # SSM-typed parameters: the value CloudFormation resolved at the last deployment (None when
        # the endpoint reports no ResolvedValue at all, as moto, which answers it as ParameterValue)
        "resolved_parameters": {
            p["ParameterKey"]: p["ResolvedValue"] for p in summary.get("Parameters") or [] if "ResolvedValue" in p
        }
        or None,
        "outputs": {
            o["OutputKey"]: {
                "value": o.get("OutputValue"),
                "export_name": o.get("ExportName"),
                "description": o.get("Description"),
            }
            for o in summary.get("Outputs") or []
        },
        "tags": {t["Key"]: t["Value"] for t in summary.get("Tags") or []},
        "termination_protection": summary.get("EnableTerminationProtection"),
    }


def unchanged(previous: RawStack | None, facts: dict, needs: set[str]) -> bool:
    """Whether a previous read of the stack still holds: same id, LastUpdatedTime and status.

    The status is part of the key because moto does not move LastUpdatedTime on updates
    and because an in-flight update changes resources while LastUpdatedTime stays.
    """
    if previous is None:
        return False
    old = previous.live
    same = all(old.get(k) == facts[k] for k in ("stack_id", "last_updated", "stack_status"))
    return same and needs <= set(old.get("fetched", ()))


def _previous_stacks(since: Any) -> dict[str, RawStack]:
    """Previous raw stacks by StackId, from a LiveRead, an Estate (``.raw_stacks``) or a list."""
    if since is None:
        return {}
    raws = since if isinstance(since, (list, tuple)) else getattr(since, "raw_stacks", None)
    if raws is None and isinstance(since, dict):
        raws = since.get("raw_stacks")
    if raws is None:
        raise LiveError("since= needs a LiveRead, or an Estate from load_live/read_snapshot that keeps .raw_stacks")
    return {r.live["stack_id"]: r for r in raws if r.live.get("stack_id")}


def read_live(
    session=None,
    regions: Iterable[str] | None = None,
    stack_names: Iterable[str] | None = None,
    include: Iterable[str] = DEFAULT_INCLUDE,
    max_workers: int = 8,
    progress: bool = True,
    since: Any = None,
    endpoint_url: str | None = None,
    detect_drift: bool = False,
    *,
    client_config: Config | None = None,
    bar: Any = None,
) -> LiveRead:
    """Read every stack of the account in `regions` (default: the session's region).

    `include` picks the work: templates, resources, exports, imports, drift, unmanaged.
    `since` (a previous LiveRead, or an Estate holding ``raw_stacks``) makes a refresh:
    templates and resources are refetched only for stacks whose LastUpdatedTime or status
    changed. `client_config` is merged over the defaults (adaptive retries, 10 attempts),
    e.g. to lower ``max_attempts`` in tests. `bar`: a shared progress bar (several accounts
    read at once count into one bar).
    """
    from iacviz.sources import live_stack, live_unmanaged  # they import the helpers above

    session = session or boto3.Session()
    include = set(include)
    if include - set(DEFAULT_INCLUDE):
        raise IacvizError(f"include: unknown {sorted(include - set(DEFAULT_INCLUDE))}; choose from {DEFAULT_INCLUDE}")
    config = Config(
        retries={"mode": "adaptive", "max_attempts": 10},
        max_pool_connections=max(10, 2 * max_workers),
        connect_timeout=10,
        read_timeout=60,
        user_agent_extra="iacviz",
    )
    if client_config is not None:
        config = config.merge(client_config)
    guard = ReadOnlyGuard(allow_drift_detection=detect_drift)
    clients = Clients(session, endpoint_url, config, guard)
    regions = list(regions or [session.region_name or "us-east-1"])
    out = LiveRead(api_calls=guard.calls, regions=regions)
    try:
        out.account = clients("sts", regions[0]).get_caller_identity()["Account"]
    except CALL_ERRORS as exc:
        out.errors.append(ErrorRow(f"live:unknown/{regions[0]}/GetCallerIdentity", 0, "error", explain(exc)))
        out.account = "unknown"
    previous = _previous_stacks(since)
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        scans = [live_stack.RegionScan(clients, out.account, r, include, detect_drift, previous, pool) for r in regions]
        list(pool.map(lambda s: s.list_stacks(stack_names), scans))
        tasks = [(scan, summary) for scan in scans for summary in scan.summaries]
        own_bar = bar is None
        if own_bar:
            bar = _progress(len(tasks), progress)
        else:
            with _BAR_LOCK:
                bar.total = (bar.total or 0) + len(tasks)
                bar.refresh()
        futures = [pool.submit(scan.fetch_or_report, summary) for scan, summary in tasks]
        for future in as_completed(futures):
            future.result()
            with _BAR_LOCK:
                bar.update(1)
        if own_bar:
            bar.close()
        for scan in scans:
            scan.link_nested()
            if scan.reachable and ("exports" in include or "imports" in include):
                scan.read_exports_imports()
        if "unmanaged" in include:
            managed = live_unmanaged.managed_keys(s for scan in scans for s in scan.stacks)
            for i, scan in enumerate(s for s in scans if s.reachable):
                rows, errors = live_unmanaged.scan(
                    clients, out.account, scan.region, managed, pool, global_regions=regions if i == 0 else None
                )
                out.unmanaged.extend(rows)
                scan.errors.extend(errors)
            out.unmanaged = live_unmanaged.classify(
                live_unmanaged.dedupe(out.unmanaged), [s for scan in scans for s in scan.stacks]
            )
    for scan in scans:
        out.raw_stacks.extend(scan.stacks)
        out.errors.extend(scan.errors)
        out.exports.extend(scan.exports)
        out.imports.extend(scan.imports)
    return out


_BAR_LOCK = threading.Lock()


def _progress(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="live stacks", unit="stack", disable=not enabled)


def account_sessions(
    session,
    accounts: Iterable[str] | str,
    role_name: str,
    *,
    endpoint_url: str | None = None,
    regions: Iterable[str] | None = None,
    client_config: Config | None = None,
    session_name: str = "iacviz-read-only",
) -> tuple[list[tuple[str, Any]], list[ErrorRow]]:
    """``[(account, session)]`` with `role_name` assumed in each account, and an error row per
    account that could not be reached (the others still load).

    `accounts` is a list of account ids or ``"organization"``: the organisation's ACTIVE
    accounts, from organizations:ListAccounts (run it with the management account's or a
    delegated administrator's credentials). Only sts:AssumeRole and List calls are made.
    """
    import boto3 as _boto3

    session = session or _boto3.Session()
    guard = ReadOnlyGuard()
    config = Config(retries={"mode": "adaptive", "max_attempts": 10}, user_agent_extra="iacviz")
    if client_config is not None:
        config = config.merge(client_config)
    clients = Clients(session, endpoint_url, config, guard)
    region = (list(regions or []) or [session.region_name or "us-east-1"])[0]
    errors: list[ErrorRow] = []
    if isinstance(accounts, str):
        if accounts != "organization":
            raise IacvizError(f"accounts: a list of account ids or 'organization', not {accounts!r}")
        try:
            listed = paginate(clients("organizations", region), "list_accounts", "Accounts")
        except CALL_ERRORS as exc:
            return [], [ErrorRow(f"live:organization/{region}/ListAccounts", 0, "error", explain(exc))]
        accounts = [a["Id"] for a in listed if (a.get("State") or a.get("Status")) == "ACTIVE"]
    sts = clients("sts", region)
    try:
        partition = sts.get_caller_identity()["Arn"].split(":")[1]
    except CALL_ERRORS + (KeyError, IndexError):
        partition = "aws"
    out = []
    for account in dict.fromkeys(str(a) for a in accounts):
        arn = f"arn:{partition}:iam::{account}:role/{role_name}"
        try:
            creds = sts.assume_role(RoleArn=arn, RoleSessionName=session_name)["Credentials"]
        except CALL_ERRORS as exc:
            errors.append(ErrorRow(f"live:{account}/{region}/AssumeRole", 0, "error", f"{arn}: {explain(exc)}"))
            continue
        out.append(
            (
                account,
                _boto3.Session(
                    aws_access_key_id=creds["AccessKeyId"],
                    aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds["SessionToken"],
                    region_name=region,
                ),
            )
        )
    return out, errors


def read_accounts(sessions: Iterable[Any], *, progress: bool = True, max_workers: int = 8, **kwargs: Any) -> LiveRead:
    """:func:`read_live` for several sessions (one account each) at once, merged into one LiveRead.

    Every account x region is read concurrently, counting into one progress bar; an account
    that fails entirely is error rows, and the others still load.
    """
    sessions = list(sessions)
    bar = _progress(0, progress)
    reads: list[LiveRead] = []
    try:
        with ThreadPoolExecutor(max_workers=max(1, min(len(sessions), 8))) as pool:
            futures = [
                pool.submit(read_live, s, progress=False, bar=bar, max_workers=max_workers, **kwargs) for s in sessions
            ]
            for future in futures:
                reads.append(future.result())
    finally:
        bar.close()
    return merge_reads(reads)


def merge_reads(reads: Iterable[LiveRead]) -> LiveRead:
    """One LiveRead of several (accounts read separately): lists joined, call counts added."""
    out = LiveRead()
    accounts = []
    for r in reads:
        out.raw_stacks.extend(r.raw_stacks)
        out.errors.extend(r.errors)
        out.exports.extend(r.exports)
        out.imports.extend(r.imports)
        out.unmanaged.extend(r.unmanaged)
        out.api_calls.update(r.api_calls)
        accounts.append(r.account)
        out.regions.extend(x for x in r.regions if x not in out.regions)
    out.account = ",".join(a for a in dict.fromkeys(accounts) if a) or None
    return out
