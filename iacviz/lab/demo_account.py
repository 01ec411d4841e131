"""A local AWS account for tests and workshops: moto's server on 127.0.0.1, sample estate deployed.

Everything goes through the real CloudFormation API of the local server (``create_stack``),
with fake credentials; nothing leaves 127.0.0.1. What moto cannot do is prepared offline,
the way the AWS tooling would before calling CloudFormation:

* SAM templates are deployed as expanded by aws-sam-translator (moto has no SAM
  transform), i.e. the template `sam deploy` would have CloudFormation process.
* Nested stacks: the child template is uploaded to an artifacts bucket of the local S3
  and the parent's ``TemplateURL`` points there (as ``aws cloudformation package`` does);
  moto then creates the child itself.
* CDK stacks are deployed from ``cdk.out`` with the bootstrap version parameter present
  in SSM, as ``cdk bootstrap`` leaves it.
* ``.ebextensions`` are Elastic Beanstalk configuration, not stacks: not deployed.
* A stack with a parameter that has neither a default nor a value in the repository (a
  blue/green service whose values a pipeline's build reads from the exports) is not deployed:
  only what the repository alone can deploy is.
* Resource types moto's CloudFormation lacks (WAFv2, CloudWatch alarms, SNS
  subscriptions, bucket/queue policies, API Gateway stages, Elastic Beanstalk, CDK
  metadata...) get a generic stand-in model registered with moto, and what moto's engine
  evaluates wrongly (``Fn::Cidr``, ``Fn::If`` to ``AWS::NoValue`` in a list, dotted
  ``Fn::Sub`` attributes, nested stack outputs, RestApi without Name) is prepared offline:
  see :mod:`iacviz.lab.moto_compat`. Stacks then deploy whole, with their real types
  and logical ids; stand-in resources have synthetic physical ids and no backend object.

A few resources are also created outside any stack (a bucket, a queue, a security
group) so that the unmanaged-resources view has something to show; and one stack that is not
in the repository (:data:`SERVICE_STACK`, another team's) holds what AWS services then manage
outside it: an Auto Scaling group, whose instances carry ``aws:autoscaling:groupName``, and a
function without a declared log group, for which the demo creates ``/aws/lambda/<function>``
as Lambda does on the first invocation (moto runs no code).

The estate is deployed as an organisation deploys it: the whole estate in the main account
and region, and the ``network`` and ``data`` stacks (same names, same exports, ``data``
importing from ``network``) again in a second region and in a second account
(:data:`OTHER_PLACES`). The second account is reached as a real one would be:
``sts:AssumeRole`` of :data:`DEMO_ROLE`, which moto maps to the role's account.

>>> demo = start_demo_account()  # doctest: +SKIP
>>> demo.env["AWS_ENDPOINT_URL"]  # doctest: +SKIP
'http://127.0.0.1:50123'
>>> demo.stop()  # doctest: +SKIP
"""

from __future__ import annotations

import io
import json
import sys
import threading
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from iacviz.cfn.parameters import is_ssm_type
from iacviz.errors import require
from iacviz.lab.moto_compat import ACCOUNT, Compat, register_stand_ins
from iacviz.sources.raw import ErrorRow, RawStack

require("moto", "the demo account (iacviz.lab.demo_account)")

