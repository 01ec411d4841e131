"""Helpers of the live tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import json
import threading

import boto3
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber, UnStubbedResponseError

REGION = "us-east-1"  # the demo account's region


def session(region: str = REGION) -> boto3.Session:
    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)


def deploy(url: str, region: str, name: str, template: dict, parameters: dict | None = None) -> str:
    """create_stack in `region` of the local server; returns the StackId."""
    cf = session(region).client("cloudformation", endpoint_url=url)
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()]
    return cf.create_stack(StackName=name, TemplateBody=json.dumps(template), Parameters=params)["StackId"]


class OperationStubber(Stubber):
    """botocore's Stubber for a few operations only; every other call still reaches moto.

    Responses go through ``add_response`` (validated against the service model). They are
    matched to calls by parameters rather than by order, because iacviz calls concurrently.
    """

    def __init__(self, client, operations: set[str]):
        super().__init__(client)
        self.operations = operations
        self._local = threading.local()
        self._lock = threading.Lock()

    def activate(self):
        service = self.client.meta.service_model.service_id.hyphenize()
        for op in self.operations:
            self.client.meta.events.register(
                f"before-parameter-build.{service}.{op}", self._remember, unique_id=f"opstub-params-{id(self)}-{op}"
            )
            self.client.meta.events.register(
                f"before-call.{service}.{op}", self._respond, unique_id=f"opstub-call-{id(self)}-{op}"
            )

    def _remember(self, params, **_):
        self._local.params = dict(params)

    def _respond(self, model, **_):
        params = getattr(self._local, "params", {})
        with self._lock:
            for i, item in enumerate(self._queue):
                if item["operation_name"] == model.name and item["expected_params"] in (None, params):
                    del self._queue[i]
                    return item["response"]
        raise UnStubbedResponseError(operation_name=model.name, reason=f"nothing stubbed for {params}")


class StubbedSession(boto3.Session):
    """A session whose clients of `service` get an OperationStubber filled by `fill(stubber)`.

    iacviz makes new clients for every read: their stubbers share one queue, filled once.
    """

    def __init__(self, service: str, operations: set[str], fill, region: str = REGION):
        super().__init__(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
        self._stub = (service, operations, fill)
        self.stubbers: list[OperationStubber] = []

    def client(self, service_name, *args, **kwargs):
        client = super().client(service_name, *args, **kwargs)
        service, operations, fill = self._stub
        if service_name == service:
            stubber = OperationStubber(client, operations)
            if self.stubbers:
                stubber._queue = self.stubbers[0]._queue
            else:
                fill(stubber)
            stubber.activate()
            self.stubbers.append(stubber)
        return client


def imports_stubbed_session(demo) -> StubbedSession:
    """ListImports answered from what the demo deployed (moto does not implement it)."""

    def fill(stubber):
        cf = demo.client("cloudformation")
        for export in cf.list_exports()["Exports"]:
            importers = demo.imports.get(export["Name"])
            if importers:
                stubber.add_response("list_imports", {"Imports": importers}, {"ExportName": export["Name"]})
            else:  # what AWS answers for an export nobody imports
                stubber.add_client_error(
                    "list_imports",
                    "ValidationError",
                    f"Export '{export['Name']}' is not imported by any stack.",
                    expected_params={"ExportName": export["Name"]},
                )

    return StubbedSession("cloudformation", {"ListImports"}, fill)


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **_):
        yield self.data


def fail_with(status: int, code: str, message: str, when=lambda request: True, attempts: list | None = None):
    """A before-send hook answering matching requests with an AWS query-protocol error."""

    def hook(request, **_):
        if not when(request):
            return None
        if attempts is not None:
            attempts.append(request.url)
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
            f"</Error><RequestId>test</RequestId></ErrorResponse>"
        ).encode()
        return AWSResponse(request.url, status, {}, _Body(body))

    return hook


def body_of(request) -> str:
    body = request.body or b""
    return body.decode() if isinstance(body, bytes) else str(body)
