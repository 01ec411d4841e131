"""Helpers for the workshop notebooks: open any source, check exercise answers, guard key numbers.

Every notebook starts with a parameter cell, ``SOURCE = "../data/sample-estate"``, and opens
it with :func:`open_source`, which is :func:`iacviz.open_estate`, the opener the CLI and
:func:`iacviz.plan_changes` use too: a folder or file of templates, a snapshot folder,
``"live:PROFILE/REGION"`` or an endpoint URL such as the local demo account of
:func:`iacviz.lab.demo_account.start_demo_account`.

Exercises end with ``answer = None`` and ``workshop.check("name", answer, estate, **params)``:
with no answer it prints the question and a hint (and never fails), otherwise it says whether
the answer is right, in any equivalent form, with targeted feedback for the known slips.
:func:`show_solution` prints the solution only when asked. A question's parameters (the stack,
export or resource it asks about) are picked from the data by :func:`busiest_export`,
:func:`exported_resource`, :func:`widest_stateful` and :func:`stateful_stack`, so every exercise
works on any estate; the sample's names are only their defaults.

:func:`expect` guards the numbers a notebook teaches: on the bundled sample estate (or the
demo account built from it) it asserts them, so nbval fails when they change; on any other
source it only prints them.

>>> import iacviz
>>> e = iacviz.load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, stack="data")
>>> check("stack-resources", None, e, stack="data")
Question stack-resources: How many resources does the stack data hold?
Hint: count the rows of estate.resources whose stack is "data" (estate.resources["stack"], not .stack, which is a DataFrame method).
>>> check("stack-resources", 2, e, stack="data")
Not quite: 2 is not it. Hint: count the rows of estate.resources whose stack is "data" (estate.resources["stack"], not .stack, which is a DataFrame method).
False
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from ..analysis import exports as _exports  # noqa: F401 - registers estate.exports/.imports
from ..data import sample_estate
from ..errors import IacvizError
from ..model.open import open_estate

__all__ = [
    "open_source",
    "check",
    "expect",
    "is_sample",
    "QUESTIONS",
    "solution",
    "show_solution",
    "busiest_export",
    "exported_resource",
    "widest_stateful",
    "stateful_stack",
    "mixed_stack",
    "exporting_stack",
    "capstone_copy",
    "setup_problems",
]

DEMO = "demo"


def open_source(source: Any, *, region: str | None = None) -> Any:
    """The estate behind a notebook's ``SOURCE``: :func:`iacviz.open_estate` (see it for the forms).

    Examples
    --------
    >>> estate = open_source(sample_estate())
    >>> open_source(estate) is estate
    True
    """
    return open_estate(source, region=region)


def is_sample(source: Any) -> bool:
    """Whether `source` is the bundled sample estate (or ``"demo"``, the demo account built from it).

    >>> is_sample(sample_estate()), is_sample("demo"), is_sample("live:prod/eu-west-1")
    (True, True, False)
    """
    if not isinstance(source, (str, os.PathLike)):
        return False
    if os.fspath(source) == DEMO:
        return True
    try:
        return Path(source).resolve() == sample_estate().resolve()
    except (OSError, ValueError):
        return False


def expect(source: Any, what: str, actual: Any, expected: Any) -> None:
    """Assert a key number of the sample estate; on other sources just print it.

    >>> expect("demo", "stacks", 10, 10)
    ✔ stacks: 10
    >>> expect("live:prod/eu-west-1", "stacks", 42, 10)
    stacks: 42
    """
    if is_sample(source):
        assert _strict(actual) == _strict(expected), (
            f"{what}: expected {expected!r} on the sample estate, got {actual!r} "
            f"(the estate or iacviz changed: update the notebook's text too)"
        )
        print(f"✔ {what}: {_show(actual)}")
    else:
        print(f"{what}: {_show(actual)}")


def _show(value: Any) -> str:
    if isinstance(value, (set, frozenset)):
        return ", ".join(sorted(map(str, value)))
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def _scalar(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy / pandas scalars
        try:
            return value.item()
        except (AttributeError, ValueError):
            return value
    return value


def _strict(value: Any) -> Any:
    """`value` with numpy/pandas scalars and Series made plain, containers kept as they are."""
    if isinstance(value, pd.Series):
        value = value.tolist()
    if isinstance(value, dict):
        return {_strict(k): _strict(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return {_strict(v) for v in value}
    if isinstance(value, tuple):
        return tuple(_strict(v) for v in value)
    if isinstance(value, list):
        return [_strict(v) for v in value]
    return _scalar(value)


# -- examples chosen from the data ---------------------------------------------------------------
# A notebook names the sample's resources only as defaults: on any other estate it picks its
# examples with these rules, and its text says which rule picked them.


def _resource_key(stack: Any, logical_id: Any) -> str:
    return f"{stack}/{logical_id}"


def _has_resource(estate: Any, key: str | None) -> bool:
    if not key or "/" not in key:
        return False
    stack, _, lid = key.rpartition("/")
    res = estate.resources
    return bool(((res["stack"] == stack) & (res.logical_id == lid)).any())


def busiest_export(estate: Any, prefer: str | None = None) -> str | None:
    """`prefer` if the estate exports it, else the export with the most importing stacks.

    Ties go to the first name in alphabetical order; None when the estate exports nothing.

    >>> import iacviz
    >>> busiest_export(iacviz.load(sample_estate()))
    'shop-network-PrivateSubnetIds'
    """
    ex = estate.exports
    if prefer is not None and (ex.export_name == prefer).any():
        return prefer
    if ex.empty:
        return None
    top = ex.sort_values(["n_importers", "export_name"], ascending=[False, True], kind="stable")
    return str(top.export_name.iloc[0])


def exported_resource(estate: Any, prefer: str | None = None) -> str | None:
    """`prefer` if the estate has it, else the resource behind the export with the most importers.

    Returned as ``"stack/LogicalId"``: replacing it changes a value other stacks import, which is
    the change with the widest reach across stacks. None when no export points at a resource.

    >>> import iacviz
    >>> exported_resource(iacviz.load(sample_estate()), prefer="network/AppSecurityGroup")
    'network/AppSecurityGroup'
    """
    if _has_resource(estate, prefer):
        return prefer
    ex = estate.exports
    ex = ex[ex.resources.map(lambda r: isinstance(r, (list, tuple)) and len(r) > 0)]
    if ex.empty:
        return _most_referenced(estate)
    top = ex.sort_values(["n_importers", "export_name"], ascending=[False, True], kind="stable").iloc[0]
    return _resource_key(top["stack"], sorted(top.resources)[0])


def _most_referenced(estate: Any, among: pd.DataFrame | None = None) -> str | None:
    """The resource (of `among`, default all) that the most references point at."""
    res = estate.resources if among is None else among
    if res.empty:
        return None
    refs = estate.references
    refs = refs[refs.target_kind == "resource"] if "target_kind" in refs else refs
    counts = refs.groupby(["target_stack", "target"]).size()
    keyed = res.assign(_n=[int(counts.get((s, lid), 0)) for s, lid in zip(res["stack"], res.logical_id)])
    top = keyed.sort_values(["_n", "stack", "logical_id"], ascending=[False, True, True], kind="stable").iloc[0]
    return _resource_key(top["stack"], top.logical_id)


def widest_stateful(estate: Any, prefer: str | None = None, *, candidates: int = 12) -> str | None:
    """`prefer` if the estate has it, else the stateful resource with the widest blast radius.

    "Widest" is the number of resources a replacement reaches; to stay fast on large estates
    only the `candidates` stateful resources that the most references point at are measured.
    None when nothing in the estate holds data.

    >>> import iacviz
    >>> widest_stateful(iacviz.load(sample_estate()), prefer="data/Db")
    'data/Db'
    """
    if _has_resource(estate, prefer):
        return prefer
    from ..analysis.blast_radius import blast_radius

    res = estate.resources
    stateful = res[res.stateful.fillna(False).astype(bool) & (res.type != "AWS::CloudFormation::Stack")]
    if stateful.empty:
        return None
    refs = estate.references
    counts = refs.groupby(["target_stack", "target"]).size()
    ranked = stateful.assign(
        _n=[int(counts.get((s, lid), 0)) for s, lid in zip(stateful["stack"], stateful.logical_id)]
    )
    ranked = ranked.sort_values(["_n", "stack", "logical_id"], ascending=[False, True, True], kind="stable")
    best, best_n = None, -1
    for stack, lid in zip(ranked["stack"].head(candidates), ranked.logical_id.head(candidates)):
        key = _resource_key(stack, lid)
        n = len(blast_radius(estate, key, "replace"))
        if n > best_n:
            best, best_n = key, n
    return best


def stateful_stack(estate: Any, prefer: str | None = None) -> str | None:
    """`prefer` if the estate has that stack, else the stack holding the most stateful resources.

    >>> import iacviz
    >>> stateful_stack(iacviz.load(sample_estate()))
    'data'
    """
    stacks = set(estate.stacks["stack"])
    if prefer in stacks:
        return prefer
    res = estate.resources
    counts = res[res.stateful.fillna(False).astype(bool)].groupby("stack").size()
    if counts.empty:
        return sorted(stacks)[0] if stacks else None
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")
    return str(counts.index[0])


# -- answers: equivalent forms ---------------------------------------------------------------------


class Malformed(ValueError):
    """An answer that is not of the form the question asks for (the message says which form)."""


def _as_number(value: Any) -> float:
    value = _scalar(value)
    if isinstance(value, (list, tuple, set, frozenset, pd.Series)) and len(value) == 1:
        return _as_number(next(iter(value)))
    if isinstance(value, bool):
        raise Malformed("a number is expected, not True/False")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", ""))
        except ValueError:
            raise Malformed(f"a number is expected, e.g. 3, not {value!r}") from None
    raise Malformed(f"a number is expected, not {type(value).__name__}")


def _as_names(value: Any) -> frozenset[str]:
    if isinstance(value, pd.Series):
        value = value.tolist()
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",")] if "," in value or ";" in value else [value]
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise Malformed(f"a name or a list of names is expected, not {type(value).__name__}")
    names = []
    for v in value:
        if not isinstance(v, str):
            raise Malformed(f'names are text, e.g. "data/Db", not {v!r}')
        if v.strip():
            names.append(v.strip().lower())
    return frozenset(names)


def _same_resources(answer: frozenset[str], right: frozenset[str]) -> tuple[bool, bool]:
    """(equal, some given without their stack): "Db" matches "data/Db" when only one right one is Db."""
    bare = False
    if len(answer) != len(right):
        return False, False
    left = set(right)
    for item in answer:
        if item in left:
            left.discard(item)
            continue
        match = [r for r in left if r.rpartition("/")[2] == item]
        if "/" in item or len(match) != 1:
            return False, False
        left.discard(match[0])
        bare = True
    return not left, bare


# -- questions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One exercise: its text (``str.format`` with its parameters), a hint, how to solve it and how
    to explain the answer, the form of the answer, and its known wrong answers.

    ``kind`` is ``"number"``, ``"name"``, ``"names"`` (a set of names, any order, any case) or
    ``"resources"`` (names ``stack/LogicalId``; a logical id alone is accepted when it is unambiguous)
    or ``"graded"`` (the answer is a folder of templates, which ``solve(estate, folder)`` grades
    into ``(passed, feedback)``).
    ``wrong(estate, **params)`` maps the natural slips to the feedback that explains them.
    ``how`` is the recipe :func:`show_solution` prints.
    """

    text: str
    hint: str
    solve: Callable[..., Any]
    explain: Callable[[Any], str]
    kind: str = "number"
    wrong: Callable[..., dict[Any, str]] = lambda estate, **params: {}
    how: str = ""