ARTIFACTS_BUCKET = "iacviz-demo-artifacts"
CDK_BOOTSTRAP_VERSION = "21"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
SECOND_ACCOUNT = "210987654321"
SECOND_REGION = "us-west-2"  # no other live test deploys there (moto state is per process)
DEMO_ROLE = "iacviz-read-only"  # the role load_live(accounts=..., role_name=DEMO_ROLE) assumes
# (account or None for the main one, region or None for the main one): where the subset goes
OTHER_PLACES = ((None, SECOND_REGION), (SECOND_ACCOUNT, None), (SECOND_ACCOUNT, SECOND_REGION))
OTHER_STACKS = ("network", "data")
# created outside any stack: what someone clicked into the console
CLICKOPS = {"bucket": "clickops-reports", "queue": "clickops-retry", "security_group": "clickops-debug-ssh"}
# Another team's stack, not in the repository: what AWS services manage next to it.
SERVICE_STACK = "nightly-batch"
BATCH_WORKERS = 2  # instances the Auto Scaling group launches
_ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}
            ],
        }
    },
}
SERVICE_TEMPLATE = {
    "Description": "Night batch: a fleet of workers and the function that starts the night's jobs",
    "Resources": {
        "WorkerTemplate": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {"LaunchTemplateData": {"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"}},
        },
        "Workers": {
            "Type": "AWS::AutoScaling::AutoScalingGroup",
            "Properties": {
                "MinSize": "0",
                "MaxSize": str(BATCH_WORKERS),
                "DesiredCapacity": str(BATCH_WORKERS),
                "AvailabilityZones": [{"Fn::Select": [0, {"Fn::GetAZs": ""}]}],
                "LaunchTemplate": {
                    "LaunchTemplateId": {"Ref": "WorkerTemplate"},
                    "Version": {"Fn::GetAtt": ["WorkerTemplate", "LatestVersionNumber"]},
                },
            },
        },
        "StarterRole": _ROLE,
        # no AWS::Logs::LogGroup for it: Lambda makes /aws/lambda/<function> itself
        "Starter": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Handler": "index.handler",
                "Runtime": "python3.12",
                "Role": {"Fn::GetAtt": ["StarterRole", "Arn"]},
                "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
            },
        },
    },
}


@dataclass
class DemoAccount:
    """A running local account; use as a context manager or call :meth:`stop`."""

    endpoint_url: str
    region: str
    account: str = ACCOUNT
    stacks: list[str] = field(default_factory=list)  # names deployed (nested children included)
    names: dict[str, str] = field(default_factory=dict)  # files-estate stack name -> deployed name
    imports: dict[str, list[str]] = field(default_factory=dict)  # export -> deployed importing stacks
    unmanaged: dict[str, str] = field(default_factory=dict)  # kind -> id of the out-of-stack resources
    service_made: dict[str, str] = field(default_factory=dict)  # log_group, instances (comma-joined)
    errors: list[ErrorRow] = field(default_factory=list)  # stacks that could not be deployed
    places: list["DemoAccount"] = field(default_factory=list)  # the other accounts and regions
    credentials: dict[str, str] | None = None  # of the assumed role, in another account
    _server: Any = None

    @property
    def env(self) -> dict[str, str]:
        """Environment variables that point the AWS CLI, boto3 and iacviz at this account."""
        return {
            **FAKE_CREDENTIALS,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_ENDPOINT_URL": self.endpoint_url,
        }

    def session(self) -> boto3.Session:
        """A boto3 session with the fake credentials (pass endpoint_url to its clients)."""
        creds = self.credentials or {"AccessKeyId": "testing", "SecretAccessKey": "testing", "SessionToken": "testing"}
        return boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=self.region,
        )

    @property
    def accounts(self) -> list[str]:
        """Every account of the demo: the main one first."""
        return list(dict.fromkeys([self.account] + [p.account for p in self.places]))

    @property
    def regions(self) -> list[str]:
        """Every region of the demo: the main one first."""
        return list(dict.fromkeys([self.region] + [p.region for p in self.places]))

    def client(self, service: str):
        return self.session().client(service, endpoint_url=self.endpoint_url)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> "DemoAccount":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_server(port: int | None = None):
    """moto's ThreadedMotoServer on 127.0.0.1 (a free port when `port` is None); returns (server, url)."""
    import logging

    from moto.server import ThreadedMotoServer

    # werkzeug logs one line per API call, and a traceback for each call moto does not
    # implement (ListImports...): iacviz reports those itself, as warning rows
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port or 0, verbose=False)
    server.start()
    host, real_port = server.get_host_and_port()
    return server, f"http://127.0.0.1:{real_port}"


