"""One region of a live read: list stacks, fetch each stack (in the pool), exports, imports.

Used by :func:`iacviz.sources.live.read_live`; every AWS call here goes through the guarded
clients of that module. Failures become `ErrorRow`s; a `LiveError` (a refused write) is a
bug and propagates.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from typing import Any, Iterable

from botocore.exceptions import ClientError

from iacviz.errors import LiveError, TemplateError
from iacviz.sources.live import (
    CALL_ERRORS,
    explain,
    iso,
    mask_parameters,
    paginate,
    parse_body,
    stack_facts,
    unchanged,
    unsupported,
)
from iacviz.sources.amplify import live_identity
from iacviz.sources.raw import ErrorRow, RawStack

DRIFT_POLL_SECONDS = 2.0  # DescribeStackDriftDetectionStatus is cheap; detection takes 5-60 s
DRIFT_TIMEOUT_SECONDS = 600.0


class RegionScan:
    """The state of one (account, region) during a read; methods are called in this order:
    list_stacks, fetch (per stack, concurrently), link_nested, read_exports_imports."""

    def __init__(
        self,
        clients,
        account: str,
        region: str,
        include: set[str],
        detect_drift: bool,
        previous: dict[str, RawStack],
        pool,
    ):
        self.clients, self.account, self.region, self.include = clients, account, region, include
        self.detect_drift, self.previous, self.pool = detect_drift, previous, pool
        self.cf = clients("cloudformation", region)
        self.summaries: list[dict] = []
        self.stacks: list[RawStack] = []
        self.errors: list[ErrorRow] = []
        self.exports: list[dict] = []
        self.imports: list[dict] = []
        self._done: dict[str, RawStack] = {}
        self._reused: set[str] = set()
        self._unsupported: set[str] = set()
        self._lock = threading.Lock()
        self.reachable = True  # False when DescribeStacks failed: the rest of the region is skipped

    # -- bookkeeping -----------------------------------------------------------------
    def source(self, target: str) -> str:
        return f"live:{self.account}/{self.region}/{target}"

    def fail(self, target: str, exc: BaseException, stack: str | None = None, severity: str = "error") -> None:
        if isinstance(exc, LiveError):
            raise exc
        if isinstance(exc, TemplateError):
            row = ErrorRow(self.source(target), exc.line, exc.severity, exc.message, stack)
        else:
            row = ErrorRow(self.source(target), 0, severity, explain(exc), stack)
        with self._lock:
            self.errors.append(row)

    def _not_here(self, operation: str, exc: BaseException) -> bool:
        """Record once that the endpoint lacks `operation` (moto: ListImports, drift calls)."""
        if not unsupported(exc):
            return False
        with self._lock:
            first = operation not in self._unsupported
            self._unsupported.add(operation)
        if first:
            self.fail(operation, exc, severity="warning")
        return True

    # -- stacks ----------------------------------------------------------------------
    def list_stacks(self, names: Iterable[str] | None) -> None:
        """DescribeStacks (paginated), without deleted stacks, narrowed to `names` and their nested stacks."""
        try:
            stacks = paginate(self.cf, "describe_stacks", "Stacks")
        except CALL_ERRORS as exc:
            self.fail("DescribeStacks", exc)
            self.reachable = False
            return
        stacks = [s for s in stacks if s.get("StackStatus") != "DELETE_COMPLETE"]
        if names is not None:
            wanted = set(names)
            roots = {s["StackId"] for s in stacks if s["StackName"] in wanted}
            stacks = [s for s in stacks if s["StackName"] in wanted or s.get("RootId") in roots]
            for missing in sorted(wanted - {s["StackName"] for s in stacks}):
                self.errors.append(
                    ErrorRow(self.source(missing), 0, "warning", "no such stack in this region", missing)
                )
        self.summaries = stacks

    def fetch_or_report(self, summary: dict) -> None:
        """:meth:`fetch`, with anything unexpected (an odd API answer) reported as an error row."""
        try:
            self.fetch(summary)
        except LiveError:
            raise
        except Exception as exc:  # one odd stack must not end the scan of the others
            name = summary.get("StackName", "?")
            with self._lock:
                self.errors.append(
                    ErrorRow(
                        self.source(name),
                        0,
                        "error",
                        f"unexpected {type(exc).__name__} while reading the stack: {exc}",
                        name,
                    )
                )

    def fetch(self, summary: dict) -> None:
        """Build the RawStack of one DescribeStacks entry (runs in a pool thread)."""
        name, sid = summary["StackName"], summary["StackId"]
        facts = stack_facts(summary, self.account, self.region)
        prev = self.previous.get(sid)
        needs: set[str] = {x for x in ("templates", "resources") if x in self.include}
        reuse = unchanged(prev, facts, needs)
        if reuse:
            template, raw_template, lines, transform = prev.template, prev.raw_template, prev.lines, prev.transform
            resources = copy.deepcopy(prev.live_resources)
            fetched = set(prev.live.get("fetched", ()))
        else:
            template, raw_template, lines, transform, resources, fetched = {}, None, {}, None, {}, set()
            if "templates" in self.include:
                try:
                    template, raw_template, lines, transform = self._template(sid, name)
                    fetched.add("templates")
                except CALL_ERRORS as exc:
                    self.fail(name, exc, name)
        if self.detect_drift:
            self._detect(sid, name, facts)
        drift_moved = prev is not None and prev.live.get("drift_checked") != facts["drift_checked"]
        fresh = not reuse or drift_moved or self.detect_drift
        if "resources" in self.include and fresh:
            try:  # after a new drift check the per-resource drift statuses moved too
                resources = self._resources(sid)
                fetched.add("resources")
            except CALL_ERRORS as exc:
                self.fail(name, exc, name)
        if "drift" in self.include and facts["drift_status"] == "DRIFTED" and fresh:
            self._drifts(sid, name, resources)
        if not template and resources:
            # no template (not asked for, or denied): the model still gets every resource and type
            template = {"Resources": {lid: {"Type": r.get("resource_type")} for lid, r in resources.items()}}
        facts["parameters"] = mask_parameters(facts["parameters"], template, raw_template)
        facts["fetched"] = sorted(fetched)
        app, environment = live_identity(name, facts.get("tags")) or (None, None)
        raw = RawStack(
            name=name,
            source=self.source(name),
            format="live",
            template=template,
            lines=lines,
            transform=transform,
            raw_template=raw_template,
            cdk_paths=_cdk_paths(template),
            generated_by=_generated_by(raw_template, template, transform),
            parameter_values=dict(facts["parameters"]),
            parameter_values_source="live",
            account=self.account,
            region=self.region,
            environment=environment,
            app=app,
            live=facts,
            live_resources=resources,
        )
        with self._lock:
            self._done[sid] = raw
            if reuse:
                self._reused.add(sid)

    def _template(self, sid: str, name: str) -> tuple[dict, dict | None, dict, str | None]:
        """(template, raw_template, lines, transform): Processed when the Original has transforms."""
        source = self.source(name)
        body = self.cf.get_template(StackName=sid, TemplateStage="Original")["TemplateBody"]
        original, lines = parse_body(body, source)
        top = original.get("Transform")
        if not top and "Fn::Transform" not in json.dumps(original):
            return original, None, lines, None
        body = self.cf.get_template(StackName=sid, TemplateStage="Processed")["TemplateBody"]
        processed, _ = parse_body(body, source)
        names = top if isinstance(top, list) else [top] if top else ["AWS::Include"]
        transform = ",".join(t if isinstance(t, str) else str(t.get("Name")) for t in names)
        return processed, original, {}, transform  # source lines do not map onto the expansion

    def _resources(self, sid: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for r in paginate(self.cf, "list_stack_resources", "StackResourceSummaries", StackName=sid):
            lid = r.get("LogicalResourceId")
            if not lid:
                continue  # moto lists resource types it cannot create with an empty logical id
            out[lid] = {
                "physical_id": r.get("PhysicalResourceId") or None,
                "resource_status": r.get("ResourceStatus"),
                "resource_type": r.get("ResourceType"),
                "status_reason": r.get("ResourceStatusReason"),
                "last_updated": iso(r.get("LastUpdatedTimestamp")),
                "drift_status": (r.get("DriftInformation") or {}).get("StackResourceDriftStatus"),
            }
        return out

    def _drifts(self, sid: str, name: str, resources: dict) -> None:
        """Results of the last drift detection (no new detection): what changed, property by property."""
        if "DescribeStackResourceDrifts" in self._unsupported:
            return
        try:
            drifts = paginate(
                self.cf,
                "describe_stack_resource_drifts",
                "StackResourceDrifts",
                StackName=sid,
                StackResourceDriftStatusFilters=["MODIFIED", "DELETED"],
            )
        except CALL_ERRORS as exc:
            if not self._not_here("DescribeStackResourceDrifts", exc):
                self.fail(name, exc, name, severity="warning")
            return
        for d in drifts:
            r = resources.setdefault(
                d["LogicalResourceId"],
                {"physical_id": d.get("PhysicalResourceId"), "resource_type": d.get("ResourceType")},
            )
            r["drift_status"] = d.get("StackResourceDriftStatus")
            r["property_differences"] = [
                {
                    "path": p.get("PropertyPath"),
                    "expected": p.get("ExpectedValue"),
                    "actual": p.get("ActualValue"),
                    "kind": p.get("DifferenceType"),
                }
                for p in d.get("PropertyDifferences") or []
            ]

    def _detect(self, sid: str, name: str, facts: dict) -> None:
        """DetectStackDrift then wait for it (only with detect_drift=True: the one allowed write)."""
        if "DetectStackDrift" in self._unsupported:
            return
        try:
            detection = self.cf.detect_stack_drift(StackName=sid)["StackDriftDetectionId"]
            deadline = time.monotonic() + DRIFT_TIMEOUT_SECONDS
            while True:
                status = self.cf.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
                if status["DetectionStatus"] != "DETECTION_IN_PROGRESS" or time.monotonic() > deadline:
                    break
                time.sleep(DRIFT_POLL_SECONDS)
        except CALL_ERRORS as exc:
            if not self._not_here("DetectStackDrift", exc):
                self.fail(name, exc, name, severity="warning")
            return
        if status["DetectionStatus"] != "DETECTION_COMPLETE":
            reason = status.get("DetectionStatusReason") or status["DetectionStatus"]
            self.errors.append(ErrorRow(self.source(name), 0, "warning", f"drift detection: {reason}", name))
        if status.get("StackDriftStatus"):
            facts["drift_status"] = status["StackDriftStatus"]
            facts["drift_checked"] = iso(status.get("Timestamp")) or facts["drift_checked"]

    # -- after all stacks --------------------------------------------------------------
    def link_nested(self) -> None:
        """Order the stacks as DescribeStacks listed them and link nested stacks to their parent.

        The parent's AWS::CloudFormation::Stack resource has the child's StackId as physical
        id on AWS (moto: the child's name), which also gives the parent's logical id;
        ParentId alone (AWS) is the fallback.
        """
        self.stacks = [self._done[s["StackId"]] for s in self.summaries if s["StackId"] in self._done]
        by_id = {s.live["stack_id"]: s for s in self.stacks}
        owner: dict[str, tuple[str, str]] = {}
        for s in self.stacks:
            for lid, r in s.live_resources.items():
                if r.get("resource_type") == "AWS::CloudFormation::Stack" and r.get("physical_id"):
                    owner[r["physical_id"]] = (s.name, lid)
        for s in self.stacks:
            hit = owner.get(s.live["stack_id"]) or owner.get(s.name)
            if hit:
                s.parent_stack, s.parent_resource = hit
            elif s.live.get("parent_id") in by_id:
                s.parent_stack = by_id[s.live["parent_id"]].name
            if s.parent_stack:
                s.stack_dependencies = [s.parent_stack]  # as the files reader: a child deploys with its parent

    def read_exports_imports(self) -> None:
        """ListExports, then ListImports per export (reused when no stack of the region changed)."""
        names = {s.live["stack_id"]: s.name for s in self.stacks}
        try:
            exports = paginate(self.cf, "list_exports", "Exports")
        except CALL_ERRORS as exc:
            self.fail("ListExports", exc)
            exports = []
        self.exports = [
            {
                "account": self.account,
                "region": self.region,
                "name": e["Name"],
                "value": e.get("Value"),
                "exporting_stack": names[e["ExportingStackId"]],
                "exporting_stack_id": e["ExportingStackId"],
            }
            for e in exports
            if e.get("ExportingStackId") in names
        ]
        if "imports" not in self.include:
            return
        importers = self._previous_imports()
        if importers is None:
            importers = self._list_imports([e["name"] for e in self.exports])
        if importers is None:
            return
        for s in self.stacks:  # kept on the exporting stack so that a later refresh can reuse them
            s.live["imports"] = {
                e["name"]: importers.get(e["name"], []) for e in self.exports if e["exporting_stack"] == s.name
            }
        for e in self.exports:
            for importer in importers.get(e["name"], []):
                self.imports.append(
                    {
                        "account": self.account,
                        "region": self.region,
                        "export_name": e["name"],
                        "exporting_stack": e["exporting_stack"],
                        "importing_stack": importer,
                    }
                )

    def _previous_imports(self) -> dict[str, list[str]] | None:
        """Imports can only change when a stack is created, updated or deleted: reuse them otherwise."""
        before = {sid for sid, r in self.previous.items() if r.account == self.account and r.region == self.region}
        now = {s.live["stack_id"] for s in self.stacks}
        if not self.previous or before != now or self._reused != now:
            return None
        if any("imports" not in self.previous[sid].live for sid in now):
            return None
        return {k: list(v) for sid in now for k, v in self.previous[sid].live["imports"].items()}

    def _list_imports(self, export_names: list[str]) -> dict[str, list[str]] | None:
        if not export_names:
            return {}
        try:  # one call first: an endpoint without ListImports (moto) is then asked only once
            first = self._imports_of(export_names[0])
        except CALL_ERRORS as exc:
            if not self._not_here("ListImports", exc):
                self.fail(export_names[0], exc)
            return None
        found = {export_names[0]: first}

        def one(name: str) -> None:
            try:
                found[name] = self._imports_of(name)
            except CALL_ERRORS as exc:
                self.fail(name, exc)

        list(self.pool.map(one, export_names[1:]))
        return found

    def _imports_of(self, export_name: str) -> list[str]:
        try:
            return paginate(self.cf, "list_imports", "Imports", ExportName=export_name)
        except ClientError as exc:
            if "is not imported by any stack" in str(exc.response.get("Error", {}).get("Message", "")):
                return []  # AWS answers an unused export with a ValidationError
            raise


def _generated_by(raw_template: dict | None, template: dict, transform: str | None) -> dict[str, str]:
    """SAM stacks: expanded logical id -> SAM resource, as the files reader reports it."""
    if not raw_template or "AWS::Serverless" not in (transform or ""):
        return {}
    from iacviz.sources.sam import _generated_by as sam_origins  # same rule as for files

    return sam_origins(raw_template, template)


def _cdk_paths(template: dict) -> dict[str, str]:
    """logical id -> aws:cdk:path, from the deployed template's Metadata (CDK stacks)."""
    out = {}
    for lid, res in (template.get("Resources") or {}).items():
        path = ((res or {}).get("Metadata") or {}).get("aws:cdk:path") if isinstance(res, dict) else None
        if isinstance(path, str):
            out[lid] = path
    return out