def _stack_count(estate: Any, stack: str) -> int:
    return int((estate.resources["stack"] == stack).sum())


def _persistent_counts(estate: Any) -> pd.Series:
    res = estate.resources
    return res[res.modality == "persistent"].groupby("stack").size().sort_index()


def _most_persistent(estate: Any) -> str:
    counts = _persistent_counts(estate)
    return str(counts.sort_values(ascending=False, kind="stable").index[0]) if len(counts) else ""


def _wrong_most_persistent(estate: Any) -> dict[Any, str]:
    res = estate.resources
    out: dict[Any, str] = {}
    if len(res):
        biggest = res.groupby("stack").size().sort_index().sort_values(ascending=False, kind="stable").index[0]
        out[biggest] = f"{biggest} has the most resources overall; count only the persistent ones."
    held = res[res.stateful.fillna(False).astype(bool)].groupby("stack").size().sort_index()
    if len(held):
        top = held.sort_values(ascending=False, kind="stable").index[0]
        out.setdefault(
            top,
            f"{top} holds the most stateful resources; persistent is about lifetime, not data "
            "(a security group is persistent and holds nothing).",
        )
    return out


def _stack_imports(estate: Any) -> Any:
    """estate.imports without the rows of scripts (via script): the exercises count stacks."""
    imp = estate.imports
    return imp[imp["stack"].notna()]


