"""Architecture review: rules that read an estate and report findings.

Every rule is one class in one file of this folder, named like the file (cfn-lint's
convention, see ``_base.py`` for the metadata). Rules are found by walking the folder: a file
whose name starts with a letter or digit is imported and every :class:`Rule` subclass it
defines is a rule, so adding a rule is adding a file. Files starting with ``_`` are helpers.

:func:`review` runs them and returns the ``findings`` frame; the generated catalogue
``docs/rules.md`` comes from :func:`catalogue_markdown` (``python -m iacviz.rules --markdown``).

>>> [r.id for r in discover()][:3]
['W1001', 'W1002', 'E1003']
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import os
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Iterable

import pandas as pd

from .. import schema
from ..cfn.conditions import all_of
from ..errors import IacvizError
from ._base import CATEGORIES, SEVERITIES, Rule, merged_config
from ._cfnlint import PREFIX, SAME_AS, lint_rows

if TYPE_CHECKING:
    from ..model.estate import Estate

__all__ = ["Rule", "catalogue", "catalogue_markdown", "discover", "review"]


_HERE = Path(__file__).resolve().parent
_ORDER = {"error": 0, "warning": 1, "info": 2}


def _rule_files(folder: Path) -> list[Path]:
    # A leading letter or digit marks a rule file (``_base.py`` and ``__main__.py`` are not).
    return sorted(p for p in folder.glob("*.py") if p.name[0].isalnum())


def _import_file(path: Path) -> ModuleType:
    if path.parent == _HERE:
        return importlib.import_module(f"{__name__}.{path.stem}")
    # A user's folder is no package: import each file under a name unique to its path, so two
    # folders with a file of the same name do not replace each other in sys.modules.
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    spec = importlib.util.spec_from_file_location(f"iacviz_user_rules_{digest}.{path.stem}", path)
    if spec is None or spec.loader is None:
        raise IacvizError(f"cannot import rule file {path}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a user's file with a bug: say which file
        raise IacvizError(f"cannot import rule file {path}: {type(exc).__name__}: {exc}") from exc
    return module


def discover(folder: str | os.PathLike | None = None) -> list[type[Rule]]:
    """The rule classes defined in the files of `folder` (default: iacviz's own), by number.

    Parameters
    ----------
    folder : path, optional
        A folder of rule files (or a single ``.py`` file). Each file's module is imported and
        every :class:`Rule` subclass *defined* in it (not imported into it) is returned.

    Returns
    -------
    list of Rule subclasses
        Sorted by the number of their id (``W1001``, ``W1002``, ``E1003`` ...).

    Examples
    --------
    >>> [r.id for r in discover()][-2:]
    ['W6001', 'I6002']
    """
    path = Path(folder) if folder is not None else _HERE
    if not path.exists():
        raise IacvizError(f"rule folder {path} does not exist")
    files = [path] if path.is_file() else _rule_files(path)
    found: list[type[Rule]] = []
    for file in files:
        module = _import_file(file.resolve())
        found += [
            obj
            for _, obj in inspect.getmembers(module, inspect.isclass)
            if issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__
        ]
    return sorted(found, key=lambda r: (r.id[1:], r.id))


def _available(extra_rules: list[Any]) -> dict[str, type[Rule]]:
    rules = list(discover())
    for item in extra_rules:
        if isinstance(item, (str, os.PathLike)):
            rules += discover(item)
        elif inspect.isclass(item) and issubclass(item, Rule):
            rules.append(item)
        elif isinstance(item, Rule):
            rules.append(type(item))
        else:
            raise IacvizError(f"extra_rules: expected Rule subclasses or folders of rule files, not {item!r}")
    out: dict[str, type[Rule]] = {}
    for rule in rules:
        if rule.id in out and out[rule.id] is not rule:
            raise IacvizError(f"two rules share the id {rule.id}: {out[rule.id].__name__} and {rule.__name__}")
        out[rule.id] = rule
    return out


def _ids(values: Iterable[Any], known: dict[str, type[Rule]], what: str) -> list[str]:
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    ids = [v.id if inspect.isclass(v) and issubclass(v, Rule) else str(v).strip().upper() for v in values]
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise IacvizError(f"{what}: unknown rule id {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return ids


def review(
    estate: Estate,
    *,
    rules: Iterable[Any] | None = None,
    disable: Iterable[Any] = (),
    config: dict[str, dict[str, Any]] | None = None,
    extra_rules: Iterable[Any] = (),
    lint: bool = False,
) -> pd.DataFrame:
    """Review an estate's architecture: run the rules and return their findings.

    Parameters
    ----------
    estate : Estate
        Any estate (files, live or snapshot); the live-state rules find nothing offline.
    rules : iterable of str or Rule subclasses, optional
        Run only these rules: ids like ``"W3001"``, or Rule subclasses (which need not be in
        `extra_rules` too). Default: every rule.
    disable : iterable of str, or a comma-separated str
        Rule ids not to run, e.g. ``["W2001"]``.
    config : dict, optional
        Options per rule id, e.g. ``{"W2001": {"threshold": 5}}``; each value must have the
        type of the rule's default (``iacviz.rules.catalogue()`` lists them).
    extra_rules : iterable of Rule subclasses or folder paths
        Your own rules, as classes or as folders of rule files (one class per file).
    lint : bool, default False
        Also run cfn-lint's own rules on every template (the pre-flight check before a deploy),
        offline, with the schemas iacviz pins. Their findings have rule_id ``cfn-lint:<id>`` and
        the source line of what they are about. Where cfn-lint and an iacviz rule say the same
        thing about one resource (cfn-lint W3011 and W3001), one finding is kept, naming both.

    Returns
    -------
    DataFrame
        Frame ``findings``: rule_id, severity (error, warning, info), stack, logical_id,
        message, fix, title, active (whether what it is about exists under the parameter
        values: True, False, or NA for unknown), line; errors first, then by rule id, stack and
        logical id.

    Raises
    ------
    IacvizError
        An unknown rule id in `rules`, `disable` or `config`, a bad option, two rules with
        one id, or a rule that fails (its id is named).

    Examples
    --------
    >>> import iacviz
    >>> t = {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table"}}}
    >>> found = review(iacviz.load_template(t, stack="data"))
    >>> found[["rule_id", "stack", "logical_id"]].values.tolist()
    [['W3001', 'data', 'Table']]
    >>> review(iacviz.load_template(t, stack="data"), disable=["W3001"]).empty
    True
    """
    extra = (
        [extra_rules]
        if isinstance(extra_rules, (str, os.PathLike)) or inspect.isclass(extra_rules)
        else list(extra_rules)
    )
    # A rule class passed in `rules` needs no separate mention in `extra_rules`.
    extra += [r for r in (rules or []) if inspect.isclass(r) and issubclass(r, Rule) and r not in extra]
    known = _available(extra)
    selected = _ids(rules, known, "rules") if rules is not None else list(known)
    off = set(_ids(disable, known, "disable"))
    config = dict(config or {})
    _ids(config, known, "config")
    rows: list[dict[str, Any]] = []
    for rule_id in selected:
        if rule_id in off:
            continue
        rule = known[rule_id]()
        options = merged_config(type(rule), config.get(rule_id))
        try:
            found = list(rule.check(estate, options))
        except IacvizError:
            raise
        except Exception as exc:  # name the rule: the traceback alone does not say which one
            raise IacvizError(f"rule {rule_id} ({type(rule).__name__}) failed: {type(exc).__name__}: {exc}") from exc
        # Rows are rebuilt through finding() so a user's rule that yields plain dicts still
        # gets its id, severity, title and default fix.
        for r in found:
            row = rule.finding(r.get("stack"), r.get("logical_id"), r.get("message", ""), r.get("fix"))
            if "active" in r:
                row["active"] = r["active"]
            rows.append(row)
    if lint:
        rows = _merge_lint(rows, lint_rows(estate.raw_stacks, getattr(estate, "region", None)))
    _activity(estate, rows)
    df = schema.frame("findings", rows)
    if df.empty:
        return df
    order = df.severity.map(_ORDER).astype("int64")
    number = df.rule_id.str[1:]
    df = (
        df.assign(_o=order, _n=number)
        .sort_values(["_o", "_n", "stack", "logical_id"], na_position="first", kind="stable")
        .drop(columns=["_o", "_n"])
    )
    return df.reset_index(drop=True)


def _merge_lint(rows: list[dict[str, Any]], linted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add cfn-lint's rows; one that repeats an iacviz finding on the same resource joins it."""
    own = {(r["rule_id"], r.get("stack"), r.get("logical_id")): r for r in rows}
    for row in linted:
        lint_id = row["rule_id"][len(PREFIX) :]
        twin = own.get((SAME_AS.get(lint_id), row["stack"], row["logical_id"]))
        if twin is None:
            rows.append(row)
            continue
        if f"{PREFIX}{lint_id}" not in twin["message"]:
            twin["message"] += f" ({PREFIX}{lint_id} says the same: {row['message']})"
        twin.setdefault("line", row["line"])
    return rows


def _activity(estate: Any, rows: list[dict[str, Any]]) -> None:
    """Fill `active` of findings about a resource or an output from its Condition's value, and of
    findings about a nested stack from its parent's condition."""
    if not rows or not hasattr(estate, "resources"):
        return
    res, out, cond = estate.resources, estate.outputs, estate.conditions
    value = {}
    for s, lid, v in zip(res["stack"], res.logical_id, res.condition_value.astype(object)):
        value[(s, lid)] = None if v is pd.NA else bool(v)
    cond_value = {
        (s, n): (None if v is pd.NA else bool(v))
        for s, n, v in zip(cond["stack"], cond.name, cond.value.astype(object))
    }
    # A nested stack exists only if its parent's AWS::CloudFormation::Stack resource does (its
    # condition_value, folded by the model); the resources in it carry that already.
    st = estate.stacks
    stack_value = {
        s: value.get((p, r), True)
        for s, p, r in zip(st["stack"], st.parent_stack.astype(object), st.parent_resource.astype(object))
        if isinstance(p, str) and isinstance(r, str)
    }
    for s, n, c in zip(out["stack"], out.name, out.condition.astype(object)):
        own = True if c is pd.NA or c is None else cond_value.get((s, c))
        value[(s, f"Outputs.{n}")] = all_of((stack_value.get(s, True), own))
    value.update(((s, None), v) for s, v in stack_value.items())  # a finding about the whole stack
    for row in rows:
        if "active" not in row:
            lid = row.get("logical_id")
            row["active"] = value.get((row.get("stack"), lid if isinstance(lid, str) else None), True)


def catalogue(rules: Iterable[type[Rule]] | None = None) -> pd.DataFrame:
    """Every rule's metadata as a frame: id, severity, category, title, description, fix,
    source_url, tags, config, name, precision (checked by hand on the shared corpus).

    >>> catalogue().set_index("id").loc["W2001", "config"]
    {'threshold': 3}
    """
    rows = [
        {
            "id": r.id,
            "severity": r.severity,
            "category": r.category,
            "title": r.title,
            "description": r.description,
            "fix": r.fix,
            "source_url": r.source_url,
            "tags": list(r.tags),
            "config": dict(r.config),
            "name": r.__name__,
            "precision": r.precision,
        }
        for r in (discover() if rules is None else rules)
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "severity",
            "category",
            "title",
            "description",
            "fix",
            "source_url",
            "tags",
            "config",
            "name",
            "precision",
        ],
    )


def _option(name: str, default: Any) -> str:
    return f"`{name}` ({type(default).__name__}, default `{default!r}`)"


def catalogue_markdown() -> str:
    """The rule catalogue page ``docs/rules.md``, generated from the rules' metadata.

    >>> catalogue_markdown().splitlines()[0]
    '# Review rules'
    """
    rules = discover()
    lines = [
        "# Review rules",
        "",
        "<!-- Generated from the rules' metadata by `python -m iacviz.rules --markdown > docs/rules.md`;"
        " do not edit by hand (tests/test_rules.py checks it is up to date). -->",
        "",
        "`iacviz.review(estate)` (command line: `iacviz review PATH`) runs every rule below and returns one "
        "row per finding: `rule_id`, `severity`, `stack`, `logical_id`, `message`, `fix`, `title`, `active` "
        "(whether what it is about exists under the parameter values: the resource's or output's Condition, an "
        "import's conditions; NA when unknown).",
        "",
        '* switch rules off: `iacviz.review(estate, disable=["W2001"])`, `iacviz review PATH --disable W2001`;',
        '* set options: `iacviz.review(estate, config={"W2001": {"threshold": 5}})`;',
        "* add your own: `iacviz.review(estate, extra_rules=[MyRule])` or a folder of rule files "
        '(`extra_rules=["my_rules/"]`), each file one `iacviz.rules.Rule` subclass named like the file.',
        "* add cfn-lint's own rules as a pre-flight check: `iacviz.review(estate, lint=True)`, `iacviz review PATH "
        "--lint` (offline, with the schemas iacviz pins; findings `cfn-lint:<id>` with the source `line`; where "
        "cfn-lint W3011 repeats W3001 about one resource, the W3001 finding names it).",
        "",
        "A rule id is a severity letter ("
        + ", ".join(f"`{k}` {v}" for k, v in SEVERITIES.items())
        + ") and a number whose thousands give the category:",
        "",
        "| numbers | category |",
        "|---|---|",
        *[f"| {k}001-{k}999 | {v} |" for k, v in CATEGORIES.items()],
        "",
        f"## The {len(rules)} rules",
        "",
        "| id | severity | title | options |",
        "|---|---|---|---|",
    ]
    for r in rules:
        options = ", ".join(f"`{k}={v!r}`" for k, v in r.config.items()) or "-"
        lines.append(f"| [{r.id}](#{r.id.lower()}) | {r.severity} | {r.title} | {options} |")
    for r in rules:
        lines += [
            "",
            f'<a id="{r.id.lower()}"></a>',
            "",
            f"### {r.id}: {r.title}",
            "",
            f"*{r.severity}, {r.category}; tags: {', '.join(r.tags)}; class `{r.__name__}`*",
            "",
            r.description.strip(),
            "",
            f"**Fix.** {r.fix.strip()}",
            "",
        ]
        if r.precision:
            lines += [f"**Precision on the shared corpus.** {r.precision.strip()}", ""]
        if r.config:
            lines += ["**Options.** " + "; ".join(_option(k, v) for k, v in r.config.items()), ""]
        lines.append(f"**Source.** <{r.source_url}>")
    lines += ["", "## Writing a rule", "", "```python", *_EXAMPLE.strip("\n").splitlines(), "```", ""]
    return "\n".join(lines)


_EXAMPLE = """
# my_rules/QueueWithoutDeadLetter.py -- iacviz.review(estate, extra_rules=["my_rules"])
from iacviz.rules import Rule


class QueueWithoutDeadLetter(Rule):
    id = "W9001"
    title = "Queue without a dead-letter queue"
    description = "A queue without RedrivePolicy keeps retrying poison messages."
    fix = "Add RedrivePolicy with a deadLetterTargetArn."
    source_url = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html"
    tags = ("messaging",)
    config = {"ignore": []}

    def check(self, estate, config):
        props = estate.properties
        redrive = props[props.path.str.startswith("/properties/RedrivePolicy")]
        with_dlq = set(zip(redrive["stack"], redrive.logical_id))
        queues = estate.resources[estate.resources.type == "AWS::SQS::Queue"]
        for r in queues.itertuples():
            if (r.stack, r.logical_id) not in with_dlq and r.logical_id not in config["ignore"]:
                yield self.finding(r.stack, r.logical_id, f"queue {r.logical_id} has no dead-letter queue")
"""
