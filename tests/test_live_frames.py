"""Live frames hold stack keys (issue 11): ListExports, ListImports and the unmanaged scan
name stacks by their CloudFormation name, which repeats across accounts and regions; the
estate's frames hold each stack's key, found in the row's own account and region. (moto has
no ListImports, so this reads a LiveRead of two places as read_live returns it.)"""

from __future__ import annotations

from iacviz.model.live import estate_from_read
from iacviz.sources.live import LiveRead
from iacviz.sources.raw import RawStack

PLACES = [("111111111111", "eu-west-1"), ("222222222222", "eu-west-1")]
NET = {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC"}}, "Outputs": {"Id": {"Value": "x", "Export": {"Name": "vpc"}}}}
APP = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::ImportValue": "vpc"}}}}}


def _read() -> LiveRead:
    raws, exports, imports, unmanaged = [], [], [], []
    for account, region in PLACES:
        for name, body in (("net", NET), ("app", APP)):
            raws.append(RawStack(name, f"live:{account}/{region}/{name}", "live", body, account=account, region=region))
        exports.append(
            {
                "account": account,
                "region": region,
                "name": "vpc",
                "value": "x",
                "exporting_stack": "net",
                "exporting_stack_id": f"arn:aws:cloudformation:{region}:{account}:stack/net/1",
            }
        )
        imports.append(
            {
                "account": account,
                "region": region,
                "export_name": "vpc",
                "exporting_stack": "net",
                "importing_stack": "app",
            }
        )
        unmanaged.append(
            {
                "account": account,
                "region": region,
                "service": "Logs",
                "type": "AWS::Logs::LogGroup",
                "id": "/aws/lambda/f",
                "managed_by": "service",
                "owner_stack": "app",
                "owner_logical_id": "Q",
                "owner_service": "Lambda",
            }
        )
    return LiveRead(raws, [], exports, imports, unmanaged, regions=["eu-west-1"])


def test_live_frames_hold_the_keys_of_their_own_account_region():
    estate = estate_from_read(_read())
    keys = set(estate.stacks["stack"])
    assert keys == {f"{n}@{a}:{r}" for n in ("net", "app") for a, r in PLACES}
    assert sorted(estate.live_exports["stack"]) == sorted(f"net@{a}:{r}" for a, r in PLACES)
    imp = estate.live_imports
    assert sorted(zip(imp.exporting_stack, imp.importing_stack)) == sorted(
        (f"net@{a}:{r}", f"app@{a}:{r}") for a, r in PLACES
    )
    own = estate.unmanaged
    assert sorted(zip(own.account, own.owner_stack)) == sorted((a, f"app@{a}:{r}") for a, r in PLACES)


def test_one_place_keeps_plain_names():
    read = _read()
    only = LiveRead(
        [r for r in read.raw_stacks if r.account == PLACES[0][0]],
        [],
        read.exports[:1],
        read.imports[:1],
        read.unmanaged[:1],
        regions=["eu-west-1"],
    )
    estate = estate_from_read(only)
    assert estate.live_exports["stack"].tolist() == ["net"]
    assert estate.live_imports[["exporting_stack", "importing_stack"]].values.tolist() == [["net", "app"]]