def _importing_stacks(estate: Any, export: str) -> int:
    imp = _stack_imports(estate)
    return int(imp[(imp.export_name == export) & imp.link.isin(["exact", "inferred"])]["stack"].nunique())


def _wrong_importers(estate: Any, export: str) -> dict[Any, str]:
    imp = _stack_imports(estate)
    rows = int(((imp.export_name == export) & imp.link.isin(["exact", "inferred"])).sum())
    return {
        rows: f"{rows} counts importing resources (rows of estate.imports); several resources of one stack "
        "can import the same export. Count distinct stacks."
    }


def _reached(estate: Any, target: str, change: str) -> pd.DataFrame:
    from ..analysis.blast_radius import blast_radius

    return blast_radius(estate, target, change)


def _reached_stacks(estate: Any, target: str, change: str = "delete") -> int:
    br = _reached(estate, target, change)
    own = target.rpartition("/")[0]
    return int(br["stack"][br["stack"] != own].nunique())


def _wrong_reached(estate: Any, target: str, change: str = "delete") -> dict[Any, str]:
    br = _reached(estate, target, change)
    own = target.rpartition("/")[0]
    return {
        int(br["stack"].nunique()): f"that includes {own}, the target's own stack; count the OTHER stacks.",
        int((br["stack"] != own).sum()): "that counts the resources reached in other stacks; count their stacks.",
    }


def _data_loss(estate: Any, after: Any = None) -> frozenset[str]:
    from ..analysis.changes import plan_changes

    plan = plan_changes(estate, open_source(after) if after is not None else estate)
    lost = plan[plan.data_loss.fillna(False).astype(bool)]
    return frozenset(_resource_key(s, lid) for s, lid in zip(lost["stack"], lost.logical_id))


def _wrong_data_loss(estate: Any, after: Any = None) -> dict[Any, str]:
    from ..analysis.changes import plan_changes

    plan = plan_changes(estate, open_source(after) if after is not None else estate)
    out: dict[Any, str] = {}
    replaced = plan[(plan.kind == "resource") & (plan.replacement.astype(str) == "True")]
    lost = plan.data_loss.fillna(False).astype(bool)
    for (stack, lid), blocked in zip(replaced[["stack", "logical_id"]].values, replaced.blocked.notna()):
        key = frozenset([_resource_key(stack, lid).lower()])
        row = (plan["stack"] == stack) & (plan.logical_id == lid) & lost
        if row.any():
            continue
        why = (
            "CloudFormation refuses this update (an export in use), so nothing is replaced"
            if blocked
            else "it is replaced, but it holds no data (or a policy keeps a copy)"
        )
        out[key] = f"{stack}/{lid}: {why}."
    return out


def _clickops(estate: Any) -> int:
    unmanaged = getattr(estate, "unmanaged", None)
    if unmanaged is None or unmanaged.empty:
        return 0
    return int(sum(isinstance(t, dict) and t.get("owner") == "clickops" for t in unmanaged.tags))


def _wrong_clickops(estate: Any) -> dict[Any, str]:
    unmanaged = getattr(estate, "unmanaged", None)
    if unmanaged is None or unmanaged.empty:
        return {}
    n, tagged = len(unmanaged), _clickops(estate)
    by = unmanaged.managed_by.astype(object) if "managed_by" in unmanaged else pd.Series("none", unmanaged.index)
    by = by.where(by.notna(), "none")
    none, service, aws = int(by.eq("none").sum()), int(by.eq("service").sum()), int(by.eq("aws").sum())
    untagged = none - tagged  # outside the stacks, made by hand or by tooling, without the tag
    slips = {
        n: f"those {n} are every row of estate.unmanaged: "
        + ", ".join(
            part
            for part in (
                f"{aws} AWS-owned defaults (managed_by aws)" if aws else "",
                f"{service} made by a service (managed_by service)" if service else "",
                f"{untagged} without the clickops tag (the demo's deployment-artifact buckets, which the deploy "
                "tooling creates outside any stack)"
                if untagged
                else "",
            )
            if part
        )
        + ": count only owner=clickops."
    }
    if untagged and none != n:
        slips[none] = (
            f"those {none} are the click-ops rows (managed_by none), and {untagged} of them carry no clickops tag "
            "(the demo's deployment-artifact buckets): count only owner=clickops."
        )
    slips.pop(tagged, None)
    return slips


def _warnings_of(estate: Any, rule: str) -> int:
    from ..rules import review

    f = review(estate)
    return int((f.rule_id == rule).sum())


def _wrong_w3001(estate: Any) -> dict[Any, str]:
    res = estate.resources
    held = res.stateful.fillna(False).astype(bool)
    kept = ("Retain", "RetainExceptOnCreate", "Snapshot")
    safe = res.deletion_policy.isin(kept) & res.update_replace_policy.isin(kept)
    n, bare = int(held.sum()), int((held & ~safe).sum())
    return {
        n: f"{n} is every stateful resource; some of them already have both Retain/Snapshot policies.",
        bare: f"{bare} counts every stateful resource without both policies; the rule leaves out what is not a "
        "data store at risk (log groups) and nested stacks: read its description in docs/rules.md.",
    }


