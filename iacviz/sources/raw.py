"""The hand-off between sources and the model: one `RawStack` per CloudFormation stack.

Every reader (files, SAM, CDK, Elastic Beanstalk, nested stacks, the live API, snapshots)
produces `RawStack` records; `iacviz.model` turns a list of them into an `Estate`.
Nothing here knows pandas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ErrorRow:
    """One problem found while reading: file (or API target), 1-based line (0 unknown), cause."""

    source: str
    line: int
    severity: str  # "error" | "warning" | "info"
    message: str
    stack: str | None = None


@dataclass
class RawStack:
    """A parsed stack as the sources hand it to the model.

    ``template`` is the template body with every short-form tag already normalised to its
    long ``Fn::`` form (``{"Ref": ...}``, ``{"Fn::GetAtt": [res, attr]}``...). ``lines`` maps
    ``"Resources/<id>"``, ``"Outputs/<id>"``, ``"Parameters/<id>"`` to 1-based source lines.
    """

    name: str
    source: str
    format: str  # yaml | json | cdk | ebextension | live | snapshot
    template: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)
    transform: str | None = None
    raw_template: dict[str, Any] | None = None  # SAM before expansion
    generated_by: dict[str, str] = field(default_factory=dict)  # logical id -> SAM resource
    cdk_paths: dict[str, str] = field(default_factory=dict)
    parent_stack: str | None = None
    parent_resource: str | None = None  # logical id of the AWS::CloudFormation::Stack in the parent
    parameter_values: dict[str, Any] = field(default_factory=dict)  # passed by parent / estate file / live
    parameter_values_source: str = "parent"  # parent | estate-file | live
    parameter_value_sources: dict[str, str] = field(default_factory=dict)  # key -> source, where it differs
    stack_dependencies: list[str] = field(default_factory=list)  # e.g. from a CDK manifest
    option_settings: list[dict[str, Any]] = field(default_factory=list)  # .ebextensions
    account: str | None = None
    region: str | None = None
    environment: str | None = None  # estate-file environment (prod, dev...) the stack is deployed in
    app: str | None = None  # the application it belongs to (an Amplify project or app id)
    # The CloudFormation stack name once the model has keyed the stack (`name` is then the
    # estate-unique stack key of iacviz.model.identity); None: `name` is the stack name.
    stack_name: str | None = None
    live: dict[str, Any] = field(default_factory=dict)  # live-only stack facts (status, times)
    live_resources: dict[str, dict[str, Any]] = field(default_factory=dict)  # logical id -> facts
