"""W3001: a stateful resource that a deletion or a replacement would lose."""

from __future__ import annotations

from typing import Any, Iterable

from ..cfn.modality import not_a_data_store, notification_target
from ..cfn.policies import DEFAULT_REPLACE_POLICY, default_deletion_policy, keeps_old_resource, supports_snapshot
from ._base import Rule, is_missing


class StatefulWithoutPolicies(Rule):
    """Fires for each stateful resource whose DeletionPolicy or UpdateReplacePolicy, as written or by
    CloudFormation's default, keeps neither the resource nor a snapshot.

    >>> import iacviz
    >>> t = {"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "mysql"}}}}
    >>> [f["message"] for f in StatefulWithoutPolicies().check(iacviz.load_template(t, stack="data"),
    ...                                                           StatefulWithoutPolicies.config)]
    ['Db (AWS::RDS::DBInstance) is lost when it is replaced: UpdateReplacePolicy is Delete (the default)']
    """

    id = "W3001"
    title = "Stateful resource without Retain or Snapshot policies"
    description = (
        "CloudFormation deletes a resource when it is removed from the template or its stack is deleted "
        "(`DeletionPolicy`), and deletes the old one after a replacement (`UpdateReplacePolicy`). Both "
        "default to `Delete` (DeletionPolicy defaults to `Snapshot` for RDS clusters and stand-alone RDS "
        "instances). For a resource that holds data (databases, tables, buckets, queues, file systems, "
        "keys, log groups) that is the data gone. `Retain` and `RetainExceptOnCreate` keep the resource, "
        "`Snapshot` keeps a snapshot where the type supports one (elsewhere it is `Delete`). What holds no "
        "data of its own is left out (`iacviz.cfn.modality.not_a_data_store`): nested stacks and SAM "
        "applications (their own resources are checked in their stack), DB instances of an Aurora, DocumentDB or Neptune cluster "
        "(the cluster holds the data and takes the policy), log groups (retention governs their data), and "
        "queues or topics whose only users are Auto Scaling lifecycle hooks (transient notifications)."
    )
    fix = (
        "Set both `DeletionPolicy` and `UpdateReplacePolicy` to `Retain` (or `Snapshot` where the type "
        "supports it), e.g. `DeletionPolicy: Retain` and `UpdateReplacePolicy: Retain`."
    )
    source_url = (
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html"
    )
    tags = ("data", "policies", "stateful")
    precision = (
        "aws-cloudformation-templates read as one estate (286 stacks): 153 findings (170 before: 14 log "
        "groups, a log stream and 2 Neptune cluster instances were false); 10 checked by hand, 10 true "
        "(buckets, tables, keys, secrets, user pools, queues left on the default Delete), 0 false. "
        "serverless-application-model examples (141 stacks): 41 findings (44 before: 3 "
        "AWS::Serverless::Application nested apps SAM could not expand offline were false); all 41 "
        "checked by hand: 14 queues (4 dead-letter), 10 buckets, 9 tables, 3 user pools, 2 streams, a "
        "key, a file system and a secret, 8 with an explicit Delete and the rest on the default: 41 "
        "true, 0 false."
    )
    config = {"ignore_types": []}

    def check(self, estate: Any, config: dict[str, Any]) -> Iterable[dict[str, Any]]:
        res = estate.resources
        stateful = res[res.stateful.fillna(False).astype(bool) & ~res.type.isin(config["ignore_types"])]
        if stateful.empty:
            return
        props = estate.properties
        # The default DeletionPolicy of an RDS instance depends on DBClusterIdentifier being given.
        in_cluster = set(
            zip(
                props["stack"][props.path.str.startswith("/properties/DBClusterIdentifier")],
                props.logical_id[props.path.str.startswith("/properties/DBClusterIdentifier")],
            )
        )
        plumbing = _notification_targets(estate)
        for r in stateful.itertuples():
            given = {"DBClusterIdentifier": True} if (r.stack, r.logical_id) in in_cluster else {}
            if not_a_data_store(r.type, given) or (r.stack, r.logical_id) in plumbing:
                continue
            deletion = (
                (r.deletion_policy, "")
                if not is_missing(r.deletion_policy)
                else (default_deletion_policy(r.type, given), " (the default)")
            )
            replace = (
                (r.update_replace_policy, "")
                if not is_missing(r.update_replace_policy)
                else (DEFAULT_REPLACE_POLICY, " (the default)")
            )
            # A policy that cannot be resolved offline keeps nothing for certain: reported too.
            lost = [
                (when, f"{name} is {policy}{note}{_unsupported(policy, r.type)}")
                for when, name, on, (policy, note) in (
                    ("deleted", "DeletionPolicy", "delete", deletion),
                    ("replaced", "UpdateReplacePolicy", "replace", replace),
                )
                if keeps_old_resource(policy, r.type, on) is not True
            ]
            if lost:
                when = " or ".join(w for w, _ in lost)
                why = " and ".join(w for _, w in lost)
                yield self.finding(r.stack, r.logical_id, f"{r.logical_id} ({r.type}) is lost when it is {when}: {why}")


def _notification_targets(estate: Any) -> set[tuple[str, str]]:
    """Resources whose every referrer uses them as a notification target only."""
    refs = estate.references
    refs = refs[(refs.target_kind == "resource") & refs.kind.isin(["Ref", "GetAtt", "Sub"])]
    res = estate.resources
    type_of = dict(zip(zip(res["stack"], res.logical_id), res.type))
    uses: dict[tuple[str, str], set[bool]] = {}
    for s, src, path, ts, t in zip(refs.source_stack, refs.source, refs.source_path, refs.target_stack, refs.target):
        uses.setdefault((ts, t), set()).add(notification_target(type_of.get((s, src), ""), str(path)))
    return {k for k, v in uses.items() if v == {True}}


def _unsupported(policy: str, resource_type: str) -> str:
    return (
        f", which {resource_type} does not support"
        if policy == "Snapshot" and not supports_snapshot(resource_type)
        else ""
    )
