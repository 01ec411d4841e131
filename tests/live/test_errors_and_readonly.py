"""Failed calls become error rows; iacviz never calls anything but Describe/List/Get.

Failures are injected with a botocore ``before-send`` hook on the session, so the real
moto-backed clients iacviz creates answer one operation (for one stack) with an AWS error;
retries, parsing and error handling all run as against AWS.
"""

from __future__ import annotations

import pytest
from botocore.config import Config
from live_helpers import REGION, body_of, fail_with

from iacviz.errors import LiveError
from iacviz.sources.live import Clients, ReadOnlyGuard, read_live

READS = ("templates", "resources", "exports")


def test_access_denied_on_one_stack_is_an_error_row_and_the_scan_goes_on(demo_account):
    s = demo_account.session()
    s.events.register(
        "before-send.cloudformation.ListStackResources",
        fail_with(
            403,
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/ro is not authorized to perform: cloudformation:ListStackResources",
            when=lambda r: "%2Fiam%2F" in body_of(r),
        ),
    )
    read = read_live(s, regions=[REGION], endpoint_url=demo_account.endpoint_url, include=READS, progress=False)
    (row,) = [e for e in read.errors if e.severity == "error"]
    assert row.source == f"live:{demo_account.account}/{REGION}/iam" and row.stack == "iam" and row.line == 0
    assert row.message.startswith("ListStackResources: access denied (AccessDenied)")
    assert sorted(r.name for r in read.raw_stacks) == sorted(demo_account.stacks)  # iam still there
    iam = next(r for r in read.raw_stacks if r.name == "iam")
    assert iam.live_resources == {} and iam.template["Resources"]  # the template was readable


def test_throttling_after_retries_is_an_error_row(demo_account):
    attempts: list = []
    s = demo_account.session()
    s.events.register(
        "before-send.cloudformation.GetTemplate",
        fail_with(400, "Throttling", "Rate exceeded", when=lambda r: "%2Fdata%2F" in body_of(r), attempts=attempts),
    )
    # one retry instead of 10 (and no adaptive slow-down of the other calls), so that the
    # test does not sleep through the backoff
    read = read_live(
        s,
        regions=[REGION],
        endpoint_url=demo_account.endpoint_url,
        include=READS,
        progress=False,
        client_config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )
    (row,) = [e for e in read.errors if e.severity == "error"]
    assert row.stack == "data" and row.source.endswith("/data")
    assert row.message == "GetTemplate: throttled (Throttling) after 2 attempts: Rate exceeded"
    assert len(attempts) == 2  # botocore retried once: max_attempts counts the retries
    assert next(r for r in read.raw_stacks if r.name == "data").live_resources  # the rest of it was read


def test_a_region_that_is_not_enabled_is_an_error_row(demo_account):
    s = demo_account.session()
    s.events.register(
        "before-send",
        fail_with(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
            when=lambda r: "/ap-east-1/" in r.headers.get("Authorization", b"").decode(),
        ),
    )
    read = read_live(
        s, regions=[REGION, "ap-east-1"], endpoint_url=demo_account.endpoint_url, include=READS, progress=False
    )
    assert len(read.errors) == 1, read.errors
    (row,) = read.errors
    assert row.source == f"live:{demo_account.account}/ap-east-1/DescribeStacks"
    assert "region not enabled for this account" in row.message
    assert {r.region for r in read.raw_stacks} == {REGION}


def test_the_guard_refuses_writes_before_they_are_sent(demo_account):
    sent: list = []
    s = demo_account.session()
    s.events.register("before-send", lambda request, **_: sent.append(request) and None)
    clients = Clients(s, demo_account.endpoint_url, Config(), ReadOnlyGuard())
    cf = clients("cloudformation", REGION)
    with pytest.raises(LiveError, match="read-only: refusing CreateStack"):
        cf.create_stack(StackName="sneaky", TemplateBody='{"Resources": {}}')
    with pytest.raises(LiveError, match="refusing DetectStackDrift"):
        cf.detect_stack_drift(StackName="network")
    with pytest.raises(LiveError, match="refusing GetParameter"):  # a Get, but it would read a secret
        clients("ssm", REGION).get_parameter(Name="/shop/prod/db/endpoint", WithDecryption=True)
    assert sent == []
    assert "sneaky" not in [x["StackName"] for x in demo_account.client("cloudformation").describe_stacks()["Stacks"]]
    # with detect_drift=True the one write iacviz needs is allowed, nothing else
    drift_guard = ReadOnlyGuard(allow_drift_detection=True)
    with pytest.raises(LiveError):
        Clients(s, demo_account.endpoint_url, Config(), drift_guard)("cloudformation", REGION).delete_stack(
            StackName="network"
        )


def test_a_full_read_makes_only_describe_list_get_calls(demo_account):
    seen: list = []
    s = demo_account.session()
    s.events.register("before-parameter-build", lambda model, **_: seen.append(model.name))
    read = read_live(s, regions=[REGION], endpoint_url=demo_account.endpoint_url, progress=False)
    assert seen and all(name.startswith(("Describe", "List", "Get")) for name in seen)
    assert sorted(read.api_calls.elements()) == sorted(seen)
    assert read.api_calls["GetTemplate"] == len(demo_account.stacks)  # no transform left after deploying
    assert {"ListBuckets", "ListQueues", "DescribeSecurityGroups", "GetResources"} <= set(seen)