QUESTIONS: dict[str, Question] = {
    "stack-resources": Question(
        "How many resources does the stack {stack} hold?",
        'count the rows of estate.resources whose stack is "{stack}" (estate.resources["stack"], not .stack, '
        "which is a DataFrame method).",
        lambda e, stack: _stack_count(e, stack),
        lambda v: f"the stack holds {v} resource(s), SAM-expanded ones included.",
        wrong=lambda e, stack: {
            len(e.resources): "that is every resource of the estate; keep only one stack's rows.",
            int(
                (e.properties["stack"] == stack).sum()
            ): "that counts property leaves (estate.properties); count resources.",
        },
        how='(estate.resources["stack"] == STACK).sum()',
    ),
    "stack-stateful": Question(
        "How many resources of the stack {stack} hold data (stateful)?",
        'keep the rows of estate.resources whose stack is "{stack}" (estate.resources["stack"]: .stack is a '
        "DataFrame method, so estate.resources.stack == ... is just False), then those whose stateful is True.",
        lambda e, stack: int(((e.resources["stack"] == stack) & e.resources.stateful.fillna(False).astype(bool)).sum()),
        lambda v: f"{v} resource(s) of the stack hold data: those are the ones to protect.",
        wrong=lambda e, stack: {
            _stack_count(e, stack): "that is every resource of the stack; keep only the stateful ones.",
            int(
                e.resources.stateful.fillna(False).astype(bool).sum()
            ): "that is every stateful resource of the estate; keep only this stack's rows.",
            0: "did you write estate.resources.stack == ...? .stack is a DataFrame method, the comparison is "
            'False: use estate.resources["stack"].',
        },
        how='res = estate.resources; ((res["stack"] == STACK) & res.stateful).sum()',
    ),
    "most-persistent": Question(
        "Which stack holds the most persistent resources?",
        'filter estate.resources on modality == "persistent", then count per stack.',
        _most_persistent,
        lambda v: f"{v} holds the most persistent resources.",
        kind="name",
        wrong=_wrong_most_persistent,
        how='estate.resources[estate.resources.modality == "persistent"].groupby("stack").size().idxmax()',
    ),
    "export-importers": Question(
        "How many stacks import {export}?",
        "look the export up in estate.exports (n_importers), or count distinct stacks in estate.imports.",
        lambda e, export: _importing_stacks(e, export),
        lambda v: f"{v} stack(s) import it, so its stack cannot change that value while they do.",
        wrong=lambda e, export: _wrong_importers(e, export),
        how='estate.imports[estate.imports.export_name == EXPORT]["stack"].nunique()',
    ),
    "deletion-reach": Question(
        "If {target} were deleted, how many OTHER stacks would the change reach?",
        'iacviz.blast_radius(estate, "{target}", "delete"), then count the distinct stacks other than its own.',
        lambda e, target: _reached_stacks(e, target, "delete"),
        lambda v: f"{v} other stack(s): CloudFormation would refuse the deletion while they import what it exports.",
        wrong=lambda e, target: _wrong_reached(e, target, "delete"),
        how='blast = iacviz.blast_radius(estate, TARGET, "delete"); blast["stack"][blast["stack"] != OWN_STACK].nunique()',
    ),
    "release-data-loss": Question(
        'Which resources lose their data in the release? Answer "stack/LogicalId" (a list if several; [] if none).',
        "iacviz.plan_changes(before, after) and look at the data_loss column.",
        lambda e, after=None: _data_loss(e, after),
        lambda v: (
            f"{_show(sorted(v))}: replaced with no UpdateReplacePolicy, the old one is deleted without a copy."
            if v
            else "nothing loses data in this release."
        ),
        kind="resources",
        wrong=lambda e, after=None: _wrong_data_loss(e, after),
        how='plan = iacviz.plan_changes(estate, after); plan[plan.data_loss.fillna(False)][["stack", "logical_id"]]',
    ),
    "clickops-resources": Question(
        "How many resources outside any stack carry the tag owner=clickops?",
        "estate.unmanaged has a tags column of dicts.",
        _clickops,
        lambda v: f"{v} resources were clicked into the account by hand.",
        wrong=_wrong_clickops,
        how='sum(isinstance(t, dict) and t.get("owner") == "clickops" for t in estate.unmanaged.tags)',
    ),
    "stateful-without-policies": Question(
        "How many findings of rule W3001 (stateful resource without DeletionPolicy/UpdateReplacePolicy) are there?",
        'iacviz.review(estate) and count rule_id == "W3001".',
        lambda e: _warnings_of(e, "W3001"),
        lambda v: f"{v} stateful resources would lose data on a deletion or replacement.",
        wrong=_wrong_w3001,
        how='(iacviz.review(estate).rule_id == "W3001").sum()',
    ),
}


def _question(name: str) -> Question:
    if name not in QUESTIONS:
        raise IacvizError(f"no exercise {name!r}; there are: {', '.join(QUESTIONS)}")
    return QUESTIONS[name]


def solution(name: str, estate: Any, **params: Any) -> Any:
    """The answer to exercise `name` computed from `estate` (what :func:`check` compares against)."""
    return _question(name).solve(estate, **params)


def _judge(kind: str, answer: Any, right: Any) -> tuple[bool, str]:
    """(right?, note) for `answer` against `right`, in the question's form; raises Malformed."""
    if kind == "number":
        return _as_number(answer) == float(_as_number(right)), ""
    if kind == "name":
        given = _as_names(answer)
        if len(given) != 1:
            raise Malformed("one name is expected")
        return next(iter(given)) == str(right).strip().lower(), ""
    right_names = _as_names(right if isinstance(right, (list, tuple, set, frozenset)) else [right])
    given = _as_names(answer)
    if kind == "resources":
        same, bare = _same_resources(given, right_names)
        return same, (
            "(Next time name the stack too, as stack/LogicalId: logical ids repeat across stacks.)"
            if same and bare
            else ""
        )
    return given == right_names, ""


def _known(kind: str, answer: Any, wrong: dict[Any, str]) -> str | None:
    for bad, feedback in wrong.items():
        try:
            if _judge(kind, answer, bad)[0]:
                return feedback
        except Malformed:
            continue
    return None


def check(name: str, answer: Any, estate: Any, **params: Any) -> bool | None:
    """Check an exercise answer against the one computed from `estate`, and say so in words.

    Parameters
    ----------
    name : str
        The exercise (a key of :data:`QUESTIONS`).
    answer : Any
        The learner's answer in any equivalent form: a number (``15`` or ``"15"``), a name, or a
        list/set of names in any order and case; a logical id alone stands for ``stack/LogicalId``
        when it is unambiguous. None: print the question and a hint.
    estate : Estate
        The estate the notebook works on.
    **params
        The question's parameters (the stack, export or resource it asks about).

    Returns
    -------
    bool or None
        True when right, False when not (with targeted feedback for the known slips, a hint
        otherwise), None when there was no answer.

    Examples
    --------
    >>> import iacviz
    >>> e = iacviz.load_template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, stack="data")
    >>> check("stack-resources", "1", e, stack="data")
    Right: the stack holds 1 resource(s), SAM-expanded ones included.
    True
    """
    q = _question(name)
    text, hint = q.text.format(**params), q.hint.format(**params)
    if answer is None:
        print(f"Question {name}: {text}\nHint: {hint}")
        return None
    if q.kind == "graded":  # the answer is the learner's folder; the grader reads their files
        try:
            passed, why = q.solve(estate, answer, **params)
        except Malformed as err:
            print(f"Not an answer yet: {err}. Question: {text}")
            return False
        print(f"Right: {why}" if passed else f"Not yet: {why}")
        return passed
    right = q.solve(estate, **params)
    try:
        ok, note = _judge(q.kind, answer, right)
    except Malformed as err:
        print(f"Not an answer yet: {err}. Question: {text}")
        return False
    if ok:
        print(f"Right: {q.explain(right)}" + (f" {note}" if note else ""))
        return True
    known = _known(
        q.kind, answer, {k: v for k, v in q.wrong(estate, **params).items() if not _judge_safe(q.kind, k, right)}
    )
    print(f"Not quite: {known}" if known else f"Not quite: {_show(answer)} is not it. Hint: {hint}")
    return False


