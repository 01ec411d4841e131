"""DeletionPolicy and UpdateReplacePolicy: what CloudFormation does with the old resource.

Facts (CloudFormation template reference, ``aws-attribute-deletionpolicy`` and
``aws-attribute-updatereplacepolicy``; cfn-lint's ``valid_snapshot_types``):

- ``DeletionPolicy`` acts when a resource leaves its template or its stack is deleted:
  ``Delete`` (the default), ``Retain``, ``RetainExceptOnCreate``, ``Snapshot``. The default is
  ``Snapshot`` for ``AWS::RDS::DBCluster`` and for an ``AWS::RDS::DBInstance`` outside a cluster.
- ``UpdateReplacePolicy`` acts on the old physical resource after a replacement: ``Delete``
  (the default, for every type), ``Retain``, ``Snapshot``. ``RetainExceptOnCreate`` is not one
  of its values.
- ``Snapshot`` works only for the types that support snapshots; elsewhere CloudFormation
  deletes the resource.

>>> keeps_old_resource("Snapshot", "AWS::RDS::DBInstance", "replace"), keeps_old_resource("Delete", "AWS::S3::Bucket")
(True, False)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

__all__ = [
    "DELETION_POLICIES",
    "REPLACE_POLICIES",
    "DEFAULT_REPLACE_POLICY",
    "default_deletion_policy",
    "supports_snapshot",
    "keeps_old_resource",
    "policy_action",
]

DELETION_POLICIES = ("Delete", "Retain", "RetainExceptOnCreate", "Snapshot")
REPLACE_POLICIES = ("Delete", "Retain", "Snapshot")
DEFAULT_REPLACE_POLICY = "Delete"


@lru_cache(maxsize=None)
def _snapshot_types() -> frozenset[str]:
    # cfn-lint's list of types that accept DeletionPolicy/UpdateReplacePolicy: Snapshot, read
    # from its helpers file without importing the linter (see iacviz.cfn.cfnlint_files).
    from .cfnlint_files import helpers

    return frozenset(helpers().valid_snapshot_types)


def default_deletion_policy(resource_type: str, properties: Mapping[str, Any] | None = None) -> str:
    """The DeletionPolicy CloudFormation applies when none is written.

    ``Snapshot`` for ``AWS::RDS::DBCluster`` and for ``AWS::RDS::DBInstance`` without
    ``DBClusterIdentifier`` (a stand-alone instance); ``Delete`` for everything else. A
    ``DBClusterIdentifier`` given in any form (even an intrinsic function) counts as present.

    >>> default_deletion_policy("AWS::RDS::DBInstance", {"Engine": "mysql"})
    'Snapshot'
    """
    if resource_type == "AWS::RDS::DBCluster":
        return "Snapshot"
    if resource_type == "AWS::RDS::DBInstance" and "DBClusterIdentifier" not in (properties or {}):
        return "Snapshot"
    return "Delete"


def supports_snapshot(resource_type: str) -> bool:
    """Whether DeletionPolicy/UpdateReplacePolicy ``Snapshot`` works for the type (cfn-lint's list).

    >>> supports_snapshot("AWS::EC2::Volume"), supports_snapshot("AWS::S3::Bucket")
    (True, False)
    """
    return resource_type in _snapshot_types()


def keeps_old_resource(policy: str | None, resource_type: str, on: str = "delete") -> bool | None:
    """Whether a policy keeps the old resource (or a snapshot of it) when it is deleted or replaced.

    Parameters
    ----------
    policy : str or None
        The policy in effect (resolved; ``None`` means the default: pass
        :func:`default_deletion_policy` for a deletion, ``Delete`` for a replacement).
    resource_type : str
        The resource's type (``Snapshot`` is kept only where the type supports it).
    on : {"delete", "replace"}
        ``delete`` reads `policy` as a DeletionPolicy, ``replace`` as an UpdateReplacePolicy.

    Returns
    -------
    bool or None
        True when the resource or a snapshot survives, False when it is deleted, None when
        the policy is not one CloudFormation accepts there (e.g. an expression that could not
        be resolved offline, or ``RetainExceptOnCreate`` as an UpdateReplacePolicy).

    Examples
    --------
    >>> keeps_old_resource("RetainExceptOnCreate", "AWS::S3::Bucket", "delete")
    True
    >>> keeps_old_resource("Snapshot", "AWS::S3::Bucket", "replace") is False  # falls back to Delete
    True
    """
    if on not in ("delete", "replace"):
        raise ValueError(f"on must be 'delete' or 'replace', not {on!r}")
    if policy is None:
        policy = DEFAULT_REPLACE_POLICY if on == "replace" else default_deletion_policy(resource_type)
    if policy not in (DELETION_POLICIES if on == "delete" else REPLACE_POLICIES):
        return None
    if policy == "Snapshot":
        return supports_snapshot(resource_type)
    return policy != "Delete"


def policy_action(action: str, replacement_value: str | None, policy: str) -> str | None:
    """The change set's PolicyAction for a removal or a replacement.

    >>> policy_action("Remove", None, "RetainExceptOnCreate"), policy_action("Modify", "True", "Snapshot")
    ('Retain', 'ReplaceAndSnapshot')
    """
    word = (
        "Retain" if policy in ("Retain", "RetainExceptOnCreate") else ("Snapshot" if policy == "Snapshot" else "Delete")
    )
    if action == "Remove":
        return word
    if action == "Modify" and replacement_value in ("True", "Conditional"):
        return f"ReplaceAnd{word}"
    return None
