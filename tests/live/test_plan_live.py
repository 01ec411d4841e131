"""``iacviz plan --live``: new templates against the stacks deployed under the same names."""

from __future__ import annotations

import json

import pytest
from live_helpers import REGION, deploy, session

from iacviz.analysis.live_plan import plan_live
from iacviz.cli import main as cli_main
from iacviz.data import sample_estate

PLAN_REGION = "ca-central-1"  # no other live test deploys here (moto state is shared per process)
APP = {
    "Parameters": {
        "Size": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/app/size"},
        "Env": {"Type": "String"},
    },
    "Resources": {
        "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "jobs-${Size}"}}},
        "Logs": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "logs-${Env}"}}},
    },
}


@pytest.fixture(scope="module")
def deployed(moto_server):
    ssm = session(PLAN_REGION).client("ssm", endpoint_url=moto_server)
    ssm.put_parameter(Name="/app/size", Value="small", Type="String")
    deploy(moto_server, PLAN_REGION, "app", APP, {"Env": "prod"})
    # the SSM value changes after the deployment: the next update will read "large"
    ssm.put_parameter(Name="/app/size", Value="large", Type="String", Overwrite=True)
    return moto_server


def _write(tmp_path, name, template):
    (tmp_path / name).write_text(json.dumps(template))
    return tmp_path


def test_a_changed_ssm_value_shows_as_cloudformation_shows_it(deployed, tmp_path, capsys):
    after = _write(tmp_path, "app.json", APP)
    code = cli_main(["plan", "--live", f"/{PLAN_REGION}", str(after), "--endpoint-url", deployed, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = {r["logical_id"]: r for r in json.loads(out)}
    jobs = rows["Jobs"]
    assert jobs["action"] == "Modify" and jobs["replacement"] == "True" and jobs["will_replace"] is True
    # as in CloudFormation's change sets: a Static ParameterReference to Size (with the Dynamic
    # DirectModification CloudFormation lists beside it)
    assert {(d["change_source"], d["causing_entity"]) for d in jobs["details"]} >= {("ParameterReference", "Size")}
    assert not jobs["unknowable"]
    # Env not given: the deployed value is kept (UsePreviousValue), so Logs does not change
    assert "Logs" not in rows


def test_given_parameters_win_and_unchanged_ssm_values_change_nothing(deployed, tmp_path):
    ssm = session(PLAN_REGION).client("ssm", endpoint_url=deployed)
    after = _write(tmp_path, "app.json", APP)
    plan = plan_live(after, session=session(PLAN_REGION), endpoint_url=deployed, parameters={"Env": "dev"})
    assert set(plan.logical_id) == {"Jobs", "Logs"}
    ssm.put_parameter(Name="/app/size", Value="small", Type="String", Overwrite=True)
    try:
        same = plan_live(after, session=session(PLAN_REGION), endpoint_url=deployed)
    finally:
        ssm.put_parameter(Name="/app/size", Value="large", Type="String", Overwrite=True)
    assert same.empty, same[["logical_id", "action", "unknowable"]]


def test_a_template_with_no_deployed_stack_is_a_new_stack(deployed, tmp_path):
    _write(tmp_path, "app.json", APP)
    _write(tmp_path, "extra.json", {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    plan = plan_live(tmp_path, session=session(PLAN_REGION), endpoint_url=deployed)
    extra = plan[plan["stack"] == "extra"]
    assert extra[["logical_id", "action", "note"]].values.tolist() == [["Q", "Add", "stack extra added"]]


def test_what_cannot_be_read_stays_unknowable_with_the_reason(deployed, tmp_path):
    secret = json.loads(json.dumps(APP))
    secret["Resources"]["Logs"]["Properties"]["Tags"] = [{"Key": "k", "Value": "{{resolve:secretsmanager:db}}"}]
    plan = plan_live(_write(tmp_path, "app.json", secret), session=session(PLAN_REGION), endpoint_url=deployed)
    logs = plan[plan.logical_id == "Logs"].iloc[0]
    assert "secretsmanager" in logs.unknowable and "deploy time" in logs.unknowable


def test_plan_live_against_the_demo_account(demo_account, capsys):
    code = cli_main(
        [
            "plan",
            "--live",
            f"/{REGION}",
            str(sample_estate()),
            "--endpoint-url",
            demo_account.endpoint_url,
            "--format",
            "json",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = json.loads(out)
    added = {r["stack"] for r in rows if (r["note"] or "").endswith(" added")}
    # every stack the demo deployed is compared with its deployed self, never re-added
    assert not added & set(demo_account.names)
    assert "storefront" in added  # Elastic Beanstalk config: never deployed as a stack