def _judge_safe(kind: str, answer: Any, right: Any) -> bool:
    try:
        return _judge(kind, answer, right)[0]
    except Malformed:
        return False


def show_solution(name: str, estate: Any = None, **params: Any) -> None:
    """Print how to solve exercise `name` and, given the estate, its answer (solutions stay hidden
    until the learner asks for them).

    >>> show_solution("most-persistent")
    Solution most-persistent: Which stack holds the most persistent resources?
    How: estate.resources[estate.resources.modality == "persistent"].groupby("stack").size().idxmax()
    """
    q = _question(name)
    print(f"Solution {name}: {q.text.format(**params)}\nHow: {q.how}")
    if estate is not None and q.kind != "graded":
        print(f"Answer: {q.explain(q.solve(estate, **params))}")


# -- more examples chosen from the data -----------------------------------------------------------


def mixed_stack(estate: Any, prefer: str | None = None) -> str | None:
    """`prefer` if the estate has that stack, else the mixed stack with the most persistent resources.

    A mixed stack holds persistent and ephemeral resources (notebook 02); None when none is mixed.

    >>> import iacviz
    >>> mixed_stack(iacviz.load(sample_estate()), prefer="storefront")
    'storefront'
    """
    stacks = estate.stacks
    if prefer in set(stacks["stack"]):
        return prefer
    mixed = set(stacks[stacks.modality == "mixed"]["stack"])
    counts = _persistent_counts(estate)
    counts = counts[counts.index.isin(mixed)]
    if counts.empty:
        return None
    return str(counts.sort_values(ascending=False, kind="stable").index[0])


def exporting_stack(estate: Any, prefer: str | None = None) -> str | None:
    """`prefer` if the estate has that stack, else the stack whose exports the most stacks import.

    >>> import iacviz
    >>> exporting_stack(iacviz.load(sample_estate()))
    'data'
    """
    if prefer in set(estate.stacks["stack"]):
        return prefer
    imp = _stack_imports(estate)
    imp = imp[imp.link.isin(["exact", "inferred"]) & imp.export_stack.notna()]
    if imp.empty:
        return None
    counts = imp.groupby("export_stack")["stack"].nunique().sort_index()
    return str(counts.sort_values(ascending=False, kind="stable").index[0])


def _move_out(estate: Any, stack: str | None) -> frozenset[str]:
    if not stack:
        return frozenset()
    res = estate.resources
    # What the stack's own templates create: resources a service makes for itself (Elastic
    # Beanstalk's load balancer) cannot be moved by editing templates.
    own = res.generated_by.isna() if "generated_by" in res else True
    rows = res[(res["stack"] == stack) & (res.modality == "persistent") & own]
    return frozenset(_resource_key(s, lid) for s, lid in zip(rows["stack"], rows.logical_id))


def _wrong_move_out(estate: Any, stack: str | None) -> dict[Any, str]:
    res = estate.resources
    mine = res[res["stack"] == stack]
    held = mine[mine.stateful.fillna(False).astype(bool)]
    eph = mine[mine.modality == "ephemeral"]
    return {
        frozenset(
            _resource_key(s, lid).lower() for s, lid in zip(held["stack"], held.logical_id)
        ): "those are the stateful ones; persistent is about lifetime, so the alarms, APIs or clusters "
        "that live as long as the data move too.",
        frozenset(
            _resource_key(s, lid).lower() for s, lid in zip(eph["stack"], eph.logical_id)
        ): "those are the ephemeral ones, the resources that stay with the release; move the others.",
    }


def _must_go_first(estate: Any, stack: str | None) -> frozenset[str]:
    """Every stack that imports from `stack`, directly or through other stacks."""
    imp = _stack_imports(estate)
    imp = imp[imp.link.isin(["exact", "inferred"]) & imp.export_stack.notna()]
    edges = set(zip(imp.export_stack, imp["stack"]))
    seen: set[str] = set()
    todo = [stack]
    while todo:
        cur = todo.pop()
        for a, b in edges:
            if a == cur and b not in seen and b != stack:
                seen.add(b)
                todo.append(b)
    return frozenset(seen)


def _wrong_go_first(estate: Any, stack: str | None) -> dict[Any, str]:
    imp = _stack_imports(estate)
    direct = frozenset(imp[(imp.export_stack == stack) & imp.link.isin(["exact", "inferred"])]["stack"])
    return {
        frozenset(
            s.lower() for s in direct
        ): f"those import from {stack} directly; but other stacks import from them, and they must go "
        "before them in turn. Follow the imports all the way."
    }


def _missing_in_account(estate: Any, repo: Any) -> frozenset[str]:
    live = set(estate.stacks.get("stack_name", estate.stacks["stack"]).dropna())
    files = repo.stacks
    return frozenset(set(files.get("stack_name", files["stack"]).dropna()) - live)


