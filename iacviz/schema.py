"""Every frame iacviz produces, its columns, their dtypes and meaning: declared once, here.

**Stack keys.** Every ``stack`` column (and ``source_stack``, ``target_stack``,
``parent_stack``, ``export_stack``...) holds the *stack key*, unique in the estate: the
CloudFormation stack name when no other stack of the estate has it, otherwise
``NAME@ENVIRONMENT:REGION`` (estate-file environments) or ``NAME@ACCOUNT:REGION``, e.g.
``net@prod:eu-west-1``. A key never holds ``/``, so a target reads ``KEY/LogicalId``. The
CloudFormation name, account, region and environment are columns of ``stacks``; join other
frames to them on ``stack``, never on ``stack_name``. :mod:`iacviz.model.identity` builds
keys (``stack_key``) and reads what a user types (``resolve_stack``, ``split_target``).

The model and the analyses build frames through :func:`frame`, which orders the columns,
applies the dtypes and fails loudly on a column that is not declared, so a frame never
drifts from what this module documents. Every frame is here, the analyses' too, so
:func:`describe` knows them all without importing the module that computes them.

>>> list(frame("errors", []).columns)
['source', 'line', 'severity', 'message', 'stack']
"""

from __future__ import annotations

from functools import lru_cache

from typing import Any, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.core.dtypes.cast import construct_1d_object_array_from_listlike

# dtype vocabulary: "str" (pandas string, missing = NA), "int" (nullable Int64),
# "bool" (nullable boolean), "float", "object" (lists, dicts and raw template values).
_DTYPES = {"str": "string", "int": "Int64", "bool": "boolean", "float": "Float64", "object": "object"}
_ARROW_STRINGS = pd.StringDtype() == pd.StringDtype("pyarrow", na_value=pd.NA)

COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "stacks": {
        "stack": (
            "str",
            "stack key, unique in the estate: the stack name, or NAME@ENVIRONMENT:REGION / "
            "NAME@ACCOUNT:REGION when the name is deployed more than once (see the module doc)",
        ),
        "stack_name": ("str", "CloudFormation stack name: file stem, CDK artifact id, estate-file name or live name"),
        "source": ("str", "file (relative to the loaded root) or live:account/region/stack"),
        "format": (
            "str",
            "yaml, json, cdk, ebextension, amplify (an Amplify Gen 1 project's stacks), live or snapshot",
        ),
        "transform": ("str", "Transform of the template (comma-joined), e.g. AWS::Serverless-2016-10-31"),
        "description": ("str", "the template's Description"),
        "parent_stack": ("str", "for a nested stack: the stack that creates it"),
        "parent_resource": ("str", "for a nested stack: the parent's AWS::CloudFormation::Stack logical id"),
        "n_resources": ("int", "resources CloudFormation creates (SAM expanded)"),
        "modality": ("str", "persistent, ephemeral, mixed or unknown"),
        "stack_dependencies": ("object", "stacks this one must deploy after (CDK manifest, nesting)"),
        "account": ("str", "AWS account id (live and snapshot estates, estate-file environments)"),
        "region": ("str", "AWS region the stack is deployed in (NA: not said, offline)"),
        "environment": (
            "str",
            "environment (prod, dev...) the stack belongs to: the estate file's, an Amplify project's "
            "(team-provider-info, Gen 2 branch or sandbox-<user>), or a live Amplify stack's tags",
        ),
        "app": (
            "str",
            "application the stack belongs to: the Amplify project (Gen 1 projectName, live tag "
            "user:Application) or app id (Gen 2); NA for stacks of no Amplify app",
        ),
        "stack_status": ("str", "live: StackStatus"),
        "last_updated": ("str", "live: LastUpdatedTime (or CreationTime), ISO 8601"),
        "drift_status": ("str", "live: StackDriftStatus"),
        "created_by": (
            "str",
            "tool or service that created the stack for itself (cdk: bootstrap stack CDKToolkit, "
            "sam-cli: its managed stack, stackset: a StackSet's stack instance, elasticbeanstalk: an "
            "environment's awseb-e-* stack, amplify: a project's root stack, eksctl); NA: the user's",
        ),
    },
    "resources": {
        "stack": ("str", "stack key (see stacks.stack)"),
        "logical_id": ("str", "logical id in the (expanded) template"),
        "type": ("str", "resource type, e.g. AWS::EC2::VPC"),
        "service": ("str", "the service part of the type, e.g. EC2; Custom for custom resources"),
        "condition": ("str", "the resource's Condition, if any"),
        "condition_value": (
            "bool",
            "that condition evaluated with the stack's parameter values, and for a nested stack the "
            "Condition of its AWS::CloudFormation::Stack resource in the parent (False: the resource is "
            "not created; NA: unknown)",
        ),
        "deletion_policy": ("str", "DeletionPolicy as written or resolved (NA: CloudFormation's default)"),
        "update_replace_policy": ("str", "UpdateReplacePolicy as written or resolved"),
        "depends_on": ("object", "list of logical ids in DependsOn"),
        "line": ("int", "1-based line of the resource in its source file (NA when generated)"),
        "stateful": ("bool", "holds data that a replacement or deletion loses"),
        "modality": ("str", "persistent, ephemeral, neutral (CloudFormation machinery, custom resources) or unknown"),
        "generated_by": (
            "str",
            "what generated it: the SAM resource it was expanded from, ElasticBeanstalk (.ebextensions "
            "references), or amplify (templates the Amplify CLI or an Amplify Gen 2 backend generated)",
        ),
        "cdk_path": ("str", "CDK construct path from aws:cdk:path metadata"),
        "physical_id": ("str", "live: PhysicalResourceId"),
        "resource_status": ("str", "live: ResourceStatus"),
        "drift_status": ("str", "live: StackResourceDriftStatus"),
        "deployment": (
            "str",
            "blue/green: a CodeDeploy blue/green hook of the stack covers it (see blue_green), so an "
            "update of its task definition shifts traffic to a green copy; NA: CloudFormation updates it",
        ),
    },
    "properties": {
        "stack": ("str", "stack key (see stacks.stack)"),
        "logical_id": ("str", "resource logical id"),
        "path": ("str", "JSON pointer of the leaf, e.g. /properties/Tier/Name or /properties/Tags/0/Key"),
        "value": ("object", "the leaf value: a scalar, or an intrinsic function as a dict"),
        "update_behavior": ("str", "replace (create-only), conditional, in-place or unknown (type not in the schemas)"),
        "driven_by": (
            "object",
            "what an intrinsic value depends on: ref:X, getatt:X.Attr, import, "
            "mapping:M, condition:C, pseudo:AWS::Region (None for literals)",
        ),
    },
    "parameters": {
        "stack": ("str", "stack key (see stacks.stack)"),
        "name": ("str", "parameter key"),
        "type": ("str", "parameter Type"),
        "default": ("object", "Default as written"),
        "value": ("object", "value used: passed by the user or a parent stack, else the default"),
        "value_source": (
            "str",
            "user (load or --parameters), estate-file, amplify (team-provider-info.json), parent, default, live or missing",
        ),
        "no_echo": ("bool", "NoEcho parameter (its value is never shown)"),
        "description": ("str", "the parameter's Description"),
    },
    "outputs": {
        "stack": ("str", "stack key (see stacks.stack)"),
        "name": ("str", "output logical id"),
        "value": ("object", "Value expression as written"),
        "resolved_value": ("str", "Value where it can be resolved offline (or the live value)"),
        "export_name": ("str", "Export.Name resolved with the stack's parameters (may hold ${...} placeholders)"),
        "export_expr": ("object", "Export.Name expression as written"),
        "condition": ("str", "the output's Condition"),
        "description": ("str", "the output's Description"),
        "line": ("int", "1-based source line"),
    },
    "conditions": {
        "stack": ("str", "stack key (see stacks.stack)"),
        "name": ("str", "condition name"),
        "expression": ("object", "the condition as written"),
        "value": ("bool", "evaluated with the stack's parameter values (NA: unknown)"),
    },
    "mappings": {
        "stack": ("str", "stack key (see stacks.stack)"),
        "mapping": ("str", "mapping name"),
        "key": ("str", "top-level key"),
        "name": ("str", "second-level key"),
        "value": ("object", "the value"),
    },
    "references": {
        "source_stack": ("str", "stack holding the reference"),
        "source": ("str", "logical id, Outputs.X, Conditions.X or Parameters.X that holds it"),
        "source_path": ("str", "JSON pointer inside the source, e.g. /properties/VpcId"),
        "target_stack": ("str", "stack of the target (for an import: filled by exports analysis)"),
        "target": ("str", "what is referenced: logical id, parameter, pseudo parameter, export name..."),
        "target_kind": ("str", "resource, parameter, pseudo, export, condition, mapping, stack or unknown"),
        "kind": (
            "str",
            "Ref, GetAtt, Sub, DependsOn, ImportValue, Condition, FindInMap, NestedStack, or Deploys (a "
            "CodePipeline deploy action to the stack or resource it deploys; no target_stack: not in the estate)",
        ),
        "attribute": ("str", "GetAtt attribute (or Sub ${X.Attr})"),
        "active": (
            "bool",
            "CloudFormation evaluates it under the parameter values: the source's Condition "
            "and each Fn::If branch on the way are met, and for a nested stack the Condition of its "
            "AWS::CloudFormation::Stack resource in the parent (NA: unknown)",
        ),
    },
    "option_settings": {
        "stack": ("str", "stack (the .ebextensions folder's application)"),
        "source": ("str", "config file"),
        "namespace": ("str", "option namespace, e.g. aws:autoscaling:asg"),
        "option_name": ("str", "option name"),
        "value": ("object", "the value"),
        "resource_name": ("str", "resource_name when set"),
    },
    "wire_suggestions": {
        "parameter": ("str", "parameter key that names another stack, e.g. ParentVPCStack (estate-wide)"),
        "value": ("str", "a candidate value: the name of a stack whose exports the imports would then link to"),
        "exporter": ("str", "that stack (its estate key)"),
        "source": ("str", "the exporter's template file"),
        "rank": ("int", "1 for the best candidate of the parameter"),
        "suggested": ("bool", "the single best value, written into the estate-file snippet"),
        "tie": ("bool", "fits exactly as well as another candidate: listed, never picked"),
        "stacks": ("object", "stacks declaring the parameter whose imports do not link exactly"),
        "n_import_sites": ("int", "those imports (Fn::ImportValue sites, active or maybe active)"),
        "names_needed": ("int", "distinct import names built from the parameter"),
        "names_exported": ("int", "how many of them the candidate exports"),
        "missing": ("object", "the names it does not export"),
        "description_match": ("bool", "the parameter's Description names a template the candidate's file matches"),
        "naming_match": ("bool", "the parameter's name without Parent/Stack is part of the candidate's name"),
        "reason": ("str", "the evidence in words"),
    },
    "blue_green": {
        "stack": ("str", "stack key of the template declaring the hook"),
        "hook": ("str", "logical id of the AWS::CodeDeploy::BlueGreen hook (Hooks section)"),
        "role": (
            "str",
            "what the resource is to the deployment: service (the ECS service deployed), task_definition, "
            "task_set, prod_route, test_route (listeners) or target_group",
        ),
        "logical_id": ("str", "logical id the hook names"),
        "color": ("str", "task definitions and task sets: blue (in the template) or green (made during an update)"),
        "exists": ("bool", "the logical id is a resource of the template (green ones are not, by design)"),
        "type": ("str", "its resource type, when it exists"),
        "service_role": ("str", "the hook's ServiceRole (the IAM role CodeDeploy uses)"),
        "traffic_routing": ("str", "TrafficRoutingConfig Type: AllAtOnce, TimeBasedCanary or TimeBasedLinear"),
    },
    "script_reads": {
        "file": ("str", "script (buildspec, shell script, Makefile, workflow...) relative to the estate folder"),
        "line": ("int", "1-based line of the command (its first line when continued with \\)"),
        "tool": ("str", "aws-cli or boto3"),
        "call": ("str", "list-exports (reads an export) or describe-stacks (reads a stack's outputs)"),
        "export_name": ("str", "list-exports: the export read (shell variables as ${VAR} placeholders)"),
        "stack_name": ("str", "describe-stacks: the stack named by --stack-name / StackName="),
        "output_key": ("str", "describe-stacks: the OutputKey the query selects (NA: every output)"),
        "text": ("str", "the command as written (at most 200 characters)"),
    },
    "errors": {
        "source": ("str", "file or API target that failed"),
        "line": ("int", "1-based line (0: not known)"),
        "severity": ("str", "error, warning or info"),
        "message": ("str", "what is wrong, in words"),
        "stack": ("str", "stack concerned, when known"),
    },
    # live estates (load_live and their snapshots) also hold these frames
    "unmanaged": {
        "account": ("str", "AWS account id"),
        "region": ("str", "region (global for IAM roles)"),
        "service": ("str", "service part of the type, as in resources.service (S3, SQS, EC2...)"),
        "type": ("str", "CloudFormation type when known, else <arn service>:<resource type>"),
        "id": ("str", "the id a stack would report as physical id (bucket name, queue URL, sg-...)"),
        "arn": ("str", "ARN"),
        "tags": ("object", "dict of the resource's tags (when the listing returns them)"),
        "managed_by": (
            "str",
            "none (click-ops: made by hand or by a script), service (made by an AWS service, e.g. "
            "the instances of an Auto Scaling group, Lambda's /aws/lambda/<function> log group, a "
            "Beanstalk environment's resources; see iacviz.cfn.service_managed) or aws (an "
            "AWS-owned default: default VPC and subnets, default security groups, service-linked "
            "roles, AWS managed keys)",
        ),
        "owner_stack": (
            "str",
            "service-managed: the stack (key) whose resource the service made it for (NA: the owner "
            "is in no stack read)",
        ),
        "owner_logical_id": ("str", "service-managed: that resource's logical id"),
        "owner_service": (
            "str",
            "service-managed: the service that made it, as the service part of a type (Lambda, "
            "AutoScaling, EKS, ECS, ElasticBeanstalk, CodeDeploy...)",
        ),
    },
    "live_exports": {
        "account": ("str", "AWS account id"),
        "region": ("str", "region"),
        "export_name": ("str", "export name as deployed"),
        "value": ("str", "exported value as deployed"),
        "stack": ("str", "exporting stack"),
        "stack_id": ("str", "exporting stack's StackId"),
    },
    "live_imports": {
        "account": ("str", "AWS account id"),
        "region": ("str", "region"),
        "export_name": ("str", "export imported"),
        "exporting_stack": ("str", "stack that exports it"),
        "importing_stack": ("str", "stack importing it (ListImports)"),
    },
    # derived frames (estate.exports, ...) and analysis results, computed above the model
    "findings": {
        "rule_id": ("str", "id of the rule that found it, e.g. W3001 (letter: severity; thousands: category)"),
        "severity": ("str", "error, warning or info"),
        "stack": ("str", "stack concerned (NA: the account, e.g. an unmanaged resource)"),
        "logical_id": ("str", "resource logical id, Outputs.X for an output, or the resource's id when unmanaged"),
        "message": ("str", "what was found, naming stacks, resources and values"),
        "fix": ("str", "how to fix it"),
        "title": ("str", "the rule's title"),
        "active": (
            "bool",
            "what it is about exists under the parameter values: the resource's or output's "
            "Condition, or for an import its conditions (NA: unknown)",
        ),
        "line": (
            "int",
            "source line of the resource, output or parameter a review --lint (cfn-lint) finding is "
            "about, also on an iacviz finding cfn-lint repeats (NA: not linted, live, or whole template)",
        ),
    },
    "exports": {
        "export_name": ("str", "Export.Name, resolved with the stack's parameters (may hold ${...} placeholders)"),
        "stack": ("str", "exporting stack"),
        "output": ("str", "output logical id"),
        "value": ("object", "the output's Value expression as written"),
        "resolved_value": ("str", "the value where it can be resolved offline"),
        "pattern": ("bool", "the name still holds ${...} placeholders (matched as a pattern)"),
        "n_importers": ("int", "stacks importing it (exact or inferred links)"),
        "importers": ("object", "sorted list of those stacks"),
        "possible_importers": ("object", "stacks whose ambiguous import lists it among the candidates"),
        "resources": ("object", "logical ids of the resources behind the value (Ref/GetAtt/Sub in Value)"),
        "reexport_of": ("str", "the import name when the value itself comes from Fn::ImportValue"),
        "script_readers": (
            "object",
            "scripts reading it with the AWS CLI or SDK, as file:line (CloudFormation does not know them)",
        ),
    },
    "imports": {
        "stack": ("str", "importing stack (NA: a script)"),
        "source": (
            "str",
            "logical id or Outputs.X holding the Fn::ImportValue; for a script the call "
            "(list-exports, describe-stacks)",
        ),
        "path": ("str", "JSON pointer of the Fn::ImportValue inside the source (NA: a script)"),
        "export_name": ("str", "import name as resolved (may hold ${...} placeholders)"),
        "export_stack": ("str", "exporting stack (exact or inferred links)"),
        "export_output": ("str", "exporting output logical id"),
        "export_resources": ("object", "resources behind that output in the exporting stack"),
        "link": (
            "str",
            "exact, inferred, ambiguous, dangling, unresolved, or inactive (matches nothing, but sits "
            "under a condition that is false, so CloudFormation never evaluates it)",
        ),
        "active": (
            "bool",
            "CloudFormation evaluates the import under the parameter values (its resource's "
            "Condition and the Fn::If branches around it); NA: unknown",
        ),
        "inferred_from": ("str", "assumption of an inferred link, e.g. NetworkStack=network (ambiguous: the pattern)"),
        "candidates": ("object", "ambiguous: the matching export names"),
        "candidate_stacks": ("object", "ambiguous: the stack of each candidate (same order)"),
        "via": (
            "str",
            "ImportValue (Fn::ImportValue in a template) or script (an AWS CLI or SDK call in a "
            "script of the estate folder, see script_reads)",
        ),
        "file": ("str", "the file holding the import: the template, or the script"),
        "line": ("int", "1-based line in that file: the resource or output, or the script's command"),
    },
    "export_problems": {
        "kind": (
            "str",
            "dangling import, ambiguous import, unresolved import, unused export, duplicate export, "
            "stack cycle, re-export, or dangling / ambiguous script read (a script's AWS CLI or SDK read)",
        ),
        "severity": ("str", "error, warning or info"),
        "stack": ("str", "stack concerned (NA: a script)"),
        "source": (
            "str",
            "logical id holding the import, or Outputs.X of the export, or the script's file "
            "(NA: a duplicate name or a cycle)",
        ),
        "name": ("str", "export or import name (a cycle: the stacks joined by ' -> ')"),
        "active": (
            "bool",
            "for an import: CloudFormation evaluates it under the parameter values (NA: unknown, "
            "or a problem of an export or a cycle)",
        ),
        "message": ("str", "what is wrong, naming stacks and exports"),
    },
    "coverage": {
        "service": ("str", "service part of the resource type (S3, SQS, EC2...)"),
        "managed": (
            "int",
            "deployed resources owned by a stack (a physical id in resources), and what a service "
            "made for one (unmanaged rows with managed_by service)",
        ),
        "unmanaged": ("int", "click-ops resources found outside every stack (managed_by none)"),
        "service_managed": ("int", "of managed: what a service made outside the stacks (managed_by service)"),
        "aws_default": ("int", "AWS-owned defaults (managed_by aws): neither managed nor unmanaged"),
        "coverage_pct": ("float", "managed / (managed + unmanaged) * 100"),
    },
    "blast_radius": {
        "stack": ("str", "stack of the affected resource or output; (scripts) for a script, which is no stack"),
        "logical_id": (
            "str",
            "logical id (Outputs.X for an output; Parameters.X for a parameter target; file:line for a script)",
        ),
        "kind": ("str", "resource, output, script (reads the output with the AWS CLI or SDK), parameter or condition"),
        "type": ("str", "resource type"),
        "depth": ("int", "edges from the target (0: the target itself)"),
        "impact": (
            "str",
            "deleted, broken, replaced, conditional (may be replaced, added or removed, or reached "
            "only through a reference or import under a condition of unknown value) or updated",
        ),
        "path": ("str", "how the change gets there, e.g. net/Vpc -Ref-> net/Outputs.VpcId -ImportValue-> app/Sg"),
        "stateful": ("bool", "holds data that a replacement or deletion loses"),
        "protected": ("bool", "the policy for this impact keeps the old resource or a snapshot (NA: not applicable)"),
        "blocked": ("str", "why CloudFormation would refuse the change on this path (empty: it would not)"),
    },
    "replacement_prone": {
        "stack": ("str", "stack name"),
        "logical_id": ("str", "resource logical id"),
        "type": ("str", "resource type"),
        "path": ("str", "JSON pointer of the property leaf, e.g. /properties/VpcId"),
        "update_behavior": ("str", "replace (create-only) or conditional (conditionally create-only)"),
        "driven_by": (
            "object",
            "what the value depends on, as in properties.driven_by (ref:X, getatt:X.A, import, condition:C, mapping:M)",
        ),
        "drivers": ("str", "the same in words: parameter Env, resource Vpc, attribute Db.Arn, import shop-VpcId..."),
        "stateful": ("bool", "the resource holds data a replacement loses"),
        "protected": (
            "bool",
            "UpdateReplacePolicy Retain or (where supported) Snapshot keeps the old resource "
            "(NA: a policy that cannot be resolved offline)",
        ),
        "message": ("str", "what a change of a driver does, in one sentence"),
    },
    "plan": {
        "stack": ("str", "stack name"),
        "logical_id": ("str", "resource logical id, or output name for kind output"),
        "resource_type": ("str", "resource type (the new one for a Modify; NA for outputs)"),
        "kind": ("str", "resource or output"),
        "action": (
            "str",
            "Add, Modify, Remove, Dynamic (inputs read at deploy time: nothing else changed), or "
            "BlueGreen (a task definition or task set a CodeDeploy blue/green hook covers, and what "
            "changes only through it: CodeDeploy shifts traffic to a green copy, nothing is replaced in place)",
        ),
        "replacement": ("str", "CloudFormation's Replacement for a Modify: True, False or Conditional (NA otherwise)"),
        "details": (
            "object",
            "list of dicts: attribute, name, requires_recreation (Never/Conditionally/Always), "
            "evaluation (Static/Dynamic), change_source, causing_entity",
        ),
        "will_replace": (
            "bool",
            "iacviz's verdict: True the physical resource will certainly be new, False it "
            "certainly will not, NA it depends on AWS",
        ),
        "data_loss": (
            "bool",
            "a stateful resource replaced or removed with no Retain/Snapshot policy protecting it "
            "(NA: only if a conditional replacement happens)",
        ),
        "blocked": ("str", "why CloudFormation would refuse the update (export in use, custom name, type change)"),
        "blocked_status": (
            "str",
            "certain, or conditional: refused only if a condition of unknown value holds (every stack "
            "keeping the export in use imports it under such a condition; imports.active NA); NA: not blocked",
        ),
        "unknowable": (
            "str",
            "what cannot be known offline: SSM parameter types, {{resolve:...}}, macros, "
            "AWS::Include, unknown conditions or types",
        ),
        "policy_action": ("str", "Delete, Retain, Snapshot (removal) or ReplaceAnd... (replacement)"),
        "scope": ("object", "attributes changed: Properties, Tags, Metadata, DeletionPolicy, ..."),
        "note": ("str", "context: stack added/removed, condition flipped, type changed, renamed logical id?"),
    },
    "top_risks": {
        "rank": ("int", "1 for the worst risk"),
        "score": ("int", "ranking score (see iacviz.views.risks): 100 unreadable template ... 30 ambiguous import"),
        "kind": (
            "str",
            "unreadable template, dangling import, duplicate export, stack cycle, replacement-prone, "
            "export in use or ambiguous import",
        ),
        "stack": ("str", "stack key concerned (NA for a template that could not be read)"),
        "subject": ("str", "what the risk is about: stack/LogicalId, an export name or a file"),
        "why": ("str", "why it is a risk, in words"),
        "fix": ("str", "what to do about it"),
    },
}