def reset(endpoint_url: str) -> None:
    """Empty every moto backend (moto keeps its state per process, shared by all its servers)."""
    req = urllib.request.Request(f"{endpoint_url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(req, timeout=30) as resp:  # 127.0.0.1 only
        resp.read()


def start_demo_account(
    estate_dir: str | Path = "data/sample-estate",
    *,
    port: int | None = None,
    region: str = "us-east-1",
    other_places: bool = False,
) -> DemoAccount:
    """Start a local AWS account (moto's server on 127.0.0.1) with the estate in `estate_dir` deployed.

    Parameters
    ----------
    estate_dir : str or pathlib.Path
        A folder of templates (default: the sample estate of a source checkout).
    port : int, optional
        Port to listen on (default: a free one).
    region : str
        The account's region.
    other_places : bool
        Also deploy `OTHER_STACKS` in a second region and a second account
        (``iacviz demo-account`` does; it adds about 15 s).

    Returns
    -------
    DemoAccount
        ``endpoint_url``, ``region`` and the deployed stacks; a context manager, or call
        ``stop()``. Read it with ``iacviz.open_estate(demo.endpoint_url)``.

    Examples
    --------
    >>> import iacviz
    >>> with start_demo_account(iacviz.data.sample_estate()) as demo:  # doctest: +SKIP
    ...     estate = iacviz.open_estate(demo.endpoint_url, region=demo.region)
    """
    server, url = start_server(port)
    try:
        reset(url)
        demo = deploy_demo(url, estate_dir, region)
        if other_places:
            deploy_other_places(demo, estate_dir)
    except BaseException:
        server.stop()
        raise
    demo._server = server
    return demo


def deploy_demo(
    endpoint_url: str, estate_dir: str | Path = "data/sample-estate", region: str = "us-east-1"
) -> DemoAccount:
    """Deploy the estate and the out-of-stack resources into a running server (not stopped by the result)."""
    demo = DemoAccount(endpoint_url=endpoint_url, region=region)
    deploy_estate(demo, Path(estate_dir))
    deploy_service_stack(demo)
    create_unmanaged(demo)
    return demo


def deploy_service_stack(demo: DemoAccount) -> None:
    """Deploy :data:`SERVICE_STACK` and make its function's log group as Lambda would.

    Its Auto Scaling group launches :data:`BATCH_WORKERS` instances tagged
    ``aws:autoscaling:groupName``; ``demo.service_made`` names them and the log group.
    """
    cf = demo.client("cloudformation")
    cf.create_stack(StackName=SERVICE_STACK, TemplateBody=json.dumps(SERVICE_TEMPLATE), Capabilities=["CAPABILITY_IAM"])
    physical = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cf.describe_stack_resources(StackName=SERVICE_STACK)["StackResources"]
    }
    log_group = f"/aws/lambda/{physical['Starter']}"
    demo.client("logs").create_log_group(logGroupName=log_group)  # Lambda, on the first invocation
    groups = demo.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[physical["Workers"]])
    instances = [i["InstanceId"] for g in groups["AutoScalingGroups"] for i in g.get("Instances", [])]
    demo.service_made = {"log_group": log_group, "instances": ",".join(sorted(instances))}
    demo.stacks = [s["StackName"] for s in cf.describe_stacks()["Stacks"]]


def deploy_other_places(
    demo: DemoAccount, estate_dir: str | Path = "data/sample-estate", places=OTHER_PLACES, stacks=OTHER_STACKS
) -> list[DemoAccount]:
    """Deploy `stacks` of the estate again, under the same names, in each of `places`
    ((account, region) pairs; None: the main one). Another account is entered through
    sts:AssumeRole of :data:`DEMO_ROLE`. Returns the places, also kept in ``demo.places``."""
    sts = demo.client("sts")
    for account, region in places:
        account, region = account or demo.account, region or demo.region
        creds = None
        if account != demo.account:
            creds = sts.assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/{DEMO_ROLE}", RoleSessionName="iacviz-demo-deploy"
            )["Credentials"]
        place = DemoAccount(endpoint_url=demo.endpoint_url, region=region, account=account, credentials=creds)
        deploy_estate(place, Path(estate_dir), only=set(stacks))
        demo.errors.extend(place.errors)
        demo.places.append(place)
    return demo.places