QUESTIONS.update(
    {
        "split-mixed": Question(
            "Which resources of {stack} would you move out of it, so that it becomes ephemeral? "
            "Answer their names (stack/LogicalId or just the logical ids).",
            'filter estate.resources on stack == "{stack}" and look at the modality column.',
            lambda e, stack: _move_out(e, stack),
            lambda v: f"move {_show(sorted(v)) or 'nothing'}: they outlive any release.",
            kind="resources",
            wrong=lambda e, stack: _wrong_move_out(e, stack),
            how='res = estate.resources; res[(res["stack"] == STACK) & (res.modality == "persistent") '
            "& res.generated_by.isna()].logical_id",
        ),
        "must-go-first": Question(
            "Which stacks must be deleted before {stack} can be deleted?",
            "CloudFormation refuses to delete a stack whose exports are imported; follow estate.imports "
            "(export_stack -> stack) from {stack}, and then from those stacks.",
            lambda e, stack: _must_go_first(e, stack),
            lambda v: f"{_show(sorted(v)) or 'none'}: every stack that imports from it, directly or through others.",
            kind="names",
            wrong=lambda e, stack: _wrong_go_first(e, stack),
            how="iacviz.deletion_order(estate): every generation before the one holding STACK, "
            "restricted to the stacks that import from it directly or indirectly",
        ),
        "missing-in-account": Question(
            "Which stacks of the repository will NOT appear under their own name in the account?",
            "think about how Elastic Beanstalk deploys .ebextensions, and how CloudFormation names nested stacks.",
            lambda e, repo: _missing_in_account(e, repo),
            lambda v: (
                f"{_show(sorted(v))}: .ebextensions are merged into the environment's own stack, and a "
                "nested stack gets a generated name with a random suffix."
            ),
            kind="names",
            wrong=lambda e, repo: {
                frozenset(["storefront"]): "storefront, yes; and one more: look at the nested stack.",
                frozenset(["edge-wafstack"]): "the nested stack, yes; and one more: where do the .ebextensions go?",
            },
            how="set(repo.stacks.stack_name) - set(estate.stacks.stack_name)",
        ),
    }
)


# -- the capstone: graded from the learner's files ---------------------------------------------

CAPSTONE_WORK = "capstone-work"
OLD_DB_SG_EXPORT = "shop-network-DbSecurityGroupId"


def capstone_copy(
    folder: str | os.PathLike = CAPSTONE_WORK, *, fresh: bool = False, source: str | os.PathLike | None = None
) -> Path:
    """A scratch copy of `source` (default: the sample estate) for the capstone, kept between runs unless `fresh`.

    Step 2 of task 3 starts from a copy of the learner's step 1 (``source=WORK``): the step 1
    folder stays as it is, because it stands for what is deployed when step 2 is written.

    >>> import tempfile
    >>> work = capstone_copy(Path(tempfile.mkdtemp()) / "work")
    >>> (work / "data" / "data.yaml").is_file()
    True
    >>> (capstone_copy(work.parent / "work-step-2", source=work) / "data" / "data.yaml").is_file()
    True
    """
    import shutil

    work = Path(folder)
    if fresh and work.exists():
        shutil.rmtree(work)
    if not work.exists():
        shutil.copytree(sample_estate() if source is None else Path(source), work)
    return work


def _grade_protect_db(baseline: Any, folder: Any) -> tuple[bool, str]:
    """Task 1: data/Db survives a replacement, proven by plan_changes on release-2's edit."""
    import shutil
    import tempfile

    from ..analysis.changes import plan_changes

    work = open_source(folder)
    res = work.resources
    db = res[(res["stack"] == "data") & (res.logical_id == "Db")]
    if db.empty:
        return False, "data/Db is gone from your copy: protect the database, do not delete it."
    policy = db.update_replace_policy.fillna("").iloc[0]
    if policy not in ("Snapshot", "Retain"):
        if db.deletion_policy.fillna("").iloc[0] in ("Snapshot", "Retain"):
            return False, (
                "Db already has DeletionPolicy: Snapshot, which applies when the resource is deleted, not "
                "replaced. Add UpdateReplacePolicy: Snapshot next to it in data/data.yaml."
            )
        return False, "Db has no UpdateReplacePolicy: add UpdateReplacePolicy: Snapshot to it in data/data.yaml."
    with tempfile.TemporaryDirectory() as tmp:
        after = Path(tmp) / "after"
        shutil.copytree(Path(os.fspath(folder)), after)
        data = after / "data" / "data.yaml"
        text = data.read_text(encoding="utf-8")
        if "DbName: shop" not in text:
            return (
                True,
                f"Db has UpdateReplacePolicy: {policy} (the mapping changed, so release-2's edit was not replayed).",
            )
        data.write_text(text.replace("DbName: shop", "DbName: catalogue"), encoding="utf-8")
        plan = plan_changes(work, open_source(after))
    row = plan[(plan["stack"] == "data") & (plan.logical_id == "Db")]
    lost = bool(row.data_loss.fillna(False).astype(bool).any())
    if lost:
        return False, "plan_changes still says data/Db loses its data when release-2 renames the database."
    return True, (
        f"with UpdateReplacePolicy: {policy}, plan_changes on release-2's rename shows Db replaced "
        "and no data lost: CloudFormation keeps a final snapshot."
    )


def _grade_move_queues(baseline: Any, folder: Any) -> tuple[bool, str]:
    """Task 2: the storefront's queues live in a persistent stack, imported, in deployment order."""
    from ..analysis.graph import deployment_order
    from ..analysis.problems import export_problems

    work = open_source(folder)
    unread = work.errors[work.errors.severity == "error"]  # info rows (a buildspec skipped) are no read error
    if len(unread):
        first = unread.iloc[0]
        return False, f"your copy has a read error: {first.source}: {first.message}"
    res = work.resources
    left = res[(res["stack"] == "storefront") & (res.type == "AWS::SQS::Queue")]
    if len(left):
        return False, (
            f"storefront still holds {', '.join(left.logical_id)}: move them into a persistent stack "
            "(data is one), with an export for what storefront needs."
        )
    before = baseline.resources
    n_before = int((before.type == "AWS::SQS::Queue").sum())
    queues = res[res.type == "AWS::SQS::Queue"]
    if len(queues) < n_before:
        return False, (
            f"the estate has {len(queues)} queues instead of {n_before}: move the cart queues, do not delete them."
        )
    modality = work.stacks.set_index("stack").modality
    homes = {s for s in queues["stack"] if modality.get(s) != "persistent"}
    if homes:
        return (
            False,
            f"{', '.join(sorted(homes))} is not persistent: put the queues in a stack that only holds persistent resources.",
        )
    problems = export_problems(work)
    bad = problems[problems.kind.str.contains("dangling|cycle", case=False)]
    if len(bad):
        return False, "; ".join(f"{k}: {n}" for k, n in zip(bad.kind, bad.name)) + " (an import must match an export)."
    imp = _stack_imports(work)
    fed = imp[(imp["stack"] == "storefront") & imp.export_stack.isin(set(queues["stack"]))]
    if fed.empty:
        return False, "storefront does not import anything from the queues' new stack: export the queue and import it."
    order = {s: i for i, gen in enumerate(deployment_order(work)) for s in gen}
    late = [s for s in set(fed.export_stack) if order.get(s, 0) >= order.get("storefront", 0)]
    if late:
        return False, f"{', '.join(late)} must deploy before storefront, but the deployment order does not say so."
    return True, (
        "the queues live in a persistent stack, storefront imports them, no import dangles and the "
        "deployment order holds. (In a real move, set DeletionPolicy: Retain on the old queues first "
        "and bring them into the new stack with a resource import: plan_changes shows that a plain "
        "remove-and-add loses their messages.)"
    )


