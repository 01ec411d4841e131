"""Live-read benchmark: iacviz's load_live vs a plain sequential boto3 loop, on a moto server.

Not a test. Run from the repo root::

    .venv/bin/python benchmarks/bench_live.py            # 500 stacks
    .venv/bin/python benchmarks/bench_live.py -n 100 --latency-ms 20

A moto server runs in a separate process on 127.0.0.1 (so that it does not share the
benchmark's GIL) with N small stacks: a queue and an export each, every second stack
importing its neighbour's export. Scenarios, each timed and with its API calls counted:

* boto3 loop: describe_stacks (paginated), then list_stack_resources and get_template for
  each stack, one after the other (what a hand-written script does);
* load_live: the same reads (templates, resources, exports) through iacviz, 8 threads,
  adaptive retries, plus building the Estate;
* load_live refresh: ``since=`` the previous estate, nothing changed;
* load_live refresh after one stack's update.

moto answers from the CPU of the same 2-core machine, so concurrency buys little against it;
``--latency-ms`` adds a fixed delay to every request of both clients (a botocore
``before-send`` hook) to model the round trip to AWS, where concurrency matters.
ListImports is left out (moto lacks it).
"""

from __future__ import annotations

import argparse
import collections
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import boto3  # noqa: E402

from iacviz.model.live import load_live  # noqa: E402

REGION = "us-east-1"
INCLUDE = ("templates", "resources", "exports")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).read()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("moto server did not start")


def make_session(latency_ms: float) -> tuple[boto3.Session, collections.Counter]:
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    calls: collections.Counter = collections.Counter()
    session.events.register("before-call", lambda model, **_: calls.update([model.name]))
    if latency_ms:
        session.events.register("before-send", lambda **_: time.sleep(latency_ms / 1000))
    return session, calls


def deploy(url: str, n: int) -> None:
    cf = make_session(0)[0].client("cloudformation", endpoint_url=url)
    for i in range(n):
        template = {
            "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
            "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Q", "Arn"]}, "Export": {"Name": f"s{i}-QueueArn"}}},
        }
        if i % 2:
            template["Resources"]["T"] = {
                "Type": "AWS::SNS::Topic",
                "Properties": {"DisplayName": {"Fn::ImportValue": f"s{i - 1}-QueueArn"}},
            }
        cf.create_stack(StackName=f"s{i}", TemplateBody=json.dumps(template))


def boto3_loop(url: str, latency_ms: float) -> tuple[float, collections.Counter, int]:
    session, calls = make_session(latency_ms)
    start = time.perf_counter()
    cf = session.client("cloudformation", endpoint_url=url)
    stacks = [s for page in cf.get_paginator("describe_stacks").paginate() for s in page["Stacks"]]
    out = {}
    for s in stacks:
        resources = cf.list_stack_resources(StackName=s["StackId"])["StackResourceSummaries"]
        template = cf.get_template(StackName=s["StackId"])["TemplateBody"]
        out[s["StackName"]] = (resources, template)
    exports = [e for page in cf.get_paginator("list_exports").paginate() for e in page["Exports"]]
    assert len(exports) == len(stacks)
    return time.perf_counter() - start, calls, len(out)


def iacviz_read(url: str, latency_ms: float, since=None):
    session, calls = make_session(latency_ms)
    start = time.perf_counter()
    estate = load_live(session, regions=[REGION], endpoint_url=url, include=INCLUDE, progress=False, since=since)
    return time.perf_counter() - start, calls, estate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--stacks", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    proc, url = start_server()
    try:
        t0 = time.perf_counter()
        deploy(url, args.stacks)
        print(
            f"deployed {args.stacks} stacks into moto in {time.perf_counter() - t0:.1f} s "
            f"(latency per request: {args.latency_ms:g} ms)\n"
        )
        rows = []
        seconds, calls, n = boto3_loop(url, args.latency_ms)
        rows.append(("boto3 sequential loop", n, seconds, calls))
        seconds, calls, estate = iacviz_read(url, args.latency_ms)
        rows.append(("iacviz load_live (8 threads)", len(estate.stacks), seconds, calls))
        seconds, calls, same = iacviz_read(url, args.latency_ms, since=estate)
        rows.append(("iacviz refresh, nothing changed", len(same.stacks), seconds, calls))
        cf = make_session(0)[0].client("cloudformation", endpoint_url=url)
        cf.update_stack(
            StackName="s2",
            TemplateBody=json.dumps(
                {
                    "Resources": {"Q": {"Type": "AWS::SQS::Queue"}, "Q2": {"Type": "AWS::SQS::Queue"}},
                    "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Q", "Arn"]}, "Export": {"Name": "s2-QueueArn"}}},
                }
            ),
        )
        seconds, calls, _ = iacviz_read(url, args.latency_ms, since=same)
        rows.append(("iacviz refresh, 1 stack updated", len(same.stacks), seconds, calls))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print("| scenario | stacks | API calls | GetTemplate | ListStackResources | wall s |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, n, seconds, calls in rows:
        print(
            f"| {name} | {n} | {sum(calls.values())} | {calls['GetTemplate']} | "
            f"{calls['ListStackResources']} | {seconds:.2f} |"
        )


if __name__ == "__main__":
    main()
