"""The files cfn-lint ships that iacviz reads, without importing cfn-lint.

Importing any ``cfnlint`` module first runs the package's ``__init__``, which loads its whole
linter (rules, decoders, sympy, networkx: ~0.6 s, more on a busy machine). iacviz needs none
of it to answer "does changing this property replace the resource": only the resource provider
schemas under ``cfnlint/data/schemas`` and two lists in ``cfnlint/helpers.py`` (regions,
types that accept a ``Snapshot`` policy). So this module finds the package on ``sys.path``
without importing it and reads those files the way cfn-lint's own ``ProviderSchemaManager``
does for explicit schema directories (:func:`resource_schema`).

>>> (BUNDLED_SCHEMAS / "version.json").is_file()
True
"""

from __future__ import annotations

import importlib.util
import json
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = ["PACKAGE", "BUNDLED_SCHEMAS", "helpers", "provider_types", "resource_schema"]


def _package_dir() -> Path:
    # find_spec of a top-level name locates the package without running its __init__.
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("cfn-lint is not installed (iacviz reads its resource provider schemas)")
    return Path(list(spec.submodule_search_locations)[0]).resolve()


PACKAGE = _package_dir()
BUNDLED_SCHEMAS = PACKAGE / "data" / "schemas"

# What cfn-lint's manager answers for "Module" (a ``...::MODULE`` type): an open schema.
_MODULE_SCHEMA = {"additionalProperties": True, "type": "object", "typeName": "Module"}


@lru_cache(maxsize=None)
def helpers() -> ModuleType:
    """cfn-lint's ``helpers`` module: the imported one if cfn-lint is loaded, else its file run alone.

    ``cfnlint/helpers.py`` imports only the standard library and ``regex``, so running it on
    its own gives the same constants (``REGIONS``, ``valid_snapshot_types``) for a fraction of
    the cost of importing the package. It is not registered in ``sys.modules``: a later
    ``import cfnlint`` gets its own copy.

    >>> "us-east-1" in helpers().REGIONS
    True
    """
    loaded = sys.modules.get("cfnlint.helpers")
    if loaded is not None:
        return loaded
    spec = importlib.util.spec_from_file_location("iacviz._cfnlint_helpers", PACKAGE / "helpers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@lru_cache(maxsize=None)
def provider_types(region: str) -> dict[str, str]:
    """Resource type -> schema file hash of a region (us-east-1's when the region has no file), SAM types included.

    >>> provider_types("us-east-1")["AWS::EC2::VPC"] == provider_types("eu-west-1")["AWS::EC2::VPC"]
    True
    """
    providers = BUNDLED_SCHEMAS / "providers"
    path = providers / f"{region}.json"
    if not path.exists():
        path = providers / "us-east-1.json"
    try:
        types = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        types = {}
    try:
        types.update(json.loads((providers / "sam.json").read_text("utf-8")))
    except FileNotFoundError:
        pass
    return types


def resource_schema(region: str, resource_type: str) -> dict[str, Any] | None:
    """The bundled provider schema of a type in a region, or None when cfn-lint has none.

    The type as CloudFormation names it, with ``Custom::*`` and ``...::MODULE`` already mapped
    (to ``AWS::CloudFormation::CustomResource`` and ``Module``). A new dict on every call.

    >>> resource_schema("us-east-1", "AWS::SQS::Queue")["createOnlyProperties"]
    ['/properties/FifoQueue', '/properties/QueueName']
    >>> resource_schema("us-east-1", "Acme::Not::AType") is None
    True
    """
    if resource_type == "Module":
        return dict(_MODULE_SCHEMA)
    digest = provider_types(region).get(resource_type)
    if not digest:
        return None
    try:
        schema = json.loads((BUNDLED_SCHEMAS / "resources" / f"{digest}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return schema if isinstance(schema, dict) and isinstance(schema.get("typeName"), str) else None