def _grade_migration(baseline: Any, folder: Any) -> tuple[bool, str]:
    """Task 3, step 1 of the migration of an export in use: a new group, the importers reading its id from a new
    export (or a parameter), the old export kept."""
    from ..analysis.changes import plan_changes

    work = open_source(folder)  # an estate passes through: step 2 grades the step 1 it opened itself
    unread = work.errors[work.errors.severity == "error"]  # info rows (a buildspec skipped) are no read error
    if len(unread):
        first = unread.iloc[0]
        return False, f"your copy has a read error: {first.source}: {first.message}"
    ex, imp = work.exports, _stack_imports(work)
    users = sorted(set(imp[imp.export_name == OLD_DB_SG_EXPORT]["stack"]))
    old_ex = set(baseline.exports[baseline.exports["stack"] == "network"].export_name)
    net = ex[ex["stack"] == "network"]
    new = net[~net.export_name.isin(old_ex)]
    res, base = work.resources, baseline.resources
    groups = set(res[(res["stack"] == "network") & (res.type == "AWS::EC2::SecurityGroup")].logical_id)
    fresh = groups - set(base[(base["stack"] == "network") & (base.type == "AWS::EC2::SecurityGroup")].logical_id)
    new = new[
        new.resources.map(
            lambda r: any(x in groups and x != "DbSecurityGroup" for x in (r if r is not None else []))
        ).astype(bool)  # an empty mask is still a mask, not a list of columns
    ]
    if new.empty and not fresh:
        return False, (
            "step 1 starts in network: add a new security group (e.g. DbSecurityGroupV2) next to the old "
            "one and export its id under a NEW name."
        )
    if OLD_DB_SG_EXPORT not in set(ex.export_name):
        return False, (
            f"you removed {OLD_DB_SG_EXPORT} already. Deployed together, network goes first and CloudFormation "
            "refuses to delete an export that data still imports: keep it until step 2."
        )
    to = new.export_name.iloc[0] if len(new) else "the new group's id"
    if users:
        return False, f"{', '.join(users)} still import {OLD_DB_SG_EXPORT}: switch them to {to}."
    moved = imp[imp.export_name.isin(set(new.export_name))]
    by_parameter = _read_from_parameter(baseline, work)
    if moved.empty and not by_parameter:
        if new.empty:
            return False, (
                f"network has {', '.join(sorted(fresh))}, but the database does not read its id: export it under a "
                "NEW name and import that in data (or hand it to data as a parameter)."
            )
        return False, f"nothing imports {to} yet: the database must use the new group."
    plan = plan_changes(baseline, work)
    blocked = plan[plan.blocked.notna()]
    if len(blocked):
        return False, "CloudFormation would refuse: " + "; ".join(
            f"{s}/{r}" for s, r in zip(blocked["stack"], blocked.logical_id)
        )
    then = sorted(set(moved["stack"]) | set(by_parameter))
    note = "".join(
        f" {s} reads the group from its parameter {p}: its value must be the new group's id when {s} deploys "
        "(CloudFormation checks an import for you, not a parameter)."
        for s, p in sorted(by_parameter.items())
    )
    return True, (
        f"step 1 deploys (network, then {', '.join(then)}), nothing is blocked, and "
        f"{OLD_DB_SG_EXPORT} is now unused: step 2, a later release, removes it with the old group." + note
    )


def _read_from_parameter(baseline: Any, work: Any) -> dict[str, str]:
    """{stack: parameter} for the stacks whose properties that imported the old export now read a parameter."""
    refs, now = baseline.references, work.references
    sites = refs[(refs["kind"] == "ImportValue") & (refs.target == OLD_DB_SG_EXPORT)]
    out: dict[str, str] = {}
    for stack, source, path in zip(sites.source_stack, sites.source, sites.source_path):
        prop = "/".join(str(path).split("/")[:3])  # /properties/VPCSecurityGroups
        mine = now[
            (now.source_stack == stack)
            & (now.source == source)
            & (now.target_kind == "parameter")
            & (now["kind"] == "Ref")
            & now.source_path.astype(str).str.startswith(prop)
            & ~now.source_path.astype(str).str.contains("Fn::ImportValue", regex=False)
        ]
        if len(mine):
            out[stack] = str(mine.target.iloc[0])
    return out


def _new_exports(baseline: Any, work: Any) -> set[str]:
    """Exports of `work` that the baseline does not have (step 1's new export, whatever its name)."""
    return set(work.exports.export_name) - set(baseline.exports.export_name)


def _grade_migration_step_2(baseline: Any, folder: Any, deployed: Any = None) -> tuple[bool, str]:
    """Task 3, step 2, planned from the learner's step 1 (`deployed`): the old export and group gone,
    every import still matched, and plan_changes from step 1 blocked nowhere."""
    from ..analysis.changes import plan_changes
    from ..analysis.problems import export_problems

    if deployed is None:
        return False, (
            "say which folder holds your step 1, the state deployed before step 2: "
            'check("capstone-migration-step-2", STEP_2, estate, deployed=WORK).'
        )
    _folder(deployed)
    step1 = open_source(deployed)
    ok, why = _grade_migration(baseline, step1)
    if not ok:
        return False, (
            f"step 2 starts from a finished step 1, and {os.fspath(deployed)} is not one yet: {why} Finish it "
            "there, then copy it again for step 2: capstone_copy(STEP_2, source=WORK, fresh=True)."
        )
    work = open_source(folder)
    unread = work.errors[work.errors.severity == "error"]  # info rows (a buildspec skipped) are no read error
    if len(unread):
        first = unread.iloc[0]
        return False, f"your copy has a read error: {first.source}: {first.message}"
    ex = work.exports
    if OLD_DB_SG_EXPORT in set(ex.export_name):
        return False, (
            f"{OLD_DB_SG_EXPORT} is still exported. After step 1 no stack imports it, so step 2 removes it, "
            "together with the old group and its ingress rule."
        )
    old = baseline.exports[baseline.exports.export_name == OLD_DB_SG_EXPORT]
    behind = {(s, r) for s, rs in zip(old["stack"], old.resources) for r in (rs if rs is not None else [])}
    res = work.resources
    kept = sorted(f"{s}/{r}" for s, r in zip(res["stack"], res.logical_id) if (s, r) in behind)
    if kept:
        return False, (
            f"the old export is gone, but {', '.join(kept)} is still there: the group is what the migration "
            "replaces. Delete it, and its ingress rule, in the same step."
        )
    problems = export_problems(work)
    dangling = problems[problems.kind.str.contains("dangling", case=False)]
    if len(dangling):
        return False, (
            f"{', '.join(sorted(set(dangling.name)))}: imported, but no stack exports it. Step 2 removes only the "
            "old export; the importers keep reading the new one."
        )
    new = _new_exports(baseline, step1)
    before_users = set(step1.imports[step1.imports.export_name.isin(new)]["stack"])
    after_users = set(work.imports[work.imports.export_name.isin(new)]["stack"])
    if before_users - after_users:
        return False, (
            f"{', '.join(sorted(before_users - after_users))} no longer imports {', '.join(sorted(new))}: in step 2 the "
            "importers keep the new location they moved to in step 1."
        )
    plan = plan_changes(step1, work)
    blocked = plan[plan.blocked.notna()]
    if len(blocked):
        return False, "from your step 1, CloudFormation would refuse: " + "; ".join(blocked.blocked.astype(str))
    gone = plan[plan.action == "Remove"]
    return True, (
        f"plan_changes from your step 1 removes {', '.join(sorted(gone['stack'] + '/' + gone.logical_id))}, nothing is "
        f"blocked and no import dangles: {OLD_DB_SG_EXPORT} went only once no stack imported it."
    )


