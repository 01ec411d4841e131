"""Expand SAM templates offline with aws-sam-translator, as CloudFormation's transform would.

Local artefact paths (``CodeUri: src/``) are what `sam deploy` uploads before the transform
runs; the translator only accepts S3 locations, so they are swapped for a placeholder
``s3://iacviz-local/<path>`` first, exactly as `sam validate` does.

>>> t = {"Transform": "AWS::Serverless-2016-10-31", "Resources": {"Fn": {
...     "Type": "AWS::Serverless::Function",
...     "Properties": {"Runtime": "python3.12", "Handler": "app.h", "CodeUri": "src/"}}}}
>>> body, generated_by = expand(t, {}, "us-east-1")
>>> sorted(body["Resources"]), generated_by["FnRole"]
(['Fn', 'FnRole'], 'Fn')
"""

from __future__ import annotations

import copy
import logging
import os
import sys
import threading
from typing import Any

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
SAR_PLACEHOLDER = "sar://offline/"  # TemplateURL given to Serverless Application Repository apps
_LOCAL_URI_PROPS = {
    "AWS::Serverless::Function": ("CodeUri",),
    "AWS::Serverless::LayerVersion": ("ContentUri",),
    "AWS::Serverless::Api": ("DefinitionUri",),
    "AWS::Serverless::HttpApi": ("DefinitionUri",),
    "AWS::Serverless::StateMachine": ("DefinitionUri",),
    "AWS::Serverless::Application": ("Location",),
    "AWS::Serverless::GraphQLApi": ("SchemaUri",),
}
# APIs SAM creates from functions' Api/HttpApi events, named after no resource of the template.
_IMPLICIT_APIS = frozenset({"ServerlessRestApi", "ServerlessHttpApi"})
_lock = threading.Lock()  # the translator reads AWS_DEFAULT_REGION from the environment


