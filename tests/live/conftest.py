"""Fixtures of the live tests: a moto server on 127.0.0.1 with the sample estate deployed.

Nothing here mocks iacviz: every call goes through botocore to the local moto server.
Where moto lacks an operation (ListImports, the drift calls) a test uses
:class:`OperationStubber`, botocore's Stubber limited to those operations, whose responses
the Stubber validates against the real service model. Failures (denied, throttled) are
injected with botocore ``before-send`` hooks on the real, moto-backed clients.

moto keeps state per process, shared by every server in it: tests that deploy stacks of
their own do so in a region of their own.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from live_helpers import REGION

from iacviz.lab.demo_account import deploy_demo, reset, start_server

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample-estate"

# Fake credentials only: nothing may reach a real AWS account from these tests.
for _key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
    os.environ.pop(_key, None)
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
)


@pytest.fixture(scope="session")
def moto_server():
    """URL of moto's ThreadedMotoServer on 127.0.0.1 (free port), stopped after the session."""
    server, url = start_server()
    reset(url)
    yield url
    server.stop()


@pytest.fixture(scope="session")
def demo_account(moto_server):
    """The sample estate deployed through create_stack, plus three out-of-stack resources."""
    demo = deploy_demo(moto_server, SAMPLE, REGION)
    assert not demo.errors, demo.errors
    return demo
