"""The base class every review rule derives from, and the checks on its metadata.

A rule is a class in a file of the same name below ``iacviz/rules/`` (or a user's folder).
Its metadata are class attributes, read by :func:`iacviz.review`, by the generated catalogue
(``docs/rules.md``) and by the meta-test:

``id``
    severity letter (``E`` error, ``W`` warning, ``I`` info) and a four-digit number whose
    thousands give the category (:data:`CATEGORIES`), e.g. ``W3001``.
``title``, ``description``, ``fix``
    one line; what the rule looks for and why it matters; how to fix a finding.
``source_url``
    the AWS documentation page the rule rests on.
``tags``
    words to group rules by.
``config``
    typed defaults of the rule's options, e.g. ``{"threshold": 3}``; a user's value must have
    the default's type.

>>> class Demo(Rule):
...     id, title, description = "I9001", "Demo", "Finds every stack."
...     fix, source_url, tags = "Nothing to fix.", "https://docs.aws.amazon.com/", ("demo",)
...     def check(self, estate, config):
...         for stack in estate.stacks["stack"]:
...             yield self.finding(stack, None, f"{stack} exists")
>>> import iacviz
>>> list(Demo().check(iacviz.load_template({"Resources": {}}, stack="s"), {}))[0]["message"]
's exists'
>>> Demo.severity
'info'
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Iterable

import pandas as pd

from ..errors import IacvizError

__all__ = ["Rule", "CATEGORIES", "SEVERITIES", "is_missing", "metadata_problems", "merged_config", "problem_findings"]

SEVERITIES = {"E": "error", "W": "warning", "I": "info"}
# Thousands of a rule id -> category; a new category takes the next free thousand.
CATEGORIES = {
    1: "stack design",
    2: "cross-stack exports and imports",
    3: "data protection",
    4: "replacement safety",
    5: "hard-coded values",
    6: "live state",
}
ID_PATTERN = re.compile(r"^[EWI][1-9]\d{3}$")


class _RuleMeta(type):
    # Severity comes from the id, so the two can never disagree; a class property keeps it
    # readable on the class itself (Rule.severity) as well as on instances.
    @property
    def severity(cls) -> str:
        return SEVERITIES.get(str(getattr(cls, "id", ""))[:1], "")

    @property
    def category(cls) -> str:
        number = str(getattr(cls, "id", ""))[1:]
        return CATEGORIES.get(int(number) // 1000, "") if number.isdigit() else ""


class Rule(metaclass=_RuleMeta):
    """One review rule: subclass, set the metadata, implement :meth:`check`."""

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""
    fix: ClassVar[str] = ""
    source_url: ClassVar[str] = ""
    tags: ClassVar[tuple[str, ...]] = ()
    config: ClassVar[dict[str, Any]] = {}
    # How often its findings were right when checked by hand on the shared corpus of public
    # templates: findings, how many checked, true and false (docs/rules.md shows it).
    precision: ClassVar[str] = ""

    @property
    def severity(self) -> str:
        return str(type(self).severity)  # the class property of _RuleMeta

    def check(self, estate: Any, config: dict[str, Any]) -> Iterable[dict[str, Any]]:
        """Yield one dict per finding: stack, logical_id, message (and fix, if not the rule's)."""
        raise NotImplementedError

    def finding(self, stack: Any, logical_id: Any, message: str, fix: str | None = None) -> dict[str, Any]:
        """A finding of this rule as a row of the ``findings`` frame."""
        return {
            "rule_id": self.id,
            "severity": self.severity,
            "stack": None if is_missing(stack) else stack,
            "logical_id": None if is_missing(logical_id) else logical_id,
            "message": message,
            "fix": fix or self.fix,
            "title": self.title,
        }


def is_missing(value: Any) -> bool:
    """``True`` for None and pandas' NA/NaN (scalars only).

    >>> is_missing(pd.NA), is_missing("x"), is_missing([1])
    (True, False, False)
    """
    return value is None or (not isinstance(value, (list, tuple, dict, set)) and bool(pd.isna(value)))


def problem_findings(rule: Rule, problems: pd.DataFrame, kind: str) -> Iterable[dict[str, Any]]:
    """The rows of an ``export_problems`` frame of one kind, as findings of `rule` (same message).

    >>> import iacviz
    >>> t = {"Resources": {"V": {"Type": "AWS::EC2::VPC"}},
    ...      "Outputs": {"V": {"Value": {"Ref": "V"}, "Export": {"Name": "v"}}}}
    >>> class R(Rule):
    ...     id = "I9001"
    >>> [f["logical_id"] for f in problem_findings(R(), iacviz.export_problems(iacviz.load_template(t)), "unused export")]
    ['Outputs.V']
    """
    rows = problems[problems["kind"] == kind]
    for stack, source, message in zip(rows["stack"], rows["source"], rows["message"]):
        yield rule.finding(stack, source, message)


def merged_config(rule: type[Rule], given: dict[str, Any] | None) -> dict[str, Any]:
    """The rule's defaults overlaid with a user's values, each checked against the default's type.

    >>> class R(Rule):
    ...     id, config = "W9001", {"threshold": 3}
    >>> merged_config(R, {"threshold": 5})
    {'threshold': 5}
    >>> merged_config(R, {"treshold": 5})
    Traceback (most recent call last):
    iacviz.errors.IacvizError: rule W9001 has no option 'treshold' (options: threshold)
    """
    out = dict(rule.config)
    for key, value in (given or {}).items():
        if key not in out:
            options = ", ".join(sorted(out)) or "none"
            raise IacvizError(f"rule {rule.id} has no option {key!r} (options: {options})")
        default = out[key]
        # bool is an int in Python; an int is accepted where a float is expected.
        ok = (
            isinstance(value, bool)
            if isinstance(default, bool)
            else isinstance(value, (int, float)) and not isinstance(value, bool)
            if isinstance(default, float)
            else isinstance(value, type(default)) and not isinstance(value, bool)
        )
        if not ok:
            raise IacvizError(
                f"rule {rule.id}: option {key!r} must be {type(default).__name__}, "
                f"not {type(value).__name__} ({value!r})"
            )
        out[key] = list(value) if isinstance(default, (list, tuple)) else value
    return out


def metadata_problems(rule: type[Rule]) -> list[str]:
    """What is missing or malformed in a rule's metadata (empty when complete).

    >>> metadata_problems(Rule)[:2]
    ["id '' is not a severity letter and four digits (e.g. W3001)", 'title is empty']
    """
    out = []
    if not ID_PATTERN.match(str(rule.id)):
        out.append(f"id {rule.id!r} is not a severity letter and four digits (e.g. W3001)")
    elif not rule.category:
        out.append(f"id {rule.id} is in no category ({', '.join(f'{k}xxx' for k in CATEGORIES)})")
    for name in ("title", "description", "fix"):
        if not str(getattr(rule, name, "")).strip():
            out.append(f"{name} is empty")
    if not str(rule.source_url).startswith("https://docs.aws.amazon.com/"):
        out.append(f"source_url {rule.source_url!r} is not an AWS documentation page")
    if not rule.tags or not all(isinstance(t, str) and t for t in rule.tags):
        out.append("tags are empty")
    if not isinstance(rule.config, dict) or any(v is None for v in rule.config.values()):
        out.append("config must map option names to typed defaults (not None)")
    if rule.check is Rule.check:
        out.append("check() is not implemented")
    return out