def columns(name: str) -> list[str]:
    """Column names of a declared frame, in order.

    >>> columns("mappings")
    ['stack', 'mapping', 'key', 'name', 'value']
    """
    return list(COLUMNS[name])


def dtypes(name: str) -> dict[str, str]:
    """pandas dtypes of a declared frame.

    >>> dtypes("errors")["line"]
    'Int64'
    """
    return {col: _DTYPES[kind] for col, (kind, _) in COLUMNS[name].items()}


def frame(name: str, rows: Iterable[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Build the frame `name` from rows, with exactly the declared columns and dtypes.

    Missing columns are filled with NA; a column not declared raises ``KeyError``, so
    every column that reaches a user is documented here.

    >>> frame("errors", [{"source": "a.yaml", "line": 3, "severity": "error",
    ...                   "message": "bad"}]).line.dtype
    Int64Dtype()
    """
    spec = COLUMNS[name]
    if not isinstance(rows, pd.DataFrame):
        rows = rows if isinstance(rows, list) else list(rows)
        return empty(name) if not rows else _frame_from_rows(name, spec, rows)
    df = rows
    extra = set(df.columns) - set(spec)
    if extra:
        raise KeyError(f"frame {name!r} has undeclared columns {sorted(extra)}")
    out = {}
    n = len(df)
    for col, (kind, _) in spec.items():
        dtype = _DTYPES[kind]
        if col in df.columns:
            series = df[col]
            if kind == "object":
                out[col] = series.astype(object)
            else:
                out[col] = series.astype(dtype)
        else:
            out[col] = pd.Series([pd.NA] * n if kind != "object" else [None] * n, dtype=dtype, index=df.index)
    return pd.DataFrame(out, index=pd.RangeIndex(n)) if n == 0 else pd.DataFrame(out).reset_index(drop=True)


def _frame_from_rows(name: str, spec: dict[str, tuple[str, str]], rows: list[dict[str, Any]]) -> pd.DataFrame:
    # Column by column straight into typed arrays: ~4x faster than from_records + astype,
    # which matters for the many small frames an interactive query builds.
    extra = set().union(*rows) - set(spec) if rows else set()
    if extra:
        raise KeyError(f"frame {name!r} has undeclared columns {sorted(extra)}")
    return _typed_frame(spec, {col: [r.get(col) for r in rows] for col in spec}, len(rows))


def frame_from_columns(name: str, columns: dict[str, list]) -> pd.DataFrame:
    """Build the frame `name` from plain lists, one per column (missing columns are NA).

    The fast path for the model, which collects a frame column by column: each column
    becomes one typed array, built once. Values are kept as given in ``object`` columns
    (``1`` stays ``1``, ``None`` stays ``None``).

    >>> frame_from_columns("errors", {"source": ["a.yaml"], "line": [3]}).line.tolist()
    [3]
    """
    spec = COLUMNS[name]
    extra = set(columns) - set(spec)
    if extra:
        raise KeyError(f"frame {name!r} has undeclared columns {sorted(extra)}")
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"frame {name!r}: columns of different lengths {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    if n == 0:
        return empty(name)
    return _typed_frame(spec, columns, n)


def _typed_frame(spec: dict[str, tuple[str, str]], columns: dict[str, list], n: int) -> pd.DataFrame:
    # Arrays, not Series, go into the DataFrame: pandas then neither aligns nor copies them.
    out: dict[str, Any] = {}
    index = pd.RangeIndex(n)
    for col, (kind, _) in spec.items():
        values = columns.get(col)
        if values is None:
            values = [None] * n
        if kind == "object":
            # A Series of dtype object keeps values as given: a bare array would be inferred
            # (text + None becoming str + NaN); one cell per list, never broadcast.
            out[col] = construct_1d_object_array_from_listlike(values)
            continue
        if kind == "str" and _ARROW_STRINGS:
            try:  # text straight into Arrow: ~10x faster than pd.array's checks, same array
                out[col] = pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()))
                continue
            except (pa.ArrowException, TypeError, ValueError):
                pass  # not all text: pandas converts below, as it always did
        if kind == "int":
            ints = _integers(values, n)
            if ints is not None:
                out[col] = ints
                continue
        if kind == "bool":
            flags = _booleans(values, n)
            if flags is not None:
                out[col] = flags
                continue
        try:
            out[col] = pd.array(values, dtype=_DTYPES[kind])
        except (TypeError, ValueError):  # e.g. numbers in a text column: let astype convert
            out[col] = pd.Series(values, dtype=object).astype(_DTYPES[kind]).array
    # Every column is already a typed array of length n: pandas' own checks (the dict
    # constructor's ~0.5 ms) are skipped where it allows, which the many small frames of
    # interactive queries (a blast radius: ~40 rows) feel. Same frame either way.
    from_arrays = getattr(pd.DataFrame, "_from_arrays", None)
    if from_arrays is not None:
        try:
            return from_arrays(
                list(out.values()), columns=_column_index(tuple(out)).copy(), index=index, verify_integrity=False
            )
        except (TypeError, ValueError):
            pass
    series = {
        col: pd.Series(v, dtype=object, index=index, copy=False) if isinstance(v, np.ndarray) else v
        for col, v in out.items()
    }
    return pd.DataFrame(series, index=index, copy=False)


@lru_cache(maxsize=256)
def _column_index(names: tuple[str, ...]) -> pd.Index:
    # Made once per column list and copied for each frame (~3 us instead of ~25 us; a
    # blast-radius query builds thousands of small frames): the copy is the frame's own, so a
    # name set on one frame's columns stays there.
    return pd.Index(list(names))


def _integers(values: list, n: int) -> pd.api.extensions.ExtensionArray | None:
    """An Int64 column from Python ints and Nones, ~5x faster than ``pd.array`` checking
    each value; None when anything else is there (bools included) or an int overflows."""
    kinds = set(map(type, values))
    if not kinds <= {int, type(None)}:
        return None
    try:
        data = np.fromiter((0 if v is None else v for v in values), dtype=np.int64, count=n)
    except OverflowError:
        return None
    return pd.arrays.IntegerArray(data, np.fromiter((v is None for v in values), dtype=bool, count=n))


def _booleans(values: list, n: int) -> pd.api.extensions.ExtensionArray | None:
    """A boolean column from Python bools and Nones, ~6x faster than ``pd.array`` checking
    each value; None when anything else is there (``pd.array`` then converts or refuses)."""
    kinds = set(map(type, values))
    if not kinds <= {bool, type(None)}:
        return None
    # compared as one object array (a C loop each) rather than a generator per flag: only
    # True equals True and only None equals None among bools and Nones
    cells = np.empty(n, dtype=object)
    cells[:] = values
    return pd.arrays.BooleanArray(np.equal(cells, True), np.equal(cells, None))


_EMPTY: dict[str, tuple[dict, pd.DataFrame]] = {}


def empty(name: str) -> pd.DataFrame:
    """The frame `name` with no rows: declared columns and dtypes.

    Built once per declaration and handed out as a shallow copy (~40 us instead of ~1 ms),
    so adding a column to one copy never shows in another.

    >>> empty("errors").dtypes["line"], len(empty("errors"))
    (Int64Dtype(), 0)
    """
    spec = COLUMNS[name]
    cached = _EMPTY.get(name)
    if cached is None or cached[0] is not spec:
        cols = {}
        for col, (kind, _) in spec.items():
            cols[col] = pd.Series([], dtype=_DTYPES[kind])
        cached = _EMPTY[name] = (spec, pd.DataFrame(cols, index=pd.RangeIndex(0)))
    return cached[1].copy(deep=False)


def describe(name: str) -> pd.DataFrame:
    """The documentation of a frame as a frame: column, dtype, description.

    >>> describe("errors").column.tolist()[:2]
    ['source', 'line']
    """
    return pd.DataFrame([{"column": c, "dtype": _DTYPES[k], "description": d} for c, (k, d) in COLUMNS[name].items()])
