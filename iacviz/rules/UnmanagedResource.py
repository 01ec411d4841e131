"""I6002: a resource in the account that no stack manages."""

from __future__ import annotations

from typing import Any, Iterable

from ._base import Rule, is_missing


class UnmanagedResource(Rule):
    """Fires for each row of ``estate.unmanaged`` (live estates read with ``unmanaged`` included).

    >>> import iacviz
    >>> list(UnmanagedResource().check(iacviz.load_template({"Resources": {}}), {"ignore_types": []}))
    []
    """

    id = "I6002"
    title = "Resource no stack manages"
    description = (
        'A resource created by hand or by a script ("click-ops") is invisible to the templates: nobody '
        "reviews its configuration, it is not recreated with the environment, and stacks that depend on it "
        "by a hard-coded id break when it goes. Found by listing common resource types and the tagging API "
        "and leaving out what stacks report as physical ids (`iacviz.load_live`); AWS-owned defaults "
        "(`managed_by` `aws`) are left out, and so is what a service made (`managed_by` `service`, e.g. the "
        "instances of an Auto Scaling group or the `/aws/lambda/<function>` log group of a function)."
    )
    fix = (
        "Bring it under CloudFormation with a resource import (`aws cloudformation create-change-set "
        "--change-set-type IMPORT`), or delete it if nothing uses it."
    )
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import.html"
    tags = ("live", "coverage")
    precision = "needs a live account; the shared corpus holds templates only (no findings)."
    config = {"ignore_types": []}

    def check(self, estate: Any, config: dict[str, Any]) -> Iterable[dict[str, Any]]:
        try:
            unmanaged = estate.unmanaged
        except AttributeError:  # an estate from files: no account was listed
            return
        for r in unmanaged.itertuples():
            by = getattr(r, "managed_by", None)
            if r.type in config["ignore_types"] or (not is_missing(by) and by in ("service", "aws")):
                continue  # a service made it (Lambda's log group), or AWS owns it (default VPC): not click-ops
            where = "/".join(str(x) for x in (r.account, r.region) if not is_missing(x))
            arn = f" ({r.arn})" if not is_missing(r.arn) and r.arn != r.id else ""
            yield self.finding(
                None, r.id, f"{r.type} {r.id}{arn} exists in {where or 'the account'} but no stack manages it"
            )
