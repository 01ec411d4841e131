"""What kind of thing a CloudFormation resource *type* is: its modality and whether it is stateful.

Modality says how a resource lives, so stacks can be told apart by lifecycle:

``persistent``
    long-lived infrastructure that others depend on by identity or that holds data: networks,
    firewalls/WAF, DNS, keys, identities, certificates, data stores, buckets, queues, topics,
    streams, logging/monitoring/alarms/dashboards, load balancers, API endpoints, clusters that
    services are placed on.
``ephemeral``
    compute and its configuration, recreated from the template without loss and redeployed
    with every release: functions (and their versions, aliases, permissions, event source
    mappings), containers/services/task definitions, instances, auto scaling groups, launch
    templates, Beanstalk applications/environments/versions, API deployments/stages/methods,
    CI/CD projects. Step Functions state machines are ephemeral too: a workflow is application
    logic like a function and holds nothing but its execution history. Wiring between a
    persistent resource and its consumer (event rules, SNS subscriptions, target groups)
    follows the consumer.
``neutral``
    CloudFormation's own machinery, which creates nothing of its own: nested stacks (their
    resources are classified in their own stack), stack sets, wait conditions and handles,
    macros, hooks, ``AWS::CDK::Metadata``, and custom resources (``Custom::*``, whose effect is
    outside CloudFormation's model). Neutral resources do not count in :func:`stack_modality`.
``unknown``
    the type matches no row of the table.

``stateful`` is independent of modality: a resource holding data that a replacement or a
deletion loses. It is the union of this table and cfn-lint's own list
(``cfnlint/data/AdditionalSpecs/StatefulResources.json``, read at run time so a newer cfn-lint
adds types by itself); only an exact row of a user's extra table can turn it off for a type.

The table is ``iacviz/data/resource_types.csv`` (``pattern,modality,stateful,note``); a pattern is
a type or a glob (``AWS::RDS::*``, ``AWS::EC2::VPC*``, ``Custom::*``). An exact type wins, then
the longest matching glob (on equal length: the later row). Users add or override rows with
:func:`load_table`.

>>> classify("AWS::EC2::VPC")
('persistent', False)
"""

from __future__ import annotations

import json
import re
from fnmatch import translate
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Iterable, Mapping, NamedTuple

import pandas as pd

from iacviz.errors import IacvizError

__all__ = [
    "MODALITIES",
    "classify",
    "load_table",
    "stack_modality",
    "service_of",
    "not_a_data_store",
    "notification_target",
]

MODALITIES = ("persistent", "ephemeral", "neutral")
TABLE_PATH = Path(__file__).resolve().parent.parent / "data" / "resource_types.csv"
_COLUMNS = ["pattern", "modality", "stateful", "note"]
_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f", ""}


def _cfnlint_stateful() -> frozenset[str]:
    # cfn-lint's list is the source of truth we union with; a missing or moved file (another
    # cfn-lint version) must not break classification, our table covers the same types.
    # The file is found without importing cfn-lint (its package import costs ~0.7 s).
    try:
        spec = find_spec("cfnlint")
        where = spec.submodule_search_locations if spec else None
        if not where:
            return frozenset()
        text = (Path(list(where)[0]) / "data" / "AdditionalSpecs" / "StatefulResources.json").read_text("utf-8")
        return frozenset(json.loads(text).get("ResourceTypes", {}))
    except (ImportError, OSError, ValueError, AttributeError):
        return frozenset()


CFNLINT_STATEFUL = _cfnlint_stateful()


class _Row(NamedTuple):
    modality: str
    stateful: bool
    user: bool  # came from the user's extra table: its stateful=false is authoritative


class _Rules(NamedTuple):
    exact: dict[str, _Row]
    globs: list[tuple[re.Pattern[str], _Row]]  # most specific first


_RULES: _Rules | None = None


def _to_bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise IacvizError(f"{where}: stateful must be true or false, not {value!r}")