def deploy_estate(demo: DemoAccount, estate_dir: Path, only: set[str] | None = None) -> None:
    """create_stack for every stack the files reader finds (or those named in `only`),
    exports before their imports."""
    from iacviz.sources.files import read_paths

    raws, read_errors = read_paths([estate_dir], region=demo.region)
    if only is not None:
        raws = [r for r in raws if r.name in only]
    demo.errors.extend(e for e in read_errors if e.severity == "error")
    cf, s3 = demo.client("cloudformation"), demo.client("s3")
    try:
        s3.create_bucket(
            Bucket=ARTIFACTS_BUCKET,
            **(
                {} if demo.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": demo.region}}
            ),
        )
    except ClientError:
        pass  # there from a deployment in another region
    children: dict[str, dict[str, Any]] = {}
    for raw in raws:
        if raw.parent_stack:
            children.setdefault(raw.parent_stack, {})[raw.parent_resource] = raw
    plan = [r for r in raws if r.format != "ebextension" and not r.parent_stack and not _unfilled(r)]
    parent = {r.name: r.parent_stack for r in raws}

    def root(name: str) -> str:  # a nested stack deploys with its top-level parent
        while parent.get(name):
            name = parent[name]
        return name

    exporter = {e: root(r.name) for r in raws for e in Compat(r, demo.region).exports()}
    needs = {
        r.name: (
            {root(d) for d in r.stack_dependencies}
            | {exporter[i] for i in Compat(r, demo.region).imports() if i in exporter}
        )
        - {r.name}
        for r in plan
    }
    register_stand_ins(
        {
            res.get("Type")
            for r in raws
            for res in (r.template.get("Resources") or {}).values()
            if isinstance(res, dict) and isinstance(res.get("Type"), str)
        }
    )
    for raw in plan:
        _prepare_artifacts(demo, raw)
    deployed: set[str] = set()
    pending = list(plan)
    while pending:  # rounds: a stack waits for the stacks whose exports it imports
        waiting, failures = [], {}
        for raw in pending:
            if any(d not in deployed for d in needs[raw.name]):
                waiting.append(raw)
                continue
            body = _body(demo, raw, children.get(raw.name, {}))
            try:
                cf.create_stack(
                    StackName=raw.name,
                    TemplateBody=body,
                    Parameters=_parameters(raw),
                    Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
                    Tags=_tags(raw),
                )
                deployed.add(raw.name)
            except (ClientError, ResponseParserError) as exc:  # moto answers its own crashes with a 500 page
                failures[raw.name] = str(exc)[:300]
                _delete_quietly(cf, raw.name)  # moto keeps a failed create around
                waiting.append(raw)
        if len(waiting) == len(pending):
            for raw in waiting:
                why = failures.get(raw.name) or f"waits for {sorted(needs[raw.name] - deployed)}"
                demo.errors.append(ErrorRow(f"demo:{raw.name}", 0, "error", f"not deployed: {why}", raw.name))
            break
        pending = waiting
    demo.stacks = [s["StackName"] for s in cf.describe_stacks()["Stacks"]]
    for raw in raws:  # nested stacks get <parent>-<logical id>-<suffix> from CloudFormation (and moto)
        prefix = f"{demo.names.get(raw.parent_stack)}-{raw.parent_resource}-"
        found = [
            n
            for n in demo.stacks
            if n == raw.name and not raw.parent_stack or raw.parent_stack and n.startswith(prefix)
        ]
        if found:
            demo.names[raw.name] = found[0]
    for raw in raws:  # what ListImports would answer, had moto implemented it
        for name in Compat(raw, demo.region).imports():
            if name in exporter and raw.name in demo.names and exporter[name] in demo.names:
                demo.imports.setdefault(name, []).append(demo.names[raw.name])
    demo.imports = {k: sorted(set(v)) for k, v in sorted(demo.imports.items())}
    describe_service_interfaces(demo)