def _folder(answer: Any) -> None:
    """A capstone answer is a folder of templates; anything else is Malformed, with the expected form."""
    if isinstance(answer, (str, os.PathLike)) and Path(answer).is_dir():
        return
    if isinstance(answer, (str, os.PathLike)):
        raise Malformed(f"there is no folder {os.fspath(answer)!r}: give the folder of your edited templates")
    raise Malformed(f'the answer is the folder of your edited templates, e.g. "{CAPSTONE_WORK}", not {answer!r}')


def _graded(grader: Callable[..., tuple[bool, str]]) -> Callable[..., Any]:
    def grade(estate: Any, folder: Any = None, **params: Any) -> tuple[bool, str]:
        _folder(folder)
        return grader(estate, folder, **params)

    return grade


QUESTIONS.update(
    {
        "capstone-protect-db": Question(
            "Task 1: protect data/Db against replacement, and prove with plan_changes that release-2 no longer loses its data.",
            "UpdateReplacePolicy decides what happens to the old resource on a replacement; DeletionPolicy only on deletion.",
            _graded(_grade_protect_db),
            lambda v: v,
            kind="graded",
            how="in data/data.yaml, under Db: `UpdateReplacePolicy: Snapshot` (next to `DeletionPolicy: Snapshot`).",
        ),
        "capstone-move-queues": Question(
            "Task 2: move the storefront's queues into a persistent stack with export/import; no import may dangle and "
            "the deployment order must still hold.",
            "cut the two queues from web/storefront/.ebextensions/02-resources.config into data/data.yaml, export the "
            "queue's URL and name there, and replace the storefront's Ref/GetAtt by Fn::ImportValue.",
            _graded(_grade_move_queues),
            lambda v: v,
            kind="graded",
            how="see data/scenarios/capstone: data/data.yaml (queues + exports) and the storefront's .ebextensions "
            "(Fn::ImportValue of shop-data-CartEventsQueueUrl / -CartEventsQueueName).",
        ),
        "capstone-migration": Question(
            f"Task 3: the database's security group must be replaced, but its id is exported as {OLD_DB_SG_EXPORT} and "
            "imported. Write step 1 of the two-step migration in your files.",
            "step 1: a new group and a new export next to the old ones, importers moved to the new export (or to a "
            "parameter); step 2 (later): remove the old export and group.",
            _graded(_grade_migration),
            lambda v: v,
            kind="graded",
            how="network/network.yaml: DbSecurityGroupV2 (+ its ingress rule) and an export ...-DbSecurityGroupV2Id; "
            "data/data.yaml: Db imports the V2 export. The old group and export stay until step 2.",
        ),
        "capstone-migration-step-2": Question(
            f"Task 3, step 2: with step 1 deployed, remove {OLD_DB_SG_EXPORT} and the old group it exports; "
            "plan_changes from your step 1 must block nothing and no import may dangle.",
            "compare your step 1 (deployed) with your step 2: only network changes, and only by removals.",
            _graded(_grade_migration_step_2),
            lambda v: v,
            kind="graded",
            how="see data/scenarios/capstone-step-2: network/network.yaml without DbSecurityGroup, DbIngressFromApp "
            "and the output DbSecurityGroupId; data/data.yaml keeps importing ...-DbSecurityGroupV2Id.",
        ),
    }
)


# -- the setup check of notebook 00 ------------------------------------------------------------

MINIMUM = {
    "python": (3, 11),
    "pandas": (2, 2),
    "plotly": (6, 0),
    "ipywidgets": (8, 1),
    "boto3": (1, 35),
    "networkx": (3, 3),
}


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def setup_problems() -> list[str]:
    """What stops the workshop from running on this machine, each with its fix ([] when ready).

    Checks the Python and library versions the notebooks need and that the local demo
    account's server (moto) and JupyterLab's widget support are installed.

    >>> isinstance(setup_problems(), list)
    True
    """
    import importlib
    import sys

    problems = []
    if sys.version_info[:2] < MINIMUM["python"]:
        problems.append(
            f"Python {sys.version.split()[0]} is too old: the workshop needs 3.11 or newer. "
            "Fix: install a newer Python, then `make clean lab`."
        )
    for name, least in MINIMUM.items():
        if name == "python":
            continue
        try:
            module = importlib.import_module(name)
        except ImportError:
            problems.append(
                f"{name} is missing. Fix: `make lab` (it installs everything into .venv) and pick the kernel of .venv."
            )
            continue
        if _version(getattr(module, "__version__", "0")) < least:
            problems.append(
                f"{name} {module.__version__} is older than {'.'.join(map(str, least))}. Fix: `make clean lab`."
            )
    for name, why in [("moto", "the local demo account (notebook 06)"), ("anywidget", "interactive figures")]:
        try:
            importlib.import_module(name)
        except ImportError:
            problems.append(f"{name} is missing, needed for {why}. Fix: `make lab` installs it.")
    return problems