def _read(source: str | Path | pd.DataFrame, user: bool) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        df, where = source.copy(), "extra table"
    else:
        where = str(source)
        try:
            df = pd.read_csv(source, dtype=str, keep_default_na=False, skipinitialspace=True)
        except (OSError, pd.errors.ParserError) as exc:
            raise IacvizError(f"{where}: cannot read resource type table: {exc}") from exc
    missing = {"pattern", "modality"} - set(df.columns)
    if missing:
        raise IacvizError(f"{where}: resource type table lacks columns {sorted(missing)}")
    df = df.reindex(columns=_COLUMNS)
    df["pattern"] = df["pattern"].astype(str).str.strip()
    df["modality"] = df["modality"].astype(str).str.strip().str.lower()
    bad = sorted(set(df["modality"]) - set(MODALITIES))
    if bad:
        raise IacvizError(f"{where}: modality must be one of {', '.join(MODALITIES)}, not {bad}")
    df["stateful"] = [_to_bool(v, where) for v in df["stateful"]]
    df["note"] = df["note"].astype(object).where(df["note"].notna(), "").astype(str)
    df["user"] = user
    return df


def load_table(extra: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Load the built-in type table plus ``extra`` rows, make it the one :func:`classify` uses.

    ``extra`` is a CSV path or a frame with at least ``pattern`` and ``modality`` columns
    (``stateful`` defaults to false). Later rows override earlier rows with the same pattern,
    so extra rows override built-in ones. ``load_table()`` restores the built-in table.
    Returns the merged table (columns ``pattern, modality, stateful, note, user``).

    >>> t = load_table(pd.DataFrame({"pattern": ["Acme::*"], "modality": ["persistent"]}))
    >>> classify("Acme::Widget::Thing")
    ('persistent', False)
    >>> _ = load_table()  # back to the built-in table
    """
    global _RULES
    parts = [_read(TABLE_PATH, user=False)]
    if extra is not None:
        parts.append(_read(extra, user=True))
    table = pd.concat(parts, ignore_index=True).drop_duplicates("pattern", keep="last")
    table = table.reset_index(drop=True)
    exact: dict[str, _Row] = {}
    globs: list[tuple[int, int, re.Pattern[str], _Row]] = []
    for i, (pattern, modality, stateful, user) in enumerate(
        zip(table["pattern"], table["modality"], table["stateful"], table["user"])
    ):
        row = _Row(modality, bool(stateful), bool(user))
        if any(ch in pattern for ch in "*?["):
            # Sort key: longest pattern first, then later row first (ties go to the later row).
            globs.append((-len(pattern), -i, re.compile(translate(pattern)), row))
        else:
            exact[pattern] = row
    globs.sort(key=lambda g: (g[0], g[1]))
    _RULES = _Rules(exact, [(rx, row) for _, _, rx, row in globs])
    classify.cache_clear()
    return table


def _rules() -> _Rules:
    if _RULES is None:
        load_table()
    assert _RULES is not None
    return _RULES


@lru_cache(maxsize=None)
def classify(resource_type: str) -> tuple[str, bool]:
    """``(modality, stateful)`` of a resource type; modality is ``"unknown"`` if no row matches.

    Exact rows win over globs; among globs the longest pattern wins. Memoized (the cache is
    cleared by :func:`load_table`).

    >>> classify("AWS::RDS::DBInstance"), classify("AWS::Lambda::Function"), classify("Custom::Foo")
    (('persistent', True), ('ephemeral', False), ('neutral', False))
    """
    rules = _rules()
    row = rules.exact.get(resource_type)
    exact = row is not None
    if row is None:
        row = next((r for rx, r in rules.globs if rx.match(resource_type)), None)
    if row is None:
        return "unknown", resource_type in CFNLINT_STATEFUL
    if exact and row.user:  # the user said so for this very type: trust them over cfn-lint
        return row.modality, row.stateful
    return row.modality, row.stateful or resource_type in CFNLINT_STATEFUL


def stack_modality(modalities: Iterable[Any]) -> str:
    """``persistent``, ``ephemeral``, ``mixed`` or ``unknown`` for a stack from its resources' modalities.

    ``neutral`` and ``unknown`` (and NA) do not count when anything else is present, so a stack
    of functions plus a custom resource and CDKMetadata is ``ephemeral``. A ``mixed`` input
    (e.g. a nested stack's own result) makes the result mixed. Nothing countable: ``unknown``.

    >>> stack_modality(["persistent", "neutral", "unknown", "persistent"])
    'persistent'
    """
    seen = {m for m in modalities if isinstance(m, str) and m in ("persistent", "ephemeral", "mixed")}
    if "mixed" in seen or len(seen) == 2:
        return "mixed"
    return seen.pop() if seen else "unknown"


@lru_cache(maxsize=4096)
def service_of(resource_type: str) -> str:
    """The service part of a type: ``EC2`` for ``AWS::EC2::VPC``; ``Custom`` for custom resources.

    >>> [service_of(t) for t in ("AWS::EC2::VPC", "Custom::Thing", "AWS::Serverless::Function",
    ...                          "Alexa::ASK::Skill", "AWS::CloudFormation::CustomResource")]
    ['EC2', 'Custom', 'Serverless', 'ASK', 'Custom']
    """
    if resource_type.startswith("Custom::") or resource_type == "AWS::CloudFormation::CustomResource":
        return "Custom"
    parts = resource_type.split("::")
    return parts[1] if len(parts) >= 2 and parts[1] else resource_type


# Instances of these types always belong to a cluster, which holds the data.
_CLUSTER_MEMBERS = frozenset({"AWS::DocDB::DBInstance", "AWS::Neptune::DBInstance"})
# Log data: kept (or not) by the log group's retention, read by people debugging, not by an
# application; losing it on a replacement is not losing a data store.
_TELEMETRY = frozenset({"AWS::Logs::LogGroup", "AWS::Logs::LogStream"})
# A SAM application is a nested stack once SAM expands it (and stays one when it cannot be).
_NESTED_STACKS = frozenset({"AWS::CloudFormation::Stack", "AWS::Serverless::Application"})
# Where a queue or topic receives only transient notifications that CloudFormation's own
# consumer drains at once (lifecycle hooks): such a target is plumbing, not a data store.
_NOTIFICATION_TARGETS = {
    "AWS::AutoScaling::LifecycleHook": ("/properties/NotificationTargetARN",),
    "AWS::AutoScaling::AutoScalingGroup": ("/properties/LifecycleHookSpecificationList/",),
}


def not_a_data_store(resource_type: str, properties: Mapping[str, Any] | None = None) -> str | None:
    """Why a stateful resource holds no data of its own worth a Retain or Snapshot policy, or None.

    An RDS instance with ``DBClusterIdentifier`` (Aurora) and every DocumentDB or Neptune
    instance store their data in the cluster, which takes the policy; log groups and streams
    hold telemetry that retention, not a policy, governs; a nested stack's data is in its own
    resources, deleted or kept each by its own DeletionPolicy when the nested stack goes.

    >>> not_a_data_store("AWS::Serverless::Application")
    'a nested stack: its resources hold the data, each with its own policies'
    >>> not_a_data_store("AWS::RDS::DBInstance", {"DBClusterIdentifier": {"Ref": "Cluster"}})
    'a member of a DB cluster: the data lives in the cluster'
    >>> not_a_data_store("AWS::RDS::DBInstance", {"Engine": "mysql"}) is None
    True
    """
    if resource_type in _CLUSTER_MEMBERS or (
        resource_type == "AWS::RDS::DBInstance" and "DBClusterIdentifier" in (properties or {})
    ):
        return "a member of a DB cluster: the data lives in the cluster"
    if resource_type in _TELEMETRY:
        return "log data, kept by the log group's retention"
    if resource_type in _NESTED_STACKS:
        return "a nested stack: its resources hold the data, each with its own policies"
    return None


def notification_target(referrer_type: str, path: str) -> bool:
    """Whether a reference from `referrer_type` at JSON pointer `path` makes its target a mere
    notification target (a lifecycle hook's queue or topic).

    >>> notification_target("AWS::AutoScaling::LifecycleHook", "/properties/NotificationTargetARN")
    True
    """
    return any(
        path.startswith(p) and (p.endswith("/") is False or path.endswith("/NotificationTargetARN"))
        for p in _NOTIFICATION_TARGETS.get(referrer_type, ())
    )
