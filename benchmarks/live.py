"""Live scan: ``iacviz.load_live`` against a plain sequential boto3 loop, on a local moto server.

Reuses :mod:`benchmarks.bench_live` (server on 127.0.0.1 in its own process, N small stacks that
export and import, botocore hooks counting API calls and adding an optional modelled round
trip). Scenarios, each as wall time and API calls:

* full scan: the boto3 loop (DescribeStacks, then ListStackResources and GetTemplate per stack,
  ListExports) against ``load_live`` (same reads, 8 threads, plus the Estate built);
* refresh with nothing changed (``load_live(since=previous)``), and after one stack's update.

The boto3 loop and the full ``load_live`` alternate (best of the rounds). With no modelled
latency, moto answers from the same 2 cores, so threads buy little; with a modelled round trip
(``latency_ms``, added to every request of both clients) the threads' overlap shows.
"""

from __future__ import annotations

import json
import time
from typing import Any

from benchmarks import bench_live as bl


def _scan_pair(url: str, latency_ms: float, rounds: int) -> tuple[dict, dict, Any]:
    best: dict[str, dict[str, Any]] = {}
    estate = None
    for r in range(rounds):
        order = ["boto3", "iacviz"] if r % 2 == 0 else ["iacviz", "boto3"]
        for who in order:
            if who == "boto3":
                seconds, calls, n = bl.boto3_loop(url, latency_ms)
            else:
                seconds, calls, estate = bl.iacviz_read(url, latency_ms)
                n = len(estate.stacks)
            if who not in best or seconds < best[who]["wall_s"]:
                best[who] = {"wall_s": seconds, "calls": sum(calls.values()), "by_call": dict(calls), "stacks": n}
    return best["boto3"], best["iacviz"], estate


def run(quick: bool = False, log=print) -> dict[str, Any]:
    n = 100 if quick else 500
    rounds = 1 if quick else 2
    latencies = [0.0] if quick else [0.0, 20.0]
    proc, url = bl.start_server()
    out: dict[str, Any] = {"stacks": n, "rounds": rounds, "scenarios": []}
    try:
        t0 = time.perf_counter()
        bl.deploy(url, n)
        out["deploy_s"] = time.perf_counter() - t0
        log(f"live: deployed {n} stacks into moto in {out['deploy_s']:.1f} s")
        for latency in latencies:
            boto, ours, estate = _scan_pair(url, latency, rounds)
            rows = [("boto3 sequential loop, full scan", boto), ("iacviz load_live (8 threads), full scan", ours)]
            seconds, calls, same = bl.iacviz_read(url, latency, since=estate)
            rows.append(
                (
                    "iacviz refresh, nothing changed",
                    {
                        "wall_s": seconds,
                        "calls": sum(calls.values()),
                        "by_call": dict(calls),
                        "stacks": len(same.stacks),
                    },
                )
            )
            if latency == latencies[0]:
                cf = bl.make_session(0)[0].client("cloudformation", endpoint_url=url)
                cf.update_stack(
                    StackName="s2",
                    TemplateBody=json.dumps(
                        {
                            "Resources": {"Q": {"Type": "AWS::SQS::Queue"}, "Q2": {"Type": "AWS::SQS::Queue"}},
                            "Outputs": {
                                "Arn": {"Value": {"Fn::GetAtt": ["Q", "Arn"]}, "Export": {"Name": "s2-QueueArn"}}
                            },
                        }
                    ),
                )
                seconds, calls, _ = bl.iacviz_read(url, latency, since=same)
                rows.append(
                    (
                        "iacviz refresh, 1 stack updated",
                        {
                            "wall_s": seconds,
                            "calls": sum(calls.values()),
                            "by_call": dict(calls),
                            "stacks": len(same.stacks),
                        },
                    )
                )
            for name, row in rows:
                out["scenarios"].append({"latency_ms": latency, "scenario": name, **row})
            log(
                f"live: latency {latency:g} ms: boto3 {boto['wall_s']:.2f} s, load_live {ours['wall_s']:.2f} s, "
                f"refresh {rows[2][1]['wall_s']:.2f} s"
            )
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return out


if __name__ == "__main__":
    import sys

    from benchmarks.common import log

    print(json.dumps(run(quick="--quick" in sys.argv[1:], log=log), default=str))
