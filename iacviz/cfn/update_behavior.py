"""Per-property update behaviour of resource types, from the resource provider schemas cfn-lint bundles.

A resource provider schema lists ``createOnlyProperties`` (changing them replaces the
resource), ``conditionalCreateOnlyProperties`` (replaced when the change cannot be applied in
place) and everything else updates in place. :func:`behavior` answers that question for one
leaf of a template, given as the JSON pointer iacviz stores (``/properties/Tier/Name``,
``/properties/Tags/0/Key``).

**Pinned schemas.** cfn-lint's global ``PROVIDER_SCHEMA_MANAGER`` picks, at import, whichever
of its bundled schemas and the user's cache (``~/.cache/aws/cfn-lint/schemas``, written by
``cfn-lint --update-specs``; ``XDG_CACHE_HOME`` moves it) has the newer ``schema_date``, and it
may be patched or given registry schemas by other cfn-lint users in the same process. So the
same template could give different answers on two machines. We read the package's own
``cfnlint/data/schemas/{providers,resources}`` files (:mod:`iacviz.cfn.cfnlint_files`, the way
a ``ProviderSchemaManager`` given those directories does, without importing cfn-lint): the
answer depends on the installed cfn-lint version only (``pyproject.toml`` pins its range) and
:data:`SCHEMA_DATE` says which schemas.

**SAM and modules.** cfn-lint knows the ``AWS::Serverless::*`` types, but their schemas only
validate syntax: no create-only lists. CloudFormation never updates a SAM resource itself, it
updates what the transform makes of it, so :func:`behavior` answers ``unknown`` for them
(iacviz expands SAM first). ``...::MODULE`` types are unknown too. ``Custom::*`` types use
``AWS::CloudFormation::CustomResource`` (``ServiceToken`` is create-only).

>>> behavior("AWS::EC2::VPC", "/properties/CidrBlock")
'replace'
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from iacviz.cfn import cfnlint_files
from iacviz.cfn.cfnlint_files import BUNDLED_SCHEMAS
from iacviz.errors import IacvizError

__all__ = [
    "TypeRules",
    "type_rules",
    "behavior",
    "behaviors",
    "custom_name_property",
    "schema_stats",
    "pinned_global_schemas",
    "BUNDLED_SCHEMAS",
    "SCHEMA_DATE",
]


def _read_schema_date() -> str:
    try:
        return json.loads((BUNDLED_SCHEMAS / "version.json").read_text("utf-8")).get("schema_date", "")
    except (OSError, ValueError):
        return ""


SCHEMA_DATE = _read_schema_date()


@lru_cache(maxsize=None)
def _regions() -> frozenset[str]:
    return frozenset(cfnlint_files.helpers().REGIONS)


_REPLACE, _CONDITIONAL = 2, 1
_ANSWER = {0: "in-place", _CONDITIONAL: "conditional", _REPLACE: "replace"}


@contextmanager
def pinned_global_schemas() -> Iterator[None]:
    """Point cfn-lint's own global schema manager at the bundled schemas while the block runs.

    cfn-lint's rules read ``PROVIDER_SCHEMA_MANAGER`` directly, so running them (the review's
    opt-in lint) with the schemas :func:`behavior` uses means pointing that manager at
    :data:`BUNDLED_SCHEMAS` for the duration, then restoring its own directories.

    >>> from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
    >>> with pinned_global_schemas():
    ...     Path(PROVIDER_SCHEMA_MANAGER._providers_dir).resolve() == BUNDLED_SCHEMAS / "providers"
    True
    """
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    manager = PROVIDER_SCHEMA_MANAGER
    pinned = (BUNDLED_SCHEMAS / "providers", BUNDLED_SCHEMAS / "resources")
    before = (manager._providers_dir, manager._resources_dir)
    if tuple(Path(d).resolve() for d in before) == pinned:
        yield  # already the bundled schemas (no user cache newer than them): nothing to swap
        return
    # Loaded schemas are cached per directory set, so reset on the way in and on the way out.
    manager._providers_dir, manager._resources_dir = pinned
    manager.reset()
    try:
        yield
    finally:
        manager._providers_dir, manager._resources_dir = before
        manager.reset()


def _segments(pointer: str) -> tuple[str, ...]:
    # "/properties/Policies/2/PolicyArn" -> ("properties", "Policies", "*", "PolicyArn"): array
    # indices become the schema's wildcard. Escaped keys ("~1") stay one segment; no schema key
    # contains "/" or "~", so they never need unescaping to match.
    return tuple("*" if s.isdigit() else s for s in pointer.split("/")[1:])


@dataclass(frozen=True)
class TypeRules:
    """What a provider schema says about one resource type (pointers as the schema writes them)."""

    resource_type: str
    schema_type: str | None = None  # the schema used, e.g. AWS::CloudFormation::CustomResource
    known: bool = False
    sam: bool = False
    create_only: tuple[str, ...] = ()
    conditional_create_only: tuple[str, ...] = ()
    read_only: tuple[str, ...] = ()
    primary_identifier: tuple[str, ...] = ()
    # Compiled matcher: path-segment tuple -> severity, and every proper prefix of a schema
    # pointer (a leaf *above* a create-only property, e.g. an Fn::If producing the whole
    # object, may or may not change it: conditional).
    _index: dict[tuple[str, ...], int] = field(default_factory=dict, repr=False, compare=False)
    _ancestors: frozenset[tuple[str, ...]] = field(default=frozenset(), repr=False, compare=False)
    _depth: int = field(default=0, repr=False, compare=False)
    _tops: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @classmethod
    def build(cls, resource_type: str, schema: dict | None, schema_type: str | None = None) -> "TypeRules":
        if schema is None:
            return cls(resource_type, schema_type)
        co = tuple(schema.get("createOnlyProperties", ()))
        cco = tuple(schema.get("conditionalCreateOnlyProperties", ()))
        index: dict[tuple[str, ...], int] = {}
        for pointers, severity in ((cco, _CONDITIONAL), (co, _REPLACE)):
            for p in pointers:
                key = _segments(p)
                index[key] = max(index.get(key, 0), severity)
        ancestors = frozenset(k[:i] for k in index for i in range(1, len(k)))
        return cls(
            resource_type,
            schema_type,
            known=True,
            sam=resource_type.startswith("AWS::Serverless::"),
            create_only=co,
            conditional_create_only=cco,
            read_only=tuple(schema.get("readOnlyProperties", ())),
            primary_identifier=tuple(schema.get("primaryIdentifier", ())),
            _index=index,
            _ancestors=ancestors,
            _depth=max(map(len, index), default=0),
            _tops=frozenset(k[1] for k in index if len(k) > 1),
        )

    def every_leaf(self) -> str | None:
        """The answer for every leaf of the type when the pointer does not matter, else None:
        ``unknown`` (no schema, or SAM), ``in-place`` (nothing create-only).

        >>> type_rules("AWS::Serverless::Function").every_leaf(), type_rules("AWS::EC2::VPC").every_leaf()
        ('unknown', None)
        """
        if not self.known or self.sam:
            return "unknown"
        if not self._index:
            return "in-place"
        return None

    def behavior(self, pointer: str) -> str:
        """Uncached: ``replace``, ``conditional``, ``in-place`` or ``unknown`` for one leaf pointer.

        >>> type_rules("AWS::IAM::Role").behavior("/properties/RoleName")
        'replace'
        """
        same = self.every_leaf()
        if same is not None:
            return same
        # Fast path: most leaves sit under a top-level property no schema pointer mentions.
        head = pointer.split("/", 3)
        if len(head) > 2 and head[1] == "properties" and head[2] not in self._tops:
            return "in-place"
        segs = _segments(pointer)
        index, best = self._index, 0
        # Prefix match on whole segments: a schema pointer covers every leaf below it.
        for i in range(2, min(len(segs), self._depth) + 1):
            sev = index.get(segs[:i], 0)
            if sev > best:
                best = sev
                if best == _REPLACE:
                    break
        if not best and segs in self._ancestors:
            best = _CONDITIONAL
        return _ANSWER[best]


@lru_cache(maxsize=None)
def _rules_for(schema_key: str, region: str) -> TypeRules:
    if schema_key.endswith("::MODULE"):  # cfn-lint answers an open "Module" schema: nothing known
        return TypeRules(schema_key)
    schema = cfnlint_files.resource_schema(region, schema_key)
    if schema is None:  # no schema, or a schema file that fails to load
        return TypeRules(schema_key)
    return TypeRules.build(schema_key, schema, schema["typeName"])


def _schema_key(resource_type: str) -> str:
    if resource_type.startswith("Custom::"):
        return "AWS::CloudFormation::CustomResource"
    return resource_type


def type_rules(resource_type: str, region: str = "us-east-1") -> TypeRules:
    """The update rules of a type in a region (cached; all ``Custom::*`` share one entry).

    An unknown type gives ``known=False`` and empty pointer lists; an unknown region raises
    :class:`~iacviz.errors.IacvizError`.

    >>> type_rules("AWS::SQS::Queue").create_only
    ('/properties/FifoQueue', '/properties/QueueName')
    """
    if region not in _regions():
        raise IacvizError(f"unknown AWS region {region!r} for resource schemas")
    return _rules_for(_schema_key(resource_type), region)


@lru_cache(maxsize=1 << 20)
def behavior(resource_type: str, pointer: str, region: str = "us-east-1") -> str:
    """How CloudFormation updates one property leaf: ``replace``, ``conditional``, ``in-place`` or ``unknown``.

    ``pointer`` is the leaf's JSON pointer as iacviz stores it; array indices match the
    schema's ``*`` and a schema pointer covers every leaf below it. ``unknown`` for types no
    schema describes and for SAM types. Memoized per (type, pointer, region).

    >>> [behavior("AWS::IAM::Role", p) for p in ("/properties/RoleName", "/properties/Policies/2/PolicyName")]
    ['replace', 'in-place']
    """
    return type_rules(resource_type, region).behavior(pointer)


def behaviors(resource_type: str, pointers: list[str]) -> list[str]:
    """:func:`behavior` of each leaf of one resource (region us-east-1), in order.

    The properties frame asks for every leaf of every resource (~15,000 on the corpus): a
    type the schemas do not know, a SAM type, or one with no create-only property answers the
    same for all its leaves, and the others look each pointer up in a dict kept per type,
    ~1.5x cheaper on the corpus than a call of :func:`behavior` each.

    >>> behaviors("AWS::EC2::VPC", ["/properties/CidrBlock", "/properties/Tags/0/Key"])
    ['replace', 'in-place']
    """
    known = _ANSWERS.get(resource_type)
    if known is None:
        if len(_ANSWERS) >= 4096:  # bounded, like behavior's memo: one entry per type asked
            _ANSWERS.clear()
        known = _ANSWERS[resource_type] = _answers(resource_type)
    if isinstance(known, str):
        return [known] * len(pointers)
    found: list = list(map(known.get, pointers))
    if None in found:
        if len(known) > 1 << 16:  # bounded, like behavior's memo
            known.clear()
        for i, answer in enumerate(found):
            if answer is None:
                found[i] = known[pointers[i]] = behavior(resource_type, pointers[i])
    return found


def _answers(resource_type: str) -> str | dict[str, str]:
    # The answer for every leaf, else a memo of the answers per pointer.
    same = type_rules(resource_type).every_leaf()
    return {} if same is None else same


_ANSWERS: dict[str, str | dict[str, str]] = {}


# Physical-name properties the schema heuristic below gets wrong or cannot see. None: the type
# has no name whose reuse blocks a replacement.
_NAME_OVERRIDES: dict[str, str | None] = {
    "AWS::EC2::KeyPair": "KeyName",  # stem "Key" is not where "KeyPair" ends
    "AWS::ApiGateway::DomainNameV2": "DomainName",
    "AWS::IAM::RolePolicy": None,  # inline policies: the name is scoped to one role/user/group
    "AWS::IAM::UserPolicy": None,
    "AWS::IAM::GroupPolicy": None,
    "AWS::Route53::HostedZone": None,  # zone names are not unique; a new zone gets a new id
    "AWS::EMR::Cluster": None,  # cluster names are labels, not unique
    "AWS::DataPipeline::Pipeline": None,  # pipelines are unique by uniqueId, not by name
    # SAM (no usable schema): the name property of what the transform produces
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Serverless::SimpleTable": "TableName",
    "AWS::Serverless::StateMachine": "Name",
}


def custom_name_property(resource_type: str) -> str | None:
    """The property giving a resource its physical name, or ``None``.

    CloudFormation refuses to replace a resource whose name is set by the template, so this
    is what makes a replacement fail. Derived from the schema: a top-level, writable,
    create-only property named like the type (``DBInstanceIdentifier``, ``QueueName``,
    ``DomainName`` of ``AWS::ApiGateway::DomainName``), else ``Name``, else
    ``<stem>Name``/``<stem>Identifier``/``<stem>Id`` where the type's last part ends with
    ``<stem>`` (``GroupName`` for ``AWS::EC2::SecurityGroup``); among equals, one in the
    primary identifier wins. A small override table fixes the cases this gets wrong
    (``AWS::EC2::KeyPair``, inline IAM policies, SAM types...).

    >>> custom_name_property("AWS::S3::Bucket"), custom_name_property("AWS::EC2::Subnet")
    ('BucketName', None)
    """
    if resource_type in _NAME_OVERRIDES:
        return _NAME_OVERRIDES[resource_type]
    return _derived_name(resource_type)


@lru_cache(maxsize=None)
def _derived_name(resource_type: str) -> str | None:
    rules = type_rules(resource_type)
    if not rules.known or rules.sam:
        return None
    suffix = resource_type.rsplit("::", 1)[-1]
    read_only = set(rules.read_only)
    top = [p.split("/")[2] for p in rules.create_only if p.count("/") == 2 and p not in read_only]
    ident = {p.split("/")[2] for p in rules.primary_identifier if p.count("/") == 2}

    def rank(prop: str) -> int | None:
        # Lower is better: the type's own name (QueueName, DBInstanceIdentifier, DomainName for
        # ApiGateway::DomainName), a bare Name, then a stem the type name ends with (GroupName
        # for SecurityGroup). A stem the type merely *starts* with is usually a reference
        # (PolicyName of IoT::PolicyPrincipalAttachment), so it does not count.
        if prop == suffix:
            return 0
        for ending in ("Name", "Identifier", "Id"):
            if prop.endswith(ending):
                stem = prop[: -len(ending)]
                if stem == suffix:
                    return 0
                if not stem and ending == "Name":
                    return 1
                if stem and suffix.endswith(stem):
                    return 2
        return None

    ranked = sorted((r, prop not in ident, i, prop) for i, prop in enumerate(top) if (r := rank(prop)) is not None)
    return ranked[0][3] if ranked else None


@lru_cache(maxsize=None)
def schema_stats(region: str = "us-east-1") -> dict[str, int | str]:
    """Counts over every type the pinned schemas know in a region (loads them all, ~1 s once).

    >>> s = schema_stats(); s["types"] > 1500 and s["with_create_only"] > 1000
    True
    """
    if region not in _regions():
        raise IacvizError(f"unknown AWS region {region!r} for resource schemas")
    types = list(cfnlint_files.provider_types(region))
    rules = [type_rules(t, region) for t in types]
    known = [r for r in rules if r.known]
    return {
        "types": len(known),
        "sam_types": sum(r.sam for r in known),
        "with_create_only": sum(bool(r.create_only) for r in known),
        "with_conditional": sum(bool(r.conditional_create_only) for r in known),
        "create_only_pointers": sum(len(r.create_only) for r in known),
        "conditional_pointers": sum(len(r.conditional_create_only) for r in known),
        "schema_date": SCHEMA_DATE,
    }
