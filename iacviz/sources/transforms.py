"""The transforms CloudFormation runs on a template before creating anything, in its order:
``AWS::LanguageExtensions`` (``Fn::ForEach``), then SAM. One entry point, so every reader of
templates (files, single mappings) expands them the same way.

>>> body, raw, generated_by, errors = apply_transforms(
...     {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, {}, "us-east-1", "q.yaml", "q")
>>> raw is None, generated_by, errors
(True, {}, [])
"""

from __future__ import annotations

from typing import Any

from ..cfn import parameters as _parameters
from ..cfn.language_extensions import expand_foreach, uses_language_extensions
from ..errors import TemplateError
from . import sam
from .raw import ErrorRow
from .template_text import check_body


def apply_transforms(
    body: dict[str, Any], values: dict[str, Any], region: str, source: str, stack: str, checked: bool = False
) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, str], list[ErrorRow]]:
    """Expand `body`; returns (expanded body, body as written or None when nothing was
    expanded, generated logical id -> SAM origin, error and warning rows).

    `values` are the parameter values the stack gets (defaults filled in here). `checked`:
    the body comes from :func:`~iacviz.sources.template_text.parse_template`, which checked it.
    """
    if not checked:  # mappings and live bodies; a file's body was checked when parsed
        try:
            check_body(body, source)
        except TemplateError as exc:
            return {}, None, {}, [ErrorRow(source, 0, "error", exc.message, stack)]
    filled: dict[str, Any] | None = None  # with the defaults: only for a template that is expanded
    expanded, raw, errors = body, None, []
    generated_by: dict[str, str] = {}
    if uses_language_extensions(expanded):
        filled = _parameters.values(body, values)
        expanded, problems = expand_foreach(expanded, filled)
        raw = body
        errors += [ErrorRow(source, 0, severity, message, stack) for severity, message in problems]
    if sam.is_sam(expanded) or sam.has_sam_resources(expanded):
        if not sam.is_sam(expanded):
            errors.append(
                ErrorRow(
                    source, 0, "warning", "AWS::Serverless resources without the SAM Transform; expanded as SAM", stack
                )
            )
        try:
            expanded, generated_by = sam.expand(
                expanded, filled if filled is not None else _parameters.values(body, values), region
            )
            raw = body
        except sam.SamError as exc:
            errors += [ErrorRow(source, 0, "error", f"SAM: {m}", stack) for m in exc.messages]
    return expanded, raw, generated_by, errors