class SamError(Exception):
    """The translator refused the template; `messages` lists its causes."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


def is_sam(template: dict[str, Any]) -> bool:
    """True when the template declares the SAM transform.

    >>> is_sam({"Transform": ["AWS::Serverless-2016-10-31"]}), is_sam({"Resources": {}})
    (True, False)
    """
    transform = template.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return SAM_TRANSFORM in names


def has_sam_resources(template: dict[str, Any]) -> bool:
    """True when any resource has an ``AWS::Serverless::`` type.

    >>> has_sam_resources({"Resources": {"F": {"Type": "AWS::Serverless::Function"}}})
    True
    """
    resources = template.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and str(r.get("Type", "")).startswith("AWS::Serverless::") for r in resources.values()
    )


class _OfflinePolicies:
    """Managed-policy loader that never calls IAM: policy names map to their standard ARN."""

    def load(self) -> dict[str, str]:
        return _DefaultArns()


class _DefaultArns(dict):
    def __missing__(self, name: str) -> str:
        return f"arn:aws:iam::aws:policy/{name}"

    def __contains__(self, name: object) -> bool:  # every AWS managed policy name is accepted
        return isinstance(name, str) and not name.startswith("arn:")

    def get(self, name, default=None):
        return self[name] if name in self else default


class _OfflineSar:
    """Stands in for the Serverless Application Repository client: answers locally."""

    def create_cloud_formation_template(self, ApplicationId: str, SemanticVersion: str = "", **_: Any) -> dict:
        app = ApplicationId.rsplit("/", 1)[-1]
        return {
            "TemplateUrl": f"{SAR_PLACEHOLDER}{app}/{SemanticVersion}",
            "Status": "ACTIVE",
            "TemplateId": f"offline-{app}",
            "ApplicationId": ApplicationId,
            "SemanticVersion": SemanticVersion,
        }

    def get_application(self, ApplicationId: str, SemanticVersion: str = "", **_: Any) -> dict:
        return {"ApplicationId": ApplicationId, "Version": {"SemanticVersion": SemanticVersion}}

    def get_cloud_formation_template(self, ApplicationId: str, TemplateId: str, **_: Any) -> dict:
        return {"Status": "ACTIVE", "TemplateId": TemplateId, "TemplateUrl": f"{SAR_PLACEHOLDER}{TemplateId}"}


def _localise(template: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(template)
    for res in (out.get("Resources") or {}).values():
        if not isinstance(res, dict):
            continue
        props = res.get("Properties")
        for key in _LOCAL_URI_PROPS.get(res.get("Type"), ()):
            if (
                isinstance(props, dict)
                and isinstance(props.get(key), str)
                and not props[key].startswith(("s3://", "https://", "http://"))
            ):
                props[key] = f"s3://iacviz-local/{props[key].lstrip('./')}"
    globals_fn = ((out.get("Globals") or {}).get("Function") or {}) if isinstance(out.get("Globals"), dict) else {}
    if (
        isinstance(globals_fn, dict)
        and isinstance(globals_fn.get("CodeUri"), str)
        and not globals_fn["CodeUri"].startswith("s3://")
    ):
        globals_fn["CodeUri"] = f"s3://iacviz-local/{globals_fn['CodeUri'].lstrip('./')}"
    return out


def _import_jsonschema_lean() -> None:
    """Import jsonschema, which the translator imports, without its optional IRI checker.

    jsonschema imports ``rfc3987_syntax`` when it is installed (JupyterLab's packages bring it),
    and that module compiles 38 lark grammars at import: 2.5 s, two thirds of the first SAM
    template's cost, for a format check the translator never runs. So the first import is made
    with that module out of reach, and jsonschema registers no "iri"/"iri-reference" format
    checker in this process. A process that imported jsonschema (or rfc3987_syntax) before
    keeps what it has: import jsonschema before expanding SAM to keep the checker.
    """
    with _lock:
        if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
            return
        sys.modules["rfc3987_syntax"] = None  # an import of it now raises ImportError
        try:
            import jsonschema  # type: ignore[import-untyped]  # noqa: F401
        finally:
            if sys.modules.get("rfc3987_syntax", False) is None:
                del sys.modules["rfc3987_syntax"]


def expand(
    template: dict[str, Any], parameter_values: dict[str, Any], region: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Translate a SAM template; returns (expanded template, generated logical id -> SAM logical id).

    Raises :class:`SamError` with the translator's messages when it refuses the template.
    """
    _import_jsonschema_lean()
    from samtranslator.model.exceptions import InvalidDocumentException, InvalidResourceException
    from samtranslator.parser.parser import Parser
    from samtranslator.plugins.application.serverless_app_plugin import ServerlessAppPlugin
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import to_py27_compatible_template, undo_mark_unicode_str_in_template

    source = _localise(template)
    if not is_sam(source):
        source["Transform"] = SAM_TRANSFORM
    params = {k: v for k, v in parameter_values.items() if v is not None}
    with _lock:
        previous = os.environ.get("AWS_DEFAULT_REGION")
        os.environ["AWS_DEFAULT_REGION"] = region
        logging.getLogger("samtranslator").setLevel(logging.ERROR)
        try:
            # Never the network: SAR applications resolve to an offline placeholder URL
            # instead of the Serverless Application Repository call the default plugin makes.
            translator = Translator(None, Parser(), plugins=[ServerlessAppPlugin(sar_client=_OfflineSar())])
            to_py27_compatible_template(source, params)
            body = undo_mark_unicode_str_in_template(
                translator.translate(source, parameter_values=params, get_managed_policy_map=_OfflinePolicies().load)
            )
        except InvalidDocumentException as exc:
            raise SamError([str(getattr(c, "message", c)) for c in exc.causes] or [str(exc)]) from None
        except InvalidResourceException as exc:
            raise SamError([str(exc)]) from None
        except Exception as exc:  # the translator raises plain errors on odd input, too
            raise SamError([f"{type(exc).__name__}: {exc}"]) from None
        finally:
            if previous is None:
                os.environ.pop("AWS_DEFAULT_REGION", None)
            else:
                os.environ["AWS_DEFAULT_REGION"] = previous
    return body, _generated_by(template, body)


def _generated_by(raw: dict[str, Any], body: dict[str, Any]) -> dict[str, str]:
    sam_ids = {
        k
        for k, r in (raw.get("Resources") or {}).items()
        if isinstance(r, dict) and str(r.get("Type", "")).startswith("AWS::Serverless::")
    }
    out: dict[str, str] = {}
    for logical_id, res in (body.get("Resources") or {}).items():
        meta = res.get("Metadata") if isinstance(res, dict) else None
        origin = meta.get("SamResourceId") if isinstance(meta, dict) else None
        if origin is None:
            # Older translators do not tag resources; SAM names them after their origin.
            candidates = [s for s in sam_ids | _IMPLICIT_APIS if logical_id.startswith(s)]
            origin = max(candidates, key=len) if candidates else None
        if origin in sam_ids or (origin in _IMPLICIT_APIS and logical_id not in raw.get("Resources", {})):
            out[logical_id] = origin
    return out
