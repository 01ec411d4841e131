"""W6001: a deployed resource that differs from its template, or was deleted outside CloudFormation."""

from __future__ import annotations

from typing import Any, Iterable

from ._base import Rule

_DRIFTED = {"MODIFIED": "was changed outside CloudFormation", "DELETED": "was deleted outside CloudFormation"}


class ResourceDrifted(Rule):
    """Fires for each resource of a live estate whose drift status is MODIFIED or DELETED.

    >>> import iacviz
    >>> list(ResourceDrifted().check(iacviz.load_template({"Resources": {}}), {}))
    []
    """

    id = "W6001"
    title = "Resource drifted from its template"
    description = (
        "Drift detection compares a stack's resources with their template. A `MODIFIED` resource was changed "
        "by hand or by another tool; the next update that touches it overwrites the change (or fails). A "
        "`DELETED` resource no longer exists, and updates that need it fail. Only live estates carry drift "
        "statuses (`iacviz.load_live`); they are those of the last drift detection that was run."
    )
    fix = (
        "Bring the template in line with the change (and deploy), or undo the change by hand; for a "
        "deleted resource, remove it from the template or import a replacement."
    )
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html"
    tags = ("live", "drift")
    precision = "needs a live account; the shared corpus holds templates only (no findings)."

    def check(self, estate: Any, config: dict[str, Any]) -> Iterable[dict[str, Any]]:
        res = estate.resources
        drifted = res[res.drift_status.isin(list(_DRIFTED)).fillna(False).astype(bool)]
        for r in drifted.itertuples():
            where = f" ({r.physical_id})" if isinstance(r.physical_id, str) else ""
            yield self.finding(
                r.stack,
                r.logical_id,
                f"{r.logical_id}{where} {_DRIFTED[r.drift_status]} (drift status {r.drift_status})",
            )
