"""W1001: a stack that holds both persistent and ephemeral resources."""

from __future__ import annotations

from typing import Any, Iterable

from ._base import Rule


class MixedLifecycleStack(Rule):
    """Fires once per stack whose modality is ``mixed``.

    >>> import iacviz
    >>> t = {"Resources": {"T": {"Type": "AWS::DynamoDB::Table"}, "F": {"Type": "AWS::Lambda::Function"}}}
    >>> e = iacviz.load_template(t, stack="app")
    >>> [f["message"] for f in MixedLifecycleStack().check(e, MixedLifecycleStack.config)]
    ['app mixes 1 persistent resource (T) with 1 ephemeral resource (F)']
    """

    id = "W1001"
    title = "Stack mixes persistent and ephemeral resources"
    description = (
        "A stack that holds long-lived resources (data stores, networks, keys, queues) next to resources "
        "redeployed with every release (functions, services, instances) ties their lifecycles together: "
        "every release updates the stack that holds the data, a failed release rolls back next to it, and "
        "the stack can never be deleted and recreated. Resources are classified by "
        "`iacviz/data/resource_types.csv`; CloudFormation machinery and custom resources do not count."
    )
    fix = (
        "Move the persistent resources into a long-lived stack and hand their identifiers to the "
        "ephemeral stack through exports, parameters or SSM parameters."
    )
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/best-practices.html"
    tags = ("stacks", "lifecycle", "modality")
    precision = (
        "aws-cloudformation-templates read as one estate (286 stacks): 148 findings; 10 checked by hand, "
        "10 true as defined, though 4 are one-instance samples whose security group serves only that "
        "instance (little to gain by splitting)."
    )
    config = {"max_listed": 5}

    def check(self, estate: Any, config: dict[str, Any]) -> Iterable[dict[str, Any]]:
        res = estate.resources
        for stack in estate.stacks["stack"][estate.stacks.modality == "mixed"]:
            mine = res[res["stack"] == stack]
            parts = []
            for modality in ("persistent", "ephemeral"):
                ids = mine.logical_id[mine.modality == modality].tolist()
                shown = ", ".join(ids[: config["max_listed"]]) + (", ..." if len(ids) > config["max_listed"] else "")
                parts.append(f"{len(ids)} {modality} resource{'s' if len(ids) != 1 else ''} ({shown})")
            yield self.finding(stack, None, f"{stack} mixes {parts[0]} with {parts[1]}")