def describe_service_interfaces(demo: DemoAccount) -> None:
    """Describe the network interfaces of NAT gateways and interface endpoints as AWS does
    ("Interface for NAT Gateway nat-...", "VPC Endpoint Interface vpce-..."); moto leaves the
    description empty, which would read as interfaces made by hand."""
    ec2 = demo.client("ec2")
    made = [
        (eni, f"Interface for NAT Gateway {n['NatGatewayId']}")
        for n in ec2.describe_nat_gateways()["NatGateways"]
        for eni in (a.get("NetworkInterfaceId") for a in n.get("NatGatewayAddresses", []))
        if eni
    ]
    made += [
        (eni, f"VPC Endpoint Interface {v['VpcEndpointId']}")
        for v in ec2.describe_vpc_endpoints()["VpcEndpoints"]
        for eni in v.get("NetworkInterfaceIds") or []
    ]
    for eni, description in made:
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Description={"Value": description})


def _tags(raw: RawStack) -> list[dict[str, str]]:
    """The tags the Amplify CLI puts on a project's root stack (its default tags.json)."""
    if not raw.app:
        return []
    return [{"Key": "user:Application", "Value": raw.app}] + (
        [{"Key": "user:Stack", "Value": raw.environment}] if raw.environment else []
    )


def _unfilled(raw: RawStack) -> list[str]:
    """Parameters with no default and no value in the repository: whoever deploys the stack (a
    pipeline's build, say) supplies them, so the demo cannot, and leaves the stack out."""
    declared = raw.template.get("Parameters") or {}
    given = {k for k, v in raw.parameter_values.items() if v is not None}
    return [k for k, d in declared.items() if isinstance(d, dict) and "Default" not in d and k not in given]


def _parameters(raw: RawStack) -> list[dict[str, str]]:
    declared = raw.template.get("Parameters") or {}
    out = []
    for key, value in raw.parameter_values.items():
        if key in declared and value is not None:
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, list):
                value = ",".join(map(str, value))
            out.append({"ParameterKey": key, "ParameterValue": str(value)})
    return out


def _body(demo: DemoAccount, raw: RawStack, kids: dict[str, RawStack]) -> str:
    """The TemplateBody to send: the reader's long-form JSON (moto's YAML tags split
    ``!GetAtt A.Outputs.B`` at every dot), nested TemplateURLs pointing at local S3."""
    template = Compat(raw, demo.region).fix(json.loads(json.dumps(raw.template)))
    for logical_id, res in (template.get("Resources") or {}).items():
        props = res.get("Properties") if isinstance(res, dict) else None
        if res.get("Type") == "AWS::ApiGateway::RestApi" and isinstance(props, dict) and "Name" not in props:
            # CloudFormation names an API after its Body's title; moto insists on Name
            title = ((props.get("Body") or {}).get("info") or {}).get("title")
            props["Name"] = title if isinstance(title, str) else logical_id
    for logical_id, child in kids.items():
        passed = template["Resources"][logical_id]["Properties"].setdefault("Parameters", {})
        for param, code_key in _code_parameters(child):
            # An Amplify function's code lies in the deployment bucket its own root stack creates
            # (created by `amplify init` long before, in a real account): here it waits in the
            # artifacts bucket, and the root passes that bucket instead.
            demo.client("s3").put_object(Bucket=ARTIFACTS_BUCKET, Key=code_key, Body=_tiny_zip())
            passed[param] = ARTIFACTS_BUCKET
        key = f"{raw.name}/{logical_id}.json"
        demo.client("s3").put_object(Bucket=ARTIFACTS_BUCKET, Key=key, Body=_body(demo, child, {}))
        props = template["Resources"][logical_id]["Properties"]
        props["TemplateURL"] = f"https://{ARTIFACTS_BUCKET}.s3.amazonaws.com/{key}"
    return json.dumps(template)


def _code_parameters(raw: RawStack) -> list[tuple[str, str]]:
    """(bucket parameter, object key) of each function whose code bucket is a parameter of the
    stack (``S3Bucket: !Ref deploymentBucketName``) and whose key is known."""
    out = []
    for res in (raw.template.get("Resources") or {}).values():
        code = ((res.get("Properties") or {}) if isinstance(res, dict) else {}).get("Code") or {}
        bucket, key = code.get("S3Bucket"), code.get("S3Key") if isinstance(code, dict) else None
        if isinstance(key, dict) and isinstance(key.get("Ref"), str):
            key = raw.parameter_values.get(key["Ref"])
        if isinstance(bucket, dict) and isinstance(bucket.get("Ref"), str) and isinstance(key, str):
            out.append((bucket["Ref"], key))
    return out


def _prepare_artifacts(demo: DemoAccount, raw: RawStack) -> None:
    """What `sam deploy`/`cdk bootstrap` leave in an account: code zips in S3, the bootstrap version."""
    s3, ssm = demo.client("s3"), demo.client("ssm")
    for res in (raw.template.get("Resources") or {}).values():
        props = res.get("Properties") or {} if isinstance(res, dict) else {}
        code = props.get("Code") or props.get("Content") or {}
        bucket, key = code.get("S3Bucket"), code.get("S3Key")
        if isinstance(bucket, str) and isinstance(key, str):
            try:
                s3.create_bucket(Bucket=bucket)
            except ClientError:
                pass  # already there
            s3.put_object(Bucket=bucket, Key=key, Body=_tiny_zip())
    for spec in (raw.template.get("Parameters") or {}).values():
        if is_ssm_type(spec.get("Type")) and spec.get("Default"):
            ssm.put_parameter(Name=spec["Default"], Value=CDK_BOOTSTRAP_VERSION, Type="String", Overwrite=True)


def _tiny_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


def _delete_quietly(cf, name: str) -> None:
    try:
        cf.delete_stack(StackName=name)
    except Exception:  # best effort on a half-created stack
        pass


def create_unmanaged(demo: DemoAccount) -> None:
    """A bucket, a queue and a security group created by hand (tagged, as people often do)."""
    tags = [{"Key": "owner", "Value": "clickops"}]
    s3, sqs, ec2 = demo.client("s3"), demo.client("sqs"), demo.client("ec2")
    s3.create_bucket(Bucket=CLICKOPS["bucket"])
    s3.put_bucket_tagging(Bucket=CLICKOPS["bucket"], Tagging={"TagSet": tags})
    queue_url = sqs.create_queue(QueueName=CLICKOPS["queue"], tags={"owner": "clickops"})["QueueUrl"]
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(
        GroupName=CLICKOPS["security_group"],
        Description="debug access",
        VpcId=vpc,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": tags}],
    )["GroupId"]
    demo.unmanaged = {"bucket": CLICKOPS["bucket"], "queue": queue_url, "security_group": group}


def main(argv: list[str] | None = None) -> int:
    """``iacviz demo-account [ESTATE_DIR] [--port N]``: serve the demo account until Ctrl-C."""
    import argparse

    parser = argparse.ArgumentParser(prog="iacviz demo-account", description=main.__doc__)
    parser.add_argument("estate_dir", nargs="?", default="data/sample-estate")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument(
        "--one-account", action="store_true", help="only the main account and region (no second account and region)"
    )
    args = parser.parse_args(argv)
    demo = start_demo_account(args.estate_dir, port=args.port, region=args.region, other_places=not args.one_account)
    print(f"iacviz demo account at {demo.endpoint_url} ({len(demo.stacks)} stacks, account {demo.account})")
    for place in demo.places:
        print(f"  and {', '.join(OTHER_STACKS)} in account {place.account}, region {place.region}")
    for err in demo.errors:
        print(f"  not deployed: {err.stack}: {err.message}", file=sys.stderr)
    print("Use it from a shell with:")
    for key, value in demo.env.items():
        print(f"  export {key}={value}")
    print(f'or: iacviz.load_live(endpoint_url="{demo.endpoint_url}", regions=["{demo.region}"])')
    if demo.places:
        print(
            f'every account and region: iacviz.load_live(endpoint_url="{demo.endpoint_url}", '
            f'accounts={demo.accounts}, role_name="{DEMO_ROLE}", regions={demo.regions})'
        )
    print("Ctrl-C stops it.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        demo.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
